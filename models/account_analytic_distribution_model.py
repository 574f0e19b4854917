# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models, tools


class AccountAnalyticDistributionModel(models.Model):
    _inherit = "account.analytic.distribution.model"

    @api.model
    @tools.ormcache("company_id")
    def _psb_any_for_company(self, company_id):
        """Whether any distribution model may apply to the company's lines (its own or
        one without a company): cached until a model is added, changed or removed (the
        import asks for every order)."""
        return bool(
            self.sudo().search_count(
                [("company_id", "in", [False, company_id])], limit=1
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()
