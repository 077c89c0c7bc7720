# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""stage_review on every gate kind of both clouds, against the emulator (targets/stage_review/gates_*.yml)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import time

import pytest
import requests

from conftest import FIXTURE, assert_no_secrets

DECISIONS = ('AcceptManualReview', 'RejectManualReview', 'AcceptCheckpoint', 'RejectCheckpoint', 'AcceptDelayJob',
             'RejectDelayJob', 'PassPipelineValidate', 'RefusePipelineValidate', 'PassReleaseStagePipelineValidate',
             'RefuseReleaseStagePipelineValidate')
TOKEN = {'x-yunxiao-token': FIXTURE['yunxiao_token']}
FLOW = '/oapi/v1/flow/organizations/%s/pipelines/%%s' % FIXTURE['org_id']
STAGE = '/oapi/v1/appstack/organizations/%s/apps/demo-app/releaseWorkflows/wf-0001/releaseStages/%%s' % FIXTURE['org_id']


def decisions(emu):
    return [e for e in emu.log if e.get('operation') in DECISIONS]


def _waiting(run):
    run = run.get('pipelineRun', run)
    return any(job.get('actions') for stage in run.get('stages') or [] for job in stage['stageInfo']['jobs'])


def start_flow(emu, pipeline_id, gates=1):
    """Start a Flow run (token API) and wait until its validation jobs wait; returns the run id."""
    run_id = requests.post(emu.url + FLOW % pipeline_id + '/runs', headers=TOKEN, json={}, timeout=10).json()
    for _attempt in range(200):
        if _waiting(requests.get(emu.url + FLOW % pipeline_id + '/runs/%s' % run_id, headers=TOKEN, timeout=10).json()):
            return run_id
        time.sleep(0.05)
    raise AssertionError('the Flow run never reached its gate')


def start_stage(emu, stage):
    """Execute an AppStack release stage (token API) and wait until its gate waits; returns the execution number."""
    number = requests.post(emu.url + STAGE % stage + ':execute', headers=TOKEN, json={'params': {}}, timeout=10).json()['pipelineRunId']
    for _attempt in range(200):
        if _waiting(requests.get(emu.url + STAGE % stage + '/executions/%s:getPipelineRun' % number, headers=TOKEN,
                                 timeout=10).json()):
            return number
        time.sleep(0.05)
    raise AssertionError('the execution never reached its gate')


CODEARTS = {
    'manual_review': (dict(pipeline_id='c0000000000000000000000000000003', comment='gate test'), 'AcceptManualReview',
                      ('Review', 'Approval', 'manual-review')),
    'checkpoint': (dict(pipeline_id='c0000000000000000000000000000004', stage_name='Deploy'), 'AcceptCheckpoint',
                   ('Deploy', None, 'manual-checkpoint')),
    'delay': (dict(pipeline_id='c0000000000000000000000000000005', gate_kind='delay'), 'AcceptDelayJob',
              ('Release', 'delayed-release', 'delay')),
    'old_review_task': (dict(pipeline_id='a0000000000000000000000000000003'), 'AcceptManualReview',
                        ('Review', 'Approval', 'manual-review')),
}


def _refused(operation):
    return operation.replace('Accept', 'Reject').replace('Pass', 'Refuse')


@pytest.mark.parametrize('job_status', ['RUNNING', 'PAUSED'])
@pytest.mark.parametrize('decision', ['pass', 'refuse'])
@pytest.mark.parametrize('kind', sorted(CODEARTS))
def test_codearts_gate_decided_once(playbook, emu, kind, decision, job_status):
    emu.set_switches(**{'huawei.codearts.gate_job_status': job_status})
    gate, operation, names = CODEARTS[kind]
    run = playbook('stage_review/gates_decide.yml', extra_vars=dict(gate=gate, decision=decision))
    assert run.rc == 0, run
    first, again = run.saved('gates')['first'], run.saved('gates')['again']
    assert not first.get('failed'), first
    assert first['changed'] and first['action'] == 'decided' and first['cloud'] == 'huawei'
    assert (first['gate']['stage'], first['gate']['job'], first['gate']['step']) == names
    assert first['gate']['status_before'] == 'RUNNING' and first['gate']['status_after'] in ('COMPLETED', 'FAILED')
    assert first['run_status'] in (('RUNNING', 'COMPLETED') if decision == 'pass' else ('FAILED',))
    acts = decisions(emu)
    assert [e['operation'] for e in acts] == [operation if decision == 'pass' else _refused(operation)]
    assert not again['changed'] and 'already decided' in again['msg'] or 'the run ended' in again['msg'], again
    assert again['gate']['status_after'] == first['gate']['status_after']
    assert_no_secrets(run.output)


FLOW_CASES = {
    'flow_token': (dict(pipeline_id='1003', job_name='approve'), ('Approve', 'approve'), 'flow', 1003),
    'flow_pop': (dict(pipeline_id='1003', job_name='approve', api='openapi'), ('Approve', 'approve'), 'flow', 1003),
    'appstack_token': (dict(app_name='demo-app', release_workflow_sn='wf-0001', release_stage_sn='stage-prod', job_name='validate'),
                       ('Validate', 'validate'), 'appstack', 'stage-prod'),
    'appstack_pop': (dict(app_name='demo-app', release_workflow_sn='wf-0001', release_stage_sn='stage-prod', api='openapi',
                          job_name='validate'), ('Validate', 'validate'), 'appstack', 'stage-prod'),
}


def _start(emu, service, where):
    return start_flow(emu, where) if service == 'flow' else start_stage(emu, where)


@pytest.mark.parametrize('decision', ['pass', 'refuse'])
@pytest.mark.parametrize('case', sorted(FLOW_CASES))
def test_alibaba_validation_decided_once(playbook, emu, case, decision):
    gate, names, service, where = FLOW_CASES[case]
    run_id = _start(emu, service, where)
    run = playbook('stage_review/gates_decide.yml', extra_vars=dict(gate=gate, decision=decision))
    assert run.rc == 0, run
    first, again = run.saved('gates')['first'], run.saved('gates')['again']
    assert not first.get('failed'), first
    assert first['changed'] and first['cloud'] == 'alibaba' and first['service'] == service
    assert str(first['run_id']) == str(run_id) and first['gate']['kind'] == 'validation'
    assert (first['gate']['stage'], first['gate']['job']) == names
    assert first['gate']['status_before'] == 'WAITING'
    acts = decisions(emu)
    assert len(acts) == 1 and ('Refuse' in acts[0]['operation']) == (decision == 'refuse')
    assert not again['changed'] and again['gate']['state'] in ('decided', 'run_ended'), again
    assert_no_secrets(run.output)


@pytest.mark.parametrize('case', ['codearts', 'flow', 'appstack'])
def test_several_pending_fail_listing_them(playbook, emu, case):
    if case == 'codearts':
        gate, listed = dict(pipeline_id='c0000000000000000000000000000006'), ('qa-review', 'ops-review')
    elif case == 'flow':
        start_flow(emu, 1005)
        gate, listed = dict(pipeline_id='1005'), ('validate-qa', 'validate-ops')
    else:
        start_stage(emu, 'stage-two-gates')
        gate, listed = dict(app_name='demo-app', release_workflow_sn='wf-0001', release_stage_sn='stage-two-gates'), (
            'validate-qa', 'validate-ops')
    run = playbook('stage_review/gates_decide.yml', extra_vars=dict(gate=gate, decision='pass', once=True))
    assert run.rc == 0, run
    first = run.saved('gates')['first']
    assert first['failed'] and '2 gates of' in first['msg'] and all(name in first['msg'] for name in listed), first
    assert decisions(emu) == []


def test_two_gates_decided_one_by_one(playbook, emu):
    for name in ('approve-qa', 'approve-ops'):
        run = playbook('stage_review/gates_decide.yml', extra_vars=dict(
            gate=dict(pipeline_id='c0000000000000000000000000000006', job_name=name), decision='pass'))
        assert run.rc == 0, run
        first, again = run.saved('gates')['first'], run.saved('gates')['again']
        assert first['changed'] and first['gate']['job'] == name and not again['changed'], (first, again)
    assert len(decisions(emu)) == 2


def test_not_pending_gates(playbook, emu):
    # A gate not reached yet (a step named by step_name counts as a gate; Deploy has not started), a run with no
    # gate, a pipeline that never ran: no change, and nothing sent.
    run = playbook('stage_review/gates_decide.yml', extra_vars=dict(
        gate=dict(pipeline_id='c0000000000000000000000000000003', step_name='deploy'), decision='pass', once=True))
    first = run.saved('gates')['first']
    assert not first.get('failed') and not first['changed'], first
    assert first['gate']['state'] == 'not_reached' and 'not reached yet' in first['msg']
    run = playbook('stage_review/gates_decide.yml', extra_vars=dict(
        gate=dict(pipeline_id='a0000000000000000000000000000001'), decision='pass', once=True))
    first = run.saved('gates')['first']
    assert not first['changed'] and first['gate'] is None and 'no manual review step waits' in first['msg']
    run = playbook('stage_review/gates_decide.yml', extra_vars=dict(
        gate=dict(pipeline_id='1001'), decision='pass', once=True))
    first = run.saved('gates')['first']
    assert not first.get('failed') and not first['changed'] and 'never run' in first['msg'], first
    assert decisions(emu) == []


@pytest.mark.parametrize('case', ['codearts_checkpoint', 'flow', 'appstack'])
def test_check_mode_sends_no_decision(playbook, emu, case):
    if case == 'codearts_checkpoint':
        gate = dict(pipeline_id='c0000000000000000000000000000004')
    elif case == 'flow':
        start_flow(emu, 1003)
        gate = dict(pipeline_id='1003')
    else:
        start_stage(emu, 'stage-prod')
        gate = dict(app_name='demo-app', release_workflow_sn='wf-0001', release_stage_sn='stage-prod')
    run = playbook('stage_review/gates_decide.yml', extra_vars=dict(gate=gate, decision='refuse', once=True), check=True)
    assert run.rc == 0, run
    first = run.saved('gates')['first']
    assert first['changed'] and first['action'] == 'would_decide' and first['gate']['pending'], first
    assert decisions(emu) == [] and not [e for e in emu.log if e.get('acted') and e['method'] != 'GET'
                                         and 'execute' not in e['path'] and not e['path'].endswith('/runs')]


@pytest.mark.parametrize('case', ['codearts_delay', 'flow', 'appstack'])
def test_lost_answer_is_adopted_not_resent(playbook, emu, case):
    if case == 'codearts_delay':
        gate, path = dict(pipeline_id='c0000000000000000000000000000005'), r'/delay-pass$'
    elif case == 'flow':
        start_flow(emu, 1003)
        gate, path = dict(pipeline_id='1003', job_name='approve'), r'/jobs/[0-9]+/pass$'
    else:
        start_stage(emu, 'stage-prod')
        gate = dict(app_name='demo-app', release_workflow_sn='wf-0001', release_stage_sn='stage-prod', job_name='validate')
        path = r'passPipelineValidate'
    emu.add_fault(method='POST', path=path, kind='act_then_drop', times=1)
    run = playbook('stage_review/gates_decide.yml', extra_vars=dict(gate=gate, decision='pass'))
    assert run.rc == 0, run
    first, again = run.saved('gates')['first'], run.saved('gates')['again']
    assert not first.get('failed'), first
    assert first['changed'] and first['adopted'] and first['action'] == 'adopted'
    assert first['response']['adopted_status'] == first['gate']['status_after']
    assert len(decisions(emu)) == 1 and not again['changed']
