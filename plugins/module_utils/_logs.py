# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Failure reports with the tail of the failing step's log (internal use only; the API may change without notice).

Nothing here knows a vendor. A backend provides one hook, ``fetch_log(where, lines)``:

- ``where`` is ``{'run': run, 'stage': stage, 'job': job or None, 'step': step or None, 'record': record}``,
  the entries of the normalised run (see ``_status``) whose log is wanted and the record the engine judged
  (``run`` itself unless the stages come from another record); ``lines`` how many lines the task shows. A hook
  that picks a step itself (the run shows none) may set ``where['step']`` to ``{'name', 'status'}``: the report
  then names it.
- It returns None when the API has no log for that place, else ``fetch_page(offset)`` -> ``(chunk,
  next_offset)``. ``offset`` is None on the first call, then the ``next_offset`` of the page before;
  ``next_offset`` None means the end. ``chunk`` is bytes or str (None or empty: nothing), pages split
  anywhere (inside a line or a character). An API without offsets returns everything and None; one
  that reads from the end (last ``lines`` lines) does so in the first call, in log order, and returns None.
- Failures raise ``_http.ApiError``; they are reported in ``log_error`` and never hide the run's outcome.

Reading stops at the end, at an empty page, at an offset seen before, after ``max_pages`` pages or
``time_limit`` seconds. Only the last ``max_lines`` lines within ``max_bytes`` are kept; each line is
decoded (``decode``) and scrubbed (``scrub``) before it is kept.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import collections
import re
import time

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._engine import OptionError
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._http import REDACTED, ApiError, Redactor
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._status import (
    CANCELED, FAILURE, IDLE, LIVE, WAITING, norm,
)

DEFAULT_LINES = 50
MAX_LINES = 1000
MAX_BYTES = 256 * 1024
MAX_PAGES = 100
TIME_LIMIT = 60.0
QUOTE_LINES = 5
MAX_TEXT = 500   # characters of a vendor message or a log error in the result, of a quoted line in msg
CUT = '[...] '   # starts a line whose beginning was cut off

# -- decoding -------------------------------------------------------------------------------------------
_ESCAPES = re.compile(r'\x1b\[[0-?]*[ -/]*[@-~]'            # CSI: colours, cursor moves
                      r'|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?'  # OSC: titles, hyperlinks
                      r'|\x1b[PX^_][^\x1b]*(?:\x1b\\)?'       # DCS, SOS, PM, APC strings
                      r'|\x1b[ -/]*[0-~]|\x9b[0-?]*[ -/]*[@-~]')
_CONTROLS = re.compile('[\x00-\x08\x0b-\x1f\x7f-\x9f]')
_SURROGATES = re.compile('[\ud800-\udfff]')


def _raw(text):
    """Bytes of a str, raw bytes it carries (surrogateescape) restored."""
    try:
        return text.encode('utf-8', 'surrogateescape')
    except UnicodeEncodeError:
        return text.encode('utf-8', 'replace')


def _text(data):
    if isinstance(data, str):
        if not _SURROGATES.search(data):
            return data
        try:  # raw bytes carried in a str (surrogateescape): decode them like bytes
            data = data.encode('utf-8', 'surrogateescape')
        except UnicodeEncodeError:  # lone surrogates of another kind
            return _SURROGATES.sub('\ufffd', data)
    for encoding in ('utf-8', 'gb18030'):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    return data.decode('latin-1')


def decode(data):
    """Log text as shown: bytes (UTF-8, else GB18030, else Latin-1) or str to str, never raising; ANSI escape
    sequences and control characters (tab and newline kept) removed; CRLF as LF, and a line rewritten with
    carriage returns (progress bars) as its last version."""
    if data is None:
        return ''
    if not isinstance(data, (bytes, str)):
        data = str(data)
    lines = []
    for line in _text(data).split('\n'):
        line = _ESCAPES.sub('', line).rstrip('\r')
        if '\r' in line:
            line = ([part for part in line.split('\r') if part.strip()] or [''])[-1]
        lines.append(_CONTROLS.sub('', line))
    return '\n'.join(lines)


# -- scrubbing ------------------------------------------------------------------------------------------
_KEY_BEGIN = re.compile(r'-----BEGIN[A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----')
_KEY_END = re.compile(r'-----END[A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----')
_KEY_MARK = re.compile(br'-----(BEGIN|END)[A-Z0-9 ]*PRIVATE KEY')
_SECRET_WORDS = r'(?:password|passwd|pwd|passphrase|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?)'
_VALUE = r'(?:"[^"\n]*"|\'[^\'\n]*\'|[^\s\'",;&]+)'


def _masked(match):
    """Keeps the key (group 1) and the quotes around the value."""
    value = match.group(0)[len(match.group(1)):]
    quote = value[0] if value[0] in '"\'' and len(value) > 1 and value[-1] == value[0] else ''
    return match.group(1) + quote + REDACTED + quote


_PATTERNS = (
    # headers: the whole value (an Authorization header may hold spaces and commas)
    (re.compile(r'(?i)(\b(?:proxy-)?authorization|\bx-auth-token|\bx-subject-token|\bx-yunxiao-token|\bx-acs-security-token'
                r'|\bx-security-token|\bcookie)(["\']?\s*[:=]\s*["\']?)[^\'"\n]+'), r'\1\2' + REDACTED),
    (re.compile(r'(?i)\b(bearer\s+)[A-Za-z0-9._~+/-]{8,}=*'), r'\1' + REDACTED),
    (re.compile(r'(://[^/\s:@]+:)[^/\s@]+(@)'), r'\1' + REDACTED + r'\2'),
    (re.compile(r'(?i)(\B--?[a-z0-9_-]*' + _SECRET_WORDS + r'[a-z0-9_-]*\s+)(?!-)' + _VALUE), _masked),
    (re.compile(r'(?i)(\b[a-z0-9_.-]*' + _SECRET_WORDS + r'[a-z0-9_.-]*["\']?\s*[:=]\s*)' + _VALUE), _masked),
    # access key ids (Alibaba, AWS, Huawei-style 20 upper-case characters), GitHub/GitLab tokens, JWTs
    (re.compile(r'\b(?:LTAI[0-9A-Za-z]{12,}|(?:AKIA|ASIA)[0-9A-Z]{16}|(?=[A-Z]*[0-9])(?=[0-9]*[A-Z])[0-9A-Z]{20})\b'
                r'|\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{30,}|glpat-[\w-]{20,})'
                r'|\beyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]+'), REDACTED),
)


def _redactor(secrets):
    return secrets if isinstance(secrets, Redactor) else Redactor([s for s in secrets or () if s is not None])


class _Scrubber:
    """Scrubs lines in order; remembers whether a private key block is open."""

    def __init__(self, secrets):
        self.redact = _redactor(secrets)
        self.in_key = False

    def skip(self, raw):
        """Lines (bytes or str) that are not shown: only follow the private key blocks in them."""
        marks = _KEY_MARK.findall(raw if isinstance(raw, bytes) else _raw(raw))
        if marks:
            self.in_key = marks[-1] == b'BEGIN'

    def line(self, text):
        """The scrubbed line, or None when it lies inside a private key block."""
        if self.in_key:
            end = _KEY_END.search(text)
            if not end:
                return None
            self.in_key, text = False, text[end.end():]
            if not text.strip():
                return None
        begin = _KEY_BEGIN.search(text)
        while begin:
            end = _KEY_END.search(text, begin.end())
            if not end:
                self.in_key, text = True, text[:begin.start()] + REDACTED
                break
            text = text[:begin.start()] + REDACTED + text[end.end():]
            begin = _KEY_BEGIN.search(text, begin.start() + len(REDACTED))
        text = self.redact(text)
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
        return text


def scrub(text, secrets=()):
    """``text`` with every secret masked as ``********``: the exact values of ``secrets`` (values or an
    ``_http.Redactor``) in their escaped forms, credential headers, bearer tokens, passwords in URLs,
    ``password=``/``token:``/``--secret x`` style values (the key stays), access key ids, known token
    formats and private key blocks (which may span lines)."""
    if text is None:
        return None
    scrubber = _Scrubber(secrets)
    return '\n'.join(line for line in (scrubber.line(part) for part in str(text).split('\n')) if line is not None)


# -- reading the tail -----------------------------------------------------------------------------------
def _cut(line, limit):
    """A line of at most ``limit`` UTF-8 bytes: its end, from the first whole word on, after ``CUT``."""
    data = line.encode('utf-8')
    if len(data) <= limit:
        return line
    kept = data[len(data) - max(0, limit - len(CUT)):].decode('utf-8', 'ignore')
    blank = re.search(r'\s', kept)  # a word cut in two (maybe a secret's end) is dropped
    return CUT + (kept[blank.end():] if blank else '')


class LogTail:
    """What ``read_tail`` read: ``lines`` (the last ones, decoded and scrubbed), ``complete`` (read to
    its end), ``reason`` (why not), ``pages`` (calls made)."""

    def __init__(self, max_lines, max_bytes, secrets):
        self.lines, self.complete, self.reason, self.pages = [], True, None, 0
        self._ring, self._size, self._carry, self._cut = collections.deque(), 0, None, False
        self._max_lines, self._max_bytes = max_lines, max_bytes
        self._scrubber = _Scrubber(secrets)

    def feed(self, chunk):
        if not chunk:
            return
        carry = self._carry
        if carry is not None and type(carry) is not type(chunk):
            carry = decode(carry) if isinstance(chunk, str) else _raw(carry)
        data = chunk if carry is None else carry + chunk
        parts = data.split(b'\n' if isinstance(data, bytes) else '\n')
        self._carry = parts.pop()
        self._add(parts)
        if len(self._carry) > 2 * self._max_bytes:  # one endless line: keep its end (see _add)
            cut = len(self._carry) - self._max_bytes
            self._scrubber.skip(self._carry[:cut])
            self._carry, self._cut = self._carry[cut:], True

    def close(self):
        if self._carry:
            self._add([self._carry])
        self._carry = None
        self.lines = list(self._ring)

    def _add(self, parts):
        extra = len(parts) - self._max_lines  # lines pushed out anyway: only follow key blocks through them
        if extra > 0:
            self._cut = False
            self._scrubber.skip((b'\n' if isinstance(parts[0], bytes) else '\n').join(parts[:extra]))
            parts = parts[extra:]
        for raw in parts:
            text, cut, self._cut = decode(raw), self._cut, False
            if cut:  # the line's start was dropped: drop the word cut in two as well (maybe a secret's end)
                blank = re.search(r'\s', text)
                text = text[blank.end():] if blank else ''
            line = self._scrubber.line(text)
            if line is None:
                continue
            line = _cut(CUT + line if cut else line, max(64, self._max_bytes // 8))
            self._ring.append(line)
            self._size += len(line.encode('utf-8')) + 1
            while len(self._ring) > self._max_lines or self._size > self._max_bytes:
                self._size -= len(self._ring.popleft().encode('utf-8')) + 1


def read_tail(fetch_page, max_lines=DEFAULT_LINES, max_bytes=MAX_BYTES, max_pages=MAX_PAGES, time_limit=TIME_LIMIT,
              secrets=(), clock=None):
    """Read a log page by page through ``fetch_page(offset)`` (see the module notes) and return a ``LogTail``
    with its last ``max_lines`` lines (at most ``max_bytes`` UTF-8 bytes in all). ``ApiError`` goes through."""
    clock = clock or time.monotonic
    tail = LogTail(max(0, max_lines), max_bytes, secrets)
    start, offset, seen = clock(), None, set()
    while True:
        if tail.pages >= max_pages:
            tail.complete, tail.reason = False, 'the log has more than %d pages' % max_pages
            break
        if time_limit is not None and tail.pages and clock() - start >= time_limit:
            tail.complete, tail.reason = False, 'the log was not read to its end within %ss' % time_limit
            break
        chunk, offset = fetch_page(offset)
        tail.pages += 1
        tail.feed(chunk)
        if offset is None or not chunk or repr(offset) in seen:
            break
        seen.add(repr(offset))
    tail.close()
    return tail


# -- the failure report ---------------------------------------------------------------------------------
def _dicts(obj, key):
    value = obj.get(key) if isinstance(obj, dict) else None
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


_UNSUCCESSFUL = (FAILURE, CANCELED, WAITING, IDLE, LIVE)  # neither a success nor a skip


def _of(entry, table, kinds):
    """The entry has a status, of one of ``kinds``."""
    status = entry.get('status')
    return norm(status) is not None and table.kind(status) in kinds


def locate(run, table, current=False):
    """``(stage, job, step)`` entries (job and step may be None; all None when nothing is found) of what made
    the run fail -- the same stage and job as ``_status.failing_step`` -- or, with ``current``, where a live
    run is (``_status.current_step``); the step is the first of the job in the same sense."""
    passes = ((WAITING,), (WAITING, LIVE)) if current else ((FAILURE,), (FAILURE, CANCELED))
    found = None
    for kinds in passes:
        for stage in _dicts(run, 'stages'):
            jobs = _dicts(stage, 'jobs')
            found = next(((stage, job) for job in jobs if _of(job, table, kinds)), None)
            if found is None and (not (current and jobs)) and _of(stage, table, kinds):
                found = (stage, None)
            if found:
                break
        if found:
            break
    if not found and not current:
        found = next(((stage, None) for stage in _dicts(run, 'stages') if _of(stage, table, _UNSUCCESSFUL)), None)
    if not found:
        return None, None, None
    stage, job = found
    steps = _dicts(job, 'steps')
    step = next((s for kinds in passes for s in steps if _of(s, table, kinds)), None)
    if step is None and not current:
        step = next((s for s in steps if _of(s, table, _UNSUCCESSFUL)), None)
    return stage, job, step


def _short(text, secrets):
    text = scrub(decode(text), secrets).strip() if text not in (None, '') else ''
    return (text[:MAX_TEXT - 3] + '...' if len(text) > MAX_TEXT else text) or None


def failure_report(run, step_table, fetch_log=None, lines=DEFAULT_LINES, secrets=(), log_url=None, current=False,
                   record=None, **read_options):
    """The ``failure`` result of a run that ended without success (``current``: of a wait that timed out).

    ``{stage, job, step, status, message, log_tail, log_url, log_error}``: names of the failing (current) place,
    its status and vendor message (scrubbed), the last ``lines`` log lines (``fetch_log``, see the module notes;
    ``read_options`` go to ``read_tail``; ``record`` goes to the hook), and a link: ``log_url``, else the step's, the job's ``log_url``, else
    the run's ``url``. ``log_error`` says why ``log_tail`` is empty or not the log's end; it stays None when all
    was read and when ``lines`` is 0 (the log is then not asked for).
    """
    redact = _redactor(secrets)
    stage, job, step = locate(run, step_table, current)
    place = next((entry for entry in (step, job, stage, run) if entry), {})
    message = next((entry.get('message') for entry in (step, job, stage) if entry and entry.get('message')), None)
    report = dict(stage=(stage or {}).get('name'), job=(job or {}).get('name'), step=(step or {}).get('name'),
                  status=place.get('status'), message=_short(message, redact), log_tail=[],
                  log_url=log_url or (step or {}).get('log_url') or (job or {}).get('log_url') or (run or {}).get('url'),
                  log_error=None)
    if not lines:
        return report
    if stage is None:
        report['log_error'] = 'no failing stage, job or step is known, so no log was read'
        return report
    where = dict(run=run, stage=stage, job=job, step=step, record=record if record is not None else run)
    try:
        fetch_page = fetch_log(where, lines) if fetch_log else None
        _picked(report, where, step, redact)
        if fetch_page is None:
            report['log_error'] = 'no log: the API offers none for this %s' % ('step' if step else 'job' if job else 'stage')
            return report
        tail = read_tail(fetch_page, max_lines=lines, secrets=redact, **read_options)
    except ApiError as err:
        report['log_error'] = _short('the log could not be read: %s' % err, redact)
    except Exception as err:  # a log is an extra: whatever breaks in reading it must not hide the run's failure
        report['log_error'] = _short('the log could not be read: %s: %s' % (type(err).__name__, err), redact)
    else:
        report['log_tail'] = tail.lines
        if not tail.complete:
            report['log_error'] = '%s; the lines shown are the last ones read, not its end' % tail.reason
    _picked(report, where, step, redact)
    return report


def no_report(log_error):
    """A failure report that names no place and holds no log, with ``log_error`` saying why."""
    return dict(stage=None, job=None, step=None, status=None, message=None, log_tail=[], log_url=None,
                log_error=log_error)


def safe_failure_report(run, step_table, **kwargs):
    """``failure_report`` that never raises: the report is an extra, the outcome it explains stands."""
    try:
        return failure_report(run, step_table, **kwargs)
    except Exception as err:  # pylint: disable=broad-except
        return no_report('the failure report could not be built: %s' % type(err).__name__)


def read_failure(target, run_id, lines=DEFAULT_LINES, secrets=(), current=False, log_url=None):
    """The failure report of run ``run_id`` of ``target`` (a ``_engine.RunTarget``): the run read in full with
    ``target.get``, its log through ``target.fetch_log``; ``log_url`` when neither names a link. Never raises: a
    run that cannot be read leaves no place and says why in ``log_error``."""
    try:
        run = target.get(run_id)
    except Exception as err:  # pylint: disable=broad-except  # the report is an extra, the outcome stands
        report = no_report(_short('the run could not be read: %s' % (err if isinstance(err, ApiError)
                                                                     else type(err).__name__), secrets))
    else:
        report = safe_failure_report(run, target.step_table(), fetch_log=getattr(target, 'fetch_log', None),
                                     lines=lines, secrets=secrets, current=current)
    report['log_url'] = report.get('log_url') or log_url
    return report


def _picked(report, where, step, redact):
    """The step the hook chose (``where['step']``, when the run showed none) goes into the report."""
    picked = where.get('step')
    if step is None and isinstance(picked, dict) and picked.get('name'):
        report['step'] = _short(picked['name'], redact)
        if picked.get('status') is not None:
            report['status'] = picked['status']
        report['message'] = report['message'] or _short(picked.get('message'), redact)


def failure_message(base_msg, failure, quote_lines=QUOTE_LINES, label='failing step'):
    """The task message: ``base_msg``, then the place (``; failing step: stage 'x' job 'y' step 'z' (FAILED): vendor
    message``), why the log is missing, and the last ``quote_lines`` non-blank log lines, indented."""
    if not failure:
        return base_msg
    msg = base_msg
    names = ' '.join("%s '%s'" % (key, failure[key]) for key in ('stage', 'job', 'step') if failure.get(key))
    if names:
        msg += '; %s: %s' % (label, names)
        msg += ' (%s)' % failure['status'] if failure.get('status') is not None else ''
        msg += ': %s' % failure['message'] if failure.get('message') else ''
    if failure.get('log_error'):
        msg += '; %s' % failure['log_error']
    quoted = [line for line in failure.get('log_tail') or [] if line.strip()][-quote_lines:] if quote_lines > 0 else []
    if quoted:
        msg += '; last log lines:\n' + '\n'.join('  ' + (line if len(line) <= MAX_TEXT else line[:MAX_TEXT - 3] + '...')
                                                 for line in quoted)
    return msg


# -- the option -----------------------------------------------------------------------------------------
def failure_argument_spec():
    """The option of modules that wait (doc fragment ``devops_cloud.pipelines.failure``)."""
    return dict(failure_log_lines=dict(type='int', default=DEFAULT_LINES))


def validate_log_lines(params):
    """``failure_log_lines`` of ``params`` (0 to ``MAX_LINES``), or ``_engine.OptionError``."""
    value = params.get('failure_log_lines', DEFAULT_LINES)
    value = DEFAULT_LINES if value is None else value
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_LINES:
        raise OptionError('failure_log_lines must be a whole number from 0 to %d (got %r)' % (MAX_LINES, value))
    return value
