# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""stage_review on every gate kind of both clouds, at the HTTP layer: the exact calls of each backend's
gates() (the reads) and decide() (the acting call), the cloud choice, and bad combinations of options."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
import requests

from ansible_collections.devops_cloud.pipelines.plugins.modules import stage_review

PROJECT = '0f1e2d3c4b5a69788796a5b4c3d2e1f0'
PIPE = 'c0000000000000000000000000000004'
RUN = 'e0000000000000000000000000000001'
BASE = '/v5/%s/api/pipelines/%s' % (PROJECT, PIPE)
DETAIL = BASE + '/pipeline-runs/detail'
R = BASE + '/pipeline-runs/' + RUN
ORG = '60d54f3daccf2bbd6659f3ad'
TOKEN_FLOW = '.*/flow/organizations/%s/pipelines/1003' % ORG
POP_FLOW = '/organization/%s/pipelines/1003' % ORG
STAGE = '/apps/demo-app/releaseWorkflows/wf-0001/releaseStages/stage-prod'


def hw(**kwargs):
    return dict(dict(endpoint='https://cloudpipeline-ext.example.test', project_id=PROJECT, auth_token='unit-token-0003',
                     pipeline_id=PIPE, pipeline_run_id=RUN, result='pass'), **kwargs)


def ali(**kwargs):
    return dict(dict(organization_id=ORG, yunxiao_token='pt-unit-0003', yunxiao_base_url='https://yunxiao.example.test',
                     result='pass'), **kwargs)


def pop(**kwargs):
    return dict(dict(organization_id=ORG, access_key_id='LTAIUNIT000000000003', access_key_secret='unit-secret-0003',
                     alibaba_endpoint='https://devops.example.test', api='openapi', result='pass'), **kwargs)


def step(sid, name, task, status='RUNNING'):
    return dict(id=sid, name=name, task=task, status=status)


def detail(entry='RUNNING', delay='RUNNING', review=None, run_status='RUNNING'):
    """A run with a stage-entry checkpoint (stage Deploy), a delayed execution and, optionally, a manual review."""
    jobs = [dict(id='j-delay', name='delayed-release', status='RUNNING', steps=[step('s-delay', 'delay', 'official_devcloud_delay', delay)])]
    if review:
        jobs.append(dict(id='j-review', name='Approval', status='RUNNING',
                         steps=[step('s-review', 'manual-review', 'official_devcloud_checkpoint', review)]))
    return dict(status=200, json=dict(id=RUN, pipeline_id=PIPE, status=run_status, stages=[
        dict(id='st-build', name='Build', status='COMPLETED', pre=[step('s-auto', 'auto', 'official_devcloud_autoTrigger', 'COMPLETED')],
             jobs=[dict(id='j-build', name='build', status='COMPLETED', steps=[step('s-build', 'build', 'official_shell_plugin', 'COMPLETED')])]),
        dict(id='st-release', name='Release', status='RUNNING', jobs=jobs),
        dict(id='st-deploy', name='Deploy', status='RUNNING', pre=[step('s-entry', 'manual-checkpoint', 'official_devcloud_manualTrigger', entry)],
             jobs=[dict(id='j-deploy', name='deploy', status='INIT', steps=[step('s-deploy', 'deploy', 'official_shell_plugin', None)])]),
    ]))


OK = dict(status=200, json={'success': True})


# --- CodeArts ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('kind, path', [
    ('checkpoint', R + '/steps/s-entry/manual/%s'),
    ('delay', R + '/jobs/j-delay/steps/s-delay/delay-%s'),
])
@pytest.mark.parametrize('decision', ['pass', 'refuse'])
def test_codearts_gate_kinds_exact_calls(fake_http, run_module, kind, path, decision):
    fake_http.add('GET', DETAIL, detail())
    fake_http.add('POST', path % decision, OK)
    res = run_module(stage_review, hw(gate_kind=kind, result=decision, comment='not sent for this kind'))
    assert not res.get('failed'), res
    assert res['changed'] and res['action'] == 'decided' and res['gate']['kind'] == kind and res['cloud'] == 'huawei'
    assert fake_http.paths() == ['GET ' + DETAIL, 'POST ' + path % decision, 'GET ' + DETAIL]
    assert fake_http.calls[0].query == {'pipeline_run_id': [RUN]}
    assert fake_http.calls[1].query == {} and fake_http.calls[1].body in (None, b'', '')
    assert res['response'] == {'success': True}


def test_codearts_checkpoint_ids_and_names(fake_http, run_module):
    fake_http.add('GET', DETAIL, detail(), detail(entry='COMPLETED'))
    fake_http.add('POST', R + '/steps/s-entry/manual/pass', OK)
    res = run_module(stage_review, hw(stage_name='Deploy'))
    gate = res['gate']
    assert (gate['kind'], gate['stage'], gate['job'], gate['step']) == ('checkpoint', 'Deploy', None, 'manual-checkpoint')
    assert gate['ids'] == dict(run_id=RUN, stage_id='st-deploy', step_id='s-entry')
    assert (gate['status_before'], gate['status_after'], gate['state']) == ('RUNNING', 'COMPLETED', 'decided')


def test_codearts_several_pending_is_an_argument_error_listing_them(fake_http, run_module):
    fake_http.add('GET', DETAIL, detail(review='RUNNING'))
    res = run_module(stage_review, hw())
    assert res['failed'] and res['msg'].startswith('3 gates of pipeline run %s' % RUN)
    assert '1 manual review step, 1 stage-entry checkpoint, 1 delayed execution' in res['msg']
    for name in ('manual-review', 'manual-checkpoint', "step 'delay'"):
        assert name in res['msg']
    assert fake_http.acting() == []


@pytest.mark.parametrize('extra', [dict(job_id='j-review'), dict(step_id='s-review'), dict(job_name='Approval'),
                                   dict(gate_kind='manual_review')])
def test_codearts_raw_ids_or_names_choose(fake_http, run_module, extra):
    fake_http.add('GET', DETAIL, detail(review='RUNNING'))
    fake_http.add('POST', R + '/jobs/j-review/steps/s-review/pass', OK)
    res = run_module(stage_review, hw(comment='ok', **extra))
    assert res['changed'] and res['gate']['step_id'] == 's-review'
    assert fake_http.acting()[0].query == {'approval_description': ['ok']}


def test_codearts_not_reached_and_unknown_name(fake_http, run_module):
    fake_http.add('GET', DETAIL, detail())
    res = run_module(stage_review, hw(step_name='deploy'))
    assert not res['changed'] and res['gate']['state'] == 'not_reached' and 'not reached yet' in res['msg']
    res = run_module(stage_review, hw(step_name='deploy', require_pending=True))
    assert res['failed'] and 'not reached yet' in res['msg']
    res = run_module(stage_review, hw(job_name='nope'))
    assert res['failed'] and "matches job 'nope'" in res['msg'] and 'manual-checkpoint' in res['msg']
    assert fake_http.acting() == []


def test_codearts_run_ended(fake_http, run_module):
    fake_http.add('GET', DETAIL, detail(delay='RUNNING', entry='INIT', run_status='CANCELED'))
    res = run_module(stage_review, hw(gate_kind='delay'))
    assert not res['changed'] and res['gate']['state'] == 'run_ended' and 'the run ended' in res['msg']
    assert fake_http.acting() == []


def test_codearts_lost_delay_answer_is_read_back(fake_http, run_module, no_sleep):
    fake_http.add('GET', DETAIL, detail(), detail(delay='COMPLETED'))
    fake_http.add('POST', R + '/jobs/j-delay/steps/s-delay/delay-pass', requests.exceptions.ReadTimeout('read timed out'))
    res = run_module(stage_review, hw(gate_kind='delay'))
    assert not res.get('failed'), res
    assert res['adopted'] and res['action'] == 'adopted' and res['response'] == {'adopted_status': 'COMPLETED'}
    assert len(fake_http.acting()) == 1


def test_codearts_check_mode(fake_http, run_module):
    fake_http.add('GET', DETAIL, detail())
    res = run_module(stage_review, hw(stage_name='Deploy', result='refuse'), check_mode=True)
    assert res['changed'] and res['action'] == 'would_decide' and fake_http.acting() == []


# --- Flow ---------------------------------------------------------------------------------------------------

def flow_run(run_id=7, status='WAITING', actions=True, token=True):
    job = dict(id=702, name='approve', status=status, actions=[
        dict(type='PassPipelineValidate', disable=False, params={}),
        dict(type='RefusePipelineValidate', disable=False, params={})] if actions else [])
    run = dict(pipelineRunId=run_id, pipelineId=1003, status='RUNNING', stages=[
        dict(name='Build', stageInfo=dict(name='Build', status='SUCCESS', jobs=[dict(id=701, name='build', status='SUCCESS', actions=[])])),
        dict(name='Approve', stageInfo=dict(name='Approve', status=status, jobs=[job]))])
    return dict(status=200, json=run if token else dict(pipelineRun=run, requestId='r1'))


@pytest.mark.parametrize('decision', ['pass', 'refuse'])
def test_flow_token_api_exact_calls(fake_http, run_module, decision):
    fake_http.add('GET', TOKEN_FLOW + '/runs', dict(status=200, json=[dict(pipelineRunId=7, status='RUNNING'),
                                                                      dict(pipelineRunId=6, status='SUCCESS')]))
    fake_http.add('GET', TOKEN_FLOW + '/runs/7', flow_run(), flow_run(status='SUCCESS', actions=False))
    fake_http.add('POST', TOKEN_FLOW + '/pipelineRuns/7/jobs/702/' + decision, dict(status=200, json=True))
    res = run_module(stage_review, ali(pipeline_id='1003', result=decision))
    assert not res.get('failed'), res
    assert res['cloud'] == 'alibaba' and res['service'] == 'flow' and res['api'] == 'yunxiao'
    assert res['changed'] and res['run_id'] == 7 and res['gate']['ids'] == dict(run_id=7, job_id=702)
    assert (res['gate']['stage'], res['gate']['job'], res['gate']['kind']) == ('Approve', 'approve', 'validation')
    assert res['response'] == {'success': True}
    assert [p.split('/pipelines/1003')[-1] for p in fake_http.paths()] == [
        '/runs', '/runs/7', '/pipelineRuns/7/jobs/702/' + decision, '/runs/7']
    assert fake_http.acting()[0].body in (None, b'', '')


def test_flow_pop_exact_calls_and_rerun(fake_http, run_module):
    fake_http.add('GET', POP_FLOW + '/pipelineRuns', dict(status=200, json=dict(pipelineRuns=[dict(pipelineRunId=7)])))
    fake_http.add('GET', POP_FLOW + '/pipelineRuns/7', flow_run(token=False), flow_run(status='SUCCESS', actions=False, token=False))
    fake_http.add('POST', POP_FLOW + '/pipelineRuns/7/jobs/702/pass', dict(status=200, json=dict(success=True, requestId='r2')))
    res = run_module(stage_review, pop(pipeline_id='1003', job_name='approve'))
    assert not res.get('failed'), res
    assert res['changed'] and res['api'] == 'openapi' and fake_http.acting()[0].headers['x-acs-action'] == 'PassPipelineValidate'
    again = run_module(stage_review, pop(pipeline_id='1003', job_name='approve', run_id='7'))
    assert not again['changed'] and again['gate']['state'] == 'decided' and 'already decided' in again['msg']
    assert len(fake_http.acting()) == 1


def test_flow_decided_job_without_name_is_no_gate(fake_http, run_module):
    fake_http.add('GET', TOKEN_FLOW + '/runs/7', flow_run(status='SUCCESS', actions=False))
    res = run_module(stage_review, ali(pipeline_id='1003', run_id='7'))
    assert not res['changed'] and res['gate'] is None and 'no gate waits' in res['msg']
    assert fake_http.acting() == []


def test_flow_never_ran(fake_http, run_module):
    fake_http.add('GET', TOKEN_FLOW + '/runs', dict(status=200, json=[]))
    res = run_module(stage_review, ali(pipeline_id='1003'))
    assert not res['changed'] and 'never run' in res['msg']


# --- AppStack -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize('api', ['yunxiao', 'openapi'])
def test_appstack_exact_calls(fake_http, run_module, api):
    prefix = '.*/appstack/organizations/%s' % ORG if api == 'yunxiao' else '/appstack'
    colon = ':' if api == 'yunxiao' else '%3A'
    run = flow_run(run_id=5, token=False)
    fake_http.add('GET', prefix + STAGE + '/executions', dict(status=200, json=dict(data=[dict(number='5', state='RUNNING')])))
    fake_http.add('GET', prefix + STAGE + '/executions/5' + colon + 'getPipelineRun', run,
                  flow_run(run_id=5, status='SUCCESS', actions=False, token=False))
    fake_http.add('POST', prefix + STAGE + '/executions/5' + colon + 'refusePipelineValidate', OK)
    args = dict(app_name='demo-app', release_workflow_sn='wf-0001', release_stage_sn='stage-prod', result='refuse')
    res = run_module(stage_review, (ali if api == 'yunxiao' else pop)(**args))
    assert not res.get('failed'), res
    assert res['service'] == 'appstack' and res['run_id'] == '5' and res['gate']['ids'] == dict(run_id='5', job_id=702)
    act = fake_http.acting()
    assert len(act) == 1 and act[0].query.get('jobId') == ['702']
    if api == 'openapi':
        assert act[0].query.get('organizationId') == [ORG]
        assert act[0].headers['x-acs-action'] == 'RefuseReleaseStagePipelineValidate'


def test_appstack_given_execution_number(fake_http, run_module):
    fake_http.add('GET', '.*' + STAGE + '/executions/9:getPipelineRun', flow_run(run_id=9, token=False))
    res = run_module(stage_review, ali(app_name='demo-app', release_workflow_sn='wf-0001', release_stage_sn='stage-prod',
                                       execution_number='9'), check_mode=True)
    assert res['changed'] and res['action'] == 'would_decide' and res['run_id'] == '9' and fake_http.acting() == []


# --- the cloud and the options --------------------------------------------------------------------------------

@pytest.mark.parametrize('args, words', [
    (dict(hw(), app_name='demo-app'), 'both clouds'),
    (dict(ali(pipeline_id=PIPE)), 'project_id is required'),
    (ali(pipeline_id='1003', cloud='huawei'), 'cloud=huawei does not fit pipeline_id 1003'),
    (ali(pipeline_id='1003', api='v5'), 'both clouds'),
    (ali(app_name='demo-app', release_workflow_sn='wf-0001'), 'missing: release_stage_sn'),
    (ali(app_name='demo-app', release_workflow_sn='wf-0001', release_stage_sn='s', pipeline_id='1003'),
     'leave it out for an AppStack'),
    (ali(pipeline_id='1003', execution_number='3'), 'execution_number names an AppStack'),
    (ali(pipeline_id='1003', gate_kind='checkpoint'), 'gate_kind checkpoint is a CodeArts gate'),
    (ali(pipeline_id='1003', step_name='x', cloud='alibaba'), 'step_name does not apply to Alibaba'),
    (ali(cloud='alibaba'), 'name the gate'),
    (ali(pipeline_id='1003', run_id='abc', cloud='alibaba'), 'run_id must be a positive integer'),
    (ali(pipeline_id='1003', job_id='x1', cloud='alibaba'), 'job_id must be a positive integer'),
    (hw(pipeline_id=None, cloud='huawei'), 'pipeline_id is required'),
    (hw(run_id=RUN), 'parameters are mutually exclusive'),
])
def test_bad_combinations_fail_before_any_request(fake_http, run_module, args, words):
    args = dict((k, v) for k, v in args.items() if v is not None)
    res = run_module(stage_review, args)
    assert res['failed'] and words in res['msg'], res
    assert fake_http.calls == []


def test_flow_pipeline_id_of_digits_is_alibaba_unless_v3(fake_http, run_module):
    res = run_module(stage_review, dict(endpoint='https://x.example.test', auth_token='t', pipeline_id='101', result='pass'))
    assert res['failed'] and 'organization_id is required' in res['msg'] and fake_http.calls == []
    fake_http.add('PUT', '/v3/manage/pipelines/101/stages/1/start_info', dict(status=201, json={}))
    res = run_module(stage_review, dict(endpoint='https://x.example.test', auth_token='t', pipeline_id='101', stage_index=1,
                                        result='pass'))
    assert res['changed'] and res['api'] == 'v3' and res['cloud'] == 'huawei'
