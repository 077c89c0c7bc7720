# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shared HTTP core of the collection (internal use only; the API may change without notice).

One Transport per module run owns one ``requests.Session`` (keep-alive), TLS settings, timeouts,
retries of reads with jittered exponential backoff (``Retry-After`` honoured), and the mapping of
every failure -- vendor error bodies, HTTP 200 with an error body, HTML pages, non-JSON bodies,
connection errors -- to one ``ApiError``. Vendor cores (``huawei.py``, ``alibaba.py``) only add
signing and error-body extraction.

Acting requests (start, stop, approve ...) are sent once: ``guarded_action`` reads state back after
an uncertain failure and adopts what the server did instead of re-sending blindly.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import json
import random
import re
import time
import traceback

from urllib.parse import quote as _urlquote

try:
    import requests
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised only without requests
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

COLLECTION_VERSION = '0.1.0'
USER_AGENT = 'ansible-devops_cloud.pipelines/%s' % COLLECTION_VERSION

# Statuses after which a read is repeated, and after which an acting call may not have happened.
RETRY_STATUSES = frozenset([429, 500, 502, 503, 504])
# Statuses that say the server refused before acting (safe to re-send once state proves nothing happened).
REFUSED_STATUSES = frozenset([429, 503])
SECRET_HEADERS = frozenset(['authorization', 'x-auth-token', 'x-security-token', 'x-acs-security-token',
                            'x-yunxiao-token', 'x-acs-accesskey-id'])
MAX_RETRY_AFTER = 120.0
REDACTED = '********'


def connection_argument_spec():
    """Options every module has (doc fragment ``devops_cloud.pipelines.connection``)."""
    return dict(
        validate_certs=dict(type='bool', default=True),
        ca_path=dict(type='path'),
        connect_timeout=dict(type='float', default=10.0),
        read_timeout=dict(type='float', default=60.0),
        max_retries=dict(type='int', default=5),
    )


def wait_argument_spec(wait=True, wait_timeout=1800, poll_interval=5.0):
    """Options of acting modules that can wait (doc fragment ``devops_cloud.pipelines.wait``)."""
    return dict(
        wait=dict(type='bool', default=wait),
        wait_timeout=dict(type='int', default=wait_timeout),
        poll_interval=dict(type='float', default=poll_interval),
    )


class ApiError(Exception):
    """Any failure of a call: HTTP status, vendor code, message and request id (never a secret).

    ``uncertain`` is true when the server may have acted although the client saw no success
    (connection lost after sending, read timeout, 5xx); ``retryable`` when repeating may help.
    """

    def __init__(self, message, status=None, code=None, request_id=None, method=None, path=None,
                 uncertain=False, retryable=False):
        super(ApiError, self).__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.request_id = request_id
        self.method = method
        self.path = path
        self.uncertain = uncertain
        self.retryable = retryable

    def __str__(self):
        parts = []
        if self.method and self.path:
            parts.append('%s %s' % (self.method, self.path))
        if self.status is not None:
            parts.append('HTTP %s' % self.status)
        if self.code:
            parts.append(str(self.code))
        head = ' '.join(parts)
        text = '%s: %s' % (head, self.message) if head else self.message
        if self.request_id:
            text += ' (request id %s)' % self.request_id
        return text

    def to_result(self):
        """Keyword arguments for ``fail_json``: ``msg`` plus the structured fields."""
        return dict(msg=str(self), status=self.status, error_code=self.code, request_id=self.request_id)


class Redactor:
    """Replaces every known secret value in a text."""

    def __init__(self, secrets):
        self.secrets = sorted(set(s for s in secrets if s and len(s) >= 4), key=len, reverse=True)

    def __call__(self, text):
        if text is None:
            return None
        text = str(text)
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text


def jittered_backoff(attempt, base=0.5, cap=20.0):
    """Delay before retry number ``attempt`` (1-based): exponential, capped, with jitter in [50%, 100%]."""
    delay = min(cap, base * (2 ** (attempt - 1)))
    return delay * random.uniform(0.5, 1.0)


def parse_retry_after(value):
    """Seconds from a ``Retry-After`` header (delta-seconds form), capped; None when absent or unusable."""
    if not value:
        return None
    try:
        return min(MAX_RETRY_AFTER, max(0.0, float(value)))
    except ValueError:
        return None


_TITLE_RE = re.compile(r'<title>\s*(.*?)\s*</title>', re.IGNORECASE | re.DOTALL)


def describe_non_json(text, content_type):
    """A short, safe description of a body that is not JSON."""
    text = text or ''
    if 'html' in (content_type or '').lower() or text.lstrip().lower().startswith(('<!doctype', '<html')):
        match = _TITLE_RE.search(text)
        title = match.group(1) if match else 'no title'
        return 'the server answered with an HTML page (%s) instead of JSON' % title[:120]
    if not text.strip():
        return 'the server answered with an empty body instead of JSON'
    snippet = ' '.join(text.split())[:120]
    return 'the server answered with a body that is not valid JSON: %r' % snippet


class Transport:
    """HTTP with one keep-alive session, retries for reads, and uniform error mapping.

    Vendor cores subclass it and implement ``sign(method, url, path, query, headers, body)`` (returns the
    headers to send) and ``extract_error(status, data)`` (returns ``(code, message)`` or None).
    """

    vendor = 'API'
    request_id_headers = ('X-Request-Id',)

    def __init__(self, params, secrets=(), sleep=None):
        if not HAS_REQUESTS:
            raise ApiError('the Python library "requests" is required on the host that runs the module')
        self.session = requests.Session()
        self.session.headers['User-Agent'] = USER_AGENT
        ca_path = params.get('ca_path')
        self.session.verify = ca_path if (ca_path and params.get('validate_certs', True)) else params.get('validate_certs', True)
        self.timeout = (params.get('connect_timeout') or 10.0, params.get('read_timeout') or 60.0)
        self.max_retries = max(0, params.get('max_retries') if params.get('max_retries') is not None else 5)
        self.redact = Redactor(secrets)
        self.sleep = sleep or time.sleep
        self.requests_sent = 0
        self.retries = []  # (path, reason, delay) of every retry, for the module result/debugging

    # -- vendor hooks -------------------------------------------------------------------------
    def sign(self, method, url, path, query, headers, body):  # pragma: no cover - abstract
        raise NotImplementedError

    def extract_error(self, status, data):  # pragma: no cover - abstract
        raise NotImplementedError

    # -- core ---------------------------------------------------------------------------------
    def request(self, method, base_url, path, query=None, headers=None, body=None, idempotent=True):
        """Send one call and return its decoded JSON (or None for an empty success body).

        ``path`` is the already-encoded path; ``query`` a list of ``(key, value)`` pairs; ``body``
        bytes. Reads (``idempotent=True``) are retried on connection errors, 429 and 5xx; acting
        calls are sent exactly once.
        """
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._once(method, base_url, path, query or [], dict(headers or {}), body)
            except ApiError as err:
                if not (idempotent and err.retryable and attempt <= self.max_retries):
                    raise
                delay = getattr(err, 'retry_after', None)
                if delay is None:
                    delay = jittered_backoff(attempt)
                self.retries.append(dict(path=path, reason=err.code or err.status or err.message, delay=round(delay, 3)))
                self.sleep(delay)

    def _once(self, method, base_url, path, query, headers, body):
        url = base_url.rstrip('/') + path
        if query:
            url += '?' + encode_query(query)
        headers = self.sign(method, url, path, query, headers, body)
        self.requests_sent += 1
        try:
            resp = self.session.request(method, url, headers=headers, data=body, timeout=self.timeout,
                                        allow_redirects=False)
        except requests.exceptions.ConnectTimeout:
            raise ApiError('could not connect to %s within %ss' % (base_url, self.timeout[0]),
                           method=method, path=path, retryable=True)
        except requests.exceptions.ReadTimeout:
            raise ApiError('no answer within %ss (read timeout); the server may still have acted' % self.timeout[1],
                           method=method, path=path, uncertain=True, retryable=True)
        except requests.exceptions.SSLError as exc:
            raise ApiError('TLS error talking to %s: %s' % (base_url, self.redact(exc)), method=method, path=path)
        except requests.exceptions.ConnectionError as exc:
            raise ApiError('connection failed or was reset (%s); the server may have acted'
                           % self.redact(_short_reason(exc)), method=method, path=path, uncertain=True, retryable=True)
        except requests.exceptions.RequestException as exc:
            raise ApiError('request failed: %s' % self.redact(exc), method=method, path=path)
        return self._decode(method, path, resp)

    def _decode(self, method, path, resp):
        status = resp.status_code
        request_id = None
        for name in self.request_id_headers:
            request_id = request_id or resp.headers.get(name)
        text = resp.text if resp.content else ''
        data = None
        decode_problem = None
        if text.strip():
            try:
                data = json.loads(text)
            except ValueError:
                # redact before describing: the description truncates, and a secret cut in half no longer matches
                decode_problem = describe_non_json(self.redact(text), resp.headers.get('Content-Type'))
        elif status == 200 and resp.request.method != 'HEAD':
            # every wrapped call answers 200 with a JSON document: an empty one is a broken answer, not "nothing"
            decode_problem = describe_non_json('', resp.headers.get('Content-Type'))
        err = None
        if decode_problem:
            err = ApiError(self.redact(decode_problem), status=status, request_id=request_id, method=method, path=path)
            # a success status with an unreadable answer: an acting call may have taken effect
            err.uncertain = status < 300
        else:
            found = self.extract_error(status, data)
            if found or status >= 400:
                code, message = found or (None, 'HTTP %s %s' % (status, resp.reason or ''))
                if isinstance(data, dict):
                    request_id = request_id or data.get('requestId') or data.get('RequestId') or data.get('request_id')
                err = ApiError(self.redact(message), status=status, code=self.redact(code), request_id=self.redact(request_id),
                               method=method, path=path)
        if err is None:
            return data
        if status in RETRY_STATUSES:
            err.retryable = True
            err.uncertain = status not in REFUSED_STATUSES
            err.retry_after = parse_retry_after(resp.headers.get('Retry-After'))
        if self.auth_failure(status, err.code):
            err.message = 'authentication or permission failure: %s' % err.message
        raise err

    def auth_failure(self, status, code):
        """Whether an error says the credentials were refused (vendor cores add their own codes)."""
        return status in (401, 403)


def _short_reason(exc):
    text = str(exc)
    for marker in ('RemoteDisconnected', 'Connection reset', 'Connection refused', 'Connection aborted',
                   'Max retries exceeded'):
        if marker in text:
            return marker
    return text[:160]


def quote(value, safe='~'):
    """RFC 3986 percent-encoding of a str (UTF-8), space as %20."""
    return _urlquote(str(value), safe=safe)


def canonical_query(pairs):
    """Canonical query of both signing schemes: pairs sorted by key then value, both RFC 3986 encoded."""
    return '&'.join('%s=%s' % (quote(k), quote(v)) for k, v in sorted((str(k), str(v)) for k, v in pairs))


def json_payload(body):
    """A JSON request body as sent by every client: compact, UTF-8, non-ASCII kept as is."""
    return json.dumps(body, separators=(',', ':'), ensure_ascii=False).encode('utf-8')


def encode_query(query):
    """Query string from ``(key, value)`` pairs, in the given order, RFC 3986 encoded."""
    return '&'.join('%s=%s' % (quote(k), quote(_query_value(v))) for k, v in query)


def _query_value(value):
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return '' if value is None else str(value)


def query_pairs(query):
    """Normalise a dict or list of pairs into a list of ``(key, str)`` pairs, dropping None values."""
    if not query:
        return []
    items = query.items() if isinstance(query, dict) else query
    pairs = []
    for key, value in items:
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            pairs.extend((key, _query_value(v)) for v in value)
        else:
            pairs.append((key, _query_value(value)))
    return pairs


def guarded_action(act, probe, sleep=None, attempts=3):
    """Send an acting call without ever duplicating it.

    ``act()`` performs the call and returns its result. ``probe()`` reads state and returns evidence
    that the action took effect (anything truthy) or None. When ``act`` fails in a way that leaves
    it unknown whether the server acted, ``probe`` decides: evidence is adopted and returned.
    Without evidence, a call the server refused (HTTP 429 or 503, or a connection that never opened)
    is sent again after a pause, ``attempts`` times in all. A call whose answer was lost or failed
    (read timeout, connection reset, HTTP 5xx, an unreadable success answer) is never sent again: the
    server may still be applying it, so state is read once more after a pause, and without evidence
    the error is raised, saying that the call was not repeated. Returns ``(result, adopted)``.
    """
    sleep = sleep or time.sleep
    attempt = 0
    while True:
        attempt += 1
        try:
            return act(), False
        except ApiError as err:
            if not (err.uncertain or err.retryable):
                raise
            evidence = probe()
            if evidence:
                return evidence, True
            delay = getattr(err, 'retry_after', None)
            if err.uncertain:
                # The answer was lost, not refused: a slow server may apply the call late, even after
                # this module has ended. Look once more after the pause; re-sending could duplicate it.
                sleep(jittered_backoff(1) if delay is None else delay)
                evidence = probe()
                if evidence:
                    return evidence, True
                raise not_repeated(err)
            if not err.retryable or attempt >= attempts:
                raise
            sleep(jittered_backoff(attempt) if delay is None else delay)


def not_repeated(err):
    """The error of an acting call whose effect is unknown and that was therefore not sent again."""
    return ApiError('%s; the state read since shows no effect yet, and the call was not sent again because the '
                    'server may still apply it: check the state before running the task again' % err.message,
                    status=err.status, code=err.code, request_id=err.request_id, method=err.method, path=err.path,
                    uncertain=True, retryable=False)


def epoch_seconds(value):
    """Seconds since the epoch from an API time: epoch seconds or milliseconds, or ISO 8601 text (UTC
    assumed when no zone is given). None when the value is missing or unreadable."""
    if isinstance(value, bool) or value in (None, ''):
        return None
    if isinstance(value, (int, float)):
        return value / 1000.0 if value > 1e11 else float(value)
    text = str(value).strip()
    if text.isdigit():
        return epoch_seconds(int(text))
    if text.endswith('Z'):
        text = text[:-1] + '+00:00'
    try:
        moment = datetime.datetime.fromisoformat(text.replace(' ', 'T', 1))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.timestamp()


def typical_duration(spans):
    """Median length in seconds of ``(start, end)`` API times, from the spans both of whose ends parse."""
    lengths = []
    for start, end in spans:
        start, end = epoch_seconds(start), epoch_seconds(end)
        if start is not None and end is not None and end >= start:
            lengths.append(end - start)
    if not lengths:
        return None
    lengths.sort()
    middle = len(lengths) // 2
    return lengths[middle] if len(lengths) % 2 else (lengths[middle - 1] + lengths[middle]) / 2.0


def poll_schedule(interval, expected=None, margin=0.25, max_factor=10):
    """Seconds to sleep before the next read, as a function of the seconds spent waiting so far.

    Without ``expected`` every ``interval``. With ``expected`` (how long the object typically takes,
    e.g. the median of its recent successful runs), reads back off while the end is far away -- half
    the remaining time, at least ``interval`` and at most ``max_factor`` intervals, so an early
    failure is still seen -- one read lands ``margin`` seconds after the expected end, and from then
    on the object is read every ``interval``.
    """
    def next_sleep(elapsed):
        remaining = None if expected is None else expected - elapsed
        if remaining is None or remaining <= 0:
            return interval
        if remaining <= interval:
            return remaining + margin
        return min(max(interval, remaining / 2.0), interval * max_factor)
    return next_sleep


class WaitResult:
    """Outcome of ``wait_for``: the last state, whether the condition held, polls and seconds spent."""

    def __init__(self, state, done, polls, elapsed):
        self.state = state
        self.done = done
        self.polls = polls
        self.elapsed = elapsed


def wait_for(fetch, is_done, timeout, interval, sleep=None, clock=None, first=None, schedule=None):
    """Poll ``fetch()`` until ``is_done(state)`` or ``timeout`` seconds pass.

    Reads at once (or starts from ``first`` when the caller already holds a fresh state), then
    every ``interval`` seconds -- or as ``schedule(elapsed)`` says (see ``poll_schedule``); it
    returns as soon as the condition holds and never sleeps past the deadline. Transient read
    failures are retried inside ``fetch`` by the transport.
    """
    sleep = sleep or time.sleep
    clock = clock or time.monotonic
    start = clock()
    deadline = start + max(0, timeout)
    polls = 0
    state = first
    if state is None:
        state = fetch()
        polls += 1
    while not is_done(state):
        remaining = deadline - clock()
        if remaining <= 0:
            return WaitResult(state, False, polls, clock() - start)
        sleep(min(schedule(clock() - start) if schedule else interval, remaining))
        state = fetch()
        polls += 1
    return WaitResult(state, True, polls, clock() - start)


def fail_api_error(module, err, **result):
    """End the module with an ApiError: the message names status, vendor code and request id."""
    fields = err.to_result()
    fields.update(result)
    module.fail_json(**fields)


def require_requests(module):
    """Fail cleanly when requests is missing."""
    if not HAS_REQUESTS:
        from ansible.module_utils.basic import missing_required_lib
        module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
