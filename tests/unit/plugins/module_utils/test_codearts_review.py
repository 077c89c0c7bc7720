# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""module_utils/_huawei/codearts_review.py: the API choice (the gates are located by codearts_runs.run_gates)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.devops_cloud.pipelines.plugins.module_utils._huawei import codearts_review as _review


@pytest.mark.parametrize('api,pipeline_id,stage_index,expected', [
    ('auto', '101', 1, 'v3'), ('auto', 'a' * 32, None, 'v5'), ('v5', 'a' * 32, None, 'v5'), ('v3', '7', 0, 'v3'),
])
def test_choose_api(api, pipeline_id, stage_index, expected):
    assert _review.choose_api(api, pipeline_id, stage_index) == expected


@pytest.mark.parametrize('api,pipeline_id,stage_index', [('v3', '101', None), ('auto', 'abc', 1), ('v5', '101', 1)])
def test_choose_api_errors(api, pipeline_id, stage_index):
    with pytest.raises(ValueError):
        _review.choose_api(api, pipeline_id, stage_index)
