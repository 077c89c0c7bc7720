# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  endpoint:
    description:
      - Base URL of the API, for example V(https://cloudpipeline-ext.cn-north-4.myhuaweicloud.com).
        A value without a scheme gets C(https://).
      - When omitted it is built from O(region) and the service's host name
        (C(cloudpipeline-ext) for CodeArts Pipeline, C(servicestage) for ServiceStage).
    type: str
  region:
    description:
      - Huawei Cloud region, for example V(cn-north-4). Used to build the endpoint when O(endpoint) is not set.
      - Falls back to the environment variable E(HUAWEICLOUD_SDK_REGION).
    type: str
  project_id:
    description:
      - Project ID; sent in the path where the API has it and as the C(X-Project-Id) header.
      - Falls back to E(HUAWEICLOUD_SDK_PROJECT_ID), the name the official SDK reads.
    type: str
  access_key:
    description:
      - Access key ID for AK/SK signing (C(SDK-HMAC-SHA256)).
      - Falls back to E(HUAWEICLOUD_SDK_AK). Mutually exclusive with O(auth_token) when both are given in
        the task; see the notes for the order in which the task and the environment are used.
    type: str
    aliases: [ak]
  secret_key:
    description:
      - Secret access key that signs every request; it never leaves the host.
      - Falls back to E(HUAWEICLOUD_SDK_SK).
    type: str
    aliases: [sk]
  security_token:
    description:
      - Security token of temporary AK/SK credentials, sent as C(X-Security-Token).
      - Falls back to E(HUAWEICLOUD_SDK_SECURITY_TOKEN).
    type: str
  auth_token:
    description:
      - IAM user token sent as C(X-Auth-Token) instead of signing with AK/SK
        (the C(X-Subject-Token) header of C(POST /v3/auth/tokens)).
      - Falls back to E(HUAWEICLOUD_AUTH_TOKEN) (this collection's name; the SDK has none for tokens).
    type: str
notes:
  - One of O(auth_token) or O(access_key)/O(secret_key) is required, in the task or in the environment.
  - "Credentials are used in this order: O(auth_token) given in the task, then O(access_key)/O(secret_key)
    given in the task, then E(HUAWEICLOUD_AUTH_TOKEN), then E(HUAWEICLOUD_SDK_AK)/E(HUAWEICLOUD_SDK_SK).
    So options written in the task (or in C(module_defaults)) win over an AWX credential injected in the
    environment, and with both Huawei credential types attached to one AWX job template the token is used."
  - When the task gives only one of O(access_key) and O(secret_key), the other comes from the environment.
    O(security_token) comes from the task, or from E(HUAWEICLOUD_SDK_SECURITY_TOKEN) only when the access key
    comes from the environment too.
  - Surrounding blanks and line ends are removed from every credential (an AWX multi-line field ends in a
    newline); a line break inside a value is an error.
  - O(endpoint) must not contain a user name or password (C(https://user:password@host)).
'''
