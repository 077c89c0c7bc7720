#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: stage_execute
short_description: Execute, await or cancel an Alibaba Cloud Yunxiao AppStack release stage
version_added: 0.1.0
description:
  - Executes a release stage (研发阶段) of a Yunxiao AppStack application's release workflow, optionally waits until
    the execution ends, or cancels a live execution.
  - Speaks the Yunxiao OpenAPI with a personal access token by default
    (C(POST /oapi/v1/appstack/organizations/{organizationId}/apps/{appName}/releaseWorkflows/{releaseWorkflowSn}/releaseStages/{releaseStageSn}:execute)
    and its C(executions), C(:getPipelineRun) and C(:cancel) calls). With an AccessKey instead, it uses the
    Alibaba Cloud C(devops) OpenAPI (version 2021-06-25) with C(ExecuteChangeRequestReleaseStage),
    C(ListAppReleaseStageExecutions), C(GetReleaseStagePipelineRun), C(CancelExecutionReleaseStage). See O(api).
  - Idempotent. Before it acts, the module reads the stage's executions. An execution that has not ended is
    B(live); while one is live, O(state=started) returns it instead of executing the stage again
    (C(changed) is V(false)) unless O(force=true). With O(skip_if_succeeded=true), the newest ended execution
    is returned instead of executing the stage again when it succeeded.
  - The execute request is sent only once. The new execution is identified in the executions list (the one that
    was not there before); when the answer is lost (connection reset, read timeout, HTTP 5xx), that list shows
    whether the server executed the stage, and the module adopts that execution instead of executing the stage
    a second time. Without a new execution the task fails and says that the request was not sent again (the
    server may still apply it). It is sent again only after the server refused it (HTTP 429 or 503) and the list
    shows no new execution, three attempts at most.
  - O(state=canceled) cancels an execution with C(:cancel) (C(CancelExecutionReleaseStage) on the AccessKey API).
author:
  - devops_cloud.pipelines maintainers (@devops-cloud)
options:
  app_name:
    description:
      - Name of the AppStack application.
    type: str
    required: true
  release_workflow_sn:
    description:
      - Serial number (C(sn)) of the release workflow.
    type: str
    required: true
  release_stage_sn:
    description:
      - Serial number (C(sn)) of the release stage in that workflow.
    type: str
    required: true
  execution_number:
    description:
      - Number of the execution to cancel with O(state=canceled). Only valid with O(state=canceled).
      - A positive integer (the execution number is the pipeline run ID of the stage's Flow pipeline).
    type: str
  params:
    description:
      - Run variables of the stage's pipeline, as a dictionary of name to value, sent in the C(params) object
        of the execute request as given.
      - Keys that other options set (C(FLOW_INST_RUNNING_COMMENT), the source IDs of O(branches),
        C(releaseBranchRepoInfo)) must not appear here too; the task fails before sending anything when they do.
    type: dict
  comment:
    description:
      - Comment of the execution (C(FLOW_INST_RUNNING_COMMENT)).
    type: str
  branches:
    description:
      - Branch to run per code source, as a dictionary of source ID (C(sourceId)) to branch name.
      - Used when the stage does not run a change request (see O(release_branch_repo_info)).
    type: dict
  release_branch_repo_info:
    description:
      - Run the stage for change requests (C(releaseBranchRepoInfo)); the values come from the application's
        change requests (C(ListAppChangeRequests)).
    type: dict
    suboptions:
      feature_branches:
        description:
          - The feature branches of the change requests to integrate.
        type: list
        elements: dict
        suboptions:
          branch_name:
            description: Name of the change request's branch (C(branchName)).
            type: str
            required: true
          change_request_sn:
            description: Serial number of the change request (C(changeRequestSn)).
            type: str
            required: true
      repo:
        description:
          - URL of the code repository.
        type: str
      base_branch:
        description:
          - Base branch the release branch is created from (C(baseBranch.branchName)).
        type: str
      need_create_branch:
        description:
          - Whether AppStack creates a new release branch from O(release_branch_repo_info.base_branch)
            (C(needCreateBranch)). With V(false) the branch in O(release_branch_repo_info.release_branch) is the release branch.
        type: bool
      release_branch:
        description:
          - The release branch to use when no branch is created (C(releaseBranch.branchName)).
        type: str
extends_documentation_fragment:
  - devops_cloud.pipelines.alibaba
  - devops_cloud.pipelines.connection
  - devops_cloud.pipelines.run_state
  - devops_cloud.pipelines.wait.RUN
  - devops_cloud.pipelines.wait
  - devops_cloud.pipelines.failure
  - devops_cloud.pipelines.attributes
  - devops_cloud.pipelines.attributes.ACTIONS
  - devops_cloud.pipelines.attributes.ALIBABA_GROUP
notes:
  - Alibaba Cloud only. Huawei Cloud has no release stage that can be executed on its own; to run chosen stages of a
    CodeArts pipeline use M(devops_cloud.pipelines.pipeline_run) with O(devops_cloud.pipelines.pipeline_run#module:choose_stages).
  - The log of the failing job is read with the personal access token API (C(GET .../executions/{n}:pipelineJobLog));
    the AccessKey API has no such call, so there RV(failure.log_tail) stays empty and RV(failure.log_error) says why.
  - Every option is checked before any request is sent, and a bad value fails the task with a message that names
    the option.
    O(organization_id), O(app_name), O(release_workflow_sn) and O(release_stage_sn) become segments of a request
    path, so they must not be empty or blank, V(.) or V(..) (a dot segment changes the path the request goes to),
    and must not contain C(/) or a backslash, control characters (CR, LF ...) or surrounding blanks. Source IDs and branch
    names must not be empty or blank, O(release_branch_repo_info.feature_branches) must not be an empty list. Ids
    and names are at most 256 characters long, O(comment) at most 4096, O(params) at most 1000 keys.
  - B(Nothing is compared) before O(skip_if_succeeded) reuses an execution. The executions list reports no
    parameters of an execution (no O(params), O(branches), O(comment) or O(release_branch_repo_info)), so the
    newest execution that succeeded is reused whatever it was executed with. Set O(force=true) (or leave
    O(skip_if_succeeded) V(false)) when the stage must run with new inputs.
  - Execution states C(SUCCESS), C(FAILED) and C(CANCELED) are final; every other state (C(RUNNING) and any
    value the API may add) counts as live, so the module never executes a stage twice next to an execution
    whose state it cannot tell.
  - The module looks for live executions among the newest 50 executions of the stage.
  - Waiting polls the executions list; the pipeline run of the execution is read once at the end.
  - Check mode reads the executions and reports whether the stage would be executed or canceled; it neither
    executes nor cancels anything and does not wait.
  - The token API is used on the central edition of Yunxiao (paths with C(/organizations/{organizationId})).
seealso:
  - name: ExecuteChangeRequestReleaseStage (Yunxiao OpenAPI)
    description: Execute a release stage's pipeline with a personal access token.
    link: https://help.aliyun.com/zh/yunxiao/developer-reference/executechangerequestreleasestage
  - name: ListAppReleaseStageRuns (Yunxiao OpenAPI)
    description: The executions of a release stage.
    link: https://help.aliyun.com/zh/yunxiao/developer-reference/listappreleasestageruns
  - module: devops_cloud.pipelines.pipeline_run
'''

EXAMPLES = r'''
- name: Execute the dev stage of the release workflow (no second execution while one is live)
  devops_cloud.pipelines.stage_execute:
    organization_id: "{{ yunxiao_org_id }}"
    yunxiao_token: "{{ yunxiao_token }}"
    app_name: my-web-service
    release_workflow_sn: 3f472a12b15d4f418ad6227bb85f787c
    release_stage_sn: 6b4c53eee9a842c6a11235b29d002a81
    comment: Nightly deployment
    params:
      IMAGE_TAG: "1.4.0"
    branches:
      my_source_id: release/1.4
  register: execution

- name: Execute the staging stage for two change requests and wait until it succeeds
  devops_cloud.pipelines.stage_execute:
    organization_id: "{{ yunxiao_org_id }}"
    yunxiao_token: "{{ yunxiao_token }}"
    app_name: my-web-service
    release_workflow_sn: 3f472a12b15d4f418ad6227bb85f787c
    release_stage_sn: 9d1e0a7b6c5f4e3d2c1b0a9f8e7d6c5b
    state: finished
    wait_timeout: 3600
    poll_interval: 15
    release_branch_repo_info:
      repo: https://codeup.aliyun.com/60c1abb32c5969c370c5fcd0/demo.git
      base_branch: master
      need_create_branch: true
      feature_branches:
        - branch_name: feature/login
          change_request_sn: 25500c0ffee0aaf9855
        - branch_name: feature/search
          change_request_sn: 25500c0ffee0aaf9856

- name: Execute the dev stage once; a re-run returns the execution that succeeded (changed=false)
  devops_cloud.pipelines.stage_execute:
    organization_id: "{{ yunxiao_org_id }}"
    yunxiao_token: "{{ yunxiao_token }}"
    app_name: my-web-service
    release_workflow_sn: 3f472a12b15d4f418ad6227bb85f787c
    release_stage_sn: 6b4c53eee9a842c6a11235b29d002a81
    state: finished
    skip_if_succeeded: true

- name: Cancel the live execution of a stage with an AccessKey (AK/SK OpenAPI)
  devops_cloud.pipelines.stage_execute:
    organization_id: "{{ yunxiao_org_id }}"
    access_key_id: "{{ ali_ak }}"
    access_key_secret: "{{ ali_sk }}"
    app_name: my-web-service
    release_workflow_sn: 3f472a12b15d4f418ad6227bb85f787c
    release_stage_sn: 6b4c53eee9a842c6a11235b29d002a81
    state: canceled

- name: Execute the production stage and return when it waits at its validation gate
  devops_cloud.pipelines.stage_execute:
    organization_id: "{{ yunxiao_org_id }}"
    yunxiao_token: "{{ yunxiao_token }}"
    app_name: demo-app
    release_workflow_sn: wf-0001
    release_stage_sn: stage-prod
    state: finished
    wait_until: gate
  register: prod
'''

RETURN = r'''
execution:
  description:
    - The execution the task is about (started, adopted, found live, reused by O(skip_if_succeeded) or canceled),
      as last read.
    - V(null) in check mode when the stage would be executed, and with O(state=canceled) when no execution is
      live and O(execution_number) is not given.
  returned: always, also when the task fails after the execution was found or started
  type: dict
  contains:
    number:
      description: Number of the execution.
      type: str
      sample: "12"
    state:
      description: State of the execution, for example C(RUNNING), C(SUCCESS), C(FAILED), C(CANCELED).
      type: str
      sample: SUCCESS
    trigger_mode:
      description: How the execution was triggered, for example C(MANUAL).
      type: str
      sample: MANUAL
    start_time:
      description: Start time as the API returns it (ISO 8601).
      type: str
      sample: "2024-06-25T07:25:54.000+00:00"
    end_time:
      description: End time as the API returns it (ISO 8601); V(null) while the execution is live.
      type: str
      sample: "2024-06-25T07:26:18.000+00:00"
pipeline_run_id:
  description:
    - ID of the Flow pipeline run of the execution, from the execute answer or the execution's pipeline run.
  returned: when known
  type: int
  sample: 42
pipeline_run:
  description:
    - The execution's Flow pipeline run, in the shape RV(devops_cloud.pipelines.pipeline_run#module:run) returns
      (C(id), C(pipeline_id), C(status), C(trigger_mode), C(trigger), C(creator_account_id), C(create_time), C(update_time),
      C(start_time), C(end_time), C(sources), C(stages) with their C(jobs), each with the C(actions) the API offers).
  returned: when the module waited, and when it found a live or reusable execution without starting one
  type: dict
url:
  description:
    - Flow web page (central edition) of the execution's pipeline run, built from RV(pipeline_run) as
      RV(devops_cloud.pipelines.pipeline_run#module:url) is. The API gives no link to the AppStack page itself.
  returned: when RV(pipeline_run) is returned and names its pipeline
  type: str
  sample: https://flow.aliyun.com/pipelines/2001/builds/42
action:
  description:
    - What the module did. V(started) executed the stage; V(adopted) the execution that its lost execute request
      created; V(existing) found a live execution and executed nothing; V(skipped_succeeded) found that the
      newest ended execution succeeded (O(skip_if_succeeded=true)) and executed nothing; V(stopped) canceled executions;
      V(none) nothing to do; V(would_start) and V(would_stop) in check mode.
  returned: always
  type: str
  sample: started
canceled_execution_numbers:
  description: Numbers of the executions the module canceled (O(state=canceled)).
  returned: when O(state=canceled)
  type: list
  elements: str
  sample: ["12"]
failing_stage:
  description: Name of the pipeline stage that failed or was stopped, when the execution ended without success.
  returned: when the module waited and the execution ended with another state than C(SUCCESS)
  type: str
  sample: Deploy
at_gate:
  description: Whether the wait ended because the run waits at a gate (O(wait_until=gate)); RV(gate) then says which.
  returned: always, except when the task fails before it reads the run
  type: bool
  sample: true
gate:
  description:
    - The gate the run waits at, when the wait stopped there (O(wait_until=gate)).
    - The gate as M(devops_cloud.pipelines.stage_review) finds it (the same locator), a validation job of the
      execution's pipeline run (a job that offers the pass and refuse actions). C(kind) is C(validation); C(stage)
      and C(job) are the names a person sees, C(step) is null; C(ids) holds C(run_id) (the execution number) and
      C(job_id), what stage_review takes as O(devops_cloud.pipelines.stage_review#module:execution_number) and
      O(devops_cloud.pipelines.stage_review#module:job_id) (or use C(job) as its
      O(devops_cloud.pipelines.stage_review#module:job_name)); C(status) is the job's status, C(state) is C(pending).
  returned: when RV(at_gate) is true
  type: dict
  sample: {"kind": "validation", "stage": "Deploy", "job": "validate", "step": null, "ids": {"run_id": "1", "job_id": 7},
           "status": "WAITING", "state": "pending", "pending": true, "decided_by": null, "decided_at": null}
failing_job:
  description: Name of the pipeline job that failed or was stopped, when the execution ended without success.
  returned: when the module waited and the execution ended with another state than C(SUCCESS)
  type: str
  sample: deploy-prod
http_retries:
  description: Requests sent again after a failed attempt (reads after HTTP 429, 5xx or a connection error, an
    execute or cancel request the server refused); each one is also reported as a warning.
  returned: always, also when the task fails
  type: int
failure:
  description:
    - Why the run did not succeed, when it ended failed or canceled, or the wait timed out (then where the run was).
    - Secrets are masked as C(********).
  returned: when the task waited and the run ended failed or canceled, or the wait timed out
  type: dict
  sample:
    stage: Test
    job: unit-test
    step: pytest
    status: FAILED
    message: Step execution failed
    log_tail: ["[ERROR] unit-test: 3 tests failed (test_login, test_logout, test_refresh)", "Process exited with code 1"]
    log_url: https://devcloud.cn-north-4.huaweicloud.com/cicd/project/0123/pipeline/detail/abcd
    log_error: null
  contains:
    stage:
      description: Name of the failing stage (null when the run shows none).
      type: str
    job:
      description: Name of the failing job (null when the stage shows none).
      type: str
    step:
      description: Name of the failing step (null when the job shows none).
      type: str
    status:
      description: Status of the failing step, else job, else stage, as the API gave it.
      type: raw
    message:
      description: The API's message about the failure (at most 500 characters), or null.
      type: str
    log_tail:
      description:
        - The last O(failure_log_lines) lines of the log of the step (or job), decoded, without colour codes,
          scrubbed; empty when the log was not read or could not be.
      type: list
      elements: str
    log_url:
      description: Link to the console page of the step, job or run, where the API gives one.
      type: str
    log_error:
      description:
        - Why C(log_tail) is empty or does not reach the end of the log (for example
          C(the log could not be read; ... HTTP 403 ...)); null when the log was read, or not asked for (O(failure_log_lines=0)).
      type: str
'''

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba.appstack import (
    stage_argument_spec,
    stage_executions,
)
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba.client import (
    alibaba_argument_spec,
    make_client,
)
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba.flow import run_url
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._engine import (
    Outcome,
    ensure_from_params,
    run_state_argument_spec,
)
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._module import PipelineModule, RunDiff
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._validate import STAGE_EXECUTE


def _result(p, outcome, target=None, run=None):
    result = dict(changed=outcome.changed, action=outcome.action, execution=outcome.record)
    run_id = run['id'] if run else (target.started_pipeline_run_id() if target else None)
    if run_id is not None:
        result['pipeline_run_id'] = run_id
    if run:
        result['pipeline_run'] = run
        url = run_url(run.get('pipeline_id'), run.get('id'))
        if url:
            result['url'] = url
    if p['state'] == 'canceled':
        result['canceled_execution_numbers'] = outcome.stopped
    return result


def main():
    argument_spec = alibaba_argument_spec()
    argument_spec.update(stage_argument_spec())
    argument_spec.update(run_state_argument_spec('execution_number', 'str'))
    module = PipelineModule(STAGE_EXECUTE, argument_spec)
    p = module.params

    outcome, run = Outcome(), None
    result = _result(p, outcome)
    with module.reporting(result):
        api, client = make_client(p)
        target = RunDiff(stage_executions(api, module.client(client), p))
        try:
            ensure_from_params(target, p, module.check_mode, id_option='execution_number', outcome=outcome)
            run = target.pipeline_run_of(outcome)
        finally:
            result.update(_result(p, outcome, target, run))
    if module._diff:
        result['diff'] = target.diff(outcome, p['state'])
    if outcome.waited:  # the execution's stages are known only from the pipeline run read after waiting
        module.finish_run(result, outcome, target, run=run)
    module.finish(result)


if __name__ == '__main__':
    main()
