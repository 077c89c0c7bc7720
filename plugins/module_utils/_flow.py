# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Yunxiao Flow pipeline runs (internal use only; the API may change without notice).

One interface, two backends chosen by ``select_api(params)``:

- ``PopFlow``: the Alibaba Cloud ``devops`` POP API (2021-06-25) with AK/SK -- ``StartPipelineRun``,
  ``GetPipelineRun``, ``ListPipelineRuns``, ``StopPipelineRun`` (CONTRACTS.md section 3).
- ``YunxiaoFlow``: the Yunxiao OpenAPI with a personal access token -- ``POST .../runs``,
  ``GET .../runs/{id}``, ``GET .../runs``; it has no run-level stop, so stopping a run stops its live jobs
  (``PUT .../pipelineRuns/{runId}/jobs/{jobId}/stop``).

Both return runs normalised by ``normalize_run`` (one dict shape). The status table and the
"live / terminal / succeeded / what failed" questions are pure functions here. ``ensure_run`` is the
``started`` / ``finished`` / ``canceled`` state machine shared by ``pipeline_run`` and ``stage_execute``
(``_appstack.py`` implements the same small target interface for release stage executions).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._http import (
    ApiError,
    guarded_action,
    poll_schedule,
    typical_duration,
    wait_argument_spec,
    wait_for,
)
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba.client import (
    PopClient,
    YunxiaoClient,
    path_param,
    select_api,
)

FLOW_WEB_URL = 'https://flow.aliyun.com/pipelines/%s/builds/%s'
LIST_PAGE_SIZE = 30
RECENT_RUNS = 5  # successful runs whose median duration paces the polling of a fresh run

# Run / stage / job statuses. Flow documents RUNNING, SUCCESS, FAIL (and lists CANCELED and WAITING as run
# statuses of its pipeline list); the other spellings are accepted defensively.
SUCCESS_STATUSES = frozenset(['SUCCESS', 'SUCCEEDED', 'SUCCESSFUL', 'FINISH', 'FINISHED'])
FAILURE_STATUSES = frozenset(['FAIL', 'FAILED', 'FAILURE', 'ERROR'])
CANCELED_STATUSES = frozenset(['CANCELED', 'CANCELLED', 'CANCEL', 'STOPPED', 'STOP', 'ABORTED', 'TERMINATED', 'KILLED'])
SKIPPED_STATUSES = frozenset(['SKIPPED', 'SKIP', 'IGNORED'])
TERMINAL_STATUSES = SUCCESS_STATUSES | FAILURE_STATUSES | CANCELED_STATUSES
# A job in one of these has not started yet: there is nothing to stop in it.
NOT_STARTED_STATUSES = frozenset(['', 'INIT', 'INITED', 'PENDING', 'NOT_STARTED', 'UNSTARTED', 'NOT_RUN', 'NONE'])
# A run (or job) that waits for a person: a manual validation gate.
WAITING_STATUSES = frozenset(['WAITING', 'WAIT', 'PAUSED', 'SUSPEND', 'SUSPENDED', 'VALIDATING', 'PENDING_APPROVAL'])

TRIGGER_MODES = {1: 'manual', 2: 'schedule', 3: 'code_commit', 5: 'pipeline', 6: 'webhook'}


# -- pure functions --------------------------------------------------------------------------------
def norm_status(status):
    """Upper-case status text ('' for None)."""
    return '' if status is None else str(status).strip().upper()


def is_terminal(status):
    """The run has ended (success, failure or cancellation) and will not change any more."""
    return norm_status(status) in TERMINAL_STATUSES


def succeeded(status):
    """The run ended successfully."""
    return norm_status(status) in SUCCESS_STATUSES


def is_live(status):
    """The run still runs or waits (for example at a manual validation gate).

    Any status that is not a known final one counts as live -- an unknown or missing value included --
    so the modules never start a second run next to one whose state they cannot read.
    """
    return not is_terminal(status)


def is_waiting(run):
    """The run (or one of its jobs) waits for a person (manual validation)."""
    if norm_status(run.get('status')) in WAITING_STATUSES:
        return True
    return any(norm_status(job.get('status')) in WAITING_STATUSES
               for stage in run.get('stages') or [] for job in stage.get('jobs') or [])


def failing_step(run):
    """``(stage name, job name, job status)`` of what made a run fail or stop, or ``(None, None, None)``.

    The first stage whose status (or one of whose jobs' status) is a failure or cancellation; when no
    stage says so, the first stage that did not succeed.
    """
    stages = run.get('stages') or []
    bad = FAILURE_STATUSES | CANCELED_STATUSES
    for wanted in (FAILURE_STATUSES, bad):
        for stage in stages:
            jobs = stage.get('jobs') or []
            for job in jobs:
                if norm_status(job.get('status')) in wanted:
                    return stage.get('name'), job.get('name'), job.get('status')
            if norm_status(stage.get('status')) in wanted:
                return stage.get('name'), None, stage.get('status')
    for stage in stages:
        status = norm_status(stage.get('status'))
        if status and status not in SUCCESS_STATUSES | SKIPPED_STATUSES:
            return stage.get('name'), None, stage.get('status')
    return None, None, None


def current_step(run):
    """``(stage name, job name, job status)`` of the job a live run is at (waiting jobs first)."""
    stages = run.get('stages') or []
    idle = TERMINAL_STATUSES | SKIPPED_STATUSES | NOT_STARTED_STATUSES
    for waiting_only in (True, False):
        for stage in stages:
            for job in stage.get('jobs') or []:
                status = norm_status(job.get('status'))
                if status in WAITING_STATUSES if waiting_only else status not in idle:
                    return stage.get('name'), job.get('name'), job.get('status')
    return None, None, None


def describe_step(step):
    """Text for a ``(stage, job, status)`` triple."""
    stage, job, status = step
    if not stage and not job:
        return ''
    parts = []
    if stage:
        parts.append("stage '%s'" % stage)
    if job:
        parts.append("job '%s'" % job)
    text = ' '.join(parts)
    return '%s (%s)' % (text, status) if status else text


def run_url(pipeline_id, run_id):
    """The Flow web page of a run (central edition)."""
    if pipeline_id is None or run_id is None:
        return None
    return FLOW_WEB_URL % (pipeline_id, run_id)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def id_key(value):
    """Sort key for ids that are integers or strings of digits (newest = largest)."""
    value = _int(value)
    return (0, value, '') if isinstance(value, int) else (1, 0, str(value))


def _first(data, *names):
    for name in names:
        if data.get(name) is not None:
            return data[name]
    return None


def normalize_job(job):
    job = job if isinstance(job, dict) else {}
    return dict(
        id=_int(_first(job, 'id', 'jobId')),
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
    trigger_mode = _int(data.get('triggerMode'))
    start = _first(data, 'startTime', 'createTime')
    end = data.get('endTime')
    if end is None and is_terminal(status):
        end = data.get('updateTime')
    return dict(
        id=_int(_first(data, 'pipelineRunId', 'id')),
        pipeline_id=_int(_first(data, 'pipelineId')) if data.get('pipelineId') is not None else pipeline_id,
        status=status,
        trigger_mode=trigger_mode,
        trigger=TRIGGER_MODES.get(trigger_mode) if isinstance(trigger_mode, int) else None,
        creator_account_id=data.get('creatorAccountId'),
        create_time=data.get('createTime'),
        update_time=data.get('updateTime'),
        start_time=start,
        end_time=end,
        sources=[normalize_source(s) for s in data.get('sources') or []],
        stages=[normalize_stage(s) for s in data.get('stages') or []],
    )


def list_items(data, *keys):
    """The entries of a list answer: a bare array or an object holding one under one of ``keys``."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in keys:
            if isinstance(data.get(key), list):
                return data[key]
    return []


def id_from_answer(data, *keys):
    """A numeric id from a bare number/string answer or from one of ``keys`` of an object."""
    if isinstance(data, bool):
        return None
    if isinstance(data, int):
        return data
    if isinstance(data, str) and data.strip().isdigit():
        return int(data.strip())
    if isinstance(data, dict):
        for key in keys:
            value = data.get(key)
            if value is not None and not isinstance(value, bool):
                return _int(value)
    return None


def build_run_params(raw=None, branches=None, tags=None, branch_mode_branches=None, envs=None,
                     pipeline_artifacts=None, acr_artifacts=None, package_artifacts=None, comment=None):
    """The ``params`` document of a Flow run from the modelled options plus a raw dict of further keys.

    Raises ``ValueError`` when a raw key is also given as a modelled option.
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
            raise ValueError('params has the key %r, which an option of this module sets too; give it only once' % key)
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


def make_client(params, sleep=None):
    """``(api, client)`` for the options given: ``yunxiao`` + YunxiaoClient or ``openapi`` + PopClient."""
    api = select_api(params)
    if api == 'yunxiao':
        return api, YunxiaoClient(params, sleep=sleep)
    return api, PopClient(params, sleep=sleep)


# -- Flow backends ---------------------------------------------------------------------------------
class FlowRuns:
    """Runs of one Flow pipeline. Subclasses implement the calls of one API.

    Target interface of ``ensure_run``: ``list()`` (newest first), ``get(id)``, ``start()`` (acting,
    sent once, returns the new id or None), ``stop(record)`` (acting), ``reusable(entry)`` (the matcher
    of ``skip_if_succeeded``), ``kind``, ``id_of`` and ``status_of``.
    """

    kind = 'pipeline run'

    def __init__(self, client, organization_id, pipeline_id, run_params=None, branches=None):
        self.client = client
        self.organization_id = organization_id
        self.pipeline_id = pipeline_id
        self.run_params = run_params or {}
        self.branches = branches or {}

    @staticmethod
    def status_of(record):
        return record.get('status')

    @staticmethod
    def id_of(record):
        return record.get('id')

    def describe(self, record_id):
        return 'pipeline run %s of pipeline %s' % (record_id, self.pipeline_id)

    def params_json(self):
        return json.dumps(self.run_params, ensure_ascii=False, separators=(',', ':'), sort_keys=True)

    def list(self):
        runs = [normalize_run(item, self.pipeline_id) for item in self.list_raw()]
        runs = [run for run in runs if run['id'] is not None]
        return sorted(runs, key=lambda run: id_key(run['id']), reverse=True)

    def get(self, run_id):
        data = self.get_raw(run_id)
        if not isinstance(data, dict):
            raise ApiError('unexpected answer reading %s: not an object' % self.describe(run_id))
        run = normalize_run(data, self.pipeline_id)
        if run['id'] is None:
            run['id'] = _int(run_id)
        return run

    def reusable(self, entry):
        """The matcher of ``skip_if_succeeded``: the succeeded run ``entry`` read in full when it built the
        branch of every repository in ``branches``, else None.

        The run's ``sources`` (repository and branch) are the only run inputs the API reports back; a list
        entry without them is compared after reading the run (``GetPipelineRun``).
        """
        if entry.get('sources') and not built_branches(entry['sources'], self.branches):
            return None
        run = self.get(entry['id'])
        return run if built_branches(run.get('sources'), self.branches) else None

    def list_raw(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def get_raw(self, run_id):  # pragma: no cover - abstract
        raise NotImplementedError


class PopFlow(FlowRuns):
    """Flow runs over the ``devops`` POP API (AK/SK)."""

    def _run_path(self, run_id):
        return '/organization/%s/pipelines/%s/pipelineRuns/%s' % (
            path_param(self.organization_id), path_param(self.pipeline_id), path_param(run_id))

    def list_raw(self):
        data = self.client.call('ListPipelineRuns', 'GET', '/organization/%s/pipelines/%s/pipelineRuns' % (
            path_param(self.organization_id), path_param(self.pipeline_id)), query=dict(maxResults=LIST_PAGE_SIZE))
        return list_items(data, 'pipelineRuns')

    def get_raw(self, run_id):
        return self.client.call('GetPipelineRun', 'GET', self._run_path(run_id))

    def start(self):
        form = {'params': self.params_json()} if self.run_params else {}
        data = self.client.call('StartPipelineRun', 'POST', '/organizations/%s/pipelines/%s/run' % (
            path_param(self.organization_id), path_param(self.pipeline_id)), form=form, idempotent=False)
        return id_from_answer(data, 'pipelineRunId', 'object')

    def stop(self, record):
        self.client.call('StopPipelineRun', 'PUT', self._run_path(record['id']) + '/stop', idempotent=False)
        return []


class YunxiaoFlow(FlowRuns):
    """Flow runs over the Yunxiao OpenAPI (personal access token, central edition)."""

    def _base(self):
        return '/flow/organizations/%s/pipelines/%s' % (path_param(self.organization_id), path_param(self.pipeline_id))

    def list_raw(self):
        data = self.client.call('GET', self._base() + '/runs', query=dict(page=1, perPage=LIST_PAGE_SIZE))
        return list_items(data, 'data', 'items', 'pipelineRuns', 'result')

    def get_raw(self, run_id):
        return self.client.call('GET', '%s/runs/%s' % (self._base(), path_param(run_id)))

    def latest_raw(self):
        return self.client.call('GET', self._base() + '/runs/latestPipelineRun')

    def start(self):
        body = {'params': self.params_json()} if self.run_params else {}
        data = self.client.call('POST', self._base() + '/runs', body=body, idempotent=False)
        return id_from_answer(data, 'pipelineRunId', 'id', 'object')

    def stop(self, record):
        """No run-level stop on this API: stop every started, live job of the run."""
        stopped = []
        for stage in record.get('stages') or []:
            for job in stage.get('jobs') or []:
                status = norm_status(job.get('status'))
                if job.get('id') is None or status in NOT_STARTED_STATUSES or not is_live(status) \
                        or status in SKIPPED_STATUSES:
                    continue
                self.client.call('PUT', '%s/pipelineRuns/%s/jobs/%s/stop' % (
                    self._base(), path_param(record['id']), path_param(job['id'])), idempotent=False)
                stopped.append(job['id'])
        if not stopped:
            raise ApiError('%s is %s but none of its jobs is running, so there is nothing to stop (the token API '
                           'can only stop jobs); try again or use the AK/SK API, which stops whole runs'
                           % (self.describe(record['id']), record.get('status')))
        return stopped


def flow_runs(params, run_params=None, sleep=None):
    """The Flow backend for the module's options."""
    api, client = make_client(params, sleep=sleep)
    cls = YunxiaoFlow if api == 'yunxiao' else PopFlow
    return cls(client, params['organization_id'], params['pipeline_id'], run_params=run_params,
               branches=params.get('branches'))


# -- shared started / finished / canceled state machine ----------------------------------------------
class Outcome:
    """What ``ensure_run`` did and saw."""

    def __init__(self):
        self.changed = False
        self.record = None       # the run/execution the task is about (latest state read)
        self.action = 'none'     # started | adopted | existing | skipped_succeeded | stopped | none | would_start | would_stop
        self.stopped = []        # ids of runs/executions stopped (state=canceled)
        self.stopped_jobs = []   # job ids stopped (token API)
        self.waited = False
        self.timed_out = False
        self.elapsed = 0.0
        self.polls = 0
        self.expected_duration = None  # typical seconds of recent successful runs, when known
        # ``--diff``: status by run (execution) id of the runs the task is about, as first read and at the end
        self.before = {}
        self.after = {}

    def note(self, target, record):
        """Record the latest state of a run (execution) for ``diff``."""
        if record:
            self.after[str(target.id_of(record))] = target.status_of(record)

    def diff(self):
        """``{before, after}`` for the result in diff mode (the ids are text)."""
        return dict(before=dict(self.before), after=dict(self.after))


def _earliest(records, id_of):
    return sorted(records, key=lambda r: id_key(id_of(r)))[0] if records else None


def run_state_argument_spec(id_option, id_type):
    """Options shared by the modules that drive runs through ``ensure_run`` (pipeline_run, stage_execute)."""
    spec = dict(
        state=dict(type='str', default='started', choices=['started', 'finished', 'canceled']),
        force=dict(type='bool', default=False),
        skip_if_succeeded=dict(type='bool', default=False),
    )
    spec[id_option] = dict(type=id_type)
    spec.update(wait_argument_spec(wait=False))
    return spec


def check_run_state_params(module, id_option):
    """Fail before any request on option combinations ``ensure_run`` cannot honour (the values themselves,
    the wait options included, are checked by ``_validate``)."""
    p = module.params
    if p[id_option] is not None and p['state'] != 'canceled':
        module.fail_json(msg='%s is only used with state=canceled (got state=%s)' % (id_option, p['state']))


def ensure_run_from_params(target, module, id_option, outcome):
    """``ensure_run`` with the module's options (see ``run_state_argument_spec``)."""
    p = module.params
    return ensure_run(target, p['state'], force=p['force'], run_id=p[id_option], wait=p['wait'],
                      wait_timeout=p['wait_timeout'], poll_interval=p['poll_interval'],
                      check_mode=module.check_mode, outcome=outcome, skip_if_succeeded=p['skip_if_succeeded'])


def ensure_run(target, state, force=False, run_id=None, wait=False, wait_timeout=1800, poll_interval=5.0,
               check_mode=False, sleep=None, outcome=None, skip_if_succeeded=False):
    """Bring a pipeline (or release stage) to ``state`` (started / finished / canceled).

    ``started``: a live run is reused (``changed`` false) unless ``force``; otherwise one run is started.
    With ``skip_if_succeeded`` (and no ``force``), when nothing is live and the newest finished run
    succeeded and the target's matcher ``reusable(entry)`` accepts it, that run is returned instead
    (``changed`` false, action ``skipped_succeeded``; also in check mode).
    The start is sent once; when its answer is lost, the runs are listed again and the run that appeared
    since the first read is adopted (``guarded_action``), so no second run is created.
    ``finished``: as ``started``, then always waits until the run is terminal.
    ``canceled``: stops ``run_id`` or every live run; ``changed`` false when nothing is live.
    Check mode reads only. Waiting (``wait`` or ``finished``) polls until the record is terminal or
    ``wait_timeout`` passes (``outcome.timed_out``). Pass an ``Outcome`` to keep what was learnt
    when a call fails half-way (the record found or started before the failure).
    """
    outcome = outcome if outcome is not None else Outcome()
    if state == 'canceled':
        targets = _cancel(target, outcome, run_id, check_mode)
    else:
        targets = _start(target, outcome, force, check_mode, skip_if_succeeded)
    if check_mode or not targets:
        return outcome
    if state == 'finished' or wait:
        outcome.waited = True
        for index, record in enumerate(targets):
            fresh = outcome.action in ('started', 'adopted')
            result = wait_for(lambda rid=target.id_of(record): target.get(rid),
                              lambda rec: is_terminal(target.status_of(rec)),
                              wait_timeout, poll_interval, sleep=sleep, first=record,
                              schedule=poll_schedule(poll_interval, outcome.expected_duration if fresh else None))
            outcome.elapsed += result.elapsed
            outcome.polls += result.polls
            targets[index] = result.state
            outcome.note(target, result.state)
            if index == 0:
                outcome.record = result.state
            if not result.done:
                outcome.timed_out = True
                break
        outcome.record = targets[0]
    return outcome


def newest_finished(runs, status_of):
    """The newest run that has ended (``runs`` newest first), or None."""
    return next((r for r in runs if is_terminal(status_of(r))), None)


def _start(target, outcome, force, check_mode, skip_if_succeeded=False):
    runs = target.list()
    known = set(str(target.id_of(r)) for r in runs)
    live = [r for r in runs if is_live(target.status_of(r))]
    # before: the live runs, or else the newest one
    outcome.before = dict((str(target.id_of(r)), target.status_of(r)) for r in (live or runs[:1]))
    outcome.after = dict(outcome.before)
    if live and not force:
        outcome.action = 'existing'
        outcome.record = target.get(target.id_of(live[0]))
        outcome.note(target, outcome.record)
        return [outcome.record]
    if skip_if_succeeded and not force:
        last = newest_finished(runs, target.status_of)
        reused = target.reusable(last) if last is not None and succeeded(target.status_of(last)) else None
        if reused is not None:
            # ended and succeeded: nothing to wait for, nothing to start
            outcome.action = 'skipped_succeeded'
            outcome.record = reused
            outcome.note(target, reused)
            return []
    if check_mode:
        outcome.changed = True
        outcome.action = 'would_start'
        outcome.after['(new %s)' % target.kind] = 'RUNNING'
        return []
    outcome.expected_duration = typical_duration(
        (r.get('start_time'), r.get('end_time')) for r in runs[:RECENT_RUNS] if succeeded(target.status_of(r)))

    def appeared():
        fresh = [r for r in target.list() if str(target.id_of(r)) not in known]
        return _earliest(fresh, target.id_of)

    def act():
        return target.start()

    new_id, adopted = guarded_action(act, appeared)
    outcome.changed = True
    if adopted:
        outcome.action = 'adopted'
        new_id = target.id_of(new_id)
    else:
        outcome.action = 'started'
        if new_id is None:
            # The server acted but its answer names no id: the new entry in the list is ours.
            found = appeared()
            if found is None:
                raise ApiError('the %s was started but the answer carries no id and no new one is listed' % target.kind)
            new_id = target.id_of(found)
    outcome.record = target.get(new_id)
    outcome.note(target, outcome.record)
    return [outcome.record]


def _cancel(target, outcome, run_id, check_mode):
    if run_id is not None:
        record = target.get(run_id)
        outcome.record = record
        seen = [record]
        candidates = [record] if is_live(target.status_of(record)) else []
    else:
        live = [r for r in target.list() if is_live(target.status_of(r))]
        seen = candidates = [target.get(target.id_of(r)) for r in live]
        if candidates:
            outcome.record = candidates[0]
    outcome.before = dict((str(target.id_of(r)), target.status_of(r)) for r in seen)
    outcome.after = dict(outcome.before)
    if not candidates:
        return []
    if check_mode:
        outcome.changed = True
        outcome.action = 'would_stop'
        outcome.after.update((str(target.id_of(r)), 'CANCELED') for r in candidates)
        return []
    stopped = []
    for record in candidates:
        rid = target.id_of(record)

        def probe(rid=rid):
            fresh = target.get(rid)
            return fresh if not is_live(target.status_of(fresh)) else None

        try:
            result, adopted = guarded_action(lambda record=record: target.stop(record), probe)
        except ApiError:
            # Refused: when the run ended on its own since it was read, there was nothing left to stop.
            fresh = target.get(rid)
            if is_live(target.status_of(fresh)):
                raise
            outcome.note(target, fresh)
            continue
        outcome.changed = True
        outcome.action = 'stopped'
        if not adopted and result:
            outcome.stopped_jobs.extend(result)
        outcome.stopped.append(rid)
        stopped.append(target.get(rid))
        outcome.note(target, stopped[-1])
    if not stopped:
        outcome.record = target.get(target.id_of(outcome.record))
        return []
    outcome.record = stopped[0]
    return stopped


def verdict(outcome, state, what, status, run, wait_timeout):
    """``(failure message or None, extra result keys)`` for the end of a task.

    A wait that ran into ``wait_timeout`` fails with the last state; ``state=finished`` fails when the
    run ended without success. A run that ended without success also reports ``failing_stage`` and
    ``failing_job`` (also with ``state=started`` and ``wait``, which does not fail on it).
    """
    run = run or {}
    extras = {}
    if outcome.timed_out:
        step = describe_step(current_step(run))
        msg = 'timed out after %ss waiting for %s to end; last status %s' % (wait_timeout, what, status)
        return (msg + (', at %s' % step if step else '')), extras
    if is_terminal(status) and not succeeded(status):
        stage, job, job_status = failing_step(run)
        extras = dict(failing_stage=stage, failing_job=job)
        if state == 'finished':
            step = describe_step((stage, job, job_status))
            return ('%s ended %s%s' % (what, status, ': %s' % step if step else '')), extras
    return None, extras
