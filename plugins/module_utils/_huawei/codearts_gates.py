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

Every call answers ``{"success": bool}``. The plugin names are not documented by Huawei: they are matched
loosely (case-insensitive substrings), and a step the task names (``step_name``) counts as a gate even when
its plugin is not recognised. A gate step waits while its status is not terminal (RUNNING, also PAUSED,
SUSPEND and unknown values); a step without a status, ``INIT`` or ``QUEUED`` was not reached. The run detail
does not say who decided a gate.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._engine import OptionError
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._gates import gate
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._http import ApiError
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei.client import make_client, path_param
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei.codearts_runs import (
    SERVICE,
    STEP_STATUSES,
    CodeArtsRuns,
)

REVIEW_MARKERS = ('manualreview', 'manual_review', 'checkpoint')
DELAY_MARKERS = ('delay',)
ENTRY_MARKERS = ('manualtrigger', 'manual_trigger') + REVIEW_MARKERS
KINDS = ('manual_review', 'checkpoint', 'delay')
# The last path segment(s) of each kind's decision.
VERBS = dict(manual_review=dict(passed='pass', refused='refuse'),
             checkpoint=dict(passed='manual/pass', refused='manual/refuse'),
             delay=dict(passed='delay-pass', refused='delay-refuse'))


def _has(task, markers):
    text = str(task or '').lower()
    return any(marker in text for marker in markers)


def step_kind(step, entry=False, named=False):
    """The gate kind of a normalised step, or None: ``entry`` for a ``pre[]`` step, ``named`` when the task
    named it (then an unrecognised plugin counts as a manual review, or as the checkpoint in ``pre[]``)."""
    task = step.get('task')
    if entry:
        return 'checkpoint' if named or _has(task, ENTRY_MARKERS) else None
    if _has(task, DELAY_MARKERS):
        return 'delay'
    if named or _has(task, REVIEW_MARKERS):
        return 'manual_review'
    return None


def step_gate(kind, run_id, stage, step, job=None):
    """The ``_gates.gate`` of one step (``stage``, ``job`` normalised as ``codearts_runs`` does)."""
    ids = dict(run_id=run_id, stage_id=stage.get('id'), step_id=step.get('id'))
    if job is not None:
        ids['job_id'] = job.get('id')
    status = step.get('status')
    reached = status is not None and STEP_STATUSES.kind(status) != 'idle'
    found = gate(kind, stage.get('name'), job.get('name') if job else None, step.get('name'), ids=ids,
                 status=status, table=STEP_STATUSES, pending=None if reached else False)
    found['task'] = step.get('task')
    found['job_status'] = job.get('status') if job else None
    return found


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

    def gates(self, run):
        found = []
        for stage in run.get('stages') or []:
            for step in stage.get('pre') or []:
                kind = step_kind(step, entry=True, named=self._named(step))
                if kind:
                    found.append(step_gate(kind, run['id'], stage, step))
            for job in stage.get('jobs') or []:
                for step in job.get('steps') or []:
                    kind = step_kind(step, named=self._named(step))
                    if kind:
                        found.append(step_gate(kind, run['id'], stage, step, job))
        return found

    def no_gate(self, where, run):
        return ('no manual review step waits for a decision in %s (run status %s), nor a stage-entry checkpoint or '
                'delayed execution' % (where, run.get('status')))

    def _named(self, step):
        return self.step_name is not None and step.get('name') == self.step_name

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
