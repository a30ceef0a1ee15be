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

    def write(self, vals):
        self._check_credit_review_closer()
        return super().write(vals)

    def unlink(self):
        self._check_credit_review_closer()
        return super().unlink()

    def _check_credit_review_closer(self):
        """A credit review (an alert on a customer, an order confirmed over credit, a review a salesperson
        asked for) is the controllers': someone else who can edit the customer or the order cannot mark
        it done, cancel, archive, reassign or reschedule it."""
        if self.env.su or self.env.user.has_group("credit_management.group_credit_controller"):
            return
        review = self.env.ref("credit_management.mail_activity_type_credit_review")
        if self.filtered(lambda activity: activity.activity_type_id == review):
            raise AccessError(self.env._("Only a credit controller can close or change a credit review."))
