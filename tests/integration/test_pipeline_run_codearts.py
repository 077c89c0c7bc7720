# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""pipeline_run on Huawei Cloud CodeArts Pipeline v5 against the emulator: real playbooks from
targets/pipeline_run/codearts_*.yml (the Flow playbooks of 0.1.0 are tested unchanged in test_pipeline_run.py)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest
import requests

from conftest import assert_no_secrets

C1, C2, C3 = ('c000000000000000000000000000000%d' % n for n in (1, 2, 3))
RUN_PATH = r'/api/pipelines/%s/run$'


def codearts_runs(emu, pipeline_id):
    """Runs of one CodeArts pipeline in the emulator's state, oldest first."""
    return requests.get(emu.url + '/_emulator/state', timeout=10).json()['codearts_runs'].get(pipeline_id, [])


def operations(emu, name):
    return [e for e in emu.log if e['operation'] == name]


def acting(emu):
    return [e for e in emu.log if e['operation'] not in ('ListPipelineRuns', 'ShowPipelineRunDetail') or e.get('acted')]


def test_lifecycle(playbook, emu):
    run = playbook('pipeline_run/codearts_lifecycle.yml')
    assert run.rc == 0, run
    saved = run.saved('codearts_lifecycle')
    start, rerun, forced, finished = saved['start'], saved['rerun'], saved['forced'], saved['finished']
    # only Huawei calls: the Alibaba module_defaults were not used
    assert {e['vendor'] for e in emu.log} == {'huawei'}
    # start, then no second run while it is live, then one forced (queued) run
    assert start['changed'] and start['action'] == 'started' and start['queued'] is False
    assert len(start['run_id']) == 32 and start['url'] == start['run']['url'] and start['run']['pipeline_id'] == C1
    assert rerun['changed'] is False and rerun['action'] == 'existing' and rerun['run_id'] == start['run_id']
    assert forced['action'] == 'started' and forced['queued'] is True and forced['queue_id']
    assert 'DEVPIPE.00011169' in forced['queue_message'] and forced['run_id'] != start['run_id']
    body = json.loads(operations(emu, 'RunPipeline')[0]['body'])
    assert body == {'sources': [{'type': 'code', 'params': {
        'git_type': 'codehub', 'git_url': 'https://codehub.example.com/emu/app.git', 'alias': 'app',
        'build_params': {'build_type': 'branch', 'target_branch': 'release/1.0'}}}],
        'variables': [{'name': 'DEPLOY_ENV', 'value': 'staging'}, {'name': 'BUILD_NUMBER', 'value': '7'}],
        'description': 'integration start'}
    # finished waited for the queued run through its queue time
    assert finished['changed'] is False and finished['run_id'] == forced['run_id']
    assert finished['run']['status'] == 'COMPLETED' and finished['run']['start_time']
    runs = codearts_runs(emu, C1)
    assert [r['id'] for r in runs] == [start['run_id'], forced['run_id']]
    assert runs[1]['started'] >= runs[0]['ended']
    # a failing run: failing stage and job in the result
    failing = saved['failing']
    assert failing['failed'] and failing['failing_stage'] == 'Test' and failing['failing_job'] == 'unit-test'
    assert 'ended FAILED' in failing['msg'] and failing['run']['status'] == 'FAILED'
    # cancel, then nothing left to cancel
    canceled, again = saved['canceled'], saved['canceled_again']
    assert canceled['changed'] and canceled['action'] == 'stopped' and canceled['run']['status'] == 'CANCELED'
    assert canceled['canceled_run_ids'] == [canceled['run_id']]
    assert again['changed'] is False and again['canceled_run_ids'] == []
    assert len(operations(emu, 'StopPipelineRun')) == 1
    # skip_if_succeeded: the newest ended run built release/1.0
    skipped = saved['skipped']
    assert skipped['changed'] is False and skipped['action'] == 'skipped_succeeded'
    assert skipped['run_id'] == forced['run_id']
    assert len(operations(emu, 'RunPipeline')) == 3 and len(codearts_runs(emu, C2)) == 2
    # the list is always asked newest first, explicitly
    for entry in operations(emu, 'ListPipelineRuns'):
        listing = json.loads(entry['body'])
        assert listing['sort_key'] == 'start_time' and listing['sort_dir'] == 'desc' and listing['limit'] == 30
    assert_no_secrets(run.output)


@pytest.mark.parametrize('switches', [
    {},
    {'huawei.codearts.queued_http_status': 202},
    {'huawei.codearts.queued_run_status': 'QUEUED'},
    {'huawei.codearts.list_runs_default_sort_dir': 'asc'},
], ids=['default', 'http-202', 'status-QUEUED', 'list-asc'])
def test_queued_start(playbook, emu, switches):
    if switches:
        emu.set_switches(**switches)
    run = playbook('pipeline_run/codearts_queued.yml')
    assert run.rc == 0, run
    saved = run.saved('codearts_queued')
    first, queued = saved['first'], saved['queued']
    assert first['queued'] is False and queued['queued'] is True and queued['changed'] is True
    assert queued['run_id'] != first['run_id'] and queued['run']['status'] == 'COMPLETED'
    starts = operations(emu, 'RunPipeline')
    assert len(starts) == 2 and starts[1]['status'] == switches.get('huawei.codearts.queued_http_status', 200)
    runs = codearts_runs(emu, C1)
    assert len(runs) == 2 and runs[1]['started'] >= runs[0]['ended']
    assert_no_secrets(run.output)


def test_check_mode_sends_no_acting_call(playbook, emu):
    run = playbook('pipeline_run/codearts_check_mode.yml', check=True)
    assert run.rc == 0, run
    saved = run.saved('codearts_check_mode')
    assert saved['would_start']['action'] == 'would_start' and saved['would_start']['changed']
    assert saved['would_stop']['action'] == 'would_stop' and saved['would_stop']['run']['status'] == 'RUNNING'
    assert emu.log and acting(emu) == []
    assert codearts_runs(emu, C1) == [] and codearts_runs(emu, C3)[-1]['status'] != 'canceled'


def test_lost_answer_creates_exactly_one_run(playbook, emu):
    emu.add_fault(method='POST', path=RUN_PATH % C1, kind='act_then_drop', times=1)
    run = playbook('pipeline_run/codearts_lost_answer.yml')
    assert run.rc == 0, run
    saved = run.saved('codearts_lost_answer')
    runs = codearts_runs(emu, C1)
    assert len(runs) == 1
    assert saved['changed'] is True and saved['action'] == 'adopted' and saved['run_id'] == runs[0]['id']
    starts = operations(emu, 'RunPipeline')
    assert len(starts) == 1 and starts[0]['fault'] == 'act_then_drop' and starts[0]['acted']
    assert_no_secrets(run.output)


def test_wrong_credentials(playbook, emu):
    run = playbook('pipeline_run/codearts_credentials.yml')
    assert run.rc == 0, run
    saved = run.saved('codearts_credentials')
    for name in ('wrong_token', 'wrong_secret'):
        assert saved[name]['failed'] and saved[name]['http_status'] == 401, saved[name]
        assert 'authentication' in saved[name]['msg']
    assert acting(emu) == [] and codearts_runs(emu, C1) == []
    assert 'hw-wrong-token-for-tests' not in run.output and 'hw-wrong-secret-for-tests' not in run.output
    assert_no_secrets(run.output, repr(saved))
