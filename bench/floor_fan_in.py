# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The floor of the fan-in: the least any client can do to read the latest status of many pipelines.

Plain Python, no Ansible code: import ``requests``, send the ids in batches of 100 to
``POST /v5/{project_id}/api/pipelines/status`` over one keep-alive session with an ``X-Auth-Token``
header, concatenate the answers and print them as JSON. No retries, no option checks, no secret
scrubbing, no report: no module sending the same requests gets much below it, so ``bench/run.py``
reports it beside the module and the ``uri`` baseline, two ways:

* as a process: ``python bench/floor_fan_in.py ENDPOINT PROJECT_ID TOKEN IDS_JSON_FILE [BATCH]`` prints
  the runs as one JSON array on stdout and the time of its phases (``import_s``, ``http_s``,
  ``output_s``) as one JSON line on stderr;
* as a task: ``bench/run.py`` copies it, with a ``#!/usr/bin/python`` line on top, into a scratch
  directory in ``ANSIBLE_LIBRARY``, where it is the module ``floor_fan_in`` of
  ``bench/playbooks/fan_in_floor.yml``: an old-style module that gets its arguments as a JSON file
  (Ansible passes a file because this text contains the marker WANT_JSON) and prints
  ``{"changed": false, "pipelines": [...], "requests": N}``. Options: ``endpoint``, ``project_id``,
  ``auth_token``, ``pipeline_ids``, ``batch`` (default 100).
"""

import json
import sys
import time


def read_status(endpoint, project_id, token, ids, batch):
    """The latest runs of ``ids``, ``batch`` ids per request; returns (runs, requests sent)."""
    import requests  # pylint: disable=import-outside-toplevel
    url = '%s/v5/%s/api/pipelines/status' % (endpoint.rstrip('/'), project_id)
    runs = []
    sent = 0
    with requests.Session() as session:
        session.headers['X-Auth-Token'] = token
        for first in range(0, len(ids), batch):
            resp = session.post(url, json=ids[first:first + batch], timeout=(10, 60))
            sent += 1
            resp.raise_for_status()
            runs.extend(resp.json())
    return runs, sent


def as_module(args_file):
    with open(args_file) as handle:
        args = json.load(handle)
    try:
        runs, sent = read_status(args['endpoint'], args['project_id'], args['auth_token'], args['pipeline_ids'],
                                 int(args.get('batch', 100)))
    except Exception as exc:  # pylint: disable=broad-except
        print(json.dumps(dict(failed=True, msg='%s: %s' % (type(exc).__name__, exc))))
        sys.exit(1)
    print(json.dumps(dict(changed=False, pipelines=runs, requests=sent)))


def as_script(argv):
    endpoint, project_id, token, ids_file = argv[1:5]
    batch = int(argv[5]) if len(argv) > 5 else 100
    start = time.perf_counter()
    import requests  # noqa: F401 pylint: disable=import-outside-toplevel,unused-import
    imported = time.perf_counter()
    with open(ids_file) as handle:
        ids = json.load(handle)
    runs, sent = read_status(endpoint, project_id, token, ids, batch)
    read = time.perf_counter()
    sys.stdout.write(json.dumps(runs))
    sys.stdout.write('\n')
    sys.stdout.flush()
    done = time.perf_counter()
    sys.stderr.write(json.dumps(dict(import_s=imported - start, http_s=read - imported, output_s=done - read,
                                     returned=len(runs), requests=sent)) + '\n')


if __name__ == '__main__':
    if len(sys.argv) == 2:
        as_module(sys.argv[1])
    else:
        as_script(sys.argv)
