#!/usr/bin/python
# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: ceph_orch_apply
short_description: Apply or remove cephadm service specs, only where they differ
version_added: 0.1.0
description:
  - Compares the wanted service specs with C(ceph orch ls --export), both normalised the way cephadm
    exports them, and applies (C(ceph orch apply -i -)) only the specs that differ.
  - With O(state=absent), removes the services (C(ceph orch rm)) that exist.
  - Runs on an admin host of the cluster.
author:
  - cephkit maintainers (@cephkit)
options:
  spec:
    description:
      - One service spec (a dict) or a list of them, as in a cephadm spec file
        (C(service_type), C(service_id), C(placement), C(spec), ...).
      - Type-specific fields may be given at the top level or under C(spec).
      - Exactly one of O(spec) and O(src) is required.
      - Not logged on the host. Fields that hold secrets (C(keepalived_password), C(monitor_password),
        C(initial_admin_password), C(api_password), C(ssl_key), C(ssl_cert), C(rgw_frontend_ssl_certificate),
        C(rgw_frontend_ssl_key)) are compared as given and masked in RV(specs), RV(diff) and every other output.
    type: raw
  src:
    description:
      - Path, on the managed host, of a YAML or JSON spec file (several documents allowed).
      - Reading YAML needs PyYAML on the managed host; JSON does not.
    type: path
  state:
    description:
      - V(present) applies the specs that differ, V(absent) removes the services named by the specs.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - cephkit.cephadm.cephadm
  - cephkit.cephadm.cephadm.attributes
attributes:
  check_mode:
    support: full
    details: Reports the specs that differ; an OSD spec that differs is previewed with C(ceph orch apply --dry-run)
      and the preview returned (the dry run stores only a preview in cephadm, nothing is applied).
  diff_mode:
    support: full
  idempotent:
    support: full
seealso:
  - module: cephkit.cephadm.ceph_cluster_info
  - module: cephkit.cephadm.ceph_osd_device
'''

EXAMPLES = r'''
- name: Three mons on the hosts labelled mon
  cephkit.cephadm.ceph_orch_apply:
    spec:
      service_type: mon
      placement:
        label: mon
        count: 3

- name: Several specs
  cephkit.cephadm.ceph_orch_apply:
    spec:
      - service_type: mgr
        placement: {count: 2}
      - service_type: crash
        placement: {host_pattern: "*"}

- name: From a file on the host
  cephkit.cephadm.ceph_orch_apply:
    src: /root/cluster-spec.yml

- name: Remove a service
  cephkit.cephadm.ceph_orch_apply:
    spec:
      service_type: rgw
      service_id: default
    state: absent
'''

RETURN = r'''
applied:
  description: Service names applied (or removed with O(state=absent)); predicted in check mode.
  returned: success
  type: list
  elements: str
  sample: [mon]
unchanged:
  description: Service names that already matched.
  returned: success
  type: list
  elements: str
  sample: [mgr]
specs:
  description: The wanted specs, normalised as they are compared; secret fields masked (see O(spec)).
  returned: success
  type: list
  elements: dict
  sample: [{"service_type": "mon", "placement": {"count": 3, "label": "mon"}}]
preview:
  description: Commands that would run, in check mode (argv lists, as in RV(cmds); the specs go on stdin).
  returned: in check mode when a change is predicted
  type: list
  elements: list
  sample: [["orch", "apply", "-i", "-"]]
dry_run:
  description: Output of C(ceph orch apply --dry-run) for the OSD specs that differ, in check mode.
  returned: in check mode when an OSD spec differs
  type: str
  sample: "OSDSPEC PREVIEWS ..."
diff:
  description: The differing specs before and after, by service name.
  returned: when diff mode is on
  type: dict
  sample: {"before": {"mon": {"service_type": "mon", "placement": {"count": 5}}}, "after": {"mon": {"service_type": "mon", "placement": {"count": 3}}}}
cmds:
  description: Every command the module ran, as argv lists with secrets masked.
  returned: always
  type: list
  elements: list
  sample: [["/usr/bin/ceph", "orch", "ls", "--export", "--format", "json"]]
containers_started:
  description: Number of helper containers the module started (and removed) during this call; 0 or 1.
  returned: always
  type: int
  sample: 0
'''

import json
import typing as t

from ansible_collections.cephkit.cephadm.plugins.module_utils._ceph import MASK, CephInputError
from ansible_collections.cephkit.cephadm.plugins.module_utils._module import CephModule

# Keys cephadm keeps at the top level of an exported spec; every other key lives under "spec".
TOP_LEVEL = ('service_type', 'service_id', 'placement', 'unmanaged', 'networks', 'extra_container_args', 'config')
# Exported only, or derived.
IGNORED = ('service_name', 'status', 'events', 'preview_only')
# Defaults cephadm fills in when it stores a spec (per service type, under "spec").
SPEC_DEFAULTS: dict[str, dict[str, t.Any]] = {
    'osd': {'filter_logic': 'AND', 'objectstore': 'bluestore'},
}
# Spec fields that hold secrets (cephadm 16.2 and 18.2 service specs): masked in results and diffs.
SECRET_FIELDS = frozenset(
    (
        'keepalived_password',
        'monitor_password',
        'initial_admin_password',
        'api_password',
        'ssl_key',
        'ssl_cert',
        'rgw_frontend_ssl_certificate',
        'rgw_frontend_ssl_key',
    )
)
NEEDS_ID = ('mds', 'rgw', 'nfs', 'iscsi', 'ingress', 'container', 'osd')


def prune(value: t.Any) -> t.Any:
    """Drop empty values (cephadm's export leaves them out)."""
    if isinstance(value, dict):
        pruned = {k: prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in (None, '', [], {}, False)}
    if isinstance(value, list):
        return [prune(v) for v in value]
    return value


def secret_values(value: t.Any) -> list[str]:
    """The values of the secret fields anywhere in a spec (a certificate given as a list counts whole)."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in SECRET_FIELDS and item not in (None, ''):
                found.extend([str(item)] + ([str(i) for i in item] if isinstance(item, list) else []))
            else:
                found.extend(secret_values(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(secret_values(item))
    return found


def masked(value: t.Any) -> t.Any:
    """A copy of a spec with every secret field masked."""
    if isinstance(value, dict):
        return {k: MASK if k in SECRET_FIELDS and v not in (None, '') else masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v) for v in value]
    return value


def host_entry(entry: t.Any) -> str:
    if isinstance(entry, dict):
        text = str(entry.get('hostname', ''))
        if entry.get('network'):
            text += ':' + str(entry['network'])
        if entry.get('name'):
            text += '=' + str(entry['name'])
        return text
    return str(entry)


def service_name(spec: dict[str, t.Any]) -> str:
    if spec.get('service_id'):
        return '%s.%s' % (spec['service_type'], spec['service_id'])
    return str(spec['service_type'])


def normalize(spec: dict[str, t.Any]) -> dict[str, t.Any]:
    """A spec in the shape ``ceph orch ls --export`` gives it."""
    out: dict[str, t.Any] = {}
    inner: dict[str, t.Any] = dict(SPEC_DEFAULTS.get(str(spec.get('service_type')), {}))
    inner.update(spec.get('spec') or {})
    for key, value in spec.items():
        if key in IGNORED or key == 'spec':
            continue
        if key in TOP_LEVEL:
            out[key] = value
        else:
            inner[key] = value
    placement = dict(out.get('placement') or {})
    if 'hosts' in placement:
        placement['hosts'] = [host_entry(h) for h in placement['hosts'] or []]
    out['placement'] = placement
    out['spec'] = inner
    normalized = prune(out)
    normalized.setdefault('placement', {})
    return t.cast('dict[str, t.Any]', normalized)


def load_specs(params: dict[str, t.Any]) -> list[dict[str, t.Any]]:
    if params['src'] is not None:
        try:
            with open(params['src'], encoding='utf-8') as handle:
                text = handle.read()
        except OSError as exc:
            raise CephInputError('src %r cannot be read: %s' % (params['src'], exc)) from None
        try:
            docs: list[t.Any] = [json.loads(text)]
        except ValueError:
            try:
                import yaml  # pylint: disable=import-outside-toplevel
            except ImportError:
                raise CephInputError(
                    'src %r is not JSON, and reading YAML needs PyYAML (python3-yaml) on the host' % params['src']
                ) from None
            try:
                docs = [d for d in yaml.safe_load_all(text) if d is not None]
            except yaml.YAMLError as exc:
                raise CephInputError('src %r is not valid YAML: %s' % (params['src'], exc)) from None
        raw: t.Any = docs[0] if len(docs) == 1 else docs
    else:
        raw = params['spec']
    specs = raw if isinstance(raw, list) else [raw]
    seen: set[str] = set()
    for index, spec in enumerate(specs):
        if not isinstance(spec, dict) or not spec.get('service_type'):
            raise CephInputError(
                'spec #%d (%r) is not a service spec: expected a mapping with service_type' % (index + 1, spec)
            )
        if spec['service_type'] in NEEDS_ID and not spec.get('service_id'):
            raise CephInputError('spec #%d: service_type %s needs a service_id' % (index + 1, spec['service_type']))
        name = service_name(spec)
        if name in seen:
            raise CephInputError('spec #%d: service %s is given twice' % (index + 1, name))
        seen.add(name)
    if not specs:
        raise CephInputError('no spec given: expected at least one service spec')
    if params['state'] == 'absent':
        for spec in specs:
            if service_name(spec) in ('mon', 'mgr'):
                raise CephInputError('service %s cannot be removed: a cluster needs it' % service_name(spec))
    return [dict(s) for s in specs]


def validate(params: dict[str, t.Any]) -> None:
    load_specs(params)


def payload(specs: list[dict[str, t.Any]]) -> str:
    """Specs as YAML documents (JSON is YAML), for ``ceph orch apply -i -``."""
    return '\n---\n'.join(json.dumps(s, sort_keys=True) for s in specs) + '\n'


def manage(mod: CephModule) -> dict[str, t.Any]:
    runner = mod.runner
    specs = load_specs(mod.params)
    mod.hide_only('spec', secret_values(specs))
    exported = runner.ceph_json(['orch', 'ls', '--export']) or []
    mod.hide(secret_values(exported))
    current = {str(s.get('service_name') or service_name(s)): normalize(s) for s in exported if isinstance(s, dict)}
    wanted = [(service_name(s), s, normalize(s)) for s in specs]
    result: dict[str, t.Any] = {
        'changed': False,
        'applied': [],
        'unchanged': [],
        'specs': [masked(w[2]) for w in wanted],
    }
    before: dict[str, t.Any] = {}
    after: dict[str, t.Any] = {}

    if mod.params['state'] == 'absent':
        preview = []
        for name, _spec, _norm in wanted:
            if name not in current:
                result['unchanged'].append(name)
                continue
            result['applied'].append(name)
            before[name], after[name] = current[name], None
            preview.append(['orch', 'rm', name])
            if not mod.check_mode:
                runner.ceph(preview[-1])
        if preview and mod.check_mode:
            result['preview'] = preview
    else:
        differing = []
        for name, spec, norm in wanted:
            if current.get(name) == norm:
                result['unchanged'].append(name)
                continue
            differing.append(spec)
            result['applied'].append(name)
            before[name], after[name] = current.get(name), norm
        if differing and mod.check_mode:
            result['preview'] = [['orch', 'apply', '-i', '-']]
            osd_specs = [s for s in differing if s['service_type'] == 'osd']
            if osd_specs:
                res = runner.ceph(['orch', 'apply', '-i', '-', '--dry-run'], data=payload(osd_specs))
                result['dry_run'] = res.stdout
        elif differing:
            runner.ceph(['orch', 'apply', '-i', '-'], data=payload(differing))
    result['changed'] = bool(result['applied'])
    if mod.diff:
        result['diff'] = {'before': masked(before), 'after': masked(after)}
    return result


def main() -> None:
    CephModule(
        {
            'spec': {'type': 'raw', 'no_log': True},
            'src': {'type': 'path'},
            'state': {'type': 'str', 'choices': ['present', 'absent'], 'default': 'present'},
        },
        validate=validate,
        mutually_exclusive=[('spec', 'src')],
        required_one_of=[('spec', 'src')],
    ).run(manage)


if __name__ == '__main__':
    main()
