#!/usr/bin/python
# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: ceph_cluster_wait
short_description: Wait until a cephadm-managed Ceph cluster reaches a health gate
version_added: 0.2.0
description:
  - Polls the cluster in one call until the gate holds, and returns what it waited for and how long.
  - Each look reads only what the gate is judged on (one or two C(ceph) commands), through one runner, so
    a host without the C(ceph) CLI starts one helper container for the whole wait, not one per look.
  - A C(ceph) command that fails while waiting (a mon restarting, no quorum yet), or takes more than 30 seconds
    (at most O(timeout)), counts as "not yet".
  - When the gate does not hold by O(wait_timeout), the module fails with the gate's reason and what the
    cluster says (health and its checks, quorum, hosts, OSDs up).
author:
  - cephkit maintainers (@cephkit)
options:
  gate:
    description:
      - V(quorum) - the mons of O(mons) are in quorum (exactly them, or at least them with
        O(mons_exact=false)), and with O(mgr_count) an active, available mgr and that many mgr daemons.
      - V(hosts) - every host of O(hosts) is known to the orchestrator, online, with at least its labels (and its
        address, when given).
      - V(osds) - at least O(osd_count) OSDs are up and in.
      - V(health) - C(HEALTH_OK), or C(HEALTH_WARN) with only the checks of O(allowed_warnings).
    type: str
    required: true
    choices: [quorum, hosts, osds, health]
  mons:
    description: V(quorum) gate, the mon names that must be in quorum.
    type: list
    elements: str
    default: []
  mons_exact:
    description: V(quorum) gate, whether the quorum must be exactly O(mons) (V(false) - at least them).
    type: bool
    default: true
  mgr_count:
    description: V(quorum) gate, how many mgr daemons (active and standbys) there must be; V(0) - no mgr check.
    type: int
    default: 0
  hosts:
    description: V(hosts) gate, the hosts that must be known to the orchestrator.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The host name as the orchestrator knows it.
        type: str
        required: true
      labels:
        description: Labels the host must carry (at least these).
        type: list
        elements: str
        default: []
      address:
        description: The address the orchestrator must have for the host; not compared when not given.
        type: str
  osd_count:
    description: V(osds) gate, how many OSDs must be up and in.
    type: int
    default: 0
  allowed_warnings:
    description: V(health) gate, health checks that may stay active (at severity C(HEALTH_WARN) only).
    type: list
    elements: str
    default: []
  stable_for:
    description:
      - Seconds the gate must hold, look after look, before the module returns; a look where it does not hold
        starts the count again. V(0) returns at the first look where it holds.
      - For right after OSDs were created or brought back, when the cluster still reports placement groups from
        before they joined (the mgr reports them every few seconds) and they may still go through degraded
        states (the role C(cephkit_osds) asks for it then, through C(site.yml)).
    type: int
    default: 0
extends_documentation_fragment:
  - cephkit.cephadm.cephadm
  - cephkit.cephadm.cephadm.wait
  - cephkit.cephadm.cephadm.attributes
attributes:
  check_mode:
    support: full
    details: In check mode the module looks once and returns whether the gate holds now (RV(reached)), without waiting or failing.
  diff_mode:
    support: none
  idempotent:
    support: full
notes:
  - The same rules judge a M(cephkit.cephadm.ceph_cluster_info) result in the P(cephkit.cephadm.cluster_gate#filter) filter.
seealso:
  - module: cephkit.cephadm.ceph_cluster_info
  - plugin: cephkit.cephadm.cluster_gate
    plugin_type: filter
'''

EXAMPLES = r'''
- name: Wait for HEALTH_OK, a warning about pool replicas allowed
  cephkit.cephadm.ceph_cluster_wait:
    gate: health
    allowed_warnings: [POOL_NO_REDUNDANCY]
    wait_timeout: 600

- name: Wait until the three mons are in quorum and two mgrs run
  cephkit.cephadm.ceph_cluster_wait:
    gate: quorum
    mons: [ceph1, ceph2, ceph3]
    mgr_count: 2

- name: Wait until six OSDs are up and in
  cephkit.cephadm.ceph_cluster_wait:
    gate: osds
    osd_count: 6
  register: osds

- name: Say how long it took
  ansible.builtin.debug:
    msg: "{{ osds.polls }} looks in {{ osds.waited }} s"
'''

RETURN = r'''
gate:
  description: The gate that was waited for.
  returned: always
  type: str
  sample: health
reached:
  description: Whether the gate holds (always V(true) on success outside check mode).
  returned: always
  type: bool
  sample: true
reason:
  description: What is still missing, empty when the gate holds.
  returned: always
  type: str
  sample: "HEALTH_WARN (OSD_DOWN: 1 osds down)"
waited:
  description: Seconds waited, from the first look to the last.
  returned: always
  type: float
  sample: 12.4
polls:
  description: How many times the cluster was looked at.
  returned: always
  type: int
  sample: 4
health:
  description: Health at the last look (gates quorum and health), as M(cephkit.cephadm.ceph_cluster_info) returns it.
  returned: when read
  type: dict
  sample: {"status": "HEALTH_OK", "checks": {}}
mons:
  description: Mon quorum at the last look (gates quorum and health).
  returned: when read
  type: dict
  sample: {"quorum": ["ceph1", "ceph2", "ceph3"], "count": 3}
mgrs:
  description: The active mgr and the standbys at the last look (gate quorum).
  returned: when read
  type: dict
  sample: {"active": "ceph1.abcdef", "available": true, "standbys": ["ceph2.ghijkl"]}
hosts:
  description: The orchestrator's hosts at the last look (gate hosts).
  returned: when read
  type: list
  elements: dict
  sample: [{"name": "ceph1", "addr": "10.89.0.11", "labels": ["_admin"], "status": ""}]
osds:
  description: The OSDs of the OSD map at the last look (gate osds); C(devices) is empty here.
  returned: when read
  type: list
  elements: dict
  sample: [{"id": 0, "name": "osd.0", "host": "ceph1", "up": true, "in": true, "status": "up", "device_class": "hdd",
            "devices": []}]
cmds:
  description: Every command the module ran, as argv lists with secrets masked.
  returned: always
  type: list
  elements: list
  sample: [["/usr/bin/ceph", "status", "--format", "json"]]
containers_started:
  description: Number of helper containers the module started (and removed) during this call; 0 or 1.
  returned: always
  type: int
  sample: 0
'''

import json
import time
import typing as t

from ansible_collections.cephkit.cephadm.plugins.module_utils._ceph import (
    CephCommandError,
    CephInputError,
    CephParseError,
    CephWaitTimeout,
    validate_label,
    wait_argument_spec,
)
from ansible_collections.cephkit.cephadm.plugins.module_utils._gates import (
    EVERYTHING,
    GATES,
    READS,
    gate_reason,
    read_cluster,
)
from ansible_collections.cephkit.cephadm.plugins.module_utils._module import CephModule

# A look that takes longer (a ceph command waiting for a mon that is restarting) counts as "not yet".
LOOK_TIMEOUT = 30

ARGUMENT_SPEC: dict[str, dict[str, t.Any]] = {
    'gate': {'type': 'str', 'required': True, 'choices': list(GATES)},
    'mons': {'type': 'list', 'elements': 'str', 'default': []},
    'mons_exact': {'type': 'bool', 'default': True},
    'mgr_count': {'type': 'int', 'default': 0},
    'hosts': {
        'type': 'list',
        'elements': 'dict',
        'default': [],
        'options': {
            'name': {'type': 'str', 'required': True},
            'labels': {'type': 'list', 'elements': 'str', 'default': []},
            'address': {'type': 'str'},
        },
    },
    'osd_count': {'type': 'int', 'default': 0},
    'allowed_warnings': {'type': 'list', 'elements': 'str', 'default': []},
    'stable_for': {'type': 'int', 'default': 0},
    **wait_argument_spec(),
}


def validate(params: dict[str, t.Any]) -> None:
    for option in ('mgr_count', 'osd_count', 'stable_for'):
        if params[option] < 0:
            raise CephInputError('%s=%r: expected a count of 0 or more' % (option, params[option]))
    for host in params['hosts']:
        for label in host['labels']:
            validate_label(label, 'hosts[%s].labels' % host['name'])


def expectations(params: dict[str, t.Any]) -> dict[str, t.Any]:
    return {
        'mons': params['mons'],
        'mons_exact': params['mons_exact'],
        'mgr_count': params['mgr_count'],
        'hosts': params['hosts'],
        'osd_count': params['osd_count'],
        'allowed_warnings': params['allowed_warnings'],
    }


def said(info: dict[str, t.Any]) -> str:
    """What the cluster says, for a failure message."""
    parts = []
    if 'health' in info:
        parts.append('Health: %s.' % json.dumps(info['health'], sort_keys=True))
        parts.append('Quorum: %s.' % json.dumps(info['mons'].get('quorum', [])))
    if 'hosts' in info:
        parts.append('Hosts: %s.' % json.dumps(info['hosts']))
    if 'osds' in info:
        osds = info['osds']
        parts.append(
            'OSDs: %s, up: %s.'
            % (json.dumps([o['name'] for o in osds]), json.dumps([o['name'] for o in osds if o['up']]))
        )
    return ' '.join(parts)


def wait(mod: CephModule) -> dict[str, t.Any]:
    params = mod.params
    gate = params['gate']
    expect = expectations(params)
    state: dict[str, t.Any] = {'info': {}, 'reason': 'no answer yet', 'polls': 0, 'since': None}
    start = time.monotonic()

    def held() -> bool:
        """Whether the gate, which holds at this look, has held for stable_for seconds (since the first such look)."""
        now = time.monotonic()
        state['since'] = now if state['since'] is None else state['since']
        left = float(params['stable_for']) - (now - float(state['since']))
        if left > 0:
            state['reason'] = 'it holds, and must hold %d s more (stable_for=%d)' % (round(left), params['stable_for'])
        return left <= 0

    def look() -> bool | None:
        state['polls'] += 1
        try:
            state['info'] = read_cluster(mod.runner, READS[gate], timeout=min(LOOK_TIMEOUT, params['timeout']))
        except (CephCommandError, CephParseError) as exc:
            # a mon restarting, no quorum yet, the orchestrator busy: not yet
            state['reason'] = 'the cluster did not answer: %s' % exc.msg.splitlines()[0][:500]
            return True if mod.check_mode else None
        state['reason'] = gate_reason(state['info'], gate, expect)
        if state['reason']:
            state['since'] = None
        elif not mod.check_mode and not held():
            return None
        return True if (mod.check_mode or not state['reason']) else None

    try:
        mod.wait(look, lambda: state['reason'])
    except CephWaitTimeout:
        try:
            everything = read_cluster(mod.runner, EVERYTHING)
        except (CephCommandError, CephParseError) as exc:
            everything = {}
            state['reason'] += '; reading the cluster for this message failed: %s' % exc.msg.splitlines()[0][:300]
        msg = 'The %s gate did not hold after %d s (%d looks): %s. %s' % (
            gate,
            params['wait_timeout'],
            state['polls'],
            state['reason'],
            said(everything),
        )
        raise CephWaitTimeout(
            msg.strip(),
            gate=gate,
            reached=False,
            reason=state['reason'],
            polls=state['polls'],
            waited=round(time.monotonic() - start, 1),
            **everything,
        ) from None
    result: dict[str, t.Any] = {
        'changed': False,
        'gate': gate,
        'reached': not state['reason'],
        'reason': state['reason'],
        'waited': round(time.monotonic() - start, 1),
        'polls': state['polls'],
    }
    result.update(state['info'])
    return result


def main() -> None:
    CephModule(ARGUMENT_SPEC, validate=validate).run(wait)


if __name__ == '__main__':
    main()
