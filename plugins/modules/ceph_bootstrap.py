#!/usr/bin/python
# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: ceph_bootstrap
short_description: Bootstrap a new Ceph cluster with cephadm on the first host
version_added: 0.1.0
description:
  - Runs C(cephadm bootstrap) on the host, which creates the first mon and mgr of a new cluster, the admin
    keyring and C(ceph.conf) in C(/etc/ceph).
  - On a host that already runs a mon of a cluster it changes nothing and returns that cluster's fsid;
    a given O(fsid) that differs from the running one is an error.
  - A bootstrap of this module that never reached its end (the run was killed, the controller went away) leaves a
    mark next to C(ceph.conf). The next run finishes it (the dashboard password) when the cluster works. When the
    cluster is half-made (no mgr, no orchestrator, no admin keyring, no dashboard) and holds nothing but the daemons a
    bootstrap deploys (mon, mgr, crash; no OSD, so no data), the module removes it from the host
    (C(cephadm rm-cluster)) and bootstraps again; RV(removed_half_made) says so. A cephadm bootstrap of that earlier
    run that still runs is waited for first. The registry login C(/etc/ceph/podman-auth.json), which Reef's
    C(rm-cluster) removes with the cluster's files, is kept for the bootstrap's pull.
  - Secrets never reach a command line. Registry credentials go to cephadm in a 0600
    C(--registry-json) file that is removed afterwards. The dashboard password is set after the
    bootstrap through standard input (C(ceph dashboard ac-user-set-password -i -)); the password
    cephadm generates and logs during the bootstrap is therefore replaced at once.
author:
  - cephkit maintainers (@cephkit)
options:
  fsid:
    description:
      - fsid of the new cluster. A random one is chosen when not given.
      - On a host that already runs a mon of a cluster, a given fsid must be that cluster's.
    type: str
  mon_ip:
    description:
      - IP address of the first mon. Must be an address of this host; checked before anything runs.
    type: str
    required: true
  cluster_network:
    description:
      - Cluster (replication) network in CIDR notation, several separated by commas.
    type: str
  registry_url:
    description:
      - Registry to log in to before pulling the image. Needs O(registry_username) and O(registry_password).
    type: str
  registry_username:
    description:
      - User name for O(registry_url).
    type: str
  registry_password:
    description:
      - Password for O(registry_url). Given to cephadm in a 0600 file, never on this module's command lines.
      - cephadm itself then runs C(podman login -p PASSWORD) (the password on a command line of the host for a
        moment) and keeps the login in the cluster's config-key store, to log in every host it adds. Prefer the
        registry's auth file on every host (C(/etc/ceph/podman-auth.json), which cephadm passes to every pull;
        role C(cephkit_registry) writes it from C(cephkit_registry_login)) and leave the C(registry_*) options out,
        as role C(cephkit_bootstrap) does.
    type: str
  dashboard:
    description:
      - Deploy the Ceph dashboard. V(false) passes C(--skip-dashboard).
    type: bool
    default: true
  dashboard_user:
    description:
      - Name of the initial dashboard administrator.
    type: str
    default: admin
  dashboard_password:
    description:
      - Password of O(dashboard_user). Set after the bootstrap through standard input; the user is not
        forced to change it at first login.
      - When not given, a random password is generated, written to a 0600 file on the host, and only
        the path of that file is returned (RV(dashboard_password_file)).
    type: str
  monitoring:
    description:
      - Deploy the monitoring stack (prometheus, grafana, alertmanager, node-exporter).
        V(false) passes C(--skip-monitoring-stack).
    type: bool
    default: true
  firewalld:
    description:
      - Let cephadm configure firewalld. V(false) passes C(--skip-firewalld).
    type: bool
    default: true
  pull:
    description:
      - Pull the image before the bootstrap. V(false) passes C(--skip-pull) (the image must be on the host).
    type: bool
    default: true
  ssh_user:
    description:
      - User cephadm uses to SSH to the hosts of the cluster (cephadm's default is C(root)).
    type: str
  allow_fqdn_hostname:
    description:
      - Allow a fully qualified host name (C(--allow-fqdn-hostname)).
    type: bool
    default: false
  apply_spec:
    description:
      - Path, on the host, of a service spec file applied after the bootstrap (C(--apply-spec)).
    type: path
  config:
    description:
      - Initial C(ceph.conf) settings. Either sections mapping to options (see the examples)
        or options alone, which go to C([global]).
      - Written to a 0600 file given to cephadm as C(--config).
    type: dict
  allow_overwrite:
    description:
      - Allow cephadm to overwrite C(/etc/ceph/ceph.conf), the admin keyring and C(ceph.pub)
        (C(--allow-overwrite)). Without it the module refuses when one of them exists.
    type: bool
    default: false
  timeout:
    description:
      - Timeout in seconds of every single command the module runs, C(cephadm bootstrap) included.
    type: int
    default: 900
extends_documentation_fragment:
  - cephkit.cephadm.cephadm
  - cephkit.cephadm.cephadm.attributes
attributes:
  check_mode:
    support: full
    details: Validates the input, detects an existing cluster and returns the command that would run.
  diff_mode:
    support: none
  idempotent:
    support: full
notes:
  - Besides the containers cephadm itself starts for the bootstrap, the module starts at most one
    helper container (to set the dashboard password when the host has no C(ceph) CLI).
  - cephadm prints the dashboard password it generated and writes it to its log file
    C(/var/log/ceph/cephadm.log); the module masks it in its results and in that file, and replaces it with
    its own (given, or generated into a 0600 file) through standard input.
seealso:
  - module: cephkit.cephadm.ceph_rm_cluster
  - module: cephkit.cephadm.ceph_orch_host
'''

EXAMPLES = r'''
- name: Bootstrap the first host
  cephkit.cephadm.ceph_bootstrap:
    mon_ip: 10.89.0.11
    image: quay.io/ceph/ceph:v16.2.15
    cluster_network: 10.90.0.0/24
    monitoring: false
    config:
      global:
        osd_pool_default_size: 2
  register: boot

- name: With a private registry
  cephkit.cephadm.ceph_bootstrap:
    mon_ip: 10.89.0.11
    fsid: 2c1e4a3c-0b6f-11ef-9a41-525400a1b2c3
    registry_url: registry.example.com
    registry_username: ceph
    registry_password: "{{ vault_registry_password }}"
    dashboard_password: "{{ vault_dashboard_password }}"
'''

RETURN = r'''
removed_half_made:
  description: The half-made cluster a killed run had left, removed before the bootstrap, and why it was not a working
    one (removed in a real run, would be in check mode).
  returned: when there was one
  type: dict
  sample: {"fsid": "2c1e4a3c-0b6f-11ef-9a41-525400a1b2c3", "reason": "it has no mgr"}
fsid:
  description: fsid of the cluster (the new one, or the one already running on the host). Null in check
    mode when no O(fsid) was given and no cluster runs.
  returned: success
  type: str
  sample: 2c1e4a3c-0b6f-11ef-9a41-525400a1b2c3
dashboard_url:
  description: URL of the dashboard, when it is enabled and known.
  returned: success
  type: str
  sample: https://ceph1:8443/
dashboard_password_file:
  description: Path of the 0600 file holding the generated dashboard password; null when O(dashboard_password)
    was given or the dashboard is off.
  returned: success
  type: str
  sample: /etc/ceph/dashboard.2c1e4a3c-0b6f-11ef-9a41-525400a1b2c3.password
preview:
  description:
    - Commands that would run, in check mode (argv lists, as in RV(cmds)), that is the cephadm bootstrap command.
    - Nothing secret is in it. The bootstrap that ran is in RV(cmds).
  returned: in check mode when a bootstrap would run
  type: list
  elements: list
  sample: [["/usr/sbin/cephadm", "--image", "quay.io/ceph/ceph:v16.2.15", "bootstrap", "--mon-ip", "10.89.0.11"]]
stdout:
  description: Output of cephadm bootstrap, with the generated password masked.
  returned: when a bootstrap ran
  type: str
  sample: "Bootstrap complete."
cmds:
  description: Every command the module ran, as argv lists with secrets masked.
  returned: always
  type: list
  elements: list
  sample: [["/usr/sbin/cephadm", "ls"]]
containers_started:
  description: Number of helper containers the module started (and removed) during this call; 0 or 1.
  returned: always
  type: int
  sample: 0
'''

import contextlib
import json
import os
import re
import secrets
import typing as t
import uuid

from ansible_collections.cephkit.cephadm.plugins.module_utils import _paths
from ansible_collections.cephkit.cephadm.plugins.module_utils._ceph import (
    CephError,
    CephInputError,
    CephRunner,
    PrivateFile,
    build_args,
    fmt_flag,
    fmt_flag_if_false,
    fmt_opt_val,
    is_local_address,
    poll,
    validate_ip,
    validate_network,
    write_private_file,
)
from ansible_collections.cephkit.cephadm.plugins.module_utils._module import CephModule

# Where bootstrap writes (a module attribute: the unit tests point it at a temporary directory).
OUTPUT_DIR = _paths.ETC_CEPH
# cephadm's own log (its logger writes every message there too, the generated dashboard password included).
CEPHADM_LOG_DIR = _paths.LOG_DIR
OUTPUT_FILES = tuple(os.path.basename(f) for f in _paths.BOOTSTRAP_FILES)

# Declared argument formats of `cephadm bootstrap` (order = argv order).
BOOTSTRAP_FORMATS = {
    'mon_ip': fmt_opt_val('--mon-ip'),
    'fsid': fmt_opt_val('--fsid'),
    'cluster_network': fmt_opt_val('--cluster-network'),
    'registry_json': fmt_opt_val('--registry-json'),
    'dashboard': fmt_flag_if_false('--skip-dashboard'),
    'dashboard_user': fmt_opt_val('--initial-dashboard-user'),
    'dashboard_password_noupdate': fmt_flag('--dashboard-password-noupdate'),
    'monitoring': fmt_flag_if_false('--skip-monitoring-stack'),
    'firewalld': fmt_flag_if_false('--skip-firewalld'),
    'pull': fmt_flag_if_false('--skip-pull'),
    'ssh_user': fmt_opt_val('--ssh-user'),
    'allow_fqdn_hostname': fmt_flag('--allow-fqdn-hostname'),
    'apply_spec': fmt_opt_val('--apply-spec'),
    'config_file': fmt_opt_val('--config'),
    'allow_overwrite': fmt_flag('--allow-overwrite'),
}


def password_file(fsid: str) -> str:
    return os.path.join(OUTPUT_DIR, os.path.basename(_paths.dashboard_password_file(fsid)))


def config_ini(config: dict[str, t.Any]) -> str:
    """Render the ``config`` option as an ini file."""
    if all(isinstance(v, dict) for v in config.values()):
        sections = config
    elif any(isinstance(v, dict) for v in config.values()):
        raise CephInputError(
            'config mixes sections and options: expected either {section: {option: value}} or '
            '{option: value} (for [global])'
        )
    else:
        sections = {'global': config}
    lines: list[str] = []
    for section, options in sections.items():
        lines.append('[%s]' % section)
        for key, value in options.items():
            if isinstance(value, (dict, list)) or value is None:
                raise CephInputError(
                    'config: %s/%s has value %r: expected a string, number or boolean' % (section, key, value)
                )
            text = ('true' if value else 'false') if isinstance(value, bool) else str(value)
            if '\n' in text or '\n' in str(key):
                raise CephInputError('config: %s/%s contains a newline' % (section, key))
            lines.append('%s = %s' % (key, text))
    return '\n'.join(lines) + '\n'


def validate(params: dict[str, t.Any]) -> None:
    mon_ip = validate_ip(params['mon_ip'], 'mon_ip')
    if not is_local_address(mon_ip):
        raise CephInputError(
            'mon_ip %s is not an address of this host: expected one of the addresses of its interfaces' % mon_ip
        )
    if params['cluster_network']:
        validate_network(params['cluster_network'], 'cluster_network')
    registry = [params['registry_url'], params['registry_username'], params['registry_password']]
    if any(registry) and not all(registry):
        raise CephInputError(
            'registry_url, registry_username and registry_password go together: give all three or none'
        )
    if params['dashboard_password'] is not None and not params['dashboard']:
        raise CephInputError('dashboard_password is given but dashboard is false')
    if params['dashboard_password'] is not None and not params['dashboard_password']:
        raise CephInputError('dashboard_password is empty: expected a non-empty password')
    if params['apply_spec'] and not os.path.isfile(params['apply_spec']):
        raise CephInputError('apply_spec %r is not a file on this host' % params['apply_spec'])
    if params['config'] is not None:
        config_ini(params['config'])
    if params['ssh_user'] is not None and not re.match(r'^[a-z_][a-z0-9_.-]*$', params['ssh_user']):
        raise CephInputError('ssh_user %r is not a user name' % params['ssh_user'])


def running_clusters(runner: CephRunner) -> list[str]:
    """fsids of the clusters that have a mon on this host."""
    return sorted(
        {
            str(d['fsid'])
            for d in runner.cephadm_ls()
            if d.get('style') == 'cephadm:v1' and str(d.get('name', '')).startswith('mon.') and d.get('fsid')
        }
    )


def dashboard_url(runner: CephRunner) -> str | None:
    try:
        services = runner.ceph_json(['mgr', 'services'])
    except CephError:
        return None
    url = services.get('dashboard') if isinstance(services, dict) else None
    return str(url) if url else None


# cephadm bootstrap prints the dashboard password it generated ("Password: ..."), on success and on failure.
PASSWORD_LINE = (re.compile(r'(?im)^(\s*Password:\s*)\S+'), r'\1********')


def scrub_cephadm_log() -> None:
    """Mask the dashboard password cephadm bootstrap wrote to /var/log/ceph/cephadm.log (in place).

    The module replaces that password at once (set_dashboard_password), but no password, even a spent one,
    stays in a log file.
    """
    pattern, replacement = PASSWORD_LINE
    path = os.path.join(CEPHADM_LOG_DIR, 'cephadm.log')
    try:
        with open(path, 'r+', encoding='utf-8', errors='surrogateescape') as log:
            text = log.read()
            masked = pattern.sub(replacement, text)
            if masked != text:
                log.seek(0)
                log.write(masked)
                log.truncate()
    except FileNotFoundError:
        return


def pending_file(fsid: str) -> str:
    """Marks a bootstrap whose dashboard step is not done yet (a failed or killed run): the next run finishes it."""
    return os.path.join(OUTPUT_DIR, '.cephkit-bootstrap.%s.pending' % fsid)


def set_dashboard_password(mod: CephModule, fsid: str, result: dict[str, t.Any], output: str = '') -> None:
    """Give the dashboard user its password (generated into a 0600 file unless given), then clear the mark."""
    params, runner = mod.params, mod.runner
    password = params['dashboard_password']
    if password is None:
        password = secrets.token_urlsafe(18)
        mod.hide([password])
        write_private_file(password_file(fsid), password + '\n')
        result['dashboard_password_file'] = password_file(fsid)
    runner.ceph(
        ['dashboard', 'ac-user-set-password', params['dashboard_user'], '--force-password', '-i', '-'],
        data=password,
    )
    match = re.search(r'URL:\s*(\S+)', output)
    result['dashboard_url'] = match.group(1) if match else dashboard_url(runner)


# Where the host's processes are (a module attribute: the unit tests point it at a temporary directory).
PROC_DIR = '/proc'


def bootstrap_running(fsid: str) -> bool:
    """Whether a ``cephadm ... bootstrap ... --fsid FSID`` still runs on this host (the run that started it was
    killed, but its cephadm goes on while nothing kills it)."""
    try:
        pids = [p for p in os.listdir(PROC_DIR) if p.isdigit()]
    except OSError:
        return False
    for pid in pids:
        try:
            with open(os.path.join(PROC_DIR, pid, 'cmdline'), 'rb') as handle:
                argv = handle.read().decode('utf-8', 'replace').replace('\0', ' ').split()
        except OSError:
            continue
        if 'bootstrap' in argv and fsid in argv and any(os.path.basename(a).startswith('cephadm') for a in argv):
            return True
    return False


# Daemons cephadm bootstrap deploys on the host; a cluster of the marker with others (OSDs, more hosts' daemons)
# is past its bootstrap.
BOOTSTRAP_DAEMON_TYPES = {'mon', 'mgr', 'crash'}
# Seconds a look at a half-made cluster may take (a mgr command waits for a mgr that may never come).
HALF_MADE_TIMEOUT = 60
# Seconds between two looks for an earlier run's bootstrap that still runs.
BOOTSTRAP_POLL = 5


def half_made(mod: CephModule, fsid: str) -> str:
    """Why cluster ``fsid``, whose bootstrap by this module never finished (its mark is there), is not a working
    cluster: '' when it is one (only its dashboard step may be left). A bootstrap killed midway (the run
    interrupted, the controller gone) leaves a mon and maybe a mgr, without the orchestrator or the admin keyring."""
    runner = mod.runner
    types = {str(d.get('name', '')).split('.', maxsplit=1)[0] for d in runner.cephadm_ls() if d.get('fsid') == fsid}
    if types - BOOTSTRAP_DAEMON_TYPES:
        return ''
    if 'mgr' not in types:
        return 'it has no mgr'
    try:
        status = runner.ceph_json(['orch', 'status'], timeout=HALF_MADE_TIMEOUT)
    except CephError as exc:
        said = str(exc.details.get('stderr') or exc.msg).strip().splitlines()
        return 'its orchestrator does not answer (%s)' % (said[0][:200] if said else 'no output')
    if not (isinstance(status, dict) and status.get('available')):
        return 'its orchestrator is not available'
    if mod.params['dashboard'] and not dashboard_url(runner):
        return 'its dashboard is not up'
    return ''


@contextlib.contextmanager
def kept(path: str) -> t.Iterator[None]:
    """The file at ``path`` (mode 0600) as it was before the block, put back if the block removed it: the bootstrap
    that follows pulls with the registry login."""
    try:
        with open(path, encoding='utf-8') as handle:
            content: str | None = handle.read()
    except FileNotFoundError:
        content = None
    try:
        yield
    finally:
        if content is not None and not os.path.exists(path):
            write_private_file(path, content)


def bootstrap(mod: CephModule) -> dict[str, t.Any]:
    params, runner = mod.params, mod.runner
    runner.output_masks.append(PASSWORD_LINE)
    result: dict[str, t.Any] = {'changed': False, 'dashboard_url': None, 'dashboard_password_file': None}

    existing = running_clusters(runner)
    unfinished = [f for f in existing if os.path.exists(pending_file(f))]
    if len(existing) == 1 and unfinished:
        if bootstrap_running(unfinished[0]) and not mod.check_mode:
            # the killed run's cephadm is still at it: let it end first (within the module's timeout)
            poll(
                lambda: None if bootstrap_running(unfinished[0]) else True,
                params['timeout'],
                BOOTSTRAP_POLL,
                lambda: 'the bootstrap of %s that an earlier run started still runs' % unfinished[0],
            )
            runner.forget_cephadm_ls()
        reason = half_made(mod, unfinished[0])
        if reason:
            # what a killed run left: removed (it holds no OSD, so no data) and bootstrapped again
            half = unfinished[0]
            result.update(changed=True, removed_half_made={'fsid': half, 'reason': reason})
            argv = ['rm-cluster', '--fsid', half, '--force']
            if mod.check_mode:
                result['preview'] = [runner.cephadm_argv(argv)]
                result['fsid'] = params['fsid']
                return result
            runner.close()  # a toolbox of the half-made cluster's image goes with it
            with kept(os.path.join(OUTPUT_DIR, _paths.PODMAN_AUTH_NAME)):
                runner.cephadm(argv)
            os.unlink(pending_file(half))
            runner.forget_cephadm_ls()
            existing = running_clusters(runner)
    if existing:
        if params['fsid'] and params['fsid'] not in existing:
            raise CephError(
                'this host already runs cluster %s; the fsid given (%s) differs: remove that cluster '
                'first (ceph_rm_cluster) or give its fsid' % (', '.join(existing), params['fsid']),
                fsid=existing[0],
            )
        if len(existing) > 1 and not params['fsid']:
            raise CephError('this host runs mons of several clusters (%s): give fsid' % ', '.join(existing))
        fsid = params['fsid'] or existing[0]
        runner.use_fsid(str(fsid))
        result['fsid'] = fsid
        if os.path.exists(pending_file(fsid)):
            # an earlier run created the cluster but did not get to its end (the dashboard): finish it
            result['changed'] = True
            if not mod.check_mode:
                if params['dashboard']:
                    set_dashboard_password(mod, str(fsid), result)
                os.unlink(pending_file(fsid))
            return result
        if params['dashboard']:
            if os.path.exists(password_file(fsid)):
                result['dashboard_password_file'] = password_file(fsid)
            if not mod.check_mode:
                result['dashboard_url'] = dashboard_url(runner)
        return result

    if not params['allow_overwrite']:
        present = [os.path.join(OUTPUT_DIR, f) for f in OUTPUT_FILES if os.path.exists(os.path.join(OUTPUT_DIR, f))]
        if present:
            raise CephError(
                'no cluster runs on this host but %s exist(s): remove them or set allow_overwrite=true'
                % ', '.join(present)
            )

    fsid = params['fsid'] or (None if mod.check_mode else str(uuid.uuid4()))
    values = dict(params)
    values['fsid'] = fsid
    values['dashboard_user'] = params['dashboard_user'] if params['dashboard'] else None
    values['dashboard_password_noupdate'] = bool(params['dashboard'])
    values['registry_json'] = '<0600 registry file>' if params['registry_url'] else None
    values['config_file'] = '<0600 config file>' if params['config'] is not None else None
    result['changed'] = True
    result['fsid'] = fsid

    if mod.check_mode:
        result['preview'] = [
            runner.masked(runner.cephadm_argv(['bootstrap', *build_args(BOOTSTRAP_FORMATS, values)], with_image=True))
        ]
        return result

    registry = json.dumps(
        {
            'url': params['registry_url'],
            'username': params['registry_username'],
            'password': params['registry_password'],
        }
    )
    with (
        PrivateFile(registry, '.json') as registry_path,
        PrivateFile(config_ini(params['config'] or {}), '.conf') as config_path,
    ):
        if params['registry_url']:
            values['registry_json'] = registry_path
        if params['config'] is not None:
            values['config_file'] = config_path
        # the mark of a bootstrap under way: a run killed before the end leaves it, and the next run finishes or
        # redoes what it finds (half_made)
        write_private_file(pending_file(str(fsid)), '')
        try:
            res = runner.run(
                runner.cephadm_argv(['bootstrap', *build_args(BOOTSTRAP_FORMATS, values)], with_image=True)
            )
        except CephError as exc:
            scrub_cephadm_log()
            runner.forget_cephadm_ls()
            if str(fsid) not in running_clusters(runner):
                if os.path.exists(pending_file(str(fsid))):
                    os.unlink(pending_file(str(fsid)))
                raise
            exc.msg += (
                ' -- cluster %s was created on this host nonetheless: run the module again to finish it '
                '(its dashboard password), or remove it (ceph_rm_cluster)' % fsid
            )
            exc.details.update(changed=True, fsid=fsid)
            raise
    scrub_cephadm_log()
    output = res.stdout + res.stderr
    result['stdout'] = output
    runner.use_fsid(str(fsid))
    runner.forget_cephadm_ls()
    if params['dashboard']:
        set_dashboard_password(mod, str(fsid), result, output)
    if os.path.exists(pending_file(str(fsid))):
        os.unlink(pending_file(str(fsid)))
    return result


def main() -> None:
    CephModule(
        {
            'mon_ip': {'type': 'str', 'required': True},
            'cluster_network': {'type': 'str'},
            'registry_url': {'type': 'str'},
            'registry_username': {'type': 'str'},
            'registry_password': {'type': 'str', 'no_log': True},
            'dashboard': {'type': 'bool', 'default': True},
            'dashboard_user': {'type': 'str', 'default': 'admin'},
            'dashboard_password': {'type': 'str', 'no_log': True},
            'monitoring': {'type': 'bool', 'default': True},
            'firewalld': {'type': 'bool', 'default': True},
            'pull': {'type': 'bool', 'default': True},
            'ssh_user': {'type': 'str'},
            'allow_fqdn_hostname': {'type': 'bool', 'default': False},
            'apply_spec': {'type': 'path'},
            'config': {'type': 'dict'},
            'allow_overwrite': {'type': 'bool', 'default': False},
            'timeout': {'type': 'int', 'default': 900},
        },
        validate=validate,
    ).run(bootstrap)


if __name__ == '__main__':
    main()
