# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shared HTTP core: retries, acting calls sent once, error mapping of every vendor shape,
secret redaction, guarded_action, wait_for, query helpers and the vendor argument specs."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import random

import pytest
import requests

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args

from ansible_collections.devops_cloud.pipelines.plugins.module_utils import _http
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._http import (
    ApiError,
    encode_query,
    guarded_action,
    jittered_backoff,
    query_pairs,
    wait_for,
)
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba.client import (
    PopClient,
    YunxiaoClient,
    alibaba_argument_spec,
    alibaba_credentials,
    select_api,
)
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei.client import (
    HUAWEI_MODULE_KWARGS,
    HuaweiClient,
    huawei_argument_spec,
    huawei_credentials,
)

# The Alibaba modules need no AnsibleModule arguments beyond the argument spec (the credentials are
# checked once the environment is merged), so the former empty ALIBABA_MODULE_KWARGS table is gone.
ALIBABA_MODULE_KWARGS = {}
HW_AK = 'HWTESTAK0000000000001'
HW_SK = 'hw-test-secret-key-0001'
HW_STS = 'hw-test-security-token-0001'
HW_TOKEN = 'hw-test-iam-token-0001'
ALI_AK = 'LTAITEST00000000000001'
ALI_SECRET = 'ali-test-secret-0001'
ALI_STS = 'ali-test-sts-token-0001'
YX_TOKEN = 'pt-test-token-0001'
RUN_PATH = '/flow/organizations/o1/pipelines/1001/runs'
RUN_ROUTE = '/oapi/v1' + RUN_PATH


@pytest.fixture
def fake_http(fake_http, monkeypatch):  # pylint: disable=redefined-outer-name
    """The shared fixture, bound as a method: conftest patches ``Session.request`` with a callable
    instance, which Python does not bind, so the session would never reach ``FakeHttp.__call__``."""
    def bound(session, *args, **kwargs):
        return fake_http(session, *args, **kwargs)

    monkeypatch.setattr(requests.Session, 'request', bound)
    return fake_http


def yunxiao(**params):
    base = dict(yunxiao_token=YX_TOKEN, yunxiao_base_url='https://yunxiao.example')
    base.update(params)
    return YunxiaoClient(base)


def huawei(**params):
    base = dict(endpoint='https://hw.example', project_id='p1', access_key=HW_AK, secret_key=HW_SK)
    base.update(params)
    return HuaweiClient(base, 'codearts')


def pop(**params):
    base = dict(access_key_id=ALI_AK, access_key_secret=ALI_SECRET, endpoint='https://ali.example')
    base.update(params)
    return PopClient(base)


def backoff_bounds(attempt, base=0.5, cap=20.0):
    delay = min(cap, base * (2 ** (attempt - 1)))
    return delay * 0.5, delay


def reply(status, body=None, headers=None, text=None):
    answer = dict(status=status, json=body, headers=headers or {})
    if text is not None:
        answer['text'] = text
    return answer


def raise_api_error(client, *args, **kwargs):
    with pytest.raises(ApiError) as exc:
        client.call(*args, **kwargs)
    return exc.value


# ---------------------------------------------------------------------------------------------
# Reads: retries


def test_429_retry_after_honoured_exactly(fake_http, no_sleep):
    fake_http.add('GET', RUN_ROUTE, reply(429, {'errorCode': 'Throttling', 'errorMessage': 'slow down'}, {'Retry-After': '7'}),
                  reply(200, {'ok': 1}))
    client = yunxiao()
    assert client.call('GET', RUN_PATH) == {'ok': 1}
    assert no_sleep == [7.0]
    assert len(fake_http.calls) == 2
    assert client.requests_sent == 2
    assert client.retries == [dict(path=RUN_PATH, reason='Throttling', delay=7.0)]


def test_retry_after_fractional_and_capped(fake_http, no_sleep):
    fake_http.add('GET', RUN_ROUTE, reply(429, headers={'Retry-After': '0.25'}), reply(503, headers={'Retry-After': '9999'}),
                  reply(200, {}))
    yunxiao().call('GET', RUN_PATH)
    assert no_sleep == [0.25, _http.MAX_RETRY_AFTER]


def test_unusable_retry_after_falls_back_to_backoff(fake_http, no_sleep):
    fake_http.add('GET', RUN_ROUTE, reply(429, headers={'Retry-After': 'Wed, 21 Oct 2015 07:28:00 GMT'}), reply(200, {}))
    yunxiao().call('GET', RUN_PATH)
    low, high = backoff_bounds(1)
    assert len(no_sleep) == 1 and low <= no_sleep[0] <= high


@pytest.mark.parametrize('status', [500, 502, 503, 504])
def test_reads_retried_on_5xx_with_growing_backoff(fake_http, no_sleep, status):
    fake_http.add('GET', RUN_ROUTE, reply(status), reply(status), reply(status), reply(200, {'status': 'RUNNING'}))
    client = yunxiao()
    assert client.call('GET', RUN_PATH) == {'status': 'RUNNING'}
    assert len(fake_http.calls) == 4
    assert len(no_sleep) == 3
    for attempt, delay in enumerate(no_sleep, 1):
        low, high = backoff_bounds(attempt)
        assert low <= delay <= high, (attempt, delay)
    assert no_sleep == sorted(no_sleep)
    assert [r['reason'] for r in client.retries] == [status] * 3


@pytest.mark.parametrize('exc', [
    requests.exceptions.ConnectionError('Connection aborted: ConnectionResetError(104, Connection reset by peer)'),
    requests.exceptions.ReadTimeout('read timed out'),
    requests.exceptions.ConnectTimeout('connect timed out'),
], ids=['reset', 'read-timeout', 'connect-timeout'])
def test_reads_retried_on_connection_errors(fake_http, no_sleep, exc):
    fake_http.add('GET', RUN_ROUTE, exc, exc, reply(200, [1]))
    assert yunxiao().call('GET', RUN_PATH) == [1]
    assert len(fake_http.calls) == 3
    assert len(no_sleep) == 2
    assert backoff_bounds(1)[0] <= no_sleep[0] <= backoff_bounds(1)[1]
    assert backoff_bounds(2)[0] <= no_sleep[1] <= backoff_bounds(2)[1]


def test_reads_give_up_after_max_retries_with_clear_error(fake_http, no_sleep):
    fake_http.add('GET', RUN_ROUTE, reply(503, {'errorCode': 'ServiceUnavailable', 'errorMessage': 'try later'},
                                          {'x-request-id': 'req-503'}))
    client = yunxiao(max_retries=3)
    err = raise_api_error(client, 'GET', RUN_PATH)
    assert len(fake_http.calls) == 4
    assert len(no_sleep) == 3
    assert err.status == 503
    assert err.code == 'ServiceUnavailable'
    assert err.retryable
    assert str(err) == 'GET %s HTTP 503 ServiceUnavailable: try later (request id req-503)' % RUN_PATH


def test_connection_errors_give_up_with_clear_error(fake_http, no_sleep):
    fake_http.add('GET', RUN_ROUTE, requests.exceptions.ConnectionError('Max retries exceeded with url: /x (Connection refused)'))
    err = raise_api_error(yunxiao(max_retries=2), 'GET', RUN_PATH)
    assert len(fake_http.calls) == 3
    assert len(no_sleep) == 2
    assert err.status is None
    # item 11 of the transport issue: what failed, on which host, and that nothing was sent
    assert 'connection refused by yunxiao.example; nothing was sent' in str(err)
    assert 'may' not in str(err) and err.sent is False and not err.uncertain
    assert RUN_PATH in str(err)


def test_max_retries_zero_sends_once(fake_http, no_sleep):
    fake_http.add('GET', RUN_ROUTE, reply(500))
    err = raise_api_error(yunxiao(max_retries=0), 'GET', RUN_PATH)
    assert len(fake_http.calls) == 1
    assert no_sleep == []
    assert err.status == 500


@pytest.mark.parametrize('status', [400, 401, 403, 404, 409])
def test_client_errors_not_retried(fake_http, no_sleep, status):
    fake_http.add('GET', RUN_ROUTE, reply(status, {'errorCode': 'E%d' % status, 'errorMessage': 'no'}))
    err = raise_api_error(yunxiao(), 'GET', RUN_PATH)
    assert len(fake_http.calls) == 1
    assert no_sleep == []
    assert (err.status, err.code, err.retryable, err.uncertain) == (status, 'E%d' % status, False, False)


def test_session_options_passed_to_requests(monkeypatch, tmp_path):
    seen = {}
    ca = tmp_path / 'ca.pem'
    ca.write_text('not read: the request is faked')

    def fake_request(session, method, url, **kwargs):
        seen.update(kwargs, method=method, url=url, verify=session.verify)
        resp = requests.Response()
        resp.status_code = 204
        resp._content = b''
        resp.request = requests.Request(method, url).prepare()
        return resp

    monkeypatch.setattr(requests.Session, 'request', fake_request)
    client = yunxiao(connect_timeout=3.0, read_timeout=9.0, ca_path=str(ca))
    assert client.call('DELETE', '/x', query=[('a', 'b c')]) is None
    assert seen['timeout'] == (3.0, 9.0)
    assert seen['allow_redirects'] is False
    assert seen['verify'] == str(ca)
    assert seen['url'] == 'https://yunxiao.example/oapi/v1/x?a=b%20c'
    assert yunxiao(validate_certs=False).session.verify is False
    assert yunxiao(validate_certs=False, ca_path='/etc/ca.pem').session.verify is False


# ---------------------------------------------------------------------------------------------
# Acting calls: sent exactly once


@pytest.mark.parametrize('answer,uncertain', [
    (reply(500), True),
    (reply(502), True),
    (reply(504), True),
    (requests.exceptions.ConnectionError('Connection aborted: RemoteDisconnected'), True),
    (requests.exceptions.ReadTimeout('read timed out'), True),
    # refused before acting (documented in _http.REFUSED_STATUSES): retryable but not uncertain
    (reply(503), False),
    (reply(429, headers={'Retry-After': '1'}), False),
    # never connected: nothing can have happened
    (requests.exceptions.ConnectTimeout('connect timed out'), False),
], ids=['500', '502', '504', 'reset', 'read-timeout', '503', '429', 'connect-timeout'])
def test_acting_call_sent_once(fake_http, no_sleep, answer, uncertain):
    fake_http.add('POST', RUN_ROUTE, answer)
    err = raise_api_error(yunxiao(), 'POST', RUN_PATH, body={'params': '{}'}, idempotent=False)
    assert len(fake_http.calls) == 1
    assert no_sleep == []
    assert err.uncertain is uncertain
    assert err.retryable is True
    assert err.method == 'POST' and err.path == RUN_PATH


def test_acting_call_uncertain_message_for_timeout(fake_http):
    fake_http.add('POST', RUN_ROUTE, requests.exceptions.ReadTimeout('x'))
    err = raise_api_error(yunxiao(read_timeout=12.0), 'POST', RUN_PATH, idempotent=False)
    assert 'no answer within 12.0s' in str(err)
    assert 'may still have acted' in str(err)


# ---------------------------------------------------------------------------------------------
# Error mapping (CONTRACTS section 6)


def test_huawei_error_body(fake_http):
    fake_http.add('POST', '/v5/p1/api/pipelines/status', reply(400, {'error_code': 'DEVPIPE.00011104', 'error_msg': 'bad id'},
                                                               {'X-Request-Id': 'hw-req-1'}))
    err = raise_api_error(huawei(), 'POST', '/v5/p1/api/pipelines/status', body=['x'])
    assert (err.status, err.code, err.message, err.request_id) == (400, 'DEVPIPE.00011104', 'bad id', 'hw-req-1')
    assert str(err) == 'POST /v5/p1/api/pipelines/status HTTP 400 DEVPIPE.00011104: bad id (request id hw-req-1)'
    assert err.to_result() == dict(msg=str(err), http_status=400, error_code='DEVPIPE.00011104', request_id='hw-req-1')


def test_huawei_error_with_http_200(fake_http, no_sleep):
    fake_http.add('GET', '/v5/p1/api/x', reply(200, {'error_code': 'DEVPIPE.00011001', 'error_msg': 'pipeline not found'},
                                               {'X-Request-Id': 'hw-req-2'}))
    err = raise_api_error(huawei(), 'GET', '/v5/p1/api/x')
    assert (err.status, err.code, err.message, err.request_id) == (200, 'DEVPIPE.00011001', 'pipeline not found', 'hw-req-2')
    assert len(fake_http.calls) == 1 and no_sleep == []


def test_huawei_nested_error_and_openstack_request_id(fake_http):
    fake_http.add('GET', '/v3/p1/x', reply(404, {'error': {'code': 'SVCSTG.00100404', 'message': 'no such task'}},
                                           {'X-Openstack-Request-Id': 'os-req'}))
    err = raise_api_error(huawei(), 'GET', '/v3/p1/x')
    assert (err.status, err.code, err.message, err.request_id) == (404, 'SVCSTG.00100404', 'no such task', 'os-req')


def test_huawei_auth_failure_message(fake_http):
    fake_http.add('GET', '/v3/p1/x', reply(401, {'error_code': 'APIGW.0301', 'error_msg': 'Incorrect IAM authentication information'}))
    err = raise_api_error(huawei(), 'GET', '/v3/p1/x')
    assert err.message == 'authentication or permission failure: Incorrect IAM authentication information'
    assert err.code == 'APIGW.0301'


def test_huawei_success_body_returned(fake_http):
    fake_http.add('PUT', '/v3/manage/.*', reply(201, {}))
    assert huawei().call('PUT', '/v3/manage/pipelines/101/stages/1/start_info', body={'mode': 'review'}) == {}


def test_alibaba_gateway_error(fake_http):
    fake_http.add('GET', '/organization/.*', reply(404, {'Code': 'InvalidPipeline.NotFound', 'Message': 'pipeline not found',
                                                         'RequestId': 'ali-body-req'}))
    err = raise_api_error(pop(), 'GetPipelineRun', 'GET', '/organization/o1/pipelines/9/pipelineRuns/1')
    assert (err.status, err.code, err.message, err.request_id) == (404, 'InvalidPipeline.NotFound', 'pipeline not found',
                                                                   'ali-body-req')


def test_alibaba_request_id_header_preferred(fake_http):
    fake_http.add('GET', '/organization/.*', reply(403, {'Code': 'Forbidden.UserNotInCurrentOrganization', 'Message': 'no',
                                                         'RequestId': 'ali-body-req'}, {'x-acs-request-id': 'ali-hdr-req'}))
    err = raise_api_error(pop(), 'GetPipelineRun', 'GET', '/organization/o1/pipelines/9/pipelineRuns/1')
    assert err.request_id == 'ali-hdr-req'
    assert err.code == 'Forbidden.UserNotInCurrentOrganization'
    assert err.message.startswith('authentication or permission failure')


@pytest.mark.parametrize('status, code', [(400, 'IncompleteSignature'), (404, 'InvalidAccessKeyId.NotFound'),
                                          (400, 'InvalidSecurityToken.Expired'), (400, 'InvalidTimeStamp.Expired')])
def test_alibaba_refused_credentials_are_authentication_failures(fake_http, status, code):
    """The POP gateway refuses credentials with 400/404 and a code, not 401: still named as what it is."""
    fake_http.add('GET', '/organization/.*', reply(status, {'Code': code, 'Message': 'refused', 'RequestId': 'r'}))
    err = raise_api_error(pop(), 'GetPipelineRun', 'GET', '/organization/o1/pipelines/9/pipelineRuns/1')
    assert (err.status, err.code) == (status, code)
    assert err.message == 'authentication or permission failure: refused'


def test_alibaba_other_400_is_not_an_authentication_failure(fake_http):
    fake_http.add('GET', '/organization/.*', reply(400, {'Code': 'SignatureNonceUsed', 'Message': 'nonce', 'RequestId': 'r'}))
    err = raise_api_error(pop(), 'GetPipelineRun', 'GET', '/organization/o1/pipelines/9/pipelineRuns/1')
    assert err.message == 'nonce'


def test_alibaba_devops_success_false_with_http_200(fake_http, no_sleep):
    fake_http.add('POST', '/organizations/.*', reply(200, {'success': False, 'errorCode': 'InvalidParam.ParamNotPresent',
                                                           'errorMessage': 'params missing', 'requestId': 'ali-req-3'}))
    err = raise_api_error(pop(), 'StartPipelineRun', 'POST', '/organizations/o1/pipelines/1/run', form={'params': '{}'},
                          idempotent=False)
    assert (err.status, err.code, err.message, err.request_id) == (200, 'InvalidParam.ParamNotPresent', 'params missing',
                                                                   'ali-req-3')
    assert not err.uncertain and not err.retryable


def test_alibaba_devops_error_4xx(fake_http):
    fake_http.add('GET', '/organization/.*', reply(400, {'success': False, 'errorCode': 'InvalidUser.NotFound',
                                                         'errorMessage': 'user not found', 'requestId': 'ali-req-4'}))
    err = raise_api_error(pop(), 'ListPipelineRuns', 'GET', '/organization/o1/pipelines/1/pipelineRuns')
    assert (err.status, err.code, err.message, err.request_id) == (400, 'InvalidUser.NotFound', 'user not found', 'ali-req-4')


def test_alibaba_success_body_returned(fake_http):
    body = {'success': True, 'pipelineRunId': 5, 'requestId': 'r', 'errorCode': None, 'errorMessage': None}
    fake_http.add('GET', '/organization/.*', reply(200, body))
    assert pop().call('GetPipelineRun', 'GET', '/organization/o1/pipelines/1/pipelineRuns/5') == body


def test_yunxiao_error_body(fake_http):
    fake_http.add('GET', RUN_ROUTE + '/9', reply(404, {'errorCode': 'NotFound', 'errorMessage': 'run 9 not found'},
                                                 {'x-request-id': 'yx-req'}))
    err = raise_api_error(yunxiao(), 'GET', RUN_PATH + '/9')
    assert (err.status, err.code, err.message, err.request_id) == (404, 'NotFound', 'run 9 not found', 'yx-req')


def test_yunxiao_request_id_from_body(fake_http):
    fake_http.add('GET', RUN_ROUTE, reply(400, {'errorCode': 'InvalidParam', 'errorMessage': 'bad', 'requestId': 'yx-body'}))
    assert raise_api_error(yunxiao(), 'GET', RUN_PATH).request_id == 'yx-body'


HTML_PAGE = '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>nginx</h1></body></html>'


@pytest.mark.parametrize('make', [yunxiao, huawei, pop], ids=['yunxiao', 'huawei', 'pop'])
def test_html_error_page(fake_http, make):
    fake_http.add('GET', '/.*', reply(502, text=HTML_PAGE, headers={'Content-Type': 'text/html'}))
    client = make(max_retries=0)
    with pytest.raises(ApiError) as exc:
        if isinstance(client, PopClient):
            client.call('GetPipelineRun', 'GET', '/organization/o/x')
        else:
            client.call('GET', '/x')
    assert exc.value.status == 502
    assert 'HTML page (502 Bad Gateway) instead of JSON' in str(exc.value)
    assert '<h1>' not in str(exc.value)
    assert exc.value.retryable


def test_html_page_with_status_200_is_an_error(fake_http):
    fake_http.add('GET', RUN_ROUTE, reply(200, text='<html><body>login portal</body></html>', headers={'Content-Type': 'text/html'}))
    err = raise_api_error(yunxiao(), 'GET', RUN_PATH)
    assert err.status == 200
    assert 'HTML page (no title)' in err.message
    assert not err.retryable


def test_malformed_json(fake_http):
    fake_http.add('GET', RUN_ROUTE, reply(200, text='{"status": "RUNNING",'))
    err = raise_api_error(yunxiao(), 'GET', RUN_PATH)
    assert err.status == 200
    assert 'not valid JSON' in err.message
    assert '{"status": "RUNNING",' in err.message


@pytest.mark.parametrize('status', [400, 404, 500])
def test_empty_body_with_error_status(fake_http, status):
    fake_http.add('GET', RUN_ROUTE, reply(status))
    err = raise_api_error(yunxiao(max_retries=0), 'GET', RUN_PATH)
    assert err.status == status
    assert err.code is None
    assert 'HTTP %d' % status in err.message
    assert str(err).startswith('GET %s HTTP %d' % (RUN_PATH, status))


@pytest.mark.parametrize('status', [201, 202, 204])
def test_empty_success_body_is_none(fake_http, status):
    fake_http.add('POST', RUN_ROUTE, reply(status))
    assert yunxiao().call('POST', RUN_PATH, body={}, idempotent=False) is None


def test_empty_200_body_is_an_error(fake_http):
    """Every wrapped call answers 200 with JSON: an empty 200 is a broken answer (an act may have happened)."""
    fake_http.add('POST', RUN_ROUTE, reply(200))
    err = raise_api_error(yunxiao(), 'POST', RUN_PATH, body={}, idempotent=False)
    assert err.status == 200 and 'empty body instead of JSON' in err.message
    assert err.uncertain and not err.retryable
    assert str(err).startswith('POST %s HTTP 200: ' % RUN_PATH)


def test_describe_non_json_and_parse_retry_after():
    assert _http.describe_non_json('', 'application/json') == 'the server answered with an empty body instead of JSON'
    assert 'HTML page (Oops)' in _http.describe_non_json('<html><TITLE> Oops </TITLE></html>', '')
    assert len(_http.describe_non_json('x' * 1000, 'text/plain')) < 200
    assert _http.parse_retry_after(None) is None
    assert _http.parse_retry_after('abc') is None
    assert _http.parse_retry_after('-5') == 0.0
    assert _http.parse_retry_after('3') == 3.0


# ---------------------------------------------------------------------------------------------
# Secrets never in str(err)

SECRET_CASES = [
    (yunxiao, [YX_TOKEN]),
    (lambda **kw: huawei(security_token=HW_STS, **kw), [HW_AK, HW_SK, HW_STS]),
    (lambda **kw: huawei(access_key=None, secret_key=None, auth_token=HW_TOKEN, **kw), [HW_TOKEN]),
    (lambda **kw: pop(security_token=ALI_STS, **kw), [ALI_AK, ALI_SECRET, ALI_STS]),
]
SECRET_IDS = ['yunxiao', 'huawei-aksk-sts', 'huawei-token', 'pop-sts']


def _call_any(client, path='/x'):
    with pytest.raises(ApiError) as exc:
        if isinstance(client, PopClient):
            client.call('GetPipelineRun', 'GET', path)
        else:
            client.call('GET', path)
    return exc.value


def _leaks(err, secrets):
    texts = [str(err), repr(err.to_result())]
    return [s for s in secrets for text in texts if s in text or s[:8] in text]


@pytest.mark.parametrize('make,secrets', SECRET_CASES, ids=SECRET_IDS)
def test_secrets_echoed_in_error_bodies_are_redacted(fake_http, make, secrets):
    echo = 'credentials %s are invalid' % ' / '.join(secrets)
    fake_http.add('GET', '/.*', reply(400, {'error_code': 'E1', 'error_msg': echo, 'Code': 'E1', 'Message': echo,
                                            'errorCode': 'E1', 'errorMessage': echo}))
    err = _call_any(make(max_retries=0))
    assert err.code == 'E1'
    assert _http.REDACTED in err.message
    assert _leaks(err, secrets) == []


@pytest.mark.parametrize('make,secrets', SECRET_CASES, ids=SECRET_IDS)
def test_secrets_in_auth_failures_are_redacted(fake_http, make, secrets):
    fake_http.add('GET', '/.*', reply(403, {'error_code': 'E2', 'error_msg': 'denied for ' + secrets[-1],
                                            'Code': 'E2', 'Message': 'denied for ' + secrets[-1],
                                            'errorCode': 'E2', 'errorMessage': 'denied for ' + secrets[-1]}))
    err = _call_any(make(max_retries=0))
    assert err.message.startswith('authentication or permission failure')
    assert _leaks(err, secrets) == []


@pytest.mark.parametrize('make,secrets', SECRET_CASES, ids=SECRET_IDS)
def test_secrets_in_html_and_malformed_bodies_are_redacted(fake_http, make, secrets):
    fake_http.add('GET', '.*/html', reply(500, text='<html><title>token %s rejected</title></html>' % secrets[-1],
                                          headers={'Content-Type': 'text/html'}))
    fake_http.add('GET', '.*/text', reply(400, text='not json: ' + ' '.join(secrets), headers={'Content-Type': 'text/plain'}))
    for path in ('/html', '/text'):
        err = _call_any(make(max_retries=0), path)
        assert _http.REDACTED in str(err)
        assert _leaks(err, secrets) == []


@pytest.mark.parametrize('make,secrets', SECRET_CASES, ids=SECRET_IDS)
def test_secret_at_the_truncation_limit_is_not_partly_leaked(fake_http, make, secrets):
    """A secret that straddles the 120-character snippet must not leave its prefix in the message."""
    for offset in (100, 110, 115):
        body = 'x' * offset + secrets[-1] + ' trailing text'
        fake_http.routes = []
        fake_http.add('GET', '.*/text', reply(400, text=body, headers={'Content-Type': 'text/plain'}))
        fake_http.add('GET', '.*/html', reply(400, text='<html><title>%s%s</title></html>' % ('y' * offset, secrets[-1]),
                                              headers={'Content-Type': 'text/html'}))
        for path in ('/text', '/html'):
            err = _call_any(make(max_retries=0), path)
            assert _leaks(err, secrets) == [], (offset, path, str(err))


def test_secret_in_connection_error_is_redacted(fake_http):
    fake_http.add('GET', '/.*', requests.exceptions.SSLError('certificate verify failed for token %s' % YX_TOKEN))
    err = _call_any(yunxiao(max_retries=0))
    assert 'TLS error' in str(err)
    assert YX_TOKEN not in str(err)


def test_redactor():
    redact = _http.Redactor(['abcdefgh', 'abcdefghijkl', None, '', 'abc'])
    assert redact('x abcdefghijkl y abcdefgh abc') == 'x ******** y ******** abc'
    assert redact(None) is None


# ---------------------------------------------------------------------------------------------
# guarded_action


class Recorder:
    def __init__(self, *results):
        self.results = list(results)
        self.calls = 0

    def __call__(self):
        self.calls += 1
        result = self.results.pop(0) if len(self.results) > 1 else self.results[0]
        if isinstance(result, Exception):
            raise result
        return result


def test_guarded_action_success(fake_http):
    fake_http.add('POST', RUN_ROUTE, reply(200, 77))
    client = yunxiao()
    probe = Recorder(None)
    slept = []
    result = guarded_action(lambda: client.call('POST', RUN_PATH, body={}, idempotent=False), probe, sleep=slept.append)
    assert result == (77, False)
    assert probe.calls == 0
    assert len(fake_http.calls) == 1
    assert slept == []


@pytest.mark.parametrize('failure', [reply(500), reply(504), requests.exceptions.ReadTimeout('t'),
                                     requests.exceptions.ConnectionError('Connection reset by peer')],
                         ids=['500', '504', 'read-timeout', 'reset'])
def test_guarded_action_uncertain_with_evidence_is_adopted(fake_http, no_sleep, failure):
    fake_http.add('POST', RUN_ROUTE, failure, reply(200, 'second send must not happen'))
    client = yunxiao()
    probe = Recorder({'pipelineRunId': 12, 'status': 'RUNNING'})
    result = guarded_action(lambda: client.call('POST', RUN_PATH, body={}, idempotent=False), probe)
    assert result == ({'pipelineRunId': 12, 'status': 'RUNNING'}, True)
    assert len(fake_http.calls) == 1
    assert probe.calls == 1
    assert no_sleep == []


def test_guarded_action_refused_429_without_evidence_resends_after_retry_after(fake_http):
    fake_http.add('POST', RUN_ROUTE, reply(429, {'errorCode': 'Throttling', 'errorMessage': 'x'}, {'Retry-After': '3'}),
                  reply(200, 88))
    client = yunxiao()
    probe = Recorder(None)
    slept = []
    result = guarded_action(lambda: client.call('POST', RUN_PATH, body={}, idempotent=False), probe, sleep=slept.append)
    assert result == (88, False)
    assert len(fake_http.calls) == 2
    assert probe.calls == 1
    assert slept == [3.0]


def test_guarded_action_refused_without_retry_after_uses_backoff(fake_http):
    fake_http.add('POST', RUN_ROUTE, reply(503), reply(503), reply(200, 1))
    client = yunxiao()
    slept = []
    result = guarded_action(lambda: client.call('POST', RUN_PATH, body={}, idempotent=False), Recorder(None), sleep=slept.append)
    assert result == (1, False)
    assert len(fake_http.calls) == 3
    assert len(slept) == 2
    for attempt, delay in enumerate(slept, 1):
        low, high = backoff_bounds(attempt)
        assert low <= delay <= high


def test_guarded_action_gives_up_after_attempts(fake_http):
    fake_http.add('POST', RUN_ROUTE, reply(429, headers={'Retry-After': '1'}))
    client = yunxiao()
    probe = Recorder(None)
    with pytest.raises(ApiError) as exc:
        guarded_action(lambda: client.call('POST', RUN_PATH, body={}, idempotent=False), probe, sleep=lambda s: None, attempts=3)
    assert exc.value.status == 429
    assert len(fake_http.calls) == 3
    assert probe.calls == 3


def test_guarded_action_uncertain_non_retryable_is_raised():
    err = ApiError('lost', status=200, uncertain=True, retryable=False)
    act = Recorder(err)
    probe = Recorder(None)
    slept = []
    with pytest.raises(ApiError) as exc:
        guarded_action(act, probe, sleep=slept.append)
    assert exc.value.message.startswith('lost; ') and 'not sent again' in exc.value.message
    assert exc.value.status == 200 and not exc.value.retryable
    assert act.calls == 1
    assert probe.calls == 2 and len(slept) == 1


def test_guarded_action_uncertain_non_retryable_with_evidence_adopted():
    act = Recorder(ApiError('lost', uncertain=True, retryable=False))
    assert guarded_action(act, Recorder('done'), sleep=lambda s: None) == ('done', True)
    assert act.calls == 1


def test_guarded_action_definite_error_raised_without_probe(fake_http):
    fake_http.add('POST', RUN_ROUTE, reply(400, {'errorCode': 'InvalidParam', 'errorMessage': 'bad'}))
    client = yunxiao()
    probe = Recorder('evidence that must not be used')
    with pytest.raises(ApiError) as exc:
        guarded_action(lambda: client.call('POST', RUN_PATH, body={}, idempotent=False), probe, sleep=lambda s: None)
    assert exc.value.code == 'InvalidParam'
    assert probe.calls == 0
    assert len(fake_http.calls) == 1


@pytest.mark.parametrize('failure', [reply(500), reply(502), requests.exceptions.ReadTimeout('t'),
                                     requests.exceptions.ConnectionError('Connection reset by peer')],
                         ids=['500', '502', 'read-timeout', 'reset'])
def test_guarded_action_lost_answer_without_evidence_is_not_resent(fake_http, failure):
    """A lost or failed answer without evidence fails: the server may still apply the call, so it is never re-sent."""
    fake_http.add('POST', RUN_ROUTE, failure, reply(200, 'second send must not happen'))
    client = yunxiao()
    probe = Recorder(None)
    slept = []
    with pytest.raises(ApiError) as exc:
        guarded_action(lambda: client.call('POST', RUN_PATH, body={}, idempotent=False), probe, sleep=slept.append)
    assert len(fake_http.calls) == 1
    assert probe.calls == 2  # once at once, once more after the pause
    assert len(slept) == 1
    assert 'not sent again' in exc.value.message and exc.value.uncertain and not exc.value.retryable


def test_guarded_action_late_applied_action_is_adopted_not_resent(fake_http):
    """A lost answer whose effect shows only after the pause is adopted: the call is not sent twice."""
    fake_http.add('POST', RUN_ROUTE, reply(502))
    client = yunxiao()
    answers = [None, {'id': 7}]
    calls = []

    def probe():
        calls.append(1)
        return answers.pop(0)

    assert guarded_action(lambda: client.call('POST', RUN_PATH, body={}, idempotent=False), probe,
                          sleep=lambda s: None) == ({'id': 7}, True)
    assert len(fake_http.calls) == 1
    assert len(calls) == 2


# ---------------------------------------------------------------------------------------------
# wait_for with a fake clock


class FakeClock:
    def __init__(self, fetch_cost=0.0):
        self.now = 1000.0
        self.slept = []
        self.fetch_cost = fetch_cost

    def clock(self):
        return self.now

    def sleep(self, seconds):
        assert seconds >= 0
        self.slept.append(seconds)
        self.now += seconds

    def fetcher(self, states):
        states = list(states)
        calls = []

        def fetch():
            calls.append(self.now)
            self.now += self.fetch_cost
            return states.pop(0) if len(states) > 1 else states[0]
        fetch.calls = calls
        return fetch


def test_wait_for_immediately_done():
    clock = FakeClock()
    fetch = clock.fetcher(['SUCCESS'])
    result = wait_for(fetch, lambda s: s == 'SUCCESS', 60, 5, sleep=clock.sleep, clock=clock.clock)
    assert (result.state, result.done, result.polls, result.elapsed) == ('SUCCESS', True, 1, 0.0)
    assert clock.slept == []


def test_wait_for_first_state_skips_the_initial_read():
    clock = FakeClock()
    fetch = clock.fetcher(['SUCCESS'])
    result = wait_for(fetch, lambda s: s == 'SUCCESS', 60, 5, sleep=clock.sleep, clock=clock.clock, first='SUCCESS')
    assert result.done and result.polls == 0
    assert fetch.calls == []


def test_wait_for_done_after_polls():
    clock = FakeClock()
    fetch = clock.fetcher(['RUNNING', 'RUNNING', 'RUNNING', 'SUCCESS', 'never read'])
    result = wait_for(fetch, lambda s: s == 'SUCCESS', 60, 5, sleep=clock.sleep, clock=clock.clock)
    assert (result.state, result.done, result.polls) == ('SUCCESS', True, 4)
    assert clock.slept == [5, 5, 5]
    assert result.elapsed == 15.0
    assert fetch.calls == [1000.0, 1005.0, 1010.0, 1015.0]


@pytest.mark.parametrize('timeout,interval,fetch_cost', [(30, 7, 0.0), (10, 3, 0.4), (5, 10, 0.0), (0, 5, 0.0), (12, 4, 1.5)])
def test_wait_for_timeout_returns_last_state_and_never_sleeps_past_deadline(timeout, interval, fetch_cost):
    clock = FakeClock(fetch_cost)
    counter = iter(range(1000))
    result = wait_for(lambda: (clock.now, next(counter)) and ('RUNNING', next(counter)), lambda s: False,
                      timeout, interval, sleep=clock.sleep, clock=clock.clock)
    assert result.done is False
    assert result.state[0] == 'RUNNING'
    assert result.polls == len(clock.slept) + 1
    assert result.state[1] == 2 * result.polls - 1  # the state returned is the last one read
    assert all(s <= interval for s in clock.slept)
    assert sum(clock.slept) <= timeout
    assert clock.now <= 1000.0 + timeout + fetch_cost  # at most one read after the deadline was reached
    assert result.elapsed == pytest.approx(clock.now - 1000.0)


def test_wait_for_last_sleep_is_trimmed_to_the_deadline():
    clock = FakeClock()
    fetch = clock.fetcher(['RUNNING'])
    result = wait_for(fetch, lambda s: False, 12, 5, sleep=clock.sleep, clock=clock.clock)
    assert clock.slept == [5, 5, 2]
    assert result.polls == 4
    assert result.elapsed == 12.0


# ---------------------------------------------------------------------------------------------
# Query helpers and backoff


def test_query_pairs():
    assert query_pairs(None) == []
    assert query_pairs({}) == []
    assert query_pairs({'a': 1, 'b': None, 'c': True, 'd': False, 'e': '', 'f': ['x', 2]}) == [
        ('a', '1'), ('c', 'true'), ('d', 'false'), ('e', ''), ('f', 'x'), ('f', '2')]
    assert query_pairs([('k', 'v'), ('k', None), ('k', 'w')]) == [('k', 'v'), ('k', 'w')]


def test_encode_query():
    assert encode_query([]) == ''
    assert encode_query([('b', '2'), ('a', 'x y'), ('a', '')]) == 'b=2&a=x%20y&a='
    assert encode_query([(u'k 中', u'v/中~*+'), ('t', True), ('n', None)]) == 'k%20%E4%B8%AD=v%2F%E4%B8%AD~%2A%2B&t=true&n='
    assert encode_query([('action_id', 'start')]) == 'action_id=start'


def test_jittered_backoff_bounds():
    rng_state = random.getstate()
    try:
        random.seed(4242)
        for attempt in range(1, 12):
            low, high = backoff_bounds(attempt)
            samples = [jittered_backoff(attempt) for dummy in range(200)]
            assert all(low <= s <= high for s in samples), attempt
            assert max(samples) - min(samples) > 0  # really jittered
            assert high <= 20.0
        assert all(jittered_backoff(30, base=1.0, cap=3.0) <= 3.0 for dummy in range(50))
        assert all(1.0 <= jittered_backoff(1, base=2.0) <= 2.0 for dummy in range(50))
    finally:
        random.setstate(rng_state)


def test_api_error_text():
    assert str(ApiError('plain')) == 'plain'
    err = ApiError('boom', status=500, code='X', request_id='r', method='GET', path='/p')
    assert str(err) == 'GET /p HTTP 500 X: boom (request id r)'
    assert err.to_result() == dict(msg='GET /p HTTP 500 X: boom (request id r)', http_status=500, error_code='X', request_id='r')


# ---------------------------------------------------------------------------------------------
# select_api and argument specs


@pytest.mark.parametrize('params,expected', [
    (dict(yunxiao_token='t'), 'yunxiao'),
    (dict(yunxiao_token='t', access_key_id='a', access_key_secret='s'), 'yunxiao'),
    (dict(access_key_id='a', access_key_secret='s'), 'openapi'),
    (dict(api='openapi', yunxiao_token='t', access_key_id='a', access_key_secret='s'), 'openapi'),
    (dict(api='yunxiao', yunxiao_token='t'), 'yunxiao'),
    (dict(api=None, yunxiao_token='t'), 'yunxiao'),
])
def test_select_api(params, expected):
    assert select_api(params) == expected


@pytest.mark.parametrize('params,needs', [
    (dict(api='yunxiao', access_key_id='a', access_key_secret='s'), 'yunxiao_token'),
    (dict(api='openapi', yunxiao_token='t'), 'access_key_id'),
    (dict(api='openapi', access_key_id='a'), 'access_key_secret'),
    (dict(api='auto'), 'access_key_id'),
])
def test_select_api_errors(params, needs):
    with pytest.raises(ApiError) as exc:
        select_api(params)
    assert needs in str(exc.value)


ALL_ENV = ['HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK', 'HUAWEICLOUD_SDK_SECURITY_TOKEN', 'HUAWEICLOUD_SDK_PROJECT_ID',
           'HUAWEICLOUD_SDK_REGION', 'HUAWEICLOUD_AUTH_TOKEN', 'ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
           'ALIBABA_CLOUD_SECURITY_TOKEN', 'YUNXIAO_ACCESS_TOKEN', 'YUNXIAO_API_BASE_URL']


@pytest.fixture
def clean_env(monkeypatch):
    for name in ALL_ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def _module(spec, kwargs, args):
    with patch_module_args(args):
        return AnsibleModule(argument_spec=spec, **kwargs)


def test_huawei_env_fallbacks(clean_env):
    """The credentials come from the environment after parsing (huawei_credentials), the project and region
    through the argument spec's fallbacks."""
    clean_env.setenv('HUAWEICLOUD_SDK_AK', 'env-ak')
    clean_env.setenv('HUAWEICLOUD_SDK_SK', 'env-sk')
    clean_env.setenv('HUAWEICLOUD_SDK_SECURITY_TOKEN', 'env-sts')
    clean_env.setenv('HUAWEICLOUD_SDK_PROJECT_ID', 'env-project')
    clean_env.setenv('HUAWEICLOUD_SDK_REGION', 'cn-north-4')
    module = _module(huawei_argument_spec(), HUAWEI_MODULE_KWARGS, {})
    params = module.params
    assert huawei_credentials(params) == dict(access_key='env-ak', secret_key='env-sk', security_token='env-sts',
                                              auth_token=None)
    assert (params['project_id'], params['region']) == ('env-project', 'cn-north-4')
    assert (params['validate_certs'], params['max_retries'], params['read_timeout']) == (True, 5, 60.0)
    # the environment's secrets are not copied into the parameters (which a verbose run shows)
    assert params['access_key'] is None and params['secret_key'] is None
    client = HuaweiClient(params, 'codearts')
    assert (client.access_key, client.secret_key, client.security_token) == ('env-ak', 'env-sk', 'env-sts')


def test_huawei_explicit_options_win_over_env(clean_env):
    clean_env.setenv('HUAWEICLOUD_SDK_AK', 'env-ak')
    clean_env.setenv('HUAWEICLOUD_SDK_SK', 'env-sk')
    module = _module(huawei_argument_spec(), HUAWEI_MODULE_KWARGS, dict(ak='opt-ak', sk='opt-sk', region='r1'))
    assert (module.params['access_key'], module.params['secret_key']) == ('opt-ak', 'opt-sk')
    creds = huawei_credentials(module.params)
    assert (creds['access_key'], creds['secret_key']) == ('opt-ak', 'opt-sk')


def test_huawei_token_from_env(clean_env):
    clean_env.setenv('HUAWEICLOUD_AUTH_TOKEN', 'env-token')
    module = _module(huawei_argument_spec(), HUAWEI_MODULE_KWARGS, dict(endpoint='https://x'))
    creds = huawei_credentials(module.params)
    assert creds['auth_token'] == 'env-token'
    assert creds['access_key'] is None


def test_huawei_requires_credentials(clean_env):
    module = _module(huawei_argument_spec(), HUAWEI_MODULE_KWARGS, dict(region='r1'))
    with pytest.raises(ApiError) as exc:
        HuaweiClient(module.params, 'codearts')
    assert 'no Huawei Cloud credentials: set auth_token, or access_key and secret_key' in str(exc.value)
    assert 'HUAWEICLOUD_AUTH_TOKEN' in str(exc.value)


def test_alibaba_env_fallbacks(clean_env):
    clean_env.setenv('ALIBABA_CLOUD_ACCESS_KEY_ID', 'env-ali-ak')
    clean_env.setenv('ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'env-ali-secret')
    clean_env.setenv('ALIBABA_CLOUD_SECURITY_TOKEN', 'env-ali-sts')
    module = _module(alibaba_argument_spec(), ALIBABA_MODULE_KWARGS, dict(organization_id='o1'))
    params = module.params
    assert alibaba_credentials(params) == dict(api='openapi', access_key_id='env-ali-ak', access_key_secret='env-ali-secret',
                                               security_token='env-ali-sts', yunxiao_token=None)
    assert params['endpoint'] == 'devops.cn-hangzhou.aliyuncs.com'
    assert params['yunxiao_base_url'] == 'https://openapi-rdc.aliyuncs.com'
    assert params['access_key_id'] is None
    assert select_api(params) == 'openapi'
    client = PopClient(params)
    assert (client.access_key_id, client.access_key_secret, client.security_token) == (
        'env-ali-ak', 'env-ali-secret', 'env-ali-sts')


def test_yunxiao_env_fallbacks(clean_env):
    clean_env.setenv('YUNXIAO_ACCESS_TOKEN', 'env-pt')
    clean_env.setenv('YUNXIAO_API_BASE_URL', 'https://yunxiao.internal')
    module = _module(alibaba_argument_spec(), ALIBABA_MODULE_KWARGS, dict(organization_id='o1'))
    params = module.params
    assert params['yunxiao_base_url'] == 'https://yunxiao.internal'
    assert params['yunxiao_token'] is None
    assert select_api(params) == 'yunxiao'
    client = YunxiaoClient(params)
    assert client.base_url == 'https://yunxiao.internal/oapi/v1'
    assert client.token == 'env-pt'


def test_alibaba_requires_credentials(clean_env):
    module = _module(alibaba_argument_spec(), ALIBABA_MODULE_KWARGS, dict(organization_id='o1'))
    with pytest.raises(ApiError) as exc:
        select_api(module.params)
    assert 'no Alibaba Cloud credentials: set yunxiao_token (or YUNXIAO_ACCESS_TOKEN), or access_key_id' in str(exc.value)
