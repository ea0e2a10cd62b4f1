#!/usr/bin/python
# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: ceph_osd_device
short_description: Create, remove or zap the OSD on one device of a cephadm-managed cluster
version_added: 0.1.0
description:
  - V(present) creates an OSD on a device of a host (C(ceph orch daemon add osd HOST:DEVICE [raw])).
    A device that already carries an OSD of this cluster is fine. A device cephadm will not take fails
    with cephadm's own C(rejected_reasons).
  - With O(method=raw), V(present) refuses while the host has destroyed OSD ids kept for a replacement.
    cephadm 16.2 claims them for the new OSD, but C(ceph-volume raw prepare) cannot reuse an id, so the OSD
    would not be created. Purge those ids first, or use O(method=lvm), with which the id is reused.
  - V(absent) removes the OSDs on the device (C(ceph orch osd rm)) and waits until the removal is done.
    It refuses unless C(ceph osd safe-to-destroy) agrees or O(force=true). Once cephadm has drained and
    stopped an OSD, the module marks it out (C(ceph osd out)) so that the removal does not wait for the
    mons to do so (10 minutes by default).
  - V(zapped) wipes the device (C(ceph orch device zap)). It refuses while an OSD of the cluster uses the
    device unless O(force=true).
  - Runs on an admin host of the cluster.
author:
  - cephkit maintainers (@cephkit)
options:
  host:
    description:
      - Host of the device, as the orchestrator names it.
    type: str
    required: true
  device:
    description:
      - Device path on O(host), for example V(/dev/sdb).
      - Required unless O(all_available=true).
    type: str
  all_available:
    description:
      - With O(state=present), create an OSD on every device of O(host) that the orchestrator reports
        as available, one by one (no service spec is created).
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
        waits for within O(timeout).
      - With O(state=zapped), wipe the device even while an OSD of the cluster uses it (its data is lost).
    type: bool
    default: false
  poll_interval:
    description:
      - Seconds between two checks of the removal queue with O(state=absent) and of the device inventory.
      - The whole wait is bounded by O(timeout).
    type: int
    default: 5
extends_documentation_fragment:
  - cephkit.cephadm.cephadm
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
  returned: success
  type: str
  sample: ceph1
device:
  description: The device (or the devices used, with O(all_available=true), joined by commas).
  returned: success
  type: str
  sample: /dev/loop10
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
import time
import typing as t

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cephkit.cephadm.plugins.module_utils._ceph import (
    CephError,
    CephInputError,
    CephRunner,
    cephadm_argument_spec,
    run_module,
    validate_fsid,
    validate_hostname,
)


def validate(params: dict[str, t.Any]) -> None:
    validate_fsid(params['fsid'])
    validate_hostname(params['host'], 'host')
    device = params['device']
    if device is None and not (params['all_available'] and params['state'] == 'present'):
        raise CephInputError(
            'device is missing: expected a device path such as /dev/sdb '
            '(only state=present with all_available=true works without one)'
        )
    if device is not None and not re.match(r'^/dev/[A-Za-z0-9_./:-]+$', device):
        raise CephInputError(
            'device %r is not a device path: expected an absolute path under /dev, such as /dev/sdb' % device
        )
    if device is not None and params['all_available']:
        raise CephInputError('device and all_available=true exclude each other: give one')
    if params['state'] != 'absent' and (params['replace'] or params['zap']):
        raise CephInputError('replace and zap are used with state=absent only')
    if params['poll_interval'] < 1:
        raise CephInputError('poll_interval %r is too small: expected at least 1 (seconds)' % params['poll_interval'])


def device_names(meta: dict[str, t.Any]) -> set[str]:
    """Device paths an OSD's metadata names (kernel names and the bluestore device node)."""
    names = {'/dev/' + n for n in str(meta.get('devices', '')).split(',') if n}
    for key in ('bluestore_bdev_dev_node', 'bluestore_bdev_partition_path'):
        if meta.get(key):
            names.add(str(meta[key]))
    return names


def osds_on(metadata: t.Any, tree: dict[str, t.Any], host: str, device: str) -> list[int]:
    """ids of the OSDs of the cluster, not destroyed, on ``host:device``."""
    destroyed = {
        int(n['id'])
        for n in tree.get('nodes', []) + tree.get('stray', [])
        if n.get('type') == 'osd' and n.get('status') == 'destroyed'
    }
    ids = []
    for meta in metadata if isinstance(metadata, list) else []:
        if meta.get('hostname') != host or 'id' not in meta:
            continue
        if int(meta['id']) in destroyed:
            continue
        if device in device_names(meta):
            ids.append(int(meta['id']))
    return sorted(ids)


def destroyed_on_host(tree: dict[str, t.Any], host: str) -> list[int]:
    """ids of the destroyed OSDs that the CRUSH map still places under ``host``."""
    nodes = {int(n['id']): n for n in tree.get('nodes', []) if 'id' in n}
    ids: list[int] = []
    for node in nodes.values():
        if node.get('type') == 'host' and node.get('name') == host:
            ids.extend(int(c) for c in node.get('children', []) if nodes.get(int(c), {}).get('status') == 'destroyed')
    return sorted(ids)


def host_inventory(runner: CephRunner, host: str, refresh: bool = False) -> list[dict[str, t.Any]]:
    args = ['orch', 'device', 'ls', host] + (['--refresh'] if refresh else [])
    for entry in runner.ceph_json(args) or []:
        if entry.get('name') == host:
            return [dict(d) for d in entry.get('devices') or []]
    return []


def find_device(inventory: list[dict[str, t.Any]], device: str) -> dict[str, t.Any] | None:
    for dev in inventory:
        if dev.get('path') == device:
            return dev
    return None


def removal_status(runner: CephRunner) -> list[dict[str, t.Any]]:
    """Entries of ``ceph orch osd rm status`` (none: cephadm prints a sentence instead of JSON)."""
    res = runner.ceph(['orch', 'osd', 'rm', 'status', '--format', 'json'])
    if not res.stdout.strip().startswith('['):
        return []  # "No OSD remove/replace operations reported"
    return [dict(o) for o in res.json() if isinstance(o, dict) and 'osd_id' in o]


def removal_queue(runner: CephRunner) -> list[int]:
    return sorted(int(o['osd_id']) for o in removal_status(runner))


def osd_state(runner: CephRunner) -> tuple[t.Any, dict[str, t.Any]]:
    return runner.ceph_json(['osd', 'metadata']), runner.ceph_json(['osd', 'tree'])


def present(module: AnsibleModule, runner: CephRunner) -> dict[str, t.Any]:
    params = module.params
    host = params['host']
    metadata, tree = osd_state(runner)
    inventory = host_inventory(runner, host)
    devices = (
        [str(d['path']) for d in inventory if d.get('available') and d.get('path')]
        if params['all_available']
        else [params['device']]
    )
    result: dict[str, t.Any] = {'changed': False, 'host': host, 'device': ','.join(devices)}
    before: dict[str, list[int]] = {}
    todo: list[list[str]] = []
    for device in devices:
        ids = osds_on(metadata, tree, host, device)
        before['%s:%s' % (host, device)] = ids
        if ids:
            continue
        dev = find_device(inventory, device)
        if dev is None:
            known = ', '.join(str(d.get('path')) for d in inventory) or 'none'
            raise CephError(
                'device %s is not in the orchestrator inventory of host %s (devices known: %s)' % (device, host, known)
            )
        if not dev.get('available'):
            reasons = list(dev.get('rejected_reasons') or [])
            raise CephError(
                'cephadm will not use %s on %s: %s' % (device, host, '; '.join(reasons) or 'not available'),
                rejected_reasons=reasons,
            )
        add = ['orch', 'daemon', 'add', 'osd', '%s:%s' % (host, device)]
        if params['method'] == 'raw':
            add.append('raw')
        todo.append(add)
    after = dict(before)
    if todo and params['method'] == 'raw':
        claimed = destroyed_on_host(tree, host)
        if claimed:
            raise CephError(
                'host %s has destroyed OSD id(s) %s kept for a replacement; cephadm 16.2 would claim them, but '
                '"ceph-volume raw prepare" cannot reuse an id (no --osd-ids), so the OSD would not be created: '
                'purge them first (ceph osd purge ID --yes-i-really-mean-it) or use method=lvm'
                % (host, ', '.join(map(str, claimed)))
            )
    if todo:
        result['changed'] = True
        if module.check_mode:
            result['preview'] = todo
        else:
            for cmd in todo:
                out = runner.ceph(cmd).stdout
                if 'Created no osd' in out:
                    raise CephError('cephadm created no OSD on %s: %s' % (cmd[4], out.strip()))
            metadata, tree = wait_for_metadata(runner, host, devices, params)
            after = {'%s:%s' % (host, d): osds_on(metadata, tree, host, d) for d in devices}
    result['osd_ids'] = sorted({i for ids in after.values() for i in ids})
    if module._diff:
        result['diff'] = {'before': before, 'after': after}
    return result


def wait_for_metadata(
    runner: CephRunner, host: str, devices: list[str], params: dict[str, t.Any]
) -> tuple[t.Any, dict[str, t.Any]]:
    """Poll the OSD metadata until every device shows an OSD (an OSD reports metadata once it booted)."""
    deadline = time.monotonic() + runner.timeout
    while True:
        metadata, tree = osd_state(runner)
        if all(osds_on(metadata, tree, host, d) for d in devices):
            return metadata, tree
        if time.monotonic() > deadline:
            raise CephError(
                'OSD(s) were created on %s but did not report in %d seconds' % (host, runner.timeout), changed=True
            )
        time.sleep(params['poll_interval'])


def absent(module: AnsibleModule, runner: CephRunner) -> dict[str, t.Any]:
    params = module.params
    host, device = params['host'], params['device']
    metadata, tree = osd_state(runner)
    ids = osds_on(metadata, tree, host, device)
    key = '%s:%s' % (host, device)
    result: dict[str, t.Any] = {'changed': False, 'host': host, 'device': device, 'osd_ids': ids}
    if ids:
        queued = set(removal_queue(runner))
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
        if module.check_mode:
            result['preview'] = [cmd]
        else:
            if not queued.issuperset(ids):
                runner.ceph(cmd)
            result['marked_out'] = wait_removed(runner, ids, params)
    if module._diff:
        result['diff'] = {'before': {key: ids}, 'after': {key: []}}
    return result


def wait_removed(runner: CephRunner, ids: list[int], params: dict[str, t.Any]) -> list[int]:
    """Poll the removal queue until ``ids`` left it; returns the OSDs the module marked out.

    cephadm 16.2 drains an OSD, stops it, then waits for ``safe-to-destroy``; a stopped OSD
    stays "in" until the mons mark it out (mon_osd_down_out_interval, 10 minutes by default), and
    until then its placement groups cannot be remapped where a host holds the only other OSD.
    Once cephadm reports the drain done, the module marks the OSD out itself (no data is on it).
    """
    deadline = time.monotonic() + runner.timeout
    marked: list[int] = []
    while True:
        pending = [o for o in removal_status(runner) if int(o['osd_id']) in ids]
        if not pending:
            return marked
        for entry in pending:
            osd_id = int(entry['osd_id'])
            if entry.get('drain_done_at') and osd_id not in marked:
                runner.ceph(['osd', 'out', str(osd_id)])
                marked.append(osd_id)
        if time.monotonic() > deadline:
            raise CephError(
                'removal of osd(s) %s is still under way after %d seconds (ceph orch osd rm status)'
                % (', '.join(map(str, ids)), runner.timeout),
                changed=True,
            )
        time.sleep(params['poll_interval'])


def zapped(module: AnsibleModule, runner: CephRunner) -> dict[str, t.Any]:
    params = module.params
    host, device = params['host'], params['device']
    metadata, tree = osd_state(runner)
    ids = osds_on(metadata, tree, host, device)
    result: dict[str, t.Any] = {'changed': False, 'host': host, 'device': device, 'osd_ids': ids}
    if ids and not params['force']:
        raise CephError(
            'osd(s) %s of the cluster use %s on %s: remove them first (state=absent) or set force=true'
            % (', '.join(map(str, ids)), device, host)
        )
    dev = find_device(host_inventory(runner, host), device)
    if dev is None:
        raise CephError('device %s is not in the orchestrator inventory of host %s' % (device, host))
    if dev.get('available') and not ids:
        return result
    result['changed'] = True
    cmd = ['orch', 'device', 'zap', host, device, '--force']
    if module.check_mode:
        result['preview'] = [cmd]
        return result
    runner.ceph(cmd)
    deadline = time.monotonic() + runner.timeout
    while True:
        dev = find_device(host_inventory(runner, host, refresh=True), device)
        if dev is not None and dev.get('available'):
            break
        if time.monotonic() > deadline:
            module.warn('%s on %s was zapped but the orchestrator does not list it as available yet' % (device, host))
            break
        time.sleep(params['poll_interval'])
    return result


def manage(module: AnsibleModule, runner: CephRunner) -> dict[str, t.Any]:
    state = module.params['state']
    if state == 'present':
        return present(module, runner)
    if state == 'absent':
        return absent(module, runner)
    return zapped(module, runner)


def main() -> None:
    module = AnsibleModule(
        argument_spec=cephadm_argument_spec(
            host={'type': 'str', 'required': True},
            device={'type': 'str'},
            all_available={'type': 'bool', 'default': False},
            method={'type': 'str', 'choices': ['lvm', 'raw'], 'default': 'lvm'},
            state={'type': 'str', 'choices': ['present', 'absent', 'zapped'], 'default': 'present'},
            replace={'type': 'bool', 'default': False},
            zap={'type': 'bool', 'default': False},
            force={'type': 'bool', 'default': False},
            poll_interval={'type': 'int', 'default': 5},
        ),
        supports_check_mode=True,
    )
    try:
        validate(module.params)
    except CephError as exc:
        module.fail_json(**exc.fail_kwargs())
    run_module(module, lambda runner: manage(module, runner))


if __name__ == '__main__':
    main()
