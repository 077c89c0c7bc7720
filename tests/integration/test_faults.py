# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fault-injection suite: every module against the emulator's faults, outcomes asserted exactly.

The table below (``SUITES``) holds one list of scenarios per module and API. A scenario is the options of the
call under test, the fault rules the emulator applies to it, an optional setup call (made before the faults are
injected) and the expected outcome. All scenarios of one entry run in one playbook (``targets/faults/run.yml``):
per scenario the emulator is reset, the faults are injected, the module runs with ``ignore_errors`` and its
result is saved with the emulator's request log and state. Each scenario is then one test case here. The
playbooks of the entries run side by side (``FAULT_SUITE_WORKERS``, default 3), each against its own emulator.

Categories (the prefix of a scenario's name):

- ``read-*``: 429 with Retry-After, 500, 502, 503 bursts, a reset connection and a read timeout on a read --
  the task succeeds, and the log shows each retry sent no earlier than Retry-After (or the minimum backoff).
- ``act-*``, ``stop-*``: the same on the acting call, plus resets and timeouts before and after the server
  acted -- never a blind re-send (state is read between two acting calls; only a refused call, 429/503, is
  sent again), the server's action adopted when it acted, a clear failure saying the call was not repeated
  when it may not have, and never more than one run, execution or action afterwards -- exactly one whenever
  the server acted (acted requests in the log and, where the emulator keeps them, records in its state).
- ``data-*``: an HTML error page, malformed JSON, HTTP 200 with an error body and an empty body -- a clear
  failure naming the HTTP status and the vendor code, no traceback.
- ``auth-*``: wrong or expired credentials -- an authentication failure.
- ``input-*``: bad options -- an argument error, and not a single request sent.

``test_zz_suite_totals`` runs last: it scans every output of the suite for the test secrets, asserts that
no duplicate and no secret was found, and writes the counts to ``tests/output/fault_suite_counts.json``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import concurrent.futures
import json
import os
import re
import subprocess
import sys
import time

import pytest

from conftest import COLLECTION_ROOT, FIXTURE, SECRETS, TARGETS, PlaybookRun  # pylint: disable=import-error

# Wrong credentials the auth scenarios send; they must not show up anywhere either.
WRONG = dict(token='wrong-token-fault-suite-0001', secret='wrong-secret-fault-suite-0001',
             sts_token='wrong-sts-token-fault-suite-0001', ali_ak='LTAIWRONGFAULTSUITE001')
RETRY_AFTER = 1
# Minimum pause before retry n (1-based) without Retry-After: jittered_backoff() of _http.py at its lowest.
MIN_BACKOFF = [0.25, 0.5, 1.0, 2.0]
READ_TIMEOUT = 0.5       # read_timeout of the timeout scenarios
SLOW = 1.5               # how long the emulator holds a request in them
CLOCK_SLACK = 0.02       # the log's receive times vs the client's sleep
NO_TRACE = ('Traceback', 'MODULE FAILURE', 'Exception', 'module_stderr')


# -- the table ------------------------------------------------------------------------------------------------
def rule(path, method=None, **kw):
    """A fault rule for ``emu.add_fault`` (``times`` 1 unless given)."""
    return dict(kw, path=path, method=method, times=kw.get('times', 1))


def scenario(name, call, faults=(), setup=None, settle=0.0, **expect):
    """One row of the table. ``expect``: ok, acted, records, msg (substrings), failed_msg (substrings when it
    failed; when it succeeded it must have adopted), status, code, adopted, gaps ((method, path regex, [min pause
    after each fault])), hits (fault hits), acts (acting requests), requests (0: nothing sent)."""
    row = dict(name=name, call=call, faults=list(faults), expect=expect)
    if setup is not None:
        row['setup'] = setup
    if settle:
        row['settle'] = settle
    return row


def read_bursts(call, method, path, acted, records):
    """429/500/502/503 bursts, a reset and a read timeout on one read of ``call``: all survived."""
    rows = []
    for status, retry_after in ((429, RETRY_AFTER), (500, None), (502, None), (503, None)):
        mins = [RETRY_AFTER] * 2 if retry_after else MIN_BACKOFF[:2]
        extra = dict(retry_after=retry_after) if retry_after else {}
        rows.append(scenario('read-%d%s' % (status, '-retry-after' if retry_after else ''), call,
                             [rule(path, method, status=status, times=2, **extra)],
                             ok=True, acted=acted, records=records, hits=2, gaps=(method, path, mins)))
    rows.append(scenario('read-reset', call, [rule(path, method, kind='reset')],
                         ok=True, acted=acted, records=records, hits=1, gaps=(method, path, MIN_BACKOFF[:1])))
    rows.append(scenario('read-timeout', dict(call, read_timeout=READ_TIMEOUT), [rule(path, method, kind='delay', delay=SLOW)],
                         settle=SLOW, ok=True, acted=acted, records=records, hits=1,
                         gaps=(method, path, [READ_TIMEOUT + MIN_BACKOFF[0]])))
    return rows


def act_faults(call, method, path, code, drop=True, guarded=True):
    """Faults on the acting call of ``call``: refused, failed, lost before and after the server acted.

    A refused call (429, 503) is sent again once state shows nothing happened. A failed or lost answer is
    adopted when state shows the effect, and otherwise fails saying the call was not sent again -- the
    server may still apply it (``act-timeout-before-acting``: it does, after the module gave up). So every
    row ends with at most one acted request, and exactly one whenever the server acted. ``guarded`` False
    for a call the transport repeats itself (the v3 review PUT, an idempotent set): it just succeeds.
    """
    lost = dict(ok=False, acted=0, records=0, hits=1, acts=1) if guarded else dict(ok=True, acted=1, records=1, hits=1)
    not_again = ['not sent again'] if guarded else []
    # the module gives up (or, on a very slow machine, already sees the effect and adopts it), then the held
    # request acts: one record after all
    late = dict(hits=1, acts=1, acted=1, records=1, failed_msg=['read timeout', 'not sent again']) if guarded else \
        dict(ok=True, acted=1, records=1, hits=1)
    rows = [
        scenario('act-429-retry-after', call, [rule(path, method, status=429, retry_after=RETRY_AFTER, times=2)],
                 ok=True, acted=1, records=1, hits=2, acts=3, gaps=(method, path, [RETRY_AFTER] * 2)),
        scenario('act-503', call, [rule(path, method, status=503, times=2)], ok=True, acted=1, records=1, hits=2, acts=3,
                 gaps=(method, path, MIN_BACKOFF[:2])),
        scenario('act-500', call, [rule(path, method, status=500)], msg=['HTTP 500'] + not_again, **lost),
        scenario('act-502', call, [rule(path, method, status=502)], msg=['HTTP 502'] + not_again, **lost),
        scenario('act-html-502', call, [rule(path, method, kind='html')], msg=['HTTP 502', 'HTML page'] + not_again, **lost),
        scenario('act-reset', call, [rule(path, method, kind='reset')], msg=['connection'] + not_again, **lost),
        scenario('act-timeout-before-acting', dict(call, read_timeout=READ_TIMEOUT),
                 [rule(path, method, kind='delay', delay=SLOW)], settle=SLOW, **late),
        scenario('act-timeout-after-acting', dict(call, read_timeout=READ_TIMEOUT),
                 [rule(path, method, kind='act_then_timeout', delay=SLOW)], settle=SLOW,
                 ok=True, acted=1, records=1, hits=1, acts=1 if guarded else None, adopted=guarded),
        scenario('act-error200', call, [rule(path, method, kind='error200')],
                 ok=False, acted=0, records=0, hits=1, acts=1, status=200, code=code, msg=['HTTP 200 %s' % code]),
        scenario('act-malformed', call, [rule(path, method, kind='malformed')],
                 ok=False, acted=0, records=0, hits=1, acts=1, status=200, msg=['HTTP 200', 'not valid JSON'] + not_again),
        scenario('act-empty', call, [rule(path, method, kind='empty')],
                 ok=False, acted=0, records=0, hits=1, acts=1, status=200, msg=['HTTP 200', 'empty body'] + not_again),
    ]
    if drop:
        rows.append(scenario('act-dropped-after-acting', call, [rule(path, method, kind='act_then_drop')],
                             ok=True, acted=1, records=1, hits=1, acts=1 if guarded else None, adopted=guarded))
    return rows


def data_faults(call, method, path, code):
    """HTML page, malformed JSON, HTTP 200 error body and empty body on the first read: clear failures."""
    return [
        scenario('data-html-502', dict(call, max_retries=1), [rule(path, method, kind='html', times=9)],
                 ok=False, acted=0, records=0, hits=2, status=502, msg=['HTTP 502', 'HTML page']),
        scenario('data-malformed', call, [rule(path, method, kind='malformed')],
                 ok=False, acted=0, records=0, hits=1, status=200, msg=['HTTP 200', 'not valid JSON']),
        scenario('data-error200', call, [rule(path, method, kind='error200')],
                 ok=False, acted=0, records=0, hits=1, status=200, code=code, msg=['HTTP 200 %s' % code]),
        scenario('data-empty', call, [rule(path, method, kind='empty')],
                 ok=False, acted=0, records=0, hits=1, status=200, msg=['HTTP 200', 'empty body']),
    ]


def log_faults(call, path, where, tail='Process exited with code 1', method='GET', records=1):
    """Faults on the log call of a failure report (``call`` waits for a run that fails): a refused log call (403)
    leaves ``log_error`` and the run's own failure; a 500 burst is retried and the log read after all."""
    return [scenario('log-403', call, [rule(path, method, status=403)], ok=False, acted=1, records=records, hits=1,
                     msg=[where, 'the log could not be read', 'HTTP 403']),
            scenario('log-500-burst', call, [rule(path, method, status=500, times=2)], ok=False, acted=1, records=records,
                     hits=2, msg=[where, tail])]


def huawei_auth(call):
    return [
        scenario('auth-wrong-token', dict(call, auth_token=WRONG['token']),
                 ok=False, acted=0, records=0, status=401, code='APIGW.0301', msg=['authentication', 'HTTP 401']),
        scenario('auth-wrong-secret-key', dict(call, access_key=FIXTURE['hw_ak'], secret_key=WRONG['secret']),
                 ok=False, acted=0, records=0, status=401, code='APIGW.0301', msg=['authentication', 'HTTP 401']),
        scenario('auth-expired-security-token', dict(call, access_key=FIXTURE['hw_sts_ak'], secret_key=FIXTURE['hw_sts_sk'],
                                                     security_token=WRONG['sts_token']),
                 ok=False, acted=0, records=0, status=401, code='APIGW.0301', msg=['authentication', 'HTTP 401']),
    ]


def alibaba_auth(call, api):
    if api == 'yunxiao':
        return [scenario('auth-wrong-token', dict(call, yunxiao_token=WRONG['token']),
                         ok=False, acted=0, records=0, status=401, code='Unauthorized', msg=['authentication', 'HTTP 401'])]
    return [
        scenario('auth-wrong-secret', dict(call, access_key_secret=WRONG['secret']),
                 ok=False, acted=0, records=0, status=400, code='IncompleteSignature', msg=['authentication', 'HTTP 400']),
        scenario('auth-unknown-access-key', dict(call, access_key_id=WRONG['ali_ak']),
                 ok=False, acted=0, records=0, status=404, code='InvalidAccessKeyId.NotFound', msg=['authentication', 'HTTP 404']),
    ]


def bad_input(name, call, *msg):
    return scenario('input-' + name, call, ok=False, requests=0, acted=0, records=0, msg=list(msg))


def flow_suite(api):
    """pipeline_run on one API: pipeline 1003 waits at a gate (its runs stay live), 1001 ends SUCCESS after 1 s."""
    base = dict(api=api, pipeline_id=1003)
    if api == 'yunxiao':  # no run-level stop on the token API: the job waiting at the gate is stopped
        start, listing, get_1001, stop = r'/pipelines/1003/runs$', r'/pipelines/1003/runs$', r'/pipelines/1001/runs/\d+$', r'/jobs/\d+/stop$'
    else:
        start, listing, get_1001, stop = (r'/pipelines/1003/run$', r'/pipelines/1003/pipelineRuns$',
                                          r'/pipelines/1001/pipelineRuns/\d+$', r'/pipelineRuns/\d+/stop$')
    code = 'InternalError'  # the emulator's 500 body on both APIs, sent with HTTP 200 by error200
    cancel = dict(api=api, pipeline_id=1003, state='canceled')
    return (
        read_bursts(dict(api=api, pipeline_id=1001, state='finished'), 'GET', get_1001, acted=1, records=1)
        + act_faults(base, 'POST', start, code, drop=False)
        + [scenario('stop-dropped-after-acting', cancel, [rule(stop, 'PUT', kind='act_then_drop')], setup=base,
                    ok=True, acted=1, records=1, hits=1, acts=1),
           scenario('stop-500', cancel, [rule(stop, 'PUT', status=500)], setup=base,
                    ok=False, acted=0, records=1, hits=1, acts=1, status=500, msg=['HTTP 500', 'not sent again'])]
        + data_faults(base, 'GET', listing, code)
        + log_faults(dict(api=api, pipeline_id=1002, state='finished'), r'/step/log$' if api == 'yunxiao' else r'/job/\d+/logs$',
                     "ended FAIL: stage 'Test' job 'unit-test'")
        + alibaba_auth(base, api)
        + [bad_input('missing-pipeline-id', dict(api=api), 'missing required arguments: pipeline_id'),
           bad_input('pipeline-id-not-an-int', dict(base, pipeline_id='build-ok'), 'pipeline_id', 'int'),
           bad_input('unknown-state', dict(base, state='paused'), 'value of state must be one of'),
           bad_input('run-id-without-canceled', dict(base, run_id=1), 'run_id is only used with state=canceled')]
    )


CA_NEW, CA_GATED = 'c0000000000000000000000000000001', 'c0000000000000000000000000000003'


def codearts_suite():
    """pipeline_run on CodeArts: c...01 never ran (a run takes 1.5 s), c...03's latest run waits at a manual review."""
    creds = dict(cloud='huawei', project_id=FIXTURE['hw_project_id'])
    base = dict(creds, auth_token=FIXTURE['hw_token'], pipeline_id=CA_NEW)
    cancel = dict(base, pipeline_id=CA_GATED, state='canceled')
    stop = r'/pipeline-runs/[0-9a-f]{32}/stop$'
    return (
        read_bursts(dict(base, state='finished'), 'GET', r'/pipeline-runs/detail$', acted=1, records=1)
        + act_faults(base, 'POST', r'/%s/run$' % CA_NEW, 'APIGW.0500')
        + [scenario('stop-dropped-after-acting', cancel, [rule(stop, 'POST', kind='act_then_drop')],
                    ok=True, acted=1, records=0, hits=1, acts=1),
           scenario('stop-500', cancel, [rule(stop, 'POST', status=500)],
                    ok=False, acted=0, records=0, hits=1, acts=1, status=500, msg=['HTTP 500', 'not sent again'])]
        + data_faults(base, 'POST', r'/pipeline-runs/list$', 'APIGW.0500')
        # c...02 fails in job unit-test (its runs are not counted: records 0); the step log is a POST read
        + log_faults(dict(base, pipeline_id='c0000000000000000000000000000002', state='finished'), r'/steps/[^/]+/logs$',
                     "failing step: stage 'Test' job 'unit-test' step 'run-tests'", method='POST', records=0)
        + huawei_auth(dict(creds, pipeline_id=CA_NEW))
        + [bad_input('codearts-id-too-short', dict(base, pipeline_id='c123'), 'pipeline_id', 'CodeArts'),
           bad_input('flow-option-with-codearts', dict(base, envs={'A': 'b'}), 'envs is an option of Alibaba Cloud Flow'),
           bad_input('run-id-of-flow', dict(base, state='canceled', run_id='7'), 'run_id', 'CodeArts')]
    )


def appstack_suite(api):
    """stage_execute on one API: stage-prod waits at a gate, stage-dev ends SUCCESS after 1 s."""
    stage = dict(api=api, app_name='demo-app', release_workflow_sn='wf-0001')
    base = dict(stage, release_stage_sn='stage-prod')
    code = 'InternalError'
    return (
        read_bursts(dict(stage, release_stage_sn='stage-dev', state='finished'), 'GET', r'/stage-dev/executions$',
                    acted=1, records=1)
        + act_faults(base, 'POST', r'/stage-prod(:|%3A)execute$', code, drop=False)
        + [scenario('stop-dropped-after-acting', dict(base, state='canceled'),
                    [rule(r'/executions/\d+(:|%3A)cancel$', 'POST', kind='act_then_drop')], setup=base,
                    ok=True, acted=1, records=1, hits=1, acts=1)]
        + data_faults(base, 'GET', r'/stage-prod/executions$', code)
        + (log_faults(dict(stage, release_stage_sn='stage-broken', state='finished'), r'(:|%3A)pipelineJobLog$',
                      "stage 'Deploy' job 'deploy-broken'") if api == 'yunxiao' else [])  # no log call on POP
        + alibaba_auth(base, api)
        + [bad_input('missing-stage', dict(stage), 'missing required arguments: release_stage_sn'),
           bad_input('force-not-a-bool', dict(base, force='perhaps'), 'force', 'bool'),
           bad_input('execution-number-without-canceled', dict(base, execution_number='1'),
                     'execution_number is only used with state=canceled')]
    )


def release_suite():
    """pipeline_action: rt-pause-0004 starts and holds at the pause (7), rt-ok-0001 releases for 1 s."""
    base = dict(pipeline_id='rt-pause-0004', action='start')
    return (
        read_bursts(dict(pipeline_id='rt-ok-0001', action='start'), 'GET', r'/pipelines/rt-ok-0001$', acted=1, records=1)
        + act_faults(base, 'POST', r'/rt-pause-0004/action$', 'APIGW.0500', drop=False)
        + [scenario('stop-dropped-after-acting', dict(pipeline_id='rt-approval-0003', action='stop'),
                    [rule(r'/rt-approval-0003/action$', 'POST', kind='act_then_drop')],
                    setup=dict(pipeline_id='rt-approval-0003', action='start'),
                    ok=True, acted=1, records=1, hits=1, acts=1, adopted=True)]
        + data_faults(base, 'GET', r'/pipelines/rt-pause-0004$', 'APIGW.0500')
        + log_faults(dict(pipeline_id='rt-fail-0002', action='start'), r'/rt-fail-0002/records$',
                     "failing step: stage 'deploy' job 'deploy-app'", tail='failed task: deploy-app')
        + huawei_auth(base)
        + [bad_input('unknown-action', dict(base, action='explode'), 'value of action must be one of'),
           bad_input('approval-without-task', dict(base, action='approval'), 'task_name'),
           bad_input('missing-pipeline-id', dict(action='start'), 'missing required arguments: pipeline_id'),
           bad_input('wait-not-a-bool', dict(base, wait='sometimes'), 'wait', 'bool')]
    )


def slow(rows, time_scale=2.0):
    """The rows with emulated time slowed down from the reset on (setup calls included): a retried job still runs
    when the module reads it back after a lost answer (at the suite's pace it would already have failed again), a
    queued run is still queued."""
    return [dict(row, time_scale=time_scale) for row in rows]


def dropped_and_500(verb, call, method, path, setup=None):
    """A lost answer after the server acted (adopted, one act) and a 500 (not sent again) on the acting call."""
    extra = dict(setup=setup) if setup is not None else {}
    return [scenario('%s-dropped-after-acting' % verb, call, [rule(path, method, kind='act_then_drop')],
                     ok=True, acted=1, hits=1, acts=1, adopted=True, **extra),
            scenario('%s-500' % verb, call, [rule(path, method, status=500)],
                     ok=False, acted=0, hits=1, acts=1, status=500, msg=['HTTP 500', 'not sent again'], **extra)]


CA_FAILED, CA_PAUSED = 'c0000000000000000000000000000002', 'c0000000000000000000000000000007'


def action_codearts_suite():
    """pipeline_action on CodeArts runs: retry c...02 (its latest run FAILED; slowed down, the retried job runs
    for 4 s), resume c...07 (paused), stop c...03 (waits at a review), cancel the queued second run of c...01."""
    base = dict(pipeline_id=CA_FAILED, target='run', action='retry', wait=False)
    start = dict(module='pipeline_run', cloud='huawei', project_id=FIXTURE['hw_project_id'],
                 auth_token=FIXTURE['hw_token'], pipeline_id=CA_NEW)
    queued = [start, dict(start, force=True)]
    cancel = dict(pipeline_id=CA_NEW, target='run', action='cancel_queued', wait=False)  # the run queued last
    resume = dict(pipeline_id=CA_PAUSED, target='run', action='resume', wait=False)
    stop = dict(pipeline_id=CA_GATED, target='run', action='stop', wait=False)
    return (
        slow(read_bursts(base, 'GET', r'/pipeline-runs/detail$', acted=1, records=None)
             + act_faults(base, 'PUT', r'/pipeline-runs/[0-9a-f]{32}/retry$', 'APIGW.0500')
             + data_faults(base, 'POST', r'/pipeline-runs/list$', 'APIGW.0500'))
        + dropped_and_500('resume', resume, 'POST', r'/steps/[0-9a-f]{32}/resume$')
        + [scenario('stop-dropped-after-acting', stop, [rule(r'/pipeline-runs/[0-9a-f]{32}/stop$', 'POST', kind='act_then_drop')],
                    ok=True, acted=1, hits=1, acts=1, adopted=True),
           scenario('stop-503', stop, [rule(r'/pipeline-runs/[0-9a-f]{32}/stop$', 'POST', status=503)],
                    ok=True, acted=1, hits=1, acts=2)]
        + slow(dropped_and_500('cancel', cancel, 'POST', r'/cancel-queuing/[0-9a-f]{32}$', setup=queued))
        + huawei_auth(base)
        + [bad_input('id-neither-flow-nor-codearts', dict(base, pipeline_id='pipe-one'), 'with target=run, pipeline_id must be a CodeArts'),
           bad_input('run-id-of-flow', dict(base, run_id='7'), 'run_id', 'CodeArts'),
           bad_input('job-with-run-stop', dict(base, action='stop', job_name='build'), 'only named with action=resume'),
           bad_input('cloud-mismatch', dict(base, cloud='alibaba'), 'cloud=alibaba does not fit'),
           bad_input('flow-action-on-codearts', dict(base, action='skip'), 'does not apply to a CodeArts'),
           bad_input('release-task-option-on-run', dict(base, task_name='approve'), 'task_name', 'release task')]
    )


def action_flow_suite(api):
    """pipeline_action on Flow jobs over one API: stop and skip the validation job of 1003 waiting at its gate (the
    setup runs 1003 for 2 s: it waits there), retry the failed job of 1002 (slowed down after it failed)."""
    org = dict(organization_id=FIXTURE['org_id'], api=api)
    run = dict(org, module='pipeline_run')
    base = dict(org, pipeline_id='1003', job_name='approve', action='stop', wait=False)
    if api == 'yunxiao':
        stop, skip, retry, listing = r'/jobs/\d+/stop$', r'/jobs/\d+/skip$', r'/jobs/\d+/retry$', r'/pipelines/1003/runs$'
    else:
        stop, skip, retry, listing = (r'/jobs/\d+/stop$', r'/jobs/\d+/skip$', r'/pipelineRuns/\d+/jobs/\d+$',
                                      r'/pipelines/1003/pipelineRuns$')
    code = 'InternalError'
    gated = dict(run, pipeline_id=1003, state='finished', wait_timeout=2, ignore=True)
    failed = dict(run, pipeline_id=1002, state='finished', ignore=True)
    retry_call = dict(base, pipeline_id='1002', job_name='unit-test', action='retry')
    return (
        [dict(row, setup=gated) for row in read_bursts(base, 'GET', listing, acted=1, records=None)
         + act_faults(base, 'PUT', stop, code, drop=True)
         + data_faults(base, 'GET', listing, code)
         + alibaba_auth(base, api)]
        + dropped_and_500('skip', dict(base, action='skip'), 'PUT', skip, setup=gated)
        + slow(dropped_and_500('retry', retry_call, 'PUT', retry, setup=failed))
        + [bad_input('job-missing', dict(base, job_name=None, run_id='1'), 'job_id or job_name is required'),
           bad_input('run-id-of-codearts', dict(base, run_id='c64dfcfc3cbf7f043d605b1a7d12d711'), 'run_id',
                     'positive integer'),
           bad_input('resume-on-flow', dict(base, action='resume'), 'does not apply to a job of a Flow run'),
           bad_input('step-on-flow', dict(base, step_name='build'), 'steps are only named'),
           bad_input('target-mismatch', dict(base, target='run'), 'with target=run, pipeline_id must be a CodeArts')]
    )


def action_appstack_suite():
    """pipeline_action on AppStack execution jobs (token API): skip the validation job stage-prod waits at, retry
    the failed job of stage-broken (slowed down after it failed); AK/SK alone is an argument error."""
    stage = dict(organization_id=FIXTURE['org_id'], app_name='demo-app', release_workflow_sn='wf-0001')
    base = dict(stage, release_stage_sn='stage-prod', job_name='validate', action='skip', wait=False)
    setup = dict(stage, module='stage_execute', api='yunxiao', release_stage_sn='stage-prod')
    broken = dict(stage, module='stage_execute', api='yunxiao', release_stage_sn='stage-broken', state='finished',
                  ignore=True)
    retry = dict(base, release_stage_sn='stage-broken', job_name='deploy-broken', action='retry')
    code = 'InternalError'
    listing = r'/stage-prod/executions$'
    return (
        [dict(row, setup=setup) for row in read_bursts(base, 'GET', listing, acted=1, records=None)
         + act_faults(base, 'POST', r'/executions/\d+(:|%3A)skip$', code, drop=True)
         + data_faults(base, 'GET', listing, code)
         + alibaba_auth(base, 'yunxiao')]
        + slow(dropped_and_500('retry', retry, 'POST', r'/executions/\d+(:|%3A)retry$', setup=broken))
        + [bad_input('aksk-only', dict(base, api='openapi', yunxiao_token=None), 'only on the Yunxiao token API',
                     'yunxiao_token'),
           bad_input('stage-incomplete', dict(base, release_workflow_sn=None), 'release_workflow_sn is required'),
           bad_input('pipeline-id-with-stage', dict(base, pipeline_id='1002'), 'named by execution_number'),
           bad_input('stop-on-appstack', dict(base, action='stop'), 'does not apply to a job of an AppStack'),
           bad_input('execution-number-not-a-number', dict(base, execution_number='first'), 'execution_number')]
    )


REVIEW_PIPE = 'a0000000000000000000000000000003'


def review_v5_suite():
    """stage_review on CodeArts v5: pipeline ...0003's latest run waits at a manual review step."""
    base = dict(pipeline_id=REVIEW_PIPE, result='pass')
    return (
        read_bursts(base, 'GET', r'/pipeline-runs/detail$', acted=1, records=1)
        + act_faults(base, 'POST', r'/steps/[^/]+/pass$', 'APIGW.0500')
        + data_faults(base, 'POST', r'/pipeline-runs/list$', 'APIGW.0500')
        + huawei_auth(base)
        + [bad_input('unknown-result', dict(base, result='maybe'), 'value of result must be one of'),
           bad_input('missing-pipeline-id', dict(result='pass'), 'pipeline_id is required'),
           bad_input('stage-index-with-v5', dict(base, api='v5', stage_index=1), 'stage_index applies to the v3')]
    )


def review_gate_suite(pipeline_id, act):
    """stage_review on the other CodeArts gate kinds: c...04 waits at a stage-entry checkpoint (decided by
    .../manual/pass), c...05 at a delayed execution (.../delay-pass)."""
    base = dict(pipeline_id=pipeline_id, result='pass')
    return (read_bursts(base, 'GET', r'/pipeline-runs/detail$', acted=1, records=1)
            + act_faults(base, 'POST', act, 'APIGW.0500'))


def review_v3_suite():
    """stage_review on the v3 gate: PUT start_info of pipeline 101 stage 1 (an idempotent set, repeated on faults)."""
    base = dict(pipeline_id='101', stage_index=1, result='pass')
    put = r'/pipelines/101/stages/1/start_info$'
    return (
        read_bursts(base, 'PUT', put, acted=1, records=1)
        + [row for row in act_faults(base, 'PUT', put, 'APIGW.0500', guarded=False)
           if row['name'] in ('act-timeout-before-acting', 'act-timeout-after-acting', 'act-dropped-after-acting')]
        + data_faults(base, 'PUT', put, 'APIGW.0500')
        + huawei_auth(base)
        + [bad_input('pipeline-id-not-an-int', dict(base, pipeline_id='pipe-one'), 'integer id'),
           bad_input('stage-index-not-an-int', dict(base, stage_index='first'), 'stage_index', 'int'),
           bad_input('v3-without-stage-index', dict(pipeline_id='101', result='pass', api='v3'), 'needs stage_index')]
    )


def status_suite():
    """pipeline_status_info: ...0005 runs for 1.5 s after the reset, ...0001 is COMPLETED, ...0004 never ran."""
    ids = ['a0000000000000000000000000000005', 'a0000000000000000000000000000001', 'a0000000000000000000000000000004']
    base = dict(pipeline_ids=ids)
    status = r'/api/pipelines/status$'
    return (
        read_bursts(dict(base, wait_until='finished'), 'POST', status, acted=0, records=None)
        + data_faults(base, 'POST', status, 'APIGW.0500')
        + huawei_auth(base)
        + [bad_input('invalid-query', dict(base, query="pipelines[?status=='FAILED'"), 'query is not a valid JMESPath'),
           bad_input('invalid-wait-until', dict(base, wait_until='length(pipelines'), 'wait_until is not a valid JMESPath'),
           bad_input('empty-id', dict(pipeline_ids=['']), 'must not contain empty ids'),
           bad_input('ids-not-a-list', dict(pipeline_ids={'id': 1}), 'pipeline_ids', 'list'),
           bad_input('missing-ids', dict(), 'missing required arguments: pipeline_ids')]
    )


def _flow_records(state):
    return len(state['flow_runs'])


def _codearts_records(state):
    return len(state['codearts_runs'].get(CA_NEW, []))


def _release_records(state):
    return None  # ServiceStage keeps no list of executions: the acted requests count them


def _acted_only(state):
    return None  # run and job actions create no record: the acted requests count them


def _v5_records(state):
    return None  # the decision is a step status: the acted requests count it


def _v3_records(state):
    return len(state['v3_reviews'])


# key -> module, acting calls (method, path regex) that must never follow each other without a read between,
# records(state) -> runs/executions/reviews the emulator holds, scenarios.
SUITES = {
    'pipeline_run-yunxiao': dict(module='pipeline_run', acting=[('POST', r'/runs$'), ('PUT', r'/stop$')],
                                 records=_flow_records, scenarios=flow_suite('yunxiao')),
    'pipeline_run-openapi': dict(module='pipeline_run', acting=[('POST', r'/run$'), ('PUT', r'/stop$')],
                                 records=_flow_records, scenarios=flow_suite('openapi')),
    'pipeline_run-codearts': dict(module='pipeline_run', acting=[('POST', r'/run$'), ('POST', r'/stop$')],
                                  records=_codearts_records, scenarios=codearts_suite()),
    'stage_execute-yunxiao': dict(module='stage_execute', acting=[('POST', r'(:|%3A)(execute|cancel)$')],
                                  records=_flow_records, scenarios=appstack_suite('yunxiao')),
    'stage_execute-openapi': dict(module='stage_execute', acting=[('POST', r'(:|%3A)(execute|cancel)$')],
                                  records=_flow_records, scenarios=appstack_suite('openapi')),
    'pipeline_action': dict(module='pipeline_action', acting=[('POST', r'/action$')],
                            records=_release_records, scenarios=release_suite()),
    'pipeline_action-codearts': dict(module='pipeline_action', acting=[
        ('PUT', r'/retry$'), ('POST', r'/stop$'), ('POST', r'/resume$'), ('POST', r'/cancel-queuing/')],
        records=_acted_only, scenarios=action_codearts_suite()),
    'pipeline_action-flow-yunxiao': dict(module='pipeline_action', acting=[('PUT', r'/jobs/\d+/(retry|skip|stop)$')],
                                         records=_acted_only, scenarios=action_flow_suite('yunxiao')),
    'pipeline_action-flow-openapi': dict(module='pipeline_action', acting=[('PUT', r'/jobs/\d+(/skip|/stop)?$')],
                                         records=_acted_only, scenarios=action_flow_suite('openapi')),
    'pipeline_action-appstack': dict(module='pipeline_action', acting=[('POST', r'(:|%3A)(retry|skip)$')],
                                     records=_acted_only, scenarios=action_appstack_suite()),
    'stage_review-v5': dict(module='stage_review', acting=[('POST', r'/(pass|refuse)$')],
                            records=_v5_records, scenarios=review_v5_suite()),
    'stage_review-checkpoint': dict(module='stage_review', acting=[('POST', r'/manual/(pass|refuse)$')],
                                    records=_v5_records,
                                    scenarios=review_gate_suite('c0000000000000000000000000000004', r'/manual/pass$')),
    'stage_review-delay': dict(module='stage_review', acting=[('POST', r'/delay-(pass|refuse)$')], records=_v5_records,
                               scenarios=review_gate_suite('c0000000000000000000000000000005', r'/delay-pass$')),
    'stage_review-v3': dict(module='stage_review', acting=[], records=_v3_records, scenarios=review_v3_suite()),
    'pipeline_status_info': dict(module='pipeline_status_info', acting=[], records=lambda state: None,
                                 scenarios=status_suite()),
}
CASES = [(key, row['name']) for key, suite in SUITES.items() for row in suite['scenarios']]

# What the suite saw, for the totals at the end: key -> {'run', 'records', 'seconds', 'seen_secrets', 'log'}.
RUNS = {}
# Playbooks run side by side, each against its own emulator (most of a scenario's time is spent waiting).
WORKERS = int(os.environ.get('FAULT_SUITE_WORKERS', '3'))


# -- running ---------------------------------------------------------------------------------------------------
def run_suite(key, env, out_dir):
    """Run the playbook of one table entry against a fresh emulator; the run, its saved records and what the
    emulator saw (its Authorization values and its last log)."""
    from tests.emulator import Emulator  # pylint: disable=import-outside-toplevel
    suite = SUITES[key]
    begin = time.time()
    emu = Emulator(time_scale=float(os.environ.get('EMULATOR_TIME_SCALE', '0.25'))).start()
    try:
        variables = dict(FIXTURE, emulator_url=emu.url, out_dir=out_dir, fault_module=suite['module'],
                         scenarios=suite['scenarios'])
        cmd = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', 'localhost,', '-c', 'local',
               os.path.join(TARGETS, 'faults', 'run.yml'), '-e', json.dumps(variables)]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900, check=False)
    finally:
        emu.stop()
    records = {}
    for row in suite['scenarios']:
        path = os.path.join(out_dir, row['name'] + '.json')
        if os.path.exists(path):
            with open(path, encoding='utf-8') as handle:
                text = handle.read()
            records[row['name']] = dict(json.loads(text), text=text)
    return dict(run=PlaybookRun(proc, out_dir), records=records, seconds=time.time() - begin,
                seen_secrets=set(emu.seen_secrets), log=list(emu.log), started=begin)


@pytest.fixture(scope='module')
def fault_runs(request, ansible_env, tmp_path_factory):
    """key -> future of ``run_suite``, for every table entry a selected test needs, started at once."""
    sys.path.insert(0, COLLECTION_ROOT)
    wanted = []
    for item in request.session.items:
        key = getattr(item, 'callspec', None) and item.callspec.params.get('key')
        if key in SUITES and key not in wanted:
            wanted.append(key)
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, WORKERS))
    futures = dict((key, pool.submit(run_suite, key, ansible_env, str(tmp_path_factory.mktemp('faults-' + key))))
                   for key in wanted)
    yield futures
    pool.shutdown(wait=True)


def _matches(entry, method, path):
    return entry['method'] == method and re.search(path, entry['path']) is not None


def _is_acting(entry, acting):
    return any(_matches(entry, method, path) for method, path in acting)


def check_scenario(suite, row, record):
    """Problems with one scenario's outcome (empty when it is exactly as expected)."""
    expect = row['expect']
    result, log, state = record['result'], record['log'], record['state']
    problems = []
    text = json.dumps(result)
    for marker in NO_TRACE:
        if marker in text:
            problems.append('%r in the result' % marker)
    failed = bool(result.get('failed'))
    msg = result.get('msg') or ''
    if 'ok' in expect and failed == expect['ok']:
        problems.append('expected %s, got %s: %s' % ('success' if expect['ok'] else 'failure', 'failure' if failed else 'success', msg))
    if 'failed_msg' in expect and not failed and not (result.get('adopted') is True or result.get('action') == 'adopted'):
        problems.append('neither a failure nor adopted')
    for part in expect.get('msg', []) + (expect.get('failed_msg', []) if failed else []):
        if part not in msg:
            problems.append('%r not in msg %r' % (part, msg))
    for name in ('status', 'code'):
        if name in expect:
            got = result.get('http_status' if name == 'status' else 'error_code')
            if got != expect[name]:
                problems.append('%s %r, expected %r' % (name, got, expect[name]))
    if expect.get('requests') == 0 and log:
        problems.append('%d requests sent, expected none: %s' % (len(log), [(e['method'], e['path']) for e in log]))
    if expect.get('adopted') and not (result.get('adopted') is True or result.get('action') == 'adopted'):
        problems.append('not adopted: action %r adopted %r' % (result.get('action'), result.get('adopted')))

    acted = sum(1 for entry in log if entry.get('acted'))
    if 'acted' in expect and acted != expect['acted']:
        problems.append('%d acted requests, expected %d' % (acted, expect['acted']))
    records = suite['records'](state)
    if records is not None and expect.get('records') is not None and records != expect['records']:
        problems.append('%d records in the emulator state, expected %d' % (records, expect['records']))

    hits = sum(1 for entry in log if entry.get('fault'))
    if 'hits' in expect and hits != expect['hits']:
        problems.append('%d faults hit, expected %d' % (hits, expect['hits']))
    acting = [entry for entry in log if _is_acting(entry, suite['acting'])]
    if expect.get('acts') is not None and suite['acting'] and len(acting) != expect['acts']:
        problems.append('%d acting requests, expected %d' % (len(acting), expect['acts']))
    # no blind retry: between two acting requests the module read the state
    for first, second in zip(acting, acting[1:]):
        between = [e for e in log if first['seq'] < e['seq'] < second['seq'] and not _is_acting(e, suite['acting'])]
        if not between:
            problems.append('acting request %s re-sent without reading state first' % second['path'])
    if 'gaps' in expect:
        method, path, mins = expect['gaps']
        same = [entry for entry in log if _matches(entry, method, path)]
        faulted = [index for index, entry in enumerate(same) if entry.get('fault')]
        for number, index in enumerate(faulted):
            if index + 1 >= len(same):
                problems.append('no retry after the fault on %s' % same[index]['path'])
                continue
            gap = same[index + 1]['time'] - same[index]['time']
            if gap < mins[min(number, len(mins) - 1)] - CLOCK_SLACK:
                problems.append('retry %d after %.3fs, expected >= %ss' % (number + 1, gap, mins[min(number, len(mins) - 1)]))
    return problems


def duplicates_of(suite, row, record):
    """Runs/executions/actions beyond the one the scenario may create."""
    acted = sum(1 for entry in record['log'] if entry.get('acted'))
    records = suite['records'](record['state'])
    allowed = 1
    return max(0, acted - allowed, (records or 0) - allowed)


# -- tests -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize('key, name', CASES, ids=['%s/%s' % case for case in CASES])
def test_fault_scenario(fault_runs, key, name):
    suite = SUITES[key]
    if key not in RUNS:
        RUNS[key] = fault_runs[key].result()
    done = RUNS[key]
    run = done['run']
    assert run.rc == 0, run
    for marker in ('Traceback', 'MODULE FAILURE'):
        assert marker not in run.output, run
    row = [r for r in suite['scenarios'] if r['name'] == name][0]
    assert name in done['records'], 'no saved result for %s\n%r' % (name, run)
    record = done['records'][name]
    problems = check_scenario(suite, row, record)
    assert not problems, '%s/%s: %s\nresult: %s\nlog: %s' % (
        key, name, '; '.join(problems), json.dumps(record['result'], indent=1)[:3000],
        json.dumps([(e['seq'], round(e['time'], 3), e['method'], e['path'], e['status'], e['fault'], e['acted'])
                    for e in record['log']]))


def test_zz_suite_totals(capsys):
    """Last: no duplicate, no secret in any output of the suite; the counts written and printed."""
    if not RUNS:
        pytest.skip('no fault scenario ran in this session')
    seen = set()
    for done in RUNS.values():
        seen |= done['seen_secrets']
    secrets = set(SECRETS) | set(WRONG.values()) | set(value for value in seen if value and len(value) >= 6)
    texts = []
    totals = dict(scenarios=0, faults_injected=0, fault_rules=0, duplicates=0, failed_checks=0, by_category={})
    for key, done in RUNS.items():
        suite = SUITES[key]
        texts.extend([done['run'].stdout, done['run'].stderr, json.dumps(done['log'])])
        for row in suite['scenarios']:
            record = done['records'].get(row['name'])
            if record is None:
                continue
            texts.append(record['text'])
            totals['scenarios'] += 1
            category = row['name'].split('-')[0]
            totals['by_category'][category] = totals['by_category'].get(category, 0) + 1
            totals['fault_rules'] += len(row['faults'])
            totals['faults_injected'] += sum(1 for entry in record['log'] if entry.get('fault'))
            totals['duplicates'] += duplicates_of(suite, row, record)
            totals['failed_checks'] += bool(check_scenario(suite, row, record))
    # the scan covers what it should: the emulator saw credentials, and the request logs are among the texts
    assert seen and any(FIXTURE['hw_project_id'] in text for text in texts)
    found = [(secret[:4] + '...', sum(text.count(secret) for text in texts)) for secret in sorted(secrets)]
    totals['secrets_checked'] = len(secrets)
    totals['secrets_found'] = sum(count for dummy, count in found)
    totals['texts_scanned'] = len(texts)
    totals['suites'] = sorted(RUNS)
    totals['complete'] = sorted(RUNS) == sorted(SUITES)
    totals['seconds'] = round(time.time() - min(done['started'] for done in RUNS.values()), 1)
    totals['workers'] = WORKERS
    totals['per_suite'] = dict((key, dict(scenarios=len(done['records']), seconds=round(done['seconds'], 1)))
                               for key, done in RUNS.items())
    out = os.path.join(COLLECTION_ROOT, 'tests', 'output')
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, 'fault_suite_counts.json'), 'w', encoding='utf-8') as handle:
        json.dump(totals, handle, indent=2, sort_keys=True)
    line = ('fault suite: %(scenarios)d scenarios, %(faults_injected)d faults injected (%(fault_rules)d rules), '
            '%(duplicates)d duplicates, %(secrets_found)d secrets found in %(texts_scanned)d outputs, %(seconds)ss' % totals)
    with capsys.disabled():  # shown with or without -s
        print('\n' + line)
    assert totals['duplicates'] == 0, totals
    assert totals['secrets_found'] == 0, [name for name, count in found if count]
