#!/usr/bin/python
# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: ceph_cluster_info
short_description: Read the state of a cephadm-managed Ceph cluster in one call
version_added: 0.1.0
description:
  - Returns the fsid, health status and checks, mon quorum, active and standby mgrs, hosts with their
    addresses and labels, services, daemons, OSDs and storage devices of the cluster, as the monitors
    and the orchestrator see them.
  - Read-only. Runs on any host that can reach the cluster with the C(ceph) CLI (see the notes for
    what happens on hosts without one).
author:
  - cephkit maintainers (@cephkit)
options:
  refresh_devices:
    description:
      - Ask the orchestrator to rescan the devices of every host (C(ceph orch device ls --refresh)).
      - The scan runs in the background; this call still returns the orchestrator's current inventory.
    type: bool
    default: false
extends_documentation_fragment:
  - cephkit.cephadm.cephadm
  - cephkit.cephadm.cephadm.attributes
attributes:
  check_mode:
    support: full
    details: The module changes nothing, so check mode runs it as usual.
  diff_mode:
    support: none
  idempotent:
    support: full
seealso:
  - module: cephkit.cephadm.ceph_orch_host
  - module: cephkit.cephadm.ceph_osd_device
'''

EXAMPLES = r'''
- name: Read the cluster
  cephkit.cephadm.ceph_cluster_info:
  register: ceph

- name: Wait for HEALTH_OK
  cephkit.cephadm.ceph_cluster_info:
  register: ceph
  until: ceph.health.status == 'HEALTH_OK'
  retries: 30
  delay: 10

- name: Show the OSDs that are down
  ansible.builtin.debug:
    msg: "{{ ceph.osds | rejectattr('up') | map(attribute='id') | list }}"
'''

RETURN = r'''
fsid:
  description: The cluster's fsid.
  returned: success
  type: str
  sample: 2c1e4a3c-0b6f-11ef-9a41-525400a1b2c3
health:
  description: Health status and the active health checks.
  returned: success
  type: dict
  contains:
    status:
      description: C(HEALTH_OK), C(HEALTH_WARN) or C(HEALTH_ERR).
      type: str
      sample: HEALTH_WARN
    checks:
      description: Active checks by name, with severity and message.
      type: dict
      sample: {"OSD_DOWN": {"severity": "HEALTH_WARN", "message": "1 osds down", "muted": false}}
mons:
  description: Monitor quorum.
  returned: success
  type: dict
  contains:
    quorum:
      description: Names of the mons in quorum.
      type: list
      elements: str
      sample: [ceph1, ceph2, ceph3]
    count:
      description: Number of mons in the monmap.
      type: int
      sample: 3
mgrs:
  description: The active mgr and the standbys.
  returned: success
  type: dict
  contains:
    active:
      description: Name of the active mgr, empty when none is active.
      type: str
      sample: ceph1.abcdef
    available:
      description: Whether the active mgr is available.
      type: bool
      sample: true
    standbys:
      description: Names of the standby mgrs.
      type: list
      elements: str
      sample: [ceph2.ghijkl]
hosts:
  description: Hosts known to the orchestrator.
  returned: success
  type: list
  elements: dict
  sample: [{"name": "ceph1", "addr": "10.89.0.11", "labels": ["_admin"], "status": ""}]
services:
  description: Services (service specs) with their running and expected daemon counts.
  returned: success
  type: list
  elements: dict
  sample: [{"service_name": "mon", "service_type": "mon", "running": 3, "size": 3, "placement": {"count": 3}, "unmanaged": false}]
daemons:
  description: Daemons the orchestrator knows of.
  returned: success
  type: list
  elements: dict
  sample: [{"name": "mon.ceph1", "daemon_type": "mon", "daemon_id": "ceph1", "host": "ceph1", "status": "running",
            "version": "16.2.15", "image": "quay.io/ceph/ceph@sha256:0123"}]
osds:
  description: OSDs from the OSD map with the host and devices they run on.
  returned: success
  type: list
  elements: dict
  sample: [{"id": 0, "name": "osd.0", "host": "ceph1", "up": true, "in": true, "status": "up", "device_class": "hdd",
            "devices": ["/dev/loop10"]}]
devices:
  description: Storage devices of every host as the orchestrator last scanned them.
  returned: success
  type: list
  elements: dict
  sample: [{"host": "ceph1", "path": "/dev/loop10", "available": false, "rejected_reasons": ["Insufficient space (<10 extents) on vgs"],
            "type": "hdd", "size": 10737418240}]
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

import typing as t

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cephkit.cephadm.plugins.module_utils._ceph import (
    CephError,
    CephRunner,
    cephadm_argument_spec,
    run_module,
    validate_fsid,
)


def _as_list(value: t.Any) -> list[t.Any]:
    return value if isinstance(value, list) else []


def summarize_health(status: dict[str, t.Any]) -> dict[str, t.Any]:
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


def summarize_hosts(hosts: t.Any) -> list[dict[str, t.Any]]:
    return [
        {
            'name': h.get('hostname', ''),
            'addr': h.get('addr', ''),
            'labels': list(h.get('labels') or []),
            'status': h.get('status', ''),
        }
        for h in _as_list(hosts)
    ]


def summarize_services(services: t.Any) -> list[dict[str, t.Any]]:
    out = []
    for svc in _as_list(services):
        status = svc.get('status') or {}
        out.append(
            {
                'service_name': svc.get('service_name', ''),
                'service_type': svc.get('service_type', ''),
                'running': int(status.get('running', 0) or 0),
                'size': int(status.get('size', 0) or 0),
                'placement': svc.get('placement') or {},
                'unmanaged': bool(svc.get('unmanaged', False)),
            }
        )
    return out


def summarize_daemons(daemons: t.Any) -> list[dict[str, t.Any]]:
    out = []
    for dmn in _as_list(daemons):
        dtype = dmn.get('daemon_type', '')
        did = dmn.get('daemon_id', '')
        out.append(
            {
                'name': dmn.get('daemon_name') or '%s.%s' % (dtype, did),
                'daemon_type': dtype,
                'daemon_id': did,
                'host': dmn.get('hostname', ''),
                'status': dmn.get('status_desc', ''),
                'version': dmn.get('version', ''),
                'image': dmn.get('container_image_name', ''),
            }
        )
    return out


def osd_devices(meta: dict[str, t.Any]) -> list[str]:
    """Device paths an OSD uses, from its metadata."""
    paths: list[str] = []
    node = meta.get('bluestore_bdev_dev_node')
    names = [n for n in str(meta.get('devices', '')).split(',') if n]
    for name in names:
        path = '/dev/' + name
        if path not in paths:
            paths.append(path)
    if node and not paths:
        paths.append(str(node))
    return paths


def summarize_osds(tree: dict[str, t.Any], metadata: t.Any) -> list[dict[str, t.Any]]:
    nodes = _as_list(tree.get('nodes'))
    host_of: dict[int, str] = {}
    for node in nodes:
        if node.get('type') == 'host':
            for child in _as_list(node.get('children')):
                host_of[int(child)] = str(node.get('name', ''))
    meta_by_id = {int(m['id']): m for m in _as_list(metadata) if isinstance(m, dict) and 'id' in m}
    osds = []
    items = [n for n in nodes if n.get('type') == 'osd'] + _as_list(tree.get('stray'))
    for node in sorted(items, key=lambda n: int(n.get('id', 0))):
        osd_id = int(node['id'])
        meta = meta_by_id.get(osd_id, {})
        status = str(node.get('status', ''))
        osds.append(
            {
                'id': osd_id,
                'name': node.get('name', 'osd.%d' % osd_id),
                'host': host_of.get(osd_id) or meta.get('hostname', ''),
                'status': status,
                'up': status == 'up',
                'in': float(node.get('reweight', 0) or 0) > 0,
                'device_class': node.get('device_class', ''),
                'devices': osd_devices(meta),
            }
        )
    return osds


def summarize_devices(inventory: t.Any) -> list[dict[str, t.Any]]:
    out = []
    for host in _as_list(inventory):
        for dev in _as_list(host.get('devices')):
            sys_api = dev.get('sys_api') or {}
            out.append(
                {
                    'host': host.get('name', ''),
                    'path': dev.get('path', ''),
                    'available': bool(dev.get('available', False)),
                    'rejected_reasons': list(dev.get('rejected_reasons') or []),
                    'type': dev.get('human_readable_type', ''),
                    'size': int(sys_api.get('size', 0) or 0),
                }
            )
    return out


def gather(runner: CephRunner, refresh_devices: bool) -> dict[str, t.Any]:
    runner.fsid_checked_by_caller()
    status = runner.ceph_json(['status'])
    fsid = str(status.get('fsid', ''))
    if runner.fsid and fsid != runner.fsid:
        raise CephError(
            'the cluster reached from this host has fsid %s, not the fsid %s that was given' % (fsid, runner.fsid),
            fsid=fsid,
        )
    mgr = runner.ceph_json(['mgr', 'dump'])
    hosts = runner.ceph_json(['orch', 'host', 'ls'])
    services = runner.ceph_json(['orch', 'ls'])
    daemons = runner.ceph_json(['orch', 'ps'])
    tree = runner.ceph_json(['osd', 'tree'])
    metadata = runner.ceph_json(['osd', 'metadata'])
    device_args = ['orch', 'device', 'ls'] + (['--refresh'] if refresh_devices else [])
    inventory = runner.ceph_json(device_args)
    return {
        'changed': False,
        'fsid': fsid,
        'health': summarize_health(status),
        'mons': {
            'quorum': list(status.get('quorum_names') or []),
            'count': int((status.get('monmap') or {}).get('num_mons', 0) or 0),
        },
        'mgrs': {
            'active': mgr.get('active_name', ''),
            'available': bool(mgr.get('available', False)),
            'standbys': [s.get('name', '') for s in _as_list(mgr.get('standbys'))],
        },
        'hosts': summarize_hosts(hosts),
        'services': summarize_services(services),
        'daemons': summarize_daemons(daemons),
        'osds': summarize_osds(tree, metadata),
        'devices': summarize_devices(inventory),
    }


def main() -> None:
    module = AnsibleModule(
        argument_spec=cephadm_argument_spec(refresh_devices={'type': 'bool', 'default': False}),
        supports_check_mode=True,
    )
    try:
        validate_fsid(module.params['fsid'])
    except CephError as exc:
        module.fail_json(**exc.fail_kwargs())
    run_module(module, lambda runner: gather(runner, module.params['refresh_devices']))


if __name__ == '__main__':
    main()
