# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Failure logs (_logs): decoding, scrubbing, reading the tail in pages, the failure report and message."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
import yaml

from ansible_collections.devops_cloud.pipelines.plugins.doc_fragments.failure import ModuleDocFragment
from ansible_collections.devops_cloud.pipelines.plugins.module_utils import _logs
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._engine import OptionError
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._http import ApiError, Redactor
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._logs import (
    CUT,
    decode,
    failure_argument_spec,
    failure_message,
    failure_report,
    locate,
    read_tail,
    scrub,
    validate_log_lines,
)
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._status import StatusTable, current_step, failing_step

MASK = '********'
STEPS = StatusTable(success=('COMPLETED',), failure=('FAILED',), canceled=('CANCELED',), waiting=('PAUSED',),
                    skipped=('SKIPPED',), idle=('INIT',))
SECRETS = ('hunter2-emu', 'emu-log-bearer-0123456789abcdef')


def build_log(count=1200):
    """A failing job's log as bytes, like the emulator's: colours, two secrets, a Latin-1 byte, the error at the end."""
    lines = []
    for i in range(count):
        if i == 40:
            lines.append(b'+ export DATABASE_URL=postgres://app@db.internal/app password=hunter2-emu')
        elif i == 41:
            lines.append(b"+ curl -sf -H 'Authorization: Bearer emu-log-bearer-0123456789abcdef' https://artifacts.example.com/up")
        elif i == 42:
            lines.append(b'legacy tool output: caf\xe9 au lait (latin-1)')
        else:
            lines.append(b'\x1b[32m[INFO]\x1b[0m build: step %d, module-%d compiled' % (i, i % 17))
    lines[-2:] = [b'\x1b[31m[ERROR]\x1b[0m build: 3 tests failed', b'\x1b[31mProcess exited with code 1\x1b[0m']
    return b'\r\n'.join(lines) + b'\r\n'


class Pager:
    """``fetch_page`` over a text or bytes split into pages of ``size`` units; offsets as strings (CodeArts)."""

    def __init__(self, data, size):
        self.data, self.size, self.calls = data, size, []

    def __call__(self, offset):
        self.calls.append(offset)
        start = int(offset or 0)
        end = min(len(self.data), start + self.size)
        return self.data[start:end], (str(end) if end < len(self.data) else None)


# -- decode ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize('raw, text', [
    (b'\x1b[1;31mred\x1b[0m plain \x1b[38;5;208morange\x1b[K', 'red plain orange'),
    ('\x1b]0;window title\x07title gone, \x1b]8;;https://x.example\x1b\\link\x1b]8;;\x1b\\ kept', 'title gone, link kept'),
    (b'caf\xe9 au lait', 'caf\xe9 au lait'),                             # not UTF-8: Latin-1
    ('构建失败: 单元测试'.encode('gbk'), '构建失败: 单元测试'),          # GBK (Chinese consoles)
    ('naïve 日本'.encode('utf-8'), 'naïve 日本'),
    ('caf\udce9 au lait', 'caf\xe9 au lait'),                           # a raw byte carried in a str (surrogateescape)
    ('lone \ud800 surrogate', 'lone \ufffd surrogate'),
    (b'one\r\ntwo\r\n', 'one\ntwo\n'),
    (b'get 10%\rget 50%\rget 100%\r\ndone', 'get 100%\ndone'),          # a progress bar: its last state
    (b'text\r\x1b[K', 'text'),
    (b'a\tb\x00c\x07d\x08e\x7f', 'a\tbcde'),                             # tab kept, other controls dropped
    (None, ''),
])
def test_decode(raw, text):
    assert decode(raw) == text


def test_decode_never_raises_on_any_byte():
    assert len(decode(bytes(range(256)))) > 0


# -- scrub ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize('line, shown', [
    ('Authorization: Bearer xyz', 'Authorization: ' + MASK),
    ("curl -H 'Authorization: Bearer abc.def-123' https://h.example/x", "curl -H 'Authorization: %s' https://h.example/x" % MASK),
    ('authorization: SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=abcd', 'authorization: ' + MASK),
    ('X-Auth-Token: MIIZ-token-value', 'X-Auth-Token: ' + MASK),
    ('{"x-yunxiao-token": "pt-0123456789", "n": 1}', '{"x-yunxiao-token": "%s", "n": 1}' % MASK),
    ('x-acs-security-token=CAIS0123456789abc', 'x-acs-security-token=' + MASK),
    ('sending with bearer eyJabc.def.ghi0123', 'sending with bearer ' + MASK),
    ('password=hunter2', 'password=' + MASK),
    ('DB_PASSWORD=hunter2 next=1', 'DB_PASSWORD=%s next=1' % MASK),
    ('https://x/?token=abc123&page=2', 'https://x/?token=%s&page=2' % MASK),
    ('passwd: "two words"', 'passwd: "%s"' % MASK),
    ('{"access_key_secret":"s3cr3t","region":"cn"}', '{"access_key_secret":"%s","region":"cn"}' % MASK),
    ('mysql --password hunter2 -u root', 'mysql --password %s -u root' % MASK),
    ('git clone https://bob:s3cr3tpw@git.example.com/r.git', 'git clone https://bob:%s@git.example.com/r.git' % MASK),
    ('ak LTAI5tQ8d9ZyXwVu7Ts6 used', 'ak %s used' % MASK),
    ('aws AKIAIOSFODNN7EXAMPLE', 'aws ' + MASK),
    ('HW_AK=HPUAB1CDEFGHIJ2KLMNO', 'HW_AK=' + MASK),
    ('jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-nature', 'jwt ' + MASK),
    ('key -----BEGIN PRIVATE KEY-----\\nMIIEv\\n-----END PRIVATE KEY----- ok', 'key %s ok' % MASK),
])
def test_scrub_patterns(line, shown):
    assert scrub(line) == shown


@pytest.mark.parametrize('line', [
    '[INFO] build: step 3, module-3 compiled',
    'Process exited with code 1',
    'run c0000000000000000000000000000008 of pipeline 0123abcd ended FAILED at 2026-12-01 01:45:52',
    'Tests: 120 passed, 3 failed; see https://example.com/report/42',
])
def test_scrub_leaves_ordinary_lines(line):
    assert scrub(line) == line


def test_scrub_secret_values_in_their_escaped_forms():
    secret = 'pa"ss w0rd'
    text = 'raw %s, json "pa\\"ss w0rd", url pa%%22ss%%20w0rd' % secret
    assert scrub(text, [secret, None]) == 'raw %s, json "%s", url %s' % (MASK, MASK, MASK)
    assert scrub(text, Redactor([secret])) == scrub(text, [secret])


def test_scrub_private_key_block_over_lines():
    text = 'before\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nq83vEjk\n-----END RSA PRIVATE KEY-----\nafter'
    assert scrub(text) == 'before\n%s\nafter' % MASK
    # an unterminated block hides everything after it
    assert scrub('x\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE\nmore') == 'x\n' + MASK


# -- read_tail ------------------------------------------------------------------------------------------
def test_multi_page_log_keeps_the_scrubbed_tail():
    pager = Pager(build_log(), 4096)
    tail = read_tail(pager, max_lines=5)
    assert tail.complete and tail.reason is None and tail.pages == len(pager.calls) > 10
    assert pager.calls[0] is None and pager.calls[1] == '4096'
    assert tail.lines == ['[INFO] build: step 1195, module-5 compiled', '[INFO] build: step 1196, module-6 compiled',
                          '[INFO] build: step 1197, module-7 compiled', '[ERROR] build: 3 tests failed', 'Process exited with code 1']


def test_secrets_lines_decoded_and_scrubbed_in_a_paged_log():
    tail = read_tail(Pager(build_log(50), 97), max_lines=20, secrets=SECRETS)
    text = '\n'.join(tail.lines)
    assert len(tail.lines) == 20 and tail.lines[-1] == 'Process exited with code 1'
    assert '+ export DATABASE_URL=postgres://app@db.internal/app password=%s' % MASK in tail.lines
    assert "+ curl -sf -H 'Authorization: %s' https://artifacts.example.com/up" % MASK in tail.lines
    assert 'legacy tool output: caf\xe9 au lait (latin-1)' in tail.lines
    assert not any(secret in text for secret in SECRETS) and '\x1b' not in text and '\r' not in text


@pytest.mark.parametrize('size', [1, 2, 3, 5, 7])
def test_secret_and_characters_split_across_pages(size):
    data = 'token value is s3cret-value-42 ok\nsecond 日本語 line é\n'.encode('utf-8')
    tail = read_tail(Pager(data, size), max_lines=10, secrets=['s3cret-value-42'], max_pages=1000)
    assert tail.lines == ['token value is %s ok' % MASK, 'second 日本語 line é']


def test_private_key_whose_start_left_the_window_stays_hidden():
    body = ['MIIEowIBAAKCAQEAsecretkeymaterial%02d' % i for i in range(30)]
    text = '\n'.join(['build'] + ['-----BEGIN EC PRIVATE KEY-----'] + body + ['-----END EC PRIVATE KEY-----', 'failed']) + '\n'
    # in one call the BEGIN line is among the lines pushed out unread; in pages of 50 the block spans pages
    assert read_tail(Pager(text, len(text)), max_lines=5).lines == ['failed']
    assert read_tail(Pager(text, 50), max_lines=5, max_pages=1000).lines == ['build', MASK, 'failed']
    unterminated = text.replace('-----END EC PRIVATE KEY-----\n', '')
    assert read_tail(Pager(unterminated, len(unterminated)), max_lines=5).lines == []


def test_whole_log_in_one_call():
    calls = []

    def fetch_page(offset):
        calls.append(offset)
        return {'content': 'a\nb\nc\n'}['content'], None   # offsets ignored: everything at once

    tail = read_tail(fetch_page, max_lines=2)
    assert calls == [None] and tail.lines == ['b', 'c'] and tail.complete


def test_huge_single_line_is_cut_to_its_end():
    line = 'w%06d ' % 0 + ' '.join('w%06d' % i for i in range(1, 150000)) + ' password=hunter2 END'   # about 1.2 MB
    for pager, after in ((Pager(line, len(line)), []), (Pager(line + '\nlast\n', 100000), ['last'])):
        tail = read_tail(pager, max_lines=50, max_bytes=4096, max_pages=100)
        first = tail.lines[0]
        assert tail.lines[1:] == after and first.startswith(CUT + 'w1') and first.endswith(' w149999 password=%s END' % MASK)
        assert len(first.encode('utf-8')) <= 4096 // 8 and all(len(word) == 7 for word in first[len(CUT):].split(' ')[:-2])


def test_huge_line_cut_drops_the_word_it_splits():
    line = 'x' * 10000 + 'tail-of-a-secret and more'
    tail = read_tail(Pager(line, 3000), max_lines=5, max_bytes=1000, max_pages=100)
    assert tail.lines == [CUT + 'and more']


def test_byte_bound_keeps_only_whole_last_lines():
    data = ''.join('line %04d %s\n' % (i, 'é' * 20) for i in range(500))
    tail = read_tail(Pager(data, 999), max_lines=1000, max_bytes=1000, max_pages=1000)
    assert sum(len(s.encode('utf-8')) + 1 for s in tail.lines) <= 1000
    assert tail.lines[-1].startswith('line 0499') and len(tail.lines) == 1000 // len(tail.lines[-1].encode('utf-8') + b'\n')


def test_page_limit_time_limit_empty_page_and_repeated_offset_end_the_read():
    tail = read_tail(Pager('x\n' * 1000, 10), max_lines=3, max_pages=4)
    assert not tail.complete and tail.pages == 4 and tail.reason == 'the log has more than 4 pages'

    ticks = iter(range(100))
    tail = read_tail(Pager('x\n' * 1000, 10), time_limit=2.5, clock=lambda: next(ticks))
    assert not tail.complete and tail.pages == 3 and 'within 2.5s' in tail.reason

    pages = {None: ('a\n', '1'), '1': ('', '2')}
    tail = read_tail(lambda offset: pages[offset])   # a live step: nothing new yet
    assert tail.complete and tail.pages == 2 and tail.lines == ['a']

    calls = []
    tail = read_tail(lambda offset: calls.append(offset) or ('again\n', 7))
    assert calls == [None, 7] and tail.lines == ['again', 'again'] and tail.complete


def test_bytes_and_text_pages_mixed():
    pages = {None: (b'caf\xc3', 1), 1: ('\xa9 ok\nnext', 2), 2: (b' line\n', None)}
    assert read_tail(lambda offset: pages[offset]).lines == ['caf\xc3\xa9 ok', 'next line']
    pages = {None: ('a\ud800b', 1), 1: (b'c\xe9\n', None)}   # a str that cannot go back to bytes
    assert read_tail(lambda offset: pages[offset]).lines == ['a?bc\xe9']
    many = '-----BEGIN PRIVATE KEY-----\ud800\n' + 'k\udce9\n' * 100 + 'end\n'
    assert read_tail(Pager(many, len(many)), max_lines=2).lines == []
    assert read_tail(Pager('x' * 5000 + '\ud800 tail', 2000), max_bytes=1000, max_pages=10).lines == [CUT + 'tail']


# -- locate / failure_report ----------------------------------------------------------------------------
def run_with(job_status='FAILED', step_status='FAILED', **job):
    job = dict(dict(id='j2', name='unit-test', status=job_status, message='job failed', log_url='https://console/j2',
                    steps=[dict(id='s1', name='checkout', status='COMPLETED'),
                           dict(id='s2', name='pytest', status=step_status, message='exit code 1 password=hunter2')]), **job)
    return dict(id='r1', status='FAILED', url='https://console/r1', stages=[
        dict(name='Build', status='COMPLETED', jobs=[dict(id='j1', name='compile', status='COMPLETED')]),
        dict(name='Test', status='FAILED', jobs=[dict(id='j0', name='lint', status='COMPLETED'), job]),
        dict(name='Deploy', status='CANCELED', jobs=[dict(id='j3', name='deploy', status='CANCELED')])])


def test_locate_agrees_with_status_functions():
    run = run_with()
    stage, job, step = locate(run, STEPS)
    assert (stage['name'], job['name'], job['status']) == failing_step(run, STEPS) and step['id'] == 's2'
    live = dict(stages=[dict(name='Build', status='COMPLETED', jobs=[dict(name='b', status='COMPLETED')]),
                        dict(name='Gate', status='RUNNING', jobs=[dict(name='review', status='PAUSED', steps=[
                            dict(name='ok', status='COMPLETED'), dict(name='approve', status='PAUSED')])])])
    stage, job, step = locate(live, STEPS, current=True)
    assert (stage['name'], job['name'], job['status']) == current_step(live, STEPS) and step['name'] == 'approve'
    assert locate(dict(stages=[dict(name='s', status='COMPLETED')]), STEPS) == (None, None, None)
    # a failed job whose steps name no failure: the first unfinished step; a stage that did not succeed
    odd = run_with(steps=[dict(name='a', status='COMPLETED'), dict(name='b', status='INIT'), dict(name='c', status='INIT')])
    assert [entry['name'] for entry in locate(odd, STEPS)] == ['Test', 'unit-test', 'b']
    stuck = dict(stages=[dict(name='s1', status='COMPLETED', jobs=[]), dict(name='s2', status='INIT', jobs=[dict(name='j', status='INIT')])])
    assert locate(stuck, STEPS)[0]['name'] == failing_step(stuck, STEPS)[0] == 's2' and locate(stuck, STEPS)[1:] == (None, None)
    assert locate(None, STEPS) == (None, None, None)


def test_failure_report_with_the_log_tail():
    seen = []

    def fetch_log(where, lines):
        seen.append((where['run']['id'], where['stage']['name'], where['job']['id'], where['step']['id'], lines))
        return Pager(build_log(), 2048)

    report = failure_report(run_with(), STEPS, fetch_log, lines=3, secrets=SECRETS)
    assert seen == [('r1', 'Test', 'j2', 's2', 3)]
    assert report == dict(stage='Test', job='unit-test', step='pytest', status='FAILED', message='exit code 1 password=' + MASK,
                          log_tail=['[INFO] build: step 1197, module-7 compiled', '[ERROR] build: 3 tests failed',
                                    'Process exited with code 1'],
                          log_url='https://console/j2', log_error=None)


def test_api_that_reads_from_the_end_serves_the_tail_in_one_call():
    log = ['line %d' % i for i in range(10000)]
    calls = []

    def fetch_log(where, lines):
        def last_lines(offset):   # e.g. CodeArts sort=desc, limit=lines: reversed back into log order
            calls.append(offset)
            return '\n'.join(reversed(list(reversed(log))[:lines])), None
        return last_lines

    report = failure_report(run_with(), STEPS, fetch_log, lines=4)
    assert calls == [None] and report['log_tail'] == ['line 9996', 'line 9997', 'line 9998', 'line 9999']
    assert report['log_error'] is None


def test_failure_report_link_and_message_fallbacks():
    run = run_with(log_url=None, message='\x1b[31mjob broke\x1b[0m: token=abc')
    run['stages'][1]['jobs'][1]['steps'] = []
    report = failure_report(run, STEPS, lines=0)
    shown = (report['step'], report['status'], report['message'], report['log_url'])
    assert shown == (None, 'FAILED', 'job broke: token=' + MASK, 'https://console/r1')
    assert failure_report(run, STEPS, lines=0, log_url='https://given')['log_url'] == 'https://given'
    assert len(failure_report(run_with(message='m' * 5000, steps=[]), STEPS, lines=0)['message']) == 500
    assert failure_report(run_with(message=12, steps=[]), STEPS, lines=0)['message'] == '12'


def test_no_fetch_when_lines_is_zero():
    def fetch_log(where, lines):
        raise AssertionError('the log must not be read')

    report = failure_report(run_with(), STEPS, fetch_log, lines=0)
    assert report['log_tail'] == [] and report['log_error'] is None and report['step'] == 'pytest'


@pytest.mark.parametrize('err, words', [
    (ApiError('Forbidden', status=403, code='DEVPIPE.00011108', method='POST', path='/v5/p/logs'), 'POST /v5/p/logs HTTP 403 DEVPIPE.00011108'),
    (ApiError('InternalError', status=500, code='InternalError', method='GET', path='/job/7/log'), 'HTTP 500 InternalError'),
    (ApiError('Not Found', status=404), 'HTTP 404'),
    (ApiError('no answer within 60.0s from h.example (read timeout)', uncertain=True), 'read timeout'),
])
def test_log_call_failure_never_hides_the_failure(err, words):
    def fetch_page(offset):
        if offset is None:
            return 'first page\n', '1'
        raise err

    report = failure_report(run_with(), STEPS, lambda where, lines: fetch_page, lines=50)
    assert (report['stage'], report['job'], report['step'], report['status']) == ('Test', 'unit-test', 'pytest', 'FAILED')
    assert report['log_tail'] == [] and report['log_error'].startswith('the log could not be read: ') and words in report['log_error']


def test_other_errors_and_missing_logs_are_reported():
    def broken(where, lines):
        raise KeyError('buildId hunter2-emu')

    report = failure_report(run_with(), STEPS, broken, secrets=SECRETS)
    assert report['log_error'] == "the log could not be read: KeyError: '%s'" % ('buildId ' + MASK) and report['log_tail'] == []
    assert failure_report(run_with(), STEPS, None)['log_error'] == 'no log: the API offers none for this step'
    assert failure_report(run_with(), STEPS, lambda where, lines: None)['log_error'] == 'no log: the API offers none for this step'
    nothing = failure_report(dict(status='FAILED', stages=[]), STEPS, broken)
    assert nothing['stage'] is None and nothing['status'] == 'FAILED' and 'no failing stage' in nothing['log_error']


def test_incomplete_read_keeps_lines_and_says_so():
    report = failure_report(run_with(), STEPS, lambda where, lines: Pager('x\n' * 100, 10), lines=2, max_pages=3)
    assert report['log_tail'] == ['x', 'x']
    assert report['log_error'] == 'the log has more than 3 pages; the lines shown are the last ones read, not its end'


def test_timed_out_wait_reports_the_current_step():
    run = dict(id='r2', status='RUNNING', stages=[
        dict(name='Build', status='COMPLETED', jobs=[dict(id='j1', name='compile', status='COMPLETED')]),
        dict(name='Test', status='RUNNING', jobs=[dict(id='j2', name='e2e', status='RUNNING', steps=[
            dict(id='s1', name='setup', status='COMPLETED'), dict(id='s2', name='cypress', status='RUNNING')])])])
    report = failure_report(run, STEPS, lambda where, lines: Pager('still running\n', 100), current=True)
    assert (report['stage'], report['job'], report['step'], report['status']) == ('Test', 'e2e', 'cypress', 'RUNNING')
    assert report['log_tail'] == ['still running']


# -- failure_message ------------------------------------------------------------------------------------
def test_failure_message_names_the_place_and_quotes_the_log():
    failure = dict(stage='Test', job='unit-test', step='pytest', status='FAILED', message='exit code 1',
                   log_tail=['a', 'b', '', 'c', 'd', 'e', 'f'], log_url=None, log_error=None)
    assert failure_message('run 7 ended FAILED', failure, quote_lines=3) == (
        "run 7 ended FAILED; failing step: stage 'Test' job 'unit-test' step 'pytest' (FAILED): exit code 1; "
        'last log lines:\n  d\n  e\n  f')
    failure.update(step=None, message=None, log_tail=[], log_error='the log could not be read: HTTP 403')
    assert failure_message('timed out', failure, label='at') == (
        "timed out; at: stage 'Test' job 'unit-test' (FAILED); the log could not be read: HTTP 403")
    assert failure_message('base', None) == 'base'
    assert failure_message('base', dict(failure, log_tail=['y' * 900]), quote_lines=1).endswith('\n  ' + 'y' * 497 + '...')


# -- the option and its documentation -------------------------------------------------------------------
def test_option_validation():
    assert validate_log_lines({}) == 50 and validate_log_lines(dict(failure_log_lines=None)) == 50
    assert validate_log_lines(dict(failure_log_lines=0)) == 0 and validate_log_lines(dict(failure_log_lines=1000)) == 1000
    for bad in (-1, 1001, True, '5'):
        with pytest.raises(OptionError, match='failure_log_lines must be a whole number from 0 to 1000'):
            validate_log_lines(dict(failure_log_lines=bad))


def test_doc_fragment_matches_the_code():
    option = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options']['failure_log_lines']
    spec = failure_argument_spec()['failure_log_lines']
    assert (option['type'], option['default']) == (spec['type'], spec['default']) == ('int', _logs.DEFAULT_LINES)
    failure = yaml.safe_load(ModuleDocFragment.FAILURE_RETURN)['failure']
    keys = set(failure_report(run_with(), STEPS, lines=0))
    assert set(failure['contains']) == keys == set(failure['sample'])
