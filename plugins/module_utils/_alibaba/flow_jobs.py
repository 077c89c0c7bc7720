# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Job actions of ``pipeline_action`` on Alibaba Cloud (internal use only; the API may change without notice).

CONTRACTS-2 section 11:

- Flow, POP API (AK/SK), ``J = /organization/{org}/pipelines/{pid}/pipelineRuns/{run}/jobs/{job}``, ``PUT``
  without a body: ``retry`` is ``PUT J`` itself (``RetryPipelineJobRun``, no ``/retry`` suffix),
  ``skip`` ``PUT J/skip`` (``SkipPipelineJobRun``), ``stop`` ``PUT J/stop`` (``StopPipelineJobRun``).
- Flow, token API: ``PUT .../pipelineRuns/{run}/jobs/{job}/retry|skip|stop`` -> ``true``.
- AppStack release stage execution, token API only: ``POST .../executions/{n}:retry?jobId=`` and
  ``:skip?jobId=``; the answer is a bare boolean, ``{success}`` or empty. The POP API has no such call, so
  AK/SK alone is an argument error before any request.

Reads and normalisation come from ``flow.py`` (``PopFlow`` / ``YunxiaoFlow``) and ``appstack.py``
(``StageExecutions``). ``JOB_ACTIONS``: which job status kinds allow which action (data).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba.appstack import StageExecutions
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba.client import path_param, select_api
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba.flow import PopFlow, YunxiaoFlow
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._engine import OptionError
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._http import ApiError
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._status import FAILURE, LIVE, WAITING

# action -> the job status kinds (flow.STEP_STATUSES) in which it changes something
JOB_ACTIONS = dict(retry=(FAILURE,), skip=(FAILURE, WAITING), stop=(LIVE, WAITING))
APPSTACK_ACTIONS = dict(retry=(FAILURE,), skip=(FAILURE, WAITING))
POP_OPERATIONS = dict(retry='RetryPipelineJobRun', skip='SkipPipelineJobRun', stop='StopPipelineJobRun')


def _checked(data, what):
    if data is False or (isinstance(data, dict) and data.get('success') is False):
        raise ApiError('the server did not %s (success: false)' % what)
    return data


class PopFlowJobs(PopFlow):
    """Flow job actions over the POP API."""

    actions = JOB_ACTIONS

    def act(self, action, run, job):
        path = '%s/jobs/%s' % (self._run_path(run['id']), path_param(job['id']))
        if action != 'retry':
            path += '/' + action
        return _checked(self.client.call(POP_OPERATIONS[action], 'PUT', path, idempotent=False),
                        '%s job %s' % (action, job['id']))


class YunxiaoFlowJobs(YunxiaoFlow):
    """Flow job actions over the token API."""

    actions = JOB_ACTIONS

    def act(self, action, run, job):
        path = '%s/pipelineRuns/%s/jobs/%s/%s' % (self._base(), path_param(run['id']), path_param(job['id']), action)
        return _checked(self.client.call('PUT', path, idempotent=False), '%s job %s' % (action, job['id']))


class StageExecutionJobs(StageExecutions):
    """Job actions of an AppStack release stage execution (token API); the run they act on is the execution's
    Flow pipeline run (``pipeline_run``), read after the execution itself."""

    actions = APPSTACK_ACTIONS

    def act(self, action, run, job):
        path = '%s/executions/%s%s' % (self._stage_path(), path_param(run['number']), self._verb(action))
        return _checked(self._call(None, 'POST', path, query=dict(jobId=str(job['id'])), idempotent=False),
                        '%s job %s' % (action, job['id']))


def flow_job_actions(api, client, params):
    """The Flow job backend of ``pipeline_action`` over ``client`` (``client.make_client``); sends nothing."""
    cls = YunxiaoFlowJobs if api == 'yunxiao' else PopFlowJobs
    return cls(client, params['organization_id'], params['pipeline_id'])


def appstack_api(params):
    """The API of an AppStack job action: the token API; ``OptionError`` before any request otherwise."""
    api = select_api(params)
    if api != 'yunxiao':
        raise OptionError('retry and skip of an AppStack release stage job exist only on the Yunxiao token API '
                          '(the AK/SK OpenAPI has no such call): give yunxiao_token (or YUNXIAO_ACCESS_TOKEN)')
    return api


def stage_execution_jobs(api, client, params):
    """The AppStack job backend of ``pipeline_action`` (token API only); sends nothing."""
    for name in ('app_name', 'release_workflow_sn', 'release_stage_sn'):
        if not params.get(name):
            raise OptionError('%s is required for an AppStack release stage job' % name)
    return StageExecutionJobs(client, api, params['organization_id'], params['app_name'],
                              params['release_workflow_sn'], params['release_stage_sn'])
