#!/usr/bin/python
# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: ceph_orch_pause
short_description: Pause or resume the cephadm orchestrator
version_added: 0.1.0
description:
  - Reads whether the orchestrator is paused (C(ceph orch status)) and pauses (C(ceph orch pause)) or resumes
    (C(ceph orch resume)) it only when it is not already so; then reads it again and fails when the change
    did not take.
  - A paused orchestrator deploys, removes and redeploys no daemon (used before a cluster is removed, so
    that cephadm does not bring daemons back while they are taken away).
  - Runs on an admin host of the cluster.
author:
  - cephkit maintainers (@cephkit)
options:
  paused:
    description:
      - V(true) pauses the orchestrator, V(false) resumes it.
    type: bool
    default: true
extends_documentation_fragment:
  - cephkit.cephadm.cephadm
  - cephkit.cephadm.cephadm.attributes
attributes:
  check_mode:
    support: full
    details: Reads C(ceph orch status) and reports whether it would pause or resume; runs nothing else.
  diff_mode:
    support: full
  idempotent:
    support: full
seealso:
  - module: cephkit.cephadm.ceph_rm_cluster
'''

EXAMPLES = r'''
- name: Pause the orchestrator before removing the cluster
  cephkit.cephadm.ceph_orch_pause:

- name: Resume it
  cephkit.cephadm.ceph_orch_pause:
    paused: false
'''

RETURN = r'''
paused:
  description: Whether the orchestrator is paused after the call (predicted in check mode).
  returned: success
  type: bool
  sample: true
previously_paused:
  description: Whether it was paused before the call.
  returned: success
  type: bool
  sample: false
preview:
  description: Commands that would run, in check mode (argv lists, as in RV(cmds)).
  returned: in check mode when a change is predicted
  type: list
  elements: list
  sample: [["orch", "pause"]]
diff:
  description: The orchestrator's paused state before and after.
  returned: when diff mode is on
  type: dict
  sample: {"before": {"paused": false}, "after": {"paused": true}}
cmds:
  description: Every command the module ran, as argv lists with secrets masked.
  returned: always
  type: list
  elements: list
  sample: [["/usr/bin/ceph", "orch", "status", "--format", "json"]]
containers_started:
  description: Number of helper containers the module started (and removed) during this call; 0 or 1.
  returned: always
  type: int
  sample: 0
'''

import typing as t

from ansible_collections.cephkit.cephadm.plugins.module_utils._ceph import CephError
from ansible_collections.cephkit.cephadm.plugins.module_utils._cluster import orch_paused
from ansible_collections.cephkit.cephadm.plugins.module_utils._module import CephModule


def manage(mod: CephModule) -> dict[str, t.Any]:
    wanted = bool(mod.params['paused'])
    before = orch_paused(mod.runner)
    result: dict[str, t.Any] = {'changed': before != wanted, 'paused': wanted, 'previously_paused': before}
    cmd = ['orch', 'pause' if wanted else 'resume']
    if result['changed'] and mod.check_mode:
        result['preview'] = [cmd]
    elif result['changed']:
        mod.runner.ceph(cmd)
        after = orch_paused(mod.runner)
        if after != wanted:
            raise CephError(
                'ceph %s ran but the orchestrator is still %s (ceph orch status)'
                % (' '.join(cmd), 'paused' if after else 'running'),
                changed=True,
            )
    if mod.diff:
        result['diff'] = {'before': {'paused': before}, 'after': {'paused': wanted}}
    return result


def main() -> None:
    CephModule({'paused': {'type': 'bool', 'default': True}}).run(manage)


if __name__ == '__main__':
    main()
