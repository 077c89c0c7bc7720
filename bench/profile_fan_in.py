# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Where the time of one ``pipeline_status_info`` run goes, in-process (no ansible-playbook).

Loads the module file, runs its ``main()`` with the arguments of ``ARGS_JSON_FILE`` (the file a module
reads when run as ``python module.py args.json``) and prints one JSON object on stdout.

Two ways to look, both in a fresh process each time:

* default: phase timers. A few functions are wrapped with a clock (no profiler running, so Python code
  is not slowed down); each phase counts its own time only (a phase called inside another is taken
  out of the outer one). Phases: ``import`` (ansible.module_utils.basic, requests, the collection's
  module_utils), ``argument_parsing`` (``AnsibleModule.__init__``), ``http`` (``requests.Session.send``:
  sending and reading the answers), ``json_decode`` (``json.loads``), ``no_log_scrub``
  (``remove_values`` as ``exit_json`` calls it on the whole result), ``result_output``
  (``AnsibleModule._record_module_result``: JSON encoding and printing of the result) and ``other``
  (the rest of ``main()``: option checks, batching, building the report, ...).
* ``--cprofile FILE``: the same run under cProfile; writes the pstats dump to FILE and adds the
  functions with the most cumulative time to the output. cProfile slows pure-Python code (the
  scrubbing most of all), so its shares are a cross-check, not the numbers to quote.

Usage: ``PYTHONPATH=<dir holding ansible_collections> python bench/profile_fan_in.py MODULE_PATH ARGS_JSON_FILE``.
"""

import argparse
import functools
import importlib.util
import io
import json
import sys
import time

_CLOCK = time.perf_counter
_START = _CLOCK()


class PhaseTimer:
    """Exclusive time per phase: time spent in a nested phase is not counted in the outer one."""

    def __init__(self):
        self.seconds = {}
        self.calls = {}
        self._stack = []  # [phase, start, nested seconds]

    def wrap(self, phase, func):
        @functools.wraps(func)
        def timed(*args, **kwargs):
            self._stack.append([phase, _CLOCK(), 0.0])
            try:
                return func(*args, **kwargs)
            finally:
                name, began, nested = self._stack.pop()
                spent = _CLOCK() - began
                self.seconds[name] = self.seconds.get(name, 0.0) + spent - nested
                self.calls[name] = self.calls.get(name, 0) + 1
                if self._stack:
                    self._stack[-1][2] += spent
        return timed

    def patch(self, phase, owner, attribute):
        setattr(owner, attribute, self.wrap(phase, getattr(owner, attribute)))


def load_module(path):
    spec = importlib.util.spec_from_file_location('bench_profiled_module', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_main(module, args_file):
    """Run ``module.main()`` as Ansible would (arguments from the file, result on stdout); returns the output."""
    sys.argv = [module.__file__, args_file]
    captured = io.StringIO()
    real_stdout = sys.stdout
    sys.stdout = captured
    code = None
    try:
        module.main()
    except SystemExit as exc:
        code = exc.code
    finally:
        sys.stdout = real_stdout
    text = captured.getvalue()
    return code, text


def check_output(code, text):
    result = json.loads(text.strip().splitlines()[-1])
    if code not in (0, None) or result.get('failed'):
        raise SystemExit('the module failed: %s' % text[-2000:])
    return result


def top_functions(stats, count):
    rows = []
    for (filename, line, name), (_cc, calls, _tt, cumulative, _callers) in stats.stats.items():
        rows.append((cumulative, calls, '%s:%s(%s)' % (filename.split('site-packages/')[-1].split('/pipelines/')[-1], line, name)))
    rows.sort(reverse=True)
    return [dict(function=f, calls=c, cumulative_s=round(t, 4)) for t, c, f in rows[:count]]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('module_path')
    parser.add_argument('args_file')
    parser.add_argument('--cprofile', metavar='FILE', help='run under cProfile and write the pstats dump to FILE')
    parser.add_argument('--top', type=int, default=25, help='functions listed with --cprofile')
    opts = parser.parse_args()

    timer = PhaseTimer()
    before_import = _CLOCK()
    import requests  # pylint: disable=import-outside-toplevel
    from ansible.module_utils import basic  # pylint: disable=import-outside-toplevel
    module = load_module(opts.module_path)
    import_s = _CLOCK() - before_import

    if opts.cprofile:
        import cProfile  # pylint: disable=import-outside-toplevel
        import pstats  # pylint: disable=import-outside-toplevel
        profiler = cProfile.Profile()
        began = _CLOCK()
        profiler.enable()
        code, text = run_main(module, opts.args_file)
        profiler.disable()
        main_s = _CLOCK() - began
        check_output(code, text)
        profiler.dump_stats(opts.cprofile)
        stats = pstats.Stats(profiler)
        print(json.dumps(dict(import_s=import_s, main_s=main_s, top=top_functions(stats, opts.top))))
        return

    timer.patch('argument_parsing', basic.AnsibleModule, '__init__')
    timer.patch('http', requests.Session, 'send')
    timer.patch('json_decode', json, 'loads')
    timer.patch('no_log_scrub', basic, 'remove_values')
    timer.patch('result_output', basic.AnsibleModule, '_record_module_result')
    main_timed = timer.wrap('other', module.main)
    module.main = main_timed
    began = _CLOCK()
    code, text = run_main(module, opts.args_file)
    main_s = _CLOCK() - began
    phases = dict(timer.seconds, **{'import': import_s})  # before check_output: its json.loads is not the module's
    calls = dict(timer.calls)
    result = check_output(code, text)
    print(json.dumps(dict(import_s=import_s, main_s=main_s, in_process_s=import_s + main_s, phases=phases,
                          calls=calls, result_bytes=len(text), returned=len(result.get('pipelines', [])),
                          requests=result.get('requests'))))


if __name__ == '__main__':
    main()
