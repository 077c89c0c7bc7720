# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Huawei ServiceStage release task calls (internal use only; the API may change without notice).

Release tasks ("pipelines" in the ServiceStage v3 paths) are read through the detail call
``GET /v3/{project_id}/pipeline/pipelines/{id}`` and, when that record carries no status, the list call
``GET /v3/{project_id}/pipeline/pipelines`` (documented as ``{"pipelines": [...]}``, exemplified as a bare
array: both are accepted). They are acted on with ``POST .../pipelines/{id}/action?action_id=...``
(CONTRACTS.md section 2). The status tables and the decisions "what does this action do in this state"
are pure functions here, so modules stay thin and the rules are unit-tested once.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._http import ApiError
from ansible_collections.devops_cloud.pipelines.plugins.module_utils.huawei import path_param

SERVICE = 'servicestage'
# Exactly as the vendor documents the header of the action call.
ACTION_CONTENT_TYPE = 'application/json;charset=utf8'

ACTIONS = ('start', 'stop', 'continue', 'approval', 'retry', 'rollback')
# Module option value -> wire value of ``approval_type`` (vendor docs: "agree" or "refuse").
APPROVAL_TYPES = {'agree': 'agree', 'refuse': 'refuse'}

# Release task status integers (ServiceStage "Obtaining the Release Task List", CONTRACTS section 2).
INITIALISED = 1
SUCCEEDED = 2
FAILED = 3
RELEASING = 4
AWAITING_APPROVAL = 5
PAUSED = 7
SKIPPED = 9
ROLLING_BACK = 10
ROLLBACK_SUCCEEDED = 11
ROLLBACK_FAILED = 12
STOPPING = 13
RESTARTING = 14

STATUS_NAMES = {
    INITIALISED: 'initialised',
    SUCCEEDED: 'release succeeded',
    FAILED: 'release failed',
    RELEASING: 'releasing',
    AWAITING_APPROVAL: 'awaiting approval',
    PAUSED: 'paused',
    SKIPPED: 'skipped',
    ROLLING_BACK: 'rolling back',
    ROLLBACK_SUCCEEDED: 'rollback succeeded',
    ROLLBACK_FAILED: 'rollback failed',
    STOPPING: 'stopping',
    RESTARTING: 'restarting',
}
# States the task leaves by itself; waiting ends when the task is in none of them.
TRANSIENT = frozenset([RELEASING, ROLLING_BACK, STOPPING, RESTARTING])
# Final states that mean the work failed.
FAILURES = frozenset([FAILED, ROLLBACK_FAILED])
# An execution is under way (running, or held at a pause or an approval).
IN_PROGRESS = frozenset([RELEASING, AWAITING_APPROVAL, PAUSED, RESTARTING])
# No execution is under way.
IDLE = frozenset([INITIALISED, SUCCEEDED, FAILED, SKIPPED, ROLLBACK_SUCCEEDED, ROLLBACK_FAILED])

# Per action: states in which it is sent, states in which it is already done (changed: false).
# Any other state fails with the task's actual state in words.
RULES = {
    'start': (IDLE, IN_PROGRESS),
    'stop': (IN_PROGRESS | frozenset([ROLLING_BACK]), IDLE | frozenset([STOPPING])),
    'continue': (frozenset([PAUSED]), frozenset([RELEASING, RESTARTING])),
    'approval': (frozenset([AWAITING_APPROVAL]), frozenset()),
    'retry': (frozenset([FAILED]), frozenset([RELEASING, RESTARTING])),
    'rollback': (frozenset([SUCCEEDED, FAILED]), frozenset([ROLLING_BACK, ROLLBACK_SUCCEEDED])),
}
# Final states that are the intended outcome of an action even though they are failures in general.
EXPECTED_FAILURES = {
    'stop': FAILURES,  # a stopped release may end as "release failed"
    'approval/refuse': frozenset([FAILED]),  # refusing an approval ends the release as failed
}


def status_name(status):
    """The status in words ('unknown status 42' for values the vendor does not document)."""
    if status is None:
        return 'unknown (no status)'
    return STATUS_NAMES.get(status, 'unknown status %s' % status)


def describe(status):
    """``'releasing' (4)`` -- how messages name a status."""
    return "'%s' (%s)" % (status_name(status), status)


def is_transient(status):
    return status in TRANSIENT


def is_failure(status, action=None, approval_result=None):
    """Whether a final status means the action failed (stop and refused approvals expect failure)."""
    if status not in FAILURES:
        return False
    key = 'approval/%s' % approval_result if action == 'approval' else action
    return status not in EXPECTED_FAILURES.get(key, frozenset())


def plan(action, status, skip_if_succeeded=False):
    """Decide what ``action`` does in ``status``: ``('act', None)``, ``('noop', why)`` or ``('fail', why)``.

    ``skip_if_succeeded``: a ``start`` of a release task that already succeeded (2) is a no-op.
    """
    if skip_if_succeeded and action == 'start' and status == SUCCEEDED:
        return 'noop', 'the release task already succeeded and skip_if_succeeded is set: it is %s' % describe(status)
    act_in, done_in = RULES[action]
    if status in act_in:
        return 'act', None
    if status in done_in:
        return 'noop', _NOOP_REASONS[action] % describe(status)
    return 'fail', _FAIL_REASONS[action] % describe(status)


_NOOP_REASONS = {
    'start': 'the release task is already under way: it is %s',
    'stop': 'nothing runs that could be stopped: the release task is %s',
    'continue': 'the release task is not paused but already running again: it is %s',
    'approval': 'the release task is %s',
    'retry': 'the release task is already running again: it is %s',
    'rollback': 'the release task is already rolled back or rolling back: it is %s',
}
_FAIL_REASONS = {
    'start': 'cannot start the release task while it is %s; wait until it settles and run again',
    'stop': 'cannot stop the release task: it is %s',
    'continue': 'cannot continue the release task: only a paused task can continue, and it is %s',
    'approval': 'cannot approve or refuse: the release task is not awaiting approval, it is %s',
    'retry': 'cannot retry the release task: only a failed release can be retried, and it is %s',
    'rollback': 'cannot roll back the release task: only a succeeded or failed release can be rolled back, and it is %s',
}


def to_status(value):
    """A status integer from a record value (the API documents integers; strings of digits are accepted)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def list_entries(data):
    """The task entries of a list answer: ``{"pipelines": [...]}`` (docs' table) or a bare array (docs' example)."""
    if isinstance(data, list):
        return [item for item in data if isinstance(item, dict)]
    if isinstance(data, dict):
        for key in ('pipelines', 'items', 'data'):
            if isinstance(data.get(key), list):
                return [item for item in data[key] if isinstance(item, dict)]
    return []


def action_body(selected_tasks=None, task_name=None, approval_result=None, message=None):
    """Request body of the action call; only the fields that are set (an empty object when none is).

    ``selected_tasks`` is sent whenever it is given: an empty list is never dropped, because the API reads an
    absent list as "all tasks" (``_validate`` refuses an empty list before any request).
    """
    body = {}
    if selected_tasks is not None:
        body['selected_tasks'] = [dict(stage_name=item['stage_name'], tasks=list(item.get('tasks') or []))
                                  for item in selected_tasks]
    if task_name is not None:
        body['task_name'] = task_name
    if approval_result:
        body['approval_type'] = APPROVAL_TYPES[approval_result]
    if message:
        body['message'] = message
    return body


class ReleaseTasks:
    """Calls on the release tasks of one project over a ``HuaweiClient`` for the ``servicestage`` host."""

    def __init__(self, client, project_id):
        if not project_id:
            raise ApiError('project_id is required for ServiceStage release tasks (or set HUAWEICLOUD_SDK_PROJECT_ID)')
        self.client = client
        self.base = '/v3/%s/pipeline/pipelines' % path_param(project_id)

    def list(self):
        """Every release task entry of the project (both documented answer shapes)."""
        return list_entries(self.client.call('GET', self.base))

    def get(self, task_id):
        """The task's detail record with an integer ``status``, taken from the list when the detail lacks it."""
        record = self.client.call('GET', '%s/%s' % (self.base, path_param(task_id)))
        if not isinstance(record, dict):
            raise ApiError('the release task detail of %s is not a JSON object' % task_id,
                           method='GET', path='%s/%s' % (self.base, task_id))
        record = dict(record)
        status = to_status(record.get('status'))
        if status is None:
            for entry in self.list():
                if str(entry.get('id')) == str(task_id):
                    status = to_status(entry.get('status'))
                    for key, value in entry.items():
                        record.setdefault(key, value)
                    break
        if status is None:
            raise ApiError('the status of release task %s could not be read (neither its detail nor the task list '
                           'has a status)' % task_id, method='GET', path='%s/%s' % (self.base, task_id))
        record['status'] = status
        return record

    def act(self, task_id, action, body):
        """Send one action (never retried by the transport: callers wrap it in ``guarded_action``)."""
        return self.client.call('POST', '%s/%s/action' % (self.base, path_param(task_id)),
                                query=[('action_id', action)], body=body, idempotent=False,
                                content_type=ACTION_CONTENT_TYPE)


def took_effect(before, after):
    """Probe evidence: the state read after an uncertain action differs from the state before it."""
    if after.get('status') != before.get('status'):
        return True
    for key in ('last_trigger_at', 'update_time'):
        if before.get(key) is not None and after.get(key) is not None and before.get(key) != after.get(key):
            return True
    return False


def execution_id(answer, record=None):
    """The execution id from an action answer (``id``), else from the record when it names one."""
    for source, keys in ((answer, ('id', 'execution_id')), (record, ('execution_id', 'last_execution_id'))):
        if isinstance(source, dict):
            for key in keys:
                if source.get(key) not in (None, ''):
                    return str(source[key])
    return None
