#!/usr/bin/python
# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: ceph_osd_activate
short_description: Bring back the existing OSDs of a host whose OS was reinstalled
version_added: 0.1.0
description:
  - After the operating system of a host was reinstalled, or C(cephadm rm-cluster) ran on it without
    zapping the OSD disks, the disks still hold their OSDs and the OSD map still places them on the host,
    but no OSD daemon runs there. This module finds those OSDs and has the orchestrator deploy their
    daemons again (C(ceph cephadm osd activate HOST)), which scans the host with C(ceph-volume lvm list)
    and C(ceph-volume raw list) and deploys a daemon for every OSD of this cluster it finds.
  - An OSD is missing when the CRUSH map places it under the host bucket named O(host) (and it is not
    destroyed) but the orchestrator lists no daemon for it on O(host) (C(ceph orch ps HOST --daemon_type osd)).
    The CRUSH host bucket carries the host's short name, as the orchestrator names the host.
  - cephadm rescans the daemons of a host every 10 minutes; until then it still lists the daemons that vanished with
    the reinstall, and C(ceph cephadm osd activate) skips OSDs it has a daemon listed for. When an OSD of the host is
    down in the OSD map while the orchestrator lists its daemon, the module asks for a rescan
    (C(ceph orch ps HOST --refresh)) and waits for it (at most O(wait_timeout)) before deciding.
  - When nothing is missing, the module reports no change and runs nothing. Otherwise it activates the host and,
    with O(wait=true), waits until every missing OSD has a running daemon and is up in the OSD map.
  - With O(hosts), checks several hosts in one call; one read of the hosts, the OSD map and the orchestrator's OSD
    daemons serves all of them; only a host with missing OSDs is activated.
  - Runs on an admin host of the cluster. The host must already be a host of the orchestrator
    (role C(cephkit_hosts) or module M(cephkit.cephadm.ceph_orch_host) adds it back after a reinstall).
author:
  - cephkit maintainers (@cephkit)
options:
  host:
    description:
      - Host whose OSDs are activated, as the orchestrator names it.
      - Required unless O(hosts) is given.
    type: str
  hosts:
    description:
      - Several hosts, instead of O(host); each is handled as O(host) is.
    type: list
    elements: str
  wait:
    description:
      - Wait until every activated OSD has a running daemon and is up in the OSD map.
    type: bool
    default: true
extends_documentation_fragment:
  - cephkit.cephadm.cephadm
  - cephkit.cephadm.cephadm.wait
  - cephkit.cephadm.cephadm.attributes
attributes:
  check_mode:
    support: full
    details: Reads the OSD map and the orchestrator's daemons, returns the OSD ids that would be activated, runs nothing.
  diff_mode:
    support: full
  idempotent:
    support: full
seealso:
  - module: cephkit.cephadm.ceph_osd_device
  - module: cephkit.cephadm.ceph_cluster_info
'''

EXAMPLES = r'''
- name: Bring back the OSDs of ceph3 after its OS was reinstalled
  cephkit.cephadm.ceph_osd_activate:
    host: ceph3

- name: Which OSDs of ceph3 have no daemon (changes nothing)
  cephkit.cephadm.ceph_osd_activate:
    host: ceph3
  check_mode: true
  register: activate

- name: Every OSD host of the play in one call (one read of the cluster for all)
  cephkit.cephadm.ceph_osd_activate:
    hosts: [ceph1, ceph2, ceph3]
  run_once: true

- name: Activate without waiting for the OSDs to boot
  cephkit.cephadm.ceph_osd_activate:
    host: ceph3
    wait: false
'''

RETURN = r'''
osd_ids:
  description: OSDs that were activated (in check mode, that would be activated); empty when none was missing.
  returned: success
  type: list
  elements: int
  sample: [2, 5]
host:
  description: The host.
  returned: without O(hosts)
  type: str
  sample: ceph3
hosts:
  description: With O(hosts), each host with the OSDs activated there (to be activated, in check mode).
  returned: with O(hosts)
  type: list
  elements: dict
  contains:
    host:
      description: The host.
      type: str
      sample: ceph3
    osd_ids:
      description: OSDs activated on the host.
      type: list
      elements: int
      sample: [2, 5]
preview:
  description: Commands that would run, in check mode (argv lists, as in RV(cmds)).
  returned: in check mode when OSDs would be activated
  type: list
  elements: list
  sample: [["cephadm", "osd", "activate", "ceph3"]]
diff:
  description: OSD daemons of the host (of each host, with O(hosts)) before and after.
  returned: when diff mode is on
  type: dict
  sample: {"before": {"ceph3": []}, "after": {"ceph3": ["osd.2", "osd.5"]}}
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
stdout:
  description: What C(ceph cephadm osd activate) printed.
  returned: when OSDs were activated
  type: str
  sample: Created osd(s) 2,5 on host 'ceph3'
'''

import re
import typing as t

from ansible_collections.cephkit.cephadm.plugins.module_utils._ceph import (
    CephError,
    CephInputError,
    CephWaitTimeout,
    validate_hostname,
    validate_min,
    wait_argument_spec,
)
from ansible_collections.cephkit.cephadm.plugins.module_utils._cluster import orch_daemons, orch_hosts, osd_map
from ansible_collections.cephkit.cephadm.plugins.module_utils._module import CephModule

Daemons = dict[int, dict[str, t.Any]]


def validate(params: dict[str, t.Any]) -> None:
    if params['hosts'] is not None:
        for index, host in enumerate(params['hosts']):
            validate_hostname(host, 'hosts[%d]' % index)
        if len(set(params['hosts'])) != len(params['hosts']):
            raise CephInputError('hosts %r lists a host twice' % (params['hosts'],))
    else:
        validate_hostname(params['host'], 'host')
    validate_min(params, 'wait_timeout', 'poll_interval')


def osd_daemons(mod: CephModule, host: str, refresh: bool = False) -> Daemons:
    """OSD daemons the orchestrator lists on ``host`` (its cache): id -> daemon."""
    return {
        int(d['daemon_id']): d
        for d in orch_daemons(mod.runner, host, 'osd', refresh)
        if str(d.get('daemon_id', '')).isdigit()
    }


def fresh_daemons(mod: CephModule, host: str, in_map: dict[int, str], daemons: Daemons | None = None) -> Daemons:
    """The orchestrator's OSD daemons of ``host``, refreshed when the cache disagrees with the OSD map.

    cephadm refreshes its list of a host's daemons every 10 minutes (mgr/cephadm/daemon_cache_timeout);
    right after the daemons of a host vanished (rm-cluster, reinstall) it still lists them as running, and
    ``ceph cephadm osd activate`` skips every OSD it has a daemon cached for. When an OSD of the host is down
    in the OSD map while a daemon is cached for it, the module asks for a refresh (``--refresh``, done in the
    background) and polls until the cached entries of those daemons changed or went away.
    """
    daemons = osd_daemons(mod, host) if daemons is None else daemons
    suspect = {i: daemons[i].get('last_refresh') for i in daemons if in_map.get(i) == 'down'}
    if not suspect:
        return daemons
    first = True  # the first probe asks for the refresh, the later ones read what it brought

    def probe() -> Daemons | None:
        nonlocal first, daemons
        refresh, first = first, False
        daemons = osd_daemons(mod, host, refresh=refresh)
        rescanned = all(i not in daemons or daemons[i].get('last_refresh') != r for i, r in suspect.items())
        return daemons if not refresh and rescanned else None

    try:
        return mod.wait(probe, lambda: 'no rescan')
    except CephWaitTimeout:
        mod.warn(
            'osd(s) %s of %s are down but the orchestrator still lists their daemons from its last scan of the '
            'host; it did not rescan it in %d seconds'
            % (', '.join(map(str, sorted(suspect))), host, mod.params['wait_timeout'])
        )
        return daemons


def names(ids: t.Iterable[int]) -> list[str]:
    return ['osd.%d' % i for i in sorted(ids)]


def wait_up(mod: CephModule, host: str, ids: list[int]) -> Daemons:
    """Poll until every id has a running daemon on ``host`` and is up in the OSD map; returns the daemons."""
    pending: list[int] = list(ids)

    def probe() -> Daemons | None:
        daemons = osd_daemons(mod, host, refresh=True)
        pending[:] = [i for i in ids if daemons.get(i, {}).get('status_desc') != 'running']
        if not pending:
            in_map = osd_map(mod.runner).on_host(host)
            pending[:] = [i for i in ids if in_map.get(i) != 'up']
        return None if pending else daemons

    return mod.wait(
        probe,
        lambda: 'osd(s) %s of %s were activated but are not running and up' % (', '.join(map(str, pending)), host),
        changed=True,
        osd_ids=ids,
    )


def activate(mod: CephModule) -> dict[str, t.Any]:
    runner = mod.runner
    many = mod.params['hosts'] is not None
    hosts = list(mod.params['hosts']) if many else [mod.params['host']]
    known = [str(h.get('hostname')) for h in orch_hosts(runner)]
    unknown = [h for h in hosts if h not in known]
    if unknown:
        raise CephError(
            'host %s is not a host of the orchestrator (hosts: %s): add it first (ceph_orch_host)'
            % (', '.join(unknown), ', '.join(known) or 'none')
        )
    tree = osd_map(runner)
    # with several hosts, one read of the orchestrator's OSD daemons serves them all
    cached: dict[str, Daemons] | None = None
    if many:
        cached = {h: {} for h in hosts}
        for d in orch_daemons(runner, None, 'osd'):
            if d.get('hostname') in cached and str(d.get('daemon_id', '')).isdigit():
                cached[str(d['hostname'])][int(d['daemon_id'])] = d
    plans = []
    for host in hosts:
        in_map = tree.on_host(host)
        daemons = fresh_daemons(mod, host, in_map, None if cached is None else cached[host])
        plans.append((host, daemons, sorted(set(in_map) - set(daemons))))
    result: dict[str, t.Any] = {'changed': any(missing for _h, _d, missing in plans)}
    before = {host: names(daemons) for host, daemons, _missing in plans}
    after = {host: names(set(daemons) | set(missing)) for host, daemons, missing in plans}
    cmds = [['cephadm', 'osd', 'activate', host] for host, _daemons, missing in plans if missing]
    outs = []
    if cmds and mod.check_mode:
        result['preview'] = cmds
    for host, _daemons, missing in plans if cmds and not mod.check_mode else []:
        if missing:
            outs.append(activate_host(mod, host, missing))
    for host, _daemons, missing in plans if cmds and not mod.check_mode and mod.params['wait'] else []:
        if missing:
            after[host] = names(wait_up(mod, host, missing))
    if outs:
        result['stdout'] = '\n'.join(outs)
    result['osd_ids'] = sorted(i for _h, _d, missing in plans for i in missing)
    if many:
        result['hosts'] = [{'host': host, 'osd_ids': missing} for host, _daemons, missing in plans]
    else:
        result['host'] = hosts[0]
    if mod.diff:
        result['diff'] = {'before': before, 'after': after}
    return result


def activate_host(mod: CephModule, host: str, missing: list[int]) -> str:
    """``ceph cephadm osd activate HOST``, which must deploy every OSD of ``missing``; returns what it printed."""
    out = mod.runner.ceph(['cephadm', 'osd', 'activate', host]).stdout.strip()
    match = re.search(r'Created osd\(s\) ([0-9,]+)', out)
    created = {int(i) for i in match.group(1).split(',') if i} if match else set()
    absent = [i for i in missing if i not in created]
    if absent:
        raise CephError(
            'ceph cephadm osd activate %s did not deploy osd(s) %s: %s (the orchestrator deploys only OSDs '
            'it finds with ceph-volume on the host and for which it has no daemon cached)'
            % (host, ', '.join(map(str, absent)), out or 'no output'),
            changed=bool(created),
            osd_ids=sorted(created),
            stdout=out,
        )
    return out


def main() -> None:
    CephModule(
        {
            'host': {'type': 'str'},
            'hosts': {'type': 'list', 'elements': 'str'},
            'wait': {'type': 'bool', 'default': True},
            **wait_argument_spec(),
        },
        validate=validate,
        required_one_of=[('host', 'hosts')],
        mutually_exclusive=[('host', 'hosts')],
    ).run(activate)


if __name__ == '__main__':
    main()
