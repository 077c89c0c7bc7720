# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Huawei Cloud core: SDK-HMAC-SHA256 signing, token auth and the client (internal use only).

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
    connection_argument_spec,
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


def huawei_argument_spec():
    """Auth and endpoint options (doc fragment ``devops_cloud.pipelines.huawei``)."""
    spec = dict(
        endpoint=dict(type='str'),
        region=dict(type='str', fallback=(env_fallback, ['HUAWEICLOUD_SDK_REGION'])),
        project_id=dict(type='str', fallback=(env_fallback, ['HUAWEICLOUD_SDK_PROJECT_ID'])),
        access_key=dict(type='str', aliases=['ak'], no_log=True, fallback=(env_fallback, ['HUAWEICLOUD_SDK_AK'])),
        secret_key=dict(type='str', aliases=['sk'], no_log=True, fallback=(env_fallback, ['HUAWEICLOUD_SDK_SK'])),
        security_token=dict(type='str', no_log=True, fallback=(env_fallback, ['HUAWEICLOUD_SDK_SECURITY_TOKEN'])),
        auth_token=dict(type='str', no_log=True, fallback=(env_fallback, ['HUAWEICLOUD_AUTH_TOKEN'])),
    )
    spec.update(connection_argument_spec())
    return spec


HUAWEI_MODULE_KWARGS = dict(
    required_together=[('access_key', 'secret_key')],
    required_one_of=[('auth_token', 'access_key')],
    mutually_exclusive=[('auth_token', 'access_key')],
)


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
    if endpoint:
        return endpoint.rstrip('/') if '://' in endpoint else 'https://' + endpoint.rstrip('/')
    region = params.get('region')
    if not region:
        raise ApiError('either endpoint or region must be set to reach Huawei Cloud %s' % service)
    return 'https://%s.%s.myhuaweicloud.com' % (SERVICE_HOSTS.get(service, service), region)


class HuaweiClient(Transport):
    """One Huawei Cloud API endpoint with token or AK/SK auth."""

    vendor = 'Huawei Cloud'
    request_id_headers = ('X-Request-Id', 'X-Openstack-Request-Id')

    def __init__(self, params, service, sleep=None, utcnow=None):
        self.access_key = params.get('access_key')
        self.secret_key = params.get('secret_key')
        self.security_token = params.get('security_token')
        self.auth_token = params.get('auth_token')
        super(HuaweiClient, self).__init__(
            params, secrets=[self.access_key, self.secret_key, self.security_token, self.auth_token], sleep=sleep)
        self.project_id = params.get('project_id')
        self.base_url = endpoint_url(params, service)
        self.host = urlsplit(self.base_url).netloc
        self.utcnow = utcnow or _utcnow

    def sign(self, method, url, path, query, headers, body):
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
