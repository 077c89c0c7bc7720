# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure functions of _servicestage.py (status tables, action rules) and _review.py (API choice, step finder)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei import codearts_review as _review
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


@pytest.mark.parametrize('api,pipeline_id,stage_index,expected', [
    ('auto', '101', 1, 'v3'), ('auto', 'a' * 32, None, 'v5'), ('v5', 'a' * 32, None, 'v5'), ('v3', '7', 0, 'v3'),
])
def test_choose_api(api, pipeline_id, stage_index, expected):
    assert _review.choose_api(api, pipeline_id, stage_index) == expected


@pytest.mark.parametrize('api,pipeline_id,stage_index', [('v3', '101', None), ('auto', 'abc', 1), ('v5', '101', 1)])
def test_choose_api_errors(api, pipeline_id, stage_index):
    with pytest.raises(ValueError):
        _review.choose_api(api, pipeline_id, stage_index)


RUN = dict(stages=[
    dict(id='st1', name='Build', jobs=[dict(id='j1', name='build', steps=[
        dict(id='s1', name='compile', task='official_devcloud_codeci', status='COMPLETED')])]),
    dict(id='st2', name='Gate', sequence=1, jobs=[
        dict(id='j2', name='Approval', steps=[dict(id='s2', name='manual-review', task='official_devcloud_manualReview',
                                                   status='RUNNING')]),
        dict(id='j3', name='Old', steps=[dict(id='s3', name='old-review', task='Checkpoint', status='COMPLETED')]),
        dict(id='j4', name='Custom', steps=[dict(id='s4', name='sign-off', task='my_plugin', status='RUNNING')]),
    ]),
    'junk',
])


def test_step_finder():
    assert [g['step_id'] for g in _review.review_steps(RUN)] == ['s2', 's3']
    pending, decided = _review.find_pending(RUN)
    assert [g['step_id'] for g in pending] == ['s2'] and [g['step_id'] for g in decided] == ['s3']
    gate = pending[0]
    assert gate['job_id'] == 'j2' and gate['stage_name'] == 'Gate' and gate['stage_index'] == 1
    assert _review.find_pending(RUN, job_name='Old')[0] == []
    pending = _review.find_pending(RUN, step_name='sign-off')[0]
    assert [g['step_id'] for g in pending] == ['s4']
    assert _review.find_pending({}) == ([], [])
    assert _review.find_pending({'stages': None}) == ([], [])


@pytest.mark.parametrize('task,expected', [('official_devcloud_manualReview', True), ('Checkpoint', True),
                                           ('manual_review', True), ('official_devcloud_codeci', False), (None, False)])
def test_is_review_step(task, expected):
    assert _review.is_review_step(dict(task=task)) is expected
