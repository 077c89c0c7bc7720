"""Emulator state: scaled clock, generic runs that progress by wall clock, fixture loading."""

import copy
import hashlib
import json
import os
import threading
import time

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixture.json')

# Generic statuses of a phase (one job of a run) and of a run.
PENDING, RUNNING, WAITING, PAUSED, SUCCESS, FAILED, CANCELED, STOPPING = (
    'pending', 'running', 'waiting', 'paused', 'success', 'failed', 'canceled', 'stopping')
TERMINAL = (SUCCESS, FAILED, CANCELED)
STOP_SECONDS = 1.0


class Response:
    """A reply: status, JSON-able body (or bytes), extra headers, whether state changed."""

    def __init__(self, status, body=None, headers=None, acted=False, content_type='application/json;charset=UTF-8'):
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        self.acted = acted
        self.content_type = content_type

    def payload(self):
        """Encoded body."""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body, ensure_ascii=False).encode('utf-8')


class Fail(Exception):
    """Raised by route handlers: reply with this status and vendor error body."""

    def __init__(self, status, body, headers=None):
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


class Clock:
    """Emulated time in seconds since the epoch; elapsed real time is divided by time_scale."""

    def __init__(self, time_scale=1.0):
        self.time_scale = float(time_scale) if time_scale else 1.0
        self.base = time.time()
        self.mono = time.monotonic()

    def now(self):
        """Current emulated epoch seconds."""
        return self.base + (time.monotonic() - self.mono) / self.time_scale


def stage_groups(run):
    """Phases grouped by stage name, in order: [(stage, [(index, phase), ...]), ...]."""
    groups = []
    for index, phase in enumerate(run.phases):
        if not groups or groups[-1][0] != phase['stage']:
            groups.append((phase['stage'], []))
        groups[-1][1].append((index, phase))
    return groups


def stage_status(phases):
    """Stage status from its phases."""
    statuses = [p['status'] for dummy, p in phases]
    for status in (FAILED, CANCELED, WAITING, PAUSED, RUNNING):
        if status in statuses:
            return status
    if all(s in (SUCCESS, 'skipped') for s in statuses):
        return SUCCESS
    return RUNNING if any(s != PENDING for s in statuses) else PENDING


def ms(seconds):
    """Epoch seconds -> integer milliseconds (None stays None)."""
    return None if seconds is None else int(seconds * 1000)


def hexid(*parts):
    """Deterministic 32-hex id from the given parts."""
    return hashlib.md5('/'.join(str(p) for p in parts).encode()).hexdigest()


class Run:
    """A run: a sequence of phases (work for N seconds, or a gate/pause waiting for a decision)."""

    def __init__(self, run_id, phases, start, **extra):
        self.id = run_id
        self.phases = [dict(p, status=PENDING, start=None, end=None, decision=None) for p in phases]
        self.idx = 0
        self.cursor = start
        self.started = start
        self.ended = None
        self.status = RUNNING
        self.stop_at = None
        self.extra = extra

    def advance(self, now):
        """Bring the run up to emulated time ``now``."""
        if self.status == STOPPING:
            if now >= self.stop_at:
                self._finish(CANCELED, self.stop_at)
            return self
        while self.status not in TERMINAL and self.idx < len(self.phases):
            if not self._step(self.phases[self.idx], now):
                return self
        if self.status not in TERMINAL:
            self._finish(SUCCESS, self.cursor)
        return self

    def _step(self, phase, now):
        """Advance one phase; True when it finished and the next one may start."""
        if phase['status'] == PENDING:
            phase['status'], phase['start'] = RUNNING, self.cursor
        kind = phase.get('kind', 'work')
        if kind in ('gate', 'pause'):
            decision = phase['decision']
            if decision is None:
                phase['status'] = self.status = WAITING if kind == 'gate' else PAUSED
                return False
            self.cursor = decision[1]
            if decision[0] == 'refuse':
                phase['status'], phase['end'] = FAILED, self.cursor
                self._finish(FAILED, self.cursor)
                return False
        else:
            end = phase['start'] + float(phase.get('seconds', 0))
            if now < end:
                self.status = RUNNING
                return False
            self.cursor = end
            if phase.get('fail'):
                phase['status'], phase['end'] = FAILED, end
                self._finish(FAILED, end)
                return False
        phase['status'], phase['end'] = SUCCESS, self.cursor
        self.status = RUNNING
        self.idx += 1
        return True

    def _finish(self, status, when):
        self.status, self.ended = status, when
        for phase in self.phases:
            if phase['status'] in (RUNNING, WAITING, PAUSED):
                phase['status'], phase['end'] = (CANCELED if status == CANCELED else phase['status']), when

    def waiting_phase(self):
        """The phase waiting for a decision (gate or pause), or None."""
        if self.status in (WAITING, PAUSED) and self.idx < len(self.phases):
            return self.phases[self.idx]
        return None

    def decide(self, decision, now, phase_index=None):
        """Record pass/refuse (gate) or continue (pause); False when nothing waits there."""
        phase = self.waiting_phase()
        if phase is None or (phase_index is not None and phase_index != self.idx):
            return False
        phase['decision'] = (decision, now)
        self.advance(now)
        return True

    def stop(self, now, grace=0.0):
        """Stop the run; with grace > 0 it is 'stopping' for that long, then canceled."""
        if self.status in TERMINAL or self.status == STOPPING:
            return False
        if grace > 0:
            self.status, self.stop_at = STOPPING, now + grace
        else:
            self._finish(CANCELED, now)
        return True

    def retry(self, phase_index, now):
        """Re-run a failed phase and the rest of the run."""
        if self.status != FAILED or phase_index != self.idx:
            return False
        for phase in self.phases[phase_index:]:
            phase.update(status=PENDING, start=None, end=None, decision=None)
        self.status, self.ended, self.cursor = RUNNING, None, now
        self.advance(now)
        return True

    def skip(self, phase_index, now):
        """Skip the current (waiting, running or failed) phase."""
        if phase_index != self.idx or self.idx >= len(self.phases) or self.status == STOPPING:
            return False
        phase = self.phases[phase_index]
        if phase['status'] not in (RUNNING, WAITING, PAUSED, FAILED):
            return False
        phase.update(status='skipped', end=now, start=phase['start'] or now)
        self.status, self.ended, self.cursor = RUNNING, None, now
        self.idx += 1
        self.advance(now)
        return True

    def dump(self):
        """JSON-able view (for /_emulator/state)."""
        return {'id': self.id, 'status': self.status, 'started': self.started, 'ended': self.ended,
                'phases': self.phases, 'extra': self.extra}


class State:
    """All in-memory vendor state, seeded from a fixture and resettable."""

    def __init__(self, fixture=None, time_scale=1.0):
        self.fixture_path = fixture or FIXTURE
        self.time_scale = time_scale
        self.lock = threading.RLock()
        with open(self.fixture_path, encoding='utf-8') as handle:
            self.fixture = json.load(handle)
        self.reset()

    def reset(self):
        """Back to the fixture."""
        with self.lock:
            self.clock = Clock(self.time_scale)
            self.data = copy.deepcopy(self.fixture)
            self.counters = dict(self.fixture.get('counters', {}))
            self.nonces = set()
            self.flow_runs = {}
            self.codearts_runs = {}
            self.releases = {}
            self.v3_reviews = []
            self.codearts = {}
            self._seed_codearts()
            self._seed_releases()

    def now(self):
        """Emulated epoch seconds."""
        return self.clock.now()

    def next_id(self, name):
        """Next value of a named counter."""
        with self.lock:
            value = self.counters.get(name, 1)
            self.counters[name] = value + 1
            return value

    def _seed_codearts(self):
        """Named pipelines with their latest run, plus the generated ones."""
        spec = self.data['huawei']['codearts']
        templates = spec['templates']
        pipelines = self.codearts
        for pid, pipe in spec['pipelines'].items():
            pipelines[pid] = dict(pipe)
        gen = spec['generated']
        for n in range(1, int(gen['count']) + 1):
            pid = gen['format'] % n
            initial = gen['default']
            for rule in gen['rules']:
                if n % int(rule['mod']) == 0:
                    initial = rule['initial']
                    break
            pipelines[pid] = {'name': 'generated-%d' % n, 'initial': initial, 'template': gen['template']}
        now = self.now()
        for pid, pipe in pipelines.items():
            self.codearts_runs[pid] = []
            if pipe.get('initial'):
                init = templates[pipe['initial']] if isinstance(pipe['initial'], str) else pipe['initial']
                phases = templates[init['phases']] if isinstance(init['phases'], str) else init['phases']
                self.new_codearts_run(pid, phases, now - float(init.get('started_ago', 0)))

    def new_codearts_run(self, pid, phases, start):
        """Create a CodeArts run (32-hex id) as the pipeline's latest."""
        runs = self.codearts_runs[pid]
        run = Run(hexid('codearts-run', pid, len(runs) + 1, self.counters.get('codearts_run', 0)),
                  phases, start, run_number=len(runs) + 1, pipeline_id=pid)
        self.counters['codearts_run'] = self.counters.get('codearts_run', 0) + 1
        runs.append(run)
        return run

    def _seed_releases(self):
        for rid, task in self.data['huawei']['release_tasks'].items():
            self.releases[rid] = {'task': task, 'status': int(task.get('status', 1)), 'run': None,
                                  'execution_id': None, 'mode': None}

    def new_flow_run(self, org, pipeline_id, phases, **extra):
        """Create a Flow run with a fresh increasing integer id."""
        run_id = self.next_id('flow_run')
        run = Run(run_id, phases, self.now(), org=org, pipeline_id=int(pipeline_id), **extra)
        self.flow_runs[run_id] = run
        return run

    def flow_runs_of(self, pipeline_id):
        """Runs of one Flow pipeline, newest first, advanced to now."""
        now = self.now()
        runs = [r.advance(now) for r in self.flow_runs.values() if r.extra['pipeline_id'] == int(pipeline_id)]
        return sorted(runs, key=lambda r: r.id, reverse=True)

    def dump(self):
        """The whole state as JSON-able data."""
        with self.lock:
            now = self.now()
            return {
                'now': now,
                'counters': self.counters,
                'flow_runs': {str(k): r.advance(now).dump() for k, r in self.flow_runs.items()},
                'codearts_runs': {k: [r.advance(now).dump() for r in v] for k, v in self.codearts_runs.items() if v
                                  and not k.startswith('b')},
                'releases': {k: {'status': v['status'], 'execution_id': v['execution_id'],
                                 'run': v['run'].advance(now).dump() if v['run'] else None} for k, v in self.releases.items()},
                'v3_reviews': self.v3_reviews,
            }
