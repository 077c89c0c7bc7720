# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Huawei pipeline review gates (internal use only; the API may change without notice).

Two APIs (CONTRACTS.md section 1):

- v3 (seed): ``PUT /v3/manage/pipelines/{pipeline_id}/stages/{stage_index}/start_info`` with
  ``{"mode": "review", "review_result": "pass" | "refuse"}``, answered ``201 {}``. No call reads this
  gate's state, so the PUT is treated as the idempotent set it is.
- v5 (CodeArts Pipeline): the manual review step of a run, found in
  ``GET /v5/{project_id}/api/pipelines/{pipeline_id}/pipeline-runs/detail?pipeline_run_id=...``
  (stages -> jobs -> steps) and decided with
  ``POST .../pipeline-runs/{run}/jobs/{job_run_id}/steps/{step_run_id}/pass`` or ``/refuse``
  (query ``approval_description``). The latest run comes from ``ListPipelineRuns``
  (``POST .../pipeline-runs/list``, sorted by start time, newest first).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._http import ApiError
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei.client import path_param

SERVICE = 'codearts'
RESULTS = ('pass', 'refuse')

# A manual review step is recognised by its plugin (``task``): the ManualReview extension
# ("uses: Checkpoint" in pipeline YAML; official plugin names contain "manualReview").
REVIEW_TASK_MARKERS = ('manualreview', 'manual_review', 'checkpoint')
# Step statuses (SDK StepRun): RUNNING, CANCELED, COMPLETED, FAILED. A review that waits for a
# decision is RUNNING; PAUSED and SUSPEND (job/stage statuses) are accepted as waiting as well.
WAITING_STATUSES = frozenset(['RUNNING', 'PAUSED', 'SUSPEND'])
# Statuses that say the gate was decided (passed, refused, cancelled).
DECIDED_STATUSES = frozenset(['COMPLETED', 'FAILED', 'CANCELED', 'SKIPPED', 'IGNORED'])


def choose_api(api, pipeline_id, stage_index):
    """Which API a set of options means: ``'v3'`` or ``'v5'`` (``ValueError`` with the reason otherwise).

    ``auto``: v3 when ``stage_index`` is given (the v3 gate is addressed by pipeline and stage index),
    v5 otherwise. v3 pipeline ids are integers.
    """
    if api == 'auto':
        api = 'v3' if stage_index is not None else 'v5'
    if api == 'v3':
        if stage_index is None:
            raise ValueError('the v3 review API needs stage_index')
        if not str(pipeline_id).isdigit():
            raise ValueError('the v3 review API addresses pipelines by integer id; pipeline_id %r is not one (CodeArts v5 '
                             'pipeline ids are 32-character strings: leave stage_index out to use v5)' % pipeline_id)
        if int(pipeline_id) < 1:
            raise ValueError('the v3 review API addresses pipelines by positive integer id; pipeline_id %r is not one'
                             % pipeline_id)
    elif stage_index is not None:
        raise ValueError('stage_index applies to the v3 review API only; the v5 manual review is found by '
                         'pipeline_run_id, job_name and step_name')
    return api


def is_review_step(step):
    """Whether a step (StepRun) is a manual review, by its plugin name."""
    task = str(step.get('task') or '').lower()
    return any(marker in task for marker in REVIEW_TASK_MARKERS)


def is_waiting(step):
    return str(step.get('status') or '').upper() in WAITING_STATUSES


def review_steps(run, job_name=None, step_name=None):
    """Every manual review step of a run detail, in stage/job/step order, as gate dicts.

    ``job_name``/``step_name`` narrow the search; a step named ``step_name`` counts even when its
    plugin name is not recognised as a review.
    """
    gates = []
    for stage_pos, stage in enumerate(_items(run, 'stages')):
        for job in _items(stage, 'jobs'):
            if job_name and job.get('name') != job_name:
                continue
            for step in _items(job, 'steps'):
                if step_name:
                    if step.get('name') != step_name:
                        continue
                elif not is_review_step(step):
                    continue
                gates.append(dict(
                    stage_id=stage.get('id'), stage_name=stage.get('name'),
                    stage_index=stage.get('sequence', stage_pos),
                    job_id=job.get('id'), job_name=job.get('name'), job_status=job.get('status'),
                    step_id=step.get('id'), step_name=step.get('name'), step_task=step.get('task'),
                    status=step.get('status'),
                ))
    return gates


def find_pending(run, job_name=None, step_name=None):
    """``(pending, decided)``: the review steps that wait for a decision, and those already decided."""
    gates = review_steps(run, job_name, step_name)
    pending = [g for g in gates if str(g['status'] or '').upper() in WAITING_STATUSES]
    decided = [g for g in gates if str(g['status'] or '').upper() in DECIDED_STATUSES]
    return pending, decided


def _items(obj, key):
    value = obj.get(key) if isinstance(obj, dict) else None
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def describe_gate(gate):
    return "step %r (id %s) of job %r in stage %r" % (gate.get('step_name'), gate.get('step_id'),
                                                      gate.get('job_name'), gate.get('stage_name'))


class V3Review:
    """The seed's review gate: a write-only PUT."""

    def __init__(self, client):
        self.client = client

    @staticmethod
    def path(pipeline_id, stage_index):
        return '/v3/manage/pipelines/%s/stages/%s/start_info' % (path_param(pipeline_id), path_param(stage_index))

    def set(self, pipeline_id, stage_index, result):
        """Send the decision. The PUT sets a value, so repeating it is harmless: reads-style retries are allowed."""
        answer = self.client.call('PUT', self.path(pipeline_id, stage_index),
                                  body=dict(mode='review', review_result=result), idempotent=True)
        return answer if answer is not None else {}


class V5Review:
    """CodeArts Pipeline manual review steps of one project."""

    def __init__(self, client, project_id):
        if not project_id:
            raise ApiError('project_id is required for the CodeArts v5 manual review (or set HUAWEICLOUD_SDK_PROJECT_ID)')
        self.client = client
        self.project_id = project_id

    def _pipeline(self, pipeline_id):
        return '/v5/%s/api/pipelines/%s' % (path_param(self.project_id), path_param(pipeline_id))

    def latest_run_id(self, pipeline_id):
        """ID of the newest run (ListPipelineRuns), or None when the pipeline never ran."""
        data = self.client.call('POST', self._pipeline(pipeline_id) + '/pipeline-runs/list',
                                body=dict(offset=0, limit=1, sort_key='start_time', sort_dir='desc'))
        runs = data.get('pipeline_runs') if isinstance(data, dict) else data
        runs = [r for r in runs if isinstance(r, dict)] if isinstance(runs, list) else []
        if not runs:
            return None
        newest = max(runs, key=lambda r: r.get('start_time') or 0)
        return newest.get('pipeline_run_id') or newest.get('id')

    def run_detail(self, pipeline_id, run_id):
        data = self.client.call('GET', self._pipeline(pipeline_id) + '/pipeline-runs/detail',
                                query=[('pipeline_run_id', run_id)])
        if not isinstance(data, dict):
            raise ApiError('the run detail of pipeline %s is not a JSON object' % pipeline_id,
                           method='GET', path=self._pipeline(pipeline_id) + '/pipeline-runs/detail')
        return data

    def decide(self, pipeline_id, run_id, gate, result, comment=None):
        """Pass or refuse one step; sent once (callers wrap it in ``guarded_action``)."""
        path = '%s/pipeline-runs/%s/jobs/%s/steps/%s/%s' % (
            self._pipeline(pipeline_id), path_param(run_id), path_param(gate['job_id']), path_param(gate['step_id']),
            result)
        query = [('approval_description', comment)] if comment else None
        answer = self.client.call('POST', path, query=query, idempotent=False)
        if isinstance(answer, dict) and answer.get('success') is False:
            raise ApiError('the server answered success=false to %s of %s' % (result, describe_gate(gate)),
                           method='POST', path=path)
        return answer if answer is not None else {}
