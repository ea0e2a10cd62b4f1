"""Bring a lab instance up, take it down, describe it."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import socket
import stat
import subprocess
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from .config import CEPH_RELEASES, LABEL, PACIFIC, REGISTRY_LOGIN_PORT, REGISTRY_PORT, CephRelease, LabConfig
from .images import CEPH_IMAGE, HOST_IMAGE, Builder, remove_tree
from .run import LabError, Podman, log, run, wait_for

CONTAINERS_CONF = """\
# Written by the cephkit lab: this VM lacks CAP_SYS_RESOURCE (explicit
# ulimits) and crun refuses its hybrid cgroup layout (runc).
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=30000:30000"]

[engine]
runtime = "runc"
"""


def registry_config(port: int, htpasswd: str | None = None) -> str:
    """The registry's configuration: the lab's store served on PORT; with HTPASSWD, only to its logins (basic auth)."""
    auth = f"auth:\n  htpasswd:\n    realm: cephkit-lab\n    path: {htpasswd}\n" if htpasswd else ""
    return (
        "version: 0.1\nlog:\n  level: warn\n"
        "storage:\n  filesystem:\n    rootdirectory: /var/lib/registry\n  delete:\n    enabled: true\n"
        f"{auth}http:\n  addr: 0.0.0.0:{port}\n"
    )


# The store is also served on a second port that asks for a login (htpasswd), as an intranet registry may: the
# registry login of the collection (cephkit_registry_login) is proven against it. Only reads go through it.
REGISTRY_USER = "cephkit"


def bcrypt_hash(password: str) -> str:
    """An htpasswd entry's bcrypt hash (the only kind the registry takes), from the C library's crypt(3)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import crypt  # deprecated since 3.11 (gone in 3.13); the lab runs on 3.11

    return crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH))


LOOP_CTL_REMOVE = 0x4C81
LOOP_MAJOR = 7


class Lab:
    """One lab instance (LAB_NAME), see LabConfig."""

    def __init__(self, cfg: LabConfig) -> None:
        self.cfg = cfg
        cfg.lab_dir.mkdir(parents=True, exist_ok=True)
        if not cfg.containers_conf.exists() or cfg.containers_conf.read_text(encoding="utf-8") != CONTAINERS_CONF:
            cfg.containers_conf.write_text(CONTAINERS_CONF, encoding="utf-8")
        self.podman = Podman(cfg.containers_conf)
        self.builder = Builder(cfg, self.podman)

    # --- up -----------------------------------------------------------------

    def up(self) -> dict[str, Any]:
        start = time.monotonic()
        cfg = self.cfg
        cfg.state_dir.mkdir(parents=True, exist_ok=True)
        with self.build_lock():
            host_image = self.builder.host_image()
            ceph_image = self.builder.ceph_image()
            registry_bin = self.builder.registry_binary()
        self._network()
        self._registry(host_image, registry_bin)
        self._push(ceph_image, PACIFIC)
        self._repo(host_image)
        self._ssh_key()
        disks = self._disks()
        for index, name in enumerate(cfg.host_names(), start=1):
            self._host(index, name, host_image, disks)
        for index, name in enumerate(cfg.host_names(), start=1):
            self._isolate_devices(name, disks[name])
            self._authorize(name)
            self._wait_ssh(name, cfg.host_ip(index))
        self._write_inventory(disks)
        log(f"lab {cfg.name} up in {time.monotonic() - start:.0f}s; inventory: {cfg.inventory_path}")
        return self.status()

    @contextlib.contextmanager
    def build_lock(self) -> Iterator[None]:
        """Lab instances share the image cache: one builds at a time."""
        with open(self.cfg.lab_dir / "build.lock", "w", encoding="utf-8") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _network(self) -> None:
        cfg = self.cfg
        if self.podman.exists("network", cfg.network):
            info = self.podman.json("network", "inspect", cfg.network)[0]
            subnets = [s.get("subnet") for s in info.get("subnets", [])]
            if str(cfg.subnet) in subnets and info.get("internal"):
                return
            raise LabError(
                f"network {cfg.network} exists with subnets {subnets} (internal={info.get('internal')}); "
                f"expected an internal network on {cfg.subnet}: run lab down first"
            )
        log(f"network {cfg.network} ({cfg.subnet}, internal: no route out)")
        self.podman(
            "network", "create", "--internal", "--disable-dns", "--subnet", str(cfg.subnet), "--gateway", cfg.gateway,
            "--label", f"{LABEL}={cfg.name}", cfg.network,
        )  # fmt: skip

    def _running(self, container: str) -> bool:
        if not self.podman.exists("container", container):
            return False
        state = self.podman.json("container", "inspect", container)[0]["State"]
        return bool(state.get("Running"))

    def _start_service(self, suffix: str, ip: str, image: str, volumes: list[str], command: list[str]) -> str:
        name = self.cfg.container(suffix)
        if self._running(name):
            return name
        if self.podman.exists("container", name):
            self.podman("rm", "-f", name)
        args = ["run", "-d", "--name", name, "--hostname", suffix, "--network", self.cfg.network, "--ip", ip]
        args += ["--label", f"{LABEL}={self.cfg.name}"]
        for volume in volumes:
            args += ["-v", volume]
        self.podman(*args, image, *command)
        return name

    def _registry(self, image: str, binary: Path) -> None:
        cfg = self.cfg
        conf = cfg.state_dir / "registry.yml"
        conf.write_text(registry_config(REGISTRY_PORT), encoding="utf-8")
        login_conf = cfg.state_dir / "registry-login.yml"
        login_conf.write_text(registry_config(REGISTRY_LOGIN_PORT, "/etc/registry.htpasswd"), encoding="utf-8")
        htpasswd = cfg.state_dir / "registry.htpasswd"
        htpasswd.write_text(f"{REGISTRY_USER}:{bcrypt_hash(self.registry_password())}\n", encoding="utf-8")
        data = cfg.state_dir / "registry-data"
        data.mkdir(exist_ok=True)
        self._start_service(
            "registry",
            cfg.registry_ip,
            image,
            [
                f"{binary}:/usr/local/bin/docker-registry:ro",
                f"{conf}:/etc/registry.yml:ro",
                f"{login_conf}:/etc/registry-login.yml:ro",
                f"{htpasswd}:/etc/registry.htpasswd:ro",
                f"{data}:/var/lib/registry",
            ],
            [
                "sh",
                "-c",
                "/usr/local/bin/docker-registry serve /etc/registry-login.yml & "
                "exec /usr/local/bin/docker-registry serve /etc/registry.yml",
            ],
        )
        wait_for(f"the registry at {cfg.registry}", lambda: self._http_ok(f"http://{cfg.registry}/v2/"), timeout=60)
        wait_for(
            f"the registry with a login at {cfg.registry_login}",
            lambda: self._http_status(f"http://{cfg.registry_login}/v2/") == 401,
            timeout=60,
        )

    def registry_password(self) -> str:
        """The password of the lab registry's login (REGISTRY_USER on REGISTRY_LOGIN_PORT), made once per instance."""
        path = self.cfg.state_dir / "registry-password"
        if not path.exists():
            path.touch(mode=0o600)
            path.write_text(secrets.token_hex(16), encoding="utf-8")
        return path.read_text(encoding="utf-8").strip()

    @staticmethod
    def _http_status(url: str) -> int:
        try:
            with urllib.request.urlopen(url, timeout=3) as resp:
                return int(resp.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)
        except (urllib.error.URLError, OSError):
            return 0

    @staticmethod
    def _http_ok(url: str) -> bool:
        return Lab._http_status(url) == 200

    def registry_tags(self) -> list[str]:
        try:
            with urllib.request.urlopen(f"http://{self.cfg.registry}/v2/ceph/ceph/tags/list", timeout=5) as resp:
                return list(json.load(resp).get("tags") or [])
        except (urllib.error.URLError, OSError, ValueError):
            return []

    def _push(self, image: str, release: CephRelease) -> None:
        """The release's image in the lab registry under its tags (ceph/ceph:v16 and ceph/ceph:v16.2.15)."""
        cfg = self.cfg
        image_id = self.podman.json("image", "inspect", image)[0]["Id"]
        marker = cfg.state_dir / f"pushed-{release.version}"
        tags = self.registry_tags()
        if marker.exists() and marker.read_text(encoding="utf-8") == image_id and all(t in tags for t in release.tags):
            return
        for tag in release.tags:
            log(f"push {image} -> {cfg.registry}/ceph/ceph:{tag}")
            self.podman("push", "--quiet", "--tls-verify=false", image, f"{cfg.registry}/ceph/ceph:{tag}")
        marker.write_text(image_id, encoding="utf-8")

    def _repo(self, image: str) -> None:
        cfg = self.cfg
        repo = self.builder.repo_dir()
        self._start_service(
            "repo",
            cfg.repo_ip,
            image,
            [f"{repo}:/srv/repo:ro"],
            ["python3", "-m", "http.server", "80", "--directory", "/srv/repo"],
        )
        wait_for(
            f"the package repository at {cfg.repo_url}", lambda: self._http_ok(cfg.repo_url + "Packages"), timeout=60
        )

    def _ssh_key(self) -> None:
        key = self.cfg.ssh_key
        if not key.exists():
            run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"{self.cfg.name}", "-f", key])

    # --- disks ----------------------------------------------------------------

    def _disk_files(self, name: str) -> list[Path]:
        return [self.cfg.state_dir / "disks" / f"{name}-d{i}.img" for i in range(self.cfg.disks)]

    @staticmethod
    def _loop_of(path: Path) -> str | None:
        out = run(["losetup", "--noheadings", "--output", "NAME", "--associated", path], quiet=True).stdout
        names = out.split()
        return names[0] if names else None

    def _disks(self) -> dict[str, list[str]]:
        """Attach a sparse file per disk to a loop device, before any host starts."""
        result: dict[str, list[str]] = {}
        for name in self.cfg.host_names():
            result[name] = []
            for path in self._disk_files(name):
                path.parent.mkdir(parents=True, exist_ok=True)
                if not path.exists():
                    run(["truncate", "--size", self.cfg.disk_size, path])
                loop = self._loop_of(path)
                if loop is None:
                    loop = run(["losetup", "--find", "--show", path]).stdout.strip()
                result[name].append(loop)
        return result

    def _isolate_devices(self, name: str, own: list[str]) -> None:
        """Each host sees its own disks and no other block device (the double-OSD trap)."""
        container = self.cfg.container(name)
        seen = self.podman("exec", container, "find", "/dev", "-type", "b", quiet=True).stdout.split()
        foreign = [dev for dev in seen if dev not in own]
        if foreign:
            self.podman("exec", container, "rm", "-f", *foreign, quiet=True)
        for dev in own:
            rdev = os.stat(dev).st_rdev
            if dev not in seen:
                self.podman(
                    "exec", container, "mknod", "-m", "0660", dev, "b", str(os.major(rdev)), str(os.minor(rdev)),
                    quiet=True,
                )  # fmt: skip

    # --- hosts ----------------------------------------------------------------

    def _host(self, index: int, name: str, image: str, disks: dict[str, list[str]]) -> None:
        cfg = self.cfg
        container = cfg.container(name)
        if self._running(container):
            return
        if self.podman.exists("container", container):
            self.podman("rm", "-f", container)
        storage = cfg.state_dir / "hosts" / name / "containers"
        storage.mkdir(parents=True, exist_ok=True)
        log(f"host {name} ({cfg.host_ip(index)}, disks {' '.join(disks[name]) or 'none'})")
        self.podman(
            "run", "-d", "--name", container, "--hostname", name,
            "--privileged", "--systemd=false", "--cgroupns=private", "--stop-signal", "SIGRTMIN+3",
            "--network", cfg.network, "--ip", cfg.host_ip(index), *self._add_hosts(),
            "-v", f"{storage}:/var/lib/containers",
            "--label", f"{LABEL}={cfg.name}", "--label", f"{LABEL}.host={name}",
            image, "/sbin/init",
        )  # fmt: skip

    def _add_hosts(self) -> list[str]:
        """The intranet's name service: every lab host knows the others by name."""
        args = []
        for index, name in enumerate(self.cfg.host_names(), start=1):
            args += ["--add-host", f"{name}:{self.cfg.host_ip(index)}"]
        return args

    def _authorize(self, name: str) -> None:
        container = self.cfg.container(name)
        pub = self.cfg.ssh_key.with_suffix(".pub").read_text(encoding="utf-8")
        self.podman(
            "exec", "-i", container, "/bin/sh", "-ec",
            "umask 077; mkdir -p /root/.ssh; cat > /root/.ssh/authorized_keys",
            input_data=pub, quiet=True,
        )  # fmt: skip
        got = self.podman("exec", container, "cat", "/root/.ssh/authorized_keys", quiet=True).stdout
        if got.strip() != pub.strip():
            raise LabError(f"{name}: authorized_keys was not written (got {got!r})")

    def _wait_ssh(self, name: str, ip: str) -> None:
        def probe() -> bool:
            try:
                with socket.create_connection((ip, 22), timeout=2):
                    pass
            except OSError:
                return False
            return self.ssh(name, ["true"], check=False).returncode == 0

        wait_for(f"sshd on {name} ({ip})", probe, timeout=90)

    def ssh_argv(self, name: str) -> list[str]:
        index = self.cfg.host_names().index(name) + 1
        return [
            "ssh", "-i", str(self.cfg.ssh_key), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=5",
            f"root@{self.cfg.host_ip(index)}",
        ]  # fmt: skip

    def ssh(self, name: str, argv: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        """Run a command on a host over SSH (the remote side joins the argv with spaces)."""
        return run([*self.ssh_argv(name), "--", *argv], quiet=True, **kwargs)

    def _write_inventory(self, disks: dict[str, list[str]]) -> None:
        cfg = self.cfg
        hosts = {}
        for index, name in enumerate(cfg.host_names(), start=1):
            hosts[name] = {
                "ansible_host": cfg.host_ip(index),
                "ansible_user": "root",
                "ansible_ssh_private_key_file": str(cfg.ssh_key),
                "lab_disks": disks[name],
            }
        inventory = {
            "all": {
                "vars": {
                    "ansible_python_interpreter": "/usr/bin/python3",
                    "ansible_ssh_common_args": "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null",
                    "lab_name": cfg.name,
                    "lab_registry": cfg.registry,
                    "lab_registry_login": {
                        "url": cfg.registry_login,
                        "username": REGISTRY_USER,
                        "password": self.registry_password(),
                    },
                    "lab_package_repo_url": cfg.repo_url,
                    "lab_network_cidr": str(cfg.subnet),
                    "lab_gateway": cfg.gateway,
                },
                "children": {"lab_hosts": {"hosts": hosts}},
            }
        }
        text = "# Written by the cephkit lab (make lab-up); rewritten on every lab-up.\n"
        text += yaml.safe_dump(inventory, sort_keys=False, default_flow_style=False)
        cfg.inventory_path.write_text(text, encoding="utf-8")

    # --- status ---------------------------------------------------------------

    def containers(self) -> list[dict[str, Any]]:
        return list(self.podman.json("ps", "-a", "--format", "json", "--filter", f"label={LABEL}={self.cfg.name}"))

    def status(self) -> dict[str, Any]:
        cfg = self.cfg
        states = {c["Names"][0]: c.get("State") for c in self.containers()}
        hosts = []
        disks_by_host: dict[str, list[str]] = {}
        if cfg.inventory_path.exists():
            inv = yaml.safe_load(cfg.inventory_path.read_text(encoding="utf-8"))
            for name, hostvars in inv["all"]["children"]["lab_hosts"]["hosts"].items():
                disks_by_host[name] = hostvars.get("lab_disks", [])
        for index, name in enumerate(cfg.host_names(), start=1):
            hosts.append(
                {
                    "name": name,
                    "container": cfg.container(name),
                    "address": cfg.host_ip(index),
                    "state": states.get(cfg.container(name), "absent"),
                    "lab_disks": disks_by_host.get(name, []),
                }
            )
        return {
            "name": cfg.name,
            "network": {
                "name": cfg.network,
                "cidr": str(cfg.subnet),
                "exists": self.podman.exists("network", cfg.network),
            },
            "registry": {
                "address": cfg.registry,
                "state": states.get(cfg.container("registry"), "absent"),
                "mirror_of": "quay.io/ceph",
                "tags": self.registry_tags() if states.get(cfg.container("registry")) == "running" else [],
            },
            "package_repo": {"url": cfg.repo_url, "state": states.get(cfg.container("repo"), "absent")},
            "hosts": hosts,
            "inventory": str(cfg.inventory_path) if cfg.inventory_path.exists() else None,
            "ssh_key": str(cfg.ssh_key) if cfg.ssh_key.exists() else None,
            "images": {"ceph": CEPH_IMAGE, "host": HOST_IMAGE},
            "state_dir": str(cfg.state_dir),
            "loop_devices": self.loop_devices(),
        }

    def add_release(self, version: str) -> str:
        """Build the Ceph image of another release and, with the lab up, push it to the lab registry."""
        release = CEPH_RELEASES.get(version)
        if release is None:
            raise LabError(f"no Ceph release {version!r} in the lab; it builds {', '.join(CEPH_RELEASES)}")
        with self.build_lock():
            image = self.builder.ceph_image(release)
            if release.host_packages:
                self.builder.release_repo(release)
        if self.podman.exists("container", self.cfg.container("registry")):
            self._push(image, release)
            if release.host_packages:
                log(f"Ceph {release.version} host packages at {self.cfg.repo_url}{release.repo_path}")
        else:
            log(f"lab {self.cfg.name} is not up: Ceph {release.version} built, not pushed")
        return image

    # --- down -----------------------------------------------------------------

    def loop_devices(self) -> list[str]:
        """Loop devices backed by this lab's disk files."""
        out = run(["losetup", "--list", "--json", "--output", "NAME,BACK-FILE"], quiet=True).stdout
        devices = json.loads(out).get("loopdevices", []) if out.strip() else []
        prefix = str(self.cfg.state_dir / "disks") + "/"
        return [d["name"] for d in devices if (d.get("back-file") or "").startswith(prefix)]

    def down(self) -> None:
        cfg = self.cfg
        start = time.monotonic()
        names = [c["Names"][0] for c in self.containers()]
        if names:
            log(f"removing containers {' '.join(names)}")
            self.podman("rm", "-f", "-t", "5", *names)
        if self.podman.exists("network", cfg.network):
            self.podman("network", "rm", "-f", cfg.network)
        for dev in self.loop_devices():
            run(["losetup", "--detach", dev])
            self._remove_loop_node(dev)
        remove_tree(cfg.state_dir)
        log(f"lab {cfg.name} down in {time.monotonic() - start:.0f}s")

    @staticmethod
    def _remove_loop_node(dev: str) -> None:
        """Give a detached loop device back to the kernel (not loop0-7, which exist at boot)."""
        minor = os.minor(os.stat(dev).st_rdev) if os.path.exists(dev) else -1
        if minor < 8:
            return
        try:
            fd = os.open("/dev/loop-control", os.O_RDWR)
            try:
                fcntl.ioctl(fd, LOOP_CTL_REMOVE, minor)
            finally:
                os.close(fd)
        except OSError:
            return
        if os.path.exists(dev) and stat.S_ISBLK(os.stat(dev).st_mode):
            Path(dev).unlink(missing_ok=True)

    def clean(self) -> None:
        """down, then the cached images and build files too."""
        self.down()
        self.builder.clean()
        remove_tree(self.cfg.lab_dir / "build")
