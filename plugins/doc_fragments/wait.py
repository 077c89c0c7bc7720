# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  wait:
    description:
      - Wait until the started or changed object reaches a stable state before returning.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait at most. When they pass, the task fails with the last state it read.
      - 0 or more (V(0) reads the state once), at most 31536000 (365 days). Checked before any request.
    type: int
    default: 1800
  poll_interval:
    description:
      - Seconds between two status reads while waiting. Waiting ends at the first read that shows a
        final state, so a shorter interval detects completion sooner at the cost of more requests.
      - Where the module knows how long the object typically takes (the median duration of the
        pipeline's recent successful runs), a freshly started run is read less often while its
        expected end is far away (half the remaining time, at most ten intervals), once just after
        the expected end, and every O(poll_interval) from then on.
      - More than 0 (a finite number), at most 31536000. Checked before any request, also when O(wait=false).
    type: float
    default: 5.0
notes:
  - A task that waits prints nothing until it ends. To see progress in a long wait (for example in the output of
    an AWX/Tower job), run the task asynchronously with the task keywords C(async) (for example V(3600)) and C(poll) (for example
    V(30)); Ansible then prints a line at every poll while the module waits. Set C(async) above O(wait_timeout), or the job is
    stopped first. Alternatively start with O(wait=false) and wait in a later task.
'''

    # The wait option of the modules driven by the run engine (pipeline_run, stage_execute), with
    # devops_cloud.pipelines.run_state. List it before devops_cloud.pipelines.wait: the first fragment that
    # documents an option wins, so this replaces the generic wait above and keeps wait_timeout and poll_interval.
    RUN = r'''
options:
  wait:
    description:
      - With O(state=started), wait until the run ends before returning. The run is returned as it ended; a run
        that ends without success does not fail the task (use O(state=finished) for that).
      - With O(state=canceled), wait until the stopped runs have ended.
      - O(state=finished) always waits.
      - When O(wait_timeout) passes first, the task fails with the last state it read.
    type: bool
    default: false
'''
