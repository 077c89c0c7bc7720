# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The AWX custom credential types of extensions/awx/credential_types: their injectors, rendered with
Jinja2 as AWX renders them, set exactly the environment variables the modules read, and a module run with
only that environment (plus the endpoint) works against the emulator."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re

import pytest
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2 import StrictUndefined

from conftest import COLLECTION_ROOT, FIXTURE, assert_no_secrets

TYPES_DIR = os.path.join(COLLECTION_ROOT, 'extensions', 'awx', 'credential_types')
UTILS = os.path.join(COLLECTION_ROOT, 'plugins', 'module_utils')


def credential_type(name):
    with open(os.path.join(TYPES_DIR, name + '.yml')) as handle:
        return yaml.safe_load(handle)


def render_env(ctype, inputs):
    """The environment AWX injects: each injectors.env value rendered as a sandboxed Jinja2 template with
    the credential's inputs (fields left empty are absent, as in AWX)."""
    env = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    return {name: env.from_string(template).render(**inputs) for name, template in ctype['injectors']['env'].items()}


def module_env_names(util):
    """Names of the env_fallback variables in a module_utils argument spec."""
    with open(os.path.join(UTILS, util)) as handle:
        source = handle.read()
    return set(re.findall(r"env_fallback,\s*\[\s*'([A-Z0-9_]+)'", source))


def sample(emu, case):
    return {
        'huawei_aksk': dict(access_key=FIXTURE['hw_ak'], secret_key=FIXTURE['hw_sk'],
                            project_id=FIXTURE['hw_project_id'], region='cn-north-4'),
        'huawei_aksk_sts': dict(access_key=FIXTURE['hw_sts_ak'], secret_key=FIXTURE['hw_sts_sk'],
                                security_token=FIXTURE['hw_security_token'], project_id=FIXTURE['hw_project_id']),
        'huawei_token': dict(auth_token=FIXTURE['hw_token'], project_id=FIXTURE['hw_project_id'], region='cn-north-4'),
        'alibaba_aksk': dict(access_key_id=FIXTURE['ali_ak'], access_key_secret=FIXTURE['ali_sk']),
        'alibaba_aksk_sts': dict(access_key_id=FIXTURE['ali_sts_ak'], access_key_secret=FIXTURE['ali_sts_sk'],
                                 security_token=FIXTURE['ali_sts_token']),
        'yunxiao_token': dict(token=FIXTURE['yunxiao_token'], base_url=emu.url),
    }[case]


CASES = [
    # (credential type file, sample inputs, playbook, api)
    ('huawei_aksk', 'huawei_aksk', 'huawei.yml', None),
    ('huawei_aksk', 'huawei_aksk_sts', 'huawei.yml', None),
    ('huawei_token', 'huawei_token', 'huawei.yml', None),
    ('alibaba_aksk', 'alibaba_aksk', 'alibaba.yml', 'openapi'),
    ('alibaba_aksk', 'alibaba_aksk_sts', 'alibaba.yml', 'openapi'),
    ('yunxiao_token', 'yunxiao_token', 'alibaba.yml', 'yunxiao'),
]


@pytest.mark.parametrize('type_name, case, target, api', CASES, ids=[c[1] for c in CASES])
def test_injected_environment_runs_a_module(playbook, emu, type_name, case, target, api):
    ctype = credential_type(type_name)
    inputs = sample(emu, case)
    assert set(inputs) <= {f['id'] for f in ctype['inputs']['fields']}
    assert set(ctype['inputs'].get('required', [])) <= set(inputs)
    env = render_env(ctype, inputs)
    # ONLY the injected environment carries credentials: no credential extra vars reach the playbook
    extra = dict(api=api or '', hw_ak='', hw_sk='', hw_token='', ali_ak='', ali_sk='', yunxiao_token='')
    run = playbook('awx_credentials/' + target, extra_vars=extra, env=env)
    assert run.rc == 0, run
    assert emu.log and all(e['status'] < 400 for e in emu.log), [(e['operation'], e['status']) for e in emu.log]
    vendor = {'openapi': 'alibaba', 'yunxiao': 'yunxiao'}.get(api, 'huawei')
    assert {e['vendor'] for e in emu.log} == {vendor}
    assert_no_secrets(run.output)


def test_injectors_set_exactly_the_variables_the_modules_read():
    huawei = module_env_names('_huawei/client.py')
    alibaba = module_env_names('_alibaba/client.py')
    assert huawei == {'HUAWEICLOUD_SDK_REGION', 'HUAWEICLOUD_SDK_PROJECT_ID', 'HUAWEICLOUD_SDK_AK',
                      'HUAWEICLOUD_SDK_SK', 'HUAWEICLOUD_SDK_SECURITY_TOKEN', 'HUAWEICLOUD_AUTH_TOKEN'}
    assert alibaba == {'ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_SECURITY_TOKEN',
                       'YUNXIAO_ACCESS_TOKEN', 'YUNXIAO_API_BASE_URL'}
    names = {t: set(credential_type(t)['injectors']['env']) for t in
             ('huawei_aksk', 'huawei_token', 'alibaba_aksk', 'yunxiao_token')}
    # each type injects only names a module reads, and together they cover every name
    assert names['huawei_aksk'] == huawei - {'HUAWEICLOUD_AUTH_TOKEN'}
    assert names['huawei_token'] == {'HUAWEICLOUD_AUTH_TOKEN', 'HUAWEICLOUD_SDK_PROJECT_ID', 'HUAWEICLOUD_SDK_REGION'}
    assert names['alibaba_aksk'] == {'ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
                                     'ALIBABA_CLOUD_SECURITY_TOKEN'}
    assert names['yunxiao_token'] == {'YUNXIAO_ACCESS_TOKEN', 'YUNXIAO_API_BASE_URL'}
    assert names['huawei_aksk'] | names['huawei_token'] == huawei
    assert names['alibaba_aksk'] | names['yunxiao_token'] == alibaba
    # no injector sets a variable through extra_vars or files: only env
    for t in names:
        assert set(credential_type(t)['injectors']) == {'env'}
    # every secret input is marked secret
    for t in names:
        for field in credential_type(t)['inputs']['fields']:
            if any(word in field['id'] for word in ('key', 'secret', 'token')) and field['id'] != 'base_url':
                assert field.get('secret') is True, (t, field['id'])
