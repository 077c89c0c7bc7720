# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  organization_id:
    description:
      - Yunxiao organization (enterprise) ID, as in C(https://devops.aliyun.com/organization/<id>).
    type: str
    required: true
  api:
    description:
      - Which Alibaba API the module speaks.
      - V(auto) uses the Yunxiao OpenAPI when O(yunxiao_token) is set, otherwise the Alibaba Cloud
        C(devops) OpenAPI (version 2021-06-25) signed with O(access_key_id)/O(access_key_secret).
      - V(yunxiao) and V(openapi) force one of them.
    type: str
    choices: [auto, openapi, yunxiao]
    default: auto
  access_key_id:
    description:
      - AccessKey ID for the C(devops) OpenAPI (C(ACS3-HMAC-SHA256) signing).
      - Falls back to E(ALIBABA_CLOUD_ACCESS_KEY_ID), the name the official credentials library reads.
    type: str
    aliases: [access_key]
  access_key_secret:
    description:
      - AccessKey secret that signs every request; it never leaves the host.
      - Falls back to E(ALIBABA_CLOUD_ACCESS_KEY_SECRET).
    type: str
    aliases: [secret_key]
  security_token:
    description:
      - STS security token of temporary credentials, sent as C(x-acs-security-token).
      - Falls back to E(ALIBABA_CLOUD_SECURITY_TOKEN).
    type: str
  endpoint:
    description:
      - Endpoint of the C(devops) OpenAPI. A value without a scheme gets C(https://).
    type: str
    default: devops.cn-hangzhou.aliyuncs.com
  yunxiao_token:
    description:
      - Yunxiao personal access token, sent as C(x-yunxiao-token).
      - Falls back to E(YUNXIAO_ACCESS_TOKEN), the name Alibaba's own Yunxiao tooling reads.
    type: str
  yunxiao_base_url:
    description:
      - Base URL of the Yunxiao OpenAPI (central edition); requests go to C({base}/oapi/v1/...).
      - Falls back to E(YUNXIAO_API_BASE_URL).
    type: str
    default: https://openapi-rdc.aliyuncs.com
notes:
  - One of O(yunxiao_token) or O(access_key_id)/O(access_key_secret) is required.
'''
