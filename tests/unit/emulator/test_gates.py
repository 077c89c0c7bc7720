"""Gates on both clouds (CONTRACTS-2 §10) over HTTP: CodeArts manual review, stage-entry checkpoint and delayed
execution, Flow validation jobs (POP and token API), AppStack release-stage validation; two gates at once."""

import pytest

from emu_clients import ORG, PROJECT, ali_sdk, hw_sdk, wait_until

CHECKPOINT, DELAY, TWO_GATES = 'c0000000000000000000000000000004', 'c0000000000000000000000000000005', 'c0000000000000000000000000000006'
FLOW = '/flow/organizations/{org}/pipelines'
STAGE = '/appstack/organizations/{org}/apps/demo-app/releaseWorkflows/wf-0001/releaseStages/%s'


def detail(hw, pid):
    return hw('GET', '/v5/{project}/api/pipelines/%s/pipeline-runs/detail' % pid).json()


def run_path(pid, run_id, rest):
    return '/v5/{project}/api/pipelines/%s/pipeline-runs/%s%s' % (pid, run_id, rest)


def jobs_of(run):
    return {j['name']: j for s in run['stages'] for j in s['jobs']}


def settled(hw, pid):
    return wait_until(lambda: detail(hw, pid), lambda r: r['status'] != 'RUNNING')


def test_codearts_checkpoint_is_a_pre_step(emu, hw):
    from huaweicloudsdkcodeartspipeline.v2 import AcceptCheckpointRequest
    run = detail(hw, CHECKPOINT)
    deploy = run['stages'][1]
    step = deploy['pre'][0]
    assert (step['task'], step['status'], deploy['status'], run['status']) == ('official_devcloud_manualTrigger', 'RUNNING', 'RUNNING', 'RUNNING')
    assert [j['name'] for j in deploy['jobs']] == ['deploy'] and deploy['jobs'][0]['status'] == 'INIT'
    review_path = run_path(CHECKPOINT, run['id'], '/jobs/%s/steps/%s/pass' % ('0' * 32, step['id']))
    assert hw('POST', review_path).status_code == 400  # not the job-step review call
    accept = AcceptCheckpointRequest(project_id=PROJECT, pipeline_id=CHECKPOINT, pipeline_run_id=run['id'],
                                     step_run_id=step['id'])
    hw_sdk(emu.url).accept_checkpoint(accept)
    assert emu.log[-1]['operation'] == 'AcceptCheckpoint' and emu.log[-1]['path'].endswith('/manual/pass')
    assert emu.state.codearts_runs[CHECKPOINT][-1].phases[1]['decided']['result'] == 'pass'
    assert settled(hw, CHECKPOINT)['status'] == 'COMPLETED'
    again = hw('POST', run_path(CHECKPOINT, run['id'], '/steps/%s/manual/refuse' % step['id']))
    assert again.status_code == 400 and again.json()['error_code'] == 'DEVPIPE.00011106'


def test_codearts_checkpoint_refused(emu, hw):
    run = detail(hw, CHECKPOINT)
    step = run['stages'][1]['pre'][0]
    assert hw('POST', run_path(CHECKPOINT, run['id'], '/steps/%s/manual/refuse' % step['id'])).json() == {'success': True}
    done = detail(hw, CHECKPOINT)
    assert done['status'] == 'FAILED' and done['stages'][1]['pre'][0]['status'] == 'FAILED'
    assert done['stages'][1]['jobs'][0]['status'] == 'INIT'


@pytest.mark.parametrize('verb,outcome', [('delay-pass', 'COMPLETED'), ('delay-refuse', 'FAILED')])
def test_codearts_delayed_execution(emu, hw, verb, outcome):
    run = detail(hw, DELAY)
    job = jobs_of(run)['delayed-release']
    step = job['steps'][0]
    assert step['task'] == 'official_devcloud_delay' and step['status'] == 'RUNNING' and run['status'] == 'RUNNING'
    base = run_path(DELAY, run['id'], '/jobs/%s/steps/%s/' % (job['id'], step['id']))
    assert hw('POST', base + 'delay', {}).json() == {'success': True}
    assert emu.state.codearts_runs[DELAY][-1].phases[1]['postponed'] == 3600
    assert emu.log[-1]['operation'] == 'ContinueDelayJob'
    assert hw('POST', base + verb, {}).json() == {'success': True}
    assert settled(hw, DELAY)['status'] == outcome
    assert hw('POST', base + 'delay', {}).status_code == 400
    build = jobs_of(run)['build']
    not_delay = run_path(DELAY, run['id'], '/jobs/%s/steps/%s/delay-pass' % (build['id'], build['steps'][0]['id']))
    assert hw('POST', not_delay, {}).json()['error_code'] == 'DEVPIPE.00011106'


def test_codearts_two_pending_reviews(emu, hw):
    run = detail(hw, TWO_GATES)
    qa, ops = jobs_of(run)['approve-qa'], jobs_of(run)['approve-ops']
    assert qa['steps'][0]['status'] == ops['steps'][0]['status'] == 'RUNNING'
    assert qa['steps'][0]['task'] == 'official_devcloud_checkpoint'
    for job in (ops, qa):
        assert detail(hw, TWO_GATES)['status'] == 'RUNNING'
        path = run_path(TWO_GATES, run['id'], '/jobs/%s/steps/%s/pass' % (job['id'], job['steps'][0]['id']))
        assert hw('POST', path, params={'approval_description': 'ok'}).json() == {'success': True}
    assert jobs_of(detail(hw, TWO_GATES))['approve-ops']['steps'][0]['status'] == 'COMPLETED'
    assert settled(hw, TWO_GATES)['status'] == 'COMPLETED'


def flow_run(yx, pid, run_id):
    return yx('GET', FLOW + '/%s/runs/%s' % (pid, run_id)).json()


def flow_jobs(run):
    return {j['name']: j for s in run['stages'] for j in s['stageInfo']['jobs']}


def test_flow_two_validation_jobs_pop_and_token(emu, yx):
    client = ali_sdk(emu.url)
    run_id = yx('POST', FLOW + '/1005/runs', {}).json()
    run = wait_until(lambda: flow_run(yx, '1005', run_id), lambda r: 'WAITING' in {j['status'] for j in flow_jobs(r).values()})
    qa, ops = flow_jobs(run)['validate-qa'], flow_jobs(run)['validate-ops']
    assert qa['status'] == ops['status'] == 'WAITING' and run['status'] == 'RUNNING'
    assert {a['type'] for a in qa['actions']} == {'PassPipelineValidate', 'RefusePipelineValidate'}
    assert client.pass_pipeline_validate(ORG, '1005', str(run_id), str(qa['id'])).body.success is True
    entry = emu.log[-1]
    assert entry['operation'] == 'PassPipelineValidate' and entry['vendor'] == 'alibaba' and entry['acted'] is True
    run = flow_run(yx, '1005', run_id)
    assert flow_jobs(run)['validate-qa']['status'] == 'SUCCESS' and flow_jobs(run)['validate-qa']['actions'] == []
    assert flow_jobs(run)['validate-ops']['status'] == 'WAITING'
    assert yx('POST', FLOW + '/1005/pipelineRuns/%d/jobs/%d/pass' % (run_id, qa['id'])).status_code == 400
    assert yx('POST', FLOW + '/1005/pipelineRuns/%d/jobs/%d/refuse' % (run_id, ops['id'])).json() is True
    done = flow_run(yx, '1005', run_id)
    assert done['status'] == 'FAIL' and flow_jobs(done)['validate-ops']['status'] == 'FAIL' and flow_jobs(done)['deploy']['status'] == 'INIT'
    decided = emu.state.flow_runs[run_id].phases
    assert decided[1]['decided']['by'] == 'LTAIEMU00000000000001' and decided[2]['decided']['by'] == '5f5f5f5f5f5f5f5f5f5f5f5f'


def test_appstack_two_validations_token_and_pop(emu, yx, pop):
    number = yx('POST', STAGE % 'stage-two-gates' + ':execute', {'params': {}}).json()['pipelineRunId']
    path = STAGE % 'stage-two-gates' + '/executions/%s' % number
    run = yx('GET', path + ':getPipelineRun').json()['pipelineRun']
    jobs = flow_jobs(run)
    assert jobs['validate-qa']['status'] == jobs['validate-ops']['status'] == 'WAITING'
    assert yx('POST', path + ':passPipelineValidate').status_code == 400  # jobId is required
    assert yx('POST', path + ':passPipelineValidate', params={'jobId': jobs['validate-qa']['id']}).json() == {'success': True}
    pop_path = '/appstack/apps/demo-app/releaseWorkflows/wf-0001/releaseStages/stage-two-gates/executions/%s%%3ApassPipelineValidate' % number
    resp = pop('POST', pop_path, 'PassReleaseStagePipelineValidate', {'jobId': jobs['validate-ops']['id'], 'organizationId': ORG})
    assert resp.json()['success'] is True and emu.log[-1]['operation'] == 'PassReleaseStagePipelineValidate'

    def state():
        return yx('GET', STAGE % 'stage-two-gates' + '/executions').json()['data'][0]['state']
    assert wait_until(state, lambda s: s != 'RUNNING') == 'SUCCESS'
