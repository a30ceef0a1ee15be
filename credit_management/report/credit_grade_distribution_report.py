from odoo import fields, models
from odoo.tools import SQL, date_utils

from .tz import user_tz


class CreditGradeDistributionReport(models.Model):
    """Each customer's credit profile at each month end, from the score history.

    History rows are written only when a profile changes, so a customer's grade at a month
    end is the one of their last row on or before it. Each row is valid from its date until
    the customer's next row: it stands for every month end in between, which one
    generate_series per row lists, so the cost follows history rows times months covered.
    """

    _name = "credit.grade.distribution.report"
    _description = "Credit Grade Distribution"
    _auto = False
    _rec_name = "partner_id"
    _order = "date desc, id"

    date = fields.Date("Month", readonly=True, help="Month end of the snapshot.")
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    grade_id = fields.Many2one("credit.grade", string="Credit Grade", readonly=True)
    score = fields.Float(digits=(5, 1), aggregator="avg", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    exposure = fields.Monetary(
        currency_field="currency_id",
        readonly=True,
        help="Exposure at the customer's last rescoring of the month.",
    )
    customer_count = fields.Integer("Customers", readonly=True)

    _depends = {
        "credit.score.history": ["company_id", "date", "exposure", "grade_id", "partner_id", "score"],
        "res.partner": ["user_id"],
        "res.company": ["currency_id"],
    }

    @property
    def _table_query(self):
        this_month = date_utils.start_of(fields.Date.context_today(self), "month")
        return SQL(
            """
            WITH span AS (
                SELECT h.id, h.partner_id, h.company_id, h.grade_id, h.score, h.exposure,
                       (h.date AT TIME ZONE 'UTC') AT TIME ZONE %(tz)s AS local_from,
                       (LEAD(h.date) OVER (PARTITION BY h.partner_id, h.company_id ORDER BY h.date, h.id)
                           AT TIME ZONE 'UTC') AT TIME ZONE %(tz)s AS local_to
                  FROM credit_score_history h
            )
            SELECT ROW_NUMBER() OVER (ORDER BY month.start, span.id)::int AS id,
                   (month.start + interval '1 month' - interval '1 day')::date AS date,
                   span.partner_id, span.company_id, partner.user_id, span.grade_id, span.score,
                   company.currency_id, span.exposure, 1 AS customer_count
              FROM span
              -- the month ends this row stands for: from its own month to the month before the next row's
              CROSS JOIN LATERAL generate_series(
                   date_trunc('month', span.local_from),
                   COALESCE(date_trunc('month', span.local_to) - interval '1 month',
                            %(this_month)s::timestamp),
                   interval '1 month') AS month(start)
              JOIN res_partner partner ON partner.id = span.partner_id
              JOIN res_company company ON company.id = span.company_id
            """,
            tz=user_tz(self),
            this_month=this_month,
        )
