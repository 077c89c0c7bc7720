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
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei.client import path_param

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


# What an action moves the task into first (the status check mode predicts for ``--diff``).
NEXT_STATUS = {
    'start': RELEASING,
    'stop': STOPPING,
    'continue': RELEASING,
    'approval/agree': RELEASING,
    'approval/refuse': FAILED,
    'retry': RELEASING,
    'rollback': ROLLING_BACK,
}

# Statuses of one task in the detail record's task list (``pipeline_declaration.stages[].tasks[].status``).
# A task waits for an approval while it is in one of the first; in one of the second it certainly does not.
# The module refuses an approval only on a status of the second set: an unknown one is left to the server.
TASK_WAITING = frozenset(['waiting', 'wait', 'awaiting_approval', 'pending_approval', 'approving'])
TASK_NOT_WAITING = frozenset(['pending', 'init', 'initialised', 'initialized', 'not_selected', 'running', 'releasing',
                              'paused', 'success', 'succeeded', 'failed', 'canceled', 'cancelled', 'skipped',
                              'stopping', 'stopped'])


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


def plan(action, status, skip_if_succeeded=False, record=None, task_name=None):
    """Decide what ``action`` does in ``status``: ``('act', None)``, ``('noop', why)`` or ``('fail', why)``.

    ``skip_if_succeeded``: a ``start`` of a release task that already succeeded (2) is a no-op.
    ``record``, ``task_name``: an approval fails when the record's task list shows that ``task_name`` is not
    the task awaiting approval (see ``approval_problem``), as the server would refuse it.
    """
    if skip_if_succeeded and action == 'start' and status == SUCCEEDED:
        return 'noop', 'the release task already succeeded and skip_if_succeeded is set: it is %s' % describe(status)
    act_in, done_in = RULES[action]
    if status in act_in:
        problem = approval_problem(record, task_name) if action == 'approval' and record else None
        if problem:
            return 'fail', 'cannot approve or refuse: %s' % problem
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


def listed_tasks(record):
    """The tasks of the detail record (``pipeline_declaration.stages[].tasks[]``, or ``stages[].tasks[]``),
    or None when the record lists none."""
    declaration = record.get('pipeline_declaration')
    stages = declaration.get('stages') if isinstance(declaration, dict) else record.get('stages')
    if not isinstance(stages, list):
        return None
    tasks = [task for stage in stages if isinstance(stage, dict) and isinstance(stage.get('tasks'), list)
             for task in stage['tasks'] if isinstance(task, dict)]
    return tasks or None


def approval_problem(record, task_name):
    """Why the server would refuse an approval of ``task_name`` on a task awaiting approval (5), read from the
    record's task list; None when the named task waits, or when the record does not tell.

    The status of the release task says that some task awaits approval, not which one: a wrong name is
    refused by the server with HTTP 400, after check mode predicted a change. The task list names it.
    """
    tasks = listed_tasks(record)
    if tasks is None:
        return None
    waiting = [str(task.get('name')) for task in tasks if str(task.get('status') or '').lower() in TASK_WAITING]
    hint = ('; the task awaiting approval is %s' % ', '.join(repr(name) for name in waiting)) if waiting else ''
    named = [task for task in tasks if task.get('name') == task_name]
    if not named:
        return 'the release task has no task named %r%s' % (task_name, hint)
    status = str(named[0].get('status') or '').lower()
    if status in TASK_NOT_WAITING:
        return 'task %r is not awaiting approval, it is %r%s' % (task_name, named[0].get('status'), hint)
    return None


def diff_state(record, execution=None):
    """The state ``--diff`` shows of a release task: status (number and words) and execution id."""
    return dict(status=record['status'], status_name=status_name(record['status']),
                execution_id=execution if execution is not None else execution_id(None, record))


def predicted_state(action, approval_result, record):
    """``diff_state`` after ``action`` as check mode predicts it: the status the action moves the task into first;
    an action that starts a new execution (start, rollback) has no execution id yet."""
    key = 'approval/%s' % approval_result if action == 'approval' else action
    state = diff_state(dict(record, status=NEXT_STATUS[key]))
    if action in ('start', 'rollback'):
        state['execution_id'] = None
    return state


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
