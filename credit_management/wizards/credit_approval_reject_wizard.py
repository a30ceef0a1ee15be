from odoo import fields, models


class CreditApprovalRejectWizard(models.TransientModel):
    _name = "credit.approval.reject.wizard"
    _description = "Refuse Credit Approval"

    request_ids = fields.Many2many("credit.approval.request", string="Requests", required=True)
    reason = fields.Text(required=True, help="The salesperson sees it on the order.")

    def action_reject(self):
        self.request_ids._check_decidable()
        self.request_ids.sudo().write({"reason": self.reason})
        self.request_ids.action_reject()
        return {"type": "ir.actions.act_window_close"}
