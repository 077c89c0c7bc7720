# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    """The ``failure_log_lines`` option and the ``failure`` return value of the modules that wait.

    ``extends_documentation_fragment`` merges ``DOCUMENTATION`` only, and ``ansible-doc`` and ``validate-modules``
    read a module's ``RETURN`` as one string literal (through ``ast``, no concatenation), so ``RETURN`` cannot come
    from a fragment. ``DOCUMENTATION`` below documents the option and describes the return value in a note;
    ``FAILURE_RETURN`` is the return value's entry, the one source for the text a module's ``RETURN`` carries
    verbatim (a unit test can compare the two). It is not a fragment variable: do not name it in
    ``extends_documentation_fragment``.
    """

    DOCUMENTATION = r'''
options:
  failure_log_lines:
    description:
      - How many of the last lines of the failing step's log the task returns in RV(failure.log_tail) when the run
        ends failed or canceled, or when the wait times out (then of the step the run was at).
      - V(0) does not read the log at all. From V(0) to V(1000); checked before any request.
      - The log is read in pages and bounded (at most 256 KiB are kept, a longer line keeps its end); every line is
        decoded whatever its encoding, stripped of colour codes and scrubbed of secrets.
    type: int
    default: 50
notes:
  - When a run this task waits for ends failed or canceled, or the wait times out, the task returns C(failure) with
    C(stage), C(job), C(step), C(status) and C(message) (the vendor's words) of the first failing step (of the step
    the run was at, on a timeout), C(log_tail) (its last O(failure_log_lines) log lines), C(log_url) (a console page
    where the API gives one) and C(log_error); the task message names the stage, job and step and quotes the last
    few log lines, so the job output alone shows why.
  - Secrets are masked as C(********) in C(failure) and in the message; the values of the task's secret options, the
    C(Authorization), C(X-Auth-Token), C(x-yunxiao-token) and C(x-acs-security-token) headers, bearer tokens,
    C(password=)/C(token:) style values, passwords in URLs, access key ids and private key blocks. Masking by
    pattern cannot know every secret a build prints; keep secrets out of build logs.
  - A log that cannot be read (HTTP 403, 404, 5xx, a timeout) leaves C(log_tail) empty with C(log_error) saying why;
    the task still reports the run's own outcome.
'''

    FAILURE_RETURN = r'''
failure:
  description:
    - Why the run did not succeed, when it ended failed or canceled, or the wait timed out (then where the run was).
    - Secrets are masked as C(********).
  returned: when the task waited and the run ended failed or canceled, or the wait timed out
  type: dict
  sample:
    stage: Test
    job: unit-test
    step: pytest
    status: FAILED
    message: Step execution failed
    log_tail: ["[ERROR] unit-test: 3 tests failed (test_login, test_logout, test_refresh)", "Process exited with code 1"]
    log_url: https://devcloud.cn-north-4.huaweicloud.com/cicd/project/0123/pipeline/detail/abcd
    log_error: null
  contains:
    stage:
      description: Name of the failing stage (null when the run shows none).
      type: str
    job:
      description: Name of the failing job (null when the stage shows none).
      type: str
    step:
      description: Name of the failing step (null when the job shows none).
      type: str
    status:
      description: Status of the failing step, else job, else stage, as the API gave it.
      type: raw
    message:
      description: The API's message about the failure (at most 500 characters), or null.
      type: str
    log_tail:
      description:
        - The last O(failure_log_lines) lines of the log of the step (or job), decoded, without colour codes,
          scrubbed; empty when the log was not read or could not be.
      type: list
      elements: str
    log_url:
      description: Link to the console page of the step, job or run, where the API gives one.
      type: str
    log_error:
      description:
        - Why C(log_tail) is empty or does not reach the end of the log (for example
          C(the log could not be read; ... HTTP 403 ...)); null when the log was read, or not asked for (O(failure_log_lines=0)).
      type: str
'''
