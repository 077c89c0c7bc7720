# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import time
from urllib.parse import parse_qs

import pytest
import requests

from ansible_collections.devops_cloud.pipelines.plugins.modules import pipeline_run

ORG = '60d54f3daccf2bbd6659f3ad'
PID = 1001
TOKEN = 'pt-unit-token-secret-0001'
AK, SK = 'LTAIUNIT0000000000001', 'ali-unit-secret-0001'
SECRETS = (TOKEN, SK)
REPO = 'https://codeup.aliyun.com/o1/demo.git'

TOK = r'/oapi/v1/flow/organizations/%s/pipelines/%s' % (ORG, PID)
POP_RUNS = r'/organization/%s/pipelines/%s/pipelineRuns' % (ORG, PID)
POP_START = r'/organizations/%s/pipelines/%s/run' % (ORG, PID)


@pytest.fixture
def clock(no_sleep, monkeypatch):
    """time.monotonic advances by the (instant) sleeps, so timeouts are reached without waiting."""
    monkeypatch.setattr(time, 'monotonic', lambda: 1000.0 + sum(no_sleep))
    return no_sleep


def token_args(**kwargs):
    base = dict(organization_id=ORG, yunxiao_token=TOKEN, yunxiao_base_url='https://yx.example.test',
                pipeline_id=PID, poll_interval=1.0, wait_timeout=60)
    base.update(kwargs)
    return base


def pop_args(**kwargs):
    base = dict(organization_id=ORG, access_key_id=AK, access_key_secret=SK, endpoint='https://devops.example.test',
                pipeline_id=PID, poll_interval=1.0, wait_timeout=60)
    base.update(kwargs)
    return base


VALIDATE = [{'type': 'PassPipelineValidate', 'disable': False, 'params': {}},
            {'type': 'RefusePipelineValidate', 'disable': False, 'params': {}}]


def run_body(run_id, status, failed_job=None, job_status=None, gate=False):
    """A Flow run as both APIs return it (token: bare; POP: under pipelineRun); with ``gate`` its Test job is a
    validation gate (it offers the pass and refuse actions)."""
    build_status = 'SUCCESS' if status in ('SUCCESS', 'FAIL', 'CANCELED') else status
    test_status = job_status or ('FAIL' if failed_job else ('SUCCESS' if status == 'SUCCESS' else 'INIT'))
    return {
        'pipelineRunId': run_id, 'pipelineId': PID, 'status': status, 'triggerMode': 1,
        'createTime': 1735689600000, 'updateTime': 1735689660000, 'creatorAccountId': 'acc-1',
        'sources': [{'type': 'codeup', 'sign': 's0', 'data': {'repo': REPO, 'branch': 'main', 'commint': 'abc'}}],
        'stages': [
            {'name': 'Build', 'stageInfo': {'name': 'Build', 'status': build_status, 'startTime': 1735689600000,
                                            'jobs': [{'id': run_id * 100 + 1, 'name': 'build', 'status': build_status}]}},
            {'name': 'Test', 'stageInfo': {'name': 'Test', 'status': test_status,
                                           'jobs': [{'id': run_id * 100 + 2, 'name': failed_job or 'unit-test',
                                                     'status': test_status, 'actions': VALIDATE if gate else []}]}},
        ],
    }


def tok_run(run_id, status, **kw):
    return dict(status=200, json=run_body(run_id, status, **kw))


def pop_run(run_id, status, **kw):
    return dict(status=200, json={'success': True, 'requestId': 'r1', 'pipelineRun': run_body(run_id, status, **kw)})


def summary(run_id, status):
    return {'pipelineRunId': run_id, 'pipelineId': PID, 'status': status, 'startTime': 1735689600000, 'triggerMode': 1}


def tok_list(*runs):
    return dict(status=200, json=[summary(i, s) for i, s in runs])


def pop_list(*runs):
    return dict(status=200, json={'success': True, 'pipelineRuns': [summary(i, s) for i, s in runs], 'totalCount': len(runs)})


def acting(fake):
    return [c for c in fake.calls if c.method != 'GET']


def no_secret(result):
    text = json.dumps(result, default=str)
    for secret in SECRETS:
        assert secret not in text


# --- start -----------------------------------------------------------------------------------------

def test_start_token_api_builds_params(fake_http, run_module, no_sleep):
    fake_http.add('GET', TOK + '/runs', tok_list((7, 'SUCCESS')))
    fake_http.add('POST', TOK + '/runs', dict(status=200, json=8))
    fake_http.add('GET', TOK + '/runs/8', tok_run(8, 'RUNNING'))
    result = run_module(pipeline_run, token_args(
        branches={REPO: 'release/1.4'}, tags={REPO: 'v1'}, branch_mode_branches=['f1', 'f2'], envs={'N': 3, 'B': True},
        pipeline_artifacts={'3184679': 12}, acr_artifacts={'reg/img': 'tag'}, package_artifacts={'generic/x': 'v'},
        comment='hello', params={'futureKey': {'a': 1}}))
    assert not result.get('failed'), result
    assert result['changed'] is True and result['action'] == 'started'
    assert result['run_id'] == 8 and result['run']['status'] == 'RUNNING'
    assert result['url'] == 'https://flow.aliyun.com/pipelines/1001/builds/8'
    assert fake_http.paths() == ['GET ' + TOK + '/runs', 'POST ' + TOK + '/runs', 'GET ' + TOK + '/runs/8']
    post = acting(fake_http)[0]
    assert post.headers['x-yunxiao-token'] == TOKEN
    assert post.query == {} and fake_http.calls[0].query == {'page': ['1'], 'perPage': ['30']}
    sent = json.loads(post.json['params'])
    assert sent == {'runningBranchs': {REPO: 'release/1.4'}, 'runningTags': {REPO: 'v1'}, 'branchModeBranchs': ['f1', 'f2'],
                    'envs': {'N': '3', 'B': 'true'}, 'runningPipelineArtifacts': {'3184679': '12'},
                    'runningAcrArtifacts': {'reg/img': 'tag'}, 'runningPackagesArtifacts': {'generic/x': 'v'},
                    'comment': 'hello', 'futureKey': {'a': 1}}
    run = result['run']
    assert run['sources'] == [dict(type='codeup', sign='s0', name=None, repo=REPO, branch='main', commit='abc')]
    assert [s['name'] for s in run['stages']] == ['Build', 'Test']
    assert run['stages'][0]['jobs'][0] == dict(id=801, name='build', status='RUNNING', start_time=None, end_time=None,
                                               actions=[])
    assert run['trigger'] == 'manual'
    assert no_sleep == []


def test_start_pop_sends_form_and_signs(fake_http, run_module):
    fake_http.add('GET', POP_RUNS, pop_list())
    fake_http.add('POST', POP_START, dict(status=200, json={'success': True, 'pipelineRunId': 1, 'requestId': 'r'}))
    fake_http.add('GET', POP_RUNS + '/1', pop_run(1, 'RUNNING'))
    result = run_module(pipeline_run, pop_args(envs={'K': 'v'}))
    assert result['changed'] is True and result['run_id'] == 1, result
    post = acting(fake_http)[0]
    assert post.headers['x-acs-action'] == 'StartPipelineRun'
    assert post.headers['Authorization'].startswith('ACS3-HMAC-SHA256 Credential=%s,' % AK)
    assert post.headers['content-type'] == 'application/x-www-form-urlencoded'
    form = parse_qs(post.body.decode())
    assert json.loads(form['params'][0]) == {'envs': {'K': 'v'}}
    assert fake_http.calls[0].query == {'maxResults': ['30']}
    assert fake_http.calls[0].headers['x-acs-action'] == 'ListPipelineRuns'
    assert fake_http.calls[-1].headers['x-acs-action'] == 'GetPipelineRun'


def test_start_without_run_params_sends_empty_body(fake_http, run_module):
    fake_http.add('GET', TOK + '/runs', tok_list())
    fake_http.add('POST', TOK + '/runs', dict(status=200, json=1))
    fake_http.add('GET', TOK + '/runs/1', tok_run(1, 'RUNNING'))
    result = run_module(pipeline_run, token_args())
    assert result['changed'] is True
    assert acting(fake_http)[0].json == {}


@pytest.mark.parametrize('status', ['RUNNING', 'WAITING', 'SOMETHING_NEW'])
@pytest.mark.parametrize('backend', ['token', 'pop'])
def test_live_run_is_returned_unchanged(fake_http, run_module, backend, status):
    if backend == 'token':
        fake_http.add('GET', TOK + '/runs', tok_list((9, status), (8, 'SUCCESS')))
        fake_http.add('GET', TOK + '/runs/9', tok_run(9, status))
        result = run_module(pipeline_run, token_args())
    else:
        fake_http.add('GET', POP_RUNS, pop_list((9, status), (8, 'SUCCESS')))
        fake_http.add('GET', POP_RUNS + '/9', pop_run(9, status))
        result = run_module(pipeline_run, pop_args())
    assert result['changed'] is False and result['action'] == 'existing', result
    assert result['run_id'] == 9 and result['run']['status'] == status
    assert acting(fake_http) == []


def test_live_run_found_even_when_list_is_unsorted(fake_http, run_module):
    fake_http.add('GET', TOK + '/runs', tok_list((3, 'SUCCESS'), (5, 'RUNNING'), (4, 'RUNNING')))
    fake_http.add('GET', TOK + '/runs/5', tok_run(5, 'RUNNING'))
    result = run_module(pipeline_run, token_args())
    assert result['run_id'] == 5 and result['changed'] is False


def test_force_starts_next_to_live_run(fake_http, run_module):
    fake_http.add('GET', POP_RUNS, pop_list((9, 'RUNNING')))
    fake_http.add('POST', POP_START, dict(status=200, json={'success': True, 'pipelineRunId': 10}))
    fake_http.add('GET', POP_RUNS + '/10', pop_run(10, 'RUNNING'))
    result = run_module(pipeline_run, pop_args(force=True))
    assert result['changed'] is True and result['run_id'] == 10, result
    assert len(acting(fake_http)) == 1


# --- finished / waiting ----------------------------------------------------------------------------

@pytest.mark.parametrize('backend', ['token', 'pop'])
def test_finished_success(fake_http, run_module, no_sleep, backend):
    if backend == 'token':
        fake_http.add('GET', TOK + '/runs', tok_list())
        fake_http.add('POST', TOK + '/runs', dict(status=200, json=1))
        fake_http.add('GET', TOK + '/runs/1', tok_run(1, 'RUNNING'), tok_run(1, 'RUNNING'), tok_run(1, 'SUCCESS'))
        result = run_module(pipeline_run, token_args(state='finished', poll_interval=2.5))
    else:
        fake_http.add('GET', POP_RUNS, pop_list())
        fake_http.add('POST', POP_START, dict(status=200, json={'success': True, 'pipelineRunId': 1}))
        fake_http.add('GET', POP_RUNS + '/1', pop_run(1, 'RUNNING'), pop_run(1, 'RUNNING'), pop_run(1, 'SUCCESS'))
        result = run_module(pipeline_run, pop_args(state='finished', poll_interval=2.5))
    assert not result.get('failed'), result
    assert result['changed'] is True and result['run']['status'] == 'SUCCESS'
    assert 'failing_stage' not in result
    assert no_sleep == [2.5, 2.5]
    assert len([c for c in fake_http.calls if c.path.endswith('/1')]) == 3


def test_finished_failure_names_stage_and_job(fake_http, run_module, no_sleep):
    fake_http.add('GET', TOK + '/runs', tok_list())
    fake_http.add('POST', TOK + '/runs', dict(status=200, json=2))
    fake_http.add('GET', TOK + '/runs/2', tok_run(2, 'RUNNING'), tok_run(2, 'FAIL', failed_job='unit-test'))
    result = run_module(pipeline_run, token_args(state='finished', failure_log_lines=0))
    assert result['failed'] is True
    assert result['msg'] == ("pipeline run 2 of pipeline 1001 ended FAIL: stage 'Test' job 'unit-test' (FAIL); "
                             "failing step: stage 'Test' job 'unit-test' (FAIL)")
    assert result['failure'] == dict(stage='Test', job='unit-test', step=None, status='FAIL', message=None, log_tail=[],
                                     log_url='https://flow.aliyun.com/pipelines/1001/builds/2', log_error=None)
    assert [c.path for c in fake_http.calls if '/log' in c.path or c.path.endswith('/steps')] == []
    assert result['changed'] is True and result['run_id'] == 2
    assert result['url'] == 'https://flow.aliyun.com/pipelines/1001/builds/2'
    assert result['failing_stage'] == 'Test' and result['failing_job'] == 'unit-test'
    assert result['run']['stages'][1]['status'] == 'FAIL'


def test_finished_adopts_live_run_and_reports_cancel(fake_http, run_module, no_sleep):
    fake_http.add('GET', TOK + '/runs', tok_list((4, 'RUNNING')))
    fake_http.add('GET', TOK + '/runs/4', tok_run(4, 'RUNNING'), tok_run(4, 'CANCELED', job_status='CANCELED'))
    result = run_module(pipeline_run, token_args(state='finished'))
    assert result['failed'] is True and result['changed'] is False
    assert 'ended CANCELED' in result['msg'] and "stage 'Test'" in result['msg']
    assert acting(fake_http) == []


def test_started_with_wait_reports_failure_without_failing(fake_http, run_module, no_sleep):
    fake_http.add('GET', TOK + '/runs', tok_list())
    fake_http.add('POST', TOK + '/runs', dict(status=200, json=2))
    fake_http.add('GET', TOK + '/runs/2', tok_run(2, 'RUNNING'), tok_run(2, 'FAIL', failed_job='unit-test'))
    result = run_module(pipeline_run, token_args(wait=True))
    assert not result.get('failed'), result
    assert result['run']['status'] == 'FAIL' and result['failing_job'] == 'unit-test'


def test_started_without_wait_does_not_poll(fake_http, run_module, no_sleep):
    fake_http.add('GET', TOK + '/runs', tok_list())
    fake_http.add('POST', TOK + '/runs', dict(status=200, json=2))
    fake_http.add('GET', TOK + '/runs/2', tok_run(2, 'RUNNING'))
    result = run_module(pipeline_run, token_args())
    assert result['run']['status'] == 'RUNNING' and no_sleep == []


def test_timeout_fails_with_last_state(fake_http, run_module, clock):
    fake_http.add('GET', POP_RUNS, pop_list())
    fake_http.add('POST', POP_START, dict(status=200, json={'success': True, 'pipelineRunId': 3}))
    fake_http.add('GET', POP_RUNS + '/3', pop_run(3, 'RUNNING', job_status='WAITING', gate=True))
    result = run_module(pipeline_run, pop_args(state='finished', wait_timeout=5, poll_interval=2, failure_log_lines=0))
    assert result['failed'] is True
    assert result['msg'] == ("timed out after 5s waiting for pipeline run 3 of pipeline 1001 to end; last status RUNNING, "
                             "at stage 'Test' job 'unit-test' (WAITING); it waits at a gate: validation at stage 'Test' "
                             "job 'unit-test' (WAITING, pending); step it was at: stage 'Test' job 'unit-test' (WAITING)")
    assert result['failure']['job'] == 'unit-test' and result['failure']['log_tail'] == []
    assert result['run_id'] == 3 and result['run']['status'] == 'RUNNING' and result['changed'] is True
    assert sum(clock) == 5 and clock == [2, 2, 1]


# --- canceled --------------------------------------------------------------------------------------

def test_cancel_live_run_pop(fake_http, run_module):
    fake_http.add('GET', POP_RUNS, pop_list((6, 'RUNNING'), (5, 'SUCCESS')))
    fake_http.add('GET', POP_RUNS + '/6', pop_run(6, 'RUNNING'), pop_run(6, 'CANCELED', job_status='CANCELED'))
    fake_http.add('PUT', POP_RUNS + '/6/stop', dict(status=200, json={'success': True}))
    result = run_module(pipeline_run, pop_args(state='canceled'))
    assert result['changed'] is True and result['action'] == 'stopped', result
    assert result['canceled_run_ids'] == [6] and result['run']['status'] == 'CANCELED'
    assert [c.path for c in acting(fake_http)] == [POP_RUNS + '/6/stop']
    assert acting(fake_http)[0].headers['x-acs-action'] == 'StopPipelineRun'


def test_cancel_token_api_stops_running_jobs(fake_http, run_module):
    fake_http.add('GET', TOK + '/runs', tok_list((6, 'RUNNING')))
    fake_http.add('GET', TOK + '/runs/6', tok_run(6, 'RUNNING', job_status='WAITING'), tok_run(6, 'CANCELED'))
    fake_http.add('PUT', TOK + '/pipelineRuns/6/jobs/60[12]/stop', dict(status=200, json=True))
    result = run_module(pipeline_run, token_args(state='canceled'))
    assert result['changed'] is True, result
    # job 601 (Build) is RUNNING, job 602 (Test) is WAITING at a gate: both are stopped
    assert [c.path for c in acting(fake_http)] == [TOK + '/pipelineRuns/6/jobs/601/stop', TOK + '/pipelineRuns/6/jobs/602/stop']


def test_cancel_given_run_id_and_wait(fake_http, run_module, no_sleep):
    fake_http.add('GET', POP_RUNS + '/6', pop_run(6, 'RUNNING'), pop_run(6, 'RUNNING'), pop_run(6, 'CANCELED'))
    fake_http.add('PUT', POP_RUNS + '/6/stop', dict(status=200, json={'success': True}))
    result = run_module(pipeline_run, pop_args(state='canceled', run_id=6, wait=True))
    assert result['changed'] is True and result['run']['status'] == 'CANCELED', result
    assert not any(c.path == POP_RUNS for c in fake_http.calls)


@pytest.mark.parametrize('backend', ['token', 'pop'])
def test_cancel_nothing_live(fake_http, run_module, backend):
    if backend == 'token':
        fake_http.add('GET', TOK + '/runs', tok_list((5, 'SUCCESS'), (4, 'FAIL')))
        result = run_module(pipeline_run, token_args(state='canceled'))
    else:
        fake_http.add('GET', POP_RUNS, pop_list((5, 'SUCCESS')))
        result = run_module(pipeline_run, pop_args(state='canceled'))
    assert result['changed'] is False and result['action'] == 'none', result
    assert result['run'] is None and result['canceled_run_ids'] == []
    assert acting(fake_http) == []


def test_cancel_finished_run_id_is_unchanged(fake_http, run_module):
    fake_http.add('GET', TOK + '/runs/5', tok_run(5, 'SUCCESS'))
    result = run_module(pipeline_run, token_args(state='canceled', run_id=5))
    assert result['changed'] is False and result['run_id'] == 5
    assert acting(fake_http) == []


# --- check mode ------------------------------------------------------------------------------------

@pytest.mark.parametrize('state', ['started', 'finished'])
def test_check_mode_would_start(fake_http, run_module, state):
    fake_http.add('GET', TOK + '/runs', tok_list((5, 'SUCCESS')))
    result = run_module(pipeline_run, token_args(state=state), check_mode=True)
    assert result['changed'] is True and result['action'] == 'would_start', result
    assert result['run'] is None and result['run_id'] is None
    assert acting(fake_http) == [] and fake_http.paths() == ['GET ' + TOK + '/runs']


def test_check_mode_live_run(fake_http, run_module):
    fake_http.add('GET', POP_RUNS, pop_list((9, 'RUNNING')))
    fake_http.add('GET', POP_RUNS + '/9', pop_run(9, 'RUNNING'))
    result = run_module(pipeline_run, pop_args(state='finished'), check_mode=True)
    assert result['changed'] is False and result['run_id'] == 9
    assert acting(fake_http) == []


def test_check_mode_cancel(fake_http, run_module):
    fake_http.add('GET', TOK + '/runs', tok_list((9, 'RUNNING')))
    fake_http.add('GET', TOK + '/runs/9', tok_run(9, 'RUNNING'))
    result = run_module(pipeline_run, token_args(state='canceled'), check_mode=True)
    assert result['changed'] is True and result['action'] == 'would_stop' and result['run_id'] == 9
    assert acting(fake_http) == []


# --- lost answers ----------------------------------------------------------------------------------

@pytest.mark.parametrize('failure', [
    requests.exceptions.ConnectionError('Connection aborted. RemoteDisconnected'),
    requests.exceptions.ReadTimeout('read timed out'),
    dict(status=502, text='<html><head><title>502 Bad Gateway</title></head></html>', headers={'Content-Type': 'text/html'}),
])
@pytest.mark.parametrize('backend', ['token', 'pop'])
def test_lost_answer_adopts_new_run(fake_http, run_module, no_sleep, backend, failure):
    if backend == 'token':
        fake_http.add('GET', TOK + '/runs', tok_list((5, 'SUCCESS')), tok_list((6, 'RUNNING'), (5, 'SUCCESS')))
        fake_http.add('POST', TOK + '/runs', failure)
        fake_http.add('GET', TOK + '/runs/6', tok_run(6, 'RUNNING'))
        result = run_module(pipeline_run, token_args())
    else:
        fake_http.add('GET', POP_RUNS, pop_list((5, 'SUCCESS')), pop_list((6, 'RUNNING'), (5, 'SUCCESS')))
        fake_http.add('POST', POP_START, failure)
        fake_http.add('GET', POP_RUNS + '/6', pop_run(6, 'RUNNING'))
        result = run_module(pipeline_run, pop_args())
    assert not result.get('failed'), result
    assert result['changed'] is True and result['action'] == 'adopted' and result['run_id'] == 6
    assert len(acting(fake_http)) == 1


def test_refused_start_is_sent_again_once_list_proves_nothing_started(fake_http, run_module, no_sleep):
    fake_http.add('GET', TOK + '/runs', tok_list((5, 'SUCCESS')))
    fake_http.add('POST', TOK + '/runs', dict(status=503, json={'errorCode': 'ServiceUnavailable', 'errorMessage': 'busy'},
                                              headers={'Retry-After': '2'}), dict(status=200, json=6))
    fake_http.add('GET', TOK + '/runs/6', tok_run(6, 'RUNNING'))
    result = run_module(pipeline_run, token_args())
    assert result['changed'] is True and result['action'] == 'started' and result['run_id'] == 6, result
    assert len(acting(fake_http)) == 2 and no_sleep == [2.0]


def test_lost_answer_without_new_run_fails_without_resending(fake_http, run_module, no_sleep):
    fake_http.add('GET', TOK + '/runs', tok_list((5, 'SUCCESS')))
    fake_http.add('POST', TOK + '/runs', requests.exceptions.ReadTimeout('read timed out'),
                  requests.exceptions.ReadTimeout('read timed out'), requests.exceptions.ReadTimeout('read timed out'))
    result = run_module(pipeline_run, token_args())
    assert result['failed'] is True and 'read timeout' in result['msg'] and 'not sent again' in result['msg']
    # the server may still apply a start whose answer was lost: it is never sent twice
    assert len(acting(fake_http)) == 1


def test_start_answer_without_id_adopts_listed_run(fake_http, run_module):
    fake_http.add('GET', POP_RUNS, pop_list(), pop_list((1, 'RUNNING')))
    fake_http.add('POST', POP_START, dict(status=200, json={'success': True}))
    fake_http.add('GET', POP_RUNS + '/1', pop_run(1, 'RUNNING'))
    result = run_module(pipeline_run, pop_args())
    assert result['run_id'] == 1 and result['changed'] is True
    assert len(acting(fake_http)) == 1


# --- errors ----------------------------------------------------------------------------------------

def test_run_id_requires_canceled(fake_http, run_module):
    result = run_module(pipeline_run, token_args(run_id=5))
    assert result['failed'] is True and 'run_id is only used with state=canceled' in result['msg']
    assert fake_http.calls == []


def test_params_conflict_with_option(fake_http, run_module):
    result = run_module(pipeline_run, token_args(envs={'A': '1'}, params={'envs': {}}))
    assert result['failed'] is True and "'envs'" in result['msg']
    assert fake_http.calls == []


def test_missing_credentials(fake_http, run_module):
    result = run_module(pipeline_run, dict(organization_id=ORG, pipeline_id=PID))
    assert result['failed'] is True and 'yunxiao_token' in result['msg']
    assert fake_http.calls == []


def test_api_yunxiao_without_token(fake_http, run_module):
    result = run_module(pipeline_run, pop_args(api='yunxiao'))
    assert result['failed'] is True and 'api=yunxiao needs yunxiao_token' in result['msg']
    assert fake_http.calls == []


def test_bad_state_choice(fake_http, run_module):
    result = run_module(pipeline_run, token_args(state='running'))
    assert result['failed'] is True and 'state' in result['msg']


def test_wrong_token_is_clear_and_secret_free(fake_http, run_module):
    fake_http.add('GET', TOK + '/runs', dict(status=401, json={'errorCode': 'Unauthorized', 'errorMessage': 'token %s invalid' % TOKEN}))
    result = run_module(pipeline_run, token_args())
    assert result['failed'] is True
    assert 'authentication or permission failure' in result['msg'] and 'HTTP 401' in result['msg']
    assert result['error_code'] == 'Unauthorized'
    no_secret(result)
    assert acting(fake_http) == []


def test_pop_gateway_error(fake_http, run_module):
    fake_http.add('GET', POP_RUNS, dict(status=404, json={'Code': 'InvalidAccessKeyId.NotFound', 'Message': 'Specified access key is not found.',
                                                          'RequestId': 'REQ-1'}))
    result = run_module(pipeline_run, pop_args())
    assert result['failed'] is True and 'InvalidAccessKeyId.NotFound' in result['msg']
    assert result['request_id'] == 'REQ-1'
    no_secret(result)


def test_html_answer_is_clear(fake_http, run_module, no_sleep):
    fake_http.add('GET', TOK + '/runs', dict(status=200, text='<!DOCTYPE html><html><head><title>Login</title></head></html>',
                                             headers={'Content-Type': 'text/html'}))
    result = run_module(pipeline_run, token_args())
    assert result['failed'] is True
    assert 'HTML page (Login) instead of JSON' in result['msg']
    no_secret(result)


def test_error_in_http_200_body(fake_http, run_module):
    fake_http.add('GET', POP_RUNS, pop_list())
    fake_http.add('POST', POP_START, dict(status=200, json={'success': False, 'errorCode': 'InvalidPipeline.NotFound',
                                                            'errorMessage': 'The pipeline is not found.', 'requestId': 'R2'}))
    result = run_module(pipeline_run, pop_args())
    assert result['failed'] is True and result['changed'] is False
    assert 'InvalidPipeline.NotFound' in result['msg'] and 'The pipeline is not found.' in result['msg']
    assert len(acting(fake_http)) == 1
    no_secret(result)


def test_error_while_waiting_keeps_the_run(fake_http, run_module, no_sleep):
    fake_http.add('GET', TOK + '/runs', tok_list())
    fake_http.add('POST', TOK + '/runs', dict(status=200, json=2))
    fake_http.add('GET', TOK + '/runs/2', tok_run(2, 'RUNNING'), dict(status=403, json={'errorCode': 'Forbidden', 'errorMessage': 'no'}))
    result = run_module(pipeline_run, token_args(state='finished'))
    assert result['failed'] is True and 'HTTP 403' in result['msg']
    assert result['run_id'] == 2 and result['changed'] is True


def test_token_cancel_between_jobs_is_explained(fake_http, run_module):
    fake_http.add('GET', TOK + '/runs', tok_list((6, 'RUNNING')))
    fake_http.add('GET', TOK + '/runs/6', tok_run(6, 'RUNNING', job_status='INIT'))
    body = run_body(6, 'RUNNING')
    body['stages'][0]['stageInfo']['jobs'][0]['status'] = 'SUCCESS'
    fake_http.routes.pop()
    fake_http.add('GET', TOK + '/runs/6', dict(status=200, json=body))
    result = run_module(pipeline_run, token_args(state='canceled'))
    assert result['failed'] is True and 'none of its jobs is running' in result['msg']
    assert acting(fake_http) == []


def test_cancel_race_run_ended_meanwhile(fake_http, run_module):
    fake_http.add('GET', POP_RUNS, pop_list((6, 'RUNNING')))
    fake_http.add('GET', POP_RUNS + '/6', pop_run(6, 'RUNNING'), pop_run(6, 'SUCCESS'))
    fake_http.add('PUT', POP_RUNS + '/6/stop', dict(status=400, json={'success': False, 'errorCode': 'InvalidPipelineRun.StatusNotSupported',
                                                                      'errorMessage': 'The pipeline run has already finished.'}))
    result = run_module(pipeline_run, pop_args(state='canceled'))
    assert not result.get('failed'), result
    assert result['changed'] is False and result['run']['status'] == 'SUCCESS' and result['canceled_run_ids'] == []


def test_cancel_refused_while_live_fails(fake_http, run_module):
    fake_http.add('GET', POP_RUNS, pop_list((6, 'RUNNING')))
    fake_http.add('GET', POP_RUNS + '/6', pop_run(6, 'RUNNING'))
    fake_http.add('PUT', POP_RUNS + '/6/stop', dict(status=403, json={'success': False, 'errorCode': 'Forbidden.NoPermission',
                                                                      'errorMessage': 'no permission'}))
    result = run_module(pipeline_run, pop_args(state='canceled'))
    assert result['failed'] is True and 'Forbidden.NoPermission' in result['msg'] and result['changed'] is False
    assert result['run_id'] == 6


# --- skip_if_succeeded -----------------------------------------------------------------------------

def with_sources(answer, *sources):
    """A run answer (token or POP) whose sources are ``(repo, branch)`` pairs."""
    body = answer['json'].get('pipelineRun', answer['json'])
    body['sources'] = [{'type': 'codeup', 'sign': 's%d' % i, 'data': {'repo': repo, 'branch': branch}}
                       for i, (repo, branch) in enumerate(sources)]
    return answer


@pytest.mark.parametrize('state', ['started', 'finished'])
@pytest.mark.parametrize('backend', ['token', 'pop'])
def test_skip_if_succeeded_reuses_newest_succeeded_run(fake_http, run_module, no_sleep, backend, state):
    """The list entry has no sources: the run is read once and its branch compared; nothing is started."""
    if backend == 'token':
        fake_http.add('GET', TOK + '/runs', tok_list((8, 'SUCCESS'), (7, 'FAIL')))
        fake_http.add('GET', TOK + '/runs/8', tok_run(8, 'SUCCESS'))
        result = run_module(pipeline_run, token_args(state=state, skip_if_succeeded=True, branches={REPO: 'main'}))
        base = TOK + '/runs'
    else:
        fake_http.add('GET', POP_RUNS, pop_list((8, 'SUCCESS'), (7, 'FAIL')))
        fake_http.add('GET', POP_RUNS + '/8', pop_run(8, 'SUCCESS'))
        result = run_module(pipeline_run, pop_args(state=state, skip_if_succeeded=True, branches={REPO: 'main'}))
        base = POP_RUNS
    assert not result.get('failed'), result
    assert result['changed'] is False and result['action'] == 'skipped_succeeded'
    assert result['run_id'] == 8 and result['run']['status'] == 'SUCCESS'
    assert result['run']['sources'][0]['branch'] == 'main' and [s['name'] for s in result['run']['stages']] == ['Build', 'Test']
    assert result['url'] == 'https://flow.aliyun.com/pipelines/1001/builds/8'
    assert fake_http.paths() == ['GET ' + base, 'GET ' + base + '/8']
    assert acting(fake_http) == [] and no_sleep == []
    assert 'failing_stage' not in result


@pytest.mark.parametrize('branches', [{REPO: 'release/1.4'}, {REPO: 'main', 'https://codeup.aliyun.com/o1/other.git': 'main'}],
                         ids=['other-branch', 'repo-not-built'])
def test_skip_if_succeeded_other_branches_start_a_run(fake_http, run_module, branches):
    fake_http.add('GET', TOK + '/runs', tok_list((8, 'SUCCESS')))
    fake_http.add('GET', TOK + '/runs/8', tok_run(8, 'SUCCESS'))
    fake_http.add('POST', TOK + '/runs', dict(status=200, json=9))
    fake_http.add('GET', TOK + '/runs/9', tok_run(9, 'RUNNING'))
    result = run_module(pipeline_run, token_args(skip_if_succeeded=True, branches=branches))
    assert result['changed'] is True and result['action'] == 'started' and result['run_id'] == 9, result
    assert fake_http.paths() == ['GET ' + TOK + '/runs', 'GET ' + TOK + '/runs/8', 'POST ' + TOK + '/runs',
                                 'GET ' + TOK + '/runs/9']
    assert json.loads(acting(fake_http)[0].json['params'])['runningBranchs'] == branches


def test_skip_if_succeeded_compares_repository_urls_loosely(fake_http, run_module):
    """A trailing '/' or '.git' does not make a repository another one."""
    fake_http.add('GET', TOK + '/runs', tok_list((8, 'SUCCESS')))
    fake_http.add('GET', TOK + '/runs/8', with_sources(tok_run(8, 'SUCCESS'), (REPO[:-4], 'main'), (REPO + '2/', 'dev')))
    result = run_module(pipeline_run, token_args(skip_if_succeeded=True, branches={REPO + '/': 'main', REPO + '2.git': 'dev'}))
    assert result['action'] == 'skipped_succeeded' and result['changed'] is False, result
    assert acting(fake_http) == []


def test_skip_if_succeeded_list_entry_with_sources_is_compared_without_reading(fake_http, run_module):
    """When the list entry carries sources that do not match, the run is not read: a start follows at once."""
    entry = summary(8, 'SUCCESS')
    entry['sources'] = [{'type': 'codeup', 'data': {'repo': REPO, 'branch': 'main'}}]
    fake_http.add('GET', TOK + '/runs', dict(status=200, json=[entry]))
    fake_http.add('POST', TOK + '/runs', dict(status=200, json=9))
    fake_http.add('GET', TOK + '/runs/9', tok_run(9, 'RUNNING'))
    result = run_module(pipeline_run, token_args(skip_if_succeeded=True, branches={REPO: 'hotfix'}))
    assert result['action'] == 'started', result
    assert fake_http.paths() == ['GET ' + TOK + '/runs', 'POST ' + TOK + '/runs', 'GET ' + TOK + '/runs/9']


def test_skip_if_succeeded_without_branches_reuses_any_succeeded_run(fake_http, run_module):
    fake_http.add('GET', POP_RUNS, pop_list((8, 'SUCCESS')))
    fake_http.add('GET', POP_RUNS + '/8', with_sources(pop_run(8, 'SUCCESS')))
    result = run_module(pipeline_run, pop_args(skip_if_succeeded=True, envs={'NOT': 'compared'}, comment='not compared'))
    assert result['action'] == 'skipped_succeeded' and result['run_id'] == 8, result
    assert acting(fake_http) == []


@pytest.mark.parametrize('newest', ['FAIL', 'CANCELED'])
def test_skip_if_succeeded_newest_finished_run_did_not_succeed(fake_http, run_module, newest):
    """Only the newest ended run counts: an older success behind a failure is not reused (and not read)."""
    fake_http.add('GET', TOK + '/runs', tok_list((8, newest), (7, 'SUCCESS')))
    fake_http.add('POST', TOK + '/runs', dict(status=200, json=9))
    fake_http.add('GET', TOK + '/runs/9', tok_run(9, 'RUNNING'))
    result = run_module(pipeline_run, token_args(skip_if_succeeded=True))
    assert result['action'] == 'started' and result['changed'] is True, result
    assert fake_http.paths() == ['GET ' + TOK + '/runs', 'POST ' + TOK + '/runs', 'GET ' + TOK + '/runs/9']


def test_skip_if_succeeded_no_run_yet_starts(fake_http, run_module):
    fake_http.add('GET', TOK + '/runs', tok_list())
    fake_http.add('POST', TOK + '/runs', dict(status=200, json=1))
    fake_http.add('GET', TOK + '/runs/1', tok_run(1, 'RUNNING'))
    result = run_module(pipeline_run, token_args(skip_if_succeeded=True))
    assert result['action'] == 'started', result


def test_skip_if_succeeded_force_still_starts(fake_http, run_module):
    fake_http.add('GET', TOK + '/runs', tok_list((8, 'SUCCESS')))
    fake_http.add('POST', TOK + '/runs', dict(status=200, json=9))
    fake_http.add('GET', TOK + '/runs/9', tok_run(9, 'RUNNING'))
    result = run_module(pipeline_run, token_args(skip_if_succeeded=True, force=True, branches={REPO: 'main'}))
    assert result['action'] == 'started' and result['changed'] is True, result
    assert fake_http.paths() == ['GET ' + TOK + '/runs', 'POST ' + TOK + '/runs', 'GET ' + TOK + '/runs/9']


def test_skip_if_succeeded_live_run_is_followed_first(fake_http, run_module):
    fake_http.add('GET', TOK + '/runs', tok_list((9, 'RUNNING'), (8, 'SUCCESS')))
    fake_http.add('GET', TOK + '/runs/9', tok_run(9, 'RUNNING'))
    result = run_module(pipeline_run, token_args(skip_if_succeeded=True))
    assert result['action'] == 'existing' and result['run_id'] == 9, result
    assert acting(fake_http) == []


@pytest.mark.parametrize('branch, action, changed', [('main', 'skipped_succeeded', False), ('dev', 'would_start', True)])
def test_skip_if_succeeded_check_mode_predicts_the_same(fake_http, run_module, branch, action, changed):
    fake_http.add('GET', TOK + '/runs', tok_list((8, 'SUCCESS')))
    fake_http.add('GET', TOK + '/runs/8', tok_run(8, 'SUCCESS'))
    result = run_module(pipeline_run, token_args(state='finished', skip_if_succeeded=True, branches={REPO: branch}),
                        check_mode=True)
    assert not result.get('failed'), result
    assert result['action'] == action and result['changed'] is changed
    assert result['run_id'] == (8 if action == 'skipped_succeeded' else None)
    assert acting(fake_http) == []


def test_skip_if_succeeded_is_not_used_to_cancel(fake_http, run_module):
    fake_http.add('GET', TOK + '/runs', tok_list((8, 'SUCCESS')))
    result = run_module(pipeline_run, token_args(state='canceled', skip_if_succeeded=True))
    assert result['changed'] is False and result['action'] == 'none', result
    assert fake_http.paths() == ['GET ' + TOK + '/runs']


# --- bad input fails before any request (issue 10) -----------------------------------------------------------

@pytest.mark.parametrize('make', [token_args, pop_args])
@pytest.mark.parametrize('extra, text', [
    # '..' used to drop the organization from the path (a run of /flow/pipelines/1001 started), '.' to break the signature
    (dict(organization_id='..'), "organization_id must not be '..'"),
    (dict(organization_id='.'), "organization_id must not be '.'"),
    (dict(organization_id='org/x'), 'organization_id must not contain "/"'),
    (dict(organization_id=''), 'organization_id must not be empty'),
    (dict(pipeline_id=0), 'pipeline_id must be a positive integer'),
    (dict(pipeline_id=-1001), 'pipeline_id must be a positive integer'),
    (dict(state='canceled', run_id=0), 'run_id must be a positive integer'),
    (dict(poll_interval=0), 'poll_interval must be greater than 0'),
    (dict(wait_timeout=-1), 'wait_timeout must not be negative'),
    (dict(branches={'': 'main'}), "branches has an invalid repository URL ''"),
    (dict(branches={REPO: ' '}), "branches['%s'] must not be blank" % REPO),
    (dict(branch_mode_branches=[]), 'branch_mode_branches must not be an empty list'),
    (dict(branch_mode_branches=['feature/a', '']), 'branch_mode_branches must not contain empty branch names'),
    (dict(envs={'A': None}), "envs['A'] must not be empty"),
    (dict(tags={REPO: ['v1']}), "tags['%s'] must be a string, not a list" % REPO),
])
def test_bad_options_fail_before_any_request(fake_http, run_module, make, extra, text):
    result = run_module(pipeline_run, make(**extra))
    assert result['failed'] is True and result['msg'].startswith(text), result
    assert fake_http.calls == []


# --- diff mode -----------------------------------------------------------------------------------------------

def test_diff_of_a_start(fake_http, run_module):
    fake_http.add('GET', TOK + '/runs', tok_list((5, 'SUCCESS'), (4, 'FAIL')))
    fake_http.add('POST', TOK + '/runs', dict(status=200, json=6))
    fake_http.add('GET', TOK + '/runs/6', tok_run(6, 'RUNNING'))
    result = run_module(pipeline_run, token_args(_ansible_diff=True))
    assert result['diff'] == dict(before={'5': 'SUCCESS'}, after={'5': 'SUCCESS', '6': 'RUNNING'})


def test_diff_of_a_start_in_check_mode(fake_http, run_module):
    fake_http.add('GET', TOK + '/runs', tok_list())
    result = run_module(pipeline_run, token_args(_ansible_diff=True), check_mode=True)
    assert result['diff'] == dict(before={}, after={'(new pipeline run)': 'RUNNING'})


def test_diff_of_a_live_run_is_empty(fake_http, run_module):
    fake_http.add('GET', POP_RUNS, pop_list((6, 'RUNNING'), (5, 'SUCCESS')))
    fake_http.add('GET', POP_RUNS + '/6', pop_run(6, 'RUNNING'))
    result = run_module(pipeline_run, pop_args(_ansible_diff=True))
    assert result['changed'] is False and result['diff'] == dict(before={'6': 'RUNNING'}, after={'6': 'RUNNING'})


@pytest.mark.parametrize('check_mode, after', [(False, 'CANCELED'), (True, 'CANCELED')])
def test_diff_of_a_cancel(fake_http, run_module, check_mode, after):
    fake_http.add('GET', POP_RUNS, pop_list((6, 'RUNNING'), (5, 'SUCCESS')))
    fake_http.add('GET', POP_RUNS + '/6', pop_run(6, 'RUNNING'), pop_run(6, 'CANCELED', job_status='CANCELED'))
    fake_http.add('PUT', POP_RUNS + '/6/stop', dict(status=200, json={'success': True}))
    result = run_module(pipeline_run, pop_args(state='canceled', _ansible_diff=True), check_mode=check_mode)
    assert result['diff'] == dict(before={'6': 'RUNNING'}, after={'6': after})
    assert len(acting(fake_http)) == (0 if check_mode else 1)


# --- wait_until: gate ------------------------------------------------------------------------------

@pytest.mark.parametrize('backend', ['token', 'pop'])
def test_wait_until_gate_returns_at_the_validation_job(fake_http, run_module, clock, backend):
    """Flow 1003-like: the run stays RUNNING while its job 'approve' is WAITING and offers the validation actions
    (the gate as stage_review finds it); the wait ends there, no failure."""
    if backend == 'token':
        fake_http.add('GET', TOK + '/runs', tok_list())
        fake_http.add('POST', TOK + '/runs', dict(status=200, json=3))
        fake_http.add('GET', TOK + '/runs/3', tok_run(3, 'RUNNING'), tok_run(3, 'RUNNING', failed_job='approve', job_status='WAITING', gate=True))
        result = run_module(pipeline_run, token_args(state='finished', wait_until='gate', poll_interval=2))
    else:
        fake_http.add('GET', POP_RUNS, pop_list())
        fake_http.add('POST', POP_START, dict(status=200, json={'success': True, 'pipelineRunId': 3}))
        fake_http.add('GET', POP_RUNS + '/3', pop_run(3, 'RUNNING'), pop_run(3, 'RUNNING', failed_job='approve', job_status='WAITING', gate=True))
        result = run_module(pipeline_run, pop_args(state='finished', wait_until='gate', poll_interval=2))
    assert not result.get('failed'), result
    assert result['at_gate'] is True and result['run']['status'] == 'RUNNING' and clock == [2]
    assert result['gate'] == dict(kind='validation', stage='Test', job='approve', step=None, ids=dict(run_id=3, job_id=302),
                                  status='WAITING', state='pending', pending=True, decided_by=None, decided_at=None)
    assert 'failure' not in result and 'failing_job' not in result
    assert len(acting(fake_http)) == 1


def test_wait_until_end_is_the_default_and_reports_no_gate(fake_http, run_module, no_sleep):
    fake_http.add('GET', TOK + '/runs', tok_list())
    fake_http.add('POST', TOK + '/runs', dict(status=200, json=1))
    fake_http.add('GET', TOK + '/runs/1', tok_run(1, 'RUNNING'), tok_run(1, 'SUCCESS'))
    result = run_module(pipeline_run, token_args(state='finished'))
    assert not result.get('failed') and result['at_gate'] is False and 'gate' not in result


def test_wait_until_gate_rejected_with_state_canceled(fake_http, run_module):
    result = run_module(pipeline_run, token_args(state='canceled', wait_until='gate'))
    assert result['failed'] and 'wait_until=gate is only used with state=started or state=finished' in result['msg']
    assert fake_http.calls == []


def test_start_new_false_reports_the_newest_run_and_starts_none(fake_http, run_module, no_sleep):
    fake_http.add('GET', TOK + '/runs', tok_list((4, 'FAIL')))
    fake_http.add('GET', TOK + '/runs/4', tok_run(4, 'FAIL', failed_job='deploy'))
    result = run_module(pipeline_run, token_args(state='finished', start_new=False))
    assert result['failed'] is True and result['changed'] is False and result['run_id'] == 4
    assert "ended FAIL: stage 'Test' job 'deploy' (FAIL)" in result['msg']
    assert acting(fake_http) == [] and no_sleep == []
