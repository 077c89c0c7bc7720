# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Flow backend (_alibaba/flow.py): its status tables, normalisation and run inputs, and the engine
driving targets judged by those tables."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import types

import pytest

from ansible_collections.devops_cloud.pipelines.plugins.module_utils import _engine, _status
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba import client, flow
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba.flow import RUN_STATUSES, STEP_STATUSES
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._http import ApiError


class _Described(_engine.RunTarget):
    """A Flow run named ``what`` in messages."""

    statuses = RUN_STATUSES
    step_statuses = STEP_STATUSES

    def __init__(self, what):
        self.what = what

    def describe(self, run_id):
        return self.what


def _verdict(outcome, state, what, status, run, wait_timeout):
    """The former ``verdict``: the engine's judgement of a Flow run ``run`` with ``status``."""
    outcome.record = dict(run or {}, status=status)
    return _engine.judge(outcome, state, _Described(what), wait_timeout)


# The names the tests below used when the Flow backend and the run lifecycle were one file (_flow.py), bound
# to where the code lives now: the status questions are the Flow tables', the lifecycle is the engine's.
_flow = types.SimpleNamespace(
    is_live=RUN_STATUSES.live,
    is_terminal=RUN_STATUSES.terminal,
    succeeded=RUN_STATUSES.succeeded,
    is_waiting=lambda run: _status.is_waiting(run, RUN_STATUSES, STEP_STATUSES),
    failing_step=lambda run: _status.failing_step(run, STEP_STATUSES),
    current_step=lambda run: _status.current_step(run, STEP_STATUSES),
    describe_step=_status.describe_step,
    newest_finished=lambda runs, status_of: next((r for r in runs if RUN_STATUSES.terminal(status_of(r))), None),
    normalize_run=flow.normalize_run,
    build_run_params=flow.build_run_params,
    run_url=flow.run_url,
    repo_key=flow.repo_key,
    built_branches=flow.built_branches,
    id_from_answer=client.id_from_answer,
    list_items=client.list_items,
    id_key=client.id_key,
    ensure_run=_engine.ensure_run,
    Outcome=_engine.Outcome,
    verdict=_verdict,
)


@pytest.mark.parametrize('status,live,terminal,ok', [
    ('RUNNING', True, False, False),
    ('WAITING', True, False, False),
    ('INIT', True, False, False),
    (None, True, False, False),
    ('', True, False, False),
    ('SOMETHING_NEW', True, False, False),
    ('SUCCESS', False, True, True),
    ('success', False, True, True),
    ('FAIL', False, True, False),
    ('FAILED', False, True, False),
    ('CANCELED', False, True, False),
    ('CANCELLED', False, True, False),
])
def test_status_table(status, live, terminal, ok):
    assert _flow.is_live(status) is live
    assert _flow.is_terminal(status) is terminal
    assert _flow.succeeded(status) is ok


def run(*stages, **kw):
    data = dict(status=kw.get('status', 'RUNNING'), stages=[])
    for name, status, jobs in stages:
        data['stages'].append(dict(name=name, status=status, jobs=[dict(id=i, name=j, status=s) for i, (j, s) in enumerate(jobs)]))
    return data


def test_failing_step_prefers_failed_job():
    data = run(('Build', 'SUCCESS', [('build', 'SUCCESS')]), ('Test', 'FAIL', [('lint', 'SUCCESS'), ('unit', 'FAIL')]),
               ('Deploy', 'CANCELED', [('deploy', 'CANCELED')]), status='FAIL')
    assert _flow.failing_step(data) == ('Test', 'unit', 'FAIL')


def test_failing_step_canceled_and_stage_only_and_unknown():
    assert _flow.failing_step(run(('Build', 'SUCCESS', [('b', 'SUCCESS')]), ('Deploy', 'CANCELED', [('d', 'CANCELED')]))) == \
        ('Deploy', 'd', 'CANCELED')
    assert _flow.failing_step(run(('Build', 'FAIL', []))) == ('Build', None, 'FAIL')
    assert _flow.failing_step(run(('Build', 'SUCCESS', []), ('Odd', 'BROKEN', []))) == ('Odd', None, 'BROKEN')
    assert _flow.failing_step({}) == (None, None, None)


def test_current_step_prefers_waiting_job():
    data = run(('Build', 'RUNNING', [('compile', 'RUNNING')]), ('Gate', 'WAITING', [('approve', 'WAITING')]))
    assert _flow.current_step(data) == ('Gate', 'approve', 'WAITING')
    assert _flow.current_step(run(('Build', 'RUNNING', [('a', 'SUCCESS'), ('b', 'RUNNING')]), ('X', 'INIT', [('c', 'INIT')]))) == \
        ('Build', 'b', 'RUNNING')
    assert _flow.current_step(run(('Build', 'INIT', [('c', 'INIT')]))) == (None, None, None)
    assert _flow.is_waiting(data) and not _flow.is_waiting(run(('B', 'RUNNING', [('x', 'RUNNING')])))


def test_describe_step():
    assert _flow.describe_step(('Test', 'unit', 'FAIL')) == "stage 'Test' job 'unit' (FAIL)"
    assert _flow.describe_step(('Test', None, None)) == "stage 'Test'"
    assert _flow.describe_step((None, None, None)) == ''


def test_normalize_pop_run():
    data = {'pipelineRun': {'pipelineRunId': 3, 'pipelineId': 9, 'status': 'FAIL', 'triggerMode': 3, 'createTime': 10,
                            'updateTime': 20, 'creatorAccountId': 'a',
                            'sources': [{'type': 'codeup', 'sign': 's', 'data': {'repo': 'r', 'branch': 'b', 'commint': 'c'}}],
                            'stages': [{'name': 'S', 'stageInfo': {'status': 'FAIL', 'startTime': 11, 'endTime': 19,
                                                                   'jobs': [{'id': 5, 'name': 'j', 'status': 'FAIL'}]}}]}}
    got = _flow.normalize_run(data)
    assert got['id'] == 3 and got['pipeline_id'] == 9 and got['trigger'] == 'code_commit'
    assert got['start_time'] == 10 and got['end_time'] == 20
    assert got['sources'] == [dict(type='codeup', sign='s', name=None, repo='r', branch='b', commit='c')]
    assert got['stages'] == [dict(name='S', status='FAIL', start_time=11, end_time=19,
                                  jobs=[dict(id=5, name='j', status='FAIL', start_time=None, end_time=None)])]


def test_normalize_summary_and_garbage():
    got = _flow.normalize_run({'pipelineRunId': '4', 'status': 'RUNNING', 'startTime': 1, 'triggerMode': 99}, pipeline_id=7)
    assert got['id'] == 4 and got['pipeline_id'] == 7 and got['trigger'] is None and got['end_time'] is None
    assert _flow.normalize_run(None)['id'] is None
    assert _flow.normalize_run({'stages': [None], 'sources': ['x']})['stages'][0]['jobs'] == []


def test_build_run_params():
    doc = _flow.build_run_params(raw={'x': 1}, branches={'r': 'b'}, envs={'n': 1, 't': False}, comment='c',
                                 branch_mode_branches=['a'])
    assert doc == {'x': 1, 'runningBranchs': {'r': 'b'}, 'envs': {'n': '1', 't': 'false'}, 'comment': 'c', 'branchModeBranchs': ['a']}
    assert _flow.build_run_params() == {}
    with pytest.raises(ValueError, match='runningTags'):
        _flow.build_run_params(raw={'runningTags': {}}, tags={'r': 't'})


@pytest.mark.parametrize('answer,expected', [
    (5, 5), ('6', 6), ({'pipelineRunId': 7}, 7), ({'object': '8'}, 8), (True, None), (None, None), ({'x': 1}, None), ('abc', None),
])
def test_id_from_answer(answer, expected):
    assert _flow.id_from_answer(answer, 'pipelineRunId', 'object') == expected


def test_list_items_and_id_key():
    assert _flow.list_items([1], 'data') == [1]
    assert _flow.list_items({'data': [2]}, 'data') == [2]
    assert _flow.list_items({'x': 1}, 'data') == []
    assert sorted(['10', 9, 'abc'], key=_flow.id_key) == [9, '10', 'abc']


def test_run_url():
    assert _flow.run_url(1, 2) == 'https://flow.aliyun.com/pipelines/1/builds/2'
    assert _flow.run_url(1, None) is None


class FakeTarget(_engine.RunTarget):
    """In-memory target for the state machine, judged by the Flow run table."""

    kind = 'pipeline run'
    statuses = RUN_STATUSES

    def __init__(self, records, start_error=None):
        self.records = dict((r['id'], dict(r)) for r in records)
        self.started = 0
        self.stops = []
        self.start_error = start_error

    @staticmethod
    def status_of(record):
        return record['status']

    @staticmethod
    def id_of(record):
        return record['id']

    def list(self):
        return sorted(self.records.values(), key=lambda r: r['id'], reverse=True)

    def get(self, run_id):
        return dict(self.records[run_id])

    def start(self):
        self.started += 1
        new = max(self.records or [0]) + 1
        self.records[new] = dict(id=new, status='RUNNING')
        if self.start_error:
            raise self.start_error
        return new

    def stop(self, record):
        self.stops.append(record['id'])
        self.records[record['id']]['status'] = 'CANCELED'
        return []


def test_ensure_run_lost_answer_is_adopted():
    target = FakeTarget([dict(id=1, status='SUCCESS')], start_error=ApiError('reset', uncertain=True, retryable=True))
    outcome = _flow.ensure_run(target, 'started')
    assert outcome.action == 'adopted' and outcome.record['id'] == 2 and target.started == 1 and outcome.changed


def test_ensure_run_certain_error_raises_without_probe():
    target = FakeTarget([], start_error=ApiError('bad', status=400))
    with pytest.raises(ApiError):
        _flow.ensure_run(target, 'started')
    assert target.started == 1


def test_ensure_run_cancels_every_live_run():
    target = FakeTarget([dict(id=1, status='RUNNING'), dict(id=2, status='RUNNING'), dict(id=3, status='FAIL')])
    outcome = _flow.ensure_run(target, 'canceled', wait=True, poll_interval=0.01, wait_timeout=1)
    assert sorted(target.stops) == [1, 2] and outcome.stopped == [2, 1] and outcome.record['id'] == 2
    assert outcome.waited and not outcome.timed_out


def test_verdict():
    outcome = _flow.Outcome()
    failed = run(('Build', 'FAIL', [('b', 'FAIL')]), status='FAIL')
    assert _flow.verdict(outcome, 'finished', 'run 1', 'SUCCESS', {}, 5) == (None, {})
    msg, extras = _flow.verdict(outcome, 'finished', 'run 1', 'FAIL', failed, 5)
    assert msg == "run 1 ended FAIL: stage 'Build' job 'b' (FAIL)" and extras == dict(failing_stage='Build', failing_job='b')
    assert _flow.verdict(outcome, 'started', 'run 1', 'FAIL', failed, 5)[0] is None
    outcome.timed_out = True
    assert _flow.verdict(outcome, 'finished', 'run 1', 'RUNNING', {}, 5)[0] == 'timed out after 5s waiting for run 1 to end; last status RUNNING'


# --- skip_if_succeeded -------------------------------------------------------------------------------

def test_repo_key_and_built_branches():
    assert _flow.repo_key(' https://codeup.aliyun.com/o/r.git/ ') == 'https://codeup.aliyun.com/o/r'
    assert _flow.repo_key(None) == ''
    sources = [dict(repo='https://h/o/a.git', branch='main'), dict(repo='https://h/o/b', branch='dev'),
               dict(repo=None, branch='x')]
    assert _flow.built_branches(sources, {})
    assert _flow.built_branches(sources, None)
    assert _flow.built_branches(sources, {'https://h/o/a': 'main', 'https://h/o/b.git/': 'dev'})
    assert not _flow.built_branches(sources, {'https://h/o/a': 'dev'})
    assert not _flow.built_branches(sources, {'https://h/o/c': 'main'})
    assert not _flow.built_branches([], {'https://h/o/a': 'main'})
    assert _flow.built_branches([dict(repo='r', branch='1')], {'r': 1})


def test_newest_finished():
    runs = [dict(id=3, status='RUNNING'), dict(id=2, status='FAIL'), dict(id=1, status='SUCCESS')]
    assert _flow.newest_finished(runs, lambda r: r['status'])['id'] == 2
    assert _flow.newest_finished(runs[:1], lambda r: r['status']) is None


class MatchingTarget(FakeTarget):
    """A FakeTarget whose matcher accepts the runs in ``accept`` (and records what it was asked)."""

    def __init__(self, records, accept=()):
        super(MatchingTarget, self).__init__(records)
        self.accept = set(accept)
        self.asked = []

    def reusable(self, entry):
        self.asked.append(entry['id'])
        return dict(entry, full=True) if entry['id'] in self.accept else None


@pytest.mark.parametrize('state', ['started', 'finished'])
@pytest.mark.parametrize('check_mode', [False, True])
def test_ensure_run_skip_if_succeeded_reuses_the_matched_run(state, check_mode):
    target = MatchingTarget([dict(id=1, status='FAIL'), dict(id=2, status='SUCCESS')], accept=[2])
    outcome = _flow.ensure_run(target, state, skip_if_succeeded=True, check_mode=check_mode, poll_interval=0.01)
    assert outcome.action == 'skipped_succeeded' and not outcome.changed
    assert outcome.record == dict(id=2, status='SUCCESS', full=True)
    assert target.started == 0 and target.asked == [2] and not outcome.waited


def test_ensure_run_skip_if_succeeded_matcher_refuses():
    target = MatchingTarget([dict(id=2, status='SUCCESS')], accept=[])
    outcome = _flow.ensure_run(target, 'started', skip_if_succeeded=True)
    assert outcome.action == 'started' and outcome.changed and target.started == 1 and target.asked == [2]


def test_ensure_run_skip_if_succeeded_asks_only_about_a_newest_success():
    target = MatchingTarget([dict(id=1, status='SUCCESS'), dict(id=2, status='CANCELED')], accept=[1])
    outcome = _flow.ensure_run(target, 'started', skip_if_succeeded=True)
    assert outcome.action == 'started' and target.asked == []


def test_ensure_run_skip_if_succeeded_not_with_force_nor_by_default():
    for kwargs in (dict(skip_if_succeeded=True, force=True), {}):
        target = MatchingTarget([dict(id=1, status='SUCCESS')], accept=[1])
        outcome = _flow.ensure_run(target, 'started', **kwargs)
        assert outcome.action == 'started' and target.asked == [] and target.started == 1


def test_ensure_run_skip_if_succeeded_live_run_first():
    target = MatchingTarget([dict(id=1, status='SUCCESS'), dict(id=2, status='RUNNING')], accept=[1])
    outcome = _flow.ensure_run(target, 'started', skip_if_succeeded=True)
    assert outcome.action == 'existing' and outcome.record['id'] == 2 and target.asked == []
