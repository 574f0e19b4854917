# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The order desk: the figures of the current company's Peppol orders, each one grouped
query."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from odoo import api, fields, models

# The cards that ask for action when not 0, and how loudly (Bootstrap's colours, as
# Odoo's dashboards use).
ATTENTION = {
    "waiting": "warning",
    "pending": "warning",
    "rules": "warning",
    "team_activities": "warning",
    "overdue": "danger",
    "failed": "danger",
    "errors": "danger",
}


class EconnectPsbDashboard(models.AbstractModel):
    _name = "econnect.psb.dashboard"
    _description = "eConnect PSB: order desk"

    @api.model
    def _period_starts(self):
        """Today's and this week's (Monday) start in the user's time zone, as UTC
        datetimes."""
        zone = ZoneInfo(self.env.user.tz or "UTC")
        today = datetime.now(zone).date()
        week = today - timedelta(days=today.weekday())

        def utc(day):
            return (
                datetime.combine(day, time.min, zone)
                .astimezone(ZoneInfo("UTC"))
                .replace(tzinfo=None)
            )

        return utc(today), utc(week)

    @api.model
    def _age(self, since):
        # The transaction's time, as create_date is.
        hours = max(0, int((self.env.cr.now() - since).total_seconds() // 3600))
        if hours < 48:
            return self.env._("oldest %(n)s h", n=hours)
        return self.env._("oldest %(n)s days", n=round(hours / 24))

    @api.model
    def _team_activities_domain(self, company):
        """The company's Peppol activities assigned to the user, or on orders of a sales
        team the user leads or belongs to (of those, the ones one may see: one's own,
        and those of orders one may read)."""
        uid = self.env.uid
        return [
            ("psb_kind", "!=", False),
            ("res_model", "=", "sale.order"),
            ("psb_sale_order_id", "any", [("company_id", "=", company.id)]),
            "|",
            ("user_id", "=", uid),
            (
                "psb_sale_order_id",
                "any",
                [
                    "|",
                    ("team_id.user_id", "=", uid),
                    ("team_id.member_ids", "in", [uid]),
                ],
            ),
        ]

    @api.model
    def _empty_help(self, key):
        """What an empty list of the card ``key`` shows instead of Odoo's sample
        records: that nothing is there, and what would be (HTML, in the reader's
        language)."""
        return self.env["ir.qweb"]._render(
            "sale_econnect_psb.psb_desk_empty_help", {"key": key}
        )

    @api.model
    def _desk_domains(self, company):
        """Each card's domain: the records its count counts and its list opens."""
        today, week = self._period_starts()
        base = [("company_id", "=", company.id), ("psb_document_id", "!=", False)]
        received_week = base + [("create_date", ">=", fields.Datetime.to_string(week))]
        return {
            "base": base,
            "today": base + [("create_date", ">=", fields.Datetime.to_string(today))],
            "week": received_week,
            "auto": received_week + [("psb_auto_state", "=", "confirmed")],
            # Whom the agreement with the buyer waits for (sale.order.psb_waits_for):
            # counted apart.
            "waiting": base + [("psb_waits_for", "=", "person")],
            "waiting_buyer": base + [("psb_waits_for", "=", "buyer")],
            "queued": base + [("psb_response_state", "=", "queued")],
            "failed": base + [("psb_response_state", "=", "failed")],
            "pending": base + [("psb_pending_document_id", "!=", False)],
            "overdue": base + [("psb_answer_due", "<=", fields.Datetime.now())],
            "errors": [("company_id", "=", company.id), ("state", "=", "error")],
            "rules": [
                ("company_id", "=", company.id),
                ("psb_rule_state", "=", "violations"),
                ("create_date", ">=", fields.Datetime.to_string(week)),
            ],
            "team_activities": self._team_activities_domain(company),
        }

    @api.model
    def _desk_counts(self, domains):
        """The cards' counts (and the oldest of those waiting), grouped where one query
        serves several."""
        SaleOrder = self.env["sale.order"]
        Document = self.env["econnect.psb.document"]
        base = domains["base"]
        waits = {
            who: (count, oldest)
            for who, count, oldest in SaleOrder._read_group(
                base + [("psb_waits_for", "!=", False)],
                ["psb_waits_for"],
                ["__count", "create_date:min"],
            )
        }
        answers = dict(
            SaleOrder._read_group(
                base + [("psb_response_state", "in", ("queued", "failed"))],
                ["psb_response_state"],
                ["__count"],
            )
        )
        counts = {
            key: SaleOrder.search_count(domains[key])
            for key in ("today", "week", "auto", "overdue", "pending")
        }
        counts.update(
            {key: Document.search_count(domains[key]) for key in ("errors", "rules")},
            queued=answers.get("queued", 0),
            failed=answers.get("failed", 0),
            team_activities=self.env["mail.activity"].search_count(
                domains["team_activities"]
            ),
        )
        for key, who in (("waiting", "person"), ("waiting_buyer", "buyer")):
            counts[key], oldest = waits.get(who, (0, None))
            counts[f"{key}_hint"] = self._age(oldest) if counts[key] and oldest else ""
        return counts

    @api.model
    def _desk_card(
        self, key, label, value, domain, model="sale.order", hint="", action=False
    ):
        return {
            "key": key,
            "label": label,
            "value": value,
            "domain": domain,
            "model": model,
            "hint": hint,
            "action": action,
            # The list it opens: empty, it says so (no sample records); orders in the
            # desk's own list.
            "help": str(self._empty_help(key)) if not action else "",
            "view_id": model == "sale.order"
            and self.env["ir.model.data"]._xmlid_to_res_id(
                "sale_econnect_psb.view_sale_order_psb_desk_list"
            ),
            "attention": ATTENTION.get(key, "")
            if isinstance(value, int) and value
            else "",
        }

    @api.model
    def get_figures(self):
        """The order desk's cards for the current company: count, label, and the list
        each one opens."""
        company = self.env.company
        domains = self._desk_domains(company)
        counts = self._desk_counts(domains)
        labels = self._desk_labels()
        documents = ("errors", "rules")
        figures = [
            self._desk_card(
                key,
                label,
                counts[key],
                domains[key],
                model="econnect.psb.document" if key in documents else "sale.order",
                hint=counts.get(f"{key}_hint", ""),
            )
            for key, label in labels.items()
        ]
        figures += self._desk_extra_cards(domains, counts)
        return {"company": company.name, "figures": figures}

    @api.model
    def _desk_labels(self):
        """The labels of the cards that count records, in the desk's order."""
        return {
            "today": self.env._("Orders received today"),
            "week": self.env._("Orders received this week"),
            "auto": self.env._("Confirmed automatically this week"),
            "waiting": self.env._("Waiting for a person"),
            "waiting_buyer": self.env._("Waiting for the buyer"),
            "overdue": self.env._("Answers overdue"),
            "queued": self.env._("Answers not yet sent"),
            "failed": self.env._("Answers failed"),
            "errors": self.env._("Documents in error"),
            "rules": self.env._("Received this week breaking Peppol rules"),
            "pending": self.env._("Changes and cancellations awaiting a decision"),
        }

    @api.model
    def _desk_extra_cards(self, domains, counts):
        """The cards after the counted ones: the team's activities and the touchless
        rate."""
        week_count, auto_count = counts["week"], counts["auto"]
        return [
            self._desk_card(
                "team_activities",
                self.env._("Peppol activities: mine and my team's"),
                counts["team_activities"],
                domains["team_activities"],
                model="mail.activity",
                hint=self.env._("yours, and those on your sales teams' orders"),
                action="sale_econnect_psb.action_psb_team_activities",
            ),
            self._desk_card(
                "touchless",
                self.env._("Touchless rate this week"),
                f"{round(100 * auto_count / week_count)} %" if week_count else "-",
                domains["auto"],
                hint=self.env._(
                    "%(auto)s of %(total)s orders confirmed without a person",
                    auto=auto_count,
                    total=week_count,
                ),
            ),
        ]
