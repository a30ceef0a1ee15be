from odoo import api, fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    credit_policy_ids = fields.One2many("credit.policy", "company_id")

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        for company in companies:
            self.env["credit.policy"]._create_defaults(company)
        return companies
