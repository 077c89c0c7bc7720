# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test-only action plugin of the fault-injection suite: drives the emulator's admin API from the controller.

``fault_emulator: url=... reset=true|false clear_log=true|false faults=[...]`` resets the emulator (state, log,
faults) or only clears its log, then adds the fault rules in order; ``time_scale=F`` then runs emulated time at
that pace (until the next reset).

``fault_emulator: url=... save=FILE result=... settle=SECONDS`` first lets a request the emulator still holds (a
``delay`` or ``act_then_timeout`` fault, SECONDS long) end -- it may still act, and must not act on the next
scenario's state -- then writes ``{"result", "log", "state"}`` (the registered module result, the emulator's
request log and its state) to FILE.

It runs in the controller process, so a scenario costs one module run, not four.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import time

from urllib.request import Request, urlopen

from ansible.plugins.action import ActionBase


def _admin(url, method, path, body=None):
    data = None if body is None else json.dumps(body).encode('utf-8')
    request = Request(url.rstrip('/') + '/_emulator/' + path, data=data, method=method,
                      headers={'Content-Type': 'application/json'})
    with urlopen(request, timeout=30) as answer:  # nosec - loopback test emulator
        return json.loads(answer.read().decode('utf-8') or 'null')


class ActionModule(ActionBase):
    """Admin calls on the emulator (no module, no connection)."""

    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = self._task.args
        url = args['url']
        result['changed'] = False
        if args.get('save'):
            settle = float(args.get('settle') or 0)
            held = [entry['time'] for entry in _admin(url, 'GET', 'log')['requests']
                    if entry.get('fault') in ('delay', 'act_then_timeout')]
            if settle and held:
                time.sleep(max(0.0, max(held) + settle + 0.1 - time.time()))
            record = dict(result=args.get('result'), log=_admin(url, 'GET', 'log')['requests'],
                          state=_admin(url, 'GET', 'state'))
            with open(args['save'], 'w') as handle:
                json.dump(record, handle, default=str)
            return result
        if args.get('reset'):
            _admin(url, 'POST', 'reset', {})
        elif args.get('clear_log'):
            _admin(url, 'DELETE', 'log')
        result['fault_ids'] = [_admin(url, 'POST', 'faults', rule)['id'] for rule in args.get('faults') or []]
        if args.get('time_scale') is not None:
            _admin(url, 'POST', 'time-scale', dict(time_scale=float(args['time_scale'])))
        return result
