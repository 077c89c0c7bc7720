# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmarks of the collection against the ``ansible.builtin.uri`` + ``until`` baseline.

Every figure is measured side by side in the same run against the local emulator (loopback),
alternating the two variants, over ``--reps`` repetitions; the table reports median and spread
(min-max). Usage (from the repo root, in the test venv): ``python bench/run.py [--reps 5]``.
Writes ``bench/results/results.json`` and prints a Markdown table.
"""

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLAYS = os.path.join(ROOT, 'bench', 'playbooks')
RESULTS = os.path.join(ROOT, 'bench', 'results')
YUNXIAO_TOKEN = 'pt-emu-token-0001'
HW_TOKEN = 'hw-emu-token-0001'
HW_PROJECT = '0f1e2d3c4b5a69788796a5b4c3d2e1f0'
ORG = '60d54f3daccf2bbd6659f3ad'
LONG_PIPELINE = '1004'


def admin(url, path, method='GET', body=None):
    """Call the emulator's admin API."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url + '/_emulator/' + path, data=data, method=method,
                                 headers={'Content-Type': 'application/json'})
    with urllib.request.urlopen(req, timeout=30) as resp:
        raw = resp.read()
    return json.loads(raw) if raw else None


class Emulator:
    """The emulator as a separate process (so its CPU time is not the benchmark's)."""

    def __init__(self, time_scale):
        self.proc = subprocess.Popen([sys.executable, '-m', 'tests.emulator', '--port', '0', '--time-scale', str(time_scale)],
                                     cwd=ROOT, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().strip()
        if not line.startswith('EMULATOR_URL='):
            raise SystemExit('emulator did not start: %r' % line)
        self.url = line.split('=', 1)[1]

    def log(self):
        return admin(self.url, 'log')['requests']

    def clear_log(self):
        admin(self.url, 'log', 'DELETE')

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


def collections_path():
    root = tempfile.mkdtemp(prefix='dcp-bench-')
    os.makedirs(os.path.join(root, 'ansible_collections', 'devops_cloud'))
    os.symlink(ROOT, os.path.join(root, 'ansible_collections', 'devops_cloud', 'pipelines'))
    return root


def playbook(name, env, extra):
    """Run a bench playbook; returns (rc, wall seconds, facts written by the play)."""
    handle, out = tempfile.mkstemp(suffix='.json')
    os.close(handle)
    extra = dict(extra, bench_out=out)
    cmd = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', 'localhost,', '-c', 'local',
           os.path.join(PLAYS, name), '-e', json.dumps(extra)]
    start = time.time()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    wall = time.time() - start
    if proc.returncode != 0:
        raise SystemExit('%s failed:\n%s\n%s' % (name, proc.stdout[-4000:], proc.stderr[-2000:]))
    with open(out) as handle:
        facts = json.load(handle)
    os.unlink(out)
    return start, time.time(), wall, facts


def spread(values):
    values = [v for v in values if v is not None]
    if not values:
        return dict(median=None, min=None, max=None, n=0)
    return dict(median=round(statistics.median(values), 4), min=round(min(values), 4), max=round(max(values), 4), n=len(values))


def run_end_seconds(emu_url, run_id):
    req = urllib.request.Request('%s/oapi/v1/flow/organizations/%s/pipelines/%s/runs/%s' % (emu_url, ORG, LONG_PIPELINE, run_id),
                                 headers={'x-yunxiao-token': YUNXIAO_TOKEN})
    with urllib.request.urlopen(req, timeout=30) as resp:
        run = json.loads(resp.read())
    end = run.get('endTime') or run.get('updateTime')  # the token API's run carries updateTime
    return end / 1000.0 if isinstance(end, (int, float)) else None


def start_and_wait(emu, env, variant, interval):
    """Scenario 1: start a 20 s Flow run and wait for it."""
    emu.clear_log()
    play = 'start_wait_module.yml' if variant == 'module' else 'start_wait_uri.yml'
    started, ended, wall, facts = playbook(play, env, dict(emulator_url=emu.url, yunxiao_token=YUNXIAO_TOKEN, org_id=ORG,
                                                           pipeline_id=LONG_PIPELINE, poll_interval=interval))
    log = [e for e in emu.log() if e['time'] >= started - 1]
    run_id = facts['run_id']
    run_end = run_end_seconds(emu.url, run_id)
    reads = [e for e in log if e['method'] == 'GET' and e['path'].endswith('/runs/%s' % run_id)]
    terminal_read = reads[-1]['time'] if reads else None
    gaps = [b['time'] - a['time'] for a, b in zip(reads, reads[1:])]
    return dict(
        requests=len(log),
        polls=len(reads),
        detect_s=(terminal_read - run_end) if (terminal_read and run_end) else None,
        exit_after_end_s=(ended - run_end) if run_end else None,
        mean_poll_gap_s=statistics.mean(gaps) if gaps else None,
        total_s=wall,
    )


def fan_in(emu, env, variant, ids, chunk):
    """Scenario 2: latest status of many CodeArts pipelines."""
    emu.clear_log()
    play = 'fan_in_module.yml' if variant == 'module' else 'fan_in_uri.yml'
    started, _ended, wall, facts = playbook(play, env, dict(emulator_url=emu.url, hw_token=HW_TOKEN, hw_project_id=HW_PROJECT,
                                                            pipeline_ids=ids))
    log = [e for e in emu.log() if e['time'] >= started - 1 and e['path'].endswith('/api/pipelines/status')]
    return dict(requests=len(log), expected_requests=math.ceil(len(ids) / chunk) if variant == 'module' else len(ids),
                connections=len(set(e.get('connection') for e in log)), task_s=facts['task_seconds'], total_s=wall,
                returned=facts['returned'])


def module_overhead(emu, reps):
    """Scenario 3: what one module run adds over the raw HTTP call it makes."""
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(os.path.dirname(collections_root_link()))))
    import_code = ('import time,sys; t=time.perf_counter(); '
                   'import ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei.client as h, '
                   'ansible_collections.devops_cloud.pipelines.plugins.module_utils.alibaba as a; '
                   'd=time.perf_counter()-t; bad=[m for m in sys.modules if m.split(".")[0] in '
                   '("huaweicloudsdkcore","alibabacloud_tea_openapi","pydantic","boto3","Tea")]; '
                   'print(d, len(bad))')
    base_code = 'import time; t=time.perf_counter(); import requests; print(time.perf_counter()-t, 0)'
    raw_code = ('import requests,json,sys; r=requests.post(sys.argv[1]+"/v5/%s/api/pipelines/status", '
                'headers={"X-Auth-Token": "%s", "Content-Type": "application/json"}, data=json.dumps(["a0000000000000000000000000000001"]));'
                'assert r.status_code==200' % (HW_PROJECT, HW_TOKEN))
    fd, args_file = tempfile.mkstemp(suffix='.json')
    with os.fdopen(fd, 'w') as handle:
        json.dump({'ANSIBLE_MODULE_ARGS': {'endpoint': emu.url, 'auth_token': HW_TOKEN, 'project_id': HW_PROJECT,
                                           'pipeline_ids': ['a0000000000000000000000000000001']}}, handle)
    module_path = os.path.join(ROOT, 'plugins', 'modules', 'pipeline_status_info.py')
    rows = dict(import_s=[], requests_import_s=[], raw_call_s=[], module_run_s=[], heavy_modules=[])
    for dummy in range(reps):
        out = subprocess.run([sys.executable, '-c', import_code], env=env, capture_output=True, text=True, check=True).stdout.split()
        rows['import_s'].append(float(out[0]))
        rows['heavy_modules'].append(int(out[1]))
        out = subprocess.run([sys.executable, '-c', base_code], env=env, capture_output=True, text=True, check=True).stdout.split()
        rows['requests_import_s'].append(float(out[0]))
        start = time.perf_counter()
        subprocess.run([sys.executable, '-c', raw_code, emu.url], env=env, capture_output=True, check=True)
        rows['raw_call_s'].append(time.perf_counter() - start)
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, module_path, args_file], env=env, capture_output=True, text=True, check=False)
        rows['module_run_s'].append(time.perf_counter() - start)
        if '"failed": true' in proc.stdout or proc.returncode:
            raise SystemExit('module run failed: %s %s' % (proc.stdout[-2000:], proc.stderr[-2000:]))
    os.unlink(args_file)
    read_code = ('import time,sys; from ansible_collections.devops_cloud.pipelines.plugins.module_utils.alibaba import YunxiaoClient; '
                 'c=YunxiaoClient(dict(yunxiao_token="%s", yunxiao_base_url=sys.argv[1])); '
                 'p="/flow/organizations/%s/pipelines/1004/runs"; c.call("GET", p); '
                 't=time.perf_counter(); [c.call("GET", p) for i in range(50)]; print((time.perf_counter()-t)/50)'
                 % (YUNXIAO_TOKEN, ORG))
    for dummy in range(reps):
        out = subprocess.run([sys.executable, '-c', read_code, emu.url], env=env, capture_output=True, text=True, check=False)
        if out.returncode:
            raise SystemExit('in-process read failed: %s' % out.stderr[-2000:])
        rows.setdefault('read_s', []).append(float(out.stdout.split()[-1]))
    overhead = [m - r for m, r in zip(rows['module_run_s'], rows['raw_call_s'])]
    return dict(module_utils_import=spread(rows['import_s']), requests_import=spread(rows['requests_import_s']),
                raw_call=spread(rows['raw_call_s']), module_run=spread(rows['module_run_s']), overhead=spread(overhead),
                poll_read=spread(rows['read_s']),
                heavy_modules_imported=max(rows['heavy_modules']))


_LINK = []


def collections_root_link():
    if not _LINK:
        _LINK.append(os.path.join(collections_path(), 'ansible_collections', 'devops_cloud', 'pipelines'))
    return _LINK[0]


def summarize(samples):
    keys = samples[0].keys()
    return dict((k, spread([s[k] for s in samples])) for k in keys if isinstance(samples[0][k], (int, float)))


def fmt(stat, unit='s'):
    if stat['median'] is None:
        return 'n/a'
    return '%.4g%s (%.4g-%.4g)' % (stat['median'], unit, stat['min'], stat['max'])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--reps', type=int, default=5)
    parser.add_argument('--poll-interval', type=float, default=2.0)
    parser.add_argument('--fan-in', type=int, default=1000)
    parser.add_argument('--chunk', type=int, default=100)
    parser.add_argument('--only', choices=['wait', 'fanin', 'overhead'], action='append')
    opts = parser.parse_args()
    only = set(opts.only or ['wait', 'fanin', 'overhead'])
    emu = Emulator(time_scale=1.0)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.dirname(os.path.dirname(os.path.dirname(collections_root_link()))),
               ANSIBLE_NOCOLOR='1', ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_DEPRECATION_WARNINGS='0')
    results = dict(date=time.strftime('%Y-%m-%d'), cpus=os.cpu_count(), python=platform.python_version(),
                   machine=platform.machine(), reps=opts.reps, poll_interval=opts.poll_interval)
    try:
        if 'wait' in only:
            samples = dict(module=[], uri=[])
            # One unmeasured run first, so the pipeline has the run history any pipeline in use has.
            start_and_wait(emu, env, 'uri', opts.poll_interval)
            for dummy in range(opts.reps):
                for variant in ('module', 'uri'):
                    samples[variant].append(start_and_wait(emu, env, variant, opts.poll_interval))
                    print('start-and-wait', variant, samples[variant][-1], flush=True)
            results['start_and_wait'] = dict((k, summarize(v)) for k, v in samples.items())
        if 'fanin' in only:
            ids = ['b%031x' % n for n in range(1, opts.fan_in + 1)]
            samples = dict(module=[], uri=[])
            for dummy in range(opts.reps):
                for variant in ('module', 'uri'):
                    samples[variant].append(fan_in(emu, env, variant, ids, opts.chunk))
                    print('fan-in', variant, samples[variant][-1], flush=True)
            results['fan_in'] = dict((k, summarize(v)) for k, v in samples.items())
            results['fan_in']['speedup'] = spread([u['task_s'] / m['task_s'] for m, u in zip(samples['module'], samples['uri'])])
        if 'overhead' in only:
            results['module_overhead'] = module_overhead(emu, opts.reps)
    finally:
        emu.stop()
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, 'results.json'), 'w') as handle:
        json.dump(results, handle, indent=2)
    print(table(results))


def table(res):
    lines = ['Measured %s on %s CPUs (Python %s, %s), %s repetitions, median (min-max).'
             % (res['date'], res['cpus'], res['python'], res['machine'], res['reps']), '',
             '| scenario | metric | collection module | uri baseline |', '|---|---|---|---|']
    if 'start_and_wait' in res:
        mod, uri = res['start_and_wait']['module'], res['start_and_wait']['uri']
        for key, label in (('detect_s', 'detection latency after the run ended'), ('exit_after_end_s', 'playbook exit after the run ended'),
                           ('requests', 'HTTP requests'), ('polls', 'status reads'), ('mean_poll_gap_s', 'mean gap between reads'),
                           ('total_s', 'total wall time')):
            unit = '' if key in ('requests', 'polls') else 's'
            lines.append('| start-and-wait (20 s run, poll %ss) | %s | %s | %s |' % (res['poll_interval'], label, fmt(mod[key], unit), fmt(uri[key], unit)))
    if 'fan_in' in res:
        mod, uri = res['fan_in']['module'], res['fan_in']['uri']
        for key, label in (('requests', 'HTTP requests'), ('connections', 'client connections'), ('task_s', 'task time'), ('total_s', 'total wall time')):
            unit = '' if key in ('requests', 'connections') else 's'
            lines.append('| fan-in (1,000 pipelines) | %s | %s | %s |' % (label, fmt(mod[key], unit), fmt(uri[key], unit)))
        lines.append('| fan-in (1,000 pipelines) | speed-up of the task | %s | |' % fmt(res['fan_in']['speedup'], 'x'))
    if 'module_overhead' in res:
        ovh = res['module_overhead']
        lines.append('| module overhead | module_utils import (huawei + alibaba) | %s | requests alone: %s |'
                     % (fmt(ovh['module_utils_import']), fmt(ovh['requests_import'])))
        lines.append('| module overhead | one module run vs the raw HTTP call (both fresh processes) | %s | raw: %s |'
                     % (fmt(ovh['module_run']), fmt(ovh['raw_call'])))
        lines.append('| module overhead | added by the module | %s | SDK/pydantic modules imported: %s |'
                     % (fmt(ovh['overhead']), ovh['heavy_modules_imported']))
        lines.append('| per-poll cost | one status read while waiting (in-process, kept-alive session) | %s | uri: one module process per poll |'
                     % fmt(ovh['poll_read']))
    return '\n'.join(lines)


if __name__ == '__main__':
    main()
