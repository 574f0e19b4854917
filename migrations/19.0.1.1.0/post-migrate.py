# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The texts for people are kept as codes and parameters since 19.0.1.1.0
(models/psb_texts.py): the notes written before, as text, are carried over as they were
written (shown as they are)."""

COLUMNS = [
    ("sale_order", "psb_import_issues", "psb_issue_data", True),
    ("sale_order", "psb_amounts_note", "psb_amounts_data", True),
    ("sale_order", "psb_price_warning", "psb_price_warning_data", True),
    ("sale_order", "psb_auto_reasons", "psb_auto_reasons_data", True),
    ("sale_order_line", "psb_import_issue", "psb_issue_data", False),
]


def migrate(cr, version):
    for table, old, new, lines in COLUMNS:
        cr.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_name = %s AND "
            "column_name = %s",
            (table, old),
        )
        if not cr.fetchone():
            continue
        value = (
            f"to_jsonb(string_to_array({old}, E'\\n'))" if lines else f"to_jsonb({old})"
        )
        cr.execute(
            f"UPDATE {table} SET {new} = {value} WHERE {new} IS NULL AND "
            f"COALESCE({old}, '') != ''"  # noqa: S608
        )
