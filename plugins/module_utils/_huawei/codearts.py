# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Huawei Cloud CodeArts Pipeline v5: the latest run of many pipelines (internal use only; the API may change
without notice).

Host: service ``codearts`` of ``client.py`` (``cloudpipeline-ext.{region}.myhuaweicloud.com``). The review gates
of the same service are in ``codearts_review.py``.

Run statuses (``PipelineLatestRun.status``, CONTRACTS.md section 5), declared in ``RUN_STATUSES``:

=========== ======== ========= ==========================================================
status      finished succeeded why
=========== ======== ========= ==========================================================
COMPLETED   yes      yes       the run ended successfully
FAILED      yes      no        the run ended with a failure
CANCELED    yes      no        the run was stopped
IGNORED     yes      no        the run was dropped without running (for example by the
                               pipeline's concurrency policy); nothing more will happen
RUNNING     no       no        still running
PAUSED      no       no        waits for a person (pause/manual review); resumes later
SUSPEND     no       no        suspended (for example waiting for a resource); resumes
(other)     no       no        unknown statuses are never taken as final
=========== ======== ========= ==========================================================
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._http import ApiError
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei.client import make_client, path_param
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._query import unique_ids
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._status import StatusTable

SERVICE = 'codearts'

RUN_STATUSES = StatusTable(success=('COMPLETED',), failure=('FAILED',), canceled=('CANCELED', 'IGNORED'),
                           waiting=('PAUSED', 'SUSPEND'))

# BatchShowPipelinesLatestStatus documents no maximum number of ids per request (checked in the
# Chinese and international API references and the SDK model); 100 is the collection's own bound.
BATCH_STATUS_LIMIT = 100


def chunks(items, size):
    """Consecutive slices of at most ``size`` items."""
    if size < 1:
        raise ValueError('chunk size must be at least 1')
    return [items[i:i + size] for i in range(0, len(items), size)]


def status_path(project_id):
    """Path of BatchShowPipelinesLatestStatus."""
    return '/v5/%s/api/pipelines/status' % path_param(project_id)


def batch_latest_status(client, project_id, ids, chunk=BATCH_STATUS_LIMIT):
    """Latest run of every pipeline in ``ids`` that has one, as ``{pipeline_id: run}``.

    ``POST /v5/{project_id}/api/pipelines/status`` with a JSON array of ids, at most ``chunk`` ids per
    request, over the client's keep-alive session. The call only reads, so it is sent with
    ``idempotent=True`` (retried on connection errors, 429 and 5xx). Ids are de-duplicated; the
    returned dict follows their order. The API returns only pipelines with a run: ids without one
    are absent. Entries for ids that were not asked for are ignored.
    """
    if not project_id:
        raise ApiError('project_id is required to read CodeArts pipeline status')
    wanted = unique_ids(ids)
    found = {}
    path = status_path(project_id)
    for part in chunks(wanted, chunk):
        data = client.call('POST', path, body=part, idempotent=True)
        if data is None:
            data = []
        if not isinstance(data, list):
            raise ApiError('expected a JSON array of pipeline runs, got a JSON %s' % _json_type(data),
                           method='POST', path=path)
        asked = set(part)
        for run in data:
            if not isinstance(run, dict):
                raise ApiError('expected pipeline run objects in the JSON array, got a JSON %s' % _json_type(run),
                               method='POST', path=path)
            pid = run.get('pipeline_id')
            if pid in asked and pid not in found:
                found[pid] = run
    return dict((pid, found[pid]) for pid in wanted if pid in found)


def _json_type(value):
    if isinstance(value, dict):
        return 'object'
    if isinstance(value, bool):
        return 'boolean'
    if isinstance(value, (int, float)):
        return 'number'
    if isinstance(value, str):
        return 'string'
    return 'null' if value is None else type(value).__name__


class LatestRuns:
    """The latest runs of the pipelines of one project, as ``_query.Watch`` reads them."""

    statuses = RUN_STATUSES
    key = 'pipeline_id'

    def __init__(self, client, project_id):
        self.client = client
        self.project_id = project_id

    def latest(self, ids):
        return batch_latest_status(self.client, self.project_id, ids)

    def requests(self):
        return self.client.requests_sent

    def run_target(self, pipeline_id):
        """The runs of one pipeline (``codearts_runs.CodeArtsRuns``: ShowPipelineRunDetail, ShowPipelineLog)."""
        # imported here: codearts_runs imports this module (RUN_STATUSES)
        from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei.codearts_runs import CodeArtsRuns
        return CodeArtsRuns(self.client, self.project_id, pipeline_id)


def latest_runs(params, register=None):
    """The backend of ``pipeline_status_info``; ``register`` gets the new client (for its retry count)."""
    client = make_client(params, SERVICE)
    return LatestRuns(register(client) if register else client, params['project_id'])
