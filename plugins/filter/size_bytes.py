# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A size as Ceph writes it (16G, 4Gi, 1073741824) as a number of bytes: for cephkit_osd_memory_target."""

from __future__ import annotations

import re
import typing as t

from ansible.errors import AnsibleFilterError

# Ceph's size options (strict_iec_cast): digits, then an optional unit prefix K, M, G, T, P or E
# (powers of 1024, also written Ki, Mi, ...), or B for bytes.  KiB, GiB, ... are accepted as well.
_SIZE_RE = re.compile(r'^([0-9]+)(?:([KMGTPE])i?B?|B)?$')
_POWERS = {'K': 1, 'M': 2, 'G': 3, 'T': 4, 'P': 5, 'E': 6}
_RAISE = object()


def size_bytes(value: t.Any, invalid: t.Any = _RAISE) -> int | None:
    """Return ``value`` (an int, or a string such as ``16G``, ``4Gi``, ``512MiB``) in bytes; null stays null.

    A value that is not a size raises an error, or returns ``invalid`` when that is given.
    """
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str):
        match = _SIZE_RE.match(value.strip())
        if match:
            number, prefix = int(match.group(1)), match.group(2)
            return number * 1024 ** _POWERS[prefix] if prefix else number
    if invalid is not _RAISE:
        return t.cast('int | None', invalid)
    raise AnsibleFilterError(
        f'size_bytes: {value!r} is not a size: expected a number of bytes or a number with a unit'
        ' K, M, G, T (powers of 1024, also written Ki, Mi, Gi, Ti), e.g. 1073741824, 16G or 4Gi'
    )


class FilterModule:
    """cephkit.cephadm size conversion."""

    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {'size_bytes': size_bytes}
