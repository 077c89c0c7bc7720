#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: pipeline_action
short_description: Start, stop, continue, approve, retry or roll back a Huawei Cloud ServiceStage release task
version_added: 0.1.0
description:
  - Acts on a ServiceStage release task (the new release management, "pipelines" in the v3 API) with
    C(POST /v3/{project_id}/pipeline/pipelines/{pipeline_id}/action?action_id=...).
  - Reads the task's status first (C(GET /v3/{project_id}/pipeline/pipelines/{pipeline_id}), and the task list
    when the detail has no status) and only sends the action when the status calls for it, so that re-running
    a task does not start or stop anything twice.
  - "Status integers of a release task: V(1) initialised, V(2) release succeeded, V(3) release failed,
    V(4) releasing, V(5) awaiting approval, V(7) paused, V(9) skipped, V(10) rolling back,
    V(11) rollback succeeded, V(12) rollback failed, V(13) stopping, V(14) restarting."
  - "Per action, by status:
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
  - If the answer to the action is lost (connection reset, read timeout, HTTP 5xx), the module reads the
    task again and adopts the action when the status shows that it took effect, instead of sending it twice;
    otherwise the task fails and says that the action was not sent again. Only an action the server refused
    (HTTP 429 or 503) is sent again.
extends_documentation_fragment:
  - devops_cloud.pipelines.huawei
  - devops_cloud.pipelines.connection
  - devops_cloud.pipelines.wait
  - devops_cloud.pipelines.failure
  - devops_cloud.pipelines.attributes
  - devops_cloud.pipelines.attributes.ACTIONS
  - devops_cloud.pipelines.attributes.HUAWEI_GROUP
options:
  pipeline_id:
    description:
      - ID of the release task, as returned by the ServiceStage release task list
        (C(GET /v3/{project_id}/pipeline/pipelines)).
      - O(project_id) is required as well.
      - It is one segment of the request path; see the notes for the values that are refused.
    type: str
    required: true
  action:
    description:
      - What to do. Sent as the C(action_id) query parameter.
      - V(retry) and V(rollback) are listed by the current vendor documentation only.
    type: str
    required: true
    choices: [start, stop, continue, approval, retry, rollback]
  selected_tasks:
    description:
      - Tasks to execute, per stage. Sent as C(selected_tasks).
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
      - Name of the task the action concerns, sent as C(task_name).
      - Required with O(action=approval) (the name of the approval task that waits). Must not be empty or blank.
      - With O(action=approval), when the release task's detail lists its tasks and shows that no task of this name
        awaits approval, the task fails before sending anything, in check mode too, as the server would refuse it.
    type: str
  approval_result:
    description:
      - The decision of an O(action=approval), sent as C(approval_type).
      - V(agree) approves and the release continues; V(refuse) rejects and the release ends as
        release failed (3). The wire values are exactly these (vendor documentation of the action call).
      - Required with O(action=approval).
    type: str
    choices: [agree, refuse]
  skip_if_succeeded:
    description:
      - With O(action=start), send nothing and report C(changed=false) when the release task's status is
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
      - Free text sent with the action as C(message), for example the approval comment.
      - Named O(comment) because C(message) is reserved by Ansible for module options.
    type: str
  wait:
    description:
      - After acting, wait until the task leaves the transient states releasing (4), rolling back (10),
        stopping (13) and restarting (14), and any status the vendor does not document.
      - Waiting also ends at a pause (7) or an approval (5), which the result reports.
      - The module fails when the task ends as release failed (3) or rollback failed (12), with the same
        data a success returns, except where that is the intended outcome (O(action=stop), and
        O(action=approval) with O(approval_result=refuse)).
    type: bool
    default: true
notes:
  - ServiceStage offers no log of the tasks of a release task. When the release fails, RV(failure.job) names the task
    that failed (from the task list of the release task) and RV(failure.log_tail) holds the entry of the execution in
    the release task history (C(GET /v3/{project_id}/pipeline/pipelines/{id}/records)), its status, mode, trigger,
    executor, times and failed task. A release stopped by O(action=stop) is no failure and gets no report.
  - Every option is checked before any request is sent, and a bad value fails the task with a message that names
    the option.
    Ids that become one segment of a request path (O(project_id), O(pipeline_id)) must not be empty or blank,
    must not be V(.) or V(..) (a dot segment changes the path the request goes to), and must not contain C(/) or a
    backslash (no ServiceStage id has one, and a gateway that decodes C(%2F) would split the segment), control
    characters (CR, LF ...) or surrounding blanks. Ids and names are at most 256 characters long, O(comment) at most
    4096 (line breaks allowed). O(region) is a region id such as V(cn-north-4) (it becomes part of a host name).
  - An O(action=approval) that was already decided fails on a re-run, with the task's current status in the
    message, because the API offers no way to read which decision an approval task received.
  - The C(Content-Type) of the action call is sent as C(application/json;charset=utf8), as the vendor documents it.
  - The endpoint is built as C(https://servicestage.{region}.myhuaweicloud.com) unless O(endpoint) is set.
seealso:
  - name: Operating a release task (ServiceStage API)
    description: The action call, its action types and the approval values.
    link: https://support.huaweicloud.com/intl/en-us/api-servicestage/servicestage_06_0248.html
  - name: Obtaining the release task list (ServiceStage API)
    description: The status integers of a release task.
    link: https://support.huaweicloud.com/intl/en-us/api-servicestage/servicestage_06_0246.html
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
'''

RETURN = r'''
changed:
  description: Whether the action was sent (or, in check mode, would be sent).
  returned: always
  type: bool
execution_id:
  description:
    - ID of the execution the action started or acted on (C(id) of the action's answer).
    - When nothing was sent, in check mode, or when a lost answer was adopted, the execution the task record
      names (C(execution_id)), if it names one; V(null) otherwise.
  returned: always
  type: str
  sample: "286541"
status:
  description: Status integer of the release task after the action (after waiting, when O(wait=true)).
  returned: always
  type: int
  sample: 2
status_name:
  description: The status in words.
  returned: always
  type: str
  sample: release succeeded
previous_status:
  description: Status integer read before acting.
  returned: always
  type: int
  sample: 1
previous_status_name:
  description: The status read before acting, in words.
  returned: always
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
  returned: when nothing was sent
  type: str
  sample: "the release task is already under way: it is 'releasing' (4)"
response:
  description: The answer of the action call (C(id), C(pipeline_id), C(status)).
  returned: when the action was sent
  type: dict
  sample: {"id": "286541", "pipeline_id": "4105b37a-947e-4aca-90d8-cec7c04c6f38", "status": 4}
task:
  description:
    - The release task record as the API returns it (detail, completed from the task list), with the
      C(status) this result reports.
  returned: always
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
