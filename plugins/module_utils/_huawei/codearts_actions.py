# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Huawei Cloud CodeArts Pipeline v5 run actions of ``pipeline_action`` (internal use only; the API may
change without notice).

CONTRACTS-2 sections 9.1 (queue helpers) and 9.5, ``P`` = ``/v5/{project_id}/api/pipelines/{pipeline_id}``:

- ``stop``: ``POST P/pipeline-runs/{run}/stop``, no body -> ``{"success": bool}``;
- ``retry``: ``PUT P/pipeline-runs/{run}/retry``, no body -> ``{"success": bool}`` (a queued answer,
  ``DEVPIPE.00011169``/``00011170`` with ``error.queue_id``, is a retry that waits in the queue);
- ``resume``: ``POST P/pipeline-runs/{run}/jobs/{job run id}/steps/{step run id}/resume``, no body;
- ``cancel_queued``: ``GET P/queued-pipeline?limit=&offset=`` to find the run's queue id (without a run id:
  the run queued last), then
  ``POST /v5/{project_id}/api/pipelines/{pipeline_id}/{run}/cancel-queuing/{queue_id}`` with ``{}``.

Reads and normalisation come from ``codearts_runs`` (``CodeArtsRuns.get`` / ``list``). Which run statuses
allow which action is ``RUN_ACTIONS`` below (data); the rest is ``_actions``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._engine import OptionError
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._http import ApiError
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei.client import make_client, path_param
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei.codearts_runs import (
    QUEUED_CODES,
    SERVICE,
    STEP_STATUSES,
    CodeArtsRuns,
)
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._status import FAILURE, LIVE, WAITING

QUEUE_PAGE = 10
QUEUE_PAGES = 20
# action -> the run status kinds (codearts.RUN_STATUSES) in which it changes something
RUN_ACTIONS = dict(stop=(LIVE, WAITING), retry=(FAILURE,), resume=(WAITING, LIVE), cancel_queued=(LIVE,))
# resume: the step kinds (STEP_STATUSES) of a paused step
RESUMABLE = (WAITING,)


class CodeArtsRunActions(CodeArtsRuns):
    """Run-level actions on one CodeArts pipeline; ``get`` / ``list`` are the run reads of ``CodeArtsRuns``."""

    actions = RUN_ACTIONS

    def queued(self):
        """Every entry of the pipeline's queue (``{id, pipeline_run_id, enqueue_time, ...}``), page by page."""
        path, found = self._path('queued-pipeline'), []
        for page in range(QUEUE_PAGES):
            data = self.client.call('GET', path, query=dict(limit=QUEUE_PAGE, offset=page * QUEUE_PAGE))
            items = data.get('queuedPipelines') if isinstance(data, dict) else None
            items = [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []
            found.extend(items)
            if len(items) < QUEUE_PAGE:
                break
        return found

    def queue_entry(self, run_id=None):
        """The queue entry of run ``run_id``, or (``run_id`` None) of the run queued last; None when none is."""
        entries = self.queued()
        if run_id is None:
            return max(entries, key=lambda item: str(item.get('enqueue_time') or '')) if entries else None
        return next((item for item in entries if str(item.get('pipeline_run_id')) == str(run_id)), None)

    def paused_step(self, run, job_id=None, job_name=None, step_id=None, step_name=None):
        """``(job, step)`` of the run that ``resume`` continues: the step named (by id or name) in the job named,
        else the first paused step; None when no step of the run is paused."""
        for stage in run.get('stages') or []:
            for job in (stage.get('jobs') or []):
                if job_id is not None and str(job.get('id')) != str(job_id):
                    continue
                if job_name is not None and job.get('name') != job_name and job.get('identifier') != job_name:
                    continue
                for step in job.get('steps') or []:
                    if step_id is not None and str(step.get('id')) != str(step_id):
                        continue
                    if step_name is not None and step.get('name') != step_name:
                        continue
                    if STEP_STATUSES.kind(step.get('status')) in RESUMABLE or (
                            STEP_STATUSES.kind(job.get('status')) in RESUMABLE and step_id is None
                            and STEP_STATUSES.live(step.get('status'))):
                        return job, step
        return None

    def act(self, action, run, where=None):
        """Send one action on ``run`` (never repeated by the transport: ``_actions`` guards it)."""
        rid = path_param(run['id'])
        if action == 'stop':
            return self._checked(self.client.call('POST', self._path('pipeline-runs/%s/stop' % rid), idempotent=False))
        if action == 'retry':
            try:
                data = self.client.call('PUT', self._path('pipeline-runs/%s/retry' % rid), idempotent=False)
            except ApiError as err:
                if err.code not in QUEUED_CODES:
                    raise
                ids = err.data.get('error') if isinstance(err.data, dict) else None
                self.queue_id = ids.get('queue_id') if isinstance(ids, dict) else None
                return dict(success=True, queued=True, message='%s: %s' % (err.code, err.message))
            return self._checked(data)
        if action == 'resume':
            job, step = where
            path = self._path('pipeline-runs/%s/jobs/%s/steps/%s/resume' % (
                rid, path_param(job['id']), path_param(step['id'])))
            return self._checked(self.client.call('POST', path, idempotent=False))
        if action == 'cancel_queued':
            path = '/v5/%s/api/pipelines/%s/%s/cancel-queuing/%s' % (
                path_param(self.project_id), path_param(self.pipeline_id), rid, path_param(where['id']))
            return self._checked(self.client.call('POST', path, body={}, idempotent=False))
        raise OptionError('action=%s does not apply to a CodeArts pipeline run' % action)

    @staticmethod
    def _checked(data):
        if isinstance(data, dict) and data.get('success') is False:
            raise ApiError('the server answered success: false')
        return data


def codearts_run_actions(params, register=None):
    """The backend of ``pipeline_action`` for a CodeArts run (Huawei parameters); sends nothing."""
    if not params.get('project_id'):
        raise OptionError('project_id is required for a CodeArts pipeline')
    client = make_client(params, SERVICE)
    return CodeArtsRunActions(register(client) if register else client, params['project_id'], params['pipeline_id'])
