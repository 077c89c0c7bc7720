# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check mode predicts what the real run does, and --diff shows the state before and after (issue 10 item 12)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


def test_approval_prediction_and_diffs(playbook, emu):
    run = playbook('check_and_diff/run.yml', args=['--diff'])
    assert run.rc == 0, run
    saved = run.saved('check_and_diff')
    assert saved['started']['status'] == 5
    # a task name that is not the one awaiting approval: check mode and the real run fail alike, nothing is sent
    for name, task in (('wrong_check', 'deploy-prod'), ('wrong_real', 'approve-qa')):
        assert saved[name]['failed'] is True and saved[name]['changed'] is False, saved[name]
        assert 'cannot approve or refuse' in saved[name]['msg'] and "'approve-prod'" in saved[name]['msg']
        assert repr(task) in saved[name]['msg']
    actions = [e for e in emu.log if e['method'] == 'POST' and e['path'].endswith('/action')]
    assert [e['query'].get('action_id') for e in actions] in ([['start']], ['start'])
    # the waiting task: predicted, with the status it moves into
    right = saved['right_check']
    assert right['changed'] is True and not right.get('failed')
    assert right['diff']['before']['status'] == 5 and right['diff']['after']['status'] == 4
    assert saved['flow_check']['diff']['after'].get('(new pipeline run)') == 'RUNNING'
    assert saved['review_check']['diff']['after']['decision'] == 'pass'
    # the diffs are shown
    assert '--- before' in run.stdout and '+++ after' in run.stdout
