from odoo import fields, models
from odoo.tools import SQL

# A customer contacted by a person (call, note, promise, statement) within these days is not due again.
CONTACT_AGAIN_DAYS = 7
# An unscored customer counts as this score in the expected loss.
UNSCORED = 50.0


class CreditCollectionWorklist(models.Model):
    """The collector's worklist: one row per customer and company with overdue items, ranked by the
    expected loss (the overdue amount times the risk read from the score).

    It reads the customers' collection status (``credit.collection.status``, rewritten by the run, the
    queue of ledger events, contacts and promises) and adds what depends on the day and on the customer
    as it is now (score, grade, collector, hold)."""

    _name = "credit.collection.worklist"
    _description = "Collections Worklist"
    _auto = False
    _rec_name = "partner_id"
    _order = "expected_loss desc, partner_id"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    collector_id = fields.Many2one("res.users", "Collector", readonly=True)
    user_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    grade_id = fields.Many2one("credit.grade", "Grade", readonly=True)
    score = fields.Float(digits=(5, 1), readonly=True, aggregator=None)
    overdue_amount = fields.Monetary("Overdue", currency_field="currency_id", readonly=True)
    expected_loss = fields.Monetary(currency_field="currency_id", readonly=True)
    oldest_due_date = fields.Date(readonly=True)
    days_overdue = fields.Integer(aggregator="max", readonly=True)
    last_contact_date = fields.Datetime("Last Contact", readonly=True)
    level_id = fields.Many2one("credit.collection.level", "Last Level", readonly=True)
    promise_date = fields.Date("Promised Date", readonly=True)
    promise_amount = fields.Monetary("Promised", currency_field="currency_id", readonly=True)
    credit_hold = fields.Boolean("On Hold", readonly=True)
    to_contact = fields.Boolean(readonly=True)

    _depends = {
        "credit.collection.status": [
            "partner_id",
            "company_id",
            "overdue_amount",
            "oldest_due_date",
            "last_contact_date",
            "last_manual_contact_date",
            "level_id",
            "promise_date",
            "promise_amount",
        ],
        "res.partner": ["credit_collector_id", "credit_grade_id", "credit_score", "credit_hold", "user_id"],
    }

    # ------------------------------------------------------------------
    # Query
    # ------------------------------------------------------------------
    @property
    def _table_query(self):
        today = fields.Date.context_today(self)
        return SQL(
            """
            SELECT s.partner_id::bigint * 65536 + s.company_id AS id, s.partner_id, s.company_id,
                   c.currency_id, rp.user_id,
                   COALESCE((rp.credit_collector_id ->> s.company_id::text)::int, pol.controller_user_id)
                       AS collector_id,
                   (rp.credit_grade_id ->> s.company_id::text)::int AS grade_id,
                   (rp.credit_score ->> s.company_id::text)::float8 AS score,
                   s.overdue_amount,
                   s.overdue_amount * (100 - LEAST(GREATEST(COALESCE(
                       (rp.credit_score ->> s.company_id::text)::float8, %(unscored)s), 0), 100)) / 100
                       AS expected_loss,
                   s.oldest_due_date, %(today)s::date - s.oldest_due_date AS days_overdue,
                   s.last_contact_date, s.level_id, s.promise_date, s.promise_amount,
                   COALESCE((rp.credit_hold ->> s.company_id::text)::bool, FALSE) AS credit_hold,
                   s.promise_date IS NULL
                       AND (s.last_manual_contact_date IS NULL
                            OR s.last_manual_contact_date::date < %(again)s)
                       AS to_contact
              FROM credit_collection_status s
              JOIN res_partner rp ON rp.id = s.partner_id
              JOIN res_company c ON c.id = s.company_id
              LEFT JOIN credit_policy pol ON pol.company_id = s.company_id
            """,
            today=today,
            again=fields.Date.subtract(today, days=CONTACT_AGAIN_DAYS),
            unscored=UNSCORED,
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_open_customer(self):
        self.ensure_one()
        return self.partner_id.with_company(self.company_id).action_credit_collections()
