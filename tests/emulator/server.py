"""HTTP server of the emulator: routes of every vendor's services, admin API, fault injection, request log.

A vendor is a package (``huawei``, ``alibaba``) exposing ``SERVICES`` (modules with ``ROUTES``) and the
functions ``owns(path)``, ``vendor_of(path)``, ``authenticate(req, state)``, ``not_found(req)``,
``decorate(req, resp)``, ``fault_error(req, status)`` and ``body_secrets(req)``.
"""

import collections
import math
import re
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import alibaba, huawei
from .routing import Fail, Request, Response, compile_routes
from .state import State

SECRET_HEADERS = ('authorization', 'x-auth-token', 'x-security-token', 'x-acs-security-token', 'x-yunxiao-token')
FAULT_KINDS = ('status', 'delay', 'reset', 'html', 'malformed', 'empty', 'error200', 'act_then_drop', 'act_then_timeout')
VENDORS = (huawei, alibaba)
SERVICES = tuple(service for vendor in VENDORS for service in vendor.SERVICES)
# (vendor, route) in the order they are tried: vendor by vendor, service by service, as each declares them.
ROUTES = tuple((vendor, route) for vendor in VENDORS for service in vendor.SERVICES
               for route in compile_routes(getattr(service, 'ROUTES', ())))


class QuietServer(ThreadingHTTPServer):
    """A threading server that does not print a traceback when a client gave up on its answer."""

    daemon_threads = True

    def handle_error(self, request, client_address):
        """Ignore clients that hung up (timeouts, injected drops); report anything else."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    """Request handler; HTTP/1.1 keep-alive with exact Content-Length."""

    protocol_version = 'HTTP/1.1'
    server_version = 'devops-emulator/1.0'
    # Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm and the
    # client's delayed ACK add ~40 ms to every kept-alive exchange, which no real server does.
    disable_nagle_algorithm = True

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Silence the default stderr access log."""

    def do_GET(self):  # pylint: disable=invalid-name
        """GET."""
        self.server.emulator.handle(self)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def read_body(self):
        """Read the request body (Content-Length or chunked)."""
        if self.headers.get('Transfer-Encoding', '').lower() == 'chunked':
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b';')[0].strip() or b'0', 16)
                if size == 0:
                    self.rfile.readline()
                    return b''.join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(length) if length else b''

    def send(self, resp):
        """Write a complete response."""
        data = b'' if self.command == 'HEAD' else resp.payload()
        self.send_response(resp.status)
        self.send_header('Content-Type', resp.content_type)
        self.send_header('Content-Length', str(len(data)))
        for key, value in resp.headers.items():
            self.send_header(key, str(value))
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def drop(self, hard):
        """Close the connection without a reply (hard = TCP reset)."""
        self.close_connection = True
        try:
            if hard:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
            else:
                self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def match_route(req):
    """Find (vendor, route, params) for a request, or None."""
    for vendor, route in ROUTES:
        found = route.regex.fullmatch(req.path)
        if found and route.method == req.method:
            return vendor, route, found.groupdict()
    return None


class Emulator:
    """The emulator; ``Emulator(fixture=None, time_scale=1.0).start()`` serves on a background thread."""

    def __init__(self, fixture=None, time_scale=1.0, host='127.0.0.1', port=0):
        self.state = State(fixture, time_scale, SERVICES)
        self.host, self.port = host, port
        self.log = []
        self.faults = []
        self.seen_secrets = set()
        self.rate_limits = []
        self._fault_seq = 0
        self._lock = threading.RLock()
        self.httpd = None
        self.thread = None
        self._load_rate_limits()

    @property
    def url(self):
        """Base URL, e.g. http://127.0.0.1:12345."""
        return 'http://%s:%d' % (self.host, self.httpd.server_address[1])

    def start(self):
        """Bind and serve in a daemon thread; returns self."""
        self.httpd = QuietServer((self.host, self.port), Handler)
        self.httpd.daemon_threads = True
        self.httpd.emulator = self
        self.thread = threading.Thread(target=self.httpd.serve_forever, name='emulator', daemon=True)
        self.thread.start()
        return self

    def stop(self):
        """Stop serving and close the socket."""
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    def __enter__(self):
        return self.start() if self.httpd is None else self

    def __exit__(self, *exc):
        self.stop()

    def add_fault(self, **rule):
        """Add a fault rule (see design.md); returns its id."""
        kind = rule.get('kind') or ('status' if rule.get('status') else 'delay')
        if kind not in FAULT_KINDS:
            raise ValueError('unknown fault kind %r' % kind)
        with self._lock:
            self._fault_seq += 1
            fault = {'id': self._fault_seq, 'method': rule.get('method'), 'path': rule.get('path') or '.*',
                     'times': int(rule.get('times', 1) or 1), 'status': rule.get('status'),
                     'retry_after': rule.get('retry_after'), 'delay': float(rule.get('delay') or 0.0), 'kind': kind}
            re.compile(fault['path'])
            self.faults.append(fault)
            return fault['id']

    def clear_faults(self):
        """Remove every fault rule."""
        with self._lock:
            self.faults = []

    def reset(self):
        """State back to the fixture; log and faults cleared, rate limits and switches as the fixture sets them."""
        with self._lock:
            self.state.reset()
            self.log.clear()
            self.faults = []
            self._load_rate_limits()

    def set_time_scale(self, time_scale):
        """Run emulated time at ``time_scale`` from now until the next reset (which restores the emulator's own)."""
        with self.state.lock:
            self.state.clock.rescale(time_scale)

    def set_switches(self, **values):
        """Change variant switches (names as in the fixture's ``switches``) until the next reset."""
        self.state.set_switches(values)

    def _load_rate_limits(self):
        self.rate_limits = []
        for rule in self.state.fixture.get('rate_limits', []):
            self.add_rate_limit(**rule)

    def add_rate_limit(self, **rule):
        """Throttle matching requests: more than ``requests`` within ``per_seconds`` (real) seconds, or more
        than ``concurrent`` in flight at once, get HTTP 429 with the vendor's body and ``Retry-After``
        (``retry_after`` seconds; default: until the window frees). Returns the rule's id."""
        if not rule.get('requests') and not rule.get('concurrent'):
            raise ValueError('a rate limit needs "requests" (per "per_seconds") or "concurrent"')
        with self._lock:
            self._fault_seq += 1
            limit = {'id': self._fault_seq, 'method': rule.get('method'), 'path': rule.get('path') or '.*',
                     'requests': int(rule.get('requests') or 0), 'per_seconds': float(rule.get('per_seconds') or 1.0),
                     'concurrent': int(rule.get('concurrent') or 0), 'retry_after': rule.get('retry_after'),
                     'hits': collections.deque(), 'in_flight': 0, 'throttled': 0}
            re.compile(limit['path'])
            self.rate_limits.append(limit)
            return limit['id']

    def clear_rate_limits(self):
        """Remove every rate limit."""
        with self._lock:
            self.rate_limits = []

    def _admit(self, req):
        """(rules entered, None) when the request may proceed, else ([], Retry-After seconds)."""
        now = time.monotonic()
        with self._lock:
            matching = [r for r in self.rate_limits if (not r['method'] or r['method'].upper() == req.method)
                        and (re.search(r['path'], req.path) or re.search(r['path'], req.raw_path))]
            for rule in matching:
                hits = rule['hits']
                while hits and hits[0] <= now - rule['per_seconds']:
                    hits.popleft()
                wait = None
                if rule['requests'] and len(hits) >= rule['requests']:
                    wait = hits[0] + rule['per_seconds'] - now
                elif rule['concurrent'] and rule['in_flight'] >= rule['concurrent']:
                    wait = 1.0
                if wait is not None:
                    rule['throttled'] += 1
                    after = rule['retry_after'] if rule['retry_after'] is not None else max(1, math.ceil(wait))
                    return [], after
            for rule in matching:
                rule['hits'].append(now)
                rule['in_flight'] += 1
            return matching, None

    def _leave(self, entered):
        with self._lock:
            for rule in entered:
                rule['in_flight'] -= 1

    def take_fault(self, req):
        """First matching fault rule (consumes one of its ``times``)."""
        with self._lock:
            for fault in self.faults:
                if fault['method'] and fault['method'].upper() != req.method:
                    continue
                if not re.search(fault['path'], req.path) and not re.search(fault['path'], req.raw_path):
                    continue
                fault['times'] -= 1
                if fault['times'] <= 0:
                    self.faults.remove(fault)
                return dict(fault)
        return None

    def handle(self, handler):
        """Entry point for every HTTP request."""
        body = handler.read_body()
        req = Request(handler.command, handler.path, handler.headers, body)
        if req.path.startswith('/_emulator/'):
            handler.send(self.admin(req))
            return
        self._remember_secrets(req)
        entry = self._log_entry(req)
        entry['connection'] = handler.client_address[1]
        fault = self.take_fault(req)
        entry['fault'] = fault['kind'] if fault else None
        entered, retry_after = self._admit(req) if not fault or fault['kind'] == 'delay' else ([], None)
        with self._lock:
            self.log.append(entry)  # filled in before the reply is written
        if retry_after is not None:
            found = match_route(req)
            vendor = found[0] if found else self._guess_vendor(req)
            entry.update(fault='rate_limit', vendor=vendor.vendor_of(req.path) if vendor else None,
                         operation=found[1].operation if found else None)
            self._apply_fault(handler, req, {'kind': 'status', 'status': 429, 'retry_after': retry_after}, vendor, entry)
            return
        try:
            self._serve(handler, req, fault, entry)
        finally:
            self._leave(entered)

    def _serve(self, handler, req, fault, entry):
        """Route, authenticate, apply the fault, act and reply."""
        found = match_route(req)
        vendor = found[0] if found else self._guess_vendor(req)
        entry['vendor'] = vendor.vendor_of(req.path) if vendor else None
        if found:
            req.route, req.params = found[1], found[2]
            entry['operation'] = found[1].operation
        if fault and fault['delay'] and fault['kind'] != 'act_then_timeout':
            time.sleep(fault['delay'])
        if fault and not fault['kind'].startswith('act_') and fault['kind'] != 'delay':
            self._apply_fault(handler, req, fault, vendor, entry)
            return
        try:
            resp = self._dispatch(vendor, found, req)
        except Exception as exc:  # pylint: disable=broad-exception-caught  # an emulator bug: answer, do not hang
            resp = Response(500, {'emulator_error': '%s: %s' % (type(exc).__name__, exc)})
        entry['acted'] = resp.acted
        if fault and fault['kind'] == 'act_then_drop':
            handler.drop(hard=False)
            return
        if fault and fault['kind'] == 'act_then_timeout':
            time.sleep(fault['delay'] or 5.0)
            handler.drop(hard=False)
            return
        entry['status'] = resp.status
        handler.send(resp)

    def _dispatch(self, vendor, found, req):
        """Authenticate and run the route handler."""
        if vendor is None:
            return Response(404, {'error_code': 'APIGW.0101', 'error_msg': 'The API does not exist or has not been published in the environment'})
        with self.state.lock:
            denied = vendor.authenticate(req, self.state)
            if denied is not None:
                return denied
            if not found:
                return vendor.not_found(req)
            try:
                resp = found[1].handler(req, self.state)
            except Fail as exc:
                resp = Response(exc.status, exc.body, exc.headers)
        vendor.decorate(req, resp)
        return resp

    def _apply_fault(self, handler, req, fault, vendor, entry):
        """Reply according to a non-acting fault."""
        kind = fault['kind']
        if kind == 'reset':
            handler.drop(hard=True)
            return
        module = vendor or VENDORS[0]  # a path no vendor owns gets the first vendor's error bodies
        status = int(fault['status'] or {'html': 502, 'status': 503}.get(kind, 200))
        if kind == 'status':
            resp = module.fault_error(req, status)
        elif kind == 'error200':
            resp = module.fault_error(req, 500)
            resp.status = 200
        elif kind == 'html':
            page = '<html><head><title>%d</title></head><body><h1>%d Error</h1><p>emulated gateway page</p></body></html>' % (status, status)
            resp = Response(status, page.encode(), content_type='text/html')
        elif kind == 'malformed':
            resp = Response(status, b'{"error_code": "APIGW.0', content_type='application/json')
        else:
            resp = Response(status, b'')
        if fault.get('retry_after') is not None:
            resp.headers['Retry-After'] = str(fault['retry_after'])
        module.decorate(req, resp)
        entry['status'] = resp.status
        handler.send(resp)

    @staticmethod
    def _guess_vendor(req):
        for vendor in VENDORS:
            if vendor.owns(req.path):
                return vendor
        return None

    @staticmethod
    def _body_secrets(req):
        return [secret for vendor in VENDORS for secret in vendor.body_secrets(req)]

    def _remember_secrets(self, req):
        with self._lock:
            for name in SECRET_HEADERS:
                if req.headers.get(name):
                    self.seen_secrets.add(req.headers[name])
            self.seen_secrets.update(self._body_secrets(req))

    def _log_entry(self, req):
        """A log record; secrets redacted."""
        headers = {k: ('REDACTED' if k.lower() in SECRET_HEADERS else v) for k, v in req.headers.items()}
        text = req.body.decode('utf-8', 'replace')
        for secret in self._body_secrets(req):
            text = text.replace(secret, 'REDACTED')
        with self._lock:
            seq = len(self.log) + 1
        return {'seq': seq, 'time': time.time(), 'method': req.method, 'path': req.path, 'query': req.query,
                'headers': headers, 'body': text, 'status': None, 'vendor': None, 'operation': None,
                'acted': False, 'fault': None, 'request_id': req.request_id}

    def admin(self, req):
        """The /_emulator/ admin API (no auth)."""
        key = (req.method, req.path.rstrip('/'))
        try:
            if key == ('GET', '/_emulator/log'):
                with self._lock:
                    return Response(200, {'requests': list(self.log)})
            if key == ('DELETE', '/_emulator/log'):
                with self._lock:
                    self.log.clear()
                return Response(200, {})
            if key == ('GET', '/_emulator/faults'):
                with self._lock:
                    return Response(200, {'faults': list(self.faults)})
            if key == ('POST', '/_emulator/faults'):
                return Response(200, {'id': self.add_fault(**(req.json() or {}))})
            if key == ('DELETE', '/_emulator/faults'):
                self.clear_faults()
                return Response(200, {})
            if key == ('POST', '/_emulator/reset'):
                self.reset()
                return Response(200, {})
            if key == ('GET', '/_emulator/state'):
                return Response(200, self.state.dump())
            if key == ('GET', '/_emulator/switches'):
                return Response(200, {'switches': dict(self.state.switches)})
            if key == ('POST', '/_emulator/switches'):
                self.set_switches(**(req.json() or {}))
                return Response(200, {'switches': dict(self.state.switches)})
            if key == ('POST', '/_emulator/time-scale'):
                self.set_time_scale((req.json() or {}).get('time_scale'))
                return Response(200, {'time_scale': self.state.clock.time_scale})
            if key == ('GET', '/_emulator/rate-limits'):
                with self._lock:
                    return Response(200, {'rate_limits': [{k: v for k, v in r.items() if k != 'hits'} for r in self.rate_limits]})
            if key == ('POST', '/_emulator/rate-limits'):
                return Response(200, {'id': self.add_rate_limit(**(req.json() or {}))})
            if key == ('DELETE', '/_emulator/rate-limits'):
                self.clear_rate_limits()
                return Response(200, {})
        except (ValueError, TypeError, re.error) as exc:
            return Response(400, {'error': str(exc)})
        return Response(404, {'error': 'unknown admin endpoint %s %s' % key})
