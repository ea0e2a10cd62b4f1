# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What ceph_osd_device state=zapped reads from a device entry: Ceph data, other data, locked.

The reasons are ceph-volume's own strings (ceph_volume/util/device.py, 16.2 and 18.2); the entries seen on the
lab are in the recorded fixtures (orch_device_ls_*), which the module cases use.
"""

from __future__ import annotations

import typing as t

import pytest

from ansible_collections.cephkit.cephadm.plugins.modules.ceph_osd_device import device_contents

CASES: list[tuple[str, dict[str, t.Any], tuple[bool, list[str], bool]]] = [
    ('available', {'available': True, 'rejected_reasons': []}, (False, [], False)),
    ('too small', {'rejected_reasons': ['Insufficient space (<5GB)']}, (False, [], False)),
    ('removable', {'rejected_reasons': ['removable']}, (False, [], False)),
    (
        'stale raw OSD',
        {'rejected_reasons': ['Has BlueStore device label', 'Has a FileSystem']},
        (True, [], False),
    ),
    (
        'stale LVM OSD',
        {'rejected_reasons': ['LVM detected', 'locked'], 'lvs': [{'osd_id': '3', 'cluster_fsid': 'x'}]},
        (True, [], True),
    ),
    ('ceph_device flag', {'ceph_device': True, 'rejected_reasons': ['LVM detected']}, (True, [], False)),
    ('ext4', {'rejected_reasons': ['Has a FileSystem']}, (False, ['Has a FileSystem'], False)),
    ('mounted', {'rejected_reasons': ['Has a FileSystem', 'locked']}, (False, ['Has a FileSystem'], True)),
    (
        'partitioned',
        {'rejected_reasons': ['Has partitions', 'Has GPT headers']},
        (False, ['Has partitions', 'Has GPT headers'], False),
    ),
    ('other LVM', {'rejected_reasons': ['LVM detected'], 'lvs': [{'name': 'root'}]}, (False, ['LVM detected'], False)),
]


@pytest.mark.parametrize(('entry', 'expected'), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_device_contents(entry: dict[str, t.Any], expected: tuple[bool, list[str], bool]) -> None:
    assert device_contents(entry) == expected
