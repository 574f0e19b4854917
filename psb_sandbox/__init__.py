"""PSB sandbox: a local stand-in for the eConnect PSB, used by the demo and the end-to-end tests."""
from .server import PsbSandbox, sign

__all__ = ["PsbSandbox", "sign"]
