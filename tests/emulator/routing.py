"""What a service handler receives and returns, and how a service declares its routes.

A service module lists its calls in ``ROUTES``, one ``(method, path pattern, operation, handler)`` entry
per call. The pattern is a regular expression over the decoded request path in which ``{name}`` stands for
one path segment and ``{name:regex}`` for a part matching ``regex``; those parts reach the handler as
``req.params``. ``handler(req, state)`` returns a ``Response`` or raises ``Fail``. The server compiles
every service's table with ``compile_routes`` and tries the routes in order.
"""

import json
import re
import uuid
from collections import namedtuple
from urllib.parse import parse_qs, unquote, urlsplit

Route = namedtuple('Route', 'method regex operation handler')
PLACEHOLDER = re.compile(r'\{(\w+)(?::([^{}]+))?\}')


def _named_group(found):
    return '(?P<%s>%s)' % (found.group(1), found.group(2) or '[^/]+')


def compile_routes(table):
    """``[(method, pattern, operation, handler), ...]`` -> ``[Route, ...]`` with compiled path regexes."""
    return [Route(method, re.compile(PLACEHOLDER.sub(_named_group, pattern)), operation, handler)
            for method, pattern, operation, handler in table]


class Request:
    """One parsed incoming request (what route handlers and authenticators see)."""

    def __init__(self, method, raw_path, headers, body):
        self.method = method
        split = urlsplit(raw_path)
        self.raw_path = split.path
        self.raw_query = split.query
        self.path = unquote(split.path)
        self.query = parse_qs(split.query, keep_blank_values=True)
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.body = body
        self.request_id = str(uuid.uuid4())
        self.params = {}
        self.route = None
        self.caller = None  # who authenticated (user name, AK or account), set by the vendor's authenticate

    def arg(self, name, default=None):
        """First value of a query parameter."""
        return self.query.get(name, [default])[0]

    def json(self):
        """Body parsed as JSON (ValueError when it is not)."""
        return json.loads(self.body.decode('utf-8') or 'null')


class Response:
    """A reply: status, JSON-able body (or bytes), extra headers, whether state changed."""

    def __init__(self, status, body=None, headers=None, acted=False, content_type='application/json;charset=UTF-8'):
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        self.acted = acted
        self.content_type = content_type

    def payload(self):
        """Encoded body. A string may carry raw bytes that are not UTF-8 as surrogate escapes
        (``b'\\xe9'.decode('utf-8', 'surrogateescape')``): they go out as those bytes."""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body, ensure_ascii=False).encode('utf-8', 'surrogateescape')


class Fail(Exception):
    """Raised by route handlers: reply with this status and vendor error body."""

    def __init__(self, status, body, headers=None):
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}
