#!/usr/bin/env python
# Copyright (c) cephkit maintainers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""make bench: site.yml against the same deployment typed as plain commands, on fresh lab instances.

In one run, alternating A B A B (so that the machine's drift cancels out), PAIRS pairs of
  A: hack/bench-plain.sh (the plain cephadm / ceph orch commands), then the collection's verify;
  B: site.yml on the same inventory, then the same verify;
then, on the last B cluster: a second run, a --check run, a --check --diff run; and a 5-host lab (one
disk each): site.yml, then the second run. Prints medians and min-max, B/A per pair, the ceph/cephadm
commands and helper containers per run (from the modules' results), the longest tasks (task durations of
the JSON callback), peak memory of the controller's ansible-playbook (max RSS) and of each lab host
(cgroup v1 memory.max_usage_in_bytes). Writes .bench/<time>.json.

    hack/bench.py [--pairs N] [--skip-five]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
import typing as t

ROOT = pathlib.Path(__file__).resolve().parent.parent
PY = str(ROOT / '.venv' / 'bin' / 'python')
BIN = ROOT / '.venv' / 'bin'
NAME = 'cephkit-bench'
SUBNET = '10.89.96.0/24'
FIVE_GROUPS = """all:
  children:
    ceph: {hosts: {node1: {}, node2: {}, node3: {}, node4: {}, node5: {}}}
    ceph_mons: {hosts: {node1: {}, node2: {}, node3: {}}}
    ceph_mgrs: {hosts: {node1: {}, node2: {}}}
    ceph_osds: {hosts: {node1: {}, node2: {}, node3: {}, node4: {}, node5: {}}}
    ceph_admins: {hosts: {node1: {}}}
"""


def say(msg: str) -> None:
    print('[bench %s] %s' % (time.strftime('%H:%M:%S'), msg), flush=True)


def lab(action: str, hosts: int = 3, disks: int = 2) -> None:
    env = dict(os.environ, LAB_NAME=NAME, LAB_SUBNET=SUBNET, LAB_HOSTS=str(hosts), LAB_DISKS=str(disks))
    subprocess.run([PY, '-m', 'cephkit_lab', action], cwd=ROOT / 'lab', env=env, check=True, capture_output=True)


def inventory() -> str:
    return str(ROOT / '.lab' / NAME / 'inventory.yml')


def collections() -> str:
    tree = ROOT / '.build' / 'bench' / 'ansible_collections' / 'cephkit'
    tree.mkdir(parents=True, exist_ok=True)
    link = tree / 'cephadm'
    if not link.is_symlink():
        link.symlink_to(ROOT)
    return str(ROOT / '.build' / 'bench')


def host_memory() -> dict[str, int]:
    """Peak memory of each lab host container since it started (cgroup v1, nested containers included)."""
    peaks = {}
    for n in range(1, 10):
        name = '%s-node%d' % (NAME, n)
        proc = subprocess.run(
            ['podman', 'inspect', '--format', '{{.State.CgroupPath}}', name],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            break
        path = pathlib.Path('/sys/fs/cgroup/memory') / proc.stdout.strip().lstrip('/') / 'memory.max_usage_in_bytes'
        if path.exists():
            peaks['node%d' % n] = int(path.read_text())
    return peaks


def timed(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, subprocess.CompletedProcess[str], int]:
    """Run argv under GNU time; return seconds, the process, and the peak RSS (KiB) of the largest process of
    the run (``%M``: the command or any of its children it waited for, such as ansible's forks)."""
    with tempfile.NamedTemporaryFile('r', suffix='.rss') as rss:
        start = time.monotonic()
        proc = subprocess.run(
            ['/usr/bin/time', '-f', '%M', '-o', rss.name, *argv],
            env=env,
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        seconds = time.monotonic() - start
        text = pathlib.Path(rss.name).read_text().strip().splitlines()
    return seconds, proc, int(text[-1]) if text and text[-1].isdigit() else 0


def playbook(playbook: str, extra: list[str], groups: str | None = None) -> dict[str, t.Any]:
    env = dict(
        os.environ,
        PATH='%s:%s' % (BIN, os.environ['PATH']),
        ANSIBLE_COLLECTIONS_PATH=collections(),
        ANSIBLE_HOST_KEY_CHECKING='false',
        ANSIBLE_STDOUT_CALLBACK='ansible.posix.json',
    )
    argv = [str(BIN / 'ansible-playbook'), '-i', inventory(), '-i', groups or str(ROOT / 'lab/inventory/lab.yml')]
    seconds, proc, rss = timed([*argv, *extra, playbook], env)
    try:
        out = json.loads(proc.stdout)
    except ValueError:
        raise SystemExit(
            '%s %s: no JSON output (rc %d): %s' % (playbook, extra, proc.returncode, proc.stderr[-2000:])
        ) from None
    failed = {h: s for h, s in out['stats'].items() if s.get('failures') or s.get('unreachable')}
    if proc.returncode != 0 or failed:
        raise SystemExit('%s %s failed (rc %d): %s' % (playbook, extra, proc.returncode, failed))
    ceph_cmds = containers = 0
    tasks: list[tuple[float, str]] = []
    for play in out['plays']:
        for task in play['tasks']:
            dur = task['task'].get('duration') or {}
            if dur.get('start') and dur.get('end'):
                start = datetime.datetime.fromisoformat(dur['start'].replace('Z', '+00:00'))
                end = datetime.datetime.fromisoformat(dur['end'].replace('Z', '+00:00'))
                tasks.append(((end - start).total_seconds(), task['task']['name']))
            for result in task['hosts'].values():
                for res in result.get('results', [result]) if isinstance(result, dict) else []:
                    cmds = res.get('cmds') if isinstance(res, dict) else None
                    if isinstance(cmds, list):
                        ceph_cmds += sum(1 for c in cmds if c and str(c[0]).rsplit('/', 1)[-1] in ('ceph', 'cephadm'))
                        ceph_cmds += sum(1 for c in cmds if len(c) > 2 and c[0].endswith('podman') and 'ceph' in c)
                        containers += int(res.get('containers_started') or 0)
    tasks.sort(reverse=True)
    return {
        'seconds': round(seconds, 1),
        'changed': sum(s.get('changed', 0) for s in out['stats'].values()),
        'ceph_commands': ceph_cmds,
        'containers_started': containers,
        'controller_peak_rss_kib': rss,
        'longest_tasks': [[round(s, 1), n] for s, n in tasks[:8]],
    }


def verify(groups: str | None = None) -> None:
    playbook(str(ROOT / 'molecule/shared/verify.yml'), [], groups)


def plain() -> dict[str, t.Any]:
    seconds, proc, rss = timed([str(ROOT / 'hack/bench-plain.sh'), inventory()])
    if proc.returncode != 0:
        raise SystemExit('bench-plain.sh failed: %s %s' % (proc.stdout[-2000:], proc.stderr[-2000:]))
    return {'seconds': round(seconds, 1), 'controller_peak_rss_kib': rss}


def spread(values: list[float]) -> str:
    return '%.1f s (min %.1f, max %.1f, n=%d)' % (statistics.median(values), min(values), max(values), len(values))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--pairs', type=int, default=2)
    parser.add_argument('--skip-five', action='store_true', help='leave out the 5-host lab')
    args = parser.parse_args()
    results: dict[str, t.Any] = {'pairs': [], 'started': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}
    site = 'cephkit.cephadm.site'
    try:
        for i in range(args.pairs):
            pair: dict[str, t.Any] = {}
            for kind in ('A', 'B'):
                lab('down')
                lab('up')
                say('pair %d %s: fresh lab up' % (i + 1, kind))
                pair[kind] = plain() if kind == 'A' else playbook(site, [])
                pair[kind]['hosts_peak_bytes'] = host_memory()
                verify()
                say('pair %d %s: %.1f s, verified' % (i + 1, kind, pair[kind]['seconds']))
            pair['ratio'] = round(pair['B']['seconds'] / pair['A']['seconds'], 2)
            results['pairs'].append(pair)
        # on the last B cluster
        for label, extra in (('second', []), ('check', ['--check']), ('check_diff', ['--check', '--diff'])):
            results[label] = playbook(site, extra)
            say('%s run: %.1f s, changed=%d' % (label, results[label]['seconds'], results[label]['changed']))
        if not args.skip_five:
            # the groups of five hosts, with the lab's group_vars and host_vars next to them
            work = pathlib.Path(tempfile.mkdtemp(prefix='cephkit-bench-'))
            groups = work / 'five.yml'
            groups.write_text(FIVE_GROUPS)
            for sub in ('group_vars', 'host_vars'):
                (work / sub).symlink_to(ROOT / 'lab' / 'inventory' / sub)
            lab('down')
            lab('up', hosts=5, disks=1)
            results['five_first'] = playbook(site, [], str(groups))
            results['five_second'] = playbook(site, [], str(groups))
            verify(str(groups))
            say(
                '5 hosts: first %.1f s, second %.1f s'
                % (results['five_first']['seconds'], results['five_second']['seconds'])
            )
    finally:
        lab('down')
    a = [p['A']['seconds'] for p in results['pairs']]
    b = [p['B']['seconds'] for p in results['pairs']]
    ratios = [p['ratio'] for p in results['pairs']]
    print('\n==== bench ====')
    print('A plain commands, first deployment: %s' % spread(a))
    print('B site.yml, first deployment:       %s' % spread(b))
    print('B/A per pair: %s (median %.2f)' % (ratios, statistics.median(ratios)))
    for label in ('second', 'check', 'check_diff', 'five_first', 'five_second'):
        if label in results:
            r = results[label]
            print(
                '%-12s %6.1f s, changed=%d, ceph/cephadm commands %d, containers %d, controller peak %d MiB'
                % (
                    label,
                    r['seconds'],
                    r['changed'],
                    r['ceph_commands'],
                    r['containers_started'],
                    r['controller_peak_rss_kib'] // 1024,
                )
            )
    if 'five_second' in results:
        per_host = (results['five_second']['seconds'] - results['second']['seconds']) / 2
        print('each extra host on the second run: %+.1f s' % per_host)
    last_b = results['pairs'][-1]['B']
    print(
        'first run: ceph/cephadm commands %d, containers %d' % (last_b['ceph_commands'], last_b['containers_started'])
    )
    print('longest tasks of the last first run: %s' % last_b['longest_tasks'][:5])
    print('lab hosts peak memory (MiB): %s' % {h: v // 2**20 for h, v in last_b['hosts_peak_bytes'].items()})
    out = ROOT / '.bench'
    out.mkdir(exist_ok=True)
    path = out / ('%s.json' % time.strftime('%Y%m%dT%H%M%S'))
    path.write_text(json.dumps(results, indent=2) + '\n')
    print('results: %s' % path)
    return 0


if __name__ == '__main__':
    sys.exit(main())
