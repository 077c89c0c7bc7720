# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hostile servers: the transport against servers that misbehave on purpose, on local sockets only.

- redirects (301/302/307/308, to another host and to the same host, with user information and a query in
  the target) on a read and on an acting call: a clear error naming the target without its secrets, never
  followed, an acting call not "uncertain";
- a server that trickles its answer one byte at a time, and a silent one (accepts, never answers): the call
  ends within its documented bound;
- TLS with a self-signed certificate: validation on fails clearly, ``validate_certs: false`` and ``ca_path``
  work, also with ``REQUESTS_CA_BUNDLE`` / ``CURL_CA_BUNDLE`` naming an unrelated bundle;
- a server that echoes the request headers back (in an error message and in a success body), secrets that
  end in a newline (AWX multi-line credential fields), endpoints with a password: no secret in any output;
- refused connections and DNS failures: nothing was sent, so nothing is "uncertain";
- a wait whose reads are slow ends within ``wait_timeout + WAIT_GRACE``;
- credentials from the environment (AWX) and from the task together: the task wins.

Most cases drive the clients in this process (fast); a few run the modules as real playbooks
(``targets/hostile/*.yml``) end to end. Every case asserts its outcome, its time bound where it has one,
and that no secret appears in any output.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import ipaddress
import json
import os
import socket
import ssl
import threading
import time
from urllib.parse import quote

import pytest

from ansible_collections.devops_cloud.pipelines.plugins.module_utils import _http
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._http import (
    ApiError,
    guarded_action,
    wait_for,
)
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba.client import PopClient, YunxiaoClient
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei.client import HuaweiClient

from conftest import FIXTURE, assert_no_secrets  # pylint: disable=import-error

# Secrets of this file: each has a core of letters, digits and dashes, so any escaped form of it that leaks
# (repr, JSON, percent-encoding) still contains the core, which is what the scans look for.
TOKEN = 'hostile-token-0001'
AK = 'HOSTILEAK00000000001'
SK = 'hostile-secret-0001'
STS = 'hostile-sts-token-0001'
PASSWORD = 'hostile-password-0001'
QUERY_SECRET = 'hostile-query-secret-0001'
SECRETS = [TOKEN, AK, SK, STS, PASSWORD, QUERY_SECRET]
CREDENTIAL_ENV = ('HUAWEICLOUD_AUTH_TOKEN', 'HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK', 'HUAWEICLOUD_SDK_SECURITY_TOKEN',
                  'ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_SECURITY_TOKEN',
                  'YUNXIAO_ACCESS_TOKEN', 'YUNXIAO_API_BASE_URL', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE')
RUN_PATH = '/flow/organizations/o1/pipelines/1003/runs'
STATUS_PATH = '/v5/p1/api/pipelines/status'
HOLD = 60.0  # the longest a hostile server holds a connection (a test that hangs fails instead of blocking)


def no_secrets(*texts):
    for text in texts:
        text = text if isinstance(text, str) else json.dumps(text, default=str)
        for secret in SECRETS:
            assert secret not in text, 'secret leaked: %s...' % secret[:8]
    assert_no_secrets(*[t if isinstance(t, str) else json.dumps(t, default=str) for t in texts])


# -- a scriptable local server ------------------------------------------------------------------------------
def read_request(reader):
    """One HTTP/1.1 request from a socket file: method, path, headers (name, value) as received, body."""
    line = reader.readline(65536)
    if not line or not line.strip():
        return None
    method, target = line.decode('latin-1').split(' ')[:2]
    headers = []
    while True:
        line = reader.readline(65536)
        if line in (b'\r\n', b'\n', b''):
            break
        name, dummy, value = line.decode('latin-1').partition(':')
        headers.append((name.strip(), value.strip()))
    length = int(dict((k.lower(), v) for k, v in headers).get('content-length') or 0)
    body = reader.read(length) if length else b''
    return dict(method=method, path=target, headers=headers, body=body)


def response(status, body=b'', headers=None, reason='Hostile'):
    if not isinstance(body, bytes):
        body = json.dumps(body).encode('utf-8')
    lines = ['HTTP/1.1 %d %s' % (status, reason), 'Content-Length: %d' % len(body)]
    lines.extend('%s: %s' % item for item in (headers or {}).items())
    return ('\r\n'.join(lines) + '\r\n\r\n').encode('latin-1') + body


class Hostile:
    """A local HTTP(S) server; ``respond(server, conn, request)`` writes the answer (False: close)."""

    def __init__(self, respond, tls=None):
        self.respond = respond
        self.tls = tls
        self.requests = []
        self.stopping = threading.Event()
        self.conns = []
        self.listener = socket.create_server(('127.0.0.1', 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self):
        return '%s://127.0.0.1:%d' % ('https' if self.tls else 'http', self.port)

    @property
    def netloc(self):
        return '127.0.0.1:%d' % self.port

    def _accept(self):
        while not self.stopping.is_set():
            try:
                conn, dummy = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        try:
            if self.tls:
                conn = self.tls.wrap_socket(conn, server_side=True)
            self.conns.append(conn)
            reader = conn.makefile('rb')
            while not self.stopping.is_set():
                request = read_request(reader)
                if request is None:
                    return
                self.requests.append(request)
                if self.respond(self, conn, request) is False:
                    return
        except (OSError, ValueError):
            return
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def hold(self, seconds=HOLD):
        """Sleep while the server runs (at most ``seconds``); False once it is stopping."""
        return not self.stopping.wait(seconds)

    def stop(self):
        self.stopping.set()
        self.listener.close()
        for conn in self.conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


@pytest.fixture
def serve():
    """``serve(respond, tls=None)`` -> a running Hostile server, stopped after the test."""
    servers = []

    def start(respond, tls=None):
        server = Hostile(respond, tls)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in CREDENTIAL_ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


# -- answers ------------------------------------------------------------------------------------------------
def answer(status, body=None, headers=None):
    def respond(server, conn, request):
        sent = dict({'Content-Type': 'application/json'}, **(headers or {}))
        conn.sendall(response(status, b'' if body is None else body, sent))
    return respond


def redirect(status, location):
    def respond(server, conn, request):
        conn.sendall(response(status, b'<html><title>moved</title></html>', {'Location': location}))
    return respond


def trickle(interval, where='body'):
    """An answer sent one byte every ``interval`` seconds: in the body (a header announces more), or in the
    header lines (the status line comes, then a header that never ends)."""
    def respond(server, conn, request):
        if where == 'body':
            conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n[')
        else:
            conn.sendall(b'HTTP/1.1 200 OK\r\nX-Slow: ')
        while server.hold(interval):
            conn.sendall(b' ' if where == 'body' else b'x')
        return False
    return respond


def silent(server, conn, request):
    server.hold()
    return False


def echoed(request):
    """The request's headers in the forms a careless server echoes them: repr, JSON, percent-encoded."""
    headers = request['headers']
    return 'you sent %r / %s / %s' % (headers, json.dumps(headers), quote(json.dumps(headers)))


def echo_error(server, conn, request):
    text = echoed(request)
    body = {'error_code': 'ECHO', 'error_msg': text, 'Code': 'ECHO', 'Message': text, 'errorCode': 'ECHO',
            'errorMessage': text, 'requestId': text[:60]}
    conn.sendall(response(400, body, {'Content-Type': 'application/json', 'X-Request-Id': repr(request['headers'])[:80]}))


def echo_ok(server, conn, request):
    run = dict(pipeline_id='a0000000000000000000000000000001', pipeline_run_id='r1', status='COMPLETED',
               executor_name=echoed(request), headers=dict(request['headers']))
    conn.sendall(response(200, [run], {'Content-Type': 'application/json'}))


def header(request, name):
    return [value for key, value in request['headers'] if key.lower() == name.lower()]


# -- clients ------------------------------------------------------------------------------------------------
def yunxiao(url, **params):
    base = dict(yunxiao_token=TOKEN, yunxiao_base_url=url, connect_timeout=2.0, read_timeout=5.0, max_retries=0)
    base.update(params)
    return YunxiaoClient(base)


def huawei(url, **params):
    base = dict(endpoint=url, project_id='p1', auth_token=TOKEN, connect_timeout=2.0, read_timeout=5.0, max_retries=0)
    base.update(params)
    return HuaweiClient(base, 'codearts')


def pop(url, **params):
    base = dict(endpoint=url, access_key_id=AK, access_key_secret=SK, security_token=STS, connect_timeout=2.0,
                read_timeout=5.0, max_retries=0)
    base.update(params)
    return PopClient(base)


def failure(call, *args, **kwargs):
    with pytest.raises(ApiError) as exc:
        call(*args, **kwargs)
    return exc.value


def timed(call, *args, **kwargs):
    begin = time.monotonic()
    try:
        return call(*args, **kwargs), None, time.monotonic() - begin
    except ApiError as err:
        return None, err, time.monotonic() - begin


# ===========================================================================================================
# Redirects


@pytest.mark.parametrize('status', [301, 302, 307, 308])
def test_redirect_of_a_read_to_another_host_is_an_error_naming_the_target(serve, status):
    other = serve(answer(200, []))
    target = 'https://user:%s@%s/oapi/v1%s?token=%s' % (PASSWORD, other.netloc, RUN_PATH, QUERY_SECRET)
    server = serve(redirect(status, target))
    err = failure(yunxiao(server.url, max_retries=3).call, 'GET', RUN_PATH)
    text = str(err)
    assert err.status == status and not err.retryable and not err.uncertain
    assert 'redirects to https://%s/oapi/v1%s' % (other.netloc, RUN_PATH) in text
    assert 'set yunxiao_base_url to https://%s' % other.netloc in text
    assert 'not followed' in text
    assert len(server.requests) == 1 and other.requests == []  # not retried, never followed
    no_secrets(text, err.to_result())


@pytest.mark.parametrize('status', [301, 307])
def test_redirect_to_the_same_host_is_an_error_too(serve, status):
    server = serve(redirect(status, '/login?next=%s' % QUERY_SECRET))
    err = failure(huawei(server.url).call, 'POST', STATUS_PATH, body=['a'])
    assert err.status == status
    assert 'redirects to http://%s/login' % server.netloc in str(err)
    assert 'set endpoint to its base URL' in str(err)
    assert len(server.requests) == 1
    no_secrets(str(err))


@pytest.mark.parametrize('status', [302, 307])
def test_redirect_of_an_acting_call_did_not_act(serve, status):
    """An acting call answered by a redirect did not act: raised at once, no probe, no re-send, not uncertain."""
    other = serve(answer(200, 42))
    server = serve(redirect(status, 'http://%s/oapi/v1%s' % (other.netloc, RUN_PATH)))
    client = yunxiao(server.url, max_retries=5)
    probes = []
    err = failure(guarded_action, lambda: client.call('POST', RUN_PATH, body={'params': '{}'}, idempotent=False),
                  lambda: probes.append(1), sleep=lambda s: None)
    assert err.status == status and not err.uncertain and not err.retryable
    assert 'may' not in str(err) and 'not sent again' not in str(err)
    assert probes == [] and len(server.requests) == 1 and other.requests == []


def test_redirect_of_pop_call_names_the_endpoint_option(serve):
    server = serve(redirect(301, 'https://devops.example.com/organization/o1/pipelines/1/pipelineRuns'))
    err = failure(pop(server.url).call, 'ListPipelineRuns', 'GET', '/organization/o1/pipelines/1/pipelineRuns')
    assert 'set endpoint to https://devops.example.com' in str(err)
    no_secrets(str(err))


# ===========================================================================================================
# Trickling and silent servers: bounded time


@pytest.mark.parametrize('where', ['body', 'headers'])
def test_trickling_server_is_cut_at_the_request_limit(serve, where):
    """One byte every 0.5 s keeps each socket read under read_timeout: only the total limit ends the request."""
    server = serve(trickle(0.5, where))
    client = yunxiao(server.url, connect_timeout=1.0, read_timeout=2.0, max_retries=0)
    dummy, err, elapsed = timed(client.call, 'GET', RUN_PATH)
    assert err is not None, 'the trickled answer was accepted'
    assert 2.9 <= elapsed < 4.5, elapsed  # connect_timeout + read_timeout = 3 s
    assert 'no complete answer from %s within the 3s limit of one request' % server.netloc in str(err)
    assert err.retryable and err.sent and 'may' not in str(err)  # a read: nothing to be uncertain about
    no_secrets(str(err))


def test_trickling_server_with_retries_is_cut_at_the_call_limit(serve):
    server = serve(trickle(0.5))
    client = yunxiao(server.url, connect_timeout=0.5, read_timeout=1.0, max_retries=10)
    dummy, err, elapsed = timed(client.call, 'GET', RUN_PATH)
    assert err is not None
    assert elapsed < 2 * 1.5 + 0.6, elapsed  # the call limit: 2 x (connect_timeout + read_timeout)
    assert 1 <= len(client.retries) < 10
    assert len(server.requests) == len(client.retries) + 1


def test_trickled_acting_call_may_have_acted(serve):
    server = serve(trickle(0.4))
    client = yunxiao(server.url, connect_timeout=0.5, read_timeout=1.0)
    dummy, err, elapsed = timed(client.call, 'POST', RUN_PATH, body={}, idempotent=False)
    assert elapsed < 2.0 and err.uncertain and err.retryable
    assert 'the request was sent, so the server may still have acted' in str(err)
    assert len(server.requests) == 1


def test_silent_server_ends_within_the_call_limit(serve):
    server = serve(silent)
    client = yunxiao(server.url, connect_timeout=0.5, read_timeout=1.0, max_retries=5)
    dummy, err, elapsed = timed(client.call, 'GET', RUN_PATH)
    assert err is not None
    assert elapsed < 3.0 + 0.6, elapsed
    assert 'no answer within 1.0s from %s (read timeout)' % server.netloc in str(err) or 'limit' in str(err)
    assert 2 <= len(server.requests) <= 3
    assert len(client.retries) == len(server.requests) - 1


def test_silent_server_read_with_max_retries_zero_is_one_read_timeout(serve):
    server = serve(silent)
    dummy, err, elapsed = timed(yunxiao(server.url, read_timeout=1.0).call, 'GET', RUN_PATH)
    assert 0.9 <= elapsed < 2.0
    assert str(err).endswith('no answer within 1.0s from %s (read timeout)' % server.netloc)
    assert len(server.requests) == 1


def test_slow_polls_end_the_wait_within_its_grace(serve, monkeypatch):
    """Each status read takes 8 s: a wait of 1 s (grace 1 s here) ends after about 2 s with the last state."""
    monkeypatch.setattr(_http, 'WAIT_GRACE', 1.0)

    def slow(server, conn, request):
        if server.hold(8.0):
            conn.sendall(response(200, {'status': 'RUNNING'}, {'Content-Type': 'application/json'}))
    server = serve(slow)
    client = yunxiao(server.url, read_timeout=30.0, max_retries=3)
    begin = time.monotonic()
    result = wait_for(lambda: client.call('GET', RUN_PATH + '/1'), lambda state: state['status'] != 'RUNNING', 1, 0.2,
                      first={'status': 'RUNNING', 'seen': 'before'})
    elapsed = time.monotonic() - begin
    assert result.done is False and result.state == {'status': 'RUNNING', 'seen': 'before'}
    assert 1.9 <= elapsed < 3.0, elapsed
    assert _http.wait_ceiling() is None  # restored after the wait
    assert len(server.requests) == 1 and client.retries == []


# ===========================================================================================================
# TLS: self-signed server certificate, validate_certs, ca_path and the environment's CA bundles


def _certificate(directory, name):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address('127.0.0.1')),
                                                        x509.DNSName('localhost')]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(ski, critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
            .sign(key, hashes.SHA256()))
    cert_path = os.path.join(directory, name + '.pem')
    key_path = os.path.join(directory, name + '.key')
    with open(cert_path, 'wb') as handle:
        handle.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, 'wb') as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                       serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture(scope='module')
def certs(tmp_path_factory):
    """The server's self-signed certificate and key, and an unrelated CA bundle."""
    pytest.importorskip('cryptography')
    directory = str(tmp_path_factory.mktemp('certs'))
    server_cert, server_key = _certificate(directory, 'hostile-server')
    unrelated, dummy = _certificate(directory, 'unrelated-ca')
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(server_cert, server_key)
    return dict(cert=server_cert, unrelated=unrelated, context=context)


@pytest.fixture
def tls_server(serve, certs):
    return serve(answer(200, [{'pipeline_id': 'a0000000000000000000000000000001', 'status': 'COMPLETED'}]),
                 tls=certs['context'])


def test_tls_self_signed_certificate_fails_clearly_when_validated(tls_server):
    err = failure(huawei(tls_server.url).call, 'POST', STATUS_PATH, body=['a'])
    text = str(err)
    assert 'TLS error talking to %s' % tls_server.netloc in text
    assert 'certificate verify failed' in text and 'set ca_path' in text and 'nothing was sent' in text
    assert not err.uncertain and not err.retryable and err.sent is False
    assert tls_server.requests == []
    no_secrets(text)


@pytest.mark.parametrize('bundle_env', [None, 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'both'])
def test_tls_validate_certs_false_and_ca_path_are_honoured(tls_server, certs, clean_env, bundle_env):
    """An unrelated bundle in the environment neither overrides validate_certs: false nor ca_path."""
    for name in ('REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'):
        if bundle_env in (name, 'both'):
            clean_env.setenv(name, certs['unrelated'])
    answer_ = huawei(tls_server.url, validate_certs=False).call('POST', STATUS_PATH, body=['a'])
    assert answer_[0]['status'] == 'COMPLETED'
    answer_ = huawei(tls_server.url, ca_path=certs['cert']).call('POST', STATUS_PATH, body=['a'])
    assert answer_[0]['status'] == 'COMPLETED'
    assert len(tls_server.requests) == 2
    if bundle_env:
        # validation on with only the environment's (unrelated) bundle: refused, as it should be
        err = failure(huawei(tls_server.url).call, 'POST', STATUS_PATH, body=['a'])
        assert 'TLS error' in str(err)


# ===========================================================================================================
# Secrets: trailing newlines, echoing servers, passwords in endpoints


NEWLINE_CASES = [
    ('yunxiao-crlf', lambda url, sfx: yunxiao(url, yunxiao_token=TOKEN + sfx), 'x-yunxiao-token', TOKEN),
    ('huawei-token-lf', lambda url, sfx: huawei(url, auth_token=TOKEN + sfx), 'X-Auth-Token', TOKEN),
    ('huawei-sts-lf', lambda url, sfx: huawei(url, auth_token=None, access_key=AK + sfx, secret_key=SK + sfx,
                                              security_token=STS + sfx), 'X-Security-Token', STS),
    ('pop-sts-crlf', lambda url, sfx: pop(url, security_token=STS + sfx), 'x-acs-security-token', STS),
]


@pytest.mark.parametrize('case', NEWLINE_CASES, ids=[c[0] for c in NEWLINE_CASES])
def test_secret_with_a_trailing_newline_is_trimmed_before_any_header(serve, case):
    name, make, header_name, secret = case
    server = serve(echo_error)
    suffix = '\r\n' if name.endswith('crlf') else '\n'
    client = make(server.url, suffix)
    err = failure(client.call, *(('GetX', 'GET', '/x') if name.startswith('pop') else ('GET', '/x')))
    assert err.status == 400 and err.code == 'ECHO'
    assert header(server.requests[0], header_name) == [secret]  # sent trimmed
    no_secrets(str(err), err.to_result(), err.request_id or '')


@pytest.mark.parametrize('case', NEWLINE_CASES, ids=[c[0] for c in NEWLINE_CASES])
def test_secret_with_a_line_break_inside_is_refused_before_any_request(serve, case):
    name, make, dummy, secret = case
    server = serve(echo_error)
    err = failure(make, server.url, '\nX-Injected: 1')
    assert 'contains a line break or another control character' in str(err)
    assert server.requests == []
    no_secrets(str(err))


@pytest.mark.parametrize('make', [yunxiao, huawei, pop], ids=['yunxiao', 'huawei', 'pop'])
def test_echoed_headers_in_a_success_body_are_redacted(serve, make):
    server = serve(echo_ok)
    client = make(server.url)
    data = client.call('GetX', 'GET', '/x') if make is pop else client.call('GET', '/x')
    assert data[0]['status'] == 'COMPLETED' and _http.REDACTED in json.dumps(data)
    no_secrets(data)


@pytest.mark.parametrize('option,make', [('yunxiao_base_url', yunxiao), ('endpoint', huawei), ('endpoint', pop)])
def test_endpoint_with_a_password_is_refused_without_echoing_it(serve, option, make):
    server = serve(echo_error)
    err = failure(make, 'http://admin:%s@%s' % (PASSWORD, server.netloc))
    assert '%s must not contain a user name or password' % option in str(err)
    assert server.requests == []
    no_secrets(str(err))


# ===========================================================================================================
# Refused connections and DNS failures: nothing was sent


def _closed_port():
    probe = socket.socket()
    probe.bind(('127.0.0.1', 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def test_refused_connection_names_the_host_and_is_not_uncertain():
    port = _closed_port()
    client = yunxiao('http://127.0.0.1:%d' % port, max_retries=5)
    probes = []
    err = failure(guarded_action, lambda: client.call('POST', RUN_PATH, body={}, idempotent=False),
                  lambda: probes.append(1), sleep=lambda s: None)
    assert 'connection refused by 127.0.0.1:%d; nothing was sent' % port in str(err)
    assert 'may' not in str(err) and not err.uncertain and err.sent is False
    # refused, so re-sent as the policy allows (6 sends in all), each after a probe found nothing
    assert len(probes) == 6 and len(client.retries) == 5


def test_connection_closed_before_the_answer(serve):
    """The server reads the request and hangs up: a read is retried and says nothing about acting; an acting
    call says it was sent and may have acted."""
    server = serve(lambda server, conn, request: False)
    client = yunxiao(server.url, max_retries=2)
    client.sleep = lambda seconds: None
    err = failure(client.call, 'GET', RUN_PATH)
    assert 'connection to %s was reset or closed before the answer' % server.netloc in str(err)
    assert 'may' not in str(err) and err.sent and len(server.requests) == 3
    err = failure(client.call, 'POST', RUN_PATH, body={}, idempotent=False)
    assert str(err).endswith('the request was sent, so the server may still have acted') and err.uncertain
    assert len(server.requests) == 4


def test_dns_failure_says_so():
    client = yunxiao('http://no-such-host.invalid', max_retries=3)
    err = failure(client.call, 'GET', RUN_PATH)
    assert 'could not resolve the host name of no-such-host.invalid (DNS: ' in str(err)
    assert 'Max retries exceeded' not in str(err) and err.sent is False and not err.uncertain


# ===========================================================================================================
# End to end: real playbooks


def _run(playbook, name, call, env=None):
    begin = time.monotonic()
    run = playbook('hostile/%s.yml' % name, extra_vars=dict(call=call), env=env or {})
    elapsed = time.monotonic() - begin
    assert run.rc == 0, run
    return run, run.saved('result'), elapsed


def test_e2e_status_behind_a_redirect_with_a_multiline_awx_token(playbook, serve):
    """pipeline_status_info behind a redirect used to report every pipeline missing and end ok; the AWX
    token (a multi-line field, so it ends in a newline) used to be printed in clear."""
    other = serve(answer(200, []))
    server = serve(redirect(301, 'https://ops:%s@%s/v5/%s/api/pipelines/status?sig=%s' % (
        PASSWORD, other.netloc, FIXTURE['hw_project_id'], QUERY_SECRET)))
    run, result, dummy = _run(playbook, 'status_info', dict(endpoint=server.url),
                              env=dict(HUAWEICLOUD_AUTH_TOKEN=TOKEN + '\n'))
    assert result['failed'] is True and result['http_status'] == 301
    assert 'redirects to https://%s/v5/%s/api/pipelines/status' % (other.netloc, FIXTURE['hw_project_id']) in result['msg']
    assert 'set endpoint to https://%s' % other.netloc in result['msg']
    assert header(server.requests[0], 'X-Auth-Token') == [TOKEN] and other.requests == []
    no_secrets(run.output, result)


def test_e2e_acting_call_answered_by_a_redirect(playbook, emu, serve):
    """pipeline_run used to report changed although its start was redirected: now it fails, unchanged, and
    the emulator behind the proxy saw no start."""
    import http.client

    def proxy(server, conn, request):
        if request['method'] == 'POST':
            conn.sendall(response(307, b'', {'Location': 'https://elsewhere.example' + request['path']}))
            return None
        upstream = http.client.HTTPConnection('127.0.0.1', int(emu.url.rsplit(':', 1)[1]), timeout=10)
        upstream.request(request['method'], request['path'], body=request['body'] or None,
                         headers=dict(request['headers']))
        reply = upstream.getresponse()
        body = reply.read()
        hop = ('content-length', 'connection', 'transfer-encoding')
        keep = dict((k, v) for k, v in reply.getheaders() if k.lower() not in hop)
        conn.sendall(response(reply.status, body, keep, reply.reason))
        upstream.close()
        return None

    server = serve(proxy)
    run, result, dummy = _run(playbook, 'pipeline_run', dict(yunxiao_base_url=server.url,
                                                             yunxiao_token=FIXTURE['yunxiao_token'] + '\r\n'),
                              env=dict(YUNXIAO_ACCESS_TOKEN=TOKEN))
    # the task's token wins over the environment's (and goes out trimmed)
    assert header(server.requests[0], 'x-yunxiao-token') == [FIXTURE['yunxiao_token']]
    assert result['failed'] is True and result['changed'] is False and result['http_status'] == 307
    assert 'redirects to https://elsewhere.example/oapi/v1/flow/' in result['msg']
    assert 'set yunxiao_base_url to https://elsewhere.example' in result['msg']
    assert 'may' not in result['msg'] and 'not sent again' not in result['msg']
    assert [r['method'] for r in server.requests].count('POST') == 1
    assert not any(entry.get('acted') for entry in emu.log)
    no_secrets(run.output, result)


def test_e2e_trickling_server_ends_within_the_request_limit(playbook, serve):
    server = serve(trickle(0.5))
    run, result, elapsed = _run(playbook, 'status_info', dict(endpoint=server.url, auth_token=TOKEN, connect_timeout=1,
                                                              read_timeout=2, max_retries=0))
    assert result['failed'] is True
    assert 'no complete answer from %s within the 3s limit of one request' % server.netloc in result['msg']
    assert elapsed < 3 + 25, elapsed  # the bound plus ansible-playbook's own start-up on a loaded machine
    assert not server.stopping.is_set() and len(server.requests) == 1
    no_secrets(run.output, result)


def test_e2e_tls_validate_certs_false_with_an_unrelated_ca_bundle(playbook, serve, certs):
    server = serve(answer(200, [{'pipeline_id': 'a0000000000000000000000000000001', 'status': 'COMPLETED'}]),
                   tls=certs['context'])
    run, result, dummy = _run(playbook, 'status_info', dict(endpoint=server.url, auth_token=TOKEN, validate_certs=False),
                              env=dict(REQUESTS_CA_BUNDLE=certs['unrelated'], CURL_CA_BUNDLE=certs['unrelated']))
    assert result.get('failed') is not True, result
    assert result['summary'] == {'COMPLETED': 1}
    no_secrets(run.output, result)


def test_e2e_echoing_server_with_an_awx_token(playbook, serve):
    server = serve(echo_ok)
    run, result, dummy = _run(playbook, 'status_info', dict(endpoint=server.url),
                              env=dict(HUAWEICLOUD_AUTH_TOKEN=TOKEN + '\n'))
    assert result.get('failed') is not True, result
    assert _http.REDACTED in json.dumps(result['pipelines'])
    no_secrets(run.output, result)


def test_e2e_v3_review_on_a_refused_connection_is_unchanged(playbook):
    port = _closed_port()
    run, result, dummy = _run(playbook, 'stage_review', dict(endpoint='http://127.0.0.1:%d' % port, auth_token=TOKEN,
                                                             max_retries=1))
    assert result['failed'] is True and result['changed'] is False
    assert 'connection refused by 127.0.0.1:%d; nothing was sent' % port in result['msg']
    assert 'may' not in result['msg']
    no_secrets(run.output, result)


def test_e2e_task_credentials_win_over_the_environment(playbook, emu):
    """AWX injects a token, the task gives AK/SK: the task's AK/SK are used (no "mutually exclusive" error);
    both Huawei credential types attached: the environment's token is used."""
    env = dict(HUAWEICLOUD_AUTH_TOKEN='wrong-token-from-awx-0001', HUAWEICLOUD_SDK_AK='WRONGAKFROMAWX0001',
               HUAWEICLOUD_SDK_SK='wrong-sk-from-awx-0001')
    run, result, dummy = _run(playbook, 'status_info', dict(endpoint=emu.url, access_key=FIXTURE['hw_ak'],
                                                            secret_key=FIXTURE['hw_sk']), env=env)
    assert result.get('failed') is not True, result
    assert result['summary'] == {'COMPLETED': 1}
    env = dict(HUAWEICLOUD_AUTH_TOKEN=FIXTURE['hw_token'], HUAWEICLOUD_SDK_AK='WRONGAKFROMAWX0001',
               HUAWEICLOUD_SDK_SK='wrong-sk-from-awx-0001')
    run, result, dummy = _run(playbook, 'status_info', dict(endpoint=emu.url), env=env)
    assert result.get('failed') is not True, result
    no_secrets(run.output, result)


def test_e2e_negative_timeout_is_an_argument_error_before_any_request(playbook, emu):
    run, result, dummy = _run(playbook, 'status_info', dict(endpoint=emu.url, auth_token=FIXTURE['hw_token'],
                                                            read_timeout=-1, connect_timeout=0))
    assert result['failed'] is True
    assert 'read_timeout must be a number of seconds greater than 0 (got -1.0)' in result['msg']
    assert 'connect_timeout must be a number of seconds greater than 0' in result['msg']
    assert 'Traceback' not in run.output and emu.log == []
