"""Huawei Cloud, shared by its services: X-Auth-Token / SDK-HMAC-SHA256 checks, IAM tokens, error bodies, request ids."""

import datetime
import hashlib
import hmac
import re
from urllib.parse import quote, unquote

from ..routing import Fail, Response

try:  # official signer primitives (test-only dependency); stdlib fallback below
    from huaweicloudsdkcore.sdk_request import SdkRequest
    from huaweicloudsdkcore.signer.signer import Signer
except ImportError:  # pragma: no cover
    Signer = SdkRequest = None

AUTH_RE = re.compile(r'SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)\s*$')
MAX_SKEW = 15 * 60
TOKENS_PATH = '/v3/auth/tokens'


# ----------------------------------------------------------------------------------------------- vendor interface
def owns(path):
    """True for Huawei paths."""
    return path.startswith('/v3/') or path.startswith('/v5/')


def vendor_of(_path):
    """Log label."""
    return 'huawei'


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


def body_secrets(req):
    """Secrets sent in the body (the password of an IAM token request), to redact from the log."""
    if req.path != TOKENS_PATH or not req.body:
        return []
    try:
        password = req.json()['auth']['identity']['password']['user']['password']
    except (ValueError, KeyError, TypeError):
        return []
    return [password] if password else []


# ----------------------------------------------------------------------------------------------- helpers of the services
def fail(status, code, msg):
    """A Huawei service error (``error_code`` / ``error_msg``)."""
    return Fail(status, {'error_code': code, 'error_msg': msg})


def require_project(req, state, code, msg):
    """The ``project_id`` path parameter must be the fixture's project; else 404 with this code."""
    if req.params.get('project_id') != state.data['huawei']['project_id']:
        raise fail(404, code, msg)


# ----------------------------------------------------------------------------------------------- authentication
def _deny(req, why):
    return Response(401, {'error_code': 'APIGW.0301', 'error_msg': 'Incorrect IAM authentication information: ' + why,
                          'request_id': req.request_id})


def authenticate(req, state):
    """X-Auth-Token or SDK-HMAC-SHA256; None when accepted, else the 401 Response."""
    if req.path == TOKENS_PATH:
        return None
    creds = state.data['credentials']['huawei']
    auth = req.headers.get('authorization', '')
    if auth.startswith('SDK-HMAC-SHA256'):
        return _verify_aksk(req, creds, auth)
    token = req.headers.get('x-auth-token')
    if token:
        req.caller = next((name for name, user in creds['iam_users'].items() if user['token'] == token), 'token-user')
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
    req.caller = cred.get('user', ak)
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


ROUTES = [
    ('POST', TOKENS_PATH, 'KeystoneCreateUserTokenByPassword', issue_token),
]
