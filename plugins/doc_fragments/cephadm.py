# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    """Shared documentation of the cephkit.cephadm modules."""

    # Options every module accepts (argument spec: module_utils._ceph.cephadm_argument_spec).
    DOCUMENTATION = r'''
options:
  fsid:
    description:
      - The fsid (a UUID) of the cluster to act on.
      - When given, the module first checks that the cluster the host reaches (through C(/etc/ceph/ceph.conf))
        has this fsid, and fails without changing anything when it has another.
      - When not given, the cluster of C(/etc/ceph/ceph.conf) is used.
    type: str
  image:
    description:
      - Container image of the cluster, for example C(quay.io/ceph/ceph:v16.2.15).
      - Passed to cephadm as its global C(--image) option, and used for the single helper container
        that runs the C(ceph) CLI when the host has none.
      - When not given, the image of a running daemon of the cluster on this host is used.
    type: str
  docker:
    description:
      - Use docker instead of podman (cephadm's global C(--docker) option).
    type: bool
    default: false
  cephadm_path:
    description:
      - Path of the cephadm executable. Looked up in E(PATH) when not given.
    type: path
  timeout:
    description:
      - Timeout in seconds of every single command the module runs (a wait for the cluster is bounded by
        O(ignore:wait_timeout) in the modules that wait).
      - A command that takes longer is killed and the module fails naming it.
    type: int
    default: 300
notes:
  - The C(ceph) CLI runs on the host when the host has it, C(/etc/ceph/ceph.conf) and a readable
    C(/etc/ceph/ceph.client.admin.keyring). Otherwise the module starts ONE helper container from the
    cluster's image with C(/etc/ceph) mounted read-only, runs every C(ceph) command of the call in it,
    and removes it before returning. The result's RV(containers_started) tells how many were started.
requirements:
  - cephadm on the managed host
  - podman (or docker with O(docker=true)) on the managed host
'''

    # Options of the modules that wait for the cluster (argument spec: module_utils._ceph.wait_argument_spec).
    WAIT = r'''
options:
  wait_timeout:
    description:
      - Seconds the whole wait for the cluster may take (O(timeout) bounds each command inside it).
      - When the cluster has not reached the awaited state by then, the module fails, says what is still
        missing, and reports C(changed) when it had changed something before the wait.
    type: int
    default: 600
  poll_interval:
    description:
      - Seconds between two looks at the cluster while waiting.
    type: int
    default: 5
'''

    # Attributes; modules set C(support) for each.
    ATTRIBUTES = r'''
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
  idempotent:
    description:
      - When run twice in a row outside check mode, with the same arguments, the second invocation indicates no change.
'''
