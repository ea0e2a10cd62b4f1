# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tables for the private runner's pure helpers, and ceph_config's value normalisation checked against
the values the lab cluster stored (fixtures recorded by hack/record_fixtures.py)."""

from __future__ import annotations

import json
import pathlib
import typing as t

import pytest

from ansible_collections.cephkit.cephadm.plugins.module_utils import _ceph
from ansible_collections.cephkit.cephadm.plugins.modules import ceph_bootstrap, ceph_config, ceph_orch_apply

FIXTURES = pathlib.Path(__file__).resolve().parent.parent.parent / 'fixtures'
VERSIONS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())

BUILD_CASES: list[tuple[str, dict[str, t.Any], list[str]]] = [
    (
        'all defaults',
        {'mon_ip': '10.0.0.1', 'dashboard': True, 'monitoring': True, 'firewalld': True, 'pull': True},
        ['--mon-ip', '10.0.0.1'],
    ),
    (
        'switches off',
        {'mon_ip': '10.0.0.1', 'dashboard': False, 'monitoring': False, 'firewalld': False, 'pull': False},
        ['--mon-ip', '10.0.0.1', '--skip-dashboard', '--skip-monitoring-stack', '--skip-firewalld', '--skip-pull'],
    ),
    (
        'values',
        {
            'mon_ip': '10.0.0.1',
            'fsid': 'f',
            'cluster_network': '10.1.0.0/24',
            'ssh_user': 'ceph',
            'allow_fqdn_hostname': True,
            'allow_overwrite': True,
            'apply_spec': '/s.yml',
        },
        [
            '--mon-ip',
            '10.0.0.1',
            '--fsid',
            'f',
            '--cluster-network',
            '10.1.0.0/24',
            '--ssh-user',
            'ceph',
            '--allow-fqdn-hostname',
            '--apply-spec',
            '/s.yml',
            '--allow-overwrite',
        ],
    ),
]


@pytest.mark.parametrize(('name', 'values', 'argv'), BUILD_CASES, ids=[c[0] for c in BUILD_CASES])
def test_bootstrap_argv_from_declared_formats(name: str, values: dict[str, t.Any], argv: list[str]) -> None:
    assert _ceph.build_args(ceph_bootstrap.BOOTSTRAP_FORMATS, values) == argv


MASK_CASES = [
    (['ceph', 'x', 'pw=s3cret'], ['s3cret'], ['ceph', 'x', 'pw=********']),
    (['ceph', 's3cret'], ['s3cret', ''], ['ceph', '********']),
    (['ceph', 'nothing'], [], ['ceph', 'nothing']),
]


@pytest.mark.parametrize(('argv', 'secrets', 'masked'), MASK_CASES)
def test_mask_argv(argv: list[str], secrets: list[str], masked: list[str]) -> None:
    assert _ceph.mask_argv(argv, secrets) == masked


VALIDATION_CASES: list[tuple[t.Callable[..., t.Any], tuple[t.Any, ...], str | None]] = [
    (_ceph.validate_fsid, ('713d7828-e901-11f1-9bd6-26abf1b2fee3',), None),
    (_ceph.validate_fsid, ('713D7828-E901-11F1-9BD6-26ABF1B2FEE3',), 'is not a cluster fsid'),
    (_ceph.validate_fsid, (None,), None),
    (_ceph.validate_hostname, ('node1',), None),
    (_ceph.validate_hostname, ('node1.lab.example',), None),
    (_ceph.validate_hostname, ('node 1',), 'is not a valid host name'),
    (_ceph.validate_label, ('_admin',), None),
    (_ceph.validate_label, ('a,b',), 'is not valid'),
    (_ceph.validate_label, ('',), 'is not valid'),
    (_ceph.validate_ip, ('fe80::1', 'mon_ip'), None),
    (_ceph.validate_ip, ('10.0.0.256', 'mon_ip'), 'is not an IP address'),
    (_ceph.validate_network, ('10.0.0.0/24,10.1.0.0/24', 'net'), None),
    (_ceph.validate_network, ('10.0.0.0', 'net'), None),
    (_ceph.validate_network, ('10.0.0.0/40', 'net'), 'is not a network'),
]


@pytest.mark.parametrize(('func', 'args', 'error'), VALIDATION_CASES)
def test_validation(func: t.Callable[..., t.Any], args: tuple[t.Any, ...], error: str | None) -> None:
    if error is None:
        func(*args)
    else:
        with pytest.raises(_ceph.CephInputError, match=error):
            func(*args)


def test_loopback_is_local_and_documentation_address_is_not() -> None:
    assert _ceph.is_local_address('127.0.0.1')
    assert not _ceph.is_local_address('192.0.2.123')


def fixture(version: str, name: str) -> dict[str, t.Any]:
    return t.cast(dict, json.loads((FIXTURES / version / ('%s.json' % name)).read_text(encoding='utf-8')))


# (fixture of `ceph config set`, fixture of the dump after it, fixture of `ceph config help`)
STORED = [
    ('config_set_masked', 'config_dump_after_set_masked', 'config_help_osd_max_backfills'),
    ('config_set_bool', 'config_dump_after_set_bool', 'config_help_mon_allow_pool_delete'),
    ('config_set_size', 'config_dump_after_set_size', 'config_help_osd_memory_target'),
    ('config_set_secs', 'config_dump_after_set_secs', 'config_help_mon_mgr_beacon_grace'),
]

# Ceph's parse_timespan, unit by unit (src/common/ceph_time.cc)
TIMESPANS = [
    ('30', 30),
    ('30s', 30),
    ('1m', 60),
    ('2h', 7200),
    ('1h 30m', 5400),
    ('1day', 86400),
    ('2w', 1209600),
    ('1mo', 2592000),
    ('1y', 31536000),
    ('5 minutes', 300),
    ('1x', None),
    ('m', None),
    ('1.5h', None),
    ('', None),
]


@pytest.mark.parametrize(('text', 'seconds'), TIMESPANS)
def test_timespan_seconds(text: str, seconds: int | None) -> None:
    assert ceph_config.timespan_seconds(text) == seconds
    if seconds is not None:
        assert ceph_config.same(str(seconds), text, 'secs')


@pytest.mark.parametrize('version', VERSIONS)
@pytest.mark.parametrize(('set_name', 'dump_name', 'help_name'), STORED)
def test_normalize_predicts_what_ceph_stored(version: str, set_name: str, dump_name: str, help_name: str) -> None:
    _ceph_bin, _config, _set, who, option, value = fixture(version, set_name)['command']
    dump = json.loads(fixture(version, dump_name)['stdout'])
    opt_type = json.loads(fixture(version, help_name)['stdout'])['type']
    entry = ceph_config.find_entry(dump, who, option)
    assert entry is not None
    assert ceph_config.normalize(value, opt_type) == entry['value']


@pytest.mark.parametrize('version', VERSIONS)
def test_exported_specs_are_fixed_points_of_normalize(version: str) -> None:
    for spec in json.loads(fixture(version, 'orch_ls_export')['stdout']):
        normalized = ceph_orch_apply.normalize(spec)
        assert ceph_orch_apply.normalize(normalized) == normalized


def test_runner_masks_and_raises_typed_errors() -> None:
    class FakeModule:
        params: t.ClassVar[dict[str, t.Any]] = {
            'fsid': None,
            'image': None,
            'docker': False,
            'cephadm_path': None,
            'timeout': 5,
        }

        def get_bin_path(self, name: str) -> str | None:
            return '/usr/bin/timeout' if name == 'timeout' else None

        def run_command(self, args: list[str], **kwargs: t.Any) -> tuple[int, str, str]:
            return (124, '', 'killed') if args[-1] == 'slow' else (2, '', 'Error ENOENT: pw=hunter2')

    runner = _ceph.CephRunner(t.cast(t.Any, FakeModule()), secrets=['hunter2'])
    with pytest.raises(_ceph.CephTimeout, match='timed out after 5 seconds'):
        runner.run(['ceph', 'slow'])
    with pytest.raises(_ceph.CephCommandError) as caught:
        runner.run(['ceph', 'pw=hunter2'])
    assert caught.value.rc == 2
    assert 'hunter2' not in caught.value.msg and 'hunter2' not in caught.value.stderr
    assert runner.commands == [['ceph', 'slow'], ['ceph', 'pw=********']]
    with pytest.raises(_ceph.CephParseError):
        _ceph.CmdResult(['ceph'], 0, 'not json', '').json()
    with pytest.raises(_ceph.CephNotFound):
        runner.bin_path('cephadm')


@pytest.mark.parametrize(
    ('params', 'lifetime'),
    [
        ({}, 3600),  # the default timeout (300 s) and no wait: the floor
        ({'timeout': 300, 'wait_timeout': 600}, 3600),  # the defaults of a waiting module
        ({'timeout': 900, 'wait_timeout': 3600}, 9000),  # a long OSD wait: twice the longest run
    ],
)
def test_toolbox_lives_a_bounded_time(params: dict[str, t.Any], lifetime: int) -> None:
    class FakeModule:
        def __init__(self) -> None:
            self.params = {'fsid': None, 'image': None, 'docker': False, 'cephadm_path': None, **params}

    assert _ceph.CephRunner(t.cast(t.Any, FakeModule())).toolbox_lifetime() == lifetime
