"""One rule each: the inventory checks of the cephkit role and the modules accept the same labels and networks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from ansible_collections.cephkit.cephadm.plugins.filter.invalid_networks import invalid_networks
from ansible_collections.cephkit.cephadm.plugins.module_utils import _ceph

ROLE_VARS = yaml.safe_load((Path(__file__).resolve().parents[2] / "roles/cephkit/vars/main.yml").read_text())

LABELS = ["mon", "_admin", "rgw.zone-1", "a_b", "", "a b", "a,b", "é", "rgw/1", "x\n"]
NETWORKS = [
    "10.0.0.0/24",
    "10.0.0.0/24,10.1.0.0/24",
    " 10.0.0.0/24 , fd00::/64 ",
    "10.0.0.5/24",
    "10.0.0.0/33",
    "10.0.0.0/24,",
    "10.0.0.0/24,,10.1.0.0/24",
    "public",
    "fd00::/129",
]


def test_label_rule_is_the_modules() -> None:
    pattern = ROLE_VARS["cephkit_label_pattern"]
    if not hasattr(_ceph, "LABEL_PATTERN"):
        pytest.skip("plugins/module_utils/_ceph.py has no LABEL_PATTERN yet")
    assert pattern == _ceph.LABEL_PATTERN
    for label in LABELS:
        role_ok = re.match(pattern, label) is not None  # Jinja's `match` test is re.match
        try:
            _ceph.validate_label(label)
        except _ceph.CephInputError:
            module_ok = False
        else:
            module_ok = True
        assert role_ok is module_ok, label


def test_upgrade_types_are_the_modules() -> None:
    upgrade_vars = yaml.safe_load(
        (Path(__file__).resolve().parents[2] / "roles/cephkit_upgrade/vars/main.yml").read_text()
    )
    assert tuple(upgrade_vars["cephkit_upgrade_types"]) == _ceph.CEPH_DAEMON_TYPES


def test_release_names_are_the_modules() -> None:
    assert ROLE_VARS["cephkit_release_names"] == _ceph.RELEASE_NAMES


@pytest.mark.parametrize("value", NETWORKS)
def test_network_rule_is_the_modules(value: str) -> None:
    # The role also refuses overlapping networks; for everything else it decides as the modules do.
    try:
        _ceph.validate_network(value, "cluster_network")
    except _ceph.CephInputError:
        module_ok = False
    else:
        module_ok = True
    assert (invalid_networks(value) == []) is module_ok
