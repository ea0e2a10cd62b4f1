# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every module against its table of cases (cases/<module>.yml), answered by recorded fixtures."""

from __future__ import annotations

import pathlib
import typing as t

import pytest
import yaml

from ansible_collections.cephkit.cephadm.plugins.modules import (
    ceph_bootstrap,
    ceph_cluster_info,
    ceph_cluster_wait,
    ceph_config,
    ceph_orch_apply,
    ceph_orch_host,
    ceph_orch_pause,
    ceph_osd_activate,
    ceph_osd_device,
    ceph_rm_cluster,
)

HERE = pathlib.Path(__file__).resolve().parent
FIXTURES = HERE.parent.parent / 'fixtures'
CEPH_VERSIONS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def load_cases(module: str) -> list[t.Any]:
    """pytest params: every case of cases/<module>.yml, for every Ceph version with recorded fixtures."""
    cases = yaml.safe_load((HERE / 'cases' / ('%s.yml' % module)).read_text(encoding='utf-8'))
    return [
        pytest.param(case, version, id='%s-%s' % (case['id'], version)) for version in CEPH_VERSIONS for case in cases
    ]


@pytest.mark.parametrize(('case', 'version'), load_cases('ceph_cluster_info'))
def test_ceph_cluster_info(run_case: t.Callable[..., None], case: dict[str, t.Any], version: str) -> None:
    run_case(ceph_cluster_info, case, version)


@pytest.mark.parametrize(('case', 'version'), load_cases('ceph_cluster_wait'))
def test_ceph_cluster_wait(run_case: t.Callable[..., None], case: dict[str, t.Any], version: str) -> None:
    run_case(ceph_cluster_wait, case, version)


@pytest.mark.parametrize(('case', 'version'), load_cases('ceph_orch_host'))
def test_ceph_orch_host(run_case: t.Callable[..., None], case: dict[str, t.Any], version: str) -> None:
    run_case(ceph_orch_host, case, version)


@pytest.mark.parametrize(('case', 'version'), load_cases('ceph_config'))
def test_ceph_config(run_case: t.Callable[..., None], case: dict[str, t.Any], version: str) -> None:
    run_case(ceph_config, case, version)


@pytest.mark.parametrize(('case', 'version'), load_cases('ceph_bootstrap'))
def test_ceph_bootstrap(run_case: t.Callable[..., None], case: dict[str, t.Any], version: str) -> None:
    run_case(ceph_bootstrap, case, version)


@pytest.mark.parametrize(('case', 'version'), load_cases('ceph_rm_cluster'))
def test_ceph_rm_cluster(run_case: t.Callable[..., None], case: dict[str, t.Any], version: str) -> None:
    run_case(ceph_rm_cluster, case, version)


@pytest.mark.parametrize(('case', 'version'), load_cases('ceph_osd_device'))
def test_ceph_osd_device(run_case: t.Callable[..., None], case: dict[str, t.Any], version: str) -> None:
    run_case(ceph_osd_device, case, version)


@pytest.mark.parametrize(('case', 'version'), load_cases('ceph_osd_activate'))
def test_ceph_osd_activate(run_case: t.Callable[..., None], case: dict[str, t.Any], version: str) -> None:
    run_case(ceph_osd_activate, case, version)


@pytest.mark.parametrize(('case', 'version'), load_cases('ceph_orch_apply'))
def test_ceph_orch_apply(run_case: t.Callable[..., None], case: dict[str, t.Any], version: str) -> None:
    run_case(ceph_orch_apply, case, version)


@pytest.mark.parametrize(('case', 'version'), load_cases('ceph_orch_pause'))
def test_ceph_orch_pause(run_case: t.Callable[..., None], case: dict[str, t.Any], version: str) -> None:
    run_case(ceph_orch_pause, case, version)
