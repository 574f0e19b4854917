"""Parsing of untrusted XML: no DTD, no entities, no network, no XInclude, bounded size."""
from lxml import etree

from .ubl.model import MalformedXmlError, XmlSecurityError

MAX_BYTES = 20 * 1024 * 1024
SBDH_NS = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"
_XINCLUDE_NS = "http://www.w3.org/2001/XInclude"


def _parser():
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=False, remove_comments=True, remove_pis=True,
    )


def parse_xml(data, max_bytes=MAX_BYTES):
    """Parse ``data`` (bytes) and return the document element, an SBDH envelope unwrapped.

    :raises MalformedXmlError: empty, too large or not well-formed.
    :raises XmlSecurityError: a DTD, an entity or an XInclude is present.
    """
    if not data:
        raise MalformedXmlError("The document is empty.")
    if len(data) > max_bytes:
        raise MalformedXmlError(
            f"The document is {len(data) // 1024} KiB, more than the {max_bytes // 1024} KiB accepted.")
    head = data[:4096].lstrip(b"\xef\xbb\xbf").lstrip()
    if b"<!DOCTYPE" in data[:65536].upper() or b"<!ENTITY" in head.upper():
        raise XmlSecurityError(
            "The document declares a DTD or entities, which Peppol documents never do; it was refused for safety.")
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise MalformedXmlError(f"The document is not well-formed XML ({exc}).") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise XmlSecurityError(
            "The document declares a DTD or entities, which Peppol documents never do; it was refused for safety.")
    for node in root.iter():
        if isinstance(node, etree._Entity) or (isinstance(node.tag, str) and node.tag.startswith("{%s}" % _XINCLUDE_NS)):
            raise XmlSecurityError("The document uses XML entities or XInclude; it was refused for safety.")
    return unwrap_sbdh(root)


def unwrap_sbdh(root):
    """The business document inside a Standard Business Document envelope (or ``root`` itself)."""
    if root.tag == f"{{{SBDH_NS}}}StandardBusinessDocument":
        payload = [child for child in root if isinstance(child.tag, str)
                   and child.tag != f"{{{SBDH_NS}}}StandardBusinessDocumentHeader"]
        if not payload:
            raise MalformedXmlError("The Standard Business Document envelope holds no document.")
        return payload[0]
    return root
