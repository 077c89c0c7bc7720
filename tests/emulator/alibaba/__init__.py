"""Alibaba Cloud (POP ``devops`` 2021-06-25 and the Yunxiao token API): the vendor interface the server uses
(from ``auth``) and the emulated services.

``SERVICES`` lists the modules whose ``ROUTES`` the server registers, in this order, and whose ``seed`` /
``dump`` the state calls: ``auth`` (signature nonces), ``flow`` (Flow pipeline runs), ``appstack``
(AppStack release stages, run as Flow pipelines).
"""

from . import appstack, auth, flow
from .auth import authenticate, body_secrets, decorate, fault_error, not_found, owns, vendor_of

SERVICES = (auth, flow, appstack)

__all__ = ['SERVICES', 'authenticate', 'body_secrets', 'decorate', 'fault_error', 'not_found', 'owns', 'vendor_of']
