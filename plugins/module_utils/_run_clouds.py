# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""``pipeline_run`` on both clouds: which cloud a task means, and its backend (internal use only; the API may
change without notice).

The cloud is the ``cloud`` option or follows from the ids (``_clouds.choose_cloud`` with ``infer`` below):
a ``pipeline_id`` (and ``run_id``) of 1 to 20 digits is an Alibaba Cloud Flow id, one of exactly 32 letters
and digits a Huawei Cloud CodeArts id. Anything else, or ids of both kinds, fails before any request unless
``cloud`` is set; the ids are then checked against that cloud's form. The run inputs of one cloud
(``FLOW_OPTIONS``, ``codearts_runs.OPTIONS``) fail with the other.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba.client import make_client
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba.flow import run_url
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba.flow import flow_runs
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._clouds import choose_cloud, vendor_params
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._engine import OptionError
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei import codearts_runs

FLOW_OPTIONS = ('branches', 'tags', 'branch_mode_branches', 'envs', 'pipeline_artifacts', 'acr_artifacts',
                'package_artifacts', 'comment', 'params')
ID_OPTIONS = ('pipeline_id', 'run_id')
_FLOW_ID = re.compile(r'^[0-9]{1,20}$')
_CODEARTS_ID = re.compile(r'^[A-Za-z0-9]{32}$')
_NAMES = dict(alibaba='Alibaba Cloud Flow', huawei='Huawei Cloud CodeArts')
# The option of the other cloud that does the same.
_COUNTERPARTS = dict(envs='variables', comment='description', branches='sources', tags='sources',
                     variables='envs', description='comment', sources='branches or tags')


def id_cloud(value):
    """``'alibaba'`` for a Flow id (1 to 20 digits), ``'huawei'`` for a CodeArts id (32 letters and digits), else None."""
    text = str(value)
    if _FLOW_ID.match(text):
        return 'alibaba'
    return 'huawei' if _CODEARTS_ID.match(text) else None


def infer(params):
    """The cloud the ids of the task belong to, or None when they do not tell (or disagree)."""
    clouds = set(id_cloud(params[name]) for name in ID_OPTIONS if params.get(name) is not None)
    return clouds.pop() if len(clouds) == 1 else None


def _check_id(name, value, cloud):
    text = str(value)
    if cloud == 'alibaba' and not (_FLOW_ID.match(text) and int(text) > 0):
        raise OptionError('%s must be a positive integer (an Alibaba Cloud Flow id), not %r' % (name, text[:80]))
    if cloud == 'huawei' and not _CODEARTS_ID.match(text):
        raise OptionError('%s must be a Huawei Cloud CodeArts id (32 letters and digits), not %r' % (name, text[:80]))


def pick_cloud(params):
    """The cloud of the task, its ids checked against it; ``OptionError`` naming the option otherwise."""
    if params.get('cloud'):
        for name in ID_OPTIONS:
            if params.get(name) is not None:
                _check_id(name, params[name], params['cloud'])
    else:
        for name in ID_OPTIONS:
            if params.get(name) is not None and id_cloud(params[name]) is None:
                raise OptionError('%s must be a positive integer (an Alibaba Cloud Flow id) or 32 letters and digits '
                                  '(a Huawei Cloud CodeArts id), not %r'
                                  % (name, str(params[name])[:80]))
        if infer(params) is None:
            raise OptionError('pipeline_id and run_id are ids of different clouds; set cloud to huawei or alibaba')
    cloud = choose_cloud(params, infer)
    for name in ID_OPTIONS:
        if params.get(name) is not None:
            _check_id(name, params[name], cloud)  # a Flow id of digits must also be positive
    foreign = FLOW_OPTIONS if cloud == 'huawei' else codearts_runs.OPTIONS
    for name in foreign:
        if params.get(name) not in (None, {}, []):
            hint = ': use %s' % _COUNTERPARTS[name] if name in _COUNTERPARTS else ''
            raise OptionError('%s is an option of %s runs; it cannot be used with %s (cloud=%s)%s'
                              % (name, _NAMES['alibaba' if cloud == 'huawei' else 'huawei'], _NAMES[cloud], cloud, hint))
    return cloud


class RunTask:
    """The backend of one ``pipeline_run`` task: ``cloud``, ``params`` (the options as its vendor code reads
    them, ids in their API type) and ``target`` (a ``RunTarget``). ``register`` gets the client."""

    def __init__(self, params, register):
        self.cloud = pick_cloud(params)
        if self.cloud == 'huawei':
            self.params = vendor_params(params, 'huawei', home='alibaba')
            self.target = codearts_runs.codearts_runs(self.params, register)
            return
        self.params = vendor_params(params, 'alibaba', home='alibaba')
        for name in ID_OPTIONS:
            if self.params.get(name) is not None:
                self.params[name] = int(self.params[name])
        api, client = make_client(self.params)
        self.target = flow_runs(api, register(client), self.params)

    def result(self, outcome):
        """The keys of the result, the same for both clouds; CodeArts adds ``queued`` and ``queue_id``."""
        run = outcome.record
        result = dict(changed=outcome.changed, action=outcome.action, run=run, run_id=None, url=None)
        if run:
            url = run.get('url') if self.cloud == 'huawei' else run_url(self.params['pipeline_id'], run['id'])
            result.update(run_id=run['id'], url=url)
        if self.params['state'] == 'canceled':
            result['canceled_run_ids'] = outcome.stopped
        if self.cloud == 'huawei':
            result.update(queued=outcome.queued, queue_id=getattr(self.target, 'queue_id', None))
            if outcome.note:
                result['queue_message'] = outcome.note
        return result
