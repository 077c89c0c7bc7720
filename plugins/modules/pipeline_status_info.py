#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: pipeline_status_info
short_description: Read the latest run status of many Huawei Cloud CodeArts or Alibaba Cloud Yunxiao Flow pipelines
version_added: 0.1.0
description:
  - Reads the latest run of any number of CodeArts Pipeline pipelines (Huawei Cloud) or Yunxiao Flow pipelines
    (Alibaba Cloud), reports each with whether it has finished and succeeded, the ids without a run, and the
    number of pipelines per status.
  - "CodeArts: the CodeArts Pipeline v5 API C(BatchShowPipelinesLatestStatus)
    (C(POST /v5/{project_id}/api/pipelines/status)). The ids are sent in batches of at most 100 per request over
    one HTTP keep-alive session. The API reference documents no maximum number of ids per request; 100 is this
    collection's own bound."
  - "Flow: neither Flow API has a batch call for the latest runs, so one request is sent per pipeline: with a
    token C(GET .../flow/organizations/{organization_id}/pipelines/{id}/runs/latestPipelineRun), with an AccessKey
    C(ListPipelineRuns) with C(maxResults=1). They go over one HTTP keep-alive session, at most 4 at a time (see
    the notes), and an HTTP 429 answer holds back all of them for its C(Retry-After)."
  - Can apply a JMESPath O(query) to the result and wait until all runs finished, until a run waits at a gate
    (O(wait_until=gate), returning the gates in RV(gates) for M(devops_cloud.pipelines.stage_review)) or until an
    expression holds.
  - The module only reads; it never reports C(changed).
author:
  - devops_cloud.pipelines maintainers (@devops-cloud)
options:
  project_id:
    description:
      - Project ID; sent in the path where the API has it and as the C(X-Project-Id) header.
      - Falls back to E(HUAWEICLOUD_SDK_PROJECT_ID), the name the official SDK reads.
      - Required for CodeArts (Huawei Cloud), ignored for Flow.
  organization_id:
    description:
      - Yunxiao organization (enterprise) ID, as in C(https://devops.aliyun.com/organization/<id>).
      - Required for Flow (Alibaba Cloud), ignored for CodeArts.
    required: false
  access_key_id:
    description:
      - AccessKey ID for the C(devops) OpenAPI (C(ACS3-HMAC-SHA256) signing).
      - Falls back to E(ALIBABA_CLOUD_ACCESS_KEY_ID), the name the official credentials library reads.
      - Unlike in the Alibaba modules it has no alias C(access_key), a name that is Huawei's here.
    aliases: []
  access_key_secret:
    description:
      - AccessKey secret that signs every request; it never leaves the host.
      - Falls back to E(ALIBABA_CLOUD_ACCESS_KEY_SECRET).
      - Unlike in the Alibaba modules it has no alias C(secret_key), a name that is Huawei's here.
    aliases: []
  endpoint:
    default: null
  pipeline_ids:
    description:
      - IDs of the pipelines to report, at most 5000 of them.
      - CodeArts ids are 32 letters and digits (ceil(N / 100) requests per read); Flow ids are numbers (N requests
        per read).
      - Without O(cloud) the ids choose the cloud. Numbers (at most 20 digits) are Flow ids, anything else is a
        CodeArts id (Flow ids are always numbers). A list that mixes both fails the task before any request.
      - The result keeps this order. An id given more than once is reported once, at its first position.
      - An empty list sends no request and returns empty results. An empty or blank id fails the task.
    type: list
    elements: str
    required: true
  query:
    description:
      - A JMESPath expression applied to the dictionary C({pipelines, missing, summary}) (the return values of
        the same names; for Flow also C(missing_reasons); with O(wait_until=gate) also C(gates)); its value is
        returned as RV(query_result).
      - For example V(pipelines[?status=='FAILED'].pipeline_id) lists the CodeArts pipelines whose latest run
        failed (V(pipelines[?status=='FAIL'].pipeline_id) for Flow).
      - An invalid expression fails the task before any request is sent.
    type: str
  wait_until:
    description:
      - Poll the status until a condition holds, then return the last state.
      - V(finished) (in any case) waits until the latest run of every listed pipeline has finished
        (CodeArts status C(COMPLETED), C(FAILED), C(CANCELED) or C(IGNORED); Flow C(SUCCESS), C(FAIL) or
        C(CANCELED)). Pipelines that never ran do not hold the wait back. C(PAUSED) and C(SUSPEND) CodeArts runs
        and Flow runs waiting at a gate are not finished; they wait for a person or a resource. When it times out
        while the first run it names waits at a gate, the message names that gate too (found in the run read of
        RV(failures), no extra request).
      - "V(gate) (in any case) returns as soon as the latest run of any listed pipeline waits at a gate (a manual
        review, stage-entry checkpoint or delayed execution on CodeArts, a validation job on Flow), with every
        pending gate of the runs read in RV(gates), so that the next task can loop
        M(devops_cloud.pipelines.stage_review) over them. Pipelines whose latest run has finished, and pipelines
        that never ran, do not hold the wait: when every listed run has finished (or none ran) before any reached
        a gate, the wait ends there, without failing, with RV(gates=[]) (and RV(failures) for the runs that ended
        failed or canceled). A run already waiting at a gate returns at the first read."
      - "Cost of V(gate): the gates of a run are in its detail, read only for the runs that have not finished.
        CodeArts: the batch status has no steps, so each read also sends one C(ShowPipelineRunDetail) per live
        run (ceil(N / 100) + L requests for N ids and L live runs). Flow with a token: the latest run already
        holds the jobs and their actions, so nothing more is sent (N requests). Flow with an AccessKey: one
        C(GetPipelineRun) per live run (N + L requests)."
      - "Any other value is a JMESPath expression over C({pipelines, missing, summary}) that must become true
        (in JMESPath terms: anything but V(false), V(null), an empty string, list or object; V(0) is true),
        for example V(length(pipelines[?status=='RUNNING']\\) == `0`)."
      - When O(wait_timeout) passes first, the task fails with the last state read.
      - When the wait ends, RV(failures) tells where the runs that ended failed or canceled failed, and, after a
        timeout, where the runs that had not finished were, with the last lines of their logs.
      - An invalid expression fails the task before any request is sent.
    type: str
  wait_timeout:
    description:
      - Seconds to wait at most for O(wait_until). When they pass, the task fails with the last state it read.
      - Only used with O(wait_until). 0 or more, at most 31536000 (365 days).
    type: int
    default: 1800
  poll_interval:
    description:
      - Seconds between two status reads while waiting for O(wait_until). Each read of N pipelines costs
        ceil(N / 100) requests on CodeArts and N on Flow (with O(wait_until=gate) also the run reads said there).
      - Only used with O(wait_until). More than 0, at most 31536000 (365 days).
    type: float
    default: 5.0
  failure_log_lines:
    description:
      - How many of the last lines of the failing (or current) step's log each entry of RV(failures) returns in
        RV(failures[].log_tail).
      - V(0) does not read any log. From V(0) to V(1000); checked before any request.
      - The log is read in pages and bounded as in M(devops_cloud.pipelines.pipeline_run) (at most 256 KiB are kept,
        a longer line keeps its end); every line is decoded, stripped of colour codes and scrubbed of secrets.
      - Only used with O(wait_until).
    type: int
    default: 50
extends_documentation_fragment:
  - devops_cloud.pipelines.clouds
  - devops_cloud.pipelines.huawei
  - devops_cloud.pipelines.alibaba
  - devops_cloud.pipelines.connection
  - devops_cloud.pipelines.attributes
  - devops_cloud.pipelines.attributes.INFO
attributes:
  action_group:
    description: Use C(group/devops_cloud.pipelines.huawei), C(group/devops_cloud.pipelines.alibaba) or
      C(group/devops_cloud.pipelines.all) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - devops_cloud.pipelines.huawei
      - devops_cloud.pipelines.alibaba
      - devops_cloud.pipelines.all
requirements:
  - jmespath (for O(query) and for an expression in O(wait_until))
notes:
  - Every option is checked before any request is sent, and a bad value fails the task with a message that names
    the option.
    O(project_id) and O(organization_id) become one segment of a request path, so they must not be empty or blank,
    V(.) or V(..), and must not contain C(/) or a backslash, control characters or surrounding blanks. O(query) and
    O(wait_until) must not be empty or blank and are at most 4096 characters long. O(wait_timeout) and
    O(poll_interval) are checked even without O(wait_until).
  - "Which cloud: O(cloud) when given, else the ids (see O(pipeline_ids)); O(cloud) that contradicts the ids fails
    the task. An empty O(pipeline_ids) sends nothing on either cloud. Playbooks of version 0.1.0 (CodeArts ids,
    O(project_id)) work unchanged: their ids are not numbers. In this module O(endpoint) and O(security_token)
    are Huawei's, and O(access_key)/O(secret_key) never stand for the Alibaba AccessKey (use
    O(access_key_id)/O(access_key_secret)): the AccessKey options of the Alibaba fragment have no aliases here,
    and O(organization_id) is required only for Flow."
  - "Since this module is in both action groups, C(module_defaults) of both groups reach it, and Ansible applies them
    in the order the play lists them: when both set O(endpoint) or O(security_token) (or C(access_key)/C(secret_key)
    for the Alibaba AccessKey), the group listed last wins, and the value may be the other cloud's. Playbooks that
    set these names for both groups should use O(huawei_endpoint)/O(alibaba_endpoint),
    O(huawei_security_token)/O(alibaba_security_token) and O(access_key_id)/O(access_key_secret) instead."
  - CodeArts run statuses C(COMPLETED), C(FAILED), C(CANCELED) and C(IGNORED) are final (C(IGNORED) is a run that
    was dropped without running); only C(COMPLETED) counts as succeeded. C(RUNNING), C(PAUSED), C(SUSPEND) and any
    status the API may add later are not final.
  - Flow run statuses C(SUCCESS), C(FAIL) and C(CANCELED) are final; only C(SUCCESS) counts as succeeded. A run
    waiting at a manual gate reads C(RUNNING) (or C(WAITING)) and is not final.
  - "Flow ids without a run are in RV(missing), and RV(missing_reasons) says why: V(never_ran) (token API: HTTP 404
    C(InvalidPipelineRun.NotFound), or HTTP 200 with C(null) or an empty body -- the last two are undocumented
    and accepted; AccessKey API: an empty C(pipelineRuns) list) or V(not_found) (HTTP 404
    C(InvalidPipeline.NotFound) on both). Any other error fails the task."
  - "Flow, undocumented details assumed: C(ListPipelineRuns) lists the newest run first (so C(maxResults=1) is the
    latest run; the order is not documented), and the rate limits of both APIs are not documented. Reads run
    at most 4 at a time: they wait on the network, so 4 cut the time of a read about fourfold while sending no
    more at once than a few users would; each of the 4 keeps its keep-alive connection (the pool holds 10).
    After an HTTP 429 no request is sent before its C(Retry-After) has passed (at most 120 s, else the
    backoff), by any of the 4. Each request keeps the limits of O(max_retries), O(connect_timeout) and
    O(read_timeout); the first request that fails ends the read."
  - The status reads are retried on connection errors, HTTP 429 and 5xx answers (see O(max_retries)); an
    HTTP 200 answer that carries a vendor error body fails the task with that error.
  - "Failure reports (with O(wait_until) only; a plain read sends nothing more): when the wait ends, the module
    reports in RV(failures) the first 5 pipelines, in the order of O(pipeline_ids), whose latest run ended failed
    or canceled (CodeArts C(FAILED), C(CANCELED), C(IGNORED); Flow C(FAIL), C(CANCELED)) and, after a timeout,
    whose latest run had not finished. Each costs one read of that run in full (CodeArts C(ShowPipelineRunDetail),
    Flow C(GetPipelineRun)) and the log calls of M(devops_cloud.pipelines.pipeline_run) (CodeArts
    C(ShowPipelineLog) of the failing step; Flow the job's log, with a token the failing step's log), none with
    O(failure_log_lines=0). A run or log that cannot be read (HTTP 403, 404, 5xx, a timeout) leaves that entry
    without log lines and with RV(failures[].log_error) saying why; the task's outcome stays the wait's own."
  - "Runs that ended failed or canceled do not fail the task: a wait that holds succeeds with RV(failures) filled
    (use it, or RV(pipelines), to decide). A wait that times out fails the task; its message then names where the
    first run that had not finished was, and quotes the last lines of its log, and RV(failure) is that run's entry."
seealso:
  - name: BatchShowPipelinesLatestStatus API reference
    description: Obtaining pipeline statuses in batches (CodeArts Pipeline API reference).
    link: https://support.huaweicloud.com/intl/en-us/api-pipeline/BatchShowPipelinesLatestStatus.html
'''

EXAMPLES = r'''
- name: Read the status of some pipelines
  devops_cloud.pipelines.pipeline_status_info:
    region: cn-north-4
    project_id: "{{ hw_project_id }}"
    access_key: "{{ hw_ak }}"
    secret_key: "{{ hw_sk }}"
    pipeline_ids:
      - d19799d619424b2bb2625ec2d93ea087
      - 0a1b2c3d4e5f60718293a4b5c6d7e8f9
  register: status

- name: Show the number of pipelines per status
  ansible.builtin.debug:
    var: status.summary

- name: List the pipelines whose latest run failed, with an IAM token and the shared defaults
  module_defaults:
    group/devops_cloud.pipelines.huawei:
      region: cn-north-4
      project_id: "{{ hw_project_id }}"
      auth_token: "{{ hw_token }}"
  block:
    - name: Query the failed ones
      devops_cloud.pipelines.pipeline_status_info:
        pipeline_ids: "{{ release_pipelines }}"
        query: "pipelines[?status=='FAILED'].{id: pipeline_id, url: detail_url}"
      register: failed

    - name: Fail when any pipeline failed
      ansible.builtin.assert:
        that: failed.query_result | length == 0
        fail_msg: "Failed pipelines: {{ failed.query_result }}"

- name: Wait up to 30 minutes until every listed pipeline's latest run has finished
  devops_cloud.pipelines.pipeline_status_info:
    region: cn-north-4
    project_id: "{{ hw_project_id }}"
    auth_token: "{{ hw_token }}"
    pipeline_ids: "{{ release_pipelines }}"
    wait_until: finished
    wait_timeout: 1800
    poll_interval: 15
  register: done

- name: Wait until no run is RUNNING any more (JMESPath condition)
  devops_cloud.pipelines.pipeline_status_info:
    region: cn-north-4
    project_id: "{{ hw_project_id }}"
    access_key: "{{ hw_ak }}"
    secret_key: "{{ hw_sk }}"
    pipeline_ids: "{{ release_pipelines }}"
    wait_until: "length(pipelines[?status=='RUNNING']) == `0`"
    wait_timeout: 600

- name: Wait until a run of the release waits at a gate (or every run has finished)
  devops_cloud.pipelines.pipeline_status_info:
    region: cn-north-4
    project_id: "{{ hw_project_id }}"
    auth_token: "{{ hw_token }}"
    pipeline_ids: "{{ release_pipelines }}"
    wait_until: gate
    wait_timeout: 3600
  register: at_gate

- name: Pass every gate the runs wait at
  devops_cloud.pipelines.stage_review:
    region: cn-north-4
    project_id: "{{ hw_project_id }}"
    auth_token: "{{ hw_token }}"
    pipeline_id: "{{ item.pipeline_id }}"
    pipeline_run_id: "{{ item.ids.run_id }}"
    stage_name: "{{ item.stage }}"
    job_name: "{{ item.job }}"
    step_name: "{{ item.step }}"
    gate_kind: "{{ item.kind }}"
    result: pass
  loop: "{{ at_gate.gates }}"
  loop_control:
    label: "{{ item.pipeline_id }} {{ item.kind }} {{ item.stage }}/{{ item.job }}/{{ item.step }}"

- name: Read the latest run of Yunxiao Flow pipelines with a personal access token (numeric ids are Flow ids)
  devops_cloud.pipelines.pipeline_status_info:
    organization_id: "{{ yunxiao_org }}"
    yunxiao_token: "{{ yunxiao_token }}"
    pipeline_ids: ["1001", "1002", "1007"]
  register: flow

- name: Show the Flow pipelines without a run and why (never_ran or not_found)
  ansible.builtin.debug:
    var: flow.missing_reasons

- name: With an AccessKey (ListPipelineRuns), wait until no Flow run of the release is RUNNING
  devops_cloud.pipelines.pipeline_status_info:
    cloud: alibaba
    organization_id: "{{ yunxiao_org }}"
    access_key_id: "{{ ali_ak }}"
    access_key_secret: "{{ ali_sk }}"
    alibaba_endpoint: devops.cn-hangzhou.aliyuncs.com
    pipeline_ids: "{{ release_flow_pipelines }}"
    wait_until: finished
    poll_interval: 30
    query: "pipelines[?status=='FAIL'].{id: pipeline_id, url: detail_url}"
  register: flow_done

- name: Credentials of both clouds in module_defaults; each task's ids pick the cloud
  module_defaults:
    group/devops_cloud.pipelines.huawei:
      region: cn-north-4
      project_id: "{{ hw_project_id }}"
      auth_token: "{{ hw_token }}"
    group/devops_cloud.pipelines.alibaba:
      organization_id: "{{ yunxiao_org }}"
      yunxiao_token: "{{ yunxiao_token }}"
  block:
    - name: CodeArts pipelines
      devops_cloud.pipelines.pipeline_status_info:
        pipeline_ids: "{{ release_pipelines }}"
    - name: Flow pipelines
      devops_cloud.pipelines.pipeline_status_info:
        pipeline_ids: "{{ release_flow_pipelines }}"
'''

RETURN = r'''
pipelines:
  description:
    - The latest run of every requested pipeline that has one, in the order of O(pipeline_ids), each as the
      API returned it (C(PipelineLatestRun)) plus RV(pipelines[].finished) and RV(pipelines[].succeeded).
    - Only the most used fields are described here; every field the API returns is kept.
    - "For Flow each run is the run as M(devops_cloud.pipelines.pipeline_run) returns it (C(status), C(trigger),
      C(start_time), C(end_time), C(sources), C(stages) with their jobs -- empty with an AccessKey, whose list
      call has none), with its id as RV(pipelines[].pipeline_run_id), the pipeline id as given in
      O(pipeline_ids) (text) and the run's page as RV(pipelines[].detail_url)."
  returned: success and when O(wait_until) timed out
  type: list
  elements: dict
  contains:
    pipeline_id:
      description: Pipeline ID.
      type: str
      sample: a0000000000000000000000000000001
    pipeline_run_id:
      description: ID of the latest run.
      type: str
      sample: 5f0c2b1e9d8a4c7b8e6f4a3b2c1d0e9f
    status:
      description: Run status, one of C(COMPLETED), C(RUNNING), C(FAILED), C(CANCELED), C(PAUSED), C(SUSPEND), C(IGNORED).
      type: str
      sample: COMPLETED
    finished:
      description: Whether the run has a final status (C(COMPLETED), C(FAILED), C(CANCELED), C(IGNORED)).
      type: bool
      sample: true
    succeeded:
      description: Whether the run completed successfully (status C(COMPLETED)).
      type: bool
      sample: true
    run_number:
      description: Sequence number of the run (1 for the first run of the pipeline).
      type: int
      sample: 12
    trigger_type:
      description: What started the run, for example C(Manual), C(Scheduler), C(MR), C(Push), C(CreateTag).
      type: str
      sample: Manual
    executor_id:
      description: ID of the user who ran the pipeline.
      type: str
    executor_name:
      description: Name of the user who ran the pipeline.
      type: str
    start_time:
      description: Start of the run, milliseconds since the epoch.
      type: int
      sample: 1677919688000
    end_time:
      description: End of the run, milliseconds since the epoch (C(0) or absent while it runs).
      type: int
      sample: 1677919811000
    stage_status_list:
      description:
        - Status of each stage, with C(name), C(sequence) (0 for the first stage), C(status), C(start_time) and C(end_time).
        - Stage statuses are C(INIT), C(QUEUED), C(RUNNING), C(CANCELED), C(COMPLETED), C(FAILED), C(SKIPPED), C(IGNORED),
          C(PAUSED), C(SUSPEND), C(ASYNC_RUNNING), C(ASYNC_FAILED), C(UNSELECTED), C(REDISPATCH).
      type: list
      elements: dict
    build_params:
      description: Build parameters of the run (branch or tag, commit id, repository ...).
      type: dict
    artifact_params:
      description: Artifact source parameters of the run.
      type: dict
    detail_url:
      description: Address of the run's page in the console.
      type: str
    modify_url:
      description: Address of the pipeline's edit page in the console.
      type: str
missing:
  description: Requested pipeline IDs for which the API returned no run (never ran, or unknown to the project).
  returned: success and when O(wait_until) timed out
  type: list
  elements: str
  sample: [a0000000000000000000000000000004]
missing_reasons:
  description:
    - Flow only (CodeArts does not tell why), for every id of RV(missing), why it has no run, V(never_ran) or
      V(not_found) (no such pipeline in the organization).
  returned: success and when O(wait_until) timed out, for Flow
  type: dict
  sample: {"10007": never_ran, "99999999": not_found}
summary:
  description: Number of pipelines per latest run status (statuses without pipelines are left out).
  returned: success and when O(wait_until) timed out
  type: dict
  sample: {COMPLETED: 170, FAILED: 43, RUNNING: 1}
gates:
  description:
    - With O(wait_until=gate), every gate that waits for a decision in the latest runs read last, in the order of
      O(pipeline_ids) and, within a run, in run order; empty when the wait ended because every run had finished
      (or timed out).
    - Each is the gate as M(devops_cloud.pipelines.stage_review) finds it and as
      M(devops_cloud.pipelines.pipeline_run) with O(devops_cloud.pipelines.pipeline_run#module:wait_until=gate)
      returns it, plus the pipeline and run. Pass its names and ids to M(devops_cloud.pipelines.stage_review),
      O(devops_cloud.pipelines.stage_review#module:pipeline_id) from RV(gates[].pipeline_id), the run
      (C(pipeline_run_id) on CodeArts, C(run_id) on Flow) from the C(run_id) in RV(gates[].ids), and
      O(devops_cloud.pipelines.stage_review#module:stage_name), C(job_name), C(step_name) and C(gate_kind).
  returned: when O(wait_until=gate)
  type: list
  elements: dict
  sample:
    - kind: manual_review
      stage: Review
      job: Approval
      step: manual-review
      ids: {run_id: 5f0c2b1e9d8a4c7b8e6f4a3b2c1d0e9f, stage_id: st2, job_id: j2, step_id: s2}
      status: RUNNING
      state: pending
      pending: true
      pipeline_id: c0000000000000000000000000000003
      pipeline_run_id: 5f0c2b1e9d8a4c7b8e6f4a3b2c1d0e9f
  contains:
    kind:
      description: V(manual_review), V(checkpoint) or V(delay) (CodeArts), V(validation) (Flow).
      type: str
    stage:
      description: Name of the gate's stage.
      type: str
    job:
      description: Name of the gate's job (V(null) for a stage-entry checkpoint).
      type: str
    step:
      description: Name of the gate's step (CodeArts; V(null) on Flow, where a gate is a job).
      type: str
    ids:
      description:
        - The ids the decision call uses, C(run_id) and C(job_id), on CodeArts also C(stage_id) and C(step_id)
          (C(job_id) absent for a stage-entry checkpoint).
      type: dict
    status:
      description: Status of the gate's step (CodeArts) or job (Flow), as the API gave it.
      type: str
    state:
      description: Always V(pending) here.
      type: str
    pending:
      description: Always V(true) here.
      type: bool
    pipeline_id:
      description: The pipeline, as in O(pipeline_ids).
      type: str
    pipeline_run_id:
      description: Its latest run, the one waiting at the gate (the same as C(run_id) in RV(gates[].ids)).
      type: raw
query_result:
  description: Value of O(query) applied to C({pipelines, missing, summary}); its type depends on the expression.
  returned: when O(query) is set
  type: raw
  sample: [a0000000000000000000000000000002]
http_retries:
  description:
    - How many times a request was sent again (reads retried after HTTP 429/5xx or a lost connection, and acting
      calls the server refused and that were sent again).
  returned: always
  type: int
  sample: 0
failures:
  description:
    - When O(wait_until) is set and the wait ended (it held or timed out), one entry per pipeline whose latest run
      ended failed or canceled and, after a timeout, per pipeline whose latest run had not finished; at most 5,
      in the order of O(pipeline_ids). Empty when there is none.
    - Secrets are masked as C(********).
  returned: when O(wait_until) is set and the wait ended
  type: list
  elements: dict
  sample:
    - pipeline_id: c0000000000000000000000000000002
      pipeline_run_id: 5f0c2b1e9d8a4c7b8e6f4a3b2c1d0e9f
      finished: true
      stage: Test
      job: unit-test
      step: run-tests
      status: FAILED
      message: Step execution failed
      log_tail: ["[ERROR] unit-test: 3 tests failed", "Process exited with code 1"]
      log_url: https://devcloud.cn-north-4.huaweicloud.com/cicd/project/0123/pipeline/detail/abcd
      log_error: null
  contains:
    pipeline_id:
      description: The pipeline, as in O(pipeline_ids).
      type: str
    pipeline_run_id:
      description: Its latest run, the one reported.
      type: raw
    finished:
      description:
        - V(true) when the run ended failed or canceled (the entry says where it failed), V(false) when it had not
          finished when the wait timed out (the entry says where it was).
      type: bool
    gate:
      description:
        - For a run that had not finished, the gate it waits at (the first pending one, shaped as an entry of
          RV(gates)), found in the same read of the run; else V(null).
      type: dict
    stage:
      description: Name of the failing (or current) stage; null when the run shows none.
      type: str
    job:
      description: Name of the failing (or current) job; null when the stage shows none.
      type: str
    step:
      description: Name of the failing (or current) step; null when the job shows none.
      type: str
    status:
      description: Status of that step, else job, else stage, as the API gave it.
      type: raw
    message:
      description: The API's message about the failure (at most 500 characters), or null.
      type: str
    log_tail:
      description:
        - The last O(failure_log_lines) lines of the log of that step (or job), decoded, without colour codes,
          scrubbed; empty when the log was not read or could not be.
      type: list
      elements: str
    log_url:
      description: Link to the console page of the step, job or run.
      type: str
    log_error:
      description:
        - Why RV(failures[].log_tail) is empty or does not reach the end of the log (for example
          C(the log could not be read; ... HTTP 403 ...)), or why the run could not be read; null when the log was
          read, or not asked for (O(failure_log_lines=0)).
      type: str
failure:
  description:
    - When O(wait_until) timed out, the entry of RV(failures) of the first pipeline whose run had not finished (where it
      was), as the other waiting modules return C(failure); the task message names the same place (and its gate,
      when it waits at one).
  returned: when O(wait_until) timed out and a run had not finished
  type: dict
requests:
  description: Number of HTTP requests sent, including retries and the reads of O(wait_until).
  returned: always
  type: int
  sample: 3
'''

import re

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba import flow_status
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._clouds import choose_cloud, dual_argument_spec, vendor_params
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._engine import OptionError
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei import codearts
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei.client import HUAWEI_MODULE_KWARGS
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._logs import failure_argument_spec
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._module import PipelineModule
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._query import (
    NoRuns,
    Watch,
    failure_of_wait,
    failure_reports,
    require_jmespath,
)
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._validate import PIPELINE_STATUS_INFO

FLOW_ID = re.compile(r'^[0-9]{1,20}$')  # Flow pipeline ids are numbers; a CodeArts id has 32 letters and digits
BACKENDS = dict(huawei=codearts.latest_runs, alibaba=flow_status.latest_runs)


def infer(params):
    """The cloud the ids belong to: numbers are Flow ids, anything else CodeArts; a mix is an error. None
    for an empty list."""
    flow = [pid for pid in params['pipeline_ids'] if FLOW_ID.match(pid)]
    other = [pid for pid in params['pipeline_ids'] if not FLOW_ID.match(pid)]
    if flow and other:
        raise OptionError('pipeline_ids mixes Alibaba Cloud Flow ids (numbers, e.g. %r) and Huawei Cloud CodeArts '
                          'ids (e.g. %r); list the pipelines of one cloud per task' % (flow[0], other[0]))
    return 'alibaba' if flow else 'huawei' if other else None


def backend(params, register):
    """The reader of the task's cloud (``register`` gets its client), or ``NoRuns`` for an empty list."""
    if not (params['pipeline_ids'] or params['cloud']):
        return NoRuns()  # nothing to read on either cloud, so none needs to be chosen
    cloud = choose_cloud(params, infer)
    options = vendor_params(params, cloud, home='huawei')
    if cloud == 'huawei' and not options.get('project_id'):
        raise OptionError('project_id is required for Huawei Cloud CodeArts pipelines (cloud=huawei)')
    return BACKENDS[cloud](options, register)


def main():
    argument_spec = dual_argument_spec()
    argument_spec.update(
        pipeline_ids=dict(type='list', elements='str', required=True),
        query=dict(type='str'),
        wait_until=dict(type='str'),
        wait_timeout=dict(type='int', default=1800),
        poll_interval=dict(type='float', default=5.0),
    )
    argument_spec.update(failure_argument_spec())
    module = PipelineModule(PIPELINE_STATUS_INFO, argument_spec, result=dict(requests=0), **HUAWEI_MODULE_KWARGS)
    params = module.params
    result = dict(changed=False, requests=0)
    require_jmespath(module, **result)
    with module.reporting(result):
        watch = Watch(params['query'], params['wait_until'])
        runs = backend(params, module.client)
        msg = watch.read(runs, params['pipeline_ids'], params['wait_timeout'], params['poll_interval'], result)
        if params['wait_until'] is not None:
            result['failures'] = failure_reports(runs, result, msg is not None, params['failure_log_lines'],
                                                 module.secret_values())
            result['requests'] = runs.requests()
            if msg:
                failure, msg = failure_of_wait(result['failures'], msg)
                if failure is not None:
                    result['failure'] = failure
    module.finish(result, msg)


if __name__ == '__main__':
    main()
