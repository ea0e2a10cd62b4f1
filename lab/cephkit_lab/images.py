"""Images and caches of the lab, built from Debian packages only.

- a base root file system (debootstrap, minbase),
- the Ceph images: Pacific from bookworm's packages (plus remoto from PyPI),
  Reef from trixie's, each on a base of its own suite,
- the "fresh server" host image (systemd, sshd, python3),
- a package repository of the .deb files the roles install,
- the registry binary (Debian's docker-registry package),
- the monitoring images cephadm deploys (Debian's prometheus, alertmanager and
  node-exporter, laid out like the upstream images).
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from .config import (
    CEPH_RELEASES,
    DEBIAN_SUITE,
    HOST_IMAGE_PACKAGES,
    LABEL,
    MONITORING_COMPONENTS,
    MONITORING_IMAGE_PACKAGES,
    MONITORING_IMAGE_TRIM,
    MONITORING_UID,
    PACIFIC,
    REPO_PACKAGES,
    CephRelease,
    LabConfig,
    MonitoringComponent,
    recipe_hash,
)
from .run import LabError, Podman, log, run

IMAGE_PREFIX = "localhost/cephkit-lab"
CEPH_IMAGE = f"{IMAGE_PREFIX}/ceph:{PACIFIC.version}"
HOST_IMAGE = f"{IMAGE_PREFIX}/host:{DEBIAN_SUITE}"
APT_ENV = {"DEBIAN_FRONTEND": "noninteractive", "LC_ALL": "C"}
BASE_INCLUDE = ("debian-archive-keyring", "ca-certificates")


def ceph_image_name(release: CephRelease) -> str:
    return f"{IMAGE_PREFIX}/ceph:{release.version}"


# --- where Debian's packages come from -------------------------------------


def debian_sources(suite: str = DEBIAN_SUITE) -> list[tuple[str, list[str], list[str]]]:
    """The machine's own Debian apt sources: (uri, suites, components).

    The lab names no mirror itself: it uses the one this machine is set up with.
    Another suite (trixie, for Reef) comes from the same mirrors, its names in
    place of the machine's (bookworm-updates becomes trixie-updates).
    """
    found: list[tuple[str, list[str], list[str]]] = []
    files = [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]
    for path in files:
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".sources":
            for stanza in re.split(r"\n\s*\n", text):
                fields: dict[str, str] = {}
                for line in stanza.splitlines():
                    if line.startswith("#") or ":" not in line:
                        continue
                    key, _sep, value = line.partition(":")
                    fields[key.strip().lower()] = value.strip()
                if "deb" not in fields.get("types", "").split() or fields.get("enabled", "yes") == "no":
                    continue
                for uri in fields.get("uris", "").split():
                    found.append((uri, fields.get("suites", "").split(), fields.get("components", "").split()))
        elif path.suffix == ".list" or path.name == "sources.list":
            for line in text.splitlines():
                parts = re.sub(r"\[[^]]*\]", "", line).split()
                if len(parts) >= 3 and parts[0] == "deb":
                    found.append((parts[1], [parts[2]], parts[3:]))
    debian = []
    for uri, suites, components in found:
        ours = [name for name in suites if name.startswith(DEBIAN_SUITE)]
        if ours:
            debian.append((uri, [suite + name[len(DEBIAN_SUITE) :] for name in ours], components))
    if not debian:
        raise LabError(
            f"no apt source for Debian {DEBIAN_SUITE} on this machine: the lab builds from Debian's packages"
        )
    return debian


def debian_mirror(suite: str = DEBIAN_SUITE) -> str:
    for uri, suites, _components in debian_sources(suite):
        if suite in suites:
            return uri
    raise LabError(f"no apt source serves the suite {suite!r}")


def chroot_sources_text(suite: str = DEBIAN_SUITE) -> str:
    lines = []
    for uri, suites, components in debian_sources(suite):
        for name in suites:
            lines.append(f"deb {uri} {name} {' '.join(components or ['main'])}")
    return "\n".join(lines) + "\n"


# --- chroots ----------------------------------------------------------------


def mounts_under(path: Path) -> list[str]:
    prefix = str(path.resolve())
    result = []
    with open("/proc/self/mounts", encoding="utf-8") as mounts:
        for line in mounts:
            target = line.split()[1].replace("\\040", " ")
            if target == prefix or target.startswith(prefix + "/"):
                result.append(target)
    return result


def remove_tree(path: Path) -> None:
    """rm -rf, refusing while anything is mounted below ``path``."""
    if not path.exists():
        return
    left = mounts_under(path)
    if left:
        raise LabError(f"refusing to remove {path}: still mounted: {left}")
    shutil.rmtree(path)


@contextlib.contextmanager
def chroot(root: Path) -> Iterator[Path]:
    """proc, sys and dev mounted, services kept from starting; all undone on exit."""
    mounted: list[Path] = []
    policy = root / "usr/sbin/policy-rc.d"
    try:
        for fstype, src, rel in (("proc", "proc", "proc"), ("sysfs", "sysfs", "sys")):
            target = root / rel
            target.mkdir(exist_ok=True)
            run(["mount", "-t", fstype, src, target])
            mounted.append(target)
        for rel in ("dev", "dev/pts"):
            target = root / rel
            target.mkdir(exist_ok=True)
            run(["mount", "--bind", f"/{rel}", target])
            mounted.append(target)
        policy.write_text("#!/bin/sh\nexit 101\n", encoding="utf-8")
        policy.chmod(0o755)
        shutil.copyfile("/etc/resolv.conf", root / "etc/resolv.conf")
        yield root
    finally:
        policy.unlink(missing_ok=True)
        for target in reversed(mounted):
            if run(["umount", target], check=False).returncode != 0:
                run(["umount", "-l", target], check=False)
        left = mounts_under(root)
        if left:
            raise LabError(f"could not unmount {left}")


def in_chroot(root: Path, *argv: str, timeout: float = 1800) -> None:
    run(["chroot", root, *argv], env=APT_ENV, timeout=timeout)


def apt_install(root: Path, packages: tuple[str, ...], *extra: str) -> None:
    in_chroot(root, "apt-get", "install", "-y", "-q", "--no-install-recommends", *extra, *packages)


def write_chroot_sources(root: Path, suite: str = DEBIAN_SUITE) -> None:
    (root / "etc/apt/sources.list").write_text(chroot_sources_text(suite), encoding="utf-8")
    for extra in (root / "etc/apt/sources.list.d").glob("*"):
        extra.unlink()


def strip_apt_sources(root: Path) -> None:
    """An intranet server: no distribution mirror until the roles set one."""
    (root / "etc/apt/sources.list").write_text("", encoding="utf-8")
    in_chroot(root, "apt-get", "clean")
    lists = root / "var/lib/apt/lists"
    for entry in lists.iterdir():
        if entry.is_file() and entry.name != "lock":
            entry.unlink()


def in_root(root: Path, path: str) -> Path:
    """``path`` of the root file system at ``root``, through a merged-/usr link (/bin -> usr/bin).

    Never through an absolute link, which would point into this machine's own /usr.
    """
    rel = Path(path.lstrip("/"))
    top = root / rel.parts[0]
    if top.is_symlink():
        rel = Path(os.readlink(top).lstrip("/"), *rel.parts[1:])
    return root / rel


def upstream_version(debian_version: str) -> str:
    """2.42.0+ds-5+deb12u1 -> 2.42.0: no epoch, no Debian revision, no +ds/+dfsg repack suffix."""
    version = re.sub(r"^[0-9]+:", "", debian_version)
    if "-" in version:
        version = version.rsplit("-", 1)[0]
    return re.sub(r"\+(ds|dfsg)[0-9]*$", "", version)


def package_version(root: Path, package: str) -> str:
    """The version of ``package`` installed in the root file system at ``root``."""
    query = run(["dpkg-query", f"--admindir={root / 'var/lib/dpkg'}", "-W", "-f=${Version}", package], quiet=True)
    if not query.stdout.strip():
        raise LabError(f"{package} is not installed in {root}")
    return query.stdout.strip()


def monitoring_repo(component: MonitoringComponent) -> str:
    return f"{IMAGE_PREFIX}/{component.image}"


# --- builds -------------------------------------------------------------------


def pip_into(target: Path, packages: Sequence[str], *options: str) -> None:
    """pip install PACKAGES (no dependencies, no bytecode) into TARGET, an image's dist-packages; OPTIONS before them."""
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-compile",
            *options,
            "--target",
            target,
            *packages,
        ]
    )


class Builder:
    """Builds what the lab needs once and reuses it while the recipe is the same."""

    def __init__(self, cfg: LabConfig, podman: Podman) -> None:
        self.cfg = cfg
        self.podman = podman
        self.cache = cfg.cache_dir
        self.work = self.cache / "build"

    # base root file system
    def base_tar(self, suite: str = DEBIAN_SUITE) -> Path:
        key = recipe_hash("base", suite, BASE_INCLUDE)
        tar = self.cache / f"base-{suite}-{key}.tar"
        if tar.exists():
            return tar
        self.cache.mkdir(parents=True, exist_ok=True)
        root = self.work / f"base-{suite}"
        remove_tree(root)
        root.mkdir(parents=True)
        log(f"debootstrap {suite} (minbase)")
        run(
            [
                "debootstrap",
                "--variant=minbase",
                f"--include={','.join(BASE_INCLUDE)}",
                suite,
                root,
                debian_mirror(suite),
            ],
            timeout=1800,
        )
        write_chroot_sources(root, suite)
        tmp = tar.with_suffix(".tmp")
        run(["tar", "--numeric-owner", "-C", root, "-cf", tmp, "."])
        tmp.rename(tar)
        remove_tree(root)
        return tar

    def _fresh_root(self, name: str, suite: str = DEBIAN_SUITE) -> Path:
        root = self.work / name
        remove_tree(root)
        root.mkdir(parents=True)
        run(["tar", "--numeric-owner", "-C", root, "-xpf", self.base_tar(suite)])
        return root

    def _import(self, root: Path, image: str, changes: list[str]) -> None:
        log(f"importing {image}")
        old = self.podman.json("image", "inspect", image)[0]["Id"] if self.podman.exists("image", image) else None
        args = ["podman", "import"]
        for change in changes:
            args += ["--change", change]
        args += ["-", image]
        with subprocess.Popen(["tar", "--numeric-owner", "-C", str(root), "-c", "."], stdout=subprocess.PIPE) as tar:
            imported = subprocess.run(
                args,
                stdin=tar.stdout,
                capture_output=True,
                text=True,
                env={**os.environ, **self.podman.env},
                check=False,
            )
            if tar.stdout:
                tar.stdout.close()
            tar.wait()
        if imported.returncode != 0 or tar.returncode != 0:
            raise LabError(f"podman import {image} failed: {imported.stderr.strip()}")
        if old:  # the previous build, now untagged
            self.podman("rmi", old, check=False, quiet=True)

    # the Ceph images
    def ceph_image(self, release: CephRelease = PACIFIC) -> str:
        image = ceph_image_name(release)
        key = recipe_hash("ceph", *release.recipe(), self.base_tar(release.suite).name)
        debs = self.host_packages_dir(release)
        if self.podman.image_label(image, LABEL) == key and (not release.host_packages or debs.is_dir()):
            return image
        log(f"building {image} from Debian {release.suite}'s packages")
        root = self._fresh_root(f"ceph-{release.version}", release.suite)
        with chroot(root):
            in_chroot(root, "apt-get", "update", "-q")
            apt_install(root, release.packages)
            if release.host_packages:  # the same builds the image has, for the hosts
                download = root / "tmp/host-packages"
                download.mkdir()
                names = " ".join(release.host_packages)
                in_chroot(root, "sh", "-c", f"cd /tmp/host-packages && apt-get download -q {names}")
                tmp = debs.with_suffix(".tmp")
                remove_tree(tmp)
                shutil.move(str(download), tmp)
                remove_tree(debs)
                tmp.rename(debs)
            strip_apt_sources(root)
        installed = package_version(root, "ceph-mgr")
        if upstream_version(installed) != release.version:
            raise LabError(f"Debian {release.suite} has ceph-mgr {installed}, the lab's image is {release.version}")
        if release.pip:  # pure Python, installed straight into the image's dist-packages
            pip_into(root / "usr/lib/python3/dist-packages", release.pip)
        if release.wheels:
            self._replace_python_packages(root, release)
        for rel, anchor, line in release.mgr_patches:
            path = root / "usr/share/ceph/mgr" / rel
            text = path.read_text(encoding="utf-8")
            if text.count(anchor + "\n") != 1:
                raise LabError(f"{path}: the line {anchor!r} is not there once; the patch {line!r} needs a review")
            path.write_text(text.replace(anchor + "\n", f"{anchor}\n{line}\n"), encoding="utf-8")
        for rel, line, replacement in release.mgr_replacements:
            path = root / "usr/share/ceph/mgr" / rel
            text = path.read_text(encoding="utf-8")
            if text.count(line + "\n") != 1:
                raise LabError(f"{path}: the line {line!r} is not there once; its replacement needs a review")
            path.write_text(text.replace(line + "\n", replacement + "\n"), encoding="utf-8")
        for module in release.drop_mgr_modules:
            remove_tree(root / "usr/share/ceph/mgr" / module)
        for pattern in release.drop_files:
            found = sorted(root.glob(pattern))
            if not found:
                raise LabError(
                    f"{root}: nothing matches {pattern!r}, which the image leaves out; the recipe needs a review"
                )
            for path in found:
                path.unlink()
        self._import(
            root,
            image,
            [
                "ENV CEPH_VOLUME_ALLOW_LOOP_DEVICES=true",
                "ENV LANG=C.UTF-8",
                'CMD ["/bin/bash"]',
                f"LABEL {LABEL}={key}",
                f"LABEL ceph.version={release.version}",
            ],
        )
        remove_tree(root)
        return image

    @staticmethod
    def _replace_python_packages(root: Path, release: CephRelease) -> None:
        """Debian's packages of ``release.replaces`` out, PyPI's wheels of the image's Python in."""
        dist = root / "usr/lib/python3/dist-packages"
        pythons = sorted(p.name for p in (root / "usr/lib").glob("python3.*") if re.fullmatch(r"python3\.\d+", p.name))
        if not pythons:
            raise LabError(f"no python3.X in {root}/usr/lib")
        python = pythons[-1].removeprefix("python")
        for name in release.replaces:
            for path in (dist / name, *dist.glob(f"{name}-*.dist-info"), *dist.glob(f"{name}-*.egg-info")):
                if path.is_dir():
                    remove_tree(path)
        machine = platform.machine()
        platforms = [f"--platform={tag}_{machine}" for tag in ("manylinux_2_28", "manylinux_2_24", "manylinux2014")]
        pip_into(
            dist, release.wheels, "--only-binary=:all:", f"--python-version={python}", "--implementation=cp", *platforms
        )

    def host_packages_dir(self, release: CephRelease) -> Path:
        """The .deb files of ``release.host_packages``, taken from the image's build."""
        return self.cache / f"host-packages-{release.version}-{recipe_hash('host-packages', release.host_packages)}"

    def release_repo(self, release: CephRelease) -> Path:
        """The release's host packages as a flat repository inside the lab's package repository."""
        repo = self.repo_dir() / release.repo_path
        debs = sorted(self.host_packages_dir(release).glob("*.deb"))
        if (repo / "Packages.gz").exists() and sorted(p.name for p in repo.glob("*.deb")) == [d.name for d in debs]:
            return repo
        remove_tree(repo)
        repo.mkdir(parents=True)
        for deb in debs:
            shutil.copy2(deb, repo / deb.name)
        self._index_repo(repo)
        return repo

    # the host image and the package repository
    def repo_dir(self) -> Path:
        return self.cache / f"repo-{recipe_hash('repo', HOST_IMAGE_PACKAGES, REPO_PACKAGES, self.base_tar().name)}"

    def host_image(self) -> str:
        key = recipe_hash("host", HOST_IMAGE_PACKAGES, REPO_PACKAGES, self.base_tar().name)
        repo = self.repo_dir()
        if self.podman.image_label(HOST_IMAGE, LABEL) == key and (repo / "Packages.gz").exists():
            return HOST_IMAGE
        log(f"building {HOST_IMAGE} and the package repository")
        root = self._fresh_root("host")
        with chroot(root):
            in_chroot(root, "apt-get", "update", "-q")
            apt_install(root, HOST_IMAGE_PACKAGES)
            # The repository: every package the roles install, with the
            # dependencies a host made from this very image lacks.
            archives = root / "var/cache/apt/archives"
            for deb in archives.glob("*.deb"):
                deb.unlink()
            apt_install(root, REPO_PACKAGES, "--download-only")
            remove_tree(repo)
            repo.mkdir(parents=True)
            for deb in archives.glob("*.deb"):
                shutil.move(str(deb), repo / deb.name)
            strip_apt_sources(root)
        self._index_repo(repo)
        self._configure_host_root(root)
        self._import(
            root,
            HOST_IMAGE,
            [
                "ENV container=podman",
                "STOPSIGNAL SIGRTMIN+3",
                'CMD ["/sbin/init"]',
                f"LABEL {LABEL}={key}",
            ],
        )
        remove_tree(root)
        return HOST_IMAGE

    @staticmethod
    def _index_repo(repo: Path) -> None:
        scan = run(["dpkg-scanpackages", "--multiversion", "."], cwd=repo, env={"LC_ALL": "C"}, quiet=True, timeout=600)
        (repo / "Packages").write_text(scan.stdout, encoding="utf-8")
        run(["gzip", "-kf9", repo / "Packages"])

    @staticmethod
    def _configure_host_root(root: Path) -> None:
        # Host keys are made at first boot, one set per host, never shared.
        for key in (root / "etc/ssh").glob("ssh_host_*"):
            key.unlink()
        units = root / "etc/systemd/system"
        (units / "cephkit-lab-sshkeys.service").write_text(
            "[Unit]\nDescription=Generate SSH host keys\nBefore=ssh.service\n\n"
            "[Service]\nType=oneshot\nExecStart=/usr/bin/ssh-keygen -A\nRemainAfterExit=yes\n\n"
            "[Install]\nWantedBy=multi-user.target\n",
            encoding="utf-8",
        )
        wants = units / "multi-user.target.wants"
        wants.mkdir(exist_ok=True)
        link = wants / "cephkit-lab-sshkeys.service"
        if not link.exists():
            link.symlink_to("/etc/systemd/system/cephkit-lab-sshkeys.service")
        # Nothing to do in a container: consoles and kernel-facing units.
        for unit in ("getty.target", "console-getty.service", "systemd-udevd.service", "systemd-modules-load.service"):
            target = units / unit
            if not target.exists():
                target.symlink_to("/dev/null")
        # cephadm bind-mounts /run/udev into its containers; no udevd runs here.
        (root / "etc/tmpfiles.d/cephkit-lab-udev.conf").write_text("d /run/udev 0755 root root -\n", encoding="utf-8")
        (root / "etc/machine-id").write_text("", encoding="utf-8")
        (root / "root/.ssh").mkdir(mode=0o700, exist_ok=True)

    # the monitoring images
    def monitoring_images(self) -> dict[str, str]:
        """cephadm's option name -> image: prometheus, alertmanager, node_exporter.

        Tagged with the upstream version of the Debian package, e.g.
        localhost/cephkit-lab/prometheus:2.42.0. One root file system holds all
        three packages; it is imported once per image (the same layer, stored
        once), each with the ENTRYPOINT of the upstream image.
        """
        key = recipe_hash(
            "monitoring",
            MONITORING_IMAGE_PACKAGES,
            MONITORING_IMAGE_TRIM,
            MONITORING_COMPONENTS,
            MONITORING_UID,
            self.base_tar().name,
        )
        cached = {c.option: self._images_of(monitoring_repo(c), key) for c in MONITORING_COMPONENTS}
        if all(cached.values()):
            return {option: refs[0] for option, refs in cached.items()}
        log("building the monitoring images (prometheus, alertmanager, node-exporter)")
        root = self._fresh_root("monitoring")
        with chroot(root):
            in_chroot(root, "apt-get", "update", "-q")
            apt_install(root, MONITORING_IMAGE_PACKAGES)
            strip_apt_sources(root)
        for rel in MONITORING_IMAGE_TRIM:
            remove_tree(root / rel)
        versions = {c.package: package_version(root, c.package) for c in MONITORING_COMPONENTS}
        self._configure_monitoring_root(root)
        images: dict[str, str] = {}
        for component in MONITORING_COMPONENTS:
            repo = monitoring_repo(component)
            for old in self._images_of(repo):  # earlier builds, whatever their version
                self.podman("rmi", old, check=False, quiet=True)
            debian_version = versions[component.package]
            version = upstream_version(debian_version)
            image = f"{repo}:{version}"
            changes = [
                f"ENTRYPOINT {json.dumps([component.entrypoint])}",
                f"USER {MONITORING_UID}:{MONITORING_UID}",
                f"LABEL {LABEL}={key}",
                f"LABEL org.opencontainers.image.version={version}",
                f"LABEL {LABEL}.debian-package={component.package}={debian_version}",
            ]
            if component.cmd:
                changes.append(f"CMD {json.dumps(list(component.cmd))}")
            if component.data_dir:
                changes.append(f"WORKDIR {component.data_dir}")
            self._import(root, image, changes)
            images[component.option] = image
        remove_tree(root)
        return images

    def _images_of(self, repo: str, key: str | None = None) -> list[str]:
        """The tags of ``repo`` this machine holds; with ``key``, of that recipe only."""
        refs: list[str] = []
        for image in self.podman.json("images", "--format", "json", "--filter", f"reference={repo}"):
            if key is not None and (image.get("Labels") or {}).get(LABEL) != key:
                continue
            refs += [name for name in image.get("Names") or [] if name.startswith(f"{repo}:")]
        return sorted(refs)

    @staticmethod
    def _configure_monitoring_root(root: Path) -> None:
        """The upstream images' layout on Debian's packages, for cephadm.

        cephadm runs the image's own ENTRYPOINT (/bin/<daemon>), calls
        `<daemon> --version` by name, and takes the daemon's uid and gid from
        `stat -c '%u %g' /etc/prometheus` (alertmanager: /etc/alertmanager)
        in the image.
        """
        for component in MONITORING_COMPONENTS:
            binary = in_root(root, component.binary)
            if not binary.is_file():
                raise LabError(f"{component.package} has no {component.binary}")
            link = in_root(root, component.entrypoint)
            if link != binary:
                link.unlink(missing_ok=True)
                link.symlink_to(os.path.relpath(binary, link.parent))
        alertmanager_etc = root / "etc/alertmanager"
        alertmanager_etc.mkdir(exist_ok=True)
        # Debian's default configuration, where upstream's image has it (cephadm mounts its own there).
        shutil.copy2(root / "etc/prometheus/alertmanager.yml", alertmanager_etc / "alertmanager.yml")
        # The daemons' own directories: configuration, upstream's data directories, and
        # /var/lib/prometheus, where Debian's alertmanager keeps its data (cephadm passes no --storage.path).
        owned = [root / "etc/prometheus", alertmanager_etc, root / "var/lib/prometheus"]
        owned += [root / c.data_dir.lstrip("/") for c in MONITORING_COMPONENTS if c.data_dir]
        for path in owned:
            path.mkdir(parents=True, exist_ok=True)
        run(["chown", "-R", f"{MONITORING_UID}:{MONITORING_UID}", *owned])

    # the registry
    def registry_binary(self) -> Path:
        binary = self.cache / "registry/usr/bin/docker-registry"
        if binary.exists():
            return binary
        log("fetching Debian's docker-registry package")
        with tempfile.TemporaryDirectory(dir=self.cache) as tmp:
            run(["apt-get", "download", "-q", "docker-registry"], cwd=Path(tmp))
            debs = list(Path(tmp).glob("docker-registry_*.deb"))
            if not debs:
                raise LabError("apt-get download docker-registry gave no package")
            remove_tree(self.cache / "registry")
            run(["dpkg-deb", "-x", debs[0], self.cache / "registry"])
        if not binary.exists():
            raise LabError(f"{binary} missing from the docker-registry package")
        return binary

    def clean(self) -> None:
        for image in (*(ceph_image_name(r) for r in CEPH_RELEASES.values()), HOST_IMAGE):
            if self.podman.exists("image", image):
                self.podman("rmi", "-f", image)
        for component in MONITORING_COMPONENTS:
            for image in self._images_of(monitoring_repo(component)):
                self.podman("rmi", "-f", image)
        remove_tree(self.cache)
