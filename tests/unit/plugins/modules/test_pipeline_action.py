# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest
import requests

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei import servicestage
from ansible_collections.devops_cloud.pipelines.plugins.modules import pipeline_action

PROJECT = '0f1e2d3c4b5a69788796a5b4c3d2e1f0'
TASK = 'rt-ok-0001'
DETAIL = r'/v3/%s/pipeline/pipelines/%s' % (PROJECT, TASK)
LIST = r'/v3/%s/pipeline/pipelines' % PROJECT
ACTION = DETAIL + '/action'
TOKEN = 'unit-token-secret-0001'
AK, SK = 'UNITAK000000000000001', 'unit-sk-secret-0001'


def args(**kwargs):
    base = dict(endpoint='https://servicestage.example.test', project_id=PROJECT, auth_token=TOKEN,
                pipeline_id=TASK, action='start', poll_interval=1.0, wait_timeout=60)
    base.update(kwargs)
    return base


def rec(status, **extra):
    record = dict(id=TASK, name='release-ok', model_version=2, config_mode='ui', status=status)
    record.update(extra)
    return dict(status=200, json=record)


def detail(fake, *statuses):
    fake.add('GET', DETAIL, *[rec(s) if isinstance(s, int) else s for s in statuses])


def answer(status=4, exec_id=286541):
    return dict(status=200, json={'id': exec_id, 'pipeline_id': TASK, 'status': status})


def acting(fake):
    return [c for c in fake.calls if c.method == 'POST']


# --- every action and its no-op case -----------------------------------------------------------

@pytest.mark.parametrize('action,before,after,extra', [
    ('start', 1, 2, {}),
    ('start', 2, 2, {}),
    ('stop', 4, 3, {}),
    ('stop', 5, 1, {}),
    ('continue', 7, 2, {}),
    ('approval', 5, 2, dict(task_name='approve-prod', approval_result='agree')),
    ('approval', 5, 3, dict(task_name='approve-prod', approval_result='refuse')),
    ('retry', 3, 2, {}),
    ('rollback', 2, 11, {}),
    ('rollback', 3, 11, {}),
])
def test_action_sent_and_waited(fake_http, run_module, no_sleep, action, before, after, extra):
    detail(fake_http, before, 4 if action != 'rollback' else 10, after)
    fake_http.add('POST', ACTION, answer(4 if action != 'rollback' else 10))
    result = run_module(pipeline_action, args(action=action, **extra))
    assert not result.get('failed'), result
    assert result['changed'] is True
    assert result['status'] == after
    assert result['previous_status'] == before
    assert result['execution_id'] == '286541'
    assert result['adopted'] is False
    posts = acting(fake_http)
    assert len(posts) == 1
    assert posts[0].query == {'action_id': [action]}
    assert posts[0].headers['Content-Type'] == 'application/json;charset=utf8'
    assert result['wait']['polls'] >= 1


@pytest.mark.parametrize('action,status', [
    ('start', 4), ('start', 5), ('start', 7), ('start', 14),
    ('stop', 1), ('stop', 2), ('stop', 3), ('stop', 11), ('stop', 13),
    ('continue', 4), ('continue', 14),
    ('retry', 4),
    ('rollback', 10), ('rollback', 11),
])
def test_noop(fake_http, run_module, action, status):
    detail(fake_http, status)
    result = run_module(pipeline_action, args(action=action))
    assert not result.get('failed'), result
    assert result['changed'] is False
    assert result['status'] == status
    assert result['execution_id'] is None
    assert acting(fake_http) == []
    assert servicestage.status_name(status) in result['msg']


@pytest.mark.parametrize('action,status,words', [
    ('start', 10, 'rolling back'),
    ('start', 13, 'stopping'),
    ('continue', 1, 'initialised'),
    ('continue', 5, 'awaiting approval'),
    ('approval', 4, 'releasing'),
    ('approval', 2, 'release succeeded'),
    ('approval', 7, 'paused'),
    ('retry', 2, 'release succeeded'),
    ('rollback', 1, 'initialised'),
])
def test_wrong_state_message(fake_http, run_module, action, status, words):
    detail(fake_http, status)
    extra = dict(task_name='approve-prod', approval_result='agree') if action == 'approval' else {}
    result = run_module(pipeline_action, args(action=action, **extra))
    assert result['failed'] is True
    assert words in result['msg'] and '(%d)' % status in result['msg']
    assert result['status'] == status and result['changed'] is False
    assert acting(fake_http) == []


def test_approval_body_wire_values(fake_http, run_module, no_sleep):
    detail(fake_http, 5, 2)
    fake_http.add('POST', ACTION, answer(4))
    result = run_module(pipeline_action, args(action='approval', task_name='approve-prod', approval_result='refuse',
                                              comment='not today', wait=False))
    assert result['changed'] is True
    assert acting(fake_http)[0].json == {'task_name': 'approve-prod', 'approval_type': 'refuse', 'message': 'not today'}


def test_approval_requires_decision(fake_http, run_module):
    result = run_module(pipeline_action, args(action='approval', task_name='approve-prod'))
    assert result['failed'] is True
    assert 'approval_result' in result['msg']
    assert fake_http.calls == []


def test_start_selected_tasks_body(fake_http, run_module):
    detail(fake_http, 1, 4)
    fake_http.add('POST', ACTION, answer(4))
    result = run_module(pipeline_action, args(selected_tasks=[dict(stage_name='prod', tasks=['deploy-prod'])],
                                              wait=False))
    assert result['changed'] is True and result['status'] == 4
    assert acting(fake_http)[0].json == {'selected_tasks': [{'stage_name': 'prod', 'tasks': ['deploy-prod']}]}


def test_start_without_options_sends_empty_object(fake_http, run_module):
    detail(fake_http, 1, 4)
    fake_http.add('POST', ACTION, answer(4))
    run_module(pipeline_action, args(wait=False))
    post = acting(fake_http)[0]
    assert post.json == {}
    assert post.headers['Content-Type'] == 'application/json;charset=utf8'


# --- waiting ---------------------------------------------------------------------------------------

def test_wait_ends_at_approval(fake_http, run_module, no_sleep):
    detail(fake_http, 1, 4, 4, 5)
    fake_http.add('POST', ACTION, answer(4))
    result = run_module(pipeline_action, args())
    assert not result.get('failed')
    assert result['status'] == 5 and result['status_name'] == 'awaiting approval'
    assert result['wait']['polls'] == 3
    assert no_sleep and all(d <= 1.0 for d in no_sleep)


def test_wait_failure_reports_same_data(fake_http, run_module, no_sleep):
    detail(fake_http, 1, 4, 3)
    fake_http.add('POST', ACTION, answer(4))
    result = run_module(pipeline_action, args())
    assert result['failed'] is True
    assert "'release failed' (3)" in result['msg']
    assert result['changed'] is True and result['status'] == 3 and result['execution_id'] == '286541'
    assert result['task']['id'] == TASK


def test_wait_rollback_failed(fake_http, run_module, no_sleep):
    detail(fake_http, 2, 10, 12)
    fake_http.add('POST', ACTION, answer(10))
    result = run_module(pipeline_action, args(action='rollback'))
    assert result['failed'] is True and 'rollback failed' in result['msg']


def test_stop_ending_failed_is_success(fake_http, run_module, no_sleep):
    detail(fake_http, 4, 13, 3)
    fake_http.add('POST', ACTION, answer(13))
    result = run_module(pipeline_action, args(action='stop'))
    assert not result.get('failed') and result['status'] == 3


def test_wait_timeout(fake_http, run_module, monkeypatch):
    clock = [0.0]
    monkeypatch.setattr('time.sleep', lambda s: clock.__setitem__(0, clock[0] + s))
    monkeypatch.setattr('time.monotonic', lambda: clock[0])
    detail(fake_http, 1, 4)
    fake_http.add('POST', ACTION, answer(4))
    result = run_module(pipeline_action, args(wait_timeout=10, poll_interval=3))
    assert result['failed'] is True
    assert "still 'releasing' (4)" in result['msg']
    assert result['status'] == 4 and result['changed'] is True
    assert clock[0] == pytest.approx(10.0)


def test_no_wait_reads_once(fake_http, run_module):
    detail(fake_http, 1, 4)
    fake_http.add('POST', ACTION, answer(4))
    result = run_module(pipeline_action, args(wait=False))
    assert 'wait' not in result and result['status'] == 4
    assert fake_http.paths() == ['GET ' + DETAIL, 'POST ' + ACTION, 'GET ' + DETAIL]


# --- check mode --------------------------------------------------------------------------------------

@pytest.mark.parametrize('action,status,changed', [('start', 1, True), ('start', 4, False), ('stop', 4, True),
                                                   ('stop', 2, False), ('continue', 7, True)])
def test_check_mode_sends_no_acting_call(fake_http, run_module, action, status, changed):
    detail(fake_http, status)
    result = run_module(pipeline_action, args(action=action), check_mode=True)
    assert result['changed'] is changed
    assert acting(fake_http) == []
    assert fake_http.paths() == ['GET ' + DETAIL]


# --- lost answers -------------------------------------------------------------------------------------

def test_lost_answer_adopted_when_state_moved(fake_http, run_module, no_sleep):
    detail(fake_http, 1, 4, 2)
    fake_http.add('POST', ACTION, requests.exceptions.ConnectionError('Connection reset by peer'))
    result = run_module(pipeline_action, args())
    assert not result.get('failed'), result
    assert result['adopted'] is True and result['changed'] is True
    assert result['status'] == 2
    assert len(acting(fake_http)) == 1


def test_lost_answer_5xx_adopted(fake_http, run_module, no_sleep):
    detail(fake_http, 7, 4, 2)
    fake_http.add('POST', ACTION, dict(status=502, json={'error_code': 'SVCSTG.00100500', 'error_msg': 'bad gateway'}))
    result = run_module(pipeline_action, args(action='continue'))
    assert result['adopted'] is True and result['status'] == 2
    assert len(acting(fake_http)) == 1


def test_lost_answer_resent_once_when_nothing_happened_and_refused(fake_http, run_module, no_sleep):
    detail(fake_http, 1, 1, 4, 2)
    fake_http.add('POST', ACTION, dict(status=503, json={'error_code': 'SVCSTG.503', 'error_msg': 'busy'}), answer(4))
    result = run_module(pipeline_action, args())
    assert not result.get('failed'), result
    assert result['adopted'] is False and result['execution_id'] == '286541'
    assert len(acting(fake_http)) == 2


def test_lost_answer_not_adopted_fails(fake_http, run_module, no_sleep):
    detail(fake_http, 1)
    fake_http.add('POST', ACTION, requests.exceptions.ReadTimeout('read timed out'))
    result = run_module(pipeline_action, args())
    assert result['failed'] is True
    assert len(acting(fake_http)) <= 3
    assert 'read timeout' in result['msg']


# --- errors ------------------------------------------------------------------------------------------

def test_http_200_with_error_body(fake_http, run_module):
    detail(fake_http, 1)
    fake_http.add('POST', ACTION, dict(status=200, json={'error_code': 'SVCSTG.00100400', 'error_msg': 'Invalid action'}))
    result = run_module(pipeline_action, args())
    assert result['failed'] is True
    assert 'SVCSTG.00100400' in result['msg'] and 'Invalid action' in result['msg']
    assert result['error_code'] == 'SVCSTG.00100400'
    assert len(acting(fake_http)) == 1


def test_unknown_task_404(fake_http, run_module):
    fake_http.add('GET', DETAIL, dict(status=404, json={'error_code': 'SVCSTG.00100404', 'error_msg': 'not found'},
                                      headers={'X-Request-Id': 'req-1'}))
    result = run_module(pipeline_action, args())
    assert result['failed'] is True and result['http_status'] == 404 and result['request_id'] == 'req-1'
    assert acting(fake_http) == []


@pytest.mark.parametrize('shape', ['table', 'array'])
def test_status_from_list_in_both_shapes(fake_http, run_module, shape):
    entries = [dict(id='other', status=2), dict(id=TASK, status=4, last_trigger_at=1739865312582)]
    body = {'pipelines': entries} if shape == 'table' else entries
    fake_http.add('GET', DETAIL, dict(status=200, json=dict(id=TASK, name='release-ok', fail_mode='stop')))
    fake_http.add('GET', LIST, dict(status=200, json=body))
    result = run_module(pipeline_action, args())
    assert result['changed'] is False and result['status'] == 4
    assert result['task']['last_trigger_at'] == 1739865312582 and result['task']['fail_mode'] == 'stop'


def test_status_missing_everywhere(fake_http, run_module):
    fake_http.add('GET', DETAIL, dict(status=200, json=dict(id=TASK)))
    fake_http.add('GET', LIST, dict(status=200, json=[]))
    result = run_module(pipeline_action, args())
    assert result['failed'] is True and 'status of release task' in result['msg']


def test_read_retries_then_succeeds(fake_http, run_module, no_sleep):
    fake_http.add('GET', DETAIL, dict(status=429, json={'error_code': 'APIGW.0308', 'error_msg': 'throttled'},
                                      headers={'Retry-After': '1'}),
                  dict(status=503, text='<html><title>busy</title></html>', headers={'Content-Type': 'text/html'}), rec(4))
    result = run_module(pipeline_action, args())
    assert result['changed'] is False and result['status'] == 4
    assert no_sleep[0] == 1.0


def test_missing_project_id(fake_http, run_module):
    a = args()
    del a['project_id']
    result = run_module(pipeline_action, a)
    assert result['failed'] is True and 'project_id' in result['msg']
    assert fake_http.calls == []


# --- secrets -------------------------------------------------------------------------------------------

@pytest.mark.parametrize('auth', ['token', 'aksk'])
def test_secrets_never_in_results(fake_http, run_module, no_sleep, auth):
    given = args()
    if auth == 'aksk':
        del given['auth_token']
        given.update(access_key=AK, secret_key=SK)
    secrets = [TOKEN] if auth == 'token' else [AK, SK]
    fake_http.add('GET', DETAIL, rec(1), rec(4), rec(2))
    fake_http.add('POST', ACTION, dict(status=401, json={'error_code': 'APIGW.0301',
                                                         'error_msg': 'Incorrect IAM authentication information: '
                                                         + ' '.join(secrets)}))
    result = run_module(pipeline_action, given)
    assert result['failed'] is True and 'authentication' in result['msg']
    text = json.dumps(result)
    for secret in secrets:
        assert secret not in text
    headers = fake_http.calls[0].headers
    if auth == 'token':
        assert headers['X-Auth-Token'] == TOKEN
    else:
        assert headers['Authorization'].startswith('SDK-HMAC-SHA256 Access=%s' % AK)


# --- skip_if_succeeded --------------------------------------------------------------------------------

@pytest.mark.parametrize('check_mode', [False, True])
@pytest.mark.parametrize('wait', [True, False])
def test_skip_if_succeeded_sends_nothing_for_a_succeeded_task(fake_http, run_module, no_sleep, wait, check_mode):
    fake_http.add('GET', DETAIL, rec(2, execution_id='286540'))
    result = run_module(pipeline_action, args(skip_if_succeeded=True, wait=wait), check_mode=check_mode)
    assert not result.get('failed'), result
    assert result['changed'] is False and result['status'] == 2 and result['previous_status'] == 2
    assert 'already succeeded' in result['msg']
    assert result['execution_id'] == '286540' and result['task']['name'] == 'release-ok'
    assert 'response' not in result and 'wait' not in result
    assert acting(fake_http) == [] and fake_http.paths() == ['GET ' + DETAIL] and no_sleep == []


@pytest.mark.parametrize('status', [1, 3, 9, 11, 12])
def test_skip_if_succeeded_starts_a_task_that_did_not_succeed(fake_http, run_module, no_sleep, status):
    detail(fake_http, status, 4, 2)
    fake_http.add('POST', ACTION, answer(4))
    result = run_module(pipeline_action, args(skip_if_succeeded=True))
    assert not result.get('failed'), result
    assert result['changed'] is True and result['status'] == 2 and len(acting(fake_http)) == 1


def test_skip_if_succeeded_off_releases_a_succeeded_task_again(fake_http, run_module, no_sleep):
    detail(fake_http, 2, 4, 2)
    fake_http.add('POST', ACTION, answer(4))
    result = run_module(pipeline_action, args())
    assert result['changed'] is True and len(acting(fake_http)) == 1


def test_skip_if_succeeded_only_with_start(fake_http, run_module):
    result = run_module(pipeline_action, args(action='stop', skip_if_succeeded=True))
    assert result['failed'] is True and 'skip_if_succeeded is only used with action=start' in result['msg']
    assert fake_http.calls == []


@pytest.mark.parametrize('record, expected', [(rec(1, execution_id='286540'), '286540'), (rec(1), None)])
def test_check_mode_returns_the_execution_id_of_the_record(fake_http, run_module, record, expected):
    fake_http.add('GET', DETAIL, record)
    result = run_module(pipeline_action, args(), check_mode=True)
    assert result['changed'] is True and result['execution_id'] == expected, result
    assert acting(fake_http) == []


# --- bad input fails before any request (issue 10) -----------------------------------------------------------

@pytest.mark.parametrize('extra, text', [
    # wait options: a release used to start before poll_interval/wait_timeout were looked at
    (dict(poll_interval=-1), 'poll_interval must be greater than 0'),
    (dict(poll_interval=0), 'poll_interval must be greater than 0'),
    (dict(poll_interval=float('nan')), 'poll_interval must be a finite number'),
    (dict(wait_timeout=-10), 'wait_timeout must not be negative'),
    (dict(wait=False, poll_interval=-1), 'poll_interval must be greater than 0'),
    # dot segments would change the request path
    (dict(pipeline_id='..'), "pipeline_id must not be '..'"),
    (dict(pipeline_id='.'), "pipeline_id must not be '.'"),
    (dict(pipeline_id='rt/../other'), 'pipeline_id must not contain "/"'),
    (dict(project_id='..'), "project_id must not be '..'"),
    (dict(project_id=''), 'project_id is required'),  # empty = not set (AWX), still before any request
    (dict(pipeline_id=''), 'pipeline_id must not be empty'),
    # an empty selection used to be left out of the body, which releases every task
    (dict(selected_tasks=[]), 'selected_tasks must not be an empty list'),
    (dict(selected_tasks=[dict(stage_name='deploy', tasks=[])]), 'selected_tasks[0].tasks must not be an empty list'),
    (dict(selected_tasks=[dict(stage_name='deploy', tasks=[''])]), 'selected_tasks[0].tasks must not contain empty'),
    (dict(selected_tasks=[dict(stage_name=' ', tasks=['a'])]), 'selected_tasks[0].stage_name must not be blank'),
    # an empty task name used to be sent and refused by the server only
    (dict(action='approval', task_name='', approval_result='agree'), 'task_name must not be empty'),
    (dict(action='approval', task_name='   ', approval_result='agree'), 'task_name must not be blank'),
    (dict(action='approval', task_name=['approve-prod'], approval_result='agree'), 'task_name must be a string, not a list'),
    (dict(region='cn-north-4.evil.test/x', endpoint=None), 'region must be a region id'),
])
def test_bad_options_fail_before_any_request(fake_http, run_module, extra, text):
    result = run_module(pipeline_action, args(**extra))
    assert result['failed'] is True and result['msg'].startswith(text), result
    assert fake_http.calls == []


# --- approval: the task list of the record names the task that waits (issue 10 item 12) ----------------------

def waiting_at(task, status=5, waiting_status='waiting'):
    """A release task record awaiting approval at ``task``, with the detail's task list."""
    stages = [dict(name='staging', tasks=[dict(name='deploy-staging', type='deploy', status='success')]),
              dict(name='prod', tasks=[dict(name='approve-prod', type='approval',
                                            status=waiting_status if task == 'approve-prod' else 'pending'),
                                       dict(name='deploy-prod', type='deploy', status='pending')])]
    return rec(status, execution_id='286541', pipeline_declaration=dict(sources=[], stages=stages))


@pytest.mark.parametrize('check_mode', [True, False])
@pytest.mark.parametrize('task_name, words', [
    ('approve-qa', "the release task has no task named 'approve-qa'; the task awaiting approval is 'approve-prod'"),
    ('deploy-prod', "task 'deploy-prod' is not awaiting approval, it is 'pending'; the task awaiting approval is "
                    "'approve-prod'"),
])
def test_approval_of_a_task_that_does_not_wait_fails_as_the_server_would(
        fake_http, run_module, check_mode, task_name, words):
    """Check mode used to predict changed=true here; the real run then got HTTP 400 from the server."""
    detail(fake_http, waiting_at('approve-prod'))
    result = run_module(pipeline_action, args(action='approval', task_name=task_name, approval_result='agree'),
                        check_mode=check_mode)
    assert result['failed'] is True and result['changed'] is False, result
    assert result['msg'] == 'release task %s: cannot approve or refuse: %s' % (TASK, words)
    assert acting(fake_http) == []


@pytest.mark.parametrize('waiting_status', ['waiting', 'AWAITING_APPROVAL', 'something-new'])
def test_approval_of_the_waiting_task_is_predicted_and_sent(fake_http, run_module, no_sleep, waiting_status):
    detail(fake_http, waiting_at('approve-prod', waiting_status=waiting_status))
    given = args(action='approval', task_name='approve-prod', approval_result='agree')
    assert run_module(pipeline_action, given, check_mode=True)['changed'] is True
    assert acting(fake_http) == []
    detail(fake_http, waiting_at('approve-prod', waiting_status=waiting_status), rec(2))
    fake_http.add('POST', ACTION, answer(4))
    result = run_module(pipeline_action, given)
    assert result['changed'] is True and not result.get('failed'), result
    assert len(acting(fake_http)) == 1


# --- diff mode -----------------------------------------------------------------------------------------------

def test_diff_of_an_action(fake_http, run_module, no_sleep):
    detail(fake_http, rec(1, execution_id='100'), rec(4), rec(2, execution_id='286541'))
    fake_http.add('POST', ACTION, answer(4))
    result = run_module(pipeline_action, args(_ansible_diff=True))
    assert result['diff'] == dict(
        before=dict(status=1, status_name='initialised', execution_id='100'),
        after=dict(status=2, status_name='release succeeded', execution_id='286541'))


@pytest.mark.parametrize('action, extra, status, after', [
    ('start', {}, 1, dict(status=4, status_name='releasing', execution_id=None)),
    ('stop', {}, 4, dict(status=13, status_name='stopping', execution_id='9')),
    ('approval', dict(task_name='approve-prod', approval_result='refuse'), 5,
     dict(status=3, status_name='release failed', execution_id='9')),
    ('stop', {}, 2, dict(status=2, status_name='release succeeded', execution_id='9')),  # nothing to do
])
def test_diff_in_check_mode_predicts(fake_http, run_module, action, extra, status, after):
    detail(fake_http, rec(status, execution_id='9'))
    result = run_module(pipeline_action, args(action=action, _ansible_diff=True, **extra), check_mode=True)
    assert result['diff'] == dict(before=dict(status=status, status_name=servicestage.status_name(status),
                                              execution_id='9'), after=after)
    assert acting(fake_http) == []


def test_no_diff_without_diff_mode(fake_http, run_module):
    detail(fake_http, rec(1))
    assert 'diff' not in run_module(pipeline_action, args(), check_mode=True)
