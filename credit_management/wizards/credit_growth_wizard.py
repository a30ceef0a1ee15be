from odoo import _, fields, models


class CreditGrowthWizard(models.TransientModel):
    """A salesperson asks for the credit decision a larger total of a confirmed order needs, before
    making the change (the gate refuses the change until then)."""

    _name = "credit.growth.wizard"
    _inherit = ["credit.number.mixin"]
    _description = "Ask Credit Approval for a Larger Total"

    order_id = fields.Many2one("sale.order", required=True, readonly=True)
    currency_id = fields.Many2one(related="order_id.currency_id")
    amount_total = fields.Monetary(related="order_id.amount_total", string="Current Total")
    new_total = fields.Monetary(required=True, help="The order's total after the change.")

    def action_request(self):
        self.ensure_one()
        request = self.env["credit.approval.request"]._request_growth(self.order_id, self.new_total)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _("%s: a credit controller has been asked.", request.name),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
