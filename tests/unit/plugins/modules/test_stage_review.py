# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest
import requests

from ansible_collections.devops_cloud.pipelines.plugins.modules import stage_review

PROJECT = '0f1e2d3c4b5a69788796a5b4c3d2e1f0'
PIPE = 'a0000000000000000000000000000003'
RUN = 'c0000000000000000000000000000001'
JOB = 'j0000000000000000000000000000002'
STEP = 's0000000000000000000000000000002'
BASE = '/v5/%s/api/pipelines/%s' % (PROJECT, PIPE)
LIST = BASE + '/pipeline-runs/list'
DETAIL = BASE + '/pipeline-runs/detail'
DECIDE = BASE + '/pipeline-runs/%s/jobs/%s/steps/%s/(pass|refuse)' % (RUN, JOB, STEP)
V3 = '/v3/manage/pipelines/101/stages/1/start_info'
TOKEN = 'unit-token-secret-0002'
AK, SK = 'UNITAK000000000000002', 'unit-sk-secret-0002'


def args(**kwargs):
    base = dict(endpoint='https://cloudpipeline-ext.example.test', project_id=PROJECT, auth_token=TOKEN,
                pipeline_id=PIPE, result='pass')
    base.update(kwargs)
    return base


def run_detail(review_status='RUNNING', run_status='RUNNING', extra_review=False):
    stages = [
        dict(id='st1', name='Build', sequence=0, status='COMPLETED', jobs=[
            dict(id='j1', name='build', status='COMPLETED', steps=[
                dict(id='s1', name='compile', task='official_devcloud_codeci', status='COMPLETED')])]),
        dict(id='st2', name='Review', sequence=1, status='RUNNING', jobs=[
            dict(id=JOB, name='Approval', status='RUNNING', steps=[
                dict(id=STEP, name='manual-review', task='official_devcloud_manualReview', status=review_status)])]),
    ]
    if extra_review:
        stages.append(dict(id='st3', name='Prod', sequence=2, status='RUNNING', jobs=[
            dict(id='j3', name='Prod approval', status='RUNNING', steps=[
                dict(id='s3', name='prod-review', task='Checkpoint', status='RUNNING')])]))
    return dict(status=200, json=dict(id=RUN, pipeline_id=PIPE, status=run_status, stages=stages))


def runs_list(*run_ids):
    return dict(status=200, json=dict(offset=0, limit=1, total=len(run_ids), pipeline_runs=[
        dict(pipeline_id=PIPE, pipeline_run_id=r, status='RUNNING', start_time=1000 + i) for i, r in enumerate(run_ids)]))


def acting(fake):
    return fake.acting()


# --- v5 -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize('result', ['pass', 'refuse'])
def test_v5_latest_run_decided(fake_http, run_module, result):
    fake_http.add('POST', LIST, runs_list(RUN))
    fake_http.add('GET', DETAIL, run_detail())
    fake_http.add('POST', DECIDE, dict(status=200, json={'success': True}))
    res = run_module(stage_review, args(result=result, comment='looks good'))
    assert not res.get('failed'), res
    assert res['changed'] is True and res['api'] == 'v5' and res['result'] == result
    assert res['gate']['step_id'] == STEP and res['gate']['job_id'] == JOB
    assert res['gate']['stage_name'] == 'Review' and res['gate']['step_name'] == 'manual-review'
    assert res['gate']['pipeline_run_id'] == RUN and res['pipeline_run_id'] == RUN
    assert res['response'] == {'success': True}
    calls = acting(fake_http)
    assert len(calls) == 1 and calls[0].path.endswith('/' + result)
    assert calls[0].query == {'approval_description': ['looks good']}
    assert fake_http.calls[0].json == {'offset': 0, 'limit': 1, 'sort_key': 'start_time', 'sort_dir': 'desc'}
    assert fake_http.calls[1].query == {'pipeline_run_id': [RUN]}


def test_v5_given_run_skips_list(fake_http, run_module):
    fake_http.add('GET', DETAIL, run_detail())
    fake_http.add('POST', DECIDE, dict(status=200, json={'success': True}))
    res = run_module(stage_review, args(pipeline_run_id=RUN))
    assert res['changed'] is True
    # read, decide, read back (the run's status after the decision)
    assert fake_http.paths() == ['GET ' + DETAIL, 'POST ' + BASE + '/pipeline-runs/%s/jobs/%s/steps/%s/pass' % (RUN, JOB, STEP),
                                 'GET ' + DETAIL]
    assert acting(fake_http)[0].query == {}


@pytest.mark.parametrize('status', ['COMPLETED', 'FAILED'])
def test_v5_already_decided_is_noop(fake_http, run_module, status):
    fake_http.add('POST', LIST, runs_list(RUN))
    fake_http.add('GET', DETAIL, run_detail(review_status=status, run_status='COMPLETED'))
    res = run_module(stage_review, args())
    assert res['changed'] is False and 'already decided' in res['msg'] and status in res['msg']
    assert acting(fake_http) == []


def test_v5_no_pending_step(fake_http, run_module):
    body = run_detail()
    body['json']['stages'] = body['json']['stages'][:1]
    fake_http.add('POST', LIST, runs_list(RUN))
    fake_http.add('GET', DETAIL, body)
    res = run_module(stage_review, args())
    assert res['changed'] is False and res['gate'] is None
    assert 'no manual review step waits' in res['msg']
    assert acting(fake_http) == []


def test_v5_no_pending_step_required_fails(fake_http, run_module):
    fake_http.add('POST', LIST, runs_list(RUN))
    fake_http.add('GET', DETAIL, run_detail(review_status='COMPLETED', run_status='COMPLETED'))
    res = run_module(stage_review, args(require_pending=True))
    assert res['failed'] is True and 'already decided' in res['msg']
    assert acting(fake_http) == []


def test_v5_never_run(fake_http, run_module):
    fake_http.add('POST', LIST, dict(status=200, json=dict(offset=0, limit=1, total=0, pipeline_runs=[])))
    res = run_module(stage_review, args())
    assert res['changed'] is False and 'never run' in res['msg']
    res = run_module(stage_review, args(require_pending=True))
    assert res['failed'] is True and 'never run' in res['msg']
    assert acting(fake_http) == []


def test_v5_ambiguous_fails_then_narrowed(fake_http, run_module):
    fake_http.add('POST', LIST, runs_list(RUN))
    fake_http.add('GET', DETAIL, run_detail(extra_review=True))
    fake_http.add('POST', BASE + '/pipeline-runs/%s/jobs/j3/steps/s3/pass' % RUN, dict(status=200, json={'success': True}))
    res = run_module(stage_review, args())
    assert res['failed'] is True and '2 manual review steps' in res['msg'] and 'prod-review' in res['msg']
    assert acting(fake_http) == []
    res = run_module(stage_review, args(job_name='Prod approval'))
    assert res['changed'] is True and res['gate']['step_id'] == 's3' and res['gate']['step_task'] == 'Checkpoint'


def test_v5_check_mode(fake_http, run_module):
    fake_http.add('POST', LIST, runs_list(RUN))
    fake_http.add('GET', DETAIL, run_detail())
    res = run_module(stage_review, args(), check_mode=True)
    assert res['changed'] is True and res['gate']['step_id'] == STEP and 'response' not in res
    assert acting(fake_http) == []


def test_v5_lost_answer_adopted(fake_http, run_module, no_sleep):
    fake_http.add('GET', DETAIL, run_detail(), run_detail(review_status='COMPLETED'))
    fake_http.add('POST', DECIDE, requests.exceptions.ConnectionError('Connection reset by peer'))
    res = run_module(stage_review, args(pipeline_run_id=RUN))
    assert not res.get('failed'), res
    assert res['adopted'] is True and res['changed'] is True
    assert res['response'] == {'adopted_status': 'COMPLETED'}
    assert len(acting(fake_http)) == 1


def test_v5_error_body_with_200(fake_http, run_module):
    fake_http.add('GET', DETAIL, run_detail())
    fake_http.add('POST', DECIDE, dict(status=200, json={'error_code': 'DEVPIPE.00011104', 'error_msg': 'review is not yours'}))
    res = run_module(stage_review, args(pipeline_run_id=RUN))
    assert res['failed'] is True and 'DEVPIPE.00011104' in res['msg'] and 'review is not yours' in res['msg']
    assert res['gate']['step_id'] == STEP
    assert len(acting(fake_http)) == 1


def test_v5_success_false(fake_http, run_module):
    fake_http.add('GET', DETAIL, run_detail())
    fake_http.add('POST', DECIDE, dict(status=200, json={'success': False}))
    res = run_module(stage_review, args(pipeline_run_id=RUN))
    assert res['failed'] is True and 'success=false' in res['msg']


def test_v5_detail_error_200_on_read(fake_http, run_module):
    fake_http.add('GET', DETAIL, dict(status=200, json={'error_code': 'DEVPIPE.00011104', 'error_msg': 'The pipeline does not exist'}))
    res = run_module(stage_review, args(pipeline_run_id=RUN))
    assert res['failed'] is True and 'The pipeline does not exist' in res['msg']


def test_v5_needs_project_id(fake_http, run_module):
    a = args()
    del a['project_id']
    res = run_module(stage_review, a)
    assert res['failed'] is True and 'project_id' in res['msg']
    assert fake_http.calls == []


def test_v5_reads_survive_throttling(fake_http, run_module, no_sleep):
    fake_http.add('POST', LIST, dict(status=429, json={'error_code': 'APIGW.0308', 'error_msg': 'throttled'}), runs_list(RUN))
    fake_http.add('GET', DETAIL, dict(status=503, json={'error_code': 'DEVPIPE.503', 'error_msg': 'busy'}), run_detail())
    fake_http.add('POST', DECIDE, dict(status=200, json={'success': True}))
    res = run_module(stage_review, args())
    assert res['changed'] is True and len(no_sleep) == 2


# --- v3 -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize('result', ['pass', 'refuse'])
def test_v3_put(fake_http, run_module, result):
    fake_http.add('PUT', V3, dict(status=201, json={}))
    res = run_module(stage_review, args(pipeline_id='101', stage_index=1, result=result))
    assert not res.get('failed'), res
    assert res['api'] == 'v3' and res['changed'] is True and res['response'] == {}
    assert res['gate'] == {'pipeline_id': '101', 'stage_index': 1}
    assert len(fake_http.calls) == 1
    assert fake_http.calls[0].json == {'mode': 'review', 'review_result': result}


def test_v3_empty_201_body(fake_http, run_module):
    fake_http.add('PUT', V3, dict(status=201))
    res = run_module(stage_review, args(pipeline_id='101', stage_index=1))
    assert res['changed'] is True and res['response'] == {}


def test_v3_check_mode_sends_nothing(fake_http, run_module):
    res = run_module(stage_review, args(pipeline_id='101', stage_index=1), check_mode=True)
    assert res['changed'] is True and fake_http.calls == []


def test_v3_unknown_pipeline_400(fake_http, run_module):
    fake_http.add('PUT', '/v3/manage/pipelines/999/stages/1/start_info',
                  dict(status=400, json={'error_code': 'DEVPIPE.00011104', 'error_msg': 'The pipeline does not exist'}))
    res = run_module(stage_review, args(pipeline_id='999', stage_index=1))
    assert res['failed'] is True and res['http_status'] == 400 and 'does not exist' in res['msg']
    assert len(fake_http.calls) == 1


def test_v3_retried_after_503(fake_http, run_module, no_sleep):
    fake_http.add('PUT', V3, dict(status=503, json={'error_code': 'X', 'error_msg': 'busy'}), dict(status=201, json={}))
    res = run_module(stage_review, args(pipeline_id='101', stage_index=1))
    assert res['changed'] is True and len(fake_http.calls) == 2


def test_v3_needs_endpoint(fake_http, run_module):
    a = args(pipeline_id='101', stage_index=1, region='cn-north-4')
    del a['endpoint']
    res = run_module(stage_review, a)
    assert res['failed'] is True and 'endpoint' in res['msg'] and fake_http.calls == []


def test_v3_comment_warns(fake_http, run_module):
    fake_http.add('PUT', V3, dict(status=201, json={}))
    res = run_module(stage_review, args(pipeline_id='101', stage_index=1, comment='x'))
    assert res['changed'] is True
    assert 'comment' not in json.dumps(fake_http.calls[0].json)


@pytest.mark.parametrize('extra,words', [
    (dict(api='v3'), 'needs stage_index'),
    (dict(api='v3', stage_index=1), 'integer id'),
    (dict(api='v5', pipeline_id='101', stage_index=1), 'v3 review API only'),
])
def test_api_choice_errors(fake_http, run_module, extra, words):
    res = run_module(stage_review, args(**extra))
    assert res['failed'] is True and words in res['msg'] and fake_http.calls == []


@pytest.mark.parametrize('auth', ['token', 'aksk'])
def test_secrets_never_in_results(fake_http, run_module, auth):
    given = args(pipeline_run_id=RUN)
    if auth == 'aksk':
        del given['auth_token']
        given.update(access_key=AK, secret_key=SK)
    secrets = [TOKEN] if auth == 'token' else [AK, SK]
    fake_http.add('GET', DETAIL, dict(status=401, json={'error_code': 'APIGW.0301', 'error_msg': 'bad credentials '
                                                        + ' '.join(secrets)}))
    res = run_module(stage_review, given)
    assert res['failed'] is True and 'authentication' in res['msg']
    text = json.dumps(res)
    for secret in secrets:
        assert secret not in text


# --- bad input fails before any request (issue 10) -----------------------------------------------------------

@pytest.mark.parametrize('extra, text', [
    (dict(pipeline_id='..'), "pipeline_id must not be '..'"),
    (dict(pipeline_run_id='.'), "pipeline_run_id must not be '.'"),
    (dict(project_id='..'), "project_id must not be '..'"),
    (dict(job_name=''), 'job_name must not be empty'),
    (dict(step_name='  '), 'step_name must not be blank'),
    (dict(comment='a\x00b'), 'comment must not contain control characters'),
    (dict(api='v3', pipeline_id='0', stage_index=1), "the v3 review API addresses pipelines by positive integer id; "
                                                     "pipeline_id '0'"),
    (dict(api='v3', pipeline_id='101', stage_index=-1), 'stage_index must be 0 or more'),
])
def test_bad_options_fail_before_any_request(fake_http, run_module, extra, text):
    res = run_module(stage_review, args(**extra))
    assert res['failed'] is True and res['msg'].startswith(text), res
    assert fake_http.calls == []


# --- diff mode -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize('check_mode', [True, False])
def test_v5_diff(fake_http, run_module, check_mode):
    fake_http.add('GET', DETAIL, run_detail())
    fake_http.add('POST', DECIDE, dict(status=200, json={'success': True}))
    res = run_module(stage_review, args(pipeline_run_id=RUN, result='refuse', _ansible_diff=True), check_mode=check_mode)
    step = dict(pipeline_run_id=RUN, step_id=STEP, step_name='manual-review')
    assert res['diff'] == dict(before=dict(step, status='RUNNING', waiting_for_decision=True, decision=None),
                               after=dict(step, waiting_for_decision=False, decision='refuse'))
    assert len(acting(fake_http)) == (0 if check_mode else 1)


def test_v3_diff(fake_http, run_module):
    res = run_module(stage_review, args(pipeline_id='101', stage_index=1, _ansible_diff=True), check_mode=True)
    gate = dict(pipeline_id='101', stage_index=1)
    assert res['diff'] == dict(before=dict(gate, review_result='unknown (the v3 API cannot read it)'),
                               after=dict(gate, review_result='pass'))


def test_v3_with_empty_project_and_region_as_awx_injects_them(fake_http, run_module):
    fake_http.add('PUT', V3, dict(status=201, json={}))
    res = run_module(stage_review, args(pipeline_id='101', stage_index=1, project_id='', region=''))
    assert not res.get('failed') and res['changed'] is True, res
