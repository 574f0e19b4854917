"""UN/ECE recommendation 20 / 21 unit codes, mapped to neutral unit keys and Odoo 19's standard units."""

UNIT_KEYS = {
    # pieces
    "C62": "unit", "EA": "unit", "H87": "unit", "NIU": "unit", "NAR": "unit", "PCE": "unit", "XPP": "unit",
    "DZN": "dozen",
    # weight
    "KGM": "kg", "GRM": "g", "TNE": "ton", "LBR": "lb", "ONZ": "oz",
    # volume
    "LTR": "litre", "MLT": "ml", "MTQ": "m3", "OZA": "fl_oz", "QT": "quart", "GLL": "gallon",
    "INQ": "in3", "FTQ": "ft3",
    # length and area
    "MTR": "m", "CMT": "cm", "MMT": "mm", "KMT": "km", "INH": "inch", "FOT": "foot", "YRD": "yard",
    "SMI": "mile", "MTK": "m2", "FTK": "ft2",
    # time and energy
    "HUR": "hour", "DAY": "day", "MIN": "minute", "KWH": "kwh",
    # packaging (rec. 21): no fixed size, map them to your own units
    "XBX": "box", "XCT": "carton", "XPK": "package", "XPA": "packet", "XPX": "pallet", "XPL": "pail",
    "XRO": "roll", "XSA": "sack", "XBG": "bag", "XCS": "case",
}

ODOO_UOM_XMLIDS = {
    "unit": "uom.product_uom_unit", "dozen": "uom.product_uom_dozen", "kg": "uom.product_uom_kgm",
    "g": "uom.product_uom_gram", "day": "uom.product_uom_day", "hour": "uom.product_uom_hour",
    "minute": "uom.product_uom_minute", "ton": "uom.product_uom_ton", "m": "uom.product_uom_meter",
    "km": "uom.product_uom_km", "cm": "uom.product_uom_cm", "litre": "uom.product_uom_litre",
    "m3": "uom.product_uom_cubic_meter", "lb": "uom.product_uom_lb", "oz": "uom.product_uom_oz",
    "inch": "uom.product_uom_inch", "foot": "uom.product_uom_foot", "mile": "uom.product_uom_mile",
    "fl_oz": "uom.product_uom_floz", "quart": "uom.product_uom_qt", "gallon": "uom.product_uom_gal",
    "in3": "uom.product_uom_cubic_inch", "ft3": "uom.product_uom_cubic_foot",
    "m2": "uom.product_uom_square_meter", "ft2": "uom.product_uom_square_foot", "yard": "uom.product_uom_yard",
    "mm": "uom.product_uom_millimeter", "kwh": "uom.product_uom_kwh",
}

# The code we write for each key (the first code of the key above, C62 for pieces).
_CANONICAL = {}
for _code, _key in UNIT_KEYS.items():
    _CANONICAL.setdefault(_key, _code)


def unit_key(code):
    """The neutral unit key of a rec. 20/21 code, or None when unknown."""
    return UNIT_KEYS.get((code or "").strip().upper())


def unece_code_for_xmlid(xmlid):
    """The rec. 20 code to write for one of Odoo's standard units (C62 when unknown)."""
    for key, candidate in ODOO_UOM_XMLIDS.items():
        if candidate == xmlid:
            return _CANONICAL[key]
    return "C62"
