from odoo import fields, models


class CreditCheckLock(models.Model):
    """One row per customer and company, bumped by every locking credit check.

    The UPDATE is what serialises confirmations: see :class:`credit.check`.
    """

    _name = "credit.check.lock"
    _description = "Credit Check Lock"
    _log_access = False

    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", required=True, ondelete="cascade")
    seq = fields.Integer(default=0)

    _sql_constraints = [
        ("company_partner_uniq", "unique(company_id, partner_id)", "One lock row per customer and company."),
    ]
