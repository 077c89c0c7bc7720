"""Huawei Cloud CodeArts Pipeline: v5 runs (latest status of many pipelines, detail, list, start, stop, manual
review) and the v3 stage review ``start_info``.

Records: ``state.codearts`` (pipeline id -> definition), ``state.codearts_runs`` (pipeline id -> runs, oldest
first), ``state.v3_reviews`` (accepted v3 reviews). Each phase of a run is one job with one step.
"""

import datetime

from ..routing import Response
from ..state import (CANCELED, FAILED, PAUSED, PENDING, QUEUED, RUNNING, SKIPPED, STOPPING, SUCCESS, WAITING,
                     Run, StatusNames, hexid, ms)
from .auth import fail, require_project

CODEARTS = {QUEUED: 'RUNNING', PENDING: 'INIT', RUNNING: 'RUNNING', WAITING: 'RUNNING', PAUSED: 'PAUSED', STOPPING: 'RUNNING',
            SUCCESS: 'COMPLETED', FAILED: 'FAILED', CANCELED: 'CANCELED', SKIPPED: 'SKIPPED'}
NAMES = StatusNames(run=CODEARTS, job=CODEARTS)
STEPS = StatusNames(job={PENDING: None, RUNNING: 'RUNNING', WAITING: 'RUNNING', PAUSED: 'RUNNING', SUCCESS: 'COMPLETED',
                         FAILED: 'FAILED', CANCELED: 'CANCELED', SKIPPED: None})
EXECUTOR_ID = 'e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0'
PIPELINES = '/v5/{project_id}/api/pipelines'
RUNS = PIPELINES + '/{pipeline_id}/pipeline-runs'
RUN = RUNS + '/{run_id}'


# ----------------------------------------------------------------------------------------------- records
def seed(state):
    """Named pipelines with their latest run, plus the generated ones."""
    state.codearts, state.codearts_runs, state.v3_reviews = {}, {}, []
    spec = state.data['huawei']['codearts']
    templates = spec['templates']
    for pid, pipe in spec['pipelines'].items():
        state.codearts[pid] = dict(pipe)
    gen = spec['generated']
    for n in range(1, int(gen['count']) + 1):
        initial = gen['default']
        for rule in gen['rules']:
            if n % int(rule['mod']) == 0:
                initial = rule['initial']
                break
        state.codearts[gen['format'] % n] = {'name': 'generated-%d' % n, 'initial': initial, 'template': gen['template']}
    now = state.now()
    for pid, pipe in state.codearts.items():
        state.codearts_runs[pid] = []
        if pipe.get('initial'):
            init = templates[pipe['initial']] if isinstance(pipe['initial'], str) else pipe['initial']
            phases = templates[init['phases']] if isinstance(init['phases'], str) else init['phases']
            new_run(state, pid, phases, now - float(init.get('started_ago', 0)))


def dump(state, now):
    """Runs of the named pipelines (not the generated ones) and the v3 reviews."""
    return {'codearts_runs': {pid: [r.advance(now).dump() for r in runs] for pid, runs in state.codearts_runs.items()
                              if runs and not pid.startswith('b')},
            'v3_reviews': state.v3_reviews}


def new_run(state, pid, phases, start):
    """Create a run (32-hex id) as the pipeline's latest."""
    runs = state.codearts_runs[pid]
    run = Run(hexid('codearts-run', pid, len(runs) + 1, state.next_id('codearts_run', first=0)),
              phases, start, run_number=len(runs) + 1, pipeline_id=pid)
    runs.append(run)
    return run


def _pipeline(req, state):
    """The pipeline id of the path (404 for another project or an unknown pipeline)."""
    require_project(req, state, 'DEVPIPE.00011104', 'The pipeline does not exist')
    pid = req.params['pipeline_id']
    if pid not in state.codearts:
        raise fail(404, 'DEVPIPE.00011104', 'The pipeline does not exist: %s' % pid)
    return pid


def _find_run(state, pid, run_id):
    for run in state.codearts_runs[pid]:
        if run.id == run_id:
            return run.advance(state.now())
    raise fail(404, 'DEVPIPE.00011105', 'The pipeline run does not exist: %s' % run_id)


def _path_run(req, state):
    """The run named by ``{pipeline_id}`` and ``{run_id}`` in the path, advanced to now."""
    return _find_run(state, _pipeline(req, state), req.params['run_id'])


def _json_body(req, default, expected, what):
    """The JSON body (``default`` when empty) if it is of the ``expected`` type, else 400."""
    try:
        body = req.json() if req.body else default
    except ValueError as exc:
        raise fail(400, 'DEVPIPE.00011101', 'Request body is not valid JSON') from exc
    if not isinstance(body, expected):
        raise fail(400, 'DEVPIPE.00011101', 'Request body must be a JSON ' + what)
    return body


# ----------------------------------------------------------------------------------------------- shapes
def _text_time(seconds):
    return None if seconds is None else datetime.datetime.fromtimestamp(seconds).strftime('%Y-%m-%d %H:%M:%S')


def _latest(run, state, pid, with_ids=False):
    """PipelineLatestRun / ListPipelineRuns item."""
    stages = []
    for stage in run.stages():
        item = {'name': stage.name, 'sequence': stage.seq, 'status': NAMES.stage(stage),
                'start_time': _text_time(stage.start), 'end_time': _text_time(stage.end)}
        if with_ids:
            item['id'] = hexid(run.id, 'stage', stage.name)
        stages.append(item)
    project = state.data['huawei']['project_id']
    url = 'https://devcloud.cn-north-4.huaweicloud.com/cicd/project/%s/pipeline/detail/%s' % (project, pid)
    return {'pipeline_id': pid, 'pipeline_run_id': run.id, 'executor_id': EXECUTOR_ID,
            'executor_name': 'emu-user', 'stage_status_list': stages, 'status': NAMES.run(run),
            'run_number': run.extra['run_number'], 'trigger_type': 'Manual',
            'build_params': {'action': None, 'build_type': 'branch', 'commit_id': hexid(run.id, 'commit')[:40],
                             'event_type': 'Manual', 'merge_id': None, 'message': 'emulated commit', 'source_branch': None,
                             'tag': None, 'target_branch': 'master', 'codehub_id': '2111699716',
                             'git_url': 'https://example.com/emu/repo.git'},
            'artifact_params': None, 'start_time': ms(run.started), 'end_time': ms(run.ended),
            'modify_url': url + '?edit=1', 'detail_url': '%s/%s' % (url, run.id)}


def _step(run, index, phase):
    return {'id': hexid(run.id, 'step', index), 'name': phase.get('step', phase['job']), 'task': phase.get('task', 'official_shell_plugin'),
            'business_type': 'Normal', 'inputs': [], 'sequence': 0, 'official_task_version': '0.0.1', 'identifier': 'step_%d' % index,
            'multi_step_editable': 0, 'endpoint_ids': [], 'last_dispatch_id': hexid(run.id, 'dispatch', index),
            'status': STEPS.job(phase), 'message': None, 'start_time': ms(phase['start']), 'end_time': ms(phase['end']),
            'daily_build_number': None}


def _job(run, seq, index, phase):
    return {'id': hexid(run.id, 'job', index), 'category': None, 'sequence': seq, 'async': 'false', 'name': phase['job'],
            'identifier': 'job_%d' % index, 'depends_on': [], 'condition': None, 'resource': None, 'is_select': True,
            'timeout': '', 'last_dispatch_id': hexid(run.id, 'dispatch', index), 'status': NAMES.job(phase),
            'message': None, 'start_time': ms(phase['start']), 'end_time': ms(phase['end']),
            'steps': [_step(run, index, phase)], 'exec_id': hexid(run.id, 'exec', index)}


def _detail(run, state, pid):
    """PipelineRunDetail: the run with stages -> jobs -> steps."""
    stages = [{'id': hexid(run.id, 'stage', stage.name), 'category': None, 'name': stage.name, 'identifier': 'stage_%d' % stage.seq,
               'run_always': False, 'parallel': None, 'is_select': True, 'sequence': stage.seq, 'depends_on': [],
               'condition': None, 'status': NAMES.stage(stage), 'start_time': ms(stage.start), 'end_time': ms(stage.end),
               'pre': [], 'post': [], 'jobs': [_job(run, n, i, p) for n, (i, p) in enumerate(stage.phases)]}
              for stage in run.stages()]
    return {'id': run.id, 'pipeline_id': pid, 'manifest_version': '3.0', 'name': state.codearts[pid]['name'], 'description': '',
            'is_publish': False, 'executor_id': EXECUTOR_ID, 'executor_name': 'emu-user',
            'status': NAMES.run(run), 'trigger_type': 'Manual', 'run_number': run.extra['run_number'], 'pause_time': 0,
            'start_time': ms(run.started), 'end_time': ms(run.ended), 'stages': stages, 'domain_id': 'd' * 32,
            'project_id': state.data['huawei']['project_id'], 'region': 'cn-north-4', 'component_id': '', 'language': 'zh-cn',
            'sources': []}


# ----------------------------------------------------------------------------------------------- v5 calls
def batch_status(req, state):
    """POST /v5/{project_id}/api/pipelines/status -- body: JSON array of ids (max 100)."""
    require_project(req, state, 'DEVPIPE.00011101', 'Invalid project id')
    try:
        ids = req.json()
    except ValueError as exc:
        raise fail(400, 'DEVPIPE.00011101', 'Request body must be a JSON array of pipeline IDs') from exc
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids) or not ids:
        raise fail(400, 'DEVPIPE.00011101', 'Request body must be a non-empty JSON array of pipeline ID strings')
    limit = int(state.data['huawei']['codearts'].get('batch_status_max_ids', 100))
    if len(ids) > limit:
        raise fail(400, 'DEVPIPE.00011107', 'At most %d pipeline IDs can be queried at a time' % limit)
    now = state.now()
    out = []
    for pid in dict.fromkeys(ids):
        runs = state.codearts_runs.get(pid)
        if runs:
            out.append(_latest(runs[-1].advance(now), state, pid))
    return Response(200, out)


def run_detail(req, state):
    """GET .../pipeline-runs/detail?pipeline_run_id= (latest run without it)."""
    pid = _pipeline(req, state)
    run_id = req.arg('pipeline_run_id')
    runs = state.codearts_runs[pid]
    if run_id:
        run = _find_run(state, pid, run_id)
    elif runs:
        run = runs[-1].advance(state.now())
    else:
        raise fail(404, 'DEVPIPE.00011105', 'The pipeline has no run')
    return Response(200, _detail(run, state, pid))


def run_pipeline(req, state):
    """POST /v5/{project_id}/api/pipelines/{pipeline_id}/run -> {"pipeline_run_id"}."""
    pid = _pipeline(req, state)
    _json_body(req, {}, dict, 'object')
    template = state.codearts[pid].get('template') or 'build'
    phases = state.data['huawei']['codearts']['templates'][template] if isinstance(template, str) else template
    run = new_run(state, pid, phases, state.now())
    return Response(200, {'pipeline_run_id': run.id}, acted=True)


def list_runs(req, state):
    """POST .../pipeline-runs/list (offset/limit/status filter)."""
    pid = _pipeline(req, state)
    try:
        query = req.json() if req.body else {}
        offset, limit = int(query.get('offset') or 0), int(query.get('limit') or 10)
    except (ValueError, TypeError, AttributeError) as exc:
        raise fail(400, 'DEVPIPE.00011101', 'Invalid query') from exc
    now = state.now()
    runs = [_latest(r.advance(now), state, pid, True) for r in reversed(state.codearts_runs[pid])]
    if query.get('status'):
        runs = [r for r in runs if r['status'] in query['status']]
    return Response(200, {'offset': offset, 'limit': limit, 'total': len(runs), 'pipeline_runs': runs[offset:offset + limit]})


def stop_run(req, state):
    """POST .../pipeline-runs/{pipeline_run_id}/stop."""
    if not _path_run(req, state).stop(state.now()):
        raise fail(400, 'DEVPIPE.00011106', 'The pipeline run has already finished')
    return Response(200, {'success': True}, acted=True)


def review(req, state):
    """POST .../jobs/{job_run_id}/steps/{step_run_id}/pass|refuse (manual review)."""
    run = _path_run(req, state)
    index = run.idx
    if (run.waiting_phase() is None or hexid(run.id, 'job', index) != req.params['job_run_id']
            or hexid(run.id, 'step', index) != req.params['step_run_id']):
        raise fail(400, 'DEVPIPE.00011106', 'The step is not waiting for a manual review')
    run.decide(req.params['verb'], state.now())
    return Response(200, {'success': True}, acted=True)


# ----------------------------------------------------------------------------------------------- v3 start_info
def start_info(req, state):
    """PUT /v3/manage/pipelines/{pipeline_id}/stages/{stage_index}/start_info -> 201 {}."""
    pid, index = req.params['pipeline_id'], req.params['stage_index']
    if not pid.isdigit() or not index.isdigit():
        raise fail(400, 'DEVPIPE.00011101', 'pipeline_id and stage_index must be integers')
    pipe = state.data['huawei']['v3_pipelines'].get(pid)
    if pipe is None:
        raise fail(400, 'DEVPIPE.00011104', 'The pipeline does not exist: %s' % pid)
    try:
        body = req.json()
    except ValueError as exc:
        raise fail(400, 'DEVPIPE.00011101', 'Request body is not valid JSON') from exc
    if not isinstance(body, dict) or body.get('mode') != 'review' or body.get('review_result') not in ('pass', 'refuse'):
        raise fail(400, 'DEVPIPE.00011101', 'mode must be "review" and review_result "pass" or "refuse"')
    acted = int(index) in pipe['review_stages'] and not any(r['pipeline_id'] == pid and r['stage_index'] == int(index)
                                                            for r in state.v3_reviews)
    if acted:
        state.v3_reviews.append({'pipeline_id': pid, 'stage_index': int(index), 'review_result': body['review_result'],
                                 'time': state.now()})
    return Response(201, {}, acted=acted)


ROUTES = [
    ('PUT', '/v3/manage/pipelines/{pipeline_id}/stages/{stage_index}/start_info', 'ConfigureStageStartInfo', start_info),
    ('POST', PIPELINES + '/status', 'BatchShowPipelinesLatestStatus', batch_status),
    ('GET', RUNS + '/detail', 'ShowPipelineRunDetail', run_detail),
    ('POST', RUNS + '/list', 'ListPipelineRuns', list_runs),
    ('POST', PIPELINES + '/{pipeline_id}/run', 'RunPipeline', run_pipeline),
    ('POST', RUN + '/stop', 'StopPipelineRun', stop_run),
    ('POST', RUN + '/jobs/{job_run_id}/steps/{step_run_id}/{verb:pass}', 'AcceptManualReview', review),
    ('POST', RUN + '/jobs/{job_run_id}/steps/{step_run_id}/{verb:refuse}', 'RejectManualReview', review),
]
