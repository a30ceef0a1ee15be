from odoo import fields, models
from odoo.tools import SQL

from ..models.credit_exposure import OPEN

# A customer contacted by a person (call, note, promise, statement) within these days is not due again.
CONTACT_AGAIN_DAYS = 7
# An unscored customer counts as this score in the expected loss.
UNSCORED = 50.0


class CreditCollectionWorklist(models.Model):
    """The collector's worklist: one row per customer and company with overdue items, ranked by the
    expected loss (the overdue amount times the risk read from the score)."""

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
        "account.move.line": ["amount_residual", "date_maturity", "parent_state", "partner_id", "account_id"],
        "credit.collection.event": ["date", "channel", "level_id", "automatic", "partner_id", "company_id"],
        "credit.payment.promise": ["state", "date", "amount", "partner_id", "company_id"],
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
            WITH overdue AS (
                SELECT p.commercial_partner_id AS partner_id, aml.company_id,
                       SUM(aml.amount_residual) AS amount, MIN(aml.date_maturity) AS oldest
                  FROM account_move_line aml
                  JOIN res_partner p ON p.id = aml.partner_id
                 WHERE %(open)s AND %(receivable)s
                   AND aml.amount_residual > 0 AND aml.date_maturity < %(today)s
                 GROUP BY 1, 2
            )
            SELECT o.partner_id::bigint * 65536 + o.company_id AS id, o.partner_id, o.company_id,
                   c.currency_id, rp.user_id,
                   COALESCE((rp.credit_collector_id ->> o.company_id::text)::int, pol.controller_user_id)
                       AS collector_id,
                   (rp.credit_grade_id ->> o.company_id::text)::int AS grade_id,
                   (rp.credit_score ->> o.company_id::text)::float8 AS score,
                   o.amount AS overdue_amount,
                   o.amount * (100 - LEAST(GREATEST(COALESCE(
                       (rp.credit_score ->> o.company_id::text)::float8, %(unscored)s), 0), 100)) / 100
                       AS expected_loss,
                   o.oldest AS oldest_due_date, %(today)s::date - o.oldest AS days_overdue,
                   contact.last AS last_contact_date, level.level_id,
                   promise.date AS promise_date, promise.amount AS promise_amount,
                   COALESCE((rp.credit_hold ->> o.company_id::text)::bool, FALSE) AS credit_hold,
                   promise.date IS NULL
                       AND (contact.last_manual IS NULL OR contact.last_manual::date < %(again)s)
                       AS to_contact
              FROM overdue o
              JOIN res_partner rp ON rp.id = o.partner_id
              JOIN res_company c ON c.id = o.company_id
              LEFT JOIN credit_policy pol ON pol.company_id = o.company_id
              LEFT JOIN LATERAL (
                  SELECT MAX(e.date) AS last,
                         MAX(e.date) FILTER (WHERE e.automatic IS NOT TRUE) AS last_manual
                    FROM credit_collection_event e
                   WHERE e.partner_id = o.partner_id AND e.company_id = o.company_id
              ) contact ON TRUE
              LEFT JOIN LATERAL (
                  SELECT e.level_id FROM credit_collection_event e
                   WHERE e.partner_id = o.partner_id AND e.company_id = o.company_id AND e.automatic
                   ORDER BY e.date DESC, e.id DESC LIMIT 1
              ) level ON TRUE
              LEFT JOIN LATERAL (
                  SELECT pp.date, pp.amount FROM credit_payment_promise pp
                   WHERE pp.partner_id = o.partner_id AND pp.company_id = o.company_id AND pp.state = 'open'
                   ORDER BY pp.date LIMIT 1
              ) promise ON TRUE
            """,
            open=SQL(OPEN),
            receivable=self.env["credit.aging.report"]._receivable(),
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
