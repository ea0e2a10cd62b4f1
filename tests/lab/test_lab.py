"""Smoke tests of the lab: reachable hosts, a registry mirror, an intranet, and a clean exit.

The tests run in file order: the last ones take the lab down and check that
nothing of it is left, then bring it up and down once more.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml

from cephkit_lab.config import LABEL, PACIFIC
from cephkit_lab.lab import Lab

BIN = Path(sys.executable).parent
MANIFEST_TYPES = ", ".join(
    [
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ]
)


def inventory(lab: Lab) -> dict:
    return yaml.safe_load(lab.cfg.inventory_path.read_text(encoding="utf-8"))


def hostvars(lab: Lab) -> dict[str, dict]:
    return inventory(lab)["all"]["children"]["lab_hosts"]["hosts"]


def test_inventory_describes_every_host(lab: Lab) -> None:
    inv = inventory(lab)
    hosts = hostvars(lab)
    assert sorted(hosts) == lab.cfg.host_names()
    for name, hv in hosts.items():
        assert hv["ansible_user"] == "root"
        assert Path(hv["ansible_ssh_private_key_file"]).is_file()
        assert len(hv["lab_disks"]) == lab.cfg.disks, name
    assert inv["all"]["vars"]["lab_registry"] == lab.cfg.registry
    assert inv["all"]["vars"]["lab_package_repo_url"] == lab.cfg.repo_url
    assert inv["all"]["vars"]["lab_network_cidr"] == str(lab.cfg.subnet)


def test_every_host_answers_ansible_ping(lab: Lab) -> None:
    proc = subprocess.run(
        [BIN / "ansible", "-i", lab.cfg.inventory_path, "lab_hosts", "-m", "ansible.builtin.ping", "-o"],
        capture_output=True,
        text=True,
        check=False,
        env={"ANSIBLE_HOST_KEY_CHECKING": "false", "PATH": f"{BIN}:/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for name in lab.cfg.host_names():
        assert f"{name} | SUCCESS" in proc.stdout, proc.stdout


def test_each_host_sees_only_its_own_disks(lab: Lab) -> None:
    hosts = hostvars(lab)
    all_disks = [d for hv in hosts.values() for d in hv["lab_disks"]]
    assert len(all_disks) == len(set(all_disks)), "a disk is given to two hosts"
    for name, hv in hosts.items():
        seen = lab.ssh(name, ["find", "/dev", "-type", "b"]).stdout.split()
        assert sorted(seen) == sorted(hv["lab_disks"]), f"{name} sees {seen}"
        size = lab.ssh(name, ["blockdev", "--getsize64", hv["lab_disks"][0]]).stdout.strip()
        assert int(size) == 10 * 1024**3


def test_hosts_cannot_reach_outside_the_lab_network(lab: Lab) -> None:
    # Neither command sends a packet: without a route the kernel refuses at once.
    probe = (
        "import errno, socket\n"
        "s = socket.socket(); s.settimeout(3)\n"
        "try:\n"
        "    s.connect(('192.0.2.1', 80))\n"
        "except OSError as e:\n"
        "    print(errno.errorcode.get(e.errno, e))\n"
        "else:\n"
        "    print('CONNECTED')\n"
    )
    for name in lab.cfg.host_names():
        routes = lab.ssh(name, ["ip", "-4", "route", "show"]).stdout
        assert "default" not in routes, f"{name} has a default route: {routes}"
        assert routes.strip().startswith(str(lab.cfg.subnet)), routes
        out_of_lab = lab.ssh(name, ["ip", "route", "get", "192.0.2.1"], check=False)
        assert out_of_lab.returncode != 0
        assert "unreachable" in out_of_lab.stderr.lower()
        result = lab.ssh(name, ["python3", "-"], input_data=probe, check=False).stdout.strip()
        assert result == "ENETUNREACH", f"{name}: {result}"
        # ...while the lab's own services answer.
        fetch = f"import urllib.request as u\nprint(u.urlopen('{lab.cfg.repo_url}Packages', timeout=10).status)\n"
        ok = lab.ssh(name, ["python3", "-"], input_data=fetch)
        assert ok.stdout.strip() == "200"


def registry_digest(lab: Lab, tag: str) -> str:
    req = urllib.request.Request(
        f"http://{lab.cfg.registry}/v2/ceph/ceph/manifests/{tag}", method="HEAD", headers={"Accept": MANIFEST_TYPES}
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        return str(resp.headers["Docker-Content-Digest"])


PREPARE_PODMAN = """
set -e
rm -f /etc/apt/sources.list.d/*
echo 'deb [trusted=yes] {repo} ./' > /etc/apt/sources.list.d/cephkit-lab-test.list
apt-get update -q >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends podman runc catatonit >/dev/null
mkdir -p /etc/containers/registries.conf.d
printf '[containers]\\ndefault_ulimits = ["nofile=20000:20000", "nproc=30000:30000"]\\n[engine]\\nruntime = "runc"\\n' \
  > /etc/containers/containers.conf
printf '[[registry]]\\nprefix = "quay.io/ceph"\\nlocation = "quay.io/ceph"\\n[[registry.mirror]]\\nlocation = "{registry}/ceph"\\ninsecure = true\\n' \
  > /etc/containers/registries.conf.d/50-cephkit-lab-test.conf
"""


def test_ceph_image_is_pulled_through_the_registry_mirror(lab: Lab) -> None:
    name = lab.cfg.host_names()[0]
    script = PREPARE_PODMAN.format(repo=lab.cfg.repo_url, registry=lab.cfg.registry)
    lab.ssh(name, ["sh", "-s"], input_data=script, timeout=600)
    # The package repository served podman: no other source is configured.
    policy = lab.ssh(name, ["apt-cache", "policy", "podman"]).stdout
    assert f"500 {lab.cfg.repo_url.rstrip('/')} ./ Packages" in policy, policy
    start = time.monotonic()
    lab.ssh(name, ["podman", "pull", "--quiet", "quay.io/ceph/ceph:v16"], timeout=600)
    pulled = time.monotonic() - start
    digest = lab.ssh(name, ["podman", "image", "inspect", "--format", "'{{.Digest}}'", "quay.io/ceph/ceph:v16"])
    assert digest.stdout.strip() == registry_digest(lab, "v16")
    version = lab.ssh(name, ["podman", "run", "--rm", "quay.io/ceph/ceph:v16", "ceph", "--version"]).stdout
    assert "16.2.15" in version and "pacific" in version
    print(f"pull of quay.io/ceph/ceph:v16 through the mirror: {pulled:.1f}s")


def test_registry_login_port_asks_for_the_login(lab: Lab) -> None:
    """Port 5001 serves the same store only to the login the inventory gives (lab_registry_login)."""
    login = inventory(lab)["all"]["vars"]["lab_registry_login"]
    assert login["url"] == lab.cfg.registry_login
    url = f"http://{login['url']}/v2/ceph/ceph/manifests/v16"

    def status(user: str | None, password: str = "") -> int:
        req = urllib.request.Request(url, method="HEAD", headers={"Accept": MANIFEST_TYPES})
        if user is not None:
            token = base64.b64encode(f"{user}:{password}".encode()).decode()
            req.add_header("Authorization", f"Basic {token}")
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return int(resp.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)

    assert status(None) == 401
    assert status(login["username"], login["password"] + "x") == 401
    assert status(login["username"], login["password"]) == 200
    assert (lab.cfg.state_dir / "registry-password").stat().st_mode & 0o777 == 0o600


def test_second_up_changes_nothing(lab: Lab) -> None:
    def snapshot() -> dict[str, str]:
        return {c["Names"][0]: c["Id"] for c in lab.containers()}

    before = snapshot()
    pushed = (lab.cfg.state_dir / f"pushed-{PACIFIC.version}").stat().st_mtime
    inv_before = hostvars(lab)
    start = time.monotonic()
    lab.up()
    print(f"second lab up: {time.monotonic() - start:.1f}s")
    assert snapshot() == before
    assert (lab.cfg.state_dir / f"pushed-{PACIFIC.version}").stat().st_mtime == pushed, (
        "the Ceph image was pushed again"
    )
    assert hostvars(lab) == inv_before
    assert sorted(lab.registry_tags()) == sorted(PACIFIC.tags)


def test_status_prints_the_lab_as_json(lab: Lab) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "cephkit_lab", "status"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2] / "lab",
    )
    status = json.loads(proc.stdout)
    assert status["name"] == lab.cfg.name
    assert [h["state"] for h in status["hosts"]] == ["running"] * lab.cfg.hosts
    assert status["registry"]["state"] == "running"
    assert sorted(status["registry"]["tags"]) == sorted(PACIFIC.tags)
    assert status["inventory"] == str(lab.cfg.inventory_path)


def assert_nothing_left(lab: Lab) -> None:
    assert lab.containers() == []
    leftover = subprocess.run(
        ["podman", "ps", "-a", "--format", "{{.Names}}", "--filter", f"label={LABEL}={lab.cfg.name}"],
        capture_output=True,
        text=True,
        check=True,
        env={"CONTAINERS_CONF": str(lab.cfg.containers_conf), "PATH": "/usr/bin:/bin"},
    )
    assert leftover.stdout.strip() == ""
    assert not lab.podman.exists("network", lab.cfg.network)
    assert lab.loop_devices() == []
    assert not lab.cfg.state_dir.exists()
    losetup = subprocess.run(["losetup", "--list", "--noheadings"], capture_output=True, text=True, check=True).stdout
    assert str(lab.cfg.state_dir) not in losetup


def test_down_leaves_nothing_and_up_down_works_twice(lab: Lab) -> None:
    lab.down()
    assert_nothing_left(lab)
    for _round in range(2):
        lab.up()
        assert [h["state"] for h in lab.status()["hosts"]] == ["running"] * lab.cfg.hosts
        lab.down()
        assert_nothing_left(lab)
