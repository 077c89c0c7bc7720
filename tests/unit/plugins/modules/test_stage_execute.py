# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import time

import pytest
import requests

from ansible_collections.devops_cloud.pipelines.plugins.modules import stage_execute

ORG = '60d54f3daccf2bbd6659f3ad'
TOKEN = 'pt-unit-token-secret-0002'
AK, SK = 'LTAIUNIT0000000000002', 'ali-unit-secret-0002'
SECRETS = (TOKEN, SK)
STAGE = '/apps/demo-app/releaseWorkflows/wf-0001/releaseStages/stage-dev'
TOK = '/oapi/v1/appstack/organizations/%s%s' % (ORG, STAGE)
POP = '/appstack' + STAGE


@pytest.fixture
def clock(no_sleep, monkeypatch):
    monkeypatch.setattr(time, 'monotonic', lambda: 1000.0 + sum(no_sleep))
    return no_sleep


def token_args(**kwargs):
    base = dict(organization_id=ORG, yunxiao_token=TOKEN, yunxiao_base_url='https://yx.example.test', app_name='demo-app',
                release_workflow_sn='wf-0001', release_stage_sn='stage-dev', poll_interval=1.0, wait_timeout=60)
    base.update(kwargs)
    return base


def pop_args(**kwargs):
    base = dict(organization_id=ORG, access_key_id=AK, access_key_secret=SK, endpoint='https://devops.example.test',
                app_name='demo-app', release_workflow_sn='wf-0001', release_stage_sn='stage-dev', poll_interval=1.0,
                wait_timeout=60)
    base.update(kwargs)
    return base


def executions(*items):
    data = [{'number': str(n), 'state': s, 'triggerMode': 'MANUAL', 'startTime': '2024-06-25T07:25:54.000+00:00',
             'endTime': None if s == 'RUNNING' else '2024-06-25T07:26:18.000+00:00'} for n, s in items]
    return dict(status=200, json={'data': data, 'total': len(data), 'current': 1, 'perPage': 50, 'pages': 1})


def pipeline_run(run_id, status, job='deploy-dev', job_status=None, gate=False):
    """The pipeline run of an execution; with ``gate`` its job is a validation gate (it offers the actions)."""
    actions = [{'type': 'PassPipelineValidate', 'disable': False}, {'type': 'RefusePipelineValidate', 'disable': False}]
    return dict(status=200, json={'pipelineRun': {
        'pipelineRunId': run_id, 'pipelineId': 2001, 'status': status, 'triggerMode': 1, 'createTime': 1, 'updateTime': 2,
        'stages': [{'name': 'Deploy', 'stageInfo': {'name': 'Deploy', 'status': job_status or status,
                                                    'jobs': [{'id': 5, 'name': job, 'status': job_status or status,
                                                              'actions': actions if gate else []}]}}]}})


def executed(run_id=11, number=None):
    return dict(status=200, json={'object': number if number is not None else run_id, 'pipelineId': 2001, 'pipelineRunId': run_id})


def acting(fake):
    return [c for c in fake.calls if c.method != 'GET']


def no_secret(result):
    text = json.dumps(result, default=str)
    for secret in SECRETS:
        assert secret not in text


# --- start -----------------------------------------------------------------------------------------

def test_execute_token_api(fake_http, run_module, no_sleep):
    fake_http.add('GET', TOK + '/executions', executions((3, 'SUCCESS')), executions((4, 'RUNNING'), (3, 'SUCCESS')))
    fake_http.add('POST', TOK + ':execute', executed(11))
    result = run_module(stage_execute, token_args(
        comment='nightly', params={'IMAGE_TAG': '1.4', 'REPLICAS': 2}, branches={'src_1': 'release/1.4'},
        release_branch_repo_info=dict(repo='https://codeup.aliyun.com/o/r.git', base_branch='master', need_create_branch=False,
                                      release_branch='release/x', feature_branches=[dict(branch_name='f/1', change_request_sn='cr1')])))
    assert not result.get('failed'), result
    assert result['changed'] is True and result['action'] == 'started'
    assert result['execution']['number'] == '4' and result['execution']['state'] == 'RUNNING'
    assert result['pipeline_run_id'] == 11 and 'pipeline_run' not in result
    # read, act, find the new execution in the list, read it
    assert fake_http.paths() == ['GET ' + TOK + '/executions', 'POST ' + TOK + ':execute'] + ['GET ' + TOK + '/executions'] * 2
    post = acting(fake_http)[0]
    assert post.headers['x-yunxiao-token'] == TOKEN
    assert post.json == {'params': {
        'IMAGE_TAG': '1.4', 'REPLICAS': 2, 'FLOW_INST_RUNNING_COMMENT': 'nightly', 'src_1': 'release/1.4',
        'releaseBranchRepoInfo': {'featureBranchs': [{'branchName': 'f/1', 'changeRequestSn': 'cr1'}],
                                  'repo': 'https://codeup.aliyun.com/o/r.git', 'baseBranch': {'branchName': 'master'},
                                  'needCreateBranch': False, 'releaseBranch': {'branchName': 'release/x'}}}}
    assert fake_http.calls[0].query == {'page': ['1'], 'perPage': ['50'], 'orderBy': ['id'], 'sort': ['desc']}
    assert no_sleep == []


def test_execute_pop_api(fake_http, run_module):
    fake_http.add('GET', POP + '/executions', executions(), executions((1, 'RUNNING')))
    fake_http.add('POST', POP + '%3Aexecute', executed(7))
    result = run_module(stage_execute, pop_args())
    assert result['changed'] is True and result['execution']['number'] == '1' and result['pipeline_run_id'] == 7, result
    post = acting(fake_http)[0]
    assert post.headers['x-acs-action'] == 'ExecuteChangeRequestReleaseStage'
    assert post.headers['content-type'].startswith('application/json')
    assert post.json == {'params': {}}
    for call in fake_http.calls:
        assert call.query['organizationId'] == [ORG]
    assert fake_http.calls[0].headers['x-acs-action'] == 'ListAppReleaseStageExecutions'


def test_execute_answer_without_run_id_reads_pipeline_run(fake_http, run_module):
    fake_http.add('GET', TOK + '/executions', executions(), executions((1, 'RUNNING')))
    fake_http.add('POST', TOK + ':execute', dict(status=200, json={'object': 1}))
    fake_http.add('GET', TOK + '/executions/1:getPipelineRun', pipeline_run(21, 'RUNNING'))
    result = run_module(stage_execute, token_args())
    assert result['pipeline_run_id'] == 21 and result['pipeline_run']['status'] == 'RUNNING', result


@pytest.mark.parametrize('backend', ['token', 'pop'])
def test_live_execution_is_returned_unchanged(fake_http, run_module, backend):
    base, args = (TOK, token_args()) if backend == 'token' else (POP, pop_args())
    fake_http.add('GET', base + '/executions', executions((5, 'RUNNING'), (4, 'SUCCESS')))
    fake_http.add('GET', base + ('/executions/5:getPipelineRun' if backend == 'token' else '/executions/5%3AgetPipelineRun'),
                  pipeline_run(55, 'RUNNING'))
    result = run_module(stage_execute, args)
    assert result['changed'] is False and result['action'] == 'existing', result
    assert result['execution']['number'] == '5' and result['pipeline_run_id'] == 55
    assert acting(fake_http) == []


def test_force_executes_next_to_live_one(fake_http, run_module):
    fake_http.add('GET', TOK + '/executions', executions((5, 'RUNNING')), executions((6, 'RUNNING'), (5, 'RUNNING')))
    fake_http.add('POST', TOK + ':execute', executed(60))
    result = run_module(stage_execute, token_args(force=True))
    assert result['changed'] is True and result['execution']['number'] == '6'
    assert len(acting(fake_http)) == 1


# --- finished / waiting ----------------------------------------------------------------------------

@pytest.mark.parametrize('backend', ['token', 'pop'])
def test_finished_success(fake_http, run_module, no_sleep, backend):
    base, args, sep = (TOK, token_args, ':') if backend == 'token' else (POP, pop_args, '%3A')
    fake_http.add('GET', base + '/executions', executions(), executions((1, 'RUNNING')), executions((1, 'RUNNING')),
                  executions((1, 'SUCCESS')))
    fake_http.add('POST', base + sep + 'execute', executed(10))
    fake_http.add('GET', base + '/executions/1' + sep + 'getPipelineRun', pipeline_run(10, 'SUCCESS'))
    result = run_module(stage_execute, args(state='finished'))
    assert not result.get('failed'), result
    assert result['execution']['state'] == 'SUCCESS' and result['pipeline_run']['status'] == 'SUCCESS'
    assert result['pipeline_run_id'] == 10 and 'failing_stage' not in result
    assert no_sleep == [1.0]


def test_finished_failure(fake_http, run_module, no_sleep):
    fake_http.add('GET', TOK + '/executions', executions(), executions((1, 'RUNNING')), executions((1, 'FAILED')))
    fake_http.add('POST', TOK + ':execute', executed(10))
    fake_http.add('GET', TOK + '/executions/1:getPipelineRun', pipeline_run(10, 'FAIL', job='deploy-broken'))
    result = run_module(stage_execute, token_args(state='finished', failure_log_lines=0))
    assert result['failed'] is True
    assert result['msg'] == ("execution 1 of release stage stage-dev (workflow wf-0001, app demo-app) ended FAILED: "
                             "stage 'Deploy' job 'deploy-broken' (FAIL); failing step: stage 'Deploy' job 'deploy-broken' (FAIL)")
    assert result['failure']['job'] == 'deploy-broken' and result['failure']['log_error'] is None
    assert result['execution']['state'] == 'FAILED' and result['pipeline_run']['status'] == 'FAIL'
    assert result['failing_stage'] == 'Deploy' and result['failing_job'] == 'deploy-broken'
    assert result['changed'] is True and result['pipeline_run_id'] == 10


def test_started_with_wait_does_not_fail(fake_http, run_module, no_sleep):
    fake_http.add('GET', TOK + '/executions', executions(), executions((1, 'RUNNING')), executions((1, 'CANCELED')))
    fake_http.add('POST', TOK + ':execute', executed(10))
    fake_http.add('GET', TOK + '/executions/1:getPipelineRun', pipeline_run(10, 'CANCELED'))
    result = run_module(stage_execute, token_args(wait=True))
    assert not result.get('failed') and result['execution']['state'] == 'CANCELED' and result['failing_job'] == 'deploy-dev'


def test_timeout(fake_http, run_module, clock):
    fake_http.add('GET', TOK + '/executions', executions(), executions((1, 'RUNNING')))
    fake_http.add('POST', TOK + ':execute', executed(10))
    fake_http.add('GET', TOK + '/executions/1:getPipelineRun', pipeline_run(10, 'RUNNING', job='validate', job_status='WAITING', gate=True))
    result = run_module(stage_execute, token_args(state='finished', wait_timeout=3, poll_interval=1, failure_log_lines=0))
    assert result['failed'] is True
    assert result['msg'].startswith('timed out after 3s waiting for execution 1 of release stage stage-dev')
    assert result['msg'].endswith("last status RUNNING, at stage 'Deploy' job 'validate' (WAITING); "
                                  "it waits at a gate: validation at stage 'Deploy' job 'validate' (WAITING, pending); "
                                  "step it was at: stage 'Deploy' job 'validate' (WAITING)")
    assert result['execution']['number'] == '1' and result['pipeline_run']['id'] == 10
    assert sum(clock) == 3


# --- canceled --------------------------------------------------------------------------------------

@pytest.mark.parametrize('backend', ['token', 'pop'])
def test_cancel_live(fake_http, run_module, backend):
    base, args, sep = (TOK, token_args, ':') if backend == 'token' else (POP, pop_args, '%3A')
    fake_http.add('GET', base + '/executions', executions((5, 'RUNNING'), (4, 'SUCCESS')), executions((5, 'RUNNING'), (4, 'SUCCESS')),
                  executions((5, 'CANCELED'), (4, 'SUCCESS')))
    fake_http.add('POST', base + '/executions/5' + sep + 'cancel', dict(status=200, json=True if backend == 'token' else {'success': True}))
    result = run_module(stage_execute, args(state='canceled'))
    assert result['changed'] is True and result['action'] == 'stopped', result
    assert result['canceled_execution_numbers'] == ['5'] and result['execution']['state'] == 'CANCELED'
    assert [c.path for c in acting(fake_http)] == [base + '/executions/5' + sep + 'cancel']
    if backend == 'pop':
        assert acting(fake_http)[0].headers['x-acs-action'] == 'CancelExecutionReleaseStage'


def test_cancel_nothing_live(fake_http, run_module):
    fake_http.add('GET', TOK + '/executions', executions((4, 'SUCCESS')))
    result = run_module(stage_execute, token_args(state='canceled'))
    assert result['changed'] is False and result['execution'] is None and result['canceled_execution_numbers'] == []
    assert acting(fake_http) == []


def test_cancel_given_number_finished(fake_http, run_module):
    fake_http.add('GET', TOK + '/executions', executions((5, 'RUNNING'), (4, 'SUCCESS')))
    result = run_module(stage_execute, token_args(state='canceled', execution_number='4'))
    assert result['changed'] is False and result['execution']['number'] == '4'
    assert acting(fake_http) == []


def test_cancel_unknown_number(fake_http, run_module):
    fake_http.add('GET', TOK + '/executions', executions((5, 'RUNNING')))
    result = run_module(stage_execute, token_args(state='canceled', execution_number='99'))
    assert result['failed'] is True and 'execution 99 of release stage stage-dev' in result['msg'] and 'not found' in result['msg']
    assert acting(fake_http) == []


def test_cancel_refused_in_body(fake_http, run_module):
    fake_http.add('GET', TOK + '/executions', executions((5, 'RUNNING')))
    fake_http.add('POST', TOK + '/executions/5:cancel', dict(status=200, json=False))
    result = run_module(stage_execute, token_args(state='canceled'))
    assert result['failed'] is True and 'did not cancel execution 5' in result['msg']


# --- check mode ------------------------------------------------------------------------------------

def test_check_mode_would_execute(fake_http, run_module):
    fake_http.add('GET', TOK + '/executions', executions((4, 'SUCCESS')))
    result = run_module(stage_execute, token_args(state='finished'), check_mode=True)
    assert result['changed'] is True and result['action'] == 'would_start' and result['execution'] is None
    assert acting(fake_http) == [] and len(fake_http.calls) == 1


def test_check_mode_would_cancel(fake_http, run_module):
    fake_http.add('GET', POP + '/executions', executions((5, 'RUNNING')))
    result = run_module(stage_execute, pop_args(state='canceled'), check_mode=True)
    assert result['changed'] is True and result['action'] == 'would_stop' and result['execution']['number'] == '5'
    assert acting(fake_http) == []


# --- lost answer -----------------------------------------------------------------------------------

@pytest.mark.parametrize('backend', ['token', 'pop'])
def test_lost_answer_adopts_execution(fake_http, run_module, no_sleep, backend):
    base, args, sep = (TOK, token_args, ':') if backend == 'token' else (POP, pop_args, '%3A')
    fake_http.add('GET', base + '/executions', executions((4, 'SUCCESS')), executions((5, 'RUNNING'), (4, 'SUCCESS')))
    fake_http.add('POST', base + sep + 'execute', requests.exceptions.ConnectionError('Connection aborted. RemoteDisconnected'))
    fake_http.add('GET', base + '/executions/5' + sep + 'getPipelineRun', pipeline_run(50, 'RUNNING'))
    result = run_module(stage_execute, args())
    assert not result.get('failed'), result
    assert result['action'] == 'adopted' and result['execution']['number'] == '5' and result['changed'] is True
    assert result['pipeline_run_id'] == 50
    assert len(acting(fake_http)) == 1


# --- errors ----------------------------------------------------------------------------------------

def test_execution_number_requires_canceled(fake_http, run_module):
    result = run_module(stage_execute, token_args(execution_number='3'))
    assert result['failed'] is True and 'execution_number is only used with state=canceled' in result['msg']
    assert fake_http.calls == []


@pytest.mark.parametrize('extra,key', [
    (dict(comment='c', params={'FLOW_INST_RUNNING_COMMENT': 'x'}), 'FLOW_INST_RUNNING_COMMENT'),
    (dict(branches={'s1': 'b'}, params={'s1': 'x'}), 's1'),
    (dict(release_branch_repo_info=dict(repo='r'), params={'releaseBranchRepoInfo': {}}), 'releaseBranchRepoInfo'),
])
def test_params_conflicts(fake_http, run_module, extra, key):
    result = run_module(stage_execute, token_args(**extra))
    assert result['failed'] is True and repr(key) in result['msg']
    assert fake_http.calls == []


def test_feature_branch_needs_change_request_sn(fake_http, run_module):
    result = run_module(stage_execute, token_args(release_branch_repo_info=dict(feature_branches=[dict(branch_name='f')])))
    assert result['failed'] is True and 'change_request_sn' in result['msg']
    assert fake_http.calls == []


def test_wrong_token(fake_http, run_module):
    fake_http.add('GET', TOK + '/executions', dict(status=401, json={'errorCode': 'Unauthorized',
                                                                     'errorMessage': 'The personal access token is invalid or expired'}))
    result = run_module(stage_execute, token_args())
    assert result['failed'] is True and 'authentication or permission failure' in result['msg']
    no_secret(result)


def test_html_and_error200(fake_http, run_module, no_sleep):
    fake_http.add('GET', POP + '/executions', dict(status=502, text='<html><head><title>502 Bad Gateway</title></head></html>',
                                                   headers={'Content-Type': 'text/html'}))
    result = run_module(stage_execute, pop_args(max_retries=1))
    assert result['failed'] is True and 'HTML page (502 Bad Gateway)' in result['msg']
    no_secret(result)
    fake_http.routes[:] = []
    fake_http.add('GET', POP + '/executions', dict(status=200, json={'success': False, 'errorCode': 'InvalidReleaseStage.NotFound',
                                                                     'errorMessage': 'The release stage is not found.'}))
    result = run_module(stage_execute, pop_args())
    assert result['failed'] is True and 'InvalidReleaseStage.NotFound' in result['msg']
    no_secret(result)


# --- skip_if_succeeded -----------------------------------------------------------------------------

@pytest.mark.parametrize('state', ['started', 'finished'])
@pytest.mark.parametrize('backend', ['token', 'pop'])
def test_skip_if_succeeded_reuses_newest_succeeded_execution(fake_http, run_module, no_sleep, backend, state):
    """Nothing is compared (the list reports no parameters); the pipeline run is read once for its id and link."""
    base, args, sep = (TOK, token_args, ':') if backend == 'token' else (POP, pop_args, '%3A')
    fake_http.add('GET', base + '/executions', executions((4, 'SUCCESS'), (3, 'FAILED')))
    fake_http.add('GET', base + '/executions/4' + sep + 'getPipelineRun', pipeline_run(44, 'SUCCESS'))
    result = run_module(stage_execute, args(state=state, skip_if_succeeded=True, params={'NOT': 'compared'}, comment='x'))
    assert not result.get('failed'), result
    assert result['changed'] is False and result['action'] == 'skipped_succeeded'
    assert result['execution']['number'] == '4' and result['execution']['state'] == 'SUCCESS'
    assert result['pipeline_run_id'] == 44 and result['pipeline_run']['status'] == 'SUCCESS'
    assert result['url'] == 'https://flow.aliyun.com/pipelines/2001/builds/44'
    assert fake_http.paths() == ['GET ' + base + '/executions', 'GET ' + base + '/executions/4' + sep + 'getPipelineRun']
    assert acting(fake_http) == [] and no_sleep == []


@pytest.mark.parametrize('newest', ['FAILED', 'CANCELED'])
def test_skip_if_succeeded_newest_execution_did_not_succeed(fake_http, run_module, newest):
    fake_http.add('GET', TOK + '/executions', executions((4, newest), (3, 'SUCCESS')),
                  executions((5, 'RUNNING'), (4, newest), (3, 'SUCCESS')))
    fake_http.add('POST', TOK + ':execute', executed(55))
    result = run_module(stage_execute, token_args(skip_if_succeeded=True))
    assert result['changed'] is True and result['action'] == 'started' and result['execution']['number'] == '5', result
    assert len(acting(fake_http)) == 1


def test_skip_if_succeeded_force_still_executes(fake_http, run_module):
    fake_http.add('GET', TOK + '/executions', executions((4, 'SUCCESS')), executions((5, 'RUNNING'), (4, 'SUCCESS')))
    fake_http.add('POST', TOK + ':execute', executed(55))
    result = run_module(stage_execute, token_args(skip_if_succeeded=True, force=True))
    assert result['action'] == 'started' and result['execution']['number'] == '5', result
    assert len(acting(fake_http)) == 1


def test_skip_if_succeeded_live_execution_first(fake_http, run_module):
    fake_http.add('GET', TOK + '/executions', executions((5, 'RUNNING'), (4, 'SUCCESS')))
    fake_http.add('GET', TOK + '/executions/5:getPipelineRun', pipeline_run(55, 'RUNNING'))
    result = run_module(stage_execute, token_args(skip_if_succeeded=True))
    assert result['action'] == 'existing' and result['execution']['number'] == '5', result
    assert result['url'] == 'https://flow.aliyun.com/pipelines/2001/builds/55'
    assert acting(fake_http) == []


@pytest.mark.parametrize('items, action, changed', [(((4, 'SUCCESS'),), 'skipped_succeeded', False),
                                                    (((4, 'FAILED'),), 'would_start', True),
                                                    ((), 'would_start', True)])
def test_skip_if_succeeded_check_mode_predicts_the_same(fake_http, run_module, items, action, changed):
    fake_http.add('GET', TOK + '/executions', executions(*items))
    fake_http.add('GET', TOK + '/executions/4:getPipelineRun', pipeline_run(44, 'SUCCESS'))
    result = run_module(stage_execute, token_args(state='finished', skip_if_succeeded=True), check_mode=True)
    assert not result.get('failed'), result
    assert result['action'] == action and result['changed'] is changed
    assert (result['execution'] or {}).get('number') == ('4' if not changed else None)
    assert acting(fake_http) == []


def test_url_of_a_waited_execution(fake_http, run_module, no_sleep):
    fake_http.add('GET', TOK + '/executions', executions(), executions((1, 'RUNNING')), executions((1, 'SUCCESS')))
    fake_http.add('POST', TOK + ':execute', executed(11))
    fake_http.add('GET', TOK + '/executions/1:getPipelineRun', pipeline_run(11, 'SUCCESS'))
    result = run_module(stage_execute, token_args(state='finished'))
    assert result['url'] == 'https://flow.aliyun.com/pipelines/2001/builds/11', result


def test_no_url_without_pipeline_run(fake_http, run_module):
    fake_http.add('GET', TOK + '/executions', executions(), executions((1, 'RUNNING')))
    fake_http.add('POST', TOK + ':execute', executed(11))
    result = run_module(stage_execute, token_args())
    assert 'url' not in result and 'pipeline_run' not in result, result


# --- bad input fails before any request (issue 10) -----------------------------------------------------------

@pytest.mark.parametrize('make', [token_args, pop_args])
@pytest.mark.parametrize('extra, text', [
    (dict(organization_id='..'), "organization_id must not be '..'"),
    (dict(app_name='..'), "app_name must not be '..'"),
    (dict(release_workflow_sn='.'), "release_workflow_sn must not be '.'"),
    (dict(release_stage_sn='stage-dev/../stage-prod'), 'release_stage_sn must not contain "/"'),
    (dict(release_stage_sn=''), 'release_stage_sn must not be empty'),
    (dict(state='canceled', execution_number='0'), 'execution_number must be a positive integer'),
    (dict(state='canceled', execution_number='..'), 'execution_number must be a positive integer'),
    (dict(poll_interval=-0.5), 'poll_interval must be greater than 0'),
    (dict(branches={'src-1': ''}), "branches['src-1'] must not be empty"),
    (dict(release_branch_repo_info=dict(feature_branches=[])), 'release_branch_repo_info.feature_branches must not be'),
    (dict(release_branch_repo_info='feature'), 'release_branch_repo_info must be a dictionary'),
])
def test_bad_options_fail_before_any_request(fake_http, run_module, make, extra, text):
    result = run_module(stage_execute, make(**extra))
    assert result['failed'] is True and result['msg'].startswith(text), result
    assert fake_http.calls == []


# --- diff mode -----------------------------------------------------------------------------------------------

def test_diff_in_check_mode(fake_http, run_module):
    fake_http.add('GET', TOK + '/executions', executions((4, 'SUCCESS')))
    result = run_module(stage_execute, token_args(_ansible_diff=True), check_mode=True)
    assert result['diff'] == dict(before={'4': 'SUCCESS'}, after={'4': 'SUCCESS', '(new release stage execution)': 'RUNNING'})


def test_diff_of_a_cancel(fake_http, run_module):
    # list, read of the live one, cancel, read back
    fake_http.add('GET', POP + '/executions', executions((5, 'RUNNING')), executions((5, 'RUNNING')),
                  executions((5, 'CANCELED')))
    fake_http.add('POST', POP + '/executions/5%3Acancel', dict(status=200, json=True))
    result = run_module(stage_execute, pop_args(state='canceled', _ansible_diff=True))
    assert result['diff'] == dict(before={'5': 'RUNNING'}, after={'5': 'CANCELED'})


# --- wait_until: gate ------------------------------------------------------------------------------

def test_wait_until_gate_returns_at_the_validation_gate(fake_http, run_module, clock):
    """stage-prod-like: the execution stays RUNNING while its pipeline's 'validate' job is WAITING and offers the
    validation actions."""
    fake_http.add('GET', TOK + '/executions', executions(), executions((1, 'RUNNING')))
    fake_http.add('POST', TOK + ':execute', executed(10))
    fake_http.add('GET', TOK + '/executions/1:getPipelineRun', pipeline_run(10, 'RUNNING', job='deploy'),
                  pipeline_run(10, 'RUNNING', job='validate', job_status='WAITING', gate=True))
    result = run_module(stage_execute, token_args(state='finished', wait_until='gate', poll_interval=2))
    assert not result.get('failed'), result
    assert result['at_gate'] is True and result['execution']['state'] == 'RUNNING' and clock == [2]
    gate = result['gate']
    assert (gate['kind'], gate['stage'], gate['job'], gate['status']) == ('validation', 'Deploy', 'validate', 'WAITING')
    # the ids stage_review takes: the execution number (its run_id / execution_number) and the job id
    assert gate['ids'] == dict(run_id='1', job_id=5)
    assert len(acting(fake_http)) == 1


def test_start_new_false_waits_for_the_live_execution_and_starts_none(fake_http, run_module, no_sleep):
    fake_http.add('GET', TOK + '/executions', executions((1, 'RUNNING')), executions((1, 'SUCCESS')))
    fake_http.add('GET', TOK + '/executions/1:getPipelineRun', pipeline_run(10, 'SUCCESS'))
    result = run_module(stage_execute, token_args(state='finished', start_new=False))
    assert not result.get('failed'), result
    assert result['action'] == 'existing' and result['execution']['state'] == 'SUCCESS' and acting(fake_http) == []
