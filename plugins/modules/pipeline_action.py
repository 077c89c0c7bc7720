#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: pipeline_action
short_description: Act on a Huawei Cloud ServiceStage release task, a CodeArts run, or a job of an Alibaba Cloud Flow or AppStack run
version_added: 0.1.0
description:
  - "Acts on one of four things (O(target), or the options that name it, see the notes):
    B(a Huawei Cloud ServiceStage release task) (the 0.1.0 behaviour, unchanged): start, stop, continue, approve, retry or
    roll back;
    B(a Huawei Cloud CodeArts pipeline run) (O(target=run)): V(stop), V(retry), V(resume) a paused step,
    V(cancel_queued) a run that waits in the pipeline's queue;
    B(a job of an Alibaba Cloud Yunxiao Flow run) (O(target=job)): V(retry), V(skip), V(stop);
    B(a job of an Alibaba Cloud AppStack release stage execution) (O(target=job) with O(app_name)): V(retry),
    V(skip) -- on the Yunxiao token API only."
  - "Every action reads state first and only acts when the action would change something; otherwise it reports
    C(changed=false) and says why in RV(msg) (a retry of a job or run that is not failed, a stop of a run or job
    that already ended, a resume when no step is paused, a cancel of a run that is not queued). Check mode reads,
    predicts and sends no acting call. An acting call whose answer is lost is never sent again blindly: state is
    read back, and the action is adopted when it shows the effect (RV(adopted)); otherwise the task fails saying
    the call was not sent again. Only a call the server refused (HTTP 429 or 503) is sent again."
  - "B(Release task): C(POST /v3/{project_id}/pipeline/pipelines/{pipeline_id}/action?action_id=...)."
  - Reads the task's status first (C(GET /v3/{project_id}/pipeline/pipelines/{pipeline_id}), and the task list
    when the detail has no status) and only sends the action when the status calls for it, so that re-running
    a task does not start or stop anything twice.
  - "Status integers of a release task: V(1) initialised, V(2) release succeeded, V(3) release failed,
    V(4) releasing, V(5) awaiting approval, V(7) paused, V(9) skipped, V(10) rolling back,
    V(11) rollback succeeded, V(12) rollback failed, V(13) stopping, V(14) restarting."
  - "Per release-task action, by status:
    V(start) acts when no execution is under way (1, 2, 3, 9, 11, 12), reports C(changed=false) while one is
    (4, 5, 7, 14) and fails while the task is rolling back or stopping (10, 13).
    V(stop) acts while an execution is under way or rolling back (4, 5, 7, 10, 14) and reports
    C(changed=false) when nothing runs (1, 2, 3, 9, 11, 12) or it is already stopping (13).
    V(continue) acts only on a paused task (7), reports C(changed=false) when it already runs again (4, 14)
    and fails otherwise.
    V(approval) acts only on a task awaiting approval (5) and fails otherwise.
    V(retry) acts only on a failed release (3), reports C(changed=false) when it already runs again (4, 14).
    V(rollback) acts on a succeeded or failed release (2, 3), reports C(changed=false) while or after it is
    rolled back (10, 11).
    Every failure message names the task's actual status in words."
  - With O(skip_if_succeeded=true), V(start) also reports C(changed=false) and sends nothing when the release
    succeeded (2), so that re-running a playbook does not release again.
  - "B(CodeArts run) (CodeArts Pipeline v5, C(P = /v5/{project_id}/api/pipelines/{pipeline_id})): the run is read with
    C(GET P/pipeline-runs/detail) (O(run_id), else the newest run of C(POST P/pipeline-runs/list)).
    V(stop) C(POST P/pipeline-runs/{run}/stop) acts on a live or waiting run;
    V(retry) B(C(PUT)) C(P/pipeline-runs/{run}/retry) (no body) on a C(FAILED) run -- when the pipeline has no free
    slot the answer is the queued one (C(DEVPIPE.00011169)/C(00011170)), reported as RV(queued);
    V(resume) C(POST P/pipeline-runs/{run}/jobs/{job}/steps/{step}/resume) on the paused step (O(job_name),
    O(job_id), O(step_name), O(step_id) choose it, else the first paused step);
    V(cancel_queued) finds the run in C(GET P/queued-pipeline?limit=10&offset=N) and sends
    C(POST /v5/{project_id}/api/pipelines/{pipeline_id}/{run}/cancel-queuing/{queue_id}) with C({}); without
    O(run_id) it cancels the run queued last."
  - "B(Flow job) (O(pipeline_id), O(run_id) else the newest run, and O(job_name) or O(job_id), O(stage_name) when
    two stages have a job of that name): POP API (AccessKey) C(PUT /organization/{org}/pipelines/{pid}/pipelineRuns/{run}/jobs/{job})
    for V(retry) (no C(/retry) suffix), C(.../jobs/{job}/skip) and C(.../jobs/{job}/stop); token API C(PUT
    .../pipelineRuns/{run}/jobs/{job}/retry), C(/skip), C(/stop). V(retry) acts on a failed job, V(skip) on a failed or
    waiting job, V(stop) on a running or waiting one."
  - "B(AppStack job) (O(app_name), O(release_workflow_sn), O(release_stage_sn), O(execution_number) else the newest
    execution, and the job of the execution's pipeline run, C(GET .../executions/{n}:getPipelineRun)):
    C(POST .../executions/{n}:retry?jobId=) and C(:skip?jobId=). Only the Yunxiao token API has these calls: with
    AccessKey credentials only (no O(yunxiao_token)), or O(api=openapi), the task fails before any request."
  - With O(wait=true) (the default), the module waits after acting until the run (the CodeArts run, the Flow run,
    the AppStack execution) has ended, and fails when it did not succeed -- except after V(stop) and
    V(cancel_queued), whose intended end is a run that did not succeed -- with RV(failure) naming the failing stage,
    job and step and the tail of its log.
extends_documentation_fragment:
  - devops_cloud.pipelines.clouds
  - devops_cloud.pipelines.huawei
  - devops_cloud.pipelines.alibaba
  - devops_cloud.pipelines.connection
  - devops_cloud.pipelines.wait
  - devops_cloud.pipelines.failure
  - devops_cloud.pipelines.attributes
  - devops_cloud.pipelines.attributes.ACTIONS
options:
  target:
    description:
      - What the task acts on. V(release_task) a ServiceStage release task (Huawei), V(run) a CodeArts pipeline run
        (Huawei), V(job) a job of a Flow run or, with O(app_name), of an AppStack release stage execution (Alibaba).
      - When left out, the options decide (see the notes); when given, it must fit them.
    type: str
    choices: [release_task, run, job]
  pipeline_id:
    description:
      - The ID of the release task (as returned by C(GET /v3/{project_id}/pipeline/pipelines)), of the CodeArts
        pipeline (32 letters and digits), or of the Flow pipeline (a positive integer).
      - Required, except for an AppStack job (O(app_name)), where it must not be given.
      - It is one segment of the request path; see the notes for the values that are refused.
    type: str
  action:
    description:
      - What to do.
      - Release task (sent as the C(action_id) query parameter) V(start), V(stop), V(continue), V(approval),
        V(retry), V(rollback); V(retry) and V(rollback) are listed by the current vendor documentation only.
      - CodeArts run V(stop), V(retry), V(resume), V(cancel_queued). Flow job V(retry), V(skip), V(stop). AppStack job
        V(retry), V(skip). An action that does not apply to what the options name fails before any request.
    type: str
    required: true
    choices: [approval, cancel_queued, continue, resume, retry, rollback, skip, start, stop]
  run_id:
    description:
      - The CodeArts run ID (32 letters and digits) or the Flow run ID (a positive integer); by default the newest
        run of the pipeline.
      - Giving it (or any job or step option) means a run or job, not a release task.
    type: str
  job_id:
    description:
      - The job, by its ID in the run (a positive integer on Flow and AppStack; the job run ID on CodeArts, with
        O(action=resume) only). Wins over O(job_name).
    type: str
  job_name:
    description:
      - The job, by its name (or identifier) in the run. A Flow or AppStack job needs O(job_name) or O(job_id); on
        CodeArts only O(action=resume) names a job (the job whose step is paused).
    type: str
  stage_name:
    description:
      - The stage of the job, when jobs of several stages have the name O(job_name).
    type: str
  step_id:
    description:
      - CodeArts, O(action=resume) only. The paused step, by its step run ID.
    type: str
  step_name:
    description:
      - CodeArts, O(action=resume) only. The paused step, by its name.
    type: str
  app_name:
    description:
      - AppStack application; with O(release_workflow_sn) and O(release_stage_sn) it names the release stage whose
        execution's job is acted on (Alibaba Cloud, token API).
    type: str
  release_workflow_sn:
    description:
      - AppStack release workflow serial number (with O(app_name)).
    type: str
  release_stage_sn:
    description:
      - AppStack release stage serial number (with O(app_name)).
    type: str
  execution_number:
    description:
      - AppStack only. The number of the release stage execution; by default the newest.
    type: str
  selected_tasks:
    description:
      - Release task only. Tasks to execute, per stage. Sent as C(selected_tasks).
      - With O(action=start), leaving it out executes all tasks of the release task.
      - The API reads an absent or empty selection as "all tasks", so an empty list, and an entry whose
        O(selected_tasks[].tasks) is empty, fail the task instead of releasing everything. At most 1000 entries.
    type: list
    elements: dict
    suboptions:
      stage_name:
        description:
          - Name of the stage.
        type: str
        required: true
      tasks:
        description:
          - Names of the tasks of that stage to execute.
        type: list
        elements: str
        required: true
  task_name:
    description:
      - Release task only. Name of the task the action concerns, sent as C(task_name).
      - Required with O(action=approval) (the name of the approval task that waits). Must not be empty or blank.
      - With O(action=approval), when the release task's detail lists its tasks and shows that no task of this name
        awaits approval, the task fails before sending anything, in check mode too, as the server would refuse it.
    type: str
  approval_result:
    description:
      - Release task only. The decision of an O(action=approval), sent as C(approval_type).
      - V(agree) approves and the release continues; V(refuse) rejects and the release ends as
        release failed (3). The wire values are exactly these (vendor documentation of the action call).
      - Required with O(action=approval).
    type: str
    choices: [agree, refuse]
  skip_if_succeeded:
    description:
      - Release task only. With O(action=start), send nothing and report C(changed=false) when the release task's status is
        release succeeded (2), instead of releasing again. The task's last execution is returned in
        RV(execution_id) when the record names one.
      - Only the status is looked at; the release task does not report which O(selected_tasks) or O(comment)
        the succeeded release was started with.
      - Only valid with O(action=start).
    type: bool
    default: false
    version_added: 0.1.0
  comment:
    description:
      - Release task only. Free text sent with the action as C(message), for example the approval comment.
      - Named O(comment) because C(message) is reserved by Ansible for module options.
    type: str
  wait:
    description:
      - After acting, wait until the run has ended (CodeArts run, Flow run, AppStack execution), or until the
        release task leaves the transient states releasing (4), rolling back (10), stopping (13) and restarting (14),
        and any status the vendor does not document.
      - A run that ends without success fails the task, except after O(action=stop) and O(action=cancel_queued).
      - Waiting also ends at a pause (7) or an approval (5), which the result reports.
      - The module fails when the task ends as release failed (3) or rollback failed (12), with the same
        data a success returns, except where that is the intended outcome (O(action=stop), and
        O(action=approval) with O(approval_result=refuse)).
    type: bool
    default: true
  organization_id:
    description:
      - Yunxiao organization (enterprise) ID. Required for Flow and AppStack jobs; not used for Huawei Cloud.
    type: str
    required: false
  access_key_id:
    description:
      - Alibaba Cloud AccessKey ID for the C(devops) OpenAPI (Flow jobs). In this module O(access_key) is the Huawei
        Cloud access key, not an alias of it.
      - Falls back to E(ALIBABA_CLOUD_ACCESS_KEY_ID).
    type: str
    aliases: []
  access_key_secret:
    description:
      - Alibaba Cloud AccessKey secret; it never leaves the host.
      - Falls back to E(ALIBABA_CLOUD_ACCESS_KEY_SECRET).
    type: str
    aliases: []
  endpoint:
    description:
      - The Huawei Cloud endpoint, as in version 0.1.0; ignored for Alibaba Cloud (use O(alibaba_endpoint)).
      - For a release task, built as C(https://servicestage.{region}.myhuaweicloud.com) when not set.
    default: null
attributes:
  action_group:
    description:
      - Use C(group/devops_cloud.pipelines.huawei), C(group/devops_cloud.pipelines.alibaba) or
        C(group/devops_cloud.pipelines.all) in C(module_defaults) to set defaults for this module.
      - Defaults of both clouds reach it; those of the cloud the task is not about are not used.
    support: full
    membership:
      - devops_cloud.pipelines.huawei
      - devops_cloud.pipelines.alibaba
      - devops_cloud.pipelines.all
notes:
  - "What the task acts on, when O(target) is left out: any of O(app_name), O(release_workflow_sn),
    O(release_stage_sn), O(execution_number) means an AppStack job; else any of O(run_id), O(job_id), O(job_name),
    O(stage_name), O(step_id), O(step_name), or an action only runs and jobs have (V(resume), V(cancel_queued),
    V(skip)), means a CodeArts run when O(pipeline_id) is 32 letters and digits, a Flow job when it is 1 to 20
    digits (another form fails); else a ServiceStage release task, as in version 0.1.0 -- so 0.1.0 tasks keep
    working unchanged. O(target) and O(cloud), when given, must fit; options of another target (for example
    O(task_name) with a run, O(job_name) with a CodeArts V(stop)) fail the task before any request."
  - The original cloud of this module, for O(endpoint) and O(security_token), is Huawei Cloud; for Alibaba Cloud use
    O(alibaba_endpoint) and O(alibaba_security_token). The module is in both action groups
    (C(group/devops_cloud.pipelines.huawei) and C(group/devops_cloud.pipelines.alibaba)).
  - "Assumptions where the vendors do not document the behaviour: CodeArts run statuses C(COMPLETED), C(FAILED),
    C(CANCELED), C(IGNORED) are final, C(PAUSED)/C(SUSPEND) wait, any other value is live; a run is queued while
    the queue listing names it; the queued answer of a retry may come with any 2xx status; V(resume) applies to a
    paused step (a step in C(PAUSED)/C(SUSPEND), or a step still live in a job that is). Flow and AppStack job
    statuses C(FAIL)/C(FAILED) are failed, C(WAITING) waits (a validation job), C(SUCCESS), C(CANCELED),
    C(SKIPPED) ended. The answer of an AppStack retry or skip may be a bare boolean, C({success}) or empty (all
    accepted; C(false) fails). A stopped job or run may still show as running for a moment: a lost answer to a
    V(stop) is adopted only once it shows as ended."
  - A lost answer to V(retry) is adopted when the job or run no longer shows as failed; if it has already failed
    again by the time it is read back, the module cannot tell and fails, saying the call was not sent again.
  - ServiceStage offers no log of the tasks of a release task. When the release fails, RV(failure.job) names the task
    that failed (from the task list of the release task) and RV(failure.log_tail) holds the entry of the execution in
    the release task history (C(GET /v3/{project_id}/pipeline/pipelines/{id}/records)), its status, mode, trigger,
    executor, times and failed task. A release stopped by O(action=stop) is no failure and gets no report.
  - Every option is checked before any request is sent, and a bad value fails the task with a message that names
    the option.
    Ids that become one segment of a request path (O(project_id), O(pipeline_id), O(run_id), O(job_id),
    O(step_id), O(organization_id), O(app_name), O(release_workflow_sn), O(release_stage_sn)) must not be empty or blank,
    must not be V(.) or V(..) (a dot segment changes the path the request goes to), and must not contain C(/) or a
    backslash (no ServiceStage id has one, and a gateway that decodes C(%2F) would split the segment), control
    characters (CR, LF ...) or surrounding blanks; O(execution_number) and Flow and AppStack ids are positive
    integers, CodeArts ids 32 letters and digits. Ids and names are at most 256 characters long, O(comment) at most
    4096 (line breaks allowed). O(region) is a region id such as V(cn-north-4) (it becomes part of a host name).
  - An O(action=approval) that was already decided fails on a re-run, with the task's current status in the
    message, because the API offers no way to read which decision an approval task received.
  - The C(Content-Type) of the action call is sent as C(application/json;charset=utf8), as the vendor documents it.
  - The endpoint of a release task is built as C(https://servicestage.{region}.myhuaweicloud.com) unless O(endpoint) is
    set.
seealso:
  - name: Operating a release task (ServiceStage API)
    description: The action call, its action types and the approval values.
    link: https://support.huaweicloud.com/intl/en-us/api-servicestage/servicestage_06_0248.html
  - name: Obtaining the release task list (ServiceStage API)
    description: The status integers of a release task.
    link: https://support.huaweicloud.com/intl/en-us/api-servicestage/servicestage_06_0246.html
  - module: devops_cloud.pipelines.pipeline_run
    description: Start, wait for and cancel runs of the same pipelines.
  - module: devops_cloud.pipelines.stage_review
    description: Pass or refuse the gates of the same runs.
author:
  - devops_cloud.pipelines maintainers (@devops-cloud)
'''

EXAMPLES = r'''
- name: Release a task and wait until it has finished
  devops_cloud.pipelines.pipeline_action:
    region: cn-north-4
    project_id: "{{ hw_project_id }}"
    access_key: "{{ hw_ak }}"
    secret_key: "{{ hw_sk }}"
    pipeline_id: 4105b37a-947e-4aca-90d8-cec7c04c6f38
    action: start
  register: release

- name: Release only some tasks, do not wait
  devops_cloud.pipelines.pipeline_action:
    region: cn-north-4
    project_id: "{{ hw_project_id }}"
    auth_token: "{{ iam_token }}"
    pipeline_id: 4105b37a-947e-4aca-90d8-cec7c04c6f38
    action: start
    selected_tasks:
      - stage_name: staging
        tasks: [deploy-staging]
    wait: false

- name: Approve the production step of a release that awaits approval
  devops_cloud.pipelines.pipeline_action:
    region: cn-north-4
    project_id: "{{ hw_project_id }}"
    auth_token: "{{ iam_token }}"
    pipeline_id: 4105b37a-947e-4aca-90d8-cec7c04c6f38
    action: approval
    task_name: approve-prod
    approval_result: agree
    comment: Change CHG-1234 approved by the CAB

- name: Release unless the release task already succeeded (a re-run changes nothing)
  devops_cloud.pipelines.pipeline_action:
    region: cn-north-4
    project_id: "{{ hw_project_id }}"
    auth_token: "{{ iam_token }}"
    pipeline_id: 4105b37a-947e-4aca-90d8-cec7c04c6f38
    action: start
    skip_if_succeeded: true

- name: Stop whatever runs (changed is false when nothing does)
  devops_cloud.pipelines.pipeline_action:
    region: cn-north-4
    project_id: "{{ hw_project_id }}"
    auth_token: "{{ iam_token }}"
    pipeline_id: 4105b37a-947e-4aca-90d8-cec7c04c6f38
    action: stop

- name: Retry the failed latest run of a CodeArts pipeline and wait until it has ended
  devops_cloud.pipelines.pipeline_action:
    region: cn-north-4
    project_id: "{{ hw_project_id }}"
    auth_token: "{{ iam_token }}"
    pipeline_id: 0123456789abcdef0123456789abcdef
    target: run
    action: retry

- name: Resume the step paused in job hold of a CodeArts run
  devops_cloud.pipelines.pipeline_action:
    region: cn-north-4
    project_id: "{{ hw_project_id }}"
    auth_token: "{{ iam_token }}"
    pipeline_id: 0123456789abcdef0123456789abcdef
    run_id: "{{ run.run_id }}"
    action: resume
    job_name: hold

- name: Cancel the CodeArts run queued last (changed is false when none is queued)
  devops_cloud.pipelines.pipeline_action:
    region: cn-north-4
    project_id: "{{ hw_project_id }}"
    auth_token: "{{ iam_token }}"
    pipeline_id: 0123456789abcdef0123456789abcdef
    target: run
    action: cancel_queued

- name: Retry the failed job unit-test of a Flow run (token API), do not wait
  devops_cloud.pipelines.pipeline_action:
    organization_id: "{{ yunxiao_org }}"
    yunxiao_token: "{{ yunxiao_token }}"
    pipeline_id: 1234567
    run_id: 42
    job_name: unit-test
    action: retry
    wait: false

- name: Stop a running Flow job (AccessKey, POP API)
  devops_cloud.pipelines.pipeline_action:
    organization_id: "{{ yunxiao_org }}"
    access_key_id: "{{ ali_ak }}"
    access_key_secret: "{{ ali_sk }}"
    pipeline_id: 1234567
    job_name: deploy
    action: stop

- name: Skip the failed job of the newest execution of an AppStack release stage (token API only)
  devops_cloud.pipelines.pipeline_action:
    organization_id: "{{ yunxiao_org }}"
    yunxiao_token: "{{ yunxiao_token }}"
    app_name: demo-app
    release_workflow_sn: wf-0001
    release_stage_sn: stage-prod
    job_name: deploy-prod
    action: skip
'''

RETURN = r'''
changed:
  description: Whether the action was sent (or, in check mode, would be sent).
  returned: always
  type: bool
target:
  description: What the task acted on (O(target), or what the options named).
  returned: always
  type: str
  sample: run
run_id:
  description:
    - The CodeArts run, the Flow run, or the AppStack execution number acted on (or that would be, in check mode).
  returned: for a run or job
  type: str
  sample: c64dfcfc3cbf7f043d605b1a7d12d711
job:
  description:
    - The job the action concerns (C(id), C(name), C(stage), C(status)); for V(resume) the job and its step
      (C(step) with C(id), C(name), C(status)). V(null) for a run-level action.
  returned: for a run or job
  type: dict
  sample: {"id": "102", "name": "unit-test", "stage": "Test", "status": "FAIL"}
status_before:
  description: Status of what the action concerns (the run, or the job or step) as read before acting.
  returned: for a run or job
  type: str
  sample: FAILED
status_after:
  description:
    - Its status after the action (after waiting, when O(wait=true)); V(null) in check mode when it would act.
  returned: for a run or job
  type: str
  sample: RUNNING
run:
  description:
    - The run as last read, normalised (C(id), C(status), C(start_time), C(end_time), C(url), C(stages) with their
      C(jobs) and C(steps)).
  returned: for a run or job
  type: dict
queued:
  description: The retry of a CodeArts run was queued, as the pipeline had no free slot.
  returned: when a CodeArts retry was queued
  type: bool
queue_id:
  description: The queue entry of a queued CodeArts retry, when the answer named one.
  returned: when a CodeArts retry was queued
  type: str
queue_message:
  description: The vendor's code and message of the queued answer.
  returned: when a CodeArts retry was queued
  type: str
execution_id:
  description:
    - ID of the execution the action started or acted on (C(id) of the action's answer).
    - When nothing was sent, in check mode, or when a lost answer was adopted, the execution the task record
      names (C(execution_id)), if it names one; V(null) otherwise.
  returned: for a release task
  type: str
  sample: "286541"
status:
  description: Status integer of the release task after the action (after waiting, when O(wait=true)).
  returned: for a release task
  type: int
  sample: 2
status_name:
  description: The status in words.
  returned: for a release task
  type: str
  sample: release succeeded
previous_status:
  description: Status integer read before acting.
  returned: for a release task
  type: int
  sample: 1
previous_status_name:
  description: The status read before acting, in words.
  returned: for a release task
  type: str
  sample: initialised
action:
  description: The action of this task.
  returned: always
  type: str
  sample: start
http_retries:
  description:
    - How many times a request was sent again (reads retried after HTTP 429/5xx or a lost connection, and acting
      calls the server refused and that were sent again).
  returned: always
  type: int
  sample: 0
adopted:
  description: Whether the answer to the action was lost and the module adopted the effect it read back instead.
  returned: always
  type: bool
  sample: false
msg:
  description: Why nothing was sent, when nothing was.
  returned: when nothing was sent, or the task failed
  type: str
  sample: "the release task is already under way: it is 'releasing' (4)"
response:
  description: The answer of the action call on a release task (C(id), C(pipeline_id), C(status)).
  returned: when the action on a release task was sent
  type: dict
  sample: {"id": "286541", "pipeline_id": "4105b37a-947e-4aca-90d8-cec7c04c6f38", "status": 4}
task:
  description:
    - The release task record as the API returns it (detail, completed from the task list), with the
      C(status) this result reports.
  returned: for a release task
  type: dict
  sample: {"id": "4105b37a-947e-4aca-90d8-cec7c04c6f38", "name": "release-gn7mre", "status": 2}
wait:
  description: How the wait went.
  returned: when the module waited
  type: dict
  contains:
    polls:
      description: Status reads while waiting.
      type: int
      returned: always
    elapsed:
      description: Seconds spent waiting.
      type: float
      returned: always
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

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._action_targets import (
    action_argument_spec,
    run_task,
)
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._http import wait_argument_spec
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei.client import HUAWEI_MODULE_KWARGS
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._logs import failure_argument_spec
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._module import PipelineModule
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._validate import PIPELINE_ACTION


def main():
    argument_spec = action_argument_spec()
    argument_spec.update(wait_argument_spec())
    argument_spec.update(failure_argument_spec())
    module = PipelineModule(PIPELINE_ACTION, argument_spec,
                            required_if=[('action', 'approval', ('task_name', 'approval_result'))],
                            **HUAWEI_MODULE_KWARGS)
    result = dict(changed=False, action=module.params['action'], adopted=False)
    with module.reporting(result):
        msg = run_task(module.params, result, module.client, module.check_mode, module._diff,
                       report=module.report_failure)
    module.conclude(result, msg)


if __name__ == '__main__':
    main()
