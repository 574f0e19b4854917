"""The errors of the plain-Python ``psb`` package in the reader's language.

``psb`` writes its messages in English and gives each error a stable ``error_code`` and
its ``params`` (``psb/exceptions.py``, ``psb/ubl/model.py``, ``psb/ubl/response.py``);
:func:`psb_error_text` turns those into a text in the language of ``env`` (call it with
the reader's ``lang`` in the context). An error without a known code shows its own
message: a new ``psb`` error stays readable, in English, until it gets a text here.
"""


def _kind(env, kind):
    return {
        "order": env._("Order"),
        "order_change": env._("Order Change"),
        "order_cancellation": env._("Order Cancellation"),
    }.get(kind, kind or "")


def _xml_detail(env, detail):
    """What is wrong with the XML (psb/xmlsafe.py ``_SYNTAX_ERRORS``), by its English
    wording there; libxml2's own words for anything else stay as they are."""
    entity = env._(
        "an entity is used that XML does not define (only &lt; &gt; &amp; &quot; "
        "&apos; and "
        "character references are allowed)"
    )
    return {
        "no XML element found; is it an XML file at all?": env._(
            "no XML element found; is it an XML file at all?"
        ),
        "there is content after the end of the root element": env._(
            "there is content after the end of the root element"
        ),
        "an end tag does not match its start tag": env._(
            "an end tag does not match its start tag"
        ),
        "the document ends before all its elements are closed": env._(
            "the document ends before all its elements are closed"
        ),
        "an entity is used that XML does not define (only &lt; &gt; &amp; &quot; "
        "&apos; and character references "
        "are allowed)": entity,
        "an element has the same attribute twice": env._(
            "an element has the same attribute twice"
        ),
        "a namespace prefix is used that is not declared": env._(
            "a namespace prefix is used that is not declared"
        ),
    }.get(detail, detail)


def _xml_texts(env, p):
    """Texts of the XML guard (psb/xmlsafe.py): the reader's most common messages."""
    return {
        **_xml_parse_texts(env, p),
        **_xml_refusal_texts(env, p),
    }


def _xml_parse_texts(env, p):
    """Texts of the XML guard (psb/xmlsafe.py): an empty, too large or malformed
    document."""
    return {
        "empty": lambda: env._("The document is empty."),
        "too_large": lambda: env._(
            "The document is %(kib)s KiB, more than the %(max_kib)s KiB accepted.", **p
        ),
        "not_well_formed": lambda: (
            env._(
                "The document is not well-formed XML (line %(line)s: %(detail)s).",
                line=p["line"],
                detail=_xml_detail(env, p["detail"]),
            )
            if p.get("line")
            else env._(
                "The document is not well-formed XML (%(detail)s).",
                detail=_xml_detail(env, p["detail"]),
            )
        ),
        "bad_encoding": lambda: env._(
            "The document is not well-formed XML (%(detail)s).", **p
        ),
    }


def _xml_refusal_texts(env, p):
    """Texts of the XML guard (psb/xmlsafe.py): what it refuses for safety."""
    return {
        "dtd": lambda: env._(
            "The document declares a DTD/entities, which Peppol documents never do; "
            "it was refused for safety."
        ),
        "xinclude": lambda: env._(
            "The document uses XInclude, which Peppol documents never do; it was "
            "refused for safety."
        ),
        "limit_depth": lambda: env._(
            "The document exceeds a safety limit of the XML parser (elements nested "
            "more than %(depth)s levels deep); it was refused for safety.",
            **p,
        ),
        "limit_text": lambda: env._(
            "The document exceeds a safety limit of the XML parser (a text or "
            "attribute "
            "value longer than %(text)s characters; this also limits an embedded "
            "attachment to about 7 MB); it was refused for safety.",
            **p,
        ),
        "limit_entities": lambda: env._(
            "The document exceeds a safety limit of the XML parser (entity "
            "expansion); it was refused for safety."
        ),
        "sbdh_payload": lambda: env._(
            "The Standard Business Document envelope holds %(count)s documents "
            "instead of one.",
            **p,
        ),
    }


def _value_problem(env, expected):
    """What is wrong with a value (psb/ubl/reader.py ``_typed``), by its English wording
    there."""
    return {
        "is too large": env._("is too large"),
        "is not a number (digits with an optional decimal point, such as 12.50)": env._(
            "is not a number (digits with an optional decimal point, such as 12.50)"
        ),
        "is not a date (YYYY-MM-DD)": env._("is not a date (YYYY-MM-DD)"),
        "is not a time (hh:mm:ss)": env._("is not a time (hh:mm:ss)"),
        "is not a whole number of at most 9 digits": env._(
            "is not a whole number of at most 9 digits"
        ),
    }.get(expected, expected)


def _reader_kind_texts(env, p):
    """Texts of the UBL reader (psb/ubl/reader.py): documents that are not a Peppol
    order it reads."""
    return {
        **_reader_root_texts(env, p),
        **_reader_profile_texts(env, p),
    }


def _reader_root_texts(env, p):
    """Texts of the UBL reader (psb/ubl/reader.py): a document that is not UBL, or
    another UBL document than an order."""
    k = {"kind": _kind(env, p.get("kind")), "expected": _kind(env, p.get("expected"))}
    q = {**p, **k}
    return {
        "not_ubl": lambda: env._(
            "This is not a UBL business document (its root element is %(root)s), so "
            "it is not a Peppol order.",
            **q,
        ),
        "other_ubl_document": lambda: (
            env._(
                "This document is a UBL %(root)s, not a purchase order. Invoices are "
                "handled in Accounting, not in "
                "Sales.",
                **q,
            )
            if p.get("invoice")
            else env._(
                "This document is a UBL %(root)s, not a purchase order. Only orders, "
                "order changes and order "
                "cancellations are read here.",
                **q,
            )
        ),
        "no_customization": lambda: env._(
            "The %(root)s has no CustomizationID, so it does not say which "
            "specification it follows: it is not a Peppol BIS 3 document.",
            **q,
        ),
        "bis2": lambda: env._(
            "This %(root)s follows the old Peppol BIS 2 (%(customization)s), which is "
            "no longer "
            "in use: ask the customer to send Peppol BIS 3 (%(bis3)s).",
            **q,
        ),
    }


def _reader_profile_texts(env, p):
    """Texts of the UBL reader (psb/ubl/reader.py): a transaction, specification or
    profile it does not read."""
    k = {"kind": _kind(env, p.get("kind")), "expected": _kind(env, p.get("expected"))}
    q = {**p, **k}
    return {
        "other_transaction": lambda: env._(
            "This %(root)s declares the Peppol transaction %(customization)s, "
            "which is not a BIS 3 Order, Order Change or Order Cancellation.",
            **q,
        ),
        "other_specification": lambda: env._(
            "This %(root)s follows the specification %(customization)s, which is not "
            "Peppol BIS 3 Ordering (a "
            "national or private format); it cannot be read as a Peppol order.",
            **q,
        ),
        "root_mismatch": lambda: env._(
            "The document's root element %(root)s does not match its CustomizationID "
            "%(customization)s, which is for an %(kind)s (%(expected_root)s).",
            **q,
        ),
        "extended_profile": lambda: env._(
            "This %(kind)s follows an extended national profile (%(customization)s, "
            "e.g. EHF) that adds content to Peppol BIS 3; it is not read by this "
            "module.",
            **q,
        ),
        "no_profile": lambda: env._(
            "The %(kind)s has no ProfileID (expected one of: %(allowed)s).", **q
        ),
        "profile_not_allowed": lambda: env._(
            "The %(kind)s has ProfileID %(profile)s, which Peppol does not allow for "
            "it (allowed: %(allowed)s).",
            **q,
        ),
        "unexpected_kind": lambda: env._(
            "Expected an %(expected)s, but this document is an %(kind)s.", **q
        ),
    }


def _reader_content_texts(env, p):
    """Texts of the UBL reader (psb/ubl/reader.py): what an order's content lacks or
    gets wrong."""
    return {
        **_reader_order_texts(env, p),
        **_reader_line_texts(env, p),
    }


def _reader_order_texts(env, p):
    """Texts of the UBL reader (psb/ubl/reader.py): what an order's header lacks or
    gets wrong."""
    q = {**p, "kind": _kind(env, p.get("kind"))}
    return {
        "no_id": lambda: env._("The %(kind)s has no number (ID).", **q),
        "no_buyer": lambda: env._(
            "The %(kind)s %(id)s does not say who the buyer is (BuyerCustomerParty).",
            **q,
        ),
        "no_order_reference": lambda: env._(
            "The %(kind)s %(id)s does not say which order it refers to "
            "(OrderReference/ID).",
            **q,
        ),
        "no_lines": lambda: env._("The %(kind)s %(id)s has no order line.", **q),
        "duplicate_line": lambda: env._(
            "The %(kind)s %(id)s has two lines numbered %(line)s; line numbers must "
            "be unique.",
            **q,
        ),
        "bad_value": lambda: env._(
            "%(where)s has the value %(value)s, which %(expected)s.",
            where=p.get("where"),
            value=p.get("value"),
            expected=_value_problem(env, p.get("expected")),
        ),
    }


def _reader_line_texts(env, p):
    """Texts of the UBL reader (psb/ubl/reader.py): what an order's lines and
    attachments lack or get wrong."""
    q = {**p, "kind": _kind(env, p.get("kind"))}
    return {
        "line_no_id": lambda: env._(
            "Order line %(position)s has no line number (LineItem/ID).", **q
        ),
        "in_line": lambda: env._(
            "Line %(line)s: %(error)s",
            line=p.get("line"),
            error=_text(
                env,
                p.get("inner_code"),
                p.get("inner_params") or {},
                p.get("inner_message") or "",
            ),
        ),
        "no_quantity": lambda: env._(
            "the ordered quantity (LineItem/Quantity) is missing."
        ),
        "no_unit": lambda: env._("the quantity has no unit (unitCode)."),
        "no_line_status": lambda: env._(
            "the line status (LineStatusCode) is missing (expected: %(allowed)s).", **q
        ),
        "line_status_not_allowed": lambda: env._(
            "the line status %(status)s cannot be used in an Order Change (allowed: "
            "%(allowed)s).",
            **q,
        ),
        "no_charge_indicator": lambda: env._(
            "An AllowanceCharge has no ChargeIndicator, so it is unclear whether it "
            "is a discount or a charge."
        ),
        "attachment_too_large": lambda: env._(
            "The attached document %(name)s is larger than %(mib)s MiB.", **q
        ),
        "attachment_not_base64": lambda: env._(
            "The attached document %(name)s is not valid base64.", **q
        ),
    }


def _said(env, p):
    """What the PSB itself said (its own words, untranslated) and its request id."""
    said = env._(" The PSB said: %s", p["psb_message"]) if p.get("psb_message") else ""
    if p.get("request_id"):
        said += env._(" (PSB request id %s)", p["request_id"])
    return said


def _setting_label(env, label):
    """The name of a connection setting the client says is missing (psb/client.py
    ``PsbClient``)."""
    return {
        "API URL": env._("API URL"),
        "identity URL": env._("Identity URL"),
        "client id": env._("Client ID"),
        "client secret": env._("Client Secret"),
    }.get(label, label)


def _client_setup_texts(env, p):
    """Texts of the PSB client (psb/client.py): its settings and the identity server."""
    return {
        **_client_settings_texts(env, p),
        **_client_identity_texts(env, p),
    }


def _client_settings_texts(env, p):
    """Texts of the PSB client (psb/client.py): its settings."""
    q = {**p, "said": _said(env, p)}
    return {
        "not_configured": lambda: env._(
            "The PSB connection is not configured: %(missing)s missing.",
            missing=", ".join(
                _setting_label(env, label) for label in p.get("missing") or []
            ),
        ),
        "half_login": lambda: env._(
            "Give both the PSB user name and password (password grant), or neither "
            "(client credentials grant)."
        ),
        "bad_url": lambda: env._(
            "The PSB %(label)s %(url)r is not a web address (https://...).", **q
        ),
        "empty_id": lambda: env._("An empty id cannot be sent to the PSB."),
    }


def _client_identity_texts(env, p):
    """Texts of the PSB client (psb/client.py): the identity server."""
    q = {**p, "said": _said(env, p)}
    return {
        "identity_unreachable": lambda: env._(
            "The PSB identity server %(url)s could not be reached (%(reason)s). It "
            "will be tried again later; if "
            "this persists, check the identity URL and the network.",
            **q,
        ),
        "identity_unavailable": lambda: env._(
            "The PSB identity server is unavailable (%(status)s); it will be tried "
            "again later.",
            **q,
        ),
        "identity_refused": lambda: (
            env._(
                "The PSB identity server refused the credentials (%(detail)s). Check "
                "the client id, client secret, "
                "user name and password in the PSB settings, and that they belong to "
                "this environment (acceptance "
                "and production have separate credentials).",
                **q,
            )
            if p.get("password")
            else env._(
                "The PSB identity server refused the credentials (%(detail)s). Check "
                "the client id and client secret "
                "in the PSB settings, and that they belong to this environment "
                "(acceptance and production have "
                "separate credentials).",
                **q,
            )
        ),
        "identity_bad_answer": lambda: env._(
            "The PSB identity server answered %(status)s to %(url)s; check the "
            "identity URL.",
            **q,
        ),
        "identity_no_token": lambda: env._(
            "%(url)s gave no usable access token; check the identity URL.", **q
        ),
    }


def _client_http_texts(env, p):
    """Texts of the PSB client (psb/client.py): what the PSB answered to a request."""
    return {
        **_client_transport_texts(env, p),
        **_client_document_texts(env, p),
    }


def _client_transport_texts(env, p):
    """Texts of the PSB client (psb/client.py): a request that did not get through."""
    q = {**p, "said": _said(env, p)}
    return {
        "timeout": lambda: env._(
            "The PSB did not answer in time (%(reason)s); it will be tried again "
            "later.",
            **q,
        ),
        "unreachable": lambda: env._(
            "The PSB could not be reached (%(reason)s); it will be tried again later. "
            "If "
            "this persists, check the API URL and the network.",
            **q,
        ),
        "rate_limited": lambda: env._(
            "The PSB is rate limiting requests (%(status)s); it will be tried again "
            "later.%(said)s",
            **q,
        ),
        "server_error": lambda: env._(
            "The PSB had a server error (%(status)s); it will be tried again "
            "later.%(said)s",
            **q,
        ),
        "redirected": lambda: env._(
            "The PSB redirected the request to %(location)s (%(status)s); redirects "
            "are "
            "not followed. Check the API URL in the PSB settings.%(said)s",
            **q,
        ),
        "token_refused": lambda: env._(
            "The PSB did not accept the access token (401). Check the client id, "
            "client "
            "secret, user name and password in the PSB settings.%(said)s",
            **q,
        ),
        "access_refused": lambda: env._(
            "The PSB refused access (403). Check that these credentials may use this "
            "party id (eConnect grants parties to users and applications).%(said)s",
            **q,
        ),
    }


def _client_document_texts(env, p):
    """Texts of the PSB client (psb/client.py): a document the PSB refused, lost or
    sent back broken."""
    q = {**p, "said": _said(env, p)}
    return {
        "not_found": lambda: env._("The PSB found nothing (404).%(said)s", **q),
        "document_gone": lambda: env._(
            "The PSB does not know document %(document_id)s for party %(party_id)s "
            "(it may have been deleted: the "
            "PSB keeps documents 90 days, 7 days after the first download).%(said)s",
            **q,
        ),
        "duplicate": lambda: env._(
            "The PSB had already processed this (409, duplicate).%(said)s", **q
        ),
        "content_too_large": lambda: env._(
            "The PSB refused the content as too large (413).%(said)s", **q
        ),
        "refused": lambda: env._(
            "The PSB refused the request (%(status)s).%(said)s", **q
        ),
        "not_json": lambda: env._(
            "The PSB answered with %(content_type)s instead of JSON; check the API "
            "URL in the PSB settings.",
            **q,
        ),
        "download_too_large": lambda: env._(
            "Document %(document_id)s is larger than %(limit)s bytes and was not "
            "downloaded; raise the download "
            "limit if it is genuine.",
            **q,
        ),
        "download_broken": lambda: env._(
            "The download of document %(document_id)s broke off (%(reason)s); it will "
            "be tried again later.",
            **q,
        ),
    }


def _client_check_texts(env, p):
    """Texts of the PSB client (psb/client.py): the party id and the connection
    check."""
    return {
        "bad_party_id": lambda: env._(
            "%(value)s is not a PSB party id: give it as the Peppol form "
            "0106:12345678 (a four-digit scheme such as "
            "0106 for a KvK number or 0088 for a GLN, a colon, the number) or as the "
            "PSB's form NL:KVK:12345678 "
            "(country, register, number), exactly as eConnect registered the company.",
            value=p.get("value") or env._("(empty)"),
        ),
        "connection_ok_parties": lambda: env._(
            "The PSB accepted the credentials; they may use %(allowed)s.",
            allowed=", ".join(p.get("allowed") or []),
        ),
        "connection_ok_party": lambda: env._(
            "The PSB accepted the credentials, which may use party %(party_id)s.", **p
        ),
        "connection_ok": lambda: env._("The PSB accepted the credentials."),
        "connection_ok_hooks": lambda: env._(
            "The PSB accepted the credentials and gives access to party %(party_id)s.",
            **p,
        ),
        "party_not_allowed": lambda: env._(
            "The PSB accepted the credentials, but they may not use party "
            "%(party_id)s; they may use %(allowed)s. "
            "Correct the party id, or ask eConnect for access to it.",
            party_id=p.get("party_id"),
            allowed=", ".join(p.get("allowed") or []),
        ),
    }


def _answer_words(env):
    """The words of an answer's rules (psb/ubl/response.py): answers, line statuses,
    values, dates."""
    return {
        "AB": env._("acknowledged"),
        "AP": env._("accepted"),
        "CA": env._("accepted with changes"),
        "RE": env._("rejected"),
        "1": env._("added"),
        "3": env._("changed"),
        "5": env._("accepted"),
        "7": env._("rejected"),
        "42": env._("already delivered"),
        "quantity": env._("quantity"),
        "backorder quantity": env._("backorder quantity"),
        "price": env._("price"),
        "price base quantity": env._("price base quantity"),
        "delivery period": env._("delivery period"),
        "substitute": env._("substitute"),
        "start": env._("the start of the promised delivery"),
        "end": env._("the end of the promised delivery"),
    }


def _answer_line(env, p):
    """How an error names the response line it is on."""
    return env._(
        "Response line %(line_id)s (order line %(order_line_id)s)",
        line_id=p.get("line_id"),
        order_line_id=p.get("order_line_id"),
    )


def _line_date_text(env, p, words):
    return env._(
        "%(where)s: %(date)s %(value)s is not a date.",
        where=_answer_line(env, p),
        date=words.get(p["date"], p["date"]),
        value=p["value"],
    )


def _answer_line_texts(env, p):
    """Texts of the rules on one line of an answer, each named "Response line 2 (order
    line 5)"."""
    return {
        **_answer_line_status_texts(env, p),
        **_answer_line_figure_texts(env, p),
    }


def _answer_line_status_texts(env, p):
    """Texts of the rules on one answer line's status, item name and unit."""
    words = _answer_words(env)
    where = _answer_line(env, p)
    q = {**p, "where": where}
    return {
        "answer_line_bad_status": lambda: env._(
            "%(where)s: status %(status)s is not one of 1 (added), 3 (changed), 5 "
            "(accepted), 7 (rejected), "
            "42 (already delivered).",
            **q,
        ),
        "answer_line_no_item_name": lambda: env._(
            "%(where)s needs the item's name.", **q
        ),
        "answer_line_status_without_values": lambda: env._(
            "%(where)s is %(status)s and cannot carry a new %(changes)s; mark it "
            "changed (3) or add a line (1).",
            where=where,
            status=words.get(p["status"], p["status"]),
            changes=", ".join(words.get(name, name) for name in p["changes"]),
        ),
        "answer_line_changes_nothing": lambda: env._(
            "%(where)s is marked changed but changes nothing and says nothing; give "
            "the new quantity, price, "
            "delivery date or substitute, or a note.",
            **q,
        ),
        "answer_line_added_no_quantity": lambda: env._(
            "%(where)s is an added line: it needs the quantity.", **q
        ),
        "answer_line_no_unit": lambda: env._(
            "%(where)s: a quantity needs its unit code (UN/ECE rec. 20, such as C62).",
            **q,
        ),
    }


def _answer_line_figure_texts(env, p):
    """Texts of the rules on one answer line's quantities, prices and substitute."""
    where = _answer_line(env, p)
    q = {**p, "where": where}
    return {
        "answer_line_negative_quantity": lambda: env._(
            "%(where)s: the quantity cannot be negative (%(value)s).", **q
        ),
        "answer_line_negative_backorder": lambda: env._(
            "%(where)s: the backorder quantity cannot be negative (%(value)s).", **q
        ),
        "answer_line_negative_price": lambda: env._(
            "%(where)s: the price cannot be negative (%(value)s).", **q
        ),
        "answer_line_base_without_price": lambda: env._(
            "%(where)s: a price base quantity comes with the price.", **q
        ),
        "answer_line_base_not_positive": lambda: env._(
            "%(where)s: the price base quantity must be more than zero.", **q
        ),
        "answer_substitute_buyers_id": lambda: env._(
            "%(where)s: the substitute item is the seller's, it has no buyer's item "
            "id.",
            **q,
        ),
        "answer_substitute_no_id": lambda: env._(
            "%(where)s: the substitute item needs a name or an item id.", **q
        ),
        "answer_substitute_line_without_item": lambda: env._(
            "%(where)s has a substitute line id but no substitute item.", **q
        ),
        "answer_item_no_scheme": lambda: env._(
            "%(where)s: the standard item id %(item_id)s needs its scheme (0160 for a "
            "GTIN).",
            **q,
        ),
    }


def _answer_header_texts(env, p):
    """Texts of the rules an Order Response must follow (psb/ubl/response.py
    ``ResponseError``)."""
    return {
        **_answer_document_texts(env, p),
        **_answer_party_texts(env, p),
    }


def _answer_document_texts(env, p):
    """Texts of the rules on an Order Response's profile, code, ids, currency and
    dates."""
    return {
        "answer_order_only": lambda: env._(
            "An order of profile Order Only gets no Order Response (Peppol BIS Order "
            "Only 3)."
        ),
        "answer_unknown_profile": lambda: env._(
            "Unknown Peppol profile %(profile)s: only Ordering and Advanced Ordering "
            "orders are answered with an "
            "Order Response.",
            **p,
        ),
        "answer_bad_code": lambda: env._(
            "Order Response code %(code)s is not one of AB, AP, CA, RE.", **p
        ),
        "answer_no_id": lambda: env._("The answer needs its own id."),
        "answer_no_order_id": lambda: env._("The answer needs the order's id."),
        "answer_no_currency": lambda: env._("The answer needs the currency."),
        "answer_bad_currency": lambda: env._(
            "Currency %(currency)s is not an ISO 4217 code such as EUR.", **p
        ),
        "answer_no_issue_date": lambda: env._("The answer needs the issue date."),
        "answer_bad_time": lambda: env._(
            "The issue time %(value)s is not a time.", **p
        ),
    }


def _answer_party_texts(env, p):
    """Texts of the rules on an Order Response's parties and the lines it must have."""
    words = _answer_words(env)
    seller = p.get("role") == "seller"
    return {
        "answer_no_endpoint": lambda: (
            env._("The answer needs the seller's Peppol id (endpoint).")
            if seller
            else env._("The answer needs the buyer's Peppol id (endpoint).")
        ),
        "answer_no_endpoint_scheme": lambda: (
            env._(
                "The seller's Peppol id %(endpoint)s has no scheme (such as 0106 in "
                "0106:12345678).",
                **p,
            )
            if seller
            else env._(
                "The buyer's Peppol id %(endpoint)s has no scheme (such as 0106 in "
                "0106:12345678).",
                **p,
            )
        ),
        "answer_no_party_name": lambda: (
            env._("The seller needs a registered name or a party identifier.")
            if seller
            else env._("The buyer needs a registered name or a party identifier.")
        ),
        "answer_change_not_advanced": lambda: env._(
            "Only an Advanced Ordering answer refers to an Order Change or "
            "Cancellation; this order is of profile "
            "Ordering."
        ),
        "answer_lines_not_ca": lambda: env._(
            "An %(code)s answer (%(label)s) carries no lines; to change or reject "
            "single lines, accept with "
            "changes (CA).",
            code=p["code"],
            label=words.get(p["code"], p["code"]),
        ),
        "answer_ca_without_lines": lambda: env._(
            "An acceptance with changes (CA) lists every order line with its status."
        ),
    }


def _answer_value_texts(env, p):
    """Texts of the rules an Order Response must follow (psb/ubl/response.py
    ``ResponseError``): ids, numbers, dates and the note."""
    return {
        **_answer_format_texts(env, p),
        **_answer_period_note_texts(env, p),
    }


def _answer_format_texts(env, p):
    """Texts of the rules on an Order Response's line ids, numbers and dates."""
    words = _answer_words(env)
    return {
        "answer_line_no_id": lambda: env._(
            "A response line for order line %(order_line_id)s has no id.", **p
        ),
        "answer_line_id_twice": lambda: env._(
            "Two response lines have the id %(line_id)s: each needs its own.", **p
        ),
        "answer_line_no_order_line": lambda: env._(
            "Response line %(line_id)s does not say which order line it answers.", **p
        ),
        "answer_not_a_number": lambda: env._("%(value)s is not a number.", **p),
        "answer_not_a_date": lambda: (
            _line_date_text(env, p, words)
            if p.get("line_id")
            else {
                "issue_date": lambda: env._(
                    "The issue date %(value)s is not a date.", **p
                ),
                "start": lambda: env._(
                    "The start of the promised delivery %(value)s is not a date.", **p
                ),
                "end": lambda: env._(
                    "The end of the promised delivery %(value)s is not a date.", **p
                ),
            }[p["date"]]()
        ),
    }


def _answer_period_note_texts(env, p):
    """Texts of the rules on an Order Response's periods and notes."""
    return {
        "answer_period_reversed": lambda: (
            env._(
                "%(where)s: the end of the promised delivery (%(end)s) is before its "
                "start (%(start)s).",
                where=_answer_line(env, p),
                end=p["end"],
                start=p["start"],
            )
            if p.get("line_id")
            else env._(
                "The end of the promised delivery (%(end)s) is before its start "
                "(%(start)s).",
                **p,
            )
        ),
        "answer_note_lines_left_out": lambda: env._(
            "The PSB's JSON note holds %(limit)s characters, even with the changed "
            "lines listed compactly: the "
            "answers for lines %(lines)s (%(count)s lines) would not reach the buyer. "
            "Switch on Send Order "
            "Responses as UBL (Settings > Sales > eConnect PSB) to send every line, "
            "or change fewer lines.",
            **p,
        ),
        "answer_note_too_long": lambda: env._(
            "The PSB's JSON note holds %(limit)s characters: this note is %(excess)s "
            "characters too long and would "
            "not reach the buyer whole. Shorten it, or switch on Send Order Responses "
            "as UBL (Settings > Sales > "
            "eConnect PSB).",
            **p,
        ),
    }


def _reader_texts(env, p):
    """Texts of the UBL reader (psb/ubl/reader.py): unsupported and invalid
    documents."""
    return {**_reader_kind_texts(env, p), **_reader_content_texts(env, p)}


def _client_texts(env, p):
    """Texts of the PSB client (psb/client.py)."""
    return {
        **_client_setup_texts(env, p),
        **_client_http_texts(env, p),
        **_client_check_texts(env, p),
    }


def _answer_texts(env, p):
    """Texts of the rules an Order Response must follow (psb/ubl/response.py
    ``ResponseError``)."""
    return {
        **_answer_line_texts(env, p),
        **_answer_header_texts(env, p),
        **_answer_value_texts(env, p),
    }


def _text(env, code, params, message):
    for texts in (
        _xml_texts,
        _reader_texts,
        _client_texts,
        _answer_texts,
    ):  # the codes are unique across psb/
        text = texts(env, params).get(code) if code else None
        if text:
            try:
                return text()
            except (
                KeyError,
                TypeError,
                ValueError,
            ):  # params that do not fit the text: say it in English
                return message
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
