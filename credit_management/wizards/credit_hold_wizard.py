from odoo import fields, models


class CreditHoldWizard(models.TransientModel):
    _name = "credit.hold.wizard"
    _description = "Put Customers on Credit Hold"

    partner_ids = fields.Many2many(
        "res.partner",
        string="Customers",
        default=lambda self: self.env["res.partner"].browse(self.env.context.get("active_ids", [])),
    )
    reason = fields.Char(required=True, help="Shown to salespeople when an order is blocked.")

    def action_confirm(self):
        self.partner_ids._check_credit_write({"credit_hold": True})
        self.partner_ids._credit_set_hold(True, self.reason)
        return {"type": "ir.actions.act_window_close"}
