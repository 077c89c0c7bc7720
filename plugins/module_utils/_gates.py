# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Gates of a run -- where a run waits for a person -- found and decided the same way on every cloud
(internal use only; the API may change without notice). Nothing here knows a vendor.

A gate is a dict built by ``gate()``::

    {'kind': 'manual_review' | 'checkpoint' | 'delay' | 'validation',
     'stage': name, 'job': name, 'step': name,        # what a person sees; None where the API has no level
     'ids': {...},                                     # the vendor ids ``decide`` needs (run_id, job_id, step_id ...)
     'status': ..., 'state': 'pending' | 'decided' | 'not_reached' | 'run_ended', 'pending': bool,
     'decided_by': ..., 'decided_at': ...}             # when the API tells

Target interface of ``decide_gate`` (a backend object; ``_engine.RunTarget`` subclasses fit):

- ``run(run_id)``: the run detail, normalised (``_status``); ``run_id`` None means the latest run.
  None when the pipeline never ran.
- ``gates(run)``: the gates of that run detail, in run order, each built with ``gate()``.
- ``decide(gate, decision, comment)``: acting, sent once; ``decision`` is ``'pass'`` or ``'refuse'``
  (a backend maps them per kind, e.g. delay-pass). Returns the server's answer.
- ``statuses`` (the run ``StatusTable``); ``id_of(run)``, ``status_of(run)``, ``describe(run_id)``: optional.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import functools

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._engine import OptionError
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._http import ApiError, guarded_action
from ansible_collections.devops_cloud.pipelines.plugins.module_utils._status import ENDED, IDLE

GATE_KINDS = ('manual_review', 'checkpoint', 'delay', 'validation')
DECISIONS = ('pass', 'refuse')
STATE_WORDS = dict(pending='pending', decided='decided', not_reached='not reached yet', run_ended='the run ended')
# Why a gate that is not pending is left alone, by its state.
NOT_PENDING = dict(decided='already decided', not_reached='not reached yet', run_ended='the run ended')
# A kind in messages: singular and plural.
KIND_WORDS = dict(manual_review=('manual review step', 'manual review steps'),
                  checkpoint=('stage-entry checkpoint', 'stage-entry checkpoints'),
                  delay=('delayed execution', 'delayed executions'),
                  validation=('validation job', 'validation jobs'))
NAME_OPTIONS = 'stage_name, job_name or step_name'


def gate(kind, stage=None, job=None, step=None, ids=None, status=None, table=None, pending=None,
         decided_by=None, decided_at=None):
    """A normalised gate. Whether it is pending: ``pending`` when the backend knows (e.g. the server offers
    the pass action), else by ``table`` (the step ``StatusTable``, CONTRACTS-2 9.4): ended statuses are
    decided, idle ones not reached, anything else -- unknown values included -- pending. A gate that is not
    pending is ``decided`` when ``table`` says its status ended, else ``not_reached``."""
    if kind not in GATE_KINDS:
        raise ValueError('gate kind must be one of %s (got %r)' % (', '.join(GATE_KINDS), kind))
    if pending is None and table is None:
        raise ValueError('a gate needs pending or the status table of its step')
    status_kind = table.kind(status) if table is not None else None
    if pending is None:
        pending = status_kind not in ENDED and status_kind != IDLE
    state = 'pending' if pending else 'decided' if status_kind in ENDED else 'not_reached'
    return dict(kind=kind, stage=stage, job=job, step=step, ids=dict(ids or {}), status=status, state=state,
                pending=state == 'pending', decided_by=decided_by, decided_at=decided_at)


def _run_id(target, run):
    return target.id_of(run) if hasattr(target, 'id_of') else run.get('id')


def _run_status(target, run):
    return target.status_of(run) if hasattr(target, 'status_of') else run.get('status')


def _where(target, run_id):
    return target.describe(run_id) if hasattr(target, 'describe') else 'run %s' % run_id


def read_gates(target, run):
    """``target.gates(run)``; when the run itself ended (by ``target.statuses``), no gate is pending any more."""
    gates = [dict(g) for g in target.gates(run)]
    table = getattr(target, 'statuses', None)
    if table is not None and table.terminal(_run_status(target, run)):
        for item in gates:
            if item['pending']:
                item.update(pending=False, state='run_ended')
    return gates


def gate_summary(item):
    """``manual_review at stage 'Deploy' job 'approve' step 'review' (RUNNING, pending)``."""
    names = ' '.join("%s '%s'" % (level, item[level]) for level in ('stage', 'job', 'step') if item.get(level))
    if not names:
        names = ' '.join('%s %s' % (k, v) for k, v in sorted(item['ids'].items())) or 'an unnamed gate'
    facts = [str(item['status'])] if item.get('status') is not None else []
    facts.append(STATE_WORDS.get(item['state'], item['state']))
    if item.get('decided_by'):
        facts.append('by %s' % item['decided_by'])
    if item.get('decided_at'):
        facts.append('at %s' % item['decided_at'])
    return '%s at %s (%s)' % (item['kind'], names, ', '.join(facts))


def _listing(gates):
    return '; '.join(gate_summary(g) for g in gates)


def kind_counts(gates):
    """``'2 manual review steps, 1 stage-entry checkpoint'``."""
    parts = []
    for kind in GATE_KINDS:
        count = len([g for g in gates if g['kind'] == kind])
        if count:
            parts.append('%d %s' % (count, KIND_WORDS[kind][count != 1]))
    return ', '.join(parts)


def _matches(item, stage, job, step, ids, kind=None):
    if kind is not None and item['kind'] != kind:
        return False
    for level, wanted in (('stage', stage), ('job', job), ('step', step)):
        if wanted is not None and item.get(level) != wanted:
            return False
    return all(str(item['ids'].get(key)) == str(value) for key, value in (ids or {}).items())


def select_gate(gates, stage=None, job=None, step=None, ids=None, where='the run', kind=None):
    """The gate the names (exact, case-sensitive) and raw ``ids`` (a dict; each given key must equal the gate's
    id of that key) point to; without any, the one pending gate. ``kind`` keeps gates of that kind only.

    Among several matches the single pending one is chosen. Returns None when several match and none is
    pending (nothing to decide, nothing to name). ``OptionError``, listing what exists, when the run has no
    gate, when nothing matches, or when several matching gates are pending (name one with stage/job/step).
    """
    if not gates:
        raise OptionError('%s has no gate (%s)' % (where, ', '.join(GATE_KINDS)))
    named = any(v is not None for v in (stage, job, step, kind)) or bool(ids)
    found = [g for g in gates if _matches(g, stage, job, step, ids, kind)]
    if not found:
        asked = ' '.join("%s '%s'" % (k, v) for k, v in (('kind', kind), ('stage', stage), ('job', job), ('step', step))
                         if v is not None)
        asked = ' '.join([asked] + ['%s %s' % (k, v) for k, v in sorted((ids or {}).items())]).strip()
        hint = ' (names are case-sensitive)' if any(v is not None for v in (stage, job, step)) else ''
        raise OptionError('no gate of %s matches %s%s; its gates: %s' % (where, asked, hint, _listing(gates)))
    pending = [g for g in found if g['pending']]
    if len(pending) == 1:
        return pending[0]
    if len(pending) > 1:
        raise OptionError('%d gates of %s are pending%s (%s); name one with %s: %s' % (
            len(pending), where, ' and match the names' if named else '', kind_counts(pending), NAME_OPTIONS,
            _listing(pending)))
    return found[0] if len(found) == 1 else None


def waiting_gate(gates):
    """The first pending gate, or None."""
    return next((g for g in gates if g['pending']), None)


def at_gate(target, record):
    """The pending gate a run record waits at, or None (also when the target knows no gates). For the engine:
    ``wait_until: gate`` ends the wait when this is not None, and a timed-out wait names it (``gate_note``)."""
    if record is None or not hasattr(target, 'gates'):
        return None
    return waiting_gate(read_gates(target, record))


def gate_note(target, record):
    """``'; it waits at a gate: <summary>'`` for a timeout message, or '' when the run waits at none."""
    found = at_gate(target, record)
    return '; it waits at a gate: %s' % gate_summary(found) if found else ''


class GateOutcome:
    """What ``decide_gate`` did and saw."""

    def __init__(self, decision):
        self.changed = False
        self.decision = decision
        self.action = 'none'     # decided | adopted | would_decide | none
        self.gate = None         # the gate, with status_before / status_after
        self.run = None          # the run detail read last
        self.run_id = None
        self.run_status = None
        self.response = None     # the server's answer to the decision (not when adopted)
        self.msg = None          # why nothing was sent

    def result(self):
        """The keys a module returns."""
        return dict(changed=self.changed, decision=self.decision, action=self.action, gate=self.gate,
                    run_id=self.run_id, run_status=self.run_status, response=self.response, msg=self.msg)


def _same(gates, old):
    """The gate of ``gates`` that is ``old`` (same ids, else same kind and names), or None."""
    for item in gates:
        if old['ids'] and item['ids'] == old['ids']:
            return item
        if not old['ids'] and all(item.get(k) == old.get(k) for k in ('kind', 'stage', 'job', 'step')):
            return item
    return None


def _read(target, outcome, run_id):
    outcome.run = target.run(run_id)
    if outcome.run is not None:
        outcome.run_id = _run_id(target, outcome.run)
        outcome.run_status = _run_status(target, outcome.run)
    return outcome.run


def _show(outcome, before, now):
    """Record ``now`` (the gate as read last, None when it is gone) in ``outcome.gate``, with the status before."""
    outcome.gate = dict(now or before, status_before=before['status'], status_after=now['status'] if now else None)


def decide_gate(target, selector, decision, comment=None, check_mode=False, guard=None, sleep=None, outcome=None):
    """Pass or refuse one gate; returns a ``GateOutcome``.

    ``selector``: dict of ``run_id`` (None: the latest run), ``stage``, ``job``, ``step``, ``ids`` and ``kind``
    (see ``select_gate``). A run without any gate is no change either (the msg says so; a target may word it
    with ``no_gate(where, run)``). A gate that is not pending is not touched (``changed`` false, the gate as the server
    shows it); check mode reads only. The decision goes through ``guard(act, probe)`` (default
    ``_http.guarded_action``): it is sent once, and a lost answer is settled by reading the gate back --
    no longer pending means the decision took (adopted); no evidence raises, saying it was not repeated.
    """
    if decision not in DECISIONS:
        raise OptionError('decision must be one of %s (got %r)' % (', '.join(DECISIONS), decision))
    guard = guard or functools.partial(guarded_action, sleep=sleep)
    outcome = outcome or GateOutcome(decision)  # given by a caller that reports what was seen when this raises
    if _read(target, outcome, selector.get('run_id')) is None:
        outcome.msg = 'the pipeline has never run, so no gate waits for a decision'
        return outcome
    where = _where(target, outcome.run_id)
    gates = read_gates(target, outcome.run)
    if selector.get('kind'):
        gates = [g for g in gates if g['kind'] == selector['kind']]
    if not gates:
        outcome.msg = (target.no_gate(where, outcome.run) if hasattr(target, 'no_gate') else
                       'no gate waits for a decision in %s (run status %s)' % (where, outcome.run_status))
        return outcome
    chosen = select_gate(gates, selector.get('stage'), selector.get('job'), selector.get('step'), selector.get('ids'),
                         where=where)
    if chosen is None:
        outcome.msg = 'no gate of %s is pending: %s' % (where, _listing(gates))
        return outcome
    _show(outcome, chosen, chosen)
    if not chosen['pending']:
        outcome.msg = 'the gate is not pending (%s), nothing sent: %s' % (NOT_PENDING[chosen['state']],
                                                                          gate_summary(chosen))
        return outcome
    outcome.changed = True
    if check_mode:
        outcome.action = 'would_decide'
        return outcome
    run_id = outcome.run_id

    def probe():
        again = target.run(run_id)
        fresh = _same(read_gates(target, again), chosen) if again is not None else None
        return fresh if fresh is not None and not fresh['pending'] else None

    try:
        answer, adopted = guard(lambda: target.decide(chosen, decision, comment), probe)
    except ApiError as err:
        if err.uncertain:
            raise
        # Refused: when someone decided the gate (or the run ended) meanwhile, there is nothing left to do.
        again = _read(target, outcome, run_id)
        fresh = _same(read_gates(target, again), chosen) if again is not None else None
        if fresh is None or fresh['pending']:
            raise
        outcome.changed = False
        _show(outcome, chosen, fresh)
        outcome.msg = 'the server refused the decision, and the gate is no longer pending: %s (%s)' % (
            gate_summary(fresh), err)
        return outcome
    outcome.action = 'adopted' if adopted else 'decided'
    outcome.response = dict(adopted_status=answer.get('status')) if adopted else answer
    _read(target, outcome, run_id)
    fresh = _same(read_gates(target, outcome.run), chosen) if outcome.run is not None else None
    _show(outcome, chosen, fresh or (answer if adopted else None))
    return outcome


class GateReview:
    """One ``stage_review`` task on a gate target: ``review(result, check_mode, diff)`` decides and fills the
    module result (also when ``decide_gate`` raises half way), returning a failure message or None.
    ``params``: the module options (``result``, ``comment``, ``require_pending``, ``stage_name``, ``job_name``,
    ``step_name``, ``gate_kind``, and the run as ``pipeline_run_id`` or ``run_id``); ``ids``: raw gate ids.
    ``shape(gate)`` turns the gate into the returned one (a subclass may add keys)."""

    def __init__(self, target, params, ids=None):
        self.target = target
        self.params = params
        self.ids = ids or None

    def shape(self, item):
        return item

    def review(self, result, check_mode=False, diff=False):
        params = self.params
        selector = dict(run_id=params.get('pipeline_run_id') or params.get('run_id'), stage=params.get('stage_name'),
                        job=params.get('job_name'), step=params.get('step_name'), kind=params.get('gate_kind'),
                        ids=self.ids)
        outcome = GateOutcome(params['result'])
        try:
            decide_gate(self.target, selector, params['result'], params.get('comment'), check_mode, outcome=outcome)
        finally:
            self.report(result, outcome, diff)
        if outcome.action == 'none' and params.get('require_pending'):
            return outcome.msg
        return None

    def report(self, result, outcome, diff=False):
        result.update(changed=outcome.changed, adopted=outcome.action == 'adopted', action=outcome.action,
                      decision=outcome.decision)
        if outcome.run_id is not None:
            result.update(pipeline_run_id=outcome.run_id, run_id=outcome.run_id, run_status=outcome.run_status)
        if outcome.gate is not None:
            result['gate'] = item = self.shape(outcome.gate)
            if diff and outcome.changed:
                where = dict(run_id=outcome.run_id, kind=item['kind'], stage=item['stage'], job=item['job'],
                             step=item['step'])
                where = self.diff_keys(item, where)
                after = dict(where, waiting_for_decision=False, decision=outcome.decision)
                if outcome.action == 'adopted':
                    after['status'] = item['status_after']
                result['diff'] = dict(before=dict(where, status=item['status_before'], waiting_for_decision=True,
                                                  decision=None), after=after)
        if outcome.response is not None:
            result['response'] = outcome.response
        if outcome.msg:
            result['msg'] = outcome.msg

    def diff_keys(self, item, where):
        return where
