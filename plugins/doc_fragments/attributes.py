# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options: {}
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in C(check_mode)), when in diff mode.
'''

    ACTIONS = r'''
options: {}
attributes:
  check_mode:
    support: full
    details:
      - The module reads the current state and reports whether it would act; it sends no request that acts.
  diff_mode:
    support: partial
    details:
      - With C(--diff), the result has C(diff.before) and C(diff.after) with the state of what the task acts on
        (the status and ID of the release task's execution, the status of the runs or executions by ID, the state
        of the review step).
      - In check mode the after state is a prediction (the status the action moves into first; a run to be started
        appears under the key "(new pipeline run)"). The v3 stage review cannot read the state before.
'''

    INFO = r'''
options: {}
attributes:
  check_mode:
    support: full
    details:
      - This action does not modify state.
  diff_mode:
    support: N/A
    details:
      - This action does not modify state.
'''

    HUAWEI_GROUP = r'''
options: {}
attributes:
  action_group:
    description: Use C(group/devops_cloud.pipelines.huawei) or C(group/devops_cloud.pipelines.all) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - devops_cloud.pipelines.huawei
      - devops_cloud.pipelines.all
'''

    ALIBABA_GROUP = r'''
options: {}
attributes:
  action_group:
    description: Use C(group/devops_cloud.pipelines.alibaba) or C(group/devops_cloud.pipelines.all) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - devops_cloud.pipelines.alibaba
      - devops_cloud.pipelines.all
'''
