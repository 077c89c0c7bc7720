# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Integration tests of pipeline_status_info: playbooks in targets/pipeline_status_info against the emulator."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import math

import pytest

from conftest import FIXTURE, assert_no_secrets  # pylint: disable=import-error  # tests/integration/conftest.py

OPERATION = 'BatchShowPipelinesLatestStatus'
CHUNK = 100  # BatchShowPipelinesLatestStatus documents no limit: the collection's bound
GENERATED = ['b%031x' % n for n in range(1, 251)]


def status_calls(emu):
    return [entry for entry in emu.log if entry.get('operation') == OPERATION]


def test_status_of_250_pipelines_with_query_check_mode_and_both_auths(playbook, emu):
    run = playbook('pipeline_status_info/status_many.yml')
    assert run.rc == 0, run
    aksk, token, checked = run.saved('aksk'), run.saved('token'), run.saved('checked')

    never = [pid for n, pid in enumerate(GENERATED, 1) if n % 7 == 0]
    ran = [pid for n, pid in enumerate(GENERATED, 1) if n % 7]
    failed = [pid for n, pid in enumerate(GENERATED, 1) if n % 7 and n % 5 == 0]
    for result in (aksk, token, checked):
        assert result['changed'] is False
        assert result['missing'] == never
        assert [p['pipeline_id'] for p in result['pipelines']] == ran  # caller's order, duplicates once
        assert result['summary']['FAILED'] == len(failed)
        assert result['summary'].get('COMPLETED', 0) + result['summary'].get('RUNNING', 0) == len(ran) - len(failed)
        assert set(result['summary']) <= {'COMPLETED', 'FAILED', 'RUNNING'}
        assert result['requests'] == math.ceil(250 / CHUNK)
        for item in result['pipelines']:
            assert item['finished'] == (item['status'] in ('COMPLETED', 'FAILED'))
            assert item['succeeded'] == (item['status'] == 'COMPLETED')
            assert item['pipeline_run_id'] and item['stage_status_list']
    assert aksk['query_result'] == failed
    assert token['query_result'] == {'failed': len(failed), 'never': 35}

    calls = status_calls(emu)
    assert len(calls) == 3 * math.ceil(250 / CHUNK)
    assert all(c['method'] == 'POST' and c['status'] == 200 for c in calls)
    bodies = [json.loads(c['body']) for c in calls]
    assert [len(b) for b in bodies] == [100, 100, 50] * 3
    assert [pid for b in bodies[:3] for pid in b] == GENERATED
    # one keep-alive connection per task
    for first in (0, 3, 6):
        assert len(set(c['connection'] for c in calls[first:first + 3])) == 1
    # AK/SK signature for the first task, token for the others; nothing but reads
    assert all('authorization' in c['headers'] and 'x-auth-token' not in c['headers'] for c in calls[:3])
    assert all('x-auth-token' in c['headers'] and 'authorization' not in c['headers'] for c in calls[3:])
    assert not [e for e in emu.log if e.get('acted')]
    assert_no_secrets(run.output, json.dumps([aksk, token, checked]))


def test_wait_until_finished_and_expression_timeout(playbook, emu):
    from tests.emulator import Emulator  # pylint: disable=import-outside-toplevel
    # Half real time (time scale 2): a...05 runs 12 s after the emulator starts, so the first read sees it RUNNING
    # even when ansible-playbook is slow to start on a loaded machine.
    slow = Emulator(time_scale=2.0).start()
    try:
        run = playbook('pipeline_status_info/wait.yml', extra_vars=dict(emulator_url=slow.url))
        log = list(slow.log)
    finally:
        slow.stop()
    assert run.rc == 0, run
    finished, timed_out = run.saved('finished'), run.saved('timed_out')

    assert finished['changed'] is False
    assert finished['query_result'] == 'COMPLETED'
    assert [p['pipeline_id'] for p in finished['pipelines']] == ['a0000000000000000000000000000005', 'a0000000000000000000000000000001']
    assert all(p['finished'] and p['succeeded'] for p in finished['pipelines'])
    assert finished['missing'] == ['a0000000000000000000000000000004']  # never ran: does not hold the wait back
    assert finished['requests'] >= 3  # it polled: RUNNING at first, COMPLETED after ~6 s

    assert timed_out['failed'] is True
    assert timed_out['msg'].startswith('wait_until "pipelines[?status==\'COMPLETED\']" did not hold within 2s')
    assert 'the expression is still false' in timed_out['msg']
    assert timed_out['summary'] == {'RUNNING': 1}  # the last state comes with the failure
    assert timed_out['pipelines'][0]['pipeline_id'] == 'a0000000000000000000000000000003'
    assert timed_out['requests'] >= 3
    # where the run that held the wait back was: its detail read once, and its current step's log
    assert timed_out['failure']['pipeline_id'] == 'a0000000000000000000000000000003'
    assert timed_out['failure']['job'] == 'Approval' and timed_out['failure']['finished'] is False

    calls = [e for e in log if e.get('operation') == OPERATION]
    reports = [e for e in log if e.get('operation') in ('ShowPipelineRunDetail', 'ShowPipelineLog')]
    assert len([e for e in reports if e['operation'] == 'ShowPipelineRunDetail']) == 1
    assert len(calls) + len(reports) == finished['requests'] + timed_out['requests'] == len(log)
    assert not [e for e in log if e.get('acted')]


def test_429_and_503_burst_on_reads_is_survived(playbook, emu):
    emu.add_fault(method='POST', path=r'/api/pipelines/status$', times=2, status=503, kind='status')
    emu.add_fault(method='POST', path=r'/api/pipelines/status$', times=2, status=429, retry_after=1, kind='status')
    ids = GENERATED[:150]
    run = playbook('pipeline_status_info/read.yml', extra_vars=dict(ids=ids, auth='aksk'))
    assert run.rc == 0, run
    result = run.saved('result')
    assert not result.get('failed'), result
    assert result['requests'] == 6
    assert len(result['pipelines']) + len(result['missing']) == 150
    calls = status_calls(emu)
    assert [c['status'] for c in calls] == [503, 503, 429, 429, 200, 200]
    assert [len(json.loads(c['body'])) for c in calls] == [100, 100, 100, 100, 100, 50]
    # the retries of a signed request are signed afresh and accepted
    assert all('authorization' in c['headers'] for c in calls)


@pytest.mark.parametrize('fault, expected', [
    (dict(kind='error200'), ['HTTP 200 APIGW.0500', 'Backend service error']),
    (dict(kind='html', status=200), ['HTTP 200', 'HTML page']),
])
def test_http_200_error_replies_are_reported_clearly(playbook, emu, fault, expected):
    emu.add_fault(method='POST', path=r'/api/pipelines/status$', times=1, **fault)
    run = playbook('pipeline_status_info/read.yml')
    assert run.rc == 0, run
    result = run.saved('result')
    assert result['failed'] is True
    assert result['http_status'] == 200
    for text in expected:
        assert text in result['msg']
    assert 'POST /v5/%s/api/pipelines/status' % FIXTURE['hw_project_id'] in result['msg']
    assert result['requests'] == 1  # not retried: a 200 is an answer, not a transient failure
    assert len(status_calls(emu)) == 1
    assert_no_secrets(run.output)


@pytest.mark.parametrize('auth, wrong', [
    ('token', dict(hw_token='wrong-token-value-0001')),
    ('aksk', dict(hw_sk='wrong-secret-value-0001')),
])
def test_wrong_credentials(playbook, emu, auth, wrong):
    run = playbook('pipeline_status_info/read.yml', extra_vars=dict(wrong, auth=auth))
    assert run.rc == 0, run
    result = run.saved('result')
    assert result['failed'] is True
    assert result['http_status'] == 401
    assert 'authentication or permission failure' in result['msg']
    assert result['requests'] == 1  # 401 is not retried
    assert_no_secrets(run.output, json.dumps(result))
    for value in wrong.values():
        assert value not in run.output
        assert value not in json.dumps(result)


# -- Yunxiao Flow ---------------------------------------------------------------------------------------------
FLOW_OPERATIONS = ('GetLatestPipelineRun', 'ListPipelineRuns')


def flow_expected(count):
    """(ids with a run, FAIL ids, never-ran ids) of the emulator's generated Flow pipelines 10001 ..."""
    numbers = range(1, count + 1)
    ran = ['%d' % (10000 + n) for n in numbers if n % 7]
    failed = ['%d' % (10000 + n) for n in numbers if n % 7 and n % 5 == 0]
    never = ['%d' % (10000 + n) for n in numbers if n % 7 == 0]
    return ran, failed, never


def flow_calls(log):
    return [entry for entry in log if entry.get('operation') in FLOW_OPERATIONS]


def test_flow_status_of_200_pipelines_token_aksk_and_check_mode(playbook, emu):
    run = playbook('pipeline_status_info/flow_many.yml')
    assert run.rc == 0, run
    token, aksk, checked = run.saved('token'), run.saved('aksk'), run.saved('checked')
    ran, failed, never = flow_expected(200)
    reasons = dict((pid, 'never_ran') for pid in never)
    reasons['99999999'] = 'not_found'
    for result in (token, aksk, checked):
        assert not result.get('failed'), result
        assert result['changed'] is False
        assert [p['pipeline_id'] for p in result['pipelines']] == ran
        assert result['missing'] == never + ['99999999'] and result['missing_reasons'] == reasons
        assert result['summary']['FAIL'] == len(failed)
        assert set(result['summary']) <= {'SUCCESS', 'FAIL', 'RUNNING'}
        assert result['requests'] == 201 and result['http_retries'] == 0
        for item in result['pipelines']:
            assert item['finished'] == (item['status'] in ('SUCCESS', 'FAIL'))
            assert item['succeeded'] == (item['status'] == 'SUCCESS')
            assert item['pipeline_run_id'] and item['detail_url'].endswith('/builds/%s' % item['pipeline_run_id'])
    assert token['query_result'] == aksk['query_result'] == {'failed': len(failed), 'missing': reasons}
    assert token['pipelines'][0]['stages'] and aksk['pipelines'][0]['stages'] == []  # POP lists summaries

    calls = flow_calls(emu.log)
    assert len(calls) == 3 * 201
    assert [c['operation'] for c in calls[201:402]] == ['ListPipelineRuns'] * 201
    assert all(c['method'] == 'GET' for c in calls)
    for first in (0, 201, 402):  # a few keep-alive connections per task: at most 4 in flight
        assert 1 <= len(set(c['connection'] for c in calls[first:first + 201])) <= 4
    assert all('x-yunxiao-token' in c['headers'] for c in calls[:201] + calls[402:])
    assert all('authorization' in c['headers'] for c in calls[201:402])
    assert not [e for e in emu.log if e.get('acted')]
    assert_no_secrets(run.output, json.dumps([token, aksk, checked]))


@pytest.mark.parametrize('variant', ['404', 'null', 'empty'])
def test_flow_never_ran_in_every_variant(playbook, emu, variant):
    emu.set_switches(**{'alibaba.flow.latest_never_ran': variant})
    run = playbook('pipeline_status_info/flow_read.yml', extra_vars=dict(ids=['10007', '10001', '424242']))
    result = run.saved('result')
    assert not result.get('failed'), result
    assert result['missing'] == ['10007', '424242']
    assert result['missing_reasons'] == {'10007': 'never_ran', '424242': 'not_found'}
    assert result['summary'] == {'SUCCESS': 1} and result['requests'] == 3


def test_flow_wait_until_finished_and_expression_timeout(playbook, emu):
    run = playbook('pipeline_status_info/flow_wait.yml')
    assert run.rc == 0, run
    finished, timed_out = run.saved('finished'), run.saved('timed_out')
    assert finished['query_result'] == 'SUCCESS'
    assert [p['pipeline_id'] for p in finished['pipelines']] == ['10011', '10001']
    assert all(p['finished'] and p['succeeded'] for p in finished['pipelines'])
    assert finished['missing'] == ['10007']  # never ran: does not hold the wait back
    assert finished['requests'] >= 6  # it polled: RUNNING at first
    assert timed_out['failed'] is True and 'did not hold within 2s' in timed_out['msg']
    assert timed_out['summary'] == {'RUNNING': 1} and timed_out['requests'] >= 3


@pytest.mark.parametrize('auth', ['token', 'aksk'])
def test_flow_429_bursts_are_honoured_across_workers(playbook, emu, auth):
    path = 'latestPipelineRun$' if auth == 'token' else '/pipelineRuns$'
    emu.add_rate_limit(path=path, requests=40, per_seconds=1)
    ids = ['%d' % n for n in range(10001, 10121)]
    run = playbook('pipeline_status_info/flow_read.yml', extra_vars=dict(ids=ids, auth=auth))
    result = run.saved('result')
    assert not result.get('failed'), result
    assert len(result['pipelines']) + len(result['missing']) == 120
    calls = flow_calls(emu.log)
    throttled = [c for c in calls if c['status'] == 429]
    assert throttled and result['http_retries'] == len(throttled)
    assert result['requests'] == len(calls) == 120 + len(throttled)


@pytest.mark.parametrize('auth, wrong', [
    ('token', dict(yunxiao_token='wrong-token-value-0001')),
    ('aksk', dict(ali_sk='wrong-secret-value-0001')),
])
def test_flow_wrong_credentials(playbook, emu, auth, wrong):
    run = playbook('pipeline_status_info/flow_read.yml', extra_vars=dict(wrong, auth=auth,
                                                                         ids=['%d' % n for n in range(10001, 10041)]))
    result = run.saved('result')
    assert result['failed'] is True
    assert 'authentication or permission failure' in result['msg']
    assert 1 <= result['requests'] <= 4  # the first failure ends the read; only what was in flight was sent
    assert result['requests'] == len(flow_calls(emu.log))
    assert_no_secrets(run.output, json.dumps(result))
    for value in wrong.values():
        assert value not in run.output and value not in json.dumps(result)


# -- failure reports of a wait (failures, failure) ------------------------------------------------------------
LOG_OPERATIONS = ('ShowPipelineLog', 'ShowPipelineExecLog', 'LogPipelineJobRun', 'GetPipelineJobRunLog',
                  'ListPipelineJobSteps', 'GetPipelineJobStepLog')


def log_calls(emu):
    return [entry for entry in emu.log if entry.get('operation') in LOG_OPERATIONS]


def test_wait_reports_the_failed_codearts_run_with_its_log(playbook, emu):
    ids = ['c0000000000000000000000000000002', 'a0000000000000000000000000000001', 'b0000000000000000000000000000005']
    run = playbook('pipeline_status_info/failures.yml', extra_vars=dict(ids=ids, lines=5))
    assert run.rc == 0, run
    result = run.saved('result')
    assert not result.get('failed') and 'failure' not in result     # failed runs do not fail the task
    assert [f['pipeline_id'] for f in result['failures']] == [ids[0], ids[2]]
    first = result['failures'][0]
    assert (first['stage'], first['job'], first['step'], first['status'], first['finished']) \
        == ('Test', 'unit-test', 'run-tests', 'FAILED', True)
    assert first['log_tail'][-2:] == ['[ERROR] unit-test: 3 tests failed (test_login, test_logout, test_refresh)',
                                      'Process exited with code 1']
    assert len(first['log_tail']) == 5 and first['log_error'] is None
    assert first['log_url'].endswith('/%s/%s' % (ids[0], first['pipeline_run_id']))
    # one detail read per failed run, then the failing step's log (ShowPipelineLog), and nothing acting
    details = [e for e in emu.log if e['operation'] == 'ShowPipelineRunDetail']
    assert sorted(e['path'].split('/')[-3] for e in details) == sorted([ids[0], ids[2]])
    assert {e['operation'] for e in log_calls(emu)} == {'ShowPipelineLog'}
    assert not [e for e in emu.log if e['acted']]
    assert result['requests'] == len(emu.log)
    assert_no_secrets(run.output, json.dumps(result))


def test_failure_log_lines_zero_sends_no_log_call(playbook, emu):
    run = playbook('pipeline_status_info/failures.yml', extra_vars=dict(ids=['c0000000000000000000000000000002'], lines=0))
    assert run.rc == 0, run
    (failure,) = run.saved('result')['failures']
    assert failure['job'] == 'unit-test' and failure['log_tail'] == [] and failure['log_error'] is None
    assert log_calls(emu) == []
    assert [e['operation'] for e in emu.log] == [OPERATION, 'ShowPipelineRunDetail']


def test_a_denied_log_leaves_log_error_and_the_timeout_fails_the_task(playbook, emu):
    # c...08 FAILED, its log calls answer 403; c...03 waits at a manual review, so the wait times out
    ids = ['c0000000000000000000000000000008', 'c0000000000000000000000000000003']
    run = playbook('pipeline_status_info/failures.yml', extra_vars=dict(ids=ids, timeout=1))
    assert run.rc == 0, run
    result = run.saved('result')
    assert result['failed'] is True
    assert result['msg'].startswith("wait_until 'finished' did not hold within 1s")
    assert '1 not finished: c0000000000000000000000000000003 (RUNNING)' in result['msg']
    assert "pipeline c0000000000000000000000000000003 was at: stage 'Review'" in result['msg']
    denied, waiting = result['failures']
    assert denied['finished'] is True and denied['job'] == 'build' and denied['log_tail'] == []
    assert 'the log could not be read' in denied['log_error'] and '403' in denied['log_error']
    assert waiting['finished'] is False and waiting['job'] == 'Approval'
    assert result['failure'] == waiting
    assert any(e['status'] == 403 for e in log_calls(emu))
    assert_no_secrets(run.output, json.dumps(result))


def test_a_failing_log_call_never_hides_the_outcome(playbook, emu):
    emu.add_fault(path='/logs$', status=500, times=20)
    run = playbook('pipeline_status_info/failures.yml', extra_vars=dict(ids=['c0000000000000000000000000000002']))
    assert run.rc == 0, run
    result = run.saved('result')
    assert not result.get('failed')
    (failure,) = result['failures']
    assert failure['job'] == 'unit-test' and failure['log_tail'] == []
    assert 'the log could not be read' in failure['log_error'] and '500' in failure['log_error']


@pytest.mark.parametrize('flow_api, log_operations', [('yunxiao', {'ListPipelineJobSteps', 'GetPipelineJobStepLog'}),
                                                      ('openapi', {'LogPipelineJobRun'})])
def test_wait_reports_the_failed_flow_run_with_its_log(playbook, emu, flow_api, log_operations):
    run = playbook('pipeline_status_info/failures.yml', extra_vars=dict(ids=['10005', '10001'], lines=3,
                                                                        flow_api=flow_api))
    assert run.rc == 0, run
    result = run.saved('result')
    (failure,) = result['failures']
    assert failure['pipeline_id'] == '10005' and failure['job'] == 'unit-test' and failure['finished'] is True
    assert len(failure['log_tail']) == 3 and failure['log_error'] is None, failure
    assert failure['log_url'] == 'https://flow.aliyun.com/pipelines/10005/builds/%s' % failure['pipeline_run_id']
    assert {e['operation'] for e in log_calls(emu)} == log_operations
    assert_no_secrets(run.output, json.dumps(result))


# -- wait_until: gate -----------------------------------------------------------------------------------------
def operations(log):
    return [entry['operation'] for entry in log['requests']]


def test_wait_until_gate_on_codearts_feeds_stage_review(playbook, emu):
    run = playbook('pipeline_status_info/wait_gate.yml')
    assert run.rc == 0, run
    gated, gate_log, timed_out = run.saved('gated'), run.saved('gate_log'), run.saved('timed_out')
    (found,) = gated['gates']
    assert (found['kind'], found['stage'], found['job'], found['step']) == (
        'manual_review', 'Review', 'Approval', 'manual-review')
    assert set(found['ids']) == {'run_id', 'stage_id', 'job_id', 'step_id'} and found['status'] == 'RUNNING'
    # each read of the gate wait: one batch status read, then the detail of the one live run (c...03); then the
    # failure report reads the FAILED c...02 once (failure_log_lines 0: no log); c...01 never ran: nothing
    ops = operations(gate_log)
    reads = (len(ops) - 1) // 2
    assert reads >= 1 and ops == ['BatchShowPipelinesLatestStatus', 'ShowPipelineRunDetail'] * reads + ['ShowPipelineRunDetail']
    assert gated['requests'] == len(ops)
    details = [e['path'] for e in gate_log['requests'] if e['operation'] == 'ShowPipelineRunDetail']
    assert all('c0000000000000000000000000000003' in path for path in details[:-1])
    assert 'c0000000000000000000000000000002' in details[-1]
    assert not [e for e in gate_log['requests'] if e['acted']]
    assert [f['pipeline_id'] for f in gated['failures']] == ['c0000000000000000000000000000002']
    assert "waits at a gate: manual_review at stage 'Review'" in timed_out['msg']
    # stage_review passed the returned gate, once, at the ids the wait returned
    (passed,) = [e for e in emu.log if e['operation'] == 'AcceptManualReview']
    assert passed['acted'] and found['ids']['step_id'] in passed['path'] and found['ids']['job_id'] in passed['path']
    assert not [e for e in emu.log if e['acted'] and e is not passed]
    no_gate = run.saved('no_gate')
    assert no_gate['gates'] == [] and not no_gate['failed']
    assert_no_secrets(run.output)


@pytest.mark.parametrize('api, list_operation', [('yunxiao', 'GetLatestPipelineRun'), ('openapi', 'ListPipelineRuns')])
def test_wait_until_gate_on_flow_feeds_stage_review(playbook, emu, api, list_operation):
    run = playbook('pipeline_status_info/flow_wait_gate.yml', extra_vars=dict(api=api))
    assert run.rc == 0, run
    gated, gate_log = run.saved('gated'), run.saved('gate_log')
    (found,) = gated['gates']
    assert (found['kind'], found['job'], found['pipeline_id']) == ('validation', 'approve', '1003')
    ops = operations(gate_log)
    reads = len([op for op in ops if op == list_operation])
    assert reads % 3 == 0 and reads >= 3  # one per id and read
    if api == 'yunxiao':
        # the latest run holds the jobs and their actions: nothing but the latest runs is read
        assert set(ops) == {list_operation} and gated['requests'] == reads
    else:
        # ListPipelineRuns has no jobs: one GetPipelineRun per read, of the live run (1003) only
        run_reads = [e for e in gate_log['requests'] if e['operation'] == 'GetPipelineRun']
        assert set(ops) == {list_operation, 'GetPipelineRun'} and len(run_reads) == reads // 3
        assert all('/pipelines/1003/' in e['path'] for e in run_reads)
        assert gated['requests'] == reads + len(run_reads)
    assert not [e for e in gate_log['requests'] if e['acted']]
    (passed,) = [e for e in emu.log if e['operation'] == 'PassPipelineValidate']
    assert passed['acted'] and '/jobs/%s/pass' % found['ids']['job_id'] in passed['path']
    assert run.saved('no_gate')['gates'] == []
    assert_no_secrets(run.output)
