# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One run lifecycle for every run-like thing (internal use only; the API may change without notice).

A Flow run, an AppStack stage execution, a CodeArts pipeline run and a ServiceStage release task are all
driven the same way: a backend implements the small ``RunTarget`` interface and declares its statuses as
data (``_status.StatusTable``); ``ensure_run`` brings the target to ``started`` / ``finished`` /
``canceled``; ``judge`` turns the outcome into one failure message format. Nothing here knows a vendor.

Target interface (``RunTarget`` gives defaults for the starred ones):

- ``kind``: words for one run, e.g. ``'pipeline run'``; ``statuses``: the run ``StatusTable``;
  ``step_statuses``\\*: the table of stages and jobs when it differs from the run's.
- ``list()``: recent runs, newest first, normalised (see ``_status``); ``get(run_id)``: one run.
- ``start()``: acting, sent once; returns the new run id, None (the engine finds the new run in the
  list), or ``Started(run_id, queued=True, message=...)`` when the server accepted but queued it.
- ``stop(record)``: acting; returns the ids of what it stopped below the run (jobs), maybe empty.
- ``adopt(before)``\\*: after a lost start answer, the run that appeared since ``before`` (the list
  read before starting) or None. ``reusable(entry)``\\*: the matcher of ``skip_if_succeeded``.
- ``describe(run_id)``\\*, ``id_of(record)``\\*, ``status_of(record)``\\*.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import functools
import math

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._http import (
    ApiError,
    guarded_action,
    poll_schedule,
    typical_duration,
    wait_argument_spec,
    wait_for,
)
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._status import (
    StatusTable,
    current_step,
    describe_step,
    failing_step,
)

STATES = ('started', 'finished', 'canceled')
WAIT_UNTIL = ('end', 'gate')  # what ends a wait: the run's end only, or also a gate the run waits at
RECENT_RUNS = 5  # successful runs whose median duration paces the polling of a fresh run


class OptionError(ValueError):
    """Options that cannot work together or have impossible values; raised before any request."""


# -- wait options -------------------------------------------------------------------------------------
class WaitOptions:
    """Validated wait options: ``wait`` (bool), ``timeout`` (seconds, >= 0), ``interval`` (seconds, > 0)."""

    def __init__(self, wait, timeout, interval):
        self.wait = wait
        self.timeout = timeout
        self.interval = interval


def _number(params, name, minimum, inclusive):
    value = params.get(name)
    bound = '%s or more' % minimum if inclusive else 'more than %s' % minimum
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or value < minimum or (value == minimum and not inclusive):
        raise OptionError('%s must be a number of seconds, %s (got %r)' % (name, bound, value))
    return value


def validate_wait(params):
    """``WaitOptions`` from ``wait``, ``wait_timeout`` and ``poll_interval`` of ``params`` (see
    ``_http.wait_argument_spec``), or ``OptionError`` naming the bad option and its value."""
    timeout = _number(params, 'wait_timeout', 0, True)
    interval = _number(params, 'poll_interval', 0, False)
    return WaitOptions(bool(params.get('wait')), timeout, interval)


def check_wait_options(module):
    """``validate_wait(module.params)``, ending the module with the message on bad options."""
    try:
        return validate_wait(module.params)
    except OptionError as err:
        module.fail_json(msg=str(err))


def run_state_argument_spec(id_option, id_type):
    """Options of the modules driven by ``ensure_run``: state, force, skip_if_succeeded, a run id, waiting, and
    ``failure_log_lines`` (``_logs``; ``_module.PipelineModule`` checks it before any request)."""
    # imported here: _logs imports this module (OptionError)
    from ansible_collections.devops_cloud.pipelines.plugins.module_utils._logs import failure_argument_spec
    spec = dict(
        state=dict(type='str', default='started', choices=list(STATES)),
        force=dict(type='bool', default=False),
        skip_if_succeeded=dict(type='bool', default=False),
    )
    spec[id_option] = dict(type=id_type)
    spec.update(wait_argument_spec(wait=False))
    spec['wait_until'] = dict(type='str', default='end', choices=list(WAIT_UNTIL))
    spec['start_new'] = dict(type='bool', default=True)
    spec.update(failure_argument_spec())
    return spec


# -- target interface -----------------------------------------------------------------------------------
class Started:
    """What ``start()`` may return instead of a bare id: the id (or None) plus what the server said.

    ``queued``: the server accepted the start but queued the run (for example a concurrency limit); the
    run exists and is adopted as started. ``message``: the server's words, reported as ``outcome.note``.
    """

    def __init__(self, run_id, queued=False, message=None):
        self.run_id = run_id
        self.queued = queued
        self.message = message


class RunTarget:
    """Base of the backends: the interface of ``ensure_run`` with defaults for the optional parts."""

    kind = 'run'
    statuses = StatusTable()
    step_statuses = None

    def step_table(self):
        return self.step_statuses or self.statuses

    @staticmethod
    def id_of(record):
        return record.get('id')

    @staticmethod
    def status_of(record):
        return record.get('status')

    def describe(self, run_id):
        return '%s %s' % (self.kind, run_id)

    def reusable(self, entry):
        """The succeeded ``entry`` (or a fuller read of it) when it did what this task asks, else None."""
        return None

    def adopt(self, before):
        """The oldest run listed now that was not in ``before`` (``list()`` is newest first), or None."""
        known = set(str(self.id_of(r)) for r in before)
        fresh = [r for r in self.list() if str(self.id_of(r)) not in known]
        return fresh[-1] if fresh else None

    def list(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def get(self, run_id):  # pragma: no cover - abstract
        raise NotImplementedError

    def start(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def stop(self, record):  # pragma: no cover - abstract
        raise NotImplementedError


# -- the state machine -----------------------------------------------------------------------------------
class Outcome:
    """What ``ensure_run`` did and saw (kept up to date, so it is useful after a failure half-way)."""

    def __init__(self):
        self.changed = False
        self.record = None       # the run the task is about (latest state read)
        self.action = 'none'     # started | adopted | existing | skipped_succeeded | stopped | none | would_start | would_stop
        self.queued = False      # the start was accepted but the run queued (``Started.queued``)
        self.note = None         # what the server said about a queued start
        self.stopped = []        # ids of runs stopped (state=canceled)
        self.stopped_jobs = []   # ids the target stopped below the run (jobs)
        self.waited = False
        self.timed_out = False
        self.unfinished = None   # the run still live when the wait timed out
        self.elapsed = 0.0
        self.polls = 0
        self.expected_duration = None  # typical seconds of recent successful runs, when known
        self.gate = None         # the gate (``_gates.gate``) a ``stop_at_gate`` wait stopped at

    @property
    def at_gate(self):
        """True when a ``stop_at_gate`` wait ended because the run waits at a gate."""
        return self.gate is not None


def ensure_from_params(target, params, check_mode=False, id_option='run_id', outcome=None, **kwargs):
    """``ensure_run`` with a module's options (see ``run_state_argument_spec``); errors name the options."""
    if params.get(id_option) is not None and params['state'] != 'canceled':
        raise OptionError('%s is only used with state=canceled (got state=%s)' % (id_option, params['state']))
    wait_until = params.get('wait_until') or 'end'
    if wait_until not in WAIT_UNTIL:
        raise OptionError('wait_until must be one of %s (got %r)' % (', '.join(WAIT_UNTIL), wait_until))
    if wait_until == 'gate' and params['state'] == 'canceled':
        raise OptionError('wait_until=gate is only used with state=started or state=finished (got state=canceled)')
    kwargs.setdefault('stop_at_gate', wait_until == 'gate')
    kwargs.setdefault('start_new', params.get('start_new', True) is not False)
    return ensure_run(target, params['state'], force=params.get('force', False), run_id=params.get(id_option),
                      wait=params.get('wait', False), wait_timeout=params['wait_timeout'],
                      poll_interval=params['poll_interval'], check_mode=check_mode,
                      skip_if_succeeded=params.get('skip_if_succeeded', False), outcome=outcome, **kwargs)


def ensure_run(target, state, force=False, run_id=None, wait=False, wait_timeout=1800, poll_interval=5.0,
               check_mode=False, skip_if_succeeded=False, outcome=None, sleep=None, clock=None, guard=None,
               stop_at_gate=False, start_new=True):
    """Bring ``target`` to ``state`` and return an ``Outcome``.

    ``started``: a live run is reused (action ``existing``) unless ``force``. With ``skip_if_succeeded``
    (no ``force``, nothing live), the newest ended run is reused when it succeeded and
    ``target.reusable`` accepts it (action ``skipped_succeeded``). Otherwise one run is started: the
    start goes through ``guard(act, probe)`` (default ``_http.guarded_action``; a transport's retry
    policy fits here), which never sends it twice and, when the answer is lost, adopts the run that
    appeared (``target.adopt``). ``finished``: as ``started``, then waits until the run settles.
    ``canceled``: stops ``run_id``, or every live run; nothing live is no change.
    Check mode only reads. Waiting (``wait`` or ``finished``) reads until the status settles or
    ``wait_timeout`` seconds pass in all (``outcome.timed_out``), paced by the typical duration of recent
    successes for a fresh run. With ``stop_at_gate`` the wait also ends as soon as the run waits at a gate
    (``_gates.at_gate``), which ``outcome.gate`` then holds. Without ``start_new`` nothing is started: when no
    run is live (nor reused), the newest run is the one reported (and judged), action ``none``. Options are checked before any request (``OptionError``).
    """
    if state not in STATES:
        raise OptionError('state must be one of %s (got %r)' % (', '.join(STATES), state))
    if run_id is not None and state != 'canceled':
        raise OptionError('a run id is only used with state=canceled (got state=%s)' % state)
    validate_wait(dict(wait_timeout=wait_timeout, poll_interval=poll_interval))
    outcome = outcome if outcome is not None else Outcome()
    guard = guard or functools.partial(guarded_action, sleep=sleep)
    if state == 'canceled':
        records = _cancel(target, outcome, run_id, check_mode, guard)
    else:
        records = _start(target, outcome, force, check_mode, skip_if_succeeded, guard, start_new)
    if records and not check_mode and (wait or state == 'finished'):
        _wait(target, outcome, records, wait_timeout, poll_interval, sleep, clock, stop_at_gate)
    return outcome


def _start(target, outcome, force, check_mode, skip_if_succeeded, guard, start_new=True):
    table = target.statuses
    runs = target.list()
    live = [r for r in runs if table.live(target.status_of(r))]
    if live and not force:
        outcome.action = 'existing'
        outcome.record = target.get(target.id_of(live[0]))
        return [outcome.record]
    if skip_if_succeeded and not force:
        last = next((r for r in runs if table.terminal(target.status_of(r))), None)
        reused = target.reusable(last) if last is not None and table.succeeded(target.status_of(last)) else None
        if reused is not None:
            outcome.action = 'skipped_succeeded'
            outcome.record = reused
            return []
    if not start_new:
        # follow only: the newest run as it ended (nothing to wait for), or nothing when the pipeline never ran
        outcome.record = target.get(target.id_of(runs[0])) if runs else None
        return []
    if check_mode:
        outcome.changed = True
        outcome.action = 'would_start'
        return []
    outcome.expected_duration = typical_duration(
        (r.get('start_time'), r.get('end_time')) for r in runs[:RECENT_RUNS] if table.succeeded(target.status_of(r)))
    answer, adopted = guard(target.start, lambda: target.adopt(runs))
    outcome.changed = True
    if adopted:
        outcome.action = 'adopted'
        new_id = target.id_of(answer)
    else:
        outcome.action = 'started'
        answer = answer if isinstance(answer, Started) else Started(answer)
        outcome.queued, outcome.note, new_id = answer.queued, answer.message, answer.run_id
        if new_id is None:
            # The server acted but its answer names no run: the one that appeared in the list is ours.
            found = target.adopt(runs)
            if found is None:
                raise ApiError('the %s was started, but the answer names no id and no new %s is listed'
                               % (target.kind, target.kind))
            new_id = target.id_of(found)
    outcome.record = target.get(new_id)
    return [outcome.record]


def _cancel(target, outcome, run_id, check_mode, guard):
    table = target.statuses
    if run_id is not None:
        outcome.record = target.get(run_id)
        candidates = [outcome.record] if table.live(target.status_of(outcome.record)) else []
    else:
        candidates = [target.get(target.id_of(r)) for r in target.list() if table.live(target.status_of(r))]
        outcome.record = candidates[0] if candidates else None
    if not candidates:
        return []
    if check_mode:
        outcome.changed = True
        outcome.action = 'would_stop'
        return []
    stopped = []
    for record in candidates:
        rid = target.id_of(record)

        def probe(rid=rid):
            fresh = target.get(rid)
            return fresh if table.settled(target.status_of(fresh)) else None

        try:
            result, adopted = guard(functools.partial(target.stop, record), probe)
        except ApiError:
            # Refused: when the run ended by itself since it was read, there was nothing left to stop.
            if table.live(target.status_of(target.get(rid))):
                raise
            continue
        outcome.changed = True
        outcome.action = 'stopped'
        if not adopted and result:
            outcome.stopped_jobs.extend(result)
        outcome.stopped.append(rid)
        stopped.append(target.get(rid))
    outcome.record = stopped[0] if stopped else target.get(target.id_of(outcome.record))
    return stopped


def _wait(target, outcome, records, timeout, interval, sleep, clock, stop_at_gate=False):
    """Wait for every record to settle (or, with ``stop_at_gate``, to wait at a gate), within ``timeout`` seconds
    in all."""
    outcome.waited = True
    expected = outcome.expected_duration if outcome.action in ('started', 'adopted') else None
    for index, record in enumerate(records):
        records[index] = await_run(target, outcome, target.id_of(record), record, max(0, timeout - outcome.elapsed),
                                   interval, sleep=sleep, clock=clock, schedule=poll_schedule(interval, expected),
                                   stop_at_gate=stop_at_gate)
        if index == 0:
            outcome.record = records[index]
        if outcome.timed_out or outcome.gate is not None:
            return


def _gate_of(target, record):
    """``_gates.at_gate`` (imported here: ``_gates`` imports this module for ``OptionError``)."""
    from ansible_collections.devops_cloud.pipelines.plugins.module_utils._gates import at_gate
    return at_gate(target, record)


def await_run(target, outcome, run_id, first=None, wait_timeout=1800, poll_interval=5.0, sleep=None, clock=None,
              schedule=None, stop_at_gate=False):
    """Read run ``run_id`` until it settles (``target.statuses``) or ``wait_timeout`` seconds pass; return its
    last state. The wait starts from ``first`` when the caller holds a fresh state (for example the answer of
    the acting call), and reads at once when it is None. ``outcome`` counts the seconds and reads and, when
    time runs out, gets ``timed_out`` and the ``unfinished`` state; ``judge`` words the verdict.
    ``schedule``: ``_http.poll_schedule``. With ``stop_at_gate`` the wait also ends when the run waits at a
    gate (``_gates.at_gate``, read from each state while the run is live); ``outcome.gate`` gets that gate."""
    outcome.waited = True
    seen = {}

    def done(rec):
        if target.statuses.settled(target.status_of(rec)):
            return True
        if stop_at_gate:
            seen['gate'] = _gate_of(target, rec)
            return seen['gate'] is not None
        return False

    result = wait_for(functools.partial(target.get, run_id), done,
                      wait_timeout, poll_interval, sleep=sleep, clock=clock, first=first, schedule=schedule)
    outcome.elapsed += result.elapsed
    outcome.polls += result.polls
    if not result.done:
        outcome.timed_out = True
        outcome.unfinished = result.state
    elif stop_at_gate and not target.statuses.settled(target.status_of(result.state)):
        outcome.gate = seen.get('gate')
    return result.state


# -- the verdict -----------------------------------------------------------------------------------------
def _seconds(value):
    return int(value) if isinstance(value, float) and value.is_integer() else value


def judge(outcome, state, target, wait_timeout, run=None):
    """``(failure message or None, extra result keys)`` at the end of a task, the same for every target.

    A wait that timed out fails: ``timed out after 30s waiting for <run> to end; last status RUNNING,
    at stage 'Test' job 'approve' (WAITING)`` (plus ``; it waits at a gate for a manual decision`` when
    the run says it waits but no job shows where). A run that settled without success reports
    ``failing_stage`` and ``failing_job``, and with ``state=finished`` fails:
    ``<run> ended FAIL: stage 'Test' job 'unit' (FAIL)``. ``run`` is the record holding the stages when
    it is not ``outcome.record`` itself (for example the pipeline run behind a release stage execution).
    When the run waits at a gate the target knows (``_gates.at_gate`` on ``run`` or the record), the timeout
    message names it instead: ``...; it waits at a gate: validation at stage 'Deploy' job 'approve' (WAITING,
    pending)``. A wait that stopped at a gate (``stop_at_gate``) is no failure, whatever ``state``: the extra
    keys are ``gate`` (the gate) and ``at_gate: true``.
    """
    record = outcome.unfinished if outcome.timed_out and outcome.unfinished is not None else outcome.record
    if record is None:
        return None, {}
    table, steps = target.statuses, target.step_table()
    detail = run if run is not None else record
    status = target.status_of(record)
    what = target.describe(target.id_of(record))
    if outcome.timed_out:
        msg = 'timed out after %ss waiting for %s to end; last status %s' % (
            _seconds(wait_timeout), what, table.label(status))
        step = current_step(detail, steps)
        if describe_step(step):
            msg += ', at %s' % describe_step(step)
        found = _gate_of(target, detail)
        if found is not None:
            from ansible_collections.devops_cloud.pipelines.plugins.module_utils._gates import gate_summary
            msg += '; it waits at a gate: %s' % gate_summary(found)
        elif table.waiting(status) and not (step[2] is not None and steps.waiting(step[2])):
            msg += '; it waits at a gate for a manual decision'
        return msg, {}
    if outcome.gate is not None and not table.settled(status):
        return None, dict(gate=outcome.gate, at_gate=True)
    if not table.settled(status) or table.succeeded(status):
        return None, {}
    stage, job, job_status = failing_step(detail, steps)
    extras = dict(failing_stage=stage, failing_job=job)
    if state != 'finished':
        return None, extras
    step = describe_step((stage, job, job_status))
    return '%s ended %s%s' % (what, table.label(status), ': %s' % step if step else ''), extras
