# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""pipeline_run against the emulator: real playbooks from targets/pipeline_run/, on both Alibaba APIs."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from urllib.parse import unquote_plus

import pytest
import requests

from conftest import FIXTURE, assert_no_secrets

APIS = ['yunxiao', 'openapi']
START_PATH = {'yunxiao': r'/oapi/v1/flow/organizations/[^/]+/pipelines/1003/runs$',
              'openapi': r'/organizations/[^/]+/pipelines/1003/run$'}


def flow_runs(emu, pipeline_id):
    """Runs of one pipeline in the emulator's state."""
    runs = requests.get(emu.url + '/_emulator/state', timeout=10).json()['flow_runs']
    return [r for r in runs.values() if r['extra']['pipeline_id'] == pipeline_id]


def acting(emu):
    return [e for e in emu.log if e['method'] != 'GET' or e.get('acted')]


@pytest.mark.parametrize('api', APIS)
def test_lifecycle(playbook, emu, api):
    run = playbook('pipeline_run/lifecycle.yml', extra_vars=dict(api=api))
    assert run.rc == 0, run
    saved = run.saved('lifecycle')
    # three runs of 1003 (start, force, the timeout one), no run from the idempotent re-run
    assert len(flow_runs(emu, 1003)) == 3
    assert len(flow_runs(emu, 1001)) == 1 and len(flow_runs(emu, 1002)) == 1
    starts = [e for e in emu.log if e['operation'] in ('StartPipelineRun', 'CreatePipelineRun')]
    assert len(starts) == 5
    vendor = 'yunxiao' if api == 'yunxiao' else 'alibaba'
    assert {e['vendor'] for e in emu.log} == {vendor}
    first = unquote_plus(starts[0]['body'])
    assert 'release/1.0' in first and 'DEPLOY_ENV' in first and 'integration' in first
    assert saved['rerun']['run_id'] == saved['start']['run_id']
    stops = [e for e in emu.log if e['method'] == 'PUT']
    if api == 'openapi':
        assert [e['operation'] for e in stops] == ['StopPipelineRun'] * 3
    else:
        # no run-level stop on the token API: the job waiting at the gate is stopped
        assert all(e['path'].endswith('/stop') and '/jobs/' in e['path'] for e in stops) and len(stops) == 3
    assert_no_secrets(run.output)


@pytest.mark.parametrize('api', APIS)
def test_check_mode_sends_no_acting_call(playbook, emu, api):
    # a live run of 1003, started on the token API (both APIs see the same runs)
    resp = requests.post(emu.url + '/oapi/v1/flow/organizations/%s/pipelines/1003/runs' % FIXTURE['org_id'],
                         headers={'x-yunxiao-token': FIXTURE['yunxiao_token']}, json={}, timeout=10)
    assert resp.status_code == 200
    emu.log.clear()
    run = playbook('pipeline_run/check_mode.yml', extra_vars=dict(api=api), check=True)
    assert run.rc == 0, run
    assert emu.log and acting(emu) == []
    assert len(flow_runs(emu, 1001)) == 0 and len(flow_runs(emu, 1003)) == 1


def test_wrong_credentials(playbook, emu):
    run = playbook('pipeline_run/credentials.yml')
    assert run.rc == 0, run
    saved = run.saved('credentials')
    assert saved['wrong_token']['http_status'] == 401
    assert acting(emu) == []
    assert_no_secrets(run.output, repr(saved))
    assert 'pt-wrong-token-for-tests' not in run.output and 'wrong-secret-for-tests' not in run.output


@pytest.mark.parametrize('api', APIS)
def test_lost_answer_creates_exactly_one_run(playbook, emu, api):
    emu.add_fault(method='POST', path=START_PATH[api], kind='act_then_drop', times=1)
    run = playbook('pipeline_run/lost_answer.yml', extra_vars=dict(api=api))
    assert run.rc == 0, run
    saved = run.saved('lost_answer')
    runs = flow_runs(emu, 1003)
    assert len(runs) == 1
    assert saved['changed'] is True and saved['action'] == 'adopted' and saved['run_id'] == runs[0]['id']
    starts = [e for e in emu.log if e['method'] == 'POST']
    assert len(starts) == 1 and starts[0]['fault'] == 'act_then_drop' and starts[0]['acted']
    assert_no_secrets(run.output)


@pytest.mark.parametrize('api', APIS)
def test_skip_if_succeeded_reuses_the_succeeded_run(playbook, emu, api):
    run = playbook('pipeline_run/skip_if_succeeded.yml', extra_vars=dict(api=api))
    assert run.rc == 0, run
    saved = run.saved('skip_if_succeeded')
    # 1001: first, other branch, forced; 1002: twice (its newest run failed). No run from the re-runs.
    assert len(flow_runs(emu, 1001)) == 3 and len(flow_runs(emu, 1002)) == 2
    starts = [e for e in emu.log if e['operation'] in ('StartPipelineRun', 'CreatePipelineRun')]
    assert len(starts) == 5 and len(acting(emu)) == 5
    assert saved['again']['run_id'] == saved['first']['run_id']
    # the list entries carry no sources: the reused run was read to compare its branch
    reads = [e for e in emu.log if e['operation'] == 'GetPipelineRun'
             and e['path'].endswith('/%s' % saved['first']['run_id'])]
    assert reads
    assert_no_secrets(run.output)


@pytest.mark.parametrize('api', APIS)
def test_wait_until_gate(playbook, emu, api):
    run = playbook('pipeline_run/wait_gate.yml', extra_vars=dict(api=api))
    assert run.rc == 0, run
    saved = run.saved('wait_gate')
    assert saved['flow_gate']['gate']['job'] == 'approve' and saved['flow_gate']['at_gate'] is True
    assert len(flow_runs(emu, 1003)) == 1
    assert 'it waits at a gate' in saved['ca_timeout']['msg']
    assert_no_secrets(run.output)
