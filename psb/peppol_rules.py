"""Validation against the official Peppol artefacts: the OASIS UBL XSD and the OpenPeppol
Schematron compiled to XSLT 2.0 (run with saxonche). The artefacts are not shipped with the addon;
point ``PeppolValidator`` at a folder laid out like ``shared/peppol`` (``xsd/``, ``schematron/``)."""
import os
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

SVRL = "{http://purl.oclc.org/dsdl/svrl}"
# CustomizationID prefix -> (XSD, XSLT); the longest prefix wins.
ARTEFACTS = {
    "urn:fdc:peppol.eu:poacc:trns:order:3": ("ubl-2.1/maindoc/UBL-Order-2.1.xsd", "PEPPOLBIS-T01.xslt"),
    "urn:fdc:peppol.eu:poacc:trns:order_response:3": ("ubl-2.1/maindoc/UBL-OrderResponse-2.1.xsd",
                                                      "PEPPOLBIS-T76.xslt"),
    "urn:fdc:peppol.eu:poacc:trns:order_response_advanced:3": ("ubl-2.3/maindoc/UBL-OrderResponse-2.3.xsd",
                                                               "PEPPOLBIS-T116.xslt"),
    "urn:fdc:peppol.eu:poacc:trns:order_change:3": ("ubl-2.3/maindoc/UBL-OrderChange-2.3.xsd", "PEPPOLBIS-T114.xslt"),
    "urn:fdc:peppol.eu:poacc:trns:order_cancellation:3": ("ubl-2.3/maindoc/UBL-OrderCancellation-2.3.xsd",
                                                          "PEPPOLBIS-T115.xslt"),
}


def default_peppol_dir():
    """``PEPPOL_SHARED_DIR`` or ``../shared/peppol`` beside the repository, or None when absent."""
    repo = Path(os.path.realpath(__file__)).parents[1]
    path = Path(os.environ.get("PEPPOL_SHARED_DIR") or repo.parent / "shared" / "peppol")
    return path if (path / "xsd").is_dir() else None


@dataclass
class ValidationResult:
    xsd_errors: list = field(default_factory=list)
    fatal: list = field(default_factory=list)      # [(rule id, text)]
    warnings: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.xsd_errors and not self.fatal

    def __str__(self):
        lines = [f"XSD: {e}" for e in self.xsd_errors] + [f"{i}: {t}" for i, t in self.fatal]
        return "\n".join(lines) or "valid"


class PeppolValidator:
    def __init__(self, peppol_dir):
        self.dir = Path(peppol_dir)
        xslt_dirs = sorted((self.dir / "schematron").glob("*xslt*"))
        if not xslt_dirs:
            raise FileNotFoundError(f"No compiled Schematron under {self.dir / 'schematron'}")
        self.xslt_dir = xslt_dirs[-1]
        self._schemas = {}
        self._stylesheets = {}
        self._processor = None

    def _artefacts(self, customization):
        for prefix in sorted(ARTEFACTS, key=len, reverse=True):
            if customization == prefix or customization.startswith(prefix + ":"):
                return ARTEFACTS[prefix]
        raise ValueError(f"No Peppol rules known for CustomizationID {customization!r}")

    def _schema(self, name):
        if name not in self._schemas:
            self._schemas[name] = etree.XMLSchema(etree.parse(str(self.dir / "xsd" / name)))
        return self._schemas[name]

    def _stylesheet(self, name):
        if name not in self._stylesheets:
            try:
                from saxonche import PySaxonProcessor
            except ImportError as exc:  # pragma: no cover
                raise RuntimeError("saxonche is needed to run the Peppol Schematron (pip install saxonche)") from exc
            if self._processor is None:
                self._processor = PySaxonProcessor(license=False)
            compiler = self._processor.new_xslt30_processor()
            self._stylesheets[name] = compiler.compile_stylesheet(stylesheet_file=str(self.xslt_dir / name))
        return self._stylesheets[name]

    def validate(self, xml_bytes):
        doc = etree.fromstring(xml_bytes)
        customization = (doc.findtext("{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
                                      "CustomizationID") or "").strip()
        xsd_name, xslt_name = self._artefacts(customization)
        result = ValidationResult()
        schema = self._schema(xsd_name)
        if not schema.validate(doc):
            result.xsd_errors = [f"line {e.line}: {e.message}" for e in schema.error_log]
        node = self._processor_node(xml_bytes, xslt_name)
        svrl = etree.fromstring(node.encode())
        for failed in svrl.iter(f"{SVRL}failed-assert"):
            entry = (failed.get("id"), " ".join((failed.findtext(f"{SVRL}text") or "").split()))
            (result.fatal if failed.get("flag") == "fatal" else result.warnings).append(entry)
        return result

    def _processor_node(self, xml_bytes, xslt_name):
        stylesheet = self._stylesheet(xslt_name)
        node = self._processor.parse_xml(xml_text=xml_bytes.decode("utf-8"))
        return stylesheet.transform_to_string(xdm_node=node)
