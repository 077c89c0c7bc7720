# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Alibaba Cloud clients (internal use only; the API may change without notice).

Two ways into the same services, chosen by the credentials given (``select_api``, ``make_client``):

- ``PopClient``: the ``devops`` POP API (2021-06-25), every request signed with ACS3-HMAC-SHA256
  (CONTRACTS.md section 8) by an AccessKey, optionally STS;
- ``YunxiaoClient``: the Yunxiao OpenAPI with a personal access token (``x-yunxiao-token``,
  ``{base}/oapi/v1/...``).

Also here: the argument spec of the shared options (doc fragment ``devops_cloud.pipelines.alibaba``), the
credential precedence of task and environment, and how the answers of both APIs carry ids and lists
(``id_from_answer``, ``list_items``). The services are in ``flow.py`` and ``appstack.py`` beside this file.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import hashlib
import hmac
import uuid

from urllib.parse import urlencode, urlsplit

from ansible.module_utils.basic import env_fallback

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._http import (
    ApiError,
    Transport,
    canonical_query,
    check_base_url,
    clean_secret,
    connection_argument_spec,
    env_raw,
    env_value,
    json_payload,
    quote,
    query_pairs,
)

ALGORITHM = 'ACS3-HMAC-SHA256'
POP_VERSION = '2021-06-25'
DEFAULT_POP_ENDPOINT = 'devops.cn-hangzhou.aliyuncs.com'
DEFAULT_YUNXIAO_BASE_URL = 'https://openapi-rdc.aliyuncs.com'
FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded'
JSON_CONTENT_TYPE = 'application/json; charset=utf-8'
# POP gateway codes that mean the credentials were refused (answered with HTTP 400 or 404, not 401).
POP_AUTH_CODES = frozenset(['IncompleteSignature', 'SignatureDoesNotMatch', 'InvalidAccessKeyId.NotFound',
                            'InvalidAccessKeyId.Inactive', 'InvalidTimeStamp.Expired'])
POP_AUTH_CODE_PREFIXES = ('InvalidSecurityToken.', 'Forbidden.')


# Environment variables of the credential options, read after the options are parsed (``alibaba_credentials``)
# so that credentials written in the task win over the environment.
CREDENTIAL_FALLBACKS = dict(
    yunxiao_token=(env_fallback, ['YUNXIAO_ACCESS_TOKEN']),
    access_key_id=(env_fallback, ['ALIBABA_CLOUD_ACCESS_KEY_ID']),
    access_key_secret=(env_fallback, ['ALIBABA_CLOUD_ACCESS_KEY_SECRET']),
    security_token=(env_fallback, ['ALIBABA_CLOUD_SECURITY_TOKEN']),
)


def alibaba_argument_spec():
    """Auth and endpoint options (doc fragment ``devops_cloud.pipelines.alibaba``)."""
    spec = dict(
        organization_id=dict(type='str', required=True),
        api=dict(type='str', default='auto', choices=['auto', 'openapi', 'yunxiao']),
        access_key_id=dict(type='str', aliases=['access_key'], no_log=True),
        access_key_secret=dict(type='str', aliases=['secret_key'], no_log=True),
        security_token=dict(type='str', no_log=True),
        endpoint=dict(type='str', default=DEFAULT_POP_ENDPOINT),
        yunxiao_token=dict(type='str', no_log=True),
        yunxiao_base_url=dict(type='str', fallback=(env_fallback, ['YUNXIAO_API_BASE_URL']),
                              default=DEFAULT_YUNXIAO_BASE_URL),
    )
    spec.update(connection_argument_spec())
    return spec


def alibaba_credentials(params):
    """The API and the credentials an Alibaba module uses, from the options and the environment.

    With ``api: auto`` the precedence is: ``yunxiao_token`` of the task (Yunxiao API), then
    ``access_key_id``/``access_key_secret`` of the task (OpenAPI), then ``YUNXIAO_ACCESS_TOKEN``, then
    ``ALIBABA_CLOUD_ACCESS_KEY_ID``/``ALIBABA_CLOUD_ACCESS_KEY_SECRET``. ``api: yunxiao`` takes the token of
    the task or the environment, ``api: openapi`` the AccessKey. With the AccessKey, a half the task leaves out
    comes from the environment, and ``security_token`` comes from the task, or from
    ``ALIBABA_CLOUD_SECURITY_TOKEN`` only when the AccessKey ID comes from the environment too. Every value is
    trimmed (``clean_secret``).

    Returns a dict with ``api`` (``yunxiao`` or ``openapi``), ``yunxiao_token``, ``access_key_id``,
    ``access_key_secret`` and ``security_token`` (the unused ones None); raises ApiError when the credentials
    of the chosen API are missing.
    """
    task = dict((name, clean_secret(params.get(name), name)) for name in CREDENTIAL_FALLBACKS)
    api = params.get('api') or 'auto'
    if api == 'auto':
        if task['yunxiao_token']:
            api = 'yunxiao'
        elif task['access_key_id'] or task['access_key_secret']:
            api = 'openapi'
        elif env_value(CREDENTIAL_FALLBACKS, 'yunxiao_token'):
            api = 'yunxiao'
        elif env_value(CREDENTIAL_FALLBACKS, 'access_key_id') or env_value(CREDENTIAL_FALLBACKS, 'access_key_secret'):
            api = 'openapi'
        else:
            raise ApiError('no Alibaba Cloud credentials: set yunxiao_token (or YUNXIAO_ACCESS_TOKEN), or '
                           'access_key_id and access_key_secret (or ALIBABA_CLOUD_ACCESS_KEY_ID and '
                           'ALIBABA_CLOUD_ACCESS_KEY_SECRET)')
    creds = dict(api=api, yunxiao_token=None, access_key_id=None, access_key_secret=None, security_token=None)
    if api == 'yunxiao':
        creds['yunxiao_token'] = task['yunxiao_token'] or env_value(CREDENTIAL_FALLBACKS, 'yunxiao_token')
        if not creds['yunxiao_token']:
            raise ApiError('api=yunxiao needs yunxiao_token (or YUNXIAO_ACCESS_TOKEN)')
        return creds
    key_id = task['access_key_id'] or env_value(CREDENTIAL_FALLBACKS, 'access_key_id')
    secret = task['access_key_secret'] or env_value(CREDENTIAL_FALLBACKS, 'access_key_secret')
    if not (key_id and secret):
        raise ApiError('api=openapi needs access_key_id and access_key_secret '
                       '(or ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET)')
    security_token = task['security_token']
    if not security_token and not task['access_key_id']:
        security_token = env_value(CREDENTIAL_FALLBACKS, 'security_token')
    creds.update(access_key_id=key_id, access_key_secret=secret, security_token=security_token)
    return creds


def select_api(params):
    """Which API a module speaks: ``yunxiao`` (token) or ``openapi`` (AK/SK), from the options and the
    environment (``alibaba_credentials``)."""
    return alibaba_credentials(params)['api']


def make_client(params, sleep=None):
    """``(api, client)`` for a module's options: ``'yunxiao'`` and a ``YunxiaoClient``, or ``'openapi'`` and
    a ``PopClient``; ``ApiError`` when the credentials of that API are missing."""
    api = select_api(params)
    if api == 'yunxiao':
        return api, YunxiaoClient(params, sleep=sleep)
    return api, PopClient(params, sleep=sleep)


def _all_secrets(params):
    """Every credential value given, raw (a trailing newline included) from the task and the environment."""
    values = [params.get(name) for name in CREDENTIAL_FALLBACKS]
    values.extend(env_raw(CREDENTIAL_FALLBACKS, name) for name in CREDENTIAL_FALLBACKS)
    return values


def sign_acs3(method, path, query, headers, body_sha256, access_key_id, access_key_secret):
    """Return the ``Authorization`` value for an ACS3-HMAC-SHA256 request.

    ``path`` is the path exactly as sent (already encoded); ``query`` ``(key, value)`` pairs;
    ``headers`` exactly the headers to sign; ``body_sha256`` the hex SHA-256 of the body.
    """
    lowered = {}
    for key, value in headers.items():
        lowered.setdefault(key.lower(), []).append(str(value).strip())
    names = sorted(lowered)
    canonical_headers = ''.join('%s:%s\n' % (name, ','.join(sorted(lowered[name]))) for name in names)
    canonical_request = '\n'.join([method.upper(), path or '/', canonical_query(query), canonical_headers,
                                   ';'.join(names), body_sha256])
    string_to_sign = '%s\n%s' % (ALGORITHM, hashlib.sha256(canonical_request.encode('utf-8')).hexdigest())
    signature = hmac.new(access_key_secret.encode('utf-8'), string_to_sign.encode('utf-8'), hashlib.sha256).hexdigest()
    return '%s Credential=%s,SignedHeaders=%s,Signature=%s' % (ALGORITHM, access_key_id, ';'.join(names), signature)


def form_body(fields):
    """Form-encode a dict the way the SDK does (keys sorted, ``+`` for spaces)."""
    return urlencode(sorted((k, v) for k, v in fields.items() if v is not None)).encode('utf-8')


class PopClient(Transport):
    """The Alibaba Cloud ``devops`` POP API with AK/SK (optionally STS) signing."""

    request_id_headers = ('x-acs-request-id',)

    def __init__(self, params, sleep=None, utcnow=None, nonce=None):
        creds = alibaba_credentials(dict(params, api='openapi'))
        self.access_key_id = creds['access_key_id']
        self.access_key_secret = creds['access_key_secret']
        self.security_token = creds['security_token']
        super(PopClient, self).__init__(
            params, secrets=[self.access_key_id, self.access_key_secret, self.security_token] + _all_secrets(params),
            sleep=sleep)
        self.base_url = check_base_url(params.get('endpoint') or DEFAULT_POP_ENDPOINT, 'endpoint')
        self.host = urlsplit(self.base_url).netloc
        self.utcnow = utcnow or (lambda: datetime.datetime.now(datetime.timezone.utc))
        self.nonce = nonce or (lambda: uuid.uuid4().hex)

    def sign(self, method, path, query, headers, body):
        payload_hash = hashlib.sha256(body or b'').hexdigest()
        headers.update({
            'host': self.host,
            'accept': 'application/json',
            'user-agent': self.session.headers['User-Agent'],
            'x-acs-version': POP_VERSION,
            'x-acs-date': self.utcnow().strftime('%Y-%m-%dT%H:%M:%SZ'),
            'x-acs-signature-nonce': self.nonce(),
            'x-acs-content-sha256': payload_hash,
        })
        if self.security_token:
            headers['x-acs-accesskey-id'] = self.access_key_id
            headers['x-acs-security-token'] = self.security_token
        headers['Authorization'] = sign_acs3(method, path, query, headers, payload_hash,
                                             self.access_key_id, self.access_key_secret)
        return headers

    def extract_error(self, status, data):
        """Gateway errors (``Code``/``Message``) and devops bodies with ``success: false``."""
        if not isinstance(data, dict):
            return None
        if data.get('Code') and (status >= 400 or data.get('Message')):
            return data['Code'], data.get('Message') or 'no message'
        if data.get('success') is False or (status >= 400 and data.get('errorCode')):
            return data.get('errorCode') or 'UnknownError', data.get('errorMessage') or 'the call did not succeed'
        return None

    def auth_failure(self, status, code):
        """The gateway refuses bad signatures and unknown or expired keys with 400/404 and these codes."""
        code = str(code or '')
        return status in (401, 403) or code in POP_AUTH_CODES or code.startswith(POP_AUTH_CODE_PREFIXES)

    def call(self, action, method, path, query=None, form=None, body=None, idempotent=True):
        """Call one POP action. ``form`` is a dict sent form-encoded, ``body`` a JSON body."""
        headers = {'x-acs-action': action}
        payload = None
        if form is not None:
            payload = form_body(form)
            headers['content-type'] = FORM_CONTENT_TYPE
        elif body is not None:
            payload = json_payload(body)
            headers['content-type'] = JSON_CONTENT_TYPE
        return self.request(method, self.base_url, path, query_pairs(query), headers, payload, idempotent)


class YunxiaoClient(Transport):
    """The Yunxiao OpenAPI with a personal access token; paths are relative to ``/oapi/v1``."""

    request_id_headers = ('x-request-id', 'x-acs-request-id')
    endpoint_option = 'yunxiao_base_url'
    endpoint_suffix = '/oapi/v1'

    def __init__(self, params, sleep=None):
        self.token = alibaba_credentials(dict(params, api='yunxiao'))['yunxiao_token']
        super(YunxiaoClient, self).__init__(params, secrets=[self.token] + _all_secrets(params), sleep=sleep)
        self.base_url = check_base_url(params.get('yunxiao_base_url') or DEFAULT_YUNXIAO_BASE_URL,
                                       'yunxiao_base_url') + self.endpoint_suffix

    def sign(self, method, path, query, headers, body):
        headers['x-yunxiao-token'] = self.token
        headers['Accept'] = 'application/json'
        return headers

    def extract_error(self, status, data):
        if not isinstance(data, dict):
            return None
        code = data.get('errorCode') or data.get('code')
        if data.get('success') is False or (status >= 400 and code) or (data.get('errorCode') and not data.get('success', False)):
            return code or 'UnknownError', data.get('errorMessage') or data.get('message') or 'the call did not succeed'
        return None

    def call(self, method, path, query=None, body=None, idempotent=True):
        headers = {}
        payload = None
        if body is not None:
            payload = json_payload(body)
            headers['Content-Type'] = 'application/json'
        return self.request(method, self.base_url, path, query_pairs(query), headers, payload, idempotent)


def path_param(value):
    """Encode one path parameter as the SDK does (``get_encode_param``)."""
    return quote(value, safe='~')


# -- answers ---------------------------------------------------------------------------------------------
# The token API answers with bare values (a run id, ``true``, an array); the POP API wraps them in an object.
def as_int(value):
    """``value`` as an int when it is one (also as text), else unchanged."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def id_key(value):
    """Sort key for ids that are integers or strings of digits (newest = largest), text ids after them."""
    value = as_int(value)
    return (0, value, '') if isinstance(value, int) else (1, 0, str(value))


def list_items(data, *keys):
    """The entries of a list answer: a bare array or an object holding one under one of ``keys``."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in keys:
            if isinstance(data.get(key), list):
                return data[key]
    return []


def id_from_answer(data, *keys):
    """A numeric id from a bare number/string answer or from one of ``keys`` of an object, else None."""
    if isinstance(data, bool):
        return None
    if isinstance(data, int):
        return data
    if isinstance(data, str) and data.strip().isdigit():
        return int(data.strip())
    if isinstance(data, dict):
        for key in keys:
            value = data.get(key)
            if value is not None and not isinstance(value, bool):
                return as_int(value)
    return None
