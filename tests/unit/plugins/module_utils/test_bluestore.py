# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The bluestore label reader against the first 4 KiB of a raw OSD's device, recorded on the lab (set raw_purge)."""

from __future__ import annotations

import base64
import json
import pathlib

import pytest

from ansible_collections.cephkit.cephadm.plugins.module_utils._bluestore import LabelError, parse_label

FIXTURES = pathlib.Path(__file__).resolve().parent.parent.parent / 'fixtures'
RECORDED = sorted(FIXTURES.glob('*/bluestore_label_raw.json'))


def recorded(path: pathlib.Path) -> tuple[bytes, str, str]:
    """The label bytes, and the fsid and OSD id the recording host's data directory gave for that device."""
    label = json.loads(path.read_text(encoding='utf-8'))
    blocks = json.loads((path.parent / 'osd_blocks_raw.json').read_text(encoding='utf-8'))
    block = blocks['stdout'].split()[0]  # /var/lib/ceph/<fsid>/osd.<id>/block
    parts = block.split('/')
    return base64.b64decode(label['stdout']), parts[4], parts[5][len('osd.') :]


@pytest.mark.parametrize('path', RECORDED, ids=[p.parent.name for p in RECORDED])
def test_recorded_label(path: pathlib.Path) -> None:
    data, fsid, osd_id = recorded(path)
    label = parse_label(data)
    assert label is not None
    assert (label.ceph_fsid, label.whoami) == (fsid, osd_id)
    assert label.meta['ready'] == 'ready'
    assert 'osd_key' not in label.meta
    assert label.size > 0
    assert label.describe() == 'osd.%s of cluster %s' % (osd_id, fsid)


@pytest.mark.parametrize('path', RECORDED, ids=[p.parent.name for p in RECORDED])
def test_cut_short(path: pathlib.Path) -> None:
    with pytest.raises(LabelError):
        parse_label(recorded(path)[0][:100])


@pytest.mark.parametrize('data', [b'\0' * 4096, b'', b'XFSB' + b'\0' * 4092, b'bluestore block devic'])
def test_no_label(data: bytes) -> None:
    assert parse_label(data) is None


def test_recorded_at_least_once() -> None:
    assert RECORDED, 'record a label: hack/record_fixtures.py --sets raw_purge'
