from odoo import api, fields, models
from odoo.tools import SQL


class CreditCollectionStatus(models.Model):
    """Where each customer owing something overdue stands in collections, one row per customer and
    company: what it owes overdue, since when, its last contact and level, its open promise.

    The worklist reads these rows instead of aggregating every overdue item and every contact each time
    it opens. They are rewritten, set-based, by whatever changes them: the collection run (all of a
    company's customers, each morning), the rescoring of the customers queued by invoices and payments,
    a contact logged and a promise recorded or decided.
    """

    _name = "credit.collection.status"
    _description = "Collection Status"
    _log_access = False

    partner_id = fields.Many2one("res.partner", "Customer", required=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")
    overdue_amount = fields.Float()
    oldest_due_date = fields.Date()
    last_contact_date = fields.Datetime()
    last_manual_contact_date = fields.Datetime()
    level_id = fields.Many2one("credit.collection.level", ondelete="set null")
    promise_date = fields.Date()
    promise_amount = fields.Float()

    _sql_constraints = [
        ("customer_company_uniq", "unique(partner_id, company_id)", "One collection status per customer."),
    ]

    def init(self):
        res = super().init()
        # installed on a ledger that already has overdue items: the worklist shows them from the start
        self.env.cr.execute("SELECT 1 FROM credit_collection_status LIMIT 1")
        if not self.env.cr.fetchone():
            for company in self.env["res.company"].sudo().search([]):  # pylint: disable=no-search-all
                self._refresh(company)
        return res

    @api.model
    def _refresh(self, company, partner_ids=None, today=None):
        """Rewrite the rows of ``company``'s customers (of ``partner_ids``, commercial partners, when
        given; of all of them otherwise) from the ledger, the contacts and the promises as they are on
        ``today`` (default: the company's today)."""
        if partner_ids is not None and not partner_ids:
            return
        run = self.env["credit.collection.run"]
        run._flush_sources()
        today = today or fields.Date.context_today(self.with_company(company))
        customers = (
            SQL("s.partner_id = ANY(%s)", list(partner_ids)) if partner_ids is not None else SQL("TRUE")
        )
        self.env.cr.execute(
            SQL(
                """
            WITH open AS (%(open_items)s),
            overdue AS (
                SELECT partner, SUM(residual) AS amount, MIN(due) AS oldest FROM open
                 WHERE residual > 0 AND due < %(today)s GROUP BY partner
            ),
            contact AS (
                SELECT e.partner_id, MAX(e.date) AS last,
                       MAX(e.date) FILTER (WHERE NOT e.automatic) AS manual,
                       (array_agg(e.level_id ORDER BY e.date DESC, e.id DESC) FILTER (WHERE e.automatic))[1]
                           AS level_id
                  FROM credit_collection_event e
                 WHERE e.company_id = %(company)s AND e.partner_id IN (SELECT partner FROM overdue)
                 GROUP BY e.partner_id
            ),
            promise AS (
                SELECT DISTINCT ON (pp.partner_id) pp.partner_id, pp.date, pp.amount
                  FROM credit_payment_promise pp
                 WHERE pp.company_id = %(company)s AND pp.state = 'open'
                   AND pp.partner_id IN (SELECT partner FROM overdue)
                 ORDER BY pp.partner_id, pp.date, pp.id
            ),
            fresh AS (
                SELECT o.partner, o.amount, o.oldest, c.last, c.manual, c.level_id,
                       p.date, p.amount AS promise
                  FROM overdue o
                  LEFT JOIN contact c ON c.partner_id = o.partner
                  LEFT JOIN promise p ON p.partner_id = o.partner
            ),
            written AS (
                INSERT INTO credit_collection_status
                       (partner_id, company_id, overdue_amount, oldest_due_date, last_contact_date,
                        last_manual_contact_date, level_id, promise_date, promise_amount)
                SELECT f.partner, %(company)s, f.amount, f.oldest, f.last, f.manual, f.level_id, f.date,
                       f.promise
                  FROM fresh f ORDER BY f.partner
                    ON CONFLICT (partner_id, company_id) DO UPDATE
                   SET overdue_amount = EXCLUDED.overdue_amount, oldest_due_date = EXCLUDED.oldest_due_date,
                       last_contact_date = EXCLUDED.last_contact_date,
                       last_manual_contact_date = EXCLUDED.last_manual_contact_date,
                       level_id = EXCLUDED.level_id, promise_date = EXCLUDED.promise_date,
                       promise_amount = EXCLUDED.promise_amount
            )
            DELETE FROM credit_collection_status s
             WHERE s.company_id = %(company)s AND %(customers)s
               AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.partner = s.partner_id)
            """,
                open_items=run._open_items(company, None if partner_ids is None else list(partner_ids)),
                today=today,
                company=company.id,
                customers=customers,
            )
        )
        self.invalidate_model()

    @api.model
    def _refresh_records(self, records):
        """Refresh the customers of ``records`` (contacts, promises: anything with ``partner_id`` and
        ``company_id``), company by company."""
        by_company = {}
        for record in records:
            by_company.setdefault(record.company_id, set()).add(record.partner_id.commercial_partner_id.id)
        for company, partner_ids in by_company.items():
            self._refresh(company, sorted(partner_ids))
