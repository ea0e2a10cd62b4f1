# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The image sets (module_utils._images): the data against each release's own mgr/cephadm/module.py (recorded in
image_defaults/, from Debian's ceph-mgr-cephadm packages), and the rules that place and pin the images."""

from __future__ import annotations

import json
import pathlib
import typing as t

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.cephkit.cephadm.plugins.filter.image_set import image_set as image_set_filter
from ansible_collections.cephkit.cephadm.plugins.module_utils import _ceph, _images
from ansible_collections.cephkit.cephadm.plugins.modules import ceph_image_mirror

DEFAULTS = pathlib.Path(__file__).resolve().parent / 'image_defaults'
DIGEST = 'sha256:' + 'ab' * 32


def recorded(version: str) -> dict[str, str]:
    data = json.loads((DEFAULTS / ('%s.json' % version)).read_text(encoding='utf-8'))
    assert data['_recorded']['ceph_version'] == version
    return dict(data['options'])


@pytest.mark.parametrize('version', sorted(_images.IMAGE_SETS))
def test_each_set_is_what_its_release_defaults_to(version: str) -> None:
    options = recorded(version)
    options.pop('base')  # the cluster image's name without a tag: cephkit_image
    assert _images.IMAGE_SETS[version] == options


def test_every_option_has_a_service() -> None:
    for version, images in _images.IMAGE_SETS.items():
        assert set(images) <= set(_images.OPTION_SERVICES), version


@pytest.mark.parametrize(
    ('release', 'expected'),
    [
        ('16', '16.2.15'),
        ('16.2', '16.2.15'),
        ('16.2.15', '16.2.15'),
        ('v18', '18.2.7'),
        ('18.2.1', '18.2.7'),
        ('17', '17'),
    ],
)
def test_release_lines(release: str, expected: str) -> None:
    assert _images.release_set(release)[0] == expected


@pytest.mark.parametrize(
    ('source', 'registry', 'tag', 'expected'),
    [
        ('quay.io/prometheus/prometheus:v2.33.4', 'reg:5000', '', 'reg:5000/prometheus/prometheus:v2.33.4'),
        (
            'quay.io/prometheus/prometheus:v2.33.4',
            'reg:5000/mirror/',
            '',
            'reg:5000/mirror/prometheus/prometheus:v2.33.4',
        ),
        ('docker.io/arcts/keepalived', 'reg', '', 'reg/arcts/keepalived:latest'),
        ('haproxy:2.3', 'reg', '', 'reg/library/haproxy:2.3'),
        ('localhost:5000/ceph/ceph-grafana:6.7.4-x86_64', 'reg', '6.7.4', 'reg/ceph/ceph-grafana:6.7.4'),
        ('quay.io/ceph/ceph-grafana:6.7.4-x86_64', '', '6.7.4', 'quay.io/ceph/ceph-grafana:6.7.4'),
        ('quay.io/ceph/ceph@' + DIGEST, 'reg', '', 'reg/ceph/ceph@' + DIGEST),
        ('quay.io/ceph/ceph:v16', '', '', 'quay.io/ceph/ceph:v16'),
    ],
)
def test_mirrored(source: str, registry: str, tag: str, expected: str) -> None:
    assert _images.mirrored(source, registry, tag) == expected


def test_pinned_drops_the_tag() -> None:
    assert (
        _images.pinned('reg:5000/prometheus/prometheus:v2.33.4', DIGEST) == 'reg:5000/prometheus/prometheus@' + DIGEST
    )
    assert _images.pinned('reg:5000/arcts/keepalived', DIGEST) == 'reg:5000/arcts/keepalived@' + DIGEST


def by_option(entries: list[dict[str, t.Any]]) -> dict[str, dict[str, t.Any]]:
    return {e['option']: e for e in entries}


def test_set_of_the_enabled_services_in_the_registry_pinned_by_the_lock() -> None:
    lock = {'prometheus': {'image': 'reg:5000/prometheus/prometheus:v2.33.4', 'digest': DIGEST}}
    got = by_option(
        _images.image_set('16', ['ceph', 'prometheus', 'node-exporter'], {}, 'reg:5000', lock, 'quay.io/ceph/ceph:v16')
    )
    assert list(got) == ['ceph', 'prometheus', 'node_exporter']
    assert got['ceph']['image'] == 'reg:5000/ceph/ceph:v16'
    assert got['prometheus']['image'] == 'reg:5000/prometheus/prometheus@' + DIGEST
    assert got['prometheus']['digest'] == DIGEST
    assert got['prometheus']['source'] == got['prometheus']['default'] == 'quay.io/prometheus/prometheus:v2.33.4'
    assert got['node_exporter'] == {
        'option': 'node_exporter',
        'service': 'node-exporter',
        'source': 'quay.io/prometheus/node-exporter:v1.3.1',
        'target': 'reg:5000/prometheus/node-exporter:v1.3.1',
        'default': 'quay.io/prometheus/node-exporter:v1.3.1',
        'image': 'reg:5000/prometheus/node-exporter:v1.3.1',
        'digest': '',
    }


def test_ingress_brings_both_of_its_images() -> None:
    assert [e['option'] for e in _images.image_set('18.2.7', ['ingress'])] == ['haproxy', 'keepalived']


def test_override_and_arch_tag() -> None:
    got = by_option(
        _images.image_set(
            '16.2.15',
            ['grafana'],
            {'grafana': {'source': 'hub.example/ceph/ceph-grafana:6.7.4-x86_64', 'tag': '6.7.4'}},
        )
    )
    assert got['grafana']['source'] == 'hub.example/ceph/ceph-grafana:6.7.4-x86_64'
    assert got['grafana']['image'] == 'hub.example/ceph/ceph-grafana:6.7.4'
    assert got['grafana']['default'] == 'quay.io/ceph/ceph-grafana:8.3.5'


@pytest.mark.parametrize(
    ('args', 'message'),
    [
        (('16', ['ceph'], {'prometheos': 'x'}), 'cephkit_images: prometheos is not an image option of Ceph 16.2.15'),
        (('16', ['graphana']), 'services graphana: not a service with an image of its own'),
        (
            ('16', ['grafana'], {'grafana': {'image': 'x'}}),
            "cephkit_images.grafana={'image': 'x'}: expected an image reference",
        ),
        (('17', ['prometheus']), 'no image set for Ceph 17 (it knows 16.2.15, 18.2.7'),
        (('pacific', ['ceph']), "Ceph release 'pacific': expected a version"),
        (
            (
                '16',
                ['prometheus'],
                {},
                'reg',
                {'prometheus': {'image': 'reg/prometheus/prometheus:v2.30.0', 'digest': DIGEST}},
            ),
            'the lock file pins prometheus as reg/prometheus/prometheus:v2.30.0, but the inventory asks for '
            'reg/prometheus/prometheus:v2.33.4: run cephkit.cephadm.mirror again',
        ),
        (
            ('16', ['prometheus'], {}, 'reg', {'prometheus': {'image': 'x', 'digest': 'sha256:12'}}),
            'expected {image: IMAGE, digest',
        ),
    ],
)
def test_bad_sets_are_refused_with_the_variable_and_value(args: tuple[t.Any, ...], message: str) -> None:
    with pytest.raises(_images.ImageSetError) as err:
        _images.image_set(*args)
    assert message in str(err.value)


def test_a_release_without_a_set_takes_the_images_it_is_given() -> None:
    got = _images.image_set(
        '17.2.7', ['ceph', 'prometheus'], {'prometheus': 'reg/prom:v1'}, '', None, 'quay.io/ceph/ceph:v17'
    )
    assert [e['image'] for e in got] == ['quay.io/ceph/ceph:v17', 'reg/prom:v1']


def test_filter_names_its_errors() -> None:
    with pytest.raises(AnsibleFilterError, match='expected a list of service types'):
        image_set_filter('16', 'prometheus')
    with pytest.raises(AnsibleFilterError, match='no image set for Ceph 15'):
        image_set_filter('15', ['prometheus'])


# ------------------------------------------------------------------ ceph_image_mirror's pure parts
def test_manifest_round_trip() -> None:
    entries = [
        {'option': 'prometheus', 'source': 'localhost/cephkit-lab/prometheus:2.42.0', 'image_id': DIGEST},
        {'option': 'node_exporter', 'source': 'quay.io/prometheus/node-exporter:v1.3.1', 'image_id': DIGEST},
    ]
    text = ceph_image_mirror.manifest_text(entries)
    assert text.startswith('# cephkit.cephadm image archive')
    assert ceph_image_mirror.parse_manifest(text) == entries


@pytest.mark.parametrize(
    ('params', 'message'),
    [
        ({'mode': 'save', 'images': [{'option': 'prometheus', 'source': 'a'}]}, 'archive is required with mode=save'),
        (
            {'mode': 'push', 'images': [{'option': 'prometheus', 'source': 'a', 'target': ''}]},
            'images[0].target is empty',
        ),
        (
            {'mode': 'push', 'images': [{'option': 'prometheus', 'source': 'a', 'target': 'a'}]},
            'target a is its source',
        ),
        (
            {
                'mode': 'push',
                'images': [
                    {'option': 'x', 'source': 'a', 'target': 'r/a'},
                    {'option': 'x', 'source': 'b', 'target': 'r/b'},
                ],
            },
            'the option x is listed twice',
        ),
        (
            {'mode': 'load', 'archive': '/a', 'images': [{'option': '', 'source': 'a', 'target': 'r/a'}]},
            'images[0].option is empty',
        ),
    ],
)
def test_mirror_refuses_bad_input(params: dict[str, t.Any], message: str) -> None:
    with pytest.raises(_ceph.CephInputError) as err:
        ceph_image_mirror.validate(params)
    assert message in str(err.value)
