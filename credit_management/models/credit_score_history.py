from odoo import fields, models
from odoo.tools import SQL, create_index

from .. import scoring

TRIGGERS = [
    ("cron", "Scheduled"),
    ("event", "Event"),
    ("manual", "Manual"),
    ("bureau", "Bureau"),
    ("scorecard", "Scorecard activated"),
]


class CreditScoreHistory(models.Model):
    _name = "credit.score.history"
    _inherit = ["credit.number.mixin"]
    _description = "Credit Score History"
    _order = "date desc, id desc"
    _rec_name = "partner_id"
    # Written in bulk by the scoring engine, which stamps ``date``; who and when are not
    # worth two foreign-key checks and four columns on every one of millions of rows.
    _log_access = False

    # Both looked up through the (partner_id, company_id, date) index made in init().
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    trigger = fields.Selection(TRIGGERS, required=True, default="manual")
    score = fields.Float(digits=(5, 1), aggregator="avg", help="Empty for a customer without history.")
    previous_score = fields.Float(digits=(5, 1), aggregator="avg")
    score_change = fields.Float(digits=(5, 1), aggregator="avg")
    grade_id = fields.Many2one("credit.grade", ondelete="set null")
    previous_grade_id = fields.Many2one("credit.grade", ondelete="set null")
    credit_limit = fields.Monetary(currency_field="currency_id", aggregator="sum")
    previous_credit_limit = fields.Monetary(currency_field="currency_id", aggregator="sum")
    payment_term_id = fields.Many2one("account.payment.term", ondelete="set null")
    credit_hold = fields.Boolean()
    exposure = fields.Monetary(currency_field="currency_id", aggregator="sum")
    note = fields.Text(translate=True, help="Why the profile changed.")

    # One value, one points and one weight column per scoring factor: the history explains every
    # score, and reports group and filter on factors like on any field. The weight is the factor's share
    # of that score (the policy's weights over the factors the customer gave evidence for), in percent:
    # also the most points the factor could have given.
    for _factor in scoring.FACTORS:
        locals()[_factor] = fields.Float(string=scoring.FACTOR_LABELS[_factor], aggregator="avg")
        locals()[f"{_factor}_points"] = fields.Float(
            string=f"{scoring.FACTOR_LABELS[_factor]} (points)", digits=(5, 1), aggregator="avg"
        )
        locals()[f"{_factor}_weight"] = fields.Float(
            string=f"{scoring.FACTOR_LABELS[_factor]} (weight %)", digits=(5, 1), aggregator="avg"
        )
    del _factor

    def init(self):
        create_index(
            self.env.cr,
            "credit_score_history_partner_company_date_idx",
            self._table,
            ["partner_id", "company_id", "date DESC"],
        )

    def _breakdown(self):
        """Factor rows of this history entry: (label, value, points, weight in percent or None where not
        recorded), the known factors that counted.

        Read in SQL because the ORM shows an unknown (NULL) factor as 0.0, which is also a
        real value (an on-time ratio of 0 earns 0 points).
        """
        self.ensure_one()
        self.flush_recordset()
        self.env.cr.execute(
            SQL(
                "SELECT %s FROM credit_score_history WHERE id = %s",
                SQL(", ").join(
                    SQL.identifier(col)
                    for name in scoring.FACTORS
                    for col in (name, f"{name}_points", f"{name}_weight")
                ),
                self.id,
            )
        )
        row = self.env.cr.fetchone()
        labels = dict(self.env["credit.policy.factor"]._fields["factor"]._description_selection(self.env))
        return [
            (labels[name], row[3 * i], row[3 * i + 1], row[3 * i + 2])
            for i, name in enumerate(scoring.FACTORS)
            if row[3 * i] is not None and row[3 * i + 1] is not None
        ]
