"""Tests of the emulator's service layout: route tables, status names, the run engine's job actions."""

import os
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

# pylint: disable=wrong-import-position
from tests.emulator import server  # noqa: E402
from tests.emulator.alibaba import appstack, flow  # noqa: E402
from tests.emulator.huawei import codearts, servicestage  # noqa: E402
from tests.emulator.routing import compile_routes  # noqa: E402
from tests.emulator.state import PHASE_STATUSES, RUN_STATUSES, Run  # noqa: E402


def test_route_patterns_name_their_parts():
    route = compile_routes([('POST', '/apps/{app}/stages/{stage:[^/:]+}:{verb:go|stop}', 'Op', print)])[0]
    assert route.regex.fullmatch('/apps/a1/stages/s-1:stop').groupdict() == {'app': 'a1', 'stage': 's-1', 'verb': 'stop'}
    assert route.regex.fullmatch('/apps/a1/stages/s-1:run') is None
    assert route.regex.fullmatch('/apps/a/b/stages/s:go') is None


def test_every_route_belongs_to_its_vendor_and_is_declared_once():
    seen = set()
    for vendor, route in server.ROUTES:
        literal_prefix = route.regex.pattern.split('(')[0]
        assert vendor.owns(literal_prefix), route
        assert (route.method, route.regex.pattern) not in seen, route
        seen.add((route.method, route.regex.pattern))


# ServiceStage rollbacks have no gate or pause: their table names only the statuses a rollback reaches.
@pytest.mark.parametrize('names', [codearts.NAMES, codearts.STEPS, servicestage.RELEASE, flow.NAMES, appstack.NAMES],
                         ids=['codearts', 'codearts-steps', 'servicestage', 'flow', 'appstack'])
def test_status_names_cover_every_engine_status(names):
    for table, statuses in ((names.runs, RUN_STATUSES), (names.jobs, PHASE_STATUSES), (names.stages, PHASE_STATUSES)):
        if table is not None:
            assert set(statuses) <= set(table)


def test_job_actions_of_the_engine():
    run = Run(7, [{'stage': 'S', 'job': 'build', 'seconds': 1, 'fail': True}, {'stage': 'S', 'job': 'gate', 'kind': 'gate'}], 0.0)
    assert run.advance(2.0).status == 'failed'
    assert not run.act('skip', 1, 2.0) and run.act('retry', 0, 2.0)
    assert run.advance(3.5).status == 'failed' and run.act('skip', 0, 3.5)
    assert run.status == 'waiting' and not run.act('pass', 0, 4.0) and run.act('pass', 1, 4.0)
    assert run.status == 'success' and [s.status for s in run.stages()] == ['success']
    with pytest.raises(ValueError):
        run.act('explode', 0, 5.0)


def test_engine_parallel_gates_queued_runs_and_delays():
    gates = [{'stage': 'A', 'job': 'qa', 'kind': 'gate'}, {'stage': 'A', 'job': 'ops', 'kind': 'gate', 'parallel': True},
             {'stage': 'B', 'job': 'deploy', 'seconds': 1}]
    run = Run(1, gates, 0.0)
    assert run.advance(1.0).status == 'waiting' and run.waiting_phases() == [0, 1]
    assert run.decide('pass', 2.0, 1, by='emu-user') and run.phases[1]['decided']['by'] == 'emu-user'
    assert run.status == 'waiting' and run.waiting_phases() == [0]
    assert run.decide('pass', 3.0, 0) and run.advance(4.5).status == 'success' and run.ended == 4.0
    refused = Run(2, gates, 0.0)
    assert refused.decide('refuse', 1.0, 0) and refused.status == 'failed'
    assert [p['status'] for p in refused.phases] == ['failed', 'canceled', 'pending']
    queued = Run(3, [{'stage': 'S', 'job': 'j', 'seconds': 2}], 0.0, queued=True)
    assert queued.advance(10.0).status == 'queued' and queued.started is None
    assert queued.begin(5.0) and queued.advance(6.0).status == 'running' and queued.advance(7.0).status == 'success'
    delay = Run(4, [{'stage': 'S', 'job': 'wait', 'kind': 'delay', 'seconds': 10}], 0.0)
    assert delay.advance(5.0).status == 'waiting' and delay.postpone(0, 10, 5.0)
    assert delay.advance(15.0).status == 'waiting' and delay.advance(20.0).status == 'success'
    unselected = Run(5, [{'stage': 'S', 'job': 'a', 'seconds': 1, 'unselected': True}, {'stage': 'T', 'job': 'b', 'seconds': 1}], 0.0)
    assert unselected.advance(1.5).status == 'success' and unselected.phases[0]['status'] == 'skipped'
