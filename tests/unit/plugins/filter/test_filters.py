"""The health-gate and network filters, on ceph_cluster_info results recorded from the lab cluster."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.cephkit.cephadm.plugins.filter.address_in_network import address_in_network
from ansible_collections.cephkit.cephadm.plugins.filter.cluster_gate import cluster_gate

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "16.2.15"


def recorded(name: str) -> dict[str, Any]:
    data = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    assert data["_recorded"]["ceph_version"] == "16.2.15"
    return dict(data["result"])


HEALTHY = recorded("cluster_info_healthy")
NO_OSDS = recorded("cluster_info_no_osds")
MONS = ["node1", "node2", "node3"]
HOSTS = [
    {"name": "node1", "labels": ["_admin", "mon", "mgr", "osd"]},
    {"name": "node2", "labels": ["mon", "mgr", "osd"]},
    {"name": "node3", "labels": ["mon", "osd"]},
]


@pytest.mark.parametrize(
    ("info", "gate", "expect", "ok", "reason"),
    [
        (HEALTHY, "quorum", {"mons": MONS, "mgr_count": 2}, True, ""),
        (HEALTHY, "quorum", {"mons": ["node1", "node2"]}, False, "expected exactly ['node1', 'node2']"),
        (HEALTHY, "quorum", {"mons": ["node1"], "mons_exact": False, "mgr_count": 1}, True, ""),
        (HEALTHY, "quorum", {"mons": ["node4"], "mons_exact": False}, False, "expected at least ['node4']"),
        (HEALTHY, "quorum", {"mons": MONS, "mgr_count": 3}, False, "2 mgr daemon(s), expected 3"),
        (HEALTHY, "hosts", {"hosts": HOSTS}, True, ""),
        (HEALTHY, "hosts", {"hosts": [{"name": "node3", "labels": ["mgr"]}]}, False, "node3 lacks the labels ['mgr']"),
        (HEALTHY, "hosts", {"hosts": [{"name": "node4", "labels": []}]}, False, "node4 is not a host of the cluster"),
        (HEALTHY, "osds", {"osd_count": 6}, True, ""),
        (HEALTHY, "osds", {"osd_count": 7}, False, "6 OSD(s) up and in, expected 7"),
        (NO_OSDS, "osds", {"osd_count": 3}, False, "0 OSD(s) up and in, expected 3"),
        (HEALTHY, "health", {}, True, ""),
        (NO_OSDS, "health", {}, False, "HEALTH_WARN (TOO_FEW_OSDS: OSD count 0 < osd_pool_default_size 3)"),
        (NO_OSDS, "health", {"allowed_warnings": ["TOO_FEW_OSDS"]}, True, ""),
        (NO_OSDS, "quorum", {"mons": MONS, "mgr_count": 2}, True, ""),
    ],
)
def test_cluster_gate(info: dict[str, Any], gate: str, expect: dict[str, Any], ok: bool, reason: str) -> None:
    result = cluster_gate(info, gate, expect)
    assert result["ok"] is ok
    assert reason in result["reason"]
    assert bool(result["reason"]) is not ok


def test_offline_host_and_down_osd_fail_their_gates() -> None:
    info = copy.deepcopy(HEALTHY)
    info["hosts"][1]["status"] = "Offline"
    info["osds"][0]["up"] = False
    assert cluster_gate(info, "hosts", {"hosts": HOSTS})["reason"] == "node2 is Offline"
    result = cluster_gate(info, "osds", {"osd_count": 6})
    assert result == {"ok": False, "reason": "5 OSD(s) up and in, expected 6 (not up and in: ['osd.0'])"}


def test_errors_are_never_allowed() -> None:
    info = copy.deepcopy(NO_OSDS)
    info["health"]["status"] = "HEALTH_ERR"
    info["health"]["checks"]["TOO_FEW_OSDS"]["severity"] = "HEALTH_ERR"
    assert not cluster_gate(info, "health", {"allowed_warnings": ["TOO_FEW_OSDS"]})["ok"]


@pytest.mark.parametrize(
    ("info", "gate", "expect", "message"),
    [
        (HEALTHY, "quorom", {}, "gate 'quorom' is not one of"),
        ("HEALTH_OK", "health", {}, "expected the result of ceph_cluster_info, got str"),
        (HEALTHY, "health", ["x"], "expected a dict of expectations, got list"),
    ],
)
def test_cluster_gate_bad_input(info: Any, gate: str, expect: Any, message: str) -> None:
    with pytest.raises(AnsibleFilterError, match=message):
        cluster_gate(info, gate, expect)


def test_address_in_network_uses_recorded_host_addresses() -> None:
    addresses = [h["addr"] for h in HEALTHY["hosts"]]
    assert address_in_network(addresses, "10.89.80.0/24") == "10.89.80.11"
    assert address_in_network(["127.0.0.1", "10.89.80.12"], "10.89.80.0/24") == "10.89.80.12"
    assert address_in_network("10.89.80.13", "10.89.80.0/24") == "10.89.80.13"
    assert address_in_network(["fe80::1", "192.168.1.2"], "10.89.80.0/24") == ""


@pytest.mark.parametrize(
    ("addresses", "network", "message"),
    [
        (["10.0.0.1"], "10.0.0.0/33", "'10.0.0.0/33' is not a network in CIDR notation"),
        ({"a": 1}, "10.0.0.0/24", "expected a list of addresses, got dict"),
    ],
)
def test_address_in_network_bad_input(addresses: Any, network: str, message: str) -> None:
    with pytest.raises(AnsibleFilterError, match=message):
        address_in_network(addresses, network)
