# -*- coding: utf-8 -*-
# Copyright (c) devops_cloud.pipelines contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  validate_certs:
    description:
      - Verify the server's TLS certificate. Only set to V(false) against a trusted test endpoint.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file or directory of CA certificates used to verify the server instead of the system store.
    type: path
  connect_timeout:
    description:
      - Seconds to wait for a TCP/TLS connection to be established.
    type: float
    default: 10.0
  read_timeout:
    description:
      - Seconds to wait for the server's answer to one request.
      - After a read timeout on a request that acts (start, stop, approve), the module reads the state
        back and adopts what the server did instead of sending the request again.
    type: float
    default: 60.0
  max_retries:
    description:
      - How often a read (or an acting request that the server provably refused, such as HTTP 429)
        is retried after a connection error, HTTP 429 or a 5xx answer.
      - Retries back off exponentially with jitter and honour the server's C(Retry-After) header.
      - Requests that start or change something are never repeated blindly.
    type: int
    default: 5
notes:
  - All requests of one task share one HTTP keep-alive session.
  - Secrets given to the module never appear in its messages or return values.
requirements:
  - requests
'''
