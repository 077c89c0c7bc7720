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
        C(devops) OpenAPI (version 2021-06-25) signed with O(access_key_id)/O(access_key_secret); see the
        notes for the order in which the task and the environment are used.
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
      - It must not contain a user name or password (C(https://user:password@host)); neither may O(endpoint).
      - Falls back to E(YUNXIAO_API_BASE_URL).
    type: str
    default: https://openapi-rdc.aliyuncs.com
notes:
  - One of O(yunxiao_token) or O(access_key_id)/O(access_key_secret) is required, in the task or in the
    environment.
  - "With O(api=auto) credentials are used in this order: O(yunxiao_token) given in the task, then
    O(access_key_id)/O(access_key_secret) given in the task, then E(YUNXIAO_ACCESS_TOKEN), then
    E(ALIBABA_CLOUD_ACCESS_KEY_ID)/E(ALIBABA_CLOUD_ACCESS_KEY_SECRET). So options written in the task (or in
    C(module_defaults)) win over an AWX credential injected in the environment. O(api=yunxiao) and
    O(api=openapi) take the token, or the AccessKey, from the task or else from the environment."
  - When the task gives only one of O(access_key_id) and O(access_key_secret), the other comes from the
    environment. O(security_token) comes from the task, or from E(ALIBABA_CLOUD_SECURITY_TOKEN) only when the
    AccessKey ID comes from the environment too.
  - Surrounding blanks and line ends are removed from every credential (an AWX multi-line field ends in a
    newline); a line break inside a value is an error.
'''
