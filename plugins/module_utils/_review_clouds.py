# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""``stage_review`` on both clouds: which cloud and service a task means, and its gate (internal use only; the
API may change without notice).

The cloud is ``cloud``, else it follows from the options (each hint below names one cloud; hints of both
clouds, or none, fail before any request):

- ``api``: ``v3`` / ``v5`` are Huawei's review APIs, ``openapi`` / ``yunxiao`` Alibaba's;
- ``app_name``, ``release_workflow_sn``, ``release_stage_sn``: an AppStack release stage (Alibaba);
- ``stage_index`` (the v3 review) or ``pipeline_run_id``: Huawei;
- ``pipeline_id``: 32 letters and digits is a CodeArts id (Huawei); 1 to 20 digits a Flow id (Alibaba),
  except with ``stage_index`` or ``api: v3``, where it is a v3 pipeline (Huawei, as in 0.1.0);
- no hint at all: Huawei, the module's 0.1.0 cloud.

On Alibaba the service is AppStack when the release stage options are given, else Flow (``pipeline_id``).
The options of one cloud that the other has no use for fail with it.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba.client import make_client
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba.flow_gates import flow_gates, stage_gates
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._clouds import vendor_params
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._engine import OptionError
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._gates import GateReview
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei import codearts_review
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._run_clouds import id_cloud

HOME = 'huawei'
HUAWEI_APIS = ('v3', 'v5')
ALIBABA_APIS = ('openapi', 'yunxiao')
APIS = ('auto',) + HUAWEI_APIS + ALIBABA_APIS
STAGE_OPTIONS = ('app_name', 'release_workflow_sn', 'release_stage_sn')
# Options that only mean something on one cloud.
HUAWEI_ONLY = ('stage_index', 'pipeline_run_id', 'step_name', 'step_id')
ALIBABA_ONLY = STAGE_OPTIONS + ('execution_number',)
ALIBABA_KINDS = ('validation',)


def hints(params):
    """``[(cloud, why)]``: what the options say about the cloud."""
    found = []
    api = params.get('api')
    if api in HUAWEI_APIS:
        found.append(('huawei', 'api=%s' % api))
    elif api in ALIBABA_APIS:
        found.append(('alibaba', 'api=%s' % api))
    for name in STAGE_OPTIONS:
        if params.get(name) is not None:
            found.append(('alibaba', '%s (an AppStack release stage)' % name))
    if params.get('stage_index') is not None:
        found.append(('huawei', 'stage_index (the v3 review)'))
    if params.get('pipeline_run_id') is not None:
        found.append(('huawei', 'pipeline_run_id (a CodeArts run)'))
    pipeline_id = params.get('pipeline_id')
    if pipeline_id is not None and params.get('stage_index') is None and api != 'v3':
        cloud = id_cloud(pipeline_id)
        if cloud:
            found.append((cloud, 'pipeline_id %s (a %s id)' % (pipeline_id, 'Flow' if cloud == 'alibaba' else 'CodeArts')))
    return found


def pick_cloud(params):
    """The cloud of the task; ``OptionError`` when the options do not tell or disagree."""
    found = hints(params)
    chosen = params.get('cloud')
    clouds = set(cloud for cloud, _why in found)
    if chosen:
        wrong = [why for cloud, why in found if cloud != chosen]
        if wrong:
            raise OptionError('cloud=%s does not fit %s' % (chosen, ', '.join(wrong)))
        return chosen
    if len(clouds) > 1:
        raise OptionError('the options name gates of both clouds (%s); set cloud to huawei or alibaba, and give only '
                          "that cloud's options" % ', '.join(why for _cloud, why in found))
    # Nothing tells: the module's 0.1.0 cloud, as before (a CodeArts v5 gate of whatever pipeline_id says).
    return clouds.pop() if clouds else HOME


def _positive(name, value):
    text = str(value)
    if not (text.isdigit() and int(text) > 0 and len(text) <= 20):
        raise OptionError('%s must be a positive integer on Alibaba Cloud, not %r' % (name, text[:80]))
    return int(text)


def _foreign(params, names, cloud):
    for name in names:
        if params.get(name) is not None:
            raise OptionError('%s does not apply to %s gates (cloud=%s)' % (
                name, 'Huawei Cloud' if cloud == 'huawei' else 'Alibaba Cloud', cloud))


def review_task(params, result, register, warn):
    """The gate of a ``stage_review`` task (an object with ``review(result, check_mode, diff)``); sends nothing.
    ``result`` gets ``cloud`` (and ``api`` / ``service``)."""
    cloud = pick_cloud(params)
    result['cloud'] = cloud
    if cloud == 'huawei':
        _foreign(params, ALIBABA_ONLY, cloud)
        if params.get('pipeline_id') is None:
            raise OptionError('pipeline_id is required for Huawei Cloud gates')
        hparams = vendor_params(params, 'huawei', home='huawei')
        hparams.update(api=hparams.get('api') or 'auto', pipeline_run_id=params.get('pipeline_run_id') or params.get('run_id'))
        return codearts_review.review_gate(hparams, result, register, warn)
    _foreign(params, HUAWEI_ONLY, cloud)
    if params.get('gate_kind') not in (None,) + ALIBABA_KINDS:
        raise OptionError('gate_kind %s is a CodeArts gate; Alibaba Cloud gates are validation jobs' % params['gate_kind'])
    aparams = vendor_params(params, 'alibaba', home='huawei')
    aparams['api'] = params['api'] if params.get('api') in ALIBABA_APIS else 'auto'
    stage = [name for name in STAGE_OPTIONS if params.get(name) is not None]
    if stage:
        missing = [name for name in STAGE_OPTIONS if name not in stage]
        if missing:
            raise OptionError('an AppStack release stage needs app_name, release_workflow_sn and release_stage_sn; '
                              'missing: %s' % ', '.join(missing))
        if params.get('pipeline_id') is not None:
            raise OptionError('pipeline_id names a Flow pipeline; leave it out for an AppStack release stage')
    elif params.get('pipeline_id') is None:
        raise OptionError('name the gate: pipeline_id (a Flow pipeline) or app_name, release_workflow_sn and '
                          'release_stage_sn (an AppStack release stage)')
    else:
        aparams['pipeline_id'] = _positive('pipeline_id', params['pipeline_id'])
    if params.get('execution_number') is not None and not stage:
        raise OptionError('execution_number names an AppStack release stage execution; use run_id for a Flow run')
    for name in ('run_id', 'execution_number'):
        if params.get(name) is not None:
            aparams['run_id'] = _positive(name, params[name])
    ids = dict(job_id=_positive('job_id', params['job_id'])) if params.get('job_id') is not None else None
    if params.get('comment'):
        warn('comment is not sent: the Alibaba Cloud validation calls have no field for it')
    api, client = make_client(aparams)
    client = register(client)
    result.update(api=api, service='appstack' if stage else 'flow')
    target = (stage_gates if stage else flow_gates)(api, client, aparams)
    return GateReview(target, aparams, ids=ids)
