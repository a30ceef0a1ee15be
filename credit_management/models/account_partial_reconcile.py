from odoo import api, models


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        partials._credit_enqueue()
        return partials

    def unlink(self):
        self._credit_enqueue()
        return super().unlink()

    def _credit_enqueue(self):
        """Payments reconciled or unreconciled change the customers' behaviour: mark them."""
        lines = (self.debit_move_id | self.credit_move_id).filtered(
            lambda line: line.partner_id and line.account_id.account_type == "asset_receivable"
        )
        if lines:
            self.env["credit.rescore.queue"].sudo()._enqueue(
                [line.partner_id.id for line in lines], [line.company_id.id for line in lines], "payment"
            )
