"""Job and step actions (CONTRACTS-2 §11) over HTTP: Flow retry / skip / stop on POP (retry without a suffix)
and the token API, AppStack execution retry / skip (token API only), and the answers where they do not apply."""

from emu_clients import ORG, ali_sdk, wait_until

FLOW = '/flow/organizations/{org}/pipelines'
STAGE = '/appstack/organizations/{org}/apps/demo-app/releaseWorkflows/wf-0001/releaseStages/%s'


def flow_run(yx, pid, run_id):
    return yx('GET', FLOW + '/%s/runs/%s' % (pid, run_id)).json()


def jobs(run):
    return {j['name']: j for s in run['stages'] for j in s['stageInfo']['jobs']}


def failed_flow_run(yx, pid='1002'):
    run_id = yx('POST', FLOW + '/%s/runs' % pid, {}).json()
    return run_id, wait_until(lambda: flow_run(yx, pid, run_id), lambda r: r['status'] != 'RUNNING')


def test_pop_retry_has_no_suffix_and_reruns_the_failed_job(emu, yx):
    from Tea.exceptions import TeaException
    run_id, run = failed_flow_run(yx)
    assert run['status'] == 'FAIL' and jobs(run)['unit-test']['status'] == 'FAIL'
    client = ali_sdk(emu.url)
    try:
        client.retry_pipeline_job_run(ORG, '1002', str(run_id), str(jobs(run)['build']['id']))
    except TeaException as exc:
        assert exc.data['statusCode'] == 400
    assert emu.log[-1]['path'].endswith('/jobs/%d' % jobs(run)['build']['id']) and emu.log[-1]['status'] == 400
    body = client.retry_pipeline_job_run(ORG, '1002', str(run_id), str(jobs(run)['unit-test']['id'])).body
    assert body.success is True and emu.log[-1]['operation'] == 'RetryPipelineJobRun' and emu.log[-1]['method'] == 'PUT'
    again = flow_run(yx, '1002', run_id)
    assert again['status'] == 'RUNNING' and jobs(again)['unit-test']['status'] == 'RUNNING' and jobs(again)['build']['status'] == 'SUCCESS'
    assert wait_until(lambda: flow_run(yx, '1002', run_id), lambda r: r['status'] != 'RUNNING')['status'] == 'FAIL'


def test_pop_skip_and_stop(emu, yx):
    from Tea.exceptions import TeaException
    client = ali_sdk(emu.url)
    run_id, run = failed_flow_run(yx)
    assert client.skip_pipeline_job_run(ORG, '1002', str(run_id), str(jobs(run)['unit-test']['id'])).body.success is True
    skipped = flow_run(yx, '1002', run_id)
    assert skipped['status'] == 'SUCCESS' and jobs(skipped)['unit-test']['status'] == 'SKIPPED'
    long_run = yx('POST', FLOW + '/1004/runs', {}).json()
    job = jobs(flow_run(yx, '1004', long_run))['build']['id']
    assert client.stop_pipeline_job_run(ORG, '1004', str(long_run), str(job)).body.success is True
    stopped = flow_run(yx, '1004', long_run)
    assert stopped['status'] == 'CANCELED' and jobs(stopped)['build']['status'] == 'CANCELED'
    try:
        client.stop_pipeline_job_run(ORG, '1004', str(long_run), str(job))
        raise AssertionError('stopping a finished job must fail')
    except TeaException as exc:
        assert exc.data['statusCode'] == 400
    assert emu.log[-1]['operation'] == 'StopPipelineJobRun'


def test_token_job_actions_answer_true_or_the_error(emu, yx):
    run_id, run = failed_flow_run(yx)
    base = FLOW + '/1002/pipelineRuns/%d/jobs/%%s/%%s' % run_id
    build, unit = jobs(run)['build']['id'], jobs(run)['unit-test']['id']
    for verb, job in (('retry', build), ('skip', build), ('stop', unit)):
        resp = yx('PUT', base % (job, verb))
        assert resp.status_code == 400 and resp.json()['errorCode'] == 'InvalidJob.StatusNotSupported'
    assert yx('PUT', base % (9999999, 'retry')).json()['errorCode'] == 'InvalidJob.NotFound'
    resp = yx('PUT', base % (unit, 'retry'))
    assert resp.status_code == 200 and resp.json() is True and emu.log[-1]['operation'] == 'PipelineJobAction'
    assert yx('PUT', base % (unit, 'stop')).json() is True
    assert flow_run(yx, '1002', run_id)['status'] == 'CANCELED'


def test_appstack_execution_retry_and_skip_token_only(emu, yx, pop):
    number = yx('POST', STAGE % 'stage-broken' + ':execute', {'params': {}}).json()['pipelineRunId']
    path = STAGE % 'stage-broken' + '/executions/%s' % number

    def pipeline_run():
        return yx('GET', path + ':getPipelineRun').json()['pipelineRun']
    run = wait_until(pipeline_run, lambda r: r['status'] != 'RUNNING')
    job = run['stages'][0]['stageInfo']['jobs'][0]['id']
    missing = yx('POST', path + ':retry')
    assert missing.status_code == 400 and 'jobId' in missing.json()['errorMessage']
    assert yx('POST', path + ':retry', params={'jobId': job}).json() == {'success': True}
    assert pipeline_run()['status'] == 'RUNNING'
    run = wait_until(pipeline_run, lambda r: r['status'] != 'RUNNING')
    assert yx('POST', path + ':skip', params={'jobId': job}).json() == {'success': True}
    assert pipeline_run()['status'] == 'SUCCESS'
    assert yx('POST', path + ':skip', params={'jobId': job}).json()['errorCode'] == 'InvalidExecution.StatusNotSupported'
    pop_path = '/appstack/apps/demo-app/releaseWorkflows/wf-0001/releaseStages/stage-broken/executions/%s%%3Aretry' % number
    no_pop = pop('POST', pop_path, 'RetryChangeRequestStagePipeline', {'jobId': job, 'organizationId': ORG})
    assert no_pop.status_code == 404 and no_pop.json()['Code'] == 'InvalidAction.NotFound'
