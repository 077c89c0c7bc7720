# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input for every option of every module: a clear argument error and not a single request.

``OPTIONS`` lists, per module, every option with its kind; ``BAD`` lists, per kind, the bad values:
wrong types, empty, blank, negative, zero where more than 0 is needed, dot segments, ``/`` in a path
segment, CR/LF, oversized strings (10 kB) and lists or dictionaries (10,000 entries). Each pair is one
test case. Every case must end with ``failed``, a message that names the option, no traceback (no
"MODULE FAILURE"), and zero requests in the emulator's request log.

For speed the cases of one module run in one process (``targets/bad_input/runner.py``: the module's
``main()`` with ``ANSIBLE_MODULE_ARGS``, as ``python -m ...modules.<module> args.json`` does), the five
modules side by side; a control case per module (valid arguments, check mode) proves that the same
harness does reach the emulator.

The transport options (timeouts, retries, endpoints, secrets, CA path) are validated by the HTTP layer
(``_http.validate_connection_params`` and the credential checks), before any request too.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import concurrent.futures
import json
import os
import subprocess
import sys

import pytest

from conftest import FIXTURE, TARGETS, collections_path  # pylint: disable=import-error

BIG_TEXT = 'x' * 10240
MANY = 10000
NO_TRACE = ('Traceback', 'MODULE FAILURE', 'module_stderr')

# -- bad values per kind ------------------------------------------------------------------------------------
_WRONG_TEXT = [('list', ['a', 'b']), ('dict', {'a': 1}), ('bool', True)]
_TEXT_BASICS = [('empty', ''), ('blank', '   '), ('crlf', 'a\r\nb'), ('lf', 'a\nb'), ('nul', 'a\x00b'),
                ('oversized', BIG_TEXT)]
BAD = {
    # one segment of a request path
    'segment': _WRONG_TEXT + _TEXT_BASICS + [('dot', '.'), ('dotdot', '..'), ('slash', 'a/b'),
                                             ('traversal', '../x'), ('backslash', 'a\\b'), ('padded', ' a ')],
    # a name or id sent in a body
    'name': _WRONG_TEXT + _TEXT_BASICS,
    # free text: line breaks are allowed
    'text': _WRONG_TEXT + [('nul', 'a\x00b'), ('escape', 'a\x1bb'), ('oversized', BIG_TEXT)],
    'expression': _WRONG_TEXT + [('empty', ''), ('blank', '   '), ('nul', 'a\x00b'), ('oversized', BIG_TEXT)],
    # an empty region counts as not set (AWX credential types inject one)
    'region': _WRONG_TEXT + [('blank', ' '), ('host', 'evil.example.com/x'), ('space', 'cn north'),
                             ('crlf', 'cn-north-4\r\n'), ('dotdot', '..'), ('oversized', BIG_TEXT)],
    'positive_int': [('text', 'abc'), ('bool', True), ('list', [1]), ('zero', 0), ('negative', -1),
                     ('fraction', 1.5)],
    'positive_digits': [('text', 'abc'), ('bool', True), ('list', [1]), ('zero', 0), ('zero_text', '0'),
                        ('negative', '-1'), ('empty', ''), ('lf', '1\n'), ('oversized', '9' * 10240)],
    'index': [('text', 'first'), ('bool', True), ('negative', -1), ('list', [1])],
    'bool': [('text', 'perhaps'), ('list', [True])],
    'choice': [('unknown', 'bogus'), ('empty', ''), ('list', ['a'])],
    'wait_timeout': [('negative', -10), ('text', 'soon'), ('bool', True), ('huge', 10 ** 12), ('list', [1])],
    'poll_interval': [('negative', -1), ('zero', 0), ('nan', 'nan'), ('inf', 'inf'), ('text', 'often'),
                      ('bool', True), ('list', [1])],
    'name_list': [('dict', {'a': 'b'}), ('empty_list', []), ('empty_element', ['']), ('blank_element', ['  ']),
                  ('null_element', [None]), ('crlf_element', ['a\r\nb']), ('list_element', [['x']]),
                  ('oversized_element', [BIG_TEXT]), ('oversized', ['b%d' % i for i in range(MANY)])],
    'id_list': [('dict', {'a': 'b'}), ('empty_element', ['']), ('blank_element', ['  ']), ('null_element', [None]),
                ('crlf_element', ['a\r\nb']), ('list_element', [['x']]), ('padded_element', [' a ']),
                ('oversized_element', [BIG_TEXT]), ('oversized', ['p%031d' % i for i in range(MANY)])],
    # pipeline_status_info on Flow: the id list also must not mix the clouds' ids
    'flow_id_list': [('dict', {'a': 'b'}), ('empty_element', ['']), ('blank_element', ['  ']), ('null_element', [None]),
                     ('crlf_element', ['1\r\n2']), ('list_element', [['1']]), ('padded_element', [' 1 ']),
                     ('oversized', ['%d' % i for i in range(1, MANY + 1)]), ('mixed', ['10001', 'a' * 32])],
    'name_map': [('list', ['a']), ('empty_key', {'': 'main'}), ('blank_key', {'  ': 'main'}),
                 ('crlf_key', {'a\r\nb': 'main'}), ('empty_value', {'k': ''}), ('blank_value', {'k': '   '}),
                 ('null_value', {'k': None}), ('list_value', {'k': ['main']}), ('crlf_value', {'k': 'a\nb'}),
                 ('oversized_key', {BIG_TEXT: 'main'}), ('oversized', dict(('k%d' % i, 'v') for i in range(MANY)))],
    'scalar_map': [('list', ['a']), ('empty_key', {'': 'x'}), ('blank_key', {' ': 'x'}), ('crlf_key', {'A\nB': 'x'}),
                   ('null_value', {'A': None}), ('list_value', {'A': [1]}), ('dict_value', {'A': {'b': 1}}),
                   ('oversized_value', {'A': 'x' * 70000}), ('oversized', dict(('K%d' % i, 'v') for i in range(MANY)))],
    'document': [('list', ['a']), ('empty_key', {'': 1}), ('blank_key', {'  ': 1}), ('crlf_key', {'a\r\nb': 1}),
                 ('oversized_value', {'k': 'x' * 70000}), ('oversized', dict(('k%d' % i, 1) for i in range(MANY)))],
    'selected_tasks': [('dict', {'stage_name': 's'}), ('empty_list', []), ('text_element', ['deploy']),
                       ('empty_stage', [{'stage_name': '', 'tasks': ['deploy-app']}]),
                       ('blank_stage', [{'stage_name': '  ', 'tasks': ['deploy-app']}]),
                       ('missing_tasks', [{'stage_name': 'deploy'}]),
                       ('empty_tasks', [{'stage_name': 'deploy', 'tasks': []}]),
                       ('empty_task', [{'stage_name': 'deploy', 'tasks': ['']}]),
                       ('crlf_task', [{'stage_name': 'deploy', 'tasks': ['a\r\nb']}]),
                       ('unknown_key', [{'stage_name': 'deploy', 'tasks': ['a'], 'bogus': 1}]),
                       ('oversized', [{'stage_name': 'deploy', 'tasks': ['deploy-app']}] * MANY)],
    'repo_info': [('list', ['a']), ('unknown_key', {'bogus': 1}), ('empty_feature_branches', {'feature_branches': []}),
                  ('empty_branch_name', {'feature_branches': [{'branch_name': '', 'change_request_sn': 'cr1'}]}),
                  ('missing_sn', {'feature_branches': [{'branch_name': 'feature/a'}]}),
                  ('blank_sn', {'feature_branches': [{'branch_name': 'feature/a', 'change_request_sn': ' '}]}),
                  ('empty_repo', {'repo': ''}), ('blank_base_branch', {'base_branch': '  '}),
                  ('crlf_release_branch', {'release_branch': 'a\r\nb'}), ('bool_need_create', {'need_create_branch': 'maybe'}),
                  ('oversized', {'feature_branches': [{'branch_name': 'b', 'change_request_sn': 'c'}] * MANY})],
    # pipeline_run: a CodeArts pipeline id (32 letters and digits) given with cloud=huawei
    'codearts_id': _WRONG_TEXT + [('short', 'c123'), ('long', 'c' * 33), ('dash', 'c000000000000000-000000000000001'),
                                  ('digits', '1001'), ('empty', ''), ('slash', 'c000000000000000/000000000000001')],
    'ca_sources': [('dict', {'git_url': 'https://x.example'}), ('text_element', ['https://x.example']),
                   ('missing_url', [{'branch': 'main'}]), ('empty_url', [{'git_url': ''}]),
                   ('blank_branch', [{'git_url': 'https://x.example', 'branch': '  '}]),
                   ('crlf_tag', [{'git_url': 'https://x.example', 'tag': 'a\r\nb'}]),
                   ('branch_and_tag', [{'git_url': 'https://x.example', 'branch': 'a', 'tag': 'b'}]),
                   ('unknown_key', [{'git_url': 'https://x.example', 'bogus': 1}]),
                   ('bad_git_type', [{'git_url': 'https://x.example', 'git_type': 'svn'}]),
                   ('empty_change_requests', [{'git_url': 'https://x.example', 'change_request_ids': []}]),
                   ('oversized', [{'git_url': 'https://x.example'}] * MANY)],
    # checked by the HTTP layer
    'timeout': [('negative', -1)],
    'retries': [('negative', -1)],
    'endpoint': [('userinfo', lambda url: url.replace('://', '://user:password@', 1))],  # the emulator's URL
    'secret': [('crlf', 'secret\r\nX-Injected: 1')],
    'ca_path': [('missing', '/nonexistent/ca-bundle.pem')],
}

# -- every option of every module, with its kind ---------------------------------------------------------------
HUAWEI = dict(project_id='segment', region='region', connect_timeout='timeout', read_timeout='timeout',
              max_retries='retries', validate_certs='bool', ca_path='ca_path', endpoint='endpoint', auth_token='secret')
HUAWEI_AKSK = dict(access_key='secret', secret_key='secret', security_token='secret')
ALIBABA = dict(organization_id='segment', api='choice', connect_timeout='timeout', read_timeout='timeout',
               max_retries='retries', validate_certs='bool', ca_path='ca_path', yunxiao_base_url='endpoint',
               yunxiao_token='secret')
ALIBABA_AKSK = dict(access_key_id='secret', access_key_secret='secret', security_token='secret', endpoint='endpoint')
WAIT = dict(wait='bool', wait_timeout='wait_timeout', poll_interval='poll_interval')
RUN_STATE = dict(state='choice', force='bool', skip_if_succeeded='bool')

OPTIONS = {
    'pipeline_action': dict(HUAWEI, **dict(WAIT, pipeline_id='segment', action='choice', selected_tasks='selected_tasks',
                                           task_name='name', approval_result='choice', comment='text',
                                           skip_if_succeeded='bool')),
    # pipeline_action on a CodeArts run (retry; resume names a job and a step), a Flow job (token and AK/SK), an
    # AppStack execution job
    'pipeline_action_codearts': dict(target='choice', cloud='choice', huawei_endpoint='endpoint', run_id='codearts_id',
                                     pipeline_id='codearts_id'),
    'pipeline_action_codearts_resume': dict(job_id='segment', job_name='name', stage_name='name', step_id='segment',
                                            step_name='name'),
    'pipeline_action_flow': dict(ALIBABA, pipeline_id='positive_digits', run_id='positive_digits',
                                 job_id='positive_digits', job_name='name', stage_name='name'),
    'pipeline_action_flow_openapi': dict(access_key_id='secret', access_key_secret='secret', organization_id='segment',
                                         alibaba_endpoint='endpoint'),
    'pipeline_action_appstack': dict(app_name='segment', release_workflow_sn='segment', release_stage_sn='segment',
                                     execution_number='positive_digits', job_id='positive_digits', job_name='name'),
    'stage_review': dict(HUAWEI, api='choice', pipeline_id='segment', result='choice', pipeline_run_id='segment',
                         job_name='name', step_name='name', comment='text', require_pending='bool',
                         stage_name='name', gate_kind='choice', job_id='segment', step_id='segment', run_id='segment',
                         cloud='choice', huawei_endpoint='endpoint'),
    'stage_review_flow': dict(organization_id='segment', pipeline_id='positive_int', run_id='positive_int',
                              job_id='positive_int', yunxiao_base_url='endpoint', yunxiao_token='secret'),
    'stage_review_appstack': dict(app_name='segment', release_workflow_sn='segment', release_stage_sn='segment',
                                  run_id='positive_digits', execution_number='positive_digits'),
    'stage_review_v3': dict(pipeline_id='positive_int', stage_index='index'),
    'pipeline_status_info': dict(HUAWEI, pipeline_ids='id_list', query='expression', wait_until='expression',
                                 wait_timeout='wait_timeout', poll_interval='poll_interval', cloud='choice',
                                 huawei_endpoint='endpoint'),
    'pipeline_status_info_flow': dict(ALIBABA, pipeline_ids='flow_id_list', query='expression', wait_until='expression',
                                      wait_timeout='wait_timeout', poll_interval='poll_interval', cloud='choice'),
    'pipeline_status_info_openapi': dict(access_key_id='secret', access_key_secret='secret', organization_id='segment',
                                         alibaba_endpoint='endpoint'),
    'pipeline_run': dict(ALIBABA, **dict(WAIT, **dict(RUN_STATE, pipeline_id='positive_int', branches='name_map',
                                                      tags='name_map', branch_mode_branches='name_list',
                                                      envs='scalar_map', pipeline_artifacts='name_map',
                                                      acr_artifacts='name_map', package_artifacts='name_map',
                                                      comment='text', params='document'))),
    'pipeline_run_canceled': dict(run_id='positive_int'),
    'pipeline_run_codearts': dict(project_id='segment', region='region', connect_timeout='timeout', read_timeout='timeout',
                                  max_retries='retries', validate_certs='bool', ca_path='ca_path',
                                  huawei_endpoint='endpoint', auth_token='secret', cloud='choice',
                                  pipeline_id='codearts_id', sources='ca_sources', variables='scalar_map',
                                  choose_stages='name_list', choose_jobs='name_list', description='text',
                                  **dict(WAIT, **RUN_STATE)),
    'pipeline_run_codearts_canceled': dict(run_id='codearts_id'),
    'pipeline_run_openapi': dict(ALIBABA_AKSK, organization_id='segment'),
    'stage_execute': dict(ALIBABA, **dict(WAIT, **dict(RUN_STATE, app_name='segment', release_workflow_sn='segment',
                                                       release_stage_sn='segment', params='document', comment='text',
                                                       branches='name_map', release_branch_repo_info='repo_info'))),
    'stage_execute_canceled': dict(execution_number='positive_digits'),
    'stage_execute_openapi': dict(ALIBABA_AKSK, organization_id='segment', app_name='segment'),
}


def base_args(variant, url):
    """Valid arguments of a table entry (``module`` or ``module_variant``), against the emulator at ``url``."""
    hw = dict(endpoint=url, project_id=FIXTURE['hw_project_id'], auth_token=FIXTURE['hw_token'])
    token = dict(organization_id=FIXTURE['org_id'], yunxiao_token=FIXTURE['yunxiao_token'], yunxiao_base_url=url)
    aksk = dict(organization_id=FIXTURE['org_id'], access_key_id=FIXTURE['ali_ak'], access_key_secret=FIXTURE['ali_sk'],
                endpoint=url)
    hw_aksk = dict(endpoint=url, project_id=FIXTURE['hw_project_id'], access_key=FIXTURE['hw_ak'],
                   secret_key=FIXTURE['hw_sk'])
    stage = dict(app_name='demo-app', release_workflow_sn='wf-0001', release_stage_sn='stage-dev')
    return {
        'pipeline_action': dict(hw, pipeline_id='rt-ok-0001', action='start', wait=False),
        'pipeline_action_codearts': dict(huawei_endpoint=url, project_id=FIXTURE['hw_project_id'],
                                         auth_token=FIXTURE['hw_token'], pipeline_id='c0000000000000000000000000000002',
                                         target='run', action='retry', wait=False),
        'pipeline_action_codearts_resume': dict(hw, pipeline_id='c0000000000000000000000000000007', action='resume',
                                                job_name='hold', wait=False),
        'pipeline_action_flow': dict(token, pipeline_id='1002', run_id='1', job_name='unit-test', action='retry',
                                     wait=False),
        'pipeline_action_flow_openapi': dict(organization_id=FIXTURE['org_id'], access_key_id=FIXTURE['ali_ak'],
                                             access_key_secret=FIXTURE['ali_sk'], alibaba_endpoint=url,
                                             pipeline_id='1002', run_id='1', job_name='unit-test', action='retry',
                                             wait=False),
        'pipeline_action_appstack': dict(token, app_name='demo-app', release_workflow_sn='wf-0001',
                                         release_stage_sn='stage-broken', job_name='deploy-broken', action='retry',
                                         wait=False),
        'stage_review': dict(hw, pipeline_id='a0000000000000000000000000000003', result='pass'),
        'stage_review_v3': dict(hw, pipeline_id='101', stage_index=1, result='pass'),
        'stage_review_flow': dict(token, cloud='alibaba', pipeline_id='1003', result='pass'),
        'stage_review_appstack': dict(token, cloud='alibaba', result='pass', app_name='demo-app', release_workflow_sn='wf-0001',
                                      release_stage_sn='stage-prod'),
        'pipeline_status_info': dict(hw, pipeline_ids=['a0000000000000000000000000000001']),
        'pipeline_status_info_flow': dict(token, pipeline_ids=['10001']),
        'pipeline_status_info_openapi': dict(organization_id=FIXTURE['org_id'], access_key_id=FIXTURE['ali_ak'],
                                             access_key_secret=FIXTURE['ali_sk'], alibaba_endpoint=url,
                                             pipeline_ids=['10001']),
        'pipeline_run': dict(token, pipeline_id=1001),
        'pipeline_run_canceled': dict(token, pipeline_id=1001, state='canceled'),
        'pipeline_run_openapi': dict(aksk, pipeline_id=1001),
        'pipeline_run_codearts': dict(huawei_endpoint=url, project_id=FIXTURE['hw_project_id'], auth_token=FIXTURE['hw_token'],
                                      cloud='huawei', pipeline_id='c0000000000000000000000000000001'),
        'pipeline_run_codearts_canceled': dict(huawei_endpoint=url, project_id=FIXTURE['hw_project_id'], cloud='huawei',
                                               auth_token=FIXTURE['hw_token'], state='canceled',
                                               pipeline_id='c0000000000000000000000000000001'),
        'stage_execute': dict(token, **stage),
        'stage_execute_canceled': dict(token, state='canceled', **stage),
        'stage_execute_openapi': dict(aksk, **stage),
    }[variant]


def _cases():
    cases = []
    for variant, options in sorted(OPTIONS.items()):
        module = variant.split('_canceled')[0].split('_openapi')[0].split('_v3')[0].split('_codearts')[0]
        module = module.split('_flow')[0].split('_appstack')[0]
        for option, kind in sorted(options.items()):
            for label, value in BAD[kind]:
                cases.append(pytest.param(module, variant, option, value, id='%s-%s-%s' % (variant, option, label)))
    # Huawei AK/SK secrets (exclusive with auth_token)
    for module in ('pipeline_action', 'stage_review', 'pipeline_status_info'):
        for option in sorted(HUAWEI_AKSK):
            for label, value in BAD['secret']:
                cases.append(pytest.param(module, module + '_aksk', option, value, id='%s-%s-%s' % (module, option, label)))
    return cases


CASES = _cases()


def case_args(variant, option, value, url):
    if variant.endswith('_aksk'):
        args = base_args(variant[:-len('_aksk')], url)
        args.pop('auth_token')
        args.update(access_key=FIXTURE['hw_ak'], secret_key=FIXTURE['hw_sk'])
    else:
        args = base_args(variant, url)
    args[option] = value(url) if callable(value) else value
    return args


@pytest.fixture(scope='module')
def outcomes(emulator, ansible_env, tmp_path_factory):
    """Run every case, and a control case per module, once: ``{module: {case id: outcome}}``.

    Each module runs against an emulator of its own, so that the requests one module sends are never
    counted for another running at the same time.
    """
    from tests.emulator import Emulator  # pylint: disable=import-outside-toplevel  # path set by the emulator fixture
    work = tmp_path_factory.mktemp('bad-input')
    per_module = {}
    for param in CASES:
        module = param.values[0]
        per_module.setdefault(module, []).append(param)
    env = dict(ansible_env)
    env['PYTHONPATH'] = os.pathsep.join(p for p in (collections_path(), env.get('PYTHONPATH')) if p)

    def run(module):
        emu = Emulator(time_scale=0.25).start()
        try:
            cases = [dict(id=param.id, args=case_args(param.values[1], param.values[2], param.values[3], emu.url))
                     for param in per_module[module]]
            cases.append(dict(id='control', args=dict(base_args(module, emu.url), _ansible_check_mode=True)))
            spec, out = work / ('%s-cases.json' % module), work / ('%s-results.json' % module)
            spec.write_text(json.dumps(dict(module=module, emulator_url=emu.url, cases=cases)))
            proc = subprocess.run([sys.executable, os.path.join(TARGETS, 'bad_input', 'runner.py'), str(spec), str(out)],
                                  env=env, capture_output=True, text=True, timeout=300, check=False)
        finally:
            emu.stop()
        assert proc.returncode == 0, proc.stderr[-4000:]
        return module, json.loads(out.read_text())

    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
        return dict(pool.map(run, sorted(per_module)))


def test_control_cases_reach_the_emulator(outcomes):
    """The harness does send requests when the arguments are valid, so "zero requests" below means something."""
    for module, results in sorted(outcomes.items()):
        control = results['control']
        assert control['traceback'] is None and control['result'] is not None, (module, control)
        assert not control['result'].get('failed'), (module, control['result'])
        assert control['requests'] > 0, (module, control)


@pytest.mark.parametrize('module, variant, option, value', CASES)
def test_bad_input(outcomes, request, module, variant, option, value):
    outcome = outcomes[module][request.node.callspec.id]
    assert outcome['traceback'] is None, outcome['traceback']
    result = outcome['result']
    assert result is not None, outcome['output']
    text = json.dumps(result)
    assert not any(marker in text for marker in NO_TRACE), result
    assert result.get('failed') is True, result
    assert option in result['msg'], result['msg']
    assert outcome['requests'] == 0, result
