# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Huawei Cloud ServiceStage release tasks, the backend of ``pipeline_action`` (internal use only; the API may
change without notice).

Release tasks ("pipelines" in the ServiceStage v3 paths) are read through the detail call
``GET /v3/{project_id}/pipeline/pipelines/{id}`` and, when that record carries no status, the list call
``GET /v3/{project_id}/pipeline/pipelines`` (documented as ``{"pipelines": [...]}``, exemplified as a bare
array: both are accepted). They are acted on with ``POST .../pipelines/{id}/action?action_id=...``
(CONTRACTS.md section 2).

Data: the status table (``RELEASE_STATUSES``, and ``TASK_STATUSES`` of the tasks a release task lists), the
action plan table (``RULES``: per action, the statuses in which it is sent and those in which it is already
done) and what each action's wait reads as a failure (``action_statuses``). ``run_action`` carries an action
out: read, plan, act once (``_http.guarded_action``), wait and judge (``_engine.await_run`` and ``judge``).

Failure reports (``_logs.failure_report``): the record's task list is the run's stages and jobs
(``normalize_release``). ServiceStage offers no log of a task; ``fetch_log`` reads the execution's entry of the
release task history instead (``GET .../pipelines/{id}/records``, CONTRACTS-2 section 13) and shows it as a few
lines (status, mode, trigger, executor, times, the failed task).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import functools

from ansible_collections.devops_cloud.pipelines.plugins.module_utils import _status
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._engine import (
    OptionError,
    Outcome,
    RunTarget,
    await_run,
    judge,
)
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._http import ApiError, guarded_action
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei.client import make_client, path_param
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._status import StatusTable

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
# What the statuses mean. 4, 10, 13 and 14 are left undeclared: live, as any status the API may add.
RELEASE_STATUSES = StatusTable(success=(SUCCEEDED,), failure=(FAILED, ROLLBACK_FAILED), skipped=(SKIPPED,),
                               waiting=(AWAITING_APPROVAL, PAUSED), idle=(INITIALISED, ROLLBACK_SUCCEEDED),
                               names=STATUS_NAMES)
# States the task leaves by itself; waiting ends when the task is in none of them.
TRANSIENT = frozenset(STATUS_NAMES) - RELEASE_STATUSES.statuses(*_status.KINDS)
# Final states that mean the work failed.
FAILURES = RELEASE_STATUSES.statuses(_status.FAILURE)
# An execution is under way (running, or held at a pause or an approval).
UNDER_WAY = RELEASE_STATUSES.statuses(_status.WAITING) | frozenset([RELEASING, RESTARTING])
# No execution is under way.
AT_REST = RELEASE_STATUSES.statuses(_status.SUCCESS, _status.FAILURE, _status.SKIPPED, _status.IDLE)

# Per action: states in which it is sent, states in which it is already done (changed: false).
# Any other state fails with the task's actual state in words.
RULES = {
    'start': (AT_REST, UNDER_WAY),
    'stop': (UNDER_WAY | frozenset([ROLLING_BACK]), AT_REST | frozenset([STOPPING])),
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
# A task awaits an approval while it is waiting; it certainly does not while it is in any other declared status or
# in ``TASK_RUNNING`` (live, undeclared). The module refuses an approval only then: an unknown status is left to
# the server.
TASK_STATUSES = StatusTable(success=('success', 'succeeded'), failure=('failed',),
                            canceled=('canceled', 'cancelled', 'stopped'), skipped=('skipped', 'not_selected'),
                            idle=('pending', 'init', 'initialised', 'initialized'),
                            waiting=('waiting', 'wait', 'awaiting_approval', 'pending_approval', 'approving'))
TASK_RUNNING = frozenset(['RUNNING', 'RELEASING', 'PAUSED', 'STOPPING'])


def status_name(status):
    """The status in words ('unknown status 42' for values the vendor does not document)."""
    if status is None:
        return 'unknown (no status)'
    return STATUS_NAMES.get(status, 'unknown status %s' % status)


def describe(status):
    """``'releasing' (4)`` -- how messages name a status."""
    return "'%s' (%s)" % (status_name(status), status)


def is_failure(status, action=None, approval_result=None):
    """Whether a final status means the action failed (stop and refused approvals expect failure)."""
    if status not in FAILURES:
        return False
    return status not in EXPECTED_FAILURES.get(_key(action, approval_result), frozenset())


def _key(action, approval_result):
    """How the tables above name an action: an approval with its decision."""
    return 'approval/%s' % approval_result if action == 'approval' else action


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
    waiting = [str(task.get('name')) for task in tasks if TASK_STATUSES.waiting(task.get('status'))]
    hint = ('; the task awaiting approval is %s' % ', '.join(repr(name) for name in waiting)) if waiting else ''
    named = [task for task in tasks if task.get('name') == task_name]
    if not named:
        return 'the release task has no task named %r%s' % (task_name, hint)
    status = named[0].get('status')
    if TASK_STATUSES.kind(status) not in _status.LIVE_KINDS or _status.norm(status) in TASK_RUNNING:
        return 'task %r is not awaiting approval, it is %r%s' % (task_name, status, hint)
    return None


def diff_state(record, execution=None):
    """The state ``--diff`` shows of a release task: status (number and words) and execution id."""
    return dict(status=record['status'], status_name=status_name(record['status']),
                execution_id=execution if execution is not None else execution_id(None, record))


def predicted_state(action, approval_result, record):
    """``diff_state`` after ``action`` as check mode predicts it: the status the action moves the task into first;
    an action that starts a new execution (start, rollback) has no execution id yet."""
    state = diff_state(dict(record, status=NEXT_STATUS[_key(action, approval_result)]))
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


class ReleaseTask(RunTarget):
    """One release task of a project, over a ``HuaweiClient`` for the ``servicestage`` host: its reads and its
    action call, and the ``RunTarget`` interface the engine waits and judges with. ``statuses``: how the wait
    reads them, by default ``RELEASE_STATUSES``; the wait after an action uses ``action_statuses``."""

    kind = 'release task'
    step_statuses = TASK_STATUSES

    def __init__(self, client, project_id, task_id, statuses=None):
        if not project_id:
            raise ApiError('project_id is required for ServiceStage release tasks (or set HUAWEICLOUD_SDK_PROJECT_ID)')
        self.client = client
        self.task_id = task_id
        self.statuses = statuses or RELEASE_STATUSES
        self.base = '/v3/%s/pipeline/pipelines' % path_param(project_id)

    def id_of(self, record):
        return record.get('id') or self.task_id

    def get(self, run_id=None):
        """The detail record of the task (or of task ``run_id``) with an integer ``status``, taken from the list
        when the detail lacks it."""
        task_id = self.task_id if run_id is None else run_id
        path = '%s/%s' % (self.base, path_param(task_id))
        record = self.client.call('GET', path)
        if not isinstance(record, dict):
            raise ApiError('the release task detail of %s is not a JSON object' % task_id, method='GET', path=path)
        record = dict(record)
        status = to_status(record.get('status'))
        if status is None:
            for entry in list_entries(self.client.call('GET', self.base)):
                if str(entry.get('id')) == str(task_id):
                    status = to_status(entry.get('status'))
                    for key, value in entry.items():
                        record.setdefault(key, value)
                    break
        if status is None:
            raise ApiError('the status of release task %s could not be read (neither its detail nor the task list '
                           'has a status)' % task_id, method='GET', path=path)
        record['status'] = status
        return record

    def adopt(self, before):
        """Probe of an uncertain action: the task as read now, when it shows that the action took effect."""
        now = self.get()
        return now if took_effect(before[0], now) else None

    def act(self, action, body):
        """Send one action (never retried by the transport: ``run_action`` wraps it in ``guarded_action``)."""
        return self.client.call('POST', '%s/%s/action' % (self.base, path_param(self.task_id)),
                                query=[('action_id', action)], body=body, idempotent=False,
                                content_type=ACTION_CONTENT_TYPE)

    def fetch_log(self, where, lines):
        """The history record of the execution (``where['record']``'s ``execution_id``, else the newest) as lines."""
        record = where.get('record') or {}
        wanted = execution_id(None, record)
        path = '%s/%s/records' % (self.base, path_param(self.task_id))

        def fetch_page(offset):
            entries = self.client.call('GET', path)
            entries = entries.get('records') if isinstance(entries, dict) else entries
            entries = [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []
            entry = next((e for e in entries if wanted is not None and str(e.get('id')) == wanted), None)
            entry = entry or (entries[0] if entries else None)
            if entry is None:
                return 'the release task history lists no execution', None
            if entry.get('failed_task') and not where.get('step') and not where.get('job'):
                where['step'] = dict(name=entry['failed_task'])
            return '\n'.join(record_lines(entry)), None
        return fetch_page

    def verdict(self, outcome, wait_timeout):
        """The failure message of a wait (``judge``'s words), or None."""
        msg = judge(outcome, 'finished', self, wait_timeout)[0]
        if outcome.timed_out:
            msg += '; the wait ended, not the release task: it is still %s' % self.statuses.label(
                self.status_of(outcome.unfinished))
        return msg


def action_statuses(action, approval_result=None):
    """The statuses as the wait after ``action`` reads them: it ends when the task leaves the transient statuses
    (at a pause or an approval too), and fails only on a failure the action did not mean (``is_failure``)."""
    ended = sorted(frozenset(STATUS_NAMES) - TRANSIENT)
    failed = [status for status in ended if is_failure(status, action, approval_result)]
    return StatusTable(success=[status for status in ended if status not in failed], failure=failed,
                       names=STATUS_NAMES)


def normalize_release(record):
    """The release task ``record`` in the normalised run shape of ``_status``: its stages, their tasks as jobs."""
    record = record if isinstance(record, dict) else {}
    declaration = record.get('pipeline_declaration')
    stages = declaration.get('stages') if isinstance(declaration, dict) else record.get('stages')
    return dict(id=record.get('id'), status=record.get('status'), stages=[
        dict(name=stage.get('name'), status=stage.get('status'),
             jobs=[dict(name=task.get('name'), status=task.get('status'), message=task.get('message'))
                   for task in stage.get('tasks') or [] if isinstance(task, dict)])
        for stage in stages or [] if isinstance(stage, dict)])


def record_lines(entry):
    """An entry of the release task history as lines of text."""
    status = to_status(entry.get('status'))
    lines = ['execution %s (%s, trigger %s, by %s): %s' % (
        entry.get('id'), entry.get('mode') or 'release', entry.get('trigger'), entry.get('executor'),
        describe(status) if status is not None else entry.get('status'))]
    for key in ('start_time', 'end_time'):
        if entry.get(key) is not None:
            lines.append('%s: %s' % (key.replace('_', ' '), entry[key]))
    if entry.get('failed_task'):
        lines.append('failed task: %s' % entry['failed_task'])
    return lines


def run_action(task, params, result, check_mode=False, diff=False, report=None):
    """Carry out the ``action`` of ``pipeline_action``'s options on ``task``, filling ``result`` as it goes: read,
    decide by the plan table, act once, then read once more or wait and judge. Returns the failure message or
    None; a note on why nothing was sent is the ``msg`` of ``result``. ``report``: after a wait,
    ``report(result, outcome, task, msg, run=...)`` returns the message (``_module.PipelineModule.report_failure``)."""
    action, choice = params['action'], params['approval_result']
    before = task.get()
    result.update(previous_status=before['status'], previous_status_name=status_name(before['status']))
    _set_state(result, before)
    decision, why = plan(action, before['status'], params['skip_if_succeeded'], before, params['task_name'])
    if decision == 'fail':
        return 'release task %s: %s' % (task.task_id, why)
    if decision == 'noop' or check_mode:
        result['execution_id'] = execution_id(None, before)
        if decision == 'noop':
            result['msg'] = why
        result['changed'] = decision == 'act'
        after = predicted_state(action, choice, before) if decision == 'act' else diff_state(before)
        _set_diff(result, diff, before, after)
        return None
    result['changed'] = True
    body = action_body(params['selected_tasks'], params['task_name'], choice, params['comment'])
    answer, adopted = guarded_action(functools.partial(task.act, action, body), functools.partial(task.adopt, [before]))
    result['adopted'] = adopted
    if not adopted:
        result.update(response=answer, execution_id=execution_id(answer))
    outcome = Outcome()
    if params['wait']:
        # the wait starts from what the action showed while that is transient, else it reads at once
        known = answer if adopted else dict(id=task.task_id, status=to_status(
            answer.get('status') if isinstance(answer, dict) else None))
        first = known if known['status'] is not None and task.statuses.live(known['status']) else None
        outcome.record = await_run(task, outcome, task.task_id, first, params['wait_timeout'], params['poll_interval'])
        result['wait'] = dict(polls=outcome.polls, elapsed=round(outcome.elapsed, 3))
    else:
        outcome.record = answer if adopted else task.get()
    _set_state(result, outcome.record)
    result['execution_id'] = result['execution_id'] or execution_id(None, outcome.record)
    _set_diff(result, diff, before, diff_state(outcome.record, result['execution_id']))
    if not outcome.waited:
        return None
    msg = task.verdict(outcome, params['wait_timeout'])
    if report is not None:
        record = outcome.unfinished if outcome.timed_out and outcome.unfinished is not None else outcome.record
        msg = report(result, outcome, task, msg, run=normalize_release(record))
    return msg


def _set_state(result, record):
    result.update(task=record, status=record['status'], status_name=status_name(record['status']))


def _set_diff(result, diff, before, after):
    """``diff`` in diff mode: the task's state read first, and after the action (or as predicted)."""
    if diff:
        result['diff'] = dict(before=diff_state(before), after=after)


def release_task(params, register=None):
    """The backend of ``pipeline_action``: options checked, then the client made (``register`` gets it, for its
    retry count); sends nothing."""
    if params['skip_if_succeeded'] and params['action'] != 'start':
        raise OptionError('skip_if_succeeded is only used with action=start (got action=%s)' % params['action'])
    client = make_client(params, SERVICE)
    return ReleaseTask(register(client) if register else client, params['project_id'], params['pipeline_id'],
                       action_statuses(params['action'], params['approval_result']))


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
