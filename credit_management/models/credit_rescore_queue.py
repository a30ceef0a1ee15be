from odoo import api, fields, models
from odoo.tools import SQL

REASONS = [
    ("invoice", "Invoice posted or reset"),
    ("refund", "Credit note posted"),
    ("payment", "Payment reconciled or unreconciled"),
    ("manual", "Manual"),
    ("bureau", "Credit bureau report"),
]


class CreditRescoreQueue(models.Model):
    """Customers whose credit profile an event has made stale.

    Marking is one INSERT without a uniqueness check, so it never waits on another
    transaction; the queue job rescores each customer once however often it is listed.
    """

    _name = "credit.rescore.queue"
    _description = "Credit Rescoring Queue"
    _log_access = False
    _order = "id"

    partner_id = fields.Many2one("res.partner", required=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")
    reason = fields.Selection(REASONS, required=True)
    queued_at = fields.Datetime(required=True, default=fields.Datetime.now)

    @api.model
    def _enqueue(self, partner_ids, company_ids, reason):
        """Queue ``partner_ids[i]`` in ``company_ids[i]``; partners are made commercial here."""
        if not partner_ids:
            return
        self.env.cr.execute(
            SQL(
                """
            INSERT INTO credit_rescore_queue (partner_id, company_id, reason, queued_at)
            SELECT DISTINCT p.commercial_partner_id, v.company_id, %(reason)s, now() at time zone 'UTC'
              FROM unnest(%(partners)s::int[], %(companies)s::int[]) AS v(partner_id, company_id)
              JOIN res_partner p ON p.id = v.partner_id
             WHERE p.commercial_partner_id IS NOT NULL
            """,
                reason=reason,
                partners=list(partner_ids),
                companies=list(company_ids),
            )
        )

    @api.model
    def _pop(self, limit):
        """Take up to ``limit`` queued entries; returns {company_id: [partner ids]}.

        The rows are deleted in the caller's transaction: if rescoring fails they come back.
        """
        self.env.cr.execute(
            SQL(
                """
            DELETE FROM credit_rescore_queue
             WHERE id IN (SELECT id FROM credit_rescore_queue ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED)
         RETURNING company_id, partner_id
            """,
                limit,
            )
        )
        todo = {}
        for company_id, partner_id in self.env.cr.fetchall():
            todo.setdefault(company_id, set()).add(partner_id)
        return {company_id: sorted(ids) for company_id, ids in todo.items()}

    @api.model
    def _pending_count(self):
        self.env.cr.execute("SELECT count(*) FROM credit_rescore_queue")
        return self.env.cr.fetchone()[0]
