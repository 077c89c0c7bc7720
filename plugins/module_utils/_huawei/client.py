# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Huawei Cloud client: SDK-HMAC-SHA256 signing, token auth, options, credentials, endpoints and the client
factory of the Huawei backends (internal use only; the API may change without notice).

``make_client(params, service)`` is the one way a backend gets a client: the service names the host
(``SERVICE_HOSTS``), ``huawei_credentials`` picks the credentials from the options and the environment.

The signature follows ``huaweicloudsdkcore/signer/signer.py`` (see CONTRACTS.md section 7): canonical
request = method, canonical URI (segments re-encoded, always ending in ``/``), canonical query
(pairs sorted, RFC 3986), canonical headers, signed header names and the body hash.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import hashlib
import hmac

from urllib.parse import unquote, urlsplit

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

ALGORITHM = 'SDK-HMAC-SHA256'
EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
DATE_FORMAT = '%Y%m%dT%H%M%SZ'
JSON_CONTENT_TYPE = 'application/json;charset=utf-8'

# Default hosts, from the vendors' API references: "{service}.{region}.myhuaweicloud.com".
SERVICE_HOSTS = {
    'codearts': 'cloudpipeline-ext',
    'servicestage': 'servicestage',
    'iam': 'iam',
}


# Environment variables of the credential options. They are read after the options are parsed
# (``huawei_credentials``), not as argument-spec fallbacks, so that credentials written in the task win over
# the environment, and the options' mutual exclusion applies only to what the task wrote.
CREDENTIAL_FALLBACKS = dict(
    auth_token=(env_fallback, ['HUAWEICLOUD_AUTH_TOKEN']),
    access_key=(env_fallback, ['HUAWEICLOUD_SDK_AK']),
    secret_key=(env_fallback, ['HUAWEICLOUD_SDK_SK']),
    security_token=(env_fallback, ['HUAWEICLOUD_SDK_SECURITY_TOKEN']),
)


def huawei_argument_spec():
    """Auth and endpoint options (doc fragment ``devops_cloud.pipelines.huawei``)."""
    spec = dict(
        endpoint=dict(type='str'),
        region=dict(type='str', fallback=(env_fallback, ['HUAWEICLOUD_SDK_REGION'])),
        project_id=dict(type='str', fallback=(env_fallback, ['HUAWEICLOUD_SDK_PROJECT_ID'])),
        access_key=dict(type='str', aliases=['ak'], no_log=True),
        secret_key=dict(type='str', aliases=['sk'], no_log=True),
        security_token=dict(type='str', no_log=True),
        auth_token=dict(type='str', no_log=True),
    )
    spec.update(connection_argument_spec())
    return spec


# Only what the task wrote is checked here; the environment is merged later by ``huawei_credentials``.
HUAWEI_MODULE_KWARGS = dict(
    mutually_exclusive=[('auth_token', 'access_key')],
)


def huawei_credentials(params):
    """The credentials a Huawei client uses, from the options and the environment.

    Precedence: ``auth_token`` of the task, then ``access_key``/``secret_key`` of the task, then
    ``HUAWEICLOUD_AUTH_TOKEN``, then ``HUAWEICLOUD_SDK_AK``/``HUAWEICLOUD_SDK_SK``. With AK/SK, a half the task
    leaves out comes from the environment, and ``security_token`` comes from the task, or from
    ``HUAWEICLOUD_SDK_SECURITY_TOKEN`` only when the access key comes from the environment too (temporary
    credentials belong together). Every value is trimmed (``clean_secret``).

    Returns a dict with ``auth_token``, ``access_key``, ``secret_key`` and ``security_token`` (the unused
    ones None); raises ApiError when no usable credentials are given.
    """
    task = dict((name, clean_secret(params.get(name), name)) for name in CREDENTIAL_FALLBACKS)
    creds = dict(auth_token=None, access_key=None, secret_key=None, security_token=None)
    if task['auth_token']:
        creds['auth_token'] = task['auth_token']
        return creds
    if not (task['access_key'] or task['secret_key']):
        env_token = env_value(CREDENTIAL_FALLBACKS, 'auth_token')
        if env_token:
            creds['auth_token'] = env_token
            return creds
    access_key = task['access_key'] or env_value(CREDENTIAL_FALLBACKS, 'access_key')
    secret_key = task['secret_key'] or env_value(CREDENTIAL_FALLBACKS, 'secret_key')
    if not (access_key or secret_key):
        raise ApiError('no Huawei Cloud credentials: set auth_token, or access_key and secret_key (or the environment '
                       'variables HUAWEICLOUD_AUTH_TOKEN, or HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK)')
    if not (access_key and secret_key):
        missing = 'secret_key (or HUAWEICLOUD_SDK_SK)' if access_key else 'access_key (or HUAWEICLOUD_SDK_AK)'
        raise ApiError('access_key and secret_key are needed together: %s is missing' % missing)
    security_token = task['security_token']
    if not security_token and not task['access_key']:
        security_token = env_value(CREDENTIAL_FALLBACKS, 'security_token')
    creds.update(access_key=access_key, secret_key=secret_key, security_token=security_token)
    return creds


def canonical_uri(path):
    """Canonical URI: path decoded, every segment re-encoded (RFC 3986), trailing slash added."""
    encoded = '/'.join(quote(segment) for segment in unquote(path).split('/'))
    return encoded if encoded.endswith('/') else encoded + '/'


def sign_sdk_hmac_sha256(method, path, query, headers, body, access_key, secret_key):
    """Return the ``Authorization`` value for a request.

    ``headers`` are exactly the headers to sign (they must include ``Host`` and ``X-Sdk-Date``);
    ``query`` is a list of ``(key, value)`` pairs; ``body`` bytes or None.
    """
    lowered = dict((k.lower(), str(v).strip()) for k, v in headers.items())
    names = sorted(k for k in lowered if '_' not in k)
    canonical_headers = ''.join('%s:%s\n' % (name, lowered[name]) for name in names)
    if not body:
        body_hash = EMPTY_SHA256
    elif 'x-sdk-content-sha256' in lowered:
        body_hash = lowered['x-sdk-content-sha256']
    else:
        body_hash = hashlib.sha256(body).hexdigest()
    canonical_request = '\n'.join([method.upper(), canonical_uri(path), canonical_query(query),
                                   canonical_headers, ';'.join(names), body_hash])
    string_to_sign = '\n'.join([ALGORITHM, lowered['x-sdk-date'],
                                hashlib.sha256(canonical_request.encode('utf-8')).hexdigest()])
    signature = hmac.new(secret_key.encode('utf-8'), string_to_sign.encode('utf-8'), hashlib.sha256).hexdigest()
    return '%s Access=%s, SignedHeaders=%s, Signature=%s' % (ALGORITHM, access_key, ';'.join(names), signature)


def endpoint_url(params, service):
    """Base URL: the ``endpoint`` option (scheme optional) or ``https://{host}.{region}.myhuaweicloud.com``."""
    endpoint = params.get('endpoint')
    if endpoint and str(endpoint).strip():
        return check_base_url(endpoint, 'endpoint')
    region = params.get('region')
    if not region:
        raise ApiError('either endpoint or region must be set to reach Huawei Cloud %s' % service)
    return 'https://%s.%s.myhuaweicloud.com' % (SERVICE_HOSTS.get(service, service), region)


class HuaweiClient(Transport):
    """One Huawei Cloud API endpoint with token or AK/SK auth (credentials: ``huawei_credentials``)."""

    request_id_headers = ('X-Request-Id', 'X-Openstack-Request-Id')

    def __init__(self, params, service, utcnow=None):
        creds = huawei_credentials(params)
        self.access_key = creds['access_key']
        self.secret_key = creds['secret_key']
        self.security_token = creds['security_token']
        self.auth_token = creds['auth_token']
        # the raw option values too (a trailing newline included), so that no form of them is ever shown
        raw = [params.get(name) for name in CREDENTIAL_FALLBACKS]
        raw.extend(env_raw(CREDENTIAL_FALLBACKS, name) for name in CREDENTIAL_FALLBACKS)
        super(HuaweiClient, self).__init__(
            params, secrets=[self.access_key, self.secret_key, self.security_token, self.auth_token] + raw)
        self.project_id = params.get('project_id')
        self.base_url = endpoint_url(params, service)
        self.host = urlsplit(self.base_url).netloc
        self.utcnow = utcnow or _utcnow

    def sign(self, method, path, query, headers, body):
        headers.setdefault('User-Agent', self.session.headers['User-Agent'])
        if body is not None:
            headers.setdefault('Content-Type', JSON_CONTENT_TYPE)
        if self.project_id:
            headers['X-Project-Id'] = self.project_id
        if self.auth_token:
            headers['X-Auth-Token'] = self.auth_token
            return headers
        if self.security_token:
            headers['X-Security-Token'] = self.security_token
        content_type = headers.get('Content-Type', '')
        if content_type and not content_type.startswith(('application/json', 'application/bson')):
            headers['X-Sdk-Content-Sha256'] = 'UNSIGNED-PAYLOAD'
        headers['Host'] = self.host
        headers['X-Sdk-Date'] = self.utcnow().strftime(DATE_FORMAT)
        headers['Authorization'] = sign_sdk_hmac_sha256(method, path, query, headers, body,
                                                        self.access_key, self.secret_key)
        return headers

    def extract_error(self, status, data):
        """Huawei error bodies, also when they come with HTTP 200 (CONTRACTS section 6)."""
        if not isinstance(data, dict):
            return None
        code = data.get('error_code') or data.get('errorCode')
        if code:
            return code, data.get('error_msg') or data.get('errorMsg') or data.get('error_message') or 'no message'
        error = data.get('error')
        if isinstance(error, dict) and (error.get('code') or error.get('message')):
            return error.get('code'), error.get('message') or 'no message'
        return None

    def call(self, method, path, query=None, body=None, idempotent=True, content_type=None):
        """Send a call; ``path`` is relative to the endpoint and already encoded; ``body`` any JSON value."""
        headers = {}
        payload = None
        if body is not None:
            payload = json_payload(body)
            headers['Content-Type'] = content_type or JSON_CONTENT_TYPE
        return self.request(method, self.base_url, path, query_pairs(query), headers, payload, idempotent)


def _utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def path_param(value):
    """Encode one path parameter for a Huawei URL."""
    return quote(value, safe='')


def make_client(params, service):
    """The client of one Huawei service (a key of ``SERVICE_HOSTS``) for a module's options: the endpoint from
    ``endpoint`` or ``region``, the credentials from the options and the environment (``huawei_credentials``).
    Raises ApiError when neither gives what the client needs; sends nothing."""
    if service not in SERVICE_HOSTS:
        raise ValueError('unknown Huawei Cloud service %r' % service)
    return HuaweiClient(params, service)
