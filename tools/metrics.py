"""Size and complexity of the product code's functions, measured the way issue 31 set
its targets.

Product code: models, controllers, wizards, report, psb and psb_sandbox, without any
tests.
- length: lines from a function's ``def`` to its last line (nested functions count on
  their own too);
- complexity: ruff's mccabe (C901) with every ``noqa`` ignored, so nothing hides behind
  one.

    python3 tools/metrics.py [--check]     (with ruff installed for that python, as in
    the project's venv)

Prints the figures; with ``--check`` exits 1 when a target is missed (at most 3 % of the
functions over 50 lines, none over 80, none above complexity 15).
"""

import argparse
import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("models", "controllers", "wizards", "report", "psb", "psb_sandbox")
LONG, TOO_LONG, MAX_COMPLEXITY, MAX_LONG_SHARE = 50, 80, 15, 3.0


def product_files():
    for folder in PRODUCT:
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if any(part == "tests" or part.startswith("test_") for part in parts):
                continue
            yield path


def function_lengths(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node.name, node.lineno, node.end_lineno - node.lineno + 1


def complexities(files):
    args = [
        sys.executable,
        "-m",
        "ruff",
        "check",
        "--isolated",
        "--select",
        "C901",
        "--ignore-noqa",
    ]
    args += [
        "--output-format",
        "json",
        "--config",
        f"lint.mccabe.max-complexity={MAX_COMPLEXITY}",
    ]
    out = subprocess.run(
        args + [str(f) for f in files], capture_output=True, text=True, check=False
    ).stdout
    return [
        (
            Path(item["filename"]).relative_to(ROOT),
            item["location"]["row"],
            item["message"],
        )
        for item in json.loads(out or "[]")
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    opts = parser.parse_args()
    files = list(product_files())
    functions = [
        (path.relative_to(ROOT), *fn) for path in files for fn in function_lengths(path)
    ]
    long_ones = sorted((f for f in functions if f[3] > LONG), key=lambda f: -f[3])
    too_long = [f for f in long_ones if f[3] > TOO_LONG]
    complex_ones = complexities(files)
    share = 100.0 * len(long_ones) / max(len(functions), 1)
    print(f"Functions in product code: {len(functions)} in {len(files)} files")
    print(
        f"  over {LONG} lines: {len(long_ones)} ({share:.1f} %, target <= "
        f"{MAX_LONG_SHARE} %)"
    )
    print(f"  over {TOO_LONG} lines: {len(too_long)} (target 0)")
    print(
        f"  complexity above {MAX_COMPLEXITY} (ruff C901, noqa ignored): "
        f"{len(complex_ones)} (target 0)"
    )
    for path, name, line, length in long_ones:
        print(f"    {length:4d} lines  {path}:{line} {name}")
    for path, line, message in complex_ones:
        print(f"    {path}:{line} {message}")
    missed = share > MAX_LONG_SHARE or too_long or complex_ones
    return 1 if (opts.check and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
