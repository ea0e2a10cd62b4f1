# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The bluestore label at the start of an OSD's block device: which cluster and which OSD it belongs to.

BlueStore writes ``bluestore_bdev_label_t`` at offset 0 (src/os/bluestore/bluestore_types.cc): the text
``bluestore block device\\n``, the OSD's uuid and ``\\n``, then the encoded struct (struct_v, compat, u32 length,
the uuid as 16 bytes, u64 size, utime_t btime, string description, map<string, string> meta), little-endian.
``meta`` holds ``ceph_fsid`` and ``whoami`` (and ``osd_key``, a secret this module never returns).
"""

from __future__ import annotations

import struct
import typing as t

LABEL_SIZE = 4096
_MAGIC = b'bluestore block device\n'
_UUID_TEXT = 37  # 36 characters and a newline
_PUBLIC_META = ('ceph_fsid', 'whoami', 'type', 'ready', 'require_osd_release', 'kv_backend')


class LabelError(ValueError):
    """The data starts like a bluestore label but cannot be decoded."""


class Label(t.NamedTuple):
    osd_uuid: str
    ceph_fsid: str
    whoami: str
    size: int
    meta: dict[str, str]

    def describe(self) -> str:
        return 'osd.%s of cluster %s' % (self.whoami or '?', self.ceph_fsid or '?')


def parse_label(data: bytes) -> Label | None:
    """The label in ``data`` (the first bytes of a device); None when it carries no bluestore label."""
    if not data.startswith(_MAGIC):
        return None
    pos = len(_MAGIC)
    osd_uuid = data[pos : pos + _UUID_TEXT].decode('ascii', 'replace').strip()
    pos += _UUID_TEXT

    def take(size: int) -> bytes:
        nonlocal pos
        if pos + size > len(data):
            raise LabelError('the bluestore label is cut short at byte %d' % pos)
        chunk = data[pos : pos + size]
        pos += size
        return chunk

    def u32() -> int:
        return int(struct.unpack('<I', take(4))[0])

    def text() -> str:
        return take(u32()).decode('utf-8', 'replace')

    take(2)  # struct_v, compat
    u32()  # length of the encoded struct
    take(16)  # osd_uuid, binary
    size = int(struct.unpack('<Q', take(8))[0])
    take(8)  # btime
    text()  # description
    meta: dict[str, str] = {}
    for _entry in range(u32()):
        key = text()
        value = text()
        if key in _PUBLIC_META:
            meta[key] = value
    return Label(osd_uuid, meta.get('ceph_fsid', ''), meta.get('whoami', ''), size, meta)


def read_label(path: str) -> Label | None:
    """The bluestore label of the device at ``path``; None when it has none. OSError when unreadable."""
    with open(path, 'rb') as dev:
        return parse_label(dev.read(LABEL_SIZE))
