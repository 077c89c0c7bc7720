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
    support: none
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
