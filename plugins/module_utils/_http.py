# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shared HTTP core of the collection (internal use only; the API may change without notice).

One Transport per module run owns one ``requests.Session`` (keep-alive), TLS settings, timeouts, one
``RetryPolicy`` (retries of reads with jittered exponential backoff, ``Retry-After`` honoured, time
limits), and the mapping of every failure -- vendor error bodies, HTTP 200 with an error body, redirects,
HTML pages, non-JSON bodies, connection errors -- to one ``ApiError``. Vendor cores (``huawei.py``,
``_alibaba/client.py``) only add signing and error-body extraction.

Acting requests (start, stop, approve ...) are sent once: ``guarded_action`` reads state back after
an uncertain failure and adopts what the server did instead of re-sending blindly.

Time limits (documented in the ``connection`` doc fragment):

- one request (connect, send, the whole answer) ends within ``connect_timeout + read_timeout`` seconds, also
  against a server that trickles its answer: a watchdog shuts the connection at that point;
- one call with its retries and their pauses ends within ``2 * (connect_timeout + read_timeout)`` seconds;
- ``wait_for`` ends at most ``WAIT_GRACE`` seconds after its timeout: the requests of a read made while
  waiting are cut there.

Redirects are never followed (credentials must not reach another address): a 3xx answer is an error that
names the target.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import json
import math
import os
import random
import re
import socket
import threading
import time
import traceback
import weakref

from urllib.parse import quote as _urlquote, quote_plus as _urlquote_plus, urljoin, urlsplit

from ansible.module_utils.common.warnings import warn
from ansible.module_utils.errors import AnsibleFallbackNotFound

try:
    import requests
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised only without requests
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

try:
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
    HAS_CONNECTION_TRACKING = True
except ImportError:  # pragma: no cover - another urllib3 layout: requests run without the watchdog
    HAS_CONNECTION_TRACKING = False

COLLECTION_VERSION = '0.1.0'
USER_AGENT = 'ansible-devops_cloud.pipelines/%s' % COLLECTION_VERSION

DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_READ_TIMEOUT = 60.0
DEFAULT_MAX_RETRIES = 5
# Statuses after which a read is repeated, and after which an acting call may not have happened.
RETRY_STATUSES = frozenset([429, 500, 502, 503, 504])
# Statuses that say the server refused before acting (safe to re-send once state proves nothing happened).
REFUSED_STATUSES = frozenset([429, 503])
MAX_RETRY_AFTER = 120.0
# Seconds a wait may overrun its timeout: a read started just before the deadline is cut at deadline + WAIT_GRACE.
WAIT_GRACE = 10.0
REDACTED = '********'


def connection_argument_spec():
    """Options every module has (doc fragment ``devops_cloud.pipelines.connection``)."""
    return dict(
        validate_certs=dict(type='bool', default=True),
        ca_path=dict(type='path'),
        connect_timeout=dict(type='float', default=DEFAULT_CONNECT_TIMEOUT),
        read_timeout=dict(type='float', default=DEFAULT_READ_TIMEOUT),
        max_retries=dict(type='int', default=DEFAULT_MAX_RETRIES),
    )


def wait_argument_spec(wait=True, wait_timeout=1800, poll_interval=5.0):
    """Options of acting modules that can wait (doc fragment ``devops_cloud.pipelines.wait``)."""
    return dict(
        wait=dict(type='bool', default=wait),
        wait_timeout=dict(type='int', default=wait_timeout),
        poll_interval=dict(type='float', default=poll_interval),
    )


def validate_connection_params(params):
    """Check the connection options before any request is sent; raise ``ApiError`` naming each invalid one.

    ``connect_timeout`` and ``read_timeout`` must be finite numbers of seconds greater than 0, ``max_retries``
    0 or more (an option left out, None, takes its default), and ``ca_path`` (when certificates are validated)
    must exist. Modules call it right after argument parsing;
    every ``Transport`` calls it too, so a client is never built from invalid options.
    """
    problems = []
    for name in ('connect_timeout', 'read_timeout'):
        value = params.get(name)
        if value is None:
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            problems.append('%s must be a number of seconds (got %r)' % (name, value))
            continue
        if isinstance(value, bool) or not (math.isfinite(number) and number > 0):
            problems.append('%s must be a number of seconds greater than 0 (got %s)' % (name, value))
    retries = params.get('max_retries')
    if retries is not None:
        if isinstance(retries, bool) or not isinstance(retries, int):
            problems.append('max_retries must be a whole number (got %r)' % (retries,))
        elif retries < 0:
            problems.append('max_retries must be 0 or more (got %d)' % retries)
    ca_path = params.get('ca_path')
    if ca_path is not None and params.get('validate_certs', True) is not False and not os.path.exists(ca_path):
        problems.append('ca_path %s does not exist (a CA bundle file or a directory of certificates)' % ca_path)
    if problems:
        raise ApiError('invalid connection options: %s' % '; '.join(problems))


def _option(params, name, default):
    value = params.get(name)
    return default if value is None else value


class ApiError(Exception):
    """Any failure of a call: HTTP status, vendor code, message and request id (never a secret).

    ``uncertain`` is true when the server may have acted although the client saw no success
    (connection lost after sending, read timeout, 5xx); ``retryable`` when repeating may help;
    ``sent`` whether the request reached the server (False: refused, DNS, TLS, connect timeout -- nothing
    can have happened; None: not a transport failure). ``transport`` is the Transport whose call failed (its
    retry policy and retry log), ``wait_expired`` true when the call was cut because a ``wait_for`` ran out
    of time. ``data`` is the decoded JSON body of an error answer (secrets redacted), None without one: some
    error bodies still carry ids (a CodeArts start that was queued).
    """

    def __init__(self, message, status=None, code=None, request_id=None, method=None, path=None,
                 uncertain=False, retryable=False, sent=None):
        super(ApiError, self).__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.request_id = request_id
        self.method = method
        self.path = path
        self.uncertain = uncertain
        self.retryable = retryable
        self.sent = sent
        self.retry_after = None
        self.transport = None
        self.wait_expired = False
        self.data = None

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
        """Keyword arguments for ``fail_json``: ``msg`` plus named fields that no module result uses for
        anything else (``http_status``, ``error_code``, ``request_id``, ``retry_after``)."""
        fields = dict(msg=str(self), http_status=self.status, error_code=self.code, request_id=self.request_id)
        if getattr(self, 'retry_after', None) is not None:
            fields['retry_after'] = self.retry_after
        return fields


# -- secrets ----------------------------------------------------------------------------------------------
def clean_secret(value, name):
    """A secret option or environment value ready for a header or a signature: surrounding blanks and line
    ends removed (a multi-line AWX credential field ends in a newline), None when nothing is left.

    A control character inside the value (a line break in the middle of a token) raises ``ApiError``; the
    message names the option or variable, never the value.
    """
    if value is None:
        return None
    text = str(value).strip()
    if any(ord(char) < 32 or ord(char) == 127 for char in text):
        raise ApiError('%s contains a line break or another control character inside its value (the value is not '
                       'shown): give the secret on one line' % name)
    return text or None


def env_raw(fallbacks, option):
    """The value of an option's environment variable as set, or None.

    ``fallbacks`` maps option names to ``(strategy, [names])`` as in an argument spec's ``fallback``: the
    vendor cores read credential variables this way after parsing, so that the task's options win.
    """
    strategy, names = fallbacks[option]
    try:
        return strategy(*names)
    except AnsibleFallbackNotFound:
        return None


def env_value(fallbacks, option):
    """The cleaned value of an option's environment variable (``clean_secret``), or None when unset or empty."""
    return clean_secret(env_raw(fallbacks, option), fallbacks[option][1][0])


def secret_forms(secret):
    """Every way a secret can show in a text: as given, trimmed, and escaped the way ``repr``, JSON and URL
    encoding write it -- also nested twice (a repr inside a JSON string)."""
    forms = set([secret, secret.strip()])
    for dummy in range(2):
        for form in list(forms):
            forms.update([repr(form)[1:-1], ascii(form)[1:-1], json.dumps(form)[1:-1],
                          json.dumps(form, ensure_ascii=False)[1:-1], _urlquote(form, safe=''), _urlquote(form),
                          _urlquote_plus(form)])
    return forms


class Redactor:
    """Replaces every known secret value, and its escaped forms (``secret_forms``), in a text."""

    def __init__(self, secrets):
        forms = set()
        for secret in secrets:
            if secret:
                forms.update(form for form in secret_forms(str(secret)) if len(form) >= 4)
        self.secrets = sorted(forms, key=len, reverse=True)
        self._pattern = re.compile('|'.join(re.escape(form) for form in self.secrets)) if self.secrets else None

    def __call__(self, text):
        if text is None:
            return None
        text = str(text)
        return self._pattern.sub(REDACTED, text) if self._pattern else text

    def found(self, text):
        """Whether a secret (in any of its forms) occurs in the text."""
        return bool(self._pattern and text and self._pattern.search(text))

    def data(self, value):
        """Decoded JSON with the secrets replaced in every string (keys included)."""
        if isinstance(value, dict):
            return dict((self(key) if isinstance(key, str) else key, self.data(item)) for key, item in value.items())
        if isinstance(value, list):
            return [self.data(item) for item in value]
        if isinstance(value, str):
            return self(value)
        return value


def safe_url(url):
    """A URL for messages: without user name, password, query and fragment."""
    parts = urlsplit(str(url))
    netloc = parts.netloc.rpartition('@')[2]
    if not parts.scheme:
        return netloc + parts.path
    return '%s://%s%s' % (parts.scheme, netloc, parts.path)


def check_base_url(value, option):
    """The base URL an option names (``https://`` added when it has no scheme, no trailing ``/``).

    Raises ``ApiError`` when it carries a user name or password (``https://user:pass@host``: credentials
    belong in the authentication options, and the message does not echo the value), is not http(s), has no
    host or an invalid port.
    """
    text = str(value).strip().rstrip('/')
    if '://' not in text:
        text = 'https://' + text
    if '@' in text:
        raise ApiError('%s must not contain a user name or password (user:password@host); give credentials through '
                       'the authentication options (the value is not shown)' % option)
    parts = urlsplit(text)
    if parts.scheme.lower() not in ('http', 'https') or not parts.hostname:
        raise ApiError('%s must be an http:// or https:// URL with a host name (got %s)' % (option, safe_url(text)))
    try:
        parts.port
    except ValueError:
        raise ApiError('%s has an invalid port (got %s)' % (option, safe_url(text)))
    if parts.query or parts.fragment:
        raise ApiError('%s must not contain a query or a fragment (got %s)' % (option, safe_url(text)))
    return text


# -- retry policy -----------------------------------------------------------------------------------------
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


class RetryPolicy:
    """How one module run repeats calls: one per Transport, built from the connection options.

    ``max_retries`` is the number of repeats after the first attempt, the same everywhere: reads repeated by
    the transport (connection errors, 429, 5xx) and acting calls the server provably refused, re-sent by
    ``guarded_action``. The pause before repeat ``n`` is the server's ``Retry-After`` (at most
    ``retry_after_cap`` seconds), else a jittered exponential backoff. ``request_limit`` is the longest one
    request may take (connect, send and the whole answer: ``connect_timeout + read_timeout``);
    ``call_limit`` the longest one call may take with its retries and their pauses (twice that): a retry that
    cannot start before it is not made.
    """

    def __init__(self, max_retries=DEFAULT_MAX_RETRIES, connect_timeout=DEFAULT_CONNECT_TIMEOUT,
                 read_timeout=DEFAULT_READ_TIMEOUT, backoff_base=0.5, backoff_cap=20.0, retry_after_cap=MAX_RETRY_AFTER):
        self.max_retries = int(max_retries)
        self.connect_timeout = float(connect_timeout)
        self.read_timeout = float(read_timeout)
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.retry_after_cap = retry_after_cap
        self.request_limit = self.connect_timeout + self.read_timeout
        self.call_limit = 2 * self.request_limit

    @classmethod
    def from_params(cls, params):
        """The policy of the connection options (validated first: ``validate_connection_params``)."""
        validate_connection_params(params)
        return cls(max_retries=_option(params, 'max_retries', DEFAULT_MAX_RETRIES),
                   connect_timeout=_option(params, 'connect_timeout', DEFAULT_CONNECT_TIMEOUT),
                   read_timeout=_option(params, 'read_timeout', DEFAULT_READ_TIMEOUT))

    @property
    def attempts(self):
        """How often one call may be sent in all."""
        return self.max_retries + 1

    def pause(self, attempt, err=None):
        """Seconds to wait before repeat number ``attempt`` (1-based) after ``err``."""
        retry_after = getattr(err, 'retry_after', None)
        if retry_after is not None:
            return min(self.retry_after_cap, retry_after)
        return jittered_backoff(attempt, self.backoff_base, self.backoff_cap)


# -- connection failures ----------------------------------------------------------------------------------
_DNS_MARKERS = ('Name or service not known', 'nodename nor servname', 'getaddrinfo failed', 'NameResolutionError',
                'Temporary failure in name resolution', 'No address associated with hostname', 'Failed to resolve')
_RESET_MARKERS = ('RemoteDisconnected', 'Connection reset', 'Connection aborted', 'Broken pipe', 'IncompleteRead',
                  'closed connection', 'Connection broken')


def _exception_chain(exc, limit=12):
    """The exception and what it wraps (``reason``, exception arguments, cause and context)."""
    chain, todo, seen = [], [exc], set()
    while todo and len(chain) < limit:
        current = todo.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        chain.append(current)
        todo.append(getattr(current, 'reason', None) if isinstance(getattr(current, 'reason', None), BaseException) else None)
        todo.extend(arg for arg in getattr(current, 'args', ()) if isinstance(arg, BaseException))
        todo.extend([current.__cause__, current.__context__])
    return chain


def classify_connection_error(exc):
    """``(kind, detail)`` of a requests exception: ``tls``, ``connect-timeout``, ``read-timeout``, ``dns``,
    ``dns-temporary``, ``refused``, ``unreachable`` (no connection for another reason), ``reset`` (the
    connection broke after the request was sent) or ``other``. ``detail`` is a short reason (not redacted)."""
    chain = _exception_chain(exc)
    text = ' | '.join(str(item) for item in chain)
    if isinstance(exc, requests.exceptions.SSLError):
        inner = [item for item in chain[1:] if 'SSL' in type(item).__name__ or 'ssl' in type(item).__module__]
        return 'tls', str(inner[-1] if inner else exc)[:240]
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return 'connect-timeout', ''
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return 'read-timeout', ''
    gai = [item for item in chain if isinstance(item, socket.gaierror)]
    if gai or any(marker in text for marker in _DNS_MARKERS):
        reason = gai[0].strerror if gai and gai[0].strerror else next(m for m in _DNS_MARKERS + ('',) if m in text or not m)
        temporary = (gai and gai[0].errno == getattr(socket, 'EAI_AGAIN', None)) or 'Temporary failure' in text
        return ('dns-temporary' if temporary else 'dns'), reason or 'the name did not resolve'
    if any(isinstance(item, ConnectionRefusedError) for item in chain) or 'Connection refused' in text or 'Errno 111' in text:
        return 'refused', 'connection refused'
    if 'Failed to establish a new connection' in text or any(type(item).__name__ == 'NewConnectionError' for item in chain):
        errors = [item for item in chain if isinstance(item, OSError) and item.strerror]
        return 'unreachable', errors[-1].strerror if errors else 'no connection'
    if isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError,
                        requests.exceptions.ContentDecodingError)):
        reason = next((marker for marker in _RESET_MARKERS if marker in text), None)
        return 'reset', reason or str(exc)[:160]
    return 'other', str(exc)[:200]


# -- the connection watchdog ------------------------------------------------------------------------------
def _tracking_pool_classes(registry):
    """urllib3 pool classes whose connections add themselves to ``registry`` when they connect."""
    def tracked(base):
        class Tracked(base):
            def connect(self):
                registry.add(self)
                return base.connect(self)
        return Tracked

    class TrackedPool(HTTPConnectionPool):
        ConnectionCls = tracked(HTTPConnection)

    class TrackedTlsPool(HTTPSConnectionPool):
        ConnectionCls = tracked(HTTPSConnection)

    return {'http': TrackedPool, 'https': TrackedTlsPool}


if HAS_CONNECTION_TRACKING:
    class _TrackingAdapter(HTTPAdapter):
        """requests' adapter whose connections are known to the transport, so its watchdog can shut them."""

        def __init__(self, registry, **kwargs):
            self._registry = registry
            super(_TrackingAdapter, self).__init__(**kwargs)

        def init_poolmanager(self, *args, **kwargs):
            super(_TrackingAdapter, self).init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = _tracking_pool_classes(self._registry)

        def proxy_manager_for(self, proxy, **proxy_kwargs):
            manager = super(_TrackingAdapter, self).proxy_manager_for(proxy, **proxy_kwargs)
            if getattr(manager, 'pool_classes_by_scheme', None) is not None and proxy.lower().startswith('http'):
                manager.pool_classes_by_scheme = _tracking_pool_classes(self._registry)
            return manager


class _Watchdog:
    """Shuts the transport's connections when one request passes its time limit, so a server that sends
    its answer a byte at a time (each byte within ``read_timeout``) cannot hold the module forever."""

    def __init__(self, connections, seconds):
        self.fired = False
        self._connections = connections
        self._timer = threading.Timer(max(0.0, seconds), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self):
        self.fired = True
        try:
            connections = list(self._connections)
        except RuntimeError:  # pragma: no cover - the set changed while copied
            connections = []
        for conn in connections:
            sock = getattr(conn, 'sock', None)
            if sock is None:
                continue
            try:
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except (OSError, TypeError, ValueError):
                pass

    def cancel(self):
        self._timer.cancel()


# -- the time limit of a wait -----------------------------------------------------------------------------
_WAITING = threading.local()


def wait_ceiling():
    """``time.monotonic()`` instant at which the current ``wait_for`` (of this thread) cuts its reads, or None."""
    return getattr(_WAITING, 'ceiling', None)


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


SENT_MAY_HAVE_ACTED = '; the request was sent, so the server may still have acted'
NOTHING_SENT = '; nothing was sent'


class Transport:
    """HTTP with one keep-alive session, retries for reads, and uniform error mapping.

    Vendor cores subclass it and implement ``sign(method, path, query, headers, body)`` (returns the
    headers to send) and ``extract_error(status, data)`` (returns ``(code, message)`` or None), and name
    the option that sets their base URL (``endpoint_option``; ``endpoint_suffix`` is the path they add
    after it) for redirect errors.

    ``policy`` is the ``RetryPolicy``; ``retries`` lists every repeat of a call (dicts with ``path``,
    ``reason`` and ``delay``; re-sends by ``guarded_action`` too), each also reported as a warning;
    ``requests_sent`` counts the requests attempted.
    """

    request_id_headers = ('X-Request-Id',)
    endpoint_option = 'endpoint'
    endpoint_suffix = ''

    def __init__(self, params, secrets=(), sleep=None):
        if not HAS_REQUESTS:
            raise ApiError('the Python library "requests" is required on the host that runs the module')
        self.policy = RetryPolicy.from_params(params)
        self.max_retries = self.policy.max_retries
        self.timeout = (self.policy.connect_timeout, self.policy.read_timeout)
        validate = params.get('validate_certs')
        validate = True if validate is None else bool(validate)
        ca_path = params.get('ca_path')
        # Passed with every request: a session-level value would lose against REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE.
        self.verify = ca_path if (validate and ca_path) else validate
        self.session = requests.Session()
        self.session.headers['User-Agent'] = USER_AGENT
        self.session.verify = self.verify
        self._connections = weakref.WeakSet()
        if HAS_CONNECTION_TRACKING:
            adapter = _TrackingAdapter(self._connections)
            self.session.mount('https://', adapter)
            self.session.mount('http://', adapter)
        self.redact = Redactor(secrets)
        self.sleep = sleep or time.sleep
        self.clock = time.monotonic
        self.requests_sent = 0
        self.retries = []

    # -- vendor hooks -------------------------------------------------------------------------
    def sign(self, method, path, query, headers, body):  # pragma: no cover - abstract
        raise NotImplementedError

    def extract_error(self, status, data):  # pragma: no cover - abstract
        raise NotImplementedError

    # -- core ---------------------------------------------------------------------------------
    def request(self, method, base_url, path, query=None, headers=None, body=None, idempotent=True):
        """Send one call and return its decoded JSON (or None for an empty success body).

        ``path`` is the already-encoded path; ``query`` a list of ``(key, value)`` pairs; ``body``
        bytes. Reads (``idempotent=True``) are retried on connection errors, 429 and 5xx, as the
        policy allows and within its time limit; acting calls are sent exactly once.
        """
        policy = self.policy
        call_end = self.clock() + policy.call_limit
        attempt = 0
        while True:
            attempt += 1
            wait_end = wait_ceiling()
            try:
                return self._once(method, base_url, path, query or [], dict(headers or {}), body, idempotent,
                                  call_end, wait_end)
            except ApiError as err:
                err.transport = self
                if not (idempotent and err.retryable and attempt <= policy.max_retries):
                    raise
                delay = policy.pause(attempt, err)
                if wait_end is not None and self.clock() + delay >= wait_end:
                    err.wait_expired = True
                    raise
                # a retry needs at least connect_timeout left after its pause, or it could be cut before it is sent
                if self.clock() + delay + policy.connect_timeout > call_end:
                    err.message += ('; not retried: the next attempt would end after the %gs limit of one call with '
                                    'its retries (2 x (connect_timeout + read_timeout))' % policy.call_limit)
                    raise
                self.note_retry(method, path, err, delay, attempt)
                self.sleep(delay)

    def note_retry(self, method, path, err, delay, attempt, resend=False):
        """Record one repeat of a call in ``retries`` and report it as a warning."""
        self.retries.append(dict(path=path, reason=err.code or err.status or err.message, delay=round(delay, 3)))
        what = 're-sending the refused call' if resend else 'retrying'
        warn(self.redact('%s %s %s in %.1fs (retry %d of %d) after: %s'
                         % (what, method, path, delay, attempt, self.policy.max_retries, str(err)[:300])))

    def _budget(self, call_end, wait_end):
        """Seconds the next request may take, and which limit sets them: ``request``, ``call`` or ``wait``."""
        now = self.clock()
        budget, limit = self.policy.request_limit, 'request'
        if call_end - now < budget:
            budget, limit = call_end - now, 'call'
        if wait_end is not None and wait_end - now < budget:
            budget, limit = wait_end - now, 'wait'
        return budget, limit

    def _once(self, method, base_url, path, query, headers, body, idempotent, call_end, wait_end):
        url = base_url.rstrip('/') + path
        if query:
            url += '?' + encode_query(query)
        host = urlsplit(url).netloc
        budget, limit = self._budget(call_end, wait_end)
        if budget <= 0.05:
            err = ApiError('not sent to %s: the wait ran out of time' % host if limit == 'wait' else
                           'not sent to %s: the time limit of the call ran out' % host,
                           method=method, path=path, sent=False)
            err.wait_expired = limit == 'wait'
            raise err
        headers = self.sign(method, path, query, headers, body)
        timeout = (min(self.timeout[0], budget), min(self.timeout[1], budget))
        self.requests_sent += 1
        watchdog = _Watchdog(self._connections, budget)
        try:
            resp = self.session.request(method, url, headers=headers, data=body, timeout=timeout, verify=self.verify,
                                        allow_redirects=False)
        except requests.exceptions.RequestException as exc:
            cut = watchdog.fired or (limit != 'request' and isinstance(exc, requests.exceptions.ReadTimeout))
            raise self._failure(exc, method, path, host, not idempotent, limit if cut else None, budget)
        except ValueError as exc:
            # e.g. a header value that is not Latin-1: its text would quote the value, so only its type is shown
            raise ApiError('the request to %s could not be built (%s): check the endpoint and credential options for '
                           'stray characters' % (host, type(exc).__name__), method=method, path=path, sent=False)
        finally:
            watchdog.cancel()
        if watchdog.fired:
            # the connection was shut while the answer came in: what was read may be cut short
            raise self._failure(None, method, path, host, not idempotent, limit, budget)
        return self._decode(method, path, url, resp)

    def _failure(self, exc, method, path, host, acting, cut, budget):
        """The ApiError of a request that got no answer: what failed, on which host, whether it was sent."""
        acted = SENT_MAY_HAVE_ACTED if acting else ''
        if cut:
            limits = dict(request='the %gs limit of one request (connect_timeout + read_timeout)' % round(budget, 1),
                          call='the time limit of one call with its retries (2 x (connect_timeout + read_timeout))',
                          wait='the time limit of the wait (wait_timeout + %gs)' % WAIT_GRACE)
            err = ApiError('no complete answer from %s within %s (%.1fs)%s' % (host, limits[cut], budget, acted),
                           method=method, path=path, uncertain=True, retryable=True, sent=True)
            err.wait_expired = cut == 'wait'
            return err
        kind, detail = classify_connection_error(exc)
        detail = self.redact(detail)
        if kind == 'tls':
            hint = ''
            if 'CERTIFICATE_VERIFY_FAILED' in detail or 'certificate verify failed' in detail:
                hint = ' (set ca_path to the CA that signed the server certificate)'
            return ApiError('TLS error talking to %s: %s%s%s' % (host, detail, hint, NOTHING_SENT),
                            method=method, path=path, sent=False)
        if kind == 'connect-timeout':
            return ApiError('could not connect to %s within %ss (connect timeout)%s' % (host, self.timeout[0], NOTHING_SENT),
                            method=method, path=path, retryable=True, sent=False)
        if kind in ('dns', 'dns-temporary'):
            return ApiError('could not resolve the host name of %s (DNS: %s)%s' % (host, detail, NOTHING_SENT),
                            method=method, path=path, retryable=kind == 'dns-temporary', sent=False)
        if kind == 'refused':
            return ApiError('connection refused by %s%s' % (host, NOTHING_SENT), method=method, path=path,
                            retryable=True, sent=False)
        if kind == 'unreachable':
            return ApiError('could not connect to %s (%s)%s' % (host, detail, NOTHING_SENT), method=method, path=path,
                            retryable=True, sent=False)
        if kind == 'read-timeout':
            return ApiError('no answer within %ss from %s (read timeout)%s' % (self.timeout[1], host, acted),
                            method=method, path=path, uncertain=True, retryable=True, sent=True)
        if kind == 'reset':
            return ApiError('connection to %s was reset or closed before the answer (%s)%s' % (host, detail, acted),
                            method=method, path=path, uncertain=True, retryable=True, sent=True)
        return ApiError('request to %s failed: %s' % (host, detail), method=method, path=path, sent=False)

    def _redirect(self, method, path, url, resp, request_id):
        """The error of a 3xx answer: never followed (credentials must not reach another address)."""
        status = resp.status_code
        location = resp.headers.get('Location')
        if not location:
            return ApiError('the server answered with a redirect without a Location; redirects are not followed',
                            status=status, request_id=request_id, method=method, path=path, sent=True)
        target = self.redact(safe_url(urljoin(url, location.strip())))
        parts = urlsplit(target)
        suffix = self.endpoint_suffix + path
        if suffix and parts.path.endswith(suffix):
            advice = 'if that server is the right one, set %s to %s://%s%s' % (
                self.endpoint_option, parts.scheme, parts.netloc, parts.path[:len(parts.path) - len(suffix)])
        else:
            advice = 'if that server is the right one, set %s to its base URL' % self.endpoint_option
        return ApiError('the server redirects to %s; redirects are not followed, so credentials never go to another '
                        'address: %s' % (target, advice),
                        status=status, request_id=request_id, method=method, path=path, sent=True)

    def _decode(self, method, path, url, resp):
        status = resp.status_code
        request_id = None
        for name in self.request_id_headers:
            request_id = request_id or resp.headers.get(name)
        request_id = self.redact(request_id)
        if 300 <= status < 400:
            raise self._redirect(method, path, url, resp, request_id)
        text = resp.text if resp.content else ''
        data = None
        decode_problem = None
        if text.strip():
            try:
                data = json.loads(text)
            except ValueError:
                # redact before describing: the description truncates, and a secret cut in half no longer matches
                decode_problem = describe_non_json(self.redact(text), resp.headers.get('Content-Type'))
            else:
                if self.redact.found(text):
                    data = self.redact.data(data)
        elif status == 200 and resp.request.method != 'HEAD':
            # every wrapped call answers 200 with a JSON document: an empty one is a broken answer, not "nothing"
            decode_problem = describe_non_json('', resp.headers.get('Content-Type'))
        err = None
        if decode_problem:
            err = ApiError(self.redact(decode_problem), status=status, request_id=request_id, method=method, path=path,
                           sent=True)
            # a success status with an unreadable answer: an acting call may have taken effect
            err.uncertain = status < 300
        else:
            found = self.extract_error(status, data)
            if found or status >= 400:
                code, message = found or (None, 'HTTP %s %s' % (status, resp.reason or ''))
                if isinstance(data, dict):
                    request_id = request_id or data.get('requestId') or data.get('RequestId') or data.get('request_id')
                err = ApiError(self.redact(message), status=status, code=self.redact(code), request_id=self.redact(request_id),
                               method=method, path=path, sent=True)
                err.data = data if isinstance(data, (dict, list)) else None
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


def guarded_action(act, probe, sleep=None, attempts=None, policy=None):
    """Send an acting call without ever duplicating it.

    ``act()`` performs the call and returns its result. ``probe()`` reads state and returns evidence
    that the action took effect (anything truthy) or None. When ``act`` fails in a way that leaves
    it unknown whether the server acted, ``probe`` decides: evidence is adopted and returned.
    Without evidence, a call the server refused (HTTP 429 or 503, or a connection that never opened)
    is sent again after a pause, as the retry policy allows: ``policy`` or else the one of the transport
    whose call failed -- ``max_retries`` repeats, pauses from ``Retry-After`` or the backoff -- (``attempts``
    overrides the number of sends in all). A call whose answer was lost or failed (read timeout,
    connection reset, HTTP 5xx, an unreadable success answer) is never sent again: the server may still
    be applying it, so state is read once more after a pause, and without evidence the error is raised,
    saying that the call was not repeated. A definite refusal (4xx, a redirect) is raised at once.
    Returns ``(result, adopted)``.
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
            transport = err.transport
            rules = policy or (transport.policy if transport is not None else RetryPolicy())
            if err.uncertain:
                # The answer was lost, not refused: a slow server may apply the call late, even after
                # this module has ended. Look once more after the pause; re-sending could duplicate it.
                sleep(rules.pause(1, err))
                evidence = probe()
                if evidence:
                    return evidence, True
                raise not_repeated(err)
            if attempt >= (attempts if attempts is not None else rules.attempts):
                raise
            delay = rules.pause(attempt, err)
            if transport is not None:
                transport.note_retry(err.method, err.path, err, delay, attempt, resend=True)
            sleep(delay)


def not_repeated(err):
    """The error of an acting call whose effect is unknown and that was therefore not sent again."""
    return ApiError('%s; the state read since shows no effect yet, and the call was not sent again because the '
                    'server may still apply it: check the state before running the task again' % err.message,
                    status=err.status, code=err.code, request_id=err.request_id, method=err.method, path=err.path,
                    uncertain=True, retryable=False, sent=err.sent)


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

    The whole wait, its last read included, ends within ``timeout + WAIT_GRACE`` seconds: while it runs
    (on the real clock), every request a ``Transport`` sends in this thread is cut at that point, and a read
    cut there ends the wait with the last state read (not done); a first read cut there raises its error.
    """
    real_clock = clock is None
    sleep = sleep or time.sleep
    clock = clock or time.monotonic
    start = clock()
    deadline = start + max(0, timeout)
    outer = wait_ceiling()
    if real_clock:
        ceiling = deadline + WAIT_GRACE
        _WAITING.ceiling = ceiling if outer is None else min(outer, ceiling)
    try:
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
            polls += 1
            try:
                state = fetch()
            except ApiError as err:
                if not err.wait_expired:
                    raise
                return WaitResult(state, False, polls, clock() - start)
        return WaitResult(state, True, polls, clock() - start)
    finally:
        if real_clock:
            _WAITING.ceiling = outer


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
