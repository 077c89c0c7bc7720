# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""stage_review against the emulator: real playbooks from targets/stage_review/."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from conftest import assert_no_secrets

PIPE = 'a0000000000000000000000000000003'


def _decisions(emu):
    return [e for e in emu.log if e['method'] == 'POST' and e['path'].endswith(('/pass', '/refuse'))]


@pytest.mark.parametrize('result', ['pass', 'refuse'])
def test_v5_review(playbook, emu, result):
    run = playbook('stage_review/v5.yml', extra_vars=dict(review_result=result))
    assert run.rc == 0, run
    decisions = _decisions(emu)
    assert len(decisions) == 1 and decisions[0]['path'].endswith('/' + result)
    assert '/api/pipelines/%s/pipeline-runs/' % PIPE in decisions[0]['path']
    assert decisions[0]['query'].get('approval_description') in (['decided by the integration test'],
                                                                 'decided by the integration test')
    run_after = emu.state.codearts_runs[PIPE][-1]
    assert run_after.id == run.saved('v5')['decided']['pipeline_run_id']
    assert_no_secrets(run.output)


def test_v3_review(playbook, emu):
    run = playbook('stage_review/v3.yml')
    assert run.rc == 0, run
    puts = [e for e in emu.log if e['method'] == 'PUT']
    assert [e['path'] for e in puts] == ['/v3/manage/pipelines/101/stages/1/start_info',
                                         '/v3/manage/pipelines/102/stages/0/start_info',
                                         '/v3/manage/pipelines/999/stages/1/start_info']
    assert [e['status'] for e in puts] == [201, 201, 400]
    assert [r['review_result'] for r in emu.state.v3_reviews] == ['pass']


def test_check_mode_sends_no_acting_call(playbook, emu):
    run = playbook('stage_review/check_mode.yml', check=True)
    assert run.rc == 0, run
    assert _decisions(emu) == []
    assert not [e for e in emu.log if e['method'] == 'PUT' or e.get('acted')]


def test_aksk_wrong_credentials_faults(playbook, emu):
    emu.add_fault(method='POST', path=r'/pipeline-runs/list$', times=2, status=429, retry_after=0)
    emu.add_fault(method='GET', path=r'/pipeline-runs/detail$', times=2, status=503)
    emu.add_fault(method='POST', path=r'/steps/[^/]+/pass$', kind='error200')
    run = playbook('stage_review/auth_faults.yml')
    assert run.rc == 0, run
    saved = run.saved('auth_faults')
    assert saved['wrong']['failed'] and saved['error200']['failed']
    statuses = [e['status'] for e in emu.log if e['path'].endswith(('/list', '/detail'))]
    assert 429 in statuses and 503 in statuses
    assert len(_decisions(emu)) == 2
    assert_no_secrets(run.output, repr(saved))
