# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    # The options of the modules that drive runs through the run engine (pipeline_run, stage_execute).
    # Their wait option is documented in devops_cloud.pipelines.wait.RUN; the option naming the run to stop
    # (run_id, execution_number) is each module's own.
    DOCUMENTATION = r'''
options:
  state:
    description:
      - What the task brings about. A B(run) is what the module starts and stops (a pipeline run, or an
        execution of a release stage); it is B(live) until it has ended (while it runs, and while it waits at a
        gate for a manual decision).
      - V(started) starts a run unless one is live, in which case that run is returned with C(changed=false).
        With O(force=true) a new run is started anyway.
      - V(finished) does what V(started) does, then always waits (regardless of O(wait)) until the run ends. The
        task fails when the run ends without success (failed or canceled) or when O(wait_timeout) passes first;
        the failure result carries the same data as a success, plus RV(failing_stage) and RV(failing_job).
      - V(canceled) stops the run that the module's run number or ID option names, or every live run when that
        option is not given. C(changed) is V(false) when nothing is live.
    type: str
    choices: [started, finished, canceled]
    default: started
  force:
    description:
      - Start a new run even when one is live. Only used with O(state=started) and O(state=finished).
      - Also starts a run when O(skip_if_succeeded=true) would reuse one.
    type: bool
    default: false
  skip_if_succeeded:
    description:
      - With O(state=started) or O(state=finished), when no run is live and the newest run that has ended
        succeeded, return that run with C(changed=false) and RV(action=skipped_succeeded) instead of starting
        one, provided it matches the task (the module's notes say what is compared). This makes a re-run of a
        task that already went through change nothing, without keeping any state on the controller.
      - A newest ended run that failed or was canceled does not count, even when an older one succeeded.
      - Check mode predicts the same.
    type: bool
    default: false
    version_added: 0.1.0
  start_new:
    description:
      - With V(false) the task starts no run. With O(state=started) or O(state=finished) it follows the live run
        (waiting as O(wait) and O(state) say), or, when none is live, reports the newest run as it ended (and with
        O(state=finished) fails when that run did not succeed); no run at all is no change.
      - Use it to go on waiting for a run after a decision at a gate (O(wait_until=gate)), without the risk of
        starting a new run when that run ended in the meantime.
    type: bool
    default: true
    version_added: 0.1.0
  wait_until:
    description:
      - What ends a wait (O(wait=true) or O(state=finished)).
      - V(end) waits until the run ends, also while it waits at a gate for a manual decision (a manual review,
        checkpoint, delay or validation job); when O(wait_timeout) passes at a gate, the failure message names
        the gate.
      - V(gate) also returns as soon as the run waits at a gate, without failing (also with O(state=finished)),
        with RV(at_gate=true) and RV(gate) describing it, so that the next task (for example
        M(devops_cloud.pipelines.stage_review), which finds gates the same way and takes the names and ids of
        RV(gate)) or an AWX/Tower workflow approval node decides it. A run that already waits at a gate returns at
        the first read. A run that ends first is judged as with V(end). Then follow the same run to its end with
        O(start_new=false).
      - Not used with O(state=canceled), nor when the task does not wait.
    type: str
    choices: [end, gate]
    default: end
    version_added: 0.1.0
'''
