# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Flow backend of pipeline_status_info (_alibaba/flow_status.py) at the HTTP layer: the exact calls of
both APIs, ids without a run in every variant, the bound on requests in flight, one session, and a 429 that
holds back every worker."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import threading
import time

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba import flow_status
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._http import ApiError
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._query import Watch

ORG = 'org-unit-0001'
TOKEN = 'unit-yunxiao-token-0001'
BASE = 'https://yunxiao.example.test'
POP = 'https://devops.example.test'
TOKEN_PATH = '/oapi/v1/flow/organizations/%s/pipelines/%%s/runs/latestPipelineRun' % ORG
POP_PATH = '/organization/%s/pipelines/%%s/pipelineRuns' % ORG


def token_params(**extra):
    params = dict(organization_id=ORG, yunxiao_token=TOKEN, yunxiao_base_url=BASE, api='auto', max_retries=3)
    params.update(extra)
    return params


def pop_params(**extra):
    params = dict(organization_id=ORG, access_key_id='LTAIUNIT0000001', access_key_secret='unit-secret-0001',
                  endpoint=POP, api='auto', max_retries=3)
    params.update(extra)
    return params


JOB_BUILD = {'id': 7, 'name': 'build', 'status': 'SUCCESS'}


def flow_run(pid, status='SUCCESS', run_id=None):
    return {'pipelineRunId': run_id or int(pid) * 10, 'pipelineId': int(pid), 'status': status, 'triggerMode': 1,
            'createTime': 1700000000000, 'updateTime': 1700000060000, 'startTime': 1700000000000,
            'endTime': 1700000060000 if status != 'RUNNING' else None,
            'stages': [{'name': 'Build', 'stageInfo': {'status': status, 'jobs': [JOB_BUILD]}}]}


def never_ran(kind):
    return {'404': dict(status=404, json={'errorCode': 'InvalidPipelineRun.NotFound', 'errorMessage': 'no run'}),
            'null': dict(status=200, text='null'),
            'empty': dict(status=200, json=None)}[kind]


NOT_FOUND = dict(status=404, json={'errorCode': 'InvalidPipeline.NotFound', 'errorMessage': 'no such pipeline'})


def backend(params, **kwargs):
    api, client = flow_status.make_client(params)
    return flow_status.FlowLatestRuns(api, client, params['organization_id'], **kwargs)


# -- the calls ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize('kind', ['404', 'null', 'empty'])
def test_token_api_one_get_per_id_never_ran_and_unknown_reported(fake_http, kind):
    fake_http.add('GET', TOKEN_PATH % 1001, dict(status=200, json=flow_run(1001)))
    fake_http.add('GET', TOKEN_PATH % 1002, dict(status=200, json=flow_run(1002, 'RUNNING')))
    fake_http.add('GET', TOKEN_PATH % 1007, never_ran(kind))
    fake_http.add('GET', TOKEN_PATH % 99, NOT_FOUND)
    runs = backend(token_params())
    found = runs.latest(['1001', '1007', '99', '1002', '1001'])
    assert sorted(fake_http.paths()) == sorted('GET ' + TOKEN_PATH % pid for pid in (1001, 1007, 99, 1002))
    assert all(call.headers['x-yunxiao-token'] == TOKEN and not call.query for call in fake_http.calls)
    assert list(found) == ['1001', '1002']
    first = found['1001']
    assert first['pipeline_id'] == '1001' and first['pipeline_run_id'] == 10010 and first['status'] == 'SUCCESS'
    assert first['detail_url'] == 'https://flow.aliyun.com/pipelines/1001/builds/10010'
    assert first['stages'][0]['jobs'][0]['name'] == 'build' and 'id' not in first
    assert runs.missing_reasons() == {'1007': 'never_ran', '99': 'not_found'}
    assert runs.requests() == 4


def test_pop_api_list_pipeline_runs_with_one_result_per_id(fake_http):
    listed = {'pipelineRuns': [flow_run(1001, 'FAIL')], 'totalCount': 3}
    fake_http.add('GET', POP_PATH % 1001, dict(status=200, json=listed))
    fake_http.add('GET', POP_PATH % 1007, dict(status=200, json={'pipelineRuns': [], 'totalCount': 0}))
    fake_http.add('GET', POP_PATH % 99, dict(status=404, json={'Code': 'InvalidPipeline.NotFound',
                                                               'Message': 'not found'}))
    runs = backend(pop_params())
    found = runs.latest(['1001', '1007', '99'])
    assert sorted(fake_http.paths()) == sorted('GET ' + POP_PATH % pid for pid in (1001, 1007, 99))
    for call in fake_http.calls:
        assert call.query == {'maxResults': ['1']}
        assert call.headers['x-acs-action'] == 'ListPipelineRuns'
        assert call.headers['Authorization'].startswith('ACS3-HMAC-SHA256 Credential=LTAIUNIT0000001,')
    assert found['1001']['status'] == 'FAIL' and found['1001']['pipeline_run_id'] == 10010
    assert runs.missing_reasons() == {'1007': 'never_ran', '99': 'not_found'}


@pytest.mark.parametrize('answer', [
    dict(status=404, json={'errorCode': 'InvalidOrganization.NotFound', 'errorMessage': 'no such organization'}),
    dict(status=401, json={'errorCode': 'Unauthorized', 'errorMessage': 'bad token'}),
    dict(status=200, json=[1, 2]),
])
def test_other_failures_end_the_read_and_stop_the_other_workers(fake_http, answer):
    fake_http.add('GET', TOKEN_PATH % 5, answer)
    fake_http.add('GET', TOKEN_PATH % r'\d+', dict(status=200, json=flow_run(1)))
    runs = backend(token_params(), workers=1)
    with pytest.raises(ApiError):
        runs.latest(['1', '2', '5', '6', '7'])
    assert len(fake_http.calls) == 3  # the ids after the failure are not read


def test_watch_reports_missing_reasons_and_query(fake_http):
    fake_http.add('GET', TOKEN_PATH % 1, dict(status=200, json=flow_run(1, 'FAIL')))
    fake_http.add('GET', TOKEN_PATH % 2, never_ran('null'))
    result = {}
    Watch("pipelines[?status=='FAIL'].pipeline_id").read(backend(token_params()), ['1', '2'], 0, 1, result)
    assert result['missing'] == ['2'] and result['missing_reasons'] == {'2': 'never_ran'}
    assert result['summary'] == {'FAIL': 1} and result['query_result'] == ['1']
    assert result['pipelines'][0]['finished'] is True and result['pipelines'][0]['succeeded'] is False
    assert result['requests'] == 2


def test_empty_list_sends_nothing(fake_http):
    runs = backend(token_params())
    assert runs.latest([]) == {} and runs.missing_reasons() == {} and fake_http.calls == []


# -- concurrency -------------------------------------------------------------------------------------------
def response(method, url, answer):
    resp = requests.Response()
    resp.status_code = answer.get('status', 200)
    resp.reason = 'FAKE'
    resp._content = json.dumps(answer['json']).encode('utf-8')  # pylint: disable=protected-access
    resp.headers = CaseInsensitiveDict(answer.get('headers') or {})
    resp.headers.setdefault('Content-Type', 'application/json')
    resp.url = url
    resp.request = requests.Request(method, url).prepare()
    return resp


class Slow:
    """Answers after ``delay`` real seconds, counting the requests in flight; ``first`` answers once for an id."""

    def __init__(self, monkeypatch, delay=0.02, first=None):
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most = 0
        self.sent = []   # (monotonic time, id)
        self.answered = {}
        self.first = dict(first or {})
        self.sessions = set()

        def request(session, method, url, **kwargs):
            pid = url.split('/pipelines/')[1].split('/')[0]
            with self.lock:
                self.in_flight += 1
                self.most = max(self.most, self.in_flight)
                self.sent.append((time.monotonic(), pid))
                self.sessions.add(id(session))
                special = self.first.pop(pid, None)
            try:
                time.sleep(delay)
                if special is not None:
                    self.answered[pid] = time.monotonic()
                return response(method, url, special or dict(status=200, json=flow_run(pid)))
            finally:
                with self.lock:
                    self.in_flight -= 1

        monkeypatch.setattr(requests.Session, 'request', request)


def test_in_flight_requests_are_bounded_and_share_one_session(monkeypatch):
    slow = Slow(monkeypatch)
    runs = backend(token_params())
    found = runs.latest([str(n) for n in range(1, 41)])
    assert len(found) == 40 and runs.requests() == 40 == len(slow.sent)
    assert slow.most == flow_status.WORKERS == 4
    assert len(slow.sessions) == 1
    adapter = runs.client.session.get_adapter(BASE)
    assert adapter._pool_maxsize >= flow_status.WORKERS  # pylint: disable=protected-access


def test_a_429_holds_back_every_worker_for_its_retry_after(monkeypatch):
    throttled = dict(status=429, json={'errorCode': 'Throttling', 'errorMessage': 'slow down'},
                     headers={'Retry-After': '1'})
    slow = Slow(monkeypatch, first={'5': throttled})
    runs = backend(token_params())
    found = runs.latest([str(n) for n in range(1, 25)])
    assert len(found) == 24 and runs.requests() == 25 and len(runs.client.retries) == 1
    t429 = slow.answered['5']
    # nothing starts after the 429 answer (but for what was already under way) until Retry-After has passed
    early = [(round(at - t429, 3), pid) for at, pid in slow.sent if t429 + 0.05 < at < t429 + 0.95]
    assert early == []
    assert any(at >= t429 + 0.95 for at, pid in slow.sent)


def test_pace_holds_until_the_latest_instant_or_the_ceiling():
    now = [100.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    pace = flow_status.Pace(clock=lambda: now[0], sleep=sleep)
    pace.hold()
    assert slept == []
    pace.defer(5)
    pace.defer(2)  # an earlier instant does not shorten the hold
    pace.hold(ceiling=103.0)
    assert now[0] == 103.0
    pace.hold()
    assert now[0] == 105.0
