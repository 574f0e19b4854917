"""Figure 6: inbound Peppol rule checks (XSD + Schematron) of a 1,000-line order, plain
Python.

    python bench/rules.py --out F [--peppol DIR] [--lines 1000] [--rounds 5]

The same check the scheduled action runs after importing a received document
(``econnect.psb.document._psb_check_rules``, off the webhook path):
``psb.peppol_rules``'s shared validator on the bench order of ``orders.py``. The one-off
compilation of the stylesheet is measured apart. Says "not available" when the official
rules are absent.
"""

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from orders import order_xml  # noqa: E402
from stats import fmt, summary  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--peppol", default=str(ROOT.parent / "shared" / "peppol"))
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    from psb.peppol_rules import PeppolValidator

    peppol = Path(args.peppol)
    if not ((peppol / "xsd").is_dir() and (peppol / "schematron").is_dir()):
        print(f"   rule checks: not available (no Peppol rules at {peppol})")
        Path(args.out).write_text(json.dumps({"available": False}))
        return 0
    xml = order_xml("BENCH-RULES", args.lines)
    validator = PeppolValidator(peppol)
    started = time.perf_counter()
    validator.preload("urn:fdc:peppol.eu:poacc:trns:order:3")
    compile_s = time.perf_counter() - started
    runs, result = [], None
    for _ in range(args.rounds):
        started = time.perf_counter()
        result = validator.validate(xml)
        runs.append(time.perf_counter() - started)
    stat = summary(runs)
    fatal = len(result.xsd_errors) + len(result.fatal)
    print(
        f"   rule checks of a {args.lines:,}-line order ({len(xml) / 1024:.0f} KiB): "
        f"{fmt(stat, 'ms', 1, 1000)} per document; first use compiles the rules in "
        f"{compile_s * 1000:.0f} ms; "
        f"{fatal} fatal violation(s)"
    )
    Path(args.out).write_text(
        json.dumps(
            {
                "available": True,
                "lines": args.lines,
                "bytes": len(xml),
                "seconds": stat,
                "compile_seconds": round(compile_s, 4),
                "fatal": fatal,
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
