# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The run engine (_engine) and status tables (_status) against in-memory targets and a fake clock."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.devops_cloud.pipelines.plugins.module_utils import _engine
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._engine import (
    OptionError,
    Outcome,
    RunTarget,
    Started,
    ensure_from_params,
    ensure_run,
    judge,
    validate_wait,
)
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._http import ApiError, guarded_action
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._status import (
    StatusTable,
    current_step,
    describe_step,
    failing_step,
    is_waiting,
    norm,
)

# Tables as three kinds of API declare them (vendor-like, but the engine only sees the data).
TEXT = StatusTable(success=('SUCCESS',), failure=('FAIL', 'FAILED'), canceled=('CANCELED',), waiting=('WAITING',),
                   skipped=('SKIPPED',))
TEXT_STEPS = StatusTable(success=('SUCCESS',), failure=('FAIL',), canceled=('CANCELED',), waiting=('WAITING',),
                         skipped=('SKIPPED',), idle=('INIT',))
NUMERIC = StatusTable(success=(2,), failure=(3, 12), waiting=(5, 7), skipped=(9,), idle=(1, 11),
                      names={1: 'initialised', 2: 'release succeeded', 3: 'release failed', 4: 'releasing',
                             5: 'awaiting approval'})
COMPLETED_RUNS = StatusTable(success=('COMPLETED',), failure=('FAILED',), canceled=('CANCELED', 'IGNORED'),
                             waiting=('PAUSED', 'SUSPEND'))
COMPLETED_STEPS = StatusTable(success=('COMPLETED',), failure=('FAILED', 'ASYNC_FAILED'), canceled=('CANCELED',),
                              skipped=('SKIPPED', 'IGNORED', 'UNSELECTED'), waiting=('PAUSED', 'SUSPEND'),
                              idle=('INIT', 'QUEUED'))


class Clock:
    """Fake time: ``sleep`` advances ``now`` and records the delays."""

    def __init__(self):
        self.now = 0.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def lost(msg='connection reset'):
    return ApiError(msg, uncertain=True, retryable=True)


def refused():
    return ApiError('busy', status=503, retryable=True)


class FakeRuns(RunTarget):
    """Runs of one pipeline in memory. A started run goes to ``final`` after ``duration`` fake seconds.

    ``start_effects`` is consumed one per start() call: 'ok', 'none' (no id in the answer), 'lost' (acted,
    answer lost), 'lost_nothing' (answer lost, nothing happened), 'refused' (503 before acting),
    'queued' / 'queued_noid' (accepted but queued). ``stop_effect``: 'ok', 'refuse', 'ended' (the run
    ended by itself, then the stop is refused), 'lost' (stopped, answer lost).
    """

    kind = 'pipeline run'
    statuses = TEXT
    step_statuses = TEXT_STEPS

    def __init__(self, clock, runs=(), start_effects=('ok',), stop_effect='ok', duration=10, final='SUCCESS',
                 new_ids=None, reusable=True):
        self.clock = clock
        self.runs = [dict(r) for r in runs]   # newest first
        self.start_effects = list(start_effects)
        self.stop_effect = stop_effect
        self.duration = duration
        self.final = final
        self.new_ids = list(new_ids or [])
        self.accept = reusable
        self.calls = []

    def acting(self):
        return [c for c in self.calls if c[0] in ('start', 'stop')]

    def _settle(self, run):
        ends = run.get('_ends')
        if ends is not None and self.clock.now >= ends:
            run['status'], run['end_time'] = run.pop('_final'), ends
            run.pop('_ends')
        return dict((k, v) for k, v in run.items() if not k.startswith('_'))

    def list(self):
        self.calls.append(('list',))
        return [self._settle(r) for r in self.runs]

    def get(self, run_id):
        self.calls.append(('get', run_id))
        for run in self.runs:
            if run['id'] == run_id:
                return self._settle(run)
        raise ApiError('no run %s' % run_id, status=404)

    def reusable(self, entry):
        self.calls.append(('reusable', entry['id']))
        return dict(entry, checked=True) if self.accept else None

    def _create(self):
        new_id = self.new_ids.pop(0) if self.new_ids else max([r['id'] for r in self.runs] or [0]) + 1
        self.runs.insert(0, dict(id=new_id, status='RUNNING', start_time=self.clock.now, end_time=None,
                                 _ends=self.clock.now + self.duration, _final=self.final))
        return new_id

    def start(self):
        self.calls.append(('start',))
        effect = self.start_effects.pop(0)
        if effect == 'refused':
            raise refused()
        if effect == 'lost_nothing':
            raise lost('no answer within 60s')
        new_id = self._create()
        if effect == 'lost':
            raise lost()
        if effect == 'none':
            return None
        if effect == 'queued':
            return Started(new_id, queued=True, message='queued by the concurrency limit')
        if effect == 'queued_noid':
            return Started(None, queued=True, message='queued')
        return new_id

    def stop(self, record):
        self.calls.append(('stop', record['id']))
        run = next(r for r in self.runs if r['id'] == record['id'])
        if self.stop_effect == 'ended':
            run.update(status='SUCCESS', end_time=self.clock.now)
            run.pop('_ends', None)
        if self.stop_effect in ('refuse', 'ended'):
            raise ApiError('cannot stop', status=400, code='Refused')
        run.update(status='CANCELED', end_time=self.clock.now)
        run.pop('_ends', None)
        if self.stop_effect == 'lost':
            raise lost()
        return ['job-%s' % record['id']]


def ensure(target, clock, state, **kw):
    return ensure_run(target, state, sleep=clock.sleep, clock=clock, **kw)


@pytest.fixture
def clock():
    return Clock()


# --- started ---------------------------------------------------------------------------------------------

def test_started_reuses_live_run(clock):
    target = FakeRuns(clock, [dict(id=2, status='RUNNING'), dict(id=1, status='SUCCESS')])
    outcome = ensure(target, clock, 'started')
    assert outcome.action == 'existing' and not outcome.changed and outcome.record['id'] == 2
    assert target.acting() == []


def test_unknown_or_missing_status_counts_as_live(clock):
    for status in ('SOMETHING_NEW', None, ''):
        target = FakeRuns(clock, [dict(id=1, status=status)])
        assert ensure(target, clock, 'started').action == 'existing' and target.acting() == []


def test_started_starts_one_run_when_nothing_is_live(clock):
    target = FakeRuns(clock, [dict(id=1, status='FAIL')])
    outcome = ensure(target, clock, 'started')
    assert outcome.action == 'started' and outcome.changed and outcome.record == dict(
        id=2, status='RUNNING', start_time=0.0, end_time=None)
    assert target.acting() == [('start',)] and not outcome.waited and clock.slept == []


def test_force_starts_next_to_live_run(clock):
    target = FakeRuns(clock, [dict(id=1, status='RUNNING')])
    outcome = ensure(target, clock, 'started', force=True)
    assert outcome.action == 'started' and outcome.record['id'] == 2 and target.acting() == [('start',)]


def test_started_answer_without_id_takes_the_new_listed_run(clock):
    target = FakeRuns(clock, [dict(id=1, status='SUCCESS')], start_effects=['none'])
    outcome = ensure(target, clock, 'started')
    assert outcome.action == 'started' and outcome.record['id'] == 2 and target.acting() == [('start',)]


def test_started_answer_without_id_and_nothing_listed_fails(clock):
    target = FakeRuns(clock, [], start_effects=['none'])
    target._create = lambda: None  # the server says it started, but nothing appears
    outcome = Outcome()
    with pytest.raises(ApiError, match='the answer names no id and no new pipeline run is listed'):
        ensure(target, clock, 'started', outcome=outcome)
    assert outcome.changed and target.acting() == [('start',)]


# --- skip_if_succeeded -------------------------------------------------------------------------------------

def test_skip_if_succeeded_reuses_the_accepted_success(clock):
    target = FakeRuns(clock, [dict(id=3, status='SUCCESS'), dict(id=2, status='FAIL')])
    outcome = ensure(target, clock, 'finished', skip_if_succeeded=True)
    assert outcome.action == 'skipped_succeeded' and not outcome.changed and outcome.record == dict(
        id=3, status='SUCCESS', checked=True)
    assert target.acting() == [] and not outcome.waited


def test_skip_if_succeeded_rejected_by_the_matcher_starts(clock):
    target = FakeRuns(clock, [dict(id=3, status='SUCCESS')], reusable=False)
    outcome = ensure(target, clock, 'started', skip_if_succeeded=True)
    assert outcome.action == 'started' and ('reusable', 3) in target.calls and target.acting() == [('start',)]


def test_skip_if_succeeded_only_looks_at_the_newest_ended_run(clock):
    target = FakeRuns(clock, [dict(id=3, status='FAIL'), dict(id=2, status='SUCCESS')])
    outcome = ensure(target, clock, 'started', skip_if_succeeded=True)
    assert outcome.action == 'started' and not any(c[0] == 'reusable' for c in target.calls)


def test_skip_if_succeeded_with_force_starts(clock):
    target = FakeRuns(clock, [dict(id=3, status='SUCCESS')])
    assert ensure(target, clock, 'started', skip_if_succeeded=True, force=True).action == 'started'


def test_default_matcher_never_reuses(clock):
    class Plain(FakeRuns):
        reusable = RunTarget.reusable
    target = Plain(clock, [dict(id=3, status='SUCCESS')])
    assert ensure(target, clock, 'started', skip_if_succeeded=True).action == 'started'


# --- check mode ----------------------------------------------------------------------------------------------

def test_check_mode_predicts_without_acting(clock):
    target = FakeRuns(clock, [dict(id=1, status='SUCCESS')])
    outcome = ensure(target, clock, 'finished', check_mode=True)
    assert outcome.action == 'would_start' and outcome.changed and outcome.record is None
    assert target.acting() == [] and clock.slept == []
    live = FakeRuns(clock, [dict(id=2, status='RUNNING'), dict(id=1, status='RUNNING')])
    outcome = ensure(live, clock, 'canceled', check_mode=True, wait=True)
    assert outcome.action == 'would_stop' and outcome.changed and outcome.record['id'] == 2 and live.acting() == []
    skipped = FakeRuns(clock, [dict(id=1, status='SUCCESS')])
    assert ensure(skipped, clock, 'started', check_mode=True, skip_if_succeeded=True).action == 'skipped_succeeded'


# --- lost and refused start answers ---------------------------------------------------------------------------

def test_lost_start_answer_adopts_the_run_that_appeared(clock):
    target = FakeRuns(clock, [dict(id=1, status='SUCCESS')], start_effects=['lost'])
    outcome = ensure(target, clock, 'started')
    assert outcome.action == 'adopted' and outcome.changed and outcome.record['id'] == 2
    assert target.acting() == [('start',)]


def test_lost_start_adopts_by_list_position_not_by_id(clock):
    """Ids that do not sort (32-character strings): the oldest new entry of a newest-first list is ours."""
    target = FakeRuns(clock, [dict(id='f00', status='COMPLETED')], start_effects=['lost'], new_ids=['zzz'])
    target.statuses = COMPLETED_RUNS
    ours = target.start

    def start_then_someone_else():
        try:
            ours()
        finally:
            target.runs.insert(0, dict(id='aaa', status='RUNNING'))  # another user's run, newer than ours
    target.start = start_then_someone_else
    outcome = ensure(target, clock, 'started')
    assert outcome.action == 'adopted' and outcome.record['id'] == 'zzz' and target.start_effects == []


def test_lost_start_answer_with_nothing_appeared_is_not_repeated(clock):
    target = FakeRuns(clock, [dict(id=1, status='SUCCESS')], start_effects=['lost_nothing', 'ok'])
    outcome = Outcome()
    with pytest.raises(ApiError, match='the call was not sent again') as err:
        ensure(target, clock, 'started', outcome=outcome)
    assert err.value.uncertain and target.acting() == [('start',)] and len(clock.slept) == 1
    assert outcome.action == 'none' and not outcome.changed


def test_refused_start_is_sent_again_once_nothing_happened(clock):
    target = FakeRuns(clock, [], start_effects=['refused', 'ok'])
    outcome = ensure(target, clock, 'started')
    assert outcome.action == 'started' and outcome.record['id'] == 1
    assert target.acting() == [('start',), ('start',)] and len(target.runs) == 1


def test_certain_start_error_is_raised_without_probing(clock):
    def bad_request():
        raise ApiError('bad request', status=400)

    target = FakeRuns(clock, [])
    target.start = bad_request
    with pytest.raises(ApiError, match='bad request'):
        ensure(target, clock, 'started')
    assert target.calls == [('list',)]


def test_guard_is_injectable(clock):
    seen = []

    def policy(act, probe):
        seen.append(probe())  # nothing appeared before acting
        return guarded_action(act, probe, sleep=clock.sleep)

    target = FakeRuns(clock, [], start_effects=['lost'])
    outcome = ensure_run(target, 'started', guard=policy, clock=clock)
    assert seen == [None] and outcome.action == 'adopted' and outcome.record['id'] == 1


# --- queued starts --------------------------------------------------------------------------------------------

def test_queued_start_is_a_start(clock):
    target = FakeRuns(clock, [], start_effects=['queued'])
    outcome = ensure(target, clock, 'started')
    assert outcome.action == 'started' and outcome.queued and outcome.note == 'queued by the concurrency limit'
    assert outcome.record['id'] == 1 and target.acting() == [('start',)]


def test_queued_start_without_id_takes_the_listed_run(clock):
    target = FakeRuns(clock, [dict(id=4, status='FAIL')], start_effects=['queued_noid'])
    outcome = ensure(target, clock, 'started')
    assert outcome.queued and outcome.record['id'] == 5 and target.acting() == [('start',)]


# --- finished -------------------------------------------------------------------------------------------------

def test_finished_success_is_paced_by_recent_runs(clock):
    recent = [dict(id=2, status='SUCCESS', start_time=100, end_time=120),
              dict(id=1, status='SUCCESS', start_time=0, end_time=20)]
    target = FakeRuns(clock, recent, duration=20)
    outcome = ensure(target, clock, 'finished', poll_interval=2, wait_timeout=60)
    assert outcome.expected_duration == 20 and outcome.waited and not outcome.timed_out
    assert clock.slept == [10, 5, 2.5, 2, 0.75] and outcome.polls == 5 and outcome.elapsed == 20.25
    assert outcome.record['status'] == 'SUCCESS' and judge(outcome, 'finished', target, 60) == (None, {})


def test_waiting_on_an_existing_run_polls_every_interval(clock):
    target = FakeRuns(clock, [dict(id=1, status='RUNNING', _ends=5, _final='SUCCESS')])
    outcome = ensure(target, clock, 'started', wait=True, poll_interval=2, wait_timeout=60)
    assert outcome.action == 'existing' and clock.slept == [2, 2, 2] and outcome.record['status'] == 'SUCCESS'


def test_finished_failure_names_the_failing_job(clock):
    target = FakeRuns(clock, [], final='FAIL', duration=4)
    outcome = ensure(target, clock, 'finished', poll_interval=1, wait_timeout=60)
    record = dict(outcome.record, stages=[
        dict(name='Build', status='SUCCESS', jobs=[dict(id=1, name='compile', status='SUCCESS')]),
        dict(name='Test', status='FAIL', jobs=[dict(id=2, name='lint', status='SUCCESS'),
                                               dict(id=3, name='unit-test', status='FAIL')])])
    outcome.record = record
    msg, extras = judge(outcome, 'finished', target, 60)
    assert msg == "pipeline run 1 ended FAIL: stage 'Test' job 'unit-test' (FAIL)"
    assert extras == dict(failing_stage='Test', failing_job='unit-test')
    assert judge(outcome, 'started', target, 60) == (None, extras)


def test_finished_timeout_reports_where_the_run_waits(clock):
    target = FakeRuns(clock, [], duration=1000)
    outcome = ensure(target, clock, 'finished', poll_interval=2, wait_timeout=5)
    assert outcome.timed_out and outcome.unfinished['status'] == 'RUNNING' and sum(clock.slept) == 5
    assert clock.slept == [2, 2, 1]
    outcome.unfinished['stages'] = [dict(name='Build', status='SUCCESS', jobs=[dict(name='b', status='SUCCESS')]),
                                    dict(name='Test', status='RUNNING', jobs=[dict(name='unit', status='RUNNING'),
                                                                              dict(name='approve', status='WAITING')])]
    msg, extras = judge(outcome, 'finished', target, 5)
    assert msg == ("timed out after 5s waiting for pipeline run 1 to end; last status RUNNING, "
                   "at stage 'Test' job 'approve' (WAITING)") and extras == {}


def test_zero_timeout_reads_once_and_times_out(clock):
    target = FakeRuns(clock, [], duration=10)
    outcome = ensure(target, clock, 'finished', poll_interval=1, wait_timeout=0)
    assert outcome.timed_out and clock.slept == [] and outcome.record['status'] == 'RUNNING'
    assert judge(outcome, 'finished', target, 0.0)[0] == (
        'timed out after 0s waiting for pipeline run 1 to end; last status RUNNING')


def test_await_run_reads_at_once_or_starts_from_a_given_state(clock):
    target = FakeRuns(clock, [dict(id=1, status='RUNNING', _ends=3, _final='SUCCESS')])
    outcome = Outcome()
    state = _engine.await_run(target, outcome, 1, poll_interval=1, wait_timeout=10, sleep=clock.sleep, clock=clock)
    assert state['status'] == 'SUCCESS' and outcome.waited and not outcome.timed_out
    assert clock.slept == [1, 1, 1] and outcome.polls == 4
    clock.slept = []
    given = dict(id=1, status='RUNNING')
    again = _engine.await_run(target, Outcome(), 1, given, 10, 1, sleep=clock.sleep, clock=clock)
    assert again['status'] == 'SUCCESS' and clock.slept == [1]


def test_await_run_timeout_records_the_unfinished_state(clock):
    target = FakeRuns(clock, [dict(id=1, status='WAITING')])
    outcome = Outcome()
    _engine.await_run(target, outcome, 1, None, 4, 3, sleep=clock.sleep, clock=clock)
    assert outcome.timed_out and outcome.unfinished['status'] == 'WAITING' and clock.slept == [3, 1]
    outcome.record = outcome.unfinished
    assert judge(outcome, 'finished', target, 4)[0] == (
        'timed out after 4s waiting for pipeline run 1 to end; last status WAITING; '
        'it waits at a gate for a manual decision')


# --- canceled -------------------------------------------------------------------------------------------------

def test_cancel_run_id(clock):
    target = FakeRuns(clock, [dict(id=2, status='RUNNING'), dict(id=1, status='RUNNING')])
    outcome = ensure(target, clock, 'canceled', run_id=1)
    assert outcome.action == 'stopped' and outcome.stopped == [1] and outcome.stopped_jobs == ['job-1']
    assert outcome.record['status'] == 'CANCELED' and target.acting() == [('stop', 1)]


def test_cancel_every_live_run_and_wait(clock):
    target = FakeRuns(clock, [dict(id=3, status='RUNNING'), dict(id=2, status='FAIL'), dict(id=1, status='WAITING')])
    outcome = ensure(target, clock, 'canceled', wait=True, poll_interval=1, wait_timeout=10)
    assert target.acting() == [('stop', 3), ('stop', 1)] and outcome.stopped == [3, 1]
    assert outcome.waited and not outcome.timed_out and outcome.record['id'] == 3
    msg, extras = judge(outcome, 'canceled', target, 10)
    assert msg is None and extras == dict(failing_stage=None, failing_job=None)


def test_cancel_with_nothing_live_changes_nothing(clock):
    target = FakeRuns(clock, [dict(id=1, status='SUCCESS')])
    outcome = ensure(target, clock, 'canceled', wait=True)
    assert outcome.action == 'none' and not outcome.changed and outcome.record is None and target.acting() == []
    assert judge(outcome, 'canceled', target, 5) == (None, {})
    ended = FakeRuns(clock, [dict(id=1, status='FAIL')])
    outcome = ensure(ended, clock, 'canceled', run_id=1)
    assert not outcome.changed and outcome.record['id'] == 1 and ended.acting() == []


def test_refused_stop_of_a_run_that_ended_meanwhile_is_no_change(clock):
    target = FakeRuns(clock, [dict(id=1, status='RUNNING')], stop_effect='ended')
    outcome = ensure(target, clock, 'canceled')
    assert not outcome.changed and outcome.stopped == [] and outcome.record['status'] == 'SUCCESS'


def test_refused_stop_of_a_live_run_fails(clock):
    target = FakeRuns(clock, [dict(id=1, status='RUNNING')], stop_effect='refuse')
    with pytest.raises(ApiError, match='cannot stop'):
        ensure(target, clock, 'canceled')


def test_lost_stop_answer_is_adopted(clock):
    target = FakeRuns(clock, [dict(id=1, status='RUNNING')], stop_effect='lost')
    outcome = ensure(target, clock, 'canceled')
    assert outcome.changed and outcome.stopped == [1] and outcome.stopped_jobs == [] and target.acting() == [('stop', 1)]


def test_wait_timeout_is_shared_by_every_stopped_run(clock):
    class Slow(FakeRuns):
        def stop(self, record):
            self.calls.append(('stop', record['id']))
            run = next(r for r in self.runs if r['id'] == record['id'])
            run.update(_ends=self.clock.now + 4 * len(self.acting()), _final='CANCELED')  # 4s, then 8s
            return []
    target = Slow(clock, [dict(id=2, status='RUNNING'), dict(id=1, status='RUNNING')])
    outcome = ensure(target, clock, 'canceled', wait=True, poll_interval=1, wait_timeout=6)
    assert outcome.timed_out and sum(clock.slept) == 6 and outcome.unfinished['id'] == 1
    assert outcome.record['id'] == 2 and outcome.record['status'] == 'CANCELED'
    assert judge(outcome, 'canceled', target, 6)[0].startswith('timed out after 6s waiting for pipeline run 1 to end')


# --- a numeric status table (release-task-like: one record, integer codes) ---------------------------------------

class ReleaseTask(RunTarget):
    """One task whose status is an integer; a start makes it 4 for ``duration`` seconds, then ``final``."""

    kind = 'release task'
    statuses = NUMERIC

    def __init__(self, clock, status, final=2, duration=4, gate=False):
        self.clock = clock
        self.task = dict(id='rt-1', status=status, last_trigger_at=0)
        self.final, self.duration, self.gate = final, duration, gate
        self.ends = None
        self.acted = 0

    def get(self, run_id):
        if self.ends is not None and self.clock.now >= self.ends:
            self.task['status'], self.ends = (5 if self.gate else self.final), None
        return dict(self.task)

    def list(self):
        return [self.get('rt-1')]

    def adopt(self, before):
        now = self.get('rt-1')
        return now if now['last_trigger_at'] != before[0]['last_trigger_at'] else None

    def reusable(self, entry):
        return entry

    def describe(self, run_id):
        return 'release task %s' % run_id

    def start(self):
        self.acted += 1
        self.task.update(status='4', last_trigger_at=self.clock.now + 1)
        self.ends = self.clock.now + self.duration
        return None


def test_numeric_table_starts_an_idle_task_and_judges_success(clock):
    task = ReleaseTask(clock, 1)
    outcome = ensure(task, clock, 'finished', poll_interval=1, wait_timeout=30)
    assert outcome.action == 'started' and task.acted == 1 and outcome.record['status'] == 2
    assert judge(outcome, 'finished', task, 30) == (None, {})


def test_numeric_table_live_task_is_existing_and_success_is_skipped(clock):
    assert ensure(ReleaseTask(clock, 4), clock, 'started').action == 'existing'
    assert ensure(ReleaseTask(clock, '7'), clock, 'started').action == 'existing'
    assert ensure(ReleaseTask(clock, 42), clock, 'started').action == 'existing'  # unknown code: live
    outcome = ensure(ReleaseTask(clock, 2), clock, 'started', skip_if_succeeded=True)
    assert outcome.action == 'skipped_succeeded' and outcome.record['status'] == 2


def test_numeric_table_failure_and_gate_messages(clock):
    failed = ReleaseTask(clock, 3, final=3)
    outcome = ensure(failed, clock, 'finished', poll_interval=1, wait_timeout=30)
    assert judge(outcome, 'finished', failed, 30) == (
        "release task rt-1 ended 'release failed' (3)", dict(failing_stage=None, failing_job=None))
    gated = ReleaseTask(clock, 1, gate=True)
    outcome = ensure(gated, clock, 'finished', poll_interval=1, wait_timeout=8)
    assert outcome.timed_out and outcome.record['status'] == 5
    assert judge(outcome, 'finished', gated, 8)[0] == (
        "timed out after 8s waiting for release task rt-1 to end; last status 'awaiting approval' (5); "
        "it waits at a gate for a manual decision")


def test_numeric_table_lost_start_adopted_by_the_targets_own_evidence(clock):
    task = ReleaseTask(clock, 1)
    real = task.start

    def lost_start():
        real()
        raise lost()
    task.start = lost_start
    outcome = ensure(task, clock, 'started')
    assert outcome.action == 'adopted' and outcome.record['id'] == 'rt-1' and task.acted == 1


# --- a table where the run's success word differs from the stages' (COMPLETED) -------------------------------------

class CompletedRuns(FakeRuns):
    statuses = COMPLETED_RUNS
    step_statuses = COMPLETED_STEPS


def test_completed_run_table(clock):
    target = CompletedRuns(clock, [dict(id='a1', status='COMPLETED')], final='COMPLETED', new_ids=['b2'])
    assert ensure(target, clock, 'started', skip_if_succeeded=True).action == 'skipped_succeeded'
    outcome = ensure(target, clock, 'finished', force=True, poll_interval=1, wait_timeout=30)
    assert outcome.record['id'] == 'b2' and outcome.record['status'] == 'COMPLETED'
    assert judge(outcome, 'finished', target, 30) == (None, {})
    assert ensure(CompletedRuns(clock, [dict(id='x', status='PAUSED')]), clock, 'started').action == 'existing'
    assert ensure(CompletedRuns(clock, [dict(id='x', status='SUCCESS')]), clock, 'started').action == 'existing'


def test_completed_run_failure_skips_skipped_stages(clock):
    target = CompletedRuns(clock, [])
    outcome = Outcome()
    outcome.record = dict(id='r', status='FAILED', stages=[
        dict(name='Scan', status='SKIPPED', jobs=[]), dict(name='Build', status='COMPLETED', jobs=[]),
        dict(name='Deploy', status='FAILED', jobs=[dict(name='ship', status='ASYNC_FAILED'),
                                                   dict(name='later', status='INIT')])])
    assert judge(outcome, 'finished', target, 30)[0] == "pipeline run r ended FAILED: stage 'Deploy' job 'ship' (ASYNC_FAILED)"
    outcome.record['status'] = 'IGNORED'
    assert judge(outcome, 'finished', target, 30)[0].startswith('pipeline run r ended IGNORED')


def test_judge_reads_stages_from_a_separate_run(clock):
    target = FakeRuns(clock, [])
    outcome = Outcome()
    outcome.record = dict(id=7, status='FAILED')
    detail = dict(stages=[dict(name='Deploy', status='FAIL', jobs=[dict(name='deploy-broken', status='FAIL')])])
    assert judge(outcome, 'finished', target, 3, run=detail) == (
        "pipeline run 7 ended FAILED: stage 'Deploy' job 'deploy-broken' (FAIL)",
        dict(failing_stage='Deploy', failing_job='deploy-broken'))
    outcome.record['status'] = 'RUNNING'
    assert judge(outcome, 'finished', target, 3, run=detail) == (None, {})


# --- options --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('name, value', [
    ('poll_interval', 0), ('poll_interval', -1), ('poll_interval', None), ('poll_interval', 'x'),
    ('poll_interval', True), ('poll_interval', float('nan')), ('poll_interval', float('inf')),
    ('wait_timeout', -1), ('wait_timeout', None), ('wait_timeout', '5'), ('wait_timeout', float('inf')),
])
def test_bad_wait_options_fail_before_any_request(clock, name, value):
    params = dict(wait_timeout=10, poll_interval=2)
    params[name] = value
    with pytest.raises(OptionError) as err:
        validate_wait(params)
    assert str(err.value).startswith('%s must be a number of seconds, ' % name) and repr(value) in str(err.value)
    target = FakeRuns(clock, [dict(id=1, status='RUNNING')])
    with pytest.raises(OptionError):
        ensure(target, clock, 'finished', **params)
    assert target.calls == []


def test_good_wait_options():
    opts = validate_wait(dict(wait=True, wait_timeout=0, poll_interval=0.5))
    assert (opts.wait, opts.timeout, opts.interval) == (True, 0, 0.5)
    assert validate_wait(dict(wait_timeout=1800, poll_interval=5.0)).wait is False


def test_check_wait_options_ends_the_module():
    class Module:
        params = dict(wait=True, wait_timeout=-5, poll_interval=1)

        def fail_json(self, msg):
            raise SystemExit(msg)
    with pytest.raises(SystemExit, match=r'wait_timeout must be a number of seconds, 0 or more \(got -5\)'):
        _engine.check_wait_options(Module())
    Module.params = dict(wait_timeout=5, poll_interval=1)
    assert _engine.check_wait_options(Module()).timeout == 5


def test_state_and_run_id_are_checked_before_any_request(clock):
    target = FakeRuns(clock, [])
    with pytest.raises(OptionError, match="state must be one of started, finished, canceled"):
        ensure(target, clock, 'present')
    with pytest.raises(OptionError, match='only used with state=canceled'):
        ensure(target, clock, 'started', run_id=3)
    assert target.calls == []


def test_ensure_from_params_and_argument_spec(clock):
    spec = _engine.run_state_argument_spec('execution_number', 'str')
    assert spec['state']['choices'] == ['started', 'finished', 'canceled'] and spec['execution_number'] == dict(type='str')
    assert spec['wait']['default'] is False and 'poll_interval' in spec and 'wait_timeout' in spec
    params = dict(state='canceled', force=False, skip_if_succeeded=False, execution_number=1, wait=False,
                  wait_timeout=10, poll_interval=1)
    target = FakeRuns(clock, [dict(id=1, status='RUNNING')])
    outcome = ensure_from_params(target, params, id_option='execution_number', sleep=clock.sleep, clock=clock)
    assert outcome.stopped == [1]
    target = FakeRuns(clock, [dict(id=1, status='RUNNING')])
    assert ensure_from_params(target, params, check_mode=True, id_option='execution_number').action == 'would_stop'
    assert target.acting() == []
    seen = list(target.calls)
    with pytest.raises(OptionError, match=r'^execution_number is only used with state=canceled \(got state=finished\)$'):
        ensure_from_params(target, dict(params, state='finished'), id_option='execution_number')
    assert target.calls == seen  # refused before any request


# --- status tables and steps -----------------------------------------------------------------------------------------

@pytest.mark.parametrize('value, key', [
    (None, None), ('', None), ('  ', None), (' fail ', 'FAIL'), ('3', 3), (3, 3), (3.0, 3), (True, 'TRUE'), (2.5, 2.5),
])
def test_norm(value, key):
    assert norm(value) == key


def test_table_kinds_and_predicates():
    assert [TEXT.kind(s) for s in ('success', 'FAIL', 'Canceled', 'WAITING', 'SKIPPED', 'NEW', None)] == [
        'success', 'failure', 'canceled', 'waiting', 'skipped', 'live', 'live']
    assert TEXT.live('WAITING') and TEXT.live(None) and not TEXT.live('FAIL')
    assert TEXT.terminal('SKIPPED') and not TEXT.terminal('RUNNING') and TEXT.succeeded('success')
    assert NUMERIC.kind(1) == 'idle' and NUMERIC.settled(1) and not NUMERIC.terminal(1) and not NUMERIC.live('1')
    assert NUMERIC.kind(True) == 'live'  # a boolean is never taken for the code 1
    assert NUMERIC.statuses('idle') == frozenset([1, 11]) and TEXT.statuses('failure') == frozenset(['FAIL', 'FAILED'])


def test_table_labels_and_duplicates():
    assert NUMERIC.label(4) == "'releasing' (4)" and NUMERIC.label(42) == '42' and NUMERIC.label(None) == 'unknown (no status)'
    assert TEXT.label('Fail') == 'Fail'
    with pytest.raises(ValueError, match="'FAIL' is declared both failure and canceled"):
        StatusTable(failure=('fail',), canceled=('FAIL',))


def stages(*spec):
    return [dict(name=name, status=status, jobs=[dict(name=j, status=s) for j, s in jobs]) for name, status, jobs in spec]


def test_failing_step_order():
    run = dict(stages=stages(('Build', 'SUCCESS', [('b', 'SUCCESS')]), ('Deploy', 'CANCELED', [('d', 'CANCELED')]),
                             ('Test', 'FAIL', [('u', 'FAIL')])))
    assert failing_step(run, TEXT) == ('Test', 'u', 'FAIL')
    assert failing_step(dict(stages=stages(('Deploy', 'CANCELED', [('d', 'CANCELED')]))), TEXT) == ('Deploy', 'd', 'CANCELED')
    assert failing_step(dict(stages=stages(('Build', 'FAIL', []))), TEXT) == ('Build', None, 'FAIL')
    assert failing_step(dict(stages=stages(('Ok', 'SUCCESS', []), ('Odd', 'BROKEN', []))), TEXT) == ('Odd', None, 'BROKEN')
    assert failing_step(dict(stages=[None, 'x', dict(name='n', status=None)]), TEXT) == (None, None, None)
    assert failing_step({}, TEXT) == (None, None, None) and failing_step(None, TEXT) == (None, None, None)


def test_current_step_and_waiting():
    gated = dict(status='RUNNING', stages=stages(('Build', 'RUNNING', [('c', 'RUNNING')]), ('Gate', 'RUNNING', [('a', 'WAITING')])))
    assert current_step(gated, TEXT_STEPS) == ('Gate', 'a', 'WAITING') and is_waiting(gated, TEXT, TEXT_STEPS)
    running = dict(status='RUNNING', stages=stages(('B', 'RUNNING', [('x', 'SUCCESS'), ('y', 'INIT'), ('z', 'RUNNING')])))
    assert current_step(running, TEXT_STEPS) == ('B', 'z', 'RUNNING') and not is_waiting(running, TEXT, TEXT_STEPS)
    assert current_step(dict(stages=stages(('B', 'INIT', [('y', 'INIT')]))), TEXT_STEPS) == (None, None, None)
    assert current_step(dict(stages=stages(('Solo', 'RUNNING', []))), TEXT_STEPS) == ('Solo', None, 'RUNNING')
    assert is_waiting(dict(status='WAITING'), TEXT) and not is_waiting({}, TEXT)


def test_describe_step():
    assert describe_step(('Test', 'unit', 'FAIL')) == "stage 'Test' job 'unit' (FAIL)"
    assert describe_step(('Test', None, None)) == "stage 'Test'"
    assert describe_step((None, 'j', 0)) == "job 'j' (0)"
    assert describe_step((None, None, 'X')) == ''


def test_run_target_defaults():
    class Listed(RunTarget):
        def __init__(self, runs):
            self.runs = runs

        def list(self):
            return self.runs
    target = Listed([dict(id=1, status='RUNNING')])
    assert target.describe(1) == 'run 1' and target.step_table() is target.statuses
    assert target.id_of(dict(id=4)) == 4 and target.status_of(dict(status='X')) == 'X'
    assert target.reusable(dict(id=1)) is None and target.adopt(target.runs) is None
    target.runs = [dict(id=3), dict(id=2), dict(id=1)]
    assert target.adopt([dict(id=1)]) == dict(id=2)
    assert Started(1).queued is False and Started(1).message is None
