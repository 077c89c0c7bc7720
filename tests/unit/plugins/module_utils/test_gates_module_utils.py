# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Gates (_gates): building, selecting and deciding them against an in-memory pipeline."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy

import pytest

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._engine import OptionError, RunTarget
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._gates import (
    at_gate,
    decide_gate,
    gate,
    gate_note,
    gate_summary,
    select_gate,
    waiting_gate,
)
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._http import ApiError
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._status import StatusTable

RUNS = StatusTable(success=('COMPLETED',), failure=('FAILED',), canceled=('CANCELED', 'IGNORED'), waiting=('PAUSED', 'SUSPEND'))
STEPS = StatusTable(success=('COMPLETED',), failure=('FAILED',), canceled=('CANCELED',), skipped=('SKIPPED', 'IGNORED'),
                    waiting=('PAUSED', 'SUSPEND'), idle=('INIT', 'QUEUED'))


def step(step_id, name, status='RUNNING', kind='manual_review', **extra):
    return dict(dict(id=step_id, name=name, status=status, gate=kind), **extra)


def run(run_id, status, *stages):
    """A run detail: ``stages`` are ``(stage name, job name, [steps])``."""
    return dict(id=run_id, status=status, stages=[
        dict(name=s, jobs=[dict(id='job-%s' % j, name=j, steps=steps)]) for s, j, steps in stages])


class FakePipeline(RunTarget):
    """Runs of one pipeline in memory, newest first. Steps with a ``gate`` key are gates.

    ``effects`` is consumed one per decide(): 'ok'; 'lost' (decided, answer lost); 'lost_nothing' (answer
    lost, nothing happened); 'raced' (someone else passed the gate first, then the server refuses ours);
    'forbidden' (refused, the gate still waits).
    """

    kind = 'pipeline run'
    statuses = RUNS

    def __init__(self, runs, effects=('ok',)):
        self.runs = runs
        self.effects = list(effects)
        self.calls = []

    def decisions(self):
        return [c for c in self.calls if c[0] == 'decide']

    def run(self, run_id):
        self.calls.append(('run', run_id))
        if not self.runs:
            return None
        found = self.runs[0] if run_id is None else next(r for r in self.runs if r['id'] == run_id)
        return copy.deepcopy(found)

    def gates(self, record):
        found = []
        for stage in record['stages']:
            for job in stage['jobs']:
                for item in job['steps']:
                    if 'gate' in item:
                        found.append(gate(item['gate'], stage['name'], job['name'], item['name'],
                                          ids=dict(run_id=record['id'], job_id=job['id'], step_id=item['id']),
                                          status=item['status'], table=STEPS, decided_by=item.get('by')))
        return found

    def _step(self, ids):
        record = next(r for r in self.runs if r['id'] == ids['run_id'])
        for stage in record['stages']:
            for job in stage['jobs']:
                for item in job['steps']:
                    if item['id'] == ids['step_id']:
                        return record, item
        raise AssertionError('no step %s' % ids)

    def decide(self, target_gate, decision, comment):
        self.calls.append(('decide', target_gate['ids']['step_id'], decision, comment))
        effect = self.effects.pop(0) if self.effects else 'ok'
        if effect == 'lost_nothing':
            raise ApiError('read timed out', uncertain=True, retryable=True)
        if effect == 'forbidden':
            raise ApiError('not an approver', status=403, code='DEVPIPE.403')
        record, item = self._step(target_gate['ids'])
        by = 'someone else' if effect == 'raced' else 'ansible'
        item.update(status='COMPLETED' if decision == 'pass' or effect == 'raced' else 'FAILED', by=by)
        record['status'] = 'FAILED' if decision == 'refuse' and effect != 'raced' else 'RUNNING'
        if effect == 'raced':
            raise ApiError('the review was already handled', status=400, code='DEVPIPE.00011')
        if effect == 'lost':
            raise ApiError('connection reset', uncertain=True, retryable=True)
        return dict(success=True)


def decide(target, decision='pass', **selector):
    slept = []
    outcome = decide_gate(target, selector, decision, comment=selector.pop('comment', None),
                          check_mode=selector.pop('check_mode', False), sleep=slept.append)
    return outcome


def two_pending():
    return FakePipeline([run('r1', 'RUNNING',
                             ('Build', 'approve', [step('s1', 'review')]),
                             ('Deploy', 'gate', [step('s2', 'entry', kind='checkpoint')]))])


# --- building and describing gates ---------------------------------------------------------------------------

def test_gate_state_follows_the_step_table():
    assert gate('manual_review', status='RUNNING', table=STEPS)['state'] == 'pending'
    assert gate('manual_review', status='NEW_VALUE', table=STEPS)['pending'] is True   # unknown: not terminal
    assert gate('delay', status='COMPLETED', table=STEPS)['state'] == 'decided'
    assert gate('checkpoint', status='INIT', table=STEPS)['state'] == 'not_reached'
    # A backend that knows better (the server offers the pass action) says so.
    assert gate('validation', status='RUNNING', pending=True)['pending'] is True
    assert gate('validation', status='RUNNING', table=STEPS, pending=False)['state'] == 'not_reached'
    assert gate('validation', status='SUCCESS', table=StatusTable(success=('SUCCESS',)), pending=False)['state'] == 'decided'


def test_gate_rejects_unknown_kind_and_missing_evidence():
    with pytest.raises(ValueError, match='gate kind'):
        gate('approval', table=STEPS)
    with pytest.raises(ValueError, match='pending or the status table'):
        gate('delay')


def test_gate_summary_names_what_a_person_sees():
    item = gate('manual_review', 'Deploy', 'approve', 'review', status='COMPLETED', table=STEPS,
                decided_by='alice', decided_at='2026-11-01T10:00:00Z')
    assert gate_summary(item) == ("manual_review at stage 'Deploy' job 'approve' step 'review' "
                                  "(COMPLETED, decided, by alice, at 2026-11-01T10:00:00Z)")
    assert gate_summary(gate('validation', job='ok?', ids=dict(job_id=7), pending=True)) == "validation at job 'ok?' (pending)"
    assert gate_summary(gate('validation', ids=dict(job_id=7), pending=True)) == 'validation at job_id 7 (pending)'


# --- selecting ------------------------------------------------------------------------------------------------

def test_select_single_pending_without_names():
    gates = [gate('delay', 'A', status='COMPLETED', table=STEPS), gate('checkpoint', 'B', status='RUNNING', table=STEPS)]
    assert select_gate(gates)['stage'] == 'B'


def test_select_returns_none_when_several_exist_and_none_is_pending():
    gates = [gate('delay', 'A', status='COMPLETED', table=STEPS), gate('checkpoint', 'B', status='INIT', table=STEPS)]
    assert select_gate(gates) is None
    assert select_gate(gates, stage='B')['state'] == 'not_reached'


def test_select_names_are_exact_and_case_sensitive():
    gates = [gate('manual_review', 'Deploy', 'approve', 'review', status='RUNNING', table=STEPS)]
    with pytest.raises(OptionError) as err:
        select_gate(gates, stage='deploy', where='run r1')
    assert str(err.value) == ("no gate of run r1 matches stage 'deploy' (names are case-sensitive); its gates: "
                              "manual_review at stage 'Deploy' job 'approve' step 'review' (RUNNING, pending)")


def test_select_raw_ids_compare_as_text():
    gates = [gate('validation', 'S', 'a', ids=dict(job_id=7), pending=True),
             gate('validation', 'S', 'b', ids=dict(job_id=8), pending=True)]
    assert select_gate(gates, ids=dict(job_id='8'))['job'] == 'b'
    with pytest.raises(OptionError, match='matches job_id 9; its gates: '):
        select_gate(gates, ids=dict(job_id=9))


# --- deciding -----------------------------------------------------------------------------------------------

def test_pass_the_one_pending_gate():
    target = FakePipeline([run('r1', 'RUNNING', ('Build', 'compile', [dict(id='x', name='mvn', status='COMPLETED')]),
                               ('Deploy', 'approve', [step('s1', 'review')]))])
    outcome = decide(target, comment='tests are green')
    assert outcome.changed and outcome.action == 'decided' and outcome.decision == 'pass'
    assert target.decisions() == [('decide', 's1', 'pass', 'tests are green')]
    assert outcome.gate['kind'] == 'manual_review' and outcome.gate['stage'] == 'Deploy' and outcome.gate['step'] == 'review'
    assert outcome.gate['ids'] == dict(run_id='r1', job_id='job-approve', step_id='s1')
    assert (outcome.gate['status_before'], outcome.gate['status_after']) == ('RUNNING', 'COMPLETED')
    assert outcome.gate['decided_by'] == 'ansible' and not outcome.gate['pending']
    assert outcome.run_id == 'r1' and outcome.run_status == 'RUNNING' and outcome.response == dict(success=True)
    assert outcome.result()['gate'] is outcome.gate and outcome.msg is None


def test_refuse_ends_the_run():
    target = FakePipeline([run('r1', 'RUNNING', ('Deploy', 'approve', [step('s1', 'review')]))])
    outcome = decide(target, 'refuse')
    assert outcome.changed and target.decisions() == [('decide', 's1', 'refuse', None)]
    assert outcome.gate['status_after'] == 'FAILED' and outcome.run_status == 'FAILED'
    # The same task again: the run ended, the gate was decided -> nothing is sent.
    again = decide(target, 'refuse')
    assert not again.changed and again.action == 'none' and len(target.decisions()) == 1
    assert again.gate['status_before'] == again.gate['status_after'] == 'FAILED' and again.gate['state'] == 'decided'


@pytest.mark.parametrize('run_status, status, by, state, words, reason', [
    ('RUNNING', 'COMPLETED', 'alice', 'decided', '(COMPLETED, decided, by alice)', 'already decided'),
    ('RUNNING', 'INIT', None, 'not_reached', '(INIT, not reached yet)', 'not reached yet'),
    ('CANCELED', 'RUNNING', None, 'run_ended', '(RUNNING, the run ended)', 'the run ended'),
])
def test_gate_not_pending_is_no_change(run_status, status, by, state, words, reason):
    target = FakePipeline([run('r1', run_status, ('Deploy', 'approve', [step('s1', 'review', status, by=by)]))])
    outcome = decide(target)
    assert not outcome.changed and outcome.action == 'none' and target.decisions() == []
    assert outcome.gate['state'] == state and outcome.gate['status_after'] == status
    assert outcome.msg.startswith('the gate is not pending (%s), nothing sent: ' % reason) and outcome.msg.endswith(words)
    assert outcome.run_status == run_status


def test_check_mode_reads_and_sends_nothing():
    target = FakePipeline([run('r1', 'RUNNING', ('Deploy', 'approve', [step('s1', 'review')]))])
    outcome = decide(target, 'refuse', check_mode=True)
    assert outcome.changed and outcome.action == 'would_decide' and target.decisions() == []
    assert outcome.gate['pending'] and outcome.gate['status_before'] == 'RUNNING'
    assert target.runs[0]['stages'][0]['jobs'][0]['steps'][0]['status'] == 'RUNNING'


def test_several_pending_without_a_name_is_an_error_listing_them():
    target = two_pending()
    with pytest.raises(OptionError) as err:
        decide(target)
    assert str(err.value) == (
        "2 gates of pipeline run r1 are pending (1 manual review step, 1 stage-entry checkpoint); "
        "name one with stage_name, job_name or step_name: "
        "manual_review at stage 'Build' job 'approve' step 'review' (RUNNING, pending); "
        "checkpoint at stage 'Deploy' job 'gate' step 'entry' (RUNNING, pending)")
    assert target.decisions() == []


@pytest.mark.parametrize('selector, step_id', [
    (dict(stage='Deploy'), 's2'), (dict(job='approve'), 's1'), (dict(step='entry'), 's2'),
    (dict(stage='Build', job='approve', step='review'), 's1'), (dict(ids=dict(step_id='s2')), 's2'),
])
def test_names_or_raw_ids_select_the_gate(selector, step_id):
    target = two_pending()
    outcome = decide(target, **selector)
    assert target.decisions() == [('decide', step_id, 'pass', None)] and outcome.gate['ids']['step_id'] == step_id
    assert outcome.gate['status_after'] == 'COMPLETED'


def test_unknown_names_list_what_exists():
    target = two_pending()
    with pytest.raises(OptionError) as err:
        decide(target, stage='Deploy', job='approve')
    msg = str(err.value)
    assert msg.startswith("no gate of pipeline run r1 matches stage 'Deploy' job 'approve' (names are case-sensitive); its gates: ")
    assert "stage 'Build' job 'approve' step 'review'" in msg and "stage 'Deploy' job 'gate' step 'entry'" in msg
    assert target.decisions() == []


def test_run_without_gates_and_pipeline_without_runs():
    target = FakePipeline([run('r1', 'RUNNING', ('Build', 'compile', [dict(id='x', name='mvn', status='RUNNING')]))])
    outcome = decide(target)
    assert not outcome.changed and outcome.gate is None and target.decisions() == []
    assert outcome.msg == 'no gate waits for a decision in pipeline run r1 (run status RUNNING)'
    with pytest.raises(OptionError, match='^pipeline run r1 has no gate'):
        select_gate(target.gates(target.run(None)), where='pipeline run r1')
    empty = FakePipeline([])
    outcome = decide(empty)
    assert not outcome.changed and outcome.gate is None
    assert outcome.msg == 'the pipeline has never run, so no gate waits for a decision'


def test_several_gates_none_pending_is_no_change():
    target = FakePipeline([run('r1', 'COMPLETED', ('Build', 'approve', [step('s1', 'review', 'COMPLETED')]),
                               ('Deploy', 'gate', [step('s2', 'entry', 'COMPLETED', kind='checkpoint')]))])
    outcome = decide(target)
    assert not outcome.changed and outcome.gate is None and target.decisions() == []
    assert outcome.msg.startswith('no gate of pipeline run r1 is pending: manual_review at stage ') and outcome.msg.count('decided') == 2


def test_lost_answer_is_read_back_and_adopted():
    target = FakePipeline([run('r1', 'RUNNING', ('Deploy', 'approve', [step('s1', 'review')]))], effects=['lost'])
    outcome = decide(target)
    assert outcome.changed and outcome.action == 'adopted' and len(target.decisions()) == 1
    assert outcome.gate['status_after'] == 'COMPLETED' and outcome.run_status == 'RUNNING'
    assert outcome.response == dict(adopted_status='COMPLETED')


def test_lost_answer_without_evidence_is_not_repeated():
    target = FakePipeline([run('r1', 'RUNNING', ('Deploy', 'approve', [step('s1', 'review')]))], effects=['lost_nothing', 'ok'])
    with pytest.raises(ApiError) as err:
        decide(target)
    assert 'was not sent again' in str(err.value) and err.value.uncertain
    assert len(target.decisions()) == 1
    assert target.runs[0]['stages'][0]['jobs'][0]['steps'][0]['status'] == 'RUNNING'


def test_refused_because_someone_decided_first_is_no_change():
    target = FakePipeline([run('r1', 'RUNNING', ('Deploy', 'approve', [step('s1', 'review')]))], effects=['raced'])
    outcome = decide(target, 'refuse')
    assert not outcome.changed and len(target.decisions()) == 1
    assert outcome.gate['status_before'] == 'RUNNING' and outcome.gate['status_after'] == 'COMPLETED'
    assert outcome.gate['decided_by'] == 'someone else' and 'the server refused the decision' in outcome.msg
    assert 'already handled' in outcome.msg


def test_refused_while_still_pending_raises():
    target = FakePipeline([run('r1', 'RUNNING', ('Deploy', 'approve', [step('s1', 'review')]))], effects=['forbidden'])
    with pytest.raises(ApiError, match='not an approver'):
        decide(target)
    assert len(target.decisions()) == 1


def test_latest_run_by_default_or_the_run_named():
    target = FakePipeline([run('r2', 'RUNNING', ('Deploy', 'approve', [step('s2', 'review')])),
                           run('r1', 'RUNNING', ('Deploy', 'approve', [step('s1', 'review')]))])
    outcome = decide(target)
    assert outcome.run_id == 'r2' and target.decisions() == [('decide', 's2', 'pass', None)]
    assert target.calls[0] == ('run', None) and target.calls[-1] == ('run', 'r2')   # read back by id, not "latest"
    older = decide(target, run_id='r1')
    assert older.run_id == 'r1' and older.changed and target.decisions()[-1] == ('decide', 's1', 'pass', None)
    assert ('run', None) not in target.calls[3:]


def test_decision_must_be_pass_or_refuse():
    target = two_pending()
    with pytest.raises(OptionError, match="decision must be one of pass, refuse"):
        decide(target, 'delay-pass')
    assert target.calls == []


# --- waiting ------------------------------------------------------------------------------------------------

def test_at_gate_for_waits():
    target = two_pending()
    record = target.run(None)
    assert at_gate(target, record)['step'] == 'review'
    assert gate_note(target, record) == "; it waits at a gate: manual_review at stage 'Build' job 'approve' step 'review' (RUNNING, pending)"
    ended = run('r9', 'CANCELED', ('Deploy', 'approve', [step('s9', 'review')]))
    assert at_gate(target, ended) is None and gate_note(target, ended) == ''
    assert at_gate(object(), record) is None and at_gate(target, None) is None
    assert waiting_gate([]) is None


def test_kind_filter_narrows_the_choice():
    target = two_pending()
    outcome = decide(target, kind='checkpoint')
    assert target.decisions() == [('decide', 's2', 'pass', None)] and outcome.gate['kind'] == 'checkpoint'
    nothing = decide(two_pending(), kind='delay')
    assert not nothing.changed and nothing.msg.startswith('no gate waits for a decision in pipeline run r1')
