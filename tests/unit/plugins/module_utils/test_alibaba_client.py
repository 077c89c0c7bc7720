# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ACS3-HMAC-SHA256: the CONTRACTS section 8 vector, agreement with the official
``alibabacloud_openapi_util`` signer on generated requests, and what PopClient / YunxiaoClient send."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import datetime
import hashlib
import hmac
import json
import random
import re

import pytest
import requests

from alibabacloud_openapi_util.client import Client as OpenApiUtil
from Tea.request import TeaRequest

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba import client as alibaba
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba.client import (
    PopClient,
    YunxiaoClient,
    form_body,
    sign_acs3,
)

AK = 'LTAITEST00000000000001'
SECRET = 'ali-test-secret-0001'
STS_TOKEN = 'ali-test-sts-token-0001'
YUNXIAO_TOKEN = 'pt-test-token-0001'
HOST = 'devops.cn-hangzhou.aliyuncs.com'
ORG = '60d54f3daccf2bbd6659f3ad'
FIXED_NOW = datetime.datetime(2026, 1, 1, 0, 0, 0, tzinfo=datetime.timezone.utc)
ALGORITHM = 'ACS3-HMAC-SHA256'
AUTH_RE = re.compile(r'^ACS3-HMAC-SHA256 Credential=(?P<ak>[^,]+),SignedHeaders=(?P<names>[^,]+),Signature=(?P<sig>[0-9a-f]{64})$')


@pytest.fixture
def fake_http(fake_http, monkeypatch):  # pylint: disable=redefined-outer-name
    """The shared fixture, bound as a method: conftest patches ``Session.request`` with a callable
    instance, which Python does not bind, so the session would never reach ``FakeHttp.__call__``."""
    def bound(session, *args, **kwargs):
        return fake_http(session, *args, **kwargs)

    monkeypatch.setattr(requests.Session, 'request', bound)
    return fake_http


def _sdk_authorization(method, pathname, query, headers, payload_sha256, access_key_id=AK, secret=SECRET):
    request = TeaRequest()
    request.method = method
    request.pathname = pathname
    request.query = dict(query)
    request.headers = dict(headers)
    return OpenApiUtil.get_authorization(request, ALGORITHM, payload_sha256, access_key_id, secret)


# ---------------------------------------------------------------------------------------------
# CONTRACTS section 8 vector

VECTOR_SHA = '6d40786a04e86104ab07e2438811e15b99e1d94d7f38432e135af0bf84674586'
VECTOR_AUTH = ('ACS3-HMAC-SHA256 Credential=AKTEST,SignedHeaders=accept;content-type;host;user-agent;x-acs-action;'
               'x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,'
               'Signature=e68fb033dfdb974d8d4409add37b83d7dbd438905890f3e4184d8260518c35a3')


def _vector_headers(body_sha):
    return {
        'accept': 'application/json',
        'content-type': 'application/x-www-form-urlencoded',
        'host': 'devops.cn-hangzhou.aliyuncs.com',
        'user-agent': 'AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2',
        'x-acs-action': 'StartPipelineRun',
        'x-acs-date': '2026-01-01T00:00:00Z',
        'x-acs-signature-nonce': '0123456789abcdef0123456789abcdef',
        'x-acs-version': '2021-06-25',
        'x-acs-content-sha256': body_sha,
    }


def test_contract_vector_body_and_hash():
    body = form_body({'params': json.dumps({'runningBranchs': {}})})
    assert body == b'params=%7B%22runningBranchs%22%3A+%7B%7D%7D'
    assert hashlib.sha256(body).hexdigest() == VECTOR_SHA


def test_contract_vector_authorization_exact():
    body = form_body({'params': json.dumps({'runningBranchs': {}})})
    body_sha = hashlib.sha256(body).hexdigest()
    auth = sign_acs3('POST', '/organizations/o1/pipelines/123/run', [], _vector_headers(body_sha), body_sha,
                     'AKTEST', 'SKTEST')
    assert auth == VECTOR_AUTH


def test_contract_vector_matches_official_util():
    assert _sdk_authorization('POST', '/organizations/o1/pipelines/123/run', {}, _vector_headers(VECTOR_SHA),
                              VECTOR_SHA, 'AKTEST', 'SKTEST') == VECTOR_AUTH


def test_contract_vector_is_sensitive_to_every_input():
    base = dict(method='POST', path='/organizations/o1/pipelines/123/run', query=[], headers=_vector_headers(VECTOR_SHA),
                sha=VECTOR_SHA, secret='SKTEST')
    variants = [
        dict(method='PUT'),
        dict(path='/organizations/o1/pipelines/124/run'),
        dict(query=[('a', '1')]),
        dict(sha=hashlib.sha256(b'x').hexdigest()),
        dict(secret='SKTEST2'),
        dict(headers=dict(_vector_headers(VECTOR_SHA), **{'x-acs-signature-nonce': 'f' * 32})),
    ]
    for change in variants:
        args = dict(base, **change)
        assert sign_acs3(args['method'], args['path'], args['query'], args['headers'], args['sha'], 'AKTEST',
                         args['secret']) != VECTOR_AUTH, change


def test_form_body_like_the_sdk():
    fields = {'params': json.dumps({'comment': u'发布 a+b', 'envs': {'K': 'v w'}}, ensure_ascii=False), 'a': '1', 'skip': None}
    assert form_body(fields).decode('ascii') == OpenApiUtil.to_form({'params': fields['params'], 'a': '1'})


# ---------------------------------------------------------------------------------------------
# Generated requests compared with alibabacloud_openapi_util.client.Client.get_authorization

def _enc(value):
    return OpenApiUtil.get_encode_param(value)


PATHS = [
    '/organizations/%s/pipelines/1001/run' % ORG,
    '/organization/%s/pipelines/1001/pipelineRuns/7' % ORG,
    '/organization/%s/pipelines/1001/pipelineRuns' % ORG,
    '/appstack/apps/demo-app/releaseWorkflows/wf-0001/releaseStages/stage-dev%3Aexecute',
    '/appstack/apps/%s/releaseWorkflows/wf-0001/releaseStages/%s%%3Aexecute' % (_enc('demo app'), _enc(u'阶段-1')),
    '/organization/%s/pipelines/%s/pipelineRuns/1/stop' % (ORG, _enc(u'流水线 one~two')),
    '/appstack/apps/demo-app/releaseWorkflows/wf-0001/releaseStages/stage-prod/executions/3%3AgetPipelineRun',
    '/',
]

QUERIES = [
    {},
    {'organizationId': ORG},
    {'maxResults': '10', 'nextToken': '', 'status': 'RUNNING'},
    {'page': '1', 'perPage': '20', 'orderBy': 'id', 'sort': 'desc', 'empty': ''},
    {'comment': u'发布 to prod', 'startTime': '1700000000000', 'path': 'a/b:c'},
    {'triggerMode': '1', 'endTime': '', 'x': 'a*b~c'},
]


def _bodies(rng):
    params = json.dumps({'runningBranchs': {'https://code/repo.git': 'master'}, 'n': rng.randint(0, 999)})
    return [
        ('empty', None, None),
        ('form', alibaba.FORM_CONTENT_TYPE, form_body({'params': params})),
        ('json', alibaba.JSON_CONTENT_TYPE, json.dumps({'params': {'FLOW_INST_RUNNING_COMMENT': 'ok', 'r': rng.random()}},
                                                       separators=(',', ':')).encode('utf-8')),
        ('json-non-ascii', alibaba.JSON_CONTENT_TYPE,
         json.dumps({'comment': u'中文评论 %d' % rng.randint(0, 99)}, ensure_ascii=False).encode('utf-8')),
        ('form-non-ascii', alibaba.FORM_CONTENT_TYPE, form_body({'params': json.dumps({'comment': u'发布'}, ensure_ascii=False)})),
    ]


def _generate_cases(count=25, seed=8250625):
    rng = random.Random(seed)
    methods = ['GET', 'POST', 'PUT', 'DELETE']
    actions = ['StartPipelineRun', 'GetPipelineRun', 'ListPipelineRuns', 'ExecuteChangeRequestReleaseStage', 'StopPipelineRun']
    cases = []
    for index in range(count):
        method = methods[index % len(methods)]
        name, content_type, body = _bodies(rng)[index % 5]
        path = PATHS[index % len(PATHS)]
        query = dict(QUERIES[(index * 5 + 2) % len(QUERIES)])
        if rng.random() < 0.4:
            query['r%d' % rng.randint(0, 9)] = str(rng.randint(0, 10 ** 6))
        headers = {
            'host': HOST,
            'accept': 'application/json',
            'user-agent': 'AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2',
            'x-acs-action': actions[index % len(actions)],
            'x-acs-version': '2021-06-25',
            'x-acs-date': '2026-01-%02dT%02d:%02d:%02dZ' % (1 + index % 28, rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)),
            'x-acs-signature-nonce': '%032x' % rng.getrandbits(128),
            'x-acs-content-sha256': hashlib.sha256(body or b'').hexdigest(),
        }
        if content_type:
            headers['content-type'] = content_type
        if index % 3 == 2:
            headers['x-acs-accesskey-id'] = AK
            headers['x-acs-security-token'] = STS_TOKEN
        if index % 4 == 1:
            headers['x-custom-header'] = '  spaced value  '
        case_id = '%02d-%s-%s-%s' % (index, method, name, headers['x-acs-action'])
        cases.append(pytest.param(dict(method=method, path=path, query=query, headers=headers, body=body), id=case_id))
    return cases


CASES = _generate_cases()


def test_generated_cases_cover_the_brief():
    values = [param.values[0] for param in CASES]
    assert len(values) >= 20
    assert set(v['method'] for v in values) == set(['GET', 'POST', 'PUT', 'DELETE'])
    paths = [v['path'] for v in values]
    assert any('%3Aexecute' in p for p in paths)
    assert any('%20' in p for p in paths) and any('%E9%98%B6' in p for p in paths)
    assert any('' in v['query'].values() for v in values)
    types = [v['headers'].get('content-type') for v in values]
    assert None in types and alibaba.FORM_CONTENT_TYPE in types and alibaba.JSON_CONTENT_TYPE in types
    assert any(v['body'] and re.search(b'[\x80-\xff]', v['body']) for v in values)
    assert any('x-acs-security-token' in v['headers'] for v in values)


@pytest.mark.parametrize('case', CASES)
def test_signature_matches_official_util(case):
    body_sha = hashlib.sha256(case['body'] or b'').hexdigest()
    expected = _sdk_authorization(case['method'], case['path'], case['query'], case['headers'], body_sha)
    pairs = alibaba.query_pairs(copy.deepcopy(case['query']))
    actual = sign_acs3(case['method'], case['path'], pairs, dict(case['headers']), body_sha, AK, SECRET)
    assert actual == expected
    match = AUTH_RE.match(actual)
    assert match and match.group('ak') == AK
    assert match.group('names').split(';') == sorted(k.lower() for k in case['headers'])


@pytest.mark.parametrize('case', CASES)
def test_pop_client_sign_matches_official_util(case):
    """PopClient.sign (headers it adds, body hash, token) agrees with the SDK on the headers it produces."""
    sts = 'x-acs-security-token' in case['headers']
    params = dict(access_key_id=AK, access_key_secret=SECRET, security_token=STS_TOKEN if sts else None, endpoint=HOST)
    nonce = case['headers']['x-acs-signature-nonce']
    client = PopClient(params, utcnow=lambda: FIXED_NOW, nonce=lambda: nonce)
    headers = {'x-acs-action': case['headers']['x-acs-action']}
    if 'content-type' in case['headers']:
        headers['content-type'] = case['headers']['content-type']
    pairs = alibaba.query_pairs(case['query'])
    sent = client.sign(case['method'], case['path'], pairs, headers, case['body'])

    assert sent['x-acs-content-sha256'] == hashlib.sha256(case['body'] or b'').hexdigest()
    assert sent['x-acs-date'] == '2026-01-01T00:00:00Z'
    assert sent['x-acs-version'] == '2021-06-25'
    assert sent['x-acs-signature-nonce'] == nonce
    assert sent['host'] == HOST
    assert sent.get('x-acs-security-token') == (STS_TOKEN if sts else None)
    unsigned = dict((k, v) for k, v in sent.items() if k != 'Authorization')
    assert sent['Authorization'] == _sdk_authorization(case['method'], case['path'], case['query'], unsigned,
                                                       sent['x-acs-content-sha256'])


def test_sdk_comparison_detects_a_wrong_secret():
    case = CASES[1].values[0]
    body_sha = hashlib.sha256(case['body'] or b'').hexdigest()
    expected = _sdk_authorization(case['method'], case['path'], case['query'], case['headers'], body_sha, secret=SECRET + 'x')
    assert sign_acs3(case['method'], case['path'], alibaba.query_pairs(case['query']), case['headers'], body_sha,
                     AK, SECRET) != expected


def _hand_signature(canonical_request, secret=SECRET):
    string_to_sign = 'ACS3-HMAC-SHA256\n' + hashlib.sha256(canonical_request.encode('utf-8')).hexdigest()
    return hmac.new(secret.encode('utf-8'), string_to_sign.encode('utf-8'), hashlib.sha256).hexdigest()


def test_repeated_query_keys_against_hand_computed_canonical_request():
    """The SDK's query is a dict and cannot repeat keys; the canonical form is computed here by hand."""
    query = [('status', 'RUNNING'), ('page', '2'), ('status', 'FAIL'), ('status', ''), (u'k 中', u'v 中')]
    assert alibaba.canonical_query(query) == 'k%20%E4%B8%AD=v%20%E4%B8%AD&page=2&status=&status=FAIL&status=RUNNING'
    headers = {'host': HOST, 'x-acs-action': 'ListPipelineRuns', 'x-acs-date': '2026-01-01T00:00:00Z'}
    body_sha = hashlib.sha256(b'').hexdigest()
    canonical = '\n'.join([
        'GET',
        '/organization/o1/pipelines/1/pipelineRuns',
        'k%20%E4%B8%AD=v%20%E4%B8%AD&page=2&status=&status=FAIL&status=RUNNING',
        'host:%s\nx-acs-action:ListPipelineRuns\nx-acs-date:2026-01-01T00:00:00Z\n' % HOST,
        'host;x-acs-action;x-acs-date',
        body_sha,
    ])
    expected = 'ACS3-HMAC-SHA256 Credential=%s,SignedHeaders=host;x-acs-action;x-acs-date,Signature=%s' % (
        AK, _hand_signature(canonical))
    assert sign_acs3('GET', '/organization/o1/pipelines/1/pipelineRuns', query, headers, body_sha, AK, SECRET) == expected
    # the order the pairs come in does not matter
    assert sign_acs3('GET', '/organization/o1/pipelines/1/pipelineRuns', list(reversed(query)), headers, body_sha,
                     AK, SECRET) == expected


def test_query_pairs_expand_lists_and_drop_none():
    assert alibaba.query_pairs({'status': ['RUNNING', 'FAIL'], 'skip': None, 'flag': True, 'n': 3}) == [
        ('status', 'RUNNING'), ('status', 'FAIL'), ('flag', 'true'), ('n', '3')]


# ---------------------------------------------------------------------------------------------
# PopClient and YunxiaoClient through fake_http


def _pop(**params):
    base = dict(access_key_id=AK, access_key_secret=SECRET, endpoint=HOST)
    base.update(params)
    return PopClient(base)


def _verify_with_sdk(call, secret=SECRET):
    match = AUTH_RE.match(call.headers['Authorization'])
    assert match, call.headers['Authorization']
    names = match.group('names').split(';')
    signed = dict((k.lower(), v) for k, v in call.headers.items() if k.lower() in names)
    assert sorted(signed) == names
    query = dict((k, v[-1]) for k, v in call.query.items())
    return _sdk_authorization(call.method, call.path, query, signed, signed['x-acs-content-sha256'],
                              match.group('ak'), secret), names


def test_pop_start_pipeline_run_form_body_and_headers(fake_http):
    fake_http.reply('POST', r'/organizations/[^/]+/pipelines/1001/run',
                    {'success': True, 'pipelineRunId': 42, 'requestId': 'r-1', 'errorCode': None, 'errorMessage': None})
    client = _pop()
    params = json.dumps({'runningBranchs': {'https://codeup/repo.git': 'master'}, 'comment': u'发布'})
    result = client.call('StartPipelineRun', 'POST', '/organizations/%s/pipelines/1001/run' % ORG,
                         form={'params': params}, idempotent=False)
    assert result['pipelineRunId'] == 42
    call = fake_http.calls[0]
    assert call.url == 'https://%s/organizations/%s/pipelines/1001/run' % (HOST, ORG)
    assert call.headers['content-type'] == 'application/x-www-form-urlencoded'
    assert call.body == OpenApiUtil.to_form({'params': params}).encode('ascii')
    assert call.headers['x-acs-action'] == 'StartPipelineRun'
    assert call.headers['x-acs-version'] == '2021-06-25'
    assert call.headers['accept'] == 'application/json'
    assert call.headers['host'] == HOST
    assert re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$', call.headers['x-acs-date'])
    assert abs(datetime.datetime.strptime(call.headers['x-acs-date'], '%Y-%m-%dT%H:%M:%SZ').replace(
        tzinfo=datetime.timezone.utc) - datetime.datetime.now(datetime.timezone.utc)) < datetime.timedelta(minutes=5)
    assert call.headers['x-acs-content-sha256'] == hashlib.sha256(call.body).hexdigest()
    assert 'x-acs-security-token' not in call.headers
    expected, names = _verify_with_sdk(call)
    assert call.headers['Authorization'] == expected
    assert set(['host', 'content-type', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce',
                'x-acs-content-sha256']) <= set(names)


def test_pop_nonce_unique_per_request(fake_http):
    fake_http.reply('GET', r'/organization/.*', {'pipelineRun': {'status': 'RUNNING'}})
    client = _pop()
    for dummy in range(5):
        client.call('GetPipelineRun', 'GET', '/organization/%s/pipelines/1001/pipelineRuns/7' % ORG)
    nonces = [c.headers['x-acs-signature-nonce'] for c in fake_http.calls]
    assert len(set(nonces)) == 5
    assert all(re.match(r'^[0-9a-f]{32}$', n) for n in nonces)
    assert all(c.headers['Authorization'] == _verify_with_sdk(c)[0] for c in fake_http.calls)
    assert all(c.headers['x-acs-content-sha256'] == hashlib.sha256(b'').hexdigest() for c in fake_http.calls)
    assert all('content-type' not in c.headers for c in fake_http.calls)


def test_pop_retry_gets_a_fresh_nonce_and_date(fake_http, no_sleep):
    dates = iter([datetime.datetime(2026, 1, 1, 0, 0, s, tzinfo=datetime.timezone.utc) for s in range(10)])
    fake_http.add('GET', r'/organization/.*', dict(status=503, json={'Code': 'ServiceUnavailable', 'Message': 'busy'}),
                  dict(status=200, json={'pipelineRun': {}}))
    client = PopClient(dict(access_key_id=AK, access_key_secret=SECRET, endpoint=HOST), utcnow=lambda: next(dates))
    client.call('GetPipelineRun', 'GET', '/organization/o/pipelines/1/pipelineRuns/1')
    first, second = fake_http.calls
    assert first.headers['x-acs-signature-nonce'] != second.headers['x-acs-signature-nonce']
    assert (first.headers['x-acs-date'], second.headers['x-acs-date']) == ('2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z')
    assert len(no_sleep) == 1


def test_pop_json_body_query_and_sts(fake_http):
    fake_http.reply('POST', r'/appstack/.*', {'object': True})
    client = _pop(security_token=STS_TOKEN)
    path = '/appstack/apps/%s/releaseWorkflows/wf-0001/releaseStages/%s%%3Aexecute' % (_enc('demo-app'), _enc('stage-dev'))
    client.call('ExecuteChangeRequestReleaseStage', 'POST', path, query={'organizationId': ORG},
                body={'params': {'FLOW_INST_RUNNING_COMMENT': u'部署'}}, idempotent=False)
    call = fake_http.calls[0]
    assert call.path == path
    assert call.query == {'organizationId': [ORG]}
    assert call.headers['content-type'] == 'application/json; charset=utf-8'
    assert call.json == {'params': {'FLOW_INST_RUNNING_COMMENT': u'部署'}}
    assert call.headers['x-acs-content-sha256'] == hashlib.sha256(call.body).hexdigest()
    assert call.headers['x-acs-security-token'] == STS_TOKEN
    expected, names = _verify_with_sdk(call)
    assert call.headers['Authorization'] == expected
    assert 'x-acs-security-token' in names


def test_pop_signature_fails_with_another_secret(fake_http):
    fake_http.reply('GET', r'/organization/.*', {})
    _pop().call('ListPipelineRuns', 'GET', '/organization/o/pipelines/1/pipelineRuns', query={'maxResults': 10})
    call = fake_http.calls[0]
    assert call.headers['Authorization'] != _verify_with_sdk(call, secret='wrong-secret')[0]


def test_yunxiao_client_token_and_json(fake_http):
    fake_http.reply('POST', r'/oapi/v1/flow/organizations/[^/]+/pipelines/1001/runs', 1234)
    client = YunxiaoClient(dict(yunxiao_token=YUNXIAO_TOKEN, yunxiao_base_url='https://openapi-rdc.aliyuncs.com/'))
    params = json.dumps({'runningBranchs': {}})
    assert client.call('POST', '/flow/organizations/%s/pipelines/1001/runs' % ORG, body={'params': params},
                       idempotent=False) == 1234
    call = fake_http.calls[0]
    assert call.url == 'https://openapi-rdc.aliyuncs.com/oapi/v1/flow/organizations/%s/pipelines/1001/runs' % ORG
    assert call.headers['x-yunxiao-token'] == YUNXIAO_TOKEN
    assert call.headers['Content-Type'] == 'application/json'
    assert call.headers['Accept'] == 'application/json'
    assert call.json == {'params': params}
    assert 'Authorization' not in call.headers
    assert not any(k.lower().startswith('x-acs-') for k in call.headers)


def test_yunxiao_default_base_url_and_get_without_body(fake_http):
    fake_http.reply('GET', r'/oapi/v1/.*', {'status': 'RUNNING'})
    client = YunxiaoClient(dict(yunxiao_token=YUNXIAO_TOKEN))
    client.call('GET', '/flow/organizations/o/pipelines/1/runs', query={'page': 1, 'perPage': 20, 'status': None})
    call = fake_http.calls[0]
    assert call.url == 'https://openapi-rdc.aliyuncs.com/oapi/v1/flow/organizations/o/pipelines/1/runs?page=1&perPage=20'
    assert call.body is None
    assert 'Content-Type' not in call.headers


def test_path_param_like_sdk():
    for value in ('demo-app', 'a b', u'阶段', 'x:y', 'a/b', '~t'):
        assert alibaba.path_param(value) == OpenApiUtil.get_encode_param(value)
