# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Huawei Cloud CodeArts Pipeline v5 calls (internal use only; the API may change without notice).

Host: service ``codearts`` of ``client.py`` (``cloudpipeline-ext.{region}.myhuaweicloud.com``).

Status tables are data; ``finished``/``succeeded`` and their stage counterparts are pure functions
over them. Run statuses (``PipelineLatestRun.status``, CONTRACTS.md section 5):

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
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei.client import path_param

SERVICE = 'codearts'

# BatchShowPipelinesLatestStatus documents no maximum number of ids per request (checked in the
# Chinese and international API references and the SDK model); 100 is the collection's own bound.
BATCH_STATUS_LIMIT = 100
BATCH_STATUS_LIMIT_DOCUMENTED = False

# Run status -> (finished, succeeded).
RUN_STATUSES = {
    'COMPLETED': (True, True),
    'FAILED': (True, False),
    'CANCELED': (True, False),
    'IGNORED': (True, False),
    'RUNNING': (False, False),
    'PAUSED': (False, False),
    'SUSPEND': (False, False),
}

# Stage status (``stage_status_list[].status``) -> (finished, succeeded). A skipped, ignored or
# unselected stage did not run and does not hold the run back, so it counts as succeeded.
STAGE_STATUSES = {
    'INIT': (False, False),
    'QUEUED': (False, False),
    'RUNNING': (False, False),
    'ASYNC_RUNNING': (False, False),
    'REDISPATCH': (False, False),
    'PAUSED': (False, False),
    'SUSPEND': (False, False),
    'COMPLETED': (True, True),
    'SKIPPED': (True, True),
    'IGNORED': (True, True),
    'UNSELECTED': (True, True),
    'FAILED': (True, False),
    'ASYNC_FAILED': (True, False),
    'CANCELED': (True, False),
}

UNKNOWN_STATUS = 'UNKNOWN'


def _lookup(table, status):
    return table.get(str(status).upper() if status is not None else None, (False, False))


def finished(status):
    """True when a run with this status will not change any more (COMPLETED, FAILED, CANCELED, IGNORED)."""
    return _lookup(RUN_STATUSES, status)[0]


def succeeded(status):
    """True only for COMPLETED."""
    return _lookup(RUN_STATUSES, status)[1]


def stage_finished(status):
    """True when a stage with this status will not change any more."""
    return _lookup(STAGE_STATUSES, status)[0]


def stage_succeeded(status):
    """True for a stage that completed or was legitimately not run (skipped, ignored, unselected)."""
    return _lookup(STAGE_STATUSES, status)[1]


def unique_ids(ids):
    """The ids without duplicates, each at its first position."""
    seen = set()
    result = []
    for pid in ids:
        if pid not in seen:
            seen.add(pid)
            result.append(pid)
    return result


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


def annotate(run):
    """A copy of a run as the API gave it, plus ``finished`` and ``succeeded``."""
    item = dict(run)
    item['finished'] = finished(run.get('status'))
    item['succeeded'] = succeeded(run.get('status'))
    return item


def status_report(ids, runs):
    """``{pipelines, missing, summary}`` for the requested ``ids`` (caller's order, duplicates once).

    ``pipelines``: the annotated latest run of every id that has one; ``missing``: ids without a
    run; ``summary``: number of pipelines per run status (sorted by status).
    """
    pipelines = []
    missing = []
    summary = {}
    for pid in unique_ids(ids):
        run = runs.get(pid)
        if run is None:
            missing.append(pid)
            continue
        pipelines.append(annotate(run))
        status = run.get('status') or UNKNOWN_STATUS
        summary[status] = summary.get(status, 0) + 1
    return dict(pipelines=pipelines, missing=missing, summary=dict(sorted(summary.items())))


def all_finished(report):
    """True when every pipeline with a run has a finished latest run (ids without a run do not block)."""
    return all(item['finished'] for item in report['pipelines'])


def read_status(client, project_id, ids, chunk=BATCH_STATUS_LIMIT):
    """Read and build the status report of ``ids`` (see ``status_report``)."""
    return status_report(ids, batch_latest_status(client, project_id, ids, chunk))
