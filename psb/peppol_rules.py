"""Validation against the official Peppol artefacts: the OASIS UBL XSDs and the
OpenPeppol Schematron rules compiled to XSLT 2.0, run with ``saxonche``: the ordering
documents, and the Peppol BIS Billing 3 invoices and credit notes (both billing rule
sets).

The artefacts are not shipped with the addon (no redistribution grant for the OpenPeppol
files):
point :class:`PeppolValidator` at a folder laid out like ``shared/peppol``::

    xsd/ubl-2.1/maindoc/…, xsd/ubl-2.3/maindoc/…       OASIS UBL runtime schemas
    schematron/<release>-xslt/PEPPOLBIS-T76.xslt …      compiled Schematron (newest
    release is used)

:func:`default_peppol_dir` finds it (``PEPPOL_SHARED_DIR``, or ``../shared/peppol``
beside the repository). Used by the tests, and at runtime when the folder is there.

Each stylesheet is compiled once per validator and each XSD loaded once; validating a
document then takes milliseconds. A validator may be shared between threads (one lock
serialises its use).
"""

import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

SVRL = "{http://purl.oclc.org/dsdl/svrl}"
NS_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
SBDH = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"

#: CustomizationID -> (XSD under ``xsd/``, XSLT in the Schematron folder). A document's
#: CustomizationID matches an entry when equal to it or extending it (``<id>:…``); the
#: longest wins.
ARTEFACTS = {
    "urn:fdc:peppol.eu:poacc:trns:order:3": (
        "ubl-2.1/maindoc/UBL-Order-2.1.xsd",
        "PEPPOLBIS-T01.xslt",
    ),
    "urn:fdc:peppol.eu:poacc:trns:order_response:3": (
        "ubl-2.1/maindoc/UBL-OrderResponse-2.1.xsd",
        "PEPPOLBIS-T76.xslt",
    ),
    "urn:fdc:peppol.eu:poacc:trns:order_response_advanced:3": (
        "ubl-2.3/maindoc/UBL-OrderResponse-2.3.xsd",
        "PEPPOLBIS-T116.xslt",
    ),
    "urn:fdc:peppol.eu:poacc:trns:order_change:3": (
        "ubl-2.3/maindoc/UBL-OrderChange-2.3.xsd",
        "PEPPOLBIS-T114.xslt",
    ),
    "urn:fdc:peppol.eu:poacc:trns:order_cancellation:3": (
        "ubl-2.3/maindoc/UBL-OrderCancellation-2.3.xsd",
        "PEPPOLBIS-T115.xslt",
    ),
}
#: Peppol BIS Billing 3 (invoices and credit notes): the XSD by the root element, and
#: two rule sets, the EN 16931 core rules and the Peppol rules (with the national ones):
#: both must pass.
BILLING_CUSTOMIZATION_ID = (
    "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
)
BILLING_XSD = {
    "Invoice": "ubl-2.1/maindoc/UBL-Invoice-2.1.xsd",
    "CreditNote": "ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd",
}
BILLING_XSLT = ("CEN-EN16931-UBL.xslt", "PEPPOL-EN16931-UBL.xslt")
FATAL_FLAGS = ("fatal", "error")

# Our own documents or a trusted corpus, but read defensively all the same.
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, remove_comments=False
)


def candidate_peppol_dir():
    """Where the Peppol artefacts are looked for: ``$PEPPOL_SHARED_DIR`` or
    ``<repo>/../shared/peppol``.

    ``<repo>`` is the addon's checkout (the folder above ``psb/``, symlinks resolved).
    """
    repo = Path(os.path.realpath(__file__)).parents[1]
    return Path(
        os.environ.get("PEPPOL_SHARED_DIR") or repo.parent / "shared" / "peppol"
    )


def default_peppol_dir():
    """:func:`candidate_peppol_dir` when it holds the XSDs and the Schematron, else
    None."""
    path = candidate_peppol_dir()
    return path if (path / "xsd").is_dir() and (path / "schematron").is_dir() else None


def artefacts_for(customization_id):
    """(XSD, XSLT) names for a CustomizationID, by longest matching prefix; ValueError
    if none."""
    customization_id = (customization_id or "").strip()
    for prefix in sorted(ARTEFACTS, key=len, reverse=True):
        if customization_id == prefix or customization_id.startswith(prefix + ":"):
            return ARTEFACTS[prefix]
    raise ValueError(
        f"No Peppol ordering rules are known for CustomizationID {customization_id!r}."
    )


def rules_for(customization_id, root_name=None):
    """(XSD name, XSLT names) for a document: a Peppol BIS Billing 3 invoice or credit
    note (by ``root_name``) takes both billing rule sets, an ordering document its own
    (:func:`artefacts_for`)."""
    if (
        customization_id or ""
    ).strip() == BILLING_CUSTOMIZATION_ID and root_name in BILLING_XSD:
        return BILLING_XSD[root_name], BILLING_XSLT
    xsd_name, xslt_name = artefacts_for(customization_id)
    return xsd_name, (xslt_name,)


@dataclass
class ValidationResult:
    """XSD errors, then Schematron failures as (rule id, text): fatal ones reject the
    document."""

    xsd_errors: list[str] = field(default_factory=list)
    fatal: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self):
        return not self.xsd_errors and not self.fatal

    @property
    def fatal_ids(self):
        return sorted({rule for rule, _text in self.fatal})

    def __str__(self):
        lines = [f"XSD: {error}" for error in self.xsd_errors]
        lines += [f"{rule}: {text}" for rule, text in self.fatal]
        lines += [f"(warning) {rule}: {text}" for rule, text in self.warnings]
        return "\n".join(lines) or "valid"


def _release_key(folder):
    """Sort key of a Schematron folder name such as ``2026.5-xslt``: by its numbers
    (2026.11 > 2026.5)."""
    return [int(n) for n in re.findall(r"\d+", folder.name)], folder.name


class PeppolValidator:
    """Validates Peppol BIS ordering and billing documents with the official XSD +
    Schematron.

    ``peppol_dir`` is laid out like ``shared/peppol``; ``xslt_dir`` defaults to the
    newest ``schematron/*xslt*`` folder in it.
    """

    def __init__(self, peppol_dir, xslt_dir=None):
        self.dir = Path(peppol_dir)
        if xslt_dir is None:
            folders = sorted(
                (p for p in (self.dir / "schematron").glob("*xslt*") if p.is_dir()),
                key=_release_key,
            )
            if not folders:
                raise FileNotFoundError(
                    f"No compiled Schematron (schematron/*xslt*/) under {self.dir}"
                )
            xslt_dir = folders[-1]
        self.xslt_dir = Path(xslt_dir)
        self._schemas = {}
        self._stylesheets = {}
        self._processor = None
        self._lock = threading.RLock()

    # -- artefacts, loaded once
    # -----------------------------------------------------------------
    def _schema(self, name):
        if name not in self._schemas:
            path = self.dir / "xsd" / name
            if not path.is_file():
                raise FileNotFoundError(f"UBL schema {path} is missing")
            self._schemas[name] = etree.XMLSchema(etree.parse(str(path)))
        return self._schemas[name]

    def _stylesheet(self, name):
        if name not in self._stylesheets:
            path = self.xslt_dir / name
            if not path.is_file():
                raise FileNotFoundError(f"Schematron stylesheet {path} is missing")
            if self._processor is None:
                try:
                    from saxonche import PySaxonProcessor
                except ImportError as exc:
                    raise RuntimeError(
                        "Running the Peppol Schematron needs an XSLT 2.0 processor: "
                        "install saxonche (pip install saxonche)."
                    ) from exc
                check_address_space()
                self._processor = PySaxonProcessor(license=False)
            compiler = self._processor.new_xslt30_processor()
            self._stylesheets[name] = compiler.compile_stylesheet(
                stylesheet_file=str(path)
            )
        return self._stylesheets[name]

    def preload(self, *customization_ids):
        """Compile/load the artefacts for these CustomizationIDs now (all known ones by
        default)."""
        with self._lock:
            for customization_id in customization_ids or ARTEFACTS:
                if customization_id == BILLING_CUSTOMIZATION_ID:
                    artefacts = [
                        (xsd_name, BILLING_XSLT) for xsd_name in BILLING_XSD.values()
                    ]
                else:
                    artefacts = [rules_for(customization_id)]
                for xsd_name, xslt_names in artefacts:
                    self._schema(xsd_name)
                    for xslt_name in xslt_names:
                        self._stylesheet(xslt_name)

    # -- validation
    # ------------------------------------------------------------------------------
    @staticmethod
    def _payload(xml):
        """The UBL document of ``xml`` (bytes, str or lxml element), unwrapped from an
        SBDH envelope."""
        if isinstance(xml, etree._Element):
            root = xml
        else:
            root = etree.fromstring(
                xml.encode() if isinstance(xml, str) else xml, _PARSER
            )
        if etree.QName(root).namespace == SBDH:
            payload = [
                child
                for child in root
                if isinstance(child.tag, str) and etree.QName(child).namespace != SBDH
            ]
            if not payload:
                raise ValueError("The SBDH envelope holds no document.")
            root = payload[0]
        return root

    def validate(self, xml):
        """Validate one document (bytes, str or lxml element; an SBDH envelope is
        opened).

        Returns a :class:`ValidationResult`; raises ValueError for a document whose
        CustomizationID these rules do not cover, and lxml's XMLSyntaxError for one that
        is not XML.
        """
        root = self._payload(xml)
        xsd_name, xslt_names = rules_for(
            root.findtext(f"{{{NS_CBC}}}CustomizationID"), etree.QName(root).localname
        )
        # Serialised again on its own: no DTD, entities or envelope reach either
        # validator.
        text = etree.tostring(root, encoding="unicode")
        result = ValidationResult()
        with self._lock:
            schema = self._schema(xsd_name)
            if not schema.validate(root):
                result.xsd_errors = [
                    f"line {error.line}: {error.message}" for error in schema.error_log
                ]
            svrls = []
            for xslt_name in xslt_names:
                stylesheet = self._stylesheet(xslt_name)
                node = self._processor.parse_xml(xml_text=text)
                svrls.append(
                    etree.fromstring(
                        stylesheet.transform_to_string(xdm_node=node).encode(), _PARSER
                    )
                )
        for svrl in svrls:
            for failure in svrl.iter(
                f"{SVRL}failed-assert", f"{SVRL}successful-report"
            ):
                entry = (
                    failure.get("id") or "",
                    " ".join((failure.findtext(f"{SVRL}text") or "").split()),
                )
                (
                    result.fatal
                    if (failure.get("flag") or "fatal") in FATAL_FLAGS
                    else result.warnings
                ).append(entry)
        return result


#: The virtual address space saxonche's GraalVM isolate reserves when it starts
#: (measured: it starts with 34 GiB, not with 32): address space, not memory used.
SAXON_ADDRESS_SPACE = 40 * 2**30


def check_address_space(limit=None):
    """Raise RuntimeError when the process may not reserve the address space saxonche
    needs.

    Under a smaller ``RLIMIT_AS`` (Odoo sets one from ``limit_memory_hard``, 2.5 GB by
    default) saxonche does not raise: it ends the whole process ("graal_create_isolate
    error"), and with it the Odoo server. ``limit`` (bytes, None = unlimited) is the
    soft limit; by default the process's own.
    """
    if limit is None:
        try:
            import resource
        except ImportError:  # not a POSIX system: no such limit
            return
        soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = None if soft == resource.RLIM_INFINITY else soft
    if limit is not None and limit < SAXON_ADDRESS_SPACE:
        raise RuntimeError(
            "The Peppol rules cannot run in this process: its virtual memory is "
            f"limited to {limit // 2**20} MB "
            "(Odoo's limit_memory_hard), and the Schematron processor (saxonche) "
            "reserves about "
            f"{SAXON_ADDRESS_SPACE // 2**30} GB of address space when it starts (not "
            "memory it uses): it would "
            "end the process. Run Odoo with limit_memory_hard = 0 "
            "(--limit-memory-hard 0), or at least that much."
        )


_shared = {}
_shared_lock = threading.Lock()


def shared_validator(peppol_dir=None):
    """One validator per folder for the whole process (``peppol_dir`` defaults to
    :func:`default_peppol_dir`), or None when the artefacts are absent: for runtime
    checks."""
    peppol_dir = peppol_dir or default_peppol_dir()
    if peppol_dir is None:
        return None
    key = Path(peppol_dir).resolve()
    with _shared_lock:
        if key not in _shared:
            _shared[key] = PeppolValidator(key)
        return _shared[key]


def main(argv=None):
    """``python3 -m psb.peppol_rules FILE…``: print each file's result; exit 1 if any is
    invalid."""
    import sys

    paths = sys.argv[1:] if argv is None else argv
    peppol_dir = default_peppol_dir()
    if peppol_dir is None:
        missing = (
            f"No Peppol artefacts at {candidate_peppol_dir()} (set PEPPOL_SHARED_DIR)"
        )
        # the command line's output
        print(missing, file=sys.stderr)  # pylint: disable=print-used
        return 2
    validator = PeppolValidator(peppol_dir)
    failed = 0
    for path in paths:
        result = validator.validate(Path(path).read_bytes())
        failed += not result.ok
        # the command line's output
        # pylint: disable-next=print-used
        print(f"{path}: {'valid' if result.ok else 'INVALID'}")
        if str(result) != "valid":
            # pylint: disable-next=print-used
            print("  " + str(result).replace("\n", "\n  "))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
