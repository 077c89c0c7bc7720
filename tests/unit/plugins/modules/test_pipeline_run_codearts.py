# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""pipeline_run on Huawei Cloud CodeArts Pipeline v5, at the HTTP layer (fake_http): exact calls and bodies."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import time

import pytest
import requests

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei import codearts_runs as cr
from ansible_collections.devops_cloud.pipelines.plugins.module_utils import _clouds
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._engine import OptionError
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._run_clouds import id_cloud, infer
from ansible_collections.devops_cloud.pipelines.plugins.modules import pipeline_run

PROJECT = '0f1e2d3c4b5a69788796a5b4c3d2e1f0'
PID = 'c0000000000000000000000000000001'
TOKEN = 'hw-unit-token-secret-0001'
P = r'/v5/%s/api/pipelines/%s' % (PROJECT, PID)
LIST, DETAIL, RUN = P + '/pipeline-runs/list', P + '/pipeline-runs/detail', P + '/run'
R1, R2, R3 = 'r' * 31 + '1', 'r' * 31 + '2', 'r' * 31 + '3'
REPO = 'https://codehub.example.test/demo/app.git'


@pytest.fixture
def clock(no_sleep, monkeypatch):
    monkeypatch.setattr(time, 'monotonic', lambda: 1000.0 + sum(no_sleep))
    return no_sleep


def args(**kwargs):
    base = dict(pipeline_id=PID, project_id=PROJECT, auth_token=TOKEN, huawei_endpoint='https://hw.example.test',
                poll_interval=1.0, wait_timeout=60)
    base.update(kwargs)
    return base


def entry(run_id, status, start=1735689600000, number=1, branch='master'):
    return {'pipeline_id': PID, 'pipeline_run_id': run_id, 'status': status, 'run_number': number,
            'start_time': start, 'end_time': None, 'detail_url': 'https://console.example/%s' % run_id,
            'build_params': {'build_type': 'branch', 'target_branch': branch, 'git_url': REPO}}


def listing(*entries):
    return dict(status=200, json={'offset': 0, 'limit': 30, 'total': len(entries), 'pipeline_runs': list(entries)})


def detail(run_id, status, failed_job=None, sources=None, start=1735689600000):
    test = 'FAILED' if failed_job else ('COMPLETED' if status == 'COMPLETED' else 'INIT')
    return dict(status=200, json={
        'id': run_id, 'pipeline_id': PID, 'status': status, 'run_number': 2, 'trigger_type': 'Manual',
        'start_time': start, 'end_time': None, 'detail_url': 'https://console.example/%s' % run_id,
        'sources': sources or [], 'executor_name': 'emu',
        'stages': [
            {'id': 's1', 'name': 'Build', 'identifier': 'stage_0', 'status': 'COMPLETED', 'pre': [], 'post': [],
             'jobs': [{'id': 'j1', 'name': 'build', 'identifier': 'job_0', 'status': 'COMPLETED',
                       'steps': [{'id': 'st1', 'name': 'build', 'task': 'official_shell_plugin', 'status': 'COMPLETED'}]}]},
            {'id': 's2', 'name': 'Test', 'identifier': 'stage_1', 'status': test, 'pre': [], 'post': [],
             'jobs': [{'id': 'j2', 'name': failed_job or 'unit', 'identifier': 'job_1', 'status': test, 'steps': []}]},
        ]})


def queued_answer(status, run_id=R2, code='DEVPIPE.00011169'):
    return dict(status=status, json={'error_code': code, 'error_msg': 'The maximum concurrency is reached',
                                     'error': {'pipeline_run_id': run_id, 'queue_id': 'q' * 32}})


def acting(fake):
    return [c for c in fake.calls if c.method != 'GET' and not c.path.endswith('/list')]


# --- inference and option checks --------------------------------------------------------------------

@pytest.mark.parametrize('value, cloud', [('1001', 'alibaba'), (1001, 'alibaba'), (PID, 'huawei'), ('9' * 32, 'huawei'),
                                          ('abc', None), ('-1', None), ('1' * 21, None), ('a' * 33, None)])
def test_id_cloud(value, cloud):
    assert id_cloud(value) == cloud


def test_infer_needs_ids_of_one_cloud():
    assert infer(dict(pipeline_id=PID, run_id=R1)) == 'huawei'
    assert infer(dict(pipeline_id='1001', run_id='5')) == 'alibaba'
    assert infer(dict(pipeline_id='1001', run_id=R1)) is None


@pytest.mark.parametrize('extra, msg', [
    (dict(pipeline_id='abc'), 'pipeline_id must be a positive integer (an Alibaba Cloud Flow id) or 32 letters'),
    (dict(pipeline_id='1001', cloud='huawei'), "pipeline_id must be a Huawei Cloud CodeArts id (32 letters and digits), not '1001'"),
    (dict(cloud='alibaba', organization_id='o1'), 'pipeline_id must be a positive integer (an Alibaba Cloud Flow id), not'),
    (dict(pipeline_id='abc', cloud='huawei'), 'pipeline_id must be a Huawei Cloud CodeArts id'),
    (dict(state='canceled', run_id='7'), 'pipeline_id and run_id are ids of different clouds'),
    (dict(branches={REPO: 'main'}), 'branches is an option of Alibaba Cloud Flow runs; it cannot be used with Huawei'),
    (dict(comment='x'),
     'comment is an option of Alibaba Cloud Flow runs; it cannot be used with Huawei Cloud CodeArts (cloud=huawei): use description'),
    (dict(pipeline_id='1001', organization_id='o1', sources=[dict(git_url=REPO)]),
     'sources is an option of Huawei Cloud CodeArts runs; it cannot be used with Alibaba Cloud Flow'),
    (dict(pipeline_id='1001'), 'organization_id is required'),
    (dict(pipeline_id='1001', organization_id='o1', endpoint='https://cloudpipeline-ext.cn-north-4.myhuaweicloud.com'),
     'is a public host of Huawei Cloud, but this task is for Alibaba Cloud: with module_defaults for both clouds set '
     'huawei_endpoint and alibaba_endpoint'),
    (dict(pipeline_id='1001', organization_id='o1', endpoint='cloudpipeline-ext.ap-southeast-1.huaweicloud.com'),
     'is a public host of Huawei Cloud'),
    (dict(pipeline_id='1001', organization_id='o1', variables={'A': 1}),
     'variables is an option of Huawei Cloud CodeArts runs; it cannot be used with Alibaba Cloud Flow (cloud=alibaba): use envs'),
    (dict(project_id=None), 'project_id is required'),
    (dict(choose_stages=[]), 'choose_stages must not be an empty list'),
    (dict(sources=[dict(git_url=REPO, branch='a', tag='b')]), 'mutually exclusive'),
    (dict(description='x' * 1025), 'description is 1025 characters long'),
    (dict(run_id=R1), 'run_id is only used with state=canceled'),
])
def test_bad_options_send_nothing(fake_http, run_module, extra, msg):
    result = run_module(pipeline_run, args(**extra))
    assert result['failed'] and msg in result['msg'], result['msg']
    assert fake_http.calls == []


# --- start -------------------------------------------------------------------------------------------

def test_start_builds_the_body_and_lists_newest_first(fake_http, run_module):
    fake_http.add('POST', LIST, listing(entry(R1, 'COMPLETED')))
    fake_http.add('POST', RUN, dict(status=200, json={'pipeline_run_id': R2}))
    fake_http.add('GET', DETAIL, detail(R2, 'RUNNING'))
    result = run_module(pipeline_run, args(
        sources=[dict(git_url=REPO, branch='release/1.4', alias='app', codehub_id='2111', event_type='Manual'),
                 dict(git_url='https://github.com/o/lib', git_type='github', tag='v1', endpoint_id='e1')],
        variables={'DEPLOY_ENV': 'staging', 'N': 3, 'B': True}, choose_stages=['stage_0'], choose_jobs=['job_0'],
        description='Release 1.4'))
    assert not result.get('failed'), result
    assert result['changed'] is True and result['action'] == 'started' and result['queued'] is False
    assert result['run_id'] == R2 and result['url'] == 'https://console.example/%s' % R2
    assert result['run']['status'] == 'RUNNING' and [s['name'] for s in result['run']['stages']] == ['Build', 'Test']
    assert fake_http.paths() == ['POST ' + LIST, 'POST ' + RUN, 'GET ' + DETAIL]
    assert fake_http.calls[0].json == {'offset': 0, 'limit': 30, 'sort_key': 'start_time', 'sort_dir': 'desc'}
    assert fake_http.calls[2].query == {'pipeline_run_id': [R2]}
    assert fake_http.calls[1].headers['X-Auth-Token'] == TOKEN
    assert fake_http.calls[1].json == {
        'sources': [
            {'type': 'code', 'params': {'git_type': 'codehub', 'git_url': REPO, 'alias': 'app', 'codehub_id': '2111',
                                        'build_params': {'build_type': 'branch', 'target_branch': 'release/1.4',
                                                         'event_type': 'Manual'}}},
            {'type': 'code', 'params': {'git_type': 'github', 'git_url': 'https://github.com/o/lib', 'endpoint_id': 'e1',
                                        'build_params': {'build_type': 'tag', 'tag': 'v1'}}}],
        'variables': [{'name': 'DEPLOY_ENV', 'value': 'staging'}, {'name': 'N', 'value': '3'}, {'name': 'B', 'value': 'true'}],
        'choose_stages': ['stage_0'], 'choose_jobs': ['job_0'], 'description': 'Release 1.4'}
    assert TOKEN not in json.dumps(result)


def test_start_without_options_sends_an_empty_body(fake_http, run_module):
    fake_http.add('POST', LIST, listing())
    fake_http.add('POST', RUN, dict(status=200, json={'pipeline_run_id': R1}))
    fake_http.add('GET', DETAIL, detail(R1, 'RUNNING'))
    result = run_module(pipeline_run, args(cloud='huawei', sources=[], variables={}))
    assert result['action'] == 'started'
    assert fake_http.calls[1].json == {}


def test_live_run_is_returned_without_a_second_start(fake_http, run_module):
    fake_http.add('POST', LIST, listing(entry(R2, 'RUNNING', number=2), entry(R1, 'COMPLETED')))
    fake_http.add('GET', DETAIL, detail(R2, 'RUNNING'))
    result = run_module(pipeline_run, args())
    assert result['changed'] is False and result['action'] == 'existing' and result['run_id'] == R2
    assert acting(fake_http) == []


def test_queued_run_without_start_time_counts_as_live_and_newest(fake_http, run_module):
    # the server lists by start time; a queued run has none: it must still be seen as the newest, live one
    fake_http.add('POST', LIST, listing(entry(R1, 'COMPLETED', start=1735689600000), entry(R2, 'QUEUED', start=None)))
    fake_http.add('GET', DETAIL, detail(R2, 'QUEUED', start=None))
    result = run_module(pipeline_run, args())
    assert result['action'] == 'existing' and result['run_id'] == R2
    assert acting(fake_http) == []


def test_list_is_sorted_client_side_too():
    runs = [cr.normalize_entry(e) for e in (entry(R1, 'COMPLETED', start=1, number=1), entry(R3, 'RUNNING', start=None, number=3),
                                            entry(R2, 'FAILED', start=2, number=2))]
    assert [r['id'] for r in sorted(runs, key=cr._newest_first, reverse=True)] == [R3, R2, R1]


def test_force_starts_next_to_a_live_run(fake_http, run_module):
    fake_http.add('POST', LIST, listing(entry(R1, 'RUNNING')))
    fake_http.add('POST', RUN, dict(status=200, json={'pipeline_run_id': R2}))
    fake_http.add('GET', DETAIL, detail(R2, 'RUNNING'))
    result = run_module(pipeline_run, args(force=True))
    assert result['action'] == 'started' and result['run_id'] == R2
    assert [c.path for c in acting(fake_http)] == [RUN]


@pytest.mark.parametrize('status', [200, 202])
@pytest.mark.parametrize('code', ['DEVPIPE.00011169', 'DEVPIPE.00011170'])
def test_queued_start_is_a_start(fake_http, run_module, status, code):
    fake_http.add('POST', LIST, listing(entry(R1, 'COMPLETED')))
    fake_http.add('POST', RUN, queued_answer(status, code=code))
    fake_http.add('GET', DETAIL, detail(R2, 'RUNNING', start=None))
    result = run_module(pipeline_run, args(force=True))
    assert not result.get('failed'), result
    assert result['changed'] is True and result['action'] == 'started'
    assert result['queued'] is True and result['queue_id'] == 'q' * 32 and result['run_id'] == R2
    assert code in result['queue_message']
    assert len(acting(fake_http)) == 1


def test_queued_start_without_run_id_adopts_the_listed_run(fake_http, run_module):
    fake_http.add('POST', LIST, listing(entry(R1, 'COMPLETED')), listing(entry(R2, 'RUNNING', start=None), entry(R1, 'COMPLETED')))
    fake_http.add('POST', RUN, dict(status=200, json={'error_code': 'DEVPIPE.00011169', 'error_msg': 'queued'}))
    fake_http.add('GET', DETAIL, detail(R2, 'RUNNING', start=None))
    result = run_module(pipeline_run, args())
    assert result['queued'] is True and result['run_id'] == R2 and result['queue_id'] is None
    assert len(acting(fake_http)) == 1


def test_other_error_body_with_200_fails(fake_http, run_module):
    fake_http.add('POST', LIST, listing())
    fake_http.add('POST', RUN, dict(status=200, json={'error_code': 'DEVPIPE.00011101', 'error_msg': 'bad sources'}))
    result = run_module(pipeline_run, args())
    assert result['failed'] and 'DEVPIPE.00011101' in result['msg'] and result['error_code'] == 'DEVPIPE.00011101'
    assert result['changed'] is False


def test_lost_start_answer_adopts_the_new_run_and_never_resends(fake_http, run_module, no_sleep):
    fake_http.add('POST', LIST, listing(entry(R1, 'COMPLETED')), listing(entry(R2, 'RUNNING', number=2), entry(R1, 'COMPLETED')))
    fake_http.add('POST', RUN, requests.exceptions.ConnectionError('Connection reset by peer'))
    fake_http.add('GET', DETAIL, detail(R2, 'RUNNING'))
    result = run_module(pipeline_run, args())
    assert not result.get('failed'), result
    assert result['action'] == 'adopted' and result['run_id'] == R2 and result['changed'] is True
    assert len([c for c in fake_http.calls if c.path == RUN]) == 1


def test_lost_start_answer_without_a_new_run_fails_without_resending(fake_http, run_module, no_sleep):
    fake_http.add('POST', LIST, listing(entry(R1, 'COMPLETED')))
    fake_http.add('POST', RUN, dict(status=502, json={'error_code': 'APIGW.0502', 'error_msg': 'bad gateway'}))
    result = run_module(pipeline_run, args())
    assert result['failed'] and 'not sent again' in result['msg']
    assert len([c for c in fake_http.calls if c.path == RUN]) == 1


def test_check_mode_sends_no_start(fake_http, run_module):
    fake_http.add('POST', LIST, listing(entry(R1, 'COMPLETED')))
    result = run_module(pipeline_run, args(), check_mode=True)
    assert result['changed'] is True and result['action'] == 'would_start' and result['run'] is None
    assert acting(fake_http) == []


# --- finished ----------------------------------------------------------------------------------------

def test_finished_success(fake_http, run_module, clock):
    fake_http.add('POST', LIST, listing())
    fake_http.add('POST', RUN, dict(status=200, json={'pipeline_run_id': R1}))
    fake_http.add('GET', DETAIL, detail(R1, 'RUNNING'), detail(R1, 'COMPLETED'))
    result = run_module(pipeline_run, args(state='finished'))
    assert not result.get('failed'), result
    assert result['run']['status'] == 'COMPLETED' and 'failing_job' not in result


def test_finished_failure_names_stage_and_job(fake_http, run_module, clock):
    fake_http.add('POST', LIST, listing())
    fake_http.add('POST', RUN, dict(status=200, json={'pipeline_run_id': R1}))
    fake_http.add('GET', DETAIL, detail(R1, 'RUNNING'), detail(R1, 'FAILED', failed_job='unit-test'))
    result = run_module(pipeline_run, args(state='finished'))
    assert result['failed'] and result['failing_stage'] == 'Test' and result['failing_job'] == 'unit-test'
    assert "ended FAILED: stage 'Test' job 'unit-test' (FAILED)" in result['msg']
    assert result['run_id'] == R1 and result['changed'] is True


def test_finished_times_out_waiting_at_a_paused_run(fake_http, run_module, clock):
    fake_http.add('POST', LIST, listing(entry(R1, 'PAUSED')))
    fake_http.add('GET', DETAIL, detail(R1, 'PAUSED'))
    result = run_module(pipeline_run, args(state='finished', wait_timeout=5))
    assert result['failed'] and 'timed out after 5s' in result['msg'] and 'PAUSED' in result['msg']


# --- skip_if_succeeded -----------------------------------------------------------------------------

SOURCES = [{'type': 'code', 'params': {'git_type': 'codehub', 'git_url': REPO,
                                       'build_params': {'build_type': 'branch', 'target_branch': 'release/1.4'}}}]


def test_skip_if_succeeded_reuses_a_run_with_the_same_branch(fake_http, run_module):
    fake_http.add('POST', LIST, listing(entry(R1, 'COMPLETED')))
    fake_http.add('GET', DETAIL, detail(R1, 'COMPLETED', sources=SOURCES))
    result = run_module(pipeline_run, args(skip_if_succeeded=True, sources=[dict(git_url=REPO[:-4] + '/', branch='release/1.4')]))
    assert result['action'] == 'skipped_succeeded' and result['changed'] is False and result['run_id'] == R1
    assert acting(fake_http) == []


def test_skip_if_succeeded_compares_the_list_entry_when_the_detail_has_no_sources(fake_http, run_module):
    fake_http.add('POST', LIST, listing(entry(R1, 'COMPLETED', branch='release/1.4')))
    fake_http.add('GET', DETAIL, detail(R1, 'COMPLETED'))
    result = run_module(pipeline_run, args(skip_if_succeeded=True, sources=[dict(git_url=REPO, branch='release/1.4')]))
    assert result['action'] == 'skipped_succeeded'


def test_skip_if_succeeded_starts_for_another_branch(fake_http, run_module):
    fake_http.add('POST', LIST, listing(entry(R1, 'COMPLETED')))
    fake_http.add('GET', DETAIL, detail(R1, 'COMPLETED', sources=SOURCES), detail(R2, 'RUNNING'))
    fake_http.add('POST', RUN, dict(status=200, json={'pipeline_run_id': R2}))
    result = run_module(pipeline_run, args(skip_if_succeeded=True, sources=[dict(git_url=REPO, tag='release/1.4')]))
    assert result['action'] == 'started' and result['run_id'] == R2


def test_skip_if_succeeded_ignores_an_older_success_after_a_failure(fake_http, run_module):
    fake_http.add('POST', LIST, listing(entry(R2, 'FAILED', number=2), entry(R1, 'COMPLETED')))
    fake_http.add('POST', RUN, dict(status=200, json={'pipeline_run_id': R3}))
    fake_http.add('GET', DETAIL, detail(R3, 'RUNNING'))
    result = run_module(pipeline_run, args(skip_if_succeeded=True))
    assert result['action'] == 'started'


# --- canceled ----------------------------------------------------------------------------------------

def test_cancel_stops_the_live_run(fake_http, run_module):
    fake_http.add('POST', LIST, listing(entry(R2, 'RUNNING', number=2), entry(R1, 'COMPLETED')))
    fake_http.add('GET', DETAIL, detail(R2, 'RUNNING'), detail(R2, 'RUNNING'), detail(R2, 'CANCELED'))
    fake_http.add('POST', P + '/pipeline-runs/%s/stop' % R2, dict(status=200, json={'success': True}))
    result = run_module(pipeline_run, args(state='canceled'))
    assert result['changed'] is True and result['action'] == 'stopped' and result['canceled_run_ids'] == [R2]
    stop = acting(fake_http)[0]
    assert stop.path == P + '/pipeline-runs/%s/stop' % R2 and stop.body is None


def test_cancel_a_given_run_id(fake_http, run_module):
    fake_http.add('GET', DETAIL, detail(R1, 'RUNNING'), detail(R1, 'CANCELED'))
    fake_http.add('POST', P + '/pipeline-runs/%s/stop' % R1, dict(status=200, json={'success': True}))
    result = run_module(pipeline_run, args(state='canceled', run_id=R1))
    assert result['canceled_run_ids'] == [R1] and fake_http.calls[0].query == {'pipeline_run_id': [R1]}


def test_cancel_with_nothing_live_changes_nothing(fake_http, run_module):
    fake_http.add('POST', LIST, listing(entry(R1, 'COMPLETED')))
    result = run_module(pipeline_run, args(state='canceled'))
    assert result['changed'] is False and result['action'] == 'none' and result['canceled_run_ids'] == []
    assert acting(fake_http) == []


def test_stop_refused_with_success_false_fails(fake_http, run_module):
    fake_http.add('GET', DETAIL, detail(R1, 'RUNNING'))
    fake_http.add('POST', P + '/pipeline-runs/%s/stop' % R1, dict(status=200, json={'success': False}))
    result = run_module(pipeline_run, args(state='canceled', run_id=R1))
    assert result['failed'] and 'success: false' in result['msg']


# --- both clouds -----------------------------------------------------------------------------------

def test_alibaba_defaults_are_not_sent_to_huawei(fake_http, run_module):
    # module_defaults of both groups reach the module: the Alibaba ones stay unused for a CodeArts id
    fake_http.add('POST', LIST, listing(entry(R1, 'RUNNING')))
    fake_http.add('GET', DETAIL, detail(R1, 'RUNNING'))
    result = run_module(pipeline_run, args(organization_id='60d54f3daccf2bbd6659f3ad', yunxiao_token='pt-x-secret-1',
                                           endpoint='https://ali.example.test'))
    assert result['action'] == 'existing'
    assert all(c.url.startswith('https://hw.example.test/') for c in fake_http.calls)
    assert all('x-yunxiao-token' not in c.headers for c in fake_http.calls)


def test_flow_id_as_text_and_cloud_alibaba(fake_http, run_module):
    tok = r'/oapi/v1/flow/organizations/o1/pipelines/1001'
    fake_http.add('GET', tok + '/runs', dict(status=200, json=[{'pipelineRunId': 5, 'status': 'RUNNING'}]))
    fake_http.add('GET', tok + '/runs/5', dict(status=200, json={'pipelineRunId': 5, 'pipelineId': 1001, 'status': 'RUNNING'}))
    result = run_module(pipeline_run, dict(pipeline_id='1001', cloud='alibaba', organization_id='o1', yunxiao_token='pt-1',
                                           yunxiao_base_url='https://yx.example.test', project_id=PROJECT))
    assert result['action'] == 'existing' and result['run_id'] == 5 and result['run']['pipeline_id'] == 1001
    assert result['url'] == 'https://flow.aliyun.com/pipelines/1001/builds/5' and 'queued' not in result


# --- pure helpers ------------------------------------------------------------------------------------

def test_run_body_leaves_out_what_is_not_given():
    assert cr.run_body() == {}
    assert cr.run_body(sources=[], variables={}, choose_stages=[], choose_jobs=None, description='') == {'description': ''}
    assert cr.source_body(dict(git_url=REPO, event_type='Push')) == {'type': 'code', 'params': {'git_type': 'codehub', 'git_url': REPO}}


@pytest.mark.parametrize('source, ref', [
    ({'type': 'code', 'params': {'git_url': REPO, 'build_params': {'build_type': 'tag', 'tag': 'v1'}}}, (REPO[:-4], 'tag', 'v1')),
    ({'git_url': REPO.upper() + '/', 'build_type': 'branch', 'target_branch': 'main'}, (REPO[:-4], 'branch', 'main')),
    ({'params': {'git_url': REPO}}, (REPO[:-4], 'branch', None)),
    ({'params': {}}, None), (None, None),
])
def test_source_ref(source, ref):
    assert cr.source_ref(source) == ref


def test_error_body_is_kept_on_the_api_error(fake_http):
    from ansible_collections.devops_cloud.pipelines.plugins.module_utils._http import ApiError
    from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei.client import make_client
    fake_http.add('POST', RUN, queued_answer(201))
    client = make_client(dict(auth_token=TOKEN, endpoint='https://hw.example.test', project_id=PROJECT), 'codearts')
    with pytest.raises(ApiError) as err:
        client.call('POST', RUN, body={}, idempotent=False)
    assert err.value.code == 'DEVPIPE.00011169' and err.value.status == 201
    assert err.value.data['error'] == {'pipeline_run_id': R2, 'queue_id': 'q' * 32}


def test_per_cloud_endpoint_is_checked_under_its_own_name(fake_http, run_module):
    result = run_module(pipeline_run, args(huawei_endpoint='https://user:pw@hw.example.test'))
    assert result['failed'] and result['msg'].startswith('huawei_endpoint must not contain a user name')
    assert fake_http.calls == []


@pytest.mark.parametrize('variable', ['HUAWEICLOUD_SDK_REGION', 'HUAWEICLOUD_SDK_PROJECT_ID'])
def test_flow_task_of_0_1_0_with_huawei_environment(fake_http, run_module, monkeypatch, variable):
    # an AWX job with a Huawei credential attached: access_key/secret_key of a 0.1.0 Flow task stay Alibaba's
    monkeypatch.setenv(variable, 'cn-north-4' if variable.endswith('REGION') else PROJECT)
    pop = r'/organization/o1/pipelines/1001/pipelineRuns'
    fake_http.add('GET', pop, dict(status=200, json={'success': True, 'pipelineRuns': [{'pipelineRunId': 5, 'status': 'RUNNING'}]}))
    fake_http.add('GET', pop + '/5', dict(status=200, json={'success': True, 'pipelineRun': {'pipelineRunId': 5, 'status': 'RUNNING'}}))
    result = run_module(pipeline_run, dict(organization_id='o1', pipeline_id=1001, access_key='LTAIUNIT0001', secret_key='ali-unit-sk-1',
                                           endpoint='https://devops.example.test'))
    assert not result.get('failed'), result
    assert result['action'] == 'existing' and 'LTAIUNIT0001' in fake_http.calls[0].headers['Authorization']


# --- wait_until: gate --------------------------------------------------------------------------------

def gated_detail(run_id, step_status):
    """c...03-like: stage 'Review', job 'Approval', step 'manual-review' (the checkpoint plugin of a job step: a
    manual review, as stage_review finds it)."""
    answer = detail(run_id, 'RUNNING')
    answer['json']['stages'][1] = {
        'id': 's3', 'name': 'Review', 'identifier': 'stage_2', 'status': 'RUNNING', 'pre': [], 'post': [],
        'jobs': [{'id': 'j3', 'name': 'Approval', 'identifier': 'job_2', 'status': 'RUNNING',
                  'steps': [{'id': 'st3', 'name': 'manual-review', 'task': 'official_devcloud_checkpoint',
                             'status': step_status}]}]}
    return answer


def test_wait_until_gate_returns_at_the_manual_review(fake_http, run_module, clock):
    fake_http.add('POST', LIST, listing(entry(R1, 'RUNNING')))
    fake_http.add('GET', DETAIL, gated_detail(R1, None), gated_detail(R1, 'RUNNING'))
    result = run_module(pipeline_run, args(state='finished', wait_until='gate'))
    assert not result.get('failed'), result
    assert result['at_gate'] is True and result['changed'] is False and clock == [1]
    gate = result['gate']
    assert (gate['kind'], gate['stage'], gate['job'], gate['step']) == ('manual_review', 'Review', 'Approval', 'manual-review')
    assert gate['ids'] == dict(run_id=R1, stage_id='s3', job_id='j3', step_id='st3') and gate['pending'] is True


def test_timeout_names_the_codearts_gate(fake_http, run_module, clock):
    fake_http.add('POST', LIST, listing(entry(R1, 'RUNNING')))
    fake_http.add('GET', DETAIL, gated_detail(R1, 'RUNNING'))
    result = run_module(pipeline_run, args(state='finished', wait_timeout=3, failure_log_lines=0))
    assert result['failed'] and result['msg'].startswith('timed out after 3s')
    assert ("it waits at a gate: manual_review at stage 'Review' job 'Approval' step 'manual-review' (RUNNING, pending)"
            in result['msg'])


@pytest.mark.parametrize('url, vendor', [
    ('https://cloudpipeline-ext.cn-north-4.myhuaweicloud.com', 'huawei'),
    ('devops.cn-hangzhou.aliyuncs.com', 'alibaba'),
    ('https://openapi-rdc.aliyuncs.com:443/oapi', 'alibaba'),
    ('http://127.0.0.1:8080', None),
    ('https://notaliyuncs.com', None),
    ('http://[::1', None),
])
def test_host_vendor(url, vendor):
    assert _clouds._host_vendor(url) == vendor


def test_shared_endpoint_of_the_other_vendor_is_refused_for_the_home_cloud_only():
    params = dict(endpoint='devops.cn-hangzhou.aliyuncs.com', huawei_endpoint=None, alibaba_endpoint=None,
                  security_token=None, huawei_security_token=None, alibaba_security_token=None)
    with pytest.raises(OptionError, match='is a public host of Alibaba Cloud, but this task is for Huawei Cloud'):
        _clouds.vendor_params(params, 'huawei', 'huawei')
    # for the other cloud the shared name is not used at all
    assert _clouds.vendor_params(dict(params, endpoint='x.myhuaweicloud.com'), 'huawei', 'alibaba')['endpoint'] is None
