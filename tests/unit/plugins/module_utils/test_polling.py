# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Polling pace: API time parsing, typical durations, the poll schedule and its use by wait_for."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._http import (
    epoch_seconds,
    poll_schedule,
    typical_duration,
    wait_for,
)


@pytest.mark.parametrize('value, expected', [
    (1677919688000, 1677919688.0),
    (1677919688, 1677919688.0),
    ('1677919688000', 1677919688.0),
    ('2023-03-04T08:48:08Z', 1677919688.0),
    ('2023-03-04 08:48:08', 1677919688.0),
    ('2023-03-04T16:48:08+08:00', 1677919688.0),
    (None, None),
    ('', None),
    ('yesterday', None),
    (True, None),
])
def test_epoch_seconds(value, expected):
    assert epoch_seconds(value) == expected


def test_typical_duration_is_the_median_of_readable_spans():
    base = 1677919688000  # milliseconds, as the APIs give them
    spans = [(base, base + 20000), (base + 1000, base + 23000), ('2023-03-04T08:48:08Z', '2023-03-04T08:48:26Z'),
             (base, None), (base + 10, base + 5)]
    assert typical_duration(spans) == 20.0
    assert typical_duration([(base, base + 10000), (base, base + 20000)]) == 15.0
    assert typical_duration([]) is None
    assert typical_duration([(None, 5)]) is None


def test_schedule_without_expectation_is_the_interval():
    schedule = poll_schedule(2.0)
    assert [schedule(e) for e in (0, 7, 100)] == [2.0, 2.0, 2.0]


def test_schedule_backs_off_then_lands_just_after_the_expected_end():
    schedule = poll_schedule(2.0, expected=20.0)
    elapsed, reads = 0.0, []
    while elapsed < 25:
        elapsed += schedule(elapsed)
        reads.append(round(elapsed, 2))
    assert reads[:5] == [10.0, 15.0, 17.5, 19.5, 20.25]
    assert reads[5] - reads[4] == pytest.approx(2.0)  # past the expectation: every interval


def test_schedule_caps_the_backoff_so_an_early_failure_is_seen():
    schedule = poll_schedule(5.0, expected=7200.0)
    assert schedule(0) == 50.0


def test_wait_for_follows_the_schedule_and_needs_fewer_reads():
    """A 20 s object read every 2 s takes 11 reads; paced by its typical duration, 5."""

    def run(schedule):
        now = [0.0]
        reads = []

        def fetch():
            reads.append(now[0])
            return now[0]

        def sleep(seconds):
            now[0] += seconds

        result = wait_for(fetch, lambda t: t >= 20.0, 300, 2.0, sleep=sleep, clock=lambda: now[0],
                          first=0.0, schedule=schedule)
        assert result.done
        return reads, result.state

    fixed_reads, fixed_seen = run(None)
    paced_reads, paced_seen = run(poll_schedule(2.0, expected=20.0))
    assert len(fixed_reads) == 10 and fixed_seen == pytest.approx(20.0)
    assert len(paced_reads) == 5 and paced_seen == pytest.approx(20.25)
