#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: pipeline_run
short_description: Run, await or stop an Alibaba Cloud Yunxiao Flow pipeline
version_added: 0.1.0
description:
  - Starts a run of a Yunxiao Flow pipeline, optionally waits until it ends, or stops a live run.
  - Speaks either the Alibaba Cloud C(devops) OpenAPI (version 2021-06-25) with an AccessKey
    (C(StartPipelineRun), C(GetPipelineRun), C(ListPipelineRuns), C(StopPipelineRun)), or the Yunxiao OpenAPI
    with a personal access token (C(POST /oapi/v1/flow/organizations/{organizationId}/pipelines/{pipelineId}/runs)
    and its read calls), chosen by the credentials given (see O(api)). Both behave the same.
  - Idempotent. Before it acts, the module lists the newest runs of the pipeline. A run that has not ended
    (running, or waiting at a manual validation gate) is B(live); while one is live, O(state=started) returns
    it instead of starting another (C(changed) is V(false)) unless O(force=true). A run that has ended is not
    live; with O(skip_if_succeeded=true) one that succeeded with the requested branches is returned instead of
    starting another, so that re-running a playbook changes nothing.
  - A start request is sent only once. When its answer is lost (connection reset, read timeout, HTTP 5xx, an
    unreadable answer) the module lists the runs again and adopts the run that appeared since its first read, so
    it never creates a duplicate. When no run appeared, the task fails and says that the start was not sent again,
    because the server may still apply it. The start is sent again only after the server refused it (HTTP 429 or
    503) and the list shows that no run was started, three attempts at most.
  - The run parameters are options of their own (branches, tags, variables, artifacts, comment); the module
    builds the C(params) JSON document of the API from them.
  - O(state=canceled) stops a run with C(StopPipelineRun) on the AccessKey API. The token API has no call that
    stops a whole run; the module then stops every job of the run that is running or waiting
    (C(PUT .../pipelineRuns/{runId}/jobs/{jobId}/stop)), after which Flow ends the run.
author:
  - devops_cloud.pipelines maintainers (@devops-cloud)
options:
  pipeline_id:
    description:
      - ID of the Flow pipeline, as in C(https://flow.aliyun.com/pipelines/<pipeline_id>/current). A positive integer.
    type: int
    required: true
  run_id:
    description:
      - ID of the run to stop with O(state=canceled). Only valid with O(state=canceled). A positive integer.
    type: int
  branches:
    description:
      - Branch to run per code source, as a dictionary of repository URL to branch name (C(runningBranchs)).
    type: dict
  tags:
    description:
      - Tag to run per code source, as a dictionary of repository URL to tag name (C(runningTags)).
    type: dict
  branch_mode_branches:
    description:
      - Branches to run a pipeline in branch mode with (C(branchModeBranchs)).
      - An empty list fails the task (leave the option out instead), as do empty or blank branch names.
    type: list
    elements: str
  envs:
    description:
      - Run variables, as a dictionary of name to value (C(envs)). Values are sent as strings.
    type: dict
  pipeline_artifacts:
    description:
      - Flow pipeline artifacts to use, as a dictionary of artifact ID to version (C(runningPipelineArtifacts)).
    type: dict
  acr_artifacts:
    description:
      - Container Registry (ACR) images to use, as a dictionary of image address to tag (C(runningAcrArtifacts)).
    type: dict
  package_artifacts:
    description:
      - Packages repository artifacts to use, as a dictionary of artifact path to version (C(runningPackagesArtifacts)).
    type: dict
  comment:
    description:
      - Comment of the run (C(comment)).
    type: str
  params:
    description:
      - Extra top-level keys for the C(params) document of the run. The API receives the run's parameters as one
        JSON document in its C(params) field; the other options of this module fill the keys C(runningBranchs)
        (O(branches)), C(runningTags) (O(tags)), C(branchModeBranchs) (O(branch_mode_branches)), C(envs) (O(envs)),
        C(runningPipelineArtifacts), C(runningAcrArtifacts), C(runningPackagesArtifacts) (the artifact options) and
        C(comment) (O(comment)). Each key of this dictionary is added to that document, with its value as given.
      - Use it only for keys that no option sets, for example one that a newer version of the API accepts.
        It is B(not) the place for run variables (use O(envs)).
      - A key that an option of this module sets fails the task before any request, even when that option is not
        given; set the value through the option instead.
    type: dict
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
  - Every option is checked before any request is sent, and a bad value fails the task with a message that names
    the option.
    O(organization_id) becomes one segment of a request path, so it must not be empty or blank, V(.) or V(..)
    (a dot segment changes the path the request goes to, and breaks the AccessKey signature), and must not
    contain C(/) or a backslash, control characters (CR, LF ...) or surrounding blanks. Repository URLs, branch and tag
    names, artifact ids and variable names must not be empty or blank; ids and names are at most 256 characters
    long (URLs 2048), O(comment) at most 4096, every dictionary and list at most 1000 entries. An empty
    dictionary (for example O(branches)) counts as not given.
  - O(skip_if_succeeded) reuses a run that succeeded only when it built, for every repository URL of O(branches),
    that branch. The branches are compared with the code sources (repository and branch) the run reports; the
    run is read (C(GetPipelineRun)) when its list entry has no sources. Repository URLs are compared without a
    trailing C(/) or C(.git).
  - Only the branches are compared, because they are the only run inputs the API reports back. O(tags),
    O(branch_mode_branches), O(envs), the artifacts, O(comment) and O(params) are B(not) compared, so a run that
    succeeded with other values of these is reused too. Set O(force=true) (or leave O(skip_if_succeeded)
    V(false)) when only these changed.
  - Run statuses C(SUCCESS), C(FAIL) and C(CANCELED) are final; every other status (C(RUNNING), C(WAITING),
    and any value the API may add) counts as live, so the module never starts a second run next to one whose
    state it cannot tell.
  - The module looks for live runs among the newest 30 runs of the pipeline.
  - A lost start answer is resolved by adopting the run that appeared in the list since the module's first read.
    When somebody else starts a run of the same pipeline in that very moment, that run may be adopted instead.
  - Check mode reads the runs and reports whether a run would be started or stopped; it neither starts nor
    stops anything and does not wait.
  - The token API is used on the central edition of Yunxiao (paths with C(/organizations/{organizationId})).
seealso:
  - name: StartPipelineRun API reference
    description: Run a pipeline with the Alibaba Cloud C(devops) OpenAPI.
    link: https://help.aliyun.com/zh/yunxiao/developer-reference/api-devops-2021-06-25-startpipelinerun
  - name: CreatePipelineRun (Yunxiao OpenAPI)
    description: Run a pipeline with a Yunxiao personal access token.
    link: https://help.aliyun.com/zh/yunxiao/developer-reference/createpipelinerun
  - module: devops_cloud.pipelines.stage_execute
'''

EXAMPLES = r'''
- name: Start a run of the release branch with a personal access token (no second run while one is live)
  devops_cloud.pipelines.pipeline_run:
    organization_id: "{{ yunxiao_org_id }}"
    yunxiao_token: "{{ yunxiao_token }}"
    pipeline_id: 1234567
    branches:
      https://codeup.aliyun.com/60c1abb32c5969c370c5fcd0/demo.git: release/1.4
    envs:
      DEPLOY_ENV: staging
    comment: Release 1.4 to staging
  register: started

- name: Show where to follow it
  ansible.builtin.debug:
    msg: "Run {{ started.run_id }}: {{ started.url }}"

- name: Build the release branch once; a re-run returns the run that succeeded (changed=false)
  devops_cloud.pipelines.pipeline_run:
    organization_id: "{{ yunxiao_org_id }}"
    yunxiao_token: "{{ yunxiao_token }}"
    pipeline_id: 1234567
    state: finished
    skip_if_succeeded: true
    branches:
      https://codeup.aliyun.com/60c1abb32c5969c370c5fcd0/demo.git: release/1.4

- name: Run a pipeline with an AccessKey and wait until it succeeds (the task fails when it does not)
  devops_cloud.pipelines.pipeline_run:
    organization_id: "{{ yunxiao_org_id }}"
    access_key_id: "{{ ali_ak }}"
    access_key_secret: "{{ ali_sk }}"
    pipeline_id: 1234567
    state: finished
    tags:
      https://codeup.aliyun.com/60c1abb32c5969c370c5fcd0/demo.git: v1.4.0
    wait_timeout: 3600
    poll_interval: 15

- name: Start another run although one is live, in branch mode, with shared defaults
  module_defaults:
    group/devops_cloud.pipelines.alibaba:
      organization_id: "{{ yunxiao_org_id }}"
      yunxiao_token: "{{ yunxiao_token }}"
  devops_cloud.pipelines.pipeline_run:
    pipeline_id: 1234567
    force: true
    branch_mode_branches:
      - feature/login
      - feature/search
    acr_artifacts:
      registry.cn-hangzhou.aliyuncs.com/demo/web: 1.4.0
    params:
      someFutureKey: value

- name: Stop whatever run of the pipeline is live, and wait until it has ended
  devops_cloud.pipelines.pipeline_run:
    organization_id: "{{ yunxiao_org_id }}"
    yunxiao_token: "{{ yunxiao_token }}"
    pipeline_id: 1234567
    state: canceled
    wait: true

- name: Stop one given run
  devops_cloud.pipelines.pipeline_run:
    organization_id: "{{ yunxiao_org_id }}"
    access_key_id: "{{ ali_ak }}"
    access_key_secret: "{{ ali_sk }}"
    pipeline_id: 1234567
    state: canceled
    run_id: "{{ started.run_id }}"
'''

RETURN = r'''
run:
  description:
    - The run the task is about (started, adopted, found live, reused by O(skip_if_succeeded) or stopped), as
      last read; the same shape on both APIs.
    - V(null) in check mode when a run would be started, and with O(state=canceled) when no run is live and
      O(run_id) is not given.
  returned: always, also when the task fails after the run was found or started
  type: dict
  contains:
    id:
      description: ID of the run (C(pipelineRunId)).
      type: int
      sample: 42
    pipeline_id:
      description: ID of the pipeline.
      type: int
      sample: 1234567
    status:
      description: Status of the run, for example C(RUNNING), C(WAITING), C(SUCCESS), C(FAIL), C(CANCELED).
      type: str
      sample: RUNNING
    trigger_mode:
      description: Trigger mode number of the API (C(1) manual, C(2) schedule, C(3) code commit, C(5) pipeline, C(6) webhook).
      type: int
      sample: 1
    trigger:
      description: The trigger mode as a word (V(manual), V(schedule), V(code_commit), V(pipeline), V(webhook)), or V(null) when unknown.
      type: str
      sample: manual
    creator_account_id:
      description: Account that started the run.
      type: str
    create_time:
      description: Creation time, milliseconds since the epoch.
      type: int
      sample: 1735689600000
    update_time:
      description: Time of the last change, milliseconds since the epoch.
      type: int
    start_time:
      description: Start time, milliseconds since the epoch.
      type: int
    end_time:
      description: End time, milliseconds since the epoch; V(null) while the run is live.
      type: int
    sources:
      description: Code sources of the run with C(type), C(sign), C(name), C(repo), C(branch) and C(commit).
      type: list
      elements: dict
    stages:
      description: Stages in order, each with C(name), C(status), C(start_time), C(end_time) and C(jobs)
        (each with C(id), C(name), C(status), C(start_time), C(end_time)).
      type: list
      elements: dict
      sample:
        - name: Build
          status: SUCCESS
          start_time: 1735689600000
          end_time: 1735689660000
          jobs:
            - id: 7
              name: build
              status: SUCCESS
              start_time: 1735689600000
              end_time: 1735689660000
run_id:
  description:
    - ID of the run (the real ID the server assigned). V(null) when RV(run) is V(null).
  returned: always
  type: int
  sample: 42
url:
  description: Flow web page of the run (central edition).
  returned: when RV(run_id) is known
  type: str
  sample: https://flow.aliyun.com/pipelines/1234567/builds/42
action:
  description:
    - What the module did. V(started) a new run; V(adopted) the run that its lost start request created;
      V(existing) found a live run and started nothing; V(skipped_succeeded) found that the newest ended run
      succeeded with the requested branches (O(skip_if_succeeded=true)) and started nothing;
      V(stopped) stopped runs; V(none) nothing to do; V(would_start) and V(would_stop) in check mode.
  returned: always
  type: str
  sample: started
canceled_run_ids:
  description: IDs of the runs the module stopped (O(state=canceled)).
  returned: when O(state=canceled)
  type: list
  elements: int
  sample: [42]
failing_stage:
  description: Name of the stage that failed or was stopped, when the run ended without success.
  returned: when the run ended with another status than C(SUCCESS)
  type: str
  sample: Test
failing_job:
  description: Name of the job that failed or was stopped, when the run ended without success.
  returned: when the run ended with another status than C(SUCCESS)
  type: str
  sample: unit-test
http_retries:
  description: Requests sent again after a failed attempt (reads after HTTP 429, 5xx or a connection error, a start
    or stop the server refused); each one is also reported as a warning.
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

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba.client import (
    alibaba_argument_spec,
    make_client,
)
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba.flow import (
    flow_argument_spec,
    flow_runs,
    run_url,
)
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._engine import (
    Outcome,
    ensure_from_params,
    run_state_argument_spec,
)
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._module import PipelineModule, RunDiff
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._validate import PIPELINE_RUN


def _result(p, outcome):
    run = outcome.record
    result = dict(changed=outcome.changed, action=outcome.action, run=run, run_id=None, url=None)
    if run:
        result.update(run_id=run['id'], url=run_url(p['pipeline_id'], run['id']))
    if p['state'] == 'canceled':
        result['canceled_run_ids'] = outcome.stopped
    return result


def main():
    argument_spec = alibaba_argument_spec()
    argument_spec.update(flow_argument_spec())
    argument_spec.update(run_state_argument_spec('run_id', 'int'))
    module = PipelineModule(PIPELINE_RUN, argument_spec)
    p = module.params

    outcome = Outcome()
    result = _result(p, outcome)
    with module.reporting(result):
        api, client = make_client(p)
        runs = RunDiff(flow_runs(api, module.client(client), p))
        try:
            ensure_from_params(runs, p, module.check_mode, outcome=outcome)
        finally:
            result.update(_result(p, outcome))
    module.finish_run(result, outcome, runs, diff=runs.diff(outcome, p['state']))


if __name__ == '__main__':
    main()
