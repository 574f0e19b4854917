"""Odoo 19 supports Python 3.10: nothing in the addon may need a newer one.

Python 3.10 is not installable on this project's Debian machines, so the one construct
that broke it (``datetime.UTC``, new in 3.11) is looked for in the source itself.
"""

import ast
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", ".build", ".odoo", "node_modules"}


def _sources():
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [
            name for name in subfolders if name not in SKIP and not name.startswith(".")
        ]
        yield from (
            Path(folder, name) for name in sorted(files) if name.endswith(".py")
        )


def _uses_datetime_utc(tree):
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module == "datetime"
            and any(alias.name == "UTC" for alias in node.names)
        ):
            return True
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "UTC"
            and getattr(node.value, "id", None) == "datetime"
        ):
            return True
    return False


def test_no_datetime_utc_which_python_3_10_lacks():
    offenders = [
        str(path.relative_to(ROOT))
        for path in _sources()
        if _uses_datetime_utc(ast.parse(path.read_bytes(), str(path)))
    ]
    assert len(list(_sources())) > 20
    assert offenders == [], f"use timezone.utc instead of datetime.UTC in {offenders}"
