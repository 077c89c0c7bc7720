# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Status tables and the normalised run shape (internal use only; the API may change without notice).

Every run-like API declares what its statuses mean as data, in a ``StatusTable``; the questions "is it
live / ended / a success / waiting for a person" and "which step failed / where is it now" are answered
here, the same way for every vendor. Nothing in this file knows a vendor.

Normalised run shape (what backends hand to these functions)::

    {'id': ..., 'status': ..., 'start_time': ..., 'end_time': ..., 'url': ...,
     'stages': [{'name': ..., 'status': ..., 'jobs': [{'id': ..., 'name': ..., 'status': ..., 'steps': [...]}]}]}

Extra keys are allowed and ignored; ``stages``, ``jobs`` and ``steps`` may be missing.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

# The kinds a status can be of. ``live`` is everything not declared, an unknown or missing value
# included: a record whose state cannot be read is never taken as ended.
SUCCESS = 'success'
FAILURE = 'failure'
CANCELED = 'canceled'
SKIPPED = 'skipped'
WAITING = 'waiting'   # live, held at a gate until a person decides (approval, manual validation, pause)
IDLE = 'idle'         # nothing runs and nothing ran yet (not started, or back to its initial state)
LIVE = 'live'

KINDS = (SUCCESS, FAILURE, CANCELED, SKIPPED, WAITING, IDLE)
ENDED = frozenset([SUCCESS, FAILURE, CANCELED, SKIPPED])
LIVE_KINDS = frozenset([LIVE, WAITING])


def norm(status):
    """The key a status is looked up by: text stripped and upper-cased, integers (also as digit text) as
    int, None (or blank text) as None. Booleans are text, so that True never matches the code 1."""
    if status is None:
        return None
    if isinstance(status, bool):
        return str(status).upper()
    if isinstance(status, float) and status.is_integer():
        return int(status)
    if isinstance(status, str):
        text = status.strip().upper()
        if not text:
            return None
        return int(text) if text.isdigit() else text
    return status


class StatusTable:
    """What the statuses of one API mean, declared as data.

    ``StatusTable(success=('SUCCESS',), failure=('FAIL',), canceled=(...), waiting=(...), skipped=(...),
    idle=(...), names={4: 'releasing'})``. Matching is case-insensitive; statuses may be numbers. A status
    declared twice is a mistake and raises ``ValueError``. ``names`` (optional) gives statuses words for
    messages: ``label(4)`` is ``'releasing' (4)``.
    """

    def __init__(self, success=(), failure=(), canceled=(), waiting=(), skipped=(), idle=(), names=None):
        self._kinds = {}
        for kind, statuses in zip(KINDS, (success, failure, canceled, skipped, waiting, idle)):
            for status in statuses:
                key = norm(status)
                if key in self._kinds:
                    raise ValueError('status %r is declared both %s and %s' % (status, self._kinds[key], kind))
                self._kinds[key] = kind
        self._names = dict((norm(k), v) for k, v in (names or {}).items())

    def kind(self, status):
        """One of success, failure, canceled, skipped, waiting, idle or live (anything undeclared)."""
        return self._kinds.get(norm(status), LIVE)

    def statuses(self, *kinds):
        """The declared (normalised) statuses of the given kinds."""
        return frozenset(key for key, kind in self._kinds.items() if kind in kinds)

    def live(self, status):
        """Something runs or waits at a gate -- or the status is unknown: never start a second run next to it."""
        return self.kind(status) in LIVE_KINDS

    def terminal(self, status):
        """It ended (success, failure, cancellation, skip) and will not change any more."""
        return self.kind(status) in ENDED

    def settled(self, status):
        """Nothing runs: it ended or is idle. Waiting ends here."""
        return not self.live(status)

    def succeeded(self, status):
        return self.kind(status) == SUCCESS

    def waiting(self, status):
        return self.kind(status) == WAITING

    def label(self, status):
        """How messages name a status: the value as the API gave it, or ``'words' (value)`` when named."""
        name = self._names.get(norm(status))
        if name is not None:
            return "'%s' (%s)" % (name, status)
        return 'unknown (no status)' if norm(status) is None else str(status)


def _items(obj, key):
    value = obj.get(key) if isinstance(obj, dict) else None
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def failing_step(run, table):
    """``(stage name, job name, status)`` of what made a run fail or stop, or ``(None, None, None)``.

    The first job (else stage) whose status is a failure; failing that, a failure or cancellation; failing
    that, the first stage with a status that is neither a success nor a skip.
    """
    stages = _items(run, 'stages')
    for wanted in ((FAILURE,), (FAILURE, CANCELED)):
        for stage in stages:
            for job in _items(stage, 'jobs'):
                if table.kind(job.get('status')) in wanted:
                    return stage.get('name'), job.get('name'), job.get('status')
            if table.kind(stage.get('status')) in wanted:
                return stage.get('name'), None, stage.get('status')
    for stage in stages:
        status = stage.get('status')
        if norm(status) is not None and table.kind(status) not in (SUCCESS, SKIPPED):
            return stage.get('name'), None, status
    return None, None, None


def current_step(run, table):
    """``(stage name, job name, status)`` where a live run is: a job waiting at a gate first, else the first
    running job (a stage without jobs stands for itself); ``(None, None, None)`` when none is known."""
    for kinds in ((WAITING,), (WAITING, LIVE)):
        for stage in _items(run, 'stages'):
            jobs = _items(stage, 'jobs')
            for job in jobs:
                status = job.get('status')
                if norm(status) is not None and table.kind(status) in kinds:
                    return stage.get('name'), job.get('name'), status
            status = stage.get('status')
            if not jobs and norm(status) is not None and table.kind(status) in kinds:
                return stage.get('name'), None, status
    return None, None, None


def is_waiting(run, table, step_table=None):
    """The run (by ``table``), or one of its stages or jobs (by ``step_table``), waits at a gate for a person."""
    if table.waiting((run or {}).get('status')):
        return True
    status = current_step(run, step_table or table)[2]
    return status is not None and (step_table or table).waiting(status)


def describe_step(step):
    """``stage 'Test' job 'unit' (FAIL)`` for a ``(stage, job, status)`` triple ('' when it names nothing)."""
    stage, job, status = step
    parts = []
    if stage:
        parts.append("stage '%s'" % stage)
    if job:
        parts.append("job '%s'" % job)
    if not parts:
        return ''
    text = ' '.join(parts)
    return '%s (%s)' % (text, status) if status is not None else text
