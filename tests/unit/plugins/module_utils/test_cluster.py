# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The cluster readers (module_utils._cluster) on outputs recorded from the lab cluster, the one poll helper,
and the module entry point's fsid rule."""

from __future__ import annotations

import json
import pathlib
import time
import typing as t

import pytest
import yaml
from ansible.module_utils.testing import patch_module_args

from ansible_collections.cephkit.cephadm.plugins.module_utils import _ceph, _cluster, _module
from ansible_collections.cephkit.cephadm.plugins.modules import ceph_bootstrap, ceph_orch_host

FIXTURES = pathlib.Path(__file__).resolve().parent.parent.parent / 'fixtures'
VERSIONS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def identity(version: str) -> dict[str, t.Any]:
    """The values of the cluster recorded under VERSION (identity.yml, derived by hack/record_fixtures.py)."""
    return dict(yaml.safe_load((FIXTURES / version / 'identity.yml').read_text(encoding='utf-8')))


def recorded(version: str, name: str) -> t.Any:
    data = json.loads((FIXTURES / version / ('%s.json' % name)).read_text(encoding='utf-8'))
    return json.loads(data['stdout'])


@pytest.mark.parametrize('version', VERSIONS)
def test_osd_map_places_osds_under_their_hosts(version: str) -> None:
    osdmap = _cluster.OsdMap(recorded(version, 'osd_tree'))
    assert [n['id'] for n in osdmap.osds()] == [0, 1, 2]
    assert osdmap.on_host('node1') == {0: 'up'}
    assert osdmap.host_of(2) == 'node3'
    assert osdmap.destroyed() == set()
    assert osdmap.on_host('node1', destroyed=True) == {}
    assert osdmap.on_host('nosuchhost') == {}


@pytest.mark.parametrize('version', VERSIONS)
def test_osd_map_destroyed_osds_are_kept_apart(version: str) -> None:
    osdmap = _cluster.OsdMap(recorded(version, 'osd_tree_destroyed'))
    destroyed = osdmap.destroyed()
    assert destroyed, 'the fixture holds a destroyed OSD'
    for osd_id in destroyed:
        host = osdmap.host_of(osd_id)
        assert osd_id in osdmap.on_host(host, destroyed=True)
        assert osd_id not in osdmap.on_host(host)


@pytest.mark.parametrize('version', VERSIONS)
def test_osd_metadata_to_devices_one_rule(version: str) -> None:
    metadata = {int(m['id']): m for m in recorded(version, 'osd_metadata')}
    osdmap = _cluster.OsdMap(recorded(version, 'osd_tree'))
    device = identity(version)['osd0_device']
    assert _cluster.osd_device_paths(metadata[0]) == [device]
    assert _cluster.osds_on_device(metadata, osdmap, 'node1', device) == [0]
    assert _cluster.osds_on_device(metadata, osdmap, 'node2', device) == []


# The orchestrator may name a host by its FQDN (mgr/cephadm/allow_fqdn_hostname) while CRUSH and the OSD
# metadata name it short, as the recorded ones do.
@pytest.mark.parametrize('version', VERSIONS)
def test_fqdn_and_short_name_are_one_host(version: str) -> None:
    metadata = {int(m['id']): m for m in recorded(version, 'osd_metadata')}
    osdmap = _cluster.OsdMap(recorded(version, 'osd_tree'))
    device = identity(version)['osd0_device']
    assert osdmap.on_host('node1.cephkit.lab') == osdmap.on_host('node1') == {0: 'up'}
    assert _cluster.osds_on_device(metadata, osdmap, 'node1.cephkit.lab', device) == [0]
    assert _cluster.osds_on_device(metadata, osdmap, 'node10.cephkit.lab', device) == []


@pytest.mark.parametrize(
    ('a', 'b', 'same'),
    [
        ('ceph1', 'ceph1', True),
        ('ceph1', 'ceph1.example.com', True),
        ('ceph1.example.com', 'ceph1', True),
        ('ceph1.example.com', 'ceph1.example.com', True),
        ('ceph1.example.com', 'ceph1.other.org', False),
        ('ceph1', 'ceph10', False),
        ('ceph1', 'ceph10.example.com', False),
        ('', '', True),
        ('', 'ceph1', False),
    ],
)
def test_same_host(a: str, b: str, same: bool) -> None:
    assert _cluster.same_host(a, b) is same


DEVICE_CASES = [
    ({'devices': 'sdb'}, ['/dev/sdb']),
    ({'devices': 'sdb,sdc', 'bluestore_bdev_dev_node': '/dev/dm-0'}, ['/dev/sdb', '/dev/sdc', '/dev/dm-0']),
    ({'bluestore_bdev_dev_node': '/dev/loop3', 'bluestore_bdev_partition_path': '/dev/loop3'}, ['/dev/loop3']),
    ({'devices': '', 'bluestore_bdev_dev_node': 'unknown'}, []),
]


@pytest.mark.parametrize(('meta', 'paths'), DEVICE_CASES)
def test_osd_device_paths(meta: dict[str, t.Any], paths: list[str]) -> None:
    assert _cluster.osd_device_paths(meta) == paths


def test_as_list_takes_only_lists() -> None:
    assert _cluster.as_list(None) == []
    assert _cluster.as_list('No OSD remove/replace operations reported') == []
    assert _cluster.as_list([1]) == [1]


def test_poll_returns_the_value_and_the_time_waited(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, 'sleep', lambda s: None)
    answers = iter([None, None, 'ready'])
    value, waited = _ceph.poll(lambda: next(answers), 60, 1, lambda: 'never')
    assert value == 'ready'
    assert waited >= 0


def test_poll_times_out_naming_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter(range(0, 1000, 10))
    monkeypatch.setattr(time, 'monotonic', lambda: next(clock))
    monkeypatch.setattr(time, 'sleep', lambda s: None)
    with pytest.raises(_ceph.CephWaitTimeout) as caught:
        _ceph.poll(lambda: None, 30, 5, lambda: 'osd.3 is not up', changed=True)
    assert caught.value.msg == 'osd.3 is not up after 30 seconds'
    assert caught.value.fail_kwargs()['changed'] is True


def test_validate_min_names_the_option() -> None:
    with pytest.raises(_ceph.CephInputError, match='wait_timeout 0 is too small'):
        _ceph.validate_min({'wait_timeout': 0, 'poll_interval': 5}, 'poll_interval', 'wait_timeout')


class FakeModule:
    """What CephRunner uses of an AnsibleModule: params, get_bin_path, run_command."""

    def __init__(self, rc: int) -> None:
        self.params: dict[str, t.Any] = {'timeout': 7}
        self.rc = rc
        self.calls: list[tuple[list[str], dict[str, t.Any]]] = []

    def get_bin_path(self, name: str) -> str:
        return '/usr/bin/%s' % name

    def run_command(self, args: list[str], **kwargs: t.Any) -> tuple[int, str, str]:
        self.calls.append((args, kwargs))
        return self.rc, 'Created no osd(s)', ''


def test_runner_runs_every_command_in_the_c_locale_with_a_timeout() -> None:
    module = FakeModule(0)
    _ceph.CephRunner(t.cast(t.Any, module)).run(['ceph', 'status'])
    argv, kwargs = module.calls[0]
    assert argv == ['/usr/bin/timeout', '--kill-after=10', '7', 'ceph', 'status']
    assert kwargs['environ_update'] == {'LC_ALL': 'C', 'LANG': 'C'}


@pytest.mark.parametrize(('rc', 'words'), [(124, 'timed out after 7 seconds: ceph'), (137, 'ignored SIGTERM')])
def test_runner_reports_a_killed_command_as_a_timeout(rc: int, words: str) -> None:
    with pytest.raises(_ceph.CephTimeout, match=words):
        _ceph.CephRunner(t.cast(t.Any, FakeModule(rc))).run(['ceph', 'status'])


def test_runner_fsid_check_is_one_explicit_option() -> None:
    runner = _ceph.CephRunner(t.cast(t.Any, FakeModule(0)), fsid='a', fsid_check='caller')
    with pytest.raises(_ceph.CephError, match='has fsid b, not the fsid a that was given'):
        runner.confirm_fsid('b')
    runner.confirm_fsid('a')
    with pytest.raises(ValueError):
        _ceph.CephRunner(t.cast(t.Any, FakeModule(0)), fsid_check='trust me')


QUORUM_CASES = [
    # monmap, quorum, removed -> still a majority in quorum?
    (['a', 'b', 'c'], ['a', 'b', 'c'], ['c'], True),
    (['a', 'b', 'c'], ['a', 'b'], ['c'], True),
    (['a', 'b', 'c'], ['a', 'c'], ['c'], False),
    (['a', 'b', 'c', 'd', 'e'], ['a', 'b', 'c'], ['c'], False),
    (['a', 'b', 'c', 'd', 'e'], ['a', 'b', 'c', 'd'], ['e'], True),
    (['a'], ['a'], ['a'], False),
]


@pytest.mark.parametrize(('monmap', 'quorum', 'removed', 'ok'), QUORUM_CASES)
def test_quorum_rule_of_host_removal(monmap: list[str], quorum: list[str], removed: list[str], ok: bool) -> None:
    assert ceph_orch_host.quorum_after(monmap, quorum, removed)[2] is ok


def test_hide_only_keeps_just_the_secrets_of_a_no_log_option() -> None:
    spec = {
        'service_type': 'ingress',
        'service_id': 'rgw.x',
        'spec': {'monitor_password': 'Pw-1', 'frontend_port': 8080},
    }
    with patch_module_args({'spec': spec}):
        mod = _module.CephModule({'spec': {'type': 'raw', 'no_log': True}})
    assert {'ingress', 'rgw.x', '8080', 'Pw-1'} <= mod.module.no_log_values
    mod.hide_only('spec', ['Pw-1'])
    assert 'Pw-1' in mod.module.no_log_values
    assert not {'ingress', 'rgw.x', '8080'} & mod.module.no_log_values
    assert mod.runner.masked(['x', 'Pw-1']) == ['x', _ceph.MASK]


def test_runner_masks_printed_secrets_in_every_output_even_of_a_failure() -> None:
    module = FakeModule(1)
    module.run_command = lambda args, **kw: (1, 'URL: https://node1:8443/\n\t    Password: s3cr3t-printed\n', 'boom')  # type: ignore[method-assign]
    runner = _ceph.CephRunner(t.cast(t.Any, module))
    runner.output_masks.append(ceph_bootstrap.PASSWORD_LINE)
    with pytest.raises(_ceph.CephCommandError) as caught:
        runner.run(['cephadm', 'bootstrap'])
    assert 's3cr3t-printed' not in json.dumps(caught.value.fail_kwargs())
    assert 'Password: ********' in caught.value.stdout


@pytest.mark.parametrize('version', VERSIONS)
def test_mgr_internal_error_is_told_from_an_answer(version: str) -> None:
    """A mgr module's traceback (recorded with the selftest module) is a mgr fault; the orchestrator's answer to a bad
    request and a timeout are not."""
    fx = json.loads((FIXTURES / version / 'mgr_module_internal_error.json').read_text(encoding='utf-8'))
    fault = _ceph.CephCommandError(fx['command'], fx['rc'], fx['stdout'], fx['stderr'])
    assert _cluster.mgr_internal_error(fault) == 'ImportError: Module not found'
    answer = _ceph.CephCommandError(
        ['ceph', 'orch', 'daemon', 'add', 'osd', 'node1'], 22, '', "Error EINVAL: Invalid 'host:device' spec"
    )
    assert _cluster.mgr_internal_error(answer) == ''
    late = _ceph.CephTimeout(fx['command'], 124, '', fx['stderr'])
    assert _cluster.mgr_internal_error(late) == ''
    assert _cluster.mgr_internal_error(_ceph.CephError('not a command')) == ''
