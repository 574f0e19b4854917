"""Parsing of untrusted XML: no DTD, no entities, no network, no XInclude, bounded size.

A Peppol document never declares a DTD, so any DOCTYPE is refused outright: before parsing
(a scan of the prolog, so an entity bomb is never handed to the parser) and again after
parsing (libxml2's own view of the document). The parser itself is configured so that even a
document slipping past the scan can neither expand entities nor load anything from disk or
network; libxml2's limits (entity amplification, nesting depth, 10 MB per text node) apply.

An SBDH envelope (``StandardBusinessDocument``) is unwrapped: the business document inside
is returned, with what the header says about it.
"""
import re

from lxml import etree

from .ubl.model import Envelope, MalformedXmlError, XmlSecurityError

MAX_BYTES = 20 * 1024 * 1024
SBDH_NS = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"
XINCLUDE_NS = "http://www.w3.org/2001/XInclude"

_DTD_REFUSED = ("The document declares a DTD/entities, which Peppol documents never do; "
                "it was refused for safety.")

# Whitespace, the XML declaration, processing instructions and comments may precede a DOCTYPE.
_PROLOG = re.compile(rb"(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.DOTALL)
_UTF8_BOM = b"\xef\xbb\xbf"
# Byte signatures of the UTF-16/32 encodings (with or without a BOM), see XML 1.0 appendix F.
_WIDE_ENCODINGS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"), (b"<\x00\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"),
    (b"\x00<", "utf-16-be"), (b"<\x00", "utf-16-le"),
)
# libxml2 errors that mean "a safety limit was hit" rather than "a typing mistake".
_LIMIT_ERRORS = {
    etree.ErrorTypes.ERR_ENTITY_LOOP,       # entity amplification ("billion laughs")
    etree.ErrorTypes.ERR_INTERNAL_ERROR,    # excessive nesting depth
    etree.ErrorTypes.ERR_NO_MEMORY,         # a text node or attribute above 10 MB
}
_POSITION_SUFFIX = re.compile(r", line \d+, column \d+$")


def _parser():
    """A fresh parser for each document (lxml parsers must not be shared between threads)."""
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=False, remove_comments=True, remove_pis=True, collect_ids=False,
    )


def _prolog_declares_dtd(data: bytes) -> bool:
    """Whether a ``<!DOCTYPE`` follows the prolog, whatever Unicode encoding is used.

    Only the prolog is looked at, so the same characters inside a comment or a CDATA section
    of the body do not count.
    """
    for signature, encoding in _WIDE_ENCODINGS:
        if data.startswith(signature):
            data = data.decode(encoding, errors="replace").lstrip("\ufeff").encode("utf-8")
            break
    else:
        data = data.removeprefix(_UTF8_BOM)
    return data.startswith(b"<!DOCTYPE", _PROLOG.match(data).end())


def _syntax_error(exc: etree.ParseError) -> MalformedXmlError | XmlSecurityError:
    """Turn libxml2's error into a message a person can act on."""
    detail = _POSITION_SUFFIX.sub("", (exc.msg or "unknown error").strip()).replace("\n", " ")
    line = f"line {exc.lineno}: " if exc.lineno else ""
    if exc.code in _LIMIT_ERRORS:
        hint = ("; no element may hold more than 10 million characters, which also limits an embedded "
                "attachment to about 7 MB" if exc.code == etree.ErrorTypes.ERR_NO_MEMORY else "")
        return XmlSecurityError(
            f"The document exceeds the safety limits of the XML parser ({line}{detail}{hint}); "
            "it was refused for safety.")
    return MalformedXmlError(f"The document is not well-formed XML ({line}{detail}).")


def parse_envelope(data: bytes, max_bytes: int = MAX_BYTES) -> tuple[etree._Element, Envelope | None]:
    """Parse ``data`` safely; return the business document element and its SBDH, if any.

    :raises MalformedXmlError: empty (``None`` included), larger than ``max_bytes``, or not well-formed.
    :raises TypeError: ``data`` is text rather than bytes (a programming error).
    :raises XmlSecurityError: a DTD, an entity or an XInclude is present, or a parser safety
        limit (entity amplification, nesting depth, huge text node) was hit.
    """
    if data is None or data is False:   # what Odoo gives for an empty attachment
        data = b""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"parse_envelope() needs the raw bytes of the document, not {type(data).__name__}")
    data = bytes(data)
    if not data.strip():
        raise MalformedXmlError("The document is empty.")
    if len(data) > max_bytes:
        raise MalformedXmlError(
            f"The document is {len(data) // 1024} KiB, more than the {max_bytes // 1024} KiB accepted.")
    if _prolog_declares_dtd(data):
        raise XmlSecurityError(_DTD_REFUSED)
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.ParseError as exc:
        raise _syntax_error(exc) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise XmlSecurityError(_DTD_REFUSED)
    if next(root.iter(etree.Entity), None) is not None:
        raise XmlSecurityError(_DTD_REFUSED)
    if next(root.iter(f"{{{XINCLUDE_NS}}}*"), None) is not None:
        raise XmlSecurityError("The document uses XInclude, which Peppol documents never do; "
                               "it was refused for safety.")
    return unwrap_sbdh(root)


def parse_xml(data: bytes, max_bytes: int = MAX_BYTES) -> etree._Element:
    """Parse ``data`` safely and return the business document element (SBDH unwrapped).

    Same checks and errors as :func:`parse_envelope`.
    """
    return parse_envelope(data, max_bytes)[0]


def unwrap_sbdh(root: etree._Element) -> tuple[etree._Element, Envelope | None]:
    """The business document inside a Standard Business Document, and its header.

    A root that is not an SBD is returned as it is, with ``None``.

    :raises MalformedXmlError: the envelope does not hold exactly one document.
    """
    if root.tag != f"{{{SBDH_NS}}}StandardBusinessDocument":
        return root, None
    header_tag = f"{{{SBDH_NS}}}StandardBusinessDocumentHeader"
    header = root.find(header_tag)
    payload = [child for child in root if child.tag != header_tag]
    if len(payload) != 1:
        raise MalformedXmlError(
            f"The Standard Business Document envelope holds {len(payload)} documents instead of one.")
    return payload[0], _envelope(header)


_SBDH = {"sh": SBDH_NS}


def _sbdh_text(node: etree._Element, path: str) -> str | None:
    return (node.findtext(path, namespaces=_SBDH) or "").strip() or None


def _envelope(header: etree._Element | None) -> Envelope | None:
    """What the SBDH says about the document it carries (``None`` without a header)."""
    if header is None:
        return None
    scopes = {}
    for scope in header.iterfind("sh:BusinessScope/sh:Scope", _SBDH):
        scopes.setdefault(_sbdh_text(scope, "sh:Type"), _sbdh_text(scope, "sh:InstanceIdentifier"))
    return Envelope(
        sender=_sbdh_text(header, "sh:Sender/sh:Identifier"),
        receiver=_sbdh_text(header, "sh:Receiver/sh:Identifier"),
        document_type_id=scopes.get("DOCUMENTID"),
        process_id=scopes.get("PROCESSID"),
        instance_id=_sbdh_text(header, "sh:DocumentIdentification/sh:InstanceIdentifier"),
        created=_sbdh_text(header, "sh:DocumentIdentification/sh:CreationDateAndTime"),
    )
