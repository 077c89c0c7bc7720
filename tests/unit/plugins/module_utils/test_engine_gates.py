# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The run engine and gates: ``stop_at_gate`` (wait_until: gate) and timeout messages naming the gate."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._engine import (
    OptionError,
    Outcome,
    RunTarget,
    ensure_from_params,
    ensure_run,
    judge,
)
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._gates import gate
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._status import StatusTable

RUNS = StatusTable(success=('SUCCESS',), failure=('FAIL',), canceled=('CANCELED',), waiting=('WAITING',))
STEPS = StatusTable(success=('SUCCESS',), failure=('FAIL',), canceled=('CANCELED',), waiting=('WAITING',),
                    idle=('INIT',))


class Clock:
    def __init__(self):
        self.now = 0.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


class PlainRuns(RunTarget):
    """One live run 1: its job 'approve' starts WAITING at ``gate_at`` fake seconds (None: never); the run
    ends ``final`` at ``ends`` (None: never). No ``gates``: the engine knows no gate of it."""

    kind = 'pipeline run'
    statuses = RUNS
    step_statuses = STEPS

    def __init__(self, clock, gate_at=None, ends=None, final='SUCCESS'):
        self.clock = clock
        self.gate_at = gate_at
        self.ends = ends
        self.final = final
        self.calls = []

    def _record(self):
        now = self.clock.now
        if self.ends is not None and now >= self.ends:
            return dict(id=1, status=self.final, stages=[dict(name='Deploy', status=self.final, jobs=[
                dict(id=7, name='approve', status='SUCCESS')])])
        waiting = self.gate_at is not None and now >= self.gate_at
        job = 'WAITING' if waiting else 'RUNNING'
        return dict(id=1, status='RUNNING', stages=[dict(name='Deploy', status='RUNNING', jobs=[
            dict(id=7, name='approve', status=job)])])

    def list(self):
        self.calls.append('list')
        return [self._record()]

    def get(self, run_id):
        self.calls.append('get')
        return self._record()

    def start(self):  # pragma: no cover - a run is always live
        raise AssertionError('no start expected')

    def stop(self, record):  # pragma: no cover
        raise AssertionError('no stop expected')


class GatedRuns(PlainRuns):
    """``PlainRuns`` whose ``gates`` reports the WAITING job as a validation gate."""

    def gates(self, run):
        found = []
        for stage in run['stages']:
            for job in stage['jobs']:
                if job['status'] == 'WAITING':
                    found.append(gate('validation', stage['name'], job['name'], None,
                                      ids=dict(run_id=run['id'], job_id=job['id']), status=job['status'], table=STEPS))
        return found


@pytest.fixture
def clock():
    return Clock()


def test_stop_at_gate_returns_at_the_gate(clock):
    target = GatedRuns(clock, gate_at=4)
    outcome = ensure_run(target, 'finished', wait_timeout=60, poll_interval=2, sleep=clock.sleep, clock=clock,
                         stop_at_gate=True)
    assert not outcome.timed_out and outcome.at_gate and clock.now == 4
    assert outcome.gate['kind'] == 'validation' and outcome.gate['job'] == 'approve'
    assert outcome.gate['ids'] == dict(run_id=1, job_id=7) and outcome.gate['pending'] is True
    msg, extras = judge(outcome, 'finished', target, 60)
    assert msg is None and extras == dict(gate=outcome.gate, at_gate=True)


def test_stop_at_gate_at_the_first_read(clock):
    target = GatedRuns(clock, gate_at=0)
    outcome = ensure_run(target, 'started', wait=True, wait_timeout=60, poll_interval=2, sleep=clock.sleep,
                         clock=clock, stop_at_gate=True)
    assert outcome.action == 'existing' and outcome.at_gate and clock.slept == []


def test_stop_at_gate_run_ending_first_is_judged_as_usual(clock):
    target = GatedRuns(clock, ends=3, final='FAIL')
    outcome = ensure_run(target, 'finished', wait_timeout=60, poll_interval=2, sleep=clock.sleep, clock=clock,
                         stop_at_gate=True)
    assert not outcome.at_gate and outcome.gate is None
    msg, extras = judge(outcome, 'finished', target, 60)
    assert msg.startswith('pipeline run 1 ended FAIL') and 'gate' not in extras


def test_without_stop_at_gate_the_wait_goes_on_and_the_timeout_names_the_gate(clock):
    target = GatedRuns(clock, gate_at=2)
    outcome = ensure_run(target, 'finished', wait_timeout=6, poll_interval=2, sleep=clock.sleep, clock=clock)
    assert outcome.timed_out and not outcome.at_gate and clock.now == 6
    msg, extras = judge(outcome, 'finished', target, 6)
    assert msg == ("timed out after 6s waiting for pipeline run 1 to end; last status RUNNING, at stage 'Deploy' "
                   "job 'approve' (WAITING); it waits at a gate: validation at stage 'Deploy' job 'approve' "
                   "(WAITING, pending)")
    assert extras == {}


def test_stop_at_gate_times_out_when_no_gate_is_reached(clock):
    target = GatedRuns(clock)
    outcome = ensure_run(target, 'finished', wait_timeout=4, poll_interval=2, sleep=clock.sleep, clock=clock,
                         stop_at_gate=True)
    assert outcome.timed_out and outcome.gate is None
    assert judge(outcome, 'finished', target, 4)[0] == (
        "timed out after 4s waiting for pipeline run 1 to end; last status RUNNING, at stage 'Deploy' job 'approve' "
        "(RUNNING)")


def test_a_target_without_gates_never_stops_early(clock):
    target = PlainRuns(clock, gate_at=0)
    outcome = ensure_run(target, 'finished', wait_timeout=4, poll_interval=2, sleep=clock.sleep, clock=clock,
                         stop_at_gate=True)
    assert outcome.timed_out and outcome.gate is None
    msg = judge(outcome, 'finished', target, 4)[0]
    assert msg.endswith("at stage 'Deploy' job 'approve' (WAITING)") and 'waits at a gate' not in msg


@pytest.mark.parametrize('params, error', [
    (dict(state='finished', wait_until='soon'), 'wait_until must be one of end, gate'),
    (dict(state='canceled', wait_until='gate'), 'wait_until=gate is only used with state=started or state=finished'),
])
def test_wait_until_option_errors(clock, params, error):
    params = dict(dict(wait=False, wait_timeout=5, poll_interval=1), **params)
    with pytest.raises(OptionError, match=error):
        ensure_from_params(GatedRuns(clock), params)


def test_wait_until_option_reaches_the_engine(clock):
    params = dict(state='finished', wait=False, wait_timeout=30, poll_interval=1, wait_until='gate')
    outcome = Outcome()
    ensure_from_params(GatedRuns(clock, gate_at=2), params, outcome=outcome, sleep=clock.sleep, clock=clock)
    assert outcome.at_gate and clock.now == 2


class EndedRuns(PlainRuns):
    """Run 1 ended ``final`` already (nothing live)."""

    def _record(self):
        return dict(id=1, status=self.final, stages=[])


@pytest.mark.parametrize('final, failed', [('SUCCESS', False), ('FAIL', True)])
def test_start_new_false_follows_the_newest_run_and_starts_none(clock, final, failed):
    target = EndedRuns(clock, final=final)
    outcome = ensure_run(target, 'finished', sleep=clock.sleep, clock=clock, start_new=False)
    assert outcome.action == 'none' and not outcome.changed and outcome.record['status'] == final
    assert (judge(outcome, 'finished', target, 5)[0] is not None) is failed


def test_start_new_false_waits_for_the_live_run(clock):
    target = GatedRuns(clock, ends=4)
    outcome = ensure_run(target, 'finished', wait_timeout=10, poll_interval=2, sleep=clock.sleep, clock=clock,
                         start_new=False)
    assert outcome.action == 'existing' and outcome.record['status'] == 'SUCCESS' and clock.now == 4


def test_start_new_false_without_any_run(clock):
    target = EndedRuns(clock)
    target.list = lambda: []
    outcome = ensure_run(target, 'finished', sleep=clock.sleep, clock=clock, start_new=False)
    assert outcome.action == 'none' and outcome.record is None
    assert judge(outcome, 'finished', target, 5) == (None, {})
