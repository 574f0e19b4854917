"""Every error raised in psb/ carries a stable ``error_code`` (and ``params``), from
which Odoo writes the message in the reader's language; ``message``/``str()`` stay the
English text."""

import ast
import importlib.util
import inspect
from pathlib import Path

import pytest

from psb import client, exceptions, xmlsafe
from psb.ubl import model, response
from psb.ubl.reader import read_document
from psb.xmlsafe import parse_xml

PSB = Path(__file__).resolve().parent.parent
ERRORS = {
    name
    for module in (exceptions, model, response)
    for name, cls in inspect.getmembers(module, inspect.isclass)
    if issubclass(cls, (exceptions.PsbError, model.UblError, response.ResponseError))
}
# psb/ubl/response.py builds the errors of one answer line with this helper: (line,
# message, error_code, ...).
LINE_ERROR = "_line_error"


def _error_calls():
    for path in sorted(PSB.rglob("*.py")):
        if "tests" in path.relative_to(PSB).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ERRORS
            ):
                yield path.relative_to(PSB), node


def _line_error_codes():
    source = (PSB / "ubl" / "response.py").read_text()
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == LINE_ERROR
        ):
            yield node.args[2]


def test_every_psb_error_is_built_with_a_code():
    calls = list(_error_calls())
    assert (
        len(calls) >= 75
    )  # client, XML guard, reader, answers: if this drops, the scan broke
    missing = [
        f"{path}:{node.lineno} {node.func.id}"
        for path, node in calls
        if not any(kw.arg == "error_code" for kw in node.keywords)
    ]
    assert not missing, f"errors raised without error_code: {missing}"


def test_codes_are_unique_per_message():
    """One code names one message: two different raise sites may share a code only with
    the same text."""
    seen = {}
    for _path, node in _error_calls():
        code = next(kw.value for kw in node.keywords if kw.arg == "error_code")
        if isinstance(code, ast.Constant):
            text = ast.unparse(node.args[0]) if node.args else ""
            seen.setdefault(code.value, set()).add(text)
    doubled = {code: texts for code, texts in seen.items() if len(texts) > 1}
    assert not doubled


@pytest.mark.parametrize(
    ("data", "error_code", "params"),
    [
        (b"", "empty", {}),
        (b"<a><b></a>", "not_well_formed", {"line": 1}),
        (b'<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', "dtd", {}),
    ],
)
def test_xml_errors_carry_code_and_params(data, error_code, params):
    with pytest.raises(model.UblError) as err:
        parse_xml(data)
    assert err.value.error_code == error_code
    assert params.items() <= err.value.params.items()
    assert str(err.value) == err.value.message and err.value.message.startswith(
        "The document"
    )


def test_reader_error_carries_code_and_params():
    xml = (
        b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2" '
        b'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:'
        b'CommonBasicComponents-2">'
        b"<cbc:CustomizationID>urn:example:private</cbc:CustomizationID></Order>"
    )
    with pytest.raises(model.UnsupportedDocumentError) as err:
        read_document(xml)
    assert err.value.error_code == "other_specification"
    assert err.value.params == {"root": "Order", "customization": "urn:example:private"}
    assert "is not Peppol BIS 3 Ordering" in str(err.value)


def _raised_codes():
    codes = {
        "document_gone",
        "limit_depth",
        "limit_text",
        "limit_entities",
    }  # passed indirectly
    for _path, node in _error_calls():
        value = next(kw.value for kw in node.keywords if kw.arg == "error_code")
        for part in (
            (value.body, value.orelse) if isinstance(value, ast.IfExp) else (value,)
        ):
            if isinstance(part, ast.Constant):
                codes.add(part.value)
    for value in _line_error_codes():
        codes.add(value.value if isinstance(value, ast.Constant) else None)
    codes |= {
        "answer_line_negative_quantity",
        "answer_line_negative_backorder",
        "answer_line_negative_price",
    }
    codes.discard(None)  # the three above, passed through a loop
    return codes


def _psb_messages():
    """models/psb_messages.py, loaded as a plain module (it needs no Odoo to be
    imported)."""
    spec = importlib.util.spec_from_file_location(
        "psb_messages", PSB.parent / "models" / "psb_messages.py"
    )
    messages = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(messages)
    return messages


def test_every_code_has_a_translatable_text():
    """models/psb_messages.py (Odoo side, loaded here without Odoo) has a text for every
    code raised."""
    messages = _psb_messages()

    class Env:
        @staticmethod
        def _(source, *args, **kwargs):
            return source % (args or kwargs) if (args or kwargs) else source

    known = set()
    for texts in (
        messages._XML_TEXTS,
        messages._READER_TEXTS,
        messages._CLIENT_TEXTS,
        messages._ANSWER_TEXTS,
    ):
        known |= texts.keys()
    assert not _raised_codes() - known
    error = model.MalformedXmlError(
        "The document is not well-formed XML (line 3: x).",
        error_code="not_well_formed",
        params={"line": 3, "detail": "x"},
    )
    assert (
        messages.psb_error_text(Env, error)
        == "The document is not well-formed XML (line 3: x)."
    )
    unknown = exceptions.PsbError("Something new.", error_code="new_code")
    assert messages.psb_error_text(Env, unknown) == "Something new."
    # Test connection's answers (psb/client.py ConnectionCheck) go through the same
    # texts.
    assert {
        "connection_ok",
        "connection_ok_party",
        "connection_ok_parties",
        "connection_ok_hooks",
    } <= known
    check = client.ConnectionCheck(
        "English.", "connection_ok_parties", {"allowed": ["0106:1", "0106:2"]}
    )
    assert (
        messages.psb_result_text(Env, check)
        == "The PSB accepted the credentials; they may use 0106:1, 0106:2."
    )


def test_known_wordings_are_the_ones_psb_uses():
    """The Odoo side translates the XML guard's and the reader's fixed wordings, found
    by their English text: each one psb uses must be found (an env that marks what it
    translated tells)."""
    messages = _psb_messages()

    class MarkingEnv:
        @staticmethod
        def _(source, *args, **kwargs):
            return "T:" + (source % (args or kwargs) if (args or kwargs) else source)

    for detail in xmlsafe._SYNTAX_ERRORS.values():
        assert messages._word(MarkingEnv, "xml_detail", detail) == "T:" + detail
    reader_source = (PSB / "ubl" / "reader.py").read_text()
    for expected in (
        "is not a number (digits with an optional decimal point, such as 12.50)",
        "is not a date (YYYY-MM-DD)",
        "is not a time (hh:mm:ss)",
        "is not a whole number of at most 9 digits",
        "is too large",
    ):
        assert f'"{expected}"' in reader_source
        assert messages._word(MarkingEnv, "value_problem", expected) == "T:" + expected
