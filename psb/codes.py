"""Human words for the codes of Peppol documents: a plain word first, the code only as a
hint.

Plain Python: the words are English; ``_lt`` only marks them for the translation
template (the Odoo layer, ``models/psb_texts.py``, translates them into the reader's
language).
"""


def _lt(text):
    """Mark ``text`` for the translation template; it is translated where it is
    shown."""
    return text


# UNCL5305 duty or tax category codes, as Peppol BIS 3 uses them.
TAX_CATEGORIES = {
    "S": _lt("standard rate"),
    "AA": _lt("reduced rate"),
    "Z": _lt("zero rated goods"),
    "E": _lt("exempt from tax"),
    "AE": _lt("VAT reverse charge"),
    "K": _lt("intra-community supply"),
    "G": _lt("export outside the EU"),
    "O": _lt("outside the scope of VAT"),
    "L": _lt("Canary Islands general indirect tax"),
    "M": _lt("Ceuta and Melilla tax"),
    "B": _lt("transferred VAT (Italy)"),
}

# UN/ECE Recommendation 20 and 21 unit codes that orders use most.
UNITS = {
    "C62": _lt("unit"),
    "EA": _lt("each"),
    "H87": _lt("piece"),
    "XPP": _lt("piece"),
    "NAR": _lt("number of articles"),
    "NPR": _lt("number of pairs"),
    "PR": _lt("pair"),
    "SET": _lt("set"),
    "XBX": _lt("box"),
    "XCT": _lt("carton"),
    "XPK": _lt("package"),
    "XPA": _lt("packet"),
    "XPX": _lt("pallet"),
    "XRO": _lt("roll"),
    "XBG": _lt("bag"),
    "XBO": _lt("bottle"),
    "KGM": _lt("kilogram"),
    "GRM": _lt("gram"),
    "TNE": _lt("tonne"),
    "LTR": _lt("litre"),
    "MLT": _lt("millilitre"),
    "MTR": _lt("metre"),
    "CMT": _lt("centimetre"),
    "MMT": _lt("millimetre"),
    "MTK": _lt("square metre"),
    "MTQ": _lt("cubic metre"),
    "HUR": _lt("hour"),
    "MIN": _lt("minute"),
    "DAY": _lt("day"),
    "WEE": _lt("week"),
    "MON": _lt("month"),
    "ANN": _lt("year"),
    "KWH": _lt("kilowatt hour"),
    "LS": _lt("lump sum"),
}

# ISO 6523 ICD / Peppol EAS schemes of party ids: the short name people know them by.
SCHEMES = {
    "0007": "Organisationsnummer (SE)",
    "0060": "DUNS",
    "0088": "GLN",
    "0096": "DK P",
    "0106": _lt("Chamber of Commerce (KvK)"),
    "0151": "ABN (AU)",
    "0184": "CVR (DK)",
    "0190": _lt("Dutch government id (OIN)"),
    "0192": _lt("Organisation number (NO)"),
    "0195": "UEN (SG)",
    "0196": "Kennitala (IS)",
    "0208": _lt("Enterprise number (BE)"),
    "0209": "GS1",
    "0211": "P.IVA (IT)",
    "9906": "P.IVA (IT)",
    "9925": _lt("VAT number (BE)"),
    "9930": _lt("VAT number (DE)"),
    "9944": _lt("VAT number (NL)"),
    "9957": _lt("VAT number (FR)"),
}

# The Order Response codes (UNCL4343 subset of Peppol BIS 3), as people read them.
RESPONSE_CODES = {
    "AB": _lt("Received"),
    "AP": _lt("Accepted"),
    "CA": _lt("Accepted with changes"),
    "RE": _lt("Rejected"),
}


# The PSB's webhook topics, as a person reads them.
TOPICS = {
    "OrderReceived": _lt("Order received"),
    "OrderChangeReceived": _lt("Order change received"),
    "OrderCancellationReceived": _lt("Order cancellation received"),
    "OrderResponseSent": _lt("Answer delivered"),
    "OrderResponseSentRetry": _lt("Answer being retried by the PSB"),
    "OrderResponseSentError": _lt("Answer not delivered"),
    "InvoiceSent": _lt("Invoice delivered"),
    "InvoiceSentRetry": _lt("Invoice being retried by the PSB"),
    "InvoiceSentError": _lt("Invoice not delivered"),
    "InvoiceResponseReceived": _lt("Invoice response received"),
}


def topic_name(topic):
    """The English words of a PSB webhook topic (``OrderReceived``), or None when it is
    not known."""
    return TOPICS.get(topic or "")


def tax_category_name(code):
    """The English words of a UNCL5305 tax category code, or None when the code is not
    known."""
    return TAX_CATEGORIES.get((code or "").strip().upper())


def unit_name(code):
    """The English name of a UN/ECE unit code, or None when the code is not known."""
    return UNITS.get((code or "").strip().upper())


def scheme_name(scheme):
    """The name of a Peppol party id scheme (``"0088"``), or None when it is not
    known."""
    return SCHEMES.get((scheme or "").strip())


def split_party_id(value):
    """``"0106:12345678"`` → ``("0106", "12345678")``; an id without a scheme → ``("",
    value)``."""
    scheme, sep, rest = (value or "").partition(":")
    if sep and scheme.isdigit() and len(scheme) == 4:
        return scheme, rest
    return "", value or ""


def response_name(code):
    """The English word of an Order Response code (AB, AP, CA, RE), or None when it is
    not known."""
    return RESPONSE_CODES.get((code or "").strip().upper())
