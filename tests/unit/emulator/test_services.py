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
