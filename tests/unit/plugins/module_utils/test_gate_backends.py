# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Gate detection of the backends (codearts_runs.run_gates, flow.validation_gates: the one locator of each, used by
stage_review and by the waits) and the cloud choice of stage_review."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.devops_cloud.pipelines.plugins.module_utils import _review_clouds
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba import flow
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._engine import OptionError
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei import codearts_runs


@pytest.mark.parametrize('task, entry, named, kind', [
    ('official_devcloud_checkpoint', False, False, 'manual_review'),
    ('official_devcloud_manualReview', False, False, 'manual_review'),
    ('Checkpoint', False, False, 'manual_review'),
    ('official_devcloud_delay', False, False, 'delay'),
    ('official_shell_plugin', False, False, None),
    ('official_shell_plugin', False, True, 'manual_review'),
    ('official_devcloud_manualTrigger', True, False, 'checkpoint'),
    ('official_devcloud_checkpoint', True, False, 'checkpoint'),
    ('official_devcloud_autoTrigger', True, False, None),
    ('official_devcloud_autoTrigger', True, True, 'checkpoint'),
    (None, False, False, None),
])
def test_codearts_step_kind(task, entry, named, kind):
    assert codearts_runs.step_kind(dict(task=task), entry=entry, named=named) == kind


@pytest.mark.parametrize('status, state', [('RUNNING', 'pending'), ('PAUSED', 'pending'), ('SOMETHING_NEW', 'pending'),
                                           (None, 'not_reached'), ('INIT', 'not_reached'), ('QUEUED', 'not_reached'),
                                           ('COMPLETED', 'decided'), ('FAILED', 'decided'), ('CANCELED', 'decided')])
def test_codearts_step_state(status, state):
    item = codearts_runs.step_gate('manual_review', 'r1', dict(id='st', name='S'), dict(id='s1', name='x', status=status),
                                   dict(id='j1', name='J', status='RUNNING'))
    assert item['state'] == state and item['ids'] == dict(run_id='r1', stage_id='st', job_id='j1', step_id='s1')


def test_flow_actions_kept_and_both_shapes():
    raw = dict(pipelineRun=dict(pipelineRunId='8', stages=[dict(name='A', stageInfo=dict(jobs=[
        dict(id='81', name='v', status='WAITING', actions=[dict(type='PassPipelineValidate'), 'junk']),
        dict(id='82', name='w', status='SUCCESS', actions=None)]))]))
    run = flow.with_actions(raw)
    assert run['id'] == 8 and run['stages'][0]['jobs'][0]['actions'] == ['passpipelinevalidate']
    gates = flow.validation_gates(run)
    assert [(g['job'], g['state'], g['ids']['job_id']) for g in gates] == [('v', 'pending', 81)]
    gates = flow.validation_gates(run, job_name='w')
    assert [(g['job'], g['state']) for g in gates] == [('v', 'pending'), ('w', 'decided')]
    ended = flow.with_actions(dict(pipelineRunId=9, stages=[dict(name='A', jobs=[
        dict(id=91, name='v', status='FAIL', actions=[dict(type='RefusePipelineValidate')])])]))
    assert flow.validation_gates(ended)[0]['state'] == 'decided'


@pytest.mark.parametrize('params, cloud', [
    (dict(pipeline_id='a' * 32), 'huawei'),
    (dict(pipeline_id='1003'), 'alibaba'),
    (dict(pipeline_id='101', stage_index=0), 'huawei'),
    (dict(pipeline_id='101', api='v3'), 'huawei'),
    (dict(pipeline_id='weird-id'), 'huawei'),
    (dict(app_name='a', release_workflow_sn='w', release_stage_sn='s'), 'alibaba'),
    (dict(pipeline_id='weird-id', api='yunxiao'), 'alibaba'),
    (dict(pipeline_id='1003', cloud='alibaba'), 'alibaba'),
])
def test_pick_cloud(params, cloud):
    assert _review_clouds.pick_cloud(params) == cloud


@pytest.mark.parametrize('params', [
    dict(pipeline_id='1003', pipeline_run_id='x'),
    dict(pipeline_id='a' * 32, app_name='a'),
    dict(pipeline_id='1003', cloud='huawei'),
    dict(stage_index=1, api='openapi'),
])
def test_pick_cloud_conflicts(params):
    with pytest.raises(OptionError):
        _review_clouds.pick_cloud(params)
