# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    # Modules that serve both clouds: used together with the huawei and alibaba fragments.
    DOCUMENTATION = r'''
options:
  cloud:
    description:
      - Which cloud the task is about.
      - When left out, the cloud follows from the ids the task gives (see the module's notes); when they do
        not tell, or they contradict O(cloud), the task fails before any request.
    type: str
    choices: [huawei, alibaba]
  endpoint:
    description:
      - The endpoint of the module's original cloud (see the module's notes), as in version 0.1.0.
      - Ignored for the other cloud, so that a C(module_defaults) value meant for one cloud is never sent to
        the other; use O(huawei_endpoint) and O(alibaba_endpoint) when defaults for both clouds are set.
      - A value on the other cloud's public hosts (C(*.myhuaweicloud.com), C(*.huaweicloud.com) for Huawei;
        C(*.aliyuncs.com), C(*.aliyun.com), C(*.alibabacloud.com) for Alibaba) fails the task before any
        request, as it can only come from the other cloud's defaults.
    type: str
  security_token:
    description:
      - The temporary-credential security token of the module's original cloud, as in version 0.1.0; ignored
        for the other cloud. Use O(huawei_security_token) or O(alibaba_security_token) otherwise.
    type: str
  huawei_endpoint:
    description:
      - Huawei Cloud endpoint (as O(endpoint) of the Huawei modules); wins over O(endpoint).
    type: str
  alibaba_endpoint:
    description:
      - Alibaba Cloud C(devops) OpenAPI endpoint (as O(endpoint) of the Alibaba modules); wins over O(endpoint).
    type: str
  huawei_security_token:
    description:
      - Huawei Cloud security token of temporary AK/SK credentials; wins over O(security_token).
    type: str
  alibaba_security_token:
    description:
      - Alibaba Cloud STS security token; wins over O(security_token).
    type: str
notes:
  - "Credentials of both clouds can be set once in C(module_defaults) (C(group/devops_cloud.pipelines.huawei) and
    C(group/devops_cloud.pipelines.alibaba)): give the Alibaba AccessKey as O(access_key_id)/O(access_key_secret)
    and the endpoints and security tokens with their per-cloud names. The names C(access_key)/C(secret_key) are
    Huawei's; they stand for the Alibaba AccessKey only in a module whose original cloud is Alibaba and when
    no Huawei option (O(project_id), O(region), O(auth_token)) is set, as in version 0.1.0."
'''
