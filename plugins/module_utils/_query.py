# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The latest run of many pipelines: report, JMESPath ``query`` and ``wait_until`` (internal use only; the API
may change without notice).

Nothing here knows a vendor. A backend hands ``Watch`` what it reads:

- ``latest(ids)``: ``{id: run}`` for the ids that have a run, each run as the API gave it (with ``status``);
- ``statuses``: its run ``_status.StatusTable``; ``key``: the field of a run that holds the pipeline id;
- ``requests()``: the requests sent so far;
- optionally ``missing_reasons()``: ``{id: reason}`` of the ids of the last ``latest`` without a run, for an API
  that tells why (a pipeline that never ran, an unknown one); the report then has ``missing_reasons`` too;
- ``run_target(pipeline_id)``: the ``_engine.RunTarget`` of one pipeline over the same client, whose ``get`` and
  ``fetch_log`` give the failure reports of a wait (``failure_reports``).

The report is ``{pipelines, missing, summary}``: every run plus ``finished`` (its status is terminal) and
``succeeded``, in the order of the ids; the ids without a run; the number of pipelines per status.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import functools
import traceback

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._engine import OptionError
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._http import wait_for
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._logs import failure_message, read_failure
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._status import CANCELED, FAILURE

try:
    import jmespath
    HAS_JMESPATH = True
    JMESPATH_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised only without jmespath
    HAS_JMESPATH = False
    JMESPATH_IMPORT_ERROR = traceback.format_exc()

FINISHED = 'finished'   # the wait_until keyword: every listed run has a final status
SHOWN_PENDING = 10      # runs named in the message of a wait that timed out
MAX_FAILURES = 5        # pipelines a wait reports in ``failures`` (each costs a run read and its log)
UNKNOWN_STATUS = 'UNKNOWN'


def unique_ids(ids):
    """The ids without duplicates, each at its first position."""
    seen = set()
    result = []
    for pid in ids:
        if pid not in seen:
            seen.add(pid)
            result.append(pid)
    return result


def status_report(ids, runs, table):
    """``{pipelines, missing, summary}`` for the requested ``ids`` (caller's order, duplicates once) from
    ``runs`` (``{id: run}``), read with the status table ``table``."""
    pipelines = []
    missing = []
    summary = {}
    for pid in unique_ids(ids):
        run = runs.get(pid)
        if run is None:
            missing.append(pid)
            continue
        item = dict(run)
        item['finished'] = table.terminal(run.get('status'))
        item['succeeded'] = table.succeeded(run.get('status'))
        pipelines.append(item)
        status = run.get('status') or UNKNOWN_STATUS
        summary[status] = summary.get(status, 0) + 1
    return dict(pipelines=pipelines, missing=missing, summary=dict(sorted(summary.items())))


def all_finished(report):
    """True when every pipeline with a run has a finished latest run (ids without a run do not block)."""
    return all(item['finished'] for item in report['pipelines'])


def pending_description(report, key):
    """Short text naming the runs that have not finished yet."""
    pending = [item for item in report['pipelines'] if not item['finished']]
    names = ', '.join('%s (%s)' % (item.get(key), item.get('status')) for item in pending[:SHOWN_PENDING])
    if len(pending) > SHOWN_PENDING:
        names += ' and %d more' % (len(pending) - SHOWN_PENDING)
    return '%d not finished: %s' % (len(pending), names)


# -- JMESPath ---------------------------------------------------------------------------------------------------
def truth(value):
    """JMESPath truth: false, null, '', [] and {} are false; everything else (0 included) is true."""
    if value is None or value is False:
        return False
    if isinstance(value, (str, list, dict)) and not value:
        return False
    return True


def _one_line(exc):
    return ' '.join(str(exc).split())


def _expressions(params):
    """``(option, text)`` of the options that hold a JMESPath expression."""
    found = []
    if params.get('query') is not None:
        found.append(('query', params['query']))
    wait_until = params.get('wait_until')
    if wait_until is not None and wait_until.strip().lower() != FINISHED:
        found.append(('wait_until', wait_until))
    return found


def require_jmespath(module, **result):
    """End the module (as ``_http.require_requests`` does) when an option holds an expression and jmespath is
    missing; nothing is sent before."""
    expressions = _expressions(module.params)
    if expressions and not HAS_JMESPATH:
        module.fail_json(msg=missing_required_lib('jmespath', reason='for the %s option' % expressions[0][0]),
                         exception=JMESPATH_IMPORT_ERROR, **result)


def compile_expression(option, text):
    """The compiled expression, or ``OptionError`` naming the option (before any request; ``require_jmespath``
    first)."""
    try:
        return jmespath.compile(text)
    except jmespath.exceptions.JMESPathError as exc:
        raise OptionError('%s is not a valid JMESPath expression (%r): %s' % (option, text, _one_line(exc)))


def evaluate(option, expression, report):
    """The value of a compiled expression over the report, or ``OptionError`` saying why it has none."""
    try:
        return expression.search(report)
    except jmespath.exceptions.JMESPathError as exc:
        raise OptionError('%s (%r) could not be evaluated: %s' % (option, expression.expression, _one_line(exc)))


class NoRuns:
    """The backend of an empty list of ids: nothing to read, on any cloud."""

    statuses = None
    key = 'pipeline_id'

    def latest(self, ids):
        return {}

    def requests(self):
        return 0


# -- reading ----------------------------------------------------------------------------------------------------
class Watch:
    """The options ``query`` and ``wait_until``, compiled (``OptionError`` for a bad expression)."""

    def __init__(self, query=None, wait_until=None):
        compiled = dict((option, compile_expression(option, text))
                        for option, text in _expressions(dict(query=query, wait_until=wait_until)))
        self.query = compiled.get('query')
        self.wait_until = wait_until
        self.condition = compiled.get('wait_until')

    def read(self, backend, ids, wait_timeout, poll_interval, result):
        """Read the report of ``ids`` (until ``wait_until`` holds, when given) into ``result``, with
        ``query_result`` and the ``requests`` sent, also when an error ends it half-way. Returns the failure
        message of a wait that ran out of time, else None."""
        def fetch():
            report = status_report(ids, backend.latest(ids), backend.statuses)
            if hasattr(backend, 'missing_reasons'):
                reasons = backend.missing_reasons()
                report['missing_reasons'] = dict((pid, reasons.get(pid)) for pid in report['missing'])
            return report

        try:
            if self.wait_until is None:
                report = fetch()
            else:
                waited = wait_for(fetch, functools.partial(self._holds, result), wait_timeout, poll_interval)
                report = waited.state
                if not waited.done:
                    result.update(report)
                    reason = 'the expression is still false' if self.condition else pending_description(
                        report, backend.key)
                    return 'wait_until %r did not hold within %ss (%d reads); %s' % (
                        self.wait_until, wait_timeout, waited.polls, reason)
            result.update(report)
            if self.query is not None:
                result['query_result'] = evaluate('query', self.query, report)
            return None
        finally:
            result['requests'] = backend.requests()

    def _holds(self, result, report):
        if self.condition is None:
            return all_finished(report)
        result.update(report)  # what a failure to evaluate the expression reports
        return truth(evaluate('wait_until', self.condition, report))


# -- failure reports of a wait --------------------------------------------------------------------------------
def failure_reports(backend, report, timed_out, lines, secrets=(), limit=MAX_FAILURES):
    """``failures`` of a wait that ended: for the first ``limit`` pipelines of ``report`` (in its order) whose
    latest run ended failed or canceled, or, when the wait ``timed_out``, has not finished, the
    ``_logs.read_failure`` of that run (read in full and its log through ``backend.run_target``), with
    ``pipeline_id``, ``pipeline_run_id`` and ``finished`` (the run had ended; else it is where the run was).
    ``lines``: ``failure_log_lines`` (0 reads no log). Never raises: what cannot be read ends in the entry's
    ``log_error``."""
    table = backend.statuses
    picked = [item for item in report.get('pipelines') or []
              if table.kind(item.get('status')) in (FAILURE, CANCELED) or (timed_out and not item['finished'])]
    failures = []
    for item in picked[:limit]:
        pid, run_id = item.get(backend.key), item.get('pipeline_run_id')
        entry = dict(pipeline_id=pid, pipeline_run_id=run_id, finished=item['finished'])
        entry.update(read_failure(backend.run_target(pid), run_id, lines=lines, secrets=secrets,
                                  current=not item['finished'], log_url=item.get('detail_url')))
        failures.append(entry)
    return failures


def failure_of_wait(failures, msg):
    """``(failure, msg)`` of a wait that timed out with message ``msg``: the entry of ``failures`` of the first
    pipeline that had not finished (None when none is reported) and ``msg`` naming where that run was, its log
    error and last log lines."""
    failure = next((entry for entry in failures if not entry['finished']), None)
    if failure is None:
        return None, msg
    return failure, failure_message(msg, failure, label='pipeline %s was at' % failure['pipeline_id'])
