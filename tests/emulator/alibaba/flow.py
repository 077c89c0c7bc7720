"""Alibaba Cloud Yunxiao Flow pipeline runs, over POP (AK/SK) and over the Yunxiao token API: start, read,
latest, list runs, list pipelines, stop, and the job actions pass / refuse (manual gate), stop, retry, skip.

Records: ``state.flow_runs`` (run id -> run), shared with AppStack, whose release stages run as Flow
pipelines, and ``state.flow_by_pipeline`` (pipeline id -> its runs). Run ids are increasing integers; the job
id of phase n (from 0) of run r is ``r * 100 + n + 1``. Besides the named pipelines of the fixture, the
fixture's ``flow_generated`` block declares ``count`` pipelines from ``first_id`` on (for benchmarks): each
gets its initial run (a rule's template, started ``started_ago`` seconds before) the first time it is read, so
a generated run that is running is seen running however long after the reset the first read comes.
"""

import json
import math
from urllib.parse import parse_qs

from .. import logs
from ..routing import Response
from ..state import (CANCELED, FAILED, PAUSED, PENDING, QUEUED, RUNNING, SKIPPED, STOPPING, SUCCESS, WAITING,
                     Run, StatusNames, ms, newest_first)
from .auth import BAD_PARAM, err, int_arg, is_token_api, ok, organization

JOBS = {PENDING: 'INIT', RUNNING: 'RUNNING', WAITING: 'WAITING', PAUSED: 'WAITING', STOPPING: 'RUNNING',
        SUCCESS: 'SUCCESS', FAILED: 'FAIL', CANCELED: 'CANCELED', SKIPPED: 'SKIPPED'}
NAMES = StatusNames(run=dict(JOBS, **{QUEUED: 'RUNNING', WAITING: 'RUNNING', PAUSED: 'RUNNING'}), job=JOBS)
GATE_ACTIONS = [{'type': 'PassPipelineValidate', 'displayType': 'BUTTON', 'name': 'pass', 'disable': False, 'params': {}},
                {'type': 'RefusePipelineValidate', 'displayType': 'BUTTON', 'name': 'refuse', 'disable': False, 'params': {}}]
POP = '/organization/{org}/pipelines/{pipeline_id}/pipelineRuns'
POP_JOB = POP + '/{run_id}/jobs/{job_id}'
TOKEN = '/oapi/v1/flow(?:/organizations/{org})?/pipelines/{pipeline_id}'
TOKEN_JOB = TOKEN + '/pipelineRuns/{run_id}/jobs/{job_id}'


# ----------------------------------------------------------------------------------------------- records
CREATED_MS = 1767225600000


def seed(state):
    """No run yet; generated pipelines get theirs when first read."""
    state.flow_runs, state.flow_by_pipeline, state.flow_materialised = {}, {}, set()


def dump(state, now):
    """Every Flow run (AppStack executions included)."""
    return {'flow_runs': {str(run_id): run.advance(now).dump() for run_id, run in state.flow_runs.items()}}


def new_run(state, pipeline_id, phases, **extra):
    """Create a run of a Flow pipeline with a fresh increasing integer id."""
    run_id = state.next_id('flow_run')
    run = Run(run_id, phases, state.now(), org=state.data['alibaba']['organization_id'], pipeline_id=int(pipeline_id),
              account=state.data['alibaba']['account_id'], **extra)
    state.flow_runs[run_id] = run
    state.flow_by_pipeline.setdefault(int(pipeline_id), []).append(run)
    return run


def pipeline_spec(state, pid):
    """The fixture entry of Flow pipeline ``pid`` (named or generated), or None."""
    named = state.data['alibaba']['flow_pipelines'].get(str(pid))
    if named is not None:
        return named
    gen = state.data['alibaba'].get('flow_generated') or {}
    try:
        n = int(pid) - int(gen.get('first_id', 0)) + 1
    except ValueError:
        return None
    if not gen or not 1 <= n <= int(gen.get('count', 0)):
        return None
    initial = gen['default']
    for rule in gen['rules']:
        if n % int(rule['mod']) == 0:
            initial = rule['initial']
            break
    return {'name': 'generated-%d' % n, 'phases': gen['template'], 'initial': initial}


def pipeline_ids(state):
    """Every Flow pipeline id: the named ones, then the generated ones (strings)."""
    gen = state.data['alibaba'].get('flow_generated') or {}
    first = int(gen.get('first_id', 0))
    return list(state.data['alibaba']['flow_pipelines']) + [str(first + n) for n in range(int(gen.get('count', 0)))]


def _materialise(state, pid):
    """Create a generated pipeline's initial run the first time it is read."""
    if pid in state.flow_materialised:
        return
    state.flow_materialised.add(pid)
    initial = (pipeline_spec(state, pid) or {}).get('initial')
    if initial:
        init = state.data['alibaba']['flow_generated']['templates'][initial]
        run = new_run(state, pid, init['phases'])
        run.created = run.started = run.cursor = state.now() - float(init.get('started_ago', 0))


def runs_where(state, test):
    """The runs passing ``test(run)``, advanced to now, newest first."""
    return newest_first([run for run in state.flow_runs.values() if test(run)], state.now())


def find_run(req, state, run_id, runs):
    """The run ``run_id`` (a string) among ``runs``; else 404."""
    try:
        run = state.flow_runs.get(int(run_id))
    except ValueError:
        run = None
    if run is None or run not in runs:
        raise err(req, 404, 'InvalidPipelineRun.NotFound', 'The pipeline execution instance is not found.')
    return run.advance(state.now())


def job_id(run, index):
    """The integer job id of phase ``index``."""
    return run.id * 100 + index + 1


def phase_index(req, run, raw_job_id):
    """Index of the phase a job id names (inverse of ``job_id``); else 404."""
    try:
        index = int(raw_job_id) - run.id * 100 - 1
    except (TypeError, ValueError):
        index = -1
    if not 0 <= index < len(run.phases):
        raise err(req, 404, 'InvalidJob.NotFound', 'The job is not found in this pipeline run.')
    return index


def _pipeline(req, state):
    """The Flow pipeline id of the path (404 for an unknown organization or pipeline)."""
    organization(req, state)
    pid = req.params['pipeline_id']
    if pipeline_spec(state, pid) is None:
        raise err(req, 404, 'InvalidPipeline.NotFound', 'The pipeline is not found.')
    return pid


def _runs_of(state, pid):
    """Runs of one Flow pipeline, newest first."""
    _materialise(state, pid)
    return newest_first(state.flow_by_pipeline.get(int(pid), []), state.now())


def _path_run(req, state):
    """The run named by ``{run_id}`` among the runs of the path's pipeline."""
    return find_run(req, state, req.params['run_id'], _runs_of(state, _pipeline(req, state)))


# ----------------------------------------------------------------------------------------------- shapes
def _job(run, index, phase):
    return {'id': job_id(run, index), 'name': phase['job'], 'jobSign': 'job_%d' % index, 'status': NAMES.job(phase),
            'startTime': ms(phase['start']), 'endTime': ms(phase['end']), 'params': '{}', 'result': '{}',
            'actions': [dict(a) for a in GATE_ACTIONS] if phase['status'] == WAITING else []}


def pipeline_run(run, state):
    """The Flow PipelineRun object (POP pipelineRun, token API run, AppStack getPipelineRun)."""
    stages = [{'index': str(stage.seq), 'name': stage.name, 'stageInfo': {
        'name': stage.name, 'status': NAMES.stage(stage), 'startTime': ms(stage.start), 'endTime': ms(stage.end),
        'jobs': [_job(run, i, p) for i, p in stage.phases]}} for stage in run.stages()]
    account = state.data['alibaba']['account_id']
    params = run.extra.get('params') or {}
    return {'pipelineRunId': run.id, 'pipelineId': run.extra['pipeline_id'], 'pipelineConfigId': run.extra['pipeline_id'],
            'status': NAMES.run(run), 'triggerMode': 1, 'createTime': ms(run.started),
            'updateTime': ms(run.ended or run.cursor), 'creatorAccountId': account, 'modifierAccountId': account,
            'sources': [{'type': 'codeup', 'sign': 'source_0', 'data': {'repo': repo, 'branch': branch, 'commit': ''}}
                        for repo, branch in (params.get('runningBranchs') or {}).items()],
            'stageGroup': [[s['name']] for s in stages], 'groups': [],
            'globalParams': [{'key': k, 'value': v, 'runningConfig': True} for k, v in (params.get('envs') or {}).items()],
            'stages': stages}


def _summary(run):
    return {'pipelineRunId': run.id, 'pipelineId': run.extra['pipeline_id'], 'status': NAMES.run(run),
            'startTime': ms(run.started), 'endTime': ms(run.ended), 'triggerMode': 1, 'creatorAccountId': run.extra.get('account')}


def _run_params(req):
    """The run params JSON (form field on POP, JSON string on the token API)."""
    try:
        if is_token_api(req):
            raw = (req.json() or {}).get('params') if req.body.strip() else None
        else:
            ctype = req.headers.get('content-type', '')
            form = parse_qs(req.body.decode('utf-8'), keep_blank_values=True) if 'x-www-form-urlencoded' in ctype else {}
            raw = form.get('params', [None])[0]
        if raw is None:
            return {}
        params = json.loads(raw) if isinstance(raw, str) else None
    except (ValueError, AttributeError, UnicodeDecodeError):
        params = None
    if not isinstance(params, dict):
        raise err(req, 400, BAD_PARAM, 'The parameter is invalid: params must be a JSON object string.')
    return params


# ----------------------------------------------------------------------------------------------- calls
def start_run(req, state):
    """StartPipelineRun (POP, form params) / POST .../runs (token API)."""
    pid = _pipeline(req, state)
    params = _run_params(req)
    run = new_run(state, pid, pipeline_spec(state, pid)['phases'], params=params)
    return Response(200, ok(req, run.id, {'pipelineRunId': run.id}), acted=True)


def get_run(req, state):
    """GetPipelineRun / GET .../runs/{id}."""
    shape = pipeline_run(_path_run(req, state), state)
    return Response(200, ok(req, shape, {'pipelineRun': shape}))


def latest_run(req, state):
    """GET .../runs/latestPipelineRun (token API). A pipeline that never ran: switch
    ``alibaba.flow.latest_never_ran`` = ``404`` (InvalidPipelineRun.NotFound), ``null`` (200, JSON null) or
    ``empty`` (200, empty body)."""
    runs = _runs_of(state, _pipeline(req, state))
    if not runs:
        variant = str(state.switch('alibaba.flow.latest_never_ran'))
        if variant == 'null':
            return Response(200, None)
        if variant == 'empty':
            return Response(200, b'')
        raise err(req, 404, 'InvalidPipelineRun.NotFound', 'The pipeline has no run.')
    return Response(200, pipeline_run(runs[0], state))


def last_status(run):
    """A run's status as ListPipelines' ``statusList`` classifies it (a run waiting at a gate is WAITING)."""
    return 'WAITING' if run.status in (WAITING, PAUSED) else NAMES.run(run)


def list_pipelines(req, state):
    """ListPipelines (POP: maxResults/nextToken, statusList, pipelineName) / GET .../pipelines (token: page,
    perPage <= 30, statusList; bare array + x-* headers). No run status or id in the items."""
    organization(req, state)
    ids = pipeline_ids(state)
    name = req.arg('pipelineName')
    if name:
        ids = [pid for pid in ids if name in pipeline_spec(state, pid)['name']]
    if req.arg('statusList'):
        wanted = set(req.arg('statusList').split(','))
        latest = {pid: _runs_of(state, pid) for pid in ids}
        ids = [pid for pid in ids if latest[pid] and last_status(latest[pid][0]) in wanted]
    account = state.data['alibaba']['account_id']
    if is_token_api(req):
        items = [{'pipelineId': int(pid), 'pipelineName': pipeline_spec(state, pid)['name'], 'createAccountId': account,
                  'createTime': CREATED_MS} for pid in ids]
        page, per = int_arg(req, 'page', 1), int_arg(req, 'perPage', 10, 1, 30)
        return _token_page(items, page, per)
    items = [{'pipelineId': int(pid), 'pipelineName': pipeline_spec(state, pid)['name'], 'groupId': 0,
              'createTime': CREATED_MS, 'creatorAccountId': account} for pid in ids]
    size, start = int_arg(req, 'maxResults', 10, 1, 100), int_arg(req, 'nextToken', 0, 0)
    more = start + size < len(items)
    return Response(200, {'success': True, 'pipelines': items[start:start + size], 'totalCount': len(items),
                          'nextToken': str(start + size) if more else None})


def _token_page(items, page, per):
    """A token-API page: bare array with the x-* paging headers."""
    pages = max(1, math.ceil(len(items) / per))
    headers = {'x-total': len(items), 'x-total-pages': pages, 'x-page': page, 'x-per-page': per,
               'x-next-page': page + 1 if page < pages else '', 'x-prev-page': page - 1 if page > 1 else ''}
    return Response(200, items[(page - 1) * per:page * per], headers)


def list_runs(req, state):
    """ListPipelineRuns (POP: maxResults/nextToken) / GET .../runs (token: page/perPage, x-* headers)."""
    runs = _runs_of(state, _pipeline(req, state))
    if req.arg('status'):
        runs = [r for r in runs if NAMES.run(r) in req.arg('status').split(',')]
    if state.switch('alibaba.flow.list_runs_order') == 'asc':
        runs.reverse()
    items = [_summary(r) for r in runs]
    if is_token_api(req):
        return _token_page(items, int_arg(req, 'page', 1), int_arg(req, 'perPage', 10, 1, 100))
    size, start = int_arg(req, 'maxResults', 10, 1, 100), int_arg(req, 'nextToken', 0, 0)
    more = start + size < len(items)
    return Response(200, {'success': True, 'pipelineRuns': items[start:start + size], 'totalCount': len(items),
                          'nextToken': str(start + size) if more else None})


def stop_run(req, state):
    """StopPipelineRun (POP)."""
    if not _path_run(req, state).stop(state.now()):
        raise err(req, 400, 'InvalidPipelineRun.StatusNotSupported', 'The pipeline run has already finished.')
    return Response(200, ok(req, True), acted=True)


def job_action(req, state):
    """pass / refuse (manual gate), stop / retry / skip of one job of a Flow run (POP retry: no verb in the path)."""
    run = _path_run(req, state)
    index = phase_index(req, run, req.params['job_id'])
    if not run.act(req.params.get('verb') or 'retry', index, state.now(), by=req.caller):
        raise err(req, 400, 'InvalidJob.StatusNotSupported', 'The job is not in a state that allows this operation.')
    return Response(200, ok(req, True), acted=True)


def job_log_of(req, state, run, index):
    """The log text of one job (a failing ``log_error`` job -> that HTTP status with the API's error body)."""
    phase = run.phases[index]
    if phase.get('log_error'):
        status = int(phase['log_error'])
        raise err(req, status, 'Forbidden.NoPermission' if status == 403 else 'InternalError',
                  'You have no permission to view this log.' if status == 403 else 'Failed to read the job log.')
    return logs.text(run.id, phase, state.now(), state.switch('logs.invalid_byte')), logs.still_writing(phase)


def job_log(req, state):
    """LogPipelineJobRun (POP) -> {log: {content, more}}; token GET .../runs/{run}/job/{jobId}/log ->
    {content, last, more}. No paging input: the whole log so far; ``more`` while the job runs."""
    run = _path_run(req, state)
    index = phase_index(req, run, req.params['job_id'])
    content, more = job_log_of(req, state, run, index)
    if is_token_api(req):
        return Response(200, {'content': content, 'last': content.count('\n'), 'more': more})
    return Response(200, {'success': True, 'log': {'content': content, 'more': more}})


def job_steps(req, state):
    """Token GET .../pipelineRuns/{run}/jobs/{jobId}/steps: one build with the job's one step (key: switch)."""
    run = _path_run(req, state)
    index = phase_index(req, run, req.params['job_id'])
    phase = run.phases[index]
    node = {'nodeName': phase['job'], 'stepName': phase.get('step', phase['job']), 'status': JOBS[phase['status']],
            'stepIndex': 0, 'nodeIndex': 0, 'parentIndex': -1, 'finish': phase['end'] is not None,
            'running': logs.still_writing(phase), 'supportDebug': False}
    return Response(200, [{'jobId': job_id(run, index), 'buildId': job_id(run, index) * 10, 'actionCode': 'Shell',
                           'actionName': phase['job'], 'startTime': ms(phase['start']), 'endTime': ms(phase['end']),
                           state.switch('alibaba.flow.steps_key'): [node]}])


def step_log(req, state):
    """Token GET .../jobs/{jobId}/step/log?stepIndex&offset&limit&buildId (all required, limit <= 2000)
    -> {logs, last, more}: ``offset`` and ``last`` are line numbers, the next page starts at ``last``
    (-1 once the log is complete and read)."""
    run = _path_run(req, state)
    index = phase_index(req, run, req.params['job_id'])
    for name in ('stepIndex', 'offset', 'limit', 'buildId'):
        if req.arg(name) in (None, ''):
            raise err(req, 400, BAD_PARAM, 'Required request parameter [%s] is missing' % name)
    offset, limit = int_arg(req, 'offset', 0, 0), int_arg(req, 'limit', 100, 1, 2000)
    if req.arg('stepIndex') != '0' or req.arg('buildId') != str(job_id(run, index) * 10):
        raise err(req, 404, 'InvalidJob.NotFound', 'The step or build is not found in this job.')
    content, running = job_log_of(req, state, run, index)
    lines = content.splitlines(keepends=True)
    page = lines[offset:offset + limit]
    more = offset + len(page) < len(lines) or running
    return Response(200, {'logs': ''.join(page), 'last': offset + len(page) if more else -1, 'more': more})


ROUTES = [
    ('GET', '/organization/{org}/pipelines', 'ListPipelines', list_pipelines),
    ('GET', '/oapi/v1/flow(?:/organizations/{org})?/pipelines', 'ListPipelines', list_pipelines),
    ('POST', '/organizations/{org}/pipelines/{pipeline_id}/run', 'StartPipelineRun', start_run),
    ('GET', POP + '/{run_id}', 'GetPipelineRun', get_run),
    ('GET', POP, 'ListPipelineRuns', list_runs),
    ('PUT', POP + '/{run_id}/stop', 'StopPipelineRun', stop_run),
    ('POST', POP_JOB + '/{verb:pass}', 'PassPipelineValidate', job_action),
    ('POST', POP_JOB + '/{verb:refuse}', 'RefusePipelineValidate', job_action),
    ('PUT', POP_JOB + '/{verb:stop}', 'StopPipelineJobRun', job_action),
    ('PUT', POP_JOB + '/{verb:skip}', 'SkipPipelineJobRun', job_action),
    ('PUT', POP_JOB, 'RetryPipelineJobRun', job_action),
    ('POST', TOKEN + '/runs', 'CreatePipelineRun', start_run),
    ('GET', TOKEN + '/runs/latestPipelineRun', 'GetLatestPipelineRun', latest_run),
    ('GET', TOKEN + '/runs/{run_id}', 'GetPipelineRun', get_run),
    ('GET', TOKEN + '/runs', 'ListPipelineRuns', list_runs),
    ('POST', TOKEN_JOB + '/{verb:pass}', 'PassPipelineValidate', job_action),
    ('POST', TOKEN_JOB + '/{verb:refuse}', 'RefusePipelineValidate', job_action),
    ('PUT', TOKEN_JOB + '/{verb:stop|retry|skip}', 'PipelineJobAction', job_action),
    ('GET', '/organization/{org}/pipeline/{pipeline_id}/pipelineRun/{run_id}/job/{job_id}/logs', 'LogPipelineJobRun', job_log),
    ('GET', TOKEN + '/runs/{run_id}/job/{job_id}/log', 'GetPipelineJobRunLog', job_log),
    ('GET', TOKEN_JOB + '/steps', 'ListPipelineJobSteps', job_steps),
    ('GET', TOKEN_JOB + '/step/log', 'GetPipelineJobStepLog', step_log),
]
