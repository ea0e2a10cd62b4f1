#!/usr/bin/python
# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: ceph_orch_redeploy
short_description: Make the daemons of a type run the image the cluster is configured with
version_added: 0.1.0
description:
  - cephadm deploys a daemon with the image its option says (C(mgr/cephadm/container_image_<type>) for the monitoring,
    ingress and SNMP daemons), but does not redeploy a running daemon when that option changes. This module reads the
    orchestrator's daemons once (C(ceph orch ps)), and redeploys (C(ceph orch daemon redeploy NAME)) each daemon of a
    type in O(images) that reports another image than the one given for its type; then it waits until each of them
    runs again from that image.
  - A daemon that does not report an image yet (being deployed) is left alone.
  - Set the option first (module M(cephkit.cephadm.ceph_config)), so that the redeploy takes the new image; the role
    C(cephkit_services) does both from the image set.
  - Runs on an admin host of the cluster.
author:
  - cephkit maintainers (@cephkit)
options:
  images:
    description:
      - Per daemon type (C(prometheus), C(alertmanager), C(node-exporter), C(grafana), C(haproxy), C(keepalived), ...),
        the image its daemons must run, as C(ceph orch ps) reports it (C(container_image_name)).
    type: dict
    required: true
extends_documentation_fragment:
  - cephkit.cephadm.cephadm
  - cephkit.cephadm.cephadm.wait
  - cephkit.cephadm.cephadm.attributes
attributes:
  check_mode:
    support: full
    details: Reads C(ceph orch ps) and returns the daemons it would redeploy; runs nothing else.
  diff_mode:
    support: full
  idempotent:
    support: full
seealso:
  - module: cephkit.cephadm.ceph_config
  - module: cephkit.cephadm.ceph_orch_apply
'''

EXAMPLES = r'''
- name: Point node-exporter at the mirror's image
  cephkit.cephadm.ceph_config:
    who: mgr
    option: mgr/cephadm/container_image_node_exporter
    value: registry.intra:5000/prometheus/node-exporter@sha256:fa0258ff7eb7214182c2be59701157fcbdd7dfb68bce4bfe493d4d6c1cc47d33

- name: Redeploy the node-exporters that still run another image
  cephkit.cephadm.ceph_orch_redeploy:
    images:
      node-exporter: registry.intra:5000/prometheus/node-exporter@sha256:fa0258ff7eb7214182c2be59701157fcbdd7dfb68bce4bfe493d4d6c1cc47d33
'''

RETURN = r'''
redeployed:
  description: The daemons redeployed (that would be redeployed, in check mode), with the image each ran before.
  returned: success
  type: list
  elements: dict
  sample: [{"daemon": "node-exporter.node1", "before": "quay.io/prometheus/node-exporter:v1.3.1"}]
waited:
  description: Seconds spent waiting for the redeployed daemons.
  returned: when a daemon was redeployed
  type: float
  sample: 12.4
preview:
  description: Commands that would run, in check mode (argv lists, as in RV(cmds)).
  returned: in check mode when a change is predicted
  type: list
  elements: list
  sample: [["orch", "daemon", "redeploy", "node-exporter.node1"]]
diff:
  description: The image of each daemon concerned, before and after.
  returned: when diff mode is on
  type: dict
  sample:
    before: {"node-exporter.node1": "quay.io/prometheus/node-exporter:v1.3.1"}
    after: {"node-exporter.node1": "registry.intra:5000/prometheus/node-exporter@sha256:fa02..."}
cmds:
  description: Every command the module ran, as argv lists with secrets masked.
  returned: always
  type: list
  elements: list
  sample: [["/usr/bin/ceph", "orch", "ps", "--format", "json"]]
containers_started:
  description: Number of helper containers the module started (and removed) during this call; 0 or 1.
  returned: always
  type: int
  sample: 0
'''

import time
import typing as t

from ansible_collections.cephkit.cephadm.plugins.module_utils._ceph import (
    CEPH_DAEMON_TYPES,
    CephInputError,
    wait_argument_spec,
)
from ansible_collections.cephkit.cephadm.plugins.module_utils._cluster import daemon_name, orch_daemons
from ansible_collections.cephkit.cephadm.plugins.module_utils._module import CephModule

RUNNING = 1  # orch ps "status": 1 running, 0 stopped, -1 error


def validate(params: dict[str, t.Any]) -> None:
    for daemon_type, image in (params['images'] or {}).items():
        if not isinstance(image, str) or not image.strip() or any(c.isspace() for c in image.strip()):
            raise CephInputError('images.%s=%r: expected an image reference' % (daemon_type, image))
        if daemon_type in CEPH_DAEMON_TYPES:
            raise CephInputError(
                'images.%s: the Ceph daemons run the cluster image; change it with an upgrade, not a redeploy'
                % daemon_type
            )


def image_of(daemon: dict[str, t.Any]) -> str:
    return str(daemon.get('container_image_name') or '')


def manage(mod: CephModule) -> dict[str, t.Any]:
    images: dict[str, str] = {k: v.strip() for k, v in mod.params['images'].items()}
    daemons = [d for d in orch_daemons(mod.runner) if d.get('daemon_type') in images]
    stale = [d for d in daemons if image_of(d) and image_of(d) != images[str(d['daemon_type'])]]
    redeployed = [{'daemon': daemon_name(d), 'before': image_of(d)} for d in stale]
    result: dict[str, t.Any] = {'changed': bool(stale), 'redeployed': redeployed}
    if mod.diff:
        result['diff'] = {
            'before': {daemon_name(d): image_of(d) for d in daemons},
            'after': {daemon_name(d): images[str(d['daemon_type'])] if d in stale else image_of(d) for d in daemons},
        }
    cmds = [['orch', 'daemon', 'redeploy', daemon_name(d)] for d in stale]
    if not stale:
        return result
    if mod.check_mode:
        result['preview'] = cmds
        return result
    for cmd in cmds:
        mod.runner.ceph(cmd)
    wanted = {daemon_name(d): images[str(d['daemon_type'])] for d in stale}
    state: dict[str, str] = {}
    start = time.monotonic()

    def probe() -> bool | None:
        now = {daemon_name(d): d for d in orch_daemons(mod.runner, refresh=True) if daemon_name(d) in wanted}
        state.clear()
        for name, image in wanted.items():
            d = now.get(name)
            if d is None:
                state[name] = 'not listed'
            elif image_of(d) != image:
                state[name] = 'runs %s' % (image_of(d) or 'no image yet')
            elif d.get('status') != RUNNING:
                state[name] = 'is %s' % (d.get('status_desc') or d.get('status'))
        return True if not state else None

    mod.wait(
        probe,
        lambda: (
            'redeployed, but not yet running the image given: '
            + '; '.join('%s %s (want %s)' % (n, s, wanted[n]) for n, s in sorted(state.items()))
        ),
        changed=True,
        redeployed=redeployed,
    )
    result['waited'] = round(time.monotonic() - start, 1)
    return result


def main() -> None:
    CephModule({'images': {'type': 'dict', 'required': True}, **wait_argument_spec()}, validate=validate).run(manage)


if __name__ == '__main__':
    main()
