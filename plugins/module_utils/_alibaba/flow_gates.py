# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Validation gates of Yunxiao Flow runs and AppStack release stage executions, ``_gates`` targets (internal
use only; the API may change without notice).

CONTRACTS-2 sections 10.2 to 10.4. The gates are found by ``flow.validation_gates`` (a job whose ``actions``
offer ``PassPipelineValidate`` / ``RefusePipelineValidate``, or the job the task names), the one locator that
the waits of ``pipeline_run`` and ``stage_execute`` (``wait_until: gate``) use too. The API has no field for a
comment. Decisions:

- Flow, POP (AccessKey): ``PassPipelineValidate`` / ``RefusePipelineValidate``
  ``POST /organization/{org}/pipelines/{pid}/pipelineRuns/{run}/jobs/{jobId}/pass`` | ``/refuse``
  -> ``{success, ...}``;
- Flow, token API: ``POST /flow/organizations/{org}/pipelines/{pid}/pipelineRuns/{run}/jobs/{jobId}/pass`` |
  ``/refuse`` -> bare ``true``;
- AppStack (both APIs): ``POST .../executions/{n}:passPipelineValidate?jobId=`` | ``:refusePipelineValidate``
  (POP ``PassReleaseStagePipelineValidate`` / ``RefuseReleaseStagePipelineValidate``, ``%3A``, plus
  ``organizationId``) -> ``{"success": bool}``; the gate is read from ``:getPipelineRun``.

Job ids are integers on POP and may be text on the token API; both are accepted.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba.client import path_param
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba.flow import RUN_STATUSES, PopFlow, YunxiaoFlow
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba.appstack import StageExecutions
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._http import ApiError


def _check(answer, what):
    if answer is False or (isinstance(answer, dict) and answer.get('success') is False):
        raise ApiError('the server did not %s (success: false)' % what)
    return answer if isinstance(answer, dict) else dict(success=answer)


class FlowGatesMixin:
    """Gates of one Flow pipeline (mixed into ``PopFlow`` / ``YunxiaoFlow``, whose ``gates`` find them)."""

    def run(self, run_id):
        if run_id is None:
            runs = self.list()
            if not runs:
                return None
            run_id = runs[0]['id']
        return self.get(run_id)

    def decide(self, item, decision, comment=None):
        ids = item['ids']
        verb = 'pass' if decision == 'pass' else 'refuse'
        answer = self.send_decision(path_param(ids['run_id']), path_param(ids['job_id']), verb)
        return _check(answer, '%s validation job %r of %s' % (verb, item['job'], self.describe(ids['run_id'])))


class PopFlowGates(FlowGatesMixin, PopFlow):
    def send_decision(self, run_id, job_id, verb):
        action = 'PassPipelineValidate' if verb == 'pass' else 'RefusePipelineValidate'
        return self.client.call(action, 'POST', '%s/pipelineRuns/%s/jobs/%s/%s' % (
            self._pipeline_path(), run_id, job_id, verb), idempotent=False)


class YunxiaoFlowGates(FlowGatesMixin, YunxiaoFlow):
    def send_decision(self, run_id, job_id, verb):
        return self.client.call('POST', '%s/pipelineRuns/%s/jobs/%s/%s' % (self._base(), run_id, job_id, verb),
                                idempotent=False)


class StageGates(StageExecutions):
    """Validation gates of the executions of one AppStack release stage (the run id is the execution number)."""

    statuses = RUN_STATUSES   # of the execution's Flow pipeline run, which is what the gates are read from

    @staticmethod
    def status_of(record):
        return record.get('status')

    @staticmethod
    def id_of(record):
        return record.get('id')

    def run(self, run_id):
        if run_id is None:
            executions = self.list()
            if not executions:
                return None
            run_id = executions[0]['number']
        return self.gate_run(run_id)

    def decide(self, item, decision, comment=None):
        ids = item['ids']
        verb = 'passPipelineValidate' if decision == 'pass' else 'refusePipelineValidate'
        action = 'PassReleaseStagePipelineValidate' if decision == 'pass' else 'RefuseReleaseStagePipelineValidate'
        answer = self._call(action, 'POST', '%s/executions/%s%s' % (
            self._stage_path(), path_param(ids['run_id']), self._verb(verb)),
            query=dict(jobId=str(ids['job_id'])), idempotent=False)
        return _check(answer, '%s validation job %r of %s' % (decision, item['job'], self.describe(ids['run_id'])))


def flow_gates(api, client, params):
    """The Flow gate target of ``stage_review``'s options (Alibaba parameters, ids as ints)."""
    cls = YunxiaoFlowGates if api == 'yunxiao' else PopFlowGates
    target = cls(client, params['organization_id'], params['pipeline_id'])
    target.job_name = params.get('job_name')
    return target


def stage_gates(api, client, params):
    """The AppStack gate target of ``stage_review``'s options (Alibaba parameters)."""
    target = StageGates(client, api, params['organization_id'], params['app_name'], params['release_workflow_sn'],
                        params['release_stage_sn'])
    target.job_name = params.get('job_name')
    return target
