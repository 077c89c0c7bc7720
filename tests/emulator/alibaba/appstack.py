"""Alibaba Cloud Yunxiao AppStack release stages, over POP (AK/SK) and over the Yunxiao token API: execute a
stage, list its executions, read an execution's pipeline run, cancel, pass / refuse its gate, retry / skip a job.

An execution is a Flow run of the stage's pipeline (``flow.new_run`` with ``stage_key``); its ``number`` is
that run's id, so executions live in ``state.flow_runs``.
"""

import datetime
import math

from ..routing import Response
from ..state import CANCELED, FAILED, PAUSED, QUEUED, RUNNING, STOPPING, SUCCESS, WAITING, StatusNames
from . import flow
from .auth import BAD_PARAM, err, int_arg, organization

NAMES = StatusNames(run={QUEUED: 'RUNNING', RUNNING: 'RUNNING', WAITING: 'RUNNING', PAUSED: 'RUNNING', STOPPING: 'RUNNING',
                         SUCCESS: 'SUCCESS', FAILED: 'FAILED', CANCELED: 'CANCELED'})
JOB_VERBS = {'passPipelineValidate': 'pass', 'refusePipelineValidate': 'refuse', 'retry': 'retry', 'skip': 'skip'}
STAGE = '/apps/{app}/releaseWorkflows/{wf}/releaseStages/{stage:[^/:]+}'
POP = '/appstack' + STAGE
TOKEN = '/oapi/v1/appstack(?:/organizations/{org})?' + STAGE
EXECUTION = '/executions/{number:[^/:]+}:'


def _stage(req, state):
    """(app, workflow, stage) of the path and the stage's fixture entry; else 404."""
    organization(req, state)
    apps = state.data['alibaba']['appstack']
    app, wf, stage = req.params['app'], req.params['wf'], req.params['stage']
    if app not in apps:
        raise err(req, 404, 'InvalidApp.NotFound', 'The application is not found.')
    if wf not in apps[app]:
        raise err(req, 404, 'InvalidReleaseWorkflow.NotFound', 'The release workflow is not found.')
    if stage not in apps[app][wf]:
        raise err(req, 404, 'InvalidReleaseStage.NotFound', 'The release stage is not found.')
    return (app, wf, stage), apps[app][wf][stage]


def _executions(state, key):
    """Executions of one release stage, newest first."""
    return flow.runs_where(state, lambda run: run.extra.get('stage_key') == key)


def _execution(req, state):
    """The execution ``{number}`` of the path's stage, advanced to now."""
    key, dummy = _stage(req, state)
    return flow.find_run(req, state, req.params['number'], _executions(state, key))


def _iso(seconds):
    if seconds is None:
        return None
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.000+00:00')


# ----------------------------------------------------------------------------------------------- calls
def execute_stage(req, state):
    """ExecuteChangeRequestReleaseStage / POST ...releaseStages/{sn}:execute -> {object, pipelineId, pipelineRunId}."""
    key, spec = _stage(req, state)
    try:
        body = req.json() if req.body.strip() else {}
    except ValueError as exc:
        raise err(req, 400, BAD_PARAM, 'The parameter is invalid: body is not JSON.') from exc
    if not isinstance(body, dict) or not isinstance(body.get('params', {}), dict):
        raise err(req, 400, BAD_PARAM, 'The parameter is invalid: params must be an object.')
    run = flow.new_run(state, spec['pipeline_id'], spec['phases'], stage_key=key, params=body.get('params', {}))
    return Response(200, {'object': run.id, 'pipelineId': spec['pipeline_id'], 'pipelineRunId': run.id}, acted=True)


def list_executions(req, state):
    """ListAppReleaseStageExecutions / GET ...releaseStages/{sn}/executions."""
    key, dummy = _stage(req, state)
    runs = _executions(state, key)
    if req.arg('sort', 'desc') == 'asc':
        runs.reverse()
    data = [{'number': str(r.id), 'state': NAMES.run(r), 'triggerMode': 'MANUAL',
             'startTime': _iso(r.started), 'endTime': _iso(r.ended)} for r in runs]
    per = int_arg(req, 'perPage', 20, 1, 100)
    if req.arg('pagination') == 'keyset':
        start = int_arg(req, 'nextToken', 0, 0) if req.arg('nextToken') else 0
        more = start + per < len(data)
        return Response(200, {'data': data[start:start + per], 'nextToken': str(start + per) if more else None})
    page = int_arg(req, 'page', 1)
    return Response(200, {'data': data[(page - 1) * per:page * per], 'total': len(data), 'current': page, 'perPage': per,
                          'pages': max(1, math.ceil(len(data) / per))})


def stage_pipeline_run(req, state):
    """GetReleaseStagePipelineRun / ...executions/{n}:getPipelineRun -> {pipelineRun}."""
    return Response(200, {'pipelineRun': flow.pipeline_run(_execution(req, state), state)})


def execution_action(req, state):
    """:cancel; :passPipelineValidate / :refusePipelineValidate / :retry / :skip on the job ``jobId`` (query)."""
    run = _execution(req, state)
    verb = req.params['verb']
    now = state.now()
    if verb == 'cancel':
        done = run.stop(now)
    else:
        if not req.arg('jobId'):
            raise err(req, 400, BAD_PARAM, 'Required request parameter [jobId] of type [String] is missing')
        done = run.act(JOB_VERBS[verb], flow.phase_index(req, run, req.arg('jobId')), now, by=req.caller)
    if not done:
        raise err(req, 400, 'InvalidExecution.StatusNotSupported', 'The execution is not in a state that allows %s.' % verb)
    return Response(200, {'success': True}, acted=True)


def job_log(req, state):
    """Token GET ...executions/{n}:pipelineJobLog?jobId= -> {content, more} (switch: {log, hasMore})."""
    run = _execution(req, state)
    if not req.arg('jobId'):
        raise err(req, 400, BAD_PARAM, 'Required request parameter [jobId] of type [String] is missing')
    content, more = flow.job_log_of(req, state, run, flow.phase_index(req, run, req.arg('jobId')))
    if state.switch('alibaba.appstack.job_log_shape') == 'log':
        return Response(200, {'log': content, 'hasMore': more})
    return Response(200, {'content': content, 'more': more})


# The calls both APIs serve (paths after the POP or token prefix), then the token API's own.
BOTH_APIS = [
    ('POST', ':execute', 'ExecuteChangeRequestReleaseStage', execute_stage),
    ('GET', '/executions', 'ListAppReleaseStageExecutions', list_executions),
    ('GET', EXECUTION + 'getPipelineRun', 'GetReleaseStagePipelineRun', stage_pipeline_run),
    ('POST', EXECUTION + '{verb:cancel}', 'CancelExecutionReleaseStage', execution_action),
    ('POST', EXECUTION + '{verb:passPipelineValidate}', 'PassReleaseStagePipelineValidate', execution_action),
    ('POST', EXECUTION + '{verb:refusePipelineValidate}', 'RefuseReleaseStagePipelineValidate', execution_action),
]
ROUTES = [(method, prefix + path, operation, handler) for prefix in (POP, TOKEN) for method, path, operation, handler in BOTH_APIS] + [
    ('POST', TOKEN + EXECUTION + '{verb:retry}', 'RetryChangeRequestStagePipeline', execution_action),
    ('POST', TOKEN + EXECUTION + '{verb:skip}', 'SkipChangeRequestStagePipeline', execution_action),
    ('GET', TOKEN + EXECUTION + 'pipelineJobLog', 'GetAppReleaseStageExecutionPipelineJobLog', job_log),
]
