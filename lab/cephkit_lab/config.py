"""Settings of a lab instance, read from the environment."""

from __future__ import annotations

import dataclasses
import hashlib
import ipaddress
import os
from pathlib import Path

CEPH_RELEASE = "16.2.15"
DEBIAN_SUITE = "bookworm"

# Packages of the Ceph image (Debian's Ceph Pacific build).
CEPH_IMAGE_PACKAGES = (
    "ceph-common",
    "ceph-base",
    "ceph-mon",
    "ceph-mgr",
    "ceph-osd",
    "ceph-mgr-cephadm",
    "ceph-mgr-dashboard",
    "ceph-mgr-modules-core",
    "cephadm",
    "lvm2",
    "udev",
    "python3-execnet",
)
# The cephadm mgr module needs remoto, which Debian does not package.
CEPH_IMAGE_PIP = ("remoto==1.2.1",)


@dataclasses.dataclass(frozen=True)
class CephRelease:
    """A Ceph release the lab builds an image of, from one Debian suite's packages."""

    version: str
    suite: str  # the Debian suite whose ceph packages are this release
    tags: tuple[str, ...]  # what the lab registry serves it as, the mirror of quay.io/ceph/ceph
    packages: tuple[str, ...]
    pip: tuple[str, ...] = ()  # pure Python from PyPI that Debian does not package
    # Binary wheels from PyPI, for the image's Python, in place of Debian's packages of the same
    # modules (their import and distribution names in ``replaces``), and mgr modules left out.
    wheels: tuple[str, ...] = ()
    replaces: tuple[str, ...] = ()
    drop_mgr_modules: tuple[str, ...] = ()
    # Packages of the release for the hosts, served by the lab's package repository under
    # ceph-<version>/ (a flat repository of its own, as an intranet mirrors download.ceph.com's
    # debian-<release>): they must install on the hosts' suite. Pacific's are in the main repository.
    host_packages: tuple[str, ...] = ()
    # Lines added to the mgr's Python files (path under /usr/share/ceph/mgr, the line they follow,
    # the line added), each one naming the upstream fix it stands in for.
    mgr_patches: tuple[tuple[str, str, str], ...] = ()
    # Lines of the mgr's Python files replaced (path under /usr/share/ceph/mgr, the line, its replacement), each for a
    # reason given where it is set.
    mgr_replacements: tuple[tuple[str, str, str], ...] = ()
    # Files left out of the image (glob patterns under its root), each for a reason given where it is set.
    drop_files: tuple[str, ...] = ()

    @property
    def repo_path(self) -> str:
        """Where the lab's package repository serves host_packages, relative to its root."""
        return f"ceph-{self.version}/"

    def recipe(self) -> tuple[object, ...]:
        extra = (self.wheels, self.replaces, self.drop_mgr_modules, *self.mgr_patches) if self.wheels else ()
        return (self.packages, self.pip, *extra, *self.drop_files, *self.mgr_replacements)


# Debian's Rust-based python3-cryptography (bookworm) can be loaded by only one mgr module per
# process; the restful module would take it from the dashboard, so it is left out.
PACIFIC = CephRelease(
    CEPH_RELEASE,
    DEBIAN_SUITE,
    ("v16", "v16.2.15"),
    CEPH_IMAGE_PACKAGES,
    CEPH_IMAGE_PIP,
    drop_mgr_modules=("restful",),
)
# Reef's cephadm mgr module talks SSH through asyncssh, which trixie packages: no remoto, no
# execnet. But trixie's bcrypt 4.2 and cryptography 43 are PyO3 extensions, which refuse every
# subinterpreter, and the mgr runs each module in one: with them the mgr loads no module at all
# ("PyO3 modules do not yet support subinterpreters", mgr_util imports bcrypt). The image takes
# instead the pre-PyO3-check builds upstream's CentOS Stream images carry (cryptography 36, bcrypt
# 3.2 on cffi) with the pyOpenSSL and asyncssh releases that work with them; then every module
# loads, restful and the dashboard together.
REEF = CephRelease(
    "18.2.7",
    "trixie",
    ("v18", "v18.2.7"),
    tuple(p for p in CEPH_IMAGE_PACKAGES if p != "python3-execnet"),
    wheels=("cryptography==36.0.2", "bcrypt==3.2.2", "pyOpenSSL==22.0.0", "asyncssh==2.13.2"),
    replaces=("cryptography", "bcrypt", "OpenSSL", "pyOpenSSL", "asyncssh"),
    # trixie's cephadm (a zipapp needing python3, lvm2, adduser) installs on bookworm; its
    # ceph-common does not (libc 2.38), so the hosts keep bookworm's 16.2.15 client.
    host_packages=("cephadm",),
    # Reef's mgr reads each module class's NOTIFY_TYPES and, when a module has none (22 of them),
    # leaves Python's AttributeError pending; on trixie's Python 3.13 that error surfaces as a crash
    # report per module and mgr start (RECENT_MGR_MODULE_CRASH, HEALTH_WARN), where upstream's
    # images (Python 3.9) only log it. Ceph stopped requiring the member in ceph/ceph#57106
    # (tracker 55835, not in 18.2.7); an empty default in the base class has the same effect.
    # PyYAML's C extension (_yaml, Cython, single-phase init) is shared between the mgr's subinterpreters on
    # Python 3.13; seen on the lab: a freshly bootstrapped mgr whose yaml.dump then resolved StreamStartEvent to
    # another class ("ServiceSpec.__init__() got an unexpected keyword argument 'encoding'" at every
    # `orch daemon add osd`, until a failover). Without it PyYAML uses its pure Python emitter and parser, as
    # nothing in the mgr asks for the C ones (CLoader, CDumper).
    drop_files=("usr/lib/python3/dist-packages/yaml/_yaml.cpython-*.so",),
    mgr_patches=(
        (
            "mgr_module.py",
            "class MgrModule(ceph_module.BaseMgrModule, MgrModuleLoggingMixin):",
            "    NOTIFY_TYPES: List[NotifyType] = []  # cephkit lab: ceph/ceph#57106",
        ),
    ),
    # The mgr hands Python objects from one module's subinterpreter to another's (`orch daemon add osd`: the
    # orchestrator module builds the DriveGroupSpec, cephadm's runs create_osds with it). Python 3.12 and later number
    # the classes of each interpreter from the same start, and the method cache of an interpreter is keyed by that
    # number, so another interpreter's class can resolve a method of an unrelated class of this one. cephadm's first
    # line there formats the spec (ServiceSpec.__repr__, a yaml.dump of the orchestrator's objects and yaml classes,
    # in cephadm's interpreter): seen on the lab as "ServiceSpec.__init__() got an unexpected keyword argument 'style'"
    # at every `orch daemon add osd` until a failover. The debug line names the spec without formatting it.
    mgr_replacements=(
        (
            "cephadm/services/osd.py",
            '        logger.debug(f"Processing DriveGroup {drive_group}")',
            '        logger.debug("Processing a DriveGroup")  # cephkit lab: no yaml.dump of another interpreter\'s spec',
        ),
    ),
)
CEPH_RELEASES = {release.version: release for release in (PACIFIC, REEF)}

# A "fresh server": systemd, sshd and python3, nothing the roles install.
HOST_IMAGE_PACKAGES = (
    "systemd",
    "systemd-sysv",
    "dbus",
    "openssh-server",
    "python3",
    "iproute2",
    "procps",
    "kmod",
)

# What the package repository on the lab network serves (with dependencies):
# everything the collection's roles install on a Debian host.
REPO_PACKAGES = (
    "podman",
    "runc",
    "catatonit",
    "lvm2",
    "chrony",
    "cephadm",
    "ceph-common",
    "python3-apt",
    "python3-packaging",
    "gnupg",
    "ca-certificates",
)

# The monitoring images cephadm deploys, from Debian's packages: one root file
# system with all three, imported once per image with its own ENTRYPOINT.
# coreutils (essential anyway) is named for `stat`, which cephadm runs in them.
MONITORING_IMAGE_PACKAGES = (
    "prometheus",
    "prometheus-alertmanager",
    "prometheus-node-exporter",
    "coreutils",
)


@dataclasses.dataclass(frozen=True)
class MonitoringComponent:
    """One monitoring image: how cephadm names it and where Debian puts it."""

    option: str  # cephadm's name: mgr/cephadm/container_image_<option>
    image: str  # localhost/cephkit-lab/<image>:<upstream version of package>
    package: str  # the Debian package
    binary: str  # the package's binary
    entrypoint: str  # the binary's path in the upstream image, a symlink here
    cmd: tuple[str, ...]  # upstream's default arguments; cephadm passes its own
    data_dir: str  # upstream's WORKDIR and data directory, owned by the daemon's user ("" for none)


MONITORING_COMPONENTS = (
    MonitoringComponent(
        option="prometheus",
        image="prometheus",
        package="prometheus",
        binary="/usr/bin/prometheus",
        entrypoint="/bin/prometheus",
        cmd=("--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"),
        data_dir="/prometheus",
    ),
    MonitoringComponent(
        option="alertmanager",
        image="alertmanager",
        package="prometheus-alertmanager",
        binary="/usr/bin/prometheus-alertmanager",
        entrypoint="/bin/alertmanager",
        cmd=("--config.file=/etc/alertmanager/alertmanager.yml", "--storage.path=/alertmanager"),
        data_dir="/alertmanager",
    ),
    MonitoringComponent(
        option="node_exporter",
        image="node-exporter",
        package="prometheus-node-exporter",
        binary="/usr/bin/prometheus-node-exporter",
        entrypoint="/bin/node_exporter",
        cmd=(),
        data_dir="",
    ),
)
# Left out of the monitoring images, read by none of the daemons (about 250 MB): moment-timezone's
# raw data (Prometheus' web UI loads moment-timezone-with-data.min.js only), translations, manuals.
MONITORING_IMAGE_TRIM = (
    "usr/share/javascript/moment-timezone/data",
    "usr/share/locale",
    "usr/share/man",
    "usr/share/info",
)
# The user of the monitoring daemons: upstream's nobody, node-exporter's fixed uid in cephadm.
MONITORING_UID = 65534

# Bump to rebuild every cached artifact after a change of the recipes.
RECIPE_VERSION = "2"

LABEL = "org.cephkit.lab"
# The registry's port, and the port that serves the same store only to its login (htpasswd).
REGISTRY_PORT = 5000
REGISTRY_LOGIN_PORT = 5001
DEFAULT_SUBNET = "10.89.77.0/24"


def recipe_hash(*parts: object) -> str:
    """A short, stable hash of the inputs of a build step."""
    digest = hashlib.sha256(repr((RECIPE_VERSION, *parts)).encode()).hexdigest()
    return digest[:12]


def _repo_root() -> Path:
    return Path(__file__).resolve().parents[2]


@dataclasses.dataclass(frozen=True)
class LabConfig:
    """One lab instance: its name, size and addresses."""

    name: str = "cephkit-lab"
    hosts: int = 3
    disks: int = 2
    disk_size: str = "10G"
    subnet: ipaddress.IPv4Network = dataclasses.field(default_factory=lambda: ipaddress.IPv4Network(DEFAULT_SUBNET))
    root: Path = dataclasses.field(default_factory=_repo_root)

    @classmethod
    def from_env(cls) -> LabConfig:
        env = os.environ
        cfg = cls(
            name=env.get("LAB_NAME", cls.name),
            hosts=int(env.get("LAB_HOSTS", str(cls.hosts))),
            disks=int(env.get("LAB_DISKS", str(cls.disks))),
            disk_size=env.get("LAB_DISK_SIZE", cls.disk_size),
            subnet=ipaddress.IPv4Network(env.get("LAB_SUBNET", DEFAULT_SUBNET)),
        )
        cfg.validate()
        return cfg

    def validate(self) -> None:
        if not self.name.replace("-", "").isalnum() or not self.name[0].isalpha():
            raise ValueError(f"LAB_NAME={self.name!r}: expected letters, digits and dashes, starting with a letter")
        if not 1 <= self.hosts <= 9:
            raise ValueError(f"LAB_HOSTS={self.hosts}: expected 1 to 9")
        if not 0 <= self.disks <= 6:
            raise ValueError(f"LAB_DISKS={self.disks}: expected 0 to 6")
        if self.subnet.num_addresses < 32:
            raise ValueError(f"LAB_SUBNET={self.subnet}: expected a /27 or larger")

    # Places on disk.
    @property
    def lab_dir(self) -> Path:
        return self.root / ".lab"

    @property
    def cache_dir(self) -> Path:
        return self.lab_dir / "cache"

    @property
    def state_dir(self) -> Path:
        return self.lab_dir / self.name

    @property
    def inventory_path(self) -> Path:
        return self.state_dir / "inventory.yml"

    @property
    def ssh_key(self) -> Path:
        return self.state_dir / "id_ed25519"

    @property
    def containers_conf(self) -> Path:
        return self.lab_dir / "containers.conf"

    # Names and addresses.
    @property
    def network(self) -> str:
        return self.name

    @property
    def gateway(self) -> str:
        return str(self.subnet[1])

    @property
    def registry_ip(self) -> str:
        return str(self.subnet[2])

    @property
    def repo_ip(self) -> str:
        return str(self.subnet[3])

    @property
    def registry(self) -> str:
        return f"{self.registry_ip}:{REGISTRY_PORT}"

    @property
    def registry_login(self) -> str:
        """The same registry on a port that asks for a login (htpasswd)."""
        return f"{self.registry_ip}:{REGISTRY_LOGIN_PORT}"

    @property
    def repo_url(self) -> str:
        return f"http://{self.repo_ip}/"

    def host_names(self) -> list[str]:
        return [f"node{i}" for i in range(1, self.hosts + 1)]

    def host_ip(self, index: int) -> str:
        """Address of host number ``index`` (1-based)."""
        return str(self.subnet[10 + index])

    def container(self, suffix: str) -> str:
        return f"{self.name}-{suffix}"
