"""Parsing of untrusted XML: no DTD, no entities, no network, no XInclude, bounded size.

A Peppol document never declares a DTD, so any DOCTYPE is refused outright: before
parsing (a scan of the prolog, so an entity bomb is never handed to the parser) and
again after parsing (libxml2's own view of the document). The parser itself is
configured so that even a document slipping past the scan can neither expand entities
nor load anything from disk or network. Our own limits (nesting depth, length of a text
or attribute) are checked whatever libxml2 version lxml brings, and errors are described
in our words rather than libxml2's, whose wording changes between versions.

An SBDH envelope (``StandardBusinessDocument``) is unwrapped: the business document
inside is returned, with what the header says about it.
"""

import re

from lxml import etree

from .ubl.model import Envelope, MalformedXmlError, XmlSecurityError

MAX_BYTES = 20 * 1024 * 1024
SBDH_NS = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"
XINCLUDE_NS = "http://www.w3.org/2001/XInclude"

_DTD_REFUSED = (
    "The document declares a DTD/entities, which Peppol documents never do; it was "
    "refused for safety."
)

# Whitespace, the XML declaration, processing instructions and comments may precede a
# DOCTYPE.
_PROLOG = re.compile(rb"(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.DOTALL)
_UTF8_BOM = b"\xef\xbb\xbf"
# Byte signatures of the UTF-16/32 encodings (with or without a BOM), see XML 1.0
# appendix F.
_WIDE_ENCODINGS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\x00<", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
)
# Our own safety limits, the same whatever libxml2 version lxml brings (libxml2 enforces
# about the same ones, but where exactly, and with which error, changes between
# versions: 2.10 lets a huge text node through, 2.14 refuses one level of nesting less
# than 2.12).
MAX_DEPTH = 256
MAX_TEXT = 10_000_000
# Characters XML 1.0 does not allow, even as character references.
_FORBIDDEN_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_DECLARED_ENCODING = re.compile(
    rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']"""
)
# A text node or an attribute value: a run of bytes without markup delimiters.
_MARKUP = re.compile(rb"[<>\"']")
_DEEPER = etree.XPath("boolean(/" + "*/" * MAX_DEPTH + "*)")
_TOO_LONG = etree.XPath(
    f"boolean(//text()[string-length() > {MAX_TEXT}] | //@*[string-length() > "
    f"{MAX_TEXT}])"
)

_ERRORS = etree.ErrorTypes
# What a libxml2 error code means, in our words (the codes are stable across versions,
# the texts not).
_SYNTAX_ERRORS = {
    _ERRORS.ERR_DOCUMENT_EMPTY: "no XML element found; is it an XML file at all?",
    _ERRORS.ERR_DOCUMENT_END: "there is content after the end of the root element",
    _ERRORS.ERR_TAG_NAME_MISMATCH: "an end tag does not match its start tag",
    _ERRORS.ERR_TAG_NOT_FINISHED: "the document ends before all its elements are "
    "closed",
    _ERRORS.ERR_UNDECLARED_ENTITY: (
        "an entity is used that XML does not define (only &lt; &gt; &amp; &quot; "
        "&apos; and character references are allowed)"
    ),
    _ERRORS.WAR_UNDECLARED_ENTITY: (
        "an entity is used that XML does not define (only &lt; &gt; &amp; &quot; "
        "&apos; and character references are allowed)"
    ),
    _ERRORS.ERR_ATTRIBUTE_REDEFINED: "an element has the same attribute twice",
    _ERRORS.NS_ERR_UNDEFINED_NAMESPACE: "a namespace prefix is used that is not "
    "declared",
}
_ENCODING_ERRORS = {_ERRORS.ERR_UNSUPPORTED_ENCODING, _ERRORS.ERR_UNKNOWN_ENCODING}
_POSITION_SUFFIX = re.compile(r", line \d+, column \d+$")


class _DepthLimit(Exception):
    """Raised by :class:`_DepthProbe` as soon as the document nests too deep."""


class _DepthProbe:
    """A parser target that only follows the nesting depth (lxml calls it while
    parsing)."""

    def __init__(self):
        self.depth = 0

    def start(self, tag, attrib, nsmap=None):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _DepthLimit()

    def end(self, tag):
        self.depth -= 1

    def close(self):
        return None


def _parser(target=None):
    """A fresh parser for each document (lxml parsers must not be shared between
    threads)."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
        target=target,
    )


def _prolog_declares_dtd(data: bytes) -> bool:
    """Whether a ``<!DOCTYPE`` follows the prolog, whatever Unicode encoding is used.

    Only the prolog is looked at, so the same characters inside a comment or a CDATA
    section of the body do not count.
    """
    for signature, encoding in _WIDE_ENCODINGS:
        if data.startswith(signature):
            data = (
                data.decode(encoding, errors="replace").lstrip("\ufeff").encode("utf-8")
            )
            break
    else:
        data = data.removeprefix(_UTF8_BOM)
    return data.startswith(b"<!DOCTYPE", _PROLOG.match(data).end())


def _limit_error(what: str) -> XmlSecurityError:
    limits = {
        "depth": f"elements nested more than {MAX_DEPTH} levels deep",
        "text": (
            f"a text or attribute value longer than {MAX_TEXT:,} characters; this "
            "also limits an "
            "embedded attachment to about 7 MB"
        ),
        "entities": "entity expansion",
    }
    return XmlSecurityError(
        f"The document exceeds a safety limit of the XML parser ({limits[what]}); it "
        "was refused for safety.",
        error_code=f"limit_{what}",
        params={"depth": MAX_DEPTH, "text": MAX_TEXT},
    )


def _limit_hit(data: bytes) -> str | None:
    """Which of our safety limits a document that libxml2 refused exceeds, if any
    (measured by us)."""
    if max(map(len, _MARKUP.split(data)), default=0) > MAX_TEXT:
        return "text"
    if data.count(b"<") > MAX_DEPTH:
        try:
            etree.fromstring(data, parser=_parser(target=_DepthProbe()))
        except _DepthLimit:
            return "depth"
        except etree.ParseError:  # pylint: disable=except-pass
            pass  # not deep: the caller reports the error itself
    return None


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _declared_encoding(data: bytes) -> str | None:
    match = _DECLARED_ENCODING.match(data.removeprefix(_UTF8_BOM))
    return match.group(1).decode("ascii") if match else None


def _encoding_problem(data: bytes) -> str | None:
    """An encoding error, or a character XML forbids, found by decoding the bytes
    ourselves."""
    encoding = _declared_encoding(data) or "utf-8"
    for signature, wide in _WIDE_ENCODINGS:
        if data.startswith(signature):
            encoding = wide
            break
    try:
        text = data.decode(encoding)
    except LookupError:  # unknown to Python: libxml2 says whether it knows it
        return None
    except UnicodeDecodeError as exc:
        return (
            f"line {_line_of(data, exc.start)}: a byte that is not valid "
            f"{encoding.upper()} (0x{data[exc.start]:02X}); "
            "is the encoding in the XML declaration the one the file is written in?"
        )
    forbidden = _FORBIDDEN_CHAR.search(text)
    if forbidden:
        return (
            f"line {text.count(chr(10), 0, forbidden.start()) + 1}: a character that "
            "XML does not allow "
            f"(U+{ord(forbidden.group()):04X})"
        )
    return None


def _syntax_error(
    exc: etree.ParseError, data: bytes
) -> MalformedXmlError | XmlSecurityError:
    """Say what is wrong in our own words: a safety limit, an encoding error, or a
    syntax error.

    libxml2's wording and codes change between versions; the limits and the encoding are
    checked by us, and only an error we have no words for shows libxml2's own text.
    """
    if exc.code == _ERRORS.ERR_ENTITY_LOOP:
        return _limit_error("entities")
    limit = _limit_hit(data)
    if limit:
        return _limit_error(limit)
    encoding = _encoding_problem(data)
    if encoding:
        return MalformedXmlError(
            f"The document is not well-formed XML ({encoding}).",
            error_code="bad_encoding",
            params={"detail": encoding},
        )
    line = f"line {exc.lineno}: " if exc.lineno else ""
    if exc.code in _ENCODING_ERRORS:
        detail = (
            f"the document declares the encoding {_declared_encoding(data) or '?'}, "
            "which is not supported"
        )
    else:
        detail = _SYNTAX_ERRORS.get(exc.code) or _POSITION_SUFFIX.sub(
            "", (exc.msg or "unknown error").strip()
        ).replace("\n", " ")
    return MalformedXmlError(
        f"The document is not well-formed XML ({line}{detail}).",
        error_code="not_well_formed",
        params={"line": exc.lineno, "detail": detail},
    )


def parse_envelope(
    data: bytes, max_bytes: int = MAX_BYTES
) -> tuple[etree._Element, Envelope | None]:
    """Parse ``data`` safely; return the business document element and its SBDH, if any.

    :raises MalformedXmlError: empty (``None`` included), larger than ``max_bytes``, or
        not well-formed.
    :raises TypeError: ``data`` is text rather than bytes (a programming error).
    :raises XmlSecurityError: a DTD, an entity or an XInclude is present, or a parser
        safety limit (entity amplification, nesting depth, huge text node) was hit.
    """
    if data is None or data is False:  # what Odoo gives for an empty attachment
        data = b""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(
            "parse_envelope() needs the raw bytes of the document, not "
            f"{type(data).__name__}"
        )
    data = bytes(data)
    if not data.strip():
        raise MalformedXmlError("The document is empty.", error_code="empty")
    if len(data) > max_bytes:
        raise MalformedXmlError(
            f"The document is {len(data) // 1024} KiB, more than the "
            f"{max_bytes // 1024} KiB accepted.",
            error_code="too_large",
            params={"kib": len(data) // 1024, "max_kib": max_bytes // 1024},
        )
    if _prolog_declares_dtd(data):
        raise XmlSecurityError(_DTD_REFUSED, error_code="dtd")
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.ParseError as exc:
        raise _syntax_error(exc, data) from None
    if _DEEPER(root):
        raise _limit_error("depth")
    if len(data) > MAX_TEXT and _TOO_LONG(
        root
    ):  # a shorter document cannot hold such a text
        raise _limit_error("text")
    docinfo = root.getroottree().docinfo
    if (
        docinfo.doctype
        or docinfo.internalDTD is not None
        or docinfo.externalDTD is not None
    ):
        raise XmlSecurityError(_DTD_REFUSED, error_code="dtd")
    if next(root.iter(etree.Entity), None) is not None:
        raise XmlSecurityError(_DTD_REFUSED, error_code="dtd")
    if next(root.iter(f"{{{XINCLUDE_NS}}}*"), None) is not None:
        raise XmlSecurityError(
            "The document uses XInclude, which Peppol documents never do; it was "
            "refused for safety.",
            error_code="xinclude",
        )
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
            f"The Standard Business Document envelope holds {len(payload)} documents "
            "instead of one.",
            error_code="sbdh_payload",
            params={"count": len(payload)},
        )
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
        scopes.setdefault(
            _sbdh_text(scope, "sh:Type"), _sbdh_text(scope, "sh:InstanceIdentifier")
        )
    return Envelope(
        sender=_sbdh_text(header, "sh:Sender/sh:Identifier"),
        receiver=_sbdh_text(header, "sh:Receiver/sh:Identifier"),
        document_type_id=scopes.get("DOCUMENTID"),
        process_id=scopes.get("PROCESSID"),
        instance_id=_sbdh_text(
            header, "sh:DocumentIdentification/sh:InstanceIdentifier"
        ),
        created=_sbdh_text(header, "sh:DocumentIdentification/sh:CreationDateAndTime"),
    )
