from odoo import fields, models

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
