"""Huawei Cloud ServiceStage release tasks: list, detail, and the actions start, stop, continue, approval,
retry and rollback.

Records: ``state.releases`` (release task id -> {task, status, run, execution_id, mode}); ``run`` is the
engine run of the latest execution, ``mode`` is ``release`` or ``rollback``.
"""

from ..routing import Response
from ..state import (CANCELED, FAILED, PAUSED, PENDING, QUEUED, RUNNING, SKIPPED, STOP_SECONDS, STOPPING, SUCCESS, WAITING,
                     Run, StatusNames, ms)
from .auth import fail, require_project

TASKS = {PENDING: 'pending', RUNNING: 'running', WAITING: 'waiting', PAUSED: 'paused', SUCCESS: 'success',
         FAILED: 'failed', CANCELED: 'canceled', SKIPPED: 'skipped'}
RELEASE = StatusNames(run={QUEUED: 4, RUNNING: 4, WAITING: 5, PAUSED: 7, SUCCESS: 2, FAILED: 3, STOPPING: 13, CANCELED: 1}, job=TASKS)
ROLLBACK = StatusNames(run={RUNNING: 10, SUCCESS: 11, FAILED: 12, STOPPING: 13, CANCELED: 1}, job=TASKS)
ROLLBACK_PHASES = [{'stage': 'rollback', 'job': 'rollback', 'seconds': 2}]
ALLOWED_FROM = {'start': (1, 2, 3, 11, 12), 'stop': (4, 5, 7), 'continue': (7,), 'approval': (5,),
                'retry': (3,), 'rollback': (2, 3)}
RELEASES = '/v3/{project_id}/pipeline/pipelines'
CREATED_MS = 1767225600000


# ----------------------------------------------------------------------------------------------- records
def seed(state):
    """Every release task of the fixture, with its initial status and no execution."""
    state.releases = {rid: {'task': task, 'status': int(task.get('status', 1)), 'run': None, 'execution_id': None, 'mode': None,
                            'history': []}
                      for rid, task in state.data['huawei']['release_tasks'].items()}


def dump(state, now):
    """Status, execution id and run of every release task."""
    return {'releases': {rid: {'status': rel['status'], 'execution_id': rel['execution_id'],
                               'run': rel['run'].advance(now).dump() if rel['run'] else None}
                         for rid, rel in state.releases.items()}}


def _release(req, state):
    require_project(req, state, 'SVCSTG.00100433', 'application release not found')
    rel = state.releases.get(req.params['pipeline_id'])
    if rel is None:
        raise fail(404, 'SVCSTG.00100433', 'application release not found: %s' % req.params['pipeline_id'])
    return rel


def _status(rel, now):
    """The release task's status integer."""
    run = rel['run']
    if run is None:
        return rel['status']
    return (ROLLBACK if rel['mode'] == 'rollback' else RELEASE).run(run.advance(now))


def _bad(msg):
    return fail(400, 'SVCSTG.00100400', 'parameter invalid: ' + msg)


# ----------------------------------------------------------------------------------------------- shapes
def _summary(rid, rel, now):
    task = rel['task']
    run = rel['run']
    return {'id': rid, 'name': task['name'], 'description': task.get('description', ''), 'create_time': CREATED_MS,
            'update_time': ms(run.ended or run.started) if run else CREATED_MS, 'model_version': 2, 'config_mode': 'ui',
            'status': _status(rel, now), 'creator': 'emu-user', 'last_trigger_at': ms(run.started) if run else None,
            'enterprise_project_id': '0'}


def _declaration(rel):
    """pipeline_declaration.stages[].tasks[] with each task's status in the latest release execution."""
    run = rel['run']
    phases = {(p['stage'], p['job']): p for p in run.phases} if run and rel['mode'] != 'rollback' else {}
    kinds = {(p['stage'], p['job']): p.get('kind', 'work') for p in rel['task']['phases']}
    stages = []
    for stage in rel['task']['stages']:
        tasks = []
        for name in stage['tasks']:
            phase = phases.get((stage['name'], name))
            tasks.append({'name': name, 'display_name': name,
                          'type': {'gate': 'approval', 'pause': 'pause'}.get(kinds.get((stage['name'], name)), 'deploy'),
                          'status': RELEASE.job(phase) if phase else ('not_selected' if run else PENDING),
                          'start_time': ms(phase['start']) if phase else None, 'end_time': ms(phase['end']) if phase else None})
        stages.append({'name': stage['name'], 'display_name': stage['name'], 'tasks': tasks})
    return {'sources': [], 'stages': stages}


# ----------------------------------------------------------------------------------------------- calls
def list_releases(req, state):
    """GET /v3/{project_id}/pipeline/pipelines -> {"pipelines": [...]}."""
    require_project(req, state, 'SVCSTG.00100400', 'parameter invalid: project_id')
    now = state.now()
    return Response(200, {'pipelines': [_summary(rid, rel, now) for rid, rel in state.releases.items()]})


def show_release(req, state):
    """GET /v3/{project_id}/pipeline/pipelines/{pipeline_id} (detail, with stages and tasks)."""
    rel = _release(req, state)
    body = _summary(req.params['pipeline_id'], rel, state.now())
    body.update({'fail_mode': 'stop', 'execution_id': rel['execution_id'], 'pipeline_declaration': _declaration(rel)})
    return Response(200, body)


def release_action(req, state):
    """POST /v3/{project_id}/pipeline/pipelines/{pipeline_id}/action?action_id=..."""
    rel = _release(req, state)
    action = req.arg('action_id')
    if action not in ALLOWED_FROM:
        raise _bad('action_id must be one of %s' % ', '.join(ALLOWED_FROM))
    try:
        body = req.json() if req.body.strip() else {}
    except ValueError as exc:
        raise _bad('request body is not valid JSON') from exc
    if not isinstance(body, dict):
        raise _bad('request body must be a JSON object')
    now = state.now()
    status = _status(rel, now)
    if status not in ALLOWED_FROM[action]:
        raise _bad('action %s is not allowed when the release task status is %d' % (action, status))
    ACTIONS[action](rel, body, state, now)
    return Response(200, {'id': rel['execution_id'], 'pipeline_id': req.params['pipeline_id'], 'status': _status(rel, now)},
                    acted=True)


def _selected_phases(task, selected):
    """Phases of the release task restricted to selected_tasks (None = all)."""
    if selected is None:
        return task['phases']
    if not isinstance(selected, list) or not all(isinstance(s, dict) and isinstance(s.get('tasks', []), list) for s in selected):
        raise _bad('selected_tasks must be a list of {stage_name, tasks}')
    known = {s['name']: s['tasks'] for s in task['stages']}
    chosen = set()
    for item in selected:
        stage = item.get('stage_name')
        if stage not in known or any(t not in known[stage] for t in item.get('tasks', [])):
            raise _bad('unknown stage or task in selected_tasks')
        chosen.update((stage, t) for t in (item.get('tasks') or known[stage]))
    phases = [p for p in task['phases'] if (p['stage'], p['job']) in chosen]
    if not phases:
        raise _bad('selected_tasks selects nothing')
    return phases


def _execute(rel, state, now, mode, phases):
    """A new execution of the release task."""
    rel['execution_id'] = str(state.next_id('release_execution'))
    rel['run'] = Run(rel['execution_id'], phases, now)
    rel['mode'] = mode
    rel['history'].append((rel['run'], mode))


def _start(rel, body, state, now):
    _execute(rel, state, now, 'release', _selected_phases(rel['task'], body.get('selected_tasks')))


def _rollback(rel, _body, state, now):
    _execute(rel, state, now, 'rollback', ROLLBACK_PHASES)


def _stop(rel, _body, _state, now):
    rel['run'].stop(now, STOP_SECONDS)


def _continue(rel, _body, _state, now):
    rel['run'].decide('continue', now)


def _retry(rel, _body, _state, now):
    rel['run'].retry(rel['run'].idx, now)


def _approval(rel, body, _state, now):
    phase = rel['run'].waiting_phase()
    if not body.get('task_name'):
        raise _bad('task_name is required for approval')
    if body.get('approval_type') not in ('agree', 'refuse'):
        raise _bad('approval_type must be agree or refuse')
    if phase is None or phase['job'] != body['task_name']:
        raise _bad('task %s is not awaiting approval' % body['task_name'])
    rel['run'].decide('pass' if body['approval_type'] == 'agree' else 'refuse', now)


def records(req, state):
    """GET /v3/{project_id}/pipeline/pipelines/{pipeline_id}/records -> {count, records: [...]}, newest first.
    Record fields beyond id / pipeline_id / trigger / version are the emulator's (UNDOC): status (integer as in
    the detail), mode, times, the failed task. ``id`` is an integer (switch: string). Optional offset / limit."""
    rel = _release(req, state)
    now = state.now()
    as_text = state.switch('huawei.servicestage.record_id_type') == 'string'
    items = []
    for run, mode in reversed(rel['history']):
        run.advance(now)
        failed = next((p['job'] for p in run.phases if p['status'] == FAILED), None)
        items.append({'id': run.id if as_text else int(run.id), 'pipeline_id': req.params['pipeline_id'], 'trigger': 'manual',
                      'version': [], 'mode': mode, 'status': (ROLLBACK if mode == 'rollback' else RELEASE).run(run),
                      'executor': 'emu-user', 'start_time': ms(run.started), 'end_time': ms(run.ended), 'failed_task': failed})
    try:
        offset, limit = int(req.arg('offset', 0)), int(req.arg('limit', 100))
    except ValueError as exc:
        raise _bad('offset and limit must be integers') from exc
    return Response(200, {'count': len(items), 'records': items[offset:offset + limit]})


ACTIONS = {'start': _start, 'stop': _stop, 'continue': _continue, 'approval': _approval, 'retry': _retry,
           'rollback': _rollback}
ROUTES = [
    ('GET', RELEASES, 'ObtainReleaseTaskList', list_releases),
    ('GET', RELEASES + '/{pipeline_id}', 'ViewReleaseTaskDetailsBasedOnTheReleaseTaskID', show_release),
    ('POST', RELEASES + '/{pipeline_id}/action', 'OperateReleaseTask', release_action),
    ('GET', RELEASES + '/{pipeline_id}/records', 'ListReleaseTaskRecords', records),
]
