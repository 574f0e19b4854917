# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re
import time

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..psb import autoconfirm, line_checks, signature
from ..psb import client as psb_client
from .dialog import psb_user_error
from .psb_messages import psb_error_text

PSB_GROUP = "sale_econnect_psb.group_psb_manager"
# One plain address: it becomes a mailto: URL, so no list, no spaces, no ?query and no
# %-escapes.
#: The widest replay window allowed for webhook events, in minutes (0 turns the check
#: off).
MAX_SIGNATURE_WINDOW = 60
ALERT_EMAIL_RE = re.compile(
    r"^[A-Za-z0-9._+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,63}$"
)
#: The PSB's environments (a neutralized copy of the database is off).
PSB_ENVIRONMENTS = [
    ("acceptance", "Acceptance (test)"),
    ("production", "Production"),
    ("custom", "Custom URLs"),
    ("disabled", "Off (neutralized copy)"),
]
#: Where the registration of the company's webhook at the PSB stands.
HOOK_STATES = [
    ("none", "Not registered"),
    ("registered", "Registered"),
    ("error", "Registration failed"),
]
#: Where the alert e-mail hook stands: a webhook's states, and deactivated when the
#: alert address was cleared.
ALERT_HOOK_STATES = [*HOOK_STATES[:2], ("inactive", "Deactivated"), HOOK_STATES[2]]


def _psb_connection(field_type, *args, **kwargs):
    """A field of the company's connection to the PSB (its webhook and alert hook): for
    the PSB managers, and not copied with the company."""
    return field_type(*args, copy=False, groups=PSB_GROUP, **kwargs)


class ResCompany(models.Model):
    _inherit = "res.company"

    psb_environment = fields.Selection(
        PSB_ENVIRONMENTS,
        string="PSB Environment",
        default="acceptance",
        groups=PSB_GROUP,
    )
    psb_api_url = fields.Char("PSB API URL", groups=PSB_GROUP)
    psb_identity_url = fields.Char("PSB Identity URL", groups=PSB_GROUP)
    psb_client_id = fields.Char("PSB Client ID", groups=PSB_GROUP)
    psb_client_secret = fields.Char("PSB Client Secret", groups=PSB_GROUP)
    psb_username = fields.Char("PSB Username", groups=PSB_GROUP)
    psb_password = fields.Char("PSB Password", groups=PSB_GROUP)
    psb_subscription_key = fields.Char("PSB Subscription Key", groups=PSB_GROUP)
    psb_party_id = fields.Char(
        "PSB Party ID",
        help="This company's Peppol identifier at the PSB, e.g. 0106:12345678 or "
        "NL:KVK:12345678.",
        copy=False,
    )
    psb_webhook_secret = _psb_connection(fields.Char, "PSB Webhook Secret")
    psb_hook_id = _psb_connection(fields.Char, "PSB Hook ID")
    psb_hook_state = _psb_connection(
        fields.Selection, HOOK_STATES, string="Webhook Registration", default="none"
    )
    psb_hook_message = _psb_connection(fields.Char, "Webhook Registration Message")
    psb_hook_url = _psb_connection(fields.Char, "Registered Webhook URL")
    psb_alert_email = fields.Char(
        "Alert e-mail",
        groups=PSB_GROUP,
        help="When set, Register webhook also asks the PSB to e-mail this address "
        "when it cannot deliver an "
        "event to Odoo (HookSentRetry: it will retry; HookSentError: it gave up). "
        "Such a document is then "
        "fetched with Sales > Peppol > Import a document, by its PSB document id.",
    )
    psb_alert_hook_id = _psb_connection(fields.Char, "PSB Alert Hook ID")
    psb_alert_hook_email = _psb_connection(
        fields.Char,
        "Alert Hook Address",
        help="The address of the alert hook as last registered at the PSB.",
    )
    psb_alert_hook_state = _psb_connection(
        fields.Selection,
        ALERT_HOOK_STATES,
        string="Alert Hook",
        default="none",
        help="The PSB's e-mail hook on HookSentRetry and HookSentError, kept in line "
        "with the alert e-mail "
        "by Register webhook.",
    )
    psb_alert_hook_message = _psb_connection(fields.Char, "Alert Hook Message")
    psb_hook_last_ping_at = _psb_connection(
        fields.Datetime,
        "Last Test Event Received",
        help="When the webhook last received a correctly signed event that is not a "
        "document, such as the "
        "PSB's Ping sent by Test webhook.",
    )
    psb_hook_last_ping_topic = _psb_connection(
        fields.Char,
        "Last Test Event Topic",
        help="The topic of the last correctly signed event that is not a document "
        "(Ping for Test webhook).",
    )
    psb_access_token = fields.Char(copy=False, groups="base.group_system")
    psb_token_expires_at = fields.Float(copy=False, groups="base.group_system")
    psb_signature_window = fields.Integer(
        "Webhook Replay Window (minutes)",
        default=5,
        groups=PSB_GROUP,
        help="Webhook events whose sentOn is further than this from now are refused "
        "(1 to "
        f"{MAX_SIGNATURE_WINDOW} minutes). 0 disables the check.",
    )
    psb_user_id = fields.Many2one(
        "res.users",
        string="PSB Responsible",
        help="Salesperson of imported orders whose customer has none, and who gets "
        "their follow-up activities. "
        "When empty: who imports the order by hand, else the leader of the customer's "
        "sales team (else of the "
        "company's first sales team), else the user who registered the webhook, else "
        "a sales administrator. "
        "Document errors are written in this user's language (else the company's).",
    )
    psb_hook_user_id = fields.Many2one(
        "res.users",
        "Webhook Registered By",
        copy=False,
        readonly=True,
        help="The user who last registered the webhook: follows up imported orders "
        "when nobody else is set.",
    )
    psb_delete_after_import = fields.Boolean(
        "Delete at the PSB after import",
        help="Delete a document at the PSB once it is safely stored and imported in "
        "Odoo "
        "(otherwise the PSB deletes it 7 days after the first download).",
    )

    psb_auto_acknowledge = fields.Boolean(
        "Acknowledge imported orders (AB)",
        default=True,
        help="Send a Peppol Order Response AB (received) as soon as an order is "
        "imported.",
    )
    psb_answer_on_confirm = fields.Boolean(
        "Answer on confirmation (AP / CA)",
        default=True,
        help="When a quotation from a Peppol order is confirmed and not answered yet, "
        "send AP when it is "
        "unchanged, CA with the changed lines otherwise.",
    )
    psb_responses_as_ubl = fields.Boolean(
        "Send Order Responses as UBL",
        help="Send each Order Response to the PSB as the full UBL Order Response "
        "(application/xml, every line "
        "in it) instead of the documented JSON body, whose note is limited and "
        "carries no lines. eConnect's "
        "newer pages say the same endpoint accepts it: check with eConnect before "
        "switching it on.",
    )
    psb_confirm_check = fields.Selection(
        [("warn", "Warn"), ("refuse", "Refuse")],
        "Confirming an order that needs attention",
        default="warn",
        required=True,
        help="A quotation from a Peppol order with a line whose product is not "
        "identified or has no price, or "
        "whose import notes nobody checked yet: Warn shows what is open before "
        "confirming; Refuse does not "
        "confirm it until it is fixed.",
    )

    psb_auto_cancel = fields.Boolean(
        "Cancel on the buyer's request",
        help="Cancel an order at once when the buyer sends an Order Cancellation and "
        "nothing was delivered or "
        "invoiced yet, and accept it (AP). Otherwise a person decides.",
    )

    # Straight-through orders (see psb/autoconfirm.py): automatic confirmation and its
    # conditions.
    psb_auto_confirm = fields.Boolean(
        "Confirm Peppol orders automatically",
        help="Confirm an imported Peppol order (and accept it, AP) when every "
        "condition below is met; "
        "otherwise it stays a quotation and says which condition failed.",
    )
    psb_auto_confirm_uploads = fields.Boolean(
        "Also orders uploaded by hand",
        help="Confirm orders uploaded by a person (Import a document, Upload Request "
        "for Quotation) automatically "
        "too. Off by default: nothing authenticates an uploaded file's sender, unlike "
        "an order the PSB delivered.",
    )
    psb_auto_known_customer = fields.Boolean(
        "Only customers that existed before",
        default=True,
        help="Not a customer created from a Peppol order (until a person unticks "
        "Created from a Peppol Order).",
    )
    psb_auto_identified_lines = fields.Boolean(
        "Every line matched by an identifier",
        default=True,
        help="GTIN, our code or the customer's code; not by the item name, not the "
        "unidentified item.",
    )
    psb_auto_units = fields.Boolean("Every unit known and convertible", default=True)
    psb_auto_price_mode = fields.Selection(
        [
            ("tolerance", "Within a tolerance of our price"),
            ("accept", "Accept the buyer's price"),
        ],
        "Buyer's prices",
        default="tolerance",
        required=True,
        help="Compare the buyer's net price with our pricelist price for that "
        "customer.",
    )
    psb_auto_price_tolerance = fields.Float(
        "Price tolerance (%)",
        default=0.0,
        help="How far (in %, up or down) the buyer's net price may be from ours; also "
        "flags price differences "
        "on the lines whatever the other settings.",
    )
    psb_auto_totals = fields.Boolean("The totals check passes", default=True)
    psb_auto_future_date = fields.Boolean(
        "Requested delivery date not in the past", default=True
    )
    psb_auto_note_needs_person = fields.Boolean(
        "A buyer's note needs a person",
        default=True,
        help="An order or a line with a note from the buyer stays for a person.",
    )
    psb_auto_max_amount = fields.Monetary(
        "Maximum order amount",
        currency_field="currency_id",
        help="Orders above this total (in the company's currency) stay for a person. "
        "0: no maximum.",
    )
    psb_auto_trusted_only = fields.Boolean(
        "Only trusted customers",
        help="Only customers marked Trusted for automatic confirmation.",
    )
    psb_answer_hours = fields.Integer(
        "Answer Peppol orders within (hours)",
        default=24,
        help="How long a Peppol order may wait for our answer (accept, accept with "
        "changes or reject) after it "
        "was received. Past it, the order counts as an overdue answer on the order "
        "desk and its sales team's "
        "leader gets an activity. A customer may have its own time. 0: no answering "
        "time.",
    )
    psb_auto_order_types = fields.Char(
        "Order types confirmed",
        default=autoconfirm.ORDINARY_ORDER,
        help="The buyer's order types (OrderTypeCode, UNCL1001) confirmed "
        "automatically, separated by commas: "
        "220 is an ordinary order, and an order that names no type counts as one. "
        "Other types (227, a "
        "consignment order, say) stay for a person, who is told the type.",
    )
    psb_create_pricelist = fields.Boolean(
        "Create a pricelist for a new order currency",
        default=True,
        help="When an order is in a currency no pricelist uses, create a pricelist "
        "named after the currency "
        "(and flag the quotation). Off: such an order waits for a person in Incoming "
        "documents.",
    )
    psb_discount_product_id = fields.Many2one(
        "product.product",
        "Order discount product",
        check_company=True,
        help="The product of the quotation lines made of the order's document-level "
        "allowances (discounts). "
        "Empty: the module's Peppol order discount.",
    )
    psb_charge_product_id = fields.Many2one(
        "product.product",
        "Order charge product",
        check_company=True,
        help="The product of the quotation lines made of the order's document-level "
        "charges. Empty: the "
        "module's Peppol order charge.",
    )
    psb_freight_product_id = fields.Many2one(
        "product.product",
        "Freight charge product",
        check_company=True,
        help="The product of a freight charge (reason code FC), e.g. your delivery "
        "product. Empty: the delivery "
        "module's standard delivery product when it is installed, else the order "
        "charge product.",
    )

    # A received document's life: download format, size limits, line limits.
    psb_download_as = fields.Char(
        "Download orders as",
        groups=PSB_GROUP,
        help="A Peppol document type id passed to the PSB as targetDocumentTypeId "
        "when downloading, so that the "
        "PSB converts the document to it. Empty (the default): the format the buyer "
        "sent. Whatever the PSB "
        "returns must be a Peppol BIS 3 Order, Order Change or Order Cancellation.",
    )
    psb_keep_max_mb = fields.Integer(
        "Keep documents up to (MB)",
        default=200,
        groups=PSB_GROUP,
        help="Downloaded documents up to this size are kept in Odoo (attachment), "
        "whatever the import limit.",
    )
    psb_import_max_mb = fields.Integer(
        "Import documents up to (MB)",
        default=20,
        groups=PSB_GROUP,
        help="A kept document larger than this is not imported: raise the limit and "
        "press Retry.",
    )
    psb_max_line_quantity = fields.Float(
        "Largest plausible line quantity",
        default=float(line_checks.DEFAULT_MAX_QUANTITY),
        help="A line ordering more than this is flagged on the quotation (0: no "
        "limit).",
    )
    psb_max_unit_price = fields.Float(
        "Largest plausible unit price",
        default=float(line_checks.DEFAULT_MAX_UNIT_PRICE),
        help="A line priced above this per unit is flagged on the quotation (0: no "
        "limit).",
    )

    _psb_party_id_uniq = models.UniqueIndex(
        # Case-insensitive, as the webhook looks a party id up (Peppol ids are
        # case-insensitive).
        "(lower(psb_party_id)) WHERE psb_party_id IS NOT NULL",
        "Another company already uses this PSB party id.",
    )

    # ------------------------------------------------------------------
    # Client
    # ------------------------------------------------------------------
    def _psb_urls(self):
        self.ensure_one()
        company = self.sudo()
        if company.psb_environment in psb_client.ENVIRONMENTS:
            return psb_client.ENVIRONMENTS[company.psb_environment]
        return (company.psb_api_url or "").rstrip("/"), (
            company.psb_identity_url or ""
        ).rstrip("/")

    def _psb_check_configured(self):
        self.ensure_one()
        company = self.sudo()
        if company.psb_environment == "disabled":
            raise UserError(
                self.env._(
                    "The eConnect PSB connection of %s is switched off (this database "
                    "is a neutralized copy). Choose "
                    "an environment in Settings > Sales > eConnect PSB to use it "
                    "again.",
                    self.name,
                )
            )
        api_url, identity_url = company._psb_urls()
        missing = [
            label
            for label, value in (
                (self.env._("API URL"), api_url),
                (self.env._("Identity URL"), identity_url),
                (self.env._("Client ID"), company.psb_client_id),
                (self.env._("Client Secret"), company.psb_client_secret),
                (self.env._("Party ID"), company.psb_party_id),
            )
            if not value
        ]
        if missing:
            raise UserError(
                self.env._(
                    "The eConnect PSB connection of %(company)s is not configured: "
                    "%(missing)s missing. "
                    "Set it in Settings > Sales > eConnect PSB.",
                    company=self.name,
                    missing=", ".join(missing),
                )
            )

    def _psb_client(self):
        """A PSB client for this company; its access token is shared by all workers
        through the database."""
        self.ensure_one()
        self._psb_check_configured()
        company = self.sudo()
        api_url, identity_url = company._psb_urls()
        return psb_client.PsbClient(
            api_url,
            identity_url,
            company.psb_client_id,
            company.psb_client_secret,
            username=company.psb_username or None,
            password=company.psb_password or None,
            subscription_key=company.psb_subscription_key or None,
            token_store=_CompanyTokenStore(company),
        )

    def _psb_webhook_url(self):
        base_url = self.get_base_url()
        return f"{base_url}/econnect_psb/webhook"

    @api.constrains("psb_signature_window")
    def _check_psb_signature_window(self):
        for company in self.sudo():
            if not 0 <= company.psb_signature_window <= MAX_SIGNATURE_WINDOW:
                raise ValidationError(
                    self.env._(
                        "The webhook replay window of %(company)s must be 0 (no "
                        "check) or 1 to %(max)s minutes.",
                        company=company.name,
                        max=MAX_SIGNATURE_WINDOW,
                    )
                )

    @api.constrains("psb_auto_order_types")
    def _check_psb_auto_order_types(self):
        for company in self:
            try:
                autoconfirm.parse_order_types(company.psb_auto_order_types)
            except ValueError:
                raise ValidationError(
                    self.env._(
                        "Order types confirmed: give order type codes (numbers such "
                        "as 220) separated by commas, "
                        "not %s.",
                        company.psb_auto_order_types,
                    )
                ) from None

    @api.constrains("psb_alert_email")
    def _check_psb_alert_email(self):
        for company in self:
            company._psb_alert_address()

    def _psb_alert_address(self):
        """The alert e-mail address without surrounding spaces, False when none is set;
        refuses a bad one."""
        self.ensure_one()
        return self._psb_check_alert_address(self.sudo().psb_alert_email)

    def _psb_check_alert_address(self, address):
        """``address`` without surrounding spaces, False when empty; refuses one that is
        not one e-mail address."""
        self.ensure_one()
        address = (address or "").strip()
        if address and not ALERT_EMAIL_RE.match(address):
            raise ValidationError(
                self.env._(
                    "The alert e-mail of %(company)s, %(address)s, is not a valid "
                    "e-mail address: enter one "
                    "address, such as it@example.com.",
                    company=self.name,
                    address=address,
                )
            )
        return address or False

    def _psb_register_webhook(self):
        """Register (or update in place) this company's party hook at the PSB, and its
        alert e-mail hook.

        :returns: False when the webhook is registered but its alert e-mail hook could
            not be (the reason is in ``psb_alert_hook_message``), True otherwise.
        """
        self.ensure_one()
        company = self.sudo()
        # Checked before anything is sent: a typo in the address leaves the PSB
        # untouched.
        alert_address = company._psb_alert_address()
        client = company._psb_client()
        if not company.psb_webhook_secret:
            company.psb_webhook_secret = signature.generate_secret()
        hook_id = company.psb_hook_id or f"odoo-{self.env.cr.dbname}-{company.id}"
        url = company._psb_webhook_url()
        hook = psb_client.build_hook(
            hook_id,
            f"Odoo {company.name}",
            url,
            company.psb_webhook_secret,
            psb_client.SELLER_TOPICS,
        )
        try:
            result = client.put_hook(hook, party_id=company.psb_party_id)
        except psb_client.PsbError as exc:
            company.write(
                {
                    "psb_hook_state": "error",
                    "psb_hook_message": psb_error_text(self.env, exc),
                }
            )
            raise psb_user_error(
                self.env, exc, self.env._("The webhook could not be registered: %s")
            ) from exc
        company._psb_note_webhook_registered(result, hook_id, url)
        return company._psb_register_alert_hook(client, alert_address)

    def _psb_note_webhook_registered(self, result, hook_id, url):
        """Record on the company that the PSB took its party hook (``result`` is the
        PSB's answer), and who registered it when a person did."""
        self.ensure_one()
        company = self.sudo()
        registrar = self.env.user
        if not registrar._is_superuser() and not registrar.share:
            company.psb_hook_user_id = registrar
        company.write(
            {
                "psb_hook_id": (result or {}).get("id") or hook_id,
                "psb_hook_state": "registered",
                "psb_hook_url": url,
                "psb_hook_message": self.env._(
                    "Registered on %(date)s for %(topics)s.",
                    date=fields.Datetime.now().strftime("%Y-%m-%d %H:%M"),
                    topics=", ".join(psb_client.SELLER_TOPICS),
                ),
            }
        )

    def _psb_register_alert_hook(self, client, address):
        """Keep the PSB's alarm e-mail hook in line with ``address``: registered or
        updated in place (PUT on a stable id) when there is one, deactivated in place
        when it was cleared, only if one was registered. It never raises: the webhook is
        registered by now, and rolling back would lose the webhook secret the PSB
        already signs with.
        """
        self.ensure_one()
        company = self.sudo()
        if not address and company._psb_alert_hook_nothing_to_deactivate():
            return True
        hook_id = company.psb_alert_hook_id or f"{company.psb_hook_id}-alert"
        hook = psb_client.build_mail_hook(
            hook_id,
            f"Odoo {company.name} alarm",
            address or company.psb_alert_hook_email,
            psb_client.ALERT_TOPICS,
            active=bool(address),
        )
        try:
            result = client.put_hook(hook, party_id=company.psb_party_id)
        except psb_client.PsbError as exc:
            company.write(
                {
                    "psb_alert_hook_state": "error",
                    "psb_alert_hook_message": self.env._(
                        "The alert e-mail hook could not be registered: %s",
                        psb_error_text(self.env, exc),
                    ),
                }
            )
            return False
        company._psb_note_alert_hook(result, hook_id, address)
        return True

    def _psb_alert_hook_nothing_to_deactivate(self):
        """Whether a cleared alert address leaves nothing to deactivate at the PSB (no
        hook registered, or already inactive); a failed first registration is then
        forgotten."""
        self.ensure_one()
        company = self.sudo()
        if company.psb_alert_hook_id and company.psb_alert_hook_state != "inactive":
            return False
        if (
            company.psb_alert_hook_state == "error"
        ):  # a first registration failed, then the address went
            company.write(
                {
                    "psb_alert_hook_state": "none",
                    "psb_alert_hook_message": False,
                }
            )
        return True

    def _psb_note_alert_hook(self, result, hook_id, address):
        """Record on the company what the PSB took: the alert e-mail hook registered
        for ``address``, or deactivated when there is none."""
        self.ensure_one()
        company = self.sudo()
        date = fields.Datetime.now().strftime("%Y-%m-%d %H:%M")
        if address:
            company.write(
                {
                    "psb_alert_hook_id": (result or {}).get("id") or hook_id,
                    "psb_alert_hook_email": address,
                    "psb_alert_hook_state": "registered",
                    "psb_alert_hook_message": self.env._(
                        "The PSB e-mails %(address)s when it cannot deliver to Odoo "
                        "(%(topics)s); registered on "
                        "%(date)s.",
                        address=address,
                        topics=", ".join(psb_client.ALERT_TOPICS),
                        date=date,
                    ),
                }
            )
        else:
            company.write(
                {
                    "psb_alert_hook_state": "inactive",
                    "psb_alert_hook_message": self.env._(
                        "Deactivated on %(date)s: no alert e-mail is set.", date=date
                    ),
                }
            )

    def _psb_ping_webhook(self):
        """Ask the PSB to send a test event (topic Ping) to this company's hooks. The
        PSB delivers it later, in the background; the webhook notes its arrival
        (``_psb_note_hook_event``)."""
        self.ensure_one()
        company = self.sudo()
        if company.psb_hook_state != "registered":
            raise UserError(
                self.env._(
                    "The webhook of %s is not registered at the PSB: press Register "
                    "webhook first.",
                    company.name,
                )
            )
        try:
            company._psb_client().ping_hooks(company.psb_party_id)
        except psb_client.PsbError as exc:
            raise psb_user_error(
                self.env,
                exc,
                self.env._("The PSB could not be asked to test the webhook: %s"),
            ) from exc
        return True

    def _psb_note_hook_event(self, topic):
        """Note that a correctly signed event that is not a document (the PSB's Ping)
        reached the webhook.

        Called for those topics only: a write on the company row for every order
        delivery would make concurrent deliveries wait for each other.
        """
        self.ensure_one()
        self.sudo().write(
            {
                "psb_hook_last_ping_at": fields.Datetime.now(),
                "psb_hook_last_ping_topic": topic[:100],
            }
        )

    def _psb_default_responsible(self, partner=None):
        """Who follows up a Peppol order when neither the customer's salesperson nor the
        PSB responsible is set: the leader of the customer's sales team, else of the
        company's first sales team with a leader, else the user who registered the
        webhook (an empty recordset when none of them is set)."""
        self.ensure_one()

        def usable(user):
            return (
                user
                if user and user.active and not user.share and self in user.company_ids
                else user.browse()
            )

        # res.partner has a sales team once crm is installed
        leader = (
            usable(partner.team_id.user_id)
            if partner and "team_id" in partner._fields
            else None
        )
        if not leader:
            # Searched and read in one query (``_search_loaded``).
            team = self.env["econnect.psb.order.import"]._search_loaded(
                self.env["crm.team"].sudo(),
                [("company_id", "in", [False, self.id]), ("user_id", "!=", False)],
                order="sequence, id",
                limit=1,
            )
            leader = usable(team.user_id)
        return (leader or usable(self.sudo().psb_hook_user_id)).sudo(False)

    def _psb_lang(self):
        """The language of the texts the PSB pipeline writes for the company (document
        errors): its PSB responsible's, else the company's."""
        self.ensure_one()
        company = self.sudo()
        return company.psb_user_id.lang or company.partner_id.lang or self.env.lang

    @api.model
    def _psb_company_for_party(self, party_id):
        if not party_id:
            return self.browse()
        # Case-insensitive, but exact: no LIKE wildcard in a party id coming from
        # outside.
        escaped = (
            party_id.strip()
            .replace("\\", "\\\\")
            .replace("%", "\\%")
            .replace("_", "\\_")
        )
        # search_fetch: the webhook reads these two fields, not the company's hundred
        # others.
        return self.sudo().search_fetch(
            [("psb_party_id", "=ilike", escaped)],
            ["psb_webhook_secret", "psb_signature_window"],
            limit=1,
        )


class _CompanyTokenStore:
    """Keeps the PSB access token on the company row, so every worker reuses it until it
    expires."""

    def __init__(self, company):
        self.company = company

    def get(self):
        company = self.company
        if company.psb_access_token and company.psb_token_expires_at > time.time():
            return company.psb_access_token, company.psb_token_expires_at
        return None

    def set(self, token, expires_at):
        # Written in the caller's transaction; the scheduled action commits after each
        # document, so other workers see it from then on (a rolled-back token only costs
        # one new request).
        self.company.write(
            {"psb_access_token": token, "psb_token_expires_at": expires_at}
        )
