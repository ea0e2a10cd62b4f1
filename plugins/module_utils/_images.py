# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The image sets: every image cephadm deploys for a Ceph release, and where the cluster takes each from.

This file is the collection's one record of them.  Each release maps the name of a cephadm option
(``mgr/cephadm/container_image_<name>``) to the image cephadm uses by default, as the release's
``mgr/cephadm/module.py`` says (``DEFAULT_*_IMAGE``; Debian's ceph-mgr-cephadm 16.2.15+ds-0+deb12u2 and
18.2.7+ds-1+deb13u1).  To add a release, add its mapping to ``IMAGE_SETS``.

The cluster's own image (``ceph``) is ``cephkit_image``: it is in the set so that the mirror carries it.
"""

from __future__ import annotations

import re
import typing as t

IMAGE_SETS: dict[str, dict[str, str]] = {
    '16.2.15': {
        'prometheus': 'quay.io/prometheus/prometheus:v2.33.4',
        'grafana': 'quay.io/ceph/ceph-grafana:8.3.5',
        'alertmanager': 'quay.io/prometheus/alertmanager:v0.23.0',
        'node_exporter': 'quay.io/prometheus/node-exporter:v1.3.1',
        'haproxy': 'docker.io/library/haproxy:2.3',
        'keepalived': 'docker.io/arcts/keepalived',
        'snmp_gateway': 'docker.io/maxwo/snmp-notifier:v1.2.1',
    },
    '18.2.7': {
        'prometheus': 'quay.io/prometheus/prometheus:v2.43.0',
        'grafana': 'quay.io/ceph/ceph-grafana:9.4.7',
        'alertmanager': 'quay.io/prometheus/alertmanager:v0.25.0',
        'node_exporter': 'quay.io/prometheus/node-exporter:v1.5.0',
        'loki': 'quay.io/ceph/loki:3.0.0',
        'promtail': 'quay.io/ceph/promtail:3.0.0',
        'nvmeof': 'quay.io/ceph/nvmeof:1.0.0',
        'haproxy': 'quay.io/ceph/haproxy:2.3',
        'keepalived': 'quay.io/ceph/keepalived:2.2.4',
        'snmp_gateway': 'quay.io/ceph/snmp-notifier:v1.2.1',
        'elasticsearch': 'quay.io/omrizeneva/elasticsearch:6.8.23',
        'jaeger_agent': 'quay.io/jaegertracing/jaeger-agent:1.29',
        'jaeger_collector': 'quay.io/jaegertracing/jaeger-collector:1.29',
        'jaeger_query': 'quay.io/jaegertracing/jaeger-query:1.29',
    },
}

# The service type (as in a service spec) whose daemons run each option's image.
OPTION_SERVICES: dict[str, str] = {
    'ceph': 'ceph',
    'prometheus': 'prometheus',
    'grafana': 'grafana',
    'alertmanager': 'alertmanager',
    'node_exporter': 'node-exporter',
    'loki': 'loki',
    'promtail': 'promtail',
    'nvmeof': 'nvmeof',
    'haproxy': 'ingress',
    'keepalived': 'ingress',
    'snmp_gateway': 'snmp-gateway',
    'elasticsearch': 'jaeger-tracing',
    'jaeger_agent': 'jaeger-tracing',
    'jaeger_collector': 'jaeger-tracing',
    'jaeger_query': 'jaeger-tracing',
}

DIGEST = re.compile(r'^sha256:[0-9a-f]{64}$')


class ImageSetError(ValueError):
    """The image set asked for cannot be made; the message names the variable and the value."""


def release_set(release: str) -> tuple[str, dict[str, str] | None]:
    """The image set of ``release`` (16, 16.2 or 16.2.15): an exact version, else the newest of that line.

    A line the collection has no set for gives ``None``: every image it needs must then come from cephkit_images.
    """
    release = str(release).strip().lstrip('v')
    if not re.match(r'^[0-9]+(\.[0-9]+){0,2}$', release):
        raise ImageSetError(f'Ceph release {release!r}: expected a version such as 16, 16.2 or 16.2.15')
    if release in IMAGE_SETS:
        return release, IMAGE_SETS[release]
    line = [v for v in IMAGE_SETS if v.startswith(release + '.') or release.startswith(v.rsplit('.', 1)[0] + '.')]
    if not line:
        return release, None
    best = max(line, key=lambda v: tuple(int(p) for p in v.split('.')))
    return best, IMAGE_SETS[best]


def split_reference(ref: str) -> tuple[str, str, str, str]:
    """``registry, path, tag, digest`` of an image reference (docker.io and library/ filled in)."""
    ref = ref.strip()
    name, _sep, digest = ref.partition('@')
    first, slash, rest = name.partition('/')
    if slash and ('.' in first or ':' in first or first == 'localhost'):
        registry, path = first, rest
    else:
        registry, path = 'docker.io', name
        if '/' not in path:
            path = 'library/' + path
    tag = ''
    last = path.rsplit('/', 1)[-1]
    if ':' in last:
        path, _sep, tag = path.rpartition(':')
    return registry, path, tag, digest


def mirrored(source: str, registry: str, tag: str = '') -> str:
    """Where ``source`` lives in the intranet ``registry`` (host[:port][/prefix]): the same path, ``tag`` if given."""
    _reg, path, src_tag, digest = split_reference(source)
    if not registry:
        if not tag or tag == src_tag:
            return source
        return source.split('@')[0].rsplit(':', 1)[0] + ':' + tag if src_tag else source + ':' + tag
    target = f'{registry.rstrip("/")}/{path}'
    use_tag = tag or src_tag
    if use_tag:
        return f'{target}:{use_tag}'
    if digest:
        return f'{target}@{digest}'
    return f'{target}:latest'


def pinned(image: str, digest: str) -> str:
    """``image`` addressed by ``digest``: repository@sha256:..., the tag dropped."""
    _reg, _path, tag, _old = split_reference(image)
    name = image.split('@')[0]
    if tag:
        name = name[: -(len(tag) + 1)]
    return f'{name}@{digest}'


def _entry(option: str, value: t.Any) -> dict[str, str]:
    if isinstance(value, str):
        return {'source': value, 'tag': ''}
    if isinstance(value, dict) and isinstance(value.get('source'), str) and value['source']:
        extra = set(value) - {'source', 'tag'}
        if not extra and isinstance(value.get('tag', ''), str):
            return {'source': value['source'], 'tag': value.get('tag') or ''}
    raise ImageSetError(
        f'cephkit_images.{option}={value!r}: expected an image reference (a string) or '
        '{source: IMAGE, tag: TAG} (tag: the tag the mirror pushes it as, e.g. for an arch-tagged source)'
    )


def image_set(
    release: str,
    services: t.Iterable[str],
    overrides: dict[str, t.Any] | None = None,
    registry: str = '',
    lock: dict[str, t.Any] | None = None,
    ceph_image: str = '',
) -> list[dict[str, t.Any]]:
    """The images of ``release`` the ``services`` run, each with where the cluster takes it from.

    Every entry: ``option`` (cephadm's option name; ``ceph`` for the cluster image), ``service``, ``source``
    (where the mirror takes it from), ``default`` (cephadm's default of the option), ``image`` (what the cluster
    pulls: the source, or its place in ``registry``, pinned by the lock file's digest when it has one) and
    ``digest``.  ``services`` lists service types; ``ceph`` adds the cluster image ``ceph_image``.
    """
    version, found = release_set(release)
    overrides = dict(overrides or {})
    lock = dict(lock or {})
    defaults: dict[str, str] = found if found is not None else {o: '' for o in OPTION_SERVICES if o != 'ceph'}
    known = set(defaults) | {'ceph'}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise ImageSetError(
            f'cephkit_images: {", ".join(unknown)} is not an image option of Ceph {version} '
            f'(expected some of {", ".join(sorted(known))})'
        )
    entries = {option: _entry(option, value) for option, value in overrides.items()}
    wanted = {str(s) for s in services}
    bad = sorted(wanted - set(OPTION_SERVICES.values()))
    if bad:
        raise ImageSetError(
            f'services {", ".join(bad)}: not a service with an image of its own '
            f'(expected some of {", ".join(sorted(set(OPTION_SERVICES.values())))})'
        )
    options = (['ceph'] if 'ceph' in wanted else []) + [o for o in defaults if OPTION_SERVICES[o] in wanted]
    result = []
    for option in options:
        default = ceph_image if option == 'ceph' else defaults[option]
        entry = entries.get(option, {'source': default, 'tag': ''})
        if not entry['source']:
            raise ImageSetError(
                f'the collection has no image set for Ceph {version} (it knows {", ".join(IMAGE_SETS)}, '
                f'plugins/module_utils/_images.py): give the image of {OPTION_SERVICES[option]} in '
                f'cephkit_images.{option}, or leave the service out'
            )
        image = mirrored(entry['source'], registry, entry['tag'])
        digest = ''
        if option in lock:
            locked = lock[option]
            if not isinstance(locked, dict) or not DIGEST.match(str(locked.get('digest', ''))):
                raise ImageSetError(
                    f'the lock file entry {option}={locked!r}: expected {{image: IMAGE, digest: sha256:<64 hex>}}'
                )
            if locked.get('image') != image:
                raise ImageSetError(
                    f'the lock file pins {option} as {locked.get("image")}, but the inventory asks for {image}: '
                    'run cephkit.cephadm.mirror again to mirror and lock it'
                )
            digest = str(locked['digest'])
            image = pinned(image, digest)
        result.append(
            {
                'option': option,
                'service': OPTION_SERVICES[option],
                'source': entry['source'],
                'target': mirrored(entry['source'], registry, entry['tag']),
                'default': default,
                'image': image,
                'digest': digest,
            }
        )
    return result
