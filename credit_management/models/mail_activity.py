from odoo import fields, models
from odoo.exceptions import AccessError

ALERT_KINDS = [
    ("grade_drop", "Grade dropped"),
    ("score_below", "Score below threshold"),
    ("utilisation", "Credit utilisation high"),
    ("hold", "Credit hold placed"),
    ("bureau_signal", "New risk signal from a credit bureau"),
    ("bureau_rating", "Bureau rating dropped"),
]


class MailActivity(models.Model):
    _inherit = "mail.activity"

    credit_alert_kind = fields.Selection(
        ALERT_KINDS,
        index="btree_not_null",
        help="Set on credit review alerts; one open alert per kind and customer.",
    )

    def _action_done(self, feedback=False, attachment_ids=None):
        self._check_credit_review_closer()
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)

    def unlink(self):
        self._check_credit_review_closer()
        return super().unlink()

    def _check_credit_review_closer(self):
        """A credit review is the controllers' to close: a salesperson who can edit the customer cannot
        mark it done or cancel it."""
        if self.env.su or not self.filtered("credit_alert_kind"):
            return
        if not self.env.user.has_group("credit_management.group_credit_controller"):
            raise AccessError(self.env._("Only a credit controller can close a credit review."))
