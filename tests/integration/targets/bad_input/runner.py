# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run one module many times in one process, each time with other module arguments, and record per run
the result the module printed and the number of requests the emulator received meanwhile.

    python runner.py CASES.json RESULTS.json

``CASES.json``: ``{"module": "pipeline_action", "emulator_url": "http://127.0.0.1:PORT",
"cases": [{"id": "...", "args": {...}}, ...]}``. Each run is what ``python -m
ansible_collections.devops_cloud.pipelines.plugins.modules.<module> args.json`` does with
``{"ANSIBLE_MODULE_ARGS": args}`` (the same ``main()``, the same argument handling, the same JSON on
stdout), without paying the interpreter start and the imports once per case. A run that ends with an
exception instead of the module's JSON is recorded with its traceback, as Ansible would report a
"MODULE FAILURE". The emulator's admin API (``GET /_emulator/log``) is not itself logged.

``RESULTS.json``: ``{case id: {"rc", "result" (the printed JSON or null), "output" (stdout text when it
was not JSON), "traceback", "requests", "seconds"}}``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextlib
import importlib
import io
import json
import sys
import time
import traceback

from urllib.request import urlopen

from ansible.module_utils.testing import patch_module_args


def logged(emulator_url):
    """Number of requests in the emulator's log."""
    with urlopen(emulator_url.rstrip('/') + '/_emulator/log', timeout=30) as handle:
        return len(json.loads(handle.read().decode('utf-8'))['requests'])


def run_case(module, args):
    """``(rc, stdout text, traceback or None)`` of one run of ``module.main()`` with ``args``."""
    out = io.StringIO()
    rc, trace = None, None
    with patch_module_args(args), contextlib.redirect_stdout(out):
        try:
            module.main()
            rc = 0
        except SystemExit as exc:
            rc = exc.code
        except Exception:  # pylint: disable=broad-exception-caught  # what Ansible reports as MODULE FAILURE
            rc, trace = 1, traceback.format_exc()
    return rc, out.getvalue(), trace


def main(argv):
    with open(argv[1]) as handle:
        spec = json.load(handle)
    module = importlib.import_module('ansible_collections.devops_cloud.pipelines.plugins.modules.%s' % spec['module'])
    results = {}
    for case in spec['cases']:
        before = logged(spec['emulator_url'])
        start = time.monotonic()
        rc, text, trace = run_case(module, case['args'])
        seconds = time.monotonic() - start
        try:
            result = json.loads(text)
        except ValueError:
            result = None
        results[case['id']] = dict(rc=rc, result=result, output=None if result is not None else text[-4000:],
                                   traceback=trace, requests=logged(spec['emulator_url']) - before, seconds=seconds)
    with open(argv[2], 'w') as handle:
        json.dump(results, handle)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
