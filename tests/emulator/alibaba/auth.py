"""Alibaba Cloud, shared by its services: POP ACS3-HMAC-SHA256 (devops 2021-06-25) and Yunxiao x-yunxiao-token
checks, error and success bodies of both API families, request ids, organization and paging parameters.

Records: ``state.nonces`` (signature nonces already used).
"""

import datetime
import hashlib
import hmac
import re
import types
from urllib.parse import quote

from ..routing import Fail, Response

try:  # official signer primitive (test-only dependency); stdlib fallback below
    from alibabacloud_openapi_util.client import Client as OpenApiUtil
except ImportError:  # pragma: no cover
    OpenApiUtil = None

VERSION = '2021-06-25'
AUTH_RE = re.compile(r'ACS3-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)\s*$')
MAX_SKEW = 15 * 60
TOKEN_API = '/oapi/'
BAD_PARAM = 'InvalidParam.ParamNotPresent'


def seed(state):
    """No nonce used yet."""
    state.nonces = set()


# ----------------------------------------------------------------------------------------------- vendor interface
def is_token_api(req):
    """True for the Yunxiao personal-access-token OpenAPI (/oapi/v1/...)."""
    return req.path.startswith(TOKEN_API)


def owns(path):
    """True for Alibaba / Yunxiao paths."""
    return path.startswith(('/organization/', '/organizations/', '/appstack/', TOKEN_API))


def vendor_of(path):
    """Log label: 'yunxiao' for the token API, else 'alibaba'."""
    return 'yunxiao' if path.startswith(TOKEN_API) else 'alibaba'


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


def body_secrets(_req):
    """No Alibaba call carries a secret in its body."""
    return []


# ----------------------------------------------------------------------------------------------- helpers of the services
def err(req, status, code, msg):
    """A service error in the body form of the request's API family."""
    if is_token_api(req):
        return Fail(status, {'errorCode': code, 'errorMessage': msg})
    return Fail(status, {'success': False, 'errorCode': code, 'errorMessage': msg, 'requestId': req.request_id})


def ok(req, token_value, pop_body=None):
    """Success body: the token API returns bare values, POP an object with success."""
    if is_token_api(req):
        return token_value
    return dict(pop_body or {}, success=True)


def organization(req, state):
    """The organization of the path or ``organizationId`` query (the token API's region edition has none)."""
    org = req.params.get('org') or req.arg('organizationId') or (state.data['alibaba']['organization_id'] if is_token_api(req) else None)
    if not org:
        raise err(req, 400, BAD_PARAM, 'The parameter is invalid: organizationId is required.')
    if org != state.data['alibaba']['organization_id']:
        raise err(req, 404, 'InvalidOrganization.NotFound', 'The organization is not found.')
    return org


def int_arg(req, name, default, low=1, high=None):
    """An integer query parameter within [low, high]; else 400."""
    raw = req.arg(name)
    try:
        value = int(default if raw in (None, '') else raw)  # the SDK sends empty values (nextToken=)
    except ValueError:
        value = low - 1
    if value < low or (high is not None and value > high):
        raise err(req, 400, BAD_PARAM, 'The parameter is invalid: %s.' % name)
    return value


# ----------------------------------------------------------------------------------------------- authentication
def _gateway(req, status, code, msg):
    """POP gateway error ({Code, Message, RequestId})."""
    return Response(status, {'Code': code, 'Message': msg, 'RequestId': req.request_id,
                             'HostId': req.headers.get('host', ''), 'Recommend': 'https://api.aliyun.com/troubleshoot?q=' + code})


def authenticate(req, state):
    """x-yunxiao-token or ACS3-HMAC-SHA256; None when accepted, else the error Response."""
    if is_token_api(req):
        token = req.headers.get('x-yunxiao-token')
        if not token:
            return Response(401, {'errorCode': 'Unauthorized', 'errorMessage': 'x-yunxiao-token header is required'})
        if token not in state.data['credentials']['yunxiao']['tokens']:
            return Response(401, {'errorCode': 'Unauthorized', 'errorMessage': 'The personal access token is invalid or expired'})
        req.caller = state.data['alibaba']['account_id']
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
    req.caller = cred.get('account', ak)
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
    if req.route is not None and req.headers.get('x-acs-action') != req.route.operation:
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
