# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Transport security and robustness: connection option checks, the retry policy and its time limits,
TLS settings against the environment's CA bundles, redirects, connection error messages, secrets that end
in a newline or come back escaped, endpoints with passwords, the wait's time limit and the precedence of
the task's credentials over the environment's. (Real sockets: tests/integration/test_hostile.py.)"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import socket

import pytest
import requests
from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError, ProtocolError


from ansible_collections.devops_cloud.pipelines.plugins.module_utils import _http
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._http import (
    ApiError,
    Redactor,
    RetryPolicy,
    check_base_url,
    clean_secret,
    guarded_action,
    validate_connection_params,
    wait_ceiling,
    wait_for,
)
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba.client import (
    PopClient,
    YunxiaoClient,
    alibaba_credentials,
)
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei.client import HuaweiClient, huawei_credentials
from ansible_collections.devops_cloud.pipelines.plugins.modules import (
    pipeline_action,
    pipeline_run,
    pipeline_status_info,
    stage_execute,
    stage_review,
)

TOKEN = 'unit-transport-token-0001'
AK, SK, STS = 'UNITTRANSPORTAK00001', 'unit-transport-sk-0001', 'unit-transport-sts-0001'
PATH = '/flow/organizations/o1/pipelines/1/runs'
ROUTE = '/oapi/v1' + PATH
ENV = ('HUAWEICLOUD_AUTH_TOKEN', 'HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK', 'HUAWEICLOUD_SDK_SECURITY_TOKEN',
       'ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_SECURITY_TOKEN',
       'YUNXIAO_ACCESS_TOKEN', 'YUNXIAO_API_BASE_URL', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE')


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def yunxiao(**params):
    base = dict(yunxiao_token=TOKEN, yunxiao_base_url='https://yx.example')
    base.update(params)
    return YunxiaoClient(base)


def huawei(**params):
    base = dict(endpoint='https://hw.example', project_id='p1', auth_token=TOKEN)
    base.update(params)
    return HuaweiClient(base, 'codearts')


def reply(status, body=None, headers=None):
    return dict(status=status, json=body, headers=headers or {})


def raised(call, *args, **kwargs):
    with pytest.raises(ApiError) as exc:
        call(*args, **kwargs)
    return exc.value


# -- connection options (item 9) ---------------------------------------------------------------------------
@pytest.mark.parametrize('params, message', [
    (dict(connect_timeout=-1.0), 'connect_timeout must be a number of seconds greater than 0 (got -1.0)'),
    (dict(read_timeout=-5.0), 'read_timeout must be a number of seconds greater than 0 (got -5.0)'),
    (dict(read_timeout=0.0), 'read_timeout must be a number of seconds greater than 0 (got 0.0)'),
    (dict(read_timeout=float('nan')), 'read_timeout must be a number of seconds greater than 0 (got nan)'),
    (dict(connect_timeout=float('inf')), 'connect_timeout must be a number of seconds greater than 0 (got inf)'),
    (dict(max_retries=-3), 'max_retries must be 0 or more (got -3)'),
    (dict(max_retries=True), 'max_retries must be a whole number'),
    (dict(read_timeout='soon'), "read_timeout must be a number of seconds (got 'soon')"),
])
def test_invalid_connection_options_are_refused(params, message):
    with pytest.raises(ApiError) as exc:
        validate_connection_params(params)
    assert message in str(exc.value) and str(exc.value).startswith('invalid connection options: ')
    # every client refuses them too, before it could send anything
    assert message in str(raised(yunxiao, **params))


def test_valid_connection_options_and_defaults():
    validate_connection_params(dict(connect_timeout=0.1, read_timeout=3, max_retries=0))
    validate_connection_params(dict(connect_timeout=None, read_timeout=None, max_retries=None))
    client = yunxiao(read_timeout=None, connect_timeout=None, max_retries=None)
    assert client.timeout == (10.0, 60.0) and client.max_retries == 5
    # no longer silently replaced: a small read_timeout is kept as given
    assert yunxiao(read_timeout=0.5).timeout == (10.0, 0.5)


MODULE_CASES = [
    (pipeline_run, dict(organization_id='o1', pipeline_id=1, yunxiao_token=TOKEN)),
    (stage_execute, dict(organization_id='o1', app_name='a', release_workflow_sn='w', release_stage_sn='s',
                         yunxiao_token=TOKEN)),
    (pipeline_action, dict(endpoint='https://h.example', project_id='p1', auth_token=TOKEN, pipeline_id='t',
                           action='start')),
    (stage_review, dict(endpoint='https://h.example', project_id='p1', auth_token=TOKEN, pipeline_id='p', result='pass')),
    (pipeline_status_info, dict(endpoint='https://h.example', project_id='p1', auth_token=TOKEN, pipeline_ids=['a'])),
]


@pytest.mark.parametrize('module, args', MODULE_CASES, ids=[m[0].__name__.rsplit('.', 1)[-1] for m in MODULE_CASES])
@pytest.mark.parametrize('bad', [dict(read_timeout=-1), dict(connect_timeout=-2.5), dict(max_retries=-3),
                                 dict(read_timeout=0)], ids=['read-negative', 'connect-negative', 'retries-negative',
                                                             'read-zero'])
def test_every_module_refuses_invalid_connection_options_before_any_request(run_module, fake_http, module, args, bad):
    result = run_module(module, dict(args, **bad))
    assert result['failed'] is True
    assert 'invalid connection options' in result['msg'] and list(bad)[0] in result['msg']
    assert fake_http.calls == []


# -- the retry policy --------------------------------------------------------------------------------------
def test_retry_policy_from_options():
    policy = RetryPolicy.from_params(dict(connect_timeout=2.0, read_timeout=8.0, max_retries=3))
    assert (policy.max_retries, policy.attempts, policy.request_limit, policy.call_limit) == (3, 4, 10.0, 20.0)
    defaults = RetryPolicy.from_params({})
    assert (defaults.attempts, defaults.request_limit, defaults.call_limit) == (6, 70.0, 140.0)
    err = ApiError('slow down', status=429)
    err.retry_after = 500.0
    assert defaults.pause(1, err) == _http.MAX_RETRY_AFTER
    assert 0.25 <= defaults.pause(1, ApiError('x')) <= 0.5


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_retries_stop_at_the_call_limit(fake_http):
    """connect 1 + read 1: a call may take 4 s with its retries; Retry-After 3 allows one retry, not two."""
    fake_http.add('GET', ROUTE, reply(503, {'errorCode': 'Busy', 'errorMessage': 'busy'}, {'Retry-After': '3'}))
    clock = FakeClock()
    client = yunxiao(connect_timeout=1.0, read_timeout=1.0, max_retries=5)
    client.clock, client.sleep = clock, clock.sleep
    err = raised(client.call, 'GET', PATH)
    assert len(fake_http.calls) == 2 and len(client.retries) == 1
    assert 'not retried: the next attempt would end after the 4s limit of one call with its retries' in err.message


def test_each_retry_is_listed_and_reported_as_a_warning(fake_http, no_sleep, monkeypatch):
    # record what the transport hands to Ansible's warn(): how ansible-core then shows it depends on
    # global state (module or controller context) that other test files may have set
    warned = []
    monkeypatch.setattr(_http, 'warn', warned.append)
    fake_http.add('GET', ROUTE, reply(502), reply(429, {'errorCode': 'Throttling', 'errorMessage': 'x'}, {'Retry-After': '2'}),
                  reply(200, {'ok': True}))
    client = yunxiao()
    assert client.call('GET', PATH) == {'ok': True}
    assert [r['reason'] for r in client.retries] == [502, 'Throttling']
    messages = [m for m in warned if PATH in m]
    assert len(messages) == 2
    assert any('retrying GET %s in 2.0s (retry 2 of 5)' % PATH in m and 'HTTP 429 Throttling' in m for m in messages)


def test_guarded_action_follows_the_transports_policy(fake_http):
    """max_retries means the same for re-sent refused acting calls: max_retries=1 -> two sends in all."""
    fake_http.add('POST', ROUTE, reply(429, {'errorCode': 'Throttling', 'errorMessage': 'x'}, {'Retry-After': '1'}))
    client = yunxiao(max_retries=1)
    probes, slept = [], []
    err = raised(guarded_action, lambda: client.call('POST', PATH, body={}, idempotent=False),
                 lambda: probes.append(1), sleep=slept.append)
    assert err.status == 429
    assert len(fake_http.calls) == 2 and len(probes) == 2 and slept == [1.0]
    assert client.retries == [dict(path=PATH, reason='Throttling', delay=1.0)]
    client = yunxiao(max_retries=0)
    fake_http.calls[:] = []
    raised(guarded_action, lambda: client.call('POST', PATH, body={}, idempotent=False), lambda: None, sleep=slept.append)
    assert len(fake_http.calls) == 1


# -- TLS settings against the environment (item 2) ---------------------------------------------------------
@pytest.fixture
def seen_verify(monkeypatch):
    """The ``verify`` that reaches the adapter after requests merged the environment's settings."""
    seen = []

    def send(adapter, request, **kwargs):
        seen.append(kwargs.get('verify'))
        resp = requests.Response()
        resp.status_code = 200
        resp._content = b'{}'
        resp.request = request
        return resp

    monkeypatch.setattr(requests.adapters.HTTPAdapter, 'send', send)
    return seen


@pytest.mark.parametrize('variable', ['REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'])
def test_validate_certs_and_ca_path_win_over_the_environment_bundle(clean_env, seen_verify, variable, tmp_path):
    ca = tmp_path / 'ca.pem'
    ca.write_text('not read: the request is faked')
    clean_env.setenv(variable, '/unrelated/bundle.pem')
    yunxiao(validate_certs=False).call('GET', PATH)
    yunxiao(ca_path=str(ca)).call('GET', PATH)
    yunxiao(validate_certs=False, ca_path=str(ca)).call('GET', PATH)
    yunxiao().call('GET', PATH)  # validation with the default store: the environment's bundle, as requests does
    assert seen_verify == [False, str(ca), False, '/unrelated/bundle.pem']


def test_missing_ca_path_is_an_option_error_before_any_request(fake_http, tmp_path):
    with pytest.raises(ApiError) as caught:
        yunxiao(ca_path=str(tmp_path / 'missing.pem'))
    assert 'ca_path %s does not exist' % (tmp_path / 'missing.pem') in str(caught.value)
    assert fake_http.calls == []
    yunxiao(ca_path=str(tmp_path / 'missing.pem'), validate_certs=False)  # not used without validation


# -- redirects (item 3) ------------------------------------------------------------------------------------
@pytest.mark.parametrize('status', [301, 302, 303, 307, 308])
def test_redirect_is_an_error_naming_the_target_without_secrets(fake_http, no_sleep, status):
    location = 'https://bob:pa55word-0001@new.example/oapi/v1%s?token=%s#frag' % (PATH, TOKEN)
    fake_http.add('GET', ROUTE, reply(status, headers={'Location': location}))
    err = raised(yunxiao(max_retries=5).call, 'GET', PATH)
    text = str(err)
    assert err.status == status and not err.retryable and not err.uncertain
    assert 'the server redirects to https://new.example/oapi/v1%s; redirects are not followed' % PATH in text
    assert 'set yunxiao_base_url to https://new.example' in text
    assert 'pa55word' not in text and 'bob' not in text and TOKEN not in text and 'frag' not in text
    assert len(fake_http.calls) == 1 and no_sleep == []


def test_redirect_without_location_and_relative_location(fake_http):
    fake_http.add('GET', '/v5/p1/x', reply(302))
    fake_http.add('GET', '/v5/p1/y', reply(301, headers={'Location': '/portal/login?sid=1'}))
    assert 'redirect without a Location' in str(raised(huawei().call, 'GET', '/v5/p1/x'))
    text = str(raised(huawei().call, 'GET', '/v5/p1/y'))
    assert 'redirects to https://hw.example/portal/login;' in text and 'set endpoint to its base URL' in text


def test_redirected_acting_call_did_not_act(fake_http):
    fake_http.add('POST', ROUTE, reply(307, headers={'Location': 'https://other.example/oapi/v1' + PATH}))
    client = yunxiao()
    probes = []
    err = raised(guarded_action, lambda: client.call('POST', PATH, body={}, idempotent=False), lambda: probes.append(1))
    assert not err.uncertain and probes == [] and len(fake_http.calls) == 1
    assert 'may' not in str(err)


# -- connection errors (item 11) ---------------------------------------------------------------------------
def _wrapped(reason):
    """A requests.ConnectionError shaped as requests raises it: MaxRetryError(reason) inside."""
    return requests.exceptions.ConnectionError(MaxRetryError(None, 'https://yx.example/x', reason))


def _dns_error():
    cause = socket.gaierror(socket.EAI_NONAME, 'Name or service not known')
    return _wrapped(NameResolutionError('yx.example', None, cause))


def _refused_error():
    error = NewConnectionError(None, 'Failed to establish a new connection: [Errno 111] Connection refused')
    error.__cause__ = ConnectionRefusedError(111, 'Connection refused')
    return _wrapped(error)


def _reset_error():
    return requests.exceptions.ConnectionError(ProtocolError('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer')))


@pytest.mark.parametrize('make, acting, text, sent, uncertain, retryable', [
    (_dns_error, True, 'could not resolve the host name of yx.example (DNS: Name or service not known); nothing was sent',
     False, False, False),
    (_refused_error, True, 'connection refused by yx.example; nothing was sent', False, False, True),
    (lambda: requests.exceptions.ConnectTimeout('x'), True,
     'could not connect to yx.example within 10.0s (connect timeout); nothing was sent', False, False, True),
    (lambda: requests.exceptions.SSLError('[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed'), True,
     'TLS error talking to yx.example: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed (set ca_path',
     False, False, False),
    (_reset_error, True, 'connection to yx.example was reset or closed before the answer (Connection reset); the request '
     'was sent, so the server may still have acted', True, True, True),
    (_reset_error, False, 'connection to yx.example was reset or closed before the answer (Connection reset)', True, True,
     True),
    (lambda: requests.exceptions.ReadTimeout('x'), True, 'no answer within 60.0s from yx.example (read timeout); the '
     'request was sent, so the server may still have acted', True, True, True),
    (lambda: requests.exceptions.ReadTimeout('x'), False, 'no answer within 60.0s from yx.example (read timeout)', True,
     True, True),
], ids=['dns', 'refused', 'connect-timeout', 'tls', 'reset-acting', 'reset-read', 'read-timeout-acting',
        'read-timeout-read'])
def test_connection_errors_say_what_failed_on_which_host(fake_http, no_sleep, make, acting, text, sent, uncertain,
                                                         retryable):
    fake_http.add('POST' if acting else 'GET', ROUTE, make())
    err = raised(yunxiao(max_retries=0).call, 'POST' if acting else 'GET', PATH, body={} if acting else None,
                 idempotent=not acting)
    assert text in str(err)
    assert (err.sent, err.uncertain, err.retryable) == (sent, uncertain, retryable)
    if not (acting and sent):
        assert 'may' not in str(err)
    assert 'Max retries exceeded' not in str(err)


def test_stage_review_v3_refused_connection_is_not_changed(run_module, fake_http, no_sleep):
    fake_http.add('PUT', '/v3/manage/pipelines/101/stages/1/start_info', _refused_error())
    result = run_module(stage_review, dict(endpoint='https://h.example', project_id='p1', auth_token=TOKEN, api='v3',
                                           pipeline_id='101', stage_index=1, result='pass', max_retries=1))
    assert result['failed'] is True and result['changed'] is False
    assert 'connection refused by h.example; nothing was sent' in result['msg']
    fake_http.routes[:] = []
    fake_http.add('PUT', '/v3/manage/pipelines/101/stages/1/start_info', reply(500))
    result = run_module(stage_review, dict(endpoint='https://h.example', project_id='p1', auth_token=TOKEN, api='v3',
                                           pipeline_id='101', stage_index=1, result='pass', max_retries=0))
    assert result['failed'] is True and result['changed'] is True  # it may have reached the server


# -- secrets (item 1) --------------------------------------------------------------------------------------
def test_clean_secret():
    assert clean_secret('tok\n', 'auth_token') == 'tok'
    assert clean_secret('  tok\r\n', 'auth_token') == 'tok'
    assert clean_secret(' \n', 'auth_token') is None
    assert clean_secret(None, 'auth_token') is None
    with pytest.raises(ApiError) as exc:
        clean_secret('to\nk-secret', 'yunxiao_token')
    assert 'yunxiao_token contains a line break' in str(exc.value)
    assert 'k-secret' not in str(exc.value) and 'to\n' not in str(exc.value)
    with pytest.raises(ApiError):
        clean_secret('tok\x00en', 'auth_token')


@pytest.mark.parametrize('form', [
    repr, lambda s: repr(repr(s)), json.dumps, lambda s: json.dumps(json.dumps(s)),
    lambda s: requests.utils.quote(s, safe=''), lambda s: s.strip(),
], ids=['repr', 'repr-repr', 'json', 'json-json', 'percent', 'stripped'])
def test_redactor_catches_escaped_forms(form):
    secret = 'tok"en/with+odd chars\n'
    redact = Redactor([secret])
    text = redact('before %s after' % form(secret))
    assert 'tok' not in text and _http.REDACTED in text


@pytest.mark.parametrize('make, header', [
    (lambda: yunxiao(yunxiao_token=TOKEN + '\r\n'), 'x-yunxiao-token'),
    (lambda: huawei(auth_token=TOKEN + '\n'), 'X-Auth-Token'),
    (lambda: huawei(auth_token=None, access_key=AK + '\n', secret_key=SK + '\n', security_token=TOKEN + '\n'),
     'X-Security-Token'),
    (lambda: PopClient(dict(access_key_id=AK, access_key_secret=SK, security_token=TOKEN + '\r\n',
                            endpoint='https://ali.example')), 'x-acs-security-token'),
], ids=['yunxiao', 'huawei-token', 'huawei-sts', 'pop-sts'])
def test_secret_with_a_trailing_newline_is_sent_trimmed_and_never_shown(fake_http, make, header):
    echo = "Invalid header value: %r / %s" % (TOKEN + '\n', json.dumps(TOKEN + '\r\n'))
    fake_http.add('GET', '/.*', reply(400, {'error_code': 'E', 'error_msg': echo, 'Code': 'E', 'Message': echo,
                                            'errorCode': 'E', 'errorMessage': echo}))
    client = make()
    err = raised(client.call, *(('X', 'GET', '/x') if isinstance(client, PopClient) else ('GET', '/x')))
    assert fake_http.calls[0].headers[header] == TOKEN
    assert TOKEN not in str(err) and TOKEN[:10] not in str(err)


def test_success_body_echoing_a_secret_is_redacted(fake_http):
    fake_http.add('GET', ROUTE, reply(200, {'you-sent': {'x-yunxiao-token': TOKEN}, 'list': ['a %r b' % TOKEN], TOKEN: 1}))
    data = yunxiao().call('GET', PATH)
    assert TOKEN not in json.dumps(data)
    assert data['you-sent']['x-yunxiao-token'] == _http.REDACTED


@pytest.mark.parametrize('value', ['https://user:pw-0001@h.example', 'user:pw-0001@h.example', 'http://:pw-0001@h.example/x',
                                   'https://user:pw-0001/x@h.example'])
def test_base_url_with_user_information_is_refused_without_echo(value):
    with pytest.raises(ApiError) as exc:
        check_base_url(value, 'endpoint')
    assert 'endpoint must not contain a user name or password' in str(exc.value) and 'pw-0001' not in str(exc.value)
    assert 'pw-0001' not in str(raised(huawei, endpoint=value))
    assert 'pw-0001' not in str(raised(yunxiao, yunxiao_base_url=value))


def test_base_url_checks():
    assert check_base_url('h.example/', 'endpoint') == 'https://h.example'
    assert check_base_url(' http://h.example:8080/p/ ', 'endpoint') == 'http://h.example:8080/p'
    for bad, text in [('ftp://h.example', 'http:// or https://'), ('https://h.example:99999', 'invalid port'),
                      ('https://h.example/?a=1', 'query')]:
        with pytest.raises(ApiError) as exc:
            check_base_url(bad, 'endpoint')
        assert text in str(exc.value)


# -- credentials: the task wins over the environment (item 7) ----------------------------------------------
HW_ENV = dict(HUAWEICLOUD_AUTH_TOKEN='env-token', HUAWEICLOUD_SDK_AK='env-ak', HUAWEICLOUD_SDK_SK='env-sk',
              HUAWEICLOUD_SDK_SECURITY_TOKEN='env-sts')


@pytest.mark.parametrize('env, task, expected', [
    # task auth_token > task AK/SK > env token > env AK/SK
    (HW_ENV, dict(auth_token='task-token'), dict(auth_token='task-token')),
    (HW_ENV, dict(access_key='task-ak', secret_key='task-sk'), dict(access_key='task-ak', secret_key='task-sk')),
    (HW_ENV, dict(access_key='task-ak', secret_key='task-sk', security_token='task-sts'),
     dict(access_key='task-ak', secret_key='task-sk', security_token='task-sts')),
    (HW_ENV, {}, dict(auth_token='env-token')),
    (dict(HW_ENV, HUAWEICLOUD_AUTH_TOKEN=''), {}, dict(access_key='env-ak', secret_key='env-sk', security_token='env-sts')),
    # a half of the AK/SK pair from the environment, as before; the env STS token only with the env AK
    (dict(HUAWEICLOUD_SDK_SK='env-sk', HUAWEICLOUD_SDK_SECURITY_TOKEN='env-sts'), dict(access_key='task-ak'),
     dict(access_key='task-ak', secret_key='env-sk')),
    (dict(HUAWEICLOUD_SDK_AK='env-ak', HUAWEICLOUD_SDK_SECURITY_TOKEN='env-sts'), dict(secret_key='task-sk'),
     dict(access_key='env-ak', secret_key='task-sk', security_token='env-sts')),
    # the AWX token field is multi-line: its trailing newline goes
    (dict(HUAWEICLOUD_AUTH_TOKEN='env-token\n'), {}, dict(auth_token='env-token')),
], ids=['task-token', 'task-aksk', 'task-aksk-sts', 'env-token', 'env-aksk', 'task-ak-env-sk', 'env-ak-task-sk',
        'env-token-newline'])
def test_huawei_credential_precedence(clean_env, env, task, expected):
    for name, value in env.items():
        clean_env.setenv(name, value)
    creds = dict(auth_token=None, access_key=None, secret_key=None, security_token=None)
    creds.update(expected)
    assert huawei_credentials(task) == creds


@pytest.mark.parametrize('env, task, message', [
    ({}, {}, 'no Huawei Cloud credentials'),
    (dict(HUAWEICLOUD_SDK_AK='env-ak'), {}, 'secret_key (or HUAWEICLOUD_SDK_SK) is missing'),
    ({}, dict(secret_key='task-sk'), 'access_key (or HUAWEICLOUD_SDK_AK) is missing'),
    (dict(HUAWEICLOUD_AUTH_TOKEN='a\nb'), {}, 'HUAWEICLOUD_AUTH_TOKEN contains a line break'),
])
def test_huawei_credential_errors(clean_env, env, task, message):
    for name, value in env.items():
        clean_env.setenv(name, value)
    with pytest.raises(ApiError) as exc:
        huawei_credentials(task)
    assert message in str(exc.value)


ALI_ENV = dict(YUNXIAO_ACCESS_TOKEN='env-pt', ALIBABA_CLOUD_ACCESS_KEY_ID='env-ak', ALIBABA_CLOUD_ACCESS_KEY_SECRET='env-sk',
               ALIBABA_CLOUD_SECURITY_TOKEN='env-sts')


@pytest.mark.parametrize('env, task, expected', [
    (ALI_ENV, dict(yunxiao_token='task-pt', access_key_id='task-ak', access_key_secret='task-sk'),
     dict(api='yunxiao', yunxiao_token='task-pt')),
    (ALI_ENV, dict(access_key_id='task-ak', access_key_secret='task-sk'),
     dict(api='openapi', access_key_id='task-ak', access_key_secret='task-sk')),
    (ALI_ENV, {}, dict(api='yunxiao', yunxiao_token='env-pt')),
    (dict(ALI_ENV, YUNXIAO_ACCESS_TOKEN=''), {}, dict(api='openapi', access_key_id='env-ak', access_key_secret='env-sk',
                                                      security_token='env-sts')),
    (ALI_ENV, dict(api='openapi'), dict(api='openapi', access_key_id='env-ak', access_key_secret='env-sk',
                                        security_token='env-sts')),
    (ALI_ENV, dict(api='yunxiao', access_key_id='task-ak', access_key_secret='task-sk'),
     dict(api='yunxiao', yunxiao_token='env-pt')),
    (dict(YUNXIAO_ACCESS_TOKEN='env-pt\r\n'), {}, dict(api='yunxiao', yunxiao_token='env-pt')),
], ids=['task-token', 'task-aksk-over-env-token', 'env-token', 'env-aksk', 'forced-openapi', 'forced-yunxiao',
        'env-token-crlf'])
def test_alibaba_credential_precedence(clean_env, env, task, expected):
    for name, value in env.items():
        clean_env.setenv(name, value)
    creds = dict(yunxiao_token=None, access_key_id=None, access_key_secret=None, security_token=None)
    creds.update(expected)
    assert alibaba_credentials(task) == creds


def test_clients_use_the_resolved_credentials(clean_env, fake_http):
    clean_env.setenv('YUNXIAO_ACCESS_TOKEN', 'env-pt-0001')
    clean_env.setenv('HUAWEICLOUD_AUTH_TOKEN', 'env-token-0001')
    fake_http.add('GET', '/.*', reply(200, {}))
    yunxiao(yunxiao_token=None).call('GET', PATH)
    huawei(auth_token=None, access_key=AK, secret_key=SK).call('GET', '/v5/p1/x')
    assert fake_http.calls[0].headers['x-yunxiao-token'] == 'env-pt-0001'
    assert 'X-Auth-Token' not in fake_http.calls[1].headers
    assert fake_http.calls[1].headers['Authorization'].startswith('SDK-HMAC-SHA256 Access=%s,' % AK)


# -- the time limit of a wait (item 6) ---------------------------------------------------------------------
def test_wait_sets_the_ceiling_of_its_reads_and_restores_it():
    seen = []

    def fetch():
        seen.append(wait_ceiling())
        return 'DONE'

    assert wait_ceiling() is None
    result = wait_for(fetch, lambda s: s == 'DONE', 30, 1)
    assert result.done and seen[0] is not None and wait_ceiling() is None
    # nested: the inner wait cannot outlast the outer one
    inner, outer = [], []

    def outer_fetch():
        outer.append(wait_ceiling())
        wait_for(lambda: inner.append(wait_ceiling()) or 'DONE', lambda s: s == 'DONE', 3600, 1)
        return 'DONE'
    wait_for(outer_fetch, lambda s: s == 'DONE', 5, 1)
    assert inner[-1] == outer[-1]


class Reads:
    """A fetch that returns (or raises) the given items in order."""

    def __init__(self, items):
        self.items = list(items)

    def __call__(self):
        item = self.items.pop(0)
        if isinstance(item, Exception):
            raise item
        return item


def test_read_cut_by_the_wait_ends_it_with_the_last_state():
    cut = ApiError('no complete answer')
    cut.wait_expired = True
    fetch = Reads(['RUNNING', cut])
    result = wait_for(fetch, lambda s: s == 'DONE', 30, 0.01)
    assert (result.state, result.done, result.polls) == ('RUNNING', False, 2)
    # the first read cut: nothing to return, the error is raised
    with pytest.raises(ApiError):
        wait_for(Reads([cut]), lambda s: True, 30, 0.01)
    # another failure while waiting is raised as before
    with pytest.raises(ApiError):
        wait_for(Reads(['RUNNING', ApiError('HTTP 500')]), lambda s: False, 30, 0.01)


def test_request_after_the_wait_ran_out_is_not_sent(fake_http, monkeypatch):
    fake_http.add('GET', ROUTE, reply(200, {'status': 'RUNNING'}))
    client = yunxiao()
    monkeypatch.setattr(_http._WAITING, 'ceiling', client.clock() - 1.0, raising=False)
    err = raised(client.call, 'GET', PATH)
    assert err.wait_expired and err.sent is False and fake_http.calls == []
