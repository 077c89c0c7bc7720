# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""pipeline_action against the emulator: real playbooks from targets/pipeline_action/."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
from conftest import assert_no_secrets


def _actions(emu, task=None):
    """Acting calls (the action POST) in the emulator's log, optionally for one release task."""
    return [e for e in emu.log if e['method'] == 'POST' and e['path'].endswith('/action')
            and (task is None or '/%s/' % task in e['path'])]


def test_every_action_and_its_noop(playbook, emu):
    run = playbook('pipeline_action/actions.yml')
    assert run.rc == 0, run
    saved = run.saved('actions')
    assert saved['agree']['status'] == 2 and saved['refuse']['status'] == 3
    acts = _actions(emu)
    # start, rollback | start, retry | start, continue | start, stop, start, agree, start, refuse
    assert [e['query'].get('action_id') for e in acts] in (
        [['start'], ['rollback'], ['start'], ['retry'], ['start'], ['continue'], ['start'], ['stop'], ['start'],
         ['approval'], ['start'], ['approval']],
        ['start', 'rollback', 'start', 'retry', 'start', 'continue', 'start', 'stop', 'start', 'approval', 'start',
         'approval'])
    for entry in acts:
        assert entry['headers'].get('Content-Type', entry['headers'].get('content-type')) == 'application/json;charset=utf8'
    approvals = [e['body'] for e in acts if 'approval' in str(e['query'])]
    assert 'agree' in str(approvals[0]) and 'refuse' in str(approvals[1])
    assert_no_secrets(run.output)


def test_check_mode_sends_no_acting_call(playbook, emu):
    run = playbook('pipeline_action/check_mode.yml', check=True)
    assert run.rc == 0, run
    assert _actions(emu) == []
    assert not [e for e in emu.log if e.get('acted')]
    assert emu.log and all(e['method'] == 'GET' for e in emu.log)


def test_aksk_and_wrong_credentials(playbook, emu):
    run = playbook('pipeline_action/aksk.yml')
    assert run.rc == 0, run
    saved = run.saved('aksk')
    for name in ('wrong_sk', 'wrong_token'):
        assert saved[name]['failed'] and saved[name]['changed'] is False
    assert len(_actions(emu)) == 1
    signed = [e for e in emu.log if e['method'] == 'POST'][0]
    headers = dict((k.lower(), v) for k, v in signed['headers'].items())
    assert 'x-sdk-date' in headers and 'authorization' in headers and 'x-auth-token' not in headers
    sts = [dict((k.lower(), v) for k, v in e['headers'].items()) for e in emu.log]
    assert any('x-security-token' in h for h in sts)
    assert_no_secrets(run.output, repr(saved))


def test_faults_survived_and_reported(playbook, emu):
    emu.add_fault(method='GET', path=r'/pipeline/pipelines/rt-ok-0001$', times=2, status=429, retry_after=0)
    emu.add_fault(method='GET', path=r'/pipeline/pipelines/rt-ok-0001$', times=2, status=503)
    emu.add_fault(method='POST', path=r'/pipeline/pipelines/rt-fail-0002/action$', kind='error200')
    emu.add_fault(method='POST', path=r'/pipeline/pipelines/rt-pause-0004/action$', kind='act_then_drop')
    run = playbook('pipeline_action/faults.yml')
    assert run.rc == 0, run
    statuses = [e['status'] for e in emu.log if e['path'].endswith('/rt-ok-0001') and e['method'] == 'GET']
    assert statuses[:4] == [429, 429, 503, 503] and statuses[4] == 200
    assert len(_actions(emu, 'rt-pause-0004')) == 1
    assert len(_actions(emu, 'rt-fail-0002')) == 1


def test_skip_if_succeeded_releases_once(playbook, emu):
    run = playbook('pipeline_action/skip_if_succeeded.yml')
    assert run.rc == 0, run
    assert [e['query'].get('action_id') for e in _actions(emu)] in ([['start']], ['start'])
    assert not [e for e in emu.log if e.get('acted') and e['method'] == 'POST' and not e['path'].endswith('/action')]
    assert_no_secrets(run.output)


# --- run and job actions (CodeArts runs, Flow jobs, AppStack execution jobs) ----------------------------------
ACTING = ('RetryPipelineRun', 'StopPipelineRun', 'ResumePipeline', 'CancelQueuingPipelineRun', 'RetryPipelineJobRun',
          'SkipPipelineJobRun', 'StopPipelineJobRun', 'PipelineJobAction', 'RetryChangeRequestStagePipeline',
          'SkipChangeRequestStagePipeline')


def _acted(emu):
    """Operations of the acting calls in the emulator's log, in order (token Flow job actions with their verb)."""
    return [e['operation'] + ('/' + e['path'].rsplit('/', 1)[-1] if e['operation'] == 'PipelineJobAction' else '')
            for e in emu.log if e.get('acted')]


def _after_refusal(emu):
    """Requests sent after the last one refused for its credentials (the wrong-credentials task is the last to
    send, and it refused before acting)."""
    seqs = [i for i, e in enumerate(emu.log) if e['status'] in (400, 401, 403)]
    assert seqs, 'no request was refused'
    assert emu.log[seqs[-1]]['method'] == 'GET' or emu.log[seqs[-1]]['path'].endswith('/list')
    return emu.log[seqs[-1] + 1:]


def test_run_codearts_actions(playbook, emu):
    run = playbook('pipeline_action/run_codearts.yml')
    assert run.rc == 0, run
    # retry (and wait), resume (and wait), stop (and wait); slowed down: retry, two starts, cancel of the queued run
    assert _acted(emu) == ['RetryPipelineRun', 'ResumePipeline', 'StopPipelineRun', 'RetryPipelineRun', 'RunPipeline',
                           'RunPipeline', 'CancelQueuingPipelineRun']
    retries = [e for e in emu.log if e.get('operation') == 'RetryPipelineRun']
    assert all(e['method'] == 'PUT' and not e['body'] and e['path'].endswith('/retry') for e in retries)
    assert len(retries) == 2
    saved = run.saved('run_codearts')
    resume = [e for e in emu.log if e.get('operation') == 'ResumePipeline'][0]
    assert resume['method'] == 'POST' and '/jobs/%s/steps/' % saved['resume']['job']['id'] in resume['path']
    cancel = [e for e in emu.log if e.get('operation') == 'CancelQueuingPipelineRun'][0]
    queues = [e for e in emu.log if e.get('operation') == 'ListQueuedPipelineRuns']
    assert queues and queues[0]['seq'] < cancel['seq']
    assert cancel['path'].split('/')[-3] == saved['queued']['run_id'] and cancel['body'] in ('{}', {})
    assert saved['queued']['run_id'] != saved['first']['run_id']
    assert _after_refusal(emu) == []
    assert_no_secrets(run.output)


@pytest.mark.parametrize('api', ['openapi', 'yunxiao'])
def test_run_flow_job_actions(playbook, emu, api):
    run = playbook('pipeline_action/run_flow.yml', extra_vars=dict(api=api))
    assert run.rc == 0, run
    if api == 'openapi':
        # start, retry (and wait) | start, skip (and wait) | start, stop (and wait) | slowed down: retry
        assert _acted(emu) == ['StartPipelineRun', 'RetryPipelineJobRun', 'StartPipelineRun', 'SkipPipelineJobRun',
                               'StartPipelineRun', 'StopPipelineJobRun', 'RetryPipelineJobRun']
        retries = [e for e in emu.log if e.get('operation') == 'RetryPipelineJobRun']
        # POP retry is PUT on the job itself: no /retry suffix
        assert all(e['method'] == 'PUT' and e['path'].rsplit('/', 2)[-2] == 'jobs' for e in retries)
    else:
        assert _acted(emu) == ['CreatePipelineRun', 'PipelineJobAction/retry', 'CreatePipelineRun',
                               'PipelineJobAction/skip', 'CreatePipelineRun', 'PipelineJobAction/stop',
                               'PipelineJobAction/retry']
        assert all(e['method'] == 'PUT' for e in emu.log if e.get('operation') == 'PipelineJobAction')
    saved = run.saved('run_flow')
    assert saved['stop']['job']['name'] == 'build' and saved['skip']['run']['status'] == 'SUCCESS'
    assert _after_refusal(emu) == []
    assert_no_secrets(run.output)


def test_run_appstack_job_actions(playbook, emu):
    run = playbook('pipeline_action/run_appstack.yml')
    assert run.rc == 0, run
    # execute stage-broken, retry (and wait) | execute stage-prod, skip (and wait) | slowed down: retry
    assert _acted(emu) == ['ExecuteChangeRequestReleaseStage', 'RetryChangeRequestStagePipeline',
                           'ExecuteChangeRequestReleaseStage', 'SkipChangeRequestStagePipeline',
                           'RetryChangeRequestStagePipeline']
    jobs = [e for e in emu.log if e.get('operation') in ('RetryChangeRequestStagePipeline', 'SkipChangeRequestStagePipeline')]
    assert all(e['method'] == 'POST' and e['query'].get('jobId') for e in jobs)
    # the wrong token is the last task that sends; AK/SK alone sends nothing at all (no POP AppStack call)
    assert _after_refusal(emu) == []
    assert not [e for e in emu.log if e['path'].startswith('/appstack/')]
    assert_no_secrets(run.output)


def test_run_actions_check_mode_send_nothing(playbook, emu):
    run = playbook('pipeline_action/run_check_mode.yml', check=True)
    assert run.rc == 0, run
    # only the runs made with check_mode: false
    assert _acted(emu) == ['CreatePipelineRun', 'ExecuteChangeRequestReleaseStage']
    assert not [e for e in emu.log if e.get('operation') in ACTING]
    assert_no_secrets(run.output)


def test_run_action_lost_answers_adopted(playbook, emu):
    emu.add_fault(method='PUT', path=r'/pipeline-runs/[0-9a-z]+/retry$', kind='act_then_drop')
    emu.add_fault(method='PUT', path=r'/pipelineRuns/[0-9]+/jobs/[0-9]+$', kind='act_then_drop')
    emu.add_fault(method='POST', path=r'/executions/[0-9]+:retry$', kind='act_then_drop')
    run = playbook('pipeline_action/run_lost_answer.yml')
    assert run.rc == 0, run
    acts = [e for e in emu.log if e.get('operation') in ACTING]
    assert [e['operation'] for e in acts] == ['RetryPipelineRun', 'RetryPipelineJobRun', 'RetryChangeRequestStagePipeline']
    assert all(e['acted'] and e['fault'] == 'act_then_drop' for e in acts)
    assert_no_secrets(run.output)
