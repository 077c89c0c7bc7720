# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""module_utils/_huawei/servicestage.py: status tables, the action plan table, the action wait and its verdict."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._engine import OptionError, Outcome, await_run
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._http import ApiError
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei import servicestage as ss

DOCUMENTED = (1, 2, 3, 4, 5, 7, 9, 10, 11, 12, 13, 14)


def test_every_documented_status_has_a_name():
    assert sorted(ss.STATUS_NAMES) == list(DOCUMENTED)
    assert ss.status_name(42) == 'unknown status 42'
    assert ss.describe(4) == "'releasing' (4)"


def test_transient_and_failures():
    assert sorted(ss.TRANSIENT) == [4, 10, 13, 14]
    assert sorted(ss.FAILURES) == [3, 12]
    assert ss.is_failure(3, 'start') and ss.is_failure(12, 'rollback')
    assert not ss.is_failure(3, 'stop')
    assert not ss.is_failure(3, 'approval', 'refuse') and ss.is_failure(3, 'approval', 'agree')
    assert not ss.is_failure(2, 'start')


@pytest.mark.parametrize('action', ss.ACTIONS)
def test_rules_cover_every_status_exactly_once(action):
    act_in, done_in = ss.RULES[action]
    assert not act_in & done_in
    for status in DOCUMENTED + (42,):
        decision, why = ss.plan(action, status)
        assert decision in ('act', 'noop', 'fail')
        if decision != 'act':
            assert ss.status_name(status) in why


@pytest.mark.parametrize('action,status,decision', [
    ('start', 1, 'act'), ('start', 4, 'noop'), ('start', 13, 'fail'),
    ('stop', 4, 'act'), ('stop', 2, 'noop'), ('stop', 13, 'noop'),
    ('continue', 7, 'act'), ('continue', 4, 'noop'), ('continue', 1, 'fail'),
    ('approval', 5, 'act'), ('approval', 4, 'fail'),
    ('retry', 3, 'act'), ('retry', 2, 'fail'),
    ('rollback', 2, 'act'), ('rollback', 11, 'noop'), ('rollback', 4, 'fail'),
])
def test_plan(action, status, decision):
    assert ss.plan(action, status)[0] == decision


@pytest.mark.parametrize('action', ss.ACTIONS)
@pytest.mark.parametrize('status', DOCUMENTED + (42,))
def test_plan_skip_if_succeeded_only_changes_a_start_of_a_succeeded_task(action, status):
    decision, why = ss.plan(action, status, skip_if_succeeded=True)
    if action == 'start' and status == ss.SUCCEEDED:
        assert ss.plan(action, status)[0] == 'act'
        assert decision == 'noop' and 'already succeeded' in why and "'release succeeded' (2)" in why
    else:
        assert (decision, why) == ss.plan(action, status)


def test_to_status_and_list_shapes():
    assert ss.to_status(4) == 4 and ss.to_status('7') == 7
    assert ss.to_status(None) is None and ss.to_status(True) is None and ss.to_status('x') is None
    entries = [dict(id='a', status=1), 'junk']
    assert ss.list_entries({'pipelines': entries}) == [entries[0]]
    assert ss.list_entries(entries) == [entries[0]]
    assert ss.list_entries(None) == []


def test_action_body():
    assert ss.action_body() == {}
    assert ss.action_body([dict(stage_name='s', tasks=['t'])], 'gate', 'agree', 'ok') == {
        'selected_tasks': [{'stage_name': 's', 'tasks': ['t']}], 'task_name': 'gate', 'approval_type': 'agree',
        'message': 'ok'}


def test_took_effect_and_execution_id():
    assert ss.took_effect(dict(status=1), dict(status=4))
    assert not ss.took_effect(dict(status=1), dict(status=1))
    assert ss.took_effect(dict(status=2, last_trigger_at=1), dict(status=2, last_trigger_at=2))
    assert ss.execution_id({'id': 286541}) == '286541'
    assert ss.execution_id(None, {'execution_id': 'e1'}) == 'e1'
    assert ss.execution_id({}, {}) is None


def test_release_table_and_the_sets_derived_from_it():
    assert sorted(ss.AT_REST) == [1, 2, 3, 9, 11, 12] and sorted(ss.UNDER_WAY) == [4, 5, 7, 14]
    assert ss.RELEASE_STATUSES.live(42) and ss.RELEASE_STATUSES.waiting(7)
    assert ss.RELEASE_STATUSES.label(4) == ss.describe(4)


@pytest.mark.parametrize('action, choice, failures', [
    ('start', None, [3, 12]), ('stop', None, []), ('approval', 'agree', [3, 12]), ('approval', 'refuse', [12]),
    ('rollback', None, [3, 12]),
])
def test_the_wait_of_an_action_ends_off_the_transient_statuses_and_fails_as_the_action_expects(action, choice, failures):
    table = ss.action_statuses(action, choice)
    assert sorted(s for s in DOCUMENTED if table.live(s)) == sorted(ss.TRANSIENT)
    assert sorted(s for s in DOCUMENTED if table.settled(s) and not table.succeeded(s)) == failures
    assert table.succeeded(5) and table.succeeded(7)  # a pause or an approval ends the wait, as reported
    assert table.live(42)  # an undocumented status is never taken as the end


class FakeClient:
    def __init__(self, *statuses):
        self.statuses = list(statuses)

    def call(self, method, path, **kwargs):
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        return dict(id='rt-1', status=status)


def test_verdict_of_the_wait_in_the_engines_words():
    task = ss.ReleaseTask(FakeClient(4), 'p1', 'rt-1', ss.action_statuses('start'))
    outcome = Outcome()
    clock = [0.0]

    def sleep(seconds):
        clock[0] += seconds
    outcome.record = await_run(task, outcome, 'rt-1', None, 3, 1, sleep=sleep, clock=lambda: clock[0])
    assert outcome.timed_out and outcome.polls == 4
    assert task.verdict(outcome, 3) == ("timed out after 3s waiting for release task rt-1 to end; last status "
                                        "'releasing' (4); the wait ended, not the release task: it is still "
                                        "'releasing' (4)")
    failed = Outcome()
    failed.record = dict(id='rt-1', status=3)
    assert task.verdict(failed, 3) == "release task rt-1 ended 'release failed' (3)"
    task.statuses = ss.action_statuses('stop')
    assert task.verdict(failed, 3) is None


@pytest.mark.parametrize('status, refused', [('running', True), ('Paused', True), ('success', True),
                                             ('not_selected', True), ('waiting', False), ('AWAITING_APPROVAL', False),
                                             ('something-new', False), ('', False), (None, False)])
def test_approval_of_a_listed_task_by_its_status(status, refused):
    record = dict(pipeline_declaration=dict(stages=[dict(name='prod', tasks=[dict(name='gate', status=status)])]))
    assert (ss.approval_problem(record, 'gate') is not None) is refused


def test_release_task_needs_a_project_and_checks_options_before_the_client():
    with pytest.raises(ApiError, match='project_id is required'):
        ss.ReleaseTask(FakeClient(1), '', 'rt-1')
    with pytest.raises(OptionError, match='skip_if_succeeded is only used with action=start'):
        ss.release_task(dict(skip_if_succeeded=True, action='stop'))
