# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared unit-test harness: a scripted fake of the HTTP layer and a module runner.

``fake_http`` replaces ``requests.Session.request``: routes are matched on method and a path
regex, answer in order (the last answer repeats), and every call is recorded, so tests assert the
exact sequence of HTTP calls, including that check mode and idempotent re-runs send no acting call.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args


class ModuleExit(Exception):
    """Raised instead of exit_json/fail_json so a test gets the result dict."""

    def __init__(self, result):
        super(ModuleExit, self).__init__(result)
        self.result = result


class Call:
    """One request the module sent."""

    def __init__(self, method, url, headers, body):
        parts = urlsplit(url)
        self.method = method
        self.url = url
        self.path = parts.path
        self.query = parse_qs(parts.query, keep_blank_values=True)
        self.headers = CaseInsensitiveDict(headers or {})
        self.body = body

    @property
    def json(self):
        return json.loads(self.body) if self.body else None

    def __repr__(self):
        return '%s %s' % (self.method, self.path)


class FakeHttp:
    """Scripted HTTP answers. ``add(method, path_regex, *answers)``; an answer is a dict
    ``{'status', 'json' | 'text', 'headers'}`` or an exception instance to raise."""

    def __init__(self):
        self.routes = []
        self.calls = []

    def add(self, method, path, *answers):
        self.routes.append([method.upper(), re.compile(path + '$'), list(answers)])
        return self

    def reply(self, method, path, body=None, status=200, headers=None):
        return self.add(method, path, dict(status=status, json=body, headers=headers or {}))

    def __call__(self, session, method, url, headers=None, data=None, **kwargs):
        merged = dict(session.headers)
        merged.update(headers or {})
        call = Call(method.upper(), url, merged, data)
        self.calls.append(call)
        for route_method, pattern, answers in self.routes:
            if route_method == call.method and pattern.match(call.path):
                answer = answers.pop(0) if len(answers) > 1 else answers[0]
                if isinstance(answer, Exception):
                    raise answer
                return _response(call, answer)
        raise AssertionError('unexpected request %s %s' % (call.method, call.path))

    def paths(self, method=None):
        return ['%s %s' % (c.method, c.path) for c in self.calls if method in (None, c.method)]

    def acting(self):
        """Calls other than GET (and other than the read-only batch status POST)."""
        return [c for c in self.calls if c.method != 'GET' and not c.path.endswith('/api/pipelines/status')
                and not c.path.endswith('/pipeline-runs/list')]


def _response(call, answer):
    resp = requests.Response()
    resp.status_code = answer.get('status', 200)
    resp.reason = 'FAKE'
    if 'text' in answer:
        content = answer['text'].encode('utf-8')
    elif answer.get('json') is None:
        content = b''
    else:
        content = json.dumps(answer['json']).encode('utf-8')
    resp._content = content
    resp.headers = CaseInsensitiveDict(answer.get('headers') or {})
    resp.headers.setdefault('Content-Type', 'application/json')
    resp.url = call.url
    resp.request = requests.Request(call.method, call.url).prepare()
    return resp


@pytest.fixture
def fake_http(monkeypatch):
    fake = FakeHttp()

    def request(session, *args, **kwargs):
        # A plain function is bound as a method; the FakeHttp instance itself would not be.
        return fake(session, *args, **kwargs)

    monkeypatch.setattr(requests.Session, 'request', request)
    return fake


@pytest.fixture
def no_sleep(monkeypatch):
    """Make time.sleep instant and record the delays asked for."""
    slept = []
    monkeypatch.setattr(time, 'sleep', slept.append)
    return slept


@pytest.fixture
def run_module(monkeypatch):
    """``run_module(module, args, check_mode=False)`` -> result dict (``failed`` set on fail_json)."""

    def exit_json(self, **kwargs):
        kwargs.setdefault('changed', False)
        raise ModuleExit(kwargs)

    def fail_json(self, msg, **kwargs):
        kwargs['failed'] = True
        kwargs['msg'] = msg
        raise ModuleExit(kwargs)

    monkeypatch.setattr(basic.AnsibleModule, 'exit_json', exit_json)
    monkeypatch.setattr(basic.AnsibleModule, 'fail_json', fail_json)

    def _run(module, args, check_mode=False):
        args = dict(args)
        if check_mode:
            args['_ansible_check_mode'] = True
        with patch_module_args(args):
            with pytest.raises(ModuleExit) as exc:
                module.main()
        return exc.value.result

    return _run
