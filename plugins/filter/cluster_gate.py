# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Health gates: does a ceph_cluster_info result show what was asked? (The rules: module_utils/_gates.py.)"""

from __future__ import annotations

import typing as t

from ansible.errors import AnsibleFilterError

from ansible_collections.cephkit.cephadm.plugins.module_utils._gates import GATES, gate_reason


def cluster_gate(info: t.Any, gate: str, expect: t.Any = None) -> dict[str, t.Any]:
    """Return ``{ok, reason}`` for ``gate`` given a ceph_cluster_info result and what is expected."""
    if gate not in GATES:
        raise AnsibleFilterError(f'cluster_gate: gate {gate!r} is not one of {list(GATES)}')
    if not isinstance(info, dict):
        raise AnsibleFilterError(f'cluster_gate: expected the result of ceph_cluster_info, got {type(info).__name__}')
    expect = expect or {}
    if not isinstance(expect, dict):
        raise AnsibleFilterError(f'cluster_gate: expected a dict of expectations, got {type(expect).__name__}')
    reason = gate_reason(info, gate, expect)
    return {'ok': not reason, 'reason': reason}


class FilterModule:
    """cephkit.cephadm health gate filter."""

    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {'cluster_gate': cluster_gate}
