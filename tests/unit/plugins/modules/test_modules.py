# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every module against its table of cases (cases/<module>.yml), answered by recorded fixtures."""

from __future__ import annotations

import importlib
import pathlib
import typing as t

import pytest
import yaml

HERE = pathlib.Path(__file__).resolve().parent
FIXTURES = HERE.parent.parent / 'fixtures'
MODULES = HERE.parent.parent.parent.parent / 'plugins' / 'modules'
CEPH_VERSIONS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())
CASE_FILES = sorted((HERE / 'cases').glob('*.yml'))


def modules_on_the_runner() -> list[str]:
    """The modules that run ceph or cephadm through the private runner (doc fragment cephkit.cephadm.cephadm)."""
    return sorted(
        p.stem for p in MODULES.glob('ceph_*.py') if '- cephkit.cephadm.cephadm\n' in p.read_text(encoding='utf-8')
    )


def load_cases() -> list[t.Any]:
    """pytest params: every case of every cases/<module>.yml, for every Ceph version with recorded fixtures (or for
    the versions the case names)."""
    params = []
    for path in CASE_FILES:
        for case in yaml.safe_load(path.read_text(encoding='utf-8')):
            # a case recorded across releases (an upgrade) names the version its fixtures are under
            for version in case.get('versions', CEPH_VERSIONS):
                params.append(pytest.param(path.stem, case, version, id='%s-%s-%s' % (path.stem, case['id'], version)))
    return params


def fixtures_of(case: dict[str, t.Any]) -> set[str]:
    """The fixtures a case replays (its calls' and its device labels')."""
    calls = [c for item in case.get('calls') or [] for c in (item if isinstance(item, list) else [item])]
    return {str(c['fixture']) for c in calls if 'fixture' in c} | {
        str(v) for v in (case.get('device_labels') or {}).values() if v
    }


def cases_with_lines() -> list[tuple[pathlib.Path, int, dict[str, t.Any]]]:
    """Every case with the line of its ``versions:`` key (0 without one), from the YAML node tree."""
    found = []
    for path in CASE_FILES:
        text = path.read_text(encoding='utf-8')
        cases = yaml.safe_load(text)
        root = yaml.compose(text)
        assert root is not None, path
        nodes = root.value
        for case, node in zip(cases, nodes, strict=True):
            line = next((k.start_mark.line + 1 for k, _v in node.value if k.value == 'versions'), 0)
            found.append((path, line, case))
    return found


def test_every_case_runs_on_every_release_or_says_why_not() -> None:
    """A case without ``versions:`` runs on every fixture directory, so each must hold all its fixtures (a missing one
    would also fail that case); a case limited to some releases says why in a comment on its ``versions:`` line or the
    line above it, and names only releases that have fixtures."""
    problems = []
    for path, line, case in cases_with_lines():
        where = '%s:%s (%s)' % (path.name, line, case['id'])
        if not line:
            for version in CEPH_VERSIONS:
                missing = sorted(n for n in fixtures_of(case) if not (FIXTURES / version / ('%s.json' % n)).is_file())
                if missing:
                    problems.append(
                        '%s: no %s under %s: record them, or limit the case with versions: and a '
                        'comment saying why' % (where, ', '.join(missing), version)
                    )
            continue
        versions = [str(v) for v in case['versions']]
        unknown = sorted(set(versions) - set(CEPH_VERSIONS))
        if unknown:
            problems.append('%s: versions %s have no fixture directory' % (where, unknown))
        if sorted(versions) != CEPH_VERSIONS:
            lines = path.read_text(encoding='utf-8').splitlines()
            if '#' not in lines[line - 1] and not lines[line - 2].lstrip().startswith('#'):
                problems.append('%s: runs on %s only, without a comment saying why' % (where, versions))
    assert not problems, '\n'.join(problems)


def test_every_module_on_the_runner_has_cases() -> None:
    assert modules_on_the_runner(), 'no module found in %s' % MODULES
    assert [p.stem for p in CASE_FILES] == modules_on_the_runner()


@pytest.mark.parametrize(('module', 'case', 'version'), load_cases())
def test_module(run_case: t.Callable[..., None], module: str, case: dict[str, t.Any], version: str) -> None:
    run_case(importlib.import_module('ansible_collections.cephkit.cephadm.plugins.modules.' + module), case, version)
