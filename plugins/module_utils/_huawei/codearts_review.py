# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Huawei Cloud pipeline review gates, the backend of ``stage_review`` (internal use only; the API may change
without notice).

Two APIs of the CodeArts host (CONTRACTS.md section 1):

- v3 (seed): ``PUT /v3/manage/pipelines/{pipeline_id}/stages/{stage_index}/start_info`` with
  ``{"mode": "review", "review_result": "pass" | "refuse"}``, answered ``201 {}``. No call reads this
  gate's state, so the PUT is treated as the idempotent set it is.
- v5 (CodeArts Pipeline): the manual review step of a run, found in
  ``GET /v5/{project_id}/api/pipelines/{pipeline_id}/pipeline-runs/detail?pipeline_run_id=...``
  (stages -> jobs -> steps) and decided with
  ``POST .../pipeline-runs/{run}/jobs/{job_run_id}/steps/{step_run_id}/pass`` or ``/refuse``
  (query ``approval_description``). The latest run comes from ``ListPipelineRuns``
  (``POST .../pipeline-runs/list``, sorted by start time, newest first).

Both gates answer ``review(result, check_mode, diff)``: they fill the module's result and return the
failure message, or None.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._engine import OptionError
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._gates import GateReview
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._http import ApiError
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei import codearts_gates
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei.client import make_client, path_param
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei.codearts import SERVICE

APIS = ('auto', 'v3', 'v5')
RESULTS = ('pass', 'refuse')

V3_UNREAD = 'unknown (the v3 API cannot read it)'


def choose_api(api, pipeline_id, stage_index):
    """Which API a set of options means: ``'v3'`` or ``'v5'`` (``OptionError`` with the reason otherwise).

    ``auto``: v3 when ``stage_index`` is given (the v3 gate is addressed by pipeline and stage index),
    v5 otherwise. v3 pipeline ids are integers.
    """
    if api == 'auto':
        api = 'v3' if stage_index is not None else 'v5'
    if api == 'v3':
        if stage_index is None:
            raise OptionError('the v3 review API needs stage_index')
        if not str(pipeline_id).isdigit():
            raise OptionError('the v3 review API addresses pipelines by integer id; pipeline_id %r is not one (CodeArts '
                              'v5 pipeline ids are 32-character strings: leave stage_index out to use v5)' % pipeline_id)
        if int(pipeline_id) < 1:
            raise OptionError('the v3 review API addresses pipelines by positive integer id; pipeline_id %r is not one'
                              % pipeline_id)
    elif stage_index is not None:
        raise OptionError('stage_index applies to the v3 review API only; the v5 manual review is found by '
                          'pipeline_run_id, job_name and step_name')
    return api


class V3Review:
    """The seed's review gate: a write-only PUT."""

    def __init__(self, client, params, warn):
        self.client = client
        self.params = params
        if params['comment']:
            warn('comment is not sent: the v3 review API has no field for it')
        for name in ('pipeline_run_id', 'job_name', 'step_name'):
            if params[name]:
                warn('%s applies to the v5 manual review only and is ignored with v3' % name)

    @staticmethod
    def path(pipeline_id, stage_index):
        return '/v3/manage/pipelines/%s/stages/%s/start_info' % (path_param(pipeline_id), path_param(stage_index))

    def set(self, pipeline_id, stage_index, result):
        """Send the decision. The PUT sets a value, so repeating it is harmless: reads-style retries are allowed."""
        answer = self.client.call('PUT', self.path(pipeline_id, stage_index),
                                  body=dict(mode='review', review_result=result), idempotent=True)
        return answer if answer is not None else {}

    def review(self, result, check_mode=False, diff=False):
        """Send the decision (the gate cannot be read: always a change); check mode sends nothing."""
        params = self.params
        gate = dict(pipeline_id=params['pipeline_id'], stage_index=params['stage_index'])
        result.update(gate=gate, changed=True)
        if diff:
            result['diff'] = dict(before=dict(gate, review_result=V3_UNREAD), after=dict(gate, review_result=params['result']))
        if check_mode:
            result['msg'] = 'check mode: the v3 review cannot be read, the decision would be sent'
            return None
        try:
            result['response'] = self.set(params['pipeline_id'], params['stage_index'], params['result'])
        except ApiError as err:
            # changed only when the decision may have reached the server (not after a refused connection or a 4xx)
            result['changed'] = err.uncertain
            raise
        return None


class V5Review(GateReview):
    """CodeArts Pipeline gates of one pipeline (manual review, stage-entry checkpoint, delayed execution), decided
    through ``_gates.decide_gate`` on a ``codearts_gates.CodeArtsGates`` target; the result keeps the gate keys
    of 0.1.0 (``legacy_gate``)."""

    def shape(self, item):
        return legacy_gate(item, self.params['pipeline_id'])

    def diff_keys(self, item, where):
        return dict(pipeline_run_id=item['pipeline_run_id'], step_id=item['step_id'], step_name=item['step_name'])


def legacy_gate(item, pipeline_id):
    """The gate of ``_gates`` plus the 0.1.0 keys of ``stage_review`` (``step_id``, ``job_name`` ...)."""
    ids = item['ids']
    return dict(item, pipeline_id=pipeline_id, pipeline_run_id=ids.get('run_id'), stage_id=ids.get('stage_id'),
                stage_name=item['stage'], job_id=ids.get('job_id'), job_name=item['job'], step_id=ids.get('step_id'),
                step_name=item['step'], step_task=item.get('task'), status=item['status_before'])


def review_gate(params, result, register=None, warn=None):
    """The gate of ``stage_review``'s options: the API is chosen (``result['api']``) and the options checked
    before the client is made; ``register`` gets the client (for its retry count), ``warn`` the notes on
    options v3 ignores."""
    result['api'] = api = choose_api(params['api'], params['pipeline_id'], params['stage_index'])
    if api == 'v3' and not params['endpoint']:
        raise OptionError('the v3 review API documents no host: set endpoint to the pipeline service of your installation')
    if api == 'v5' and not params['project_id']:
        raise OptionError('project_id is required for the CodeArts v5 gates (or set HUAWEICLOUD_SDK_PROJECT_ID)')
    client = make_client(params, SERVICE)
    client = register(client) if register else client
    if api == 'v3':
        return V3Review(client, params, warn or (lambda text: None))
    return V5Review(codearts_gates.CodeArtsGates(client, params['project_id'], params['pipeline_id'],
                                                 step_name=params['step_name']), params,
                    ids=dict((k, params.get(k)) for k in ('job_id', 'step_id') if params.get(k)))
