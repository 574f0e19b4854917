"""The errors of the plain-Python ``psb`` package in the reader's language.

``psb`` writes its messages in English and gives each error a stable ``error_code`` and
its ``params`` (``psb/exceptions.py``, ``psb/ubl/model.py``, ``psb/ubl/response.py``);
:func:`psb_error_text` turns those into a text in the language of ``env`` (call it with
the reader's ``lang`` in the context). An error without a known code shows its own
message: a new ``psb`` error stays readable, in English, until it gets a text here.

The texts are data: :data:`_TEXTS` gives each code its English source text and the
function that makes the text's parameters of the error's own (a document kind or a
code in the reader's words, what the PSB said, which answer line); one function,
:func:`_text`, translates and fills it in.
"""


def _lt(source):
    """``source`` as it is: the call marks it for the translation template (the export
    reads the ``_lt`` calls); :func:`_translated` translates it when it is shown."""
    return source


def _translated(env, source, *args, **params):
    """``source`` in the language of ``env``, filled in with ``args`` or ``params``."""
    return env._(source, *args, **params)


def _same(*sources):
    """A table of words known by their English source text."""
    return {source: source for source in sources}


def _word(env, kind, key):
    """The reader's word for ``key`` among the :data:`_WORDS` of ``kind``; ``key``
    itself when it is unknown."""
    source = _WORDS[kind].get(key)
    return _translated(env, source) if source else key


#: The reader's words, by what they name: a document kind by its code; what is wrong
#: with the XML (psb/xmlsafe.py ``_SYNTAX_ERRORS``) or with a value (psb/ubl/reader.py
#: ``_typed``) by its English wording there (libxml2's own words for anything else stay
#: as they are); a connection setting the client says is missing (psb/client.py
#: ``PsbClient``); the words of an answer's rules (psb/ubl/response.py): answers, line
#: statuses, values, dates.
_WORDS = {
    "kind": {
        "order": _lt("Order"),
        "order_change": _lt("Order Change"),
        "order_cancellation": _lt("Order Cancellation"),
    },
    "xml_detail": _same(
        _lt("no XML element found; is it an XML file at all?"),
        _lt("there is content after the end of the root element"),
        _lt("an end tag does not match its start tag"),
        _lt("the document ends before all its elements are closed"),
        _lt(
            "an entity is used that XML does not define (only &lt; &gt; &amp; &quot; "
            "&apos; and "
            "character references are allowed)"
        ),
        _lt("an element has the same attribute twice"),
        _lt("a namespace prefix is used that is not declared"),
    ),
    "value_problem": _same(
        _lt("is too large"),
        _lt("is not a number (digits with an optional decimal point, such as 12.50)"),
        _lt("is not a date (YYYY-MM-DD)"),
        _lt("is not a time (hh:mm:ss)"),
        _lt("is not a whole number of at most 9 digits"),
    ),
    "setting": {
        "API URL": _lt("API URL"),
        "identity URL": _lt("Identity URL"),
        "client id": _lt("Client ID"),
        "client secret": _lt("Client Secret"),
    },
    "answer": {
        "AB": _lt("acknowledged"),
        "AP": _lt("accepted"),
        "CA": _lt("accepted with changes"),
        "RE": _lt("rejected"),
        "1": _lt("added"),
        "3": _lt("changed"),
        "5": _lt("accepted"),
        "7": _lt("rejected"),
        "42": _lt("already delivered"),
        "quantity": _lt("quantity"),
        "backorder quantity": _lt("backorder quantity"),
        "price": _lt("price"),
        "price base quantity": _lt("price base quantity"),
        "delivery period": _lt("delivery period"),
        "substitute": _lt("substitute"),
        "start": _lt("the start of the promised delivery"),
        "end": _lt("the end of the promised delivery"),
    },
}


# ----------------------------------------------------------------------------------
# The parameters of a text: the error's own, and what a text says in the reader's words


def _own(env, p):
    """The error's own params, as they are."""
    return p


def _with_kinds(env, p):
    """The document kinds (``kind``, ``expected``) in the reader's words."""
    return {
        **p,
        "kind": _word(env, "kind", p.get("kind")) or "",
        "expected": _word(env, "kind", p.get("expected")) or "",
    }


def _with_xml_detail(env, p):
    return {**p, "detail": _word(env, "xml_detail", p["detail"])}


def _bad_value(env, p):
    return {
        "where": p.get("where"),
        "value": p.get("value"),
        "expected": _word(env, "value_problem", p.get("expected")),
    }


def _in_line(env, p):
    """An error of one order line: the line's own error, in the reader's language."""
    return {
        "line": p.get("line"),
        "error": _text(
            env,
            p.get("inner_code"),
            p.get("inner_params") or {},
            p.get("inner_message") or "",
        ),
    }


def _with_said(env, p):
    """What the PSB itself said (its own words, untranslated) and its request id."""
    said = (
        _translated(env, _lt(" The PSB said: %s"), p["psb_message"])
        if p.get("psb_message")
        else ""
    )
    if p.get("request_id"):
        said += _translated(env, _lt(" (PSB request id %s)"), p["request_id"])
    return {**p, "said": said}


def _missing_settings(env, p):
    labels = (_word(env, "setting", label) for label in p.get("missing") or [])
    return {"missing": ", ".join(labels)}


def _party_value(env, p):
    return {"value": p.get("value") or _translated(env, _lt("(empty)"))}


def _allowed_parties(env, p):
    return {"party_id": p.get("party_id"), "allowed": ", ".join(p.get("allowed") or [])}


def _answer_line(env, p):
    """How an error names the response line it is on."""
    return _translated(
        env,
        _lt("Response line %(line_id)s (order line %(order_line_id)s)"),
        line_id=p.get("line_id"),
        order_line_id=p.get("order_line_id"),
    )


def _with_where(env, p):
    """The response line the error is on (``where``)."""
    return {**p, "where": _answer_line(env, p)}


def _line_status_words(env, p):
    return {
        "where": _answer_line(env, p),
        "status": _word(env, "answer", p["status"]),
        "changes": ", ".join(_word(env, "answer", name) for name in p["changes"]),
    }


def _answer_label(env, p):
    return {"code": p["code"], "label": _word(env, "answer", p["code"])}


def _answer_date(env, p):
    """A date that is not one: where it is, and which date, in the reader's words."""
    return {
        **p,
        "where": _answer_line(env, p),
        "date": _word(env, "answer", p["date"]),
    }


# ----------------------------------------------------------------------------------
# The source texts that depend on the error's params


def _if(test, source, otherwise):
    """A source text chosen by the error's params: ``source`` where ``test(p)`` holds,
    else ``otherwise``."""
    return lambda p: source if test(p) else otherwise


def _has(name):
    return lambda p: bool(p.get(name))


def _of_seller(p):
    return p.get("role") == "seller"


def _not_a_date(p):
    if p.get("line_id"):
        return _lt("%(where)s: %(date)s %(value)s is not a date.")
    return {
        "issue_date": _lt("The issue date %(value)s is not a date."),
        "start": _lt("The start of the promised delivery %(value)s is not a date."),
        "end": _lt("The end of the promised delivery %(value)s is not a date."),
    }[p["date"]]


def _texts(params, sources):
    """``sources`` (code: source text, or a function of the params that chooses it),
    each filled in with ``params(env, p)``."""
    return {code: (source, params) for code, source in sources.items()}


# ----------------------------------------------------------------------------------
# The texts, by code (the codes are unique across psb/)

#: The XML guard (psb/xmlsafe.py): an empty, too large or malformed document, and what
#: it refuses for safety.
_XML_TEXTS = {
    **_texts(
        _own,
        {
            "empty": _lt("The document is empty."),
            "too_large": _lt(
                "The document is %(kib)s KiB, more than the %(max_kib)s KiB accepted."
            ),
            "bad_encoding": _lt("The document is not well-formed XML (%(detail)s)."),
            "dtd": _lt(
                "The document declares a DTD/entities, which Peppol documents never "
                "do; it was refused for safety."
            ),
            "xinclude": _lt(
                "The document uses XInclude, which Peppol documents never do; it was "
                "refused for safety."
            ),
            "limit_depth": _lt(
                "The document exceeds a safety limit of the XML parser (elements "
                "nested more than %(depth)s levels deep); it was refused for safety."
            ),
            "limit_text": _lt(
                "The document exceeds a safety limit of the XML parser (a text or "
                "attribute "
                "value longer than %(text)s characters; this also limits an embedded "
                "attachment to about 7 MB); it was refused for safety."
            ),
            "limit_entities": _lt(
                "The document exceeds a safety limit of the XML parser (entity "
                "expansion); it was refused for safety."
            ),
            "sbdh_payload": _lt(
                "The Standard Business Document envelope holds %(count)s documents "
                "instead of one."
            ),
        },
    ),
    **_texts(
        _with_xml_detail,
        {
            "not_well_formed": _if(
                _has("line"),
                _lt("The document is not well-formed XML (line %(line)s: %(detail)s)."),
                _lt("The document is not well-formed XML (%(detail)s)."),
            )
        },
    ),
}

#: The UBL reader (psb/ubl/reader.py): documents that are not a Peppol order it reads,
#: and what an order's content lacks or gets wrong.
_READER_TEXTS = {
    **_texts(
        _with_kinds,
        {
            # Not UBL, or another UBL document than an order.
            "not_ubl": _lt(
                "This is not a UBL business document (its root element is %(root)s), "
                "so it is not a Peppol order."
            ),
            "other_ubl_document": _if(
                _has("invoice"),
                _lt(
                    "This document is a UBL %(root)s, not a purchase order. Invoices "
                    "are "
                    "handled in Accounting, not in "
                    "Sales."
                ),
                _lt(
                    "This document is a UBL %(root)s, not a purchase order. Only "
                    "orders, "
                    "order changes and order "
                    "cancellations are read here."
                ),
            ),
            "no_customization": _lt(
                "The %(root)s has no CustomizationID, so it does not say which "
                "specification it follows: it is not a Peppol BIS 3 document."
            ),
            "bis2": _lt(
                "This %(root)s follows the old Peppol BIS 2 (%(customization)s), which "
                "is no longer "
                "in use: ask the customer to send Peppol BIS 3 (%(bis3)s)."
            ),
            # A transaction, specification or profile it does not read.
            "other_transaction": _lt(
                "This %(root)s declares the Peppol transaction %(customization)s, "
                "which is not a BIS 3 Order, Order Change or Order Cancellation."
            ),
            "other_specification": _lt(
                "This %(root)s follows the specification %(customization)s, which is "
                "not Peppol BIS 3 Ordering (a "
                "national or private format); it cannot be read as a Peppol order."
            ),
            "root_mismatch": _lt(
                "The document's root element %(root)s does not match its "
                "CustomizationID %(customization)s, which is for an %(kind)s "
                "(%(expected_root)s)."
            ),
            "extended_profile": _lt(
                "This %(kind)s follows an extended national profile "
                "(%(customization)s, e.g. EHF) that adds content to Peppol BIS 3; it "
                "is not read by this module."
            ),
            "no_profile": _lt(
                "The %(kind)s has no ProfileID (expected one of: %(allowed)s)."
            ),
            "profile_not_allowed": _lt(
                "The %(kind)s has ProfileID %(profile)s, which Peppol does not allow "
                "for it (allowed: %(allowed)s)."
            ),
            "unexpected_kind": _lt(
                "Expected an %(expected)s, but this document is an %(kind)s."
            ),
            # What an order's header lacks or gets wrong.
            "no_id": _lt("The %(kind)s has no number (ID)."),
            "no_buyer": _lt(
                "The %(kind)s %(id)s does not say who the buyer is "
                "(BuyerCustomerParty)."
            ),
            "no_order_reference": _lt(
                "The %(kind)s %(id)s does not say which order it refers to "
                "(OrderReference/ID)."
            ),
            "no_lines": _lt("The %(kind)s %(id)s has no order line."),
            "duplicate_line": _lt(
                "The %(kind)s %(id)s has two lines numbered %(line)s; line numbers "
                "must be unique."
            ),
            # What an order's lines and attachments lack or get wrong.
            "line_no_id": _lt(
                "Order line %(position)s has no line number (LineItem/ID)."
            ),
            "no_quantity": _lt("the ordered quantity (LineItem/Quantity) is missing."),
            "no_unit": _lt("the quantity has no unit (unitCode)."),
            "no_line_status": _lt(
                "the line status (LineStatusCode) is missing (expected: %(allowed)s)."
            ),
            "line_status_not_allowed": _lt(
                "the line status %(status)s cannot be used in an Order Change "
                "(allowed: %(allowed)s)."
            ),
            "no_charge_indicator": _lt(
                "An AllowanceCharge has no ChargeIndicator, so it is unclear whether "
                "it is a discount or a charge."
            ),
            "attachment_too_large": _lt(
                "The attached document %(name)s is larger than %(mib)s MiB."
            ),
            "attachment_not_base64": _lt(
                "The attached document %(name)s is not valid base64."
            ),
        },
    ),
    **_texts(
        _bad_value,
        {"bad_value": _lt("%(where)s has the value %(value)s, which %(expected)s.")},
    ),
    **_texts(_in_line, {"in_line": _lt("Line %(line)s: %(error)s")}),
}

#: The PSB client (psb/client.py): its settings, the identity server, what the PSB
#: answered to a request, the party id and the connection check.
_CLIENT_TEXTS = {
    **_texts(
        _missing_settings,
        {
            "not_configured": _lt(
                "The PSB connection is not configured: %(missing)s missing."
            )
        },
    ),
    **_texts(
        _with_said,
        {
            # Its settings.
            "half_login": _lt(
                "Give both the PSB user name and password (password grant), or "
                "neither (client credentials grant)."
            ),
            "bad_url": _lt(
                "The PSB %(label)s %(url)r is not a web address (https://...)."
            ),
            "empty_id": _lt("An empty id cannot be sent to the PSB."),
            # The identity server.
            "identity_unreachable": _lt(
                "The PSB identity server %(url)s could not be reached (%(reason)s). "
                "It will be tried again later; if "
                "this persists, check the identity URL and the network."
            ),
            "identity_unavailable": _lt(
                "The PSB identity server is unavailable (%(status)s); it will be "
                "tried again later."
            ),
            "identity_refused": _if(
                _has("password"),
                _lt(
                    "The PSB identity server refused the credentials (%(detail)s). "
                    "Check "
                    "the client id, client secret, "
                    "user name and password in the PSB settings, and that they belong "
                    "to "
                    "this environment (acceptance "
                    "and production have separate credentials)."
                ),
                _lt(
                    "The PSB identity server refused the credentials (%(detail)s). "
                    "Check "
                    "the client id and client secret "
                    "in the PSB settings, and that they belong to this environment "
                    "(acceptance and production have "
                    "separate credentials)."
                ),
            ),
            "identity_bad_answer": _lt(
                "The PSB identity server answered %(status)s to %(url)s; check the "
                "identity URL."
            ),
            "identity_no_token": _lt(
                "%(url)s gave no usable access token; check the identity URL."
            ),
            # A request that did not get through.
            "timeout": _lt(
                "The PSB did not answer in time (%(reason)s); it will be tried again "
                "later."
            ),
            "unreachable": _lt(
                "The PSB could not be reached (%(reason)s); it will be tried again "
                "later. If "
                "this persists, check the API URL and the network."
            ),
            "rate_limited": _lt(
                "The PSB is rate limiting requests (%(status)s); it will be tried "
                "again later.%(said)s"
            ),
            "server_error": _lt(
                "The PSB had a server error (%(status)s); it will be tried again "
                "later.%(said)s"
            ),
            "redirected": _lt(
                "The PSB redirected the request to %(location)s (%(status)s); "
                "redirects are "
                "not followed. Check the API URL in the PSB settings.%(said)s"
            ),
            "token_refused": _lt(
                "The PSB did not accept the access token (401). Check the client id, "
                "client "
                "secret, user name and password in the PSB settings.%(said)s"
            ),
            "access_refused": _lt(
                "The PSB refused access (403). Check that these credentials may use "
                "this party id (eConnect grants parties to users and "
                "applications).%(said)s"
            ),
            # A document the PSB refused, lost or sent back broken.
            "not_found": _lt("The PSB found nothing (404).%(said)s"),
            "document_gone": _lt(
                "The PSB does not know document %(document_id)s for party "
                "%(party_id)s (it may have been deleted: the "
                "PSB keeps documents 90 days, 7 days after the first "
                "download).%(said)s"
            ),
            "duplicate": _lt(
                "The PSB had already processed this (409, duplicate).%(said)s"
            ),
            "content_too_large": _lt(
                "The PSB refused the content as too large (413).%(said)s"
            ),
            "refused": _lt("The PSB refused the request (%(status)s).%(said)s"),
            "not_json": _lt(
                "The PSB answered with %(content_type)s instead of JSON; check the "
                "API URL in the PSB settings."
            ),
            "download_too_large": _lt(
                "Document %(document_id)s is larger than %(limit)s bytes and was not "
                "downloaded; raise the download "
                "limit if it is genuine."
            ),
            "download_broken": _lt(
                "The download of document %(document_id)s broke off (%(reason)s); it "
                "will be tried again later."
            ),
        },
    ),
    # The party id and the connection check.
    **_texts(
        _party_value,
        {
            "bad_party_id": _lt(
                "%(value)s is not a PSB party id: give it as the Peppol form "
                "0106:12345678 (a four-digit scheme such as "
                "0106 for a KvK number or 0088 for a GLN, a colon, the number) or as "
                "the PSB's form NL:KVK:12345678 "
                "(country, register, number), exactly as eConnect registered the "
                "company."
            )
        },
    ),
    **_texts(
        _allowed_parties,
        {
            "connection_ok_parties": _lt(
                "The PSB accepted the credentials; they may use %(allowed)s."
            ),
            "party_not_allowed": _lt(
                "The PSB accepted the credentials, but they may not use party "
                "%(party_id)s; they may use %(allowed)s. "
                "Correct the party id, or ask eConnect for access to it."
            ),
        },
    ),
    **_texts(
        _own,
        {
            "connection_ok_party": _lt(
                "The PSB accepted the credentials, which may use party %(party_id)s."
            ),
            "connection_ok": _lt("The PSB accepted the credentials."),
            "connection_ok_hooks": _lt(
                "The PSB accepted the credentials and gives access to party "
                "%(party_id)s."
            ),
        },
    ),
}

#: The rules an Order Response must follow (psb/ubl/response.py ``ResponseError``).
_ANSWER_TEXTS = {
    **_texts(
        _with_where,
        {
            # One answer line's status, item name and unit, each named "Response
            # line 2 (order line 5)".
            "answer_line_bad_status": _lt(
                "%(where)s: status %(status)s is not one of 1 (added), 3 (changed), 5 "
                "(accepted), 7 (rejected), "
                "42 (already delivered)."
            ),
            "answer_line_no_item_name": _lt("%(where)s needs the item's name."),
            "answer_line_changes_nothing": _lt(
                "%(where)s is marked changed but changes nothing and says nothing; "
                "give the new quantity, price, "
                "delivery date or substitute, or a note."
            ),
            "answer_line_added_no_quantity": _lt(
                "%(where)s is an added line: it needs the quantity."
            ),
            "answer_line_no_unit": _lt(
                "%(where)s: a quantity needs its unit code (UN/ECE rec. 20, such as "
                "C62)."
            ),
            # One answer line's quantities, prices and substitute.
            "answer_line_negative_quantity": _lt(
                "%(where)s: the quantity cannot be negative (%(value)s)."
            ),
            "answer_line_negative_backorder": _lt(
                "%(where)s: the backorder quantity cannot be negative (%(value)s)."
            ),
            "answer_line_negative_price": _lt(
                "%(where)s: the price cannot be negative (%(value)s)."
            ),
            "answer_line_base_without_price": _lt(
                "%(where)s: a price base quantity comes with the price."
            ),
            "answer_line_base_not_positive": _lt(
                "%(where)s: the price base quantity must be more than zero."
            ),
            "answer_substitute_buyers_id": _lt(
                "%(where)s: the substitute item is the seller's, it has no buyer's "
                "item id."
            ),
            "answer_substitute_no_id": _lt(
                "%(where)s: the substitute item needs a name or an item id."
            ),
            "answer_substitute_line_without_item": _lt(
                "%(where)s has a substitute line id but no substitute item."
            ),
            "answer_item_no_scheme": _lt(
                "%(where)s: the standard item id %(item_id)s needs its scheme (0160 "
                "for a GTIN)."
            ),
            # A promised delivery period, of a line or of the whole answer.
            "answer_period_reversed": _if(
                _has("line_id"),
                _lt(
                    "%(where)s: the end of the promised delivery (%(end)s) is before "
                    "its "
                    "start (%(start)s)."
                ),
                _lt(
                    "The end of the promised delivery (%(end)s) is before its start "
                    "(%(start)s)."
                ),
            ),
        },
    ),
    **_texts(
        _line_status_words,
        {
            "answer_line_status_without_values": _lt(
                "%(where)s is %(status)s and cannot carry a new %(changes)s; mark it "
                "changed (3) or add a line (1)."
            )
        },
    ),
    **_texts(
        _own,
        {
            # The answer's profile, code, ids, currency and dates.
            "answer_order_only": _lt(
                "An order of profile Order Only gets no Order Response (Peppol BIS "
                "Order Only 3)."
            ),
            "answer_unknown_profile": _lt(
                "Unknown Peppol profile %(profile)s: only Ordering and Advanced "
                "Ordering orders are answered with an "
                "Order Response."
            ),
            "answer_bad_code": _lt(
                "Order Response code %(code)s is not one of AB, AP, CA, RE."
            ),
            "answer_no_id": _lt("The answer needs its own id."),
            "answer_no_order_id": _lt("The answer needs the order's id."),
            "answer_no_currency": _lt("The answer needs the currency."),
            "answer_bad_currency": _lt(
                "Currency %(currency)s is not an ISO 4217 code such as EUR."
            ),
            "answer_no_issue_date": _lt("The answer needs the issue date."),
            "answer_bad_time": _lt("The issue time %(value)s is not a time."),
            # Its parties, and the lines it must have.
            "answer_no_endpoint": _if(
                _of_seller,
                _lt("The answer needs the seller's Peppol id (endpoint)."),
                _lt("The answer needs the buyer's Peppol id (endpoint)."),
            ),
            "answer_no_endpoint_scheme": _if(
                _of_seller,
                _lt(
                    "The seller's Peppol id %(endpoint)s has no scheme (such as 0106 "
                    "in "
                    "0106:12345678)."
                ),
                _lt(
                    "The buyer's Peppol id %(endpoint)s has no scheme (such as 0106 in "
                    "0106:12345678)."
                ),
            ),
            "answer_no_party_name": _if(
                _of_seller,
                _lt("The seller needs a registered name or a party identifier."),
                _lt("The buyer needs a registered name or a party identifier."),
            ),
            "answer_change_not_advanced": _lt(
                "Only an Advanced Ordering answer refers to an Order Change or "
                "Cancellation; this order is of profile "
                "Ordering."
            ),
            "answer_ca_without_lines": _lt(
                "An acceptance with changes (CA) lists every order line with its "
                "status."
            ),
            # Its line ids, numbers and notes.
            "answer_line_no_id": _lt(
                "A response line for order line %(order_line_id)s has no id."
            ),
            "answer_line_id_twice": _lt(
                "Two response lines have the id %(line_id)s: each needs its own."
            ),
            "answer_line_no_order_line": _lt(
                "Response line %(line_id)s does not say which order line it answers."
            ),
            "answer_not_a_number": _lt("%(value)s is not a number."),
            "answer_note_lines_left_out": _lt(
                "The PSB's JSON note holds %(limit)s characters, even with the "
                "changed lines listed compactly: the "
                "answers for lines %(lines)s (%(count)s lines) would not reach the "
                "buyer. Switch on Send Order "
                "Responses as UBL (Settings > Sales > eConnect PSB) to send every "
                "line, or change fewer lines."
            ),
            "answer_note_too_long": _lt(
                "The PSB's JSON note holds %(limit)s characters: this note is "
                "%(excess)s characters too long and would "
                "not reach the buyer whole. Shorten it, or switch on Send Order "
                "Responses as UBL (Settings > Sales > "
                "eConnect PSB)."
            ),
        },
    ),
    **_texts(
        _answer_label,
        {
            "answer_lines_not_ca": _lt(
                "An %(code)s answer (%(label)s) carries no lines; to change or reject "
                "single lines, accept with "
                "changes (CA)."
            )
        },
    ),
    **_texts(_answer_date, {"answer_not_a_date": _not_a_date}),
}

_TEXTS = {**_XML_TEXTS, **_READER_TEXTS, **_CLIENT_TEXTS, **_ANSWER_TEXTS}


def _text(env, code, params, message):
    text = _TEXTS.get(code) if code else None
    if not text:
        return message
    source, make_params = text
    try:
        if callable(source):
            source = source(params)
        return _translated(env, source, **make_params(env, params))
    except (KeyError, TypeError, ValueError):
        # params that do not fit the text: say it in English
        return message


def psb_code_text(env, code, params, message):
    """The text of a stored ``psb`` error (its code, params and English or earlier
    message) in the language of ``env``: what a record keeps to show its error in the
    reader's language."""
    return _text(env, code, params or {}, message)


def psb_result_text(env, result):
    """The text of a ``psb`` outcome that carries ``code``, ``params`` and ``message``
    (the client's ``ConnectionCheck``) in the language of ``env``."""
    return _text(env, result.code, result.params, result.message)


def psb_error_text(env, exc):
    """The message of a ``psb`` error (PsbError, UblError, ResponseError) in the
    language of ``env``."""
    return _text(
        env,
        getattr(exc, "error_code", None),
        getattr(exc, "params", None) or {},
        getattr(exc, "message", None) or str(exc),
    )
