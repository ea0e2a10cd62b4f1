#!/usr/bin/python
# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: ceph_orch_host
short_description: Add, relabel, drain or remove a host of a cephadm-managed Ceph cluster
version_added: 0.1.0
description:
  - Manages one host in the cephadm orchestrator (C(ceph orch host ...)). It adds it with its address
    and labels, changes its address with C(set-addr), adds or removes labels, drains it, or removes it.
  - With O(hosts), brings several hosts to O(state=present) in one call, with one C(ceph orch host ls) for all of them,
    the commands of each host in the order given, and one read of the result.
  - Runs on an admin host of the cluster (one with C(/etc/ceph/ceph.conf) and the admin keyring).
  - The new host must already accept the cluster's SSH key (C(ceph cephadm get-pub-key)).
author:
  - cephkit maintainers (@cephkit)
options:
  name:
    description:
      - Host name, as the host itself reports it (C(hostname)).
      - Required unless O(hosts) is given.
    type: str
  hosts:
    description:
      - Several hosts at once, each with its own address and labels, instead of O(name), O(address) and O(labels).
      - Only with O(state=present); O(labels_mode) and O(keep_admin) apply to each.
    type: list
    elements: dict
    suboptions:
      name:
        description: Host name, as the host itself reports it (C(hostname)).
        type: str
        required: true
      address:
        description: As O(address), for this host.
        type: str
      labels:
        description: As O(labels), for this host.
        type: list
        elements: str
  address:
    description:
      - IP address (or resolvable name) cephadm uses to reach the host.
      - When the host exists with another address, the address is changed with C(ceph orch host set-addr).
      - When not given, a new host is added without one (cephadm resolves the name) and an existing
        host keeps its address.
    type: str
  labels:
    description:
      - Labels of the host. No spaces or commas.
      - See O(labels_mode) for what happens to labels the host has and this list lacks.
    type: list
    elements: str
  labels_mode:
    description:
      - V(add) adds the missing labels and keeps the others.
      - V(exact) also removes the labels that are not in O(labels) (C(_no_schedule), set by a drain,
        is kept while O(state=drained); C(_admin) is kept unless O(keep_admin=false)).
    type: str
    choices: [add, exact]
    default: add
  state:
    description:
      - V(present) the host is in the cluster with the address and labels given.
      - V(drained) the host is in the cluster and drained (C(ceph orch host drain)), so that cephadm
        removes its daemons and schedules none there (label C(_no_schedule)).
      - V(absent) the host is not in the cluster.
    type: str
    choices: [present, absent, drained]
    default: present
  force:
    description:
      - With O(state=absent), remove the host even though daemons are still on it
        (C(ceph orch host rm --force)). Those daemons are lost to the cluster.
      - Even with it, the module refuses to remove the last host with the C(_admin) label, or a host whose
        mon leaves the remaining mons without a majority of the new monmap in quorum.
    type: bool
    default: false
  offline:
    description:
      - With O(state=absent), the host is down for good (dead, or reinstalled elsewhere), so remove it without
        reaching it (C(ceph orch host rm --offline --force)). Needs O(force=true) when the orchestrator still
        lists daemons on it.
    type: bool
    default: false
  keep_admin:
    description:
      - With O(labels_mode=exact), keep the C(_admin) label (and so the admin keyring the modules need on
        the host) even when O(labels) does not list it. V(false) removes it, which is refused on the last
        host that has it.
    type: bool
    default: true
extends_documentation_fragment:
  - cephkit.cephadm.cephadm
  - cephkit.cephadm.cephadm.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  idempotent:
    support: full
seealso:
  - module: cephkit.cephadm.ceph_cluster_info
'''

EXAMPLES = r'''
- name: Add a host with labels
  cephkit.cephadm.ceph_orch_host:
    name: ceph2
    address: 10.89.0.12
    labels: [mon, osd]

- name: Every host of the play in one call (one orchestrator read for all)
  cephkit.cephadm.ceph_orch_host:
    hosts:
      - {name: ceph1, address: 10.89.0.11, labels: [_admin, mon, mgr, osd]}
      - {name: ceph2, address: 10.89.0.12, labels: [mon, mgr, osd]}
      - {name: ceph3, address: 10.89.0.13, labels: [mon, osd]}
  run_once: true

- name: Make the labels exactly these
  cephkit.cephadm.ceph_orch_host:
    name: ceph2
    labels: [osd]
    labels_mode: exact

- name: Drain a host before taking it out
  cephkit.cephadm.ceph_orch_host:
    name: ceph3
    state: drained

- name: Remove a host (refused while daemons remain on it)
  cephkit.cephadm.ceph_orch_host:
    name: ceph3
    state: absent
'''

RETURN = r'''
host:
  description: The host as the orchestrator sees it after the call (predicted in check mode); empty when absent.
  returned: without O(hosts)
  type: dict
  contains:
    name:
      description: Host name.
      type: str
      sample: ceph2
    addr:
      description: Address.
      type: str
      sample: 10.89.0.12
    labels:
      description: Labels, sorted.
      type: list
      elements: str
      sample: [mon, osd]
    status:
      description: Orchestrator status of the host (empty when fine, C(offline), C(maintenance)).
      type: str
      sample: ""
hosts:
  description: With O(hosts), each host as the orchestrator sees it after the call (predicted in check mode), in
    the order given, with whether it changed.
  returned: with O(hosts)
  type: list
  elements: dict
  contains:
    name:
      description: Host name.
      type: str
      sample: ceph2
    addr:
      description: Address.
      type: str
      sample: 10.89.0.12
    labels:
      description: Labels, sorted.
      type: list
      elements: str
      sample: [mon, osd]
    status:
      description: Orchestrator status of the host.
      type: str
      sample: ""
    changed:
      description: Whether this host was changed (or would be, in check mode).
      type: bool
      sample: false
added:
  description: With O(hosts), the hosts that were not in the cluster before the call (added, or to be added in
    check mode).
  returned: with O(hosts)
  type: list
  elements: str
  sample: [ceph4]
daemons:
  description: Daemons the orchestrator still places on the host (for V(drained) and V(absent)).
  returned: when O(state) is V(drained) or V(absent)
  type: list
  elements: str
  sample: [crash.ceph3, osd.2]
preview:
  description: Commands that would run, in check mode (argv lists, as in RV(cmds)).
  returned: in check mode when a change is predicted
  type: list
  elements: list
  sample: [["orch", "host", "label", "add", "ceph2", "osd"]]
diff:
  description: Host before and after; with O(hosts), each host by name.
  returned: when diff mode is on
  type: dict
  sample: {"before": {"name": "ceph2", "addr": "10.89.0.12", "labels": []}, "after": {"name": "ceph2", "addr": "10.89.0.12", "labels": ["osd"]}}
cmds:
  description: Every command the module ran, as argv lists with secrets masked.
  returned: always
  type: list
  elements: list
  sample: [["/usr/bin/ceph", "orch", "host", "ls", "--format", "json"]]
containers_started:
  description: Number of helper containers the module started (and removed) during this call; 0 or 1.
  returned: always
  type: int
  sample: 0
'''

import typing as t

from ansible_collections.cephkit.cephadm.plugins.module_utils._ceph import (
    CephError,
    CephInputError,
    validate_hostname,
    validate_label,
)
from ansible_collections.cephkit.cephadm.plugins.module_utils._cluster import (
    ADMIN_LABEL,
    admin_hosts,
    daemon_name,
    find_host,
    mon_quorum,
    orch_daemons,
    orch_hosts,
)
from ansible_collections.cephkit.cephadm.plugins.module_utils._module import CephModule

NO_SCHEDULE = '_no_schedule'


def validate_entry(name: str, address: str | None, labels: list[str] | None) -> None:
    validate_hostname(name)
    if address is not None and not address.strip():
        raise CephInputError('address %r is empty: expected an IP address or a resolvable name' % address)
    for label in labels or []:
        validate_label(label)


def validate(params: dict[str, t.Any]) -> None:
    if params['hosts'] is not None:
        if params['state'] != 'present':
            raise CephInputError(
                'hosts is used with state=present only (now state=%s): name one host' % params['state']
            )
        seen: set[str] = set()
        for index, entry in enumerate(params['hosts']):
            try:
                validate_entry(entry['name'], entry['address'], entry['labels'])
            except CephInputError as exc:
                raise CephInputError('hosts[%d]: %s' % (index, exc.msg)) from None
            if entry['name'] in seen:
                raise CephInputError('hosts[%d]: host %r is listed twice' % (index, entry['name']))
            seen.add(entry['name'])
        return
    validate_entry(params['name'], params['address'], params['labels'])
    if params['state'] == 'absent' and (params['labels'] or params['address']):
        raise CephInputError('labels and address are not used with state=absent: remove them from the task')
    if params['offline'] and params['state'] != 'absent':
        raise CephInputError('offline=true is used with state=absent only')


def host_view(host: dict[str, t.Any] | None) -> dict[str, t.Any]:
    if not host:
        return {}
    return {
        'name': host.get('hostname', ''),
        'addr': host.get('addr', ''),
        'labels': sorted(host.get('labels') or []),
        'status': host.get('status', ''),
    }


def current_host(mod: CephModule, name: str) -> dict[str, t.Any]:
    return host_view(find_host(orch_hosts(mod.runner), name))


def refuse_last_admin(hosts: list[dict[str, t.Any]], name: str, what: str) -> None:
    """The cluster must keep a host with ``_admin``: every module needs its admin keyring."""
    if admin_hosts(hosts) == [name]:
        raise CephError(
            '%s is the only host with the %s label: %s would leave no host with the admin keyring '
            '(/etc/ceph/ceph.client.admin.keyring); add %s to another host first'
            % (name, ADMIN_LABEL, what, ADMIN_LABEL)
        )


def quorum_after(monmap: list[str], quorum: list[str], removed: list[str]) -> tuple[list[str], list[str], bool]:
    """The monmap and the quorum once ``removed`` are gone, and whether a majority of that monmap is in quorum."""
    left = [m for m in monmap if m not in removed]
    in_quorum = [m for m in quorum if m not in removed]
    return left, in_quorum, bool(left) and len(in_quorum) * 2 > len(left)


def refuse_quorum_loss(mod: CephModule, name: str, mons: list[str]) -> None:
    """Removing the mons ``mons`` must leave a majority of the remaining monmap in quorum."""
    monmap, quorum = mon_quorum(mod.runner)
    left, in_quorum, ok = quorum_after(monmap, quorum, mons)
    if not ok:
        raise CephError(
            'removing %s (mon %s) would leave %d mon(s) in quorum (%s) of a monmap of %d: the cluster would '
            'lose its quorum; add or repair mons first'
            % (name, ', '.join(mons), len(in_quorum), ', '.join(in_quorum) or 'none', len(left)),
            quorum=quorum,
        )


def host_daemons(mod: CephModule, name: str) -> list[str]:
    return sorted(daemon_name(d) for d in orch_daemons(mod.runner, name))


def plan(params: dict[str, t.Any], current: dict[str, t.Any]) -> tuple[list[list[str]], dict[str, t.Any]]:
    """Commands that bring the host to the wanted state, and the predicted host."""
    name = params['name']
    state = params['state']
    wanted = sorted(set(params['labels'] or []))
    cmds: list[list[str]] = []
    after = dict(current) if current else {'name': name, 'addr': params['address'] or name, 'labels': [], 'status': ''}
    if not current:
        add = ['orch', 'host', 'add', name]
        if params['address']:
            add.append(params['address'])
        cmds.append(add)
    elif params['address'] and current.get('addr') != params['address']:
        cmds.append(['orch', 'host', 'set-addr', name, params['address']])
        after['addr'] = params['address']
    have = set(after['labels'])
    for label in wanted:
        if label not in have:
            cmds.append(['orch', 'host', 'label', 'add', name, label])
    labels = set(have) | set(wanted)
    if params['labels_mode'] == 'exact' and params['labels'] is not None:
        keep = set(wanted) | ({NO_SCHEDULE} if state == 'drained' else set())
        keep |= {ADMIN_LABEL} if params['keep_admin'] else set()
        for label in sorted(have - keep):
            cmds.append(['orch', 'host', 'label', 'rm', name, label])
        labels = labels & keep
    if state == 'drained' and NO_SCHEDULE not in labels:
        cmds.append(['orch', 'host', 'drain', name])
        labels.add(NO_SCHEDULE)
    after['labels'] = sorted(labels)
    return cmds, after


def manage_many(mod: CephModule) -> dict[str, t.Any]:
    """O(hosts): one read for every host, each host's commands, one read of the result."""
    params, runner = mod.params, mod.runner
    hosts = orch_hosts(runner)
    plans = []
    for entry in params['hosts']:
        current = host_view(find_host(hosts, entry['name']))
        cmds, after = plan(dict(params, **entry), current)
        plans.append((entry['name'], current, cmds, after))
    admins_before = admin_hosts(hosts)
    admins_after = [n for n in admins_before if n not in [p[0] for p in plans]]
    admins_after += [name for name, _current, _cmds, after in plans if ADMIN_LABEL in after['labels']]
    if admins_before and not admins_after:
        raise CephError(
            'the call would remove the %s label from %s, every host that has it: no host would keep the admin '
            'keyring (/etc/ceph/ceph.client.admin.keyring); keep %s on one of them'
            % (ADMIN_LABEL, ', '.join(admins_before), ADMIN_LABEL)
        )
    cmds = [cmd for _name, _current, host_cmds, _after in plans for cmd in host_cmds]
    result: dict[str, t.Any] = {
        'changed': bool(cmds),
        'added': [name for name, current, _cmds, _after in plans if not current],
    }
    if cmds and mod.check_mode:
        result['preview'] = cmds
    elif cmds:
        for cmd in cmds:
            runner.ceph(cmd)
        hosts = orch_hosts(runner)
        plans = [(n, c, h, host_view(find_host(hosts, n)) or a) for n, c, h, a in plans]
    result['hosts'] = [dict(after, changed=bool(host_cmds)) for _name, _current, host_cmds, after in plans]
    if mod.diff:
        result['diff'] = {
            'before': {n: {k: v for k, v in c.items() if k != 'status'} for n, c, _h, _a in plans if c},
            'after': {n: {k: v for k, v in a.items() if k != 'status'} for n, _c, _h, a in plans},
        }
    return result


def manage(mod: CephModule) -> dict[str, t.Any]:
    params, runner = mod.params, mod.runner
    if params['hosts'] is not None:
        return manage_many(mod)
    name = params['name']
    hosts = orch_hosts(runner)
    current = host_view(find_host(hosts, name))
    result: dict[str, t.Any] = {'changed': False}
    before_diff = {k: v for k, v in current.items() if k != 'status'}

    if params['state'] == 'absent':
        if not current:
            result.update(host={}, daemons=[])
        else:
            refuse_last_admin(hosts, name, 'removing it')
            daemons = host_daemons(mod, name)
            result['daemons'] = daemons
            if daemons and not params['force']:
                raise CephError(
                    'host %s still runs %d daemon(s) (%s): drain it first (state=drained) or set '
                    'force=true to remove it anyway%s'
                    % (name, len(daemons), ', '.join(daemons), ' (with offline=true)' if params['offline'] else ''),
                    daemons=daemons,
                )
            mons = [d.split('.', 1)[1] for d in daemons if d.startswith('mon.')]
            if mons:
                refuse_quorum_loss(mod, name, mons)
            rm = ['orch', 'host', 'rm', name] + (['--force'] if params['force'] or params['offline'] else [])
            rm += ['--offline'] if params['offline'] else []
            if mod.check_mode:
                result['preview'] = [rm]
            else:
                runner.ceph(rm)
            result.update(changed=True, host={})
        if mod.diff:
            result['diff'] = {'before': before_diff, 'after': {}}
        return result

    cmds, after = plan(params, current)
    if ADMIN_LABEL in current.get('labels', []) and ADMIN_LABEL not in after['labels']:
        refuse_last_admin(hosts, name, 'removing its %s label' % ADMIN_LABEL)
    if cmds:
        result['changed'] = True
        if mod.check_mode:
            result['preview'] = cmds
        else:
            for cmd in cmds:
                runner.ceph(cmd)
            after = current_host(mod, name) or after
    result['host'] = after
    if params['state'] == 'drained':
        result['daemons'] = host_daemons(mod, name) if current else []
    if mod.diff:
        result['diff'] = {'before': before_diff, 'after': {k: v for k, v in after.items() if k != 'status'}}
    return result


def main() -> None:
    CephModule(
        {
            'name': {'type': 'str'},
            'hosts': {
                'type': 'list',
                'elements': 'dict',
                'options': {
                    'name': {'type': 'str', 'required': True},
                    'address': {'type': 'str'},
                    'labels': {'type': 'list', 'elements': 'str'},
                },
            },
            'address': {'type': 'str'},
            'labels': {'type': 'list', 'elements': 'str'},
            'labels_mode': {'type': 'str', 'choices': ['add', 'exact'], 'default': 'add'},
            'state': {'type': 'str', 'choices': ['present', 'absent', 'drained'], 'default': 'present'},
            'force': {'type': 'bool', 'default': False},
            'offline': {'type': 'bool', 'default': False},
            'keep_admin': {'type': 'bool', 'default': True},
        },
        validate=validate,
        required_one_of=[('name', 'hosts')],
        mutually_exclusive=[('name', 'hosts'), ('address', 'hosts'), ('labels', 'hosts')],
    ).run(manage)


if __name__ == '__main__':
    main()
