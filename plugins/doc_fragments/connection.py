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
      - The setting is passed with every request, so E(REQUESTS_CA_BUNDLE) or E(CURL_CA_BUNDLE) in the
        environment override neither V(false) nor O(ca_path). With V(true) and no O(ca_path), the system
        store is used, or the bundle one of those variables names.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file or directory of CA certificates used to verify the server instead of the system store.
    type: path
  connect_timeout:
    description:
      - Seconds to wait for a TCP/TLS connection to be established. Must be greater than 0.
    type: float
    default: 10.0
  read_timeout:
    description:
      - Seconds to wait for the server's answer to one request. Must be greater than 0.
      - One request as a whole (connecting, sending, receiving the whole answer) ends within
        O(connect_timeout) + O(read_timeout) seconds, also when the server sends its answer slowly a
        byte at a time.
      - After a read timeout on a request that acts (start, stop, approve), the module reads the state
        back and adopts what the server did instead of sending the request again.
    type: float
    default: 60.0
  max_retries:
    description:
      - How often one call is repeated, the same for every call of every module. A read is repeated after
        a connection error, HTTP 429 or a 5xx answer; an acting request only when the server provably
        refused it (HTTP 429 or 503, or a connection that never opened), and only after a state read showed
        that nothing happened. V(0) sends every call once. Must be 0 or more.
      - Retries back off exponentially with jitter and honour the server's C(Retry-After) header (at most
        120 seconds). Each retry is reported as a warning.
      - One call with its retries and their pauses ends within 2 x (O(connect_timeout) + O(read_timeout))
        seconds (140 with the defaults); a retry is made only when at least O(connect_timeout) seconds of that
        time are left after its pause.
      - Requests that start or change something are never repeated blindly.
    type: int
    default: 5
notes:
  - All requests of one task share one HTTP keep-alive session.
  - Secrets given to the module never appear in its messages or return values, also not escaped or
    percent-encoded, and not when a server echoes them back.
  - Redirects are never followed, so credentials never go to another address; an HTTP 3xx answer fails
    the task with the redirect target (without user name, password and query) to use as the endpoint.
  - Connection errors name the host and what failed (DNS, refused connection, TLS, timeout, reset). Only an
    acting request that was sent can have taken effect; the message says so only then.
  - A task that waits (C(wait_timeout)) ends at most 10 seconds after its wait timeout. A status read
    still running then is cut off, and the task fails with the last state read.
requirements:
  - requests
'''
