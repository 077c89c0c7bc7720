#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: pipeline_run
short_description: Run, await or stop an Alibaba Cloud Yunxiao Flow or a Huawei Cloud CodeArts pipeline
version_added: 0.1.0
description:
  - Starts a run of an Alibaba Cloud Yunxiao Flow pipeline or of a Huawei Cloud CodeArts Pipeline (v5) pipeline,
    optionally waits until it ends, or stops a live run. Both clouds behave the same and return the same keys.
  - The cloud is O(cloud), or follows from the ids (see the notes); a task written for version 0.1.0 (Flow)
    works unchanged.
  - B(Flow.) Speaks either the Alibaba Cloud C(devops) OpenAPI (version 2021-06-25) with an AccessKey
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
  - The Flow run parameters are options of their own (branches, tags, variables, artifacts, comment); the module
    builds the C(params) JSON document of the API from them.
  - O(state=canceled) stops a run with C(StopPipelineRun) on the AccessKey API. The token API has no call that
    stops a whole run; the module then stops every job of the run that is running or waiting
    (C(PUT .../pipelineRuns/{runId}/jobs/{jobId}/stop)), after which Flow ends the run.
  - B(CodeArts.) Speaks the CodeArts Pipeline v5 API with a Huawei Cloud AK/SK or IAM token, with
    C(RunPipeline) (C(POST /v5/{project_id}/api/pipelines/{pipeline_id}/run)), C(ListPipelineRuns),
    C(ShowPipelineRunDetail) and C(StopPipelineRun). The run inputs are O(sources), O(variables),
    O(choose_stages), O(choose_jobs) and O(description).
  - A start that the server queues because the pipeline or the tenant runs as many runs as it may
    (C(DEVPIPE.00011169), C(DEVPIPE.00011170)) is a start, not a failure; the server created the run, and its
    answer, an error body, still names it. The module adopts that run and returns RV(queued=true) and
    RV(queue_id); a queued run is live, and waiting (O(state=finished), O(wait)) includes the time in the queue.
author:
  - devops_cloud.pipelines maintainers (@devops-cloud)
options:
  pipeline_id:
    description:
      - ID of the pipeline.
      - Flow (Alibaba Cloud) a positive integer, as in C(https://flow.aliyun.com/pipelines/<pipeline_id>/current);
        given as a number or as text.
      - CodeArts (Huawei Cloud) 32 letters and digits, as in the address of the pipeline's page.
    type: str
    required: true
  run_id:
    description:
      - ID of the run to stop with O(state=canceled). Only valid with O(state=canceled).
      - A positive integer for Flow, 32 letters and digits for CodeArts.
    type: str
  branches:
    description:
      - Flow only. Branch to run per code source, as a dictionary of repository URL to branch name (C(runningBranchs)).
    type: dict
  tags:
    description:
      - Flow only. Tag to run per code source, as a dictionary of repository URL to tag name (C(runningTags)).
    type: dict
  branch_mode_branches:
    description:
      - Flow only. Branches to run a pipeline in branch mode with (C(branchModeBranchs)).
      - An empty list fails the task (leave the option out instead), as do empty or blank branch names.
    type: list
    elements: str
  envs:
    description:
      - Flow only. Run variables, as a dictionary of name to value (C(envs)). Values are sent as strings.
    type: dict
  pipeline_artifacts:
    description:
      - Flow only. Flow pipeline artifacts to use, as a dictionary of artifact ID to version (C(runningPipelineArtifacts)).
    type: dict
  acr_artifacts:
    description:
      - Flow only. Container Registry (ACR) images to use, as a dictionary of image address to tag (C(runningAcrArtifacts)).
    type: dict
  package_artifacts:
    description:
      - Flow only. Packages repository artifacts to use, as a dictionary of artifact path to version (C(runningPackagesArtifacts)).
    type: dict
  comment:
    description:
      - Flow only. Comment of the run (C(comment)).
    type: str
  params:
    description:
      - Flow only. Extra top-level keys for the C(params) document of the run. The API receives the run's parameters as one
        JSON document in its C(params) field; the other options of this module fill the keys C(runningBranchs)
        (O(branches)), C(runningTags) (O(tags)), C(branchModeBranchs) (O(branch_mode_branches)), C(envs) (O(envs)),
        C(runningPipelineArtifacts), C(runningAcrArtifacts), C(runningPackagesArtifacts) (the artifact options) and
        C(comment) (O(comment)). Each key of this dictionary is added to that document, with its value as given.
      - Use it only for keys that no option sets, for example one that a newer version of the API accepts.
        It is B(not) the place for run variables (use O(envs)).
      - A key that an option of this module sets fails the task before any request, even when that option is not
        given; set the value through the option instead.
    type: dict
  sources:
    description:
      - CodeArts only. The code sources of the run (C(sources) of C(RunPipeline)), each the repository of one code
        source of the pipeline with the branch or tag to run. Sources left out run as the pipeline defines them.
      - An empty list counts as not given.
    type: list
    elements: dict
    suboptions:
      git_url:
        description: HTTPS address of the repository (C(git_url)).
        type: str
        required: true
      git_type:
        description: Kind of repository (C(git_type)).
        type: str
        choices: [codehub, gitee, github, gitcode, gitlab]
        default: codehub
      branch:
        description:
          - Branch to run (C(build_params.target_branch) with C(build_type=branch)).
          - Mutually exclusive with O(sources[].tag). With neither, no C(build_params) are sent.
        type: str
      tag:
        description: Tag to run (C(build_params.tag) with C(build_type=tag)).
        type: str
      event_type:
        description: Event the run is attributed to (C(build_params.event_type)); only sent with O(sources[].branch) or O(sources[].tag).
        type: str
        choices: [Manual, Scheduler, MR, Push, CreateTag, Issue, Note]
      alias:
        description: Alias of the code source in the pipeline (C(alias)).
        type: str
      codehub_id:
        description: ID of the CodeArts Repo repository (C(codehub_id)).
        type: str
      endpoint_id:
        description: ID of the service endpoint of a third-party repository (C(endpoint_id)).
        type: str
      default_branch:
        description: Default branch of the repository (C(default_branch)).
        type: str
      change_request_ids:
        description: Change requests to run (C(change_request_ids)).
        type: list
        elements: str
  variables:
    description:
      - CodeArts only. Run parameters, as a dictionary of name to value; sent as C(variables) (a list of
        C({name, value})), values as text (booleans as V(true)/V(false)).
      - An empty dictionary counts as not given.
    type: dict
  choose_stages:
    description:
      - CodeArts only. Identifiers of the stages to run (C(choose_stages)); the others are not selected, whatever
        O(choose_jobs) says.
      - An empty list fails the task (leave the option out to run every stage).
    type: list
    elements: str
  choose_jobs:
    description:
      - CodeArts only. Identifiers of the jobs to run (C(choose_jobs)).
      - An empty list fails the task (leave the option out to run every job).
    type: list
    elements: str
  description:
    description:
      - CodeArts only. Description of the run (C(description)), at most 1024 characters.
    type: str
  organization_id:
    description:
      - Yunxiao organization (enterprise) ID, as in C(https://devops.aliyun.com/organization/<id>).
      - Required for Flow (Alibaba Cloud); not used for CodeArts.
    type: str
    required: false
  project_id:
    description:
      - Huawei Cloud project ID; required for CodeArts, not used for Flow.
      - Falls back to E(HUAWEICLOUD_SDK_PROJECT_ID).
    type: str
  access_key_id:
    description:
      - Alibaba Cloud AccessKey ID for the C(devops) OpenAPI (C(ACS3-HMAC-SHA256) signing).
      - Falls back to E(ALIBABA_CLOUD_ACCESS_KEY_ID).
      - In this module O(access_key) is not an alias of it but the Huawei Cloud access key; as in version 0.1.0 it is
        still taken as the Alibaba AccessKey ID for a Flow pipeline when no Huawei option is set (see the notes).
    type: str
    aliases: []
  access_key_secret:
    description:
      - Alibaba Cloud AccessKey secret; it never leaves the host.
      - Falls back to E(ALIBABA_CLOUD_ACCESS_KEY_SECRET).
      - O(secret_key) stands for it under the same condition as O(access_key) for O(access_key_id).
    type: str
    aliases: []
  endpoint:
    default: null
attributes:
  action_group:
    description:
      - Use C(group/devops_cloud.pipelines.alibaba), C(group/devops_cloud.pipelines.huawei) or
        C(group/devops_cloud.pipelines.all) in C(module_defaults) to set defaults for this module.
      - Defaults of both clouds reach it; those of the cloud the task is not about are not used (see the notes).
    support: full
    membership:
      - devops_cloud.pipelines.alibaba
      - devops_cloud.pipelines.huawei
      - devops_cloud.pipelines.all
extends_documentation_fragment:
  - devops_cloud.pipelines.clouds
  - devops_cloud.pipelines.huawei
  - devops_cloud.pipelines.alibaba
  - devops_cloud.pipelines.connection
  - devops_cloud.pipelines.run_state
  - devops_cloud.pipelines.wait.RUN
  - devops_cloud.pipelines.wait
  - devops_cloud.pipelines.failure
  - devops_cloud.pipelines.attributes
  - devops_cloud.pipelines.attributes.ACTIONS
notes:
  - "The cloud: O(cloud) when given; otherwise a O(pipeline_id) (and O(run_id)) of 1 to 20 digits means a Flow pipeline
    (Alibaba Cloud), one of exactly 32 letters and digits a CodeArts pipeline (Huawei Cloud). An id of another form,
    ids of both kinds, or O(cloud) contradicting the ids fail the task before any request, as do the run options of
    the other cloud (for example O(branches) for CodeArts, O(sources) for Flow). The original cloud of this module,
    for O(endpoint) and O(security_token), is Alibaba Cloud: for CodeArts use O(huawei_endpoint) and
    O(huawei_security_token)."
  - "CodeArts: the module looks for live runs among the newest 30 runs (C(ListPipelineRuns) with C(sort_key=start_time),
    C(sort_dir=desc), always sent because their defaults are not documented). A run without a start time (queued)
    counts as the newest. Run statuses C(COMPLETED) (success), C(FAILED), C(CANCELED) and C(IGNORED) are final;
    C(PAUSED) and C(SUSPEND) wait; every other value (C(RUNNING), an undocumented C(QUEUED), ...) counts as live."
  - "CodeArts, assumptions where the vendor does not document the behaviour: the queued answer of C(RunPipeline) may
    come with any 2xx status (and, should it come with an error status, the same codes are still read as queued);
    when it does not name the run, the run that appeared in the list is adopted. A queued run is stopped with the
    same C(StopPipelineRun) call as a running one."
  - "CodeArts and O(skip_if_succeeded): the newest ended run is reused when it succeeded and, for every entry of
    O(sources) that names a O(sources[].branch) or O(sources[].tag), ran that repository with that branch or tag.
    The sources of the run's detail are compared, and the C(build_params) of its list entry when the detail has none;
    repository addresses are compared without case, a trailing C(/) or C(.git). O(variables), O(choose_stages),
    O(choose_jobs) and O(description) are B(not) compared. Without such sources any succeeded run is reused."
  - Every option is checked before any request is sent, and a bad value fails the task with a message that names
    the option.
    O(organization_id) becomes one segment of a request path, so it must not be empty or blank, V(.) or V(..)
    (a dot segment changes the path the request goes to, and breaks the AccessKey signature), and must not
    contain C(/) or a backslash, control characters (CR, LF ...) or surrounding blanks. Repository URLs, branch and tag
    names, artifact ids and variable names must not be empty or blank; ids and names are at most 256 characters
    long (URLs 2048), O(comment) at most 4096, every dictionary and list at most 1000 entries. An empty
    dictionary (for example O(branches)) counts as not given.
  - For Flow, O(skip_if_succeeded) reuses a run that succeeded only when it built, for every repository URL of O(branches),
    that branch. The branches are compared with the code sources (repository and branch) the run reports; the
    run is read (C(GetPipelineRun)) when its list entry has no sources. Repository URLs are compared without a
    trailing C(/) or C(.git).
  - For Flow, only the branches are compared, because they are the only run inputs the API reports back. O(tags),
    O(branch_mode_branches), O(envs), the artifacts, O(comment) and O(params) are B(not) compared, so a run that
    succeeded with other values of these is reused too. Set O(force=true) (or leave O(skip_if_succeeded)
    V(false)) when only these changed.
  - For Flow, run statuses C(SUCCESS), C(FAIL) and C(CANCELED) are final; every other status (C(RUNNING), C(WAITING),
    and any value the API may add) counts as live, so the module never starts a second run next to one whose
    state it cannot tell.
  - For Flow, the module looks for live runs among the newest 30 runs of the pipeline.
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
  - name: RunPipeline (CodeArts Pipeline)
    description: Start a CodeArts pipeline run.
    link: https://support.huaweicloud.com/intl/en-us/api-pipeline/RunPipeline.html
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

- name: CodeArts (Huawei Cloud) - start a run of the release branch with run parameters
  devops_cloud.pipelines.pipeline_run:
    project_id: "{{ hw_project_id }}"
    region: cn-north-4
    auth_token: "{{ hw_token }}"
    pipeline_id: 3a1e7c5bd9f04a8e9d7b6c5a4f3e2d1c
    sources:
      - git_url: https://codehub-cn-north-4.devcloud.huaweicloud.com/demo00001/app.git
        branch: release/1.4
    variables:
      DEPLOY_ENV: staging
    description: Release 1.4 to staging
  register: ca_started

- name: CodeArts - a queued start (concurrency limit reached) is a start too
  ansible.builtin.debug:
    msg: "Run {{ ca_started.run_id }} {{ 'waits in queue ' ~ ca_started.queue_id if ca_started.queued else 'runs' }}: {{ ca_started.url }}"

- name: CodeArts - run two stages only and wait until the run ends (also the time it waits in the queue)
  module_defaults:
    group/devops_cloud.pipelines.huawei:
      project_id: "{{ hw_project_id }}"
      region: cn-north-4
      access_key: "{{ hw_ak }}"
      secret_key: "{{ hw_sk }}"
  devops_cloud.pipelines.pipeline_run:
    pipeline_id: 3a1e7c5bd9f04a8e9d7b6c5a4f3e2d1c
    state: finished
    skip_if_succeeded: true
    sources:
      - git_url: https://codehub-cn-north-4.devcloud.huaweicloud.com/demo00001/app.git
        tag: v1.4.0
    choose_stages: [stage_build, stage_deploy]
    wait_timeout: 3600
  register: ca_done

- name: CodeArts - stop the live run
  devops_cloud.pipelines.pipeline_run:
    cloud: huawei
    project_id: "{{ hw_project_id }}"
    region: cn-north-4
    auth_token: "{{ hw_token }}"
    pipeline_id: 3a1e7c5bd9f04a8e9d7b6c5a4f3e2d1c
    state: canceled

- name: Run the gated pipeline and stop waiting at its validation job, so that the next task decides it
  devops_cloud.pipelines.pipeline_run:
    organization_id: "{{ yunxiao_org_id }}"
    yunxiao_token: "{{ yunxiao_token }}"
    pipeline_id: 1234568
    state: finished
    wait_until: gate
  register: gated

- name: Say where it waits
  ansible.builtin.debug:
    msg: "Waits at {{ gated.gate.kind }} job {{ gated.gate.job }} of stage {{ gated.gate.stage }}"
  when: gated.at_gate
'''

RETURN = r'''
run:
  description:
    - The run the task is about (started, adopted, found live, reused by O(skip_if_succeeded) or stopped), as
      last read; the same shape on both Flow APIs, and the same common keys (C(id), C(pipeline_id), C(status),
      C(start_time), C(end_time), C(stages) with C(jobs)) for CodeArts, which adds its own keys (marked CodeArts).
    - V(null) in check mode when a run would be started, and with O(state=canceled) when no run is live and
      O(run_id) is not given.
  returned: always, also when the task fails after the run was found or started
  type: dict
  contains:
    id:
      description: ID of the run (Flow C(pipelineRunId), an integer; CodeArts 32 letters and digits).
      type: raw
      sample: 42
    pipeline_id:
      description: ID of the pipeline (Flow an integer, CodeArts text).
      type: raw
      sample: 1234567
    status:
      description:
        - Status of the run. Flow for example C(RUNNING), C(WAITING), C(SUCCESS), C(FAIL), C(CANCELED).
        - CodeArts C(RUNNING), C(PAUSED), C(SUSPEND), C(COMPLETED), C(FAILED), C(CANCELED), C(IGNORED).
      type: str
      sample: RUNNING
    url:
      description: CodeArts. The run's page (C(detail_url)); RV(url) holds it too.
      type: str
    run_number:
      description: CodeArts. Number of the run in its pipeline.
      type: int
    trigger_type:
      description: CodeArts. How the run was triggered, for example C(Manual).
      type: str
    executor_id:
      description: CodeArts. User who started the run.
      type: str
    executor_name:
      description: CodeArts. Name of that user.
      type: str
    name:
      description: CodeArts. Name of the pipeline.
      type: str
    description:
      description: CodeArts. Description of the run.
      type: str
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
      description:
        - Code sources of the run. Flow with C(type), C(sign), C(name), C(repo), C(branch) and C(commit);
          CodeArts as the API reports them (C(type) and C(params) with C(git_url) and C(build_params)).
      type: list
      elements: dict
    stages:
      description:
        - Stages in order, each with C(name), C(status), C(start_time), C(end_time) and C(jobs)
          (each with C(id), C(name), C(status), C(start_time), C(end_time); Flow also C(actions), the action
          types the API offers on the job in lower case, for example C(passpipelinevalidate) on a waiting
          validation job).
        - CodeArts adds C(id) and C(identifier) to stages, C(pre) and C(post) (stage entry and exit steps), and
          C(identifier), C(message) and C(steps) (C(id), C(name), C(task), C(status), times) to jobs; its times are
          milliseconds since the epoch too.
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
              actions: []
run_id:
  description:
    - ID of the run (the real ID the server assigned). V(null) when RV(run) is V(null).
    - An integer for Flow, 32 letters and digits for CodeArts.
  returned: always
  type: raw
  sample: 42
queued:
  description:
    - CodeArts. Whether the server queued the run this task started (C(DEVPIPE.00011169) or C(DEVPIPE.00011170));
      the run exists and starts when a run ends. A queued run is live.
  returned: for CodeArts
  type: bool
  sample: false
queue_id:
  description: CodeArts. ID of the queue entry of a queued start, as the server named it; V(null) otherwise.
  returned: for CodeArts
  type: str
queue_message:
  description: CodeArts. The code and message with which the server queued the run.
  returned: for CodeArts, when RV(queued=true)
  type: str
  sample: "DEVPIPE.00011169: The maximum concurrency of this pipeline is reached"
url:
  description: Web page of the run (Flow, central edition; CodeArts the run's C(detail_url)).
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
  elements: raw
  sample: [42]
failing_stage:
  description: Name of the stage that failed or was stopped, when the run ended without success.
  returned: when the run ended with another status than C(SUCCESS)
  type: str
  sample: Test
at_gate:
  description: Whether the wait ended because the run waits at a gate (O(wait_until=gate)); RV(gate) then says which.
  returned: always, except when the task fails before it reads the run
  type: bool
  sample: true
gate:
  description:
    - The gate the run waits at, when the wait stopped there (O(wait_until=gate)).
    - The gate as M(devops_cloud.pipelines.stage_review) finds it (the same locator per cloud), so its values feed
      that module's options. C(stage), C(job), C(step) are the names a person sees (O(devops_cloud.pipelines.stage_review#module:stage_name),
      O(devops_cloud.pipelines.stage_review#module:job_name), O(devops_cloud.pipelines.stage_review#module:step_name);
      null where the API has no such level) and C(kind) its O(devops_cloud.pipelines.stage_review#module:gate_kind).
    - C(kind) is C(manual_review), C(checkpoint) (a stage-entry checkpoint) or C(delay) on CodeArts, C(validation)
      on Flow (a job that offers the pass and refuse actions). C(ids) holds C(run_id) (the run) and C(job_id), plus
      C(stage_id) and C(step_id) on CodeArts; C(status) is the gate's own status, C(state) is C(pending).
      CodeArts adds C(task) (the step's plugin) and C(job_status).
  returned: when RV(at_gate) is true
  type: dict
  sample: {"kind": "validation", "stage": "Test", "job": "approve", "step": null, "ids": {"run_id": 3, "job_id": 7},
           "status": "WAITING", "state": "pending", "pending": true, "decided_by": null, "decided_at": null}
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

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba.flow import flow_argument_spec
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._clouds import dual_argument_spec
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._engine import (
    Outcome,
    ensure_from_params,
    run_state_argument_spec,
)
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei.codearts_runs import codearts_argument_spec
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._module import PipelineModule, RunDiff
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._run_clouds import RunTask
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._validate import PIPELINE_RUN


def main():
    argument_spec = dual_argument_spec()
    argument_spec.update(flow_argument_spec())
    argument_spec.update(codearts_argument_spec())
    argument_spec.update(run_state_argument_spec('run_id', 'str'))
    argument_spec['pipeline_id'] = dict(type='str', required=True)
    module = PipelineModule(PIPELINE_RUN, argument_spec)

    outcome = Outcome()
    result = dict(changed=False, action=outcome.action, run=None, run_id=None, url=None)
    with module.reporting(result):
        task = RunTask(module.params, module.client)
        runs = RunDiff(task.target)
        try:
            ensure_from_params(runs, task.params, module.check_mode, outcome=outcome)
        finally:
            result.update(task.result(outcome))
    module.finish_run(result, outcome, runs, diff=runs.diff(outcome, module.params['state']))


if __name__ == '__main__':
    main()
