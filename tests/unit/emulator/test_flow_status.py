"""Latest run status of many Flow pipelines (CONTRACTS-2 §12) over HTTP: token latestPipelineRun per id, POP
ListPipelineRuns with one result per id, ListPipelines on both APIs, generated pipelines, rate limits."""

import threading
import time

import pytest

from emu_clients import ORG, ali_sdk

OK, NEVER, FAILED, RUNNING, WAITING = '10001', '10007', '10005', '10011', '10013'


def latest(yx, pid):
    return yx('GET', '/flow/organizations/{org}/pipelines/%s/runs/latestPipelineRun' % pid)


def test_token_latest_run_of_generated_pipelines(emu, yx):
    statuses = {pid: latest(yx, pid).json().get('status') for pid in (OK, FAILED, RUNNING, WAITING)}
    assert statuses == {OK: 'SUCCESS', FAILED: 'FAIL', RUNNING: 'RUNNING', WAITING: 'RUNNING'}
    waiting = latest(yx, WAITING).json()
    gate = waiting['stages'][1]['stageInfo']['jobs'][0]
    assert gate['status'] == 'WAITING' and {a['type'] for a in gate['actions']} == {'PassPipelineValidate', 'RefusePipelineValidate'}
    never = latest(yx, NEVER)
    assert never.status_code == 404 and never.json()['errorCode'] == 'InvalidPipelineRun.NotFound'
    for unknown in ('99999', '11001', 'abc'):
        assert latest(yx, unknown).json()['errorCode'] == 'InvalidPipeline.NotFound'
    assert latest(yx, OK).json()['pipelineRunId'] < yx('POST', '/flow/organizations/{org}/pipelines/%s/runs' % OK, {}).json()
    assert latest(yx, OK).json()['status'] == 'RUNNING'  # the new run is the latest


@pytest.mark.parametrize('variant,body', [('null', b'null'), ('empty', b'')])
def test_never_ran_variants(emu, yx, variant, body):
    emu.set_switches(**{'alibaba.flow.latest_never_ran': variant})
    resp = latest(yx, NEVER)
    assert resp.status_code == 200 and resp.content == body


def test_pop_list_runs_one_result_per_id(emu):
    from alibabacloud_devops20210625 import models
    from Tea.exceptions import TeaException
    client = ali_sdk(emu.url)
    request = models.ListPipelineRunsRequest(max_results=1, next_token='')
    got = {pid: client.list_pipeline_runs(ORG, pid, request).body for pid in (OK, FAILED, NEVER, '1001')}
    assert [r.status for r in got[OK].pipeline_runs] == ['SUCCESS'] and got[FAILED].pipeline_runs[0].status == 'FAIL'
    assert got[NEVER].pipeline_runs == [] and got[NEVER].total_count == 0 and got['1001'].pipeline_runs == []
    assert emu.log[0]['query']['nextToken'] == [''] and emu.log[0]['operation'] == 'ListPipelineRuns'
    with pytest.raises(TeaException) as info:
        client.list_pipeline_runs(ORG, '99999', request)
    assert info.value.data['statusCode'] == 404 and emu.log[-1]['status'] == 404
    for dummy in range(2):
        client.start_pipeline_run(ORG, OK, models.StartPipelineRunRequest())
    newest = client.list_pipeline_runs(ORG, OK, models.ListPipelineRunsRequest(max_results=3)).body.pipeline_runs
    assert [r.status for r in newest] == ['RUNNING', 'RUNNING', 'SUCCESS'] and newest[0].pipeline_run_id > newest[1].pipeline_run_id
    emu.set_switches(**{'alibaba.flow.list_runs_order': 'asc'})
    assert client.list_pipeline_runs(ORG, OK, request).body.pipeline_runs[0].status == 'SUCCESS'


def test_list_pipelines_both_apis_and_status_classes(emu, yx):
    from alibabacloud_devops20210625 import models
    # the generated RUNNING runs last 5 emulated s (0.25 s at this time scale): long enough here whatever the load
    emu.state.data['alibaba']['flow_generated']['templates']['running']['phases'][0]['seconds'] = 3600
    client = ali_sdk(emu.url)
    page = client.list_pipelines(ORG, models.ListPipelinesRequest(max_results=50, next_token='')).body
    assert page.total_count == 6 + 1000 and len(page.pipelines) == 50 and page.next_token == '50'
    assert page.pipelines[0].pipeline_id == 1001 and page.pipelines[6].pipeline_name == 'generated-1'
    counts = {}
    for status in ('SUCCESS', 'FAIL', 'RUNNING', 'WAITING'):
        counts[status] = client.list_pipelines(ORG, models.ListPipelinesRequest(max_results=10, status_list=status)).body.total_count

    def rule(n):
        return next((name for mod, name in ((7, None), (5, 'FAIL'), (11, 'RUNNING'), (13, 'WAITING')) if n % mod == 0), 'SUCCESS')
    expected = {s: sum(1 for n in range(1, 1001) if rule(n) == s) for s in counts}
    assert counts == expected
    token = yx('GET', '/flow/organizations/{org}/pipelines', params={'page': 2, 'perPage': 30, 'statusList': 'RUNNING,WAITING'})
    assert token.status_code == 200 and len(token.json()) == 30 and set(token.json()[0]) == {'pipelineId', 'pipelineName', 'createAccountId', 'createTime'}
    assert token.headers['x-total'] == str(expected['RUNNING'] + expected['WAITING']) and token.headers['x-page'] == '2'
    assert yx('GET', '/flow/organizations/{org}/pipelines', params={'perPage': 31}).status_code == 400


def test_generated_count_is_a_fixture_setting(emu, yx):
    emu.state.data['alibaba']['flow_generated']['count'] = 5000
    assert latest(yx, '15000').status_code == 200
    assert latest(yx, '15001').json()['errorCode'] == 'InvalidPipeline.NotFound'


def test_rate_limit_by_window_and_by_concurrency(emu, yx):
    rule = emu.add_rate_limit(path='/runs/latestPipelineRun$', requests=3, per_seconds=30, retry_after=2)
    codes = [latest(yx, OK).status_code for dummy in range(4)]
    throttled = latest(yx, OK)
    assert codes == [200, 200, 200, 429] and throttled.headers['Retry-After'] == '2'
    assert throttled.json()['errorCode'] == 'Throttling' and emu.log[-1]['fault'] == 'rate_limit'
    assert emu.log[-1]['operation'] == 'GetLatestPipelineRun' and emu.log[-1]['status'] == 429
    assert rule and yx('GET', '/flow/organizations/{org}/pipelines/%s/runs' % OK).status_code == 200  # other paths pass
    emu.clear_rate_limits()
    emu.add_rate_limit(path='/runs/latestPipelineRun$', concurrent=1)
    emu.add_fault(path='/runs/latestPipelineRun$', delay=0.5, times=1)
    slow = []
    worker = threading.Thread(target=lambda: slow.append(latest(yx.__class__(emu.url), OK).status_code))
    worker.start()
    deadline = time.time() + 2
    while not any(r['in_flight'] for r in emu.rate_limits) and time.time() < deadline:
        time.sleep(0.01)
    busy = latest(yx, OK)
    worker.join()
    assert (slow, busy.status_code, busy.headers['Retry-After']) == ([200], 429, '1')
    assert latest(yx, OK).status_code == 200


def test_rate_limit_from_the_fixture_and_admin(emu, yx):
    admin = yx.http.post(emu.url + '/_emulator/rate-limits', json={'path': 'latestPipelineRun', 'requests': 1, 'per_seconds': 60})
    assert admin.status_code == 200
    assert [latest(yx, OK).status_code for dummy in range(2)] == [200, 429]
    listed = yx.http.get(emu.url + '/_emulator/rate-limits').json()['rate_limits']
    assert listed[0]['throttled'] == 1
    emu.state.fixture['rate_limits'] = [{'path': 'latestPipelineRun', 'requests': 1, 'per_seconds': 60}]
    try:
        emu.reset()
        assert [latest(yx, OK).status_code for dummy in range(2)] == [200, 429]
    finally:
        emu.state.fixture['rate_limits'] = []
    assert yx.http.post(emu.url + '/_emulator/rate-limits', json={'path': 'x'}).status_code == 400
