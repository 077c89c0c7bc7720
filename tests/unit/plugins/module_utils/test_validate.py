# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The option rules of _validate: what they refuse, with which message, and what they let through."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import importlib

import pytest

from ansible.module_utils import basic

from ansible_collections.devops_cloud.pipelines.plugins.module_utils import _validate as v


def problem(rules, raw=None, **params):
    return v.find_problem(params, rules, raw)


@pytest.mark.parametrize('value, text', [
    ('', 'pipeline_id must not be empty'),
    ('   ', 'pipeline_id must not be blank'),
    ('.', "pipeline_id must not be '.'"),
    ('..', "pipeline_id must not be '..'"),
    ('a/b', 'pipeline_id must not contain "/"'),
    ('../x', 'pipeline_id must not contain "/"'),
    ('a\\b', 'pipeline_id must not contain "/" or "\\"'),
    ('a\r\nb', 'pipeline_id must not contain control characters'),
    ('a\x00', 'pipeline_id must not contain control characters'),
    (' a', 'pipeline_id must not begin or end with blanks'),
    ('x' * 257, 'pipeline_id is 257 characters long; at most 256'),
])
def test_path_segment_refused(value, text):
    assert problem(dict(pipeline_id=v.SEGMENT), pipeline_id=value).startswith(text)


@pytest.mark.parametrize('value', ['rt-ok-0001', '4105b37a-947e-4aca-90d8-cec7c04c6f38', 'a.b', '...', 'x' * 256,
                                   'demo_app', u'应用'])
def test_path_segment_accepted(value):
    assert problem(dict(pipeline_id=v.SEGMENT), pipeline_id=value) is None


@pytest.mark.parametrize('raw, kind', [(['a'], 'a list'), ({'a': 1}, 'a dictionary'), (True, 'a boolean'),
                                       (1.5, 'a number with a fraction')])
def test_text_given_as_another_type(raw, kind):
    # the argument spec has already turned the value into text; the raw value tells what was given
    assert problem(dict(task_name=v.NAME), dict(task_name=raw), task_name=str(raw)) == \
        'task_name must be a string, not %s' % kind


def test_integer_given_for_text_is_fine():
    assert problem(dict(pipeline_id=v.SEGMENT), dict(pipeline_id=101), pipeline_id='101') is None


def test_unset_options_are_not_checked():
    assert problem(v.PIPELINE_ACTION, pipeline_id='rt-1', task_name=None, selected_tasks=None, comment=None,
                   wait_timeout=1800, poll_interval=5.0) is None


@pytest.mark.parametrize('value, ok', [('', True), ('multi\nline\r\ncomment\twith tab', True), ('x' * 4096, True),
                                       ('x' * 4097, False), ('bell\x07', False), ('esc\x1b', False)])
def test_free_text(value, ok):
    assert (problem(dict(comment=v.TEXT), comment=value) is None) is ok


@pytest.mark.parametrize('value', ['', ' ', '\t'])
def test_expression_must_not_be_empty(value):
    assert problem(dict(query=v.EXPRESSION), query=value).startswith('query must not be')


@pytest.mark.parametrize('value, ok', [('cn-north-4', True), ('ap-southeast-1', True), ('CN-NORTH-4', True),
                                       ('cn-north-4.example.com', False), ('a/b', False), ('-cn', False),
                                       ('cn--north', False), ('', True), (' ', False), ('x' * 64, False)])
def test_region(value, ok):
    assert (problem(dict(region=v.Region()), region=value) is None) is ok


@pytest.mark.parametrize('value, raw, text', [
    (0, 0, 'pipeline_id must be a positive integer (1 or more), not 0'),
    (-5, -5, 'pipeline_id must be a positive integer (1 or more), not -5'),
    (True, True, 'pipeline_id must be an integer, not a boolean'),
])
def test_positive_ids(value, raw, text):
    assert problem(dict(pipeline_id=v.POSITIVE), dict(pipeline_id=raw), pipeline_id=value) == text


@pytest.mark.parametrize('value, ok', [('1', True), ('42', True), (7, True), ('0', False), ('-1', False), ('1a', False),
                                       ('', False), ('1' * 21, False)])
def test_positive_digits(value, ok):
    assert (problem(dict(execution_number=v.POSITIVE_DIGITS), execution_number=value) is None) is ok


@pytest.mark.parametrize('params, text', [
    (dict(poll_interval=-1), 'poll_interval must be greater than 0'),
    (dict(poll_interval=0), 'poll_interval must be greater than 0'),
    (dict(poll_interval=float('nan')), 'poll_interval must be a finite number of seconds, not nan'),
    (dict(poll_interval=float('inf')), 'poll_interval must be a finite number of seconds, not inf'),
    (dict(wait_timeout=-10), 'wait_timeout must not be negative'),
    (dict(wait_timeout=10 ** 9), 'wait_timeout must be at most 31536000 seconds (365 days)'),
])
def test_wait_options(params, text):
    values = dict(wait_timeout=1800, poll_interval=5.0)
    values.update(params)
    assert problem(v.WAIT, **values) == text


@pytest.mark.parametrize('params', [dict(wait_timeout=0, poll_interval=0.01), dict(wait_timeout=1800, poll_interval=5.0)])
def test_wait_options_accepted(params):
    assert problem(v.WAIT, **params) is None


@pytest.mark.parametrize('value, text', [
    ([], 'selected_tasks must not be an empty list; leave selected_tasks out to release every task'),
    ([dict(stage_name='', tasks=['a'])], 'selected_tasks[0].stage_name must not be empty'),
    ([dict(stage_name='s', tasks=['a']), dict(stage_name='s', tasks=[])],
     'selected_tasks[1].tasks must not be an empty list; an empty list would release every task of the stage'),
    ([dict(stage_name='s', tasks=['a', ''])], 'selected_tasks[0].tasks must not contain empty task names'),
    ([dict(stage_name='s', tasks=['  '])], 'selected_tasks[0].tasks must not contain blank task names (element 0'),
    ([dict(stage_name='s', tasks=['a\nb'])], 'selected_tasks[0].tasks[0] must not contain control characters'),
    ([dict(stage_name='s', tasks=['a'])] * 1001, 'selected_tasks has 1001 elements; at most 1000 are allowed'),
])
def test_selected_tasks(value, text):
    assert problem(dict(selected_tasks=v.PIPELINE_ACTION['selected_tasks']), selected_tasks=value).startswith(text)


def test_pipeline_ids_may_be_empty_but_not_hold_empty_ids():
    rules = dict(pipeline_ids=v.PIPELINE_STATUS_INFO['pipeline_ids'])
    assert problem(rules, pipeline_ids=[]) is None
    assert problem(rules, pipeline_ids=['a' * 32, '']) == 'pipeline_ids must not contain empty ids'
    assert problem(rules, dict(pipeline_ids=['a', None]), pipeline_ids=['a', '']) == 'pipeline_ids must not contain empty ids'
    assert problem(rules, pipeline_ids=['a'] * 5000) is None
    assert problem(rules, pipeline_ids=['a'] * 5001) == 'pipeline_ids has 5001 elements; at most 5000 are allowed'


@pytest.mark.parametrize('value, text', [
    ({'': 'main'}, "branches has an invalid repository URL '': it must not be empty"),
    ({' https://x ': 'main'}, "branches has an invalid repository URL ' https://x ': it must not begin or end"),
    ({'https://x': ''}, "branches['https://x'] must not be empty"),
    ({'https://x': None}, "branches['https://x'] must not be empty"),
    ({'https://x': ['main']}, "branches['https://x'] must be a string, not a list"),
])
def test_branch_maps(value, text):
    assert problem(dict(branches=v.PIPELINE_RUN['branches']), branches=value).startswith(text)


def test_empty_dictionaries_mean_nothing_given():
    assert problem(v.PIPELINE_RUN, pipeline_id=1, branches={}, envs={}, params={}, wait_timeout=1, poll_interval=1) is None


@pytest.mark.parametrize('value, ok', [({'A': 'x'}, True), ({'A': ''}, True), ({'A': 1}, True), ({'A': True}, True),
                                       ({'A': 'line1\nline2'}, True), ({'A': None}, False), ({'A': [1]}, False),
                                       ({'': 'x'}, False), ({'A': 'x' * 70000}, False)])
def test_run_variables(value, ok):
    assert (problem(dict(envs=v.PIPELINE_RUN['envs']), envs=value) is None) is ok


def test_params_document():
    rules = dict(params=v.Document())
    assert problem(rules, params={'someKey': {'nested': [1, 2]}}) is None
    assert problem(rules, params={'': 1}) == "params has an invalid key '': it must not be empty"
    assert problem(rules, params={'k': 'x' * 70000}).startswith("params['k'] is 70002 characters long as JSON")


def test_release_branch_repo_info():
    rules = dict(release_branch_repo_info=v.STAGE_EXECUTE['release_branch_repo_info'])
    good = dict(feature_branches=[dict(branch_name='feature/a', change_request_sn='cr1')], repo='https://x/r.git',
                base_branch='master', need_create_branch=True, release_branch=None)
    assert problem(rules, release_branch_repo_info=good) is None
    assert problem(rules, release_branch_repo_info=dict(good, feature_branches=[])).startswith(
        'release_branch_repo_info.feature_branches must not be an empty list')
    assert problem(rules, release_branch_repo_info=dict(good, base_branch=' ')) == \
        'release_branch_repo_info.base_branch must not be blank (only spaces)'
    bad_sn = dict(good, feature_branches=[dict(branch_name='b', change_request_sn='')])
    assert problem(rules, release_branch_repo_info=bad_sn) == \
        'release_branch_repo_info.feature_branches[0].change_request_sn must not be empty'


SPEC = dict(
    selected_tasks=dict(type='list', elements='dict', options=dict(stage_name=dict(), tasks=dict())),
    info=dict(type='dict', options=dict(fb=dict(type='list', elements='dict', options=dict(name=dict())))),
)


@pytest.mark.parametrize('raw, text', [
    (dict(selected_tasks=['deploy']), "selected_tasks[0] must be a dictionary (with stage_name, tasks), not the text 'deploy'"),
    (dict(selected_tasks=[dict(stage_name='s', tasks=['a'])]), None),
    (dict(selected_tasks=['stage_name=s tasks=a']), None),  # key=value text is a dictionary to Ansible
    (dict(info=['x']), 'info must be a dictionary (with fb), not a list'),
    (dict(info=dict(fb=['x'])), "info.fb[0] must be a dictionary (with name), not the text 'x'"),
])
def test_dictionary_problem_names_the_option(raw, text):
    assert v.dictionary_problem(SPEC, raw) == text


class _Spec(Exception):
    pass


@pytest.mark.parametrize('name, rules', [('pipeline_action', v.PIPELINE_ACTION), ('pipeline_run', v.PIPELINE_RUN),
                                         ('pipeline_status_info', v.PIPELINE_STATUS_INFO),
                                         ('stage_execute', v.STAGE_EXECUTE), ('stage_review', v.STAGE_REVIEW)])
def test_every_rule_names_an_option_of_its_module(monkeypatch, name, rules):
    """A rule for an option the module does not have would never run: catch typos in the tables."""
    module = importlib.import_module('ansible_collections.devops_cloud.pipelines.plugins.modules.%s' % name)

    def capture(self, **kwargs):
        raise _Spec(kwargs['argument_spec'])

    monkeypatch.setattr(basic.AnsibleModule, '__init__', capture)
    with pytest.raises(_Spec) as spec:
        module.main()
    options = spec.value.args[0]
    for option, rule in rules.items():
        assert option in options, option
        if isinstance(rule, v.Fields) or (isinstance(rule, v.ItemsOf)):
            subrules = rule.rules if isinstance(rule, v.Fields) else rule.element.rules
            assert set(subrules) <= set(options[option]['options']), option


def test_empty_project_id_counts_as_not_set():
    """AWX credential types inject HUAWEICLOUD_SDK_PROJECT_ID='' without a project; the modules that need one fail
    on it later (before any request), the v3 stage review needs none."""
    assert problem(v.HUAWEI, project_id='', region='') is None
    assert problem(v.HUAWEI, project_id='..', region='').startswith("project_id must not be '..'")
