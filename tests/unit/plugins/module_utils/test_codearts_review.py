# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""module_utils/_huawei/codearts_review.py: the API choice and the manual review step finder."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei import codearts_review as _review


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
