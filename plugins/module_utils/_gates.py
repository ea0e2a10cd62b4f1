# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Health gates: the rule of each gate, and the summaries of the cluster it is judged on.

One rule for each gate, used by the module that waits for it (``ceph_cluster_wait``) and by the
``cluster_gate`` filter (which judges a ``ceph_cluster_info`` result). The summaries (health, mons,
mgrs, hosts, OSDs) are the shapes ``ceph_cluster_info`` returns; :func:`read_cluster` with ``READS[gate]``
reads only what a gate needs, so that a poll costs one or two ``ceph`` commands.

Private to the collection (leading underscore): its API may change without notice.
"""

from __future__ import annotations

import typing as t

from ansible_collections.cephkit.cephadm.plugins.module_utils._cluster import (
    OsdMap,
    as_list,
    orch_hosts,
    osd_device_paths,
    osd_map,
)

if t.TYPE_CHECKING:
    from ansible_collections.cephkit.cephadm.plugins.module_utils._ceph import CephRunner

GATES = ('quorum', 'hosts', 'osds', 'health')


# ---------------------------------------------------------------------------
# Summaries (the shapes ceph_cluster_info returns)
# ---------------------------------------------------------------------------


def summarize_health(status: dict[str, t.Any]) -> dict[str, t.Any]:
    """``ceph status`` -> ``{status, checks: {name: {severity, message, muted}}}``."""
    health = status.get('health') or {}
    checks: dict[str, t.Any] = {}
    for name, check in sorted((health.get('checks') or {}).items()):
        summary = check.get('summary') or {}
        checks[name] = {
            'severity': check.get('severity', ''),
            'message': summary.get('message', ''),
            'muted': bool(check.get('muted', False)),
        }
    return {'status': health.get('status', ''), 'checks': checks}


def summarize_mons(status: dict[str, t.Any]) -> dict[str, t.Any]:
    """``ceph status`` -> ``{quorum: [names], count}``."""
    return {
        'quorum': list(status.get('quorum_names') or []),
        'count': int((status.get('monmap') or {}).get('num_mons', 0) or 0),
    }


def summarize_mgrs(mgr: dict[str, t.Any]) -> dict[str, t.Any]:
    """``ceph mgr dump`` -> ``{active, available, standbys: [names]}``."""
    return {
        'active': mgr.get('active_name', ''),
        'available': bool(mgr.get('available', False)),
        'standbys': [s.get('name', '') for s in as_list(mgr.get('standbys'))],
    }


def summarize_hosts(hosts: list[dict[str, t.Any]]) -> list[dict[str, t.Any]]:
    """``ceph orch host ls`` -> ``[{name, addr, labels, status}]``."""
    return [
        {
            'name': h.get('hostname', ''),
            'addr': h.get('addr', ''),
            'labels': list(h.get('labels') or []),
            'status': h.get('status', ''),
        }
        for h in hosts
    ]


def summarize_osds(osdmap: OsdMap, metadata: dict[int, dict[str, t.Any]] | None = None) -> list[dict[str, t.Any]]:
    """The OSD map (and, when given, OSD metadata for the devices) -> ``[{id, name, host, up, in, ...}]``."""
    metadata = metadata or {}
    osds = []
    for node in osdmap.osds():
        osd_id = int(node['id'])
        meta = metadata.get(osd_id, {})
        status = str(node.get('status', ''))
        osds.append(
            {
                'id': osd_id,
                'name': node.get('name', 'osd.%d' % osd_id),
                'host': osdmap.host_of(osd_id) or meta.get('hostname', ''),
                'status': status,
                'up': status == 'up',
                'in': float(node.get('reweight', 0) or 0) > 0,
                'device_class': node.get('device_class', ''),
                'devices': osd_device_paths(meta),
            }
        )
    return osds


# ---------------------------------------------------------------------------
# The rule of each gate: '' when it holds, else what is missing
# ---------------------------------------------------------------------------


def _quorum(info: dict[str, t.Any], expect: dict[str, t.Any]) -> str:
    quorum = sorted((info.get('mons') or {}).get('quorum') or [])
    wanted = sorted(expect.get('mons') or [])
    if expect.get('mons_exact', True):
        if wanted and quorum != wanted:
            return f'mons in quorum {quorum}, expected exactly {wanted}'
    elif not set(wanted) <= set(quorum):
        return f'mons in quorum {quorum}, expected at least {wanted}'
    mgrs = info.get('mgrs') or {}
    wanted_mgrs = int(expect.get('mgr_count') or 0)
    if wanted_mgrs:
        if not mgrs.get('active') or not mgrs.get('available'):
            return 'no mgr is active and available'
        count = 1 + len(mgrs.get('standbys') or [])
        if count < wanted_mgrs:
            return f'{count} mgr daemon(s), expected {wanted_mgrs}'
    return ''


def _hosts(info: dict[str, t.Any], expect: dict[str, t.Any]) -> str:
    known = {h.get('name'): h for h in info.get('hosts') or []}
    problems = []
    for want in expect.get('hosts') or []:
        host = known.get(want.get('name'))
        if host is None:
            problems.append(f"{want.get('name')} is not a host of the cluster")
            continue
        missing = sorted(set(want.get('labels') or []) - set(host.get('labels') or []))
        if missing:
            problems.append(f"{host['name']} lacks the labels {missing}")
        if want.get('address') and host.get('addr') != want['address']:
            problems.append(f"{host['name']} has the address {host.get('addr')}, expected {want['address']}")
        if host.get('status'):
            problems.append(f"{host['name']} is {host['status']}")
    return '; '.join(problems)


def _osds(info: dict[str, t.Any], expect: dict[str, t.Any]) -> str:
    osds = info.get('osds') or []
    ready = [o for o in osds if o.get('up') and o.get('in')]
    wanted = int(expect.get('osd_count') or 0)
    if len(ready) < wanted:
        names = sorted(o.get('name', '') for o in osds if not (o.get('up') and o.get('in')))
        return f'{len(ready)} OSD(s) up and in, expected {wanted}' + (f' (not up and in: {names})' if names else '')
    return ''


def _health(info: dict[str, t.Any], expect: dict[str, t.Any]) -> str:
    health = info.get('health') or {}
    status = health.get('status')
    if status == 'HEALTH_OK':
        return ''
    allowed = set(expect.get('allowed_warnings') or [])
    checks = health.get('checks') or {}
    blocking = {
        name: check for name, check in checks.items() if name not in allowed or check.get('severity') != 'HEALTH_WARN'
    }
    if status == 'HEALTH_WARN' and not blocking:
        return ''
    detail = '; '.join(f"{name}: {check.get('message', '')}" for name, check in sorted(blocking.items()))
    return f'{status or "no health status"}' + (f' ({detail})' if detail else '')


RULES: dict[str, t.Callable[[dict[str, t.Any], dict[str, t.Any]], str]] = {
    'quorum': _quorum,
    'hosts': _hosts,
    'osds': _osds,
    'health': _health,
}


def gate_reason(info: dict[str, t.Any], gate: str, expect: dict[str, t.Any]) -> str:
    """'' when ``gate`` holds for ``info`` (summaries as above), else what is still missing."""
    return RULES[gate](info, expect)


READS = {'quorum': ('status', 'mgrs'), 'hosts': ('hosts',), 'osds': ('osds',), 'health': ('status',)}
EVERYTHING = ('status', 'mgrs', 'hosts', 'osds')


def read_cluster(runner: CephRunner, parts: t.Iterable[str], timeout: int | None = None) -> dict[str, t.Any]:
    """Read ``parts`` of the cluster (``status``: health and mons; ``mgrs``; ``hosts``; ``osds``: the OSD
    map), one ``ceph`` command each (each bounded by ``timeout``, default the runner's), as the summaries above."""
    info: dict[str, t.Any] = {}
    for part in parts:
        if part == 'status':
            status = runner.ceph_json(['status'], timeout=timeout)
            status = status if isinstance(status, dict) else {}
            info['health'] = summarize_health(status)
            info['mons'] = summarize_mons(status)
        elif part == 'mgrs':
            mgr = runner.ceph_json(['mgr', 'dump'], timeout=timeout)
            info['mgrs'] = summarize_mgrs(mgr if isinstance(mgr, dict) else {})
        elif part == 'hosts':
            info['hosts'] = summarize_hosts(orch_hosts(runner, timeout=timeout))
        elif part == 'osds':
            info['osds'] = summarize_osds(osd_map(runner, timeout=timeout))
    return info
