"""Huawei Cloud: the vendor interface the server uses (from ``auth``) and the emulated services.

``SERVICES`` lists the modules whose ``ROUTES`` the server registers, in this order, and whose ``seed`` /
``dump`` the state calls: ``auth`` (IAM tokens), ``codearts`` (CodeArts Pipeline), ``servicestage``
(ServiceStage release tasks).
"""

from . import auth, codearts, servicestage
from .auth import authenticate, body_secrets, decorate, fault_error, not_found, owns, vendor_of

SERVICES = (auth, codearts, servicestage)

__all__ = ['SERVICES', 'authenticate', 'body_secrets', 'decorate', 'fault_error', 'not_found', 'owns', 'vendor_of']
