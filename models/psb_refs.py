# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Records the addon looks up by XML id on every import (the placeholder product, Odoo's
units)."""


def psb_ref(env, xmlid, raise_if_not_found=True):
    """``env.ref`` without its existence check: Odoo caches the XML id's model and id
    (ormcache), but ``env.ref`` also reads the row again in each transaction, a query
    per lookup and order."""
    model, res_id = env["ir.model.data"]._xmlid_to_res_model_res_id(
        xmlid, raise_if_not_found=raise_if_not_found
    )
    return env[model].browse(res_id) if model else None
