# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the pipeline_status_info module at the HTTP layer (fake_http / run_module / no_sleep)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import time

import pytest
import requests

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei.client import sign_sdk_hmac_sha256
from ansible_collections.devops_cloud.pipelines.plugins.module_utils import _query
from ansible_collections.devops_cloud.pipelines.plugins.modules import pipeline_status_info

PROJECT = '0f1e2d3c4b5a69788796a5b4c3d2e1f0'
STATUS_PATH = '/v5/%s/api/pipelines/status' % PROJECT
ENDPOINT = 'https://cloudpipeline-ext.cn-north-4.myhuaweicloud.com'
TOKEN = 'unit-token-0123456789'
AK = 'UNITAK0000000001'
SK = 'unit-secret-key-0001'
STS = 'unit-security-token-0001'
SECRETS = (TOKEN, AK, SK, STS)


def gen_id(n):
    return 'b%031x' % n


def run(pid, status='COMPLETED', **extra):
    item = dict(pipeline_id=pid, pipeline_run_id='f' + pid[1:], status=status, run_number=3, trigger_type='Manual',
                executor_id='e' * 32, executor_name='emu', start_time=1677919688000, end_time=1677919811000,
                stage_status_list=[dict(name='Build', sequence=0, status=status, start_time='2023-03-04 16:48:09',
                                        end_time='2023-03-04 16:50:11')],
                build_params=dict(build_type='branch', target_branch='master'), artifact_params=None,
                detail_url='https://example.test/%s' % pid, modify_url='https://example.test/%s/edit' % pid)
    item.update(extra)
    return item


def ok(body):
    return dict(status=200, json=body)


def args(**kwargs):
    base = dict(endpoint=ENDPOINT, project_id=PROJECT, auth_token=TOKEN, pipeline_ids=['a' * 32])
    base.update(kwargs)
    return base


def assert_no_secrets(result):
    text = json.dumps(result)
    for secret in SECRETS:
        assert secret not in text


@pytest.fixture
def fake_http(fake_http, monkeypatch):  # pylint: disable=redefined-outer-name
    """The shared fake, bound as a method (conftest sets the instance itself, which drops ``self``)."""

    fake_http.sessions = []

    def request(session, *a, **kw):
        fake_http.sessions.append(session)
        return fake_http(session, *a, **kw)

    monkeypatch.setattr(requests.Session, 'request', request)
    return fake_http


@pytest.fixture
def clock(monkeypatch, no_sleep):
    """time.monotonic advances by exactly what the module asked time.sleep for."""
    monkeypatch.setattr(time, 'monotonic', lambda: 1000.0 + sum(no_sleep))
    return no_sleep


# -- reading ------------------------------------------------------------------------------------

def test_reads_status_with_token(fake_http, run_module):
    ids = ['a' * 32, 'c' * 32, 'd' * 32]
    fake_http.add('POST', STATUS_PATH, ok([run('c' * 32, 'FAILED'), run('a' * 32)]))
    result = run_module(pipeline_status_info, args(pipeline_ids=ids))
    assert result['changed'] is False
    assert 'failed' not in result
    assert fake_http.paths() == ['POST ' + STATUS_PATH]
    call = fake_http.calls[0]
    assert call.url == ENDPOINT + STATUS_PATH
    assert call.json == ids
    assert call.headers['X-Auth-Token'] == TOKEN
    assert call.headers['X-Project-Id'] == PROJECT
    assert call.headers['Content-Type'].startswith('application/json')
    assert 'Authorization' not in call.headers
    assert [p['pipeline_id'] for p in result['pipelines']] == ['a' * 32, 'c' * 32]
    assert result['missing'] == ['d' * 32]
    assert result['summary'] == {'COMPLETED': 1, 'FAILED': 1}
    first = result['pipelines'][0]
    assert (first['finished'], first['succeeded']) == (True, True)
    assert (result['pipelines'][1]['finished'], result['pipelines'][1]['succeeded']) == (True, False)
    # the run as the API gave it
    assert first['stage_status_list'][0]['name'] == 'Build'
    assert first['build_params'] == {'build_type': 'branch', 'target_branch': 'master'}
    assert result['requests'] == 1
    assert 'query_result' not in result
    assert_no_secrets(result)


def test_aksk_signs_every_request(fake_http, run_module):
    fake_http.add('POST', STATUS_PATH, ok([run('a' * 32)]))
    result = run_module(pipeline_status_info, dict(endpoint=ENDPOINT, project_id=PROJECT, access_key=AK, secret_key=SK,
                                                   security_token=STS, pipeline_ids=['a' * 32]))
    assert result['summary'] == {'COMPLETED': 1}
    call = fake_http.calls[0]
    auth = call.headers['Authorization']
    assert auth.startswith('SDK-HMAC-SHA256 Access=%s, SignedHeaders=' % AK)
    assert 'X-Auth-Token' not in call.headers
    assert call.headers['X-Security-Token'] == STS
    assert call.headers['Host'] == 'cloudpipeline-ext.cn-north-4.myhuaweicloud.com'
    assert len(call.headers['X-Sdk-Date']) == 16
    names = auth.split('SignedHeaders=')[1].split(',')[0].split(';')
    assert {'content-type', 'host', 'x-project-id', 'x-sdk-date', 'x-security-token'} <= set(names)
    signed = dict((name, call.headers[name]) for name in names)
    assert sign_sdk_hmac_sha256('POST', STATUS_PATH, [], signed, call.body, AK, SK) == auth
    assert_no_secrets(result)


def test_chunks_250_ids_into_three_requests_in_order(fake_http, run_module):
    ids = [gen_id(n) for n in range(1, 251)]
    ran = [pid for pid in ids if int(pid[1:], 16) % 7]
    status = dict((pid, 'FAILED' if int(pid[1:], 16) % 5 == 0 else 'COMPLETED') for pid in ran)
    answers = [ok([run(pid, status[pid]) for pid in reversed(part) if pid in status])
               for part in (ids[0:100], ids[100:200], ids[200:250])]
    fake_http.add('POST', STATUS_PATH, *answers)
    result = run_module(pipeline_status_info, args(pipeline_ids=ids))
    assert result['requests'] == 3
    assert [len(c.json) for c in fake_http.calls] == [100, 100, 50]
    assert [pid for c in fake_http.calls for pid in c.json] == ids
    assert [p['pipeline_id'] for p in result['pipelines']] == ran
    assert result['missing'] == [pid for pid in ids if int(pid[1:], 16) % 7 == 0]
    assert len(result['missing']) == 35
    failed = sum(1 for v in status.values() if v == 'FAILED')
    assert result['summary'] == {'COMPLETED': len(ran) - failed, 'FAILED': failed}
    # one keep-alive session carries every request
    assert len(fake_http.sessions) == 3
    assert len(set(id(session) for session in fake_http.sessions)) == 1


def test_duplicates_are_sent_and_reported_once(fake_http, run_module):
    fake_http.add('POST', STATUS_PATH, ok([run('a' * 32), run('b' * 32, 'RUNNING')]))
    result = run_module(pipeline_status_info, args(pipeline_ids=['b' * 32, 'a' * 32, 'b' * 32]))
    assert fake_http.calls[0].json == ['b' * 32, 'a' * 32]
    assert [p['pipeline_id'] for p in result['pipelines']] == ['b' * 32, 'a' * 32]
    assert result['summary'] == {'COMPLETED': 1, 'RUNNING': 1}


def test_empty_list_sends_no_request(fake_http, run_module):
    result = run_module(pipeline_status_info, args(pipeline_ids=[], query='summary', wait_until='finished'))
    assert fake_http.calls == []
    assert result['pipelines'] == [] and result['missing'] == [] and result['summary'] == {}
    assert result['query_result'] == {}
    assert result['requests'] == 0


def test_none_ran(fake_http, run_module):
    fake_http.add('POST', STATUS_PATH, ok([]))
    result = run_module(pipeline_status_info, args(pipeline_ids=['a' * 32, 'b' * 32]))
    assert result['pipelines'] == []
    assert result['missing'] == ['a' * 32, 'b' * 32]
    assert result['summary'] == {}


def test_check_mode_reads_the_same(fake_http, run_module):
    fake_http.add('POST', STATUS_PATH, ok([run('a' * 32, 'RUNNING')]))
    result = run_module(pipeline_status_info, args(), check_mode=True)
    assert result['changed'] is False
    assert result['summary'] == {'RUNNING': 1}
    assert fake_http.paths() == ['POST ' + STATUS_PATH]


# -- query --------------------------------------------------------------------------------------

def test_query(fake_http, run_module):
    fake_http.add('POST', STATUS_PATH, ok([run('a' * 32, 'FAILED'), run('b' * 32), run('c' * 32, 'FAILED')]))
    result = run_module(pipeline_status_info, args(pipeline_ids=['c' * 32, 'b' * 32, 'a' * 32, 'd' * 32],
                                                   query="pipelines[?status=='FAILED'].pipeline_id"))
    assert result['query_result'] == ['c' * 32, 'a' * 32]
    assert result['pipelines']  # the full result is still returned


def test_query_over_missing_and_summary(fake_http, run_module):
    fake_http.add('POST', STATUS_PATH, ok([run('a' * 32)]))
    result = run_module(pipeline_status_info, args(pipeline_ids=['a' * 32, 'd' * 32],
                                                   query='{never: missing, done: summary.COMPLETED}'))
    assert result['query_result'] == {'never': ['d' * 32], 'done': 1}


@pytest.mark.parametrize('option', ['query', 'wait_until'])
@pytest.mark.parametrize('expression', ["pipelines[?status=='FAILED'", 'pipelines[', '&&'])
def test_invalid_expression_fails_before_any_request(fake_http, run_module, option, expression):
    result = run_module(pipeline_status_info, args(**{option: expression}))
    assert result['failed'] is True
    assert result['msg'].startswith('%s is not a valid JMESPath expression' % option)
    assert repr(expression) in result['msg']
    assert fake_http.calls == []
    assert result['requests'] == 0


def test_query_that_fails_at_evaluation(fake_http, run_module):
    fake_http.add('POST', STATUS_PATH, ok([run('a' * 32)]))
    result = run_module(pipeline_status_info, args(query='abs(missing)'))
    assert result['failed'] is True
    assert "query ('abs(missing)') could not be evaluated" in result['msg']
    assert result['requests'] == 1
    assert result['summary'] == {'COMPLETED': 1}


def test_missing_jmespath_fails_cleanly(fake_http, run_module, monkeypatch):
    monkeypatch.setattr(_query, 'HAS_JMESPATH', False)
    monkeypatch.setattr(_query, 'JMESPATH_IMPORT_ERROR', 'ImportError: jmespath')
    result = run_module(pipeline_status_info, args(query='summary'))
    assert result['failed'] is True
    assert 'jmespath' in result['msg']
    assert fake_http.calls == []
    # without query or an expression, jmespath is not needed
    fake_http.add('POST', STATUS_PATH, ok([run('a' * 32)]))
    result = run_module(pipeline_status_info, args(wait_until='finished'))
    assert result['summary'] == {'COMPLETED': 1}


# -- wait_until ---------------------------------------------------------------------------------
DETAIL_PATH = '/v5/%s/api/pipelines/%%s/pipeline-runs/detail' % PROJECT


def bare_detail(fake, pid, status):
    """ShowPipelineRunDetail of ``pid``'s latest run without stages: the failure report of a wait reads it once
    (no place known, so no log call)."""
    fake.add('GET', DETAIL_PATH % pid, ok({'id': 'f' + pid[1:], 'pipeline_id': pid, 'status': status, 'stages': []}))


def test_wait_until_finished_polls_until_all_finished(fake_http, run_module, clock):
    fake_http.add('POST', STATUS_PATH,
                  ok([run('a' * 32, 'RUNNING'), run('b' * 32)]),
                  ok([run('a' * 32, 'RUNNING'), run('b' * 32)]),
                  ok([run('a' * 32, 'COMPLETED'), run('b' * 32)]))
    result = run_module(pipeline_status_info, args(pipeline_ids=['a' * 32, 'b' * 32, 'd' * 32], wait_until='finished',
                                                   poll_interval=2, wait_timeout=60, query='summary'))
    assert 'failed' not in result
    assert result['changed'] is False
    assert result['requests'] == 3
    assert clock == [2.0, 2.0]
    assert result['summary'] == {'COMPLETED': 2}
    assert result['query_result'] == {'COMPLETED': 2}
    assert result['missing'] == ['d' * 32]  # never-run pipelines do not hold the wait back


@pytest.mark.parametrize('keyword', ['finished', ' Finished ', 'FINISHED'])
def test_wait_until_finished_returns_at_once_when_finished(fake_http, run_module, clock, keyword):
    fake_http.add('POST', STATUS_PATH, ok([run('a' * 32, 'CANCELED')]))
    bare_detail(fake_http, 'a' * 32, 'CANCELED')
    result = run_module(pipeline_status_info, args(wait_until=keyword, poll_interval=2))
    assert result['requests'] == 2  # one status read, then the canceled run's detail for ``failures``
    assert [f['pipeline_id'] for f in result['failures']] == ['a' * 32] and 'failure' not in result
    assert clock == []


@pytest.mark.parametrize('status', ['PAUSED', 'SUSPEND', 'RUNNING'])
def test_wait_until_finished_times_out_with_last_state(fake_http, run_module, clock, status):
    fake_http.add('POST', STATUS_PATH, ok([run('a' * 32, status), run('b' * 32)]))
    bare_detail(fake_http, 'a' * 32, status)
    result = run_module(pipeline_status_info, args(pipeline_ids=['a' * 32, 'b' * 32], wait_until='finished',
                                                   poll_interval=3, wait_timeout=10))
    assert result['failed'] is True
    assert result['msg'].startswith("wait_until 'finished' did not hold within 10s")
    assert '1 not finished: %s (%s)' % ('a' * 32, status) in result['msg']
    assert result['summary'] == {'COMPLETED': 1, status: 1}
    assert [p['pipeline_id'] for p in result['pipelines']] == ['a' * 32, 'b' * 32]
    assert result['missing'] == []
    assert sum(clock) == 10  # never sleeps past the deadline
    assert clock == [3, 3, 3, 1]
    assert result['requests'] == 6  # 5 status reads, then the unfinished run's detail
    assert result['failure']['pipeline_id'] == 'a' * 32 and result['failure']['finished'] is False
    assert result['changed'] is False


def test_wait_until_timeout_names_at_most_ten_pending(fake_http, run_module, clock):
    ids = [gen_id(n) for n in range(1, 13)]
    fake_http.add('POST', STATUS_PATH, ok([run(pid, 'RUNNING') for pid in ids]))
    for pid in ids:
        bare_detail(fake_http, pid, 'RUNNING')
    result = run_module(pipeline_status_info, args(pipeline_ids=ids, wait_until='finished', wait_timeout=0))
    assert result['failed'] is True
    assert '12 not finished' in result['msg'] and 'and 2 more' in result['msg']
    # the failure reports are bounded: the first 5 pipelines, one detail read each
    assert [f['pipeline_id'] for f in result['failures']] == ids[:5]
    assert result['requests'] == 6


def test_wait_until_expression_polls_until_true(fake_http, run_module, clock):
    fake_http.add('POST', STATUS_PATH,
                  ok([run('a' * 32, 'RUNNING')]),
                  ok([run('a' * 32, 'RUNNING')]),
                  ok([run('a' * 32, 'RUNNING')]),
                  ok([run('a' * 32, 'FAILED')]))
    bare_detail(fake_http, 'a' * 32, 'FAILED')
    result = run_module(pipeline_status_info, args(wait_until="pipelines[?status=='FAILED']", poll_interval=1))
    assert 'failed' not in result
    assert result['requests'] == 5  # 4 status reads, then the failed run's detail
    assert [f['pipeline_id'] for f in result['failures']] == ['a' * 32]
    assert clock == [1.0, 1.0, 1.0]
    assert result['summary'] == {'FAILED': 1}


def test_wait_until_expression_zero_is_true(fake_http, run_module, clock):
    fake_http.add('POST', STATUS_PATH, ok([run('a' * 32, 'RUNNING')]))
    result = run_module(pipeline_status_info, args(wait_until='length(missing)'))
    assert 'failed' not in result
    assert result['requests'] == 1


def test_wait_until_expression_times_out_with_last_state(fake_http, run_module, clock):
    fake_http.add('POST', STATUS_PATH, ok([run('a' * 32, 'RUNNING')]))
    bare_detail(fake_http, 'a' * 32, 'RUNNING')
    result = run_module(pipeline_status_info, args(wait_until="summary.COMPLETED", poll_interval=5, wait_timeout=12))
    assert result['failed'] is True
    assert result['msg'].startswith("wait_until 'summary.COMPLETED' did not hold within 12s (4 reads)")
    assert 'the expression is still false' in result['msg']
    assert result['summary'] == {'RUNNING': 1}
    assert result['requests'] == 5  # 4 status reads, then the unfinished run's detail


def test_wait_until_expression_evaluation_error(fake_http, run_module, clock):
    fake_http.add('POST', STATUS_PATH, ok([run('a' * 32)]))
    result = run_module(pipeline_status_info, args(wait_until='abs(summary)'))
    assert result['failed'] is True
    assert "wait_until ('abs(summary)') could not be evaluated" in result['msg']
    assert result['summary'] == {'COMPLETED': 1}
    assert result['requests'] == 1


@pytest.mark.parametrize('extra, text', [
    (dict(poll_interval=0, wait_until='finished'), 'poll_interval must be greater than 0'),
    (dict(wait_timeout=-1, wait_until='finished'), 'wait_timeout must not be negative'),
    (dict(pipeline_ids=['a' * 32, '']), 'pipeline_ids must not contain empty ids'),
    (dict(project_id='..'), "project_id must not be '..': it is a segment of the request path, and a dot segment "
                            "would change the path the request goes to"),
    (dict(pipeline_ids=['a' * 32, ' ']), 'pipeline_ids must not contain blank ids (element 1 holds only spaces)'),
    (dict(pipeline_ids=['a' * 32] * 5001), 'pipeline_ids has 5001 elements; at most 5000 are allowed'),
    (dict(query=' '), 'query must not be blank (only spaces)'),
    (dict(poll_interval=float('inf'), wait_until='finished'), 'poll_interval must be a finite number of seconds, not inf'),
])
def test_bad_options_fail_before_any_request(fake_http, run_module, extra, text):
    result = run_module(pipeline_status_info, args(**extra))
    assert result['failed'] is True
    assert result['msg'] == text
    assert fake_http.calls == []


def test_project_id_is_required(fake_http, run_module, monkeypatch):
    monkeypatch.delenv('HUAWEICLOUD_SDK_PROJECT_ID', raising=False)
    base = args()
    del base['project_id']
    result = run_module(pipeline_status_info, base)
    assert result['failed'] is True
    assert 'project_id' in result['msg']
    assert fake_http.calls == []


def test_project_id_from_environment(fake_http, run_module, monkeypatch):
    monkeypatch.setenv('HUAWEICLOUD_SDK_PROJECT_ID', PROJECT)
    fake_http.add('POST', STATUS_PATH, ok([run('a' * 32)]))
    base = args()
    del base['project_id']
    result = run_module(pipeline_status_info, base)
    assert result['summary'] == {'COMPLETED': 1}


def test_auth_options_are_checked(fake_http, run_module):
    result = run_module(pipeline_status_info, dict(endpoint=ENDPOINT, project_id=PROJECT, pipeline_ids=['a' * 32]))
    assert result['failed'] is True
    assert 'auth_token' in result['msg'] and 'access_key' in result['msg']
    assert fake_http.calls == []


def test_region_builds_the_endpoint(fake_http, run_module):
    fake_http.add('POST', STATUS_PATH, ok([]))
    base = args(region='ap-southeast-3')
    del base['endpoint']
    run_module(pipeline_status_info, base)
    assert fake_http.calls[0].url == 'https://cloudpipeline-ext.ap-southeast-3.myhuaweicloud.com' + STATUS_PATH


def test_no_endpoint_or_region_is_a_clear_failure(fake_http, run_module, monkeypatch):
    monkeypatch.delenv('HUAWEICLOUD_SDK_REGION', raising=False)
    base = args()
    del base['endpoint']
    result = run_module(pipeline_status_info, base)
    assert result['failed'] is True
    assert 'either endpoint or region must be set' in result['msg']
    assert result['requests'] == 0


# -- retries and errors -------------------------------------------------------------------------

def test_429_with_retry_after_is_retried(fake_http, run_module, no_sleep):
    fake_http.add('POST', STATUS_PATH,
                  dict(status=429, json={'error_code': 'APIGW.0308', 'error_msg': 'throttled'}, headers={'Retry-After': '3'}),
                  ok([run('a' * 32)]))
    result = run_module(pipeline_status_info, args())
    assert 'failed' not in result
    assert result['requests'] == 2
    assert no_sleep == [3.0]
    assert fake_http.calls[0].json == fake_http.calls[1].json


def test_503_burst_is_retried_per_chunk(fake_http, run_module, no_sleep):
    ids = [gen_id(n) for n in range(1, 151)]
    fake_http.add('POST', STATUS_PATH,
                  dict(status=503, json={'error_code': 'APIGW.0201', 'error_msg': 'busy'}),
                  dict(status=503, text=''),
                  dict(status=502, text='<html><head><title>502 Bad Gateway</title></head></html>', headers={'Content-Type': 'text/html'}),
                  ok([run(pid) for pid in ids[:100]]),
                  dict(status=504, json={'error_code': 'APIGW.0202', 'error_msg': 'timeout'}),
                  ok([run(pid) for pid in ids[100:]]))
    result = run_module(pipeline_status_info, args(pipeline_ids=ids))
    assert 'failed' not in result
    assert result['requests'] == 6
    assert len(set(id(session) for session in fake_http.sessions)) == 1
    assert len(no_sleep) == 4
    assert [len(c.json) for c in fake_http.calls] == [100, 100, 100, 100, 50, 50]
    assert result['summary'] == {'COMPLETED': 150}


def test_503_beyond_max_retries_fails(fake_http, run_module, no_sleep):
    fake_http.add('POST', STATUS_PATH, dict(status=503, json={'error_code': 'APIGW.0201', 'error_msg': 'busy'},
                                            headers={'X-Request-Id': 'req-503'}))
    result = run_module(pipeline_status_info, args(max_retries=2))
    assert result['failed'] is True
    assert result['http_status'] == 503
    assert result['error_code'] == 'APIGW.0201'
    assert result['request_id'] == 'req-503'
    assert 'POST %s HTTP 503 APIGW.0201: busy' % STATUS_PATH in result['msg']
    assert result['requests'] == 3
    assert len(no_sleep) == 2


def test_http_200_with_error_body_is_a_clear_failure(fake_http, run_module, no_sleep):
    fake_http.add('POST', STATUS_PATH, dict(status=200, json={'error_code': 'DEVPIPE.00011104', 'error_msg': 'pipeline not found'},
                                            headers={'X-Request-Id': 'req-200'}))
    result = run_module(pipeline_status_info, args())
    assert result['failed'] is True
    assert result['http_status'] == 200
    assert result['error_code'] == 'DEVPIPE.00011104'
    assert result['request_id'] == 'req-200'
    assert 'HTTP 200 DEVPIPE.00011104: pipeline not found' in result['msg']
    assert result['requests'] == 1  # an error body is not retried
    assert no_sleep == []


def test_html_page_is_a_clear_failure(fake_http, run_module, no_sleep):
    fake_http.add('POST', STATUS_PATH, dict(status=200, text='<!DOCTYPE html><html><head><title>Login required</title></head></html>',
                                            headers={'Content-Type': 'text/html'}))
    result = run_module(pipeline_status_info, args())
    assert result['failed'] is True
    assert 'HTML page (Login required) instead of JSON' in result['msg']
    assert result['requests'] == 1


def test_unexpected_json_shape_is_a_clear_failure(fake_http, run_module):
    fake_http.add('POST', STATUS_PATH, ok({'pipelines': [run('a' * 32)]}))
    result = run_module(pipeline_status_info, args())
    assert result['failed'] is True
    assert 'expected a JSON array of pipeline runs, got a JSON object' in result['msg']


def test_wrong_credentials_fail_without_secrets(fake_http, run_module):
    fake_http.add('POST', STATUS_PATH, dict(status=401, json={'error_code': 'APIGW.0301',
                                                              'error_msg': 'Incorrect IAM authentication information: %s' % TOKEN}))
    result = run_module(pipeline_status_info, args())
    assert result['failed'] is True
    assert result['http_status'] == 401
    assert 'authentication or permission failure' in result['msg']
    assert '********' in result['msg']
    assert_no_secrets(result)


def test_wrong_aksk_fail_without_secrets(fake_http, run_module):
    fake_http.add('POST', STATUS_PATH, dict(status=401, json={'error_code': 'APIGW.0301',
                                                              'error_msg': 'signature of %s with %s mismatch' % (AK, SK)}))
    result = run_module(pipeline_status_info, dict(endpoint=ENDPOINT, project_id=PROJECT, access_key=AK, secret_key=SK,
                                                   pipeline_ids=['a' * 32]))
    assert result['failed'] is True
    assert_no_secrets(result)


def test_failure_in_a_later_chunk_reports_requests(fake_http, run_module, no_sleep):
    ids = [gen_id(n) for n in range(1, 151)]
    fake_http.add('POST', STATUS_PATH, ok([run(pid) for pid in ids[:100]]),
                  dict(status=403, json={'error_code': 'DEVPIPE.00011003', 'error_msg': 'no permission'}))
    result = run_module(pipeline_status_info, args(pipeline_ids=ids))
    assert result['failed'] is True
    assert result['requests'] == 2
    assert result['error_code'] == 'DEVPIPE.00011003'
    assert no_sleep == []


# -- Yunxiao Flow (Alibaba Cloud) ----------------------------------------------------------------------------
ORG = 'org-unit-0001'
YX_TOKEN = 'unit-yunxiao-token-0001'
YX_BASE = 'https://yunxiao.example.test'
FLOW_LATEST = '/oapi/v1/flow/organizations/%s/pipelines/%%s/runs/latestPipelineRun' % ORG


def flow_args(**kwargs):
    base = dict(organization_id=ORG, yunxiao_token=YX_TOKEN, yunxiao_base_url=YX_BASE, pipeline_ids=['1001'])
    base.update(kwargs)
    return base


def flow_run(pid, status):
    return {'pipelineRunId': pid * 10, 'pipelineId': pid, 'status': status, 'startTime': 1700000000000, 'stages': []}


def test_flow_ids_read_the_flow_api_with_the_same_report(fake_http, run_module):
    fake_http.reply('GET', FLOW_LATEST % 1001, flow_run(1001, 'SUCCESS'))
    fake_http.reply('GET', FLOW_LATEST % 1011, flow_run(1011, 'RUNNING'))
    fake_http.add('GET', FLOW_LATEST % 1007, dict(status=404, json={'errorCode': 'InvalidPipelineRun.NotFound'}))
    result = run_module(pipeline_status_info, flow_args(pipeline_ids=['1001', '1007', '1011'],
                                                        query="pipelines[?status=='RUNNING'].pipeline_id"),
                        check_mode=True)
    assert not result.get('failed') and result['changed'] is False
    assert [p['pipeline_id'] for p in result['pipelines']] == ['1001', '1011']
    assert result['pipelines'][0]['succeeded'] is True and result['pipelines'][1]['finished'] is False
    assert result['missing'] == ['1007'] and result['missing_reasons'] == {'1007': 'never_ran'}
    assert result['summary'] == {'RUNNING': 1, 'SUCCESS': 1} and result['query_result'] == ['1011']
    assert result['requests'] == 3 and result['http_retries'] == 0
    assert len(fake_http.calls) == 3 and not fake_http.acting()


@pytest.mark.parametrize('extra, message', [
    (dict(pipeline_ids=['1001', 'a' * 32]), "mixes Alibaba Cloud Flow ids (numbers, e.g. '1001') and Huawei Cloud CodeArts ids (e.g. 'aaaa"),
    (dict(cloud='huawei', project_id=PROJECT), 'cloud=huawei does not fit the ids given, which are Alibaba ids'),
    (dict(cloud='alibaba', pipeline_ids=['a' * 32]), 'cloud=alibaba does not fit the ids given, which are Huawei ids'),
    (dict(organization_id=None), 'organization_id is required for Alibaba Cloud'),
])
def test_cloud_choice_errors_send_nothing(fake_http, run_module, extra, message):
    result = run_module(pipeline_status_info, flow_args(**extra))
    assert result['failed'] and message in result['msg'], result['msg']
    assert fake_http.calls == [] and result['requests'] == 0


def test_codearts_ids_without_project_id_fail_before_any_request(fake_http, run_module):
    result = run_module(pipeline_status_info, dict(endpoint=ENDPOINT, auth_token=TOKEN, pipeline_ids=['a' * 32]))
    assert result['failed'] and 'project_id is required' in result['msg'] and fake_http.calls == []


def test_defaults_for_both_clouds_reach_the_right_one(fake_http, run_module):
    """module_defaults of both groups: CodeArts ids go to Huawei with Huawei's endpoint, Flow ids to Flow."""
    both = dict(args(), organization_id=ORG, yunxiao_token=YX_TOKEN, yunxiao_base_url=YX_BASE)
    fake_http.reply('POST', STATUS_PATH, [run('a' * 32)])
    result = run_module(pipeline_status_info, both)
    assert not result.get('failed') and 'missing_reasons' not in result
    assert fake_http.calls[0].url.startswith(ENDPOINT) and 'x-yunxiao-token' not in fake_http.calls[0].headers
    fake_http.reply('GET', FLOW_LATEST % 1001, flow_run(1001, 'FAIL'))
    both.pop('auth_token')
    result = run_module(pipeline_status_info, dict(both, pipeline_ids=['1001']))
    assert result['summary'] == {'FAIL': 1}
    assert fake_http.calls[1].url.startswith(YX_BASE) and 'X-Auth-Token' not in fake_http.calls[1].headers


def test_empty_list_without_cloud_reads_nothing(fake_http, run_module):
    result = run_module(pipeline_status_info, dict(pipeline_ids=[], query='summary'))
    assert result['pipelines'] == [] and result['query_result'] == {} and fake_http.calls == []


# -- failure reports of a wait (failures, failure) ------------------------------------------------------------
FAILED_PID = 'c' * 32
CA_RUN = '/v5/%s/api/pipelines/%s' % (PROJECT, FAILED_PID)
CA_STEP_LOG = CA_RUN + '/pipeline-runs/r1/jobs/j2/steps/s2/logs'
LOG_SECRET = 'hunter2-unit-status'


def failed_detail(status='FAILED'):
    return ok({'id': 'r1', 'pipeline_id': FAILED_PID, 'status': status, 'detail_url': 'https://console.example.test/r1',
               'stages': [{'id': 'st1', 'name': 'Test', 'status': status, 'jobs': [
                   {'id': 'j2', 'name': 'unit-test', 'status': status, 'message': 'Step execution failed',
                    'steps': [{'id': 's1', 'name': 'checkout', 'status': 'COMPLETED'},
                              {'id': 's2', 'name': 'run-tests', 'status': status}]}]}]})


def step_log(lines):
    return ok(dict(has_more=False, start_offset='0', end_offset=str(len(lines)), log=''.join(l + '\n' for l in lines)))


def test_wait_that_holds_reports_each_failed_run_with_its_log(fake_http, run_module, clock):
    fake_http.add('POST', STATUS_PATH, ok([run(FAILED_PID, 'FAILED', pipeline_run_id='r1'), run('a' * 32)]))
    fake_http.add('GET', CA_RUN + '/pipeline-runs/detail', failed_detail())
    fake_http.add('POST', CA_STEP_LOG, step_log(['step 1', 'export PASSWORD=%s' % LOG_SECRET, '3 tests failed',
                                                 'Process exited with code 1']))
    result = run_module(pipeline_status_info, args(pipeline_ids=[FAILED_PID, 'a' * 32], wait_until='finished',
                                                   failure_log_lines=3))
    assert 'failed' not in result  # failed runs end the wait; they do not fail the task
    assert result['failures'] == [dict(
        pipeline_id=FAILED_PID, pipeline_run_id='r1', finished=True, stage='Test', job='unit-test', step='run-tests',
        status='FAILED', message='Step execution failed', log_url='https://console.example.test/r1', log_error=None,
        log_tail=['export PASSWORD=********', '3 tests failed', 'Process exited with code 1'])]
    assert 'failure' not in result
    assert fake_http.paths() == ['POST ' + STATUS_PATH, 'GET ' + CA_RUN + '/pipeline-runs/detail', 'POST ' + CA_STEP_LOG]
    assert [c for c in fake_http.calls if c.path == CA_STEP_LOG][0].json == dict(
        start_offset=0, end_offset=0, limit=500, sort='asc')  # the paging of pipeline_run's CodeArts log reader
    assert result['requests'] == 3  # reads only (ShowPipelineLog is a POST that reads)
    assert LOG_SECRET not in json.dumps(result)


def test_failure_log_lines_zero_reads_no_log(fake_http, run_module, clock):
    fake_http.add('POST', STATUS_PATH, ok([run(FAILED_PID, 'CANCELED', pipeline_run_id='r1')]))
    fake_http.add('GET', CA_RUN + '/pipeline-runs/detail', failed_detail('CANCELED'))
    result = run_module(pipeline_status_info, args(pipeline_ids=[FAILED_PID], wait_until='finished', failure_log_lines=0))
    failure = result['failures'][0]
    assert (failure['job'], failure['step'], failure['log_tail'], failure['log_error']) == ('unit-test', 'run-tests', [], None)
    assert fake_http.paths() == ['POST ' + STATUS_PATH, 'GET ' + CA_RUN + '/pipeline-runs/detail']


def test_plain_read_reports_no_failures(fake_http, run_module):
    fake_http.add('POST', STATUS_PATH, ok([run(FAILED_PID, 'FAILED', pipeline_run_id='r1')]))
    result = run_module(pipeline_status_info, args(pipeline_ids=[FAILED_PID]))
    assert 'failures' not in result and 'failure' not in result
    assert fake_http.paths() == ['POST ' + STATUS_PATH]


def test_timeout_with_a_denied_log_fails_with_the_wait_reason(fake_http, run_module, clock):
    # c... waits at a running step whose log answers 403; a... failed and its run cannot be read (500s)
    fake_http.add('POST', STATUS_PATH, ok([run('a' * 32, 'FAILED'), run(FAILED_PID, 'RUNNING', pipeline_run_id='r1')]))
    fake_http.add('GET', DETAIL_PATH % ('a' * 32), dict(status=404, json={'error_code': 'DEVPIPE.00011105',
                                                                          'error_msg': 'no such run'}))
    fake_http.add('GET', CA_RUN + '/pipeline-runs/detail', failed_detail('RUNNING'))
    fake_http.add('POST', CA_STEP_LOG, dict(status=403, json={'error_code': 'DEVPIPE.00011108',
                                                              'error_msg': 'no permission to read the log'}))
    result = run_module(pipeline_status_info, args(pipeline_ids=['a' * 32, FAILED_PID], wait_until='finished',
                                                   wait_timeout=4, poll_interval=2))
    assert result['failed'] is True
    assert result['msg'].startswith("wait_until 'finished' did not hold within 4s (3 reads); 1 not finished: %s (RUNNING)"
                                    % FAILED_PID)
    assert "; pipeline %s was at: stage 'Test' job 'unit-test' step 'run-tests' (RUNNING)" % FAILED_PID in result['msg']
    assert 'the log could not be read' in result['msg'] and '403' in result['msg']
    first, second = result['failures']
    assert first['pipeline_id'] == 'a' * 32 and first['finished'] is True and first['stage'] is None
    assert first['log_error'].startswith('the run could not be read') and 'DEVPIPE.00011105' in first['log_error']
    assert first['log_url'] == 'https://example.test/%s' % ('a' * 32)  # the latest run's page
    assert second['finished'] is False and second['step'] == 'run-tests' and second['log_tail'] == []
    assert 'DEVPIPE.00011108' in second['log_error']
    assert result['failure'] == second
    assert_no_secrets(result)


# Flow: the run is read again (GetPipelineRun) and the job's log through the Flow backend of pipeline_run.
FLOW_RUN = '/oapi/v1/flow/organizations/%s/pipelines/1002/runs/10020' % ORG
FLOW_JOB = '/oapi/v1/flow/organizations/%s/pipelines/1002/pipelineRuns/10020/jobs/7' % ORG


def test_flow_failed_run_reports_the_failing_step_log(fake_http, run_module, clock):
    failed = {'pipelineRunId': 10020, 'pipelineId': 1002, 'status': 'FAIL', 'startTime': 1700000000000,
              'stages': [{'name': 'Test', 'stageInfo': {'name': 'Test', 'status': 'FAIL',
                                                        'jobs': [{'id': 7, 'name': 'unit-test', 'status': 'FAIL'}]}}]}
    fake_http.reply('GET', FLOW_LATEST % 1002, failed)
    fake_http.reply('GET', FLOW_RUN, failed)
    fake_http.reply('GET', FLOW_JOB + '/steps', [{'buildId': 55, 'buildProcessNodes': [
        {'stepIndex': 0, 'stepName': 'checkout', 'status': 'SUCCESS'}, {'stepIndex': 1, 'stepName': 'pytest', 'status': 'FAIL'}]}])
    fake_http.reply('GET', FLOW_JOB + '/step/log', {'logs': 'collected 9 items\n3 failed\n', 'last': 2, 'more': False})
    result = run_module(pipeline_status_info, flow_args(pipeline_ids=['1002'], wait_until='finished'))
    assert 'failed' not in result
    (failure,) = result['failures']
    assert (failure['pipeline_id'], failure['pipeline_run_id'], failure['job'], failure['step']) == ('1002', 10020, 'unit-test', 'pytest')
    assert failure['log_tail'] == ['collected 9 items', '3 failed'] and failure['log_error'] is None
    assert failure['log_url'] == 'https://flow.aliyun.com/pipelines/1002/builds/10020'
    assert result['requests'] == 4 == len(fake_http.calls)


def test_docs_describe_failures_and_the_option():
    import yaml
    doc = yaml.safe_load(pipeline_status_info.DOCUMENTATION)
    returned = yaml.safe_load(pipeline_status_info.RETURN)
    assert doc['options']['failure_log_lines']['default'] == 50 and _query.MAX_FAILURES == 5
    assert set(returned['failures']['contains']) == {'pipeline_id', 'pipeline_run_id', 'finished', 'stage', 'job', 'step',
                                                     'status', 'message', 'log_tail', 'log_url', 'log_error'}
    assert 'failure' in returned
