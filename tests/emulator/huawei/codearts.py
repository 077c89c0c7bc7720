"""Huawei Cloud CodeArts Pipeline: v5 runs (latest status of many pipelines, detail, list, start with queueing,
stop, retry, resume, the queue), manual review, and the v3 stage review ``start_info``.

Records: ``state.codearts`` (pipeline id -> definition), ``state.codearts_runs`` (pipeline id -> runs, oldest
first), ``state.v3_reviews`` (accepted v3 reviews). Each phase of a run is one job with one step, or, with
``pre`` / ``post``, a stage entry / exit step. A pipeline with ``concurrency`` N runs at most N runs at once:
a start beyond that is created queued (answer ``DEVPIPE.00011169``) and starts when a run ends.
"""

import datetime
import math

from .. import logs
from ..routing import Response
from ..state import (CANCELED, FAILED, PAUSED, PENDING, QUEUED, RUNNING, SKIPPED, STOPPING, SUCCESS, TERMINAL,
                     WAITING, Run, StatusNames, hexid, ms)
from .auth import fail, require_project

CODEARTS = {QUEUED: 'RUNNING', PENDING: 'INIT', RUNNING: 'RUNNING', WAITING: 'RUNNING', PAUSED: 'PAUSED', STOPPING: 'RUNNING',
            SUCCESS: 'COMPLETED', FAILED: 'FAILED', CANCELED: 'CANCELED', SKIPPED: 'SKIPPED'}
NAMES = StatusNames(run=CODEARTS, job=CODEARTS)
STEPS = StatusNames(job={PENDING: None, RUNNING: 'RUNNING', WAITING: 'RUNNING', PAUSED: 'RUNNING', SUCCESS: 'COMPLETED',
                         FAILED: 'FAILED', CANCELED: 'CANCELED', SKIPPED: None})
EXECUTOR_ID = 'e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0'
QUEUED_MSG = {'DEVPIPE.00011169': 'The maximum concurrency of this pipeline is reached: the run is queued',
              'DEVPIPE.00011170': 'The maximum concurrency of this tenant is reached: the run is queued'}
GIT_TYPES = ('codehub', 'gitee', 'github', 'gitcode', 'gitlab')
EVENT_TYPES = ('Manual', 'Scheduler', 'MR', 'Push', 'CreateTag', 'Issue', 'Note')
SORT_KEYS = ('start_time', 'update_time')
# Plugin (``task``) of a step by the engine's phase kind, unless the fixture names it.
TASKS = {'work': 'official_shell_plugin', 'gate': 'official_devcloud_checkpoint', 'delay': 'official_devcloud_delay',
         'pause': 'official_devcloud_pause', 'pre': 'official_devcloud_manualTrigger'}
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


def identified(phases):
    """The phases with their stage and job identifiers (the fixture's, else ``stage_<n>`` / ``job_<index>``)."""
    out, seq = [], -1
    for index, phase in enumerate(phases):
        if not out or out[-1]['stage'] != phase['stage']:
            seq += 1
        out.append(dict(phase, stage_identifier=phase.get('stage_identifier', 'stage_%d' % seq),
                        job_identifier=phase.get('job_identifier', 'job_%d' % index)))
    return out


def new_run(state, pid, phases, start, queued=False, **extra):
    """Create a run (32-hex id) as the pipeline's latest (``queued``: waiting for a free slot)."""
    runs = state.codearts_runs[pid]
    run = Run(hexid('codearts-run', pid, len(runs) + 1, state.next_id('codearts_run', first=0)),
              identified(phases), start, queued=queued, run_number=len(runs) + 1, pipeline_id=pid, **extra)
    if queued:
        run.extra.update(queue_id=hexid(run.id, 'queue'), enqueued=start)
    runs.append(run)
    return run


def _live(run):
    return run.status not in TERMINAL and run.status != QUEUED


def _tenant_live(state, now):
    return sum(1 for runs in state.codearts_runs.values() for run in runs if run.status not in TERMINAL and _live(run.advance(now)))


def _pump(state, pid, now):
    """Advance the pipeline's runs to ``now``, starting queued runs (oldest first) as slots free up. A queued
    run starts when the latest run that ended before it did (never before it was queued)."""
    runs = state.codearts_runs[pid]
    limit = state.codearts[pid].get('concurrency') or math.inf
    tenant = state.data['huawei']['codearts'].get('tenant_concurrency') or math.inf
    while True:
        queue = sorted((r for r in runs if r.status == QUEUED), key=lambda r: r.extra['enqueued'])
        if not queue:
            return
        live = [r for r in runs if r.status != QUEUED and _live(r.advance(now))]
        if len(live) >= limit or (tenant != math.inf and _tenant_live(state, now) >= tenant):
            return
        first = queue[0]
        ended = [r.ended for r in runs if r.status in TERMINAL and r.ended is not None and r.ended <= now]
        first.begin(max([first.extra['enqueued']] + ended))
        first.advance(now)


def runs_of(state, pid):
    """The pipeline's runs, oldest first, advanced to now (queued ones started when their turn came)."""
    now = state.now()
    _pump(state, pid, now)
    return [run.advance(now) for run in state.codearts_runs[pid]]


def _pipeline(req, state):
    """The pipeline id of the path (404 for another project or an unknown pipeline)."""
    require_project(req, state, 'DEVPIPE.00011104', 'The pipeline does not exist')
    pid = req.params['pipeline_id']
    if pid not in state.codearts:
        raise fail(404, 'DEVPIPE.00011104', 'The pipeline does not exist: %s' % pid)
    return pid


def _find_run(state, pid, run_id):
    for run in runs_of(state, pid):
        if run.id == run_id:
            return run
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
def names(state):
    """Status names with the variant switches applied (queued run, job whose gate step waits)."""
    return StatusNames(run=dict(CODEARTS, **{QUEUED: state.switch('huawei.codearts.queued_run_status')}),
                       job=dict(CODEARTS, **{WAITING: state.switch('huawei.codearts.gate_job_status')}), stage=CODEARTS)


def _text_time(seconds):
    return None if seconds is None else datetime.datetime.fromtimestamp(seconds).strftime('%Y-%m-%d %H:%M:%S')


def _stage_status(stage, table):
    if all(p.get('unselected') for dummy, p in stage.phases):
        return 'UNSELECTED'
    return table.stage(stage)


def _build_params(run):
    """build_params of a list item: from the run's first code source, else the repository defaults."""
    source = next(iter(run.extra.get('sources') or []), None) or {}
    params = source.get('params') or {}
    build = params.get('build_params') or {}
    return {'action': None, 'build_type': build.get('build_type', 'branch'), 'commit_id': hexid(run.id, 'commit')[:40],
            'event_type': build.get('event_type', 'Manual'), 'merge_id': None, 'message': 'emulated commit',
            'source_branch': None, 'tag': build.get('tag'), 'target_branch': build.get('target_branch', 'master'),
            'codehub_id': params.get('codehub_id', '2111699716'), 'git_url': params.get('git_url', 'https://example.com/emu/repo.git'),
            'source_codehub_id': None, 'source_codehub_url': None, 'source_codehub_http_url': None}


def _urls(state, pid, run):
    project = state.data['huawei']['project_id']
    url = 'https://devcloud.cn-north-4.huaweicloud.com/cicd/project/%s/pipeline/detail/%s' % (project, pid)
    return url + '?edit=1', '%s/%s' % (url, run.id)


def _latest(run, state, pid, with_ids=False):
    """PipelineLatestRun / ListPipelineRuns item."""
    table = names(state)
    stages = []
    for stage in run.stages():
        item = {'name': stage.name, 'sequence': stage.seq, 'status': _stage_status(stage, table),
                'start_time': _text_time(stage.start), 'end_time': _text_time(stage.end)}
        if with_ids:
            item['id'] = hexid(run.id, 'stage', stage.name)
        stages.append(item)
    modify_url, detail_url = _urls(state, pid, run)
    return {'pipeline_id': pid, 'pipeline_run_id': run.id, 'executor_id': EXECUTOR_ID,
            'executor_name': 'emu-user', 'stage_status_list': stages, 'status': table.run(run),
            'run_number': run.extra['run_number'], 'trigger_type': 'Manual', 'build_params': _build_params(run),
            'artifact_params': None, 'start_time': ms(run.started), 'end_time': ms(run.ended),
            'modify_url': modify_url, 'detail_url': detail_url}


def _step(run, index, phase, table):
    kind = 'pre' if phase.get('pre') and phase.get('kind') == 'gate' else phase.get('kind', 'work')
    task = phase.get('task', TASKS[kind])
    return {'id': hexid(run.id, 'step', index), 'name': phase.get('step', phase['job']), 'task': task,
            'business_type': 'Normal', 'inputs': [{'key': k, 'value': v} for k, v in (phase.get('inputs') or {}).items()],
            'sequence': 0, 'official_task_version': '0.0.1', 'identifier': 'step_%d' % index,
            'multi_step_editable': 0, 'endpoint_ids': [], 'last_dispatch_id': hexid(run.id, 'dispatch', index),
            'status': None if phase.get('unselected') else table.job(phase), 'message': None,
            'start_time': ms(phase['start']), 'end_time': ms(phase['end']), 'daily_build_number': None}


def _job(run, seq, index, phase, table):
    return {'id': hexid(run.id, 'job', index), 'category': None, 'sequence': seq, 'async': 'false', 'name': phase['job'],
            'identifier': phase['job_identifier'], 'depends_on': [], 'condition': None, 'resource': None,
            'is_select': not phase.get('unselected'), 'timeout': '', 'last_dispatch_id': hexid(run.id, 'dispatch', index),
            'status': 'UNSELECTED' if phase.get('unselected') else table.job(phase),
            'message': None, 'start_time': ms(phase['start']), 'end_time': ms(phase['end']),
            'steps': [_step(run, index, phase, STEPS)], 'exec_id': hexid(run.id, 'exec', index)}


def _stage(run, stage, table):
    jobs = [(i, p) for i, p in stage.phases if not p.get('pre') and not p.get('post')]
    first = stage.phases[0][1]
    return {'id': hexid(run.id, 'stage', stage.name), 'category': None, 'name': stage.name,
            'identifier': first['stage_identifier'], 'run_always': False, 'parallel': None,
            'is_select': not all(p.get('unselected') for dummy, p in stage.phases), 'sequence': stage.seq, 'depends_on': [],
            'condition': None, 'status': _stage_status(stage, table), 'start_time': ms(stage.start), 'end_time': ms(stage.end),
            'pause_time': 0,
            'pre': [_step(run, i, p, STEPS) for i, p in stage.phases if p.get('pre')],
            'post': [_step(run, i, p, STEPS) for i, p in stage.phases if p.get('post')],
            'jobs': [_job(run, n, i, p, table) for n, (i, p) in enumerate(jobs)]}


def _detail(run, state, pid):
    """PipelineRunDetail: the run with stages -> pre / jobs -> steps / post."""
    table = names(state)
    dummy, detail_url = _urls(state, pid, run)
    return {'id': run.id, 'pipeline_id': pid, 'manifest_version': '3.0', 'name': state.codearts[pid]['name'],
            'description': run.extra.get('description', ''), 'is_publish': False, 'executor_id': EXECUTOR_ID,
            'executor_name': 'emu-user', 'status': table.run(run), 'trigger_type': 'Manual',
            'run_number': run.extra['run_number'], 'pause_time': 0, 'start_time': ms(run.started), 'end_time': ms(run.ended),
            'stages': [_stage(run, stage, table) for stage in run.stages()], 'domain_id': 'd' * 32,
            'project_id': state.data['huawei']['project_id'], 'region': 'cn-north-4', 'component_id': '', 'language': 'zh-cn',
            'sources': run.extra.get('sources') or [], 'artifacts': [], 'subject_id': hexid(run.id, 'subject'),
            'group_id': None, 'group_name': None, 'detail_url': detail_url, 'current_system_time': ms(state.now())}


def _phase_of(req, run, step_only=False):
    """Index of the phase whose job (unless ``step_only``) and step ids are in the path; else 400."""
    for index in range(len(run.phases)):
        if hexid(run.id, 'step', index) == req.params['step_run_id'] and (
                step_only or hexid(run.id, 'job', index) == req.params['job_run_id']):
            return index
    raise fail(400, 'DEVPIPE.00011101', 'No such job and step in this pipeline run')


def _success():
    return Response(200, {'success': True}, acted=True)


def _conflict(msg):
    return fail(400, 'DEVPIPE.00011106', msg)


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
    out = []
    for pid in dict.fromkeys(ids):
        if state.codearts_runs.get(pid):
            out.append(_latest(runs_of(state, pid)[-1], state, pid))
    return Response(200, out)


def run_detail(req, state):
    """GET .../pipeline-runs/detail?pipeline_run_id= (latest run without it)."""
    pid = _pipeline(req, state)
    run_id = req.arg('pipeline_run_id')
    runs = runs_of(state, pid)
    if run_id:
        run = _find_run(state, pid, run_id)
    elif runs:
        run = runs[-1]
    else:
        raise fail(404, 'DEVPIPE.00011105', 'The pipeline has no run')
    return Response(200, _detail(run, state, pid))


def _bad(msg):
    return fail(400, 'DEVPIPE.00011101', msg)


def _check_sources(sources):
    if not isinstance(sources, list):
        raise _bad('sources must be a list')
    for source in sources:
        params = source.get('params') if isinstance(source, dict) else None
        if source.get('type') not in ('code', 'artifact') or not isinstance(params, dict):
            raise _bad('each source needs type "code" (or "artifact") and params')
        if params.get('git_type') not in GIT_TYPES:
            raise _bad('sources[].params.git_type must be one of ' + ', '.join(GIT_TYPES))
        if not str(params.get('git_url', '')).startswith('https://'):
            raise _bad('sources[].params.git_url must be an https URL')
        build = params.get('build_params')
        if build is not None and (not isinstance(build, dict) or build.get('build_type') not in ('branch', 'tag')
                                  or build.get('event_type', 'Manual') not in EVENT_TYPES):
            raise _bad('sources[].params.build_params needs build_type "branch" or "tag" and a known event_type')


def _run_options(body):
    """Validated sources, variables, description of a RunPipeline body."""
    _check_sources(body.get('sources') or [])
    variables = body.get('variables') or []
    if not isinstance(variables, list) or not all(isinstance(v, dict) and isinstance(v.get('name'), str)
                                                  and len(str(v.get('value', ''))) <= 8192 for v in variables):
        raise _bad('variables must be a list of {name, value} (value at most 8192 characters)')
    description = body.get('description') or ''
    if not isinstance(description, str) or len(description) > 1024:
        raise _bad('description must be a string of at most 1024 characters')
    return {'sources': body.get('sources') or [], 'variables': variables, 'description': description}


def _select(phases, stages, jobs):
    """Mark the phases ``choose_stages`` / ``choose_jobs`` leave out as unselected (an unselected stage wins)."""
    for name, chosen in (('choose_stages', stages), ('choose_jobs', jobs)):
        if chosen is not None and (not isinstance(chosen, list) or not all(isinstance(c, str) for c in chosen)):
            raise _bad('%s must be a list of identifiers' % name)
    phases = identified(phases)
    known_stages = {p['stage_identifier'] for p in phases}
    known_jobs = {p['job_identifier'] for p in phases if not p.get('pre') and not p.get('post')}
    if stages and not set(stages) <= known_stages:
        raise _bad('unknown stage identifier(s): %s' % ', '.join(sorted(set(stages) - known_stages)))
    if jobs and not set(jobs) <= known_jobs:
        raise _bad('unknown job identifier(s): %s' % ', '.join(sorted(set(jobs) - known_jobs)))
    out = []
    for phase in phases:
        off = bool(stages) and phase['stage_identifier'] not in stages
        if not off and jobs and not phase.get('pre') and not phase.get('post'):
            off = phase['job_identifier'] not in jobs
        out.append(dict(phase, unselected=True) if off else phase)
    return out


def _template(state, pid):
    template = state.codearts[pid].get('template') or 'build'
    return state.data['huawei']['codearts']['templates'][template] if isinstance(template, str) else template


def _queue_reason(state, pid, now, exclude=None):
    """The queued error code when a new (or retried) run of the pipeline may not start now, else None."""
    limit = state.codearts[pid].get('concurrency')
    busy = [r for r in runs_of(state, pid) if r.status not in TERMINAL and r is not exclude]
    if limit and len(busy) >= limit:
        return 'DEVPIPE.00011169'
    tenant = state.data['huawei']['codearts'].get('tenant_concurrency')
    if tenant and sum(1 for runs in state.codearts_runs.values() for r in runs
                      if r.status not in TERMINAL and r is not exclude) >= tenant:
        return 'DEVPIPE.00011170'
    return None


def _queued_answer(state, run, code):
    """The queued answer: an error body that still carries the run and queue ids (HTTP status: a switch)."""
    body = {'error_code': code, 'error_msg': QUEUED_MSG[code],
            'error': {'pipeline_run_id': run.id, 'queue_id': run.extra['queue_id']}}
    return Response(int(state.switch('huawei.codearts.queued_http_status')), body, acted=True)


def run_pipeline(req, state):
    """POST /v5/{project_id}/api/pipelines/{pipeline_id}/run -> {"pipeline_run_id"} or the queued answer."""
    pid = _pipeline(req, state)
    body = _json_body(req, {}, dict, 'object')
    options = _run_options(body)
    phases = _select(_template(state, pid), body.get('choose_stages'), body.get('choose_jobs'))
    now = state.now()
    code = _queue_reason(state, pid, now)
    run = new_run(state, pid, phases, now, queued=bool(code), **options)
    if code:
        return _queued_answer(state, run, code)
    return Response(200, {'pipeline_run_id': run.id}, acted=True)


def _time_filter(value, name):
    """A ListPipelineRuns time: ms timestamp (number or string) or 'yyyy-MM-dd HH:mm:ss' -> epoch seconds."""
    if value in (None, ''):
        return None
    try:
        if str(value).isdigit():
            return int(value) / 1000.0
        return datetime.datetime.strptime(str(value), '%Y-%m-%d %H:%M:%S').timestamp()
    except ValueError as exc:
        raise _bad('%s must be a millisecond timestamp or yyyy-MM-dd HH:mm:ss' % name) from exc


def list_runs(req, state):
    """POST .../pipeline-runs/list: status / trigger_type / executor_ids / time filters, offset, limit, sort_key, sort_dir."""
    pid = _pipeline(req, state)
    query = _json_body(req, {}, dict, 'object')
    try:
        offset, limit = int(query.get('offset') or 0), int(query.get('limit') if query.get('limit') is not None else 10)
    except (ValueError, TypeError) as exc:
        raise _bad('offset and limit must be integers') from exc
    max_limit = int(state.data['huawei']['codearts'].get('list_runs_max_limit', 100))
    if offset < 0 or limit < 0 or limit > max_limit:
        raise _bad('offset must be >= 0 and limit between 0 and %d' % max_limit)
    sort_key = query.get('sort_key') or 'start_time'
    sort_dir = query.get('sort_dir') or state.switch('huawei.codearts.list_runs_default_sort_dir')
    if sort_key not in SORT_KEYS or sort_dir not in ('asc', 'desc'):
        raise _bad('sort_key must be start_time or update_time and sort_dir asc or desc')
    since, until = _time_filter(query.get('start_time'), 'start_time'), _time_filter(query.get('end_time'), 'end_time')
    runs = runs_of(state, pid)
    table = names(state)
    for key, test in (('status', lambda r, v: table.run(r) in v), ('trigger_type', lambda r, v: 'Manual' in v),
                      ('executor_ids', lambda r, v: EXECUTOR_ID in v)):
        if query.get(key):
            runs = [r for r in runs if test(r, query[key])]
    if since is not None:
        runs = [r for r in runs if (r.started or r.created) >= since]
    if until is not None:
        runs = [r for r in runs if (r.started or r.created) <= until]
    if sort_key == 'start_time':
        def order(run):
            return (run.started or run.created, run.extra['run_number'])
    else:
        def order(run):
            return (run.ended or run.cursor or run.created, run.extra['run_number'])
    runs.sort(key=order, reverse=sort_dir == 'desc')
    items = [_latest(r, state, pid, True) for r in runs[offset:offset + limit]]
    return Response(200, {'offset': offset, 'limit': limit, 'total': len(runs), 'pipeline_runs': items})


def stop_run(req, state):
    """POST .../pipeline-runs/{pipeline_run_id}/stop."""
    if not _path_run(req, state).stop(state.now()):
        raise _conflict('The pipeline run has already finished')
    return _success()


def retry_run(req, state):
    """PUT .../pipeline-runs/{pipeline_run_id}/retry [{repo_https_url, job_run_ids}]: re-run the failed jobs
    (those named) of a failed run; queued again (the queued answer) when the pipeline has no free slot."""
    run = _path_run(req, state)
    body = _json_body(req, {}, dict, 'object')
    ids = body.get('job_run_ids')
    if ids is not None and (not isinstance(ids, list) or not all(isinstance(i, str) for i in ids)):
        raise _bad('job_run_ids must be a list of job run ids')
    if run.status != FAILED:
        raise _conflict('Only a failed pipeline run can be retried')
    failed = [i for i in run.block() if run.phases[i]['status'] == FAILED]
    if ids:
        named = [i for i in range(len(run.phases)) if hexid(run.id, 'job', i) in ids]
        if len(named) != len(set(ids)) or not set(named) <= set(failed):
            raise _conflict('Only failed jobs of this pipeline run can be retried')
    now = state.now()
    pid = run.extra['pipeline_id']
    code = _queue_reason(state, pid, now, exclude=run)
    run.retry(failed[0], now, queue=bool(code))
    if code:
        run.extra.update(queue_id=hexid(run.id, 'queue', now), enqueued=now)
        return _queued_answer(state, run, code)
    return _success()


def resume(req, state):
    """POST .../jobs/{job_run_id}/steps/{step_run_id}/resume: continue a paused step (with the switch
    ``huawei.codearts.resume_applies_to`` = ``any_gate``, also pass a waiting gate)."""
    run = _path_run(req, state)
    index = _phase_of(req, run)
    kind = run.phases[index].get('kind')
    allowed = ('pause',) if state.switch('huawei.codearts.resume_applies_to') == 'pause' else ('pause', 'gate', 'delay')
    if kind not in allowed or not run.decide('continue' if kind == 'pause' else 'pass', state.now(), index, by=req.caller):
        raise _conflict('The step is not paused')
    return _success()


def review(req, state):
    """POST .../jobs/{job_run_id}/steps/{step_run_id}/pass|refuse (manual review; query approval_description)."""
    run = _path_run(req, state)
    index = _phase_of(req, run)
    phase = run.phases[index]
    if phase.get('kind') != 'gate' or phase.get('pre') or index not in run.waiting_phases():
        raise _conflict('The step is not waiting for a manual review')
    run.decide(req.params['verb'], state.now(), index, by=req.caller, comment=req.arg('approval_description'))
    return _success()


def checkpoint(req, state):
    """POST .../pipeline-runs/{run}/steps/{step_run_id}/manual/pass|refuse: a stage-entry checkpoint (a ``pre`` step)."""
    run = _path_run(req, state)
    index = _phase_of(req, run, step_only=True)
    phase = run.phases[index]
    if not phase.get('pre') or phase.get('kind') != 'gate' or index not in run.waiting_phases():
        raise _conflict('The step is not a stage entry checkpoint waiting for a decision')
    run.decide(req.params['verb'], state.now(), index, by=req.caller)
    return _success()


def delay(req, state):
    """POST .../jobs/{job}/steps/{step}/delay-pass|delay-refuse (decide a delayed execution now) or /delay
    (postpone it by one hour)."""
    run = _path_run(req, state)
    index = _phase_of(req, run)
    if run.phases[index].get('kind') != 'delay' or index not in run.waiting_phases():
        raise _conflict('The step is not a delayed execution that is waiting')
    now = state.now()
    if req.params['verb'] == 'delay':
        run.postpone(index, 3600, now)
    else:
        run.decide('pass' if req.params['verb'] == 'delay-pass' else 'refuse', now, index, by=req.caller)
    return _success()


def step_log(req, state):
    """POST .../jobs/{job}/steps/{step}/logs (ShowPipelineLog) or .../exec-log (ShowPipelineExecLog, ``offset``
    required): ``{start_offset, end_offset, limit, sort}`` -> ``{has_more, start_offset, end_offset, log,
    step_run_id}``. Offsets are line numbers sent back as strings: a page starts at the larger of the two offsets
    of the request, so echoing both returned offsets and sending the returned end as the next start both page on."""
    run = _path_run(req, state)
    index = _phase_of(req, run)
    body = _json_body(req, {}, dict, 'object')
    if body.get('limit') is None or body.get('sort') not in ('asc', 'desc') or (
            req.route.operation == 'ShowPipelineExecLog' and body.get('offset') is None):
        raise _bad('limit and sort (asc|desc) are required' + (' and offset' if 'exec' in req.path else ''))
    try:
        limit, start = int(body['limit']), max(int(body.get('start_offset') or 0), int(body.get('end_offset') or 0))
    except (TypeError, ValueError) as exc:
        raise _bad('offsets and limit must be integers') from exc
    if limit <= 0 or start < 0:
        raise _bad('limit must be > 0 and offsets >= 0')
    phase = run.phases[index]
    if phase.get('log_error'):
        status = int(phase['log_error'])
        raise fail(status, 'DEVPIPE.00011108' if status == 403 else 'DEVPIPE.00011500',
                   'No permission to view this log' if status == 403 else 'Failed to query the log')
    text = logs.lines(run.id, phase, state.now(), state.switch('logs.invalid_byte'))
    if body['sort'] == 'desc':
        text = text[::-1]
    page = text[start:start + limit]
    end = start + len(page)
    return Response(200, {'has_more': end < len(text) or logs.still_writing(phase), 'start_offset': str(start),
                          'end_offset': str(end), 'log': ''.join(line + '\n' for line in page),
                          'step_run_id': req.params['step_run_id'], 'location': None})


def queued_list(req, state):
    """GET .../{pipeline_id}/queued-pipeline?limit=&offset= -> {"queuedPipelines": [...]} (oldest first)."""
    pid = _pipeline(req, state)
    try:
        limit, offset = int(req.arg('limit', 10)), int(req.arg('offset', 0))
    except ValueError as exc:
        raise _bad('limit and offset must be integers') from exc
    queue = sorted((r for r in runs_of(state, pid) if r.status == QUEUED), key=lambda r: r.extra['enqueued'])
    items = [{'id': r.extra['queue_id'], 'pipeline_run_id': r.id, 'enqueue_time': ms(r.extra['enqueued']),
              'trigger_type': 'Manual', 'status': 'QUEUED', 'creator_id': EXECUTOR_ID, 'creator_name': 'emu-user'}
             for r in queue]
    return Response(200, {'queuedPipelines': items[offset:offset + limit]})


def cancel_queuing(req, state):
    """POST /v5/{project_id}/api/pipelines/{pipeline_id}/{pipeline_run_id}/cancel-queuing/{queue_id} -> {"success"}."""
    run = _path_run(req, state)
    if run.status != QUEUED or run.extra.get('queue_id') != req.params['queue_id']:
        raise _conflict('The pipeline run is not queued with this queue id')
    run.stop(state.now())
    return _success()


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
    ('PUT', RUN + '/retry', 'RetryPipelineRun', retry_run),
    ('POST', RUN + '/jobs/{job_run_id}/steps/{step_run_id}/resume', 'ResumePipeline', resume),
    ('POST', RUN + '/jobs/{job_run_id}/steps/{step_run_id}/logs', 'ShowPipelineLog', step_log),
    ('POST', RUN + '/jobs/{job_run_id}/steps/{step_run_id}/exec-log', 'ShowPipelineExecLog', step_log),
    ('GET', PIPELINES + '/{pipeline_id}/queued-pipeline', 'ListQueuedPipelineRuns', queued_list),
    ('POST', PIPELINES + '/{pipeline_id}/{run_id}/cancel-queuing/{queue_id}', 'CancelQueuingPipelineRun', cancel_queuing),
    ('POST', RUN + '/jobs/{job_run_id}/steps/{step_run_id}/{verb:pass}', 'AcceptManualReview', review),
    ('POST', RUN + '/jobs/{job_run_id}/steps/{step_run_id}/{verb:refuse}', 'RejectManualReview', review),
    ('POST', RUN + '/steps/{step_run_id}/manual/{verb:pass}', 'AcceptCheckpoint', checkpoint),
    ('POST', RUN + '/steps/{step_run_id}/manual/{verb:refuse}', 'RejectCheckpoint', checkpoint),
    ('POST', RUN + '/jobs/{job_run_id}/steps/{step_run_id}/{verb:delay-pass}', 'AcceptDelayJob', delay),
    ('POST', RUN + '/jobs/{job_run_id}/steps/{step_run_id}/{verb:delay-refuse}', 'RejectDelayJob', delay),
    ('POST', RUN + '/jobs/{job_run_id}/steps/{step_run_id}/{verb:delay}', 'ContinueDelayJob', delay),
]
