"""Plain-Python core of sale_econnect_psb.

Nothing in this package imports ``odoo``: the PSB HTTP client, the webhook
signature check, the UBL reader and the Order Response builder can be used,
tested and fuzzed on their own.  The Odoo layer (``models/``,
``controllers/``) stays a thin adapter around it.
"""
