"""UN/ECE Recommendation 20 / 21 unit codes, mapped to neutral unit keys and to Odoo
19's units.

An order line says its unit as a rec. 20 code (``C62``, ``KGM``…) or a rec. 21 packaging
code (``XBX`` box…). :func:`unit_key` turns the code into a neutral key ('unit', 'kg',
'box'…); :data:`ODOO_UOM_XMLIDS` gives the Odoo 19 standard unit for the keys Odoo
ships, the same pairs as Odoo 19's own ``UOM_TO_UNECE_CODE`` (``account_edi_ubl_cii``).
Packaging keys ('box', 'carton', 'pallet'…) have no fixed size and no standard Odoo
unit: the Odoo layer maps them to the company's own units.
"""

#: Neutral key -> the codes that mean it. The first code is the one written in our
#: documents; each must be in the Peppol code list (UNECERec20 incl. rec. 21, revision
#: 11e).
_UNITS = {
    # count: "one", "each", "piece", "number of articles", "number of international
    # units", "service unit", rec. 21 "piece"/"unit", and the retired rec. 20 "piece"
    # still seen (PCE)
    "unit": ("C62", "EA", "H87", "NAR", "NIU", "E48", "XPP", "XUN", "PCE"),
    "dozen": ("DZN",),
    # mass
    "kg": ("KGM",),
    "g": ("GRM",),
    "ton": ("TNE",),
    "lb": ("LBR",),
    "oz": ("ONZ",),
    # volume; Odoo's "qt" is the US liquid quart (rec. 20 QTL; QT is its retired code)
    "litre": ("LTR",),
    "ml": ("MLT",),
    "m3": ("MTQ",),
    "fl_oz": ("OZA",),
    "quart": ("QTL", "QT"),
    "gallon": ("GLL",),
    "in3": ("INQ",),
    "ft3": ("FTQ",),
    # length and area
    "m": ("MTR",),
    "cm": ("CMT",),
    "mm": ("MMT",),
    "km": ("KMT",),
    "inch": ("INH",),
    "foot": ("FOT",),
    "yard": ("YRD",),
    "mile": ("SMI",),
    "m2": ("MTK",),
    "ft2": ("FTK",),
    # time and energy
    "hour": ("HUR",),
    "day": ("DAY",),
    "minute": ("MIN",),
    "kwh": ("KWH",),
    # packaging (rec. 21): no fixed size
    "box": ("XBX",),
    "carton": ("XCT",),
    "package": ("XPK",),
    "packet": ("XPA",),
    "pallet": ("XPX",),
    "pail": ("XPL",),
    "roll": ("XRO",),
    "sack": ("XSA",),
    "bag": ("XBG",),
    "case": ("XCS",),
}

#: UN/ECE code -> neutral unit key.
UNIT_KEYS: dict[str, str] = {
    code: key for key, codes in _UNITS.items() for code in codes
}

#: Neutral unit key -> the code written in our documents.
CANONICAL_CODES: dict[str, str] = {key: codes[0] for key, codes in _UNITS.items()}

#: Neutral unit key -> XML id of the Odoo 19 standard unit (only the keys Odoo ships).
ODOO_UOM_XMLIDS: dict[str, str] = {
    "unit": "uom.product_uom_unit",
    "dozen": "uom.product_uom_dozen",
    "kg": "uom.product_uom_kgm",
    "g": "uom.product_uom_gram",
    "day": "uom.product_uom_day",
    "hour": "uom.product_uom_hour",
    "minute": "uom.product_uom_minute",
    "ton": "uom.product_uom_ton",
    "m": "uom.product_uom_meter",
    "km": "uom.product_uom_km",
    "cm": "uom.product_uom_cm",
    "litre": "uom.product_uom_litre",
    "m3": "uom.product_uom_cubic_meter",
    "lb": "uom.product_uom_lb",
    "oz": "uom.product_uom_oz",
    "inch": "uom.product_uom_inch",
    "foot": "uom.product_uom_foot",
    "mile": "uom.product_uom_mile",
    "fl_oz": "uom.product_uom_floz",
    "quart": "uom.product_uom_qt",
    "gallon": "uom.product_uom_gal",
    "in3": "uom.product_uom_cubic_inch",
    "ft3": "uom.product_uom_cubic_foot",
    "m2": "uom.product_uom_square_meter",
    "ft2": "uom.product_uom_square_foot",
    "yard": "uom.product_uom_yard",
    "mm": "uom.product_uom_millimeter",
    "kwh": "uom.product_uom_kwh",
}

_KEYS_BY_XMLID = {xmlid: key for key, xmlid in ODOO_UOM_XMLIDS.items()}


def unit_key(code: str | None) -> str | None:
    """The neutral unit key of a rec. 20/21 code (any case, surrounding spaces ignored),
    or None."""
    return UNIT_KEYS.get((code or "").strip().upper())


def unece_code_for_xmlid(xmlid: str | None, default: str = "C62") -> str:
    """The rec. 20 code to write for one of Odoo's standard units, ``default`` for any
    other unit.

    ``uom.product_uom_unit`` gives ``C62``; a unit without a standard XML id (a
    company's own unit) gives ``default``: such units should carry their own code
    instead.
    """
    key = _KEYS_BY_XMLID.get(xmlid or "")
    return CANONICAL_CODES[key] if key else default
