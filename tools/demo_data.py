"""The demo's company and examples (``tools/demo.sh``), shared with its test
(``tests/test_demo.py``).

* ``dutch_example(xml, today)``: an official example as a Dutch wholesaler receives it
  today: its dates moved ahead by the same number of days (its issue date is today, a
  requested delivery keeps its distance to it), and its VAT rates the Dutch ones (25 %
  and 20 % become S 21 %, lower rates S 9 %, 0 % stays), its tax total and payable
  amount recomputed from them. Plain Python.
* ``setup(env, ...)``: inside Odoo, the demo company's taxes, products, customers and
  their known places, and on the first setup only its settings (automatic confirmation
  on for one trusted customer).

Not part of the addon: Odoo never imports this file (``tools/`` is no Python package of
the module).
"""

import datetime
import re
from decimal import Decimal
from pathlib import Path

try:
    from odoo.addons.sale_econnect_psb.psb.ubl import amounts, reader
except (
    ImportError
):  # plain Python (tools/demo.sh's delivery): the checkout is on sys.path
    from psb.ubl import amounts, reader

#: The customer whose orders the demo confirms automatically: Region West (UC4, UC5).
#: Its UC5 is in the Ordering profile, so it is also accepted (AP); City Hospital's are
#: Order Only (no answers) but for sc1.
TRUSTED = ("0007", "5541277710")
#: Our contract prices in SEK (UC5's currency), whatever the exchange rate.
SEK_PRICES = (
    ("1x12 pack waste bags 1 lit", 4.0),
    ("Waste bags 2,5 lit", 6.0),
    ("Black Plastic bags 25 lit", 3.0),
)
CUSTOMERS = (
    ("City Hospital 345433", "0088", "7300010000001", "base.se"),
    ("Region West", "0007", "5541277710", "base.se"),
    ("Helseforetak AS", "0192", "987654325", "base.no"),
)
#: The Dutch sale taxes of l10n_nl's chart (xml id ``account.<company id>_<name>``) and
#: their UNCL5305 category: S for both rates, as Dutch e-invoices name them (Odoo's
#: categories have no AA, the "lower rate").
DUTCH_TAXES = (("btw_21", 21.0, "S"), ("btw_9", 9.0, "S"), ("btw_0", 0.0, "Z"))
PRODUCTS = (  # name, GTIN, our item number, price, unit (xml id)
    ("Needle 4mm", "7560000012345", "121212", 50.0, "uom.product_uom_unit"),
    ("Wet tissues", False, "SItemNo011", 15.0, "uom.product_uom_unit"),
    ("Brown sauce", "5704066204093", "SN-33", 4.0, "uom.product_uom_unit"),
    ("White sauce", "8722700575887", "SN-34", 6.0, "uom.product_uom_unit"),
    ("Pepper sauce", "8722700577584", "SN-35", 3.0, "uom.product_uom_unit"),
    ("Snow shovel", "9876543211234", False, 1.0, "uom.product_uom_unit"),
    ("Item 1", False, False, 40.0, "uom.product_uom_unit"),
    ("Item 2", False, False, 6.0, "uom.product_uom_unit"),
    ("Translation", False, False, 400.0, "uom.product_uom_day"),
    ("1x12 pack waste bags 1 lit", False, "11111", 4.0, "uom.product_uom_unit"),
    ("Waste bags 2,5 lit", False, "111125", 6.0, "uom.product_uom_unit"),
    ("Black Plastic bags 25 lit", False, "11135", 3.0, "uom.product_uom_unit"),
)

_DATE = re.compile(rb"(<cbc:(\w*Date)>)(\d{4}-\d{2}-\d{2})(</cbc:\2>)")
_TAX_CATEGORY = re.compile(
    rb"(<cac:(?:Classified)?TaxCategory>\s*<cbc:ID[^>]*>)([^<]*)(</cbc:ID>\s*<cbc:"
    rb"Percent>)([^<]*)(</cbc:Percent>)"
)


def _dutch_rate(category, percent):
    rate = Decimal(percent.decode().strip() or "0")
    if not rate:
        return category, percent
    return (b"S", b"21") if rate >= 15 else (b"S", b"9")


def _dutch_tax(match):
    category, percent = _dutch_rate(match.group(2), match.group(4))
    return match.group(1) + category + match.group(3) + percent + match.group(5)


def _set_amount(xml, tag, value):
    pattern = rb"(<cbc:" + tag + rb"\b[^>]*>)[^<]*(</cbc:" + tag + rb">)"
    return re.sub(
        pattern,
        lambda m: m.group(1) + f"{value:.2f}".encode() + m.group(2),
        xml,
        count=1,
    )


def variant(path):
    """The examples reuse order ids (UC1, UC2 and UC6 are all order 1 of City Hospital):
    give each its own."""
    xml = Path(path).read_bytes()
    first = xml.index(b"<cbc:ID>") + len(b"<cbc:ID>")
    return xml[:first] + Path(path).stem.encode() + b"-" + xml[first:]


def dutch_example(xml, today=None):
    """The example's bytes with its dates moved ahead and Dutch VAT (see the module's
    docstring)."""
    today = today or datetime.date.today()
    issue = re.search(rb"<cbc:IssueDate>(\d{4}-\d{2}-\d{2})</cbc:IssueDate>", xml)
    if issue:
        ahead = today - datetime.date.fromisoformat(issue.group(1).decode())

        def move(match):
            moved = datetime.date.fromisoformat(match.group(3).decode()) + ahead
            return match.group(1) + moved.isoformat().encode() + match.group(4)

        xml = _DATE.sub(move, xml)
    taxed = _TAX_CATEGORY.sub(_dutch_tax, xml)
    if taxed == xml:
        return xml
    try:
        order = reader.read_document(taxed)
    except (
        ValueError
    ):  # not an order, change or cancellation (the demo also sends an Order Response)
        return taxed
    tax = amounts.order_tax(order)
    if tax is None or order.tax_amount is None:
        return taxed
    taxed = re.sub(
        rb"(<cac:TaxTotal>\s*<cbc:TaxAmount\b[^>]*>)[^<]*(</cbc:TaxAmount>)",
        lambda m: m.group(1) + f"{tax:.2f}".encode() + m.group(2),
        taxed,
        count=1,
    )
    exclusive = amounts.tax_exclusive_amount(order)
    if exclusive is not None:
        inclusive = exclusive + tax
        if order.tax_inclusive_amount is not None:
            taxed = _set_amount(taxed, rb"TaxInclusiveAmount", inclusive)
        if order.payable_amount is not None:
            payable = (
                inclusive
                - (order.prepaid_amount or 0)
                + (order.payable_rounding_amount or 0)
            )
            taxed = _set_amount(taxed, rb"PayableAmount", payable)
    return taxed


# --------------------------------------------------------------------------------------
# Inside Odoo
# --------------------------------------------------------------------------------------
def dutch_taxes(env, company):
    """The company's 21 %, 9 % and 0 % sale taxes (l10n_nl's when its chart is loaded)
    with their category; the 21 % one is the company's default sale tax."""
    Tax = env["account.tax"].with_context(active_test=False)
    taxes = {}
    for name, rate, code in DUTCH_TAXES:
        tax = env.ref(
            f"account.{company.id}_{name}", raise_if_not_found=False
        ) or Tax.search(
            [
                ("company_id", "=", company.id),
                ("type_tax_use", "=", "sale"),
                ("amount_type", "=", "percent"),
                ("price_include", "=", False),
                ("amount", "=", rate),
            ],
            order="sequence, id",
            limit=1,
        )
        if tax:
            tax.write({"active": True, "ubl_cii_tax_category_code": code})
            taxes[rate] = tax
    if 21.0 in taxes:
        company.account_sale_tax_id = taxes[21.0]
    return taxes


def setup(env, company, salesman, examples, first_setup):
    """The demo company's catalogue, customers and places (always, when missing), and on
    its first setup its settings: the salesman responsible, automatic confirmation on
    for the trusted customer only."""
    taxes = dutch_taxes(env, company)
    eur = env.ref("base.EUR")
    Partner = env["res.partner"]
    for name, eas, endpoint, country in CUSTOMERS:
        if not Partner.search(
            [("peppol_eas", "=", eas), ("peppol_endpoint", "=", endpoint)], limit=1
        ):
            Partner.create(
                {
                    "name": name,
                    "is_company": True,
                    "peppol_eas": eas,
                    "peppol_endpoint": endpoint,
                    "country_id": env.ref(country).id,
                    "user_id": salesman.id,
                }
            )
    Product = env["product.product"]
    for name, barcode, code, price, uom in PRODUCTS:
        if not Product.search([("name", "=", name)], limit=1):
            unit = env.ref(uom)
            Product.create(
                {
                    "name": name,
                    "barcode": barcode,
                    "default_code": code,
                    "list_price": price,
                    "uom_id": unit.id,
                    "type": "service" if uom == "uom.product_uom_day" else "consu",
                    "sale_ok": True,
                    "taxes_id": [(6, 0, taxes[21.0].ids)] if 21.0 in taxes else False,
                }
            )
    # Prices in EUR, and a pricelist for each other currency the examples use.
    env["product.pricelist"].search(
        [("currency_id", "!=", eur.id), ("name", "not in", ("NOK", "SEK"))]
    ).write({"currency_id": eur.id})
    for code in ("NOK", "SEK"):
        currency = (
            env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", code)], limit=1)
        )
        currency.active = True
        if not env["product.pricelist"].search(
            [("currency_id", "=", currency.id)], limit=1
        ):
            env["product.pricelist"].create(
                {"name": code, "currency_id": currency.id, "company_id": company.id}
            )
    _sek_prices(env)
    _known_places(env, company, salesman, examples)
    if first_setup:
        company.write(
            {
                # the cancellation waits for a person: the demo shows that decision
                "psb_auto_cancel": False,
                "psb_user_id": salesman.id,
                # Straight through for the one trusted customer; the others' orders say
                # why they wait.
                "psb_auto_confirm": True,
                "psb_auto_trusted_only": True,
            }
        )
        Partner.search(
            [("peppol_eas", "=", TRUSTED[0]), ("peppol_endpoint", "=", TRUSTED[1])]
        ).write({"psb_auto_trusted": True})


def _sek_prices(env):
    sek = env["product.pricelist"].search([("currency_id.name", "=", "SEK")], limit=1)
    for name, price in SEK_PRICES:
        product = env["product.product"].search([("name", "=", name)], limit=1)
        if product and not sek.item_ids.filtered(
            lambda item, product=product: item.product_id == product
        ):
            env["product.pricelist.item"].create(
                {
                    "pricelist_id": sek.id,
                    "applied_on": "0_product_variant",
                    "product_tmpl_id": product.product_tmpl_id.id,
                    "product_id": product.id,
                    "compute_price": "fixed",
                    "fixed_price": price,
                }
            )


def _known_places(env, company, salesman, examples):
    """The customers' delivery places and invoicees, as the import itself records them;
    reviewed."""
    Importer = env["econnect.psb.order.import"]
    for path in sorted(Path(examples, "order", "official").rglob("*.xml")):
        order = reader.read_document(path.read_bytes())
        partner = Importer._match_partner(company, order.buyer, create=False)[0]
        if not partner:
            continue
        # The known places of these customers: reviewed, so their orders may go straight
        # through.
        Importer._match_delivery_address(
            partner, order.delivery, []
        ).psb_needs_review = False
        if (
            order.invoicee
            and order.invoicee.display_name
            and not Importer._match_partner(company, order.invoicee, create=False)[0]
        ):
            # Known by its Peppol id when the example gives one (found by its name only,
            # it would be flagged).
            invoicee = order.invoicee
            env["res.partner"].create(
                {
                    "name": invoicee.display_name,
                    "is_company": True,
                    "user_id": salesman.id,
                    "peppol_eas": invoicee.endpoint_id and invoicee.endpoint_scheme,
                    "peppol_endpoint": invoicee.endpoint_scheme
                    and invoicee.endpoint_id,
                    "company_registry": invoicee.company_id,
                }
            )


def plain_text(value):
    """A text the addon keeps as data (models/psb_texts.py), in plain English, for the
    demo's console summary."""
    if isinstance(value, list):
        return "; ".join(plain_text(item) for item in value)
    if not isinstance(value, dict):
        return "" if value is None else str(value)
    if "m" in value:
        args = value.get("a")
        if args is not None:
            return value["m"] % tuple(plain_text(arg) for arg in args)
        return value["m"] % {
            key: plain_text(arg) for key, arg in (value.get("p") or {}).items()
        }
    if "join" in value:
        return value.get("sep", "; ").join(plain_text(item) for item in value["join"])
    for key, unit in (("num", ""), ("pct", " %"), ("money", "")):
        if key in value:
            return f"{value[key]:g}{unit}" + (
                f" {value['cur']}" if key == "money" else ""
            )
    return str(next(iter(value.values()), ""))
