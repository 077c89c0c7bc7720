"""Failure logs (CONTRACTS-2 §13) over HTTP: CodeArts step logs (pages by offsets), Flow job logs (POP and token,
token step logs by offset), AppStack :pipelineJobLog, ServiceStage release-task records; ANSI codes, secrets,
a non-UTF-8 byte, and jobs whose log call fails."""

import json

import pytest

from emu_clients import ORG, PROJECT, hw_sdk, wait_until
from tests.emulator.logs import FAILING_LINES, LOG_SECRETS

FAILS, DENIED = 'c0000000000000000000000000000002', 'c0000000000000000000000000000008'
FLOW = '/flow/organizations/{org}/pipelines'


def failed_step(hw, pid):
    run = hw('GET', '/v5/{project}/api/pipelines/%s/pipeline-runs/detail' % pid).json()
    job = [j for s in run['stages'] for j in s['jobs'] if j['status'] == 'FAILED'][0]
    return '/v5/{project}/api/pipelines/%s/pipeline-runs/%s/jobs/%s/steps/%s/' % (pid, run['id'], job['id'], job['steps'][0]['id'])


def check_text(raw):
    """The raw bytes of a whole failing log: ANSI, both secrets, the 0xE9 byte, the error at the end."""
    assert b'\x1b[31m' in raw and b'caf\xe9 au lait' in raw and all(s.encode() in raw for s in LOG_SECRETS)
    text = raw.decode('utf-8', 'replace')
    assert 'Process exited with code 1' in text.strip().splitlines()[-1]


@pytest.mark.parametrize('echo', ['both', 'end_as_start'])
def test_codearts_step_log_pages(emu, hw, echo):
    path = failed_step(hw, FAILS) + 'logs'
    body = {'start_offset': 0, 'end_offset': 0, 'limit': 500, 'sort': 'asc'}
    pages = []
    while True:
        resp = hw('POST', path, body)
        assert resp.status_code == 200
        page = json.loads(resp.content.decode('utf-8', 'surrogateescape'))
        pages.append(page)
        if not page['has_more']:
            break
        assert isinstance(page['start_offset'], str) and isinstance(page['end_offset'], str)
        body = dict(body, start_offset=page['start_offset'] if echo == 'both' else page['end_offset'], end_offset=page['end_offset'])
    assert len(pages) == 3 and pages[-1]['end_offset'] == str(FAILING_LINES)
    raw = ''.join(p['log'] for p in pages).encode('utf-8', 'surrogateescape')
    check_text(raw)
    assert emu.log[-1]['operation'] == 'ShowPipelineLog'


def test_codearts_step_log_sdk_exec_log_and_errors(emu, hw):
    from huaweicloudsdkcodeartspipeline.v2 import ShowPipelineLogRequest
    path = failed_step(hw, FAILS)
    parts = path.strip('/').split('/')
    emu.set_switches(**{'logs.invalid_byte': 'replacement'})  # the SDK decodes the body as UTF-8
    resp = hw_sdk(emu.url).show_pipeline_log(ShowPipelineLogRequest(
        project_id=PROJECT, pipeline_id=FAILS, pipeline_run_id=parts[6], job_run_id=parts[8], step_run_id=parts[10],
        body={'start_offset': 0, 'end_offset': 0, 'limit': 2000, 'sort': 'desc'}))
    assert resp.has_more is False and 'Process exited' in resp.log.splitlines()[0] and 'caf\ufffd' in resp.log
    assert hw('POST', path + 'exec-log', {'limit': 10, 'sort': 'asc'}).json()['error_code'] == 'DEVPIPE.00011101'
    assert hw('POST', path + 'exec-log', {'limit': 10, 'sort': 'asc', 'offset': 0}).json()['end_offset'] == '10'
    assert hw('POST', path + 'logs', {'limit': 10}).status_code == 400
    denied = hw('POST', failed_step(hw, DENIED) + 'logs', {'limit': 10, 'sort': 'asc'})
    assert denied.status_code == 403 and denied.json()['error_code'] == 'DEVPIPE.00011108'
    emu.add_fault(path='/logs$', status=500)
    assert hw('POST', path + 'logs', {'limit': 10, 'sort': 'asc'}).status_code == 500


def failed_flow(yx, pid):
    run_id = yx('POST', FLOW + '/%s/runs' % pid, {}).json()
    run = wait_until(lambda: yx('GET', FLOW + '/%s/runs/%s' % (pid, run_id)).json(), lambda r: r['status'] != 'RUNNING')
    job = [j for s in run['stages'] for j in s['stageInfo']['jobs'] if j['status'] == 'FAIL'][0]
    return run_id, job['id']


def test_flow_job_logs_pop_and_token(emu, yx, pop):
    run_id, job = failed_flow(yx, '1002')
    resp = pop('GET', '/organization/%s/pipeline/1002/pipelineRun/%s/job/%s/logs' % (ORG, run_id, job), 'LogPipelineJobRun')
    assert resp.status_code == 200 and b'"more": false' in resp.content and b'"success": true' in resp.content
    check_text(json.loads(resp.content.decode('utf-8', 'surrogateescape'))['log']['content'].encode('utf-8', 'surrogateescape'))
    token = yx('GET', FLOW + '/1002/runs/%s/job/%s/log' % (run_id, job))
    body = json.loads(token.content.decode('utf-8', 'surrogateescape'))
    assert body['last'] == FAILING_LINES and body['more'] is False and emu.log[-1]['operation'] == 'GetPipelineJobRunLog'
    steps = yx('GET', FLOW + '/1002/pipelineRuns/%s/jobs/%s/steps' % (run_id, job)).json()
    node = steps[0]['buildProcessNodes'][0]
    assert node['status'] == 'FAIL' and node['finish'] is True
    offset, text = 0, b''
    while offset != -1:
        page = yx('GET', FLOW + '/1002/pipelineRuns/%s/jobs/%s/step/log' % (run_id, job),
                  params={'stepIndex': node['stepIndex'], 'offset': offset, 'limit': 2000 if offset else 500, 'buildId': steps[0]['buildId']})
        data = json.loads(page.content.decode('utf-8', 'surrogateescape'))
        text += data['logs'].encode('utf-8', 'surrogateescape')
        offset = data['last']
    check_text(text)
    assert yx('GET', FLOW + '/1002/pipelineRuns/%s/jobs/%s/step/log' % (run_id, job), params={'offset': 0}).status_code == 400
    emu.set_switches(**{'alibaba.flow.steps_key': 'steps'})
    assert 'steps' in yx('GET', FLOW + '/1002/pipelineRuns/%s/jobs/%s/steps' % (run_id, job)).json()[0]


def test_flow_job_log_error_and_running_log(emu, yx, pop):
    run_id, job = failed_flow(yx, '1006')
    token = yx('GET', FLOW + '/1006/runs/%s/job/%s/log' % (run_id, job))
    assert token.status_code == 500 and token.json()['errorCode'] == 'InternalError'
    popped = pop('GET', '/organization/%s/pipeline/1006/pipelineRun/%s/job/%s/logs' % (ORG, run_id, job), 'LogPipelineJobRun')
    assert popped.status_code == 500 and popped.json()['success'] is False
    long_run = yx('POST', FLOW + '/1004/runs', {}).json()
    growing = yx('GET', FLOW + '/1004/runs/%s/job/%s/log' % (long_run, long_run * 100 + 1)).json()
    assert growing['more'] is True and 'started' in growing['content']


@pytest.mark.parametrize('shape,keys', [('content', {'content', 'more'}), ('log', {'log', 'hasMore'})])
def test_appstack_pipeline_job_log(emu, yx, shape, keys):
    emu.set_switches(**{'alibaba.appstack.job_log_shape': shape})
    stage = '/appstack/organizations/{org}/apps/demo-app/releaseWorkflows/wf-0001/releaseStages/stage-broken'
    number = yx('POST', stage + ':execute', {'params': {}}).json()['pipelineRunId']
    path = stage + '/executions/%s' % number
    run = wait_until(lambda: yx('GET', path + ':getPipelineRun').json()['pipelineRun'], lambda r: r['status'] != 'RUNNING')
    job = run['stages'][0]['stageInfo']['jobs'][0]['id']
    resp = yx('GET', path + ':pipelineJobLog', params={'jobId': job})
    body = json.loads(resp.content.decode('utf-8', 'surrogateescape'))
    assert set(body) == keys and emu.log[-1]['operation'] == 'GetAppReleaseStageExecutionPipelineJobLog'
    check_text(body[shape].encode('utf-8', 'surrogateescape'))
    assert yx('GET', path + ':pipelineJobLog').status_code == 400


def test_servicestage_records(emu, hw):
    base = '/v3/{project}/pipeline/pipelines/rt-fail-0002'
    assert hw('GET', base + '/records', token=True).json() == {'count': 0, 'records': []}
    first = hw('POST', base + '/action', {}, params={'action_id': 'start'}).json()['id']
    wait_until(lambda: hw('GET', base).json()['status'], lambda s: s != 4)
    second = hw('POST', base + '/action', {}, params={'action_id': 'start'}).json()['id']
    records = hw('GET', base + '/records').json()
    assert records['count'] == 2 and [r['id'] for r in records['records']] == [int(second), int(first)]
    assert records['records'][1]['status'] == 3 and records['records'][1]['failed_task'] == 'deploy-app'
    emu.set_switches(**{'huawei.servicestage.record_id_type': 'string'})
    assert hw('GET', base + '/records', params={'limit': '1'}).json()['records'][0]['id'] == second
    assert hw('GET', '/v3/{project}/pipeline/pipelines/nope/records').json()['error_code'] == 'SVCSTG.00100433'
