# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The AppStack backend (_alibaba/appstack.py): its tables, the execute parameters and when the pipeline run
of an execution is read."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba import appstack, flow
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._engine import OptionError, Outcome


@pytest.mark.parametrize('state, live, succeeded', [
    ('RUNNING', True, False), ('SUCCESS', False, True), ('FAILED', False, False), ('CANCELED', False, False),
    ('SOMETHING_NEW', True, False), (None, True, False),
])
def test_execution_states(state, live, succeeded):
    table = appstack.StageExecutions.statuses
    assert table.live(state) is live and table.succeeded(state) is succeeded


def test_steps_are_those_of_the_flow_run():
    assert appstack.StageExecutions.step_statuses is flow.STEP_STATUSES
    target = appstack.StageExecutions(None, 'yunxiao', 'o', 'app', 'wf', 'st')
    record = dict(number='7', state='RUNNING')
    assert target.id_of(record) == '7' and target.status_of(record) == 'RUNNING'
    assert target.describe('7') == 'execution 7 of release stage st (workflow wf, app app)'


def test_stage_params_given_twice_is_an_option_error():
    assert appstack.build_stage_params(params={'A': 1}, comment='c', branches={'s': 2}) == {
        'A': 1, appstack.COMMENT_KEY: 'c', 's': '2'}
    with pytest.raises(OptionError, match="'s'"):
        appstack.build_stage_params(params={'s': 'x'}, branches={'s': 'b'})


class PipelineRuns(appstack.StageExecutions):
    """Counts the reads of the pipeline run; ``answer`` is the execute answer."""

    def __init__(self, answer=None):
        appstack.StageExecutions.__init__(self, None, 'yunxiao', 'o', 'app', 'wf', 'st')
        self.start_answer = answer
        self.reads = []

    def pipeline_run(self, number):
        self.reads.append(number)
        return dict(id=1)


@pytest.mark.parametrize('action, waited, answer, read', [
    ('started', False, {'pipelineRunId': 5}, False),
    ('started', False, {'object': 1}, True),
    ('adopted', False, None, True),
    ('started', True, {'pipelineRunId': 5}, True),
    ('existing', False, None, True),
    ('skipped_succeeded', False, None, True),
    ('stopped', False, None, False),
    ('stopped', True, None, True),
    ('would_stop', False, None, False),
])
def test_pipeline_run_is_read_when_it_tells_something(action, waited, answer, read):
    target = PipelineRuns(answer)
    outcome = Outcome()
    outcome.record, outcome.action, outcome.waited = dict(number='3', state='RUNNING'), action, waited
    assert (target.pipeline_run_of(outcome) is not None) is read and target.reads == (['3'] if read else [])
    outcome.record = None
    assert target.pipeline_run_of(outcome) is None
