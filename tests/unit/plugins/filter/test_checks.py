"""The inventory-check filters: invalid_networks (the modules' network rule) and size_bytes (Ceph's sizes)."""

from __future__ import annotations

from typing import Any

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.cephkit.cephadm.plugins.filter.invalid_networks import invalid_networks
from ansible_collections.cephkit.cephadm.plugins.filter.size_bytes import size_bytes


@pytest.mark.parametrize(
    ("value", "invalid"),
    [
        ("", []),
        ("  ", []),
        (None, []),
        ("10.89.77.0/24", []),
        ("10.89.77.0/24, 10.89.80.0/24", []),
        ("10.89.77.5/24", []),  # host bits set: still the network 10.89.77.0/24, as ip_network(strict=False) says
        ("fd00:89::/64,10.0.0.0/8", []),
        ("10.0.0.0/8, fd00::/8", []),  # an IPv4 and an IPv6 network never overlap
        (["10.0.0.0/24", "10.1.0.0/24"], []),
        ("10.89.0.0/33", ["10.89.0.0/33"]),
        ("10.89.0.0/24,10.89.0.0/33", ["10.89.0.0/33"]),
        ("256.0.0.0/8", ["256.0.0.0/8"]),
        ("public", ["public"]),
        ("fd00::/129", ["fd00::/129"]),
        ("10.0.0.0/24,,10.1.0.0/24", [""]),
        ("10.0.0.0/24,", [""]),
        ("10.0.0.0/16, 10.0.5.0/24", ["10.0.5.0/24"]),
        ("10.0.5.0/24, 10.0.0.0/16", ["10.0.0.0/16"]),
        ("10.0.0.0/24, 10.0.0.0/24", ["10.0.0.0/24"]),
        ("fd00::/16, fd00:1::/32", ["fd00:1::/32"]),
    ],
)
def test_invalid_networks(value: Any, invalid: list[str]) -> None:
    assert invalid_networks(value) == invalid


def test_invalid_networks_bad_input() -> None:
    with pytest.raises(AnsibleFilterError, match="expected a comma-separated string of networks, got dict"):
        invalid_networks({"a": 1})


@pytest.mark.parametrize(
    ("value", "size"),
    [
        (None, None),
        (0, 0),
        (1073741824, 1073741824),
        ("1073741824", 1073741824),
        ("134217728", 134217728),
        ("1024B", 1024),
        ("16G", 16 * 1024**3),
        ("4Gi", 4 * 1024**3),
        ("4GiB", 4 * 1024**3),
        ("4GB", 4 * 1024**3),
        ("512M", 512 * 1024**2),
        ("128Mi", 134217728),
        ("64K", 65536),
        ("1T", 1024**4),
        ("2Ti", 2 * 1024**4),
        (" 16G ", 16 * 1024**3),
    ],
)
def test_size_bytes(value: Any, size: int | None) -> None:
    assert size_bytes(value) == size


@pytest.mark.parametrize(
    "value",
    ["", "G", "16 G", "16g", "1.5G", "-1", "16X", "16Bi", "16GiBB", "sixteen", -1, 1.5, True, [16], {"a": 1}],
)
def test_size_bytes_rejects(value: Any) -> None:
    with pytest.raises(AnsibleFilterError, match="is not a size: expected a number of bytes or a number with a unit"):
        size_bytes(value)
    assert size_bytes(value, -1) == -1
    assert size_bytes(value, invalid=None) is None
