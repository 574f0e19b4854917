"""Checks that the generated benchmark orders are valid Peppol BIS 3 Orders (official
XSD + Schematron).

python bench/check_orders.py --peppol DIR --out F [--sizes 1,10,100,1000,5000]
"""

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import orders  # noqa: E402 - after the sys.path entry above


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--peppol", default="")
    parser.add_argument("--out", required=True)
    parser.add_argument("--sizes", default="1,10,100,1000,5000")
    args = parser.parse_args()
    out = {"checked": False, "orders": []}
    if args.peppol and (Path(args.peppol) / "xsd").is_dir():
        from psb.peppol_rules import PeppolValidator

        validator = PeppolValidator(args.peppol)
        samples = [
            (f"{size} lines", orders.order_xml(f"SCALE-{size}", size, 1, 0))
            for size in (int(s) for s in args.sizes.split(","))
        ]
        samples.append(
            (
                "backlog order (10 lines, buyer 7)",
                orders.order_xml("BL-00007", 10, 7, 70),
            )
        )
        for label, xml in samples:
            result = validator.validate(xml)
            out["orders"].append(
                {
                    "order": label,
                    "valid": result.ok,
                    "errors": None if result.ok else str(result)[:300],
                    "warnings": len(result.warnings),
                }
            )
        out["checked"] = True
        out["all_valid"] = all(entry["valid"] for entry in out["orders"])
    Path(args.out).write_text(json.dumps(out, indent=2))
    print(
        "generated orders valid (XSD + Schematron): "
        f"{out.get('all_valid', 'not checked')}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
