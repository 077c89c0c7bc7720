"""Callers of the emulator tests that speak each vendor's API over HTTP with the fixture credentials: Huawei
requests signed with the official SDK's signer, Alibaba POP requests through the official devops SDK or signed
with its signer primitive, Yunxiao requests with the token."""

import datetime
import hashlib
import json
import os
import sys
import time
import types
import uuid
from urllib.parse import urlencode, urlsplit

import requests

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

PROJECT = '0f1e2d3c4b5a69788796a5b4c3d2e1f0'
ORG = '60d54f3daccf2bbd6659f3ad'
HW_AK, HW_SK = 'HWEMUAK000000000001', 'hw-emu-secret-0001'
ALI_AK, ALI_SK = 'LTAIEMU00000000000001', 'ali-emu-secret-0001'
YX_TOKEN = 'pt-emu-token-0001'
SCALE = 0.05


def wait_until(fetch, done, timeout=5.0):
    """Poll ``fetch()`` until ``done(value)``; return the last value."""
    deadline = time.time() + timeout
    value = fetch()
    while not done(value) and time.time() < deadline:
        time.sleep(0.02)
        value = fetch()
    return value


class Huawei:
    """Raw Huawei calls, AK/SK-signed with ``huaweicloudsdkcore``'s Signer (``token=True``: X-Auth-Token)."""

    def __init__(self, url):
        self.url = url
        self.http = requests.Session()

    def __call__(self, method, path, body=None, params=None, token=False, raw=None):
        from huaweicloudsdkcore.auth.credentials import BasicCredentials
        from huaweicloudsdkcore.sdk_request import SdkRequest
        from huaweicloudsdkcore.signer.signer import Signer
        path = path.replace('{project}', PROJECT)
        data = raw if raw is not None else (b'' if body is None else json.dumps(body).encode())
        headers = {'Content-Type': 'application/json;charset=utf-8', 'X-Project-Id': PROJECT}
        if token:
            headers['X-Auth-Token'] = 'hw-emu-token-0001'
        else:
            request = SdkRequest(method=method, schema='http', host=urlsplit(self.url).netloc, resource_path=path,
                                 query_params=sorted((params or {}).items()), header_params=dict(headers), body=data)
            headers = Signer(BasicCredentials(HW_AK, HW_SK, PROJECT)).sign(request).header_params
        return self.http.request(method, self.url + path, params=params, data=data, headers=headers)


class Pop:
    """Raw Alibaba POP calls signed with ``alibabacloud_openapi_util`` (for paths the SDK calls differently)."""

    def __init__(self, url):
        self.url = url
        self.http = requests.Session()

    def __call__(self, method, path, action, query=None):
        from alibabacloud_openapi_util.client import Client as OpenApiUtil
        query = {k: str(v) for k, v in (query or {}).items()}
        headers = {'host': urlsplit(self.url).netloc, 'x-acs-action': action, 'x-acs-version': '2021-06-25',
                   'x-acs-date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
                   'x-acs-signature-nonce': uuid.uuid4().hex, 'x-acs-content-sha256': hashlib.sha256(b'').hexdigest(),
                   'accept': 'application/json'}
        request = types.SimpleNamespace(pathname=path, method=method, query=query, headers=headers)
        headers['authorization'] = OpenApiUtil.get_authorization(request, 'ACS3-HMAC-SHA256', headers['x-acs-content-sha256'],
                                                                 ALI_AK, ALI_SK)
        target = self.url + path + ('?' + urlencode(sorted(query.items())) if query else '')
        return self.http.request(method, target, headers=headers)


class Yunxiao:
    """Yunxiao token API calls (path after /oapi/v1; ``{org}`` is the fixture organization)."""

    def __init__(self, url):
        self.url = url
        self.http = requests.Session()

    def __call__(self, method, path, body=None, params=None):
        return self.http.request(method, self.url + '/oapi/v1' + path.replace('{org}', ORG), json=body, params=params,
                                 headers={'x-yunxiao-token': YX_TOKEN})


def ali_sdk(url):
    """alibabacloud_devops20210625 Client against the emulator (http)."""
    from alibabacloud_devops20210625.client import Client
    from alibabacloud_tea_openapi import models as open_api_models
    return Client(open_api_models.Config(access_key_id=ALI_AK, access_key_secret=ALI_SK,
                                         endpoint=urlsplit(url).netloc, protocol='http'))


def hw_sdk(url):
    """CodeArtsPipelineClient against the emulator."""
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.http.http_config import HttpConfig
    from huaweicloudsdkcodeartspipeline.v2 import CodeArtsPipelineClient
    config = HttpConfig.get_default_config()
    config.retry_times = 0
    return (CodeArtsPipelineClient.new_builder().with_http_config(config)
            .with_credentials(BasicCredentials(HW_AK, HW_SK, PROJECT)).with_endpoints([url]).build())
