"""Figure 5: Order Responses per second for a 100-line CA (accepted with changes), plain
Python.

    python bench/responses.py --out F [--peppol DIR] [--rounds 5]

Builds the UBL Order Response with ``psb.ubl.response.build_order_response`` (which
checks the standard's rules first) and the JSON note of the PSB request with
``fit_note``; then validates it against the official UBL XSD and Peppol Schematron
(``psb.peppol_rules.PeppolValidator``, T76 and T116). When ``psb/ubl/response.py`` does
not exist yet, says "not available yet".
"""

import argparse
import json
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from stats import summary  # noqa: E402 - after the sys.path entry above

LINES = 100


def ca_data(profile="ordering"):
    from psb.ubl.response import (
        OrderResponseData,
        ResponseItem,
        ResponseLine,
        ResponseParty,
    )

    def answer(n):
        """Line n's status and changes: one line in ten each a new quantity, a new price
        and dates, not sold, a substitute; the rest accepted."""
        kind = n % 10
        if kind == 1:
            return "3", {
                "quantity": Decimal(n % 7 + 1),
                "unit_code": "C62",
                "note": "Only part in stock",
            }
        if kind == 2:
            return "3", {
                "price": Decimal("12.3400"),
                "promised_start": date(2026, 12, 3),
                "promised_end": date(2026, 12, 4),
            }
        if kind == 3:
            return "7", {"note": "No longer sold"}
        if kind == 4:
            code = f"BENCH-{n:05d}-B"
            return "3", {
                "substitute": ResponseItem(
                    f"Bench article {code}", sellers_item_id=code
                )
            }
        return "5", {}

    lines = []
    for n in range(1, LINES + 1):
        item = ResponseItem(
            f"Bench article BENCH-{n:05d}", sellers_item_id=f"BENCH-{n:05d}"
        )
        status, changes = answer(n)
        lines.append(ResponseLine(str(n), status, str(n), item, **changes))
    return OrderResponseData(
        code="CA",
        response_id="S00042-R2",
        issue_date=date(2026, 11, 28),
        profile=profile,
        order_id="BL-00042",
        currency="EUR",
        seller=ResponseParty(
            "12345678", "0106", registration_name="Bench Wholesale BV"
        ),
        buyer=ResponseParty("90000001", "0106", registration_name="Bench Buyer 01 BV"),
        sales_order_id="S00042",
        note="Accepted with the changes listed per line.",
        lines=lines,
    )


def rate(function, seconds=1.0, max_iterations=2000):
    """Calls per second of ``function`` over about ``seconds`` (bounded in count)."""
    function()
    count, started = 0, time.perf_counter()
    while count < max_iterations:
        function()
        count += 1
        if time.perf_counter() - started >= seconds:
            break
    return count / (time.perf_counter() - started)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--peppol", default="")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--seconds", type=float, default=1.0, help="per round and measurement"
    )
    args = parser.parse_args()
    out = {"lines": LINES}
    if not (ROOT / "psb" / "ubl" / "response.py").exists():
        out["available"] = False
        out["message"] = "not available yet"
        Path(args.out).write_text(json.dumps(out, indent=2))
        return
    from psb.ubl.response import build_order_response, fit_note

    out["available"] = True
    validator = None
    if args.peppol and (Path(args.peppol) / "xsd").is_dir():
        from psb.peppol_rules import PeppolValidator

        validator = PeppolValidator(args.peppol)
    for profile in ("ordering", "advanced_ordering"):
        data = ca_data(profile)
        xml = build_order_response(data)
        entry = {"xml_bytes": len(xml)}
        entry["build_per_second"] = summary(
            [
                rate(lambda data=data: build_order_response(data), args.seconds)
                for _ in range(args.rounds)
            ],
            1,
        )
        # The JSON note (every changed line, compactly when needed; a CA this long does
        # not fit and says so).
        entry["note_fit_per_second"] = summary(
            [
                rate(lambda data=data: fit_note(data), args.seconds)
                for _ in range(args.rounds)
            ],
            1,
        )
        if validator:
            result = validator.validate(xml)  # compiles the stylesheet once
            entry["valid"] = result.ok
            entry["validation_messages"] = str(result)[:500] if not result.ok else None
            entry["build_and_validate_per_second"] = summary(
                [
                    rate(
                        lambda data=data: validator.validate(
                            build_order_response(data)
                        ),
                        args.seconds,
                        500,
                    )
                    for _ in range(args.rounds)
                ],
                1,
            )
        else:
            entry["valid"] = None
            entry["build_and_validate_per_second"] = None
        out[profile] = entry
        print(
            f"responses {profile}: build {entry['build_per_second']['median']}/s, "
            "build+validate "
            f"{(entry['build_and_validate_per_second'] or {}).get('median')}/s, valid "
            f"{entry['valid']}",
            file=sys.stderr,
        )
    Path(args.out).write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
