# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters of the release roles: times of the vendor APIs, the step records of the release summary and
the printed summary table. Each filter is documented in the ``<filter>.yml`` file beside this one."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_ONE_MS = datetime.timedelta(milliseconds=1)
# unit=auto: from this magnitude on a number counts as milliseconds (1973-03-03 in ms, year 5138 in s).
_AUTO_MS_FROM = 10 ** 11
_UNITS = ('auto', 'ms', 's')

STEP_KEYS = ('key', 'name', 'kind', 'id', 'status', 'started', 'duration', 'url', 'detail')
HEADER = ('#', 'STEP', 'KIND', 'ID', 'STATUS', 'STARTED', 'DURATION', 'LINK')
DEFAULT_OK_STATUSES = ('succeeded', 'passed', 'agreed', 'continued', 'skipped', 'accepted', 'not waiting')
# A release that a role ended cleanly at a gate (for a person, or an AWX workflow approval node, to decide):
# the step of the gate, and the steps it left, carry these statuses.
STOPPED_STATUS = 'stopped at gate'
LEFT_STATUS = 'not run'


# ------------------------------------------------------------------------------------------------ times

def _number(text):
    try:
        return int(text)
    except ValueError:
        return float(text)


def _epoch_ms(value, unit='auto', what='time'):
    """Milliseconds since the epoch of ``value`` (an int when ``value`` is a whole number of milliseconds),
    or None for an unknown time: None, an empty string or 0 (the APIs' "not set")."""
    if unit not in _UNITS:
        raise AnsibleFilterError('unit must be one of %s, not %r' % (', '.join(_UNITS), unit))
    if value is None or isinstance(value, bool):
        if value is None:
            return None
        raise AnsibleFilterError('%s must be a number or an ISO 8601 string, not a boolean' % what)
    if isinstance(value, datetime.datetime):
        return _datetime_ms(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            value = _number(text)
        except ValueError:
            try:
                return _datetime_ms(datetime.datetime.fromisoformat(text))
            except ValueError:
                raise AnsibleFilterError('%s %r is neither a number nor an ISO 8601 date and time' % (what, value))
    if not isinstance(value, (int, float)):
        raise AnsibleFilterError('%s must be a number or an ISO 8601 string, not %s' % (what, type(value).__name__))
    if not math.isfinite(value):
        raise AnsibleFilterError('%s %r is not a time' % (what, value))
    if value == 0:  # what the APIs report for a time not set
        return None
    if unit == 'ms' or (unit == 'auto' and abs(value) >= _AUTO_MS_FROM):
        return value
    return value * 1000


def _datetime_ms(moment):
    if moment.tzinfo is None:  # a time without offset is taken as UTC
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return (moment - _EPOCH) / _ONE_MS


def to_iso8601(value, default='', unit='auto'):
    """``value`` (epoch milliseconds or seconds, a string of digits, or an ISO 8601 string) as ISO 8601 in
    UTC to the second (``2026-01-01T10:00:00+00:00``); ``default`` for an unknown time."""
    ms = _epoch_ms(value, unit)
    if ms is None:
        return default
    try:
        moment = _EPOCH + datetime.timedelta(milliseconds=ms)
    except OverflowError:
        raise AnsibleFilterError('time %r is out of range' % (value,))
    return moment.replace(microsecond=0).isoformat()


def seconds_between(start, end, unit='auto'):
    """Seconds from ``start`` to ``end`` (each as for to_iso8601), or None when either is unknown."""
    start_ms = _epoch_ms(start, unit, 'start')
    end_ms = _epoch_ms(end, unit, 'end')
    if start_ms is None or end_ms is None:
        return None
    return (end_ms - start_ms) / 1000


# ------------------------------------------------------------------------------------------------ steps

def _text(value, default=''):
    """The step field as a string; ``default`` for a missing or empty one (None, '', 0, [])."""
    return str(value) if value else default


def _seconds(value):
    """``value`` as a float, or None when unknown (None, '', 'None', not a finite number)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if math.isfinite(seconds) else None


def _duration(value):
    """Seconds rounded to a tenth, or None when unknown."""
    seconds = _seconds(value)
    return None if seconds is None else round(seconds, 1)


_ERROR_LINE = re.compile(r'(?i)\b(error|errors|fail|failed|failure|fatal|exception|traceback|panic)\b|exit(ed)? (with )?code [1-9]')


def first_error_line(lines):
    """The first line of a log tail that looks like an error, else its last non-blank line ('' when none)."""
    lines = [str(line).strip() for line in lines or [] if line is not None and str(line).strip()]
    return next((line for line in lines if _ERROR_LINE.search(line)), lines[-1] if lines else '')


def failure_detail(failure):
    """One line for a step whose module returned ``failure``: the failing stage, job and step with their status,
    then the first error line of the log tail (else the vendor message, else why the log is missing)."""
    if not isinstance(failure, Mapping):
        return ''
    names = ' '.join("%s '%s'" % (key, failure[key]) for key in ('stage', 'job', 'step') if failure.get(key))
    if names and failure.get('status') not in (None, ''):
        names += ' (%s)' % failure['status']
    tail = failure.get('log_tail')
    tail = [tail] if isinstance(tail, str) else (tail if isinstance(tail, Sequence) else [])
    why = first_error_line(tail) or _text(failure.get('message')) or _text(failure.get('log_error'))
    why = why.splitlines()[0] if why else ''
    return ': '.join(part for part in (names, why[:300]) if part)


def normalize_step(step):
    """One step record with every key of STEP_KEYS, as tasks/record.yml of release_summary stores it. A step
    with a ``failure`` (the result of a module that waited) gets as detail where it failed and the first error
    line of its log (``failure_detail``) instead of the whole task message."""
    if not isinstance(step, Mapping):
        raise AnsibleFilterError('a step must be a dictionary, not %s' % type(step).__name__)
    if step.get('name') in (None, ''):
        raise AnsibleFilterError('every step needs a name; got %r' % (dict(step),))
    detail = failure_detail(step.get('failure')) or _text(step.get('detail'))
    return {
        'key': _text(step.get('key')),
        'name': str(step['name']),
        'kind': _text(step.get('kind')),
        'id': _text(step.get('id')),
        'status': _text(step.get('status'), 'unknown'),
        'started': _text(step.get('started')),
        'duration': _duration(step.get('duration')),
        'url': _text(step.get('url')),
        'detail': detail,
    }


def _step_list(value, what):
    if value is None:
        return []
    if isinstance(value, Mapping):
        return [value]
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise AnsibleFilterError('%s must be a list of steps, not %s' % (what, type(value).__name__))
    return list(value)


def upsert_steps(steps, new_steps):
    """``steps`` with each of ``new_steps`` normalized and put in: in place of the step with the same
    non-empty ``key``, otherwise at the end. Empty dictionaries and None in ``new_steps`` are skipped."""
    out = _step_list(steps, 'the steps')
    for step in _step_list(new_steps, 'the new steps'):
        if step is None or (isinstance(step, Mapping) and len(step) == 0):
            continue
        new = normalize_step(step)
        index = None
        if new['key']:
            for position, old in enumerate(out):
                if isinstance(old, Mapping) and old.get('key') == new['key']:
                    index = position  # the last one with the key, should there be several
        if index is None:
            out.append(new)
        else:
            out[index] = new
    return out


# ------------------------------------------------------------------------------------------------ table

def _width(text):
    """Terminal columns of ``text``: East Asian wide and fullwidth characters take two, combining marks
    and format characters none."""
    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ('Mn', 'Me', 'Cf'):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ('W', 'F') else 1
    return width


def _pad(text, width):
    return text + ' ' * (width - _width(text))


def _duration_cell(value):
    seconds = _seconds(value)
    if seconds is None:
        return '-'
    if seconds >= 60:
        return '%dm%02ds' % (int(seconds // 60), int(seconds % 60))
    return '%.1fs' % seconds


def _started_cell(value):
    text = str(value) if value is not None else ''
    if len(text) >= 19:
        return text[11:19]  # the time of day of an ISO 8601 date and time
    return text or '-'


def summary_table(steps, title='Release summary', ok_statuses=DEFAULT_OK_STATUSES, show_details=True):
    """The lines of the release summary: a title with the overall result, a header, one aligned line per
    step and, with ``show_details``, the step's detail under it. The result is SUCCEEDED (every status in
    ``ok_statuses``), STOPPED AT A GATE (the other steps are one ``stopped at gate`` and those ``not run``
    after it) or FAILED."""
    steps = _step_list(steps, 'the steps')
    for step in steps:
        if not isinstance(step, Mapping):
            raise AnsibleFilterError('a step must be a dictionary, not %s' % type(step).__name__)
    ok_statuses = [str(s) for s in _step_list(ok_statuses, 'ok_statuses')]
    show_details = boolean(show_details, strict=False)

    rows = []
    for number, step in enumerate(steps, 1):
        rows.append([
            str(number),
            str(step.get('name') or ''),
            str(step.get('kind') or '-'),
            str(step.get('id') or '-'),
            str(step.get('status') or ''),
            _started_cell(step.get('started')),
            _duration_cell(step.get('duration')),
            str(step.get('url') or '-'),
            str(step.get('detail') or ''),
        ])
    # every column but the last (the link) is padded to its widest cell
    widths = [max([_width(HEADER[col])] + [_width(row[col]) for row in rows]) for col in range(len(HEADER) - 1)]

    failed = [step for step in steps if step.get('status') not in ok_statuses]
    if not steps:
        verdict = 'no step recorded'
    elif failed and any(step.get('status') == STOPPED_STATUS for step in failed) and all(
            step.get('status') in (STOPPED_STATUS, LEFT_STATUS) for step in failed):
        verdict = 'STOPPED AT A GATE'
    else:
        verdict = 'FAILED' if failed else 'SUCCEEDED'
    lines = ['%s: %s (%d step%s)' % (title, verdict, len(steps), '' if len(steps) == 1 else 's')]
    for row in [list(HEADER)] + rows:
        cells = [_pad(row[col], widths[col]) for col in range(len(widths))]
        lines.append(('  '.join(cells) + '  ' + row[len(widths)]).strip())
        if show_details and len(row) > len(HEADER) and row[len(HEADER)]:
            lines.append(' ' * (widths[0] + 2) + '> ' + row[len(HEADER)])
    return lines


class FilterModule(object):
    """Filters of the release roles."""

    def filters(self):
        return {
            'to_iso8601': to_iso8601,
            'seconds_between': seconds_between,
            'upsert_steps': upsert_steps,
            'summary_table': summary_table,
        }
