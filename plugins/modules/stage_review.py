#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: stage_review
short_description: Pass or refuse a review gate of a Huawei Cloud pipeline
version_added: 0.1.0
description:
  - Decides a review gate of a Huawei Cloud pipeline, through one of two APIs.
  - "B(v3 stage review) (the older pipeline API): C(PUT /v3/manage/pipelines/{pipeline_id}/stages/{stage_index}/start_info)
    with C({\"mode\": \"review\", \"review_result\": \"pass\"|\"refuse\"}), answered by HTTP 201 and C({})."
  - "The v3 API has B(no call that reads the gate's state): the module cannot know whether the stage waits for
    review or was already decided. It treats the PUT as the idempotent set it is: it always sends it and
    always reports C(changed=true), and in check mode it predicts C(changed=true) without sending anything.
    It returns what the server answered. Because repeating the PUT sets the same value, it is retried like a
    read after HTTP 429/5xx or a lost connection."
  - "B(v5 manual review) (CodeArts Pipeline, which can read state): the module reads the run
    (C(GET /v5/{project_id}/api/pipelines/{pipeline_id}/pipeline-runs/detail)), finds the manual review step that
    waits for a decision (stages, jobs, steps), and sends
    C(POST .../pipeline-runs/{pipeline_run_id}/jobs/{job_run_id}/steps/{step_run_id}/pass) or C(/refuse)
    with O(comment) as C(approval_description). When no review step waits, nothing is sent and C(changed=false)
    (or the task fails with O(require_pending=true)). Check mode reads, predicts and sends nothing."
  - "Which API is used: O(api=v3) or O(api=v5) force one; with O(api=auto) the module uses v3 when
    O(stage_index) is given (v3 addresses the gate by an integer O(pipeline_id) and the stage index) and v5
    otherwise (a 32-character CodeArts O(pipeline_id), optionally O(pipeline_run_id), O(job_name), O(step_name))."
extends_documentation_fragment:
  - devops_cloud.pipelines.huawei
  - devops_cloud.pipelines.connection
  - devops_cloud.pipelines.attributes
  - devops_cloud.pipelines.attributes.ACTIONS
  - devops_cloud.pipelines.attributes.HUAWEI_GROUP
options:
  api:
    description:
      - Which review API to use; see the description.
      - V(auto) picks V(v3) when O(stage_index) is set and V(v5) otherwise.
    type: str
    choices: [auto, v3, v5]
    default: auto
  pipeline_id:
    description:
      - The pipeline. A positive integer for v3; the 32-character pipeline ID of CodeArts Pipeline for v5.
    type: str
    required: true
  result:
    description:
      - The decision. Sent as C(review_result) (v3) or as the last path segment C(pass)/C(refuse) (v5).
    type: str
    required: true
    choices: [pass, refuse]
  stage_index:
    description:
      - v3 only. Index of the stage in the pipeline whose review is decided; 0 or more.
    type: int
  pipeline_run_id:
    description:
      - v5 only. The run whose manual review is decided.
      - Defaults to the latest run (C(POST /v5/{project_id}/api/pipelines/{pipeline_id}/pipeline-runs/list),
        newest start time first).
    type: str
  job_name:
    description:
      - v5 only. Consider only review steps of the job with this name.
    type: str
  step_name:
    description:
      - v5 only. Decide the step with this name. A step chosen by name counts as a review even when its
        plugin is not one the module recognises.
    type: str
  comment:
    description:
      - v5 only. Review comment, sent as C(approval_description).
      - The v3 API has no field for it; with v3 it is not sent and the module warns.
    type: str
  require_pending:
    description:
      - v5 only. Fail when no manual review step waits for a decision, instead of reporting C(changed=false).
    type: bool
    default: false
notes:
  - Every option is checked before any request is sent, and a bad value fails the task with a message that names
    the option.
    O(project_id), O(pipeline_id) and O(pipeline_run_id) become segments of a request path, so they must not be
    empty or blank, V(.) or V(..) (a dot segment changes the path the request goes to), and must not contain C(/)
    or a backslash, control characters (CR, LF ...) or surrounding blanks. O(job_name) and O(step_name) must not be empty
    or blank. Ids and names are at most 256 characters long, O(comment) at most 4096 (line breaks allowed).
  - "v5: a step is a manual review when its plugin name (C(task)) contains C(manualReview), C(manual_review) or
    C(Checkpoint) (the ManualReview extension is C(uses: Checkpoint) in pipeline YAML), or when O(step_name) names
    it. It waits for a decision while its status is C(RUNNING) (C(PAUSED) and C(SUSPEND) are accepted too).
    When more than one review step waits, the module fails and lists them; narrow the choice with O(job_name) or
    O(step_name)."
  - "v5: when the matching review step was already decided (C(COMPLETED), C(FAILED), C(CANCELED)), the module
    reports C(changed=false); it cannot tell from the run which decision was taken."
  - v5 uses the CodeArts Pipeline host C(cloudpipeline-ext.{region}.myhuaweicloud.com) unless O(endpoint) is set,
    and needs O(project_id).
  - v3 documents no host; O(endpoint) is required for it.
seealso:
  - name: Passing a manual review (CodeArts Pipeline API)
    description: AcceptManualReview; RejectManualReview is the same path ending in C(/refuse).
    link: https://support.huaweicloud.com/intl/en-us/api-pipeline/AcceptManualReview.html
  - name: Obtaining pipeline execution details (CodeArts Pipeline API)
    description: The run detail in which the review step is found.
    link: https://support.huaweicloud.com/intl/en-us/api-pipeline/ShowPipelineRunDetail.html
author:
  - devops_cloud.pipelines maintainers (@devops-cloud)
'''

EXAMPLES = r'''
- name: Pass the manual review that waits in the latest run of a CodeArts pipeline
  devops_cloud.pipelines.stage_review:
    region: cn-north-4
    project_id: "{{ hw_project_id }}"
    auth_token: "{{ iam_token }}"
    pipeline_id: 8bfbd69eac154a0da341705a36294aca
    result: pass
    comment: Smoke tests are green

- name: Refuse the review of job "Approval" in a given run; fail if none waits
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
api:
  description: The API used, V(v3) or V(v5).
  returned: always
  type: str
  sample: v5
result:
  description: The decision, V(pass) or V(refuse).
  returned: always
  type: str
  sample: pass
gate:
  description:
    - The gate acted on (or that would be, in check mode).
    - With v3 only C(pipeline_id) and C(stage_index) are known.
    - V(null) with v5 when no review step waits.
  returned: always
  type: dict
  contains:
    pipeline_id:
      description: The pipeline.
      type: str
      returned: always
    pipeline_run_id:
      description: The run (v5).
      type: str
      returned: v5
    stage_index:
      description: Index of the stage (v3 as given; v5 the stage's C(sequence)).
      type: int
      returned: always
    stage_id:
      description: Stage ID (v5).
      type: str
      returned: v5
    stage_name:
      description: Stage name (v5).
      type: str
      returned: v5
    job_id:
      description: Job run ID, the C(job_run_id) of the call (v5).
      type: str
      returned: v5
    job_name:
      description: Job name (v5).
      type: str
      returned: v5
    job_status:
      description: Status of the job when it was read (v5).
      type: str
      returned: v5
    step_id:
      description: Step run ID, the C(step_run_id) of the call (v5).
      type: str
      returned: v5
    step_name:
      description: Step name (v5).
      type: str
      returned: v5
    step_task:
      description: Plugin of the step (v5).
      type: str
      returned: v5
    status:
      description: Status of the step when it was read, before the decision (v5).
      type: str
      returned: v5
      sample: RUNNING
  sample:
    pipeline_id: a0000000000000000000000000000003
    pipeline_run_id: 94511c7207474053ab5f6e2dd5624cd5
    stage_index: 1
    stage_id: 3f1c0e6e5a1b4c1e9d7f0a2b3c4d5e6f
    stage_name: Review
    job_id: d2ce3825a5e147dd98793ef6e76d038e
    job_name: Approval
    job_status: RUNNING
    step_id: f2f0441226444c1199ca0cce8d24074f
    step_name: manual-review
    step_task: official_devcloud_manualReview
    status: RUNNING
pipeline_run_id:
  description: The run that was examined (v5).
  returned: when O(api) resolves to v5 and the pipeline has a run
  type: str
  sample: 94511c7207474053ab5f6e2dd5624cd5
run_status:
  description: Status of the examined run (v5).
  returned: when O(api) resolves to v5 and the pipeline has a run
  type: str
  sample: RUNNING
response:
  description:
    - 'What the server answered to the decision (v3: C({}); v5: C({"success": true})).'
    - When the v5 answer was lost and the decision adopted from the run, C(adopted_status) holds the step status read back.
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
  description: Whether the answer to the v5 decision was lost and the module adopted the decided state it read back.
  returned: always
  type: bool
  sample: false
msg:
  description: Why nothing was sent, when nothing was.
  returned: when nothing was sent
  type: str
  sample: no manual review step waits for a decision in run 94511c7207474053ab5f6e2dd5624cd5 (run status COMPLETED)
'''

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._clouds import dual_argument_spec
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._gates import GATE_KINDS
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei.client import HUAWEI_MODULE_KWARGS
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
        run_id=dict(type='str', aliases=['execution_number']),
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
    module = PipelineModule(STAGE_REVIEW, argument_spec, **HUAWEI_MODULE_KWARGS)
    result = dict(changed=False, result=module.params['result'], decision=module.params['result'], gate=None,
                  adopted=False)
    with module.reporting(result):
        gate = review_task(module.params, result, module.client, module.warn)
        msg = gate.review(result, module.check_mode, module._diff)
    module.conclude(result, msg)


if __name__ == '__main__':
    main()
