"""Under Odoo's memory limit (RLIMIT_AS from limit_memory_hard) saxonche would end the
whole process when it starts: the validator refuses to start it and says why, and the
process lives on."""

import subprocess
import sys
from pathlib import Path

import pytest

from psb import peppol_rules
from psb.peppol_rules import check_address_space, default_peppol_dir

ROOT = Path(__file__).resolve().parents[2]


def test_check_address_space():
    check_address_space(limit=None)  # unlimited
    check_address_space(limit=64 * 2**30)
    with pytest.raises(
        RuntimeError, match=r"limited to 2560 MB .*limit_memory_hard = 0"
    ):
        check_address_space(limit=2560 * 2**20)


@pytest.mark.skipif(
    default_peppol_dir() is None,
    reason="the Peppol material (../shared/peppol) is absent",
)
def test_a_limited_process_survives_and_is_told_why():
    pytest.importorskip("saxonche")
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (2560 * 2 ** 20, "
        "resource.RLIM_INFINITY))\n"
        "from psb.peppol_rules import PeppolValidator, default_peppol_dir\n"
        "xml = open('psb/tests/data/order_minimal.xml', 'rb').read()\n"
        "try:\n"
        "    PeppolValidator(default_peppol_dir()).validate(xml)\n"
        "except RuntimeError as exc:\n"
        "    print('refused:', exc)\n"
        "print('alive')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "refused: The Peppol rules cannot run in this process" in result.stdout
    assert result.stdout.rstrip().endswith("alive")
    assert peppol_rules.SAXON_ADDRESS_SPACE >= 34 * 2**30
