"""CodeArts Pipeline v5 runs (CONTRACTS-2 §9) over HTTP: start with a body, the queued answer and the queue,
list, detail with pre/post/jobs/steps, stop, retry, resume; one state with batch status and manual review."""

import pytest

from emu_clients import PROJECT, hw_sdk, wait_until

NEVER_RAN = 'a0000000000000000000000000000004'
QUEUE_1 = 'c0000000000000000000000000000001'
FAILS = 'c0000000000000000000000000000002'
REVIEW = 'c0000000000000000000000000000003'
PAUSED = 'c0000000000000000000000000000007'


def detail(hw, pid, run_id=None):
    return hw('GET', '/v5/{project}/api/pipelines/%s/pipeline-runs/detail' % pid,
              params={'pipeline_run_id': run_id} if run_id else None).json()


def run_path(pid, run_id, rest=''):
    return '/v5/{project}/api/pipelines/%s/pipeline-runs/%s%s' % (pid, run_id, rest)


def jobs_of(run):
    return {j['name']: j for s in run['stages'] for j in s['jobs']}


def test_run_pipeline_with_a_body_through_the_sdk(emu, hw):
    from huaweicloudsdkcodeartspipeline.v2 import (RunPipelineDTO, RunPipelineDTOSources, RunPipelineDTOVariables,
                                                   RunPipelineRequest)
    source = RunPipelineDTOSources(type='code', params={'git_type': 'codehub', 'git_url': 'https://example.com/x.git',
                                                        'build_params': {'build_type': 'branch', 'target_branch': 'release/1.0'}})
    body = RunPipelineDTO(sources=[source], description='by the sdk', variables=[RunPipelineDTOVariables(name='ENV', value='dev')],
                          choose_stages=['stage_0'])
    run_id = hw_sdk(emu.url).run_pipeline(RunPipelineRequest(project_id=PROJECT, pipeline_id=NEVER_RAN, body=body)).pipeline_run_id
    assert len(run_id) == 32 and emu.log[-1]['operation'] == 'RunPipeline' and emu.log[-1]['acted'] is True
    run = detail(hw, NEVER_RAN, run_id)
    assert run['description'] == 'by the sdk' and run['sources'][0]['params']['git_type'] == 'codehub'
    assert run['stages'][0]['pre'] == [] and run['stages'][0]['jobs'][0]['steps'][0]['task'] == 'official_shell_plugin'
    listed = hw('POST', '/v5/{project}/api/pipelines/%s/pipeline-runs/list' % NEVER_RAN, {}).json()
    assert listed['pipeline_runs'][0]['build_params']['target_branch'] == 'release/1.0'
    bad = hw('POST', '/v5/{project}/api/pipelines/%s/run' % NEVER_RAN, {'sources': [{'type': 'code', 'params': {'git_type': 'svn'}}]})
    assert bad.status_code == 400 and bad.json()['error_code'] == 'DEVPIPE.00011101'
    assert hw('POST', '/v5/{project}/api/pipelines/%s/run' % NEVER_RAN, {'choose_stages': ['nope']}).status_code == 400


def test_choose_stages_leaves_the_others_unselected(emu, hw):
    run_id = hw('POST', '/v5/{project}/api/pipelines/%s/run' % QUEUE_1, {'choose_stages': ['stage_1']}).json()['pipeline_run_id']
    run = wait_until(lambda: detail(hw, QUEUE_1, run_id), lambda r: r['status'] != 'RUNNING')
    build, deploy = run['stages']
    assert (build['status'], build['is_select'], build['jobs'][0]['status']) == ('UNSELECTED', False, 'UNSELECTED')
    assert deploy['status'] == 'COMPLETED' and run['status'] == 'COMPLETED'


def test_second_start_is_queued_then_runs(emu, hw):
    first = hw('POST', '/v5/{project}/api/pipelines/%s/run' % QUEUE_1).json()['pipeline_run_id']
    queued = hw('POST', '/v5/{project}/api/pipelines/%s/run' % QUEUE_1, {})
    body = queued.json()
    assert queued.status_code == 200 and body['error_code'] == 'DEVPIPE.00011169' and body['error_msg']
    second, queue_id = body['error']['pipeline_run_id'], body['error']['queue_id']
    assert second != first and len(queue_id) == 32
    listed = hw('GET', '/v5/{project}/api/pipelines/%s/queued-pipeline' % QUEUE_1, params={'limit': '10', 'offset': '0'}).json()
    assert [(q['id'], q['pipeline_run_id']) for q in listed['queuedPipelines']] == [(queue_id, second)]
    assert hw('GET', '/v5/{project}/api/pipelines/%s/queued-pipeline' % QUEUE_1,
              params={'limit': '10', 'offset': '10'}).json() == {'queuedPipelines': []}
    waiting = detail(hw, QUEUE_1, second)
    assert waiting['status'] == 'RUNNING' and waiting['start_time'] is None and {s['status'] for s in waiting['stages']} == {'INIT'}
    done = wait_until(lambda: detail(hw, QUEUE_1, second), lambda r: r['status'] != 'RUNNING')
    assert done['status'] == 'COMPLETED' and done['start_time'] >= detail(hw, QUEUE_1, first)['end_time']
    assert hw('POST', '/v5/{project}/api/pipelines/status', [QUEUE_1]).json()[0]['pipeline_run_id'] == second


def test_queued_answer_variants_and_cancel_queuing(emu, hw):
    emu.set_switches(**{'huawei.codearts.queued_http_status': 202, 'huawei.codearts.queued_run_status': 'QUEUED'})
    hw('POST', '/v5/{project}/api/pipelines/%s/run' % QUEUE_1)
    queued = hw('POST', '/v5/{project}/api/pipelines/%s/run' % QUEUE_1)
    assert queued.status_code == 202
    run_id, queue_id = queued.json()['error']['pipeline_run_id'], queued.json()['error']['queue_id']
    assert detail(hw, QUEUE_1, run_id)['status'] == 'QUEUED'
    wrong = hw('POST', '/v5/{project}/api/pipelines/%s/%s/cancel-queuing/%s' % (QUEUE_1, run_id, 'f' * 32), {})
    assert wrong.status_code == 400 and wrong.json()['error_code'] == 'DEVPIPE.00011106'
    assert hw('POST', '/v5/{project}/api/pipelines/%s/%s/cancel-queuing/%s' % (QUEUE_1, run_id, queue_id), {}).json() == {'success': True}
    assert detail(hw, QUEUE_1, run_id)['status'] == 'CANCELED'
    assert emu.log[-2]['operation'] == 'CancelQueuingPipelineRun'
    assert hw('POST', '/_emulator/switches', {'nope': 1}).status_code == 400


def test_sdk_parses_the_queued_body_without_the_run_id(emu):
    from huaweicloudsdkcodeartspipeline.v2 import RunPipelineDTO, RunPipelineRequest
    client = hw_sdk(emu.url)
    client.run_pipeline(RunPipelineRequest(project_id=PROJECT, pipeline_id=QUEUE_1, body=RunPipelineDTO()))
    resp = client.run_pipeline(RunPipelineRequest(project_id=PROJECT, pipeline_id=QUEUE_1, body=RunPipelineDTO()))
    assert resp.pipeline_run_id is None and resp.error_msg


def test_list_runs_paging_sort_and_filters(emu, hw):
    path = '/v5/{project}/api/pipelines/%s/pipeline-runs/list' % NEVER_RAN
    ids = [hw('POST', '/v5/{project}/api/pipelines/%s/run' % NEVER_RAN).json()['pipeline_run_id'] for dummy in range(3)]
    newest = hw('POST', path, {'offset': 0, 'limit': 1, 'sort_key': 'start_time', 'sort_dir': 'desc'}).json()
    assert (newest['total'], newest['limit'], [r['pipeline_run_id'] for r in newest['pipeline_runs']]) == (3, 1, [ids[-1]])
    assert newest['pipeline_runs'][0]['stage_status_list'][0]['id']
    oldest = hw('POST', path, {'offset': 1, 'limit': 5, 'sort_key': 'start_time', 'sort_dir': 'asc'}).json()
    assert [r['pipeline_run_id'] for r in oldest['pipeline_runs']] == ids[1:]
    assert hw('POST', path, {'status': ['FAILED']}).json()['total'] == 0
    assert hw('POST', path, {'status': ['RUNNING'], 'trigger_type': ['Manual']}).json()['total'] == 3
    assert hw('POST', path, {'start_time': '2000-01-01 00:00:00', 'end_time': '2999-01-01 00:00:00'}).json()['total'] == 3
    emu.set_switches(**{'huawei.codearts.list_runs_default_sort_dir': 'asc'})
    assert hw('POST', path, {'limit': 1}).json()['pipeline_runs'][0]['pipeline_run_id'] == ids[0]
    for bad in ({'limit': 101}, {'offset': -1}, {'sort_key': 'name'}, {'start_time': 'yesterday'}):
        assert hw('POST', path, bad).json()['error_code'] == 'DEVPIPE.00011101'


def test_failed_job_retry_and_stop(emu, hw):
    from huaweicloudsdkcodeartspipeline.v2 import RetryPipelineRequest, RetryPipelineRunRequest
    run = detail(hw, FAILS)
    jobs = jobs_of(run)
    assert run['status'] == 'FAILED' and jobs['unit-test']['status'] == 'FAILED' and jobs['build']['status'] == 'COMPLETED'
    assert jobs['unit-test']['steps'][0]['name'] == 'run-tests' and jobs['unit-test']['steps'][0]['status'] == 'FAILED'
    retry = run_path(FAILS, run['id'], '/retry')
    assert hw('PUT', retry, {'job_run_ids': [jobs['build']['id']]}).json()['error_code'] == 'DEVPIPE.00011106'
    hw_sdk(emu.url).retry_pipeline_run(RetryPipelineRunRequest(project_id=PROJECT, pipeline_id=FAILS, pipeline_run_id=run['id'],
                                                               body=RetryPipelineRequest(job_run_ids=[jobs['unit-test']['id']])))
    again = detail(hw, FAILS, run['id'])
    assert again['status'] == 'RUNNING' and jobs_of(again)['build']['status'] == 'COMPLETED'
    assert emu.log[-2]['operation'] == 'RetryPipelineRun' and emu.log[-2]['method'] == 'PUT'
    assert wait_until(lambda: detail(hw, FAILS, run['id']), lambda r: r['status'] != 'RUNNING')['status'] == 'FAILED'
    assert hw('PUT', retry).json() == {'success': True}  # no body: every failed job
    assert hw('POST', run_path(FAILS, run['id'], '/stop')).json() == {'success': True}
    assert detail(hw, FAILS, run['id'])['status'] == 'CANCELED'
    assert hw('PUT', retry).status_code == 400 and hw('POST', run_path(FAILS, run['id'], '/stop')).status_code == 400


def test_retry_is_queued_when_the_pipeline_is_busy(emu, hw):
    emu.state.codearts[FAILS]['concurrency'] = 1
    failed = detail(hw, FAILS)['id']
    hw('POST', '/v5/{project}/api/pipelines/%s/run' % FAILS)
    answer = hw('PUT', run_path(FAILS, failed, '/retry')).json()
    assert answer['error_code'] == 'DEVPIPE.00011169' and answer['error']['pipeline_run_id'] == failed
    assert wait_until(lambda: detail(hw, FAILS, failed), lambda r: r['stages'][1]['status'] == 'INIT', 0.1)['stages'][1]['status'] == 'INIT'
    assert wait_until(lambda: detail(hw, FAILS, failed), lambda r: r['status'] == 'FAILED')['status'] == 'FAILED'


def test_review_is_the_same_run_everywhere_and_records_the_decider(emu, hw):
    from huaweicloudsdkcodeartspipeline.v2 import AcceptManualReviewRequest
    run = detail(hw, REVIEW)
    step = jobs_of(run)['Approval']['steps'][0]
    assert step['task'] == 'official_devcloud_checkpoint' and {'key': 'approvers', 'value': 'emu-user'} in step['inputs']
    assert hw('POST', '/v5/{project}/api/pipelines/status', [REVIEW]).json()[0]['pipeline_run_id'] == run['id']
    hw_sdk(emu.url).accept_manual_review(AcceptManualReviewRequest(
        project_id=PROJECT, pipeline_id=REVIEW, pipeline_run_id=run['id'], job_run_id=jobs_of(run)['Approval']['id'],
        step_run_id=step['id'], approval_description='ship it'))
    decided = emu.state.codearts_runs[REVIEW][-1].phases[1]['decided']
    assert decided['by'] == 'HWEMUAK000000000001' and decided['comment'] == 'ship it' and decided['result'] == 'pass'
    assert wait_until(lambda: detail(hw, REVIEW), lambda r: r['status'] != 'RUNNING')['status'] == 'COMPLETED'


@pytest.mark.parametrize('switch,review_resumes', [('pause', False), ('any_gate', True)])
def test_resume_a_paused_step(emu, hw, switch, review_resumes):
    emu.set_switches(**{'huawei.codearts.resume_applies_to': switch})
    run = detail(hw, PAUSED)
    hold = jobs_of(run)['hold']
    assert run['status'] == 'PAUSED' and hold['status'] == 'PAUSED'
    review = detail(hw, REVIEW)
    gate = jobs_of(review)['Approval']
    resumed = hw('POST', run_path(REVIEW, review['id'], '/jobs/%s/steps/%s/resume' % (gate['id'], gate['steps'][0]['id'])), {})
    assert (resumed.status_code == 200) is review_resumes
    assert hw('POST', run_path(PAUSED, run['id'], '/jobs/%s/steps/%s/resume' % (hold['id'], hold['steps'][0]['id'])), {}).json() == {'success': True}
    assert wait_until(lambda: detail(hw, PAUSED), lambda r: r['status'] not in ('RUNNING', 'PAUSED'))['status'] == 'COMPLETED'


def test_gate_job_status_switch(emu, hw):
    assert jobs_of(detail(hw, REVIEW))['Approval']['status'] == 'RUNNING'
    emu.set_switches(**{'huawei.codearts.gate_job_status': 'PAUSED'})
    job = jobs_of(detail(hw, REVIEW))['Approval']
    assert job['status'] == 'PAUSED' and job['steps'][0]['status'] == 'RUNNING'
