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


def test_every_module_on_the_runner_has_cases() -> None:
    assert modules_on_the_runner(), 'no module found in %s' % MODULES
    assert [p.stem for p in CASE_FILES] == modules_on_the_runner()


@pytest.mark.parametrize(('module', 'case', 'version'), load_cases())
def test_module(run_case: t.Callable[..., None], module: str, case: dict[str, t.Any], version: str) -> None:
    run_case(importlib.import_module('ansible_collections.cephkit.cephadm.plugins.modules.' + module), case, version)
