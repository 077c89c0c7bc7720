#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: pipeline_status_info
short_description: Read the latest run status of many Huawei Cloud CodeArts pipelines
version_added: 0.1.0
description:
  - Reads the latest run of any number of CodeArts Pipeline pipelines with the CodeArts Pipeline v5 API
    C(BatchShowPipelinesLatestStatus) (C(POST /v5/{project_id}/api/pipelines/status)).
  - The ids are sent in batches of at most 100 per request over one HTTP keep-alive session. The API
    reference documents no maximum number of ids per request; 100 is this collection's own bound.
  - Reports each latest run as the API returns it, plus whether it has finished and succeeded, the ids
    of pipelines that never ran, and the number of pipelines per status.
  - Can apply a JMESPath O(query) to the result and wait until all runs finished or an expression holds.
  - The module only reads; it never reports C(changed).
author:
  - devops_cloud.pipelines maintainers (@devops-cloud)
options:
  project_id:
    required: true
  pipeline_ids:
    description:
      - IDs of the pipelines to report (32 letters and digits each), at most 5000 of them (50 requests per read).
      - The result keeps this order. An id given more than once is reported once, at its first position.
      - An empty list sends no request and returns empty results. An empty or blank id fails the task.
    type: list
    elements: str
    required: true
  query:
    description:
      - A JMESPath expression applied to the dictionary C({pipelines, missing, summary}) (the return values of
        the same names); its value is returned as RV(query_result).
      - For example V(pipelines[?status=='FAILED'].pipeline_id) lists the pipelines whose latest run failed.
      - An invalid expression fails the task before any request is sent.
    type: str
  wait_until:
    description:
      - Poll the status until a condition holds, then return the last state.
      - V(finished) (in any case) waits until the latest run of every listed pipeline has finished
        (status C(COMPLETED), C(FAILED), C(CANCELED) or C(IGNORED)). Pipelines that never ran do not hold the
        wait back. C(PAUSED) and C(SUSPEND) runs are not finished; they wait for a person or a resource.
      - "Any other value is a JMESPath expression over C({pipelines, missing, summary}) that must become true
        (in JMESPath terms: anything but V(false), V(null), an empty string, list or object; V(0) is true),
        for example V(length(pipelines[?status=='RUNNING']\\) == `0`)."
      - When O(wait_timeout) passes first, the task fails with the last state read.
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
        ceil(N / 100) requests.
      - Only used with O(wait_until). More than 0, at most 31536000 (365 days).
    type: float
    default: 5.0
extends_documentation_fragment:
  - devops_cloud.pipelines.huawei
  - devops_cloud.pipelines.connection
  - devops_cloud.pipelines.attributes
  - devops_cloud.pipelines.attributes.INFO
  - devops_cloud.pipelines.attributes.HUAWEI_GROUP
requirements:
  - jmespath (for O(query) and for an expression in O(wait_until))
notes:
  - Every option is checked before any request is sent, and a bad value fails the task with a message that names
    the option.
    O(project_id) becomes one segment of a request path, so it must not be empty or blank, V(.) or V(..), and must not
    contain C(/) or a backslash, control characters or surrounding blanks. O(query) and O(wait_until) must not be empty or
    blank and are at most 4096 characters long. O(wait_timeout) and O(poll_interval) are checked even without
    O(wait_until).
  - Run statuses C(COMPLETED), C(FAILED), C(CANCELED) and C(IGNORED) are final (C(IGNORED) is a run that was
    dropped without running); only C(COMPLETED) counts as succeeded. C(RUNNING), C(PAUSED), C(SUSPEND) and
    any status the API may add later are not final.
  - The status read is retried on connection errors, HTTP 429 and 5xx answers (see O(max_retries)); an
    HTTP 200 answer that carries a Huawei error body (C(error_code), C(error_msg)) fails the task with that error.
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
'''

RETURN = r'''
pipelines:
  description:
    - The latest run of every requested pipeline that has one, in the order of O(pipeline_ids), each as the
      API returned it (C(PipelineLatestRun)) plus RV(pipelines[].finished) and RV(pipelines[].succeeded).
    - Only the most used fields are described here; every field the API returns is kept.
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
summary:
  description: Number of pipelines per latest run status (statuses without pipelines are left out).
  returned: success and when O(wait_until) timed out
  type: dict
  sample: {COMPLETED: 170, FAILED: 43, RUNNING: 1}
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
requests:
  description: Number of HTTP requests sent, including retries and the reads of O(wait_until).
  returned: always
  type: int
  sample: 3
'''

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei import codearts
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei.client import (
    HUAWEI_MODULE_KWARGS,
    huawei_argument_spec,
)
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._module import PipelineModule
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._query import Watch, require_jmespath
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._validate import PIPELINE_STATUS_INFO


def main():
    argument_spec = huawei_argument_spec()
    argument_spec['project_id'] = dict(argument_spec['project_id'], required=True)
    argument_spec.update(
        pipeline_ids=dict(type='list', elements='str', required=True),
        query=dict(type='str'),
        wait_until=dict(type='str'),
        wait_timeout=dict(type='int', default=1800),
        poll_interval=dict(type='float', default=5.0),
    )
    module = PipelineModule(PIPELINE_STATUS_INFO, argument_spec, result=dict(requests=0), **HUAWEI_MODULE_KWARGS)
    params = module.params
    result = dict(changed=False, requests=0)
    require_jmespath(module, **result)
    with module.reporting(result):
        watch = Watch(params['query'], params['wait_until'])
        runs = codearts.latest_runs(params, module.client)
        msg = watch.read(runs, params['pipeline_ids'], params['wait_timeout'], params['poll_interval'], result)
    module.finish(result, msg)


if __name__ == '__main__':
    main()
