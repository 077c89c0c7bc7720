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
    type: float
    default: 5.0
'''
