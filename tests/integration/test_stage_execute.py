# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""stage_execute against the emulator: real playbooks from targets/stage_execute/, on both Alibaba APIs."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest
import requests

from conftest import FIXTURE, assert_no_secrets

APIS = ['yunxiao', 'openapi']
STAGE = '/apps/demo-app/releaseWorkflows/wf-0001/releaseStages/stage-prod'


def executions(emu, stage):
    """Executions (runs) of one release stage in the emulator's state."""
    runs = requests.get(emu.url + '/_emulator/state', timeout=10).json()['flow_runs']
    return [r for r in runs.values() if r['extra'].get('stage_key') == ['demo-app', 'wf-0001', stage]]


def acting(emu):
    return [e for e in emu.log if e['method'] != 'GET' or e.get('acted')]


@pytest.mark.parametrize('api', APIS)
def test_lifecycle(playbook, emu, api):
    run = playbook('stage_execute/lifecycle.yml', extra_vars=dict(api=api))
    assert run.rc == 0, run
    # start + force on prod (none from the idempotent re-run), one each on dev and broken
    assert len(executions(emu, 'stage-prod')) == 2
    assert len(executions(emu, 'stage-dev')) == 1 and len(executions(emu, 'stage-broken')) == 1
    executes = [e for e in emu.log if e['operation'] == 'ExecuteChangeRequestReleaseStage']
    assert len(executes) == 4
    body = json.loads(executes[0]['body'])
    assert body == {'params': {
        'IMAGE_TAG': '1.0', 'FLOW_INST_RUNNING_COMMENT': 'integration',
        'releaseBranchRepoInfo': {'repo': 'https://codeup.aliyun.com/emu/demo.git', 'baseBranch': {'branchName': 'master'},
                                  'needCreateBranch': True,
                                  'featureBranchs': [{'branchName': 'feature/one', 'changeRequestSn': 'cr-0001'}]}}}
    assert json.loads(executes[2]['body']) == {'params': {'source_0': 'main'}}
    cancels = [e for e in emu.log if e['operation'] == 'CancelExecutionReleaseStage']
    assert len(cancels) == 2
    if api == 'openapi':
        assert all(e['query']['organizationId'] == [FIXTURE['org_id']] for e in emu.log)
        assert all(e['vendor'] == 'alibaba' for e in emu.log)
    else:
        assert all(e['path'].startswith('/oapi/v1/appstack/organizations/%s/' % FIXTURE['org_id']) for e in emu.log)
    assert_no_secrets(run.output)


@pytest.mark.parametrize('api', APIS)
def test_check_mode_sends_no_acting_call(playbook, emu, api):
    resp = requests.post(emu.url + '/oapi/v1/appstack/organizations/%s%s:execute' % (FIXTURE['org_id'], STAGE),
                         headers={'x-yunxiao-token': FIXTURE['yunxiao_token']}, json={'params': {}}, timeout=10)
    assert resp.status_code == 200
    emu.log.clear()
    run = playbook('stage_execute/check_mode.yml', extra_vars=dict(api=api), check=True)
    assert run.rc == 0, run
    assert emu.log and acting(emu) == []
    assert executions(emu, 'stage-dev') == [] and len(executions(emu, 'stage-prod')) == 1


def test_wrong_credentials(playbook, emu):
    run = playbook('stage_execute/credentials.yml')
    assert run.rc == 0, run
    saved = run.saved('credentials')
    assert saved['wrong_token']['http_status'] == 401
    assert acting(emu) == []
    assert_no_secrets(run.output, repr(saved))
    assert 'pt-wrong-token-for-tests' not in run.output and 'wrong-secret-for-tests' not in run.output


@pytest.mark.parametrize('api', APIS)
def test_lost_answer_creates_exactly_one_execution(playbook, emu, api):
    emu.add_fault(method='POST', path=r'/releaseStages/stage-prod(:|%3A)execute$', kind='act_then_drop', times=1)
    run = playbook('stage_execute/lost_answer.yml', extra_vars=dict(api=api))
    assert run.rc == 0, run
    saved = run.saved('lost_answer')
    runs = executions(emu, 'stage-prod')
    assert len(runs) == 1
    assert saved['changed'] is True and saved['action'] == 'adopted' and saved['execution']['number'] == str(runs[0]['id'])
    posts = [e for e in emu.log if e['method'] == 'POST']
    assert len(posts) == 1 and posts[0]['fault'] == 'act_then_drop' and posts[0]['acted']
    assert_no_secrets(run.output)


@pytest.mark.parametrize('api', APIS)
def test_skip_if_succeeded_reuses_the_succeeded_execution(playbook, emu, api):
    run = playbook('stage_execute/skip_if_succeeded.yml', extra_vars=dict(api=api))
    assert run.rc == 0, run
    saved = run.saved('skip_if_succeeded')
    # stage-dev: first and forced; stage-broken: twice (its newest execution failed). None from the re-runs.
    assert len(executions(emu, 'stage-dev')) == 2 and len(executions(emu, 'stage-broken')) == 2
    executes = [e for e in emu.log if e['operation'] == 'ExecuteChangeRequestReleaseStage']
    assert len(executes) == 4 and len(acting(emu)) == 4
    assert saved['again']['execution']['number'] == saved['first']['execution']['number']
    assert_no_secrets(run.output)


@pytest.mark.parametrize('api', APIS)
def test_wait_until_gate(playbook, emu, api):
    run = playbook('stage_execute/wait_gate.yml', extra_vars=dict(api=api))
    assert run.rc == 0, run
    saved = run.saved('wait_gate')
    assert saved['prod_gate']['at_gate'] is True and saved['prod_gate']['gate']['job']
    assert len(executions(emu, 'stage-prod')) == 1
    assert_no_secrets(run.output)
