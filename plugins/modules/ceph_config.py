#!/usr/bin/python
# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: ceph_config
short_description: Set or remove options in the Ceph configuration database
version_added: 0.1.0
description:
  - Sets (C(ceph config set)) or removes (C(ceph config rm)) one option for one section, optionally
    with a mask such as C(osd/host:ceph1) or C(osd/class:ssd); or several, each with its own section, with O(options).
  - Options of type secs given with a unit (V(1m), V(2h 30m)) are compared in seconds, as Ceph stores them.
  - The wanted value is compared with C(ceph config dump) the way Ceph stores it (sizes in bytes,
    C(1K) as 1000 for integers, booleans as C(true)/C(false), numbers as numbers), so a second run
    with the same value in another spelling reports no change. A value stored with the very text given
    is unchanged whatever its type; any other is compared by the type C(ceph config help) gives, read once per option name.
  - One C(ceph config dump) serves every entry of O(options); after the changes, one more reads back the values set
    and checks that the overrides removed are gone.
  - Runs on an admin host of the cluster.
author:
  - cephkit maintainers (@cephkit)
options:
  who:
    description:
      - The section, optionally with masks, for example V(global), V(mon), V(osd), V(osd.3),
        V(client.rgw.default), V(osd/host:ceph1), V(osd/class:ssd).
      - Required without O(options), which it excludes.
    type: str
  option:
    description:
      - The option name, for example V(osd_memory_target) or V(mgr/dashboard/ssl_server_port).
      - Required with O(who).
    type: str
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
      - Only for a section without masks (assimilate-conf sets sections), and not in O(options).
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
  options:
    description:
      - Several options to set or remove in one call, instead of O(who), O(option), O(value), O(state) and
        O(remove_overrides) (which it excludes), each entry as those. Secrets (O(secret_value)) are not accepted here.
      - Every entry is checked before any command runs; an error names the entry by its index (V(options[2])), before the message.
      - One C(ceph config dump) serves all; the commands of the entries run in their order, then (when a value was
        set or overrides removed) one more C(ceph config dump) reads the stored values back. Each entry is compared
        with the configuration as the entries before it leave it, so an option named twice ends with the last
        entry's value.
      - An empty list does nothing (no command).
    type: list
    elements: dict
    suboptions:
      who:
        description:
          - The section, optionally with masks, as O(who).
        type: str
        required: true
      option:
        description:
          - The option name, as O(option).
        type: str
        required: true
      value:
        description:
          - The value, as O(value). Required with O(options[].state=present).
        type: raw
      state:
        description:
          - V(present) sets the value, V(absent) removes the option from that section and mask.
        type: str
        choices: [present, absent]
        default: present
      remove_overrides:
        description:
          - Also remove this option where a more specific section sets it, as O(remove_overrides).
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

- name: Several options in one call (one ceph config dump for all)
  cephkit.cephadm.ceph_config:
    options:
      - {who: osd, option: osd_memory_target_autotune, value: false, remove_overrides: true}
      - {who: osd, option: osd_memory_target, value: 4G, remove_overrides: true}
      - {who: mon, option: mon_allow_pool_delete, value: true}
      - {who: 'osd/host:ceph1', option: osd_max_backfills, state: absent}
'''

RETURN = r'''
who:
  description: The section and mask, as given.
  returned: without O(options)
  type: str
  sample: osd/host:ceph1
option:
  description: The option name.
  returned: without O(options)
  type: str
  sample: osd_memory_target
value:
  description: The value as Ceph stores it after the call (predicted in check mode); null when absent;
    C(********) with O(secret_value).
  returned: without O(options)
  type: str
  sample: "1073741824"
overrides_removed:
  description: With O(remove_overrides), the more specific sections that held the option and the value each held
    (C(********) with O(secret_value)); removed, or to be removed in check mode.
  returned: when O(remove_overrides=true), without O(options)
  type: dict
  sample: {"osd/host:ceph1": "6095133081", "osd.3": "2147483648"}
previous_value:
  description: The value Ceph stored before the call; null when the option was not set there; C(********)
    with O(secret_value).
  returned: without O(options)
  type: str
  sample: null
options:
  description: With O(options), each entry's outcome, in the order given.
  returned: with O(options)
  type: list
  elements: dict
  contains:
    who:
      description: The section and mask, as given.
      type: str
      sample: osd
    option:
      description: The option name.
      type: str
      sample: osd_memory_target
    value:
      description: The value as Ceph stores it after the call (predicted in check mode); null when absent.
      type: str
      sample: "4294967296"
    previous_value:
      description: The value Ceph stored before the call; null when the option was not set there.
      type: str
      sample: "1073741824"
    changed:
      description: Whether this entry changed (or, in check mode, would change) the configuration.
      type: bool
      sample: true
    overrides_removed:
      description: With O(options[].remove_overrides=true), the more specific sections that held the option
        and the value each held; removed, or to be removed in check mode.
      returned: when O(options[].remove_overrides=true)
      type: dict
      sample: {"osd/host:ceph1": "6095133081"}
  sample:
    - {who: osd, option: osd_memory_target_autotune, value: "false", previous_value: "true", changed: true,
       overrides_removed: {}}
    - {who: osd, option: osd_memory_target, value: "4294967296", previous_value: null, changed: true,
       overrides_removed: {"osd/host:ceph1": "6095133081"}}
preview:
  description: Commands that would run, in check mode (argv lists, as in RV(cmds)); with O(options), those of every
    entry in order.
  returned: in check mode when a change is predicted
  type: list
  elements: list
  sample: [["config", "set", "osd", "osd_memory_target", "4294967296"]]
diff:
  description: Value before and after, by section then option (with O(options), of every entry).
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
# The parameters of one option: the top-level ones, or those of each entry of `options`.
ENTRY_KEYS = ('who', 'option', 'value', 'state', 'remove_overrides')


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


def stored_value(dump: t.Any, who: str, option: str) -> str | None:
    """The value ``dump`` holds for ``option`` in exactly ``who`` (section and masks), None when not set there."""
    entry = find_entry(dump, who, option)
    return None if entry is None else str(entry.get('value', ''))


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


def overrides_left(dump: t.Any, who: str, option: str, expected: t.Any = None) -> str | None:
    """Why the overrides of ``option`` removed for ``who`` are not all gone from ``dump`` (None when they are).

    ``expected``: the configuration the calls meant to leave (a later entry may set one of them again)."""
    kept = {split_who(other) for other in find_overrides(expected, who, option)}
    left = [other for other in find_overrides(dump, who, option) if split_who(other) not in kept]
    if not left:
        return None
    return (
        '%s is still set in %s after ceph config rm (something writes it again, such as cephadm\'s memory '
        'autotuner while osd_memory_target_autotune is true)' % (option, ', '.join(left))
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


def validate_entry(entry: dict[str, t.Any], prefix: str = '', secret: bool = False) -> None:
    """Check the parameters of one option (the top-level ones or an entry of ``options``, named by ``prefix``)."""
    if not _WHO_RE.match(entry['who']):
        raise CephInputError(
            prefix + 'who %r is not a config section: expected a name such as "global", "osd", "osd.3" '
            'or "osd/host:ceph1" (masks as /type:value)' % entry['who']
        )
    if not _OPTION_RE.match(entry['option']):
        raise CephInputError(
            prefix + 'option %r is not an option name: expected letters, digits, "_" and "/"' % entry['option']
        )
    if (
        not secret
        and entry['state'] == 'present'
        and (entry['value'] is None or isinstance(entry['value'], (dict, list)))
    ):
        raise CephInputError(
            prefix
            + 'value %r is not usable with state=present: expected a string, number or boolean' % (entry['value'],)
        )


def validate(params: dict[str, t.Any]) -> None:
    if params['options'] is not None:
        for index, entry in enumerate(params['options']):
            validate_entry(entry, 'options[%d]: ' % index)
        return
    validate_entry(params, secret=params['secret_value'] is not None)
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


def manage_secret(mod: CephModule) -> dict[str, t.Any]:
    """Set a secret option through stdin; the runner masks it in every output, so the stored one reads MASK."""
    params, runner = mod.params, mod.runner
    who, option = params['who'], params['option']
    first = runner.ceph_json(['config', 'dump'])
    before = stored_value(first, who, option)
    item: dict[str, t.Any] = {'who': who, 'option': option, 'previous_value': None if before is None else MASK}
    if params['state'] == 'absent':
        item.update(changed=before is not None, value=None)
        cmds = [['config', 'rm', who, option]]
    else:
        item.update(changed=before != MASK, value=MASK)
        cmds = [['config', 'assimilate-conf', '-i', '-']]
    cmds = cmds if item['changed'] else []
    overrides: list[list[str]] = []
    if params['remove_overrides']:
        item['overrides_removed'] = dict.fromkeys(find_overrides(first, who, option), MASK)
        overrides = [['config', 'rm', other, option] for other in item['overrides_removed']]
    result = dict(item, changed=bool(cmds or overrides))
    if mod.check_mode:
        if cmds or overrides:
            result['preview'] = cmds + overrides
    else:
        if cmds and params['state'] == 'absent':
            runner.ceph(cmds[0])
        elif cmds:
            runner.ceph(cmds[0], data='[%s]\n%s = %s\n' % (who, option, params['secret_value']))
            if stored_value(runner.ceph_json(['config', 'dump']), who, option) != MASK:
                raise CephError(
                    'ceph config assimilate-conf ran but %s/%s does not hold the value given' % (who, option),
                    changed=True,
                )
        for cmd in overrides:
            runner.ceph(cmd)
        problem = overrides_left(runner.ceph_json(['config', 'dump']), who, option) if overrides else None
        if problem:
            raise CephError(problem, changed=True)
    if mod.diff:
        result['diff'] = diff_of([item])
    return result


def plan(
    runner: CephRunner, entry: dict[str, t.Any], dump: t.Any, types: dict[str, str]
) -> tuple[dict[str, t.Any], list[list[str]]]:
    """What one option changes against ``dump``: its outcome (the value predicted) and its commands, in order.

    ``types``: the type of each option ``ceph config help`` gave so far; asked only for a value stored in
    another text than the one given (the same text is the same value whatever the type)."""
    who, option = entry['who'], entry['option']
    before = stored_value(dump, who, option)
    item: dict[str, t.Any] = {'who': who, 'option': option, 'previous_value': before, 'value': None}
    cmds = []

    def type_of() -> str:
        if option not in types:
            types[option] = option_type(runner, option)
        return types[option]

    if entry['state'] == 'present':
        wanted = to_text(entry['value'])
        if before is not None and (before == wanted or same(before, wanted, type_of())):
            item['value'] = before
        else:
            item['value'] = normalize(wanted, type_of())
            cmds.append(['config', 'set', who, option, wanted])
    elif before is not None:
        cmds.append(['config', 'rm', who, option])
    if entry['remove_overrides']:
        item['overrides_removed'] = find_overrides(dump, who, option)
        cmds += [['config', 'rm', other, option] for other in item['overrides_removed']]
    item['changed'] = bool(cmds)
    return item, cmds


def predicted(dump: t.Any, item: dict[str, t.Any]) -> list[dict[str, t.Any]]:
    """``dump`` as the outcome ``item`` of :func:`plan` leaves it (what the next entry is compared with)."""
    option = item['option']
    gone = {split_who(who) for who in (item['who'], *item.get('overrides_removed', {}))}
    after = [e for e in dump if e.get('name') != option or split_who(entry_who(e)) not in gone]
    if item['value'] is not None:
        section, masks = split_who(item['who'])
        after.append({'section': section, 'mask': '/'.join(sorted(masks)), 'name': option, 'value': item['value']})
    return after


def apply(
    mod: CephModule, entries: list[dict[str, t.Any]], listed: bool
) -> tuple[list[dict[str, t.Any]], list[list[str]]]:
    """Set or remove every entry: one config dump, the commands of all (none in check mode), one dump after them.

    Returns each entry's outcome and the commands (run, or to run in check mode). ``listed``: the entries are
    those of ``options``, named in errors by their index (``options[2]: ...``)."""

    def prefix(index: int) -> str:
        return 'options[%d]: ' % index if listed else ''

    runner = mod.runner
    if not entries:
        return [], []
    first = runner.ceph_json(['config', 'dump'])
    work = list(first) if isinstance(first, list) else []
    types: dict[str, str] = {}
    plans = []
    for index, entry in enumerate(entries):
        try:
            item, cmds = plan(runner, entry, work, types)
        except CephInputError as exc:
            raise CephInputError(prefix(index) + exc.msg, **exc.details) from exc
        work = predicted(work, item)
        plans.append((item, cmds))
    items = [item for item, _cmds in plans]
    cmds = [cmd for _item, entry_cmds in plans for cmd in entry_cmds]
    if mod.check_mode or not cmds:
        return items, cmds
    for cmd in cmds:
        runner.ceph(cmd)
    # read back what was set (as Ceph stores it) and check that the overrides removed are gone
    if not any(entry_cmds[0][1] == 'set' or item.get('overrides_removed') for item, entry_cmds in plans if entry_cmds):
        return items, cmds
    dump = runner.ceph_json(['config', 'dump'])
    problems = []
    for index, (item, entry_cmds) in enumerate(plans):
        if entry_cmds and entry_cmds[0][1] == 'set':
            item['value'] = stored_value(dump, item['who'], item['option'])
        problem = overrides_left(dump, item['who'], item['option'], work) if item.get('overrides_removed') else None
        if problem:
            problems.append(prefix(index) + problem)
    if problems:
        raise CephError('; '.join(problems), changed=True)
    return items, cmds


def diff_of(items: list[dict[str, t.Any]]) -> dict[str, t.Any]:
    """Before and after by section then option, of every outcome and the overrides it removed (to null)."""
    diff: dict[str, dict[str, dict[str, t.Any]]] = {'before': {}, 'after': {}}
    for item in items:
        option = item['option']
        changes = [(item['who'], item['previous_value'], item['value'])]
        changes += [(other, value, None) for other, value in item.get('overrides_removed', {}).items()]
        for who, before, after in changes:
            diff['before'].setdefault(who, {}).setdefault(option, before)
            diff['after'].setdefault(who, {})[option] = after
    return diff


def manage(mod: CephModule) -> dict[str, t.Any]:
    params = mod.params
    if params['secret_value'] is not None:
        return manage_secret(mod)
    listed = params['options'] is not None
    entries = params['options'] if listed else [{key: params[key] for key in ENTRY_KEYS}]
    items, cmds = apply(mod, entries, listed)
    result: dict[str, t.Any] = {'changed': bool(cmds)}
    if listed:
        result['options'] = items
    else:
        result.update(items[0])
    if mod.check_mode and cmds:
        result['preview'] = cmds
    if mod.diff:
        result['diff'] = diff_of(items)
    return result


def main() -> None:
    CephModule(
        {
            'who': {'type': 'str'},
            'option': {'type': 'str'},
            'value': {'type': 'raw'},
            'secret_value': {'type': 'str', 'no_log': True},
            'state': {'type': 'str', 'choices': ['present', 'absent'], 'default': 'present'},
            'remove_overrides': {'type': 'bool', 'default': False},
            'options': {
                'type': 'list',
                'elements': 'dict',
                'options': {
                    'who': {'type': 'str', 'required': True},
                    'option': {'type': 'str', 'required': True},
                    'value': {'type': 'raw'},
                    'state': {'type': 'str', 'choices': ['present', 'absent'], 'default': 'present'},
                    'remove_overrides': {'type': 'bool', 'default': False},
                },
            },
        },
        validate=validate,
        mutually_exclusive=[('value', 'secret_value')]
        + [('options', name) for name in ('who', 'option', 'value', 'secret_value', 'state', 'remove_overrides')],
        required_one_of=[('options', 'who')],
        required_by={'who': 'option'},
    ).run(manage)


if __name__ == '__main__':
    main()
