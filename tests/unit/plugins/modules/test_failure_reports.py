# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The failure report of the modules that wait (``failure``, the message) and each backend's ``fetch_log``,
at the HTTP layer: the exact log calls, their pages, and what a failing log call leaves."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import time

import pytest
import requests
import yaml

from ansible_collections.devops_cloud.pipelines.plugins.doc_fragments.failure import ModuleDocFragment
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba import flow
from ansible_collections.devops_cloud.pipelines.plugins.modules import pipeline_action, pipeline_run, stage_execute

ORG = '60d54f3daccf2bbd6659f3ad'
PID = 1001
TOKEN = 'pt-unit-token-secret-0009'
AK, SK = 'LTAIUNIT0000000000009', 'ali-unit-secret-0009'
HW_TOKEN = 'unit-token-secret-0009'
LOG_PASSWORD = 'hunter2-unit'
LOG_BEARER = 'unit-log-bearer-0123456789abcdef'
SECRETS = (TOKEN, SK, HW_TOKEN, LOG_PASSWORD, LOG_BEARER)

TOK = '/oapi/v1/flow/organizations/%s/pipelines/%s' % (ORG, PID)
TOK_JOB = TOK + '/pipelineRuns/2/jobs/202'
POP_RUNS = '/organization/%s/pipelines/%s/pipelineRuns' % (ORG, PID)
POP_START = '/organizations/%s/pipelines/%s/run' % (ORG, PID)
POP_LOG = '/organization/%s/pipeline/%s/pipelineRun/2/job/202/logs' % (ORG, PID)
STAGE = '/apps/demo-app/releaseWorkflows/wf-0001/releaseStages/stage-dev'
APP_TOK = '/oapi/v1/appstack/organizations/%s%s' % (ORG, STAGE)
PROJECT = '0f1e2d3c4b5a69788796a5b4c3d2e1f0'
RT = '/v3/%s/pipeline/pipelines/rt-fail-0002' % PROJECT


def log_text(count=120):
    """A failing job's log: colours, two secrets, a byte that is not UTF-8 (sent as U+FFFD by JSON), the error."""
    lines = ['\x1b[32m[INFO]\x1b[0m step %d' % i for i in range(count)]
    lines[10] = 'export DB=postgres://app@db password=%s' % LOG_PASSWORD
    lines[11] = "curl -H 'Authorization: Bearer %s' https://x.example.test" % LOG_BEARER
    lines[-2:] = ['\x1b[31m[ERROR]\x1b[0m 3 tests failed', 'Process exited with code 1']
    return ''.join(line + '\n' for line in lines)


def run_body(run_id, status, job_status):
    return {'pipelineRunId': run_id, 'pipelineId': PID, 'status': status, 'createTime': 1, 'updateTime': 2,
            'stages': [{'name': 'Build', 'stageInfo': {'name': 'Build', 'status': 'SUCCESS',
                                                       'jobs': [{'id': run_id * 100 + 1, 'name': 'build', 'status': 'SUCCESS'}]}},
                       {'name': 'Test', 'stageInfo': {'name': 'Test', 'status': job_status,
                                                      'jobs': [{'id': run_id * 100 + 2, 'name': 'unit-test',
                                                                'status': job_status}]}}]}


def ok(body):
    return dict(status=200, json=body)


def token_args(**kwargs):
    base = dict(organization_id=ORG, yunxiao_token=TOKEN, yunxiao_base_url='https://yx.example.test', pipeline_id=PID,
                poll_interval=1.0, wait_timeout=60, state='finished')
    base.update(kwargs)
    return base


def pop_args(**kwargs):
    base = dict(organization_id=ORG, access_key_id=AK, access_key_secret=SK, endpoint='https://devops.example.test',
                pipeline_id=PID, poll_interval=1.0, wait_timeout=60, state='finished')
    base.update(kwargs)
    return base


def token_failed_run(fake):
    fake.add('GET', TOK + '/runs', ok([]))
    fake.add('POST', TOK + '/runs', ok(2))
    fake.add('GET', TOK + '/runs/2', ok(run_body(2, 'RUNNING', 'RUNNING')), ok(run_body(2, 'FAIL', 'FAIL')))


def steps_answer(key='buildProcessNodes'):
    return ok([{'jobId': 202, 'buildId': 2020, 'actionCode': 'Shell', key: [
        {'stepName': 'checkout', 'status': 'SUCCESS', 'stepIndex': 0},
        {'stepName': 'pytest', 'status': 'FAIL', 'stepIndex': 1}]}])


def no_secret(*values):
    text = json.dumps(values, default=str)
    for secret in SECRETS:
        assert secret not in text


def log_calls(fake):
    return [c for c in fake.calls if '/log' in c.path or 'JobLog' in c.path or c.path.endswith('/steps') or c.path.endswith('/records')]


@pytest.fixture
def clock(no_sleep, monkeypatch):
    monkeypatch.setattr(time, 'monotonic', lambda: 1000.0 + sum(no_sleep))
    return no_sleep


# --- Flow, token API -----------------------------------------------------------------------------------
@pytest.mark.parametrize('key', ['buildProcessNodes', 'steps'])
def test_token_step_log_in_pages(fake_http, run_module, no_sleep, monkeypatch, key):
    monkeypatch.setattr(flow, 'STEP_LOG_LIMIT', 50)
    text = log_text(120).splitlines(True)
    token_failed_run(fake_http)
    fake_http.add('GET', TOK_JOB + '/steps', steps_answer(key))
    fake_http.add('GET', TOK_JOB + '/step/log', ok(dict(logs=''.join(text[:50]), last=50, more=True)),
                  ok(dict(logs=''.join(text[50:100]), last=100, more=True)),
                  ok(dict(logs=''.join(text[100:]), last=-1, more=False)))
    result = run_module(pipeline_run, token_args(failure_log_lines=5))
    assert result['failed'] is True
    failure = result['failure']
    assert (failure['stage'], failure['job'], failure['step'], failure['status']) == ('Test', 'unit-test', 'pytest', 'FAIL')
    assert failure['log_tail'] == ['[INFO] step 115', '[INFO] step 116', '[INFO] step 117', '[ERROR] 3 tests failed',
                                   'Process exited with code 1']
    assert failure['log_error'] is None and failure['log_url'] == 'https://flow.aliyun.com/pipelines/1001/builds/2'
    calls = log_calls(fake_http)
    assert [c.path for c in calls] == [TOK_JOB + '/steps'] + [TOK_JOB + '/step/log'] * 3
    assert [(c.query['offset'], c.query['limit'], c.query['stepIndex'], c.query['buildId']) for c in calls[1:]] == [
        (['0'], ['50'], ['1'], ['2020']), (['50'], ['50'], ['1'], ['2020']), (['100'], ['50'], ['1'], ['2020'])]
    assert "failing step: stage 'Test' job 'unit-test' step 'pytest' (FAIL)" in result['msg']
    assert result['msg'].endswith('last log lines:\n  [INFO] step 115\n  [INFO] step 116\n  [INFO] step 117\n'
                                  '  [ERROR] 3 tests failed\n  Process exited with code 1')
    no_secret(result)


def test_token_secrets_in_the_tail_are_masked(fake_http, run_module, no_sleep):
    token_failed_run(fake_http)
    fake_http.add('GET', TOK_JOB + '/steps', steps_answer())
    fake_http.add('GET', TOK_JOB + '/step/log', ok(dict(logs=log_text(20), last=-1, more=False)))
    result = run_module(pipeline_run, token_args(failure_log_lines=50))
    tail = result['failure']['log_tail']
    assert len(tail) == 20 and 'password=********' in tail[10] and tail[11] == "curl -H 'Authorization: ********' https://x.example.test"
    assert not any('\x1b' in line for line in tail)
    no_secret(result)


def test_token_job_log_when_no_step_is_listed(fake_http, run_module, no_sleep):
    token_failed_run(fake_http)
    fake_http.add('GET', TOK_JOB + '/steps', ok([]))
    fake_http.add('GET', TOK + '/runs/2/job/202/log', ok(dict(content=log_text(30), last=30, more=False)))
    result = run_module(pipeline_run, token_args(failure_log_lines=2))
    assert result['failure']['log_tail'] == ['[ERROR] 3 tests failed', 'Process exited with code 1']
    assert result['failure']['step'] is None
    assert [c.path for c in log_calls(fake_http)] == [TOK_JOB + '/steps', TOK + '/runs/2/job/202/log']


def test_zero_lines_sends_no_log_call(fake_http, run_module, no_sleep):
    token_failed_run(fake_http)
    result = run_module(pipeline_run, token_args(failure_log_lines=0))
    assert result['failed'] is True and result['failure']['job'] == 'unit-test' and result['failure']['log_tail'] == []
    assert result['failure']['log_error'] is None and log_calls(fake_http) == []


@pytest.mark.parametrize('status', [403, 404, 500])
def test_failing_log_call_keeps_the_runs_failure(fake_http, run_module, no_sleep, status):
    token_failed_run(fake_http)
    fake_http.add('GET', TOK_JOB + '/steps', steps_answer())
    fake_http.add('GET', TOK_JOB + '/step/log', dict(status=status, json={'errorCode': 'InternalError', 'errorMessage': 'no'}))
    result = run_module(pipeline_run, token_args())
    assert result['failed'] is True and result['msg'].startswith('pipeline run 2 of pipeline 1001 ended FAIL')
    assert result['failure']['log_tail'] == [] and 'HTTP %s' % status in result['failure']['log_error']
    assert result['failing_job'] == 'unit-test'
    no_secret(result)


def test_log_call_timing_out_keeps_the_runs_failure(fake_http, run_module, no_sleep):
    token_failed_run(fake_http)
    fake_http.add('GET', TOK_JOB + '/steps', requests.exceptions.ReadTimeout('read timed out'))
    result = run_module(pipeline_run, token_args(max_retries=0))
    assert result['failed'] is True and 'ended FAIL' in result['msg']
    assert result['failure']['log_tail'] == [] and 'could not be read' in result['failure']['log_error']


def test_timeout_reports_the_current_job(fake_http, run_module, clock):
    fake_http.add('GET', TOK + '/runs', ok([]))
    fake_http.add('POST', TOK + '/runs', ok(2))
    fake_http.add('GET', TOK + '/runs/2', ok(run_body(2, 'RUNNING', 'RUNNING')))
    fake_http.add('GET', TOK_JOB + '/steps', ok([{'jobId': 202, 'buildId': 2020, 'buildProcessNodes': [
        {'stepName': 'checkout', 'status': 'SUCCESS', 'stepIndex': 0},
        {'stepName': 'pytest', 'status': 'RUNNING', 'stepIndex': 1}]}]))
    fake_http.add('GET', TOK_JOB + '/step/log', ok(dict(logs='collecting\nrunning 12 tests\n', last=2, more=True)),
                  ok(dict(logs='', last=2, more=True)))
    result = run_module(pipeline_run, token_args(wait_timeout=3))
    assert result['failed'] is True and result['msg'].startswith('timed out after 3s')
    failure = result['failure']
    assert (failure['job'], failure['step'], failure['status']) == ('unit-test', 'pytest', 'RUNNING')
    assert failure['log_tail'] == ['collecting', 'running 12 tests'] and failure['log_error'] is None
    assert "step it was at: stage 'Test' job 'unit-test' step 'pytest' (RUNNING)" in result['msg']


def test_started_and_waited_reports_without_failing(fake_http, run_module, no_sleep):
    token_failed_run(fake_http)
    result = run_module(pipeline_run, token_args(state='started', wait=True, failure_log_lines=0))
    assert not result.get('failed') and result['failure']['job'] == 'unit-test'


def test_success_has_no_failure(fake_http, run_module, no_sleep):
    fake_http.add('GET', TOK + '/runs', ok([]))
    fake_http.add('POST', TOK + '/runs', ok(2))
    fake_http.add('GET', TOK + '/runs/2', ok(dict(run_body(2, 'SUCCESS', 'SUCCESS'))))
    result = run_module(pipeline_run, token_args())
    assert not result.get('failed') and 'failure' not in result and log_calls(fake_http) == []


@pytest.mark.parametrize('bad', [-1, 1001])
def test_bad_line_count_fails_before_any_request(fake_http, run_module, bad):
    result = run_module(pipeline_run, token_args(failure_log_lines=bad))
    assert result['failed'] is True and 'failure_log_lines must be a whole number from 0 to 1000' in result['msg']
    assert fake_http.calls == []


# --- Flow, POP API -------------------------------------------------------------------------------------
def test_pop_job_log_one_call(fake_http, run_module, no_sleep):
    fake_http.add('GET', POP_RUNS, ok({'success': True, 'pipelineRuns': [], 'totalCount': 0}))
    fake_http.add('POST', POP_START, ok({'success': True, 'pipelineRunId': 2}))
    fake_http.add('GET', POP_RUNS + '/2', ok({'success': True, 'pipelineRun': run_body(2, 'RUNNING', 'RUNNING')}),
                  ok({'success': True, 'pipelineRun': run_body(2, 'FAIL', 'FAIL')}))
    fake_http.add('GET', POP_LOG, ok({'success': True, 'requestId': 'r', 'log': {'content': log_text(60), 'more': False}}))
    result = run_module(pipeline_run, pop_args(failure_log_lines=3))
    assert result['failure']['log_tail'] == ['[INFO] step 57', '[ERROR] 3 tests failed', 'Process exited with code 1']
    calls = log_calls(fake_http)
    assert [c.path for c in calls] == [POP_LOG] and calls[0].headers['x-acs-action'] == 'LogPipelineJobRun'
    no_secret(result)


# --- AppStack ------------------------------------------------------------------------------------------
def executions(*items):
    data = [{'number': str(n), 'state': s} for n, s in items]
    return ok({'data': data, 'total': len(data), 'current': 1, 'perPage': 50, 'pages': 1})


def stage_run(status):
    return ok({'pipelineRun': {'pipelineRunId': 10, 'pipelineId': 2004, 'status': status, 'stages': [
        {'name': 'Deploy', 'stageInfo': {'name': 'Deploy', 'status': status,
                                         'jobs': [{'id': 5, 'name': 'deploy-broken', 'status': status}]}}]}})


@pytest.mark.parametrize('shape', ['content', 'log'])
def test_appstack_job_log(fake_http, run_module, no_sleep, shape):
    fake_http.add('GET', APP_TOK + '/executions', executions(), executions((1, 'RUNNING')), executions((1, 'FAILED')))
    fake_http.add('POST', APP_TOK + ':execute', ok({'object': 10, 'pipelineRunId': 10}))
    fake_http.add('GET', APP_TOK + '/executions/1:getPipelineRun', stage_run('FAIL'))
    body = {'content': log_text(40), 'more': False} if shape == 'content' else {'log': log_text(40), 'hasMore': False}
    fake_http.add('GET', APP_TOK + '/executions/1:pipelineJobLog', ok(body))
    result = run_module(stage_execute, dict(
        organization_id=ORG, yunxiao_token=TOKEN, yunxiao_base_url='https://yx.example.test', app_name='demo-app',
        release_workflow_sn='wf-0001', release_stage_sn='stage-dev', state='finished', poll_interval=1.0,
        failure_log_lines=2))
    assert result['failed'] is True
    assert result['failure']['job'] == 'deploy-broken'
    assert result['failure']['log_tail'] == ['[ERROR] 3 tests failed', 'Process exited with code 1']
    calls = log_calls(fake_http)
    assert [c.path for c in calls] == [APP_TOK + '/executions/1:pipelineJobLog'] and calls[0].query == {'jobId': ['5']}
    no_secret(result)


# --- ServiceStage --------------------------------------------------------------------------------------
def release(status, task_status):
    return ok(dict(id='rt-fail-0002', name='release-fails', status=status, execution_id='77', pipeline_declaration=dict(
        stages=[dict(name='deploy', tasks=[dict(name='deploy-app', type='deploy', status=task_status)])])))


@pytest.mark.parametrize('id_type', [int, str])
def test_servicestage_records(fake_http, run_module, no_sleep, id_type):
    fake_http.add('GET', RT, release(1, 'pending'), release(4, 'running'), release(3, 'failed'))
    fake_http.add('POST', RT + '/action', ok({'id': '77', 'status': 4}))
    fake_http.add('GET', RT + '/records', ok({'count': 2, 'records': [
        {'id': id_type(78), 'status': 2}, {'id': id_type(77), 'pipeline_id': 'rt-fail-0002', 'trigger': 'manual',
                                           'mode': 'release', 'status': 3, 'executor': 'emu-user', 'start_time': 1,
                                           'end_time': 2, 'failed_task': 'deploy-app'}]}))
    result = run_module(pipeline_action, dict(
        endpoint='https://servicestage.example.test', project_id=PROJECT, auth_token=HW_TOKEN, pipeline_id='rt-fail-0002',
        action='start', poll_interval=1.0, wait_timeout=60))
    assert result['failed'] is True
    failure = result['failure']
    assert (failure['stage'], failure['job'], failure['status']) == ('deploy', 'deploy-app', 'failed')
    assert failure['log_tail'] == ["execution 77 (release, trigger manual, by emu-user): 'release failed' (3)",
                                   'start time: 1', 'end time: 2', 'failed task: deploy-app']
    assert "failing step: stage 'deploy' job 'deploy-app' (failed)" in result['msg']
    assert [c.path for c in log_calls(fake_http)] == [RT + '/records']
    no_secret(result)


def test_servicestage_stop_is_no_failure(fake_http, run_module, no_sleep):
    fake_http.add('GET', RT, release(4, 'running'), release(13, 'running'), release(3, 'canceled'))
    fake_http.add('POST', RT + '/action', ok({'id': '77', 'status': 13}))
    result = run_module(pipeline_action, dict(
        endpoint='https://servicestage.example.test', project_id=PROJECT, auth_token=HW_TOKEN, pipeline_id='rt-fail-0002',
        action='stop', poll_interval=1.0, wait_timeout=60))
    assert not result.get('failed') and 'failure' not in result and log_calls(fake_http) == []


# --- docs ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize('module', [pipeline_run, stage_execute, pipeline_action])
def test_modules_document_the_option_and_the_return_value(module):
    doc = yaml.safe_load(module.DOCUMENTATION)
    assert 'devops_cloud.pipelines.failure' in doc['extends_documentation_fragment']
    returned = yaml.safe_load(module.RETURN)
    assert returned['failure'] == yaml.safe_load(ModuleDocFragment.FAILURE_RETURN)['failure']
    assert ModuleDocFragment.FAILURE_RETURN.strip() in module.RETURN


# --- CodeArts (pipeline_run, cloud huawei) ------------------------------------------------------------
CA_PIPE = 'c0000000000000000000000000000002'
CA = '/v5/%s/api/pipelines/%s' % (PROJECT, CA_PIPE)
CA_LOG = CA + '/pipeline-runs/r1/jobs/j2/steps/s2/logs'


def ca_detail(status, job_status):
    return ok({'id': 'r1', 'pipeline_id': CA_PIPE, 'status': status, 'detail_url': 'https://console.example.test/r1',
               'stages': [{'id': 'st1', 'name': 'Test', 'status': job_status, 'jobs': [
                   {'id': 'j2', 'name': 'unit-test', 'status': job_status, 'message': 'Step execution failed',
                    'steps': [{'id': 's1', 'name': 'checkout', 'status': 'COMPLETED'},
                              {'id': 's2', 'name': 'run-tests', 'status': job_status}]}]}]})


def test_codearts_step_log_pages_with_both_offsets(fake_http, run_module, no_sleep, monkeypatch):
    from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei import codearts_runs
    monkeypatch.setattr(codearts_runs, 'LOG_PAGE_LINES', 60)
    text = log_text(100).splitlines(True)
    fake_http.add('POST', CA + '/pipeline-runs/list', ok({'pipeline_runs': []}))
    fake_http.add('POST', CA + '/run', ok({'pipeline_run_id': 'r1'}))
    fake_http.add('GET', CA + '/pipeline-runs/detail', ca_detail('RUNNING', 'RUNNING'), ca_detail('FAILED', 'FAILED'))
    fake_http.add('POST', CA_LOG,
                  ok(dict(has_more=True, start_offset='0', end_offset='60', log=''.join(text[:60]), step_run_id='s2')),
                  ok(dict(has_more=False, start_offset='60', end_offset='100', log=''.join(text[60:]), step_run_id='s2')))
    result = run_module(pipeline_run, dict(huawei_endpoint='https://codearts.example.test', project_id=PROJECT,
                                           auth_token=HW_TOKEN, pipeline_id=CA_PIPE, state='finished',
                                           poll_interval=1.0, failure_log_lines=3))
    assert result['failed'] is True
    failure = result['failure']
    assert (failure['stage'], failure['job'], failure['step'], failure['status']) == ('Test', 'unit-test', 'run-tests', 'FAILED')
    assert failure['log_tail'] == ['[INFO] step 97', '[ERROR] 3 tests failed', 'Process exited with code 1']
    assert failure['message'] == 'Step execution failed' and failure['log_url'] == 'https://console.example.test/r1'
    calls = [c for c in fake_http.calls if c.path == CA_LOG]
    # the next page asks with both offsets as the page before returned them
    assert [c.json for c in calls] == [dict(start_offset=0, end_offset=0, limit=60, sort='asc'),
                                       dict(start_offset='0', end_offset='60', limit=60, sort='asc')]
    no_secret(result)


def test_a_broken_report_never_changes_the_outcome(fake_http, run_module, no_sleep, monkeypatch):
    from ansible_collections.devops_cloud.pipelines.plugins.module_utils import _logs

    def broken(*args, **kwargs):
        raise KeyError('stages')
    monkeypatch.setattr(_logs, 'failure_report', broken)  # _logs.safe_failure_report builds every report
    token_failed_run(fake_http)
    result = run_module(pipeline_run, token_args())
    assert result['failed'] is True and result['msg'].startswith('pipeline run 2 of pipeline 1001 ended FAIL')
    assert result['failure']['log_error'] == 'the failure report could not be built: KeyError'
    assert result['failure']['log_url'] == 'https://flow.aliyun.com/pipelines/1001/builds/2'
