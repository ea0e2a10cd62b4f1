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
  - Returns the fsid, health status and checks, the versions the daemons run, mon quorum, active and standby mgrs,
    hosts with their addresses and labels, services, daemons, OSDs and storage devices of the cluster, as the
    monitors and the orchestrator see them.
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
versions:
  description:
    - Per daemon type (and C(overall)), the versions the daemons report themselves (C(ceph versions)), with their
      counts. Unlike the versions in RV(daemons), the orchestrator's cache, they are never unknown.
  returned: success
  type: dict
  sample: {"mon": {"16.2.15": 3}, "mgr": {"16.2.15": 2}, "osd": {"16.2.15": 6}, "overall": {"16.2.15": 11}}
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

from ansible_collections.cephkit.cephadm.plugins.module_utils._cluster import (
    as_list,
    ceph_versions,
    daemon_name,
    orch_daemons,
    orch_devices,
    orch_hosts,
    osd_map,
    osd_metadata,
)
from ansible_collections.cephkit.cephadm.plugins.module_utils._gates import (
    summarize_health,
    summarize_hosts,
    summarize_mgrs,
    summarize_mons,
    summarize_osds,
)
from ansible_collections.cephkit.cephadm.plugins.module_utils._module import CephModule


def summarize_services(services: t.Any) -> list[dict[str, t.Any]]:
    out = []
    for svc in as_list(services):
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


def summarize_daemons(daemons: list[dict[str, t.Any]]) -> list[dict[str, t.Any]]:
    return [
        {
            'name': daemon_name(dmn),
            'daemon_type': dmn.get('daemon_type', ''),
            'daemon_id': dmn.get('daemon_id', ''),
            'host': dmn.get('hostname', ''),
            'status': dmn.get('status_desc', ''),
            'version': dmn.get('version', ''),
            'image': dmn.get('container_image_name', ''),
        }
        for dmn in daemons
    ]


def summarize_devices(inventory: list[dict[str, t.Any]]) -> list[dict[str, t.Any]]:
    out = []
    for host in inventory:
        for dev in as_list(host.get('devices')):
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


def gather(mod: CephModule) -> dict[str, t.Any]:
    runner = mod.runner
    # ceph status carries the fsid: compared here instead of with a separate `ceph fsid` (fsid_check='caller').
    status = runner.ceph_json(['status'])
    fsid = str(status.get('fsid', ''))
    runner.confirm_fsid(fsid)
    versions = ceph_versions(runner)
    mgr = runner.ceph_json(['mgr', 'dump'])
    hosts = orch_hosts(runner)
    services = runner.ceph_json(['orch', 'ls'])
    daemons = orch_daemons(runner)
    osdmap = osd_map(runner)
    metadata = osd_metadata(runner)
    inventory = orch_devices(runner, refresh=mod.params['refresh_devices'])
    return {
        'changed': False,
        'fsid': fsid,
        'health': summarize_health(status),
        'mons': summarize_mons(status),
        'versions': versions,
        'mgrs': summarize_mgrs(mgr),
        'hosts': summarize_hosts(hosts),
        'services': summarize_services(services),
        'daemons': summarize_daemons(daemons),
        'osds': summarize_osds(osdmap, metadata),
        'devices': summarize_devices(inventory),
    }


def main() -> None:
    CephModule({'refresh_devices': {'type': 'bool', 'default': False}}, fsid_check='caller').run(gather)


if __name__ == '__main__':
    main()
