# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one entry point of the cephkit.cephadm modules (in the spirit of community.docker's client class).

A module declares its own options, an optional ``validate`` and a ``body``; :class:`CephModule`
does the rest, the same way for every module::

    def manage(mod: CephModule) -> dict[str, t.Any]:
        hosts = orch_hosts(mod.runner)
        ...
        return {'changed': False}

    def main() -> None:
        CephModule({'name': {'type': 'str', 'required': True}}, validate=validate).run(manage)

It builds the AnsibleModule from the shared options (doc fragment ``cephkit.cephadm.cephadm``) and
the module's own, validates before any command runs, owns the one :class:`CephRunner` (whose
secrets are the values of every ``no_log`` option), turns any :class:`CephError` into one
``fail_json`` and adds ``cmds`` and ``containers_started`` to every result, failed or not.

Private to the collection (leading underscore): its API may change without notice.
"""

from __future__ import annotations

import typing as t

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cephkit.cephadm.plugins.module_utils._ceph import (
    CephError,
    CephRunner,
    T,
    cephadm_argument_spec,
    poll,
    validate_fsid,
)


def leaf_strings(value: t.Any) -> list[str]:
    """Every scalar of ``value`` (nested dicts and lists), as text."""
    if isinstance(value, dict):
        return [s for v in value.values() for s in leaf_strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in leaf_strings(v)]
    return [] if value is None else [str(value)]


class CephModule:
    """An AnsibleModule, its validated parameters and its runner: the one object a module body gets.

    ``fsid_check``: ``ceph`` (default) makes the runner compare a given ``fsid`` with the cluster's
    before the first ``ceph`` command; ``caller`` leaves it to the body, which reads the fsid with its
    first command anyway and calls ``runner.confirm_fsid()``.
    """

    def __init__(
        self,
        argument_spec: dict[str, dict[str, t.Any]],
        validate: t.Callable[[dict[str, t.Any]], None] | None = None,
        fsid_check: str = 'ceph',
        **module_kwargs: t.Any,
    ) -> None:
        spec = cephadm_argument_spec(**argument_spec)
        self.module = AnsibleModule(argument_spec=spec, supports_check_mode=True, **module_kwargs)
        self.params: dict[str, t.Any] = self.module.params
        self.check_mode: bool = bool(self.module.check_mode)
        self.diff: bool = bool(self.module._diff)
        self._validate = validate
        secrets = [
            self.params[name]
            for name, opt in spec.items()
            if opt.get('no_log') and isinstance(self.params.get(name), str) and self.params[name]
        ]
        self.runner = CephRunner(self.module, secrets=secrets, fsid_check=fsid_check)

    def warn(self, msg: str) -> None:
        self.module.warn(msg)

    def hide(self, secrets: t.Iterable[str]) -> None:
        """Mask ``secrets`` wherever they would show: commands, outputs, the result and its invocation."""
        for secret in secrets:
            if secret:
                self.runner.add_secret(secret)
                self.module.no_log_values.add(secret)

    def hide_only(self, option: str, secrets: t.Iterable[str]) -> None:
        """For a ``no_log`` option whose secret parts are known (a spec with passwords): mask only those.

        The option stays hidden in the host's invocation log (Ansible logs it when the module starts);
        in the result Ansible would mask every string of it, so every name and number of a spec
        would become ``********``: only ``secrets`` stay masked.
        """
        self.module.no_log_values.difference_update(leaf_strings(self.params.get(option)))
        self.hide(secrets)

    def wait(self, probe: t.Callable[[], T | None], describe: t.Callable[[], str], **details: t.Any) -> T:
        """:func:`poll` with the module's ``wait_timeout`` and ``poll_interval`` (doc fragment ``.wait``)."""
        return poll(probe, self.params['wait_timeout'], self.params['poll_interval'], describe, **details)[0]

    def run(self, body: t.Callable[[CephModule], dict[str, t.Any]]) -> None:
        """Validate, run ``body`` with the runner open, and exit (``fail_json`` on any CephError)."""
        result: dict[str, t.Any] = {}
        try:
            validate_fsid(self.params.get('fsid'))
            if self._validate is not None:
                self._validate(self.params)
            with self.runner:
                result = body(self)
        except CephError as exc:
            kwargs = exc.fail_kwargs()
            kwargs.update(self.runner.result_info())
            kwargs['changed'] = bool(kwargs.get('changed', False))
            self.module.fail_json(**kwargs)
        result.update(self.runner.result_info())
        self.module.exit_json(**result)
