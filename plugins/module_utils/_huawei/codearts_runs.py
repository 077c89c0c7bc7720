# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Huawei Cloud CodeArts Pipeline v5 runs: start, list, read, stop (internal use only; the API may change
without notice).

The CodeArts backend of ``pipeline_run`` for ``_engine.ensure_run`` (CONTRACTS-2.md section 9), on the
``codearts`` service of ``client.py``. ``P`` below is ``/v5/{project_id}/api/pipelines/{pipeline_id}``:

- ``RunPipeline`` ``POST P/run`` (body: ``sources``, ``variables``, ``choose_stages``, ``choose_jobs``,
  ``description``; empty lists are left out) -> ``{"pipeline_run_id"}``. A start beyond the concurrency limit
  of the pipeline (``DEVPIPE.00011169``) or of the tenant (``DEVPIPE.00011170``) is answered with an error
  body that still carries ``error.pipeline_run_id`` and ``error.queue_id``, with some 2xx status: the run
  exists and waits in a queue, so it is a start (``Started(queued=True)``), not a failure.
- ``ListPipelineRuns`` ``POST P/pipeline-runs/list`` -- always with ``sort_key: start_time`` and
  ``sort_dir: desc`` (their defaults are not documented), one page of ``LIST_PAGE_SIZE`` runs.
- ``ShowPipelineRunDetail`` ``GET P/pipeline-runs/detail?pipeline_run_id=`` -> the run with stages, jobs
  and steps, normalised by ``normalize_detail``.
- ``StopPipelineRun`` ``POST P/pipeline-runs/{id}/stop`` without a body -> ``{"success": bool}``.

The log of a failing (or current) step for ``_logs.failure_report`` (``fetch_log``, CONTRACTS-2 section 13):
``ShowPipelineLog`` ``POST P/pipeline-runs/{run}/jobs/{job run id}/steps/{step run id}/logs`` with
``{start_offset, end_offset, limit, sort: asc}``, first both offsets 0, then both offsets as the page before
returned them, until ``has_more`` is false.

Run statuses: ``codearts.RUN_STATUSES`` (COMPLETED success; FAILED failure; CANCELED and IGNORED canceled;
PAUSED and SUSPEND waiting; anything else, an undocumented ``QUEUED`` included, live). Stage and job
statuses: ``STEP_STATUSES`` below.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._engine import OptionError, RunTarget, Started
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._gates import gate
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._http import ApiError
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei.client import make_client, path_param
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei.codearts import RUN_STATUSES
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._status import StatusTable

SERVICE = 'codearts'
LIST_PAGE_SIZE = 30
LOG_PAGE_LINES = 500  # lines per page of a step log (the documented example's limit)
QUEUED_CODES = ('DEVPIPE.00011169', 'DEVPIPE.00011170')

# Stages and jobs (section 9.4): ASYNC_RUNNING, REDISPATCH and unknown values are live; INIT and QUEUED have
# not started (nothing to stop, nothing failed); UNSELECTED was left out by choose_stages / choose_jobs.
STEP_STATUSES = StatusTable(
    success=('COMPLETED',), failure=('FAILED', 'ASYNC_FAILED'), canceled=('CANCELED',),
    skipped=('SKIPPED', 'IGNORED', 'UNSELECTED'), waiting=('PAUSED', 'SUSPEND'), idle=('INIT', 'QUEUED'))

# The options of pipeline_run that only a CodeArts run takes.
OPTIONS = ('sources', 'variables', 'choose_stages', 'choose_jobs', 'description')


def codearts_argument_spec():
    """The options of ``pipeline_run`` that describe the inputs of a CodeArts run."""
    return dict(
        sources=dict(type='list', elements='dict', options=dict(
            git_url=dict(type='str', required=True),
            git_type=dict(type='str', default='codehub', choices=['codehub', 'gitee', 'github', 'gitcode', 'gitlab']),
            branch=dict(type='str'),
            tag=dict(type='str'),
            alias=dict(type='str'),
            codehub_id=dict(type='str'),
            endpoint_id=dict(type='str'),
            default_branch=dict(type='str'),
            event_type=dict(type='str', choices=['Manual', 'Scheduler', 'MR', 'Push', 'CreateTag', 'Issue', 'Note']),
            change_request_ids=dict(type='list', elements='str'),
        ), mutually_exclusive=[('branch', 'tag')]),
        variables=dict(type='dict'),
        choose_stages=dict(type='list', elements='str'),
        choose_jobs=dict(type='list', elements='str'),
        description=dict(type='str'),
    )


# -- run inputs ---------------------------------------------------------------------------------------
def _text(value):
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return value if isinstance(value, str) else str(value)


def source_body(source):
    """One ``sources[]`` entry of RunPipeline from a ``sources`` option entry (unset keys left out)."""
    params = dict(git_type=source.get('git_type') or 'codehub', git_url=source['git_url'])
    for key in ('alias', 'codehub_id', 'endpoint_id', 'default_branch'):
        if source.get(key) is not None:
            params[key] = source[key]
    if source.get('change_request_ids'):
        params['change_request_ids'] = list(source['change_request_ids'])
    build = {}
    if source.get('tag') is not None:
        build = dict(build_type='tag', tag=source['tag'])
    elif source.get('branch') is not None:
        build = dict(build_type='branch', target_branch=source['branch'])
    if build and source.get('event_type'):
        build['event_type'] = source['event_type']
    if build:
        params['build_params'] = build
    return dict(type='code', params=params)


def run_body(sources=None, variables=None, choose_stages=None, choose_jobs=None, description=None):
    """The RunPipeline body; options not given and empty lists are left out."""
    body = {}
    if sources:
        body['sources'] = [source_body(s) for s in sources]
    if variables:
        body['variables'] = [dict(name=str(k), value=_text(v)) for k, v in variables.items()]
    if choose_stages:
        body['choose_stages'] = list(choose_stages)
    if choose_jobs:
        body['choose_jobs'] = list(choose_jobs)
    if description is not None:
        body['description'] = description
    return body


def repo_key(url):
    """A repository URL compared loosely: no surrounding blanks, trailing ``/`` or ``.git``, any case."""
    key = str(url or '').strip().rstrip('/').lower()
    return key[:-4] if key.endswith('.git') else key


def source_ref(source):
    """``(repository, 'branch'|'tag', name)`` of a code source as the API reports it, or None.

    Accepts the RunPipeline shape (``{type, params: {git_url, build_params: {...}}}``), a flat one, and the
    ``build_params`` of a list entry (``git_url``, ``build_type``, ``target_branch``, ``tag``)."""
    if not isinstance(source, dict):
        return None
    params = source.get('params') if isinstance(source.get('params'), dict) else source
    build = params.get('build_params') if isinstance(params.get('build_params'), dict) else params
    url = params.get('git_url') or source.get('git_url')
    if not url:
        return None
    kind = build.get('build_type') or ('tag' if build.get('tag') else 'branch')
    name = build.get('tag') if kind == 'tag' else (build.get('target_branch') or build.get('branch'))
    return repo_key(url), kind, name


def wanted_refs(sources):
    """What ``skip_if_succeeded`` compares: the repository and branch or tag of every option source that names one."""
    refs = []
    for source in sources or []:
        ref = source_ref(source_body(source))
        if ref is not None and ref[2] is not None:
            refs.append(ref)
    return refs


# -- normalisation ------------------------------------------------------------------------------------
# Gates (CONTRACTS-2 section 10.1), found here for every task that reads runs: ``stage_review`` decides them
# (``codearts_gates``), a wait with ``wait_until: gate`` stops at them (``_engine``). A manual review is a job step
# whose plugin (``task``) is a review (``official_devcloud_checkpoint``; older pipelines
# ``official_devcloud_manualReview``), a stage-entry checkpoint a step of a stage's ``pre[]``
# (``official_devcloud_manualTrigger``), a delayed execution a job step whose plugin is ``official_devcloud_delay``.
# The plugin names are not documented by Huawei: they are matched loosely (case-insensitive substrings), and a
# step a task names (``step_name``) counts as a gate even when its plugin is not recognised. A gate step waits
# while its status is not terminal (RUNNING, also PAUSED, SUSPEND and unknown values); a step without a status,
# ``INIT`` or ``QUEUED`` was not reached. The run detail does not say who decided a gate.
REVIEW_MARKERS = ('manualreview', 'manual_review', 'checkpoint')
DELAY_MARKERS = ('delay',)
ENTRY_MARKERS = ('manualtrigger', 'manual_trigger') + REVIEW_MARKERS


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
    """The ``_gates.gate`` of one step (``stage``, ``job`` normalised as ``normalize_detail`` does)."""
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


def run_gates(run, step_name=None):
    """Every gate of a normalised run (``normalize_detail``), in run order, pending or not; a step named
    ``step_name`` counts as a gate whatever its plugin."""
    found = []
    for stage in run.get('stages') or []:
        for step in stage.get('pre') or []:
            kind = step_kind(step, entry=True, named=step_name is not None and step.get('name') == step_name)
            if kind:
                found.append(step_gate(kind, run.get('id'), stage, step))
        for job in stage.get('jobs') or []:
            for step in job.get('steps') or []:
                kind = step_kind(step, named=step_name is not None and step.get('name') == step_name)
                if kind:
                    found.append(step_gate(kind, run.get('id'), stage, step, job))
    return found


def _items(data, key):
    value = data.get(key) if isinstance(data, dict) else None
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def normalize_step(step):
    return dict(id=step.get('id'), name=step.get('name'), task=step.get('task'), status=step.get('status'),
                start_time=step.get('start_time'), end_time=step.get('end_time'))


def normalize_job(job):
    return dict(id=job.get('id'), name=job.get('name'), identifier=job.get('identifier'), status=job.get('status'),
                message=job.get('message'), start_time=job.get('start_time'), end_time=job.get('end_time'),
                steps=[normalize_step(s) for s in _items(job, 'steps')])


def normalize_stage(stage):
    return dict(id=stage.get('id'), name=stage.get('name'), identifier=stage.get('identifier'),
                status=stage.get('status'), start_time=stage.get('start_time'), end_time=stage.get('end_time'),
                pre=[normalize_step(s) for s in _items(stage, 'pre')],
                post=[normalize_step(s) for s in _items(stage, 'post')],
                jobs=[normalize_job(j) for j in _items(stage, 'jobs')])


def normalize_detail(data, pipeline_id=None):
    """The run shape of the engine from a ShowPipelineRunDetail answer (``url``: the run's page)."""
    data = data if isinstance(data, dict) else {}
    return dict(
        id=data.get('id') or data.get('pipeline_run_id'),
        pipeline_id=data.get('pipeline_id') or pipeline_id,
        status=data.get('status'),
        name=data.get('name'),
        description=data.get('description'),
        run_number=data.get('run_number'),
        trigger_type=data.get('trigger_type'),
        executor_id=data.get('executor_id'),
        executor_name=data.get('executor_name'),
        start_time=data.get('start_time'),
        end_time=data.get('end_time'),
        url=data.get('detail_url'),
        sources=[s for s in data.get('sources') or [] if isinstance(s, dict)],
        stages=[normalize_stage(s) for s in _items(data, 'stages')],
    )


def normalize_entry(item, pipeline_id=None):
    """A ListPipelineRuns entry: the keys the engine reads, plus its ``build_params``."""
    return dict(id=item.get('pipeline_run_id'), pipeline_id=item.get('pipeline_id') or pipeline_id,
                status=item.get('status'), run_number=item.get('run_number'), start_time=item.get('start_time'),
                end_time=item.get('end_time'), url=item.get('detail_url'),
                build_params=item.get('build_params') if isinstance(item.get('build_params'), dict) else None)


def _newest_first(entry):
    """Sort key, reversed: a run without a start time (queued) is the newest; then start time, run number."""
    start, number = entry.get('start_time'), entry.get('run_number')
    started = isinstance(start, (int, float)) and not isinstance(start, bool)
    return (not started, start if started else 0, number if isinstance(number, int) else 0)


# -- the backend --------------------------------------------------------------------------------------
class CodeArtsRuns(RunTarget):
    """Runs of one CodeArts pipeline (a ``RunTarget``). ``queue_id``: what the server said when it queued the
    run this object started."""

    kind = 'pipeline run'
    statuses = RUN_STATUSES
    step_statuses = STEP_STATUSES
    step_name = None  # a step a task names counts as a gate (``run_gates``)

    def __init__(self, client, project_id, pipeline_id, body=None, sources=None):
        self.client = client
        self.project_id = project_id
        self.pipeline_id = pipeline_id
        self.body = body or {}
        self.refs = wanted_refs(sources)
        self.queue_id = None

    def describe(self, run_id):
        return 'pipeline run %s of CodeArts pipeline %s' % (run_id, self.pipeline_id)

    def _path(self, suffix):
        return '/v5/%s/api/pipelines/%s/%s' % (path_param(self.project_id), path_param(self.pipeline_id), suffix)

    def list(self):
        body = dict(offset=0, limit=LIST_PAGE_SIZE, sort_key='start_time', sort_dir='desc')
        data = self.client.call('POST', self._path('pipeline-runs/list'), body=body, idempotent=True)
        items = data.get('pipeline_runs') if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise ApiError('unexpected answer listing the runs of CodeArts pipeline %s: no pipeline_runs list'
                           % self.pipeline_id, method='POST', path=self._path('pipeline-runs/list'))
        runs = [normalize_entry(i, self.pipeline_id) for i in items if isinstance(i, dict) and i.get('pipeline_run_id')]
        return sorted(runs, key=_newest_first, reverse=True)

    def get(self, run_id):
        path = self._path('pipeline-runs/detail')
        data = self.client.call('GET', path, query=dict(pipeline_run_id=run_id), idempotent=True)
        if not isinstance(data, dict):
            raise ApiError('unexpected answer reading %s: not an object' % self.describe(run_id), method='GET', path=path)
        run = normalize_detail(data, self.pipeline_id)
        run['id'] = run['id'] or run_id
        return run

    def start(self):
        try:
            data = self.client.call('POST', self._path('run'), body=self.body, idempotent=False)
        except ApiError as err:
            if err.code not in QUEUED_CODES:
                raise
            ids = err.data.get('error') if isinstance(err.data, dict) else None
            ids = ids if isinstance(ids, dict) else {}
            self.queue_id = ids.get('queue_id')
            # Without the run id the engine adopts the run that appeared in the list.
            return Started(ids.get('pipeline_run_id') or None, queued=True, message='%s: %s' % (err.code, err.message))
        return data.get('pipeline_run_id') if isinstance(data, dict) else None

    def stop(self, record):
        path = self._path('pipeline-runs/%s/stop' % path_param(record['id']))
        data = self.client.call('POST', path, idempotent=False)
        if isinstance(data, dict) and data.get('success') is False:
            raise ApiError('the server did not stop %s (success: false)' % self.describe(record['id']),
                           method='POST', path=path)
        return []

    def gates(self, run):
        """The gates of a normalised run (``run_gates``): what ``stage_review`` decides, where a ``wait_until: gate``
        wait stops (``_gates.at_gate``) and what a timeout message names."""
        return run_gates(run, self.step_name)

    def fetch_log(self, where, lines):
        """The log of the step ``_logs.failure_report`` located, in pages of ``LOG_PAGE_LINES`` lines (None when
        the run, job or step has no id: a job that shows no step has no log call)."""
        run, job, step = where.get('run') or {}, where.get('job') or {}, where.get('step') or {}
        if run.get('id') is None or job.get('id') is None or step.get('id') is None:
            return None
        path = self._path('pipeline-runs/%s/jobs/%s/steps/%s/logs' % (
            path_param(run['id']), path_param(job['id']), path_param(step['id'])))

        def fetch_page(offsets):
            start, end = offsets or (0, 0)
            data = self.client.call('POST', path, body=dict(start_offset=start, end_offset=end, limit=LOG_PAGE_LINES,
                                                            sort='asc'), idempotent=True)
            data = data if isinstance(data, dict) else {}
            following = (data.get('start_offset'), data.get('end_offset'))
            more = data.get('has_more') is True and following[1] is not None and following != (start, end)
            return data.get('log'), following if more else None
        return fetch_page

    def reusable(self, entry):
        """The matcher of ``skip_if_succeeded``: the succeeded run ``entry`` read in full when it ran, for
        every source of the task that names a branch or tag, that repository with that branch or tag; the
        sources of the run's detail are compared, and the ``build_params`` of its list entry when the detail
        has none. Any succeeded run matches a task without such sources."""
        run = self.get(entry['id'])
        if not self.refs:
            return run
        built = set(source_ref(s) for s in run.get('sources') or [])
        built.add(source_ref(entry.get('build_params')))
        return run if all(ref in built for ref in self.refs) else None


def codearts_runs(params, register=None):
    """The CodeArts backend for ``pipeline_run``'s options (Huawei parameters, ``_clouds.vendor_params``);
    ``register`` gets the new client (for its retry count). Sends nothing."""
    if not params.get('project_id'):
        raise OptionError('project_id is required for a CodeArts pipeline (cloud=huawei)')
    client = make_client(params, SERVICE)
    body = run_body(sources=params.get('sources'), variables=params.get('variables'),
                    choose_stages=params.get('choose_stages'), choose_jobs=params.get('choose_jobs'),
                    description=params.get('description'))
    return CodeArtsRuns(register(client) if register else client, params['project_id'], params['pipeline_id'],
                        body=body, sources=params.get('sources'))
