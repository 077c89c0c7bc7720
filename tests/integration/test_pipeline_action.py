# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""pipeline_action against the emulator: real playbooks from targets/pipeline_action/."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

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
def _acted(emu, operation=None):
    return [e for e in emu.log if e.get('acted') and (operation is None or e.get('operation') == operation)]


def test_run_codearts_actions(playbook, emu):
    run = playbook('pipeline_action/run_codearts.yml')
    assert run.rc == 0, run
    retries = [e for e in emu.log if e.get('operation') == 'RetryPipelineRun']
    assert len(retries) == 1 and retries[0]['method'] == 'PUT' and not retries[0]['body']
    assert len([e for e in emu.log if e.get('operation') == 'ResumePipeline']) == 1
    assert len([e for e in emu.log if e.get('operation') == 'CancelQueuingPipelineRun']) == 1
    assert len([e for e in emu.log if e.get('operation') == 'StopPipelineRun']) == 1
    assert_no_secrets(run.output)


def test_run_flow_job_actions_pop(playbook, emu):
    run = playbook('pipeline_action/run_flow.yml', extra_vars=dict(api='openapi'))
    assert run.rc == 0, run
    retry = [e for e in emu.log if e.get('operation') == 'RetryPipelineJobRun']
    assert len(retry) == 1 and retry[0]['method'] == 'PUT' and not retry[0]['path'].endswith('/retry')
    assert len([e for e in emu.log if e.get('operation') == 'StopPipelineJobRun']) == 1
    assert not [e for e in emu.log if e.get('operation') == 'SkipPipelineJobRun']
    assert_no_secrets(run.output)


def test_run_flow_job_actions_token(playbook, emu):
    run = playbook('pipeline_action/run_flow.yml', extra_vars=dict(api='yunxiao'))
    assert run.rc == 0, run
    jobs = [e for e in emu.log if e.get('operation') == 'PipelineJobAction']
    assert [e['path'].rsplit('/', 1)[-1] for e in jobs] == ['retry', 'stop']
    assert_no_secrets(run.output)


def test_run_appstack_job_actions(playbook, emu):
    run = playbook('pipeline_action/run_appstack.yml')
    assert run.rc == 0, run
    assert len([e for e in emu.log if e.get('operation') == 'RetryChangeRequestStagePipeline']) == 1
    assert not [e for e in emu.log if e.get('operation') == 'SkipChangeRequestStagePipeline']
    assert not [e for e in emu.log if e.get('vendor') == 'alibaba' and e['path'].startswith('/appstack/')]
    assert_no_secrets(run.output)


def test_run_actions_check_mode_send_nothing(playbook, emu):
    run = playbook('pipeline_action/run_check_mode.yml', check=True)
    assert run.rc == 0, run
    assert not _acted(emu)
    assert all(e['method'] == 'GET' or e['path'].endswith('/pipeline-runs/list') for e in emu.log)


def test_run_action_lost_answer_adopted(playbook, emu):
    emu.add_fault(method='PUT', path=r'/pipeline-runs/[0-9a-z]+/retry$', kind='act_then_drop')
    run = playbook('pipeline_action/run_lost_answer.yml')
    assert run.rc == 0, run
    assert len([e for e in emu.log if e.get('operation') == 'RetryPipelineRun']) == 1
