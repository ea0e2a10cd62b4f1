# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Private runner for the cephkit.cephadm modules.

Everything that runs ``cephadm``, ``ceph`` or the container engine goes
through :class:`CephRunner`:

* commands are argv lists, never shell strings, run with ``LC_ALL=C`` so that
  the text the modules match is the English one;
* each command has a timeout (coreutils ``timeout`` around it): the option
  ``timeout`` bounds EACH command; a module that waits for the cluster has a
  separate ``wait_timeout`` for the whole wait (:func:`poll`);
* JSON output is parsed, failures raise the typed exceptions below, and the
  module entry point (``_module.CephModule``) turns any of them into one
  ``fail_json``;
* argv recorded in results is masked (secrets never reach argv anyway: they
  go through stdin or 0600 files);
* ``ceph`` runs on the host when the host has the ``ceph`` CLI, a
  ``ceph.conf`` and a readable admin keyring; otherwise ONE short-lived
  "toolbox" container is started from the cluster's own image with
  ``/etc/ceph`` mounted read-only, every ``ceph`` command of the module call
  runs in it through ``exec``, and it is removed when the runner is closed
  (the runner is a context manager); it exits by itself after a bounded
  time (TOOLBOX_MIN_LIFETIME) should the module process be killed.

Module code runs on the managed hosts: Python 3.9 or newer (the floor is
stated in ``tests/config.yml`` and enforced by the sanity compile test).

This module is private to the collection (leading underscore): its API may
change without notice.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import re
import socket
import tempfile
import time
import typing as t
import uuid

from ansible_collections.cephkit.cephadm.plugins.module_utils._paths import CEPH_ADMIN_KEYRING, CEPH_CONF

if t.TYPE_CHECKING:
    from ansible.module_utils.basic import AnsibleModule

T = t.TypeVar('T')

TOOLBOX_PREFIX = 'cephkit-toolbox-'
# The toolbox container sleeps this long at least (seconds), or twice the module's longest run (timeout plus
# wait_timeout) when that is longer, then exits and is removed (--rm): a module process killed before it
# could remove the container leaves it running no longer than that.
TOOLBOX_MIN_LIFETIME = 3600
DEFAULT_TIMEOUT = 300
DEFAULT_WAIT_TIMEOUT = 600
DEFAULT_POLL_INTERVAL = 5
# coreutils timeout: 124 when the command ended on SIGTERM, 137 when it had to be killed (--kill-after).
TIMEOUT_RCS = (124, 137)
KILL_AFTER = 10
# The environment of every command: C locale, so that matched text is the English one.
COMMAND_ENV = {'LC_ALL': 'C', 'LANG': 'C'}
MASK = '********'
# Daemons that run the cluster's own ceph image (monitoring daemons use other images), in the order cephadm
# upgrades them (mgr/cephadm/utils.py CEPH_TYPES and the gateways of CEPH_IMAGE_TYPES; ceph-exporter since Reef).
CEPH_DAEMON_TYPES = (
    'mgr',
    'mon',
    'crash',
    'osd',
    'mds',
    'rgw',
    'rbd-mirror',
    'cephfs-mirror',
    'ceph-exporter',
    'iscsi',
    'nfs',
)
# Ceph major versions and their release names (roles/cephkit/vars/main.yml cephkit_release_names is the same).
RELEASE_NAMES = {15: 'octopus', 16: 'pacific', 17: 'quincy', 18: 'reef', 19: 'squid', 20: 'tentacle'}

_UUID_RE = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')
# Host labels: one rule for the modules and the roles (roles/cephkit checks cephkit_host_labels with it).
LABEL_PATTERN = r'^[A-Za-z0-9_.-]+$'
_LABEL_RE = re.compile(LABEL_PATTERN)
_HOSTNAME_RE = re.compile(
    r'^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$'
)


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------


class CephError(Exception):
    """Base of every error raised by the runner."""

    def __init__(self, msg: str, **details: t.Any) -> None:
        super().__init__(msg)
        self.msg = msg
        self.details = details

    def fail_kwargs(self) -> dict[str, t.Any]:
        """Keyword arguments for ``module.fail_json``."""
        kwargs: dict[str, t.Any] = {'msg': self.msg}
        kwargs.update(self.details)
        return kwargs


class CephInputError(CephError):
    """A module argument is invalid; nothing was changed."""


class CephCommandError(CephError):
    """A command exited non-zero."""

    def __init__(self, argv: t.Sequence[str], rc: int, stdout: str, stderr: str, msg: str | None = None) -> None:
        text = msg or 'command failed (rc=%d): %s: %s' % (rc, ' '.join(argv), (stderr or stdout).strip()[-2000:])
        super().__init__(text, cmd=list(argv), rc=rc, stdout=stdout, stderr=stderr)
        self.argv = list(argv)
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr


class CephTimeout(CephCommandError):
    """A command did not finish within its timeout."""


class CephWaitTimeout(CephError):
    """The cluster did not reach the awaited state within ``wait_timeout``."""


class CephParseError(CephError):
    """A command's output could not be parsed."""


class CephNotFound(CephError):
    """Something needed (binary, cluster, keyring, image) is not there."""


# ---------------------------------------------------------------------------
# Argument formats (the CmdRunner idea: argv built from declared formats)
# ---------------------------------------------------------------------------

ArgFormat = t.Callable[[t.Any], list[str]]


def fmt_flag(flag: str) -> ArgFormat:
    """``flag`` when the value is true."""

    def _fmt(value: t.Any) -> list[str]:
        return [flag] if value else []

    return _fmt


def fmt_flag_if_false(flag: str) -> ArgFormat:
    """``flag`` when the value is false (e.g. ``pull: false`` -> ``--skip-pull``)."""

    def _fmt(value: t.Any) -> list[str]:
        return [flag] if value is False else []

    return _fmt


def fmt_opt_val(flag: str) -> ArgFormat:
    """``flag value`` when the value is set."""

    def _fmt(value: t.Any) -> list[str]:
        return [] if value is None else [flag, str(value)]

    return _fmt


def build_args(formats: t.Mapping[str, ArgFormat], values: t.Mapping[str, t.Any]) -> list[str]:
    """Build argv from declared formats, in their declaration order; missing values are skipped."""
    argv: list[str] = []
    for name, fmt in formats.items():
        argv.extend(fmt(values.get(name)))
    return argv


def mask_argv(argv: t.Sequence[str], secrets: t.Iterable[str]) -> list[str]:
    """Return argv with every secret (whole or inside an element) masked."""
    secret_list = [s for s in secrets if s]
    masked: list[str] = []
    for arg in argv:
        for secret in secret_list:
            if secret in arg:
                arg = arg.replace(secret, MASK)
        masked.append(arg)
    return masked


# ---------------------------------------------------------------------------
# Validation helpers (raise CephInputError naming the value)
# ---------------------------------------------------------------------------


def validate_fsid(fsid: str | None, option: str = 'fsid') -> None:
    if fsid is not None and not _UUID_RE.match(fsid):
        raise CephInputError(
            '%s %r is not a cluster fsid: expected a lowercase UUID such as '
            '"2c1e4a3c-0b6f-11ef-9a41-525400a1b2c3"' % (option, fsid)
        )


def validate_hostname(name: str, option: str = 'name') -> None:
    if not _HOSTNAME_RE.match(name):
        raise CephInputError(
            '%s %r is not a valid host name: expected letters, digits, "-" and "." '
            '(RFC 1123), at most 253 characters' % (option, name)
        )


def validate_ip(value: str, option: str) -> str:
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise CephInputError('%s %r is not an IP address: expected an IPv4 or IPv6 address' % (option, value)) from None


def validate_network(value: str, option: str) -> None:
    for part in value.split(','):
        try:
            ipaddress.ip_network(part.strip(), strict=False)
        except ValueError:
            raise CephInputError(
                '%s %r is not a network: expected CIDR notation such as "10.0.0.0/24"'
                ' (several separated by commas)' % (option, value)
            ) from None


def validate_label(label: str, option: str = 'labels') -> None:
    if not _LABEL_RE.match(label):
        raise CephInputError(
            "%s: label %r is not valid: expected letters, digits, '_', '.' and '-' (no spaces or commas)"
            % (option, label)
        )


def validate_min(params: t.Mapping[str, t.Any], *options: str, minimum: int = 1) -> None:
    """Each of ``options`` (seconds, counts) is at least ``minimum``."""
    for option in options:
        if params[option] < minimum:
            raise CephInputError(
                '%s %r is too small: expected at least %d (seconds)' % (option, params[option], minimum)
            )


def is_local_address(addr: str) -> bool:
    """True when ``addr`` is assigned to an interface of this host (bind test, no command run)."""
    ip = ipaddress.ip_address(addr)
    family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        sock.bind((str(ip), 0))
    except OSError:
        return False
    finally:
        sock.close()
    return True


# ---------------------------------------------------------------------------
# Shared options
# ---------------------------------------------------------------------------


def cephadm_argument_spec(**extra: dict[str, t.Any]) -> dict[str, dict[str, t.Any]]:
    """The shared options of doc fragment ``cephkit.cephadm.cephadm`` plus ``extra``."""
    spec: dict[str, dict[str, t.Any]] = {
        'fsid': {'type': 'str'},
        'image': {'type': 'str'},
        'docker': {'type': 'bool', 'default': False},
        'cephadm_path': {'type': 'path'},
        'timeout': {'type': 'int', 'default': DEFAULT_TIMEOUT},
    }
    spec.update(extra)
    return spec


def wait_argument_spec() -> dict[str, dict[str, t.Any]]:
    """The options of doc fragment ``cephkit.cephadm.cephadm.wait``."""
    return {
        'wait_timeout': {'type': 'int', 'default': DEFAULT_WAIT_TIMEOUT},
        'poll_interval': {'type': 'int', 'default': DEFAULT_POLL_INTERVAL},
    }


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------


class CmdResult:
    """Outcome of one command."""

    def __init__(self, argv: list[str], rc: int, stdout: str, stderr: str) -> None:
        self.argv = argv
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr

    def json(self) -> t.Any:
        text = self.stdout.strip()
        if not text:
            raise CephParseError(
                'no output to parse as JSON from: %s' % ' '.join(self.argv), cmd=self.argv, stderr=self.stderr
            )
        try:
            return json.loads(text)
        except ValueError as exc:
            raise CephParseError(
                'output of %s is not JSON: %s' % (' '.join(self.argv), exc), cmd=self.argv, stdout=self.stdout[-2000:]
            ) from None


# ---------------------------------------------------------------------------
# The runner
# ---------------------------------------------------------------------------


class CephRunner:
    """Run cephadm, ceph and the container engine for one module call.

    Use as a context manager so that a toolbox container, if one had to be
    started, is always removed::

        with CephRunner(module) as runner:
            hosts = runner.ceph_json(['orch', 'host', 'ls'])
    """

    def __init__(
        self,
        module: AnsibleModule,
        fsid: str | None = None,
        image: str | None = None,
        docker: bool | None = None,
        cephadm_path: str | None = None,
        timeout: int | None = None,
        secrets: t.Iterable[str] = (),
        fsid_check: str = 'ceph',
    ) -> None:
        params = module.params
        self.module = module
        self.fsid: str | None = fsid if fsid is not None else params.get('fsid')
        self.image: str | None = image if image is not None else params.get('image')
        self.docker: bool = bool(docker if docker is not None else params.get('docker'))
        self.cephadm_path: str | None = cephadm_path if cephadm_path is not None else params.get('cephadm_path')
        self.timeout: int = int(timeout if timeout is not None else (params.get('timeout') or DEFAULT_TIMEOUT))
        self.secrets: list[str] = [s for s in secrets if s]
        # (pattern, replacement) applied to every output, for secrets a command prints itself
        self.output_masks: list[tuple[t.Pattern[str], str]] = []
        self.commands: list[list[str]] = []
        self.containers_started = 0
        self._backend: str | None = None
        self._toolbox: str | None = None
        self._cephadm_ls: list[dict[str, t.Any]] | None = None
        self._timeout_bin: str | bool | None = False
        # 'ceph': the first ceph command asks the cluster its fsid (``ceph fsid``) and compares;
        # 'caller': the module reads the fsid with its first command and calls confirm_fsid().
        if fsid_check not in ('ceph', 'caller'):
            raise ValueError('fsid_check must be ceph or caller, not %r' % fsid_check)
        self._fsid_checked = fsid_check == 'caller'

    # -- context manager ---------------------------------------------------
    def __enter__(self) -> CephRunner:
        return self

    def __exit__(self, *exc_info: t.Any) -> None:
        self.close()

    def close(self) -> None:
        """Remove the toolbox container, if one was started."""
        name = self._toolbox
        if name is None:
            return
        self._toolbox = None
        self._backend = None
        with contextlib.suppress(CephError):
            self.run([self.engine(), 'rm', '--force', name], check=False, timeout=60)

    # -- low level -----------------------------------------------------------
    def add_secret(self, secret: str | None) -> None:
        if secret:
            self.secrets.append(secret)

    def masked(self, argv: t.Sequence[str]) -> list[str]:
        return mask_argv(argv, self.secrets)

    def mask_output(self, text: str) -> str:
        """``text`` with every known secret and every secret pattern (``output_masks``) masked."""
        text = mask_argv([text], self.secrets)[0]
        for pattern, replacement in self.output_masks:
            text = pattern.sub(replacement, text)
        return text

    def _timeout_prefix(self, timeout: int) -> list[str]:
        if self._timeout_bin is False:
            self._timeout_bin = self.module.get_bin_path('timeout')
        if not self._timeout_bin or timeout <= 0:
            return []
        return [str(self._timeout_bin), '--kill-after=%d' % KILL_AFTER, str(timeout)]

    def run(
        self, argv: t.Sequence[str], data: str | None = None, check: bool = True, timeout: int | None = None
    ) -> CmdResult:
        """Run one argv (never through a shell) and return its result."""
        limit = self.timeout if timeout is None else timeout
        full = self._timeout_prefix(limit) + list(argv)
        shown = self.masked(argv)
        self.commands.append(shown)
        rc, out, err = self.module.run_command(
            full,
            data=data,
            binary_data=data is not None,
            check_rc=False,
            expand_user_and_vars=False,
            environ_update=COMMAND_ENV,
        )
        out = out if isinstance(out, str) else out.decode('utf-8', 'replace')
        err = err if isinstance(err, str) else err.decode('utf-8', 'replace')
        out_m = self.mask_output(out)
        err_m = self.mask_output(err)
        if rc in TIMEOUT_RCS and full and full[0] == self._timeout_bin:
            how = '' if rc == TIMEOUT_RCS[0] else ' (it ignored SIGTERM and was killed %d s later)' % KILL_AFTER
            raise CephTimeout(
                shown,
                rc,
                out_m,
                err_m,
                msg='command timed out after %d seconds%s: %s' % (limit, how, ' '.join(shown)),
            )
        if check and rc != 0:
            raise CephCommandError(shown, rc, out_m, err_m)
        return CmdResult(shown, rc, out_m, err_m)

    def bin_path(self, name: str, required: bool = True) -> str | None:
        path = self.module.get_bin_path(name)
        if path is None and required:
            raise CephNotFound('%s was not found on this host (looked in PATH and the usual sbin directories)' % name)
        return str(path) if path else None

    def engine(self) -> str:
        return str(self.bin_path('docker' if self.docker else 'podman'))

    # -- cephadm (host-side Python, starts no container for ls) -------------
    def cephadm_bin(self) -> str:
        if self.cephadm_path:
            if not os.access(self.cephadm_path, os.X_OK):
                raise CephNotFound('cephadm_path %r is not an executable file' % self.cephadm_path)
            return self.cephadm_path
        return str(self.bin_path('cephadm'))

    def cephadm_argv(self, args: t.Sequence[str], with_image: bool = False) -> list[str]:
        argv = [self.cephadm_bin()]
        if self.docker:
            argv.append('--docker')
        if with_image and self.image:
            argv.extend(['--image', self.image])
        return argv + list(args)

    def cephadm(
        self,
        args: t.Sequence[str],
        with_image: bool = False,
        data: str | None = None,
        check: bool = True,
        timeout: int | None = None,
    ) -> CmdResult:
        return self.run(self.cephadm_argv(args, with_image), data=data, check=check, timeout=timeout)

    def cephadm_ls(self, refresh: bool = False) -> list[dict[str, t.Any]]:
        """``cephadm ls``: daemons on this host (host-side, no container started)."""
        if self._cephadm_ls is None or refresh:
            data = self.cephadm(['ls']).json()
            if not isinstance(data, list):
                raise CephParseError('cephadm ls did not return a list')
            self._cephadm_ls = [d for d in data if isinstance(d, dict)]
        return self._cephadm_ls

    def use_fsid(self, fsid: str) -> None:
        """Act on ``fsid`` without asking the cluster (known from cephadm ls, or just bootstrapped)."""
        self.fsid = fsid
        self._fsid_checked = True

    def confirm_fsid(self, found: t.Any) -> None:
        """Fail unless ``found`` (read from the cluster) is the fsid that was given, if one was."""
        found_fsid = str(found) if found else None
        if self.fsid and found_fsid != self.fsid:
            raise CephError(
                'the cluster reached from this host has fsid %s, not the fsid %s that was given'
                % (found_fsid, self.fsid),
                fsid=found_fsid,
            )

    def forget_cephadm_ls(self) -> None:
        """Drop the cached ``cephadm ls`` (after something changed the host's daemons)."""
        self._cephadm_ls = None

    def local_image(self, fsid: str | None) -> str | None:
        """Image of a running daemon of ``fsid`` on this host."""
        for daemon in self.cephadm_ls():
            if fsid and daemon.get('fsid') != fsid:
                continue
            if daemon.get('style') != 'cephadm:v1':
                continue
            if str(daemon.get('name', '')).split('.', maxsplit=1)[0] not in CEPH_DAEMON_TYPES:
                continue
            image = daemon.get('container_image_name')
            if image:
                return str(image)
        return None

    # -- ceph ---------------------------------------------------------------
    def admin_files_present(self) -> bool:
        """True when /etc/ceph has the cluster's ceph.conf and admin keyring."""
        return os.path.isfile(CEPH_CONF) and os.path.isfile(CEPH_ADMIN_KEYRING)

    def host_has_ceph_cli(self) -> bool:
        """True when ``ceph`` can run on the host itself (CLI, conf and readable admin keyring)."""
        return (
            self.module.get_bin_path('ceph') is not None
            and self.admin_files_present()
            and os.access(CEPH_ADMIN_KEYRING, os.R_OK)
        )

    def backend(self) -> str:
        """``direct`` or ``toolbox``; decided once, on the first ``ceph`` command."""
        if self._backend is None:
            if self.host_has_ceph_cli():
                self._backend = 'direct'
            else:
                self._start_toolbox()
                self._backend = 'toolbox'
        return self._backend

    def _start_toolbox(self) -> None:
        if not self.admin_files_present():
            raise CephNotFound(
                'this host has neither a usable "ceph" CLI nor %s and %s to run one in a container: '
                'run the module on an admin host (label _admin)' % (CEPH_CONF, CEPH_ADMIN_KEYRING)
            )
        image = self.image or self.local_image(self.fsid)
        if not image:
            raise CephNotFound(
                'no ceph CLI on this host and no image to run it from: set "image" or run on a host '
                'that runs a daemon of the cluster'
            )
        name = TOOLBOX_PREFIX + uuid.uuid4().hex[:12]
        argv = [
            self.engine(),
            'run',
            '--detach',
            '--rm',
            '--name',
            name,
            '--net=host',
            # sleep as PID 1 ignores SIGTERM: let `rm --force` kill it at once instead of after 10 s
            '--stop-signal=SIGKILL',
            '--entrypoint',
            'sleep',
            '--volume',
            '/etc/ceph:/etc/ceph:ro',
            image,
            str(self.toolbox_lifetime()),
        ]
        self.run(argv, timeout=max(self.timeout, 120))
        self.containers_started += 1
        self._toolbox = name

    def toolbox_lifetime(self) -> int:
        """Seconds the toolbox container lives at most (see TOOLBOX_MIN_LIFETIME)."""
        wait = int(self.module.params.get('wait_timeout') or 0)
        return max(TOOLBOX_MIN_LIFETIME, 2 * (self.timeout + wait))

    def ceph_argv(self, args: t.Sequence[str], stdin: bool = False) -> list[str]:
        if self.backend() == 'direct':
            return ['ceph', *list(args)]
        argv = [self.engine(), 'exec']
        if stdin:
            argv.append('--interactive')
        return [*argv, str(self._toolbox), 'ceph', *list(args)]

    def ceph(
        self, args: t.Sequence[str], data: str | None = None, check: bool = True, timeout: int | None = None
    ) -> CmdResult:
        """Run ``ceph ARGS`` (on the host or in the toolbox); the first call checks a given fsid."""
        if self.fsid and not self._fsid_checked:
            self._fsid_checked = True
            found = self.ceph(['fsid', '--format', 'json']).json()
            self.confirm_fsid(found.get('fsid') if isinstance(found, dict) else None)
        argv = self.ceph_argv(args, stdin=data is not None)
        if argv[0] == 'ceph':
            argv[0] = str(self.bin_path('ceph'))
        return self.run(argv, data=data, check=check, timeout=timeout)

    def ceph_json(self, args: t.Sequence[str], check: bool = True, timeout: int | None = None) -> t.Any:
        """Run ``ceph ARGS --format json`` and return the parsed output."""
        return self.ceph([*list(args), '--format', 'json'], check=check, timeout=timeout).json()

    # -- results ------------------------------------------------------------
    def result_info(self) -> dict[str, t.Any]:
        """Keys every module adds to its result."""
        return {'cmds': [list(c) for c in self.commands], 'containers_started': self.containers_started}


# ---------------------------------------------------------------------------
# Files for secrets and inputs
# ---------------------------------------------------------------------------


class PrivateFile:
    """A 0600 temporary file, removed on exit (used for --registry-json, --config, ...)."""

    def __init__(self, content: str, suffix: str = '') -> None:
        self.content = content
        self.suffix = suffix
        self.path = ''

    def __enter__(self) -> str:
        fd, path = tempfile.mkstemp(prefix='cephkit-', suffix=self.suffix)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, self.content.encode('utf-8'))
        finally:
            os.close(fd)
        self.path = path
        return path

    def __exit__(self, *exc_info: t.Any) -> None:
        if self.path and os.path.exists(self.path):
            os.unlink(self.path)


def write_private_file(path: str, content: str) -> None:
    """Write ``content`` to ``path`` created with mode 0600 (replacing it atomically)."""
    directory = os.path.dirname(path) or '.'
    fd, tmp = tempfile.mkstemp(prefix='.cephkit-', dir=directory)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, content.encode('utf-8'))
    finally:
        os.close(fd)
    os.replace(tmp, path)


def poll(
    probe: t.Callable[[], T | None],
    wait_timeout: float,
    interval: float,
    describe: t.Callable[[], str],
    **details: t.Any,
) -> tuple[T, float]:
    """Call ``probe`` until it returns something other than None; return it and the seconds waited.

    The one wait of the collection: ``wait_timeout`` bounds the whole wait (each command inside
    ``probe`` keeps its own ``timeout``); after it, :class:`CephWaitTimeout` with ``describe()``
    (what is still missing, computed then) and ``details`` in the result.
    """
    start = time.monotonic()
    while True:
        value = probe()
        waited = time.monotonic() - start
        if value is not None:
            return value, waited
        if waited > wait_timeout:
            raise CephWaitTimeout('%s after %d seconds' % (describe(), wait_timeout), **details)
        time.sleep(interval)
