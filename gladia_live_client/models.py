"""Every model and enum of the contract: requests, responses and the WebSocket messages.

They are generated from openapi.yaml into the private `gladia_live_client._generated.models`; this module is
their one public import path.
"""

from ._generated.models import *  # noqa: F403
from ._generated.models import __all__ as __all__
