"""Alibaba Cloud: POP ACS3-HMAC-SHA256 (devops 2021-06-25) and Yunxiao x-yunxiao-token; Flow runs and AppStack stages."""

import datetime
import hashlib
import hmac
import json
import math
import re
import types
from urllib.parse import parse_qs, quote

from .state import (CANCELED, FAILED, PAUSED, PENDING, RUNNING, STOPPING, SUCCESS, TERMINAL, WAITING,
                    Fail, Response, ms, stage_groups, stage_status)

try:  # official signer primitive (test-only dependency); stdlib fallback below
    from alibabacloud_openapi_util.client import Client as OpenApiUtil
except ImportError:  # pragma: no cover
    OpenApiUtil = None

VENDOR = 'alibaba'
VERSION = '2021-06-25'
AUTH_RE = re.compile(r'ACS3-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)\s*$')
MAX_SKEW = 15 * 60
FLOW = {PENDING: 'INIT', RUNNING: 'RUNNING', WAITING: 'WAITING', PAUSED: 'WAITING', STOPPING: 'RUNNING',
        SUCCESS: 'SUCCESS', FAILED: 'FAIL', CANCELED: 'CANCELED', 'skipped': 'SKIPPED'}
RUN_STATUS = dict(FLOW, waiting='RUNNING', paused='RUNNING')
EXEC_STATE = {RUNNING: 'RUNNING', WAITING: 'RUNNING', PAUSED: 'RUNNING', STOPPING: 'RUNNING',
              SUCCESS: 'SUCCESS', FAILED: 'FAILED', CANCELED: 'CANCELED'}


def is_token_api(req):
    """True for the Yunxiao personal-access-token OpenAPI (/oapi/v1/...)."""
    return req.path.startswith('/oapi/')


def owns(path):
    """True for Alibaba / Yunxiao paths."""
    return path.startswith(('/organization/', '/organizations/', '/appstack/', '/oapi/'))


def vendor_of(path):
    """Log label: 'yunxiao' for the token API, else 'alibaba'."""
    return 'yunxiao' if path.startswith('/oapi/') else 'alibaba'


def err(req, status, code, msg):
    """Vendor error for the API family of this request."""
    if is_token_api(req):
        return Fail(status, {'errorCode': code, 'errorMessage': msg})
    return Fail(status, {'success': False, 'errorCode': code, 'errorMessage': msg, 'requestId': req.request_id})


def _gateway(req, status, code, msg):
    """POP gateway error ({Code, Message, RequestId})."""
    return Response(status, {'Code': code, 'Message': msg, 'RequestId': req.request_id,
                             'HostId': req.headers.get('host', ''), 'Recommend': 'https://api.aliyun.com/troubleshoot?q=' + code})


def decorate(req, resp):
    """Request id header everywhere; POP bodies also carry requestId."""
    resp.headers.setdefault('x-acs-request-id', req.request_id)
    if not is_token_api(req) and isinstance(resp.body, dict) and 'RequestId' not in resp.body:
        resp.body.setdefault('requestId', req.request_id)


def not_found(req):
    """Unknown Alibaba path."""
    if is_token_api(req):
        return Response(404, {'errorCode': 'NotFound', 'errorMessage': 'No route for %s %s' % (req.method, req.path)})
    return _gateway(req, 404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.')


def fault_error(req, status):
    """Vendor body for an injected HTTP error."""
    codes = {429: ('Throttling', 'Request was denied due to request throttling.'),
             500: ('InternalError', 'The request processing has failed due to some unknown error.'),
             502: ('BadGateway', 'The gateway received an invalid response from the backend.'),
             503: ('ServiceUnavailable', 'The request has failed due to a temporary failure of the server.')}
    code, msg = codes.get(status, ('InternalError', 'Emulated error %d' % status))
    if is_token_api(req):
        return Response(status, {'errorCode': code, 'errorMessage': msg})
    if status == 500:  # error200 and 500 use the devops body form
        return Response(status, {'success': False, 'errorCode': code, 'errorMessage': msg, 'requestId': req.request_id})
    return _gateway(req, status, code, msg)


# ----------------------------------------------------------------------------------------------- auth
def authenticate(req, state):
    """x-yunxiao-token or ACS3-HMAC-SHA256; None when accepted, else the error Response."""
    if is_token_api(req):
        token = req.headers.get('x-yunxiao-token')
        if not token:
            return Response(401, {'errorCode': 'Unauthorized', 'errorMessage': 'x-yunxiao-token header is required'})
        if token not in state.data['credentials']['yunxiao']['tokens']:
            return Response(401, {'errorCode': 'Unauthorized', 'errorMessage': 'The personal access token is invalid or expired'})
        return None
    return _verify_acs3(req, state)


def _verify_acs3(req, state):
    found = AUTH_RE.match(req.headers.get('authorization', ''))
    if not found:
        return _gateway(req, 400, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards: missing or malformed Authorization.')
    ak, signed, signature = found.group(1), found.group(2).split(';'), found.group(3).lower()
    cred = state.data['credentials']['alibaba']['aksk'].get(ak)
    if cred is None:
        return _gateway(req, 404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.')
    if cred.get('security_token') and req.headers.get('x-acs-security-token') != cred['security_token']:
        return _gateway(req, 400, 'InvalidSecurityToken.MismatchWithAccessKey', 'The security token is missing or does not match the access key.')
    problem = _header_problem(req, signed)
    if problem:
        return _gateway(req, 400, problem[0], problem[1])
    if not hmac.compare_digest(signature_for(req, signed, cred['secret']), signature):
        return _gateway(req, 400, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards.')
    nonce = req.headers['x-acs-signature-nonce']
    if nonce in state.nonces:
        return _gateway(req, 400, 'SignatureNonceUsed', 'Specified signature nonce was used already.')
    state.nonces.add(nonce)
    return _action_problem(req)


def _header_problem(req, signed):
    """(code, message) when required/signed headers are absent, stale or inconsistent."""
    required = [h for h in req.headers if h.startswith('x-acs-')] + ['host', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256']
    if any(h not in signed for h in required) or any(h not in req.headers for h in signed):
        return 'IncompleteSignature', 'The request signature does not conform to Aliyun standards: host and every x-acs-* header must be signed.'
    try:
        sent = datetime.datetime.strptime(req.headers['x-acs-date'], '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return 'InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.'
    if abs((datetime.datetime.now(datetime.timezone.utc) - sent).total_seconds()) > MAX_SKEW:
        return 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.'
    if req.headers['x-acs-content-sha256'].lower() != hashlib.sha256(req.body).hexdigest():
        return 'IncompleteSignature', 'The request signature does not conform to Aliyun standards: x-acs-content-sha256 does not match the body.'
    return None


def _action_problem(req):
    """x-acs-version / x-acs-action must match the called operation."""
    if req.headers.get('x-acs-version') != VERSION:
        return _gateway(req, 400, 'InvalidVersion', 'Specified parameter Version is not valid.')
    if req.route is not None and req.headers.get('x-acs-action') != req.route[2]:
        return _gateway(req, 404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.')
    return None


def signature_for(req, signed, secret):
    """Recompute the ACS3-HMAC-SHA256 signature of a received request (canonical URI = raw path as sent)."""
    headers = {name: req.headers.get(name, '') for name in signed}
    query = {k: v[0] for k, v in req.query.items()}
    payload = req.headers.get('x-acs-content-sha256', '')
    if OpenApiUtil is not None:
        request = types.SimpleNamespace(pathname=req.raw_path, method=req.method, query=query, headers=headers)
        return OpenApiUtil.get_authorization(request, 'ACS3-HMAC-SHA256', payload, 'x', secret).rsplit('Signature=', 1)[1]
    canon_query = '&'.join('%s=%s' % (k, quote(query[k], safe='~')) for k in sorted(query))
    canon_headers = ''.join('%s:%s\n' % (n, headers[n].strip()) for n in sorted(signed))
    canonical = '\n'.join([req.method, req.raw_path or '/', canon_query, canon_headers, ';'.join(sorted(signed)), payload])
    to_sign = 'ACS3-HMAC-SHA256\n' + hashlib.sha256(canonical.encode()).hexdigest()
    return hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()


# ----------------------------------------------------------------------------------------------- shapes
def _org(req, state):
    org = req.params.get('org') or req.arg('organizationId') or (state.data['alibaba']['organization_id'] if is_token_api(req) else None)
    if not org:
        raise err(req, 400, 'InvalidParam.ParamNotPresent', 'The parameter is invalid: organizationId is required.')
    if org != state.data['alibaba']['organization_id']:
        raise err(req, 404, 'InvalidOrganization.NotFound', 'The organization is not found.')
    return org


def _flow_pipeline(req, state):
    _org(req, state)
    pid = req.params['pipeline_id']
    if pid not in state.data['alibaba']['flow_pipelines']:
        raise err(req, 404, 'InvalidPipeline.NotFound', 'The pipeline is not found.')
    return pid


def _run(req, state, runs=None):
    try:
        run = state.flow_runs.get(int(req.params['run_id']))
    except ValueError:
        run = None
    if run is None or (runs is not None and run not in runs):
        raise err(req, 404, 'InvalidPipelineRun.NotFound', 'The pipeline execution instance is not found.')
    return run.advance(state.now())


def job_id(run, index):
    """Integer job id of a phase."""
    return run.id * 100 + index + 1


def _job(run, index, phase):
    actions = []
    if phase['status'] == WAITING:
        actions = [{'type': 'PassPipelineValidate', 'displayType': 'BUTTON', 'name': 'pass', 'disable': False, 'params': {}},
                   {'type': 'RefusePipelineValidate', 'displayType': 'BUTTON', 'name': 'refuse', 'disable': False, 'params': {}}]
    return {'id': job_id(run, index), 'name': phase['job'], 'jobSign': 'job_%d' % index, 'status': FLOW[phase['status']],
            'startTime': ms(phase['start']), 'endTime': ms(phase['end']), 'params': '{}', 'result': '{}', 'actions': actions}


def flow_run(run, state):
    """The Flow PipelineRun object (POP pipelineRun / token API run)."""
    stages = []
    for n, (name, phases) in enumerate(stage_groups(run)):
        starts = [p['start'] for dummy, p in phases if p['start'] is not None]
        ends = [p['end'] for dummy, p in phases if p['end'] is not None]
        status = stage_status(phases)
        stages.append({'index': str(n), 'name': name, 'stageInfo': {
            'name': name, 'status': FLOW[status], 'startTime': ms(min(starts)) if starts else None,
            'endTime': ms(max(ends)) if ends and status in TERMINAL else None,
            'jobs': [_job(run, i, p) for i, p in phases]}})
    account = state.data['alibaba']['account_id']
    params = run.extra.get('params') or {}
    return {'pipelineRunId': run.id, 'pipelineId': run.extra['pipeline_id'], 'pipelineConfigId': run.extra['pipeline_id'],
            'status': RUN_STATUS[run.status], 'triggerMode': 1, 'createTime': ms(run.started),
            'updateTime': ms(run.ended or run.cursor), 'creatorAccountId': account, 'modifierAccountId': account,
            'sources': [{'type': 'codeup', 'sign': 'source_0', 'data': {'repo': repo, 'branch': branch, 'commit': ''}}
                        for repo, branch in (params.get('runningBranchs') or {}).items()],
            'stageGroup': [[s['name']] for s in stages], 'groups': [],
            'globalParams': [{'key': k, 'value': v, 'runningConfig': True} for k, v in (params.get('envs') or {}).items()],
            'stages': stages}


def _summary(run):
    return {'pipelineRunId': run.id, 'pipelineId': run.extra['pipeline_id'], 'status': RUN_STATUS[run.status],
            'startTime': ms(run.started), 'endTime': ms(run.ended), 'triggerMode': 1, 'creatorAccountId': run.extra.get('account')}


def _ok(req, token_value, pop_body=None):
    """Success body: the token API returns bare values, POP an object with success."""
    if is_token_api(req):
        return token_value
    return dict(pop_body or {}, success=True)


# ----------------------------------------------------------------------------------------------- Flow
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
        raise err(req, 400, 'InvalidParam.ParamNotPresent', 'The parameter is invalid: params must be a JSON object string.')
    return params


def start_run(req, state):
    """StartPipelineRun (POP, form params) / POST .../runs (token API)."""
    pid = _flow_pipeline(req, state)
    params = _run_params(req)
    org = state.data['alibaba']['organization_id']
    run = state.new_flow_run(org, pid, state.data['alibaba']['flow_pipelines'][pid]['phases'], params=params,
                             account=state.data['alibaba']['account_id'])
    return Response(200, _ok(req, run.id, {'pipelineRunId': run.id}), acted=True)


def get_run(req, state):
    """GetPipelineRun / GET .../runs/{id}."""
    pid = _flow_pipeline(req, state)
    run = _run(req, state, state.flow_runs_of(pid))
    shape = flow_run(run, state)
    return Response(200, _ok(req, shape, {'pipelineRun': shape}))


def latest_run(req, state):
    """GET .../runs/latestPipelineRun (token API)."""
    runs = state.flow_runs_of(_flow_pipeline(req, state))
    if not runs:
        raise err(req, 404, 'InvalidPipelineRun.NotFound', 'The pipeline has no run.')
    return Response(200, flow_run(runs[0], state))


def _int_arg(req, name, default, low=1, high=None):
    try:
        value = int(req.arg(name, default))
    except ValueError:
        value = low - 1
    if value < low or (high is not None and value > high):
        raise err(req, 400, 'InvalidParam.ParamNotPresent', 'The parameter is invalid: %s.' % name)
    return value


def list_runs(req, state):
    """ListPipelineRuns (POP: maxResults/nextToken) / GET .../runs (token: page/perPage, x-* headers)."""
    runs = state.flow_runs_of(_flow_pipeline(req, state))
    if req.arg('status'):
        runs = [r for r in runs if RUN_STATUS[r.status] in req.arg('status').split(',')]
    items = [_summary(r) for r in runs]
    if is_token_api(req):
        page, per = _int_arg(req, 'page', 1), _int_arg(req, 'perPage', 10, 1, 100)
        pages = max(1, math.ceil(len(items) / per))
        headers = {'x-total': len(items), 'x-total-pages': pages, 'x-page': page, 'x-per-page': per,
                   'x-next-page': page + 1 if page < pages else '', 'x-prev-page': page - 1 if page > 1 else ''}
        return Response(200, items[(page - 1) * per:page * per], headers)
    size, start = _int_arg(req, 'maxResults', 10, 1, 100), _int_arg(req, 'nextToken', 0, 0)
    more = start + size < len(items)
    return Response(200, {'success': True, 'pipelineRuns': items[start:start + size], 'totalCount': len(items),
                          'nextToken': str(start + size) if more else None})


def stop_run(req, state):
    """StopPipelineRun (POP)."""
    run = _run(req, state, state.flow_runs_of(_flow_pipeline(req, state)))
    if not run.stop(state.now()):
        raise err(req, 400, 'InvalidPipelineRun.StatusNotSupported', 'The pipeline run has already finished.')
    return Response(200, _ok(req, True), acted=True)


def _phase_index(req, run, raw_job_id):
    try:
        index = int(raw_job_id) - run.id * 100 - 1
    except (TypeError, ValueError):
        index = -1
    if not 0 <= index < len(run.phases):
        raise err(req, 404, 'InvalidJob.NotFound', 'The job is not found in this pipeline run.')
    return index


def job_action(req, state):
    """pass / refuse (manual gate), stop / retry / skip of one job of a Flow run."""
    run = _run(req, state, state.flow_runs_of(_flow_pipeline(req, state)))
    index = _phase_index(req, run, req.params['job_id'])
    if not _job_verb(run, index, req.params.get('verb') or 'retry', state.now()):
        raise err(req, 400, 'InvalidJob.StatusNotSupported', 'The job is not in a state that allows this operation.')
    return Response(200, _ok(req, True), acted=True)


def _job_verb(run, index, verb, now):
    if verb in ('pass', 'refuse'):
        phase = run.waiting_phase()
        return bool(phase and phase.get('kind') == 'gate' and run.decide(verb, now, index))
    if verb == 'stop':
        return run.idx == index and run.stop(now)
    if verb == 'retry':
        return run.retry(index, now)
    return run.skip(index, now)


# ----------------------------------------------------------------------------------------------- AppStack
def _stage(req, state):
    _org(req, state)
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
    now = state.now()
    runs = [r.advance(now) for r in state.flow_runs.values() if r.extra.get('stage_key') == key]
    return sorted(runs, key=lambda r: r.id, reverse=True)


def _iso(seconds):
    if seconds is None:
        return None
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.000+00:00')


def execute_stage(req, state):
    """ExecuteChangeRequestReleaseStage / POST ...releaseStages/{sn}:execute -> {object, pipelineId, pipelineRunId}."""
    key, spec = _stage(req, state)
    try:
        body = req.json() if req.body.strip() else {}
    except ValueError as exc:
        raise err(req, 400, 'InvalidParam.ParamNotPresent', 'The parameter is invalid: body is not JSON.') from exc
    if not isinstance(body, dict) or not isinstance(body.get('params', {}), dict):
        raise err(req, 400, 'InvalidParam.ParamNotPresent', 'The parameter is invalid: params must be an object.')
    run = state.new_flow_run(state.data['alibaba']['organization_id'], spec['pipeline_id'], spec['phases'],
                             stage_key=key, params=body.get('params', {}), account=state.data['alibaba']['account_id'])
    return Response(200, {'object': run.id, 'pipelineId': spec['pipeline_id'], 'pipelineRunId': run.id}, acted=True)


def list_executions(req, state):
    """ListAppReleaseStageExecutions / GET ...releaseStages/{sn}/executions."""
    key, _spec = _stage(req, state)
    runs = _executions(state, key)
    if req.arg('sort', 'desc') == 'asc':
        runs.reverse()
    data = [{'number': str(r.id), 'state': EXEC_STATE[r.status], 'triggerMode': 'MANUAL',
             'startTime': _iso(r.started), 'endTime': _iso(r.ended)} for r in runs]
    per = _int_arg(req, 'perPage', 20, 1, 100)
    if req.arg('pagination') == 'keyset':
        start = _int_arg(req, 'nextToken', 0, 0) if req.arg('nextToken') else 0
        more = start + per < len(data)
        return Response(200, {'data': data[start:start + per], 'nextToken': str(start + per) if more else None})
    page = _int_arg(req, 'page', 1)
    return Response(200, {'data': data[(page - 1) * per:page * per], 'total': len(data), 'current': page, 'perPage': per,
                          'pages': max(1, math.ceil(len(data) / per))})


def _execution(req, state):
    key, _spec = _stage(req, state)
    req.params['run_id'] = req.params['number']
    return _run(req, state, _executions(state, key))


def stage_pipeline_run(req, state):
    """GetReleaseStagePipelineRun / ...executions/{n}:getPipelineRun -> {pipelineRun}."""
    return Response(200, {'pipelineRun': flow_run(_execution(req, state), state)})


def execution_action(req, state):
    """:cancel, :passPipelineValidate / :refusePipelineValidate (jobId), :retry / :skip (jobId)."""
    run = _execution(req, state)
    verb = req.params['verb']
    now = state.now()
    if verb == 'cancel':
        done = run.stop(now)
    else:
        if not req.arg('jobId'):
            raise err(req, 400, 'InvalidParam.ParamNotPresent', 'Required request parameter [jobId] of type [String] is missing')
        index = _phase_index(req, run, req.arg('jobId'))
        done = _job_verb(run, index, {'passPipelineValidate': 'pass', 'refusePipelineValidate': 'refuse'}.get(verb, verb), now)
    if not done:
        raise err(req, 400, 'InvalidExecution.StatusNotSupported', 'The execution is not in a state that allows %s.' % verb)
    return Response(200, {'success': True}, acted=True)


def _routes():
    org = r'/organizations/(?P<org>[^/]+)'
    pop = r'/organization/(?P<org>[^/]+)/pipelines/(?P<pipeline_id>[^/]+)/pipelineRuns'
    tok = r'/oapi/v1/flow(?:/organizations/(?P<org>[^/]+))?/pipelines/(?P<pipeline_id>[^/]+)'
    app = r'/apps/(?P<app>[^/]+)/releaseWorkflows/(?P<wf>[^/]+)/releaseStages/(?P<stage>[^/:]+)'
    tok_app = r'/oapi/v1/appstack(?:/organizations/(?P<org>[^/]+))?' + app
    pop_app = r'/appstack' + app
    execution = r'/executions/(?P<number>[^/:]+):'
    table = [
        ('POST', org + r'/pipelines/(?P<pipeline_id>[^/]+)/run', 'StartPipelineRun', start_run),
        ('GET', pop + r'/(?P<run_id>[^/]+)', 'GetPipelineRun', get_run),
        ('GET', pop, 'ListPipelineRuns', list_runs),
        ('PUT', pop + r'/(?P<run_id>[^/]+)/stop', 'StopPipelineRun', stop_run),
        ('POST', pop + r'/(?P<run_id>[^/]+)/jobs/(?P<job_id>[^/]+)/(?P<verb>pass)', 'PassPipelineValidate', job_action),
        ('POST', pop + r'/(?P<run_id>[^/]+)/jobs/(?P<job_id>[^/]+)/(?P<verb>refuse)', 'RefusePipelineValidate', job_action),
        ('PUT', pop + r'/(?P<run_id>[^/]+)/jobs/(?P<job_id>[^/]+)/(?P<verb>stop)', 'StopPipelineJobRun', job_action),
        ('PUT', pop + r'/(?P<run_id>[^/]+)/jobs/(?P<job_id>[^/]+)/(?P<verb>skip)', 'SkipPipelineJobRun', job_action),
        ('PUT', pop + r'/(?P<run_id>[^/]+)/jobs/(?P<job_id>[^/]+)', 'RetryPipelineJobRun', job_action),
        ('POST', tok + r'/runs', 'CreatePipelineRun', start_run),
        ('GET', tok + r'/runs/latestPipelineRun', 'GetLatestPipelineRun', latest_run),
        ('GET', tok + r'/runs/(?P<run_id>[^/]+)', 'GetPipelineRun', get_run),
        ('GET', tok + r'/runs', 'ListPipelineRuns', list_runs),
        ('POST', tok + r'/pipelineRuns/(?P<run_id>[^/]+)/jobs/(?P<job_id>[^/]+)/(?P<verb>pass)', 'PassPipelineValidate', job_action),
        ('POST', tok + r'/pipelineRuns/(?P<run_id>[^/]+)/jobs/(?P<job_id>[^/]+)/(?P<verb>refuse)', 'RefusePipelineValidate', job_action),
        ('PUT', tok + r'/pipelineRuns/(?P<run_id>[^/]+)/jobs/(?P<job_id>[^/]+)/(?P<verb>stop|retry|skip)', 'PipelineJobAction', job_action),
    ]
    for base in (pop_app, tok_app):
        table += [
            ('POST', base + r':execute', 'ExecuteChangeRequestReleaseStage', execute_stage),
            ('GET', base + r'/executions', 'ListAppReleaseStageExecutions', list_executions),
            ('GET', base + execution + r'getPipelineRun', 'GetReleaseStagePipelineRun', stage_pipeline_run),
            ('POST', base + execution + r'(?P<verb>cancel)', 'CancelExecutionReleaseStage', execution_action),
            ('POST', base + execution + r'(?P<verb>passPipelineValidate)', 'PassReleaseStagePipelineValidate', execution_action),
            ('POST', base + execution + r'(?P<verb>refusePipelineValidate)', 'RefuseReleaseStagePipelineValidate', execution_action),
        ]
    table += [('POST', tok_app + execution + r'(?P<verb>retry)', 'RetryChangeRequestStagePipeline', execution_action),
              ('POST', tok_app + execution + r'(?P<verb>skip)', 'SkipChangeRequestStagePipeline', execution_action)]
    return [(method, re.compile(regex), name, func) for method, regex, name, func in table]


ROUTES = _routes()
