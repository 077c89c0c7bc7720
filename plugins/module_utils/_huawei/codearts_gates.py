# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Gates of CodeArts Pipeline v5 runs, a ``_gates`` target (internal use only; the API may change without
notice).

CONTRACTS-2 section 10.1; ``R`` is ``/v5/{project_id}/api/pipelines/{pipeline_id}/pipeline-runs/{run}``:

- manual review: a job step (``stages[].jobs[].steps[]``) whose plugin (``task``) is a review
  (``official_devcloud_checkpoint``; older pipelines ``official_devcloud_manualReview``) ->
  ``POST R/jobs/{job_run_id}/steps/{step_run_id}/pass`` or ``/refuse``, comment in the query
  ``approval_description``;
- stage-entry checkpoint: a step of a stage's ``pre[]`` (``official_devcloud_manualTrigger``; no job id) ->
  ``POST R/steps/{step_run_id}/manual/pass`` or ``/manual/refuse`` (no comment field);
- delayed execution: a job step whose plugin is ``official_devcloud_delay`` ->
  ``POST R/jobs/{job_run_id}/steps/{step_run_id}/delay-pass`` or ``/delay-refuse`` (no comment field).

Every call answers ``{"success": bool}``. The gates are found by ``codearts_runs.run_gates`` (the plugin names
it matches, when a gate step waits), the one locator that ``pipeline_run``'s ``wait_until: gate`` uses too; a
step the task names (``step_name``) counts as a gate even when its plugin is not recognised.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._engine import OptionError
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._http import ApiError
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei.client import make_client, path_param
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei.codearts_runs import (
    SERVICE,
    CodeArtsRuns,
)

KINDS = ('manual_review', 'checkpoint', 'delay')
# The last path segment(s) of each kind's decision.
VERBS = dict(manual_review=dict(passed='pass', refused='refuse'),
             checkpoint=dict(passed='manual/pass', refused='manual/refuse'),
             delay=dict(passed='delay-pass', refused='delay-refuse'))


class CodeArtsGates(CodeArtsRuns):
    """Gates of the runs of one CodeArts pipeline. ``step_name``: a step the task names counts as a gate."""

    def __init__(self, client, project_id, pipeline_id, step_name=None):
        CodeArtsRuns.__init__(self, client, project_id, pipeline_id)
        self.step_name = step_name

    def latest_id(self):
        """ID of the newest run (``ListPipelineRuns``, one entry, newest start first), or None."""
        body = dict(offset=0, limit=1, sort_key='start_time', sort_dir='desc')
        data = self.client.call('POST', self._path('pipeline-runs/list'), body=body, idempotent=True)
        runs = data.get('pipeline_runs') if isinstance(data, dict) else None
        runs = [r for r in runs if isinstance(r, dict) and r.get('pipeline_run_id')] if isinstance(runs, list) else []
        return max(runs, key=lambda r: r.get('start_time') or 0)['pipeline_run_id'] if runs else None

    def run(self, run_id):
        run_id = run_id or self.latest_id()
        return self.get(run_id) if run_id else None

    def no_gate(self, where, run):
        return ('no manual review step waits for a decision in %s (run status %s), nor a stage-entry checkpoint or '
                'delayed execution' % (where, run.get('status')))

    def decide(self, item, decision, comment=None):
        ids = item['ids']
        verb = VERBS[item['kind']]['passed' if decision == 'pass' else 'refused']
        path = 'pipeline-runs/%s' % path_param(ids['run_id'])
        if item['kind'] != 'checkpoint':
            path += '/jobs/%s' % path_param(ids['job_id'])
        path = self._path('%s/steps/%s/%s' % (path, path_param(ids['step_id']), verb))
        query = [('approval_description', comment)] if comment and item['kind'] == 'manual_review' else None
        answer = self.client.call('POST', path, query=query, idempotent=False)
        if isinstance(answer, dict) and answer.get('success') is False:
            raise ApiError('the server answered success=false to %s of the %s %r' % (
                decision, item['kind'].replace('_', ' '), item['step']), method='POST', path=path)
        return answer if answer is not None else {}


def codearts_gates(params, register=None):
    """The CodeArts gate target of ``stage_review``'s options (Huawei parameters); sends nothing."""
    if not params.get('project_id'):
        raise OptionError('project_id is required for the CodeArts v5 manual review (or set HUAWEICLOUD_SDK_PROJECT_ID)')
    client = make_client(params, SERVICE)
    return CodeArtsGates(register(client) if register else client, params['project_id'], params['pipeline_id'],
                         step_name=params.get('step_name'))
