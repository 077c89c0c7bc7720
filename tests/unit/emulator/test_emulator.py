"""Tests of tests/emulator: official-SDK signatures, progression, faults, reset, log redaction."""

import json
import os
import signal
import subprocess
import sys
import time
import types

import pytest
import requests

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tests.emulator import Emulator  # noqa: E402  pylint: disable=wrong-import-position
from tests.emulator.alibaba import auth as alibaba  # noqa: E402  pylint: disable=wrong-import-position
from tests.emulator.huawei import auth as huawei  # noqa: E402  pylint: disable=wrong-import-position

PROJECT = '0f1e2d3c4b5a69788796a5b4c3d2e1f0'
ORG = '60d54f3daccf2bbd6659f3ad'
HW_AK, HW_SK = 'HWEMUAK000000000001', 'hw-emu-secret-0001'
ALI_AK, ALI_SK = 'LTAIEMU00000000000001', 'ali-emu-secret-0001'
YX = {'x-yunxiao-token': 'pt-emu-token-0001'}
HW_TOKEN = {'X-Auth-Token': 'hw-emu-token-0001'}
SCALE = 0.05


@pytest.fixture(scope='module')
def emu():
    """One emulator for the module (reset before each test by ``fresh``)."""
    with Emulator(time_scale=SCALE) as server:
        yield server


@pytest.fixture
def fresh(emu):  # pylint: disable=redefined-outer-name
    """The shared emulator, reset to the fixture."""
    emu.reset()
    return emu


def wait_for(fetch, done, timeout=5.0):
    """Poll ``fetch()`` until ``done(value)``; return the last value."""
    deadline = time.time() + timeout
    value = fetch()
    while not done(value) and time.time() < deadline:
        time.sleep(0.02)
        value = fetch()
    return value


# ------------------------------------------------------------------------------------------ official SDKs
def hw_client(url, sk=HW_SK, ak=HW_AK):
    """CodeArtsPipelineClient against the emulator."""
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.http.http_config import HttpConfig
    from huaweicloudsdkcodeartspipeline.v2 import CodeArtsPipelineClient
    config = HttpConfig.get_default_config()
    config.retry_times = 0
    return (CodeArtsPipelineClient.new_builder().with_http_config(config)
            .with_credentials(BasicCredentials(ak, sk, PROJECT)).with_endpoints([url]).build())


def ali_client(url, secret=ALI_SK, ak=ALI_AK, token=None):
    """alibabacloud_devops20210625 Client against the emulator (http)."""
    from alibabacloud_devops20210625.client import Client
    from alibabacloud_tea_openapi import models as open_api_models
    config = open_api_models.Config(access_key_id=ak, access_key_secret=secret, security_token=token,
                                    endpoint=url.split('//', 1)[1], protocol='http')
    return Client(config)


def test_huawei_sdk_signed_request_succeeds(fresh):
    from huaweicloudsdkcodeartspipeline.v2 import BatchShowPipelinesLatestStatusRequest
    ids = ['a0000000000000000000000000000001', 'a0000000000000000000000000000002', 'a0000000000000000000000000000004',
           'b%031x' % 7, 'b%031x' % 5, 'b%031x' % 11, 'b%031x' % 1, 'ffffffffffffffffffffffffffffffff']
    client = hw_client(fresh.url)
    fresh.reset()  # b..00b runs for 5 s at time scale 1 (0.25 s here): start the clock after the SDK is loaded
    resp = client.batch_show_pipelines_latest_status(BatchShowPipelinesLatestStatusRequest(project_id=PROJECT, body=ids))
    got = {item.pipeline_id: item.status for item in resp.body}
    assert got == {ids[0]: 'COMPLETED', ids[1]: 'FAILED', ids[4]: 'FAILED', ids[5]: 'RUNNING', ids[6]: 'COMPLETED'}
    assert fresh.log[-1]['operation'] == 'BatchShowPipelinesLatestStatus'
    assert fresh.log[-1]['headers']['authorization'] == 'REDACTED'


def test_huawei_sdk_wrong_secret_rejected(fresh):
    from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
    from huaweicloudsdkcodeartspipeline.v2 import BatchShowPipelinesLatestStatusRequest
    with pytest.raises(ClientRequestException) as info:
        hw_client(fresh.url, sk='wrong').batch_show_pipelines_latest_status(
            BatchShowPipelinesLatestStatusRequest(project_id=PROJECT, body=['a0000000000000000000000000000001']))
    assert info.value.status_code == 401
    assert info.value.error_code == 'APIGW.0301'
    assert 'verify aksk signature fail' in info.value.error_msg
    with pytest.raises(ClientRequestException) as info:
        hw_client(fresh.url, ak='HWEMUNOPE').batch_show_pipelines_latest_status(
            BatchShowPipelinesLatestStatusRequest(project_id=PROJECT, body=['a0000000000000000000000000000001']))
    assert 'ak not exist' in info.value.error_msg
    with pytest.raises(ClientRequestException) as info:  # temporary AK without its security token
        hw_client(fresh.url, ak='HWEMUSTS00000000001', sk='hw-emu-sts-secret-0001').batch_show_pipelines_latest_status(
            BatchShowPipelinesLatestStatusRequest(project_id=PROJECT, body=['a0000000000000000000000000000001']))
    assert info.value.status_code == 401 and 'security token' in info.value.error_msg


def test_alibaba_sdk_start_pipeline_run(fresh):
    from alibabacloud_devops20210625 import models
    resp = ali_client(fresh.url).start_pipeline_run(ORG, '1001', models.StartPipelineRunRequest(params=json.dumps({'envs': {'A': '1'}})))
    assert resp.body.success is True and resp.body.pipeline_run_id == 1 and resp.body.request_id
    assert resp.headers['x-acs-request-id'] == resp.body.request_id
    sts = ali_client(fresh.url, 'ali-emu-sts-secret-0001', 'STS.EMU0000000000001', 'ali-emu-sts-token-0001')
    assert sts.start_pipeline_run(ORG, '1001', models.StartPipelineRunRequest()).body.pipeline_run_id == 2
    run = ali_client(fresh.url).get_pipeline_run(ORG, '1001', '2').body.pipeline_run
    assert run.pipeline_run_id == 2 and run.status == 'RUNNING'
    entry = fresh.log[0]
    assert entry['operation'] == 'StartPipelineRun' and entry['acted'] is True and entry['vendor'] == 'alibaba'


@pytest.mark.parametrize('kwargs,code,status', [
    ({'secret': 'wrong'}, 'IncompleteSignature', 400),
    ({'ak': 'LTAINOPE'}, 'InvalidAccessKeyId.NotFound', 404),
    ({'ak': 'STS.EMU0000000000001', 'secret': 'ali-emu-sts-secret-0001'}, 'InvalidSecurityToken.MismatchWithAccessKey', 400),
])
def test_alibaba_sdk_rejections(fresh, kwargs, code, status):
    from alibabacloud_devops20210625 import models
    from Tea.exceptions import TeaException
    with pytest.raises(TeaException) as info:
        ali_client(fresh.url, **kwargs).start_pipeline_run(ORG, '1001', models.StartPipelineRunRequest(params='{}'))
    assert info.value.code == code
    assert info.value.data['statusCode'] == status
    assert fresh.state.flow_runs == {}


def test_alibaba_sdk_appstack_gate(fresh):
    from alibabacloud_devops20210625 import models
    cli = ali_client(fresh.url)
    out = cli.execute_change_request_release_stage('demo-app', 'wf-0001', 'stage-prod', models.ExecuteChangeRequestReleaseStageRequest(
        organization_id=ORG, params={'FLOW_INST_RUNNING_COMMENT': 'x'})).body
    number = str(out.pipeline_run_id)
    assert out.object == out.pipeline_run_id and out.pipeline_id == 2003
    run = cli.get_release_stage_pipeline_run('demo-app', 'wf-0001', 'stage-prod', number,
                                             models.GetReleaseStagePipelineRunRequest(organization_id=ORG)).body.pipeline_run
    job = run.stages[0].stage_info.jobs[0]
    assert job.status == 'WAITING' and run.status == 'RUNNING'
    cli.pass_release_stage_pipeline_validate('demo-app', 'wf-0001', 'stage-prod', number, models.PassReleaseStagePipelineValidateRequest(
        organization_id=ORG, job_id=str(job.id)))

    def states():
        return cli.list_app_release_stage_executions('demo-app', 'wf-0001', 'stage-prod', models.ListAppReleaseStageExecutionsRequest(
            organization_id=ORG)).body.data[0].state
    assert wait_for(states, lambda s: s != 'RUNNING') == 'SUCCESS'


def test_signature_vectors_sdk_and_fallback(monkeypatch):
    hw_req = types.SimpleNamespace(method='POST', raw_path='/v5/p1/api/pipelines/status', query={}, body=b'["' + b'a' * 32 + b'"]', headers={
        'content-type': 'application/json;charset=utf-8', 'user-agent': 'huaweicloud-usdk-python/3.0', 'x-project-id': 'p1',
        'x-sdk-date': '20260101T000000Z', 'host': 'cloudpipeline-ext.cn-north-4.myhuaweicloud.com'})
    signed = 'content-type;host;user-agent;x-project-id;x-sdk-date'.split(';')
    ali_req = types.SimpleNamespace(method='POST', raw_path='/organizations/o1/pipelines/123/run', query={},
                                    body=b'params=%7B%22runningBranchs%22%3A+%7B%7D%7D', headers={
                                        'accept': 'application/json', 'content-type': 'application/x-www-form-urlencoded',
                                        'host': 'devops.cn-hangzhou.aliyuncs.com',
                                        'user-agent': 'AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2',
                                        'x-acs-action': 'StartPipelineRun', 'x-acs-date': '2026-01-01T00:00:00Z',
                                        'x-acs-signature-nonce': '0123456789abcdef0123456789abcdef', 'x-acs-version': '2021-06-25',
                                        'x-acs-content-sha256': '6d40786a04e86104ab07e2438811e15b99e1d94d7f38432e135af0bf84674586'})
    ali_signed = sorted(ali_req.headers)
    for fallback in (False, True):
        if fallback:
            monkeypatch.setattr(huawei, 'Signer', None)
            monkeypatch.setattr(alibaba, 'OpenApiUtil', None)
        assert huawei.signature_for(hw_req, signed, 'SKTEST') == '3930d0794975aa5bfcb3ae3403d57e735cbc022a996a9c64c9f89feb06a2ce62'
        assert alibaba.signature_for(ali_req, ali_signed, 'SKTEST') == 'e68fb033dfdb974d8d4409add37b83d7dbd438905890f3e4184d8260518c35a3'


# ------------------------------------------------------------------------------------------ progression
def flow(url, path=''):
    """Token-API Flow URL of pipeline path."""
    return '%s/oapi/v1/flow/organizations/%s/pipelines%s' % (url, ORG, path)


@pytest.mark.parametrize('pipeline,outcome,failed_job', [('1001', 'SUCCESS', None), ('1002', 'FAIL', 'unit-test')])
def test_flow_run_progresses_to_fixture_outcome(fresh, pipeline, outcome, failed_job):
    with requests.Session() as http:
        run_id = http.post(flow(fresh.url, '/%s/runs' % pipeline), json={'params': '{}'}, headers=YX).json()
        latest = http.get(flow(fresh.url, '/%s/runs/latestPipelineRun' % pipeline), headers=YX).json()
        assert latest['pipelineRunId'] == run_id and latest['status'] == 'RUNNING'
        run = wait_for(lambda: http.get(flow(fresh.url, '/%s/runs/%d' % (pipeline, run_id)), headers=YX).json(),
                       lambda r: r['status'] != 'RUNNING')
        listed = http.get(flow(fresh.url, '/%s/runs' % pipeline), headers=YX)
    assert run['status'] == outcome
    jobs = {j['name']: j['status'] for s in run['stages'] for j in s['stageInfo']['jobs']}
    assert (failed_job is None and set(jobs.values()) == {'SUCCESS'}) or jobs[failed_job] == 'FAIL'
    assert listed.json()[0]['pipelineRunId'] == run_id and listed.headers['x-total'] == '1'
    assert len({e['connection'] for e in fresh.log}) == 1  # keep-alive: one connection


@pytest.mark.parametrize('verb,outcome', [('pass', 'SUCCESS'), ('refuse', 'FAIL')])
def test_flow_gate(fresh, verb, outcome):
    run_id = requests.post(flow(fresh.url, '/1003/runs'), json={}, headers=YX).json()

    def get():
        return requests.get(flow(fresh.url, '/1003/runs/%d' % run_id), headers=YX).json()
    run = wait_for(get, lambda r: r['stages'][1]['stageInfo']['jobs'][0]['status'] == 'WAITING')
    job = run['stages'][1]['stageInfo']['jobs'][0]
    assert run['status'] == 'RUNNING' and job['name'] == 'approve'
    time.sleep(0.2)
    assert get()['status'] == 'RUNNING'  # waits until pass/refuse
    url = flow(fresh.url, '/1003/pipelineRuns/%d/jobs/%d/%s' % (run_id, job['id'], verb))
    assert requests.post(url, headers=YX).json() is True
    assert requests.post(url, headers=YX).status_code == 400
    assert wait_for(get, lambda r: r['status'] != 'RUNNING')['status'] == outcome


def ss(url, path=''):
    """ServiceStage release task URL."""
    return '%s/v3/%s/pipeline/pipelines%s' % (url, PROJECT, path)


def test_servicestage_release_approval_and_invalid_actions(fresh):
    def status():
        return requests.get(ss(fresh.url, '/rt-approval-0003'), headers=HW_TOKEN).json()['status']
    listed = requests.get(ss(fresh.url), headers=HW_TOKEN).json()
    assert {p['id']: p['status'] for p in listed['pipelines']} == {
        'rt-ok-0001': 1, 'rt-fail-0002': 1, 'rt-approval-0003': 1, 'rt-pause-0004': 1}
    bad = requests.post(ss(fresh.url, '/rt-approval-0003/action'), params={'action_id': 'continue'}, json={}, headers=HW_TOKEN)
    assert bad.status_code == 400 and bad.json()['error_code'] == 'SVCSTG.00100400' and bad.headers['X-Request-Id']
    started = requests.post(ss(fresh.url, '/rt-approval-0003/action'), params={'action_id': 'start'}, json={}, headers=HW_TOKEN).json()
    assert started['status'] == 4 and started['pipeline_id'] == 'rt-approval-0003' and started['id']
    assert wait_for(status, lambda s: s != 4) == 5
    detail = requests.get(ss(fresh.url, '/rt-approval-0003'), headers=HW_TOKEN).json()
    tasks = {t['name']: t for s in detail['pipeline_declaration']['stages'] for t in s['tasks']}
    assert tasks['approve-prod']['status'] == 'waiting' and tasks['approve-prod']['type'] == 'approval'
    wrong = requests.post(ss(fresh.url, '/rt-approval-0003/action'), params={'action_id': 'approval'},
                          json={'task_name': 'approve-prod', 'approval_type': 'maybe'}, headers=HW_TOKEN)
    assert wrong.status_code == 400
    ok = requests.post(ss(fresh.url, '/rt-approval-0003/action'), params={'action_id': 'approval'},
                       json={'task_name': 'approve-prod', 'approval_type': 'agree'}, headers=HW_TOKEN).json()
    assert ok['id'] == started['id'] and ok['status'] == 4
    assert wait_for(status, lambda s: s != 4) == 2
    missing = requests.get(ss(fresh.url, '/rt-nope'), headers=HW_TOKEN)
    assert missing.status_code == 404 and missing.json()['error_code'] == 'SVCSTG.00100433'


def test_servicestage_pause_continue_and_stop(fresh):
    def status(rid):
        return requests.get(ss(fresh.url, '/' + rid), headers=HW_TOKEN).json()['status']

    def act(rid, action):
        return requests.post(ss(fresh.url, '/%s/action' % rid), params={'action_id': action}, json={}, headers=HW_TOKEN)
    act('rt-pause-0004', 'start')
    assert wait_for(lambda: status('rt-pause-0004'), lambda s: s != 4) == 7
    assert act('rt-pause-0004', 'continue').json()['status'] == 4
    assert wait_for(lambda: status('rt-pause-0004'), lambda s: s != 4) == 2
    act('rt-fail-0002', 'start')
    assert wait_for(lambda: status('rt-fail-0002'), lambda s: s != 4) == 3
    act('rt-ok-0001', 'start')
    assert act('rt-ok-0001', 'stop').json()['status'] == 13
    assert wait_for(lambda: status('rt-ok-0001'), lambda s: s != 13) == 1


def ca(url, path):
    """CodeArts v5 URL."""
    return '%s/v5/%s/api/pipelines%s' % (url, PROJECT, path)


@pytest.mark.parametrize('verb,outcome', [('pass', 'COMPLETED'), ('refuse', 'FAILED')])
def test_codearts_manual_review(fresh, verb, outcome):
    pid = 'a0000000000000000000000000000003'

    def detail():
        return requests.get(ca(fresh.url, '/%s/pipeline-runs/detail' % pid), headers=HW_TOKEN).json()
    run = detail()
    job = [j for s in run['stages'] for j in s['jobs'] if j['name'] == 'Approval'][0]
    step = job['steps'][0]
    assert run['status'] == 'RUNNING' and step['name'] == 'manual-review' and step['status'] == 'RUNNING'
    url = ca(fresh.url, '/%s/pipeline-runs/%s/jobs/%s/steps/%s/%s' % (pid, run['id'], job['id'], step['id'], verb))
    assert requests.post(url, headers=HW_TOKEN).json() == {'success': True}
    assert requests.post(url, headers=HW_TOKEN).status_code == 400
    assert wait_for(detail, lambda r: r['status'] != 'RUNNING')['status'] == outcome


def test_codearts_runs_batch_limit_and_start_info(fresh):
    def latest(pid):
        return requests.post(ca(fresh.url, '/status'), json=[pid], headers=HW_TOKEN).json()
    assert latest('a0000000000000000000000000000005')[0]['status'] == 'RUNNING'
    assert wait_for(lambda: latest('a0000000000000000000000000000005'), lambda r: r[0]['status'] != 'RUNNING')[0]['status'] == 'COMPLETED'
    assert latest('a0000000000000000000000000000004') == []
    run_id = requests.post(ca(fresh.url, '/a0000000000000000000000000000004/run'), json={}, headers=HW_TOKEN).json()['pipeline_run_id']
    assert latest('a0000000000000000000000000000004')[0]['pipeline_run_id'] == run_id
    too_many = requests.post(ca(fresh.url, '/status'), json=['b%031x' % n for n in range(1, 102)], headers=HW_TOKEN)
    assert too_many.status_code == 400 and too_many.json()['error_code'].startswith('DEVPIPE.')
    assert len(requests.post(ca(fresh.url, '/status'), json=['b%031x' % n for n in range(1, 101)], headers=HW_TOKEN).json()) == 86
    put = '%s/v3/manage/pipelines/%s/stages/1/start_info'
    body = {'mode': 'review', 'review_result': 'pass'}
    for pid, acted in (('101', True), ('102', False)):
        resp = requests.put(put % (fresh.url, pid), json=body, headers=HW_TOKEN)
        assert (resp.status_code, resp.json(), fresh.log[-1]['acted']) == (201, {}, acted)
    assert requests.put(put % (fresh.url, '999'), json=body, headers=HW_TOKEN).status_code == 400


def test_iam_token_and_auth_errors(fresh):
    body = {'auth': {'identity': {'methods': ['password'], 'password': {'user': {'name': 'emu-user', 'password': 'emu-password',
                                                                                 'domain': {'name': 'emu-user'}}}},
                     'scope': {'project': {'id': PROJECT}}}}
    resp = requests.post(fresh.url + '/v3/auth/tokens', json=body)
    assert resp.status_code == 201 and resp.headers['X-Subject-Token'] == 'hw-emu-token-0001'
    assert 'emu-password' not in json.dumps(fresh.log) and 'emu-password' in fresh.seen_secrets
    body['auth']['identity']['password']['user']['password'] = 'nope'
    assert requests.post(fresh.url + '/v3/auth/tokens', json=body).status_code == 401
    no_auth = requests.get(ss(fresh.url))
    assert no_auth.status_code == 401 and no_auth.json()['error_code'] == 'APIGW.0301'
    assert requests.get(ss(fresh.url), headers={'X-Auth-Token': 'bad'}).json()['error_msg'].endswith('decrypt token fail')
    stale_auth = 'SDK-HMAC-SHA256 Access=%s, SignedHeaders=host;x-sdk-date, Signature=00' % HW_AK
    stale = requests.get(ss(fresh.url), headers={'Authorization': stale_auth, 'X-Sdk-Date': '20200101T000000Z'})
    assert stale.status_code == 401 and '15 min' in stale.json()['error_msg']
    yx = requests.get(flow(fresh.url, '/1001/runs'), headers={'x-yunxiao-token': 'bad'})
    assert yx.status_code == 401 and set(yx.json()) == {'errorCode', 'errorMessage'}
    assert requests.get(flow(fresh.url, '/9999/runs'), headers=YX).json()['errorCode'] == 'InvalidPipeline.NotFound'


# ------------------------------------------------------------------------------------------ faults, reset, log
def test_fault_status_html_malformed_empty_error200(fresh):
    url = flow(fresh.url, '/1001/runs')
    fresh.add_fault(method='GET', path='/runs$', status=429, retry_after=2, times=1)
    resp = requests.get(url, headers=YX)
    assert resp.status_code == 429 and resp.headers['Retry-After'] == '2' and resp.json()['errorCode'] == 'Throttling'
    assert requests.get(url, headers=YX).status_code == 200  # expired after ``times``
    fresh.add_fault(path='/runs$', status=503, kind='status', times=2)
    assert [requests.get(url, headers=YX).status_code for dummy in range(3)] == [503, 503, 200]
    fresh.add_fault(path='/runs$', kind='html', status=502)
    resp = requests.get(url, headers=YX)
    assert resp.status_code == 502 and resp.headers['Content-Type'].startswith('text/html')
    fresh.add_fault(path='/runs$', kind='malformed')
    with pytest.raises(ValueError):
        requests.get(url, headers=YX).json()
    fresh.add_fault(path='/runs$', kind='empty')
    assert requests.get(url, headers=YX).content == b''
    fresh.add_fault(path='/pipelines/status', kind='error200')
    resp = requests.post(ca(fresh.url, '/status'), json=['a0000000000000000000000000000001'], headers=HW_TOKEN)
    assert resp.status_code == 200 and 'error_code' in resp.json()
    fresh.add_fault(path='/run$', kind='error200')
    resp = requests.post('%s/organizations/%s/pipelines/1001/run' % (fresh.url, ORG))
    assert resp.status_code == 200 and resp.json()['success'] is False
    assert [e['fault'] for e in fresh.log].count(None) == 2


def test_fault_reset_delay_and_acting_faults(fresh):
    url = flow(fresh.url, '/1001/runs')
    fresh.add_fault(method='POST', path='/1001/runs$', kind='reset')
    with pytest.raises(requests.ConnectionError):
        requests.post(url, json={}, headers=YX)
    assert fresh.state.flow_runs == {} and fresh.log[-1]['fault'] == 'reset'
    fresh.add_fault(method='POST', path='/1001/runs$', kind='act_then_drop')
    with pytest.raises(requests.ConnectionError):
        requests.post(url, json={}, headers=YX)
    assert list(fresh.state.flow_runs) == [1] and fresh.log[-1]['acted'] is True
    fresh.add_fault(method='POST', path='/1001/runs$', kind='act_then_timeout', delay=1.0)
    with pytest.raises(requests.Timeout):
        requests.post(url, json={}, headers=YX, timeout=0.3)
    assert list(fresh.state.flow_runs) == [1, 2]
    fresh.add_fault(method='GET', path='/1001/runs$', delay=0.3)
    started = time.time()
    assert requests.get(url, headers=YX).status_code == 200 and time.time() - started >= 0.3
    admin = requests.post(fresh.url + '/_emulator/faults', json={'path': 'x', 'status': 500}).json()
    assert requests.get(fresh.url + '/_emulator/faults').json()['faults'][0]['id'] == admin['id']
    requests.delete(fresh.url + '/_emulator/faults')
    assert fresh.faults == []


def test_reset_log_redaction_and_admin(fresh):
    requests.post(flow(fresh.url, '/1001/runs'), json={}, headers=YX)
    requests.get(ss(fresh.url), headers=dict(HW_TOKEN, **{'X-Security-Token': 'sec-1'}))
    log = requests.get(fresh.url + '/_emulator/log').json()['requests']
    assert [e['operation'] for e in log] == ['CreatePipelineRun', 'ObtainReleaseTaskList']
    assert log[0]['headers']['x-yunxiao-token'] == 'REDACTED' and log[1]['headers']['x-auth-token'] == 'REDACTED'
    assert log[1]['headers']['x-security-token'] == 'REDACTED'
    assert {'pt-emu-token-0001', 'hw-emu-token-0001', 'sec-1'} <= fresh.seen_secrets
    assert 'pt-emu-token-0001' not in json.dumps(log)
    assert set(log[0]) >= {'seq', 'time', 'method', 'path', 'query', 'headers', 'body', 'status', 'vendor', 'operation', 'acted', 'fault'}
    assert requests.get(fresh.url + '/_emulator/state').json()['flow_runs']['1']['status'] == 'running'
    requests.post(fresh.url + '/_emulator/reset')
    assert fresh.log == [] and fresh.state.flow_runs == {}
    assert requests.post(flow(fresh.url, '/1001/runs'), json={}, headers=YX).json() == 1


def test_time_scale_admin_goes_on_without_a_jump_until_reset(fresh):
    before = fresh.state.now()
    assert requests.post(fresh.url + '/_emulator/time-scale', json={'time_scale': 1000}).json() == {'time_scale': 1000.0}
    assert before <= fresh.state.now() < before + 1
    time.sleep(0.1)
    assert fresh.state.now() - before < 1
    for bad in ({}, {'time_scale': 0}, {'time_scale': 'x'}):
        assert requests.post(fresh.url + '/_emulator/time-scale', json=bad).status_code == 400
    assert fresh.log == []
    fresh.reset()
    assert fresh.state.clock.time_scale == SCALE


def test_cli_prints_url_and_stops_on_sigterm():
    proc = subprocess.Popen([sys.executable, '-m', 'tests.emulator', '--port', '0', '--time-scale', '0.1'], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith('EMULATOR_URL=http://127.0.0.1:')
        assert requests.get(line.split('=', 1)[1] + '/_emulator/faults').status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
