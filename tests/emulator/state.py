"""Emulator state: the scaled clock, the run engine every service shares, and the store seeded from the fixture.

The run engine: a ``Run`` is a sequence of phases (the jobs of a pipeline run, the tasks of a release task).
A phase is work that takes ``seconds`` (and fails at its end with ``fail``), a ``gate`` that waits for
pass/refuse, or a ``pause`` that waits for continue. Runs advance lazily to the emulated time whenever they
are read; stages are the consecutive phases that share a ``stage`` name. Runs, stages and phases carry the
engine's generic statuses below, and each service names them in its vendor's words with a ``StatusNames``.
"""

import copy
import hashlib
import json
import os
import threading
import time

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixture.json')

# Generic statuses of runs, stages and phases.
PENDING, RUNNING, WAITING, PAUSED, SUCCESS, FAILED, CANCELED, STOPPING, SKIPPED = (
    'pending', 'running', 'waiting', 'paused', 'success', 'failed', 'canceled', 'stopping', 'skipped')
TERMINAL = (SUCCESS, FAILED, CANCELED)
RUN_STATUSES = (RUNNING, WAITING, PAUSED, STOPPING, SUCCESS, FAILED, CANCELED)
PHASE_STATUSES = (PENDING, RUNNING, WAITING, PAUSED, SUCCESS, FAILED, CANCELED, SKIPPED)
STOP_SECONDS = 1.0


class Clock:
    """Emulated time in seconds since the epoch; elapsed real time is divided by time_scale."""

    def __init__(self, time_scale=1.0):
        self.time_scale = float(time_scale) if time_scale else 1.0
        self.base = time.time()
        self.mono = time.monotonic()

    def now(self):
        """Current emulated epoch seconds."""
        return self.base + (time.monotonic() - self.mono) / self.time_scale


def ms(seconds):
    """Epoch seconds -> integer milliseconds (None stays None)."""
    return None if seconds is None else int(seconds * 1000)


def hexid(*parts):
    """Deterministic 32-hex id from the given parts."""
    return hashlib.md5('/'.join(str(p) for p in parts).encode()).hexdigest()


class StatusNames:
    """A service's names for the engine's statuses: a table per level (run, stage, job = phase).

    ``stage`` defaults to the ``job`` table. A level the service does not show may stay None.
    """

    def __init__(self, run=None, job=None, stage=None):
        self.runs = run
        self.jobs = job
        self.stages = job if stage is None else stage

    def run(self, run):
        """The vendor's status value of a run."""
        return self.runs[run.status]

    def stage(self, stage):
        """The vendor's status value of a stage."""
        return self.stages[stage.status]

    def job(self, phase):
        """The vendor's status value of a phase (job, task, step)."""
        return self.jobs[phase['status']]


class Stage:
    """Consecutive phases of a run sharing one stage name; ``phases`` holds (index in the run, phase)."""

    def __init__(self, seq, name):
        self.seq, self.name, self.phases = seq, name, []

    @property
    def status(self):
        """A failed, canceled, waiting, paused or running phase makes the stage so, in that order."""
        statuses = [p['status'] for dummy, p in self.phases]
        for status in (FAILED, CANCELED, WAITING, PAUSED, RUNNING):
            if status in statuses:
                return status
        if all(s in (SUCCESS, SKIPPED) for s in statuses):
            return SUCCESS
        return RUNNING if any(s != PENDING for s in statuses) else PENDING

    @property
    def start(self):
        """When its first phase started (None before)."""
        starts = [p['start'] for dummy, p in self.phases if p['start'] is not None]
        return min(starts) if starts else None

    @property
    def end(self):
        """When its last phase ended, once the stage is over (None before)."""
        ends = [p['end'] for dummy, p in self.phases if p['end'] is not None]
        return max(ends) if ends and self.status in TERMINAL else None


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
        """Bring the run up to emulated time ``now``; returns the run."""
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

    def stages(self):
        """The run's stages, in order."""
        stages = []
        for index, phase in enumerate(self.phases):
            if not stages or stages[-1].name != phase['stage']:
                stages.append(Stage(len(stages), phase['stage']))
            stages[-1].phases.append((index, phase))
        return stages

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
        phase.update(status=SKIPPED, end=now, start=phase['start'] or now)
        self.status, self.ended, self.cursor = RUNNING, None, now
        self.idx += 1
        self.advance(now)
        return True

    def act(self, verb, phase_index, now):
        """A job-level action on one phase; False when it does not apply there.

        ``pass`` / ``refuse`` a waiting gate, ``stop`` the run at its current phase, ``retry`` a failed
        phase, ``skip`` the current phase.
        """
        if verb in ('pass', 'refuse'):
            phase = self.waiting_phase()
            return bool(phase and phase.get('kind') == 'gate' and self.decide(verb, now, phase_index))
        if verb == 'stop':
            return self.idx == phase_index and self.stop(now)
        if verb == 'retry':
            return self.retry(phase_index, now)
        if verb == 'skip':
            return self.skip(phase_index, now)
        raise ValueError('unknown job action %r' % verb)

    def dump(self):
        """JSON-able view (for /_emulator/state)."""
        return {'id': self.id, 'status': self.status, 'started': self.started, 'ended': self.ended,
                'phases': self.phases, 'extra': self.extra}


def newest_first(runs, now):
    """The given runs advanced to ``now``, highest id first."""
    return sorted((run.advance(now) for run in runs), key=lambda run: run.id, reverse=True)


class State:
    """All in-memory vendor state, seeded from a fixture and resettable.

    Each service module may define ``seed(state)``, which creates the service's records as attributes of
    the state (``state.flow_runs``, ``state.releases``, ...) whenever the state is built or reset, and
    ``dump(state, now)``, which returns the service's part of ``GET /_emulator/state``.
    """

    def __init__(self, fixture=None, time_scale=1.0, services=()):
        self.fixture_path = fixture or FIXTURE
        self.time_scale = time_scale
        self.services = tuple(services)
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
            for service in self.services:
                if hasattr(service, 'seed'):
                    service.seed(self)

    def now(self):
        """Emulated epoch seconds."""
        return self.clock.now()

    def next_id(self, name, first=1):
        """Next value of a named counter (``first`` when the fixture does not set it)."""
        with self.lock:
            value = self.counters.get(name, first)
            self.counters[name] = value + 1
            return value

    def dump(self):
        """The whole state as JSON-able data."""
        with self.lock:
            now = self.now()
            out = {'now': now, 'counters': self.counters}
            for service in self.services:
                if hasattr(service, 'dump'):
                    out.update(service.dump(self, now))
            return out
