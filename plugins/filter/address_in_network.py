# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The address of a host in a network: how the roles find each mon's address."""

from __future__ import annotations

import ipaddress
import typing as t

from ansible.errors import AnsibleFilterError


def address_in_network(addresses: t.Any, network: str) -> str:
    """Return the first address of ``addresses`` inside ``network`` (CIDR), or an empty string."""
    if isinstance(addresses, str):
        addresses = [addresses]
    if not isinstance(addresses, (list, tuple)):
        raise AnsibleFilterError(f"address_in_network: expected a list of addresses, got {type(addresses).__name__}")
    try:
        net = ipaddress.ip_network(str(network), strict=False)
    except ValueError as exc:
        raise AnsibleFilterError(f"address_in_network: {network!r} is not a network in CIDR notation ({exc})") from exc
    for address in addresses:
        try:
            if ipaddress.ip_address(str(address)) in net:
                return str(address)
        except ValueError:
            continue
    return ''


class FilterModule:
    """cephkit.cephadm network filters."""

    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {'address_in_network': address_in_network}
