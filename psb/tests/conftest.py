import os
from pathlib import Path

import pytest

from psb_sandbox.server import PsbSandbox

REPO = Path(__file__).resolve().parents[2]
PARTY = "0106:12345678"


def peppol_dir():
    path = Path(
        os.environ.get("PEPPOL_SHARED_DIR") or REPO.parent / "shared" / "peppol"
    )
    return path if (path / "examples").is_dir() else None


@pytest.fixture(scope="session")
def peppol():
    path = peppol_dir()
    if not path:
        pytest.skip(
            "the official Peppol material (../shared/peppol) is absent on this machine"
        )
    return path


@pytest.fixture()
def sandbox():
    with PsbSandbox(
        clients={"cid": "csecret"}, users={"user": "pw"}, parties=[PARTY]
    ) as box:
        yield box
