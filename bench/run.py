# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmarks of the collection against the best ``ansible.builtin.uri`` playbook a careful user writes.

Every scenario runs against the local emulator (loopback, a process of its own). Its variants are
measured side by side in the same run, in turn, over ``--reps`` repetitions; the table reports the
median and the spread (min-max). Beside the module and the baseline, a scenario may report a floor:
the least any client can do (a plain Python script: imports plus the minimal requests).

Scenarios (``--only KEY``, repeatable; default: all):

* ``wait``: start a 20 s Flow run and wait for it (module vs ``uri`` + ``until``/``retries``/``delay``).
* ``codearts_wait``: the same for a 20 s CodeArts run (``pipeline_run cloud=huawei`` vs ``uri``: ``RunPipeline``, then
  ``ShowPipelineRunDetail`` in an ``until`` loop). The pipeline (``CODEARTS_LONG``, one 20 s ``Build`` stage) is
  added to the emulator's fixture by ``bench_fixture`` for the benchmark only.
* ``fanin``: latest status of 1,000 CodeArts pipelines (module vs ``uri`` looped over ``batch(100)``,
  plus the floor script ``bench/floor_fan_in.py``; the per-id ``uri`` loop only with
  ``--per-id-baseline``, it takes about 11 minutes a repetition).
* ``profile``: where the time of the fan-in module goes, in-process (``bench/profile_fan_in.py``).
* ``overhead``: what one module run adds over the raw HTTP call, and the cost of one status read.
* ``flow_status``: latest run of 1,000 Yunxiao Flow pipelines (the emulator's ``10001`` ... ``11000``): the module
  with the token and with the AccessKey API vs ``uri`` looped once per id (the Flow API has no batch call, so
  that loop is the best ``uri`` can do); requests, connections and time.

A scenario is one entry of ``SCENARIOS``: a key, a function that measures and returns a dict, and a
function that turns that dict into table rows. ``bench/results/results.json`` keeps the latest result
of every scenario (a run with ``--only`` replaces those scenarios only), each with its date, machine and
repetitions; the Markdown table of all of them is printed at the end (``--table FILE`` prints the table
of a results file without measuring). Usage, from the repo root in the test venv:
``python bench/run.py [--reps 5] [--only fanin]``.
"""

import argparse
import collections
import functools
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, 'bench')
PLAYS = os.path.join(BENCH, 'playbooks')
RESULTS = os.path.join(BENCH, 'results')
REFERENCE = os.path.join(BENCH, 'reference-results.json')
YUNXIAO_TOKEN = 'pt-emu-token-0001'
HW_TOKEN = 'hw-emu-token-0001'
HW_PROJECT = '0f1e2d3c4b5a69788796a5b4c3d2e1f0'
ORG = '60d54f3daccf2bbd6659f3ad'
LONG_PIPELINE = '1004'
CODEARTS_LONG = 'd0000000000000000000000000000001'  # bench_fixture: never ran, a start runs one 20 s stage
FIXTURE = os.path.join(ROOT, 'tests', 'emulator', 'fixture.json')
STATUS_MODULE = os.path.join(ROOT, 'plugins', 'modules', 'pipeline_status_info.py')
FLOOR_SCRIPT = os.path.join(BENCH, 'floor_fan_in.py')  # also the module floor_fan_in of the bench plays
URI_BATCH = 100  # the batch size of the uri baseline (bench/playbooks/fan_in_uri_batched.yml)


# -- plumbing ------------------------------------------------------------------------------------
def admin(url, path, method='GET', body=None):
    """Call the emulator's admin API."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url + '/_emulator/' + path, data=data, method=method,
                                 headers={'Content-Type': 'application/json'})
    with urllib.request.urlopen(req, timeout=30) as resp:
        raw = resp.read()
    return json.loads(raw) if raw else None


def bench_fixture(path):
    """Write the emulator's fixture plus the pipelines only the benchmark uses to ``path``; returns ``path``."""
    with open(FIXTURE) as handle:
        fixture = json.load(handle)
    codearts = fixture['huawei']['codearts']
    codearts['templates']['bench-long'] = [{'stage': 'Build', 'job': 'build', 'seconds': 20}]
    codearts['pipelines'][CODEARTS_LONG] = {'name': 'ca-bench-long', 'initial': None, 'template': 'bench-long'}
    with open(path, 'w') as handle:
        json.dump(fixture, handle)
    return path


class Emulator:
    """The emulator as a separate process (so its CPU time is not the benchmark's)."""

    def __init__(self, time_scale, fixture=None):
        args = ['--fixture', fixture] if fixture else []
        self.proc = subprocess.Popen([sys.executable, '-m', 'tests.emulator', '--port', '0', '--time-scale', str(time_scale)]
                                     + args, cwd=ROOT, stdout=subprocess.PIPE, text=True)
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


class Context:
    """What every scenario gets: the emulator, the environments, the options, a scratch directory."""

    def __init__(self, emu, opts):
        self.emu = emu
        self.opts = opts
        self.tmp = tempfile.mkdtemp(prefix='dcp-bench-')
        collections_root = os.path.join(self.tmp, 'collections')
        os.makedirs(os.path.join(collections_root, 'ansible_collections', 'devops_cloud'))
        os.symlink(ROOT, os.path.join(collections_root, 'ansible_collections', 'devops_cloud', 'pipelines'))
        # The floor script as the module floor_fan_in: Ansible runs an old-style module with the interpreter of its
        # "#!/usr/bin/python" line (ANSIBLE_PYTHON_INTERPRETER); the file in bench/ has none (it is no module there).
        library = os.path.join(self.tmp, 'library')
        os.makedirs(library)
        with open(FLOOR_SCRIPT) as source, open(os.path.join(library, 'floor_fan_in.py'), 'w') as module:
            module.write('#!/usr/bin/python\n' + source.read())
        # ansible-playbook finds the collection here; plain Python processes import it from here.
        self.ansible_env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_root, ANSIBLE_NOCOLOR='1', ANSIBLE_LIBRARY=library,
                                ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_DEPRECATION_WARNINGS='0')
        self.python_env = dict(os.environ, PYTHONPATH=collections_root)

    def write_json(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, 'w') as handle:
            json.dump(data, handle)
        return path

    def python(self, args, check=True):
        """Run the venv's Python in a fresh process; returns (wall seconds, CompletedProcess)."""
        start = time.perf_counter()
        proc = subprocess.run([sys.executable] + args, env=self.python_env, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
        if check and proc.returncode:
            raise SystemExit('%s failed (rc %s):\n%s\n%s' % (args[:2], proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:]))
        return wall, proc


def playbook(ctx, name, extra, env=None):
    """Run a bench playbook; returns (start, end, wall seconds, facts written by the play)."""
    handle, out = tempfile.mkstemp(suffix='.json', dir=ctx.tmp)
    os.close(handle)
    extra = dict(extra, bench_out=out)
    cmd = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', 'localhost,', '-c', 'local',
           os.path.join(PLAYS, name), '-e', json.dumps(extra)]
    start = time.time()
    proc = subprocess.run(cmd, env=env or ctx.ansible_env, capture_output=True, text=True, check=False)
    end = time.time()
    if proc.returncode != 0:
        raise SystemExit('%s failed:\n%s\n%s' % (name, proc.stdout[-4000:], proc.stderr[-2000:]))
    with open(out) as handle:
        facts = json.load(handle)
    os.unlink(out)
    return start, end, end - start, facts


def spread(values):
    values = [v for v in values if v is not None]
    if not values:
        return dict(median=None, min=None, max=None, n=0)
    return dict(median=round(statistics.median(values), 4), min=round(min(values), 4), max=round(max(values), 4), n=len(values))


def summarize(samples):
    """Per-metric spread of a list of sample dicts (numeric metrics only)."""
    keys = samples[0].keys()
    return dict((k, spread([s[k] for s in samples])) for k in keys if isinstance(samples[0][k], (int, float)))


def in_turn(reps, variants, label):
    """Measure ``variants`` (a list of ``(name, function)``) in turn, ``reps`` times; returns {name: [sample, ...]}."""
    samples = collections.OrderedDict((name, []) for name, _measure in variants)
    for rep in range(reps):
        for name, measure in variants:
            samples[name].append(measure())
            print('%s rep %d/%d %s %s' % (label, rep + 1, reps, name, json.dumps(samples[name][-1])), flush=True)
    return samples


def machine():
    """Where and when: date, CPUs, Python, ansible-core and the load average at the start."""
    try:
        from ansible import __version__ as ansible_version  # pylint: disable=import-outside-toplevel
    except ImportError:  # pragma: no cover - the bench runs in the test venv
        ansible_version = None
    return dict(date=time.strftime('%Y-%m-%d'), cpus=os.cpu_count(), python=platform.python_version(),
                ansible_core=ansible_version, machine=platform.machine(),
                loadavg_1min_at_start=round(os.getloadavg()[0], 2))


def fmt(stat, unit='s'):
    if not stat or stat.get('median') is None:
        return 'n/a'
    if stat['min'] == stat['max']:
        return '%.4g%s' % (stat['median'], unit)
    return '%.4g%s (%.4g-%.4g)' % (stat['median'], unit, stat['min'], stat['max'])


# -- scenario: start-and-wait ----------------------------------------------------------------------
def read_json(url, headers):
    req = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def end_seconds(value):
    return value / 1000.0 if isinstance(value, (int, float)) and value else None


def flow_run_end(emu_url, run_id):
    run = read_json('%s/oapi/v1/flow/organizations/%s/pipelines/%s/runs/%s' % (emu_url, ORG, LONG_PIPELINE, run_id),
                    {'x-yunxiao-token': YUNXIAO_TOKEN})
    return end_seconds(run.get('endTime') or run.get('updateTime'))  # the token API's run carries updateTime


def codearts_run_end(emu_url, run_id):
    run = read_json('%s/v5/%s/api/pipelines/%s/pipeline-runs/detail?pipeline_run_id=%s' % (emu_url, HW_PROJECT, CODEARTS_LONG, run_id),
                    {'X-Auth-Token': HW_TOKEN})
    return end_seconds(run.get('end_time'))


# One start-and-wait benchmark: its title, the playbook of each variant, their extra vars, the end of a run
# (seconds since the epoch) and which logged request is a status read of the run.
WaitBench = collections.namedtuple('WaitBench', 'title plays extra run_end is_read')

FLOW_WAIT = WaitBench(
    'start-and-wait', dict(module='start_wait_module.yml', uri='start_wait_uri.yml'),
    dict(yunxiao_token=YUNXIAO_TOKEN, org_id=ORG, pipeline_id=LONG_PIPELINE), flow_run_end,
    lambda entry, run_id: entry['method'] == 'GET' and entry['path'].endswith('/runs/%s' % run_id))
CODEARTS_WAIT = WaitBench(
    'CodeArts start-and-wait', dict(module='codearts_wait_module.yml', uri='codearts_wait_uri.yml'),
    dict(hw_token=HW_TOKEN, hw_project_id=HW_PROJECT, pipeline_id=CODEARTS_LONG), codearts_run_end,
    lambda entry, run_id: entry.get('operation') == 'ShowPipelineRunDetail' and run_id in json.dumps(entry.get('query')))


def start_and_wait(ctx, bench, variant):
    """One start of a 20 s run and the wait for its end."""
    emu, interval = ctx.emu, ctx.opts.poll_interval
    emu.clear_log()
    started, ended, wall, facts = playbook(ctx, bench.plays[variant], dict(bench.extra, emulator_url=emu.url,
                                                                           poll_interval=interval))
    log = [e for e in emu.log() if e['time'] >= started - 1]
    run_id = str(facts['run_id'])
    run_end = bench.run_end(emu.url, run_id)
    reads = [e for e in log if bench.is_read(e, run_id)]
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


def wait_scenario(bench, ctx):
    # One unmeasured run first, so the pipeline has the run history any pipeline in use has.
    start_and_wait(ctx, bench, 'uri')
    samples = in_turn(ctx.opts.reps, [(v, lambda v=v: start_and_wait(ctx, bench, v)) for v in ('module', 'uri')], bench.title)
    return dict(poll_interval=ctx.opts.poll_interval, **dict((k, summarize(v)) for k, v in samples.items()))


def wait_rows(bench, res):
    mod, uri = res['module'], res['uri']
    scenario = '%s (20 s run, poll %ss)' % (bench.title, res['poll_interval'])
    rows = []
    for key, label in (('detect_s', 'detection latency after the run ended'), ('exit_after_end_s', 'playbook exit after the run ended'),
                       ('requests', 'HTTP requests'), ('polls', 'status reads'), ('mean_poll_gap_s', 'mean gap between reads'),
                       ('total_s', 'total wall time')):
        unit = '' if key in ('requests', 'polls') else 's'
        rows.append((scenario, label, fmt(mod[key], unit), ('' if rows else 'uri + until: ') + fmt(uri[key], unit), ''))
    return rows


run_wait, rows_wait = functools.partial(wait_scenario, FLOW_WAIT), functools.partial(wait_rows, FLOW_WAIT)
run_codearts_wait, rows_codearts_wait = functools.partial(wait_scenario, CODEARTS_WAIT), functools.partial(wait_rows, CODEARTS_WAIT)


# -- scenario: fan-in ------------------------------------------------------------------------------
def fan_in_play(ctx, play, ids):
    """One fan-in playbook; the request log tells requests and client connections."""
    ctx.emu.clear_log()
    started, _ended, wall, facts = playbook(ctx, play, dict(emulator_url=ctx.emu.url, hw_token=HW_TOKEN, hw_project_id=HW_PROJECT,
                                                            pipeline_ids=ids))
    log = [e for e in ctx.emu.log() if e['time'] >= started - 1 and e['path'].endswith('/api/pipelines/status')]
    sample = dict(requests=len(log), connections=len(set(e.get('connection') for e in log)), task_s=facts['task_seconds'],
                  total_s=wall, returned=facts['returned'])
    if 'empty_task_seconds' in facts:
        sample['empty_task_s'] = facts['empty_task_seconds']
    return sample


def fan_in_process(ctx, args, parse):
    """One fresh Python process reading the statuses; ``parse(stdout, stderr)`` returns extra metrics."""
    ctx.emu.clear_log()
    started = time.time()
    wall, proc = ctx.python(args)
    log = [e for e in ctx.emu.log() if e['time'] >= started - 1 and e['path'].endswith('/api/pipelines/status')]
    return dict(requests=len(log), connections=len(set(e.get('connection') for e in log)), process_s=wall,
                **parse(proc.stdout, proc.stderr))


def run_fanin(ctx):
    opts = ctx.opts
    ids = ['b%031x' % n for n in range(1, opts.fan_in + 1)]
    ids_file = ctx.write_json('fan_in_ids.json', ids)
    args_file = ctx.write_json('fan_in_args.json', {'ANSIBLE_MODULE_ARGS': {
        'endpoint': ctx.emu.url, 'auth_token': HW_TOKEN, 'project_id': HW_PROJECT, 'pipeline_ids': ids}})

    def floor_metrics(stdout, stderr):
        phases = json.loads(stderr.strip().splitlines()[-1])
        return dict(returned=len(json.loads(stdout)), import_s=phases['import_s'], http_s=phases['http_s'], output_s=phases['output_s'])

    def module_metrics(stdout, _stderr):
        return dict(returned=len(json.loads(stdout.strip().splitlines()[-1])['pipelines']))

    variants = [
        ('module', lambda: fan_in_play(ctx, 'fan_in_module.yml', ids)),
        ('uri_batched', lambda: fan_in_play(ctx, 'fan_in_uri_batched.yml', ids)),
        ('floor_task', lambda: fan_in_play(ctx, 'fan_in_floor.yml', ids)),
        ('floor', lambda: fan_in_process(ctx, [FLOOR_SCRIPT, ctx.emu.url, HW_PROJECT, HW_TOKEN, ids_file,
                                               str(URI_BATCH)], floor_metrics)),
        ('module_process', lambda: fan_in_process(ctx, [STATUS_MODULE, args_file], module_metrics)),
    ]
    if opts.per_id_baseline:
        variants.append(('uri_per_id', lambda: fan_in_play(ctx, 'fan_in_uri_per_id.yml', ids)))
    samples = in_turn(opts.reps, variants, 'fan-in')
    result = dict(pipelines=len(ids), module_chunk=opts.chunk, uri_batch=URI_BATCH,
                  **dict((k, summarize(v)) for k, v in samples.items()))
    per_module, per_batch = math.ceil(len(ids) / opts.chunk), math.ceil(len(ids) / URI_BATCH)
    result['expected_requests'] = dict(module=per_module, module_process=per_module, uri_batched=per_batch, floor_task=per_batch,
                                       floor=per_batch, uri_per_id=len(ids))
    for name, sample_list in samples.items():
        sent = [sample['requests'] for sample in sample_list]
        if any(count != result['expected_requests'][name] for count in sent):
            print('WARNING: fan-in %s sent %s requests, expected %s' % (name, sent, result['expected_requests'][name]), flush=True)
    result['speedup_vs_uri_batched'] = spread([u['task_s'] / m['task_s'] for m, u in zip(samples['module'], samples['uri_batched'])])
    if 'uri_per_id' in samples:
        result['uri_per_id']['measured'] = time.strftime('%Y-%m-%d')
        result['speedup_vs_uri_per_id'] = spread([u['task_s'] / m['task_s'] for m, u in zip(samples['module'], samples['uri_per_id'])])
    else:
        carry_per_id_reference(result)
    return result


def carry_per_id_reference(result):
    """Without --per-id-baseline, keep the last per-id measurement of the reference file (same number of ids), with its date."""
    try:
        with open(REFERENCE) as handle:
            old = json.load(handle)['scenarios']['fanin']
    except (OSError, ValueError, KeyError):
        return
    if 'uri_per_id' in old and old.get('pipelines') == result['pipelines']:
        result['uri_per_id'] = old['uri_per_id']
        result['speedup_vs_uri_per_id'] = old.get('speedup_vs_uri_per_id')


def rows_fanin(res):
    mod, uri, floor, proc, floor_task = res['module'], res['uri_batched'], res['floor'], res['module_process'], res['floor_task']
    scenario = 'fan-in (%s pipelines)' % format(res['pipelines'], ',')
    rows = [
        (scenario, 'task time in the play', fmt(mod['task_s']), 'uri over batch(%d): %s' % (res['uri_batch'], fmt(uri['task_s'])),
         'bare script as a task: ' + fmt(floor_task['task_s'])),
        (scenario, 'speed-up of the task over the baseline (per repetition)', fmt(res['speedup_vs_uri_batched'], 'x'), '', ''),
        (scenario, 'HTTP requests', fmt(mod['requests'], ''), fmt(uri['requests'], ''), fmt(floor['requests'], '')),
        (scenario, 'client connections', fmt(mod['connections'], ''), fmt(uri['connections'], ''), fmt(floor['connections'], '')),
        (scenario, 'ansible-playbook wall time', fmt(mod['total_s']), fmt(uri['total_s']), fmt(floor_task['total_s'])),
        (scenario, 'an empty task (ansible.builtin.ping) in the same play', fmt(mod.get('empty_task_s')), '', ''),
        (scenario, 'one fresh Python process, no ansible-playbook', 'module file run directly: ' + fmt(proc['process_s']), '',
         'bare script: ' + fmt(floor['process_s'])),
        (scenario, 'inside that process: imports / the 10 requests with JSON decoding / printing the result', 'see the profile below', '',
         '%s / %s / %s' % (fmt(floor['import_s']), fmt(floor['http_s']), fmt(floor.get('output_s')))),
    ]
    per_id = res.get('uri_per_id')
    if per_id:
        when = per_id.get('measured', 'an earlier run')
        label = 'uri, one call per id (measured %s, %s reps): ' % (when, per_id['task_s']['n'])
        rows.append((scenario, 'task time, naive per-id loop', '', label + fmt(per_id['task_s']), ''))
        rows.append((scenario, 'HTTP requests / connections, naive per-id loop', '',
                     label + '%s / %s' % (fmt(per_id['requests'], ''), fmt(per_id['connections'], '')), ''))
        if res.get('speedup_vs_uri_per_id'):
            rows.append((scenario, 'speed-up over the naive per-id loop (module task of the %s run)' % when,
                         fmt(res['speedup_vs_uri_per_id'], 'x'), '', ''))
    return rows


# -- scenario: fan-in profile ----------------------------------------------------------------------
PHASES = (
    ('import', 'imports (ansible.module_utils.basic, requests, module_utils)'),
    ('argument_parsing', 'argument parsing (AnsibleModule.__init__)'),
    ('http', 'HTTP: 10 requests, answers read (requests.Session.send)'),
    ('json_decode', 'JSON decoding (json.loads)'),
    ('other', 'the rest of main(): option checks, client set-up, batching, report'),
    ('no_log_scrub', 'no_log scrubbing of the result (remove_values in exit_json)'),
    ('result_output', 'result JSON encoding and printing'),
)


def run_profile(ctx):
    opts = ctx.opts
    ids = ['b%031x' % n for n in range(1, opts.fan_in + 1)]
    args_file = ctx.write_json('profile_args.json', {'ANSIBLE_MODULE_ARGS': {
        'endpoint': ctx.emu.url, 'auth_token': HW_TOKEN, 'project_id': HW_PROJECT, 'pipeline_ids': ids}})
    script = os.path.join(BENCH, 'profile_fan_in.py')
    samples = []
    for rep in range(opts.reps):
        _wall, proc = ctx.python([script, STATUS_MODULE, args_file])
        sample = json.loads(proc.stdout.strip().splitlines()[-1])
        samples.append(sample)
        print('profile rep %d/%d %s' % (rep + 1, opts.reps, json.dumps(sample)), flush=True)
    wrapper = ansiballz_wrapper(ctx, ids)
    pair = in_turn(opts.reps, [('ansiballz', lambda: dict(process_s=ctx.python([wrapper])[0])),
                               ('module_file', lambda: dict(process_s=ctx.python([STATUS_MODULE, args_file])[0]))], 'process')
    os.makedirs(RESULTS, exist_ok=True)
    dump = os.path.join(RESULTS, 'fan_in_module.prof')
    _wall, proc = ctx.python([script, STATUS_MODULE, args_file, '--cprofile', dump, '--top', '20'])
    cprofile = json.loads(proc.stdout.strip().splitlines()[-1])
    phases = dict((key, spread([s['phases'].get(key, 0.0) for s in samples])) for key, _label in PHASES)
    profiled = dict(note='one run under cProfile (slows Python code); pstats dump: bench/results/fan_in_module.prof',
                    main_s=round(cprofile['main_s'], 4), import_s=round(cprofile['import_s'], 4), top=cprofile['top'])
    return dict(pipelines=len(ids), returned=samples[0]['returned'], requests=samples[0]['requests'],
                result_bytes=samples[0]['result_bytes'], in_process=spread([s['in_process_s'] for s in samples]),
                phases=phases, ansiballz_process=summarize(pair['ansiballz'])['process_s'],
                module_file_process=summarize(pair['module_file'])['process_s'], cprofile=profiled)


def ansiballz_wrapper(ctx, ids):
    """The module as Ansible runs it: the AnsiballZ wrapper (arguments inside) that one fan-in play leaves behind."""
    remote = os.path.join(ctx.tmp, 'remote')
    env = dict(ctx.ansible_env, ANSIBLE_KEEP_REMOTE_FILES='1', ANSIBLE_REMOTE_TMP=remote)
    playbook(ctx, 'fan_in_module.yml', dict(emulator_url=ctx.emu.url, hw_token=HW_TOKEN, hw_project_id=HW_PROJECT, pipeline_ids=ids), env=env)
    for folder, _dirs, files in os.walk(remote):
        if 'AnsiballZ_pipeline_status_info.py' in files:
            return os.path.join(folder, 'AnsiballZ_pipeline_status_info.py')
    raise SystemExit('no AnsiballZ_pipeline_status_info.py under %s' % remote)


def rows_profile(res):
    scenario = 'fan-in, module profile'
    rows = [(scenario, 'in-process total: imports + main() (%s ids, %s requests, %.2f MB result)'
             % (format(res['pipelines'], ','), res['requests'], res['result_bytes'] / 1e6), fmt(res['in_process']), '', '')]
    for key, label in PHASES:
        rows.append((scenario, label, fmt(res['phases'][key]), '', ''))
    if 'ansiballz_process' in res:
        rows.append((scenario, 'fresh process as Ansible runs it (AnsiballZ wrapper) vs the module file run directly',
                     '%s vs %s' % (fmt(res['ansiballz_process']), fmt(res['module_file_process'])), '', ''))
    return rows


# -- scenario: module overhead ---------------------------------------------------------------------
def run_overhead(ctx):
    """What one module run adds over the raw HTTP call it makes."""
    emu, reps = ctx.emu, ctx.opts.reps
    import_code = ('import time,sys; t=time.perf_counter(); '
                   'import ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei.client as h, '
                   'ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba.client as a; '
                   'd=time.perf_counter()-t; bad=[m for m in sys.modules if m.split(".")[0] in '
                   '("huaweicloudsdkcore","alibabacloud_tea_openapi","pydantic","boto3","Tea")]; '
                   'print(d, len(bad))')
    base_code = 'import time; t=time.perf_counter(); import requests; print(time.perf_counter()-t, 0)'
    raw_code = ('import requests,json,sys; r=requests.post(sys.argv[1]+"/v5/%s/api/pipelines/status", '
                'headers={"X-Auth-Token": "%s", "Content-Type": "application/json"}, data=json.dumps(["a0000000000000000000000000000001"]));'
                'assert r.status_code==200' % (HW_PROJECT, HW_TOKEN))
    args_file = ctx.write_json('overhead_args.json', {'ANSIBLE_MODULE_ARGS': {
        'endpoint': emu.url, 'auth_token': HW_TOKEN, 'project_id': HW_PROJECT, 'pipeline_ids': ['a0000000000000000000000000000001']}})
    rows = dict(import_s=[], requests_import_s=[], raw_call_s=[], module_run_s=[], heavy_modules=[], read_s=[])
    for dummy in range(reps):
        out = ctx.python(['-c', import_code])[1].stdout.split()
        rows['import_s'].append(float(out[0]))
        rows['heavy_modules'].append(int(out[1]))
        out = ctx.python(['-c', base_code])[1].stdout.split()
        rows['requests_import_s'].append(float(out[0]))
        rows['raw_call_s'].append(ctx.python(['-c', raw_code, emu.url])[0])
        wall, proc = ctx.python([STATUS_MODULE, args_file], check=False)
        rows['module_run_s'].append(wall)
        if '"failed": true' in proc.stdout or proc.returncode:
            raise SystemExit('module run failed: %s %s' % (proc.stdout[-2000:], proc.stderr[-2000:]))
    read_code = ('import time,sys; from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba.client import YunxiaoClient; '
                 'c=YunxiaoClient(dict(yunxiao_token="%s", yunxiao_base_url=sys.argv[1])); '
                 'p="/flow/organizations/%s/pipelines/1004/runs"; c.call("GET", p); '
                 't=time.perf_counter(); [c.call("GET", p) for i in range(50)]; print((time.perf_counter()-t)/50)'
                 % (YUNXIAO_TOKEN, ORG))
    for dummy in range(reps):
        rows['read_s'].append(float(ctx.python(['-c', read_code, emu.url])[1].stdout.split()[-1]))
    overhead = [m - r for m, r in zip(rows['module_run_s'], rows['raw_call_s'])]
    return dict(module_utils_import=spread(rows['import_s']), requests_import=spread(rows['requests_import_s']),
                raw_call=spread(rows['raw_call_s']), module_run=spread(rows['module_run_s']), overhead=spread(overhead),
                poll_read=spread(rows['read_s']), heavy_modules_imported=max(rows['heavy_modules']))


def rows_overhead(res):
    return [
        ('module overhead', 'module_utils import (huawei + alibaba)', fmt(res['module_utils_import']), '',
         'requests alone: ' + fmt(res['requests_import'])),
        ('module overhead', 'one module run (1 id) vs the raw HTTP call, both fresh processes', fmt(res['module_run']), '',
         'raw call: ' + fmt(res['raw_call'])),
        ('module overhead', 'added by the module', fmt(res['overhead']), '',
         'SDK/pydantic modules imported: %s' % res['heavy_modules_imported']),
        ('per-poll cost', 'one status read while waiting (in-process, kept-alive session)', fmt(res['poll_read']),
         'uri: one module process per poll', ''),
    ]


# -- scenario: Flow status of many pipelines -------------------------------------------------------
FLOW_FIRST = 10001
ALI_AK, ALI_SK = 'LTAIEMU00000000000001', 'ali-emu-secret-0001'
FLOW_OPERATIONS = ('GetLatestPipelineRun', 'ListPipelineRuns')


def flow_status_play(ctx, play, ids, **creds):
    ctx.emu.clear_log()
    started, _ended, wall, facts = playbook(ctx, play, dict(emulator_url=ctx.emu.url, org_id=ORG, pipeline_ids=ids, **creds))
    log = [e for e in ctx.emu.log() if e['time'] >= started - 1 and e.get('operation') in FLOW_OPERATIONS]
    return dict(requests=len(log), connections=len(set(e.get('connection') for e in log)), task_s=facts['task_seconds'],
                total_s=wall, returned=facts['returned'], reported_requests=facts.get('reported_requests', len(log)))


def run_flow_status(ctx):
    ids = ['%d' % n for n in range(FLOW_FIRST, FLOW_FIRST + ctx.opts.flow)]
    variants = [
        ('module', lambda: flow_status_play(ctx, 'flow_status_module.yml', ids, yunxiao_token=YUNXIAO_TOKEN)),
        ('module_aksk', lambda: flow_status_play(ctx, 'flow_status_module.yml', ids, ali_ak=ALI_AK, ali_sk=ALI_SK)),
        ('uri_per_id', lambda: flow_status_play(ctx, 'flow_status_uri.yml', ids, yunxiao_token=YUNXIAO_TOKEN)),
    ]
    samples = in_turn(ctx.opts.reps, variants, 'flow-status')
    for name, sample_list in samples.items():
        sent = [(s['requests'], s['reported_requests'], s['returned']) for s in sample_list]
        if any(item != (len(ids),) * 3 for item in sent):
            print('WARNING: flow-status %s (requests, reported, returned) %s, expected %d each' % (name, sent, len(ids)))
    result = dict(pipelines=len(ids), workers=4, **dict((k, summarize(v)) for k, v in samples.items()))
    result['speedup_vs_uri_per_id'] = spread([u['task_s'] / m['task_s']
                                              for m, u in zip(samples['module'], samples['uri_per_id'])])
    return result


def rows_flow_status(res):
    mod, aksk, uri = res['module'], res['module_aksk'], res['uri_per_id']
    scenario = 'Flow status (%s pipelines)' % format(res['pipelines'], ',')
    return [
        (scenario, 'task time in the play', 'token: %s; AK/SK: %s' % (fmt(mod['task_s']), fmt(aksk['task_s'])),
         'uri, one call per id (no batch call exists): ' + fmt(uri['task_s']), ''),
        (scenario, 'speed-up of the task over the baseline (token, per repetition)', fmt(res['speedup_vs_uri_per_id'], 'x'), '', ''),
        (scenario, 'HTTP requests', 'token: %s; AK/SK: %s' % (fmt(mod['requests'], ''), fmt(aksk['requests'], '')),
         fmt(uri['requests'], ''), ''),
        (scenario, 'client connections (module: at most %d requests in flight)' % res['workers'],
         'token: %s; AK/SK: %s' % (fmt(mod['connections'], ''), fmt(aksk['connections'], '')), fmt(uri['connections'], ''), ''),
        (scenario, 'ansible-playbook wall time', 'token: %s; AK/SK: %s' % (fmt(mod['total_s']), fmt(aksk['total_s'])),
         fmt(uri['total_s']), ''),
    ]


# -- the table of scenarios ------------------------------------------------------------------------
Scenario = collections.namedtuple('Scenario', 'key run rows')

SCENARIOS = (
    Scenario('wait', run_wait, rows_wait),
    Scenario('codearts_wait', run_codearts_wait, rows_codearts_wait),
    Scenario('fanin', run_fanin, rows_fanin),
    Scenario('profile', run_profile, rows_profile),
    Scenario('overhead', run_overhead, rows_overhead),
    Scenario('flow_status', run_flow_status, rows_flow_status),
)


def table(results):
    """The Markdown table of every scenario in ``results`` (in the order of SCENARIOS)."""
    lines = ['| scenario | metric | collection module | baseline | floor |', '|---|---|---|---|---|']
    notes = []
    for scenario in SCENARIOS:
        res = results.get('scenarios', {}).get(scenario.key)
        if not res:
            continue
        notes.append('- `%s`: %s, %s CPUs, Python %s, ansible-core %s, %s repetitions, load average %s at the start'
                     % (scenario.key, res['date'], res['cpus'], res['python'], res.get('ansible_core'), res['reps'],
                        res.get('loadavg_1min_at_start')))
        for row in scenario.rows(res):
            lines.append('| %s |' % ' | '.join(row))
    return '\n'.join(lines + [''] + notes)


def load(path):
    try:
        with open(path) as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return dict(scenarios={})
    return data if 'scenarios' in data else dict(scenarios={})


def main():
    keys = [s.key for s in SCENARIOS]
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--reps', type=int, default=5, help='repetitions of every variant (default 5)')
    parser.add_argument('--poll-interval', type=float, default=2.0, help='start-and-wait: poll_interval / delay (default 2)')
    parser.add_argument('--fan-in', type=int, default=1000, help='fan-in: number of pipeline ids (default 1000)')
    parser.add_argument('--flow', type=int, default=1000, help='flow_status: number of Flow pipeline ids (default 1000)')
    parser.add_argument('--chunk', type=int, default=100, help="fan-in: the module's ids per request (its constant; default 100)")
    parser.add_argument('--per-id-baseline', action='store_true',
                        help='fan-in: also run the naive loop of one uri call per id (about 11 minutes a repetition)')
    parser.add_argument('--only', choices=keys, action='append', help='run only this scenario (repeatable)')
    parser.add_argument('--table', metavar='FILE', help='print the table of a results file and exit')
    opts = parser.parse_args()
    if opts.table:
        print(table(load(opts.table)))
        return
    only = opts.only or keys
    results_file = os.path.join(RESULTS, 'results.json')
    results = load(results_file)
    handle, fixture = tempfile.mkstemp(prefix='dcp-bench-fixture-', suffix='.json')
    os.close(handle)
    emu = Emulator(time_scale=1.0, fixture=bench_fixture(fixture))
    ctx = None
    try:
        ctx = Context(emu, opts)
        for scenario in SCENARIOS:
            if scenario.key in only:
                info = dict(machine(), reps=opts.reps)
                results['scenarios'][scenario.key] = dict(info, **scenario.run(ctx))
                os.makedirs(RESULTS, exist_ok=True)
                with open(results_file, 'w') as handle:
                    json.dump(results, handle, indent=2)
    finally:
        emu.stop()
        os.unlink(fixture)
        if ctx is not None:
            shutil.rmtree(ctx.tmp, ignore_errors=True)
    print(table(results))


if __name__ == '__main__':
    main()
