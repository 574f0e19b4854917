"""Safe parsing of hostile XML: refused with the right error, quickly, with nothing
read.

"Nothing read" is checked with tripwires rather than assumed: the external entities
point at a named pipe whose opening by any reader is detected, at a file holding a
secret marker, and at a loopback TCP port that records every connection.
"""

import os
import socket
import threading
import time
from pathlib import Path

import pytest
from lxml import etree

from psb.ubl.model import MalformedXmlError, UblError, XmlSecurityError
from psb.xmlsafe import MAX_BYTES, parse_envelope, parse_xml

DATA = Path(__file__).parent / "data"
SECRET = "TOP-SECRET-MARKER-4711"


class FileTripwire:
    """A named pipe that notices when anybody opens it for reading."""

    def __init__(self, path: Path):
        self.path = path
        self.opened = threading.Event()
        self._stop = threading.Event()
        os.mkfifo(path)
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self):
        while not self._stop.is_set():
            # a non-blocking open for writing only succeeds when a reader has the pipe
            # open
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                time.sleep(0.001)
                continue
            self.opened.set()
            os.write(fd, SECRET.encode())
            os.close(fd)

    def close(self):
        self._stop.set()
        self._thread.join()


class NetworkTripwire:
    """A loopback TCP port that records (and at once closes) every connection made to
    it."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.01)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/secret.dtd"
        self.connected = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self):
        while not self._stop.is_set():
            try:
                connection, _address = self.sock.accept()
            except TimeoutError:
                continue
            self.connected.set()
            connection.close()

    def close(self):
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture()
def tripwires(tmp_path):
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(SECRET)
    pipe = FileTripwire(tmp_path / "pipe")
    network = NetworkTripwire()
    try:
        yield {
            "file": secret_file.as_uri(),
            "pipe": pipe.path.as_uri(),
            "pipe_path": str(pipe.path),
            "url": network.url,
        }
        assert not pipe.opened.is_set(), "the parser opened a local file"
        assert not network.connected.is_set(), "the parser connected to the network"
    finally:
        pipe.close()
        network.close()


def _bomb(levels: int = 10) -> str:
    """The classic billion laughs: 10^levels copies of 'lol'."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels)
    ]
    doctype = f"<!DOCTYPE lolz [{''.join(entities)}]>"
    return f'<?xml version="1.0"?>{doctype}<lolz>&lol{levels - 1};</lolz>'


HOSTILE = {
    "billion laughs": lambda t: _bomb(),
    "billion laughs in an attribute": lambda t: _bomb().replace(
        "<lolz>&lol9;</lolz>", '<lolz a="&lol9;"/>'
    ),
    "external entity, file": lambda t: (
        f'<!DOCTYPE Order [<!ENTITY x SYSTEM "{t["file"]}">]><Order>&x;</Order>'
    ),
    "external entity, named pipe": lambda t: (
        f'<!DOCTYPE Order [<!ENTITY x SYSTEM "{t["pipe"]}">]><Order>&x;</Order>'
    ),
    "external entity, plain path": lambda t: (
        f'<!DOCTYPE Order [<!ENTITY x SYSTEM "{t["pipe_path"]}">]><Order>&x;</Order>'
    ),
    "external entity in an attribute": lambda t: (
        f'<!DOCTYPE Order [<!ENTITY x SYSTEM "{t["pipe"]}">]><Order a="&x;"/>'
    ),
    "external entity, http": lambda t: (
        f'<!DOCTYPE Order [<!ENTITY x SYSTEM "{t["url"]}">]><Order>&x;</Order>'
    ),
    "external parameter entity": lambda t: (
        f'<!DOCTYPE Order [<!ENTITY % p SYSTEM "{t["pipe"]}"> %p;]><Order/>'
    ),
    "external DTD, file": lambda t: f'<!DOCTYPE Order SYSTEM "{t["pipe"]}"><Order/>',
    "external DTD, http": lambda t: (
        f'<!DOCTYPE Order PUBLIC "-//X//EN" "{t["url"]}"><Order/>'
    ),
    "bare DOCTYPE": lambda t: "<!DOCTYPE Order><Order/>",
    "DOCTYPE after a comment and a PI": lambda t: (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!-- hello --><?pi x?>\n'
        f'<!DOCTYPE Order [<!ENTITY x SYSTEM "{t["file"]}">]><Order>&x;</Order>'
    ),
    "XInclude of a file": lambda t: (
        '<Order xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include '
        f'href="{t["pipe"]}" parse="text"/></Order>'
    ),
    "XInclude over http": lambda t: (
        '<Order xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include '
        f'href="{t["url"]}"/></Order>'
    ),
}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_xml_is_refused_quickly_without_reading_anything(
    name, encoding, tripwires
):
    data = HOSTILE[name](tripwires).encode(encoding)
    started = time.monotonic()
    with pytest.raises(XmlSecurityError) as caught:
        parse_xml(data)
    assert time.monotonic() - started < 1
    assert SECRET not in caught.value.message
    if "XInclude" in name:
        assert "XInclude" in caught.value.message
    else:
        assert (
            "DTD" in caught.value.message
            and "refused for safety" in caught.value.message
        )


def test_doctype_hidden_after_a_long_prolog_is_still_refused():
    data = (
        b'<?xml version="1.0"?>'
        + b"<!-- padding -->\n" * 100_000
        + b'<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'
    )
    with pytest.raises(XmlSecurityError, match="DTD"):
        parse_xml(data)


LIMIT = (
    "The document exceeds a safety limit of the XML parser ({}); it was refused for "
    "safety."
)
DEPTH = LIMIT.format("elements nested more than 256 levels deep")
TEXT = LIMIT.format(
    "a text or attribute value longer than 10,000,000 characters; this also limits an "
    "embedded attachment to about 7 MB"
)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"<a>" * 10_000 + b"</a>" * 10_000, DEPTH),
        (
            b"<a>" * 257 + b"</a>" * 257,
            DEPTH,
        ),  # libxml2 before 2.14 lets this one level through
        (
            b"<a>" + b"x" * 10_000_001 + b"</a>",
            TEXT,
        ),  # libxml2 2.10 lets this one through
        (b'<a b="' + b"x" * 10_000_001 + b'"/>', TEXT),
    ],
    ids=["deep", "257 deep", "huge text", "huge attribute"],
)
def test_parser_safety_limits(data, message):
    """The same message whatever libxml2 version lxml brings: ours, naming the limit."""
    started = time.monotonic()
    with pytest.raises(XmlSecurityError) as caught:
        parse_xml(data)
    assert caught.value.message == message
    assert time.monotonic() - started < 3


def test_the_deepest_nesting_allowed_and_a_long_text_are_parsed():
    assert parse_xml(b"<a>" * 256 + b"</a>" * 256).tag == "a"
    assert len(parse_xml(b"<a>" + b"x" * 9_000_000 + b"</a>").text) == 9_000_000


NOT_WELL_FORMED = "The document is not well-formed XML ({})."


@pytest.mark.parametrize(
    "data, detail",
    [
        (b"<Order>", "line 1: the document ends before all its elements are closed"),
        (b"<a>\n</b>", "line 2: an end tag does not match its start tag"),
        (b"just text", "line 1: no XML element found; is it an XML file at all?"),
        (b"<a/><b/>", "line 1: there is content after the end of the root element"),
        (
            b"<a>&nbsp;</a>",
            "line 1: an entity is used that XML does not define (only &lt; &gt; &amp; "
            "&quot; &apos; "
            "and character references are allowed)",
        ),
        (b'<a x="1" x="2"/>', "line 1: an element has the same attribute twice"),
        (b"<x:a/>", "line 1: a namespace prefix is used that is not declared"),
        # encoding errors and forbidden characters are found by decoding the bytes
        # ourselves
        (
            b'<?xml version="1.0" encoding="UTF-8"?>\n<a>caf\xe9</a>',
            "line 2: a byte that is not valid UTF-8 (0xE9); is the encoding in the "
            "XML declaration the one the file "
            "is written in?",
        ),
        (
            b"<a>\n\n\xc3</a>",
            "line 3: a byte that is not valid UTF-8 (0xC3); is the encoding in the "
            "XML declaration "
            "the one the file is written in?",
        ),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "line 1: a byte that is not valid UTF-8 (0x89); is the encoding "
            "in the XML declaration the one the file is written in?",
        ),
        (
            b'<?xml version="1.0" encoding="no-such-charset"?><a/>',
            "line 1: the document declares the encoding no-such-charset, which is not "
            "supported",
        ),
        (b"<a>\n\x00</a>", "line 2: a character that XML does not allow (U+0000)"),
        (b"<a>\x1b</a>", "line 1: a character that XML does not allow (U+001B)"),
    ],
)
def test_malformed_xml_is_named(data, detail):
    with pytest.raises(MalformedXmlError) as caught:
        parse_xml(data)
    assert caught.value.message == NOT_WELL_FORMED.format(detail)


@pytest.mark.parametrize(
    "data", [b"\xff\xfe\x00garbage", b"<a><b></a>", b"<a>1 < 2</a>", b"<a>R&D</a>"]
)
def test_other_syntax_errors_are_not_well_formed_with_a_line(data):
    with pytest.raises(MalformedXmlError) as caught:
        parse_xml(data)
    assert caught.value.message.startswith(
        "The document is not well-formed XML (line 1: "
    )


@pytest.mark.parametrize("data", [b"", b"  \n\t ", None, False])
def test_empty(data):
    with pytest.raises(MalformedXmlError, match="empty"):
        parse_xml(data)


def test_oversized_input_is_refused_before_parsing():
    data = b"<a>" + b" " * MAX_BYTES + b"</a>"
    started = time.monotonic()
    with pytest.raises(MalformedXmlError, match="more than the 20480 KiB accepted"):
        parse_xml(data)
    assert time.monotonic() - started < 0.5
    with pytest.raises(MalformedXmlError, match="more than the 1 KiB"):
        parse_xml(b"<a>" + b" " * 1024 + b"</a>", max_bytes=1024)


def test_not_bytes_is_a_programming_error():
    with pytest.raises(TypeError):
        parse_xml("<a/>")


def test_errors_are_value_errors_with_a_message():
    with pytest.raises(UblError) as caught:
        parse_xml(b"<a>")
    assert isinstance(caught.value, ValueError)
    assert str(caught.value) == caught.value.message


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbf<a>x</a>",  # UTF-8 byte order mark
        '<?xml version="1.0" encoding="UTF-16"?><a>x</a>'.encode("utf-16"),
        '<?xml version="1.0" encoding="ISO-8859-1"?><a>x</a>'.encode("latin-1"),
        b"<a><!-- <!DOCTYPE a> in a comment --><![CDATA[<!DOCTYPE a [<!ENTITY x "
        b"'y'>]>]]>x</a>",
    ],
)
def test_harmless_documents_are_parsed(data):
    root = parse_xml(data)
    assert root.tag == "a"
    assert root.xpath("string()").endswith("x")


def test_comments_and_processing_instructions_are_dropped():
    root = parse_xml(
        b'<?xml version="1.0"?><?xml-stylesheet href="x.xsl"?><a><!-- c --><?pi '
        b"data?><b/></a>"
    )
    assert [child.tag for child in root] == ["b"]
    assert root.getprevious() is None


def test_sbdh_envelope_is_unwrapped_with_its_header():
    root, envelope = parse_envelope((DATA / "order_sbdh.xml").read_bytes())
    assert etree.QName(root).localname == "Order"
    assert root.findtext("{*}ID") == "PO-SBDH-1"
    assert envelope.sender == "0106:87654321"
    assert envelope.receiver == "0106:12345678"
    assert envelope.document_type_id == (
        "urn:oasis:names:specification:ubl:schema:xsd:Order-2::Order##urn:fdc:peppol."
        "eu:poacc:trns:order:3::2.1"
    )
    assert envelope.process_id == "urn:fdc:peppol.eu:poacc:bis:ordering:3"
    assert envelope.instance_id == "4f1c2d3e-0000-4000-8000-000000000001"
    assert envelope.created == "2026-03-02T10:15:00Z"
    assert (
        parse_xml((DATA / "order_sbdh.xml").read_bytes()).findtext("{*}ID")
        == "PO-SBDH-1"
    )


def test_unwrapped_document_has_no_envelope():
    root, envelope = parse_envelope((DATA / "order_minimal.xml").read_bytes())
    assert (etree.QName(root).localname, envelope) == ("Order", None)


SBD = (
    "<StandardBusinessDocument "
    'xmlns="http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader">'
    "<StandardBusinessDocumentHeader><HeaderVersion>1.0</HeaderVersion></"
    "StandardBusinessDocumentHeader>"
    "{payload}</StandardBusinessDocument>"
)


@pytest.mark.parametrize("payload, count", [("", 0), ("<Order/><Order/>", 2)])
def test_sbdh_envelope_must_hold_one_document(payload, count):
    with pytest.raises(
        MalformedXmlError, match=f"holds {count} documents instead of one"
    ):
        parse_xml(SBD.format(payload=payload).encode())
