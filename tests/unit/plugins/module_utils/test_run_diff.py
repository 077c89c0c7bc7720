# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""RunDiff (_module.py): --diff of the runs a task driven by the engine is about."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._engine import RunTarget, ensure_run
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._module import RunDiff
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._status import StatusTable


class Runs(RunTarget):
    kind = 'build'
    statuses = StatusTable(success=('OK',), failure=('BAD',), canceled=('STOPPED',))

    def __init__(self, *runs):
        self.runs = dict((r['id'], dict(r)) for r in runs)

    def list(self):
        return [dict(r) for _k, r in sorted(self.runs.items(), reverse=True)]

    def get(self, run_id):
        return dict(self.runs[run_id])

    def start(self):
        new = max(self.runs or [0]) + 1
        self.runs[new] = dict(id=new, status='RUN')
        return new

    def stop(self, record):
        self.runs[record['id']]['status'] = 'STOPPED'
        return []


def diff(target, state, **kwargs):
    watched = RunDiff(target)
    outcome = ensure_run(watched, state, poll_interval=0.01, **kwargs)
    return watched.diff(outcome, state)


def test_forwards_the_target():
    target = Runs(dict(id=1, status='OK'))
    watched = RunDiff(target)
    assert watched.kind == 'build' and watched.statuses is target.statuses and watched.describe(1) == 'build 1'


@pytest.mark.parametrize('check_mode, after', [(False, {'2': 'OK', '3': 'RUN'}), (True, {'2': 'OK', '(new build)': 'RUNNING'})])
def test_start_from_the_newest_run(check_mode, after):
    assert diff(Runs(dict(id=1, status='BAD'), dict(id=2, status='OK')), 'started', check_mode=check_mode) == dict(
        before={'2': 'OK'}, after=after)


def test_live_runs_are_the_start():
    assert diff(Runs(dict(id=1, status='RUN'), dict(id=2, status='OK')), 'finished', wait_timeout=0) == dict(
        before={'1': 'RUN'}, after={'1': 'RUN'})


@pytest.mark.parametrize('check_mode, stopped', [(False, 'STOPPED'), (True, 'CANCELED')])
def test_cancel_every_live_run(check_mode, stopped):
    """Check mode predicts the word CANCELED whatever the target calls it."""
    target = Runs(dict(id=1, status='RUN'), dict(id=2, status='RUN'), dict(id=3, status='OK'))
    assert diff(target, 'canceled', check_mode=check_mode) == dict(
        before={'1': 'RUN', '2': 'RUN'}, after={'1': stopped, '2': stopped})


def test_cancel_a_given_run_that_ended():
    assert diff(Runs(dict(id=1, status='BAD'), dict(id=2, status='RUN')), 'canceled', run_id=1) == dict(
        before={'1': 'BAD'}, after={'1': 'BAD'})
    assert diff(Runs(dict(id=1, status='OK')), 'canceled') == dict(before={}, after={})
