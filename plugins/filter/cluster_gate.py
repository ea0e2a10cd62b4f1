# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Health gates: does a ceph_cluster_info result show what was asked?"""

from __future__ import annotations

import typing as t

from ansible.errors import AnsibleFilterError

GATES = ('quorum', 'hosts', 'osds', 'health')


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


def cluster_gate(info: t.Any, gate: str, expect: t.Any = None) -> dict[str, t.Any]:
    """Return ``{ok, reason}`` for ``gate`` given a ceph_cluster_info result and what is expected."""
    if gate not in GATES:
        raise AnsibleFilterError(f'cluster_gate: gate {gate!r} is not one of {list(GATES)}')
    if not isinstance(info, dict):
        raise AnsibleFilterError(f'cluster_gate: expected the result of ceph_cluster_info, got {type(info).__name__}')
    expect = expect or {}
    if not isinstance(expect, dict):
        raise AnsibleFilterError(f'cluster_gate: expected a dict of expectations, got {type(expect).__name__}')
    check = {'quorum': _quorum, 'hosts': _hosts, 'osds': _osds, 'health': _health}[gate]
    reason = check(info, expect)
    return {'ok': not reason, 'reason': reason}


class FilterModule:
    """cephkit.cephadm health gate filter."""

    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {'cluster_gate': cluster_gate}
