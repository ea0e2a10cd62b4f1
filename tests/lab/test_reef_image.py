"""The lab's Reef image: Ceph 18.2.7 from Debian trixie's packages, in the lab registry.

Runs after test_lab.py (whose registry checks expect the Pacific tags only, and whose last test
takes the lab down): the first test brings the same instance up again. The image is built once
and cached, with trixie's cephadm package for the hosts (served under ceph-18.2.7/); the mgr probe (tests/lab/mgr-probe.sh) starts a
one-mon, one-mgr cluster inside it on loopback and reports what the mgr itself says of its
modules: with trixie's PyO3-based bcrypt and cryptography, it would load none of them.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from cephkit_lab.config import PACIFIC, REEF
from cephkit_lab.lab import Lab

PROBE = Path(__file__).with_name("mgr-probe.sh")


def test_reef_image_in_the_registry(lab: Lab) -> None:
    lab.up()
    start = time.monotonic()
    image = lab.add_release(REEF.version)
    print(f"Reef image built (or found) and pushed in {time.monotonic() - start:.1f}s")
    tags = set(lab.registry_tags())
    assert set(REEF.tags) <= tags, f"registry tags {sorted(tags)}"
    assert set(PACIFIC.tags) <= tags, "pushing Reef must leave Pacific's tags"
    labels = lab.podman.json("image", "inspect", image)[0]["Labels"]
    assert labels["ceph.version"] == REEF.version


def test_reef_mgr_loads_its_modules(lab: Lab) -> None:
    image = lab.add_release(REEF.version)
    start = time.monotonic()
    out = lab.podman(
        "run",
        "--rm",
        "--network",
        "none",
        "-v",
        f"{PROBE}:/probe.sh:ro",
        image,
        "bash",
        "/probe.sh",
        quiet=True,
        timeout=600,
    )
    report = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"mgr probe in {time.monotonic() - start:.1f}s: {json.dumps(report)}")
    assert "ceph version 18.2.7" in report["version"] and "reef" in report["version"], report["version"]
    assert report["load_errors"] == 0, report
    assert report["pyo3_errors"] == 0, report
    # No module crashes at load (each missing NOTIFY_TYPES was a crash report on Python 3.13).
    assert report["python_errors"] == 0, report
    assert report["crash_reports"] == [], report
    assert not [check for check in report["health_checks"] if check.startswith("MGR_MODULE")], report
    assert {"cephadm", "dashboard"} <= set(report["enabled"]), report
    # The orchestrator answers: the cephadm module runs (its SSH key made with asyncssh's stack).
    assert report["orch_status"].get("available") is True, report
    assert report["orch_status"].get("backend") == "cephadm", report
    # The dashboard serves, on the certificate pyOpenSSL and cryptography made inside the mgr.
    assert report["services"].get("dashboard", "").startswith("https://"), report
    # The one module that cannot run lacks a Python package Debian does not ship.
    assert set(report["unavailable"]) <= {"influx"}, report


def test_reef_cephadm_installs_on_a_host(lab: Lab) -> None:
    """trixie's cephadm package from the lab repository's ceph-18.2.7/ installs on a bookworm host."""
    lab.add_release(REEF.version)
    url = lab.cfg.repo_url
    sources = f"deb [trusted=yes] {url} ./\ndeb [trusted=yes] {url}{REEF.repo_path} ./\n"
    lab.ssh("node1", ["tee", "/etc/apt/sources.list.d/lab-probe.list"], input_data=sources)
    try:
        lab.ssh("node1", ["apt-get", "update", "-q"])
        policy = lab.ssh("node1", ["env", "LC_ALL=C", "apt-cache", "policy", "cephadm"]).stdout
        assert f"Candidate: {REEF.version}" in policy, policy
        assert f"{url}{REEF.repo_path.rstrip('/')} ./ Packages" in policy, policy
        install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "cephadm"]
        lab.ssh("node1", ["env", "DEBIAN_FRONTEND=noninteractive", *install])
        version = lab.ssh("node1", ["dpkg-query", "-W", "'-f=${Version}'", "cephadm"]).stdout.strip()
        assert version.startswith(REEF.version), version
        # The zipapp runs on the host's python3 (bookworm's 3.11).
        usage = lab.ssh("node1", ["/usr/sbin/cephadm", "--help"]).stdout
        assert "upgrade" in usage or "bootstrap" in usage, usage[:400]
    finally:
        lab.ssh("node1", ["rm", "-f", "/etc/apt/sources.list.d/lab-probe.list"], check=False)
