# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The filters of plugins/filter/release.py and their documentation files."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import inspect
import os

import pytest
import yaml

from ansible.errors import AnsibleFilterError

from ansible_collections.devops_cloud.pipelines.plugins.filter import release
from ansible_collections.devops_cloud.pipelines.plugins.filter.release import (
    FilterModule,
    failure_detail,
    first_error_line,
    seconds_between,
    summary_table,
    to_iso8601,
    upsert_steps,
)

HEADER = ('#', 'STEP', 'KIND', 'ID', 'STATUS', 'STARTED', 'DURATION', 'LINK')

# 2025-01-01T10:00:00Z
T0_S = 1735725600
T0_MS = T0_S * 1000
T0_ISO = '2025-01-01T10:00:00+00:00'


# ------------------------------------------------------------------------------------------------ to_iso8601

@pytest.mark.parametrize('value', [
    T0_MS,                             # milliseconds (Flow, CodeArts)
    T0_S,                              # seconds
    T0_MS + 999,                       # fractions of a second are dropped, not rounded
    T0_S + 0.999,
    str(T0_MS),                        # strings of digits
    ' %d ' % T0_S,
    '%d.5' % T0_S,
    '2025-01-01T10:00:00Z',
    '2025-01-01T10:00:00.999+00:00',   # AppStack's form
    '2025-01-01T18:00:00+08:00',       # converted to UTC
    '2025-01-01T05:00:00-05:00',
    '2025-01-01T10:00:00',             # no offset: UTC
    '2025-01-01 10:00:00',
])
def test_to_iso8601_reads_every_form(value):
    assert to_iso8601(value) == T0_ISO


@pytest.mark.parametrize('value', [None, '', '   ', 0, '0', 0.0])
def test_to_iso8601_unknown_time_gives_the_default(value):
    assert to_iso8601(value) == ''
    assert to_iso8601(value, default='-') == '-'
    assert to_iso8601(value, default=None) is None
    assert to_iso8601(value, unit='ms', default=T0_ISO) == T0_ISO


def test_to_iso8601_auto_unit_boundary():
    # below 10**11 a number is taken as seconds (year 5138), from there on as milliseconds (1973)
    assert to_iso8601(10 ** 11 - 1) == '5138-11-16T09:46:39+00:00'
    assert to_iso8601(10 ** 11) == '1973-03-03T09:46:40+00:00'
    assert to_iso8601(-(10 ** 11)) == '1966-10-31T14:13:20+00:00'


def test_to_iso8601_explicit_unit():
    assert to_iso8601(1500, unit='ms') == '1970-01-01T00:00:01+00:00'
    assert to_iso8601(1500, unit='s') == '1970-01-01T00:25:00+00:00'
    assert to_iso8601(1500) == '1970-01-01T00:25:00+00:00'
    assert to_iso8601('1500', unit='ms') == '1970-01-01T00:00:01+00:00'
    # an ISO string ignores the unit
    assert to_iso8601(T0_ISO, unit='ms') == T0_ISO


def test_to_iso8601_before_the_epoch_truncates_towards_the_past():
    assert to_iso8601(-1500, unit='ms') == '1969-12-31T23:59:58+00:00'


@pytest.mark.parametrize('value, unit, words', [
    ('yesterday', 'auto', 'neither a number nor an ISO 8601'),
    ('2025-13-01T00:00:00', 'auto', 'neither a number nor an ISO 8601'),
    (True, 'auto', 'not a boolean'),
    ([T0_MS], 'auto', 'not list'),
    ({'ms': T0_MS}, 'auto', 'not dict'),
    (float('inf'), 'auto', 'not a time'),
    ('nan', 'auto', 'not a time'),
    (10 ** 20, 'ms', 'out of range'),
    (T0_MS, 'minutes', 'unit must be one of auto, ms, s'),
])
def test_to_iso8601_rejects(value, unit, words):
    with pytest.raises(AnsibleFilterError, match=words):
        to_iso8601(value, unit=unit)


# ------------------------------------------------------------------------------------------------ seconds_between

def test_seconds_between_milliseconds_is_exact():
    assert seconds_between(T0_MS, T0_MS + 42500) == 42.5
    assert seconds_between(1677919688000, 1677919811123) == (1677919811123 - 1677919688000) / 1000
    assert seconds_between(T0_MS, T0_MS + 42500, unit='ms') == 42.5


@pytest.mark.parametrize('start, end, seconds', [
    (T0_S, T0_S + 90, 90),
    (str(T0_MS), str(T0_MS + 1000), 1),
    ('2025-01-01T10:00:00.000+00:00', '2025-01-01T10:01:30.500+00:00', 90.5),
    ('2025-01-01T18:00:00+08:00', '2025-01-01T10:00:05Z', 5),
    (T0_MS, '2025-01-01T10:00:02Z', 2),     # mixed forms
    (T0_S, T0_MS + 3000, 3),                # mixed units under auto
    (T0_MS + 1000, T0_MS, -1),              # an end before the start stays negative
])
def test_seconds_between_forms(start, end, seconds):
    assert seconds_between(start, end) == pytest.approx(seconds)


@pytest.mark.parametrize('start, end', [(None, T0_MS), (T0_MS, None), (T0_MS, 0), (0, T0_MS), ('', ''), (T0_MS, '')])
def test_seconds_between_unknown_time_is_none(start, end):
    assert seconds_between(start, end) is None


def test_seconds_between_names_the_bad_time():
    with pytest.raises(AnsibleFilterError, match="end 'soon'"):
        seconds_between(T0_MS, 'soon')
    with pytest.raises(AnsibleFilterError, match='start must be'):
        seconds_between(False, T0_MS)


# ------------------------------------------------------------------------------------------------ upsert_steps

FULL = dict(key='', name='Flow pipeline 1001', kind='flow', id='42', status='succeeded',
            started=T0_ISO, duration=4.2, url='https://flow.aliyun.com/pipelines/1001/builds/42', detail='')


def test_upsert_steps_appends_a_normalized_step():
    got = upsert_steps(None, {'name': 'dependencies'})
    assert got == [dict(key='', name='dependencies', kind='', id='', status='unknown', started='',
                        duration=None, url='', detail='')]
    assert list(got[0]) == ['key', 'name', 'kind', 'id', 'status', 'started', 'duration', 'url', 'detail']
    assert upsert_steps([], [FULL]) == [FULL]


@pytest.mark.parametrize('given, stored', [
    (dict(id=42), dict(id='42')),
    (dict(id=0), dict(id='')),                 # empty values become empty strings, as before
    (dict(id=None, kind=None, url=None, detail=None, started=None), {}),
    (dict(status=''), dict(status='unknown')),
    (dict(status=None), dict(status='unknown')),
    (dict(key=None), dict(key='')),
    (dict(duration=4.26), dict(duration=4.3)),
    (dict(duration='12.34'), dict(duration=12.3)),
    (dict(duration=0), dict(duration=0.0)),
    (dict(duration=''), dict(duration=None)),
    (dict(duration='None'), dict(duration=None)),
    (dict(duration='soon'), dict(duration=None)),
    (dict(duration=float('nan')), dict(duration=None)),
    (dict(duration=True), dict(duration=None)),
])
def test_upsert_steps_normalizes_values(given, stored):
    step = dict(name='a step')
    step.update(given)
    want = dict(key='', name='a step', kind='', id='', status='unknown', started='', duration=None, url='', detail='')
    want.update(stored)
    assert upsert_steps([], [step]) == [want]


def test_upsert_steps_replaces_the_step_with_the_same_key_in_place():
    first = upsert_steps([], [
        dict(name='review', status='passed'),
        dict(key='rt:1', name='release task rt-1', status='releasing'),
        dict(name='approval', status='agreed'),
    ])
    got = upsert_steps(first, dict(key='rt:1', name='release task rt-1', status='succeeded', duration=9))
    assert [s['name'] for s in got] == ['review', 'release task rt-1', 'approval']
    assert got[1]['status'] == 'succeeded' and got[1]['duration'] == 9.0
    # the input list is left as it was
    assert first[1]['status'] == 'releasing' and len(first) == 3


def test_upsert_steps_new_key_and_empty_key_append():
    steps = upsert_steps([], [dict(key='a', name='one'), dict(name='two')])
    got = upsert_steps(steps, [dict(key='b', name='three'), dict(key='', name='two')])
    assert [(s['key'], s['name']) for s in got] == [('a', 'one'), ('', 'two'), ('b', 'three'), ('', 'two')]


def test_upsert_steps_a_key_repeated_in_one_call_updates_the_step_it_added():
    got = upsert_steps([], [dict(key='k', name='x', status='running'), dict(key='k', name='x', status='failed')])
    assert [s['status'] for s in got] == ['failed']


def test_upsert_steps_replaces_the_last_of_duplicate_keys():
    old = [dict(key='k', name='first'), dict(key='k', name='second')]
    got = upsert_steps(old, dict(key='k', name='new'))
    assert [s['name'] for s in got] == ['first', 'new']


def test_upsert_steps_does_not_change_its_input():
    old = [dict(FULL, key='k')]
    new = [dict(key='k', name='Flow pipeline 1001', duration='3')]
    before = copy.deepcopy((old, new))
    upsert_steps(old, new)
    assert (old, new) == before


def test_upsert_steps_skips_empty_items():
    assert upsert_steps([FULL], [{}, None]) == [FULL]
    assert upsert_steps([FULL], {}) == [FULL]
    assert upsert_steps(None, None) == []


def test_upsert_steps_keeps_unicode_names():
    got = upsert_steps([], dict(name=u'stage 生产环境', detail=u'déployé ✓'))
    assert got[0]['name'] == u'stage 生产环境' and got[0]['detail'] == u'déployé ✓'


@pytest.mark.parametrize('steps, new, words', [
    ([], [dict(kind='flow')], 'every step needs a name'),
    ([], [dict(name='')], 'every step needs a name'),
    ([], [dict(name=None)], 'every step needs a name'),
    ([], ['Flow pipeline 1001'], 'a step must be a dictionary, not str'),
    ([], 'Flow pipeline 1001', 'the new steps must be a list of steps, not str'),
    ('[]', [], 'the steps must be a list of steps, not str'),
    (42, [], 'the steps must be a list of steps, not int'),
])
def test_upsert_steps_rejects(steps, new, words):
    with pytest.raises(AnsibleFilterError, match=words):
        upsert_steps(steps, new)


# ------------------------------------------------------------------------------------------------ summary_table

def steps_of(*items):
    return upsert_steps([], list(items))


def column(line, header, name):
    """The text of the column ``name`` in ``line``, cut where ``header`` starts that column and the next."""
    starts, position = [], 0
    for title in HEADER:
        position = header.index(title, position)
        starts.append(position)
    index = HEADER.index(name)
    end = starts[index + 1] if index + 1 < len(HEADER) else None
    return line[starts[index]:end].strip()


def test_summary_table_lines():
    steps = steps_of(
        dict(name='Flow pipeline 1001', kind='flow', id=7, status='succeeded', started='2026-01-01T10:00:01+00:00',
             duration=4.2, url='https://flow.aliyun.com/pipelines/1001/builds/7'),
        dict(name='stage stage-dev', kind='appstack', id=12, status='failed', started='2026-01-01T10:00:06+00:00',
             duration=125.0, detail="stage 'Deploy' (FAIL)"),
    )
    assert summary_table(steps) == [
        'Release summary: FAILED (2 steps)',
        '#  STEP                KIND      ID  STATUS     STARTED   DURATION  LINK',
        '1  Flow pipeline 1001  flow      7   succeeded  10:00:01  4.2s      https://flow.aliyun.com/pipelines/1001/builds/7',
        '2  stage stage-dev     appstack  12  failed     10:00:06  2m05s     -',
        "   > stage 'Deploy' (FAIL)",
    ]


def test_summary_table_without_steps():
    assert summary_table([]) == ['Release summary: no step recorded (0 steps)',
                                 '#  STEP  KIND  ID  STATUS  STARTED  DURATION  LINK']
    assert summary_table(None)[0] == 'Release summary: no step recorded (0 steps)'


def test_summary_table_title_and_verdict():
    one = steps_of(dict(name='review', status='not waiting'))
    assert summary_table(one, title='Nightly')[0] == 'Nightly: SUCCEEDED (1 step)'
    assert summary_table(one, 'Nightly', ['succeeded'])[0] == 'Nightly: FAILED (1 step)'
    assert summary_table(steps_of(dict(name='x', status='weird')), ok_statuses=['weird'])[0].endswith('SUCCEEDED (1 step)')
    # a step without a status counts as failed
    assert summary_table([dict(name='raw')])[0] == 'Release summary: FAILED (1 step)'


@pytest.mark.parametrize('duration, cell', [
    (None, '-'), ('', '-'), ('n/a', '-'),
    (0, '0.0s'), (4.25, '4.2s'), (59.9, '59.9s'), ('12.3', '12.3s'),
    (60, '1m00s'), (61.9, '1m01s'), (3725, '62m05s'),
])
def test_summary_table_duration_cell(duration, cell):
    lines = summary_table([dict(name='s', status='succeeded', duration=duration)])
    assert column(lines[2], lines[1], 'DURATION') == cell


@pytest.mark.parametrize('started, cell', [
    ('2026-01-01T10:00:01+00:00', '10:00:01'),
    ('2026-01-01T23:59:59', '23:59:59'),
    ('10:00', '10:00'),         # too short to be a date and time: printed as it is
    ('', '-'), (None, '-'),
])
def test_summary_table_started_cell(started, cell):
    lines = summary_table([dict(name='s', status='succeeded', started=started)])
    assert column(lines[2], lines[1], 'STARTED') == cell


def test_summary_table_columns_line_up():
    steps = steps_of(
        dict(name='a', kind='flow', id='1', status='succeeded', started=T0_ISO, duration=1, url='u1'),
        dict(name='a much longer step name', kind='appstack', id='1234567890', status='timed out', duration=100),
        dict(name='mid-sized', status='not run'),
    )
    lines = summary_table(steps)
    header, rows = lines[1], lines[2:]
    for name in ('KIND', 'ID', 'STATUS', 'STARTED', 'DURATION'):
        start = header.index(' ' + name) + 1
        for row in rows:
            assert row[start - 2:start] == '  ', (name, row)   # two spaces before every column
            assert row[start] != ' ', (name, row)              # each cell starts under its header
    assert [column(r, header, 'STEP') for r in rows] == ['a', 'a much longer step name', 'mid-sized']
    assert [column(r, header, 'ID') for r in rows] == ['1', '1234567890', '-']
    assert [column(r, header, 'LINK') for r in rows] == ['u1', '-', '-']
    assert all(line == line.rstrip() for line in lines)


def test_summary_table_counts_wide_characters_as_two_columns():
    steps = steps_of(
        dict(name=u'stage 生产', kind='appstack', status='succeeded'),        # 6 + 4 = 10 columns
        dict(name=u'stage déploiement', kind='appstack', status='succeeded'),  # 17 columns
        dict(name=u'stage de\u0301ploiement', kind='appstack', status='succeeded'),  # combining accent: 17 columns
    )
    lines = summary_table(steps)
    assert lines[2] == u'1  stage 生产         appstack  -   succeeded  -        -         -'
    assert lines[3] == u'2  stage déploiement  appstack  -   succeeded  -        -         -'
    assert lines[4] == u'3  stage de\u0301ploiement  appstack  -   succeeded  -        -         -'


def test_summary_table_details():
    steps = steps_of(dict(name='s', status='failed', detail='boom'), dict(name='t', status='failed'))
    assert summary_table(steps)[3:] == ['   > boom', '2  t     -     -   failed  -        -         -']
    assert summary_table(steps, show_details=False)[3:] == ['2  t     -     -   failed  -        -         -']
    # the role passes variables that may be strings
    assert summary_table(steps, show_details='false') == summary_table(steps, show_details=False)
    many = steps_of(*[dict(name='step %d' % i, status='failed', detail='d%d' % i) for i in range(10)])
    assert summary_table(many)[-1] == '    > d9'                  # indented past the two-digit number column


def test_summary_table_rejects_what_is_not_a_list_of_steps():
    with pytest.raises(AnsibleFilterError, match='a step must be a dictionary'):
        summary_table(['Flow pipeline 1001'])
    with pytest.raises(AnsibleFilterError, match='must be a list of steps'):
        summary_table('steps')


# ------------------------------------------------------------------------------------------------ plugin and docs

FILTER_DIR = os.path.dirname(release.__file__)


def test_filter_module_offers_every_filter():
    assert FilterModule().filters() == {
        'to_iso8601': to_iso8601,
        'seconds_between': seconds_between,
        'upsert_steps': upsert_steps,
        'summary_table': summary_table,
    }


@pytest.mark.parametrize('name', sorted(FilterModule().filters()))
def test_each_filter_has_documentation_matching_its_signature(name):
    path = os.path.join(FILTER_DIR, name + '.yml')
    with open(path) as handle:
        doc = yaml.safe_load(handle)
    assert set(doc) == {'DOCUMENTATION', 'EXAMPLES', 'RETURN'}
    documentation = doc['DOCUMENTATION']
    assert documentation['name'] == name
    assert 'devops_cloud.pipelines.' + name in doc['EXAMPLES']
    params = list(inspect.signature(FilterModule().filters()[name]).parameters)
    options = documentation['options']
    assert list(options) == ['_input'] + params[1:]
    assert [p.strip() for p in documentation['positional'].split(',')] == params[1:]
    signature = inspect.signature(FilterModule().filters()[name])
    for param in params[1:]:
        default = signature.parameters[param].default
        if default is inspect.Parameter.empty:
            assert options[param].get('required') is True, param
        else:
            documented = options[param]['default']
            assert documented == (list(default) if isinstance(default, tuple) else default), param


# --- failure reports in a step -------------------------------------------------------------------------------------
FAILURE = dict(stage='Test', job='unit-test', step='pytest', status='FAIL', message='Step execution failed',
               log_tail=['[INFO] collecting', '[ERROR] 3 tests failed (test_login)', 'Process exited with code 1'],
               log_url=None, log_error=None)


def test_a_failure_replaces_the_detail_with_its_place_and_first_error_line():
    step = upsert_steps([], [dict(name='Flow pipeline 1002', status='failed', detail='long\nmessage', failure=FAILURE)])[0]
    assert step['detail'] == "stage 'Test' job 'unit-test' step 'pytest' (FAIL): [ERROR] 3 tests failed (test_login)"
    assert 'failure' not in step
    table = summary_table([step])
    assert table[-1].strip() == "> stage 'Test' job 'unit-test' step 'pytest' (FAIL): [ERROR] 3 tests failed (test_login)"


def test_a_failure_without_an_error_line_uses_the_last_line_then_the_message():
    assert failure_detail(dict(FAILURE, log_tail=['a', 'b', ''])) == "stage 'Test' job 'unit-test' step 'pytest' (FAIL): b"
    assert failure_detail(dict(FAILURE, log_tail=[])) == "stage 'Test' job 'unit-test' step 'pytest' (FAIL): Step execution failed"
    assert failure_detail(dict(stage='Build', log_tail=[], log_error='the log could not be read: HTTP 500')) == \
        "stage 'Build': the log could not be read: HTTP 500"
    assert failure_detail(None) == '' and failure_detail('text') == ''


def test_a_step_without_failure_keeps_its_detail():
    assert upsert_steps([], [dict(name='x', detail='kept', failure=None)])[0]['detail'] == 'kept'
    assert first_error_line(['ok', 'fatal: no such ref', 'error later']) == 'fatal: no such ref'
    assert first_error_line([]) == ''


def test_summary_table_stopped_at_a_gate():
    steps = [dict(name='Flow pipeline 1003', status='succeeded'), dict(name='gate approve', status='stopped at gate'),
             dict(name='stage stage-prod', status='not run')]
    assert summary_table(steps)[0] == 'Release summary: STOPPED AT A GATE (3 steps)'
    # a failed step (or a step not run without a stop) is still a failure
    assert summary_table(steps + [dict(name='x', status='failed')])[0] == 'Release summary: FAILED (4 steps)'
    assert summary_table([dict(name='y', status='not run')])[0] == 'Release summary: FAILED (1 step)'
