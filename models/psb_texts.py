"""Texts for people, stored as codes and parameters and rendered in the reader's
language when shown.

The import notes what it found (the quotation's banner, a line's issue, the activity,
the chatter entry) as data, not as finished text: ``T._("Line %(line)s: %(issues)s",
line=..., issues=...)`` gives a JSON-able dict of the English source text and its
parameters (the ``_`` call keeps the text in the translation template), and
:func:`render` turns it into the text of ``env``'s language when someone reads it.
Numbers, amounts and dates are parameters of their own (:func:`num`, :func:`money`,
:func:`date`), so that they are written the reader's way too: "aantal 10 → 5", "€ 3,80",
"15-10-2019". Plain strings pass through as they are (notes stored before this existed,
or names).
"""

import datetime

from markupsafe import Markup

from odoo.tools.misc import format_date, formatLang
from odoo.tools.translate import get_translation

from ..psb import autoconfirm, codes

MODULE = "sale_econnect_psb"


class _Texts:
    """``T._(source, *args, **params)``: a text to render later, in the reader's
    language."""

    @staticmethod
    def _(source, *args, **params):
        assert not (args and params), "Use args or params, not both"
        return (
            {"m": source, "a": [_plain(a) for a in args]}
            if args
            else {"m": source, "p": _plain_dict(params)}
        )


T = _Texts()


def _plain(value):
    """A parameter as JSON can store it (Decimals as floats, dates as ISO text)."""
    if isinstance(value, dict | list | str | int | float | bool) or value is None:
        return value
    if isinstance(value, datetime.date):
        return date(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def _plain_dict(params):
    return {key: _plain(value) for key, value in params.items()}


def num(value, digits=None):
    """A quantity or other number, written with the reader's decimal separator (no
    needless decimals)."""
    return {"num": float(value), "d": digits}


def money(amount, currency):
    """An amount in ``currency`` (a record or an ISO code), written the reader's way."""
    if isinstance(currency, str):
        return {"money": float(amount), "cur": currency}
    return {"money": float(amount), "cur": currency.name or "", "cid": currency.id}


def percent(value, signed=True):
    """A percentage ("−10,9 %"), signed unless ``signed`` is false."""
    return {"pct": float(value), "signed": signed}


def date(value):
    """A date (or ISO text), written the reader's way."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    return {
        "date": value.isoformat() if hasattr(value, "isoformat") else str(value or "")
    }


def joined(items, sep="; "):
    """Texts written one after the other."""
    return {"join": [_plain(item) for item in items], "sep": sep}


def code(kind, value):
    """A code with its human word first and the code as a hint: ``kind`` is tax, unit,
    scheme or answer."""
    return {"code": kind, "v": value}


def party_id(value):
    """A Peppol party id ("0106:12345678"), written with its scheme's name; nothing when
    there is none."""
    return {"party": value} if value else False


def render(env, value, cache=None):
    """``value`` (a text of :class:`_Texts`, a parameter, or a list of them) as text in
    ``env``'s language."""
    cache = {} if cache is None else cache
    if value is None or value is False:
        return ""
    if isinstance(value, list):
        return "\n".join(render(env, item, cache) for item in value)
    if not isinstance(value, dict):
        return str(value)
    if "m" in value:
        return _render_message(env, value, cache)
    for key, renderer in _RENDERERS.items():
        if key in value:
            return renderer(env, value, cache)
    return str(value)


def render_fields(records, **fields):
    """Set the text fields ``fields`` (text field: its data field) of ``records`` to
    their data rendered in the reader's language (False when there is none)."""
    cache = {}
    for record in records:
        for field, data_field in fields.items():
            record[field] = render(record.env, record[data_field], cache) or False


def _render_message(env, value, cache):
    lang = env.lang or "en_US"
    if "a" in value:
        args = tuple(render(env, arg, cache) for arg in value["a"])
    else:
        args = {
            key: render(env, arg, cache) for key, arg in (value.get("p") or {}).items()
        }
    return get_translation(MODULE, lang, value["m"], args)


def _render_num(env, value, cache):
    number, digits = value["num"], value.get("d")
    if digits is None:
        digits = next((d for d in range(7) if abs(round(number, d) - number) < 1e-9), 6)
    return formatLang(env, number, digits=digits)


def _render_money(env, value, cache):
    name = value.get("cur") or ""
    key = ("currency", name)
    if value.get(
        "cid"
    ):  # the record (already in the ORM's cache where the order is read)
        cache[key] = env["res.currency"].browse(value["cid"])
    elif key not in cache:
        cache[key] = (
            env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", name)], limit=1)
        )
    currency, amount = cache[key], value["money"]
    digits = currency.decimal_places if currency else 2
    if abs(round(amount, digits) - amount) > 1e-9:
        digits = 4  # a contract price below the cent keeps its digits: "0,1440 €"
    text = formatLang(env, amount, digits=digits)
    if not currency:
        return f"{text} {name}".strip()
    # Odoo's way (formatLang with a currency), without rounding a price below the cent
    # away.
    return (
        f"{text}\N{NO-BREAK SPACE}{currency.symbol}"
        if currency.position == "after"
        else (f"{currency.symbol}\N{NO-BREAK SPACE}{text}")
    )


def _render_percent(env, value, cache):
    number = value["pct"]
    text = formatLang(env, abs(number), digits=1)
    text = text.rstrip("0").rstrip(
        env["res.lang"]._get_data(code=env.lang or "en_US").decimal_point or "."
    )
    sign = (
        ("−" if number < 0 else "+" if number > 0 else "")
        if value.get("signed", True)
        else ""
    )
    return f"{sign}{text} %"


def _render_date(env, value, cache):
    try:
        return format_date(env, value["date"])
    except (TypeError, ValueError):
        return value["date"]


def _render_join(env, value, cache):
    return value.get("sep", "; ").join(
        filter(None, (render(env, item, cache) for item in value["join"]))
    )


def _render_code(env, value, cache):
    return code_label(env, value["code"], value.get("v"))


def _render_party(env, value, cache):
    return party_id_label(env, value["party"])


_RENDERERS = {
    "party": _render_party,
    "num": _render_num,
    "money": _render_money,
    "date": _render_date,
    "pct": _render_percent,
    "join": _render_join,
    "code": _render_code,
}

_CODE_WORDS = {
    "tax": codes.tax_category_name,
    "unit": codes.unit_name,
    "scheme": codes.scheme_name,
    "answer": codes.response_name,
    "topic": codes.topic_name,
}


def code_word(env, kind, value):
    """The reader's word for a code (``kind``: tax, unit, scheme, answer), or None when
    it is not known."""
    english = _CODE_WORDS[kind](value)
    return english and get_translation(MODULE, env.lang or "en_US", english, ())


def code_label(env, kind, value):
    """ "standard rate (S)": the word first, the code as a hint; the bare code when no
    word is known."""
    word = code_word(env, kind, value)
    return f"{word} ({value})" if word else str(value or "")


def party_id_label(env, value):
    """A Peppol party id with its scheme's name: "KvK 12345678 (0106)"; as it is when
    the scheme is unknown."""
    scheme, rest = codes.split_party_id(value)
    word = scheme and code_word(env, "scheme", scheme)
    return f"{word} {rest} ({scheme})" if word else (value or "")


def render_html(env, title, items):
    """A title and a list, as HTML (the texts escaped), in ``env``'s language."""
    cache = {}
    return Markup("<p>%s</p><ul>%s</ul>") % (
        render(env, title, cache),
        Markup().join(
            Markup("<li>%s</li>") % render(env, item, cache) for item in items
        ),
    )


def note(title, items=None):
    """The data of an activity's note or a chatter entry: a text, with a list under it
    when ``items``."""
    return (
        {"title": title, "items": list(items)}
        if items is not None
        else {"title": title}
    )


def render_note(env, data):
    """:func:`note`'s data as HTML in ``env``'s language."""
    if "items" in data:
        return render_html(env, data["title"], data["items"])
    return Markup("<p>%s</p>") % render(env, data["title"])


#: psb/autoconfirm.py's numbers, amounts and dates as values of this module (written the
#: reader's way).
FORMATS = autoconfirm.Formats(
    money=lambda currency, value: money(value, currency),
    percent=lambda value, signed: percent(value, signed),
    date=date,
    amount=lambda value: num(value, 2),
)


def formats_for(env):
    """psb/autoconfirm.py's numbers, amounts and dates written at once in ``env``'s
    language (for texts made as text, such as a change's log)."""
    cache = {}
    return autoconfirm.Formats(
        money=lambda currency, value: render(env, money(value, currency), cache),
        percent=lambda value, signed: render(env, percent(value, signed), cache),
        date=lambda value: render(env, date(value), cache),
        amount=lambda value: render(env, num(value, 2), cache),
    )


class BuyerWords:
    """The translation function of the texts sent to the buyer (psb/ubl/response.py's
    ``_``), in the buyer's language, with the buyer's way of writing numbers and dates
    (``number``, ``day``): "regel 2: prijs 6,5 SEK" for a Dutch buyer, "line 2: price
    6.5 SEK" for an English one."""

    def __init__(self, env):
        self.env = env

    def __call__(self, source, *args, **params):
        return get_translation(MODULE, self.env.lang or "en_US", source, args or params)

    def number(self, value):
        return render(self.env, num(value))

    def day(self, value):
        return render(self.env, date(value))
