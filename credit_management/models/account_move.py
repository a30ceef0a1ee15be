from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._credit_enqueue()
        return posted

    def button_draft(self):
        res = super().button_draft()
        self._credit_enqueue()
        return res

    def button_cancel(self):
        res = super().button_cancel()
        self._credit_enqueue()
        return res

    def _credit_enqueue(self):
        """Mark the customers of these sale documents for rescoring (one INSERT)."""
        queue = self.env["credit.rescore.queue"].sudo()
        for reason, moves in (
            ("invoice", self.filtered(lambda m: m.move_type in ("out_invoice", "out_receipt"))),
            ("refund", self.filtered(lambda m: m.move_type == "out_refund")),
        ):
            if moves:
                queue._enqueue(
                    [m.commercial_partner_id.id for m in moves], [m.company_id.id for m in moves], reason
                )
