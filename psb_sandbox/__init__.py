"""PSB sandbox: a local stand-in for the eConnect PSB, for the demo and the end-to-end
tests.

Run it with ``python -m psb_sandbox`` or use :class:`PsbSandbox` from Python; see
``server.py``. It imports nothing from the addon: it plays the external service.
"""

from .server import ENVIRONMENT, PsbSandbox, sign

__all__ = ["ENVIRONMENT", "PsbSandbox", "sign"]
