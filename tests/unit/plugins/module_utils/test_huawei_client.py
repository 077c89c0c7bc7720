# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""module_utils/_huawei/client.py. SDK-HMAC-SHA256: the CONTRACTS section 7 vector, agreement with the official
Huawei SDK signer on generated requests; what HuaweiClient puts on the wire (through ``fake_http``); the client
factory."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import datetime
import hashlib
import json
import random
import re

import pytest

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei import client as huawei
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei.client import (
    HuaweiClient,
    canonical_query,
    canonical_uri,
    sign_sdk_hmac_sha256,
)

AK = 'HWTESTAK0000000000001'
SK = 'hw-test-secret-key-0001'
SECURITY_TOKEN = 'hw-test-security-token-0001'
AUTH_TOKEN = 'hw-test-iam-token-0001'
PROJECT_ID = '0f1e2d3c4b5a69788796a5b4c3d2e1f0'
HOST = 'cloudpipeline-ext.cn-north-4.myhuaweicloud.com'
SDK_DATE = '20260101T000000Z'
FIXED_NOW = datetime.datetime(2026, 1, 1, 0, 0, 0, tzinfo=datetime.timezone.utc)
AUTH_RE = re.compile(r'^SDK-HMAC-SHA256 Access=(?P<ak>[^,]+), SignedHeaders=(?P<names>[^,]+), Signature=(?P<sig>[0-9a-f]{64})$')


# ---------------------------------------------------------------------------------------------
# CONTRACTS section 7 vector

VECTOR_AUTH = ('SDK-HMAC-SHA256 Access=AKTEST, SignedHeaders=content-type;host;user-agent;x-project-id;x-sdk-date, '
               'Signature=3930d0794975aa5bfcb3ae3403d57e735cbc022a996a9c64c9f89feb06a2ce62')


def _vector_headers():
    return {
        'Content-Type': 'application/json;charset=utf-8',
        'User-Agent': 'huaweicloud-usdk-python/3.0',
        'X-Project-Id': 'p1',
        'X-Sdk-Date': '20260101T000000Z',
        'Host': 'cloudpipeline-ext.cn-north-4.myhuaweicloud.com',
    }


VECTOR_BODY = b'["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"]'


def test_contract_vector_exact():
    auth = sign_sdk_hmac_sha256('POST', '/v5/p1/api/pipelines/status', [], _vector_headers(), VECTOR_BODY,
                                'AKTEST', 'SKTEST')
    assert auth == VECTOR_AUTH


def test_contract_vector_matches_official_sdk():
    request = SdkRequest(method='POST', schema='https', host='cloudpipeline-ext.cn-north-4.myhuaweicloud.com',
                         resource_path='/v5/p1/api/pipelines/status', query_params=[],
                         header_params=_vector_headers(), body=VECTOR_BODY)
    Signer(BasicCredentials('AKTEST', 'SKTEST')).sign(request)
    assert request.header_params['Authorization'] == VECTOR_AUTH


def test_contract_vector_is_sensitive_to_every_input():
    """Each input takes part in the signature (a signer that ignored one would still match the vector)."""
    base = dict(method='POST', path='/v5/p1/api/pipelines/status', query=[], headers=_vector_headers(),
                body=VECTOR_BODY, access_key='AKTEST', secret_key='SKTEST')
    variants = [
        dict(method='PUT'),
        dict(path='/v5/p2/api/pipelines/status'),
        dict(query=[('a', '1')]),
        dict(body=b'["b"]'),
        dict(secret_key='SKTEST2'),
        dict(headers=dict(_vector_headers(), **{'X-Sdk-Date': '20260101T000001Z'})),
        dict(headers=dict(_vector_headers(), **{'X-Project-Id': 'p2'})),
    ]
    for change in variants:
        args = dict(base, **change)
        auth = sign_sdk_hmac_sha256(args['method'], args['path'], args['query'], args['headers'], args['body'],
                                    args['access_key'], args['secret_key'])
        assert auth != VECTOR_AUTH, change


def test_canonical_uri_and_query_rules():
    assert canonical_uri('/v5/p1/api/pipelines/status') == '/v5/p1/api/pipelines/status/'
    assert canonical_uri('/a/b/') == '/a/b/'
    assert canonical_uri('/a/x:execute') == '/a/x%3Aexecute/'
    assert canonical_uri('/a/x%3Aexecute') == '/a/x%3Aexecute/'
    assert canonical_uri('/a/b c/%E4%B8%AD') == '/a/b%20c/%E4%B8%AD/'
    assert canonical_query([('b', '2'), ('a', 'x y'), ('a', ''), ('a', '1')]) == 'a=&a=1&a=x%20y&b=2'
    assert canonical_query([('k', u'中文~')]) == 'k=%E4%B8%AD%E6%96%87~'


# ---------------------------------------------------------------------------------------------
# Generated requests compared with huaweicloudsdkcore.signer.signer.Signer

PATHS = [
    '/v5/{p}/api/pipelines/status',
    '/v5/{p}/api/pipelines/a0000000000000000000000000000001/run',
    '/v3/{p}/pipeline/pipelines/rt-ok-0001/action',
    '/oapi/v1/appstack/organizations/o1/apps/demo-app/releaseWorkflows/wf-0001/releaseStages/stage-dev:execute',
    '/oapi/v1/appstack/organizations/o1/apps/demo-app/releaseWorkflows/wf-0001/releaseStages/stage-dev%3Aexecute',
    '/v3/manage/pipelines/101/stages/1/start_info/',
    '/v5/{p}/api/pipelines/with space/run',
    '/v5/{p}/api/pipelines/with%20space/run',
    u'/v5/{p}/api/pipelines/中文/run',
    '/v5/{p}/api/pipelines/%E4%B8%AD%E6%96%87/run/',
    '/v5/{p}/api/pipelines/plus+sign/~tilde/',
    '/',
]

QUERIES = [
    [],
    [('action_id', 'start')],
    [('b', '2'), ('a', '1'), ('a', '0')],
    [('status', 'RUNNING'), ('status', 'FAILED'), ('status', 'COMPLETED')],
    [('empty', ''), ('z', 'last'), ('empty', 'x')],
    [('approval_description', u'approved by 张三 at 10:00'), ('flag', 'true')],
    [('key with space', 'v/slash'), ('k~', 'a*b')],
]

EXTRA_HEADERS = [
    {},
    {'X-Security-Token': SECURITY_TOKEN},
    {'X-Trace-Id': '  padded value  '},
    {'X-Security-Token': SECURITY_TOKEN, 'X-Language': 'en-us'},
    {'X_Not_Signed': 'underscore headers are never signed'},
]


def _body_variants(rng):
    return [
        ('empty', None, None),
        ('json', 'application/json;charset=utf-8', json.dumps({'selected_tasks': [], 'n': rng.randint(0, 10 ** 6)}).encode('utf-8')),
        ('json-list', 'application/json', json.dumps(['a%031x' % rng.getrandbits(120)]).encode('utf-8')),
        ('form', 'application/x-www-form-urlencoded', b'params=%7B%22a%22%3A+1%7D&x=' + str(rng.randint(0, 99)).encode()),
        ('non-ascii-json', 'application/json;charset=utf8',
         json.dumps({'message': u'发布 %d' % rng.randint(0, 99)}, ensure_ascii=False).encode('utf-8')),
        ('octet', 'application/octet-stream', bytes(bytearray(rng.getrandbits(8) for dummy in range(16)))),
        ('text-non-ascii', 'text/plain; charset=utf-8', u'réponse 中文'.encode('utf-8')),
    ]


def _generate_cases(count=28, seed=20260101):
    rng = random.Random(seed)
    methods = ['GET', 'POST', 'PUT', 'DELETE']
    cases = []
    for index in range(count):
        bodies = _body_variants(rng)
        method = methods[index % len(methods)]
        body_name, content_type, body = bodies[index % len(bodies)]
        if method == 'GET' and index % 8 == 0:
            body_name, content_type, body = bodies[0]
        path = PATHS[index % len(PATHS)].format(p=PROJECT_ID)
        query = copy.deepcopy(QUERIES[(index * 3 + 1) % len(QUERIES)])
        if rng.random() < 0.3:
            query.append(('rnd', str(rng.randint(0, 999))))
        headers = {'User-Agent': 'huaweicloud-usdk-python/3.0'}
        if content_type:
            headers['Content-Type'] = content_type
        if index % 3:
            headers['X-Project-Id'] = PROJECT_ID
        headers.update(EXTRA_HEADERS[index % len(EXTRA_HEADERS)])
        case_id = '%02d-%s-%s-%s' % (index, method, body_name, path.rstrip('/').rsplit('/', 1)[-1][:16] or 'root')
        cases.append(pytest.param(dict(method=method, path=path, query=query, headers=headers, body=body), id=case_id))
    return cases


CASES = _generate_cases()


def _sdk_sign(method, path, query, headers, body, access_key=AK, secret_key=SK):
    """Sign with the official SDK; returns (Authorization, headers after the SDK's own additions)."""
    request = SdkRequest(method=method, schema='https', host=HOST, resource_path=path,
                         query_params=copy.deepcopy(query), header_params=dict(headers),
                         body=copy.copy(body))
    Signer(BasicCredentials(access_key, secret_key)).sign(request)
    params = dict(request.header_params)
    return params.pop('Authorization'), params


def test_generated_cases_cover_the_brief():
    """The generated set really contains every shape the comparison is meant to cover."""
    values = [param.values[0] for param in CASES]
    assert len(values) >= 20
    assert set(v['method'] for v in values) == set(['GET', 'POST', 'PUT', 'DELETE'])
    paths = [v['path'] for v in values]
    for marker in (':execute', '%3A', ' ', u'中文', '%E4%B8%AD'):
        assert any(marker in p for p in paths), marker
    assert any(p.endswith('/') for p in paths)
    queries = [v['query'] for v in values]
    assert any(len(set(k for k, dummy in q)) < len(q) for q in queries)  # repeated keys
    assert any(val == '' for q in queries for dummy, val in q)  # empty values
    types = [v['headers'].get('Content-Type') for v in values]
    assert None in types and 'application/x-www-form-urlencoded' in types
    assert any(t and t.startswith('application/json') for t in types)
    assert any(v['body'] and re.search(b'[\x80-\xff]', v['body']) for v in values)
    assert any('X-Security-Token' in v['headers'] for v in values)


@pytest.mark.parametrize('case', CASES)
def test_signature_matches_official_sdk(case):
    headers = dict(case['headers'], Host=HOST, **{'X-Sdk-Date': SDK_DATE})
    expected, sdk_headers = _sdk_sign(case['method'], case['path'], case['query'], headers, case['body'])

    ours = dict(headers)
    content_type = ours.get('Content-Type')
    if content_type and not content_type.startswith(('application/json', 'application/bson')):
        ours['X-Sdk-Content-Sha256'] = 'UNSIGNED-PAYLOAD'
    # the SDK adds the content header itself exactly when we do
    assert sorted(k.lower() for k in sdk_headers) == sorted(k.lower() for k in ours)

    actual = sign_sdk_hmac_sha256(case['method'], case['path'], copy.deepcopy(case['query']), ours, case['body'], AK, SK)
    assert actual == expected
    match = AUTH_RE.match(actual)
    assert match and match.group('ak') == AK
    assert 'x_not_signed' not in match.group('names')


@pytest.mark.parametrize('case', CASES)
def test_client_sign_matches_official_sdk(case):
    """HuaweiClient.sign (the headers it adds, the UNSIGNED-PAYLOAD rule, the date) agrees with the SDK."""
    headers = dict(case['headers'])
    project_id = headers.pop('X-Project-Id', None)
    security_token = headers.pop('X-Security-Token', None)
    params = dict(endpoint='https://' + HOST, access_key=AK, secret_key=SK, project_id=project_id,
                  security_token=security_token)
    client = HuaweiClient(params, 'codearts', utcnow=lambda: FIXED_NOW)
    sent = client.sign(case['method'], case['path'], copy.deepcopy(case['query']), dict(headers), case['body'])

    assert sent['Host'] == HOST
    assert sent['X-Sdk-Date'] == SDK_DATE
    assert sent.get('X-Project-Id') == project_id
    assert sent.get('X-Security-Token') == security_token
    content_type = sent.get('Content-Type', '')
    unsigned = bool(content_type) and not content_type.startswith(('application/json', 'application/bson'))
    assert (sent.get('X-Sdk-Content-Sha256') == 'UNSIGNED-PAYLOAD') == unsigned

    sdk_input = dict((k, v) for k, v in sent.items() if k not in ('Authorization', 'X-Sdk-Content-Sha256'))
    expected, sdk_headers = _sdk_sign(case['method'], case['path'], case['query'], sdk_input, case['body'])
    assert sent['Authorization'] == expected
    assert sorted(sdk_headers) == sorted(k for k in sent if k != 'Authorization')


def test_sdk_comparison_detects_a_wrong_secret():
    """Guard for the comparison itself: a different SK must give a different Authorization."""
    case = CASES[1].values[0]
    headers = dict(case['headers'], Host=HOST, **{'X-Sdk-Date': SDK_DATE})
    expected, dummy = _sdk_sign(case['method'], case['path'], case['query'], headers, case['body'], secret_key=SK + 'x')
    actual = sign_sdk_hmac_sha256(case['method'], case['path'], case['query'], headers, case['body'], AK, SK)
    assert actual != expected


# ---------------------------------------------------------------------------------------------
# HuaweiClient end to end through fake_http


def _verify_with_sdk(call, secret_key=SK):
    """Recompute the signature of a captured request with the SDK signer from its signed headers."""
    match = AUTH_RE.match(call.headers['Authorization'])
    assert match, call.headers['Authorization']
    names = match.group('names').split(';')
    signed = dict((k, v) for k, v in call.headers.items() if k.lower() in names)
    assert sorted(k.lower() for k in signed) == sorted(names)
    query = [(k, v) for k, values in call.query.items() for v in values]
    expected, dummy = _sdk_sign(call.method, call.path, query, signed, call.body,
                                access_key=match.group('ak'), secret_key=secret_key)
    return expected, names


def _client(**params):
    base = dict(endpoint='https://' + HOST, project_id=PROJECT_ID, access_key=AK, secret_key=SK)
    base.update(params)
    return HuaweiClient(base, 'codearts', utcnow=lambda: FIXED_NOW)


def test_client_aksk_headers_on_the_wire(fake_http):
    fake_http.reply('POST', r'/v5/[0-9a-f]+/api/pipelines/status', [{'pipeline_id': 'a1', 'status': 'COMPLETED'}])
    client = _client()
    result = client.call('POST', '/v5/%s/api/pipelines/status' % PROJECT_ID, query={'x': ['2', '1'], 'e': ''},
                         body=['a0000000000000000000000000000001'])
    assert result == [{'pipeline_id': 'a1', 'status': 'COMPLETED'}]
    assert len(fake_http.calls) == 1
    call = fake_http.calls[0]
    assert call.url.startswith('https://%s/v5/%s/api/pipelines/status?' % (HOST, PROJECT_ID))
    assert call.headers['X-Project-Id'] == PROJECT_ID
    assert call.headers['X-Sdk-Date'] == SDK_DATE
    assert call.headers['Host'] == HOST
    assert call.headers['Content-Type'] == 'application/json;charset=utf-8'
    assert 'X-Auth-Token' not in call.headers
    assert 'X-Security-Token' not in call.headers
    assert call.json == ['a0000000000000000000000000000001']
    expected, names = _verify_with_sdk(call)
    assert call.headers['Authorization'] == expected
    assert names == ['content-type', 'host', 'user-agent', 'x-project-id', 'x-sdk-date']


def test_client_signature_fails_verification_with_another_secret(fake_http):
    fake_http.reply('GET', r'/v5/.*', {})
    _client().call('GET', '/v5/%s/api/pipelines/x/pipeline-runs/detail' % PROJECT_ID, query={'pipeline_run_id': 'r1'})
    expected, dummy = _verify_with_sdk(fake_http.calls[0], secret_key='another-secret')
    assert fake_http.calls[0].headers['Authorization'] != expected


def test_client_date_comes_from_the_clock(fake_http):
    fake_http.reply('GET', r'/v5/.*', {})
    client = HuaweiClient(dict(endpoint=HOST, access_key=AK, secret_key=SK), 'codearts',
                          utcnow=lambda: datetime.datetime(2030, 2, 3, 4, 5, 6, tzinfo=datetime.timezone.utc))
    client.call('GET', '/v5/p/api/x')
    call = fake_http.calls[0]
    assert call.url == 'https://%s/v5/p/api/x' % HOST
    assert call.headers['X-Sdk-Date'] == '20300203T040506Z'
    assert 'X-Project-Id' not in call.headers
    assert call.headers['Authorization'] == _verify_with_sdk(call)[0]


def test_client_security_token_sent_and_signed(fake_http):
    fake_http.reply('POST', r'/v3/.*/action', {'id': 'e1', 'status': 4})
    client = _client(security_token=SECURITY_TOKEN)
    client.call('POST', '/v3/%s/pipeline/pipelines/rt-ok-0001/action' % PROJECT_ID, query={'action_id': 'start'},
                body={}, idempotent=False, content_type='application/json;charset=utf8')
    call = fake_http.calls[0]
    assert call.headers['X-Security-Token'] == SECURITY_TOKEN
    assert call.headers['Content-Type'] == 'application/json;charset=utf8'
    assert call.query == {'action_id': ['start']}
    expected, names = _verify_with_sdk(call)
    assert call.headers['Authorization'] == expected
    assert 'x-security-token' in names


def test_client_form_body_is_unsigned_payload(fake_http):
    fake_http.reply('POST', r'/v5/.*', {})
    client = _client()
    client.call('POST', '/v5/%s/api/form' % PROJECT_ID, body={'a': 1}, content_type='application/x-www-form-urlencoded')
    call = fake_http.calls[0]
    assert call.headers['X-Sdk-Content-Sha256'] == 'UNSIGNED-PAYLOAD'
    expected, names = _verify_with_sdk(call)
    assert call.headers['Authorization'] == expected
    assert 'x-sdk-content-sha256' in names


def test_client_token_mode_sends_token_and_no_signature(fake_http):
    fake_http.reply('GET', r'/v3/.*', {'pipelines': []})
    client = HuaweiClient(dict(endpoint='https://servicestage.cn-north-4.myhuaweicloud.com', project_id=PROJECT_ID,
                               auth_token=AUTH_TOKEN), 'servicestage')
    assert client.call('GET', '/v3/%s/pipeline/pipelines' % PROJECT_ID) == {'pipelines': []}
    call = fake_http.calls[0]
    assert call.headers['X-Auth-Token'] == AUTH_TOKEN
    assert call.headers['X-Project-Id'] == PROJECT_ID
    assert 'Authorization' not in call.headers
    assert 'X-Sdk-Date' not in call.headers
    assert 'X-Security-Token' not in call.headers


def test_client_body_is_compact_utf8_json(fake_http):
    fake_http.reply('POST', r'/v5/.*', {})
    _client().call('POST', '/v5/%s/api/x' % PROJECT_ID, body={'message': u'发布', 'n': [1, 2]})
    call = fake_http.calls[0]
    assert call.body == u'{"message":"发布","n":[1,2]}'.encode('utf-8')
    assert call.headers['Authorization'] == _verify_with_sdk(call)[0]
    assert hashlib.sha256(call.body).hexdigest() != huawei.EMPTY_SHA256


def test_endpoint_from_region_and_errors():
    assert huawei.endpoint_url(dict(region='cn-north-4'), 'codearts') == 'https://cloudpipeline-ext.cn-north-4.myhuaweicloud.com'
    assert huawei.endpoint_url(dict(region='ap-southeast-1'), 'servicestage') == 'https://servicestage.ap-southeast-1.myhuaweicloud.com'
    assert huawei.endpoint_url(dict(endpoint='http://127.0.0.1:8080/'), 'codearts') == 'http://127.0.0.1:8080'
    with pytest.raises(huawei.ApiError) as exc:
        huawei.endpoint_url({}, 'codearts')
    assert 'region' in str(exc.value)
    assert huawei.path_param(u'a b/中:c') == 'a%20b%2F%E4%B8%AD%3Ac'


def test_make_client_names_the_service_host():
    client = huawei.make_client(dict(region='cn-north-4', auth_token=AUTH_TOKEN), 'servicestage')
    assert client.base_url == 'https://servicestage.cn-north-4.myhuaweicloud.com' and client.auth_token == AUTH_TOKEN
    with pytest.raises(ValueError, match='unknown Huawei Cloud service'):
        huawei.make_client(dict(region='cn-north-4', auth_token=AUTH_TOKEN), 'nosuch')
