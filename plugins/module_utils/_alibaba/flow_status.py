# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Yunxiao Flow: the latest run of many pipelines, the backend of ``pipeline_status_info`` for
``_query.Watch`` (internal use only; the API may change without notice).

Neither Flow API has a batch call for the latest runs (CONTRACTS-2.md section 12), so a read of N pipelines
costs N requests:

- token API: ``GET /oapi/v1/flow/organizations/{org}/pipelines/{id}/runs/latestPipelineRun`` (the full run);
- POP API: ``ListPipelineRuns`` ``GET /organization/{org}/pipelines/{id}/pipelineRuns?maxResults=1`` (the
  run summary: id, status, times). The order of that list is undocumented; newest first is assumed.

What an id without a run looks like (``latest`` reports it in ``missing`` with a reason, never drops it):

=================================  ===================================================  ============
answer                             API                                                  reason
=================================  ===================================================  ============
404 ``InvalidPipelineRun.NotFound``  token (documented variant)                           never_ran
200 with JSON ``null``             token (undocumented variant)                         never_ran
200 with an empty body             token (undocumented variant)                         never_ran
200 ``pipelineRuns: []``           POP                                                  never_ran
404 ``InvalidPipeline.NotFound``   both                                                 not_found
=================================  ===================================================  ============

Any other failure ends the read with its error. Requests run over the client's one keep-alive session,
at most ``WORKERS`` at a time (each worker keeps its own connection of the session's pool, so there are at
most ``WORKERS`` connections). A 429 answer holds back every worker: ``Pace`` keeps one "not before"
instant, set from the pause the transport takes after the 429 (its ``Retry-After``), and no worker sends a
request before it. Each call keeps the transport's own limits (retries, time limit of one call, the
ceiling of a ``wait_for``), so a read of N ids takes at most ceil(N / WORKERS) call limits. The transport's
watchdog shuts every connection of the session when one request passes its time limit: the other workers'
requests then in flight fail as connection resets and are retried like any read. The requests are counted
here (``requests``), under a lock, as the transport's own counter is not meant for concurrent senders.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import concurrent.futures
import threading
import time

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba.client import (
    as_int,
    list_items,
    make_client,
    path_param,
)
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba.flow import (
    RUN_STATUSES,
    PopFlow,
    YunxiaoFlow,
    normalize_run,
    run_url,
)
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._http import (
    _WAITING,
    ApiError,
    describe_non_json,
    wait_ceiling,
)
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._query import unique_ids

# Requests in flight at once. Flow's rate limits are undocumented (CONTRACTS-2.md section 12: "bound
# concurrency"); the reads are latency-bound, so 4 connections already cut the time of N reads by about 4
# (1,000 ids at 50 ms round trip: about 13 s instead of 50 s) while a tenant-wide limit sees no more than a
# few parallel clients would send. It stays below urllib3's pool of 10 connections per host, so every
# worker's connection is kept alive and reused.
WORKERS = 4

NEVER_RAN = 'never_ran'
NOT_FOUND = 'not_found'
NEVER_RAN_CODE = 'InvalidPipelineRun.NotFound'
NOT_FOUND_CODE = 'InvalidPipeline.NotFound'
EMPTY_BODY = describe_non_json('', None)


class Pace:
    """One "not before" instant shared by the workers of a read (monotonic clock)."""

    def __init__(self, clock=None, sleep=None):
        self.clock = clock or time.monotonic
        self.sleep = sleep or time.sleep
        self._lock = threading.Lock()
        self._not_before = 0.0

    def defer(self, seconds):
        """No request before ``seconds`` from now (a later instant already set stays)."""
        with self._lock:
            self._not_before = max(self._not_before, self.clock() + seconds)

    def hold(self, ceiling=None):
        """Sleep until the "not before" instant, or until ``ceiling`` (the end of a wait) when sooner."""
        while True:
            with self._lock:
                until = self._not_before
            if ceiling is not None:
                until = min(until, ceiling)
            delay = until - self.clock()
            if delay <= 0:
                return
            self.sleep(delay)


class FlowLatestRuns:
    """The latest runs of Flow pipelines of one organization, as ``_query.Watch`` reads them.

    ``latest(ids)`` returns ``{id: run}`` for the ids with a run (keys as given, text) and keeps the
    reason of every other id in ``missing_reasons`` (``never_ran`` or ``not_found``).
    """

    statuses = RUN_STATUSES
    key = 'pipeline_id'

    def __init__(self, api, client, organization_id, workers=WORKERS, pace=None):
        self.api = api
        self.client = client
        self.organization_id = organization_id
        self.workers = max(1, int(workers))
        self.pace = pace or Pace(sleep=client.sleep)
        self.reasons = {}
        self._sent = 0
        self._count_lock = threading.Lock()
        self._attach(client)

    # -- the transport, shared by the workers ----------------------------------------------------------
    def _attach(self, client):
        """Count requests exactly (the workers send concurrently), make a 429's pause hold every worker,
        and let a worker that slept after an error also wait for the shared instant."""
        sign, note_retry, sleep = client.sign, client.note_retry, client.sleep

        def counted_sign(*args):
            with self._count_lock:
                self._sent += 1
            return sign(*args)

        def paced_note_retry(method, path, err, delay, attempt, resend=False):
            if err.status == 429:
                self.pace.defer(delay)
            note_retry(method, path, err, delay, attempt, resend=resend)

        def paced_sleep(seconds):
            sleep(seconds)
            self.pace.hold(wait_ceiling())

        client.sign, client.note_retry, client.sleep = counted_sign, paced_note_retry, paced_sleep

    def requests(self):
        return self._sent

    # -- one pipeline -----------------------------------------------------------------------------------
    def _path(self, pid):
        org, pid = path_param(self.organization_id), path_param(pid)
        if self.api == 'yunxiao':
            return '/flow/organizations/%s/pipelines/%s/runs/latestPipelineRun' % (org, pid)
        return '/organization/%s/pipelines/%s/pipelineRuns' % (org, pid)

    def _get(self, pid):
        if self.api == 'yunxiao':
            return self.client.call('GET', self._path(pid))
        data = self.client.call('ListPipelineRuns', 'GET', self._path(pid), query=dict(maxResults=1))
        if not isinstance(data, dict) or not isinstance(data.get('pipelineRuns', []), list):
            raise ApiError('unexpected answer listing the runs of Flow pipeline %s: not an object with pipelineRuns'
                           % pid, method='GET', path=self._path(pid))
        runs = list_items(data, 'pipelineRuns')
        return runs[0] if runs else None

    def read_one(self, pid):
        """``(run, None)`` for a pipeline with a run, ``(None, reason)`` for one without."""
        try:
            data = self._get(pid)
        except ApiError as err:
            if err.status == 404 and err.code == NOT_FOUND_CODE:
                return None, NOT_FOUND
            if err.status == 404 and err.code == NEVER_RAN_CODE:
                return None, NEVER_RAN
            if err.status == 200 and not err.code and err.message == EMPTY_BODY:
                return None, NEVER_RAN
            raise
        if data is None:
            return None, NEVER_RAN
        if not isinstance(data, dict):
            raise ApiError('unexpected answer reading the latest run of Flow pipeline %s: not an object' % pid,
                           method='GET', path=self._path(pid))
        return entry(pid, data), None

    # -- many pipelines -----------------------------------------------------------------------------------
    def latest(self, ids):
        wanted = unique_ids(ids)
        todo = iter(wanted)
        outcomes = {}
        failures = []
        lock = threading.Lock()
        ceiling = wait_ceiling()

        def work():
            _WAITING.ceiling = ceiling  # the wait of the calling thread cuts this worker's requests too
            try:
                while True:
                    with lock:
                        pid = None if failures else next(todo, None)
                    if pid is None:
                        return
                    self.pace.hold(ceiling)
                    try:
                        outcome = self.read_one(pid)
                    except Exception as exc:  # pylint: disable=broad-exception-caught  # re-raised below
                        with lock:
                            failures.append(exc)
                        return
                    with lock:
                        outcomes[pid] = outcome
            finally:
                _WAITING.ceiling = None

        count = min(self.workers, len(wanted))
        if count:
            with concurrent.futures.ThreadPoolExecutor(max_workers=count) as pool:
                for future in [pool.submit(work) for dummy in range(count)]:
                    future.result()
        if failures:
            raise failures[0]
        self.reasons = dict((pid, outcomes[pid][1]) for pid in wanted if outcomes[pid][1])
        return dict((pid, outcomes[pid][0]) for pid in wanted if outcomes[pid][0] is not None)

    def missing_reasons(self):
        """``{id: reason}`` of the ids without a run in the last ``latest``."""
        return dict(self.reasons)

    def run_target(self, pipeline_id):
        """The runs of one pipeline over the same client (``flow.YunxiaoFlow`` or ``flow.PopFlow``: the run and
        its job log), its requests counted here too."""
        cls = YunxiaoFlow if self.api == 'yunxiao' else PopFlow
        return cls(self.client, self.organization_id, as_int(pipeline_id))


def entry(pid, data):
    """A Flow run as a report entry: the run of ``flow.normalize_run`` with ``pipeline_id`` as given (text),
    ``pipeline_run_id`` (the run's id) and ``detail_url``."""
    run = normalize_run(data, as_int(pid))
    run_id = run.pop('id')
    run.update(pipeline_id=pid, pipeline_run_id=run_id, detail_url=run_url(pid, run_id))
    return run


def latest_runs(params, register=None):
    """The backend of ``pipeline_status_info`` for Flow; ``register`` gets the new client (for its retries)."""
    api, client = make_client(params)
    return FlowLatestRuns(api, register(client) if register else client, params['organization_id'])
