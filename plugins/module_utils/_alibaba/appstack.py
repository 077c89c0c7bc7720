# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Yunxiao AppStack release stage executions (internal use only; the API may change without notice).

The backend of ``stage_execute`` for ``_engine.ensure_run``. Token API (CONTRACTS.md section 4), paths
under ``/oapi/v1/appstack/organizations/{org}/apps/{app}/releaseWorkflows/{wf}/releaseStages/{stage}``:
``:execute``, ``/executions``, ``/executions/{n}:getPipelineRun``, ``/executions/{n}:cancel``. The AK/SK
``devops`` POP API has the same calls without the organization in the path (it goes in the
``organizationId`` query parameter) and with the ``:`` sent as ``%3A``: ``ExecuteChangeRequestReleaseStage``,
``ListAppReleaseStageExecutions``, ``GetReleaseStagePipelineRun``, ``CancelExecutionReleaseStage``.

An execution runs a Flow pipeline: its pipeline run has the shape, the stage and job statuses and the link
of a Flow run, which ``flow.py`` defines (``normalize_run``, ``STEP_STATUSES``, ``run_url``).

The log of a failing job (``fetch_log`` for ``_logs.failure_report``): token API
``GET .../executions/{n}:pipelineJobLog?jobId=`` (CONTRACTS-2 section 13), answered ``{content, more}`` or
``{log, hasMore}``, in one call; the POP API has no such call.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba.client import (
    id_from_answer,
    id_key,
    list_items,
    path_param,
)
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba.flow import (
    STEP_STATUSES,
    job_log_text,
    validation_gates,
    with_actions,
)
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._engine import OptionError, RunTarget
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._http import ApiError
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._status import StatusTable

COMMENT_KEY = 'FLOW_INST_RUNNING_COMMENT'
CHANGE_REQUEST_KEY = 'releaseBranchRepoInfo'
PAGE_SIZE = 50
MAX_PAGES = 10

# The documented execution states; RUNNING (also while a gate of the pipeline waits) and anything else are live.
EXECUTION_STATUSES = StatusTable(success=('SUCCESS',), failure=('FAILED',), canceled=('CANCELED',))


def stage_argument_spec():
    """The options of ``stage_execute`` that name the release stage and the inputs of an execution."""
    return dict(
        app_name=dict(type='str', required=True),
        release_workflow_sn=dict(type='str', required=True),
        release_stage_sn=dict(type='str', required=True),
        params=dict(type='dict'),
        comment=dict(type='str'),
        branches=dict(type='dict'),
        release_branch_repo_info=dict(type='dict', options=dict(
            feature_branches=dict(type='list', elements='dict', options=dict(
                branch_name=dict(type='str', required=True),
                change_request_sn=dict(type='str', required=True),
            )),
            repo=dict(type='str'),
            base_branch=dict(type='str'),
            need_create_branch=dict(type='bool'),
            release_branch=dict(type='str'),
        )),
    )


def normalize_execution(data):
    """One execution dict (``number`` as a string) from a list entry."""
    data = data if isinstance(data, dict) else {}
    number = data.get('number')
    return dict(
        number=None if number is None else str(number),
        state=data.get('state'),
        trigger_mode=data.get('triggerMode'),
        start_time=data.get('startTime'),
        end_time=data.get('endTime'),
    )


def build_release_branch_repo_info(info):
    """The API's ``releaseBranchRepoInfo`` from the module's snake_case sub-options (None values dropped)."""
    if not info:
        return None
    doc = {}
    if info.get('feature_branches') is not None:
        doc['featureBranchs'] = [dict(branchName=fb['branch_name'], changeRequestSn=fb['change_request_sn'])
                                 for fb in info['feature_branches']]
    if info.get('repo') is not None:
        doc['repo'] = info['repo']
    if info.get('base_branch') is not None:
        doc['baseBranch'] = dict(branchName=info['base_branch'])
    if info.get('need_create_branch') is not None:
        doc['needCreateBranch'] = info['need_create_branch']
    if info.get('release_branch') is not None:
        doc['releaseBranch'] = dict(branchName=info['release_branch'])
    return doc


def build_stage_params(params=None, comment=None, branches=None, release_branch_repo_info=None):
    """The ``params`` object of ``:execute``: run variables, comment, branch per source, change-request info.

    Raises ``OptionError`` (a ``ValueError``) when a key is given twice (in O(params) and through another option).
    """
    doc = dict(params or {})

    def put(key, value, option):
        if key in doc:
            raise OptionError('params has the key %r, which option %s sets too; give it only once' % (key, option))
        doc[key] = value

    if comment is not None:
        put(COMMENT_KEY, comment, 'comment')
    for source_id, branch in (branches or {}).items():
        put(str(source_id), branch if isinstance(branch, str) else str(branch), 'branches')
    info = build_release_branch_repo_info(release_branch_repo_info)
    if info:
        put(CHANGE_REQUEST_KEY, info, 'release_branch_repo_info')
    return doc


class StageExecutions(RunTarget):
    """Executions of one AppStack release stage (a ``RunTarget``), on either API."""

    kind = 'release stage execution'
    statuses = EXECUTION_STATUSES
    step_statuses = STEP_STATUSES  # of the stages and jobs of the execution's Flow pipeline run
    job_name = None  # a job a task names counts as a validation gate (``flow.validation_gates``)

    def __init__(self, client, api, organization_id, app_name, workflow_sn, stage_sn, run_params=None):
        self.client = client
        self.api = api
        self.organization_id = organization_id
        self.app_name = app_name
        self.workflow_sn = workflow_sn
        self.stage_sn = stage_sn
        self.run_params = run_params or {}
        self.start_answer = None

    @staticmethod
    def status_of(record):
        return record.get('state')

    @staticmethod
    def id_of(record):
        return record.get('number')

    def describe(self, run_id):
        return 'execution %s of release stage %s (workflow %s, app %s)' % (run_id, self.stage_sn, self.workflow_sn, self.app_name)

    # -- wire ------------------------------------------------------------------------------------
    def _stage_path(self):
        if self.api == 'yunxiao':
            prefix = '/appstack/organizations/%s' % path_param(self.organization_id)
        else:
            prefix = '/appstack'
        return '%s/apps/%s/releaseWorkflows/%s/releaseStages/%s' % (
            prefix, path_param(self.app_name), path_param(self.workflow_sn), path_param(self.stage_sn))

    def _verb(self, verb):
        """``:verb`` as the token API spells it, ``%3Averb`` as the POP SDK sends it."""
        return (':' if self.api == 'yunxiao' else '%3A') + verb

    def _call(self, action, method, path, query=None, body=None, idempotent=True):
        if self.api == 'yunxiao':
            return self.client.call(method, path, query=query, body=body, idempotent=idempotent)
        query = dict(query or {}, organizationId=self.organization_id)
        return self.client.call(action, method, path, query=query, body=body, idempotent=idempotent)

    def list_page(self, page):
        data = self._call('ListAppReleaseStageExecutions', 'GET', self._stage_path() + '/executions',
                          query=dict(page=page, perPage=PAGE_SIZE, orderBy='id', sort='desc'))
        items = [normalize_execution(item) for item in list_items(data, 'data', 'items', 'result')]
        pages = data.get('pages') if isinstance(data, dict) else None
        return [e for e in items if e['number'] is not None], pages

    # -- target interface ---------------------------------------------------------------------------
    def list(self):
        """The newest executions (first page), newest first."""
        items, _pages = self.list_page(1)
        return sorted(items, key=lambda e: id_key(e['number']), reverse=True)

    def get(self, run_id):
        """One execution (``run_id`` is its number), looked up in the executions list (the API has no single read)."""
        number = str(run_id)
        for page in range(1, MAX_PAGES + 1):
            items, pages = self.list_page(page)
            for item in items:
                if item['number'] == number:
                    return item
            if not items or len(items) < PAGE_SIZE or (isinstance(pages, int) and page >= pages):
                break
        raise ApiError('%s was not found among the executions of the release stage' % self.describe(number), status=404)

    def reusable(self, entry):
        """The matcher of ``skip_if_succeeded``: the succeeded execution itself.

        The executions list reports no parameters of an execution (no branches, variables or comment),
        so there is nothing to compare: the newest execution that succeeded is reused as it is.
        """
        return entry

    def start(self):
        """Execute the stage; None: the answer's ``object`` is not documented precisely, so the engine takes
        the new execution from the list."""
        data = self._call('ExecuteChangeRequestReleaseStage', 'POST', self._stage_path() + self._verb('execute'),
                          body={'params': self.run_params}, idempotent=False)
        self.start_answer = data if isinstance(data, dict) else {'object': data}
        return None

    def stop(self, record):
        data = self._call('CancelExecutionReleaseStage', 'POST', '%s/executions/%s%s' % (
            self._stage_path(), path_param(record['number']), self._verb('cancel')), idempotent=False)
        if data is False or (isinstance(data, dict) and data.get('success') is False):
            raise ApiError('the server did not cancel %s' % self.describe(record['number']))
        return []

    # -- the execution's pipeline run -----------------------------------------------------------------
    def pipeline_run(self, number):
        """The Flow pipeline run of execution ``number``, normalised as ``flow.with_actions`` does."""
        data = self._call('GetReleaseStagePipelineRun', 'GET', '%s/executions/%s%s' % (
            self._stage_path(), path_param(number), self._verb('getPipelineRun')))
        if not isinstance(data, dict):
            raise ApiError('unexpected answer reading the pipeline run of %s: not an object' % self.describe(number))
        return with_actions(data)

    def gate_run(self, number):
        """``pipeline_run`` as the gates are read from it: ``id`` is the execution number (what a decision
        names), ``pipeline_run_id`` the Flow run's id."""
        run = self.pipeline_run(number)
        run.update(pipeline_run_id=run['id'], id=str(number))
        return run

    def gates(self, record):
        """The validation gates of an execution (``flow.validation_gates``): ``record`` is the execution (its
        pipeline run is read with ``gate_run``) or a pipeline run already read (it has ``stages``)."""
        run = record if 'stages' in record else self.gate_run(record['number'])
        return validation_gates(run, self.job_name)

    def fetch_log(self, where, lines):
        """The log of the failing job of the execution (``where['record']``), token API only (None on POP)."""
        number = (where.get('record') or {}).get('number')
        job_id = (where.get('job') or {}).get('id')
        if self.api != 'yunxiao' or number is None or job_id is None:
            return None
        path = '%s/executions/%s%s' % (self._stage_path(), path_param(number), self._verb('pipelineJobLog'))

        def fetch_page(offset):
            data = self._call('GetAppReleaseStageExecutionPipelineJobLog', 'GET', path, query=dict(jobId=job_id))
            return job_log_text(data), None
        return fetch_page

    def started_pipeline_run_id(self):
        """``pipelineRunId`` of the execute answer, when it carried one."""
        if not self.start_answer:
            return None
        return id_from_answer(self.start_answer, 'pipelineRunId')

    def pipeline_run_of(self, outcome):
        """The pipeline run to report for ``outcome`` of ``ensure_run``, read once, or None.

        It is read when the task waited (for the stages and the failing job), for an execution found live or
        reused, and for one started when the execute answer named no pipeline run.
        """
        execution = outcome.record
        if not execution:
            return None
        if outcome.waited or outcome.action in ('existing', 'skipped_succeeded') or (
                outcome.action in ('started', 'adopted') and self.started_pipeline_run_id() is None):
            return self.pipeline_run(execution['number'])
        return None


def stage_executions(api, client, params):
    """The AppStack backend for ``stage_execute``'s options, over ``client`` (``client.make_client``)."""
    run_params = build_stage_params(params=params.get('params'), comment=params.get('comment'),
                                    branches=params.get('branches'),
                                    release_branch_repo_info=params.get('release_branch_repo_info'))
    return StageExecutions(client, api, params['organization_id'], params['app_name'], params['release_workflow_sn'],
                           params['release_stage_sn'], run_params=run_params)
