import logging

from odoo import models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _check_amount_and_confirm_order(self):
        """Money taken is never lost to credit: the quotations a payment confirms pass the credit gate,
        which counts what was paid as received, and one that credit still refuses stays a quotation,
        with a note and a to-do for its salesperson, while the payment's processing goes on."""
        confirmed = self.env["sale.order"]
        for tx in self:
            try:
                with self.env.cr.savepoint():
                    confirmed |= super(PaymentTransaction, tx)._check_amount_and_confirm_order()
            except UserError as error:
                _logger.info("Payment %s: order left unconfirmed by the credit check", tx.reference)
                tx.sale_order_ids._credit_payment_refused(tx, error)
        return confirmed.filtered(lambda o: o.state == "sale")
