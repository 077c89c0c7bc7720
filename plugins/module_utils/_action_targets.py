# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""``pipeline_action`` on both clouds: what a task acts on, and the run and job actions (internal use only;
the API may change without notice).

What the task acts on (``choose_target``): ``target`` when given, else the identifying options decide:

1. any of ``app_name``, ``release_workflow_sn``, ``release_stage_sn``, ``execution_number``: a job of an
   Alibaba Cloud AppStack release stage execution (``target=job``);
2. else any of ``run_id``, ``job_id``, ``job_name``, ``stage_name``, ``step_id``, ``step_name``: by the form
   of ``pipeline_id`` -- 1 to 20 digits, a job of an Alibaba Cloud Flow run (``target=job``); 32 letters and
   digits, a Huawei Cloud CodeArts run (``target=run``); anything else is an argument error;
3. else, for an action of a release task (``start``, ``stop``, ``continue``, ``approval``, ``retry``,
   ``rollback``), a Huawei Cloud ServiceStage release task (``target=release_task``), the 0.1.0 meaning of
   ``pipeline_id`` + ``action``, unchanged; the other actions (``resume``, ``cancel_queued``, ``skip``) go by the
   form of ``pipeline_id`` as in 2.

``target=run`` is always CodeArts, ``target=job`` Flow (or AppStack with its options); ``cloud`` and
``target``, when given, must fit what the options say. Every mismatch is an ``OptionError`` before any
request.

The run and job actions (``act_on``) follow one path for every backend: read the run (``run_id``, else the
newest), find what the action concerns (the run, the job, the paused step, the queue entry), decide from the
backend's ``actions`` table (status kinds that allow the action) -- ``changed=false`` when it would change
nothing --, predict in check mode, else send once through ``_http.guarded_action`` whose probe re-reads and
accepts the effect when the thing no longer allows the action, then optionally wait with ``_engine.await_run``
and word the verdict with ``_engine.judge``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import functools

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba import client as alibaba_client
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._alibaba import flow_jobs
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._clouds import dual_argument_spec, vendor_params
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._engine import OptionError, Outcome, await_run, judge
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._http import ApiError, guarded_action
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei import codearts_actions, servicestage
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._run_clouds import id_cloud

TARGETS = ('release_task', 'run', 'job')
APPSTACK_OPTIONS = ('app_name', 'release_workflow_sn', 'release_stage_sn', 'execution_number')
RUN_JOB_OPTIONS = ('run_id', 'job_id', 'job_name', 'stage_name', 'step_id', 'step_name')
RELEASE_TASK_OPTIONS = ('selected_tasks', 'task_name', 'approval_result', 'comment')
ACTIONS = dict(release_task=servicestage.ACTIONS, codearts=tuple(codearts_actions.RUN_ACTIONS),
               flow=tuple(flow_jobs.JOB_ACTIONS), appstack=tuple(flow_jobs.APPSTACK_ACTIONS))
ALL_ACTIONS = tuple(sorted(set(a for actions in ACTIONS.values() for a in actions)))
KIND = dict(release_task='release_task', codearts='run', flow='job', appstack='job')
CLOUD = dict(release_task='huawei', codearts='huawei', flow='alibaba', appstack='alibaba')
WORDS = dict(release_task='a ServiceStage release task', codearts='a CodeArts pipeline run',
             flow='a job of a Flow run', appstack='a job of an AppStack release stage execution')
# actions whose intended end is a run that did not succeed: the wait after them does not fail on it
STOPPING = ('stop', 'cancel_queued')


def _given(params, names):
    return [name for name in names if params.get(name) not in (None, '', [], {})]


def choose_backend(params):
    """``'release_task'``, ``'codearts'``, ``'flow'`` or ``'appstack'`` by the rule of this module's docstring,
    the options checked against it; ``OptionError`` before any request otherwise."""
    target, pid = params.get('target'), params.get('pipeline_id')
    appstack, runjob = _given(params, APPSTACK_OPTIONS), _given(params, RUN_JOB_OPTIONS)
    form = id_cloud(pid) if pid is not None else None
    if appstack:
        backend = 'appstack'
    elif target == 'release_task' or (target is None and not runjob and params['action'] in ACTIONS['release_task']):
        backend = 'release_task'
    elif form == 'alibaba' and target != 'run':
        backend = 'flow'
    elif form == 'huawei' and target != 'job':
        backend = 'codearts'
    elif pid is None:
        raise OptionError('pipeline_id is required (a Flow pipeline id of digits or a CodeArts pipeline id of 32 '
                          'letters and digits), or the AppStack options app_name, release_workflow_sn and '
                          'release_stage_sn')
    else:
        raise OptionError('%spipeline_id must be %s, not %r' % (
            'with target=%s, ' % target if target else '',
            dict(run='a CodeArts pipeline id (32 letters and digits): runs are acted on on CodeArts',
                 job='a Flow pipeline id (digits): jobs are acted on on Flow, or on AppStack with its options').get(
                     target, 'a Flow pipeline id (digits) or a CodeArts pipeline id (32 letters and digits) to act on '
                             'a run or job'), str(pid)[:80]))
    _check_backend(params, backend, target, appstack, runjob)
    return backend


def _check_backend(params, backend, target, appstack, runjob):
    kind = KIND[backend]
    if target is not None and target != kind:
        raise OptionError('target=%s does not fit the options given, which name %s (target=%s)'
                          % (target, WORDS[backend], kind))
    if params.get('cloud') and params['cloud'] != CLOUD[backend]:
        raise OptionError('cloud=%s does not fit the options given, which name %s (cloud %s)'
                          % (params['cloud'], WORDS[backend], CLOUD[backend]))
    action = params['action']
    if action not in ACTIONS[backend]:
        raise OptionError('action=%s does not apply to %s; its actions are %s'
                          % (action, WORDS[backend], ', '.join(ACTIONS[backend])))
    if backend == 'release_task':
        if runjob:
            raise OptionError('%s cannot be used with target=release_task' % ', '.join(runjob))
        if not params.get('pipeline_id'):
            # the 0.1.0 wording (pipeline_id was a required option then)
            raise OptionError('missing required arguments: pipeline_id (the release task id; or name a run or job, '
                              'see target)')
        return
    foreign = _given(params, RELEASE_TASK_OPTIONS) + (['skip_if_succeeded'] if params.get('skip_if_succeeded') else [])
    if foreign:
        raise OptionError('%s: only used with a ServiceStage release task (target=release_task)' % ', '.join(foreign))
    steps = _given(params, ('step_id', 'step_name'))
    if backend == 'codearts':
        if action != 'resume' and _given(params, ('job_id', 'job_name', 'stage_name')) + steps:
            raise OptionError('%s: a CodeArts pipeline run is acted on as a whole; jobs and steps are only named '
                              'with action=resume' % ', '.join(_given(params, ('job_id', 'job_name', 'stage_name')) + steps))
        _check_id('pipeline_id', params['pipeline_id'], 'huawei')
        if params.get('run_id') is not None:
            _check_id('run_id', params['run_id'], 'huawei')
        return
    if steps:
        raise OptionError('%s: steps are only named for action=resume of a CodeArts run' % ', '.join(steps))
    if not _given(params, ('job_id', 'job_name')):
        raise OptionError('job_id or job_name is required to act on %s' % WORDS[backend])
    if params.get('job_id') is not None:
        _check_id('job_id', params['job_id'], 'alibaba')
    if backend == 'flow':
        _check_id('pipeline_id', params['pipeline_id'], 'alibaba')
        if params.get('run_id') is not None:
            _check_id('run_id', params['run_id'], 'alibaba')
        return
    missing = [name for name in APPSTACK_OPTIONS[:3] if name not in appstack]
    if missing:
        verb = ' are' if len(missing) > 1 else ' is'
        raise OptionError('%s required to act on %s' % (' and '.join(missing) + verb, WORDS[backend]))
    if params.get('run_id') is not None or params.get('pipeline_id') is not None:
        raise OptionError('an AppStack release stage execution is named by execution_number, not by %s'
                          % ' or '.join(_given(params, ('pipeline_id', 'run_id'))))


def _check_id(name, value, cloud):
    text = str(value)
    if id_cloud(text) != cloud or (cloud == 'alibaba' and int(text) <= 0):
        raise OptionError('%s must be %s, not %r' % (name, 'a positive integer (a Flow id)' if cloud == 'alibaba'
                                                     else '32 letters and digits (a CodeArts id)', text[:80]))


def build(params, register):
    """``(backend, target)``: the backend name and its object (``register`` gets the client); sends nothing."""
    backend = choose_backend(params)
    if backend == 'release_task':
        return backend, servicestage.release_task(vendor_params(params, 'huawei', home='huawei'), register)
    cloud = CLOUD[backend]
    vparams = vendor_params(params, cloud, home='huawei')
    if backend == 'codearts':
        return backend, codearts_actions.codearts_run_actions(vparams, register)
    if backend == 'appstack':
        api = flow_jobs.appstack_api(vparams)
        return backend, flow_jobs.stage_execution_jobs(api, register(alibaba_client.make_client(vparams)[1]), vparams)
    vparams['pipeline_id'] = int(vparams['pipeline_id'])
    api, client = alibaba_client.make_client(vparams)
    return backend, flow_jobs.flow_job_actions(api, register(client), vparams)


# -- the run and job actions ----------------------------------------------------------------------------
class Subject:
    """What one action concerns, read from the backend: ``record`` (the run, or the AppStack execution),
    ``run`` (the normalised run with stages), ``thing`` (the job, the paused step, the queue entry, or the run)
    and ``status`` (of ``thing``; what the ``actions`` table is read with)."""

    def __init__(self, record, run, thing, status, kind_table, where=None):
        self.record, self.run, self.thing, self.status = record, run, thing, status
        self.table, self.where = kind_table, where


def _find_job(run, params, what):
    jid, name, stage_name = params.get('job_id'), params.get('job_name'), params.get('stage_name')
    found = []
    for stage in run.get('stages') or []:
        if stage_name is not None and stage.get('name') != stage_name:
            continue
        for job in stage.get('jobs') or []:
            if (jid is not None and str(job.get('id')) == str(jid)) or (
                    jid is None and name is not None and name in (job.get('name'), job.get('identifier'))):
                found.append(dict(job, stage=stage.get('name')))
    if not found:
        which = 'with id %s' % jid if jid is not None else 'named %r' % name
        where = ' in stage %r' % stage_name if stage_name else ''
        raise ApiError('%s has no job %s%s' % (what, which, where), status=404)
    if len(found) > 1:
        raise ApiError('%s has %d jobs named %r (in stages %s): name the stage with stage_name, or use job_id'
                       % (what, len(found), name, ', '.join(repr(j['stage']) for j in found)))
    return found[0]


def read_subject(backend, target, params, run_id=None):
    """The ``Subject`` of the action, read now (``run_id``: the run read before, for the probe)."""
    action = params['action']
    if backend == 'appstack':
        number = run_id or params.get('execution_number')
        record = target.get(number) if number is not None else _newest(target)
        run = target.pipeline_run(record['number'])
        job = _find_job(run, params, target.describe(record['number']))
        return Subject(record, run, job, job.get('status'), target.step_table())
    rid = run_id or params.get('run_id')
    if backend == 'codearts' and action == 'cancel_queued':
        return _queued_subject(target, rid)
    record = target.get(rid) if rid is not None else target.get(target.id_of(_newest(target)))
    if backend == 'flow':
        job = _find_job(record, params, target.describe(record['id']))
        return Subject(record, record, job, job.get('status'), target.step_table())
    if action == 'resume':
        found = target.paused_step(record, params.get('job_id'), params.get('job_name'), params.get('step_id'),
                                   params.get('step_name'))
        step = found[1] if found else None
        return Subject(record, record, step, step.get('status') if step else None, target.step_table(), found)
    return Subject(record, record, record, record.get('status'), target.statuses)


def _queued_subject(target, run_id):
    """cancel_queued: the run ``run_id`` and its queue entry, or (no ``run_id``) the run queued last -- else the
    newest run, with no entry."""
    if run_id is not None:
        record = target.get(run_id)
        entry = target.queue_entry(record['id']) if target.statuses.live(record.get('status')) else None
    else:
        entry = target.queue_entry()
        record = target.get(entry['pipeline_run_id'] if entry else target.id_of(_newest(target)))
    return Subject(record, record, entry, record.get('status'), target.statuses, entry)


def _newest(target):
    runs = target.list()
    if not runs:
        raise ApiError('%s has no run to act on' % target.describe('(none)').replace('(none) ', ''), status=404)
    return runs[0]


def allowed(target, action, subject):
    """Whether ``action`` changes something on ``subject`` (the backend's ``actions`` table)."""
    return subject.thing is not None and subject.table.kind(subject.status) in target.actions[action]


def noop_reason(backend, action, subject):
    if subject.thing is None:
        return ('no step of the run is paused' if action == 'resume' else 'the run is not queued (it is %s)'
                % subject.record.get('status'))
    what = 'the job' if KIND[backend] == 'job' else 'the run'
    return '%s is %s, so %s changes nothing' % (what, subject.table.label(subject.status), action)


def act_on(backend, target, params, result, check_mode=False, diff=False, report=None, sleep=None):
    """Carry out a run or job action (module docstring), filling ``result``; returns the failure message or None."""
    action = params['action']
    before = read_subject(backend, target, params)
    run_key = 'number' if backend == 'appstack' else 'id'
    run_id = before.record.get(run_key)
    result.update(run_id=None if run_id is None else str(run_id), run=before.run, status_before=before.status,
                  status_after=before.status, job=_job_of(before))
    if diff:
        result['diff'] = dict(before=dict(status=before.status))
    if not allowed(target, action, before):
        result['msg'] = noop_reason(backend, action, before)
        if diff:
            result['diff']['after'] = dict(status=before.status)
        return None
    result['changed'] = True
    if check_mode:
        result['status_after'] = None
        if diff:
            result['diff']['after'] = dict(status='(after %s)' % action)
        return None
    where = before.where if backend == 'codearts' and action in ('resume', 'cancel_queued') else before.thing
    send = functools.partial(target.act, action, before.record, where)

    def probe():
        now = read_subject(backend, target, params, run_id=run_id)
        return now if not allowed(target, action, now) else None

    answer, adopted = guarded_action(send, probe, sleep=sleep)
    result['adopted'] = adopted
    if isinstance(answer, dict) and answer.get('queued'):
        result.update(queued=True, queue_id=getattr(target, 'queue_id', None), queue_message=answer.get('message'))
    outcome = Outcome()
    outcome.action = 'stopped' if action in STOPPING else 'acted'
    outcome.record = before.record
    if params['wait']:
        outcome.record = await_run(target, outcome, run_id, None, params['wait_timeout'], params['poll_interval'],
                                   sleep=sleep)
        result['wait'] = dict(polls=outcome.polls, elapsed=round(outcome.elapsed, 3))
    after = read_subject(backend, target, params, run_id=run_id) if not adopted or params['wait'] else answer
    result.update(run=after.run, status_after=after.status, job=_job_of(after) or _job_now(before, after.run))
    if action == 'resume' and result['job']:
        result['status_after'] = result['job']['step']['status']
    if diff:
        result['diff']['after'] = dict(status=after.status)
    if not outcome.waited:
        return None
    msg = judge(outcome, 'started' if action in STOPPING else 'finished', target, params['wait_timeout'],
                run=after.run)[0]
    if report is not None:
        msg = report(result, outcome, target, msg, run=after.run)
    return msg


def _job_now(before, run):
    """The job (and step) of ``before`` as ``run`` shows it now, for a resumed step that is no longer paused."""
    if not (before.where and isinstance(before.where, tuple)):
        return None
    job_id, step_id = before.where[0].get('id'), before.where[1].get('id')
    for stage in (run or {}).get('stages') or []:
        for job in stage.get('jobs') or []:
            for step in job.get('steps') or []:
                if job.get('id') == job_id and step.get('id') == step_id:
                    return _job_of(Subject(None, run, step, None, None, (job, step)))
    return None


def _job_of(subject):
    """The ``job`` of the result: the job (or, for resume, the job and step) the action concerns."""
    if subject.where and isinstance(subject.where, tuple):
        job, step = subject.where
        return dict(id=job.get('id'), name=job.get('name'), status=job.get('status'),
                    step=dict(id=step.get('id'), name=step.get('name'), status=step.get('status')))
    thing = subject.thing
    if isinstance(thing, dict) and 'stage' in thing:
        return dict(id=thing.get('id'), name=thing.get('name'), stage=thing.get('stage'), status=thing.get('status'))
    return None


def action_argument_spec():
    """The options of ``pipeline_action``: both clouds' connection options (``_clouds``), the 0.1.0 options of a
    release task action, and the options that name a run, job, step or AppStack execution."""
    spec = dual_argument_spec()
    spec.update(
        target=dict(type='str', choices=list(TARGETS)),
        pipeline_id=dict(type='str'),
        action=dict(type='str', required=True, choices=list(ALL_ACTIONS)),
        selected_tasks=dict(type='list', elements='dict', options=dict(
            stage_name=dict(type='str', required=True),
            tasks=dict(type='list', elements='str', required=True),
        )),
        task_name=dict(type='str'),
        approval_result=dict(type='str', choices=list(servicestage.APPROVAL_TYPES)),
        comment=dict(type='str'),
        skip_if_succeeded=dict(type='bool', default=False),
        run_id=dict(type='str'),
        job_id=dict(type='str'),
        job_name=dict(type='str'),
        stage_name=dict(type='str'),
        step_id=dict(type='str'),
        step_name=dict(type='str'),
        app_name=dict(type='str'),
        release_workflow_sn=dict(type='str'),
        release_stage_sn=dict(type='str'),
        execution_number=dict(type='str'),
    )
    return spec


def run_task(params, result, register, check_mode=False, diff=False, report=None):
    """The whole of one ``pipeline_action`` task after the options were checked: build the backend, act, fill
    ``result``; returns the failure message or None."""
    backend, target = build(params, register)
    result['target'] = KIND[backend]
    if backend == 'release_task':
        result['execution_id'] = None
        return servicestage.run_action(target, vendor_params(params, 'huawei', home='huawei'), result, check_mode,
                                       diff, report=report)
    result.update(run_id=None, job=None, status_before=None, status_after=None, run=None)
    return act_on(backend, target, params, result, check_mode, diff, report=report)
