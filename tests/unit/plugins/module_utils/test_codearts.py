# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of module_utils/_huawei/codearts.py (status table, chunking, the batch status call) and the
vendor-free report of module_utils/_query.py over it."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.devops_cloud.pipelines.plugins.module_utils import _query
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei import codearts
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._http import ApiError
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._status import KINDS, SUCCESS

PROJECT = '0f1e2d3c4b5a69788796a5b4c3d2e1f0'


def gen_id(n):
    return 'b%031x' % n


def run(pid, status='COMPLETED', **extra):
    item = dict(pipeline_id=pid, pipeline_run_id='r' + pid[1:], status=status, run_number=1,
                stage_status_list=[dict(name='Build', sequence=0, status=status)])
    item.update(extra)
    return item


class FakeClient:
    """Records ``call`` arguments and answers from a function of the body."""

    def __init__(self, answer):
        self.answer = answer
        self.calls = []

    def call(self, method, path, query=None, body=None, idempotent=True, content_type=None):
        self.calls.append(dict(method=method, path=path, body=list(body), idempotent=idempotent))
        return self.answer(body)


@pytest.mark.parametrize('status, is_finished, is_succeeded', [
    ('COMPLETED', True, True),
    ('FAILED', True, False),
    ('CANCELED', True, False),
    ('IGNORED', True, False),
    ('RUNNING', False, False),
    ('PAUSED', False, False),
    ('SUSPEND', False, False),
    ('completed', True, True),
    ('SOMETHING_NEW', False, False),
    (None, False, False),
    ('', False, False),
])
def test_run_status_table(status, is_finished, is_succeeded):
    assert codearts.RUN_STATUSES.terminal(status) is is_finished
    assert codearts.RUN_STATUSES.succeeded(status) is is_succeeded


def test_run_status_table_covers_the_documented_statuses():
    # RUNNING is live: undeclared, as any status the API may add
    documented = {'COMPLETED', 'RUNNING', 'FAILED', 'CANCELED', 'PAUSED', 'SUSPEND', 'IGNORED'}
    assert codearts.RUN_STATUSES.statuses(*KINDS) | {'RUNNING'} == documented
    # succeeded implies finished
    assert all(codearts.RUN_STATUSES.terminal(s) for s in codearts.RUN_STATUSES.statuses(SUCCESS))


def test_chunks_and_unique_ids():
    assert codearts.chunks(list(range(7)), 3) == [[0, 1, 2], [3, 4, 5], [6]]
    assert codearts.chunks([], 3) == []
    with pytest.raises(ValueError):
        codearts.chunks([1], 0)
    assert _query.unique_ids(['b', 'a', 'b', 'c', 'a']) == ['b', 'a', 'c']


def test_limit_is_the_collection_default():
    assert codearts.BATCH_STATUS_LIMIT == 100


def test_status_path_encodes_project():
    assert codearts.status_path(PROJECT) == '/v5/%s/api/pipelines/status' % PROJECT
    assert codearts.status_path('a/b') == '/v5/a%2Fb/api/pipelines/status'


def test_batch_latest_status_chunks_in_order_and_drops_never_run():
    ids = [gen_id(n) for n in range(1, 251)]
    client = FakeClient(lambda body: [run(pid) for pid in reversed(body) if int(pid[1:], 16) % 7])
    runs = codearts.batch_latest_status(client, PROJECT, ids)
    assert [len(c['body']) for c in client.calls] == [100, 100, 50]
    assert [pid for c in client.calls for pid in c['body']] == ids
    assert all(c['method'] == 'POST' and c['idempotent'] is True for c in client.calls)
    assert all(c['path'] == '/v5/%s/api/pipelines/status' % PROJECT for c in client.calls)
    assert list(runs) == [pid for pid in ids if int(pid[1:], 16) % 7]


def test_batch_latest_status_custom_chunk_and_duplicates():
    client = FakeClient(lambda body: [run(pid) for pid in body])
    runs = codearts.batch_latest_status(client, PROJECT, ['x1', 'x2', 'x1', 'x3'], chunk=2)
    assert [c['body'] for c in client.calls] == [['x1', 'x2'], ['x3']]
    assert list(runs) == ['x1', 'x2', 'x3']


def test_batch_latest_status_empty_ids_sends_nothing():
    client = FakeClient(lambda body: [])
    assert codearts.batch_latest_status(client, PROJECT, []) == {}
    assert client.calls == []


def test_batch_latest_status_ignores_unasked_and_repeated_entries():
    client = FakeClient(lambda body: [run('x1', 'FAILED'), run('zz'), run('x1', 'COMPLETED')])
    runs = codearts.batch_latest_status(client, PROJECT, ['x1', 'x2'])
    assert list(runs) == ['x1']
    assert runs['x1']['status'] == 'FAILED'


def test_batch_latest_status_empty_body_is_no_runs():
    client = FakeClient(lambda body: None)
    assert codearts.batch_latest_status(client, PROJECT, ['x1']) == {}


@pytest.mark.parametrize('answer, text', [
    ({'pipelines': []}, 'expected a JSON array of pipeline runs, got a JSON object'),
    ('oops', 'got a JSON string'),
    ([1], 'expected pipeline run objects in the JSON array, got a JSON number'),
])
def test_batch_latest_status_unexpected_shape(answer, text):
    client = FakeClient(lambda body: answer)
    with pytest.raises(ApiError) as exc:
        codearts.batch_latest_status(client, PROJECT, ['x1'])
    assert text in str(exc.value)
    assert 'POST /v5/' in str(exc.value)


def test_batch_latest_status_needs_project():
    with pytest.raises(ApiError, match='project_id is required'):
        codearts.batch_latest_status(FakeClient(lambda body: []), None, ['x1'])


def test_status_report_and_all_finished():
    runs = {'a': run('a', 'COMPLETED'), 'b': run('b', 'FAILED'), 'c': run('c', 'RUNNING'), 'e': run('e', None)}
    report = _query.status_report(['c', 'a', 'd', 'b', 'a', 'e'], runs, codearts.RUN_STATUSES)
    assert [p['pipeline_id'] for p in report['pipelines']] == ['c', 'a', 'b', 'e']
    assert report['missing'] == ['d']
    assert report['summary'] == {'COMPLETED': 1, 'FAILED': 1, 'RUNNING': 1, 'UNKNOWN': 1}
    assert list(report['summary']) == sorted(report['summary'])
    first = report['pipelines'][0]
    assert (first['finished'], first['succeeded']) == (False, False)
    assert (report['pipelines'][1]['finished'], report['pipelines'][1]['succeeded']) == (True, True)
    assert (report['pipelines'][2]['finished'], report['pipelines'][2]['succeeded']) == (True, False)
    # the API's fields are kept, and the input is not modified
    assert first['stage_status_list'] == runs['c']['stage_status_list']
    assert 'finished' not in runs['c']
    assert _query.all_finished(report) is False
    assert _query.all_finished(_query.status_report(['a', 'b', 'd'], runs, codearts.RUN_STATUSES)) is True
    assert _query.all_finished(_query.status_report([], runs, codearts.RUN_STATUSES)) is True


def test_read_status():
    client = FakeClient(lambda body: [run(pid, 'FAILED') for pid in body if pid != 'n'])
    runs = codearts.LatestRuns(client, PROJECT)
    report = _query.status_report(['y', 'n'], runs.latest(['y', 'n']), runs.statuses)
    assert report['missing'] == ['n']
    assert report['summary'] == {'FAILED': 1}
