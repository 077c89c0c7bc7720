# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Yunxiao Flow pipeline runs (internal use only; the API may change without notice).

The backend of ``pipeline_run`` for ``_engine.ensure_run``, on either API (``client.make_client``):

- ``PopFlow``: the ``devops`` POP API (2021-06-25) with an AccessKey -- ``ListPipelineRuns``,
  ``GetPipelineRun``, ``StartPipelineRun``, ``StopPipelineRun`` (CONTRACTS.md section 3);
- ``YunxiaoFlow``: the Yunxiao OpenAPI with a personal access token -- ``GET .../runs``,
  ``GET .../runs/{id}``, ``POST .../runs``. It has no run-level stop: stopping a run stops its live jobs
  (``PUT .../pipelineRuns/{runId}/jobs/{jobId}/stop``).

Both read the log of a failing job for ``_logs.failure_report`` (``fetch_log``, CONTRACTS-2 section 13): the POP
API in one call (``LogPipelineJobRun``, no paging), the token API step by step (the job's steps, then the failing
step's log in pages of ``STEP_LOG_LIMIT`` lines), or the job's whole log when the job lists no step.

Both hand the engine runs in one shape (``normalize_run``) judged by ``RUN_STATUSES`` and, for stages
and jobs, ``STEP_STATUSES``. An AppStack release stage execution runs a Flow pipeline, so ``appstack.py``
uses the run shape, the step table and the link of a run from here.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba.client import (
    as_int,
    id_from_answer,
    id_key,
    list_items,
    path_param,
)
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._engine import OptionError, RunTarget
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._gates import gate
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._http import ApiError
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._status import StatusTable

FLOW_WEB_URL = 'https://flow.aliyun.com/pipelines/%s/builds/%s'
LIST_PAGE_SIZE = 30
STEP_LOG_LIMIT = 2000  # lines per page of the token API's step log (its maximum)

# Flow documents RUNNING, SUCCESS and FAIL (and lists CANCELED and WAITING among the run statuses of its
# pipeline list); the other spellings are accepted defensively. Anything else counts as live.
_SUCCESS = ('SUCCESS', 'SUCCEEDED', 'SUCCESSFUL', 'FINISH', 'FINISHED')
_FAILURE = ('FAIL', 'FAILED', 'FAILURE', 'ERROR')
_CANCELED = ('CANCELED', 'CANCELLED', 'CANCEL', 'STOPPED', 'STOP', 'ABORTED', 'TERMINATED', 'KILLED')
_WAITING = ('WAITING', 'WAIT', 'PAUSED', 'SUSPEND', 'SUSPENDED', 'VALIDATING', 'PENDING_APPROVAL')  # a manual gate
RUN_STATUSES = StatusTable(success=_SUCCESS, failure=_FAILURE, canceled=_CANCELED, waiting=_WAITING)
# Stages and jobs: also skipped, and not started yet (no status at all included) -- nothing to stop in those.
STEP_STATUSES = StatusTable(
    success=_SUCCESS, failure=_FAILURE, canceled=_CANCELED, waiting=_WAITING,
    skipped=('SKIPPED', 'SKIP', 'IGNORED'),
    idle=('', 'INIT', 'INITED', 'PENDING', 'NOT_STARTED', 'UNSTARTED', 'NOT_RUN', 'NONE'))

TRIGGER_MODES = {1: 'manual', 2: 'schedule', 3: 'code_commit', 5: 'pipeline', 6: 'webhook'}


def flow_argument_spec():
    """The options of ``pipeline_run`` that describe the pipeline and the inputs of a run."""
    return dict(
        pipeline_id=dict(type='int', required=True),
        branches=dict(type='dict'),
        tags=dict(type='dict'),
        branch_mode_branches=dict(type='list', elements='str'),
        envs=dict(type='dict'),
        pipeline_artifacts=dict(type='dict'),
        acr_artifacts=dict(type='dict'),
        package_artifacts=dict(type='dict'),
        comment=dict(type='str'),
        params=dict(type='dict'),
    )


# -- normalisation ------------------------------------------------------------------------------------
def run_url(pipeline_id, run_id):
    """The Flow web page of a run (central edition), or None without both ids."""
    if pipeline_id is None or run_id is None:
        return None
    return FLOW_WEB_URL % (pipeline_id, run_id)


def _first(data, *names):
    for name in names:
        if data.get(name) is not None:
            return data[name]
    return None


def normalize_job(job):
    job = job if isinstance(job, dict) else {}
    return dict(
        id=as_int(_first(job, 'id', 'jobId')),
        name=_first(job, 'name', 'jobName'),
        status=_first(job, 'status', 'state'),
        start_time=job.get('startTime'),
        end_time=job.get('endTime'),
    )


def normalize_stage(stage):
    stage = stage if isinstance(stage, dict) else {}
    info = stage.get('stageInfo') if isinstance(stage.get('stageInfo'), dict) else stage
    return dict(
        name=_first(stage, 'name') or info.get('name'),
        status=_first(info, 'status', 'state'),
        start_time=info.get('startTime'),
        end_time=info.get('endTime'),
        jobs=[normalize_job(job) for job in info.get('jobs') or []],
    )


def normalize_source(source):
    source = source if isinstance(source, dict) else {}
    data = source.get('data') if isinstance(source.get('data'), dict) else {}
    return dict(
        type=source.get('type'),
        sign=source.get('sign'),
        name=_first(source, 'name', 'label') or data.get('label'),
        repo=data.get('repo'),
        branch=data.get('branch'),
        commit=_first(data, 'commit', 'commint'),
    )


def normalize_run(data, pipeline_id=None):
    """One run dict from a POP ``pipelineRun``, a token API run or a list entry of either."""
    data = data if isinstance(data, dict) else {}
    if isinstance(data.get('pipelineRun'), dict):
        data = data['pipelineRun']
    status = _first(data, 'status', 'state')
    trigger_mode = as_int(data.get('triggerMode'))
    end = data.get('endTime')
    if end is None and RUN_STATUSES.terminal(status):
        end = data.get('updateTime')
    return dict(
        id=as_int(_first(data, 'pipelineRunId', 'id')),
        pipeline_id=as_int(data['pipelineId']) if data.get('pipelineId') is not None else pipeline_id,
        status=status,
        trigger_mode=trigger_mode,
        trigger=TRIGGER_MODES.get(trigger_mode) if isinstance(trigger_mode, int) else None,
        creator_account_id=data.get('creatorAccountId'),
        create_time=data.get('createTime'),
        update_time=data.get('updateTime'),
        start_time=_first(data, 'startTime', 'createTime'),
        end_time=end,
        sources=[normalize_source(s) for s in data.get('sources') or []],
        stages=[normalize_stage(s) for s in data.get('stages') or []],
    )


# -- run inputs ---------------------------------------------------------------------------------------
def build_run_params(raw=None, branches=None, tags=None, branch_mode_branches=None, envs=None,
                     pipeline_artifacts=None, acr_artifacts=None, package_artifacts=None, comment=None):
    """The ``params`` document of a Flow run from the modelled options plus a raw dict of further keys.

    Raises ``OptionError`` (a ``ValueError``) when a raw key is also given as a modelled option.
    """
    modelled = [
        ('runningBranchs', branches), ('runningTags', tags), ('branchModeBranchs', branch_mode_branches),
        ('envs', envs), ('runningPipelineArtifacts', pipeline_artifacts), ('runningAcrArtifacts', acr_artifacts),
        ('runningPackagesArtifacts', package_artifacts), ('comment', comment),
    ]
    doc = dict(raw or {})
    for key, value in modelled:
        if value is None:
            continue
        if key in doc:
            raise OptionError('params has the key %r, which an option of this module sets too; give it only once' % key)
        if isinstance(value, dict):
            value = dict((str(k), _text(v)) for k, v in value.items())
        elif isinstance(value, list):
            value = [_text(v) for v in value]
        doc[key] = value
    return doc


def _text(value):
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return value if isinstance(value, str) else str(value)


def repo_key(url):
    """A repository URL compared loosely: no surrounding blanks, trailing ``/`` or ``.git``."""
    key = str(url or '').strip().rstrip('/')
    return key[:-4] if key.endswith('.git') else key


def built_branches(sources, branches):
    """Whether a run's ``sources`` (normalised) built, for every repository URL of ``branches``, that branch."""
    built = {}
    for source in sources or []:
        if source.get('repo') is not None:
            built.setdefault(repo_key(source['repo']), set()).add(str(source.get('branch')))
    return all(str(branch) in built.get(repo_key(repo), ()) for repo, branch in (branches or {}).items())


# Validation gates (CONTRACTS-2 sections 10.2 to 10.4), found here for every task that reads Flow runs (also
# the pipeline run of an AppStack release stage execution): ``stage_review`` decides them (``flow_gates``), a
# wait with ``wait_until: gate`` stops at them (``_engine``). A validation gate is a job whose ``actions`` offer
# ``PassPipelineValidate`` / ``RefusePipelineValidate``; it is pending while they are offered and the job has
# not ended. Once decided, the API lists no actions for the job, so a decided validation job can only be
# recognised by its name: a job a task names (``job_name``) counts as a validation gate (decided when its
# status ended, else not reached). The API does not say who decided a gate.
VALIDATE_ACTIONS = ('passpipelinevalidate', 'refusepipelinevalidate')


def _raw_stages(data):
    data = data if isinstance(data, dict) else {}
    if isinstance(data.get('pipelineRun'), dict):
        data = data['pipelineRun']
    return [s if isinstance(s, dict) else {} for s in data.get('stages') or []]


def with_actions(data, pipeline_id=None):
    """``normalize_run`` of a run answer, each job also carrying the ``actions`` types the API offers (lower
    case): what tells a validation gate (``validation_gates``)."""
    run = normalize_run(data, pipeline_id)
    for stage, raw in zip(run['stages'], _raw_stages(data)):
        info = raw.get('stageInfo') if isinstance(raw.get('stageInfo'), dict) else raw
        for job, raw_job in zip(stage['jobs'], info.get('jobs') or []):
            actions = raw_job.get('actions') if isinstance(raw_job, dict) else None
            job['actions'] = [str(a.get('type') or '').lower() for a in actions or [] if isinstance(a, dict)]
    return run


def validation_gates(run, job_name=None):
    """Every validation gate of a run from ``with_actions``, in run order, pending or not (``_gates.gate``
    dicts with the run and job ids); a job named ``job_name`` counts as one even without actions."""
    found = []
    for stage in run.get('stages') or []:
        for job in stage.get('jobs') or []:
            offered = any(a in VALIDATE_ACTIONS for a in job.get('actions') or [])
            if not offered and (job_name is None or job.get('name') != job_name):
                continue
            status = job.get('status')
            pending = offered and not STEP_STATUSES.terminal(status)
            found.append(gate('validation', stage.get('name'), job.get('name'), None,
                              ids=dict(run_id=run.get('id'), job_id=job.get('id')), status=status,
                              table=STEP_STATUSES, pending=pending))
    return found


# -- the backend --------------------------------------------------------------------------------------
class FlowRuns(RunTarget):
    """Runs of one Flow pipeline (a ``RunTarget``); the subclasses make the calls of one API."""

    kind = 'pipeline run'
    statuses = RUN_STATUSES
    step_statuses = STEP_STATUSES
    job_name = None  # a job a task names counts as a validation gate (``validation_gates``)

    def __init__(self, client, organization_id, pipeline_id, run_params=None, branches=None):
        self.client = client
        self.organization_id = organization_id
        self.pipeline_id = pipeline_id
        self.run_params = run_params or {}
        self.branches = branches or {}

    def describe(self, run_id):
        return 'pipeline run %s of pipeline %s' % (run_id, self.pipeline_id)

    def params_json(self):
        return json.dumps(self.run_params, ensure_ascii=False, separators=(',', ':'), sort_keys=True)

    def list(self):
        runs = [normalize_run(item, self.pipeline_id) for item in self.list_raw()]
        runs = [run for run in runs if run['id'] is not None]
        return sorted(runs, key=lambda run: id_key(run['id']), reverse=True)

    def get(self, run_id):
        """One run, its jobs with the ``actions`` the API offers (``with_actions``: the gates are read from them)."""
        data = self.get_raw(run_id)
        if not isinstance(data, dict):
            raise ApiError('unexpected answer reading %s: not an object' % self.describe(run_id))
        run = with_actions(data, self.pipeline_id)
        if run['id'] is None:
            run['id'] = as_int(run_id)
        return run

    def reusable(self, entry):
        """The matcher of ``skip_if_succeeded``: the succeeded run ``entry`` read in full when it built the
        branch of every repository in ``branches``, else None.

        The run's ``sources`` (repository and branch) are the only run inputs the API reports back; a list
        entry without them is compared after reading the run.
        """
        if entry.get('sources') and not built_branches(entry['sources'], self.branches):
            return None
        run = self.get(entry['id'])
        return run if built_branches(run.get('sources'), self.branches) else None

    def gates(self, run):
        """The validation gates of a run read by ``get`` (``validation_gates``): what ``stage_review`` decides,
        where a ``wait_until: gate`` wait stops (``_gates.at_gate``) and what a timeout message names."""
        return validation_gates(run, self.job_name)

    def list_raw(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def get_raw(self, run_id):  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def _log_ids(where):
        """``(run id, job id)`` of the job whose log ``_logs.failure_report`` asks for, or None."""
        run, job = where.get('run') or {}, where.get('job') or {}
        if run.get('id') is None or job.get('id') is None:
            return None
        return run['id'], job['id']


def job_log_text(data):
    """The log text of a job log answer: POP ``{log: {content, more}}``, token ``{content, last, more}``."""
    if not isinstance(data, dict):
        return data if isinstance(data, str) else None
    log = data.get('log')
    if isinstance(log, dict):
        return log.get('content')
    return data.get('content') if data.get('content') is not None else (log if isinstance(log, str) else None)


def pick_step(data, table=STEP_STATUSES):
    """``(build, node)`` of a token ``.../steps`` answer whose log tells why the job did not succeed: the first
    failed step, else the first canceled, waiting or running one, else the last; ``(None, None)`` when none."""
    builds = data if isinstance(data, list) else list_items(data, 'data', 'items', 'result')
    found = []
    for build in builds:
        if not isinstance(build, dict):
            continue
        nodes = build.get('buildProcessNodes')
        nodes = nodes if isinstance(nodes, list) else build.get('steps')
        found.extend((build, node) for node in nodes or [] if isinstance(node, dict))
    for kinds in (('failure',), ('canceled', 'waiting', 'live')):
        for build, node in found:
            if node.get('status') is not None and table.kind(node.get('status')) in kinds:
                return build, node
    return found[-1] if found else (None, None)


class PopFlow(FlowRuns):
    """Flow runs over the ``devops`` POP API (AccessKey)."""

    def _pipeline_path(self, prefix='/organization'):
        return '%s/%s/pipelines/%s' % (prefix, path_param(self.organization_id), path_param(self.pipeline_id))

    def _run_path(self, run_id):
        return '%s/pipelineRuns/%s' % (self._pipeline_path(), path_param(run_id))

    def list_raw(self):
        data = self.client.call('ListPipelineRuns', 'GET', self._pipeline_path() + '/pipelineRuns',
                                query=dict(maxResults=LIST_PAGE_SIZE))
        return list_items(data, 'pipelineRuns')

    def get_raw(self, run_id):
        return self.client.call('GetPipelineRun', 'GET', self._run_path(run_id))

    def start(self):
        form = {'params': self.params_json()} if self.run_params else {}
        data = self.client.call('StartPipelineRun', 'POST', self._pipeline_path('/organizations') + '/run',
                                form=form, idempotent=False)
        return id_from_answer(data, 'pipelineRunId', 'object')

    def stop(self, record):
        self.client.call('StopPipelineRun', 'PUT', self._run_path(record['id']) + '/stop', idempotent=False)
        return []

    def fetch_log(self, where, lines):
        """The job's log (``LogPipelineJobRun``): what the server returns in one call, no paging input."""
        ids = self._log_ids(where)
        if ids is None:
            return None
        path = '/organization/%s/pipeline/%s/pipelineRun/%s/job/%s/logs' % (
            path_param(self.organization_id), path_param(self.pipeline_id), path_param(ids[0]), path_param(ids[1]))

        def fetch_page(offset):
            return job_log_text(self.client.call('LogPipelineJobRun', 'GET', path)), None
        return fetch_page


class YunxiaoFlow(FlowRuns):
    """Flow runs over the Yunxiao OpenAPI (personal access token, central edition)."""

    def _base(self):
        return '/flow/organizations/%s/pipelines/%s' % (path_param(self.organization_id), path_param(self.pipeline_id))

    def list_raw(self):
        data = self.client.call('GET', self._base() + '/runs', query=dict(page=1, perPage=LIST_PAGE_SIZE))
        return list_items(data, 'data', 'items', 'pipelineRuns', 'result')

    def get_raw(self, run_id):
        return self.client.call('GET', '%s/runs/%s' % (self._base(), path_param(run_id)))

    def start(self):
        body = {'params': self.params_json()} if self.run_params else {}
        data = self.client.call('POST', self._base() + '/runs', body=body, idempotent=False)
        return id_from_answer(data, 'pipelineRunId', 'id', 'object')

    def stop(self, record):
        """No run-level stop on this API: stop every started job of the run that still runs or waits."""
        stopped = []
        for stage in record.get('stages') or []:
            for job in stage.get('jobs') or []:
                if job.get('id') is None or not STEP_STATUSES.live(job.get('status')):
                    continue
                self.client.call('PUT', '%s/pipelineRuns/%s/jobs/%s/stop' % (
                    self._base(), path_param(record['id']), path_param(job['id'])), idempotent=False)
                stopped.append(job['id'])
        if not stopped:
            raise ApiError('%s is %s but none of its jobs is running, so there is nothing to stop (the token API '
                           'can only stop jobs); try again or use the AK/SK API, which stops whole runs'
                           % (self.describe(record['id']), record.get('status')))
        return stopped

    def fetch_log(self, where, lines):
        """The log of the job's failing (or current) step in pages (``.../step/log``, the next page from ``last``);
        the job's whole log (``.../runs/{run}/job/{job}/log``) when the job lists no step."""
        ids = self._log_ids(where)
        if ids is None:
            return None
        job_path = '%s/pipelineRuns/%s/jobs/%s' % (self._base(), path_param(ids[0]), path_param(ids[1]))
        build, node = pick_step(self.client.call('GET', job_path + '/steps'))
        if node is None or node.get('stepIndex') is None or (build.get('buildId') is None):
            path = '%s/runs/%s/job/%s/log' % (self._base(), path_param(ids[0]), path_param(ids[1]))
            return lambda offset: (job_log_text(self.client.call('GET', path)), None)
        where['step'] = dict(name=_first(node, 'stepName', 'nodeName'), status=node.get('status'))
        step_index, build_id = node['stepIndex'], build['buildId']

        def fetch_page(offset):
            start = offset or 0
            data = self.client.call('GET', job_path + '/step/log', query=dict(
                stepIndex=step_index, offset=start, limit=STEP_LOG_LIMIT, buildId=build_id))
            data = data if isinstance(data, dict) else {}
            last = as_int(data.get('last'))
            more = data.get('more') is True and isinstance(last, int) and not isinstance(last, bool) and last > start
            return data.get('logs'), last if more else None
        return fetch_page


def flow_runs(api, client, params):
    """The Flow backend for ``pipeline_run``'s options, over ``client`` (``client.make_client``)."""
    run_params = build_run_params(
        raw=params.get('params'), branches=params.get('branches'), tags=params.get('tags'),
        branch_mode_branches=params.get('branch_mode_branches'), envs=params.get('envs'),
        pipeline_artifacts=params.get('pipeline_artifacts'), acr_artifacts=params.get('acr_artifacts'),
        package_artifacts=params.get('package_artifacts'), comment=params.get('comment'))
    cls = YunxiaoFlow if api == 'yunxiao' else PopFlow
    return cls(client, params['organization_id'], params['pipeline_id'], run_params=run_params,
               branches=params.get('branches'))
