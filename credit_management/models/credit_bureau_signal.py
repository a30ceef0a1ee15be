from odoo import fields, models

KINDS = [
    ("dishonest_debtor", "Dishonest judgment debtor (失信被执行人)"),
    ("judgment_debtor", "Judgment debtor (被执行人)"),
    ("abnormal_operation", "Abnormal operations list (经营异常)"),
    ("administrative_penalty", "Administrative penalty (行政处罚)"),
    ("tax_violation", "Tax violation (税收违法)"),
    ("court_judgment", "Court judgment"),
    ("tax_lien", "Tax lien"),
    ("lawsuit", "Lawsuit"),
    ("insolvency", "Bankruptcy or insolvency"),
    ("sanctions", "Possible sanctions match"),
    ("inactive", "Company not active"),
]


class CreditBureauSignal(models.Model):
    """One risk record of a bureau report: its kind, date, amount and the bureau's words."""

    _name = "credit.bureau.signal"
    _description = "Credit Bureau Risk Signal"
    _order = "date desc, id"

    report_id = fields.Many2one("credit.bureau.report", required=True, ondelete="cascade", index=True)
    partner_id = fields.Many2one(related="report_id.partner_id", store=True, index=True)
    company_id = fields.Many2one(related="report_id.company_id", store=True)
    kind = fields.Selection(KINDS, required=True)
    date = fields.Date()
    amount = fields.Float()
    text = fields.Char("Description")
    ref = fields.Char("Bureau Reference")
    is_new = fields.Boolean("New", help="Not in the customer's previous report from this bureau.")
