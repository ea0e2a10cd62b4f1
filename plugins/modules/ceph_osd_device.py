#!/usr/bin/python
# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: ceph_osd_device
short_description: Create, remove or zap the OSDs on devices of a cephadm-managed cluster
version_added: 0.1.0
description:
  - V(present) creates an OSD on a device of a host (C(ceph orch daemon add osd HOST:DEVICE [raw])) and waits
    (O(wait_timeout)) until the OSD reports its metadata. With O(devices) (or O(all_available=true)), the
    devices of the host that carry no OSD yet get theirs in one orchestrator call
    (C(HOST:DEV1,DEV2)), and one wait for all of them.
    A device that already carries an OSD of this cluster is fine. A device cephadm will not take fails
    with cephadm's own C(rejected_reasons). A device the orchestrator does not list (added since its last
    scan) makes the module rescan the host once and wait up to 60 seconds (at most O(wait_timeout)) before
    failing. Give the kernel name the orchestrator lists (V(/dev/sdb)); OSD metadata and CRUSH name hosts
    short, and the module matches them with an FQDN O(host).
  - With O(method=raw), V(present) refuses while the host has destroyed OSD ids kept for a replacement.
    cephadm 16.2 claims them for the new OSD, but C(ceph-volume raw prepare) cannot reuse an id, so the OSD
    would not be created. Purge those ids first, or use O(method=lvm), with which the id is reused.
  - V(absent) removes the OSDs on the device (C(ceph orch osd rm)) and waits until the removal is done.
    It refuses unless C(ceph osd safe-to-destroy) agrees or O(force=true). Once cephadm has drained and
    stopped an OSD, the module marks it out (C(ceph osd out)) so that the removal does not wait for the
    mons to do so (10 minutes by default).
  - V(zapped) wipes the device (C(ceph orch device zap)) when it carries Ceph data (a bluestore label, Ceph's
    logical volumes, as a stale OSD leaves). A device with nothing on it (available, or only too small or of a type
    cephadm does not take) is left as it is. It refuses while an OSD of the cluster uses the device, while the
    device is C(locked) (in use), and when it carries data that is not Ceph's (a file system, partitions, other
    logical volumes), unless O(force=true).
  - With O(hosts) (V(present) only), the devices of several hosts in one call, with one read of the OSD map and
    metadata for all, the device inventory read only where a device lacks its OSD (one read for all hosts), one
    orchestrator call per host that needs OSDs, and one wait for all of them.
  - Runs on an admin host of the cluster.
author:
  - cephkit maintainers (@cephkit)
options:
  host:
    description:
      - Host of the device, as the orchestrator names it.
      - Required unless O(hosts) is given.
    type: str
  hosts:
    description:
      - With O(state=present), several hosts with their devices, instead of O(host), O(device), O(devices) and
        O(all_available); O(method) applies to all of them.
    type: list
    elements: dict
    suboptions:
      host:
        description: The host, as the orchestrator names it.
        type: str
        required: true
      devices:
        description: As O(devices), for this host.
        type: list
        elements: str
      all_available:
        description: As O(all_available), for this host.
        type: bool
        default: false
  device:
    description:
      - Device path on O(host), for example V(/dev/sdb).
      - Required unless O(devices) is given or O(all_available=true).
    type: str
  devices:
    description:
      - With O(state=present), several device paths of O(host), an OSD on each; those missing are created in
        one orchestrator call. Excludes O(device) and O(all_available).
    type: list
    elements: str
  all_available:
    description:
      - With O(state=present), create an OSD on every device of O(host) that the orchestrator reports
        as available, in one orchestrator call (no service spec is created).
    type: bool
    default: false
  method:
    description:
      - V(lvm) (ceph-volume's LVM OSDs) or V(raw) (raw-mode OSDs, no device-mapper needed).
    type: str
    choices: [lvm, raw]
    default: lvm
  state:
    description:
      - V(present), V(absent) or V(zapped), see the description.
    type: str
    choices: [present, absent, zapped]
    default: present
  replace:
    description:
      - With O(state=absent), keep the OSD id for a new disk (C(ceph orch osd rm --replace)). The OSD is
        marked destroyed instead of being purged.
    type: bool
    default: false
  zap:
    description:
      - With O(state=absent), wipe the device once the OSD is removed (C(--zap)).
    type: bool
    default: false
  force:
    description:
      - With O(state=absent), go ahead even when C(ceph osd safe-to-destroy) disagrees. cephadm then drains the
        OSD (its placement groups move to other OSDs) and destroys it only once that is done, which the module
        waits for within O(wait_timeout).
      - With O(state=zapped), wipe the device even while an OSD of the cluster uses it, while it is locked, or
        when it carries data that is not Ceph's (that data is lost).
    type: bool
    default: false
  mgr_failover:
    description:
      - With O(state=present), when the mgr fails C(ceph orch daemon add osd) with an internal error of its Python
        module (it answers with the module's traceback, a fault of the mgr process rather than of the request), fail
        the active mgr over (C(ceph mgr fail)), wait (O(wait_timeout)) until another mgr process is active and its
        orchestrator answers, and make the call again once for the devices still without their OSD. The result
        lists each failover in RV(mgr_failovers), and a warning says it.
      - V(false) fails with the mgr's error and says so.
      - Seen with Ceph builds on Python 3.12 and later, whose mgr shares objects between the subinterpreters of its
        modules; upstream's container images (Python 3.9) are not affected.
    type: bool
    default: false
extends_documentation_fragment:
  - cephkit.cephadm.cephadm
  - cephkit.cephadm.cephadm.wait
  - cephkit.cephadm.cephadm.attributes
attributes:
  check_mode:
    support: full
    details: Reads the OSD map and the device inventory, predicts the OSDs created or removed, runs nothing.
  diff_mode:
    support: full
  idempotent:
    support: full
seealso:
  - module: cephkit.cephadm.ceph_cluster_info
  - module: cephkit.cephadm.ceph_orch_apply
'''

EXAMPLES = r'''
- name: Raw OSD on a loop device (no device-mapper)
  cephkit.cephadm.ceph_osd_device:
    host: ceph1
    device: /dev/loop10
    method: raw

- name: Raw OSDs on two devices of a host, in one orchestrator call
  cephkit.cephadm.ceph_osd_device:
    host: ceph2
    devices: [/dev/sdb, /dev/sdc]
    method: raw

- name: The OSDs of every host in one call (one read of the cluster, one wait for all)
  cephkit.cephadm.ceph_osd_device:
    hosts:
      - {host: ceph1, devices: [/dev/sdb, /dev/sdc]}
      - {host: ceph2, devices: [/dev/sdb]}
      - {host: ceph3, all_available: true}
  run_once: true

- name: Replace a failed disk, keeping the OSD id
  cephkit.cephadm.ceph_osd_device:
    host: ceph2
    device: /dev/sdc
    state: absent
    replace: true
    zap: true

- name: Wipe a device that no OSD uses
  cephkit.cephadm.ceph_osd_device:
    host: ceph3
    device: /dev/sdd
    state: zapped
'''

RETURN = r'''
osd_ids:
  description: OSDs on the device(s) after the call (V(present)), or removed / to be removed (V(absent)).
  returned: success
  type: list
  elements: int
  sample: [3]
host:
  description: The host.
  returned: without O(hosts)
  type: str
  sample: ceph1
hosts:
  description: With O(hosts), each host with its devices and the OSDs on them after the call (predicted in check
    mode), and whether OSDs were created there.
  returned: with O(hosts)
  type: list
  elements: dict
  contains:
    host:
      description: The host.
      type: str
      sample: ceph1
    devices:
      description: Its devices (with O(hosts[].all_available), those that were available).
      type: list
      elements: str
      sample: [/dev/sdb, /dev/sdc]
    osd_ids:
      description: The OSDs on those devices.
      type: list
      elements: int
      sample: [0, 3]
    changed:
      description: Whether OSDs were created on the host (would be, in check mode).
      type: bool
      sample: false
device:
  description: The device (or the devices, with O(devices) or O(all_available=true), joined by commas).
  returned: without O(hosts)
  type: str
  sample: /dev/loop10
rejected_reasons:
  description: With O(state=zapped), why the orchestrator does not list the device as available, after the call
    (before it in check mode); empty for an available device.
  returned: with O(state=zapped)
  type: list
  elements: str
  sample: ["Insufficient space (<5GB)"]
mgr_failovers:
  description: With O(mgr_failover=true), each failover the module made after a mgr internal error.
  returned: when the mgr was failed over
  type: list
  elements: dict
  contains:
    command:
      description: The call the mgr failed.
      type: list
      elements: str
      sample: [orch, daemon, add, osd, 'node2:/dev/loop2,/dev/loop3', raw]
    error:
      description: The last line of the mgr module's traceback.
      type: str
      sample: "TypeError: ServiceSpec.__init__() got an unexpected keyword argument 'style'"
    failed:
      description: The mgr failed over.
      type: str
      sample: node2.wqizho
    active:
      description: The mgr active after the failover.
      type: str
      sample: node1.jonloo
    retried:
      description: The devices the call was made again for (none when the first call had made their OSDs).
      type: list
      elements: str
      sample: [/dev/loop2, /dev/loop3]
marked_out:
  description: OSDs the module marked out once cephadm had drained and stopped them (see O(state=absent)).
  returned: when OSDs were removed
  type: list
  elements: int
  sample: [3]
preview:
  description: Commands that would run, in check mode.
  returned: in check mode when a change is predicted
  type: list
  elements: list
  sample: [["orch", "daemon", "add", "osd", "ceph1:/dev/loop10", "raw"]]
diff:
  description: OSDs on the device before and after.
  returned: when diff mode is on
  type: dict
  sample: {"before": {"ceph1:/dev/loop10": []}, "after": {"ceph1:/dev/loop10": [3]}}
cmds:
  description: Every command the module ran, as argv lists with secrets masked.
  returned: always
  type: list
  elements: list
  sample: [["/usr/bin/ceph", "osd", "metadata", "--format", "json"]]
containers_started:
  description: Number of helper containers the module started (and removed) during this call; 0 or 1.
  returned: always
  type: int
  sample: 0
'''

import re
import typing as t

from ansible_collections.cephkit.cephadm.plugins.module_utils._ceph import (
    CephCommandError,
    CephError,
    CephInputError,
    CephWaitTimeout,
    poll,
    validate_hostname,
    validate_min,
    wait_argument_spec,
)
from ansible_collections.cephkit.cephadm.plugins.module_utils._cluster import (
    OsdState,
    as_list,
    fail_over_mgr,
    find_device,
    host_devices,
    mgr_internal_error,
    orch_devices,
    osd_removals,
)
from ansible_collections.cephkit.cephadm.plugins.module_utils._module import CephModule


def validate_selection(params: dict[str, t.Any]) -> None:
    """The host, the device selection and the state's options of one host."""
    validate_hostname(params['host'], 'host')
    device, devices = params['device'], params['devices']
    given = [o for o, v in (('device', device), ('devices', devices), ('all_available', params['all_available'])) if v]
    if len(given) > 1:
        raise CephInputError('%s exclude each other: give one' % ' and '.join(given))
    if devices is not None and params['state'] != 'present':
        raise CephInputError('devices is used with state=present only: give one device for state=%s' % params['state'])
    if device is None and not devices and not (params['all_available'] and params['state'] == 'present'):
        raise CephInputError(
            'device is missing: expected a device path such as /dev/sdb '
            '(devices, a list, or all_available=true work with state=present instead)'
        )
    for option, path in [('device', device)] + [('devices', d) for d in devices or []]:
        if path is not None and not re.match(r'^/dev/[A-Za-z0-9_./:-]+$', path):
            raise CephInputError(
                '%s %r is not a device path: expected an absolute path under /dev, such as /dev/sdb' % (option, path)
            )
    if devices and len(set(devices)) != len(devices):
        raise CephInputError('devices %r lists a device twice' % (devices,))
    if params['state'] != 'absent' and (params['replace'] or params['zap']):
        raise CephInputError('replace and zap are used with state=absent only')


def validate(params: dict[str, t.Any]) -> None:
    if params['hosts'] is not None:
        if params['state'] != 'present':
            raise CephInputError(
                'hosts is used with state=present only (now state=%s): name one host' % params['state']
            )
        for index, entry in enumerate(params['hosts']):
            try:
                validate_selection(dict(params, device=None, **entry))
            except CephInputError as exc:
                raise CephInputError('hosts[%d]: %s' % (index, exc.msg)) from None
        names = [entry['host'] for entry in params['hosts']]
        if len(set(names)) != len(names):
            raise CephInputError(
                'hosts lists a host twice (%s): give each host once, with all its devices' % ', '.join(names)
            )
    else:
        validate_selection(params)
    validate_min(params, 'wait_timeout', 'poll_interval')


def present(mod: CephModule) -> dict[str, t.Any]:
    params, runner = mod.params, mod.runner
    many = params['hosts'] is not None
    entries = (
        params['hosts']
        if many
        else [
            {
                'host': params['host'],
                'devices': params['devices'] or [params['device']],
                'all_available': params['all_available'],
            }
        ]
    )
    osds = OsdState(runner)
    # the orchestrator's device inventory, read only where a device lacks its OSD (or all_available asks for it);
    # with several hosts, one read for all of them
    inventories: dict[str, list[dict[str, t.Any]]] = {}

    def inventory_of(host: str) -> list[dict[str, t.Any]]:
        if host not in inventories:
            if many:
                listed = {str(e.get('name')): as_list(e.get('devices')) for e in orch_devices(runner)}
                inventories.update({e['host']: listed.get(e['host'], []) for e in entries})
            else:
                inventories[host] = host_devices(runner, host)
        return inventories[host]

    plans = [plan_host(mod, osds, entry, inventory_of, inventories) for entry in entries]
    todo = [add_command(mod, host, missing) for host, _devices, _before, missing in plans if missing]
    after = {k: v for _host, _devices, before, _missing in plans for k, v in before.items()}
    failovers: list[dict[str, t.Any]] = []
    if todo and not mod.check_mode:
        for host, _devices, _before, missing in plans:
            if missing:
                add_osds(mod, host, missing, failovers)
        osds = wait_for_metadata(mod, [(host, devices) for host, devices, _before, _missing in plans])
        after = {
            '%s:%s' % (host, d): osds.on_device(host, d) for host, devices, _before, _missing in plans for d in devices
        }
    result: dict[str, t.Any] = {'changed': bool(todo)}
    if todo and mod.check_mode:
        result['preview'] = todo
    if failovers:
        result['mgr_failovers'] = failovers
    result['osd_ids'] = sorted({i for ids in after.values() for i in ids})
    if many:
        result['hosts'] = [
            {
                'host': host,
                'devices': devices,
                'osd_ids': sorted({i for d in devices for i in after['%s:%s' % (host, d)]}),
                'changed': bool(missing),
            }
            for host, devices, _before, missing in plans
        ]
    else:
        result.update(host=params['host'], device=','.join(plans[0][1]))
    if mod.diff:
        result['diff'] = {'before': {k: v for p in plans for k, v in p[2].items()}, 'after': after}
    return result


def plan_host(
    mod: CephModule,
    osds: OsdState,
    entry: dict[str, t.Any],
    inventory_of: t.Callable[[str], list[dict[str, t.Any]]],
    inventories: dict[str, list[dict[str, t.Any]]],
) -> tuple[str, list[str], dict[str, list[int]], list[str]]:
    """(host, its devices, the OSDs on each before, the devices that lack theirs)."""
    host = entry['host']
    devices = (
        [str(d['path']) for d in inventory_of(host) if d.get('available') and d.get('path')]
        if entry['all_available']
        else list(entry['devices'])
    )
    unknown = [d for d in devices if not osds.on_device(host, d) and find_device(inventory_of(host), d) is None]
    if unknown:
        inventories[host] = rescan(mod, host, unknown) or inventories[host]
    before: dict[str, list[int]] = {}
    missing: list[str] = []
    for device in devices:
        ids = osds.on_device(host, device)
        before['%s:%s' % (host, device)] = ids
        if ids:
            continue
        dev = find_device(inventory_of(host), device)
        if dev is None:
            known = ', '.join(str(d.get('path')) for d in inventory_of(host)) or 'none'
            raise CephError(
                'device %s is not in the orchestrator inventory of host %s (devices known: %s), not even after a '
                'rescan of the host (ceph orch device ls %s --refresh, waited %d seconds): give the kernel name '
                'of a device of that host (/dev/sdb; the role cephkit checks the inventory\'s paths on the host and resolves /dev/disk/by-id paths)'
                % (device, host, known, host, rescan_timeout(mod))
            )
        if not dev.get('available'):
            reasons = list(dev.get('rejected_reasons') or [])
            raise CephError(
                'cephadm will not use %s on %s: %s' % (device, host, '; '.join(reasons) or 'not available'),
                rejected_reasons=reasons,
            )
        missing.append(device)
    if missing and mod.params['method'] == 'raw':
        claimed = sorted(osds.map.on_host(host, destroyed=True))
        if claimed:
            raise CephError(
                'host %s has destroyed OSD id(s) %s kept for a replacement; cephadm 16.2 would claim them, but '
                '"ceph-volume raw prepare" cannot reuse an id (no --osd-ids), so the OSD would not be created: '
                'purge them first (ceph osd purge ID --yes-i-really-mean-it) or use method=lvm'
                % (host, ', '.join(map(str, claimed)))
            )
    return host, devices, before, missing


def add_command(mod: CephModule, host: str, devices: list[str]) -> list[str]:
    """The one orchestrator call that makes an OSD on each of ``devices`` of ``host`` (HOST:DEV1,DEV2)."""
    cmd = ['orch', 'daemon', 'add', 'osd', '%s:%s' % (host, ','.join(devices))]
    return [*cmd, 'raw'] if mod.params['method'] == 'raw' else cmd


def add_osds(mod: CephModule, host: str, devices: list[str], failovers: list[dict[str, t.Any]]) -> None:
    """Make an OSD on each of ``devices`` of ``host`` with one ``ceph orch daemon add osd HOST:DEVS``. When the mgr
    fails it with an internal error of its Python module (a fault of the mgr process, not of the request) and
    ``mgr_failover`` allows: fail the mgr over, then run the call again once for the devices still without their OSD."""
    cmd = add_command(mod, host, devices)
    try:
        out = mod.runner.ceph(cmd).stdout
    except CephCommandError as exc:
        fault = mgr_internal_error(exc)
        if not fault:
            raise
        if not mod.params['mgr_failover']:
            raise CephError(
                'the mgr failed %s with an internal error of its Python module (%s), a fault of the mgr process '
                'rather than of the request: "ceph mgr fail" starts a fresh mgr process, and mgr_failover=true lets '
                'this module do that and try once more. %s' % (' '.join(cmd), fault, exc.msg),
                **exc.details,
            ) from None
        failed, active = fail_over_mgr(mod.runner, mod.params['wait_timeout'], mod.params['poll_interval'])
        osds = OsdState(mod.runner)
        missing = [d for d in devices if not osds.on_device(host, d)]
        failovers.append({'command': cmd, 'error': fault, 'failed': failed, 'active': active, 'retried': missing})
        mod.warn(
            'the mgr failed %s with an internal error of its Python module (%s); mgr %s was failed over to %s%s'
            % (
                ' '.join(cmd),
                fault,
                failed,
                active,
                ' and the call made again for %s' % ', '.join(missing) if missing else ', which had made the OSDs',
            )
        )
        if not missing:
            return
        devices = missing
        cmd = add_command(mod, host, devices)
        try:
            out = mod.runner.ceph(cmd).stdout
        except CephCommandError as again:
            fault_again = mgr_internal_error(again)
            if fault_again:
                raise CephError(
                    'the mgr failed %s with an internal error of its Python module again after a failover (%s): %s'
                    % (' '.join(cmd), fault_again, again.msg),
                    mgr_failovers=failovers,
                    **again.details,
                ) from None
            raise
    if 'Created no osd' in out:
        raise CephError('cephadm created no OSD on %s:%s: %s' % (host, ','.join(devices), out.strip()))


# How long a device missing from the orchestrator's inventory (hot-added since cephadm's last scan) is waited
# for after one rescan of the host, at most (and at most wait_timeout).
RESCAN_TIMEOUT = 60


def rescan_timeout(mod: CephModule) -> int:
    return min(RESCAN_TIMEOUT, int(mod.params['wait_timeout']))


def rescan(mod: CephModule, host: str, missing: list[str]) -> list[dict[str, t.Any]] | None:
    """The host's device inventory once a rescan lists every device of ``missing``; None when it does not."""
    refresh = True

    def probe() -> list[dict[str, t.Any]] | None:
        nonlocal refresh
        inventory = host_devices(mod.runner, host, refresh=refresh)
        refresh = False
        return inventory if all(find_device(inventory, d) for d in missing) else None

    try:
        return poll(probe, rescan_timeout(mod), mod.params['poll_interval'], lambda: 'not listed')[0]
    except CephWaitTimeout:
        return None


def wait_for_metadata(mod: CephModule, devices_of: list[tuple[str, list[str]]]) -> OsdState:
    """Poll the OSD metadata until every device of every host shows an OSD (an OSD reports metadata once it booted)."""

    def probe() -> OsdState | None:
        osds = OsdState(mod.runner)
        return osds if all(osds.on_device(host, d) for host, devices in devices_of for d in devices) else None

    return mod.wait(
        probe,
        lambda: 'OSD(s) were created on %s but did not report' % ', '.join(host for host, _devices in devices_of),
        changed=True,
    )


def device_osds(mod: CephModule) -> tuple[str, str, list[int], dict[str, t.Any]]:
    """The host, the device, the OSDs on it, and the result of absent/zapped so far."""
    host, device = mod.params['host'], mod.params['device']
    ids = OsdState(mod.runner).on_device(host, device)
    return host, device, ids, {'changed': False, 'host': host, 'device': device, 'osd_ids': ids}


def absent(mod: CephModule) -> dict[str, t.Any]:
    params, runner = mod.params, mod.runner
    host, device, ids, result = device_osds(mod)
    key = '%s:%s' % (host, device)
    if ids:
        queued = {int(o['osd_id']) for o in osd_removals(runner)}
        cmd = ['orch', 'osd', 'rm'] + [str(i) for i in ids]
        cmd += [flag for flag, on in (('--replace', params['replace']), ('--zap', params['zap'])) if on]
        if not params['force'] and not queued.issuperset(ids):
            res = runner.ceph(['osd', 'safe-to-destroy'] + [str(i) for i in ids], check=False)
            if res.rc != 0:
                raise CephError(
                    'ceph osd safe-to-destroy refuses osd(s) %s on %s: %s; set force=true to let cephadm drain '
                    'them (their placement groups move to other OSDs) and remove them'
                    % (', '.join(map(str, ids)), key, (res.stderr or res.stdout).strip())
                )
        result['changed'] = True
        if mod.check_mode:
            result['preview'] = [cmd]
        else:
            if not queued.issuperset(ids):
                runner.ceph(cmd)
            result['marked_out'] = wait_removed(mod, ids)
    if mod.diff:
        result['diff'] = {'before': {key: ids}, 'after': {key: []}}
    return result


def wait_removed(mod: CephModule, ids: list[int]) -> list[int]:
    """Poll the removal queue until ``ids`` left it; returns the OSDs the module marked out.

    cephadm 16.2 drains an OSD, stops it, then waits for ``safe-to-destroy``; a stopped OSD
    stays "in" until the mons mark it out (mon_osd_down_out_interval, 10 minutes by default), and
    until then its placement groups cannot be remapped where a host holds the only other OSD.
    Once cephadm reports the drain done, the module marks the OSD out itself (no data is on it).
    """
    marked: list[int] = []

    def probe() -> list[int] | None:
        pending = [o for o in osd_removals(mod.runner) if int(o['osd_id']) in ids]
        for entry in pending:
            osd_id = int(entry['osd_id'])
            if entry.get('drain_done_at') and osd_id not in marked:
                mod.runner.ceph(['osd', 'out', str(osd_id)])
                marked.append(osd_id)
        return None if pending else marked

    return mod.wait(
        probe,
        lambda: 'removal of osd(s) %s is still under way (ceph orch osd rm status)' % ', '.join(map(str, ids)),
        changed=True,
    )


# ceph-volume's rejected_reasons (ceph_volume/util/device.py) that say what is on a device.
CEPH_DATA_REASONS = ('Has BlueStore device label', 'Used by ceph-disk')
FOREIGN_DATA_REASONS = ('Has a FileSystem', 'Has partitions', 'Has GPT headers', 'LVM detected')


def device_contents(dev: dict[str, t.Any]) -> tuple[bool, list[str], bool]:
    """(carries Ceph data, reasons that show other data, locked) of an orchestrator device entry."""
    reasons = [str(r) for r in as_list(dev.get('rejected_reasons'))]
    ceph_lvs = [
        lv for lv in as_list(dev.get('lvs')) if isinstance(lv, dict) and (lv.get('osd_id') or lv.get('cluster_fsid'))
    ]
    ceph = bool(dev.get('ceph_device')) or bool(ceph_lvs) or any(r in CEPH_DATA_REASONS for r in reasons)
    # a bluestore device also "has a file system" (blkid: ceph_bluestore) and Ceph's LVs are "LVM detected"
    foreign = [] if ceph else [r for r in reasons if r in FOREIGN_DATA_REASONS]
    return ceph, foreign, 'locked' in reasons


def zapped(mod: CephModule) -> dict[str, t.Any]:
    params, runner = mod.params, mod.runner
    host, device, ids, result = device_osds(mod)
    if ids and not params['force']:
        raise CephError(
            'osd(s) %s of the cluster use %s on %s: remove them first (state=absent) or set force=true'
            % (', '.join(map(str, ids)), device, host)
        )
    dev = find_device(host_devices(runner, host), device)
    if dev is None:
        raise CephError('device %s is not in the orchestrator inventory of host %s' % (device, host))
    ceph, foreign, locked = device_contents(dev)
    result['rejected_reasons'] = as_list(dev.get('rejected_reasons'))
    if locked and not params['force']:
        raise CephError(
            '%s on %s is locked (in use by a process or mounted: %s); nothing was zapped: free it, or set force=true'
            % (device, host, ', '.join(map(str, result['rejected_reasons'])))
        )
    if foreign and not ceph and not ids and not params['force']:
        raise CephError(
            '%s on %s carries data that is not Ceph\'s (%s); nothing was zapped: set force=true to wipe it'
            % (device, host, ', '.join(foreign))
        )
    if not (ceph or ids or (params['force'] and (foreign or locked))):
        return result
    result['changed'] = True
    cmd = ['orch', 'device', 'zap', host, device, '--force']
    if mod.check_mode:
        result['preview'] = [cmd]
        return result
    runner.ceph(cmd)

    def probe() -> dict[str, t.Any] | None:
        dev = find_device(host_devices(runner, host, refresh=True), device)
        if dev is None:
            return None
        ceph, foreign = device_contents(dev)[:2]
        return None if ceph or foreign else dev

    try:
        dev = mod.wait(probe, lambda: 'still listed with data')
        result['rejected_reasons'] = as_list(dev.get('rejected_reasons'))
    except CephWaitTimeout:
        mod.warn('%s on %s was zapped but the orchestrator still lists data on it' % (device, host))
    return result


def manage(mod: CephModule) -> dict[str, t.Any]:
    state = mod.params['state']
    if state == 'present':
        return present(mod)
    if state == 'absent':
        return absent(mod)
    return zapped(mod)


def main() -> None:
    CephModule(
        {
            'host': {'type': 'str'},
            'hosts': {
                'type': 'list',
                'elements': 'dict',
                'options': {
                    'host': {'type': 'str', 'required': True},
                    'devices': {'type': 'list', 'elements': 'str'},
                    'all_available': {'type': 'bool', 'default': False},
                },
            },
            'device': {'type': 'str'},
            'devices': {'type': 'list', 'elements': 'str'},
            'all_available': {'type': 'bool', 'default': False},
            'method': {'type': 'str', 'choices': ['lvm', 'raw'], 'default': 'lvm'},
            'state': {'type': 'str', 'choices': ['present', 'absent', 'zapped'], 'default': 'present'},
            'replace': {'type': 'bool', 'default': False},
            'zap': {'type': 'bool', 'default': False},
            'force': {'type': 'bool', 'default': False},
            'mgr_failover': {'type': 'bool', 'default': False},
            **wait_argument_spec(),
        },
        validate=validate,
        required_one_of=[('host', 'hosts')],
        mutually_exclusive=[('host', 'hosts'), ('device', 'hosts'), ('devices', 'hosts'), ('all_available', 'hosts')],
    ).run(manage)


if __name__ == '__main__':
    main()
