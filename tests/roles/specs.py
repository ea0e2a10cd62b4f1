#!/usr/bin/env python
# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Keep every role's argument spec in step with the interface.

The role ``cephkit`` defines and documents every interface variable
(``roles/cephkit/meta/argument_specs.yml``, defaults in ``defaults/main.yml``).
Every other role lists, in its own ``meta/argument_specs.yml``, the interface
variables it reads, with the very same definition, so that ``ansible-doc -t
role`` shows them and each role type-checks its inputs even when run on its
own; next to them it documents its own options (``cephkit_<role>_*``), which
are edited in its file.

Which interface variables a role reads is found in its files (tasks, vars,
defaults, handlers, templates), directly or through a fact the cephkit role
works out from them (DERIVED).  The check fails when

- the interface's ``defaults/main.yml`` and its spec disagree;
- a role's spec lacks an interface variable the role reads, lists one it does
  not read, or defines one differently from the interface;
- a role that reads an interface variable does not declare the dependency
  ``cephkit.cephadm.cephkit`` in ``meta/main.yml``.

    tests/roles/specs.py           check (run by make unit, tests/unit/test_role_specs.py)
    tests/roles/specs.py --write   regenerate the interface options of every role's spec
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
INTERFACE_ROLE = 'cephkit'
DEPENDENCY = 'cephkit.cephadm.cephkit'
# Where a role reads variables (meta/ and README.md only describe them).
READ_DIRS = ('tasks', 'vars', 'defaults', 'handlers', 'templates')
# Facts the cephkit role works out from interface variables: a role that reads the fact reads them.
DERIVED = {
    'cephkit_osd_memory_bytes': ['cephkit_osd_memory_target'],
    'cephkit_osd_device_paths': ['cephkit_osd_devices'],
    'cephkit_image_release': ['cephkit_image', 'cephkit_ceph_release'],
    'cephkit_public_address': ['cephkit_public_network'],
    'cephkit_cluster_address': ['cephkit_cluster_network'],
    'cephkit_image_set': [
        'cephkit_image',
        'cephkit_ceph_release',
        'cephkit_images',
        'cephkit_image_registry',
        'cephkit_image_lock_file',
        'cephkit_monitoring',
        'cephkit_monitoring_services',
        'cephkit_image_extra_services',
    ],
}
DERIVED['cephkit_cluster_image'] = DERIVED['cephkit_image_set']
READS_NOTE = 'Reads the variables of the role C(cephkit.cephadm.cephkit), a dependency, which defines their defaults.'
HEADER = (
    '---\n'
    '# The options named in roles/cephkit/meta/argument_specs.yml are generated from it by\n'
    '# tests/roles/specs.py --write: edit them there.  The role\'s own options are edited here.\n'
)


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def roles() -> list[str]:
    return sorted(
        p.parent.parent.name for p in ROOT.glob('roles/*/meta/main.yml') if p.parent.parent.name != INTERFACE_ROLE
    )


def reads(role: str, names: list[str]) -> list[str]:
    """The interface variables a role's files name, directly or through a fact of DERIVED, in the interface's order."""
    text = '\n'.join(
        p.read_text(errors='replace')
        for d in READ_DIRS
        for p in sorted((ROOT / 'roles' / role / d).rglob('*'))
        if p.is_file()
    )

    def named(name: str) -> bool:
        return re.search(rf'(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])', text) is not None

    through_facts = {var for fact, variables in DERIVED.items() if named(fact) for var in variables}
    return [name for name in names if named(name) or name in through_facts]


def expected(role: str, interface: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """The role's spec: its current text, with the interface options it reads in the interface's definition."""
    main = dict(current.get('argument_specs', {}).get('main', {}))
    own = {name: spec for name, spec in (main.get('options') or {}).items() if name not in interface}
    read = reads(role, list(interface))
    description = main.get('description', [])
    if isinstance(description, str):
        description = [description]
    if read and READS_NOTE not in description:
        description = [*description, READS_NOTE]
    spec: dict[str, Any] = {'short_description': main.get('short_description', '')}
    spec['description'] = description
    spec['author'] = main.get('author', ['cephkit maintainers'])
    spec.update({k: v for k, v in main.items() if k not in ('short_description', 'description', 'author', 'options')})
    spec['options'] = {name: interface[name] for name in read} | own
    return {'argument_specs': {'main': spec}}


def depends_on_interface(role: str) -> bool:
    meta = load(ROOT / 'roles' / role / 'meta/main.yml') or {}
    deps = meta.get('dependencies') or []
    if any((d.get('role') if isinstance(d, dict) else d) == DEPENDENCY for d in deps):
        return True
    # A role for hosts outside the cluster imports the interface's defaults and the tasks it needs instead.
    tasks = '\n'.join(p.read_text(errors='replace') for p in sorted((ROOT / 'roles' / role / 'tasks').glob('*.yml')))
    return re.search(rf'import_role:\s*\n\s*name: {re.escape(DEPENDENCY)}\s*\n\s*tasks_from:', tasks) is not None


def check(write: bool = False) -> list[str]:
    interface = load(ROOT / 'roles/cephkit/meta/argument_specs.yml')['argument_specs']['main']['options']
    defaults = load(ROOT / 'roles/cephkit/defaults/main.yml')
    errors = []
    if set(defaults) != set(interface):
        errors.append(f'roles/cephkit: defaults and argument_specs differ: {sorted(set(defaults) ^ set(interface))}')
    for name, spec in interface.items():
        if name in defaults and 'default' in spec and spec['default'] != defaults[name]:
            errors.append(
                f'roles/cephkit: {name}: default {defaults[name]!r} in defaults/main.yml, {spec["default"]!r} in the spec'
            )
        if name in defaults and 'default' not in spec and defaults[name] is not None:
            errors.append(f'roles/cephkit: {name}: defaults/main.yml has {defaults[name]!r}, the spec no default')
    for role in roles():
        path = ROOT / 'roles' / role / 'meta/argument_specs.yml'
        current = load(path) if path.exists() else {}
        want = expected(role, interface, current)
        read = [name for name in want['argument_specs']['main']['options'] if name in interface]
        if read and not depends_on_interface(role):
            errors.append(
                f'roles/{role}/meta/main.yml: the role reads {", ".join(read)} but does not declare the dependency'
                f' {DEPENDENCY}'
            )
        if write:
            path.write_text(HEADER + yaml.safe_dump(want, sort_keys=False, width=120, default_flow_style=False))
            continue
        if current != want or not path.read_text().startswith(HEADER):
            have = set(current.get('argument_specs', {}).get('main', {}).get('options') or {}) & set(interface)
            detail = []
            if set(read) - have:
                detail.append(f'lacks {sorted(set(read) - have)}')
            if have - set(read):
                detail.append(f'lists {sorted(have - set(read))}, which the role does not read')
            if not detail:
                detail.append('differs from the interface or the generated form')
            errors.append(
                f'{path.relative_to(ROOT)}: out of step with the interface ({"; ".join(detail)});'
                ' run tests/roles/specs.py --write'
            )
    return errors


def main() -> int:
    errors = check(write='--write' in sys.argv)
    for error in errors:
        print(error, file=sys.stderr)
    if not errors:
        interface = load(ROOT / 'roles/cephkit/meta/argument_specs.yml')['argument_specs']['main']['options']
        print(f'specs: {len(interface)} interface variables; {len(roles())} role specs in step')
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
