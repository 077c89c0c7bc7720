# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""pipeline_action on CodeArts runs, Flow jobs and AppStack execution jobs, at the HTTP layer (fake_http):
the target choice, exact calls, read-first no-ops, check mode and lost answers."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
import requests

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._action_targets import choose_backend
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._engine import OptionError
from ansible_collections.devops_cloud.pipelines.plugins.modules import pipeline_action

PROJECT = '0f1e2d3c4b5a69788796a5b4c3d2e1f0'
CPID = 'c0000000000000000000000000000002'
RUN = 'r' * 31 + '1'
HW_TOKEN = 'hw-unit-token-secret-0001'
P = r'/v5/%s/api/pipelines/%s' % (PROJECT, CPID)
ORG = '60d54f3daccf2bbd6659f3ad'
FPID = 1002
YX_TOKEN = 'pt-unit-token-secret-0001'
AK, SK = 'LTAIUNIT0000000000001', 'ali-unit-secret-0001'
POP_RUN = r'/organization/%s/pipelines/%s/pipelineRuns/7' % (ORG, FPID)
TOK = r'/oapi/v1/flow/organizations/%s/pipelines/%s' % (ORG, FPID)
STAGE = '/apps/demo-app/releaseWorkflows/wf-0001/releaseStages/stage-broken'
APP_TOK = '/oapi/v1/appstack/organizations/%s%s' % (ORG, STAGE)


def hw(**kwargs):
    base = dict(pipeline_id=CPID, project_id=PROJECT, auth_token=HW_TOKEN, endpoint='https://hw.example.test',
                wait=False, poll_interval=1.0, wait_timeout=60)
    base.update(kwargs)
    return base


def pop(**kwargs):
    base = dict(organization_id=ORG, access_key_id=AK, access_key_secret=SK,
                alibaba_endpoint='https://devops.example.test', pipeline_id=str(FPID), run_id='7',
                job_name='unit-test', wait=False, poll_interval=1.0, wait_timeout=60)
    base.update(kwargs)
    return base


def tok(**kwargs):
    base = pop(**kwargs)
    for name in ('access_key_id', 'access_key_secret', 'alibaba_endpoint'):
        base.pop(name)
    base.update(yunxiao_token=YX_TOKEN, yunxiao_base_url='https://yx.example.test')
    base.update(kwargs)
    return base


def cdetail(status, job_status='FAILED', step_status='FAILED'):
    return dict(status=200, json={
        'id': RUN, 'pipeline_id': CPID, 'status': status, 'run_number': 3, 'start_time': 1735689600000,
        'stages': [{'id': 's1', 'name': 'Test', 'status': job_status, 'pre': [], 'post': [],
                    'jobs': [{'id': 'j1', 'name': 'hold', 'status': job_status,
                              'steps': [{'id': 'st1', 'name': 'pause', 'status': step_status}]}]}]})


def clist(status):
    return dict(status=200, json={'offset': 0, 'limit': 30, 'total': 1, 'pipeline_runs': [
        {'pipeline_id': CPID, 'pipeline_run_id': RUN, 'status': status, 'run_number': 3, 'start_time': 1735689600000}]})


def frun(job_status, run_status='FAIL', pop_shape=True):
    body = {'pipelineRunId': 7, 'pipelineId': FPID, 'status': run_status, 'stages': [
        {'name': 'Test', 'stageInfo': {'name': 'Test', 'status': job_status,
                                       'jobs': [{'id': 702, 'name': 'unit-test', 'status': job_status}]}}]}
    return dict(status=200, json={'success': True, 'requestId': 'r1', 'pipelineRun': body} if pop_shape else body)


def acting(fake):
    return [c for c in fake.calls if c.method != 'GET' and not c.path.endswith('/pipeline-runs/list')]


# --- the target choice --------------------------------------------------------------------------------

@pytest.mark.parametrize('params, backend', [
    (dict(pipeline_id='4105b37a-947e-4aca-90d8-cec7c04c6f38', action='stop'), 'release_task'),
    (dict(pipeline_id=CPID, action='stop'), 'release_task'),  # 0.1.0: pipeline_id + action is a release task
    (dict(pipeline_id=CPID, action='stop', target='run'), 'codearts'),
    (dict(pipeline_id=CPID, action='retry', run_id=RUN), 'codearts'),
    (dict(pipeline_id=CPID, action='resume', job_name='hold'), 'codearts'),
    (dict(pipeline_id='1002', action='retry', job_name='unit-test'), 'flow'),
    (dict(pipeline_id='1002', action='skip', job_id='5', cloud='alibaba'), 'flow'),
    (dict(app_name='a', release_workflow_sn='w', release_stage_sn='s', action='retry', job_name='x'), 'appstack'),
])
def test_choose_backend(params, backend):
    assert choose_backend(params) == backend


@pytest.mark.parametrize('params, words', [
    (dict(pipeline_id='x', action='retry', job_name='j'), 'must be a Flow pipeline id'),
    (dict(pipeline_id=CPID, action='skip', target='run'), 'does not apply to a CodeArts pipeline run'),
    (dict(pipeline_id=CPID, action='retry', target='job', job_name='j'), 'with target=job, pipeline_id must be a Flow'),
    (dict(pipeline_id='1002', action='retry', job_name='j', cloud='huawei'), 'cloud=huawei does not fit'),
    (dict(pipeline_id='1002', action='retry', run_id='7'), 'job_id or job_name is required'),
    (dict(pipeline_id='1002', action='continue', job_name='j'), 'action=continue does not apply'),
    (dict(pipeline_id=CPID, action='stop', run_id=RUN, job_name='j'), 'only named with action=resume'),
    (dict(pipeline_id='1002', action='retry', job_name='j', task_name='t'), 'only used with a ServiceStage'),
    (dict(app_name='a', action='retry', job_name='x'), 'release_workflow_sn and release_stage_sn are required'),
    (dict(app_name='a', release_workflow_sn='w', release_stage_sn='s', action='stop', job_name='x'),
     'does not apply to a job of an AppStack'),
    (dict(pipeline_id='4105b37a', action='resume', target='release_task', job_name='x'), 'does not apply'),
    (dict(action='stop'), 'missing required arguments: pipeline_id'),
    (dict(pipeline_id='0', action='retry', job_name='j'), 'must be a positive integer'),
])
def test_choose_backend_refuses(params, words):
    with pytest.raises(OptionError) as err:
        choose_backend(params)
    assert words in str(err.value)


def test_ambiguous_combination_fails_before_any_request(fake_http, run_module):
    result = run_module(pipeline_action, hw(pipeline_id='not-an-id', run_id=RUN, action='retry'))
    assert result['failed'] and 'pipeline_id must be' in result['msg']
    assert fake_http.calls == []


# --- CodeArts runs ------------------------------------------------------------------------------------

def test_codearts_retry_is_a_put_without_body(fake_http, run_module):
    fake_http.add('GET', P + '/pipeline-runs/detail', cdetail('FAILED'), cdetail('RUNNING', 'RUNNING', 'RUNNING'))
    fake_http.reply('PUT', P + '/pipeline-runs/%s/retry' % RUN, {'success': True})
    result = run_module(pipeline_action, hw(action='retry', run_id=RUN))
    assert not result.get('failed'), result
    assert result['changed'] is True and result['target'] == 'run' and result['run_id'] == RUN
    assert result['status_before'] == 'FAILED' and result['status_after'] == 'RUNNING'
    calls = acting(fake_http)
    assert [(c.method, c.path) for c in calls] == [('PUT', P + '/pipeline-runs/%s/retry' % RUN)]
    assert not calls[0].body


def test_codearts_retry_of_the_latest_run_that_did_not_fail_changes_nothing(fake_http, run_module):
    fake_http.add('POST', P + '/pipeline-runs/list', clist('COMPLETED'))
    fake_http.add('GET', P + '/pipeline-runs/detail', cdetail('COMPLETED', 'COMPLETED', 'COMPLETED'))
    result = run_module(pipeline_action, hw(action='retry', target='run'))
    assert not result.get('failed'), result
    assert result['changed'] is False and 'changes nothing' in result['msg']
    assert acting(fake_http) == []


def test_codearts_stop_of_an_ended_run_changes_nothing_and_check_mode_sends_nothing(fake_http, run_module):
    fake_http.add('GET', P + '/pipeline-runs/detail', cdetail('CANCELED', 'CANCELED', 'CANCELED'))
    assert run_module(pipeline_action, hw(action='stop', run_id=RUN))['changed'] is False
    fake_http.routes.clear()
    fake_http.add('GET', P + '/pipeline-runs/detail', cdetail('RUNNING', 'RUNNING', 'RUNNING'))
    result = run_module(pipeline_action, hw(action='stop', run_id=RUN), check_mode=True)
    assert result['changed'] is True and result['status_after'] is None
    assert acting(fake_http) == []


def test_codearts_stop(fake_http, run_module):
    fake_http.add('GET', P + '/pipeline-runs/detail', cdetail('RUNNING', 'RUNNING', 'RUNNING'),
                  cdetail('CANCELED', 'CANCELED', 'CANCELED'))
    fake_http.reply('POST', P + '/pipeline-runs/%s/stop' % RUN, {'success': True})
    result = run_module(pipeline_action, hw(action='stop', run_id=RUN))
    assert result['changed'] is True and result['status_after'] == 'CANCELED'
    assert [c.path for c in acting(fake_http)] == [P + '/pipeline-runs/%s/stop' % RUN]


def test_codearts_resume_finds_the_paused_step(fake_http, run_module):
    fake_http.add('GET', P + '/pipeline-runs/detail', cdetail('PAUSED', 'PAUSED', 'PAUSED'),
                  cdetail('RUNNING', 'RUNNING', 'COMPLETED'))
    fake_http.reply('POST', P + '/pipeline-runs/%s/jobs/j1/steps/st1/resume' % RUN, {'success': True})
    result = run_module(pipeline_action, hw(action='resume', run_id=RUN, job_name='hold'))
    assert not result.get('failed'), result
    assert result['changed'] is True and result['job']['step']['id'] == 'st1'
    assert [c.path for c in acting(fake_http)] == [P + '/pipeline-runs/%s/jobs/j1/steps/st1/resume' % RUN]
    fake_http.calls.clear()
    result = run_module(pipeline_action, hw(action='resume', run_id=RUN))
    assert result['changed'] is False and 'no step of the run is paused' in result['msg']


def test_codearts_cancel_queued(fake_http, run_module):
    fake_http.add('GET', P + '/pipeline-runs/detail', cdetail('RUNNING', 'INIT', 'INIT'),
                  cdetail('CANCELED', 'CANCELED', 'CANCELED'))
    fake_http.add('GET', P + '/queued-pipeline', dict(status=200, json={'queuedPipelines': [
        {'id': 'q1', 'pipeline_run_id': RUN, 'status': 'QUEUED'}]}))
    cancel = '/v5/%s/api/pipelines/%s/%s/cancel-queuing/q1' % (PROJECT, CPID, RUN)
    fake_http.reply('POST', cancel, {'success': True})
    result = run_module(pipeline_action, hw(action='cancel_queued', run_id=RUN))
    assert not result.get('failed'), result
    calls = acting(fake_http)
    assert [c.path for c in calls] == [cancel] and calls[0].json == {}
    assert fake_http.calls[1].query == {'limit': ['10'], 'offset': ['0']}


def test_codearts_cancel_queued_without_run_id_takes_the_run_queued_last(fake_http, run_module):
    fake_http.add('GET', P + '/queued-pipeline', dict(status=200, json={'queuedPipelines': [
        {'id': 'q0', 'pipeline_run_id': 'r0', 'status': 'QUEUED', 'enqueue_time': '2026-01-01 10:00:00'},
        {'id': 'q1', 'pipeline_run_id': RUN, 'status': 'QUEUED', 'enqueue_time': '2026-01-01 10:05:00'}]}),
        dict(status=200, json={'queuedPipelines': []}))
    fake_http.add('GET', P + '/pipeline-runs/detail', cdetail('RUNNING', 'INIT', 'INIT'),
                  cdetail('CANCELED', 'CANCELED', 'CANCELED'))
    cancel = '/v5/%s/api/pipelines/%s/%s/cancel-queuing/q1' % (PROJECT, CPID, RUN)
    fake_http.reply('POST', cancel, {'success': True})
    result = run_module(pipeline_action, hw(action='cancel_queued', wait=False))
    assert not result.get('failed'), result
    assert [c.path for c in acting(fake_http)] == [cancel]
    assert fake_http.calls[1].query == {'pipeline_run_id': [RUN]}
    assert result['run_id'] == RUN and result['changed'] is True


def test_codearts_lost_answer_is_adopted_not_resent(fake_http, run_module, no_sleep):
    fake_http.add('GET', P + '/pipeline-runs/detail', cdetail('FAILED'), cdetail('RUNNING', 'RUNNING', 'RUNNING'))
    fake_http.add('PUT', P + '/pipeline-runs/%s/retry' % RUN, requests.exceptions.ReadTimeout('read timed out'))
    result = run_module(pipeline_action, hw(action='retry', run_id=RUN))
    assert not result.get('failed'), result
    assert result['adopted'] is True and result['changed'] is True
    assert len(acting(fake_http)) == 1


def test_codearts_lost_answer_without_effect_fails_unrepeated(fake_http, run_module, no_sleep):
    fake_http.add('GET', P + '/pipeline-runs/detail', cdetail('FAILED'))
    fake_http.add('PUT', P + '/pipeline-runs/%s/retry' % RUN, requests.exceptions.ReadTimeout('read timed out'))
    result = run_module(pipeline_action, hw(action='retry', run_id=RUN))
    assert result['failed'] and 'not sent again' in result['msg']
    assert len(acting(fake_http)) == 1


# --- Flow jobs ----------------------------------------------------------------------------------------

@pytest.mark.parametrize('action, before, after, suffix, operation', [
    ('retry', 'FAIL', 'RUNNING', '', 'RetryPipelineJobRun'),
    ('skip', 'FAIL', 'SKIPPED', '/skip', 'SkipPipelineJobRun'),
    ('stop', 'RUNNING', 'CANCELED', '/stop', 'StopPipelineJobRun'),
])
def test_flow_pop_job_actions(fake_http, run_module, action, before, after, suffix, operation):
    fake_http.add('GET', POP_RUN, frun(before), frun(after, 'RUNNING'))
    fake_http.reply('PUT', POP_RUN + '/jobs/702' + suffix, {'success': True, 'requestId': 'r2'})
    result = run_module(pipeline_action, pop(action=action))
    assert not result.get('failed'), result
    assert result['changed'] is True and result['target'] == 'job'
    assert result['job'] == dict(id=702, name='unit-test', stage='Test', status=after)
    calls = acting(fake_http)
    assert [(c.method, c.path) for c in calls] == [('PUT', POP_RUN + '/jobs/702' + suffix)]
    assert calls[0].headers['x-acs-action'] == operation and not calls[0].body


@pytest.mark.parametrize('action, status', [('retry', 'SUCCESS'), ('retry', 'RUNNING'), ('skip', 'SUCCESS'),
                                            ('stop', 'FAIL')])
def test_flow_job_not_applicable_changes_nothing(fake_http, run_module, action, status):
    fake_http.add('GET', POP_RUN, frun(status))
    result = run_module(pipeline_action, pop(action=action))
    assert not result.get('failed'), result
    assert result['changed'] is False and result['status_before'] == status
    assert acting(fake_http) == []


def test_flow_token_retry_has_the_suffix(fake_http, run_module):
    fake_http.add('GET', TOK + '/runs/7', frun('FAIL', pop_shape=False), frun('RUNNING', 'RUNNING', pop_shape=False))
    fake_http.reply('PUT', TOK + '/pipelineRuns/7/jobs/702/retry', True)
    result = run_module(pipeline_action, tok(action='retry'))
    assert not result.get('failed'), result
    assert [c.path for c in acting(fake_http)] == [TOK + '/pipelineRuns/7/jobs/702/retry']


def test_flow_unknown_job_fails(fake_http, run_module):
    fake_http.add('GET', POP_RUN, frun('FAIL'))
    result = run_module(pipeline_action, pop(action='retry', job_name='nope'))
    assert result['failed'] and "has no job named 'nope'" in result['msg']


# --- AppStack execution jobs ----------------------------------------------------------------------------

def app(**kwargs):
    base = tok(app_name='demo-app', release_workflow_sn='wf-0001', release_stage_sn='stage-broken',
               execution_number='3')
    for name in ('pipeline_id', 'run_id'):
        base.pop(name)
    base.update(kwargs)
    return base


def test_appstack_with_ak_sk_only_fails_naming_the_token_api(fake_http, run_module, monkeypatch):
    monkeypatch.delenv('YUNXIAO_ACCESS_TOKEN', raising=False)
    args = app(action='retry', access_key_id=AK, access_key_secret=SK)
    args.pop('yunxiao_token')
    result = run_module(pipeline_action, args)
    assert result['failed'] and 'Yunxiao token API' in result['msg'] and 'yunxiao_token' in result['msg']
    assert fake_http.calls == []


@pytest.mark.parametrize('action', ['retry', 'skip'])
def test_appstack_token_job_actions(fake_http, run_module, action):
    fake_http.add('GET', APP_TOK + '/executions', dict(status=200, json={'data': [
        {'number': '3', 'state': 'FAILED'}], 'pages': 1}))
    fake_http.add('GET', APP_TOK + '/executions/3:getPipelineRun', frun('FAIL'), frun('RUNNING', 'RUNNING'))
    fake_http.reply('POST', APP_TOK + '/executions/3:%s' % action, {'success': True})
    result = run_module(pipeline_action, app(action=action))
    assert not result.get('failed'), result
    assert result['changed'] is True and result['run_id'] == '3'
    calls = acting(fake_http)
    assert [c.path for c in calls] == [APP_TOK + '/executions/3:%s' % action]
    assert calls[0].query == {'jobId': ['702']}
