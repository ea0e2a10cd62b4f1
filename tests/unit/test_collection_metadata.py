"""Checks of the collection's own metadata: galaxy.yml, meta/runtime.yml, changelogs, sanity ignores."""

from __future__ import annotations

import pathlib
import re
import typing as t

import pytest
import yaml
from ansible.release import __version__ as ansible_core_version
from packaging.specifiers import SpecifierSet

ROOT = pathlib.Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.metadata


def load_yaml(relpath: str) -> t.Any:
    """Parse one YAML file of the collection."""
    with (ROOT / relpath).open(encoding='utf-8') as handle:
        return yaml.safe_load(handle)


@pytest.fixture(name='galaxy', scope='module')
def galaxy_fixture() -> dict[str, t.Any]:
    """The parsed galaxy.yml."""
    data = load_yaml('galaxy.yml')
    assert isinstance(data, dict), 'galaxy.yml must be a mapping'
    return data


def test_galaxy_identity(galaxy: dict[str, t.Any]) -> None:
    assert galaxy['namespace'] == 'cephkit'
    assert galaxy['name'] == 'cephadm'
    assert re.fullmatch(r'\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?', str(galaxy['version'])), galaxy['version']
    assert galaxy['readme'] == 'README.md'
    assert (ROOT / galaxy['readme']).is_file()


def test_galaxy_required_fields(galaxy: dict[str, t.Any]) -> None:
    for key in ('authors', 'description', 'license', 'tags', 'repository', 'build_ignore'):
        assert galaxy.get(key), 'galaxy.yml needs a non-empty %r' % key
    assert isinstance(galaxy['authors'], list)
    assert 'license_file' not in galaxy, 'license and license_file are mutually exclusive'


def test_license(galaxy: dict[str, t.Any]) -> None:
    assert galaxy['license'] == ['GPL-3.0-or-later']
    text = (ROOT / 'LICENSE').read_text(encoding='utf-8')
    assert 'GNU GENERAL PUBLIC LICENSE' in text
    assert 'Version 3, 29 June 2007' in text


def test_tags(galaxy: dict[str, t.Any]) -> None:
    tags = galaxy['tags']
    assert {'storage', 'infrastructure'} <= set(tags)
    for tag in tags:
        # Galaxy's rule: lowercase letters, digits and underscores, at most 64 characters
        assert re.fullmatch(r'[a-z0-9_]{1,64}', tag), tag
    assert len(tags) <= 20


def test_no_hard_dependencies(galaxy: dict[str, t.Any]) -> None:
    # containers.podman and community.general are optional: installing the
    # collection must never make ansible-galaxy download anything.
    assert not galaxy.get('dependencies')


@pytest.mark.parametrize(
    'path', ['.venv*', '.lab', '.build', '.cache', 'tests/output', 'lab', 'tests/lab', 'hack', '*.tar.gz']
)
def test_build_ignore_covers_development_paths(galaxy: dict[str, t.Any], path: str) -> None:
    assert path in galaxy['build_ignore']


def test_runtime_requires_ansible() -> None:
    runtime = load_yaml('meta/runtime.yml')
    assert runtime['requires_ansible'] == '>=2.16.0'
    assert ansible_core_version in SpecifierSet(runtime['requires_ansible'])


def test_action_group_holds_every_module() -> None:
    """``module_defaults: group/cephkit.cephadm.cephadm`` reaches every module that takes the shared options (the
    doc fragment ``cephkit.cephadm.cephadm``), and only those (ceph_image_mirror runs no ceph or cephadm)."""
    modules = sorted(
        p.stem
        for p in (ROOT / 'plugins' / 'modules').glob('*.py')
        if not p.stem.startswith('_') and '  - cephkit.cephadm.cephadm\n' in p.read_text(encoding='utf-8')
    )
    assert len(modules) >= 10
    assert sorted(load_yaml('meta/runtime.yml')['action_groups']['cephadm']) == modules


def test_changelog_config_and_fragments() -> None:
    config = load_yaml('changelogs/config.yaml')
    sections = {name for name, _title in config['sections']}
    allowed = sections | {config['prelude_section_name'], config['trivial_section_name']}
    assert load_yaml('changelogs/changelog.yaml')['releases'] is not None

    fragments = sorted((ROOT / 'changelogs' / 'fragments').glob('*.y*ml'))
    assert fragments, 'changelogs/fragments/ holds at least the skeleton fragment'
    for fragment in fragments:
        data = load_yaml(str(fragment.relative_to(ROOT)))
        assert isinstance(data, dict) and data, fragment.name
        unknown = set(data) - allowed
        assert not unknown, '%s uses unknown sections %s' % (fragment.name, sorted(unknown))


@pytest.mark.parametrize('version', ['2.19', '2.21'])
def test_sanity_ignore_files_stay_empty(version: str) -> None:
    ignore = ROOT / 'tests' / 'sanity' / ('ignore-%s.txt' % version)
    assert ignore.is_file()
    assert ignore.read_text(encoding='utf-8').strip() == '', 'fix the code instead of ignoring sanity errors'


def test_no_ansible_lint_ignore_file() -> None:
    assert not (ROOT / '.ansible-lint-ignore').exists(), 'fix the content instead of ignoring ansible-lint rules'
