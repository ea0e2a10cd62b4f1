# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Readers of the cluster's state, one for each thing the modules look at.

Every module reads the OSD map, OSD metadata, the orchestrator's hosts, daemons and devices through
these functions, so that each is parsed by one rule. Each reader runs one ``ceph`` command through
the module's runner (no container per query) and returns plain data.

Private to the collection (leading underscore): its API may change without notice.
"""

from __future__ import annotations

import typing as t

from ansible_collections.cephkit.cephadm.plugins.module_utils._ceph import (
    CephCommandError,
    CephError,
    CephParseError,
    CephTimeout,
    poll,
)

if t.TYPE_CHECKING:
    from ansible_collections.cephkit.cephadm.plugins.module_utils._ceph import CephRunner


def as_list(value: t.Any) -> list[t.Any]:
    """``value`` when it is a list, else an empty list (cephadm answers ``null`` or a sentence for none)."""
    return value if isinstance(value, list) else []


def _dicts(value: t.Any) -> list[dict[str, t.Any]]:
    return [dict(v) for v in as_list(value) if isinstance(v, dict)]


def same_host(a: str, b: str) -> bool:
    """Whether two names of a host are the same host: CRUSH host buckets and OSD metadata name it short
    (``ceph1``) while the orchestrator may name it by its FQDN (``ceph1.example.com``, with
    ``mgr/cephadm/allow_fqdn_hostname``). Two different FQDNs are different hosts."""
    if a == b:
        return True
    if '.' in a and '.' in b:
        return False
    return bool(a) and a.split('.')[0] == b.split('.')[0]


# ---------------------------------------------------------------------------
# OSD map (ceph osd tree)
# ---------------------------------------------------------------------------


class OsdMap:
    """The CRUSH tree of ``ceph osd tree``: OSDs, their status and the host bucket that holds them."""

    def __init__(self, tree: t.Any) -> None:
        tree = tree if isinstance(tree, dict) else {}
        self.nodes: dict[int, dict[str, t.Any]] = {}
        for node in _dicts(tree.get('nodes')) + _dicts(tree.get('stray')):
            if 'id' in node:
                self.nodes.setdefault(int(node['id']), node)
        self._host_of: dict[int, str] = {}
        for node in self.nodes.values():
            if node.get('type') == 'host':
                for child in as_list(node.get('children')):
                    self._host_of[int(child)] = str(node.get('name', ''))

    def osds(self) -> list[dict[str, t.Any]]:
        """Every OSD node (in a bucket or stray), by id."""
        return [self.nodes[i] for i in sorted(self.nodes) if self.nodes[i].get('type') == 'osd']

    def status(self, osd_id: int) -> str:
        return str(self.nodes.get(osd_id, {}).get('status', ''))

    def destroyed(self) -> set[int]:
        """ids of the OSDs marked destroyed (kept for a replacement)."""
        return {int(n['id']) for n in self.osds() if n.get('status') == 'destroyed'}

    def host_of(self, osd_id: int) -> str:
        """The host bucket that holds ``osd_id`` ('' when stray)."""
        return self._host_of.get(osd_id, '')

    def on_host(self, host: str, destroyed: bool = False) -> dict[int, str]:
        """OSDs the host bucket ``host`` holds: id -> status; destroyed ones only when asked for."""
        return {
            i: self.status(i)
            for i, name in sorted(self._host_of.items())
            if same_host(name, host)
            and self.nodes.get(i, {}).get('type') == 'osd'
            and (self.status(i) == 'destroyed') == destroyed
        }


def osd_map(runner: CephRunner, timeout: int | None = None) -> OsdMap:
    """``ceph osd tree`` (``timeout``: the runner's unless given)."""
    return OsdMap(runner.ceph_json(['osd', 'tree'], timeout=timeout))


# ---------------------------------------------------------------------------
# OSD metadata (ceph osd metadata)
# ---------------------------------------------------------------------------


def osd_metadata(runner: CephRunner) -> dict[int, dict[str, t.Any]]:
    """``ceph osd metadata``: id -> metadata (only OSDs that booted once report any)."""
    return {int(m['id']): m for m in _dicts(runner.ceph_json(['osd', 'metadata'])) if 'id' in m}


def osd_device_paths(meta: dict[str, t.Any]) -> list[str]:
    """The device paths an OSD uses, from its metadata: its kernel devices, then the BlueStore device node."""
    paths = ['/dev/' + n for n in str(meta.get('devices', '')).split(',') if n]
    for key in ('bluestore_bdev_dev_node', 'bluestore_bdev_partition_path'):
        value = str(meta.get(key) or '')
        if value.startswith('/dev/') and value not in paths:
            paths.append(value)
    return paths


def osds_on_device(metadata: dict[int, dict[str, t.Any]], osdmap: OsdMap, host: str, device: str) -> list[int]:
    """ids of the OSDs of the cluster, not destroyed, on ``host:device``."""
    destroyed = osdmap.destroyed()
    return sorted(
        i
        for i, meta in metadata.items()
        if same_host(str(meta.get('hostname', '')), host) and i not in destroyed and device in osd_device_paths(meta)
    )


class OsdState:
    """The OSD map and the OSD metadata, read together."""

    def __init__(self, runner: CephRunner) -> None:
        self.metadata = osd_metadata(runner)
        self.map = osd_map(runner)

    def on_device(self, host: str, device: str) -> list[int]:
        return osds_on_device(self.metadata, self.map, host, device)


def osd_removals(runner: CephRunner) -> list[dict[str, t.Any]]:
    """Entries of ``ceph orch osd rm status`` (cephadm prints a sentence instead of JSON when there is none)."""
    res = runner.ceph(['orch', 'osd', 'rm', 'status', '--format', 'json'])
    if not res.stdout.strip().startswith('['):
        return []  # "No OSD remove/replace operations reported"
    return [o for o in _dicts(res.json()) if 'osd_id' in o]


# ---------------------------------------------------------------------------
# Mons
# ---------------------------------------------------------------------------


def mon_quorum(runner: CephRunner) -> tuple[list[str], list[str]]:
    """``ceph quorum_status``: the mons of the monmap and those in quorum (names)."""
    status = runner.ceph_json(['quorum_status'])
    status = status if isinstance(status, dict) else {}
    monmap = [str(m.get('name')) for m in _dicts((status.get('monmap') or {}).get('mons'))]
    return monmap, [str(n) for n in as_list(status.get('quorum_names'))]


# ---------------------------------------------------------------------------
# Orchestrator: hosts, daemons, devices
# ---------------------------------------------------------------------------


def orch_hosts(runner: CephRunner, timeout: int | None = None) -> list[dict[str, t.Any]]:
    """``ceph orch host ls``: one entry per host (``timeout``: the runner's unless given)."""
    return _dicts(runner.ceph_json(['orch', 'host', 'ls'], timeout=timeout))


def find_host(hosts: list[dict[str, t.Any]], name: str) -> dict[str, t.Any] | None:
    for host in hosts:
        if host.get('hostname') == name:
            return host
    return None


ADMIN_LABEL = '_admin'


def orch_paused(runner: CephRunner) -> bool:
    """``ceph orch status``: whether the orchestrator is paused."""
    status = runner.ceph_json(['orch', 'status'])
    if not isinstance(status, dict) or not isinstance(status.get('paused'), bool):
        raise CephParseError('ceph orch status does not say whether the orchestrator is paused: %r' % (status,))
    return bool(status['paused'])


def admin_hosts(hosts: list[dict[str, t.Any]]) -> list[str]:
    """Hosts with the ``_admin`` label (cephadm keeps ceph.conf and the admin keyring on them)."""
    return sorted(str(h.get('hostname')) for h in hosts if ADMIN_LABEL in (h.get('labels') or []))


def orch_daemons(
    runner: CephRunner, host: str | None = None, daemon_type: str | None = None, refresh: bool = False
) -> list[dict[str, t.Any]]:
    """``ceph orch ps [HOST] [--daemon_type TYPE] [--refresh]`` (the orchestrator's cache unless refreshed)."""
    args = ['orch', 'ps'] + ([host] if host else [])
    args += (['--daemon_type', daemon_type] if daemon_type else []) + (['--refresh'] if refresh else [])
    return [
        d
        for d in _dicts(runner.ceph_json(args))
        if (host is None or d.get('hostname') == host) and (daemon_type is None or d.get('daemon_type') == daemon_type)
    ]


def daemon_name(daemon: dict[str, t.Any]) -> str:
    return str(daemon.get('daemon_name') or '%s.%s' % (daemon.get('daemon_type', ''), daemon.get('daemon_id', '')))


def orch_devices(runner: CephRunner, host: str | None = None, refresh: bool = False) -> list[dict[str, t.Any]]:
    """``ceph orch device ls [HOST] [--refresh]``: one entry per host, with its ``devices``."""
    args = ['orch', 'device', 'ls'] + ([host] if host else []) + (['--refresh'] if refresh else [])
    return _dicts(runner.ceph_json(args))


def host_devices(runner: CephRunner, host: str, refresh: bool = False) -> list[dict[str, t.Any]]:
    """The devices the orchestrator lists for ``host``."""
    for entry in orch_devices(runner, host, refresh):
        if entry.get('name') == host:
            return _dicts(entry.get('devices'))
    return []


def find_device(devices: list[dict[str, t.Any]], path: str) -> dict[str, t.Any] | None:
    for dev in devices:
        if dev.get('path') == path:
            return dev
    return None


# ---------------------------------------------------------------------------
# Versions and upgrades
# ---------------------------------------------------------------------------


def version_of(text: t.Any) -> str:
    """``16.2.15`` from ``ceph version 16.2.15 (618f44...) pacific (stable)`` (or from ``16.2.15``); '' when none."""
    words = str(text or '').split()
    if len(words) >= 3 and words[0] == 'ceph' and words[1] == 'version':
        return words[2]
    return words[0] if len(words) == 1 and words[0][:1].isdigit() else ''


def version_key(version: str) -> tuple[int, ...]:
    """``16.2.15`` -> ``(16, 2, 15)`` (a ``-g<sha>`` build suffix ignored) for comparisons."""
    parts = []
    for part in version.split('-')[0].split('.'):
        if not part.isdigit():
            break
        parts.append(int(part))
    return tuple(parts)


def ceph_versions(runner: CephRunner) -> dict[str, dict[str, int]]:
    """``ceph versions``: daemon type (``mon``, ``mgr``, ``osd``, ..., ``overall``) -> {version: count}, each
    version as ``16.2.15`` (the daemons answer themselves; the orchestrator's cache is not involved)."""
    data = runner.ceph_json(['versions'])
    out: dict[str, dict[str, int]] = {}
    for daemon_type, counts in (data if isinstance(data, dict) else {}).items():
        if isinstance(counts, dict):
            for text, count in counts.items():
                version = version_of(text) or str(text)
                out.setdefault(str(daemon_type), {})
                out[str(daemon_type)][version] = out[str(daemon_type)].get(version, 0) + int(count)
    return out


def require_osd_release(runner: CephRunner) -> str:
    """``require_osd_release`` of the OSD map (``pacific``, ``reef``, ...)."""
    dump = runner.ceph_json(['osd', 'dump'])
    return str((dump if isinstance(dump, dict) else {}).get('require_osd_release', ''))


def upgrade_status(runner: CephRunner, timeout: int | None = None) -> dict[str, t.Any]:
    """``ceph orch upgrade status``: ``in_progress``, ``target_image``, ``which``, ``services_complete``,
    ``progress``, ``message``, ``is_paused``."""
    status = runner.ceph_json(['orch', 'upgrade', 'status'], timeout=timeout)
    if not isinstance(status, dict) or not isinstance(status.get('in_progress'), bool):
        raise CephParseError('ceph orch upgrade status does not say whether an upgrade is in progress: %r' % (status,))
    return status


def health_details(runner: CephRunner, prefix: str = '') -> dict[str, list[str]]:
    """``ceph health detail``: check name -> its summary and detail lines, for the checks whose name starts
    with ``prefix``."""
    data = runner.ceph_json(['health', 'detail'])
    checks = (data if isinstance(data, dict) else {}).get('checks') or {}
    out: dict[str, list[str]] = {}
    for name, check in sorted(checks.items() if isinstance(checks, dict) else []):
        if not str(name).startswith(prefix) or not isinstance(check, dict):
            continue
        summary = (check.get('summary') or {}).get('message', '')
        out[str(name)] = [str(summary)] + [str(d.get('message', '')) for d in _dicts(check.get('detail'))]
    return out


# ---------------------------------------------------------------------------
# Mgr: a module's internal error, and a failover
# ---------------------------------------------------------------------------

# What the mgr answers when one of its Python modules raises instead of answering (mgr_module._handle_command):
# the module's traceback as the error text.
MGR_TRACEBACK = 'Traceback (most recent call last)'


def mgr_internal_error(exc: CephError) -> str:
    """The last line of a mgr module's traceback when ``exc`` is a ``ceph`` command the mgr failed that way (a fault
    of the mgr process, not of the request), else ''."""
    if not isinstance(exc, CephCommandError) or isinstance(exc, CephTimeout) or MGR_TRACEBACK not in exc.stderr:
        return ''
    lines = [line.strip() for line in exc.stderr.strip().splitlines() if line.strip()]
    return lines[-1] if lines else MGR_TRACEBACK


def fail_over_mgr(runner: CephRunner, wait_timeout: float, interval: float) -> tuple[str, str]:
    """``ceph mgr fail`` of the active mgr, then wait until another mgr process is active and available and the
    orchestrator answers on it; (the mgr failed, the one active now; the same name when it was the only mgr and came
    back as a new process)."""
    before = runner.ceph_json(['mgr', 'dump'])
    before = before if isinstance(before, dict) else {}
    name, gid = str(before.get('active_name') or ''), before.get('active_gid')
    if not name:
        raise CephParseError('ceph mgr dump names no active mgr to fail over: %r' % (before,))
    runner.ceph(['mgr', 'fail', name])

    def probe() -> str | None:
        now = runner.ceph_json(['mgr', 'dump'])
        now = now if isinstance(now, dict) else {}
        if not now.get('available') or now.get('active_gid') in (None, gid):
            return None
        try:
            orch_paused(runner)
        except (CephCommandError, CephParseError):
            return None  # the orchestrator module of the new mgr is not loaded yet
        return str(now.get('active_name'))

    active, _waited = poll(
        probe,
        wait_timeout,
        interval,
        lambda: 'no other mgr took over with its orchestrator after ceph mgr fail %s' % name,
    )
    return name, active
