# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The roles (release_task, flow_release, release_summary) and the demo playbook against the emulator:
happy path, failure path, refused gate, idempotent re-run, cancel on failure."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
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


def fresh_home(tmp_path):
    """The environment of a new AWX-like job: an empty HOME (no file of an earlier run survives)."""
    home = tmp_path / ('home-%d' % len(list(tmp_path.glob('home-*'))))
    home.mkdir()
    return dict(HOME=str(home))


def controller_files(tmp_path):
    """Files a run left under the fresh homes (the roles keep no state on the controller)."""
    return [str(p) for p in tmp_path.glob('home-*/**/*') if p.is_file()]


# ------------------------------------------------------------------------------------------------ release_task

def test_release_task_approval_agreed_then_rerun_changes_nothing(playbook, emu, tmp_path):
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

    # a new job with a fresh controller (as in AWX): nothing of the first run survives but the server's state
    emu.log.clear()
    second = playbook('roles/release_task.yml', extra_vars=dict(review=review, deps=deps), env=fresh_home(tmp_path))
    assert second.rc == 0, second
    assert recap(second)['changed'] == 0, second
    assert ops(emu, 'OperateReleaseTask', 'AcceptManualReview', 'RejectManualReview') == []
    assert [e for e in emu.log if e['acted']] == []      # reads only (some are POSTs: run lists, batch status)
    step = steps(second)['release task release-approval']
    assert step['status'] == 'succeeded' and 'not started again' in step['detail'] and step['id'] == 'rt-approval-0003'
    assert_no_secrets(first.output, second.output)


def test_release_task_restart_succeeded_releases_again(playbook, emu):
    first = playbook('roles/release_task.yml', extra_vars=dict(rt_id='rt-ok-0001'))
    assert first.rc == 0, first
    again = playbook('roles/release_task.yml', extra_vars=dict(rt_id='rt-ok-0001', restart=True))
    assert again.rc == 0, again
    assert recap(again)['changed'] >= 1
    assert len(ops(emu, 'OperateReleaseTask')) == 2
    assert 'not started again' not in steps(again)['release task release-ok']['detail']


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


def test_release_task_runs_its_dependencies_once_across_reruns(playbook, emu, tmp_path):
    # a...04 never ran (a 3 s run is started), c...01 never ran (Build 3 s + Deploy 3 s), a...01 already succeeded
    run_deps = [dict(pipeline_id='a0000000000000000000000000000004', name='build'),
                dict(pipeline_id='c0000000000000000000000000000001', variables=dict(DEPLOY_ENV='integration')),
                dict(pipeline_id='a0000000000000000000000000000001')]
    extra = dict(rt_id='rt-ok-0001', deps=['a0000000000000000000000000000004'], run_deps=run_deps)
    first = playbook('roles/release_task.yml', extra_vars=extra)
    assert first.rc == 0, first
    starts = ops(emu, 'RunPipeline')
    started = sorted(e['path'].split('/')[-2] for e in starts)
    assert started == ['a0000000000000000000000000000004', 'c0000000000000000000000000000001'], starts
    assert json.loads([e['body'] for e in starts if 'c0000000000000000000000000000001' in e['path']][0])['variables'] \
        == [dict(name='DEPLOY_ENV', value='integration')]
    # in order: the second dependency starts after the first one's run ended (its last detail read)
    first_end = max(e['seq'] for e in ops(emu, 'ShowPipelineRunDetail') if 'a0000000000000000000000000000004' in e['path'])
    assert starts[1]['seq'] > first_end and 'c0000000000000000000000000000001' in starts[1]['path']
    got = steps(first)
    assert got['dependency build']['status'] == 'succeeded' and got['dependency build']['detail'] == ''
    assert got['dependency build']['id'] and got['dependency build']['url']
    assert 'not started again' in got['dependency a0000000000000000000000000000001']['detail']
    # the check reads a...04 too, but it has its step already
    assert [n for n in got if 'a0000000000000000000000000000004' in n] == []
    assert got['release task release-ok']['status'] == 'succeeded'

    # a new job with a fresh controller: the succeeded runs are reused, nothing is started
    emu.log.clear()
    second = playbook('roles/release_task.yml', extra_vars=extra, env=fresh_home(tmp_path))
    assert second.rc == 0, second
    assert recap(second)['changed'] == 0, second
    assert ops(emu, 'RunPipeline', 'OperateReleaseTask') == []
    assert [e for e in emu.log if e['acted']] == []
    again = steps(second)
    assert all('not started again' in again[n]['detail'] for n in
               ('dependency build', 'dependency c0000000000000000000000000000001'))
    assert again['dependency build']['id'] == got['dependency build']['id']
    assert_no_secrets(first.output, second.output)


def test_release_task_restart_dependencies_starts_them_again(playbook, emu):
    run_deps = [dict(pipeline_id='a0000000000000000000000000000001')]
    run = playbook('roles/release_task.yml', extra_vars=dict(rt_id='rt-ok-0001', deps=[], run_deps=run_deps,
                                                             restart_deps=True))
    assert run.rc == 0, run
    assert len(ops(emu, 'RunPipeline')) == 1


def test_release_task_failed_dependency_run_stops_the_release(playbook, emu):
    # c...02 fails in job unit-test of stage Test; a...04 after it is never started, nor the release task
    run_deps = [dict(pipeline_id='c0000000000000000000000000000002'), dict(pipeline_id='a0000000000000000000000000000004')]
    run = playbook('roles/release_task.yml', extra_vars=dict(rt_id='rt-ok-0001', deps=[], run_deps=run_deps))
    assert run.rc != 0, run
    starts = ops(emu, 'RunPipeline')
    assert len(starts) == 1 and 'c0000000000000000000000000000002' in starts[0]['path']
    assert ops(emu, 'OperateReleaseTask') == []
    assert 'Release task rt-ok-0001 did not succeed' in run.stdout
    assert 'CodeArts pipeline c0000000000000000000000000000002 ended FAILED' in run.stdout
    assert "job 'unit-test'" in run.stdout
    step = steps(run)['dependency c0000000000000000000000000000002']
    assert step['status'] == 'failed' and 'unit-test' in step['detail']
    assert 'Release summary: FAILED' in run.stdout
    assert_no_secrets(run.output)


# ------------------------------------------------------------------------------------------------ flow_release

def test_flow_release_happy_path_then_rerun_changes_nothing(playbook, emu, tmp_path):
    # the token API; the AccessKey API is covered by test_awx_credentials.py and the module tests
    api = 'yunxiao'
    first = playbook('roles/flow_release.yml', extra_vars=dict(api=api), env=fresh_home(tmp_path))
    assert first.rc == 0, first
    got = steps(first)
    assert [s['status'] for s in got.values()] == ['succeeded'] * 3
    assert list(got) == ['Flow pipeline 1001', 'stage stage-dev', 'stage stage-staging']
    assert got['Flow pipeline 1001']['url'].endswith('/pipelines/1001/builds/%s' % got['Flow pipeline 1001']['id'])
    assert all(s['url'].startswith('https://flow.aliyun.com/pipelines/') for s in got.values())
    assert 'Release summary: SUCCEEDED' in first.stdout
    starts = ops(emu, 'StartPipelineRun', 'CreatePipelineRun', 'ExecuteChangeRequestReleaseStage')
    assert len(starts) == 3, [e['operation'] for e in emu.log]

    # a new job with a fresh controller (as in AWX): only the server remembers what succeeded
    emu.log.clear()
    second = playbook('roles/flow_release.yml', extra_vars=dict(api=api), env=fresh_home(tmp_path))
    assert second.rc == 0, second
    assert recap(second)['changed'] == 0, second
    assert [e for e in emu.log if e['method'] != 'GET'] == []
    again = steps(second)
    assert all(s['status'] == 'succeeded' and 'not' in s['detail'] and 'again' in s['detail'] for s in again.values())
    assert [again[n]['id'] for n in got] == [got[n]['id'] for n in got]
    assert [again[n]['url'] for n in got] == [got[n]['url'] for n in got]
    assert all(again[n]['duration'] is not None and again[n]['started'] for n in got)
    assert controller_files(tmp_path) == []
    assert_no_secrets(first.output, second.output)


def test_flow_release_new_branch_runs_every_step_again(playbook, emu):
    first = playbook('roles/flow_release.yml')
    assert first.rc == 0, first
    emu.log.clear()
    second = playbook('roles/flow_release.yml', extra_vars=dict(branch='release/1.5'))
    assert second.rc == 0, second
    # a build of another branch runs, and the stages after a fresh build run again
    assert len(ops(emu, 'CreatePipelineRun')) == 1 and len(ops(emu, 'ExecuteChangeRequestReleaseStage')) == 2
    assert all(s['detail'] == '' for s in steps(second).values())


def test_flow_release_skip_if_succeeded_off_runs_every_step(playbook, emu):
    first = playbook('roles/flow_release.yml', extra_vars=dict(pipeline_id=0))
    assert first.rc == 0, first
    emu.log.clear()
    second = playbook('roles/flow_release.yml', extra_vars=dict(pipeline_id=0, skip=False))
    assert second.rc == 0, second
    assert len(ops(emu, 'ExecuteChangeRequestReleaseStage')) == 2 and recap(second)['changed'] >= 2


def test_flow_release_build_fails(playbook, emu):
    run = playbook('roles/flow_release.yml', extra_vars=dict(pipeline_id=1002))
    assert run.rc != 0, run
    got = steps(run)
    assert got['Flow pipeline 1002']['status'] == 'failed'
    assert "unit-test" in got['Flow pipeline 1002']['detail']
    assert got['stage stage-dev']['status'] == 'not run' and got['stage stage-staging']['status'] == 'not run'
    assert 'Flow release failed at Flow pipeline 1002' in run.stdout
    assert 'Release summary: FAILED' in run.stdout
    assert ops(emu, 'ExecuteChangeRequestReleaseStage') == [] and recap(run)['failed'] == 1


def test_flow_release_stops_at_the_broken_stage(playbook, emu):
    run = playbook('roles/flow_release.yml', extra_vars=dict(
        stages=['stage-dev', 'stage-broken', 'stage-staging']))
    assert run.rc != 0, run
    got = steps(run)
    assert [got[n]['status'] for n in ('Flow pipeline 1001', 'stage stage-dev', 'stage stage-broken', 'stage stage-staging')] \
        == ['succeeded', 'succeeded', 'failed', 'not run']
    assert 'Flow release failed at stage stage-broken' in run.stdout
    executed = [e['path'] for e in ops(emu, 'ExecuteChangeRequestReleaseStage')]
    assert not any('stage-staging' in p for p in executed)


def test_flow_release_cancels_what_it_started(playbook, emu):
    run = playbook('roles/flow_release.yml', extra_vars=dict(
        stages=['stage-dev', 'stage-prod', 'stage-staging'], stage_timeout=2, cancel=True))
    assert run.rc != 0, run
    got = steps(run)
    assert got['stage stage-prod']['status'] == 'timed out'
    assert got['cancel stage stage-prod']['status'] == 'canceled'
    cancels = ops(emu, 'CancelExecutionReleaseStage')
    assert len(cancels) == 1 and 'stage-prod' in cancels[0]['path']
    assert '(canceled: stage stage-prod)' in run.stdout


def test_flow_release_without_cancel_leaves_the_stage_live(playbook, emu):
    run = playbook('roles/flow_release.yml', extra_vars=dict(
        pipeline_id=0, stages=['stage-prod'], stage_timeout=1))
    assert run.rc != 0, run
    assert ops(emu, 'CancelExecutionReleaseStage') == []


def test_flow_release_dependencies_succeeded(playbook, emu):
    run = playbook('roles/flow_release.yml', extra_vars=dict(deps=['10002', 10001], stages=[]))
    assert run.rc == 0, run
    got = steps(run)
    assert list(got)[:3] == ['dependency Flow pipeline 10002', 'dependency Flow pipeline 10001', 'Flow pipeline 1001']
    assert got['dependency Flow pipeline 10002']['status'] == 'succeeded'
    assert got['dependency Flow pipeline 10001']['status'] == 'succeeded'
    assert got['dependency Flow pipeline 10001']['url'].startswith('https://flow.aliyun.com/pipelines/10001/builds/')
    assert len(ops(emu, 'GetLatestPipelineRun')) == 2
    assert len(ops(emu, 'CreatePipelineRun')) == 1


def test_flow_release_refuses_failed_dependencies(playbook, emu):
    # 10001 succeeded, 10005 FAIL, 10007 never ran, 10013 waits at a gate (RUNNING)
    deps = ['10001', '10005', '10007', '10013']
    run = playbook('roles/flow_release.yml', extra_vars=dict(deps=deps))
    assert run.rc != 0, run
    assert '3 of 4 Flow pipeline(s) the release depends on did not last succeed: ' \
        '10005 FAIL, 10013 RUNNING, 10007 has no run' in run.stdout
    assert 'Flow release failed at dependencies' in run.stdout
    got = steps(run)
    assert got['dependency Flow pipeline 10005']['status'] == 'fail'
    assert got['dependency Flow pipeline 10007']['status'] == 'never ran'
    assert got['dependency Flow pipeline 10001']['status'] == 'succeeded'
    assert got['Flow pipeline 1001']['status'] == 'not run' and got['stage stage-dev']['status'] == 'not run'
    # nothing was started
    assert ops(emu, 'CreatePipelineRun', 'StartPipelineRun', 'ExecuteChangeRequestReleaseStage') == []
    assert [e for e in emu.log if e['method'] != 'GET'] == []


def test_flow_release_dependency_wait_times_out(playbook, emu):
    # 10013 waits at a gate: the wait for it to finish times out, and nothing is started
    run = playbook('roles/flow_release.yml', extra_vars=dict(deps=['10002', '10013'], deps_wait=1))
    assert run.rc != 0, run
    assert "Flow release failed at dependencies: wait_until 'finished' did not hold within 1s" in run.stdout
    assert '1 not finished: 10013 (RUNNING)' in run.stdout
    assert steps(run)['dependencies']['status'] == 'failed'
    assert len(ops(emu, 'GetLatestPipelineRun')) >= 4        # two reads at least, of 2 pipelines each
    assert [e for e in emu.log if e['method'] != 'GET'] == []


# ------------------------------------------------------------------------------------------------ demo

def test_demo_playbook(playbook, emu):
    run = playbook(os.path.join(COLLECTION_ROOT, 'playbooks', 'demo.yml'))
    assert run.rc == 0, run
    assert 'SUCCEEDED (9 steps)' in run.stdout
    assert len(ops(emu, 'AcceptManualReview')) == 1
    assert [e['query'] for e in ops(emu, 'OperateReleaseTask')] and len(ops(emu, 'OperateReleaseTask')) == 2
    assert len(ops(emu, 'CreatePipelineRun')) == 1 and len(ops(emu, 'ExecuteChangeRequestReleaseStage')) == 2

    # the demo again, against the same emulator: nothing is started or answered again
    emu.log.clear()
    again = playbook(os.path.join(COLLECTION_ROOT, 'playbooks', 'demo.yml'))
    assert again.rc == 0, again
    # no approval step this time: the release task already succeeded and is not started again
    assert 'SUCCEEDED (8 steps)' in again.stdout and recap(again)['changed'] == 0, again
    assert 'already succeeded (execution ' in again.stdout and 'not executed again' in again.stdout
    assert [e for e in emu.log if e['acted']] == []      # reads only (some are POSTs: run lists, batch status)


# ------------------------------------------------------------------------------------------------ gates

def test_flow_release_stops_cleanly_at_a_stop_gate(playbook, emu, tmp_path):
    run = playbook('roles/flow_release.yml', extra_vars=dict(pipeline_id=1003, stages=['stage-dev'],
                                                             gates={'approve': 'stop'}), env=fresh_home(tmp_path))
    assert run.rc == 0, run
    assert recap(run)['failed'] == 0
    got = steps(run)
    assert list(got) == ['gate approve', 'Flow pipeline 1003', 'stage stage-dev']
    assert got['gate approve']['status'] == 'stopped at gate' and got['gate approve']['kind'] == 'gate'
    assert 'stop by integration-tester at ' in got['gate approve']['detail']
    assert got['Flow pipeline 1003']['status'] == 'stopped at gate'
    assert got['stage stage-dev']['status'] == 'not run' and 'stopped at gate approve' in got['stage stage-dev']['detail']
    assert 'Release summary: STOPPED AT A GATE (3 steps)' in run.stdout
    facts = run.saved('gates')
    assert facts['result'] == 'stopped'
    assert facts['stopped']['name'] == 'approve' and facts['stopped']['job'] == 'approve'
    assert facts['stopped']['kind'] == 'validation' and facts['stopped']['decided_by'] == 'integration-tester'
    assert [(d['gate'], d['decision'], d['by']) for d in facts['decisions']] == [('approve', 'stop', 'integration-tester')]
    # nothing decided, no stage executed, the run left waiting at its gate
    assert ops(emu, 'ExecuteChangeRequestReleaseStage') == []
    assert [e for e in emu.log if e['method'] == 'POST' and e['path'].endswith(('/pass', '/refuse'))] == []
    assert len(ops(emu, 'CreatePipelineRun', 'StartPipelineRun')) == 1
    assert_no_secrets(run.output)


def test_flow_release_unlisted_gate_waits_until_the_timeout_naming_it(playbook, emu, tmp_path):
    run = playbook('roles/flow_release.yml', extra_vars=dict(pipeline_id=1003, stages=[], gates={'other': 'pass'},
                                                             stage_timeout=1), env=fresh_home(tmp_path),
                   args=['-e', 'flow_release_wait_timeout=2'])
    assert run.rc != 0, run
    assert 'it waits at a gate: validation at stage' in run.stdout and "job 'approve'" in run.stdout
    assert run.saved('gates')['decisions'] == []


def test_flow_release_passes_a_listed_gate(playbook, emu, tmp_path):
    run = playbook('roles/flow_release.yml', extra_vars=dict(pipeline_id=1003, stages=['stage-dev'],
                                                             gates={'approve': 'pass'}), env=fresh_home(tmp_path))
    assert run.rc == 0, run
    got = steps(run)
    assert got['gate approve']['status'] == 'passed' and 'pass by integration-tester at ' in got['gate approve']['detail']
    assert got['Flow pipeline 1003']['status'] == 'succeeded' and got['stage stage-dev']['status'] == 'succeeded'
    assert 'Release summary: SUCCEEDED' in run.stdout
    assert len(ops(emu, 'CreatePipelineRun', 'StartPipelineRun')) == 1


def decisions_sent(emu):
    """The validation decisions the emulator received (Flow and AppStack, pass or refuse), by operation."""
    return [e['operation'] for e in ops(emu, 'PassPipelineValidate', 'RefusePipelineValidate',
                                        'PassReleaseStagePipelineValidate', 'RefuseReleaseStagePipelineValidate')]


def test_flow_release_refuses_a_listed_gate(playbook, emu, tmp_path):
    run = playbook('roles/flow_release.yml', extra_vars=dict(pipeline_id=1003, stages=['stage-dev'],
                                                             gates={'approve': 'refuse'}), env=fresh_home(tmp_path))
    assert run.rc != 0, run
    got = steps(run)
    assert got['gate approve']['status'] == 'refused' and 'refuse by integration-tester at ' in got['gate approve']['detail']
    # the refused gate fails the run, and the release with it; no stage is executed
    assert got['Flow pipeline 1003']['status'] == 'failed' and got['stage stage-dev']['status'] == 'not run'
    assert 'Release summary: FAILED' in run.stdout
    facts = run.saved('gates')
    assert [(d['gate'], d['decision'], d['by'], d['kind']) for d in facts['decisions']] == [
        ('approve', 'refuse', 'integration-tester', 'validation')]
    assert decisions_sent(emu) == ['RefusePipelineValidate']
    assert ops(emu, 'ExecuteChangeRequestReleaseStage') == []
    assert len(ops(emu, 'CreatePipelineRun', 'StartPipelineRun')) == 1


def test_flow_release_passes_a_stage_gate(playbook, emu, tmp_path):
    """The AppStack release stage stage-prod waits at its validation job 'validate': passed, then followed."""
    run = playbook('roles/flow_release.yml', extra_vars=dict(pipeline_id=1001, stages=['stage-prod'],
                                                             gates={'validate': 'pass'}), env=fresh_home(tmp_path))
    assert run.rc == 0, run
    got = steps(run)
    assert got['gate validate']['status'] == 'passed' and 'pass by integration-tester at ' in got['gate validate']['detail']
    assert got['stage stage-prod']['status'] == 'succeeded'
    assert 'Release summary: SUCCEEDED' in run.stdout
    decisions = run.saved('gates')['decisions']
    assert [(d['gate'], d['decision'], d['step']) for d in decisions] == [('validate', 'pass', 'stage stage-prod')]
    assert decisions_sent(emu) == ['PassReleaseStagePipelineValidate']
    assert len(ops(emu, 'ExecuteChangeRequestReleaseStage')) == 1


def test_flow_release_stop_then_pass_goes_on_with_the_same_run(playbook, emu, tmp_path):
    stop = playbook('roles/flow_release.yml', extra_vars=dict(pipeline_id=1003, stages=[], gates={'approve': 'stop'}),
                    env=fresh_home(tmp_path))
    assert stop.rc == 0, stop
    again = playbook('roles/flow_release.yml', extra_vars=dict(pipeline_id=1003, stages=[], gates={'approve': 'pass'}),
                     env=fresh_home(tmp_path))
    assert again.rc == 0, again
    assert steps(again)['Flow pipeline 1003']['status'] == 'succeeded'
    assert len(ops(emu, 'CreatePipelineRun', 'StartPipelineRun')) == 1


def test_release_task_gates_pass_the_approval(playbook, emu):
    run = playbook('roles/release_task.yml', extra_vars=dict(approval='', gates={'approve-prod': 'pass'}))
    assert run.rc == 0, run
    got = steps(run)
    assert got['approval approve-prod']['status'] == 'agreed'
    assert 'pass by integration-tester at ' in got['approval approve-prod']['detail']
    assert got['release task release-approval']['status'] == 'succeeded'
    decisions = run.saved('gates')['decisions']
    assert [(d['gate'], d['decision'], d['by']) for d in decisions] == [('approve-prod', 'pass', 'integration-tester')]


def test_release_task_gates_stop_at_the_approval(playbook, emu):
    run = playbook('roles/release_task.yml', extra_vars=dict(gates={'approve-prod': 'stop'}))
    assert run.rc == 0, run
    got = steps(run)
    assert got['gate approve-prod']['status'] == 'stopped at gate'
    assert 'stop by integration-tester at ' in got['gate approve-prod']['detail']
    assert got['release task release-approval']['status'] == 'stopped at gate'
    assert 'Release summary: STOPPED AT A GATE' in run.stdout
    facts = run.saved('gates')
    assert facts['result'] == 'stopped' and facts['stopped']['name'] == 'approve-prod'
    assert facts['stopped']['kind'] == 'approval'
    assert len(ops(emu, 'OperateReleaseTask')) == 1           # the start, no approval sent
    # a later run with pass goes on with the same release task
    again = playbook('roles/release_task.yml', extra_vars=dict(approval='', gates={'approve-prod': 'pass'}))
    assert again.rc == 0, again
    assert steps(again)['release task release-approval']['status'] == 'succeeded'
    assert len(ops(emu, 'OperateReleaseTask')) == 2           # + the approval


def test_release_task_gates_stop_at_the_codearts_review(playbook, emu):
    review = dict(pipeline_id='a0000000000000000000000000000003', job_name='Approval', result='pass')
    run = playbook('roles/release_task.yml', extra_vars=dict(review=review, gates={'Approval': 'stop'}))
    assert run.rc == 0, run
    got = steps(run)
    assert got['gate Approval']['status'] == 'stopped at gate'
    assert got['release task rt-approval-0003']['status'] == 'not run'
    assert 'Release summary: STOPPED AT A GATE' in run.stdout
    assert ops(emu, 'OperateReleaseTask') == [] and ops(emu, 'AcceptManualReview', 'AcceptCheckpoint') == []


def test_release_task_gates_refuse_the_codearts_review_found_by_its_step(playbook, emu):
    """Only the pipeline is given: the gate that waits is found first and looked up by its step name."""
    review = dict(pipeline_id='a0000000000000000000000000000003', result='pass')
    run = playbook('roles/release_task.yml', extra_vars=dict(review=review, gates={'manual-review': 'refuse'}))
    assert run.rc != 0, run
    got = steps(run)
    assert got['review a0000000000000000000000000000003']['status'] == 'refused'
    assert 'refuse by integration-tester at ' in got['review a0000000000000000000000000000003']['detail']
    decisions = run.saved('gates')['decisions']
    assert [(d['gate'], d['decision'], d['by']) for d in decisions] == [('manual-review', 'refuse', 'integration-tester')]
    assert len(ops(emu, 'RejectManualReview')) == 1 and ops(emu, 'AcceptManualReview') == []
    assert ops(emu, 'OperateReleaseTask') == []


def test_release_task_gates_pass_a_codearts_checkpoint(playbook, emu):
    """c...04 waits at the stage-entry checkpoint 'manual-checkpoint': the mapping's pass wins over the review's
    result, and the release goes on."""
    review = dict(pipeline_id='c0000000000000000000000000000004', result='refuse')
    run = playbook('roles/release_task.yml', extra_vars=dict(review=review, gates={'manual-checkpoint': 'pass'}))
    assert run.rc == 0, run
    got = steps(run)
    assert got['review c0000000000000000000000000000004']['status'] == 'passed'
    assert got['release task release-approval']['status'] == 'succeeded'
    assert len(ops(emu, 'AcceptCheckpoint')) == 1 and ops(emu, 'RejectCheckpoint') == []
    assert [d['gate'] for d in run.saved('gates')['decisions']] == ['manual-checkpoint']
