# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Data-driven harness for the module tests.

A case (YAML, under ``cases/``) gives the module arguments, the commands the
module must run in order, each answered with a fixture RECORDED from a real
cluster by ``hack/record_fixtures.py`` (``tests/unit/fixtures/<version>/``),
and the expected result (a subset match). A command that is not expected, or
an expected one that is not run, fails the case: so a case with only read
commands proves that the module changed nothing.

A case runs once per fixture directory (one per Ceph release). What differs between two recorded clusters
(fsid, addresses, mgr names, devices, ...) is written in a case as ``${name}``, and replaced by the value of
``name`` in that directory's ``identity.yml``, which hack/record_fixtures.py derives from the recorded fixtures.
"""

from __future__ import annotations

import base64
import functools
import json
import os
import pathlib
import re
import shutil
import time
import typing as t

import pytest
import yaml
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from ansible_collections.cephkit.cephadm.plugins.module_utils import _bluestore, _ceph

HERE = pathlib.Path(__file__).resolve().parent
FIXTURES = HERE.parent.parent / 'fixtures'
BINS = ('ceph', 'cephadm', 'podman', 'docker', 'timeout', 'systemctl', 'wipefs', 'dd')
TOOLBOX = '<toolbox>'


class ModuleExit(Exception):
    def __init__(self, result: dict[str, t.Any], failed: bool) -> None:
        super().__init__(result.get('msg', ''))
        self.result = result
        self.failed = failed


def load_fixture(version: str, name: str) -> dict[str, t.Any]:
    path = FIXTURES / version / ('%s.json' % name)
    if not path.is_file():
        raise AssertionError('fixture %s is missing: record it with hack/record_fixtures.py' % path)
    data = json.loads(path.read_text(encoding='utf-8'))
    assert data.get('recorded_by') == 'hack/record_fixtures.py', path
    return t.cast(dict, data)


PLACEHOLDER = re.compile(r'\$\{([A-Za-z0-9_]+)\}')


@functools.cache
def load_identity(version: str) -> dict[str, t.Any]:
    """The values of the cluster(s) recorded under VERSION that a case names as ``${name}`` (identity.yml)."""
    path = FIXTURES / version / 'identity.yml'
    if not path.is_file():
        return {}
    return dict(yaml.safe_load(path.read_text(encoding='utf-8')) or {})


def substitute(value: t.Any, identity: dict[str, t.Any], version: str) -> t.Any:
    """VALUE with every ``${name}`` replaced by identity[name]; a string that is one placeholder takes the value
    with its type (an OSD id stays an int). Keys of dicts too. An unknown name fails."""

    def lookup(name: str) -> t.Any:
        if name not in identity:
            raise AssertionError(
                '${%s} is not in %s: derive it with hack/record_fixtures.py --identity-only'
                % (name, FIXTURES / version / 'identity.yml')
            )
        return identity[name]

    if isinstance(value, str):
        whole = PLACEHOLDER.fullmatch(value)
        if whole:
            return lookup(whole.group(1))
        return PLACEHOLDER.sub(lambda m: str(lookup(m.group(1))), value)
    if isinstance(value, dict):
        return {substitute(k, identity, version): substitute(v, identity, version) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, identity, version) for v in value]
    return value


def strip_argv(argv: list[str]) -> list[str]:
    """Drop the ``timeout`` prefix and directories of binaries; name the toolbox container generically."""
    argv = [str(a) for a in argv]
    if argv and argv[0].endswith('/timeout'):
        argv = argv[3:]
    if argv:
        argv[0] = argv[0].rsplit('/', 1)[-1]
    return [TOOLBOX if a.startswith(_ceph.TOOLBOX_PREFIX) else a for a in argv]


def subset(expected: t.Any, actual: t.Any, path: str = 'result') -> None:
    if isinstance(expected, dict):
        assert isinstance(actual, dict), '%s: expected a dict, got %r' % (path, actual)
        for key, value in expected.items():
            assert key in actual, '%s: key %r missing in %r' % (path, key, actual)
            subset(value, actual[key], '%s.%s' % (path, key))
    else:
        assert actual == expected, '%s: expected %r, got %r' % (path, expected, actual)


class FakeHost:
    """Answers run_command from the case's call list."""

    def __init__(self, case: dict[str, t.Any], version: str, tmp_path: pathlib.Path) -> None:
        self.version = version
        self.tmp_path = tmp_path
        # a list inside the calls (a YAML alias of another case's calls) stands for its calls, in order
        self.calls = [c for item in case.get('calls', []) for c in (item if isinstance(item, list) else [item])]
        self.done: list[list[str]] = []
        self.secrets = [str(v) for v in case.get('secrets', [])]

    def run_command(self, args: list[str], **kwargs: t.Any) -> tuple[int, str, str]:
        argv = strip_argv(args)
        for secret in self.secrets:
            assert not any(secret in a for a in args), 'secret on a command line: %r' % (args,)
        assert self.calls, 'unexpected command (no more expected): %r' % (argv,)
        call = self.calls.pop(0)
        assert argv == call['cmd'], 'command #%d: expected %r, got %r' % (len(self.done) + 1, call['cmd'], argv)
        data = kwargs.get('data')
        if 'stdin' in call:
            assert data is not None and call['stdin'] in data, 'stdin of %r: %r lacks %r' % (argv, data, call['stdin'])
        if 'stdin_json' in call:
            docs = [json.loads(d) for d in str(data).split('\n---\n')]
            assert docs == call['stdin_json'], 'stdin of %r: %r' % (argv, docs)
        self.done.append(argv)
        for rel in call.get('removes', []):
            # what the command does on the host (e.g. rm-cluster removing directories)
            shutil.rmtree(self.tmp_path / rel) if (self.tmp_path / rel).is_dir() else (self.tmp_path / rel).unlink()
        if 'fixture' in call:
            fx = load_fixture(self.version, call['fixture'])
            recorded = strip_argv(fx['command'])
            if not call.get('other_command'):
                # The recorded command is the one the module ran (possibly inside the toolbox container).
                assert argv[len(argv) - len(recorded) :] == recorded, 'fixture %s was recorded for %r, not %r' % (
                    call['fixture'],
                    recorded,
                    argv,
                )
            return int(fx['rc']), str(fx['stdout']), str(fx['stderr'])
        # Commands whose output the module does not read and no recorded run produced (e.g. podman rm).
        assert set(call) <= {'cmd', 'rc', 'stdin', 'stdin_json', 'removes'}, call
        return int(call.get('rc', 0)), '', ''


@pytest.fixture
def run_case(monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path) -> t.Callable[..., None]:
    def _run(module: t.Any, case: dict[str, t.Any], version: str) -> None:
        case = substitute(case, load_identity(version), version)
        host = FakeHost(case, version, tmp_path)
        bins = case.get('bins', list(BINS))

        def exit_json(self: t.Any, **kwargs: t.Any) -> None:
            raise ModuleExit(kwargs, False)

        def fail_json(self: t.Any, msg: str = '', **kwargs: t.Any) -> None:
            kwargs['msg'] = msg
            raise ModuleExit(kwargs, True)

        monkeypatch.setattr(basic.AnsibleModule, 'exit_json', exit_json)
        monkeypatch.setattr(basic.AnsibleModule, 'fail_json', fail_json)
        monkeypatch.setattr(basic.AnsibleModule, 'run_command', lambda self, args, **kw: host.run_command(args, **kw))
        monkeypatch.setattr(
            basic.AnsibleModule,
            'get_bin_path',
            lambda self, name, *a, **kw: '/usr/bin/%s' % name if name in bins else None,
        )
        backend = case.get('backend', 'direct')
        monkeypatch.setattr(_ceph.CephRunner, 'host_has_ceph_cli', lambda self: backend == 'direct')
        monkeypatch.setattr(_ceph.CephRunner, 'admin_files_present', lambda self: case.get('admin_files', True))
        for name, value in (case.get('patch') or {}).items():
            if isinstance(value, str) and value.startswith('tmp:'):
                value = str(tmp_path / value[4:])
                pathlib.Path(value).mkdir(parents=True, exist_ok=True)
            monkeypatch.setattr(module, name, value)
        for rel, content in (case.get('files') or {}).items():
            path = tmp_path / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, dict) and 'symlink' in content:
                path.symlink_to(content['symlink'])
            else:
                path.write_text(str(content), encoding='utf-8')
        if 'block_devices' in case:
            monkeypatch.setattr(module, 'is_block_device', lambda path: path in case['block_devices'])
        if hasattr(module, 'read_label'):
            # the first bytes of each device (a recorded `head -c 4096 DEV | base64`); null: a device with none.
            # Never the machine's own devices.
            labels = {
                dev: base64.b64decode(load_fixture(version, name)['stdout']) if name else b'\0' * 4096
                for dev, name in (case.get('device_labels') or {}).items()
            }

            def read_label(path: str) -> t.Any:
                if path not in labels:
                    raise OSError(2, 'No such file or directory', path)
                return _bluestore.parse_label(labels[path])

            monkeypatch.setattr(module, 'read_label', read_label)
        if 'local_addresses' in case:
            monkeypatch.setattr(module, 'is_local_address', lambda addr: addr in case['local_addresses'])
        # every wait goes through _ceph.poll: no real sleeping in the unit tests; a fake clock that a sleep moves
        # on, so that a wait that times out makes a known number of calls
        clock = [0.0]
        monkeypatch.setattr(time, 'monotonic', lambda: clock[0])
        monkeypatch.setattr(time, 'sleep', lambda s: clock.__setitem__(0, clock[0] + s))

        args = {
            k: str(tmp_path / v[4:]) if isinstance(v, str) and v.startswith('tmp:') else v
            for k, v in (case.get('args') or {}).items()
        }
        args['_ansible_check_mode'] = bool(case.get('check_mode', False))
        args['_ansible_diff'] = bool(case.get('diff', False))
        with patch_module_args(args), pytest.raises(ModuleExit) as caught:
            module.main()
        result = caught.value.result
        expect = case.get('expect', {})
        assert caught.value.failed == bool(expect.get('failed', False)), result
        if 'msg_contains' in expect:
            for text in (
                expect['msg_contains'] if isinstance(expect['msg_contains'], list) else [expect['msg_contains']]
            ):
                assert text in result.get('msg', ''), 'msg %r lacks %r' % (result.get('msg'), text)
        subset(
            {
                k: v
                for k, v in expect.items()
                if k not in ('failed', 'msg_contains', 'absent_keys', 'file_modes', 'absent_files', 'files_after')
            },
            result,
        )
        for key, mode in expect.get('file_modes', {}).items():
            assert oct(os.stat(result[key]).st_mode & 0o777) == mode, '%s: mode of %s' % (key, result[key])
        for rel, content in expect.get('files_after', {}).items():
            assert (tmp_path / rel).read_text(encoding='utf-8') == content, '%s after the call' % rel
        for rel in expect.get('absent_files', []):
            assert not (tmp_path / rel).exists(), '%s should not be left on the host' % rel
        for key in expect.get('absent_keys', []):
            assert key not in result, '%s should not be in the result' % key
        assert not host.calls, 'expected commands not run: %r' % ([c['cmd'] for c in host.calls],)
        for secret in host.secrets:
            assert secret not in json.dumps(result), 'secret in the result'

    return _run
