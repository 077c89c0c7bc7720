# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Both clouds behind one module name (internal use only; the API may change without notice).

A module that serves both clouds takes both vendors' options (doc fragments ``huawei``, ``alibaba`` and
``clouds``) and is in both action groups, so ``module_defaults`` for both clouds reach it. Three rules keep
one vendor's values away from the other:

- The cloud is the ``cloud`` option, or follows unambiguously from the identifying options the task gives
  (``infer``); anything else is an argument error before any request.
- Names that both vendors' 0.1.0 options use (``endpoint``, ``security_token``) also have one spelling per
  vendor (``huawei_endpoint``, ``alibaba_endpoint``, ``huawei_security_token``, ``alibaba_security_token``);
  the vendor's spelling wins, and the shared name is used only for the module's own 0.1.0 cloud (``home``),
  so a default meant for one cloud is never sent to the other.
- Alibaba's 0.1.0 aliases ``access_key``/``secret_key`` (Huawei's option names) count as the Alibaba
  AccessKey only in a module whose 0.1.0 cloud is Alibaba, and only when no Huawei option is set.

``vendor_params`` turns the options into the parameters the vendor's client code reads under its own names.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from ansible.module_utils.six.moves.urllib.parse import urlsplit

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba.client import alibaba_argument_spec
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._engine import OptionError
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._http import check_base_url
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei.client import huawei_argument_spec

CLOUDS = ('huawei', 'alibaba')
SHARED = ('endpoint', 'security_token')
# Options only a Huawei task sets; with one of them present, access_key/secret_key are Huawei's.
HUAWEI_ONLY = ('project_id', 'region', 'auth_token', 'huawei_endpoint', 'huawei_security_token')
# Their environment fallbacks (argument spec): a value from there was not set by the task (an AWX job with a
# Huawei credential attached runs 0.1.0 Alibaba tasks too).
HUAWEI_ENV = dict(project_id='HUAWEICLOUD_SDK_PROJECT_ID', region='HUAWEICLOUD_SDK_REGION')
# Host name suffixes of each vendor's public endpoints: a shared ``endpoint`` on one of the other vendor's hosts
# is a module_defaults value meant for the other cloud (both groups set ``endpoint``), never sent.
VENDOR_HOSTS = dict(huawei=('myhuaweicloud.com', 'huaweicloud.com', 'myhuaweicloud.eu'),
                    alibaba=('aliyuncs.com', 'aliyun.com', 'alibabacloud.com'))


def _host_vendor(url):
    """The vendor whose public host ``url`` names, or None (a private or emulated endpoint)."""
    try:
        url = str(url)
        host = (urlsplit(url if '//' in url else '//' + url).hostname or '').lower()
    except ValueError:
        return None
    return next((vendor for vendor, suffixes in VENDOR_HOSTS.items()
                 if any(host == s or host.endswith('.' + s) for s in suffixes)), None)


def _shared_endpoint(params, cloud):
    """The shared ``endpoint`` for the module's own cloud; ``OptionError`` when it is the other vendor's host."""
    value = params.get('endpoint')
    other = _host_vendor(value) if value else None
    if other and other != cloud:
        raise OptionError('endpoint %s is a public host of %s Cloud, but this task is for %s Cloud: with module_defaults for '
                          'both clouds set huawei_endpoint and alibaba_endpoint instead of endpoint'
                          % (value, other.capitalize(), cloud.capitalize()))
    return value


def _set_by_task(params, name):
    value = params.get(name)
    return bool(value) and not (name in HUAWEI_ENV and value == os.environ.get(HUAWEI_ENV[name]))


def dual_argument_spec():
    """Both vendors' options, each name with one meaning, plus ``cloud`` and the per-vendor spellings."""
    spec = huawei_argument_spec()
    for name, option in alibaba_argument_spec().items():
        if name in spec:
            continue  # a connection option (same meaning), or a shared name handled below
        option = dict(option)
        option.pop('aliases', None)   # access_key / secret_key are Huawei's names here
        option.pop('required', None)  # organization_id: only for Alibaba (checked in vendor_params)
        spec[name] = option
    spec['endpoint'] = dict(type='str')
    spec['security_token'] = dict(type='str', no_log=True)
    for vendor in CLOUDS:
        spec['%s_endpoint' % vendor] = dict(type='str')
        spec['%s_security_token' % vendor] = dict(type='str', no_log=True)
    spec['cloud'] = dict(type='str', choices=list(CLOUDS))
    return spec


def choose_cloud(params, infer):
    """The cloud of this task: ``cloud`` if given, else ``infer(params)`` (``'huawei'``, ``'alibaba'`` or
    None when the options do not tell); ``OptionError`` when neither decides or they disagree."""
    guessed = infer(params)
    chosen = params.get('cloud')
    if chosen and guessed and chosen != guessed:
        raise OptionError('cloud=%s does not fit the ids given, which are %s ids' % (chosen, guessed.capitalize()))
    chosen = chosen or guessed
    if chosen not in CLOUDS:
        raise OptionError('set cloud to huawei or alibaba: the options given do not tell which cloud is meant')
    return chosen


def vendor_params(params, cloud, home):
    """The options under the names the ``cloud``'s client code reads (``endpoint``, ``security_token``,
    ``access_key``/``secret_key`` or ``access_key_id``/``access_key_secret``), following the rules above."""
    out = dict(params)
    own = params.get('%s_endpoint' % cloud)
    if own:
        # checked under its own name here: the vendor code checks it again as ``endpoint``
        check_base_url(own, '%s_endpoint' % cloud)
    out['endpoint'] = own or (_shared_endpoint(params, cloud) if cloud == home else None)
    own = params.get('%s_security_token' % cloud)
    out['security_token'] = own or (params.get('security_token') if cloud == home else None)
    if cloud == 'alibaba':
        if not out.get('organization_id'):
            raise OptionError('organization_id is required for Alibaba Cloud (cloud=alibaba)')
        if home == 'alibaba' and not any(_set_by_task(params, name) for name in HUAWEI_ONLY):
            out['access_key_id'] = params.get('access_key_id') or params.get('access_key')
            out['access_key_secret'] = params.get('access_key_secret') or params.get('secret_key')
        if not out['endpoint']:
            out['endpoint'] = alibaba_argument_spec()['endpoint']['default']
        for name in ('access_key', 'secret_key', 'auth_token'):
            out[name] = None
    else:
        for name in ('access_key_id', 'access_key_secret', 'yunxiao_token'):
            out[name] = None
    return out
