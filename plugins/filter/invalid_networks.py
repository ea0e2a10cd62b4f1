# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The entries of a network list that are not networks: how the roles check cephkit_public_network."""

from __future__ import annotations

import ipaddress
import typing as t

from ansible.errors import AnsibleFilterError

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def invalid_networks(value: t.Any) -> list[str]:
    """Return the entries of ``value`` that are not networks, or that overlap an earlier entry.

    ``value`` is a comma-separated string of CIDRs (or a list of them).  An entry is a network when
    ``ipaddress.ip_network(entry, strict=False)`` accepts it, the rule the modules apply to their
    network options; a string that is empty or only blanks holds no entries.
    """
    if value is None:
        return []
    if isinstance(value, str):
        entries = [] if not value.strip() else [part.strip() for part in value.split(',')]
    elif isinstance(value, (list, tuple)):
        entries = [str(part).strip() for part in value]
    else:
        raise AnsibleFilterError(
            f'invalid_networks: expected a comma-separated string of networks, got {type(value).__name__}'
        )
    bad: list[str] = []
    seen: list[IPNetwork] = []
    for entry in entries:
        try:
            net = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            bad.append(entry)
            continue
        if any(net.version == other.version and net.overlaps(other) for other in seen):
            bad.append(entry)
            continue
        seen.append(net)
    return bad


class FilterModule:
    """cephkit.cephadm network checks."""

    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {'invalid_networks': invalid_networks}
