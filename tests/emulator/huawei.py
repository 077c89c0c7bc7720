"""Huawei Cloud: IAM token, SDK-HMAC-SHA256 / X-Auth-Token auth, CodeArts v5 + v3 start_info, ServiceStage release tasks."""

import datetime
import hashlib
import hmac
import re
from urllib.parse import quote, unquote

from .state import (CANCELED, FAILED, PAUSED, PENDING, RUNNING, STOP_SECONDS, STOPPING, SUCCESS, WAITING,
                    Fail, Response, Run, hexid, ms, stage_groups, stage_status)

try:  # official signer primitives (test-only dependency); stdlib fallback below
    from huaweicloudsdkcore.sdk_request import SdkRequest
    from huaweicloudsdkcore.signer.signer import Signer
except ImportError:  # pragma: no cover
    Signer = SdkRequest = None

VENDOR = 'huawei'
AUTH_RE = re.compile(r'SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)\s*$')
MAX_SKEW = 15 * 60
CA_STATUS = {PENDING: 'INIT', RUNNING: 'RUNNING', WAITING: 'RUNNING', PAUSED: 'PAUSED', STOPPING: 'RUNNING',
             SUCCESS: 'COMPLETED', FAILED: 'FAILED', CANCELED: 'CANCELED', 'skipped': 'SKIPPED'}
STEP_STATUS = {SUCCESS: 'COMPLETED', FAILED: 'FAILED', CANCELED: 'CANCELED'}
SS_STATUS = {RUNNING: 4, WAITING: 5, PAUSED: 7, SUCCESS: 2, FAILED: 3, STOPPING: 13, CANCELED: 1}
SS_ROLLBACK = {RUNNING: 10, SUCCESS: 11, FAILED: 12, STOPPING: 13, CANCELED: 1}
SS_ACTIONS = {'start': (1, 2, 3, 11, 12), 'stop': (4, 5, 7), 'continue': (7,), 'approval': (5,),
              'retry': (3,), 'rollback': (2, 3)}
PROJECT = r'(?P<project_id>[^/]+)'
PIPE = r'/v5/' + PROJECT + r'/api/pipelines/(?P<pipeline_id>[^/]+)'
RUNS = PIPE + r'/pipeline-runs'


def fail(status, code, msg):
    """A Huawei error (``error_code`` / ``error_msg``)."""
    return Fail(status, {'error_code': code, 'error_msg': msg})


def owns(path):
    """True for Huawei paths."""
    return path.startswith('/v3/') or path.startswith('/v5/')


def vendor_of(_path):
    """Log label."""
    return VENDOR


def decorate(req, resp):
    """Every Huawei response carries X-Request-Id."""
    resp.headers.setdefault('X-Request-Id', req.request_id)


def not_found(req):
    """Unknown Huawei path."""
    return Response(404, {'error_code': 'APIGW.0101', 'error_msg': 'The API does not exist or has not been published in the environment',
                          'request_id': req.request_id})


def fault_error(req, status):
    """Vendor body for an injected HTTP error."""
    if status == 429:
        body = {'error_code': 'APIGW.0308', 'error_msg': 'The throttling threshold has been reached: policy user over ratelimit'}
    else:
        body = {'error_code': 'APIGW.0%d' % status, 'error_msg': 'Backend service error (emulated %d)' % status}
    body['request_id'] = req.request_id
    return Response(status, body)


def iam_password(req):
    """The password in an IAM token request body (for redaction), else None."""
    if req.path != '/v3/auth/tokens' or not req.body:
        return None
    try:
        return req.json()['auth']['identity']['password']['user']['password'] or None
    except (ValueError, KeyError, TypeError):
        return None


# ----------------------------------------------------------------------------------------------- auth
def _deny(req, why):
    return Response(401, {'error_code': 'APIGW.0301', 'error_msg': 'Incorrect IAM authentication information: ' + why,
                          'request_id': req.request_id})


def authenticate(req, state):
    """X-Auth-Token or SDK-HMAC-SHA256; None when accepted, else the 401 Response."""
    if req.path == '/v3/auth/tokens':
        return None
    creds = state.data['credentials']['huawei']
    auth = req.headers.get('authorization', '')
    if auth.startswith('SDK-HMAC-SHA256'):
        return _verify_aksk(req, creds, auth)
    token = req.headers.get('x-auth-token')
    if token:
        return None if token in creds['tokens'] else _deny(req, 'decrypt token fail')
    return _deny(req, 'x-auth-token not found')


def _verify_aksk(req, creds, auth):
    found = AUTH_RE.match(auth)
    if not found:
        return _deny(req, 'verify aksk signature fail, malformed Authorization header')
    ak, signed, signature = found.group(1), found.group(2).split(';'), found.group(3).lower()
    cred = creds['aksk'].get(ak)
    if cred is None:
        return _deny(req, 'Get secretKey failed,ak:%s,err:ak not exist' % ak)
    date = req.headers.get('x-sdk-date', '')
    try:
        sent = datetime.datetime.strptime(date, '%Y%m%dT%H%M%SZ').replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return _deny(req, 'verify aksk signature fail, invalid X-Sdk-Date')
    if abs((datetime.datetime.now(datetime.timezone.utc) - sent).total_seconds()) > MAX_SKEW:
        return _deny(req, 'verify aksk signature fail, X-Sdk-Date is out of the allowed time range (15 min)')
    if 'x-sdk-date' not in signed or 'host' not in signed or any(h not in req.headers for h in signed):
        return _deny(req, 'verify aksk signature fail, signed headers incomplete')
    if cred.get('security_token') and req.headers.get('x-security-token') != cred['security_token']:
        return _deny(req, 'verify aksk signature fail, security token is missing or invalid')
    expected = signature_for(req, signed, cred['sk'])
    if not hmac.compare_digest(expected, signature):
        return _deny(req, 'verify aksk signature fail')
    return None


def signature_for(req, signed, secret):
    """Recompute the SDK-HMAC-SHA256 signature of a received request over the declared signed headers."""
    headers = {name: req.headers.get(name, '') for name in signed}
    query = [(k, v) for k, values in req.query.items() for v in values]
    date = headers['x-sdk-date']
    if Signer is not None:
        signer = Signer(type('Cred', (), {'ak': 'x', 'sk': secret})())
        sdk_req = SdkRequest(method=req.method, resource_path=req.raw_path, query_params=query,
                             header_params=headers, body=req.body)
        canonical = signer._process_canonical_request(sdk_req, signed)  # pylint: disable=protected-access
        when = datetime.datetime.strptime(date, '%Y%m%dT%H%M%SZ')
        to_sign = signer._process_string_to_sign(canonical, when)  # pylint: disable=protected-access
        return signer._sign_string_to_sign(to_sign, secret)  # pylint: disable=protected-access
    path = '/'.join(quote(seg, safe='~') for seg in unquote(req.raw_path).split('/'))
    path += '' if path.endswith('/') else '/'
    canon_query = '&'.join('%s=%s' % (quote(k, safe='~'), quote(v, safe='~')) for k, v in sorted(query))
    canon_headers = ''.join('%s:%s\n' % (n, headers[n].strip()) for n in signed)
    body_hash = headers.get('x-sdk-content-sha256') or hashlib.sha256(req.body).hexdigest()
    canonical = '\n'.join([req.method, path, canon_query, canon_headers, ';'.join(signed), body_hash])
    to_sign = 'SDK-HMAC-SHA256\n%s\n%s' % (date, hashlib.sha256(canonical.encode()).hexdigest())
    return hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()


# ----------------------------------------------------------------------------------------------- IAM
def issue_token(req, state):
    """POST /v3/auth/tokens (password identity) -> 201 + X-Subject-Token."""
    try:
        ident = req.json()['auth']['identity']
        user = ident['password']['user']
        name, password = user['name'], user['password']
    except (ValueError, KeyError, TypeError) as exc:
        raise fail(400, 'IAM.0011', 'Request body is invalid.') from exc
    known = state.data['credentials']['huawei']['iam_users'].get(name)
    if not known or known['password'] != password or 'password' not in ident.get('methods', []):
        raise Fail(401, {'error_code': 'IAM.0004', 'error_msg': 'The username or password is wrong.',
                         'error': {'code': 401, 'message': 'The username or password is wrong.', 'title': 'Unauthorized'}})
    now = datetime.datetime.now(datetime.timezone.utc)
    fmt = '%Y-%m-%dT%H:%M:%S.000000Z'
    project = state.data['huawei']['project_id']
    body = {'token': {'methods': ['password'], 'issued_at': now.strftime(fmt),
                      'expires_at': (now + datetime.timedelta(hours=24)).strftime(fmt),
                      'user': {'id': known['user_id'], 'name': name, 'domain': {'id': known['user_id'], 'name': name}},
                      'project': {'id': project, 'name': 'cn-north-4', 'domain': {'id': known['user_id'], 'name': name}},
                      'catalog': [], 'roles': []}}
    return Response(201, body, {'X-Subject-Token': known['token']})


# ----------------------------------------------------------------------------------------------- CodeArts v5
def _project(req, state, code='DEVPIPE.00011104', msg='The pipeline does not exist'):
    if req.params.get('project_id') != state.data['huawei']['project_id']:
        raise fail(404, code, msg)


def _pipeline(req, state):
    _project(req, state)
    pid = req.params['pipeline_id']
    if pid not in state.codearts:
        raise fail(404, 'DEVPIPE.00011104', 'The pipeline does not exist: %s' % pid)
    return pid


def _fmt(seconds):
    return None if seconds is None else datetime.datetime.fromtimestamp(seconds).strftime('%Y-%m-%d %H:%M:%S')


def _stage_window(phases):
    starts = [p['start'] for dummy, p in phases if p['start'] is not None]
    ends = [p['end'] for dummy, p in phases if p['end'] is not None]
    done = stage_status(phases) in (SUCCESS, FAILED, CANCELED)
    return (min(starts) if starts else None), (max(ends) if ends and done else None)


def _latest(run, state, pid, with_ids=False):
    """PipelineLatestRun / ListPipelineRuns item."""
    stages = []
    for seq, (name, phases) in enumerate(stage_groups(run)):
        start, end = _stage_window(phases)
        item = {'name': name, 'sequence': seq, 'status': CA_STATUS[stage_status(phases)], 'start_time': _fmt(start), 'end_time': _fmt(end)}
        if with_ids:
            item['id'] = hexid(run.id, 'stage', name)
        stages.append(item)
    project = state.data['huawei']['project_id']
    url = 'https://devcloud.cn-north-4.huaweicloud.com/cicd/project/%s/pipeline/detail/%s' % (project, pid)
    return {'pipeline_id': pid, 'pipeline_run_id': run.id, 'executor_id': 'e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0',
            'executor_name': 'emu-user', 'stage_status_list': stages, 'status': CA_STATUS[run.status],
            'run_number': run.extra['run_number'], 'trigger_type': 'Manual',
            'build_params': {'action': None, 'build_type': 'branch', 'commit_id': hexid(run.id, 'commit')[:40],
                             'event_type': 'Manual', 'merge_id': None, 'message': 'emulated commit', 'source_branch': None,
                             'tag': None, 'target_branch': 'master', 'codehub_id': '2111699716',
                             'git_url': 'https://example.com/emu/repo.git'},
            'artifact_params': None, 'start_time': ms(run.started), 'end_time': ms(run.ended),
            'modify_url': url + '?edit=1', 'detail_url': '%s/%s' % (url, run.id)}


def batch_status(req, state):
    """POST /v5/{project_id}/api/pipelines/status -- body: JSON array of ids (max 100)."""
    _project(req, state, 'DEVPIPE.00011101', 'Invalid project id')
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


def _find_run(state, pid, run_id):
    for run in state.codearts_runs[pid]:
        if run.id == run_id:
            return run.advance(state.now())
    raise fail(404, 'DEVPIPE.00011105', 'The pipeline run does not exist: %s' % run_id)


def _step(run, index, phase):
    status = STEP_STATUS.get(phase['status'], 'RUNNING' if phase['status'] in (RUNNING, WAITING, PAUSED) else None)
    return {'id': hexid(run.id, 'step', index), 'name': phase.get('step', phase['job']), 'task': phase.get('task', 'official_shell_plugin'),
            'business_type': 'Normal', 'inputs': [], 'sequence': 0, 'official_task_version': '0.0.1', 'identifier': 'step_%d' % index,
            'multi_step_editable': 0, 'endpoint_ids': [], 'last_dispatch_id': hexid(run.id, 'dispatch', index),
            'status': status, 'message': None, 'start_time': ms(phase['start']), 'end_time': ms(phase['end']), 'daily_build_number': None}


def _job(run, seq, index, phase):
    return {'id': hexid(run.id, 'job', index), 'category': None, 'sequence': seq, 'async': 'false', 'name': phase['job'],
            'identifier': 'job_%d' % index, 'depends_on': [], 'condition': None, 'resource': None, 'is_select': True,
            'timeout': '', 'last_dispatch_id': hexid(run.id, 'dispatch', index), 'status': CA_STATUS[phase['status']],
            'message': None, 'start_time': ms(phase['start']), 'end_time': ms(phase['end']),
            'steps': [_step(run, index, phase)], 'exec_id': hexid(run.id, 'exec', index)}


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
    stages = []
    for seq, (name, phases) in enumerate(stage_groups(run)):
        start, end = _stage_window(phases)
        stages.append({'id': hexid(run.id, 'stage', name), 'category': None, 'name': name, 'identifier': 'stage_%d' % seq,
                       'run_always': False, 'parallel': None, 'is_select': True, 'sequence': seq, 'depends_on': [],
                       'condition': None, 'status': CA_STATUS[stage_status(phases)], 'start_time': ms(start), 'end_time': ms(end),
                       'pre': [], 'post': [], 'jobs': [_job(run, n, i, p) for n, (i, p) in enumerate(phases)]})
    project = state.data['huawei']['project_id']
    body = {'id': run.id, 'pipeline_id': pid, 'manifest_version': '3.0', 'name': state.codearts[pid]['name'], 'description': '',
            'is_publish': False, 'executor_id': 'e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0', 'executor_name': 'emu-user',
            'status': CA_STATUS[run.status], 'trigger_type': 'Manual', 'run_number': run.extra['run_number'], 'pause_time': 0,
            'start_time': ms(run.started), 'end_time': ms(run.ended), 'stages': stages, 'domain_id': 'd' * 32,
            'project_id': project, 'region': 'cn-north-4', 'component_id': '', 'language': 'zh-cn', 'sources': []}
    return Response(200, body)


def _template(state, pid):
    spec = state.data['huawei']['codearts']
    template = state.codearts[pid].get('template') or 'build'
    return spec['templates'][template] if isinstance(template, str) else template


def run_pipeline(req, state):
    """POST /v5/{project_id}/api/pipelines/{pipeline_id}/run -> {"pipeline_run_id"}."""
    pid = _pipeline(req, state)
    try:
        body = req.json() if req.body else {}
    except ValueError as exc:
        raise fail(400, 'DEVPIPE.00011101', 'Request body is not valid JSON') from exc
    if not isinstance(body, dict):
        raise fail(400, 'DEVPIPE.00011101', 'Request body must be a JSON object')
    run = state.new_codearts_run(pid, _template(state, pid), state.now())
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
    pid = _pipeline(req, state)
    run = _find_run(state, pid, req.params['run_id'])
    if not run.stop(state.now()):
        raise fail(400, 'DEVPIPE.00011106', 'The pipeline run has already finished')
    return Response(200, {'success': True}, acted=True)


def review(req, state):
    """POST .../jobs/{job_run_id}/steps/{step_run_id}/pass|refuse (manual review)."""
    pid = _pipeline(req, state)
    run = _find_run(state, pid, req.params['run_id'])
    phase = run.waiting_phase()
    index = run.idx
    if (phase is None or hexid(run.id, 'job', index) != req.params['job_run_id']
            or hexid(run.id, 'step', index) != req.params['step_run_id']):
        raise fail(400, 'DEVPIPE.00011106', 'The step is not waiting for a manual review')
    run.decide('pass' if req.params['verb'] == 'pass' else 'refuse', state.now())
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


# ----------------------------------------------------------------------------------------------- ServiceStage
def _release(req, state):
    _project(req, state, 'SVCSTG.00100433', 'application release not found')
    rel = state.releases.get(req.params['pipeline_id'])
    if rel is None:
        raise fail(404, 'SVCSTG.00100433', 'application release not found: %s' % req.params['pipeline_id'])
    return rel


def _ss_status(rel, now):
    run = rel['run']
    if run is None:
        return rel['status']
    run.advance(now)
    table = SS_ROLLBACK if rel['mode'] == 'rollback' else SS_STATUS
    return table[run.status]


def _ss_summary(rid, rel, now):
    task = rel['task']
    run = rel['run']
    return {'id': rid, 'name': task['name'], 'description': task.get('description', ''), 'create_time': 1767225600000,
            'update_time': ms(run.ended or run.started) if run else 1767225600000, 'model_version': 2, 'config_mode': 'ui',
            'status': _ss_status(rel, now), 'creator': 'emu-user', 'last_trigger_at': ms(run.started) if run else None,
            'enterprise_project_id': '0'}


def list_releases(req, state):
    """GET /v3/{project_id}/pipeline/pipelines -> {"pipelines": [...]}."""
    _project(req, state, 'SVCSTG.00100400', 'parameter invalid: project_id')
    now = state.now()
    return Response(200, {'pipelines': [_ss_summary(rid, rel, now) for rid, rel in state.releases.items()]})


def show_release(req, state):
    """GET /v3/{project_id}/pipeline/pipelines/{pipeline_id} (detail, with stages and tasks)."""
    rel = _release(req, state)
    now = state.now()
    body = _ss_summary(req.params['pipeline_id'], rel, now)
    run = rel['run']
    phases = {(p['stage'], p['job']): p for p in run.phases} if run and rel['mode'] != 'rollback' else {}
    kinds = {(p['stage'], p['job']): p.get('kind', 'work') for p in rel['task']['phases']}
    stages = []
    for stage in rel['task']['stages']:
        tasks = []
        for name in stage['tasks']:
            phase = phases.get((stage['name'], name))
            tasks.append({'name': name, 'display_name': name, 'type': {'gate': 'approval', 'pause': 'pause'}.get(kinds.get((stage['name'], name)), 'deploy'),
                          'status': phase['status'] if phase else ('not_selected' if run else PENDING),
                          'start_time': ms(phase['start']) if phase else None, 'end_time': ms(phase['end']) if phase else None})
        stages.append({'name': stage['name'], 'display_name': stage['name'], 'tasks': tasks})
    body.update({'fail_mode': 'stop', 'execution_id': rel['execution_id'],
                 'pipeline_declaration': {'sources': [], 'stages': stages}})
    return Response(200, body)


def _ss_bad(msg):
    return fail(400, 'SVCSTG.00100400', 'parameter invalid: ' + msg)


def _selected_phases(task, selected):
    """Phases of the release task restricted to selected_tasks (None = all)."""
    if selected is None:
        return task['phases']
    if not isinstance(selected, list) or not all(isinstance(s, dict) and isinstance(s.get('tasks', []), list) for s in selected):
        raise _ss_bad('selected_tasks must be a list of {stage_name, tasks}')
    known = {s['name']: s['tasks'] for s in task['stages']}
    chosen = set()
    for item in selected:
        stage = item.get('stage_name')
        if stage not in known or any(t not in known[stage] for t in item.get('tasks', [])):
            raise _ss_bad('unknown stage or task in selected_tasks')
        chosen.update((stage, t) for t in (item.get('tasks') or known[stage]))
    phases = [p for p in task['phases'] if (p['stage'], p['job']) in chosen]
    if not phases:
        raise _ss_bad('selected_tasks selects nothing')
    return phases


def release_action(req, state):
    """POST /v3/{project_id}/pipeline/pipelines/{pipeline_id}/action?action_id=..."""
    rel = _release(req, state)
    action = req.arg('action_id')
    if action not in SS_ACTIONS:
        raise _ss_bad('action_id must be one of %s' % ', '.join(SS_ACTIONS))
    try:
        body = req.json() if req.body.strip() else {}
    except ValueError as exc:
        raise _ss_bad('request body is not valid JSON') from exc
    if not isinstance(body, dict):
        raise _ss_bad('request body must be a JSON object')
    now = state.now()
    status = _ss_status(rel, now)
    if status not in SS_ACTIONS[action]:
        raise fail(400, 'SVCSTG.00100400', 'parameter invalid: action %s is not allowed when the release task status is %d' % (action, status))
    SS_HANDLERS[action](rel, body, state, now)
    return Response(200, {'id': rel['execution_id'], 'pipeline_id': req.params['pipeline_id'], 'status': _ss_status(rel, now)}, acted=True)


def _ss_start(rel, body, state, now, mode='release'):
    """start: a new execution of the (selected) tasks."""
    phases = _selected_phases(rel['task'], body.get('selected_tasks')) if mode == 'release' else \
        [{'stage': 'rollback', 'job': 'rollback', 'seconds': 2}]
    rel['execution_id'] = str(state.next_id('release_execution'))
    rel['run'] = Run(rel['execution_id'], phases, now)
    rel['mode'] = mode


def _ss_rollback(rel, body, state, now):
    _ss_start(rel, body, state, now, 'rollback')


def _ss_stop(rel, _body, _state, now):
    rel['run'].stop(now, STOP_SECONDS)


def _ss_continue(rel, _body, _state, now):
    rel['run'].decide('continue', now)


def _ss_retry(rel, _body, _state, now):
    rel['run'].retry(rel['run'].idx, now)


def _ss_approval(rel, body, _state, now):
    phase = rel['run'].waiting_phase()
    if not body.get('task_name'):
        raise _ss_bad('task_name is required for approval')
    if body.get('approval_type') not in ('agree', 'refuse'):
        raise _ss_bad('approval_type must be agree or refuse')
    if phase is None or phase['job'] != body['task_name']:
        raise _ss_bad('task %s is not awaiting approval' % body['task_name'])
    rel['run'].decide('pass' if body['approval_type'] == 'agree' else 'refuse', now)


SS_HANDLERS = {'start': _ss_start, 'stop': _ss_stop, 'continue': _ss_continue, 'approval': _ss_approval,
               'retry': _ss_retry, 'rollback': _ss_rollback}
ROUTES = [
    ('POST', re.compile(r'/v3/auth/tokens'), 'KeystoneCreateUserTokenByPassword', issue_token),
    ('PUT', re.compile(r'/v3/manage/pipelines/(?P<pipeline_id>[^/]+)/stages/(?P<stage_index>[^/]+)/start_info'),
     'ConfigureStageStartInfo', start_info),
    ('GET', re.compile(r'/v3/' + PROJECT + r'/pipeline/pipelines'), 'ObtainReleaseTaskList', list_releases),
    ('GET', re.compile(r'/v3/' + PROJECT + r'/pipeline/pipelines/(?P<pipeline_id>[^/]+)'),
     'ViewReleaseTaskDetailsBasedOnTheReleaseTaskID', show_release),
    ('POST', re.compile(r'/v3/' + PROJECT + r'/pipeline/pipelines/(?P<pipeline_id>[^/]+)/action'), 'OperateReleaseTask', release_action),
    ('POST', re.compile(r'/v5/' + PROJECT + r'/api/pipelines/status'), 'BatchShowPipelinesLatestStatus', batch_status),
    ('GET', re.compile(RUNS + r'/detail'), 'ShowPipelineRunDetail', run_detail),
    ('POST', re.compile(RUNS + r'/list'), 'ListPipelineRuns', list_runs),
    ('POST', re.compile(PIPE + r'/run'), 'RunPipeline', run_pipeline),
    ('POST', re.compile(RUNS + r'/(?P<run_id>[^/]+)/stop'), 'StopPipelineRun', stop_run),
    ('POST', re.compile(RUNS + r'/(?P<run_id>[^/]+)/jobs/(?P<job_run_id>[^/]+)/steps/(?P<step_run_id>[^/]+)/(?P<verb>pass)'),
     'AcceptManualReview', review),
    ('POST', re.compile(RUNS + r'/(?P<run_id>[^/]+)/jobs/(?P<job_run_id>[^/]+)/steps/(?P<step_run_id>[^/]+)/(?P<verb>refuse)'),
     'RejectManualReview', review),
]
