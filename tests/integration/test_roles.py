# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The roles (release_task, flow_release, release_summary) and the demo playbook against the emulator:
happy path, failure path, refused gate, idempotent re-run, cancel on failure."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re

import pytest

from conftest import COLLECTION_ROOT, assert_no_secrets

RECAP = re.compile(r'^localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)', re.M)


def recap(run):
    """``{'ok', 'changed', 'unreachable', 'failed'}`` of the PLAY RECAP line (summed over plays)."""
    found = RECAP.findall(run.stdout)
    assert found, run
    return dict(zip(('ok', 'changed', 'unreachable', 'failed'), (sum(int(f[i]) for f in found) for i in range(4))))


def steps(run):
    return {s['name']: s for s in run.saved('summary')}


def ops(emu, *names):
    return [e for e in emu.log if e['operation'] in names]


# ------------------------------------------------------------------------------------------------ release_task

def test_release_task_approval_agreed_then_rerun_changes_nothing(playbook, emu):
    review = dict(pipeline_id='a0000000000000000000000000000003', result='pass', comment='ok')
    deps = ['a0000000000000000000000000000001', 'a0000000000000000000000000000003']
    first = playbook('roles/release_task.yml', extra_vars=dict(review=review, deps=deps))
    assert first.rc == 0, first
    got = steps(first)
    assert got['release task release-approval']['status'] == 'succeeded'
    assert got['approval approve-prod']['status'] == 'agreed'
    assert got['review a0000000000000000000000000000003']['status'] == 'passed'
    assert got['dependency a0000000000000000000000000000003']['status'] == 'succeeded'
    assert 'Release summary: SUCCEEDED' in first.stdout
    assert recap(first)['changed'] >= 3
    assert len(ops(emu, 'OperateReleaseTask')) == 2           # start + approval
    assert len(ops(emu, 'AcceptManualReview')) == 1

    emu.log.clear()
    second = playbook('roles/release_task.yml', extra_vars=dict(review=review, deps=deps))
    assert second.rc == 0, second
    assert recap(second)['changed'] == 0, second
    assert ops(emu, 'OperateReleaseTask', 'AcceptManualReview', 'RejectManualReview') == []
    assert 'not started again' in steps(second)['release task release-approval']['detail']
    assert_no_secrets(first.output, second.output)


def test_release_task_approval_refused_fails_the_play(playbook, emu):
    run = playbook('roles/release_task.yml', extra_vars=dict(approval='refuse'))
    assert run.rc != 0, run
    got = steps(run)
    assert got['approval approve-prod']['status'] == 'refused'
    assert got['release task release-approval']['status'] == 'failed'
    assert 'Release summary: FAILED' in run.stdout
    assert "ended 'release failed' (3): the approval of task approve-prod was refused" in run.stdout
    assert recap(run)['failed'] == 1


def test_release_task_failed_release(playbook, emu):
    run = playbook('roles/release_task.yml', extra_vars=dict(rt_id='rt-fail-0002'))
    assert run.rc != 0, run
    assert steps(run)['release task release-fails']['status'] == 'failed'
    assert 'Release task rt-fail-0002 did not succeed' in run.stdout
    assert 'Release summary: FAILED' in run.stdout


@pytest.mark.parametrize('require, refused', [('succeeded', True), ('finished', False)])
def test_release_task_dependency_policy(playbook, emu, require, refused):
    deps = ['a0000000000000000000000000000001', 'a0000000000000000000000000000002']
    run = playbook('roles/release_task.yml', extra_vars=dict(rt_id='rt-ok-0001', deps=deps, require=require))
    got = steps(run)
    if refused:
        assert run.rc != 0, run
        assert 'a0000000000000000000000000000002 FAILED' in run.stdout
        assert got['dependency a0000000000000000000000000000002']['status'] == 'failed'
        assert ops(emu, 'OperateReleaseTask') == []               # nothing started
    else:
        assert run.rc == 0, run
        assert got['dependency a0000000000000000000000000000002']['status'] == 'accepted'
        assert got['release task release-ok']['status'] == 'succeeded'


def test_release_task_pause_is_continued(playbook, emu):
    run = playbook('roles/release_task.yml', extra_vars=dict(rt_id='rt-pause-0004', approval=''))
    assert run.rc == 0, run
    got = steps(run)
    assert got['continue after pause']['status'] == 'continued'
    assert got['release task release-pause']['status'] == 'succeeded'


# ------------------------------------------------------------------------------------------------ flow_release

def test_flow_release_happy_path_then_rerun_changes_nothing(playbook, emu, tmp_path):
    # the token API; the AccessKey API is covered by test_awx_credentials.py and the module tests
    api = 'yunxiao'
    state = str(tmp_path / 'state.json')
    first = playbook('roles/flow_release.yml', extra_vars=dict(api=api, state_file=state))
    assert first.rc == 0, first
    got = steps(first)
    assert [s['status'] for s in got.values()] == ['succeeded'] * 3
    assert list(got) == ['Flow pipeline 1001', 'stage stage-dev', 'stage stage-staging']
    assert got['Flow pipeline 1001']['url'].endswith('/pipelines/1001/builds/%s' % got['Flow pipeline 1001']['id'])
    assert 'Release summary: SUCCEEDED' in first.stdout
    starts = ops(emu, 'StartPipelineRun', 'CreatePipelineRun', 'ExecuteChangeRequestReleaseStage')
    assert len(starts) == 3, [e['operation'] for e in emu.log]

    emu.log.clear()
    second = playbook('roles/flow_release.yml', extra_vars=dict(api=api, state_file=state))
    assert second.rc == 0, second
    assert recap(second)['changed'] == 0, second
    assert [e for e in emu.log if e['method'] != 'GET'] == []
    assert all('not' in s['detail'] and 'again' in s['detail'] for s in steps(second).values())
    assert_no_secrets(first.output, second.output)


def test_flow_release_build_fails(playbook, emu, tmp_path):
    run = playbook('roles/flow_release.yml', extra_vars=dict(pipeline_id=1002, state_file=str(tmp_path / 's.json')))
    assert run.rc != 0, run
    got = steps(run)
    assert got['Flow pipeline 1002']['status'] == 'failed'
    assert "unit-test" in got['Flow pipeline 1002']['detail']
    assert got['stage stage-dev']['status'] == 'not run' and got['stage stage-staging']['status'] == 'not run'
    assert 'Flow release failed at Flow pipeline 1002' in run.stdout
    assert 'Release summary: FAILED' in run.stdout
    assert ops(emu, 'ExecuteChangeRequestReleaseStage') == [] and recap(run)['failed'] == 1


def test_flow_release_stops_at_the_broken_stage(playbook, emu, tmp_path):
    run = playbook('roles/flow_release.yml', extra_vars=dict(
        stages=['stage-dev', 'stage-broken', 'stage-staging'], state_file=str(tmp_path / 's.json')))
    assert run.rc != 0, run
    got = steps(run)
    assert [got[n]['status'] for n in ('Flow pipeline 1001', 'stage stage-dev', 'stage stage-broken', 'stage stage-staging')] \
        == ['succeeded', 'succeeded', 'failed', 'not run']
    assert 'Flow release failed at stage stage-broken' in run.stdout
    executed = [e['path'] for e in ops(emu, 'ExecuteChangeRequestReleaseStage')]
    assert not any('stage-staging' in p for p in executed)


def test_flow_release_cancels_what_it_started(playbook, emu, tmp_path):
    run = playbook('roles/flow_release.yml', extra_vars=dict(
        stages=['stage-dev', 'stage-prod', 'stage-staging'], stage_timeout=2, cancel=True,
        state_file=str(tmp_path / 's.json')))
    assert run.rc != 0, run
    got = steps(run)
    assert got['stage stage-prod']['status'] == 'timed out'
    assert got['cancel stage stage-prod']['status'] == 'canceled'
    cancels = ops(emu, 'CancelExecutionReleaseStage')
    assert len(cancels) == 1 and 'stage-prod' in cancels[0]['path']
    assert '(canceled: stage stage-prod)' in run.stdout


def test_flow_release_without_cancel_leaves_the_stage_live(playbook, emu, tmp_path):
    run = playbook('roles/flow_release.yml', extra_vars=dict(
        pipeline_id=0, stages=['stage-prod'], stage_timeout=1, state_file=str(tmp_path / 's.json')))
    assert run.rc != 0, run
    assert ops(emu, 'CancelExecutionReleaseStage') == []


# ------------------------------------------------------------------------------------------------ demo

def test_demo_playbook(playbook, emu):
    run = playbook(os.path.join(COLLECTION_ROOT, 'playbooks', 'demo.yml'))
    assert run.rc == 0, run
    assert 'SUCCEEDED (9 steps)' in run.stdout
    assert len(ops(emu, 'AcceptManualReview')) == 1
    assert [e['query'] for e in ops(emu, 'OperateReleaseTask')] and len(ops(emu, 'OperateReleaseTask')) == 2
    assert len(ops(emu, 'CreatePipelineRun')) == 1 and len(ops(emu, 'ExecuteChangeRequestReleaseStage')) == 2
