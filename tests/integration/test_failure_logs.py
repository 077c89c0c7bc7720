# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Failure reports against the emulator (targets/failure_logs/): a failed run fills ``failure`` with the tail of the
failing job's log (colours stripped, secrets masked, a byte that is not UTF-8 read), ``failure_log_lines: 0`` sends
no log call, a failing log call leaves ``log_error`` and the run's own failure, a timeout reports the job that runs;
per cloud and API."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest

from conftest import LOG_SECRETS, assert_no_secrets  # pylint: disable=import-error

APIS = ['yunxiao', 'openapi']
LOG_OPERATIONS = ('LogPipelineJobRun', 'GetPipelineJobRunLog', 'ListPipelineJobSteps', 'GetPipelineJobStepLog',
                  'GetAppReleaseStageExecutionPipelineJobLog', 'ListReleaseTaskRecords')
TAIL_END = ['[ERROR] unit-test: 3 tests failed (test_login, test_logout, test_refresh)', 'Process exited with code 1']


def log_calls(emu):
    return [e for e in emu.log if e['operation'] in LOG_OPERATIONS]


def no_leak(run, result):
    text = run.output + json.dumps(result)
    assert_no_secrets(text)
    for secret in LOG_SECRETS:
        assert secret not in text
    assert '\x1b[' not in json.dumps(result.get('failure'), ensure_ascii=False)


@pytest.mark.parametrize('api', APIS)
def test_flow_failed_run_has_the_log_tail(playbook, emu, api):
    run = playbook('failure_logs/flow.yml', extra_vars=dict(api=api, pipeline_id=1002, lines=1000))
    assert run.rc == 0, run
    result = run.saved('result')
    assert result['failed'] is True and result['run']['status'] == 'FAIL'
    failure = result['failure']
    assert (failure['stage'], failure['job'], failure['status']) == ('Test', 'unit-test', 'FAIL')
    assert failure['log_error'] is None, failure
    assert len(failure['log_tail']) == 1000 and failure['log_tail'][-2:] == TAIL_END
    assert failure['log_url'] == result['url']
    msg = result['msg']
    assert "ended FAIL: stage 'Test' job 'unit-test' (FAIL)" in msg
    assert "failing step: stage 'Test' job 'unit-test'" in msg
    assert msg.endswith('\n  ' + '\n  '.join(TAIL_END))
    calls = log_calls(emu)
    if api == 'openapi':
        assert [e['operation'] for e in calls] == ['LogPipelineJobRun']
    else:
        # the step list, then the step's log: 1,200 lines in one page of at most 2,000
        assert [e['operation'] for e in calls] == ['ListPipelineJobSteps', 'GetPipelineJobStepLog']
        assert failure['step'] == 'unit-test'
    no_leak(run, result)


def test_flow_secret_lines_are_masked(playbook, emu):
    # the whole 1,200-line log with secrets on lines 41-42 and the 0xE9 byte on line 43 is read; the secret lines
    # never appear unmasked, the tail holds the lines from the 201st on
    run = playbook('failure_logs/flow.yml', extra_vars=dict(api='yunxiao', pipeline_id=1002, lines=1000))
    result = run.saved('result')
    assert result['failure']['log_error'] is None
    assert result['failure']['log_tail'][0].endswith('unit-test: step 200, module-13 compiled')
    no_leak(run, result)


@pytest.mark.parametrize('api', APIS)
def test_no_log_call_with_zero_lines(playbook, emu, api):
    run = playbook('failure_logs/flow.yml', extra_vars=dict(api=api, pipeline_id=1002, lines=0))
    assert run.rc == 0, run
    result = run.saved('result')
    assert result['failed'] is True and result['failure']['job'] == 'unit-test'
    assert result['failure']['log_tail'] == [] and result['failure']['log_error'] is None
    assert log_calls(emu) == []
    no_leak(run, result)


@pytest.mark.parametrize('api', APIS)
def test_failing_log_call_keeps_the_runs_failure(playbook, emu, api):
    run = playbook('failure_logs/flow.yml', extra_vars=dict(api=api, pipeline_id=1006))
    assert run.rc == 0, run
    result = run.saved('result')
    assert result['failed'] is True and result['run']['status'] == 'FAIL'
    assert "ended FAIL: stage 'Build' job 'build' (FAIL)" in result['msg']
    failure = result['failure']
    assert failure['job'] == 'build' and failure['log_tail'] == []
    assert 'HTTP 500' in failure['log_error'] and 'could not be read' in failure['log_error']
    assert failure['log_error'] in result['msg']
    assert log_calls(emu) and all(e['status'] == 500 for e in log_calls(emu) if e['operation'] != 'ListPipelineJobSteps')
    no_leak(run, result)


@pytest.mark.parametrize('api', APIS)
def test_timeout_reports_the_running_job(playbook, emu, api):
    run = playbook('failure_logs/flow.yml', extra_vars=dict(api=api, pipeline_id=1002, timeout=0))
    assert run.rc == 0, run
    result = run.saved('result')
    assert result['failed'] is True and result['msg'].startswith('timed out after 0s')
    failure = result['failure']
    assert (failure['stage'], failure['job'], failure['status']) == ('Build', 'build', 'RUNNING')
    assert failure['log_error'] is None and failure['log_tail'] and 'job build of run' in failure['log_tail'][0]
    assert "step it was at: stage 'Build' job 'build'" in result['msg']
    no_leak(run, result)


@pytest.mark.parametrize('api', APIS)
def test_appstack_broken_stage(playbook, emu, api):
    run = playbook('failure_logs/appstack.yml', extra_vars=dict(api=api))
    assert run.rc == 0, run
    result = run.saved('result')
    assert result['failed'] is True
    failure = result['failure']
    assert (failure['stage'], failure['job']) == ('Deploy', 'deploy-broken')
    if api == 'yunxiao':
        assert failure['log_error'] is None and failure['log_tail'][-2:] == [
            '[ERROR] deploy-broken: 3 tests failed (test_login, test_logout, test_refresh)', 'Process exited with code 1']
        assert [e['operation'] for e in log_calls(emu)] == ['GetAppReleaseStageExecutionPipelineJobLog']
    else:  # no such call on the POP API
        assert failure['log_tail'] == [] and 'no log' in failure['log_error'] and log_calls(emu) == []
    no_leak(run, result)


def test_servicestage_failed_release(playbook, emu):
    run = playbook('failure_logs/servicestage.yml')
    assert run.rc == 0, run
    result = run.saved('result')
    assert result['failed'] is True and result['status'] == 3
    failure = result['failure']
    assert (failure['stage'], failure['job'], failure['status']) == ('deploy', 'deploy-app', 'failed')
    assert failure['log_error'] is None
    assert failure['log_tail'][0].startswith('execution %s (release, trigger manual, by emu-user)' % result['execution_id'])
    assert failure['log_tail'][-1] == 'failed task: deploy-app'
    assert [e['operation'] for e in log_calls(emu)] == ['ListReleaseTaskRecords']
    no_leak(run, result)


# --- the release summary of the roles ------------------------------------------------------------------
def test_flow_release_summary_shows_where_and_the_first_error_line(playbook, emu):
    run = playbook('roles/flow_release.yml', extra_vars=dict(pipeline_id=1002))
    assert run.rc != 0, run
    step = dict((s['name'], s) for s in run.saved('summary'))['Flow pipeline 1002']
    assert step['status'] == 'failed'
    assert step['detail'] == ("stage 'Test' job 'unit-test' step 'unit-test' (FAIL): "
                              "[ERROR] unit-test: 3 tests failed (test_login, test_logout, test_refresh)")
    assert "> stage 'Test' job 'unit-test' step 'unit-test' (FAIL): [ERROR] unit-test: 3 tests failed" in run.stdout
    no_leak(run, {})


def test_release_task_summary_shows_the_failed_task(playbook, emu):
    run = playbook('roles/release_task.yml', extra_vars=dict(rt_id='rt-fail-0002'))
    assert run.rc != 0, run
    step = dict((s['name'], s) for s in run.saved('summary'))['release task release-fails']
    assert step['status'] == 'failed'
    # the history record is the log: its first line already says the release failed
    assert step['detail'].startswith("stage 'deploy' job 'deploy-app' (failed): execution "), step
    assert step['detail'].endswith("'release failed' (3)"), step
    no_leak(run, {})


# --- CodeArts ------------------------------------------------------------------------------------------
def test_codearts_failed_run_has_the_step_log(playbook, emu):
    run = playbook('failure_logs/codearts.yml', extra_vars=dict(pipeline_id='c0000000000000000000000000000002'))
    assert run.rc == 0, run
    result = run.saved('result')
    assert result['failed'] is True
    failure = result['failure']
    assert (failure['stage'], failure['job'], failure['step']) == ('Test', 'unit-test', 'run-tests'), failure
    assert failure['log_error'] is None and failure['log_tail'][-2:] == TAIL_END
    calls = [e for e in emu.log if e['operation'] == 'ShowPipelineLog']
    assert len(calls) == 3  # 1,200 lines in pages of 500
    no_leak(run, result)


def test_codearts_log_denied(playbook, emu):
    run = playbook('failure_logs/codearts.yml', extra_vars=dict(pipeline_id='c0000000000000000000000000000008'))
    assert run.rc == 0, run
    result = run.saved('result')
    assert result['failed'] is True and result['failure']['job'] == 'build' and result['failure']['log_tail'] == []
    assert 'HTTP 403' in result['failure']['log_error']
    no_leak(run, result)
