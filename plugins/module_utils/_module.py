# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one shape of every module (internal use only; the API may change without notice).

A module is: argument spec + rule table -> ``PipelineModule`` (options parsed and checked, nothing sent
yet) -> build the backend -> call the engine inside ``module.reporting(result)`` -> ``module.finish``.
Every failure -- an ``ApiError`` of a call, an ``OptionError`` found late -- leaves through the same
``fail_json`` with the result known so far, so no module maps errors itself.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextlib

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._engine import OptionError, judge
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._http import (
    ApiError,
    require_requests,
)
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._logs import (
    DEFAULT_LINES,
    failure_message,
    safe_failure_report,
    validate_log_lines,
)
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._status import CANCELED, FAILURE
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._validate import CheckedModule


class PipelineModule(CheckedModule):
    """``CheckedModule`` (options checked against ``rules`` before anything is sent) that also needs
    ``requests`` and reports every failure in one shape."""

    def __init__(self, rules, argument_spec, **kwargs):
        kwargs.setdefault('supports_check_mode', True)
        CheckedModule.__init__(self, rules, argument_spec=argument_spec, **kwargs)
        require_requests(self)
        self.transports = []  # clients built for this run: their retries are reported
        if 'failure_log_lines' in self.argument_spec:
            try:
                validate_log_lines(self.params)
            except OptionError as err:
                self.fail_json(msg=str(err))

    def client(self, transport):
        """Register a client (a ``Transport``) so that its retries appear in the result; returns it."""
        self.transports.append(transport)
        return transport

    def retries(self):
        """Every retry of every registered client (``path``, ``reason``, ``delay``); their count is returned as ``http_retries``."""
        return [entry for transport in self.transports for entry in getattr(transport, 'retries', [])]

    @contextlib.contextmanager
    def reporting(self, result):
        """Run the body; an ``ApiError`` or ``OptionError`` ends the module with ``fail_json``, keeping the
        keys of ``result`` gathered so far (the error's own fields never overwrite them)."""
        try:
            yield result
        except OptionError as err:
            self.fail(str(err), result)
        except ApiError as err:
            fields = err.to_result()
            msg = fields.pop('msg')
            fields.update(result)
            self.fail(msg, fields)

    def fail(self, msg, result):
        self.fail_json(msg=msg, **self._with_retries(result))

    def finish(self, result, msg=None):
        """End the task: ``fail_json(msg)`` when ``msg`` is given, else ``exit_json``."""
        if msg:
            self.fail(msg, result)
        self.exit_json(**self._with_retries(result))

    def conclude(self, result, msg=None):
        """``finish``, except that a task that does not fail keeps the ``msg`` of ``result``: a note such as why
        nothing was sent."""
        if msg or not result.get('msg'):
            self.finish(result, msg)
        self.exit_json(msg=result['msg'], **self._with_retries(result))

    def finish_run(self, result, outcome, target, run=None, diff=None):
        """End a task that drove a run through ``_engine.ensure_run``: the engine's verdict decides."""
        if diff is not None and self._diff:
            result['diff'] = diff
        msg, extras = judge(outcome, self.params.get('state', 'finished'), target, self.params.get('wait_timeout'),
                            run=run)
        result.update(extras)
        if 'wait_until' in self.params:
            result.setdefault('at_gate', False)
        self.finish(result, self.report_failure(result, outcome, target, msg, run=run))

    def secret_values(self):
        """Every secret this task knows: the values of its ``no_log`` options and the credentials its clients
        use (also those taken from the environment)."""
        values = set(str(value) for value in self.no_log_values if value)
        for name, spec in self.argument_spec.items():
            if spec.get('no_log') and self.params.get(name):
                values.add(str(self.params[name]))
        for transport in self.transports:
            values.update(getattr(getattr(transport, 'redact', None), 'secrets', None) or ())
        return sorted(values)

    def report_failure(self, result, outcome, target, msg, run=None):
        """When the run the task waited for ended failed or canceled, or the wait timed out: put ``failure``
        (``_logs.failure_report``, the log read through ``target.fetch_log`` when the backend has one) in
        ``result`` and return ``msg`` with the place and the last log lines; else ``msg`` unchanged. Reading
        the log never changes the outcome: whatever goes wrong there ends in ``failure.log_error``."""
        if not failure_due(outcome, target, self.params.get('state')):
            return msg
        record = outcome.unfinished if outcome.timed_out and outcome.unfinished is not None else outcome.record
        lines = self.params.get('failure_log_lines')
        failure = safe_failure_report(run if run is not None else record, target.step_table(),
                                      fetch_log=getattr(target, 'fetch_log', None),
                                      lines=DEFAULT_LINES if lines is None else lines, secrets=self.secret_values(),
                                      current=outcome.timed_out, record=record)
        failure['log_url'] = failure.get('log_url') or result.get('url')
        result['failure'] = failure
        if not msg:
            return msg
        return failure_message(msg, failure, label='step it was at' if outcome.timed_out else 'failing step')

    def _with_retries(self, result):
        result = dict((k, v) for k, v in result.items() if k != 'msg')
        result['http_retries'] = len(self.retries())
        return result


def failure_due(outcome, target, state=None):
    """The task waited and the run ended failed or canceled (not stopped by this task), or the wait timed out."""
    if not outcome.waited or state == 'canceled' or outcome.action == 'stopped':
        return False
    if outcome.timed_out:
        return True
    record = outcome.record
    return record is not None and target.statuses.kind(target.status_of(record)) in (FAILURE, CANCELED)


class RunDiff:
    """``--diff`` of a task driven by ``_engine.ensure_run``: the status of each run the task is about, by id
    (as text), as first read (``before``) and at the end (``after``).

    Hand the engine this object instead of the target: it forwards everything to the target and notes the
    engine's first read (the runs listed, or the one run read) and the last status read of every run.
    ``before`` holds the runs the task starts from: the run it was given, else the live ones, else (when it may
    start one) the newest. ``after`` adds the runs read, started or stopped since, and in check mode what the
    task would do: ``'(new <kind>)': 'RUNNING'`` for a start, ``'CANCELED'`` for each run it would stop.
    """

    def __init__(self, target):
        self._target = target
        self._first = None    # (listed, records) of the engine's first read
        self._last = {}       # id (text) -> status of the latest read of each run

    def __getattr__(self, name):
        return getattr(self._target, name)

    def list(self):
        records = self._target.list()
        if self._first is None:
            self._first = (True, records)
        return records

    def get(self, run_id):
        record = self._target.get(run_id)
        if self._first is None:
            self._first = (False, [record])
        self._last[self._key(record)] = self._target.status_of(record)
        return record

    def _key(self, record):
        return str(self._target.id_of(record))

    def diff(self, outcome, state):
        """``{before, after}`` once ``ensure_run`` is done (or failed) with ``outcome``; ``state`` as it was given."""
        target = self._target
        listed, records = self._first or (True, [])
        if listed:
            live = [r for r in records if target.statuses.live(target.status_of(r))]
            records = live if live or state == 'canceled' else records[:1]
        before = dict((self._key(r), target.status_of(r)) for r in records)
        after = dict(before, **self._last)
        if outcome.record is not None:
            after[self._key(outcome.record)] = target.status_of(outcome.record)
        if outcome.action == 'would_start':
            after['(new %s)' % target.kind] = 'RUNNING'
        elif outcome.action == 'would_stop':
            after.update((key, 'CANCELED') for key in before)
        return dict(before=before, after=after)
