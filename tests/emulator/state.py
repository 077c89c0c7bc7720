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
import math
import os
import threading
import time

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixture.json')

# Generic statuses of runs, stages and phases. A run is ``queued`` before it starts (a pipeline whose
# concurrency limit is reached); a phase is ``skipped`` when skipped, or from the start when not selected.
PENDING, RUNNING, WAITING, PAUSED, SUCCESS, FAILED, CANCELED, STOPPING, SKIPPED, QUEUED = (
    'pending', 'running', 'waiting', 'paused', 'success', 'failed', 'canceled', 'stopping', 'skipped', 'queued')
TERMINAL = (SUCCESS, FAILED, CANCELED)
RUN_STATUSES = (QUEUED, RUNNING, WAITING, PAUSED, STOPPING, SUCCESS, FAILED, CANCELED)
PHASE_STATUSES = (PENDING, RUNNING, WAITING, PAUSED, SUCCESS, FAILED, CANCELED, SKIPPED)
PHASE_DONE = (SUCCESS, FAILED, CANCELED, SKIPPED)
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

    def rescale(self, time_scale):
        """From now on, emulated time runs at ``time_scale`` (it goes on from where it is, no jump)."""
        scale = float(time_scale)
        if math.isnan(scale) or scale <= 0:
            raise ValueError('time_scale must be a positive number')
        self.base, self.mono, self.time_scale = self.now(), time.monotonic(), scale


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
    """A run: a sequence of phases (work for N seconds, or a gate / delay / pause waiting for a decision).

    Phase keys the engine reads: ``stage``, ``job``, ``kind`` (``work`` default, ``gate``, ``delay``,
    ``pause``), ``seconds`` (work; for a delay, how long until it passes by itself), ``fail`` (work fails at
    its end), ``parallel`` (starts together with the phase before it: consecutive parallel phases form one
    block that ends when all of them are done, and fails when one fails), ``unselected`` (never runs:
    ``skipped`` from the start). Other keys are the services' own (step names, plugin names, logs).
    """

    def __init__(self, run_id, phases, start, queued=False, **extra):
        self.id = run_id
        self.phases = [dict(p, status=SKIPPED if p.get('unselected') else PENDING, start=None, end=None, decision=None)
                       for p in phases]
        self.idx = 0
        self.created = start
        self.cursor = start
        self.started = None if queued else start
        self.ended = None
        self.status = QUEUED if queued else RUNNING
        self.stop_at = None
        self.extra = extra

    # ------------------------------------------------------------------------------------------- progression
    def begin(self, when):
        """Start a queued run at ``when`` (a run queued again on retry keeps its first start); False when it is not queued."""
        if self.status != QUEUED:
            return False
        self.status, self.cursor = RUNNING, when
        self.started = when if self.started is None else self.started
        return True

    def block(self):
        """Indexes of the current block: the phase at ``idx`` and the parallel phases right after it."""
        end = self.idx + 1
        while end < len(self.phases) and self.phases[end].get('parallel'):
            end += 1
        return range(self.idx, min(end, len(self.phases)))

    def advance(self, now):
        """Bring the run up to emulated time ``now``; returns the run."""
        if self.status == QUEUED:
            return self
        if self.status == STOPPING:
            if now >= self.stop_at:
                self._finish(CANCELED, self.stop_at)
            return self
        while self.status not in TERMINAL and self.idx < len(self.phases):
            if not self._step_block(now):
                return self
        if self.status not in TERMINAL:
            self._finish(SUCCESS, self.cursor)
        return self

    def _step_block(self, now):
        """Advance the current block; True when it is over and the next block may start."""
        phases = [self.phases[i] for i in self.block()]
        for phase in phases:
            self._step(phase, now)
        failed = [p for p in phases if p['status'] == FAILED]
        if failed:
            self._finish(FAILED, min(p['end'] for p in failed))
            return False
        if all(p['status'] in (SUCCESS, SKIPPED) for p in phases):
            self.cursor = max([self.cursor] + [p['end'] for p in phases if p['end'] is not None])
            self.idx += len(phases)
            self.status = RUNNING
            return True
        statuses = {p['status'] for p in phases}
        self.status = next(s for s in (RUNNING, WAITING, PAUSED) if s in statuses)
        return False

    def _step(self, phase, now):
        """Advance one phase of the current block to ``now``."""
        if phase['status'] in PHASE_DONE:
            return
        if phase['status'] == PENDING:
            phase['status'], phase['start'] = RUNNING, self.cursor
        kind = phase.get('kind', 'work')
        decision = phase['decision']
        if decision is not None:
            phase['status'] = FAILED if decision[0] == 'refuse' else SUCCESS
            phase['end'] = decision[1]
        elif kind == 'work' or (kind == 'delay' and now >= self.due(phase)):
            end = phase['start'] + float(phase.get('seconds', 0)) if kind == 'work' else self.due(phase)
            if now >= end:
                phase['status'], phase['end'] = (FAILED if phase.get('fail') else SUCCESS), end
        else:
            phase['status'] = PAUSED if kind == 'pause' else WAITING

    @staticmethod
    def due(phase):
        """When a delay phase passes by itself (its start + ``seconds`` + any postponement)."""
        return phase['start'] + float(phase.get('seconds', 0)) + float(phase.get('postponed', 0))

    def _finish(self, status, when):
        """End the run; whatever was still going in it ends canceled at ``when``."""
        self.status, self.ended = status, when
        for phase in self.phases:
            if phase['status'] in (RUNNING, WAITING, PAUSED) or (phase['status'] in (SUCCESS, FAILED) and phase['end'] > when):
                phase['status'], phase['end'] = CANCELED, when

    # ------------------------------------------------------------------------------------------- reading
    def stages(self):
        """The run's stages, in order."""
        stages = []
        for index, phase in enumerate(self.phases):
            if not stages or stages[-1].name != phase['stage']:
                stages.append(Stage(len(stages), phase['stage']))
            stages[-1].phases.append((index, phase))
        return stages

    def current(self, phase_index):
        """True when ``phase_index`` is in the current block of a run that is not over or queued."""
        return self.status not in TERMINAL + (QUEUED,) and phase_index in self.block()

    def waiting_phases(self):
        """Indexes of the phases waiting for a decision (gate, delay or pause) in the current block."""
        if self.status in TERMINAL + (QUEUED, STOPPING) or self.idx >= len(self.phases):
            return []
        return [i for i in self.block() if self.phases[i]['status'] in (WAITING, PAUSED)]

    def waiting_phase(self):
        """The first phase waiting for a decision, or None."""
        waiting = self.waiting_phases()
        return self.phases[waiting[0]] if waiting else None

    # ------------------------------------------------------------------------------------------- actions
    def decide(self, decision, now, phase_index=None, by=None, comment=None):
        """Record pass/refuse (gate, delay) or continue (pause) on a waiting phase (the first one when
        ``phase_index`` is None); False when nothing waits there. Who decided, when and with which
        comment is kept on the phase (``decided``)."""
        waiting = self.advance(now).waiting_phases()
        if phase_index is None:
            phase_index = waiting[0] if waiting else None
        if phase_index not in waiting:
            return False
        phase = self.phases[phase_index]
        phase['decision'] = (decision, now)
        phase['decided'] = {'result': decision, 'at': now, 'by': by, 'comment': comment}
        self.advance(now)
        return True

    def postpone(self, phase_index, seconds, now):
        """Push a waiting delay phase's automatic pass back by ``seconds``; False when not applicable."""
        if phase_index not in self.advance(now).waiting_phases() or self.phases[phase_index].get('kind') != 'delay':
            return False
        phase = self.phases[phase_index]
        phase['postponed'] = float(phase.get('postponed', 0)) + seconds
        self.advance(now)
        return True

    def stop(self, now, grace=0.0):
        """Stop the run (a queued one is canceled at once); with grace > 0 it is 'stopping' for that long."""
        if self.status in TERMINAL or self.status == STOPPING:
            return False
        if grace > 0 and self.status != QUEUED:
            self.status, self.stop_at = STOPPING, now + grace
        else:
            self._finish(CANCELED, now)
        return True

    def _restart_from(self, indexes, now):
        """Phases ``indexes`` of the current block and every later phase back to pending, the run running at ``now``."""
        later = range(self.block().stop, len(self.phases))
        for i in list(indexes) + list(later):
            phase = self.phases[i]
            phase.update(status=SKIPPED if phase.get('unselected') else PENDING, start=None, end=None, decision=None)
            phase.pop('postponed', None)
        self.status, self.ended, self.cursor = RUNNING, None, now

    def retry(self, phase_index, now, queue=False):
        """Re-run a failed phase of the failed current block (with its canceled siblings) and the rest of the
        run; with ``queue`` the run waits queued (``begin`` starts it) instead of going on at once."""
        if self.status != FAILED or phase_index not in self.block() or self.phases[phase_index]['status'] != FAILED:
            return False
        self._restart_from([i for i in self.block() if self.phases[i]['status'] in (FAILED, CANCELED)], now)
        if queue:
            self.status = QUEUED
        else:
            self.advance(now)
        return True

    def skip(self, phase_index, now):
        """Skip a running, waiting, paused or failed phase of the current block."""
        if self.status in (STOPPING, QUEUED, CANCELED, SUCCESS) or self.idx >= len(self.phases) or phase_index not in self.block():
            return False
        phase = self.phases[phase_index]
        if phase['status'] not in (RUNNING, WAITING, PAUSED, FAILED):
            return False
        if self.status == FAILED:  # the canceled siblings run again
            self._restart_from([i for i in self.block() if self.phases[i]['status'] == CANCELED], now)
        phase.update(status=SKIPPED, end=now, start=phase['start'] or now)
        self.status, self.ended = RUNNING, None
        self.cursor = max(self.cursor, now) if self.cursor is not None else now
        self.advance(now)
        return True

    def act(self, verb, phase_index, now, by=None):
        """A job-level action on one phase; False when it does not apply there.

        ``pass`` / ``refuse`` a waiting gate, ``stop`` the run at one of its current phases, ``retry`` a
        failed phase, ``skip`` a current phase.
        """
        if verb in ('pass', 'refuse'):
            return (phase_index in self.waiting_phases() and self.phases[phase_index].get('kind') == 'gate'
                    and self.decide(verb, now, phase_index, by=by))
        if verb == 'stop':
            return self.current(phase_index) and self.stop(now)
        if verb == 'retry':
            return self.retry(phase_index, now)
        if verb == 'skip':
            return self.skip(phase_index, now)
        raise ValueError('unknown job action %r' % verb)

    def dump(self):
        """JSON-able view (for /_emulator/state)."""
        return {'id': self.id, 'status': self.status, 'created': self.created, 'started': self.started,
                'ended': self.ended, 'phases': self.phases, 'extra': self.extra}


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
            self.switches = dict(self.fixture.get('switches', {}))
            self.seeded_at = self.clock.now()
            for service in self.services:
                if hasattr(service, 'seed'):
                    service.seed(self)

    def now(self):
        """Emulated epoch seconds."""
        return self.clock.now()

    def switch(self, name):
        """Current value of a variant switch (fixture ``switches``; ``POST /_emulator/switches`` changes it)."""
        return self.switches[name]

    def set_switches(self, values):
        """Change switches until the next reset; ValueError for a name the fixture does not declare."""
        unknown = sorted(set(values) - set(self.switches))
        if unknown:
            raise ValueError('unknown switch(es) %s; known: %s' % (', '.join(unknown), ', '.join(sorted(self.switches))))
        with self.lock:
            self.switches.update(values)

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
            out = {'now': now, 'counters': self.counters, 'switches': self.switches}
            for service in self.services:
                if hasattr(service, 'dump'):
                    out.update(service.dump(self, now))
            return out
