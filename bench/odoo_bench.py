"""The parts of the benchmarks that run inside Odoo (a registry opened on the benchmark
database).

    python bench/odoo_bench.py setup   --out F [options] -- <odoo options: -d DB
    --addons-path ...> python bench/odoo_bench.py imports --out F [options] -- <odoo
    options> python bench/odoo_bench.py profile [--lines N --runs N --top N] -- <odoo
    options> python bench/odoo_bench.py process --out F --ready-dir D --workers N --
    <odoo options> python bench/odoo_bench.py changes --out F [--cases 10:1,100:10
    --runs 3] -- <odoo options> bench/instructions.sh LINES RUNS -- <odoo options>
    (instructions: under callgrind)

* ``setup``: the company configured against the PSB sandbox (webhook registered), the
  catalogue (5,000 products ``BENCH-00001``...) and the buyers (20 customers with their
  Peppol id and delivery address), committed.
* ``imports``: figures 3 and 4. Each import runs in its own transaction, rolled back
  afterwards: ours is ``econnect.psb.document`` ``_store_xml`` +
  ``_process(commit=False)`` (what the scheduled action does once the XML is
  downloaded); Odoo's is ``sale.order._create_records_from_attachments`` (what *Upload*
  in the sale order list does, ``sale_edi_ubl``). Both start from the XML bytes and end
  after ``flush_all()``; ours and theirs alternate, so a ratio compares runs made side
  by side.
* ``profile``: one ten-line order imported as in ``imports`` (rolled back), its median
  time and queries, and the queries counted by the addon's function that led to them
  (``--top``).
* ``changes``: figure 2d's queries: an order confirmed automatically, then one Order
  Change applied automatically, each counted (rolled back), by order size and changed
  lines.
* ``process``: one "cron worker": ``_cron_process_documents()`` until nothing is due
  (figure 2).
"""

import argparse
import contextlib
import gc
import json
import os
import re
import subprocess
import sys
import time
import tracemalloc
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import orders  # noqa: E402 - after the sys.path entry above
from stats import summary  # noqa: E402 - after the sys.path entry above


def open_registry(odoo_args):
    import threading

    import odoo  # noqa: F401
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(odoo_args, setup_logging=True)
    db = (
        config["db_name"][0]
        if isinstance(config["db_name"], list)
        else config["db_name"]
    )
    threading.current_thread().dbname = db
    return Registry(db)


@contextlib.contextmanager
def environment(registry, commit=False):
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        try:
            yield env
        finally:
            if commit:
                cr.commit()
            else:
                cr.rollback()


def rss_peak_reset():
    with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")


def rss_kb(field):
    with open("/proc/self/status") as handle:
        return int(re.search(rf"{field}:\s+(\d+)", handle.read()).group(1))


def callgrind(*options):
    """``callgrind_control OPTIONS`` on this process (run under valgrind's callgrind):
    ``"-i", "on"`` / ``"-i", "off"`` to count or not, ``"-d", NAME`` to dump a part of
    its output."""
    subprocess.run(
        ["callgrind_control", *options, str(os.getpid())],
        check=True,
        capture_output=True,
    )
    time.sleep(0.5)  # callgrind takes the command at its next poll


# --------------------------------------------------------------------------------------
# setup
# --------------------------------------------------------------------------------------
def cmd_setup(registry, args):
    started = time.perf_counter()
    with environment(registry, commit=True) as env:
        company = env.ref("base.main_company")
        env["ir.config_parameter"].set_param("web.base.url", args.odoo_url)
        # A Dutch wholesaler selling in euros (the orders are in EUR): no "other
        # currency" issue.
        eur = env.ref("base.EUR")
        eur.active = True
        if company.currency_id != eur:
            company.currency_id = eur
        env["product.pricelist"].with_context(active_test=False).search([]).write(
            {"currency_id": eur.id}
        )
        company.partner_id.write(
            {"name": "Bench Wholesale BV", "country_id": env.ref("base.nl").id}
        )
        company.write(
            {
                "psb_environment": "custom",
                "psb_api_url": args.sandbox_url,
                "psb_identity_url": args.sandbox_url,
                "psb_client_id": args.client_id,
                "psb_client_secret": args.client_secret,
                "psb_party_id": orders.PARTY_ID,
                "psb_webhook_secret": args.secret,
            }
        )
        # Its sale tax is the orders' (S 21 %): the lines keep the product's tax, as for
        # a real Dutch seller.
        Tax = env["account.tax"]
        tax21 = Tax.search(
            [
                ("company_id", "=", company.id),
                ("type_tax_use", "=", "sale"),
                ("amount", "=", 21),
                ("amount_type", "=", "percent"),
            ],
            limit=1,
        ) or Tax.create(
            {
                "name": "21% S (bench)",
                "amount": 21,
                "type_tax_use": "sale",
                "company_id": company.id,
                "ubl_cii_tax_category_code": "S",
            }
        )
        company.account_sale_tax_id = tax21
        Product = env["product.product"].with_context(
            tracking_disable=True, mail_create_nolog=True
        )
        existing = set(
            Product.search([("default_code", "=like", "BENCH-%")]).mapped(
                "default_code"
            )
        )
        vals = [
            {
                "name": f"Bench article {orders.product_code(i)}",
                "default_code": orders.product_code(i),
                "list_price": float(orders.product_price(i)),
                "type": "consu",
                "sale_ok": True,
                "taxes_id": [(6, 0, tax21.ids)],
            }
            for i in range(orders.CATALOGUE_SIZE)
            if orders.product_code(i) not in existing
        ]
        for start in range(0, len(vals), 1000):
            Product.create(vals[start : start + 1000])
        Partner = env["res.partner"].with_context(
            tracking_disable=True, mail_create_nolog=True
        )
        nl = env.ref("base.nl")
        for index in range(orders.BUYERS):
            b = orders.buyer(index)
            if Partner.search_count([("peppol_endpoint", "=", b["endpoint"])]):
                continue
            customer = Partner.create(
                {
                    "name": b["name"],
                    "is_company": True,
                    "peppol_eas": "0106",
                    "peppol_endpoint": b["endpoint"],
                    "street": b["street"],
                    "city": b["city"],
                    "zip": b["zip"],
                    "country_id": nl.id,
                }
            )
            Partner.create(
                {
                    "parent_id": customer.id,
                    "type": "delivery",
                    "name": f"{b['name']} warehouse",
                    "ref": b["gln"],
                    "street": f"Magazijnweg {b['endpoint']}",
                    "city": "Nieuwegein",
                    "zip": "3439 AB",
                    "country_id": nl.id,
                }
            )
        env.cr.commit()
        hook = None
        if args.register:
            company._psb_register_webhook()
            hook = company.sudo().psb_hook_url
    out = {
        "products": orders.CATALOGUE_SIZE,
        "buyers": orders.BUYERS,
        "hook_url": hook,
        "seconds": round(time.perf_counter() - started, 1),
    }
    Path(args.out).write_text(json.dumps(out, indent=2))
    print(json.dumps(out))


# --------------------------------------------------------------------------------------
# imports (figures 3 and 4)
# --------------------------------------------------------------------------------------
def patch_odoo_commits():
    """Odoo's import commits around the decoder (``rollbackable_transaction``): use a
    savepoint instead, with the same all-or-nothing effect, so that each run can be
    rolled back."""
    from odoo.addons.account.models import account_document_import_mixin as mixin

    @contextlib.contextmanager
    def savepoint_transaction(cr):
        with cr.savepoint():
            yield

    mixin.rollbackable_transaction = savepoint_transaction


@contextlib.contextmanager
def measured(env, trace=False):
    """Time, SQL queries and peak memory of the block (flushed at its end), into the
    yielded dict."""
    from odoo import sql_db

    figures = {}
    gc.collect()
    rss_peak_reset()
    rss_before = rss_kb("VmRSS")
    if trace:
        tracemalloc.start()
    queries = sql_db.sql_counter
    started = time.perf_counter()
    yield figures
    env.flush_all()
    figures["seconds"] = time.perf_counter() - started
    figures["queries"] = sql_db.sql_counter - queries
    figures["tracemalloc_peak_mb"] = None
    if trace:
        figures["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    figures["rss_peak_mb"] = (rss_kb("VmHWM") - rss_before) / 1024


def run_ours(registry, xml, trace=False, auto=False, batched=False):
    """``batched``: as inside the scheduled action, whose wake-ups of other actions are
    sent once per batch."""
    with environment(registry) as env:
        company = env.ref("base.main_company")
        if auto:
            company.psb_auto_confirm = True
        if batched and hasattr(
            env["ir.cron"], "_psb_batched_triggers"
        ):  # older versions: no batch
            with env["ir.cron"]._psb_batched_triggers():
                return _run_ours(env, company, xml, trace)
        return _run_ours(env, company, xml, trace)


def received_document(
    env, company, xml, kind="order", topic="OrderReceived", prefix="bench"
):
    """A buyer's document ``xml`` (an order, by default) as the webhook and the
    download leave it: a document of ``company``, its XML stored, to be processed."""
    document = (
        env["econnect.psb.document"]
        .sudo()
        .create(
            {
                "company_id": company.id,
                "topic": topic,
                "document_type": kind,
                "psb_document_id": f"{prefix}-{uuid.uuid4()}",
                "source": "webhook",
            }
        )
    )
    document._store_xml(xml)
    return document


def _run_ours(env, company, xml, trace, commit=False):
    """``commit``: processed as a scheduled action's job does (its commits as the
    caller patched them)."""
    with measured(env, trace) as figures:
        document = received_document(env, company, xml)
        document._process(commit=commit)
    order = document.sale_order_id
    placeholder = env.ref("sale_econnect_psb.product_psb_unknown")
    lines = order.order_line
    goods = (
        lines.filtered(lambda ln: not ln.psb_allowance_kind)
        if "psb_allowance_kind" in lines
        else lines
    )
    result = {
        **figures,
        "state": document.state,
        "error": document.error_message or None,
        # The buyer's lines, not those of its document-level allowances and charges.
        "lines": len(goods),
        "matched": len(goods.filtered(lambda ln: ln.product_id != placeholder)),
        "partner": order.partner_id.display_name or None,
        "order_state": f"{order.state} "
        f"({order['psb_auto_state'] if 'psb_auto_state' in order else '-'})",
    }
    return result


def run_theirs(registry, xml, name="order.xml", trace=False):
    with environment(registry) as env:
        company = env.ref("base.main_company")
        SaleOrder = (
            env["sale.order"]
            .with_company(company)
            .with_context(default_partner_id=env.user.partner_id.id)
        )
        with measured(env, trace) as figures:
            attachment = env["ir.attachment"].create(
                {"name": name, "raw": xml, "mimetype": "application/xml"}
            )
            sale_orders = SaleOrder._create_records_from_attachments(attachment)
        messages = sale_orders.message_ids.mapped("body")
        error = next(
            (
                re.sub(r"<[^>]+>", " ", str(body)).strip()
                for body in messages
                if "Error importing" in str(body) or "not imported" in str(body)
            ),
            None,
        )
        lines = sale_orders.order_line.filtered(lambda ln: not ln.display_type)
        result = {
            **figures,
            "orders": len(sale_orders),
            "lines": len(lines),
            "matched": len(lines.filtered("product_id")),
            "partner": sale_orders[:1].partner_id.display_name or None,
            "error": re.sub(r"\s+", " ", error)[:300] if error else None,
        }
    return result


def compare_official(registry, path, args, variant):
    xml = path.read_bytes()
    expected = count_lines(xml)
    pairs = []
    for rep in range(args.official_reps):
        if rep % 2 == 0:
            ours = run_ours(registry, xml)
            theirs = run_theirs(registry, xml, name=path.name)
        else:
            theirs = run_theirs(registry, xml, name=path.name)
            ours = run_ours(registry, xml)
        pairs.append((ours, theirs))
    ours, theirs = pairs[-1]
    ours_ok = ours["state"] == "imported" and ours["lines"] == expected
    theirs_ok = theirs["lines"] >= expected and not theirs["error"]
    print(
        f"official ({variant}) {path.name}: ours {ours_ok} {ours['lines']}/{expected} "
        "lines, "
        f"{ours['matched']} matched; theirs {theirs_ok} {theirs['lines']}/{expected} "
        "lines, "
        f"{theirs['matched']} with a product {theirs['error'] or ''}",
        file=sys.stderr,
        flush=True,
    )
    return {
        "file": str(path.relative_to(args.official)),
        "variant": variant,
        "xml_lines": expected,
        "ours": {
            "imported": ours_ok,
            "state": ours["state"],
            "lines": ours["lines"],
            "matched": ours["matched"],
            "error": ours["error"],
            "partner": ours["partner"],
            "seconds": summary([p[0]["seconds"] for p in pairs]),
            "queries": summary([p[0]["queries"] for p in pairs], 0),
        },
        "theirs": {
            "imported": theirs_ok,
            "lines": theirs["lines"],
            "matched": theirs["matched"],
            "extra_lines": max(0, theirs["lines"] - expected),
            "error": theirs["error"],
            "partner": theirs["partner"],
            "seconds": summary([p[1]["seconds"] for p in pairs]),
            "queries": summary([p[1]["queries"] for p in pairs], 0),
        },
        "ratio": summary([p[0]["seconds"] / p[1]["seconds"] for p in pairs], 3)
        if theirs_ok
        else None,
    }


def seed_official(registry, files):
    """Create the official examples' buyers (Peppol id, VAT, name) and products
    (seller's code, GTIN, name), and a pricelist in each of their currencies (the
    currency active), as a supplier whose customers order what it sells would have them
    (the import of a buyer's first order in a new currency makes that pricelist).
    Committed."""
    from lxml import etree

    ns = {
        "cac": "urn:oasis:names:specification:ubl:schema:xsd:"
        "CommonAggregateComponents-2",
        "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    }
    partners = products = currencies = 0
    with environment(registry, commit=True) as env:
        Partner = env["res.partner"].with_context(tracking_disable=True)
        Product = env["product.product"].with_context(tracking_disable=True)
        eas = dict(Partner._fields["peppol_eas"].selection)
        for path in files:
            tree = etree.fromstring(path.read_bytes())
            buyer = tree.find("cac:BuyerCustomerParty/cac:Party", ns)
            endpoint = buyer.find("cbc:EndpointID", ns) if buyer is not None else None
            if endpoint is not None and not Partner.search_count(
                [
                    ("peppol_endpoint", "=", endpoint.text.strip()),
                    ("peppol_eas", "=", endpoint.get("schemeID")),
                ]
            ):
                name = (
                    buyer.findtext(
                        "cac:PartyLegalEntity/cbc:RegistrationName", namespaces=ns
                    )
                    or buyer.findtext("cac:PartyName/cbc:Name", namespaces=ns)
                    or endpoint.text
                ).strip()
                vals = {"name": name, "is_company": True}
                if endpoint.get("schemeID") in eas:
                    vals.update(
                        {
                            "peppol_eas": endpoint.get("schemeID"),
                            "peppol_endpoint": endpoint.text.strip(),
                        }
                    )
                vat = buyer.findtext("cac:PartyTaxScheme/cbc:CompanyID", namespaces=ns)
                try:
                    with env.cr.savepoint():
                        Partner.create({**vals, "vat": vat.strip() if vat else False})
                # a VAT or endpoint Odoo refuses: keep the rest
                except Exception:  # noqa: BLE001
                    Partner.create(vals)
                partners += 1
            for item in tree.iterfind(".//cac:OrderLine/cac:LineItem/cac:Item", ns):
                code = (
                    item.findtext("cac:SellersItemIdentification/cbc:ID", namespaces=ns)
                    or ""
                ).strip()
                gtin = (
                    item.findtext(
                        "cac:StandardItemIdentification/cbc:ID", namespaces=ns
                    )
                    or ""
                ).strip()
                name = (
                    item.findtext("cbc:Name", namespaces=ns) or code or gtin
                ).strip()
                domain = (
                    [("barcode", "=", gtin)]
                    if gtin
                    else [("default_code", "=", code)]
                    if code
                    else [("name", "=", name)]
                )
                if not Product.search_count(domain):
                    Product.create(
                        {
                            "name": name,
                            "default_code": code or False,
                            "barcode": gtin or False,
                        }
                    )
                    products += 1
            currencies += seed_currency(
                env, tree.findtext("cbc:DocumentCurrencyCode", namespaces=ns)
            )
    return (
        f"{partners} buyers, {products} products and {currencies} pricelists in "
        "another currency created"
    )


def seed_first_orders(registry, files):
    """Each example imported once by ours as the buyer's first order, committed, the
    contacts that import created reviewed (as a person does with the first order), then
    that quotation and its document deleted (the order id free again): the buyers'
    delivery places and contact persons as a returning buyer has them."""
    with environment(registry, commit=True) as env:
        company = env.ref("base.main_company")
        Partner = env["res.partner"].with_context(tracking_disable=True)
        before = Partner.search_count([])
        for path in files:
            document = received_document(env, company, path.read_bytes(), prefix="seed")
            document._process(commit=False)
            order = document.sale_order_id
            document.unlink()
            order.unlink()
        created = Partner.search_count([]) - before
        Partner.search([("psb_needs_review", "=", True)]).write(
            {"psb_needs_review": False}
        )
    return f"{created} contacts (delivery places, contact persons) created and reviewed"


def seed_currency(env, code):
    """The currency ``code`` active with a pricelist of the company in it (1), unless
    it is the company's or has one (0)."""
    company = env.ref("base.main_company")
    code = (code or "").strip()
    if not code or code == company.currency_id.name:
        return 0
    currency = (
        env["res.currency"]
        .with_context(active_test=False)
        .search([("name", "=", code)], limit=1)
    )
    if not currency or env["product.pricelist"].search_count(
        [("currency_id", "=", currency.id), ("company_id", "in", [False, company.id])]
    ):
        return 0
    currency.active = True
    env["product.pricelist"].create(
        {"name": code, "currency_id": currency.id, "company_id": company.id}
    )
    return 1


def count_lines(xml):
    return xml.count(b"<cac:OrderLine>") or xml.count(b"OrderLine>") // 2


def cmd_imports(registry, args):
    from odoo.addons.sale_econnect_psb.psb.ubl import reader

    patch_odoo_commits()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    reps, theirs_reps = {}, {}
    for item in (
        item for item in args.reps.split(",") if item
    ):  # size:runs[/runs of Odoo's import]
        size, _, counts = item.partition(":")
        ours_count, _, theirs_count = counts.partition("/")
        reps[int(size)] = int(ours_count)
        theirs_reps[int(size)] = int(theirs_count or ours_count)
    deadline = time.monotonic() + args.budget
    out = {"scaling": [], "official": [], "notes": []}

    # Warm-up (registry caches, first-time imports of Python modules): not recorded.
    warm = orders.order_xml("WARM-1", 10, 0, 100)
    run_ours(registry, warm)
    run_theirs(registry, warm)

    # Official examples: which ones each importer imports, and the time ratio. First as
    # they come (buyers and products unknown to this database), then with their buyers
    # and products in it ('known'), then as a returning buyer's next order ('regular').
    files = sorted(Path(args.official).rglob("*.xml")) if args.official else []
    for variant in ("unknown", "known", "regular") if files else ():
        if variant == "known":
            seeded = seed_official(registry, files)
            out["notes"].append(f"official examples, 'known' variant: {seeded}")
        if variant == "regular":
            seeded = seed_first_orders(registry, files)
            out["notes"].append(f"official examples, 'regular' variant: {seeded}")
        for path in files:
            out["official"].append(compare_official(registry, path, args, variant))

    # Generated orders of growing size.
    for size in sizes:
        xml = orders.order_xml(f"SCALE-{size}", size, buyer_index=1, first_product=0)
        parse = []
        for _ in range(max(3, reps.get(size, 3))):
            started = time.perf_counter()
            reader.read_document(xml)
            parse.append(time.perf_counter() - started)
        runs = []
        skipped_theirs = False
        for rep in range(reps.get(size, 3)):
            if runs and time.monotonic() > deadline:
                out["notes"].append(
                    f"{size} lines: stopped after {len(runs)} runs (time budget)"
                )
                break
            with_theirs = not (
                args.theirs_max and size > args.theirs_max
            ) and rep < theirs_reps.get(size, 3)
            skipped_theirs |= args.theirs_max and size > args.theirs_max
            if rep % 2 == 0 or not with_theirs:
                ours = run_ours(registry, xml)
                theirs = run_theirs(registry, xml) if with_theirs else None
            else:
                theirs = run_theirs(registry, xml)
                ours = run_ours(registry, xml)
            runs.append((ours, theirs))
            theirs_text = (
                f"{theirs['seconds']:.3f}s {theirs['queries']}q {theirs['lines']} lines"
                if theirs
                else "-"
            )
            print(
                f"{size} lines run {rep + 1}: ours {ours['seconds']:.3f}s "
                f"{ours['queries']}q "
                f"{ours['lines']} lines; theirs {theirs_text}",
                file=sys.stderr,
                flush=True,
            )
        traced = (
            run_ours(registry, xml, trace=True)
            if args.trace and size <= args.trace_max
            else None
        )
        ours_runs = [r[0] for r in runs]
        theirs_runs = [r[1] for r in runs if r[1]]
        last_ours = ours_runs[-1]
        entry = {
            "lines": size,
            "xml_bytes": len(xml),
            "ours": {
                "ok": all(
                    r["state"] == "imported"
                    and r["lines"] == size
                    and r["matched"] == size
                    for r in ours_runs
                ),
                "seconds": summary([r["seconds"] for r in ours_runs]),
                "ms_per_line": summary(
                    [r["seconds"] * 1000 / size for r in ours_runs], 3
                ),
                "queries": summary([r["queries"] for r in ours_runs], 0),
                "rss_peak_mb": summary([r["rss_peak_mb"] for r in ours_runs], 1),
                "tracemalloc_peak_mb": round(traced["tracemalloc_peak_mb"], 1)
                if traced
                else None,
                "parse_seconds": summary(parse),
                "error": last_ours["error"],
            },
        }
        if theirs_runs:
            paired = [r for r in runs if r[1]]
            entry["theirs"] = {
                "ok": all(
                    r["lines"] == size and r["matched"] == size and not r["error"]
                    for r in theirs_runs
                ),
                "seconds": summary([r["seconds"] for r in theirs_runs]),
                "queries": summary([r["queries"] for r in theirs_runs], 0),
                "rss_peak_mb": summary([r["rss_peak_mb"] for r in theirs_runs], 1),
                "error": theirs_runs[-1]["error"],
                "lines_imported": theirs_runs[-1]["lines"],
            }
            entry["ratio"] = summary(
                [o["seconds"] / t["seconds"] for o, t in paired], 3
            )
        elif skipped_theirs:
            entry["theirs"] = {
                "skipped": f"not run above {args.theirs_max} lines (time budget)"
            }
        out["scaling"].append(entry)
    Path(args.out).write_text(json.dumps(out, indent=2, default=str))


# --------------------------------------------------------------------------------------
# process (figure 2, one worker)
# --------------------------------------------------------------------------------------
def cmd_profile(registry, args):
    """Where an import's queries come from: each query is charged to the innermost frame
    of this addon (file:function) on its stack, and to the innermost Odoo frame below
    that (what the addon called)."""
    import collections
    import traceback

    from odoo import sql_db

    patch_odoo_commits()
    xml = orders.order_xml(
        "PROFILE-1", args.lines, straight_through=args.straight_through
    )
    for _ in range(3):
        run_ours(registry, xml, auto=args.auto)
    runs = [run_ours(registry, xml, auto=args.auto) for _ in range(args.runs)]
    callers = collections.Counter()
    execute = sql_db.Cursor.execute

    def counting(cr, query, params=None, log_exceptions=True):
        stack = traceback.extract_stack(limit=60)[:-1]
        ours = [
            f
            for f in stack
            if "/sale_econnect_psb/" in f.filename
            or f.filename.startswith(str(HERE.parent))
        ]
        if ours:
            frame = ours[-1]
            index = stack.index(frame)
            below = next(
                (f for f in stack[index + 1 :] if "/odoo/" in f.filename), None
            )
            key = f"{Path(frame.filename).name}:{frame.lineno}:{frame.name}"
            if below:
                key += (
                    " -> "
                    f"{Path(below.filename).parent.name}/{Path(below.filename).name}:"
                    f"{below.name}"
                )
            if args.deep:
                key += " .. " + " < ".join(f.name for f in stack[-args.deep :][::-1])
        else:
            key = "(outside the addon)"
        callers[key] += 1
        return execute(cr, query, params, log_exceptions)

    sql_db.Cursor.execute = counting
    try:
        result = run_ours(registry, xml, auto=args.auto)
    finally:
        sql_db.Cursor.execute = execute
    batched = run_ours(registry, xml, auto=args.auto, batched=True)
    if args.cprofile:
        cprofile_runs(registry, xml, args)
    out = {
        "lines": args.lines,
        "state": result["state"],
        "error": result["error"],
        "order_state": result["order_state"],
        "median_ms": round(
            sorted(r["seconds"] for r in runs)[len(runs) // 2] * 1000, 1
        ),
        "queries": result["queries"],
        "queries_in_a_scheduled_run": batched["queries"],
        "by_caller": dict(callers.most_common(args.top)),
    }
    if args.out:
        Path(args.out).write_text(json.dumps(out, indent=2))
    print(json.dumps(out, indent=2))


def run_change(registry, lines, changed):
    """2d in one process: a straight-through Advanced Ordering order of ``lines`` lines
    imported and confirmed automatically, then an Order Change of its first ``changed``
    lines applied automatically; the figures of each (the change's from its XML to its
    AP queued), rolled back."""
    with environment(registry) as env:
        company = env.ref("base.main_company")
        company.psb_auto_confirm = True
        Document = env["econnect.psb.document"].sudo()
        figures = {}
        for kind, topic, xml in (
            (
                "order",
                "OrderReceived",
                orders.order_xml("CHQ-1", lines, straight_through=True, advanced=True),
            ),
            (
                "change",
                "OrderChangeReceived",
                orders.change_xml("CHQ-1", "CHQ-1-CH", changed=changed),
            ),
        ):
            with measured(env) as figures[kind]:
                document = received_document(
                    env,
                    company,
                    xml,
                    kind="order" if kind == "order" else "order_change",
                    topic=topic,
                )
                document._process(commit=False)
            figures[kind]["state"] = document.state
            figures[kind]["error"] = document.error_message or None
        order = (
            document.sale_order_id
            or Document.search(
                [("buyer_order_ref", "=", "CHQ-1")], limit=1
            ).sale_order_id
        )
        figures["order_state"] = f"{order.state} ({order.psb_auto_state})"
        figures["answers"] = order.psb_response_ids.sorted("id").mapped("code")
        return figures


def cmd_changes(registry, args):
    """Queries and time of an order confirmed automatically and of a change applied
    automatically, by size."""
    patch_odoo_commits()
    out = []
    for spec in args.cases.split(","):
        lines, changed = (int(n) for n in spec.split(":"))
        run_change(registry, lines, changed)  # warm-up
        runs = [run_change(registry, lines, changed) for _ in range(args.runs)]
        last = runs[-1]
        entry = {
            "lines": lines,
            "changed": changed,
            "order_queries": [r["order"]["queries"] for r in runs],
            "change_queries": [r["change"]["queries"] for r in runs],
            "order_ms": summary([r["order"]["seconds"] * 1000 for r in runs], 1),
            "change_ms": summary([r["change"]["seconds"] * 1000 for r in runs], 1),
            "change_state": last["change"]["state"],
            "change_error": last["change"]["error"],
            "order_state": last["order_state"],
            "answers": last["answers"],
        }
        out.append(entry)
        print(json.dumps(entry), file=sys.stderr)
    Path(args.out).write_text(json.dumps(out, indent=2))


def cprofile_runs(registry, xml, args):
    """Python time of ``--runs`` imports by function (cProfile), written to
    ``--cprofile`` and its top printed."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    for _ in range(args.runs):
        profiler.enable()
        run_ours(registry, xml, auto=args.auto)
        profiler.disable()
    profiler.dump_stats(args.cprofile)
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(args.top)
    print(text.getvalue(), file=sys.stderr)


def cmd_instructions(registry, args):
    """``--runs`` imports of the same order with callgrind's instrumentation on around
    them only (run under ``valgrind --tool=callgrind --instr-atstart=no``, as
    ``bench/instructions.sh`` does): instructions do not vary with the machine's load,
    so old and new code compare to a fraction of a percent."""

    patch_odoo_commits()
    xml = orders.order_xml("INSTRUCTIONS-1", args.lines)
    for _ in range(2):
        run_ours(registry, xml)
    gc.collect()

    callgrind("-i", "on")
    for _ in range(args.runs):
        result = run_ours(registry, xml)
    callgrind("-i", "off")
    print(
        json.dumps(
            {
                "lines": args.lines,
                "runs": args.runs,
                "queries": result["queries"],
                "state": result["state"],
            }
        )
    )


def cmd_official_instructions(registry, args):
    """Figure 4 in instructions: each official example imported ``--runs`` times by
    ours and by Odoo's import, each importer's runs instrumented on their own and
    dumped as one part of the callgrind output (``callgrind_control --dump``; run under
    ``valgrind --tool=callgrind --instr-atstart=no``, as
    ``bench/official_instructions.sh`` does). As in figure 4 the two importers
    alternate (each measured run follows one of the other's, uninstrumented), since
    what one leaves behind (caches cleared when its rolled-back run activated a
    currency, say) is paid by the next; ``--alone``: each importer's runs follow each
    other. Prints, per part, the file and the importer measured."""

    patch_odoo_commits()
    files = sorted(Path(args.dir).rglob("*.xml"))
    importers = {
        "ours": lambda xml, path: run_ours(registry, xml),
        "theirs": lambda xml, path: run_theirs(registry, xml, name=path.name),
    }

    part = 0
    for path in files:
        xml = path.read_bytes()
        for who, other in (("ours", "theirs"), ("theirs", "ours")):
            for _ in range(2):  # warm-up
                importers[other](xml, path)
                importers[who](xml, path)
            gc.collect()
            for _ in range(args.runs):
                if not args.alone:
                    importers[other](xml, path)
                callgrind("-i", "on")
                result = importers[who](xml, path)
                callgrind("-i", "off")
            callgrind("-d", f"{path.name}-{who}")
            part += 1
            print(
                json.dumps(
                    {
                        "part": part,
                        "file": path.name,
                        "who": who,
                        "runs": args.runs,
                        "lines": result["lines"],
                        "queries": result["queries"],
                        "error": result["error"],
                    }
                ),
                flush=True,
            )


def cmd_process(registry, args):
    from odoo import SUPERUSER_ID, api

    ready = Path(args.ready_dir)
    ready.mkdir(parents=True, exist_ok=True)
    (ready / f"ready-{os.getpid()}").touch()
    wait_until = time.monotonic() + 120
    while (
        len(list(ready.glob("ready-*"))) < args.workers
        and time.monotonic() < wait_until
    ):
        time.sleep(0.05)
    started = time.time()
    deadline = time.monotonic() + args.timeout
    rounds = 0
    while time.monotonic() < deadline and rounds < 100000:
        rounds += 1
        with registry.cursor() as cr:
            # As the scheduled action runs it (the queue commits per step only in a
            # scheduled action's job).
            cron = api.Environment(cr, SUPERUSER_ID, {}).ref(
                "sale_econnect_psb.ir_cron_psb_process_documents"
            )
            env = api.Environment(cr, SUPERUSER_ID, {"cron_id": cron.id})
            Document = env["econnect.psb.document"]
            Document._cron_process_documents()
            cr.commit()
            todo = Document.search_count(Document._queue_due_domain())
        if not todo:
            break
        time.sleep(0.1)
    out = {
        "pid": os.getpid(),
        "started": started,
        "ended": time.time(),
        "rounds": rounds,
        "timed_out": time.monotonic() >= deadline,
    }
    Path(args.out).write_text(json.dumps(out))


def main():
    argv = sys.argv[1:]
    odoo_args = []
    if "--" in argv:
        index = argv.index("--")
        argv, odoo_args = argv[:index], argv[index + 1 :]
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    setup = sub.add_parser("setup")
    setup.add_argument("--out", required=True)
    setup.add_argument("--odoo-url", required=True)
    setup.add_argument("--sandbox-url", required=True)
    setup.add_argument("--client-id", required=True)
    setup.add_argument("--client-secret", required=True)
    setup.add_argument("--secret", required=True)
    setup.add_argument("--register", action="store_true")
    imports = sub.add_parser("imports")
    option = imports.add_argument
    option("--out", required=True)
    option("--sizes", default="1,10,100,1000,5000")
    option(
        "--reps",
        default="1:7,10:7,100:5,1000:3,5000:3/2",
        help="size:runs[/runs of Odoo's import], ...",
    )
    option("--official", default="")
    option("--official-reps", type=int, default=5)
    option(
        "--theirs-max",
        type=int,
        default=0,
        help="skip Odoo's import above this many lines",
    )
    option(
        "--trace", action="store_true", help="one extra run per size under tracemalloc"
    )
    option(
        "--trace-max",
        type=int,
        default=1000,
        help="no tracemalloc run above this many lines",
    )
    option(
        "--budget", type=float, default=300, help="seconds; later sizes get fewer runs"
    )
    profile = sub.add_parser("profile")
    option = profile.add_argument
    option("--out", default="")
    option("--lines", type=int, default=10)
    option("--runs", type=int, default=10)
    option("--top", type=int, default=40)
    option("--straight-through", action="store_true")
    option("--auto", action="store_true", help="with automatic confirmation on")
    option(
        "--deep",
        type=int,
        default=0,
        help="also name the innermost N frames of each query",
    )
    option(
        "--cprofile",
        default="",
        help="also profile --runs imports' Python into this file",
    )
    process = sub.add_parser("process")
    changes = sub.add_parser("changes")
    changes.add_argument("--out", required=True)
    changes.add_argument(
        "--cases",
        default="10:1,10:10,100:1,100:10",
        help="order lines:changed lines, ...",
    )
    changes.add_argument("--runs", type=int, default=3)
    instructions = sub.add_parser("instructions")
    instructions.add_argument("--lines", type=int, default=10)
    instructions.add_argument("--runs", type=int, default=2)
    official = sub.add_parser("official-instructions")
    official.add_argument("--dir", required=True)
    official.add_argument("--runs", type=int, default=2)
    official.add_argument(
        "--alone", action="store_true", help="ours and theirs not alternated"
    )
    process.add_argument("--out", required=True)
    process.add_argument("--ready-dir", required=True)
    process.add_argument("--workers", type=int, default=2)
    process.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args(argv)
    registry = open_registry(odoo_args)
    {
        "setup": cmd_setup,
        "imports": cmd_imports,
        "profile": cmd_profile,
        "instructions": cmd_instructions,
        "official-instructions": cmd_official_instructions,
        "process": cmd_process,
        "changes": cmd_changes,
    }[args.cmd](registry, args)


if __name__ == "__main__":
    main()
