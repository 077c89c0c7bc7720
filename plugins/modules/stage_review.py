#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: stage_review
short_description: Pass or refuse a gate of a Huawei Cloud CodeArts pipeline or an Alibaba Cloud Flow or AppStack run
version_added: 0.1.0
description:
  - Decides a gate -- a point where a run waits for a person -- on either cloud, found by what a person knows (the
    pipeline, optionally the run, by default the latest, and the stage, job or step name, or nothing more
    when exactly one gate waits). Raw ids (O(job_id), O(step_id)) are accepted too.
  - "B(Huawei Cloud CodeArts Pipeline) (v5 API), three gate kinds found in the run detail
    (C(GET /v5/{project_id}/api/pipelines/{pipeline_id}/pipeline-runs/detail)), prefix
    C(R = .../pipeline-runs/{run}):
    V(manual_review), a job step whose plugin is a review (C(official_devcloud_checkpoint), older pipelines
    C(official_devcloud_manualReview)), decided by C(POST R/jobs/{job_run_id}/steps/{step_run_id}/pass) or C(/refuse)
    with O(comment) as C(approval_description);
    V(checkpoint), the stage-entry checkpoint, a step of a stage's C(pre) list (C(official_devcloud_manualTrigger)),
    decided by C(POST R/steps/{step_run_id}/manual/pass) or C(/manual/refuse);
    V(delay), a delayed execution (job step C(official_devcloud_delay)), decided now by
    C(POST R/jobs/{job_run_id}/steps/{step_run_id}/delay-pass) or C(/delay-refuse)."
  - "B(Alibaba Cloud Yunxiao Flow), kind V(validation): a job of the run (C(GetPipelineRun)) whose actions offer
    C(PassPipelineValidate)/C(RefusePipelineValidate), decided by those POP calls
    (C(POST /organization/{org}/pipelines/{pid}/pipelineRuns/{run}/jobs/{jobId}/pass) or C(/refuse)) or the same
    paths of the Yunxiao token API."
  - "B(Alibaba Cloud AppStack release stage), kind V(validation): a validation job of the execution's pipeline run
    (C(.../executions/{n}:getPipelineRun)), decided by C(POST .../executions/{n}:passPipelineValidate?jobId=) or
    C(:refusePipelineValidate) (token API; POP C(PassReleaseStagePipelineValidate)/C(RefuseReleaseStagePipelineValidate))."
  - Idempotent. A gate that is not pending (already decided, not reached yet, or its run ended) is left alone
    with C(changed=false), and the result shows what the server shows about it. Check mode reads and reports and
    sends nothing. A decision whose answer is lost is never sent again blindly; the gate is read back, and when
    it no longer waits the decision is adopted.
  - "B(v3 stage review) (Huawei, the older pipeline API, unchanged since 0.1.0):
    C(PUT /v3/manage/pipelines/{pipeline_id}/stages/{stage_index}/start_info) with
    C({\"mode\": \"review\", \"review_result\": \"pass\"|\"refuse\"}), answered by HTTP 201 and C({}). The v3 API has
    B(no call that reads the gate's state): the PUT is sent as the idempotent set it is, always reported as
    C(changed=true) (check mode predicts it and sends nothing), and retried like a read."
extends_documentation_fragment:
  - devops_cloud.pipelines.clouds
  - devops_cloud.pipelines.huawei
  - devops_cloud.pipelines.alibaba
  - devops_cloud.pipelines.connection
  - devops_cloud.pipelines.attributes
  - devops_cloud.pipelines.attributes.ACTIONS
options:
  api:
    description:
      - Which API to use. V(v3) and V(v5) are Huawei's review APIs, V(openapi) (AccessKey, C(devops) POP API) and
        V(yunxiao) (personal access token) Alibaba's; each also says which cloud is meant.
      - V(auto) on Huawei picks V(v3) when O(stage_index) is set and V(v5) otherwise; on Alibaba the token API when
        O(yunxiao_token) is set, else the POP API (see the Alibaba options).
    type: str
    choices: [auto, v3, v5, openapi, yunxiao]
    default: auto
  pipeline_id:
    description:
      - The pipeline. The 32-character CodeArts pipeline ID (v5); a positive integer for the v3 review (with
        O(stage_index)) or for a Yunxiao Flow pipeline.
      - Required, except for an AppStack release stage (O(app_name)).
    type: str
  result:
    description:
      - The decision. V(pass) or V(refuse); for a delayed execution V(pass) runs it now (C(delay-pass)) and
        V(refuse) cancels it (C(delay-refuse)).
    type: str
    required: true
    choices: [pass, refuse]
  stage_index:
    description:
      - v3 only. Index of the stage in the pipeline whose review is decided; 0 or more.
    type: int
  pipeline_run_id:
    description:
      - CodeArts only. The run whose gate is decided (same as O(run_id)).
      - Defaults to the latest run (C(POST /v5/{project_id}/api/pipelines/{pipeline_id}/pipeline-runs/list),
        newest start time first).
    type: str
  run_id:
    description:
      - The run whose gate is decided; by default the latest one. A Flow run ID, the number of an AppStack release
        stage execution (as O(execution_number)), or a CodeArts run ID (as O(pipeline_run_id)).
    type: str
  execution_number:
    description:
      - AppStack only. The number of the release stage execution whose gate is decided; by default the latest.
    type: str
  app_name:
    description:
      - AppStack application; with O(release_workflow_sn) and O(release_stage_sn) it names the release stage whose
        execution's validation gate is decided (Alibaba Cloud).
    type: str
  release_workflow_sn:
    description:
      - AppStack release workflow serial number (with O(app_name)).
    type: str
  release_stage_sn:
    description:
      - AppStack release stage serial number (with O(app_name)).
    type: str
  stage_name:
    description:
      - Consider only gates of the stage with this name (exact, case-sensitive).
    type: str
  job_name:
    description:
      - Consider only gates of the job with this name (exact, case-sensitive). On Alibaba a job named here counts
        as a validation gate even when the API no longer marks it as one (a decided validation job has no actions).
    type: str
  step_name:
    description:
      - CodeArts only. Decide the step with this name. A step chosen by name counts as a gate even when its
        plugin is not one the module recognises (a manual review in a job, a checkpoint in a stage's C(pre) list).
    type: str
  job_id:
    description:
      - Raw ID of the gate's job (the CodeArts C(job_run_id), the Flow or AppStack C(jobId)); narrows the choice
        like the names.
    type: str
  step_id:
    description:
      - CodeArts only. Raw C(step_run_id) of the gate.
    type: str
  gate_kind:
    description:
      - Consider only gates of this kind (V(manual_review), V(checkpoint), V(delay) on CodeArts; V(validation) on
        Alibaba).
    type: str
    choices: [manual_review, checkpoint, delay, validation]
  comment:
    description:
      - Review comment, sent as C(approval_description) with a CodeArts manual review.
      - The other calls have no field for it; with them it is not sent (the v3 review and Alibaba warn).
    type: str
  require_pending:
    description:
      - Fail when the gate does not wait for a decision (or the run has none), instead of reporting C(changed=false).
      - Not used by the v3 review, which cannot read the gate.
    type: bool
    default: false
  organization_id:
    description:
      - Yunxiao organization (enterprise) ID. Required for Alibaba Cloud gates; not used for Huawei Cloud.
    type: str
    required: false
  project_id:
    description:
      - Huawei Cloud project ID; required for the CodeArts (v5) gates, not used for v3 or Alibaba.
      - Falls back to E(HUAWEICLOUD_SDK_PROJECT_ID).
    type: str
  access_key_id:
    description:
      - Alibaba Cloud AccessKey ID for the C(devops) OpenAPI. In this module O(access_key) is the Huawei Cloud
        access key, not an alias of it.
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
      - The Huawei Cloud endpoint, as in version 0.1.0 (required for v3, which documents no host); ignored for
        Alibaba Cloud (use O(alibaba_endpoint)).
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
  - "The cloud: O(cloud) when given. Otherwise the options tell, and must agree: O(api) V(v3)/V(v5) mean Huawei,
    V(openapi)/V(yunxiao) Alibaba; O(app_name), O(release_workflow_sn) or O(release_stage_sn) mean an AppStack
    release stage (Alibaba); O(stage_index) or O(pipeline_run_id) mean Huawei; a O(pipeline_id) of 32 letters and
    digits is a CodeArts pipeline, one of 1 to 20 digits a Flow pipeline -- except with O(stage_index) or
    O(api=v3), where it is a v3 pipeline as in version 0.1.0. Hints of both clouds fail before any request; no hint
    at all means Huawei, the module's cloud in 0.1.0. On Alibaba the gate is an AppStack one when the three
    release stage options are given (then O(pipeline_id) must be left out), else a Flow one."
  - "Choosing the gate: every gate of the run is read; O(stage_name), O(job_name), O(step_name), O(job_id),
    O(step_id) and O(gate_kind) narrow them. Among the matching gates the one that waits is decided. When several
    wait, the task fails and lists them (kind, stage, job, step, status) -- name one. When none of the run's gates
    matches the names, the task fails and lists the gates. A run without gates, a pipeline that never ran, and
    a gate that is not pending are C(changed=false) with RV(msg) saying why (a failure with O(require_pending))."
  - "CodeArts (assumptions, as no Huawei document lists them): a step is a gate by its plugin name (C(task),
    matched case-insensitively): C(checkpoint), C(manualReview) or C(manual_review) in a job step is a manual review,
    C(delay) a delayed execution, and a C(pre) step with C(manualTrigger) (or a review plugin) a stage-entry
    checkpoint. A gate step waits while its status is not terminal (C(RUNNING), also C(PAUSED), C(SUSPEND) and
    unknown values); without a status, or C(INIT)/C(QUEUED), it was not reached; C(COMPLETED), C(FAILED),
    C(CANCELED), C(SKIPPED) and C(IGNORED) mean it was decided. The run detail does not say who decided."
  - "Alibaba (assumptions): a validation job waits while its C(actions) offer C(PassPipelineValidate) or
    C(RefusePipelineValidate) and its status has not ended (the meaning of the actions' C(disable) flag is not
    documented; the call is made and its error reported). Once decided, the API lists no actions for the job, so a
    decided validation job is only recognised when O(job_name) names it. Who decided and any comment are not
    exposed. AppStack gates are read from the execution's Flow pipeline run; O(run_id) is the execution number."
  - Whether the caller may approve (the gate's approvers) is not readable through the APIs; the call is made and a
    refusal is reported as the server words it.
  - Every option is checked before any request is sent, and a bad value fails the task with a message that names
    the option. Ids and names that become path segments (O(project_id), O(organization_id), O(pipeline_id),
    O(pipeline_run_id), O(run_id), O(app_name), O(release_workflow_sn), O(release_stage_sn), O(job_id), O(step_id))
    must not be empty or blank, V(.) or V(..), and must not contain C(/) or a backslash, control characters or
    surrounding blanks; Alibaba ids must be positive integers. Names must not be empty or blank. Ids and names are
    at most 256 characters long, O(comment) at most 4096 (line breaks allowed).
  - v5 uses the CodeArts Pipeline host C(cloudpipeline-ext.{region}.myhuaweicloud.com) unless O(endpoint) is set,
    and needs O(project_id). v3 documents no host; O(endpoint) is required for it.
seealso:
  - name: Passing a manual review (CodeArts Pipeline API)
    description: AcceptManualReview; RejectManualReview is the same path ending in C(/refuse).
    link: https://support.huaweicloud.com/intl/en-us/api-pipeline/AcceptManualReview.html
  - name: Obtaining pipeline execution details (CodeArts Pipeline API)
    description: The run detail in which the gates are found.
    link: https://support.huaweicloud.com/intl/en-us/api-pipeline/ShowPipelineRunDetail.html
  - name: PassPipelineValidate (Alibaba Cloud DevOps API)
    description: Passing a Flow validation job; RefusePipelineValidate refuses it.
    link: https://help.aliyun.com/zh/yunxiao/developer-reference/api-devops-2021-06-25-passpipelinevalidate
author:
  - devops_cloud.pipelines maintainers (@devops-cloud)
'''

EXAMPLES = r'''
- name: Pass the one gate that waits in the latest run of a CodeArts pipeline
  devops_cloud.pipelines.stage_review:
    region: cn-north-4
    project_id: "{{ hw_project_id }}"
    auth_token: "{{ iam_token }}"
    pipeline_id: 8bfbd69eac154a0da341705a36294aca
    result: pass
    comment: Smoke tests are green

- name: Refuse the manual review of job "Approval" in a given run; fail if it does not wait
  devops_cloud.pipelines.stage_review:
    region: cn-north-4
    project_id: "{{ hw_project_id }}"
    access_key: "{{ hw_ak }}"
    secret_key: "{{ hw_sk }}"
    pipeline_id: 8bfbd69eac154a0da341705a36294aca
    pipeline_run_id: 94511c7207474053ab5f6e2dd5624cd5
    job_name: Approval
    result: refuse
    require_pending: true

- name: Pass the stage-entry checkpoint of stage Deploy (CodeArts)
  devops_cloud.pipelines.stage_review:
    region: cn-north-4
    project_id: "{{ hw_project_id }}"
    auth_token: "{{ iam_token }}"
    pipeline_id: 8bfbd69eac154a0da341705a36294aca
    stage_name: Deploy
    gate_kind: checkpoint
    result: pass

- name: Run a delayed execution now instead of waiting (CodeArts delay-pass)
  devops_cloud.pipelines.stage_review:
    region: cn-north-4
    project_id: "{{ hw_project_id }}"
    auth_token: "{{ iam_token }}"
    pipeline_id: 8bfbd69eac154a0da341705a36294aca
    gate_kind: delay
    result: pass

- name: Pass the validation job "approve" of the latest run of a Flow pipeline (token API)
  devops_cloud.pipelines.stage_review:
    organization_id: "{{ yunxiao_org_id }}"
    yunxiao_token: "{{ yunxiao_token }}"
    pipeline_id: "1003"
    job_name: approve
    result: pass

- name: Refuse the validation gate of an AppStack release stage execution (AccessKey, POP API)
  devops_cloud.pipelines.stage_review:
    organization_id: "{{ yunxiao_org_id }}"
    access_key_id: "{{ ali_ak }}"
    access_key_secret: "{{ ali_sk }}"
    app_name: demo-app
    release_workflow_sn: wf-0001
    release_stage_sn: stage-prod
    execution_number: "42"
    result: refuse

- name: Pass the review of stage 1 through the v3 API (write-only; always changed)
  devops_cloud.pipelines.stage_review:
    endpoint: https://devcloud.example.com
    auth_token: "{{ iam_token }}"
    pipeline_id: "101"
    stage_index: 1
    result: pass
'''

RETURN = r'''
changed:
  description:
    - Whether a decision was sent (or, in check mode, would be).
    - Always V(true) with v3, which cannot read the gate's state.
  returned: always
  type: bool
cloud:
  description: The cloud of the gate, V(huawei) or V(alibaba).
  returned: always
  type: str
  sample: huawei
api:
  description: The API used, V(v3) or V(v5) on Huawei Cloud, V(openapi) or V(yunxiao) on Alibaba Cloud.
  returned: always
  type: str
  sample: v5
service:
  description: Alibaba Cloud only. V(flow) or V(appstack).
  returned: with Alibaba Cloud
  type: str
  sample: flow
result:
  description: The decision, V(pass) or V(refuse).
  returned: always
  type: str
  sample: pass
decision:
  description: The decision, V(pass) or V(refuse) (the same as RV(result)).
  returned: always
  type: str
  sample: pass
action:
  description:
    - What was done. V(decided), V(adopted) (the answer was lost and the decision read back), V(would_decide)
      (check mode), V(none) (nothing sent).
  returned: except with v3
  type: str
  sample: decided
gate:
  description:
    - The gate acted on, or found and left alone (or that would be acted on, in check mode).
    - With v3 only C(pipeline_id) and C(stage_index) are known.
    - V(null) when the run has no gate (or no run).
  returned: always
  type: dict
  contains:
    kind:
      description: V(manual_review), V(checkpoint), V(delay) or V(validation).
      type: str
      returned: except with v3
    stage:
      description: Name of the gate's stage.
      type: str
      returned: except with v3
    job:
      description: Name of the gate's job (V(null) for a stage-entry checkpoint).
      type: str
      returned: except with v3
    step:
      description: Name of the gate's step (CodeArts; V(null) on Alibaba, where a gate is a job).
      type: str
      returned: except with v3
    ids:
      description: The ids the decision call uses (C(run_id), C(stage_id), C(job_id), C(step_id) as the API has them).
      type: dict
      returned: except with v3
    status_before:
      description: Status of the gate (step or job) when it was read, before the decision.
      type: str
      returned: except with v3
    status_after:
      description: Status read back after the decision (the same as before when nothing was sent; before in check mode).
      type: str
      returned: except with v3
    state:
      description: V(pending), V(decided), V(not_reached) or V(run_ended), as read last.
      type: str
      returned: except with v3
    pending:
      description: Whether the gate waits for a decision, as read last.
      type: bool
      returned: except with v3
    decided_by:
      description: Who decided, when the API tells (neither cloud's run detail does today).
      type: str
      returned: except with v3
    decided_at:
      description: When it was decided, when the API tells.
      type: str
      returned: except with v3
    pipeline_id:
      description: The pipeline (v3 and CodeArts).
      type: str
      returned: with Huawei Cloud
    stage_index:
      description: Index of the stage (v3 as given).
      type: int
      returned: v3
    pipeline_run_id:
      description: The run (CodeArts; as in 0.1.0).
      type: str
      returned: v5
    stage_id:
      description: Stage ID (CodeArts).
      type: str
      returned: v5
    stage_name:
      description: Stage name (CodeArts; as in 0.1.0).
      type: str
      returned: v5
    job_id:
      description: Job run ID, the C(job_run_id) of the call (CodeArts; V(null) for a checkpoint).
      type: str
      returned: v5
    job_name:
      description: Job name (CodeArts).
      type: str
      returned: v5
    job_status:
      description: Status of the job when it was read (CodeArts).
      type: str
      returned: v5
    step_id:
      description: Step run ID, the C(step_run_id) of the call (CodeArts).
      type: str
      returned: v5
    step_name:
      description: Step name (CodeArts).
      type: str
      returned: v5
    step_task:
      description: Plugin of the step (CodeArts).
      type: str
      returned: v5
    status:
      description: Status of the step when it was read, before the decision (CodeArts, as in 0.1.0).
      type: str
      returned: v5
      sample: RUNNING
  sample:
    kind: manual_review
    stage: Review
    job: Approval
    step: manual-review
    ids: {run_id: 94511c7207474053ab5f6e2dd5624cd5, stage_id: 3f1c0e6e5a1b4c1e9d7f0a2b3c4d5e6f,
          job_id: d2ce3825a5e147dd98793ef6e76d038e, step_id: f2f0441226444c1199ca0cce8d24074f}
    status_before: RUNNING
    status_after: COMPLETED
    state: decided
    pending: false
    pipeline_id: a0000000000000000000000000000003
    pipeline_run_id: 94511c7207474053ab5f6e2dd5624cd5
    stage_name: Review
    job_name: Approval
    step_name: manual-review
    step_task: official_devcloud_checkpoint
    status: RUNNING
run_id:
  description: The run examined (CodeArts run ID, Flow run ID, or AppStack execution number).
  returned: when the pipeline has a run (not v3)
  type: str
  sample: 94511c7207474053ab5f6e2dd5624cd5
pipeline_run_id:
  description: The same as RV(run_id) (the 0.1.0 name).
  returned: when the pipeline has a run (not v3)
  type: str
  sample: 94511c7207474053ab5f6e2dd5624cd5
run_status:
  description:
    - Status of the run as read last, after the decision (AppStack - of the execution's pipeline run).
  returned: when the pipeline has a run (not v3)
  type: str
  sample: RUNNING
response:
  description:
    - 'What the server answered to the decision (v3: C({}); CodeArts and AppStack: C({"success": true});
      Flow: the POP answer, or C({"success": true}) for the token API''s bare C(true)).'
    - When the answer was lost and the decision adopted from the run, C(adopted_status) holds the status read back.
  returned: when the decision was sent
  type: dict
  sample: {"success": true}
http_retries:
  description:
    - How many times a request was sent again (reads retried after HTTP 429/5xx or a lost connection, and acting
      calls the server refused and that were sent again).
  returned: always
  type: int
  sample: 0
adopted:
  description: Whether the answer to the decision was lost and the module adopted the decided state it read back.
  returned: always
  type: bool
  sample: false
msg:
  description: Why nothing was sent, when nothing was.
  returned: when nothing was sent
  type: str
  sample: "the gate is not pending (already decided), nothing sent: manual_review at stage 'Review' job 'Approval'
    step 'manual-review' (COMPLETED, decided)"
'''

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._clouds import dual_argument_spec
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._gates import GATE_KINDS
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._module import PipelineModule
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._review_clouds import APIS, review_task
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._validate import STAGE_REVIEW


def main():
    argument_spec = dual_argument_spec()
    argument_spec.update(
        api=dict(type='str', default='auto', choices=list(APIS)),
        pipeline_id=dict(type='str'),
        result=dict(type='str', required=True, choices=['pass', 'refuse']),
        stage_index=dict(type='int'),
        pipeline_run_id=dict(type='str'),
        run_id=dict(type='str'),
        execution_number=dict(type='str'),
        app_name=dict(type='str'),
        release_workflow_sn=dict(type='str'),
        release_stage_sn=dict(type='str'),
        stage_name=dict(type='str'),
        job_name=dict(type='str'),
        step_name=dict(type='str'),
        job_id=dict(type='str'),
        step_id=dict(type='str'),
        gate_kind=dict(type='str', choices=list(GATE_KINDS)),
        comment=dict(type='str'),
        require_pending=dict(type='bool', default=False),
    )
    module = PipelineModule(STAGE_REVIEW, argument_spec, mutually_exclusive=[
        ('auth_token', 'access_key'), ('run_id', 'pipeline_run_id', 'execution_number')])
    result = dict(changed=False, result=module.params['result'], decision=module.params['result'], gate=None,
                  adopted=False)
    with module.reporting(result):
        gate = review_task(module.params, result, module.client, module.warn)
        msg = gate.review(result, module.check_mode, module._diff)
    module.conclude(result, msg)


if __name__ == '__main__':
    main()
