#!/usr/bin/python
# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: ceph_config
short_description: Set or remove an option in the Ceph configuration database
version_added: 0.1.0
description:
  - Sets (C(ceph config set)) or removes (C(ceph config rm)) one option for one section, optionally
    with a mask such as C(osd/host:ceph1) or C(osd/class:ssd).
  - Options of type secs given with a unit (V(1m), V(2h 30m)) are compared in seconds, as Ceph stores them.
  - The wanted value is compared with C(ceph config dump) the way Ceph stores it (sizes in bytes,
    C(1K) as 1000 for integers, booleans as C(true)/C(false), numbers as numbers), so a second run
    with the same value in another spelling reports no change.
  - Runs on an admin host of the cluster.
author:
  - cephkit maintainers (@cephkit)
options:
  who:
    description:
      - The section, optionally with masks, for example V(global), V(mon), V(osd), V(osd.3),
        V(client.rgw.default), V(osd/host:ceph1), V(osd/class:ssd).
    type: str
    required: true
  option:
    description:
      - The option name, for example V(osd_memory_target) or V(mgr/dashboard/ssl_server_port).
    type: str
    required: true
  value:
    description:
      - The value. Required with O(state=present).
      - Booleans and numbers are accepted and stored as Ceph spells them.
    type: raw
  secret_value:
    description:
      - The value of a secret option (for example V(rgw_keystone_admin_password)), instead of O(value).
      - It never reaches a command line or the logs, the module gives it to C(ceph config assimilate-conf -i -)
        on standard input. RV(value), RV(previous_value) and the diff show C(********) for it.
      - Only for a section without masks (assimilate-conf sets sections).
      - With O(state=absent), any non-empty O(secret_value) marks the option as secret, so that the removed
        value is masked too.
    type: str
  state:
    description:
      - V(present) sets the value, V(absent) removes the option from that section and mask.
    type: str
    choices: [present, absent]
    default: present
  remove_overrides:
    description:
      - Also remove this option where a more specific section sets it for the daemons of O(who), so that the value
        given (or, with O(state=absent), the default) is the one they run with.
      - More specific are the same section with more masks (V(osd/host:ceph1) and V(osd/class:ssd) for V(osd)) and,
        when O(who) is a daemon type without masks, its daemons (V(osd.3) for V(osd)); for V(global), every other
        section.
      - For example cephadm's memory autotuner writes C(osd_memory_target) for C(osd/host:NAME); those values win
        over the C(osd) section.
    type: bool
    default: false
extends_documentation_fragment:
  - cephkit.cephadm.cephadm
  - cephkit.cephadm.cephadm.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  idempotent:
    support: full
seealso:
  - module: cephkit.cephadm.ceph_cluster_info
'''

EXAMPLES = r'''
- name: A secret option, given on standard input only
  cephkit.cephadm.ceph_config:
    who: client.rgw
    option: rgw_keystone_admin_password
    secret_value: "{{ vault_keystone_password }}"

- name: Limit OSD memory on one host
  cephkit.cephadm.ceph_config:
    who: osd/host:ceph1
    option: osd_memory_target
    value: 1G

- name: Lower the mon free-space warning for a lab
  cephkit.cephadm.ceph_config:
    who: mon
    option: mon_data_avail_warn
    value: 10

- name: Memory target of every OSD, replacing what cephadm's autotuner wrote for each host
  cephkit.cephadm.ceph_config:
    who: osd
    option: osd_memory_target
    value: 4G
    remove_overrides: true

- name: Remove a setting
  cephkit.cephadm.ceph_config:
    who: osd/host:ceph1
    option: osd_memory_target
    state: absent
'''

RETURN = r'''
who:
  description: The section and mask, as given.
  returned: success
  type: str
  sample: osd/host:ceph1
option:
  description: The option name.
  returned: success
  type: str
  sample: osd_memory_target
value:
  description: The value as Ceph stores it after the call (predicted in check mode); null when absent;
    C(********) with O(secret_value).
  returned: success
  type: str
  sample: "1073741824"
overrides_removed:
  description: With O(remove_overrides), the more specific sections that held the option and the value each held
    (C(********) with O(secret_value)); removed, or to be removed in check mode.
  returned: when O(remove_overrides=true)
  type: dict
  sample: {"osd/host:ceph1": "6095133081", "osd.3": "2147483648"}
previous_value:
  description: The value Ceph stored before the call; null when the option was not set there; C(********)
    with O(secret_value).
  returned: success
  type: str
  sample: null
preview:
  description: Commands that would run, in check mode (argv lists, as in RV(cmds)).
  returned: in check mode when a change is predicted
  type: list
  elements: list
  sample: [["config", "set", "osd", "osd_memory_target", "4294967296"]]
diff:
  description: Value before and after.
  returned: when diff mode is on
  type: dict
  sample: {"before": {"osd/host:ceph1": {"osd_memory_target": null}}, "after": {"osd/host:ceph1": {"osd_memory_target": "1073741824"}}}
cmds:
  description: Every command the module ran, as argv lists with secrets masked.
  returned: always
  type: list
  elements: list
  sample: [["/usr/bin/ceph", "config", "dump", "--format", "json"]]
containers_started:
  description: Number of helper containers the module started (and removed) during this call; 0 or 1.
  returned: always
  type: int
  sample: 0
'''

import re
import typing as t

from ansible_collections.cephkit.cephadm.plugins.module_utils._ceph import MASK, CephError, CephInputError, CephRunner
from ansible_collections.cephkit.cephadm.plugins.module_utils._module import CephModule

_WHO_RE = re.compile(r'^[A-Za-z][A-Za-z0-9_.-]*(/[A-Za-z_-]+:[^/\s]+)*$')
_OPTION_RE = re.compile(r'^[A-Za-z0-9_][A-Za-z0-9_./-]*$')
_SI = {'': 0, 'K': 3, 'M': 6, 'G': 9, 'T': 12, 'P': 15, 'E': 18}
# Ceph's parse_timespan (src/common/ceph_time.cc): the units of options of type secs.
_TIMESPAN_UNITS = {
    **dict.fromkeys(('s', 'sec', 'second', 'seconds'), 1),
    **dict.fromkeys(('m', 'min', 'minute', 'minutes'), 60),
    **dict.fromkeys(('h', 'hr', 'hour', 'hours'), 3600),
    **dict.fromkeys(('d', 'day', 'days'), 86400),
    **dict.fromkeys(('w', 'wk', 'week', 'weeks'), 7 * 86400),
    **dict.fromkeys(('mo', 'month', 'months'), 30 * 86400),
    **dict.fromkeys(('y', 'yr', 'year', 'years'), 365 * 86400),
}
_IEC = {'': 0, 'B': 0, 'K': 10, 'M': 20, 'G': 30, 'T': 40, 'P': 50, 'E': 60}


def split_who(who: str) -> tuple[str, frozenset[str]]:
    """``osd/host:ceph1`` -> (``osd``, {``host:ceph1``})."""
    parts = who.split('/')
    return parts[0], frozenset(p for p in parts[1:] if p)


def to_text(value: t.Any) -> str:
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def timespan_seconds(text: str) -> int | None:
    """Seconds of a Ceph timespan (``90``, ``1m``, ``2h 30m``, ``1day``), None when it is not one."""
    parts = re.findall(r'\s*(\d+)\s*([A-Za-z]*)', text)
    if not parts or ''.join(n + u for n, u in parts) != re.sub(r'\s+', '', text):
        return None
    total = 0
    for number, unit in parts:
        if unit and unit not in _TIMESPAN_UNITS:
            return None
        total += int(number) * _TIMESPAN_UNITS.get(unit, 1)
    return total


def normalize(value: str, opt_type: str) -> str:
    """Value as Ceph's ``Option::parse_value`` stores it; unchanged when unknown or unparsable."""
    text = value.strip()
    try:
        if opt_type == 'bool':
            low = text.lower()
            if low in ('true', 'false'):
                return low
            return 'true' if int(text) else 'false'
        if opt_type in ('int', 'uint'):
            match = re.match(r'^([+-]?\d+)([KMGTPE]?)$', text)
            if match:
                return str(int(match.group(1)) * 10 ** _SI[match.group(2)])
        if opt_type == 'size':
            match = re.match(r'^(\d+)(?:([KMGTPE])i?|(B))?$', text)
            if match:
                unit = match.group(2) or match.group(3) or ''
                return str(int(match.group(1)) * 2 ** _IEC[unit])
        if opt_type == 'float':
            return repr(float(text))
        if opt_type == 'secs':
            seconds = timespan_seconds(text)
            if seconds is not None:
                return str(seconds)
    except ValueError:
        return text
    return text


def same(current: str, wanted: str, opt_type: str) -> bool:
    if normalize(current, opt_type) == normalize(wanted, opt_type):
        return True
    if opt_type in ('float', 'secs', 'millisecs'):
        try:
            return float(current) == float(wanted)
        except ValueError:
            return False
    return False


def find_entry(dump: t.Any, who: str, option: str) -> dict[str, t.Any] | None:
    section, masks = split_who(who)
    for entry in dump if isinstance(dump, list) else []:
        if entry.get('name') != option or entry.get('section') != section:
            continue
        if frozenset(p for p in str(entry.get('mask', '')).split('/') if p) == masks:
            return dict(entry)
    return None


def entry_who(entry: dict[str, t.Any]) -> str:
    """``{'section': 'osd', 'mask': 'host:ceph1'}`` -> ``osd/host:ceph1``."""
    mask = str(entry.get('mask', '') or '')
    return '%s/%s' % (entry.get('section'), mask) if mask else str(entry.get('section'))


def find_overrides(dump: t.Any, who: str, option: str) -> dict[str, str]:
    """The sections more specific than ``who`` that set ``option`` (see remove_overrides), with their values."""
    section, masks = split_who(who)
    found: dict[str, str] = {}
    for entry in dump if isinstance(dump, list) else []:
        if entry.get('name') != option:
            continue
        other = str(entry.get('section', ''))
        other_masks = frozenset(p for p in str(entry.get('mask', '')).split('/') if p)
        if other == section:
            narrower = other_masks > masks
        elif masks:
            narrower = False
        elif section == 'global':
            narrower = True
        else:
            narrower = '.' not in section and other.startswith(section + '.')
        if narrower:
            found[entry_who(entry)] = str(entry.get('value', ''))
    return dict(sorted(found.items()))


def remove_overrides(mod: CephModule, result: dict[str, t.Any], dump: t.Any, secret: bool) -> None:
    """Remove the option from the more specific sections of ``dump`` (remove_overrides), recording it in result."""
    who, option = mod.params['who'], mod.params['option']
    found = find_overrides(dump, who, option)
    if secret:
        found = dict.fromkeys(found, MASK)
    result['overrides_removed'] = found
    if not found:
        return
    result['changed'] = True
    cmds = [['config', 'rm', other, option] for other in found]
    if mod.check_mode:
        result['preview'] = result.get('preview', []) + cmds
        return
    for cmd in cmds:
        mod.runner.ceph(cmd)
    left = find_overrides(mod.runner.ceph_json(['config', 'dump']), who, option)
    if left:
        raise CephError(
            '%s is still set in %s after ceph config rm (something writes it again, such as cephadm\'s memory '
            'autotuner while osd_memory_target_autotune is true)' % (option, ', '.join(left)),
            changed=True,
        )


def option_type(runner: CephRunner, option: str) -> str:
    res = runner.ceph(['config', 'help', option, '--format', 'json'], check=False)
    if res.rc != 0:
        raise CephInputError(
            'option %r is not known to this cluster (ceph config help: %s)'
            % (option, res.stderr.strip() or res.stdout.strip())
        )
    data = res.json()
    return str(data.get('type', 'str')) if isinstance(data, dict) else 'str'


def validate(params: dict[str, t.Any]) -> None:
    if not _WHO_RE.match(params['who']):
        raise CephInputError(
            'who %r is not a config section: expected a name such as "global", "osd", "osd.3" '
            'or "osd/host:ceph1" (masks as /type:value)' % params['who']
        )
    if not _OPTION_RE.match(params['option']):
        raise CephInputError(
            'option %r is not an option name: expected letters, digits, "_" and "/"' % params['option']
        )
    if params['secret_value'] is not None:
        if not params['secret_value']:
            raise CephInputError('secret_value is empty: expected the secret (or, with state=absent, any marker)')
        if '/' in params['who']:
            raise CephInputError(
                'who %r has a mask: secret_value sets a section without masks (ceph config assimilate-conf)'
                % params['who']
            )
        if '\n' in params['secret_value']:
            raise CephInputError('secret_value contains a newline: expected a one-line value')
        return
    if params['state'] == 'present' and (params['value'] is None or isinstance(params['value'], (dict, list))):
        raise CephInputError(
            'value %r is not usable with state=present: expected a string, number or boolean' % (params['value'],)
        )


def manage_secret(mod: CephModule) -> dict[str, t.Any]:
    """Set a secret option through stdin; the runner masks it in every output, so the stored one reads MASK."""
    params, runner = mod.params, mod.runner
    who, option = params['who'], params['option']

    def stored(dump: t.Any = None) -> str | None:
        entry = find_entry(runner.ceph_json(['config', 'dump']) if dump is None else dump, who, option)
        return None if entry is None else str(entry.get('value', ''))

    first = runner.ceph_json(['config', 'dump'])
    before = stored(first)
    shown_before = None if before is None else MASK
    result: dict[str, t.Any] = {'changed': before != MASK, 'who': who, 'option': option, 'value': MASK}
    result['previous_value'] = shown_before
    cmd = ['config', 'assimilate-conf', '-i', '-']
    if params['state'] == 'absent':
        result.update(changed=before is not None, value=None)
        cmd = ['config', 'rm', who, option]
        if result['changed'] and not mod.check_mode:
            runner.ceph(cmd)
    if result['changed'] and mod.check_mode:
        result['preview'] = [cmd]
    elif result['changed'] and params['state'] == 'present':
        runner.ceph(cmd, data='[%s]\n%s = %s\n' % (who, option, params['secret_value']))
        if stored() != MASK:
            raise CephError(
                'ceph config assimilate-conf ran but %s/%s does not hold the value given' % (who, option), changed=True
            )
    if params['remove_overrides']:
        remove_overrides(mod, result, first, secret=True)
    if mod.diff:
        result['diff'] = with_overrides(
            {'before': {who: {option: shown_before}}, 'after': {who: {option: result['value']}}}, result, option
        )
    return result


def manage(mod: CephModule) -> dict[str, t.Any]:
    params, runner = mod.params, mod.runner
    if params['secret_value'] is not None:
        return manage_secret(mod)
    who, option, state = params['who'], params['option'], params['state']
    first = runner.ceph_json(['config', 'dump'])
    entry = find_entry(first, who, option)
    before = None if entry is None else str(entry.get('value', ''))
    result: dict[str, t.Any] = {'changed': False, 'who': who, 'option': option, 'previous_value': before}
    after: str | None
    if state == 'present':
        wanted = to_text(params['value'])
        opt_type = option_type(runner, option)
        if before is not None and same(before, wanted, opt_type):
            after = before
        else:
            after = normalize(wanted, opt_type)
            result['changed'] = True
            cmd = ['config', 'set', who, option, wanted]
            if mod.check_mode:
                result['preview'] = [cmd]
            else:
                runner.ceph(cmd)
                entry = find_entry(runner.ceph_json(['config', 'dump']), who, option)
                after = None if entry is None else str(entry.get('value', ''))
    else:
        after = None
        if before is not None:
            result['changed'] = True
            cmd = ['config', 'rm', who, option]
            if mod.check_mode:
                result['preview'] = [cmd]
            else:
                runner.ceph(cmd)
    result['value'] = after
    if params['remove_overrides']:
        remove_overrides(mod, result, first, secret=False)
    if mod.diff:
        result['diff'] = with_overrides(
            {'before': {who: {option: before}}, 'after': {who: {option: after}}}, result, option
        )
    return result


def with_overrides(diff: dict[str, t.Any], result: dict[str, t.Any], option: str) -> dict[str, t.Any]:
    """The diff, with the overrides removed shown going from their value to null."""
    for other, value in result.get('overrides_removed', {}).items():
        diff['before'][other] = {option: value}
        diff['after'][other] = {option: None}
    return diff


def main() -> None:
    CephModule(
        {
            'who': {'type': 'str', 'required': True},
            'option': {'type': 'str', 'required': True},
            'value': {'type': 'raw'},
            'secret_value': {'type': 'str', 'no_log': True},
            'state': {'type': 'str', 'choices': ['present', 'absent'], 'default': 'present'},
            'remove_overrides': {'type': 'bool', 'default': False},
        },
        validate=validate,
        mutually_exclusive=[('value', 'secret_value')],
    ).run(manage)


if __name__ == '__main__':
    main()
