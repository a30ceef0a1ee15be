from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .tz import day_end_utc, user_tz

MOVEMENTS = [
    ("new", "New"),
    ("up", "Upgraded"),
    ("same", "Unchanged"),
    ("down", "Downgraded"),
]
DATE_FROM_KEY = "credit_migration_date_from"
DATE_TO_KEY = "credit_migration_date_to"


class CreditGradeMigrationReport(models.Model):
    """Per customer, the grade at the start of a period against the grade at its end.

    A customer's grade at a date is the one of their last history row on or before the end
    of that day. The period comes from the context (``credit_migration_date_from`` and
    ``credit_migration_date_to``, set by the wizard), else the last three months.
    """

    _name = "credit.grade.migration.report"
    _description = "Credit Grade Migration"
    _auto = False
    _rec_name = "partner_id"
    _order = "partner_id, company_id"

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    grade_start_id = fields.Many2one("credit.grade", string="Grade at Start", readonly=True)
    grade_end_id = fields.Many2one("credit.grade", string="Grade at End", readonly=True)
    start_label = fields.Char(
        "From",
        readonly=True,
        help="The grade at the start of the period, or that the customer was not scored yet.",
    )
    score_start = fields.Float("Score at Start", digits=(5, 1), aggregator="avg", readonly=True)
    score_end = fields.Float("Score at End", digits=(5, 1), aggregator="avg", readonly=True)
    movement = fields.Selection(
        MOVEMENTS, readonly=True, help="New: no grade yet at the start of the period."
    )
    customer_count = fields.Integer("Customers", readonly=True)

    _depends = {
        "credit.score.history": ["company_id", "date", "grade_id", "partner_id", "score"],
        "credit.grade": ["code", "min_score", "name"],
        "res.partner": ["user_id"],
    }

    @api.model
    def _default_period(self):
        today = fields.Date.context_today(self)
        return today - relativedelta(months=3), today

    @api.model
    def _period(self):
        default_from, default_to = self._default_period()
        context = self.env.context
        return (
            fields.Date.to_date(context.get(DATE_FROM_KEY)) or default_from,
            fields.Date.to_date(context.get(DATE_TO_KEY)) or default_to,
        )

    @property
    def _table_query(self):
        date_from, date_to = self._period()
        tz = user_tz(self)
        return SQL(
            """
            WITH at_start AS (%(at_start)s), at_end AS (%(at_end)s)
            SELECT ROW_NUMBER() OVER (ORDER BY e.partner_id, e.company_id)::int AS id,
                   e.partner_id, e.company_id, partner.user_id,
                   s.grade_id AS grade_start_id, e.grade_id AS grade_end_id,
                   COALESCE(
                       grade_start.code || ' - '
                       || COALESCE(grade_start.name ->> %(lang)s, grade_start.name ->> 'en_US'),
                       %(not_scored)s
                   ) AS start_label,
                   s.score AS score_start, e.score AS score_end,
                   CASE WHEN s.partner_id IS NULL THEN 'new'
                        WHEN grade_end.min_score > grade_start.min_score THEN 'up'
                        WHEN grade_end.min_score < grade_start.min_score THEN 'down'
                        ELSE 'same' END AS movement,
                   1 AS customer_count
              FROM at_end e
              LEFT JOIN at_start s ON s.partner_id = e.partner_id AND s.company_id = e.company_id
              LEFT JOIN credit_grade grade_start ON grade_start.id = s.grade_id
              LEFT JOIN credit_grade grade_end ON grade_end.id = e.grade_id
              JOIN res_partner partner ON partner.id = e.partner_id
            """,
            at_start=self._profiles_at(date_from, tz),
            at_end=self._profiles_at(date_to, tz),
            lang=self.env.lang or "en_US",
            not_scored=self.env._("Not scored yet"),
        )

    @api.model
    def _profiles_at(self, day, tz):
        """Each customer's last history row on or before the end of ``day`` (user's time zone)."""
        return SQL(
            """
            SELECT DISTINCT ON (h.partner_id, h.company_id) h.partner_id, h.company_id, h.grade_id, h.score
              FROM credit_score_history h
             WHERE h.date < %s
             ORDER BY h.partner_id, h.company_id, h.date DESC, h.id DESC
            """,
            day_end_utc(day, tz),
        )
