# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""module_utils/_query.py: the report, query and wait_until over any backend (no vendor, no HTTP)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.devops_cloud.pipelines.plugins.module_utils import _query
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._engine import OptionError
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._status import StatusTable

TABLE = StatusTable(success=('SUCCESS',), failure=('FAIL',), canceled=('CANCELED',))


class Runs:
    """A backend whose runs advance one answer per read; ``key`` differs from the CodeArts one on purpose."""

    statuses = TABLE
    key = 'flow_id'

    def __init__(self, *answers, **kw):
        self.answers = list(answers)
        self.sent = 0
        self.fail_at = kw.get('fail_at')

    def latest(self, ids):
        self.sent += 1
        if self.sent == self.fail_at:
            raise OptionError('read failed')
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return dict((pid, dict(flow_id=pid, status=status)) for pid, status in answer.items())

    def requests(self):
        return self.sent


@pytest.fixture
def clock(monkeypatch):
    now = [0.0]
    monkeypatch.setattr('time.sleep', lambda s: now.__setitem__(0, now[0] + s))
    monkeypatch.setattr('time.monotonic', lambda: now[0])
    return now


def test_read_once_with_query_over_the_report_only():
    result = dict(changed=False)
    watch = _query.Watch(query='keys(@)')
    assert watch.read(Runs(dict(a='SUCCESS')), ['a', 'b', 'a'], 10, 1, result) is None
    assert result['query_result'] == ['pipelines', 'missing', 'summary']
    assert result['pipelines'] == [dict(flow_id='a', status='SUCCESS', finished=True, succeeded=True)]
    assert result['missing'] == ['b'] and result['summary'] == {'SUCCESS': 1} and result['requests'] == 1


def test_wait_until_finished_names_what_is_pending_by_the_backends_key(clock):
    result = {}
    watch = _query.Watch(wait_until='Finished')
    msg = watch.read(Runs(dict(a='RUNNING', b='FAIL')), ['a', 'b'], 4, 2, result)
    assert msg == "wait_until 'Finished' did not hold within 4s (3 reads); 1 not finished: a (RUNNING)"
    assert result['summary'] == {'FAIL': 1, 'RUNNING': 1} and result['requests'] == 3


def test_wait_until_expression_and_errors_keep_what_was_read(clock):
    result = {}
    assert _query.Watch(wait_until="pipelines[?status=='SUCCESS']").read(
        Runs(dict(a='RUNNING'), dict(a='SUCCESS')), ['a'], 10, 1, result) is None
    assert result['requests'] == 2 and result['summary'] == {'SUCCESS': 1}
    result = {}
    with pytest.raises(OptionError, match=r"wait_until \('abs\(summary\)'\) could not be evaluated"):
        _query.Watch(wait_until='abs(summary)').read(Runs(dict(a='SUCCESS')), ['a'], 10, 1, result)
    assert result['summary'] == {'SUCCESS': 1} and result['requests'] == 1
    result = {}
    with pytest.raises(OptionError, match='read failed'):
        _query.Watch(wait_until='finished').read(Runs(dict(a='RUNNING'), fail_at=2), ['a'], 10, 1, result)
    assert result['requests'] == 2


def test_bad_expressions_are_option_errors_before_any_read():
    with pytest.raises(OptionError, match=r"^query is not a valid JMESPath expression \('pipelines\['\)"):
        _query.Watch(query='pipelines[')
    assert _query.Watch(wait_until=' finished ').condition is None
    assert [_query.truth(v) for v in (0, '', [], {}, None, False, 'x')] == [True, False, False, False, False, False, True]
