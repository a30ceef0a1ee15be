import numpy as np
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL, date_utils

from .. import factors, scoring
from .credit_payment_promise import FAILED as FAILED_PROMISES

LATE_THRESHOLDS = (0, 10, 30)
MAX_CUSTOMERS = 20000


class CreditBacktest(models.AbstractModel):
    """Point-in-time samples of a company's own ledger, for backtesting and learning the scorecard.

    At each monthly cutoff, every customer who was invoiced in the following window gives one sample per
    such invoice: the customer's factor values as they were known at the cutoff, and whether the invoice
    was paid late. Known at the cutoff means posted on or before it, settled by reconciliations dated on
    or before it (the aging's as-of logic): nothing that happened after the cutoff leaks in. An invoice
    still open whose lateness cannot be decided yet is left out, never counted as on time.
    """

    _name = "credit.backtest"
    _description = "Credit Backtest Samples"

    @api.model
    def _cutoffs(self, company, today, months=24):
        """Month ends from ``months`` before ``today`` up to the last one whose window has begun, oldest
        first; fewer where the ledger is younger."""
        last = date_utils.end_of(today - relativedelta(months=1), "month")
        first = date_utils.end_of(today - relativedelta(months=months), "month")
        self.env.cr.execute(
            SQL(
                "SELECT MIN(date) FROM account_move_line WHERE company_id = %s AND parent_state = 'posted'",
                company.id,
            )
        )
        oldest = self.env.cr.fetchone()[0]
        if oldest:
            first = max(first, date_utils.end_of(oldest, "month"))
        cutoffs, day = [], first
        while day <= last:
            cutoffs.append(day)
            day = date_utils.end_of(day + relativedelta(months=1), "month")
        return cutoffs

    @api.model
    def _samples(
        self, company, cutoffs, window_months=3, lookback_days=365, today=None, max_customers=MAX_CUSTOMERS
    ):
        """The samples, as arrays: ``cutoff``, ``partner_id``, ``invoice_id``, ``values`` (N, F) in
        ``scoring.FACTORS`` order, ``late_share`` (the naive baseline: the share of the customer's
        invoices settled in the lookback that were settled late) and ``late`` {days: (N,) float, 1 late,
        0 on time, NaN not decided yet}."""
        today = today or fields.Date.context_today(self)
        accounts = self.env["credit.exposure"]._receivable_accounts(company)
        self.env["account.partial.reconcile"].flush_model()
        self.env["account.move.line"].flush_model()
        share = self._customer_share(company, accounts, max_customers)
        self.env.cr.execute(self._samples_query(company, accounts, cutoffs, window_months, share))
        samples = self.env.cr.fetchall()
        self.env.cr.execute(
            self._factors_query(company, accounts, cutoffs, window_months, lookback_days, share)
        )
        pairs = self.env.cr.fetchall()
        return self._assemble(samples, pairs, today)

    @api.model
    def _customer_share(self, company, accounts, max_customers):
        """The share of customers (per thousand) a backtest reads: all of them up to ``max_customers``,
        else a sample drawn by a hash of their id, the same at every run. A scorecard needs thousands of
        samples, not millions, and the statements' cost grows with the customers times the cutoffs."""
        self.env.cr.execute(
            SQL(
                """
                SELECT COUNT(DISTINCT aml.partner_id) FROM account_move_line aml
                 WHERE aml.company_id = %s AND aml.account_id = ANY(%s)
                   AND aml.display_type = 'payment_term' AND aml.parent_state = 'posted'
                """,
                company.id,
                accounts,
            )
        )
        customers = self.env.cr.fetchone()[0]
        return 1000 if customers <= max_customers else max(int(1000 * max_customers / customers), 1)

    @api.model
    def _assemble(self, samples, pairs, today):
        cutoff = np.array([row[0] for row in samples], dtype="datetime64[D]")
        partner = np.array([row[1] for row in samples], dtype=np.int64)
        due = np.array([row[3] for row in samples], dtype="datetime64[D]")
        settled = np.array([row[4] or np.datetime64("NaT") for row in samples], dtype="datetime64[D]")
        late = {}
        for days in LATE_THRESHOLDS:
            late_by = np.where(
                np.isnat(settled),
                (np.datetime64(today, "D") - due).astype(float),
                (settled - due).astype(float),
            )
            decided = ~np.isnat(settled) | (late_by > days)
            late[days] = np.where(decided, (late_by > days).astype(float), np.nan)
        keys = {(row[0], row[1]): i for i, row in enumerate(pairs)}
        index = np.array([keys[(row[0], row[1])] for row in samples], dtype=np.int64)
        values, late_share = self._pair_factors(pairs)
        return {
            "cutoff": cutoff,
            "partner_id": partner,
            "invoice_id": np.array([row[2] for row in samples], dtype=np.int64),
            "values": values[index] if len(index) else np.empty((0, len(scoring.FACTORS))),
            "late_share": late_share[index] if len(index) else np.empty(0),
            "late": late,
        }

    @api.model
    def _pair_factors(self, pairs):
        """Factor values of each (cutoff, customer) pair, by the engine's definitions."""

        def column(i, dtype=float, fill=0.0):
            return np.array([fill if row[i] is None else row[i] for row in pairs], dtype=dtype)

        cutoffs = np.array([row[0] for row in pairs], dtype="datetime64[D]")
        oldest_due = column(9, "datetime64[D]", np.datetime64("NaT"))
        data = {
            "first_invoice": column(2, "datetime64[D]", np.datetime64("NaT")),
            "volume_12m": column(3),
            "invoiced": column(4),
            "refunded": column(5),
            "paid": column(6),
            "paid_on_time": column(7),
            "amount_days_late": column(8),
            "max_days_overdue": np.where(np.isnat(oldest_due), 0, (cutoffs - oldest_due).astype(float)),
            "receivable": column(10),
            "overdue": column(11),
        }
        data["settled"], data["settled_late"] = column(12), column(13)
        data["open_invoiced"], data["amount_days_overdue"] = data["receivable"], column(14)
        data["settled_recent"], data["settled_recent_late"] = column(15), column(16)
        data["promises_decided"], data["promises_broken"] = column(17), column(18)
        data["exposure"] = data["receivable"]
        data["has_history"] = ~np.isnat(data["first_invoice"])
        # The limit and the bureau score of the past are not kept: utilisation and the external score
        # are unknown at a cutoff, and left out of every candidate alike.
        before = {"credit_limit": np.zeros(len(pairs)), "credit_external_score": np.full(len(pairs), np.nan)}
        values = factors.factor_values(data, before, cutoffs)
        if not pairs:
            return np.empty((0, len(scoring.FACTORS))), np.empty(0)
        return np.column_stack([values[name] for name in scoring.FACTORS]), values["late_share"]

    @api.model
    def _invoices_cte(self, company, accounts, share):
        return SQL(
            """
            terms AS MATERIALIZED (
                SELECT aml.id, aml.partner_id, aml.date, aml.date_maturity, aml.balance
                  FROM account_move_line aml
                 WHERE aml.company_id = %(company)s AND aml.account_id = ANY(%(accounts)s)
                   AND aml.display_type = 'payment_term' AND aml.parent_state = 'posted'
                   AND aml.partner_id IS NOT NULL
                   AND (%(share)s >= 1000 OR mod(abs(hashint4(aml.partner_id)), 1000) < %(share)s)
            ), invoices AS MATERIALIZED (
                SELECT * FROM terms WHERE balance > 0
            ), settlements AS MATERIALIZED (
                -- each reconciliation of an invoice, on its date; a credit note settles but is no payment
                SELECT apr.debit_move_id AS line_id, apr.max_date AS day, apr.amount,
                       cn.id IS NOT NULL AS by_credit_note
                  FROM account_partial_reconcile apr
                  JOIN invoices inv ON inv.id = apr.debit_move_id
                  LEFT JOIN terms cn ON cn.id = apr.credit_move_id AND cn.balance < 0
            ), settled AS MATERIALIZED (
                -- the day each invoice was settled in full, as far as the ledger knows today
                SELECT inv.id, MAX(s.day) AS settled_on
                  FROM invoices inv
                  JOIN settlements s ON s.line_id = inv.id
                 GROUP BY inv.id, inv.balance
                HAVING SUM(s.amount) >= inv.balance - 0.005
            )
            """,
            company=company.id,
            accounts=accounts,
            share=share,
        )

    @api.model
    def _samples_query(self, company, accounts, cutoffs, window_months, share=1000):
        return SQL(
            """
            WITH %(invoices)s, cutoffs AS (SELECT unnest(%(cutoffs)s::date[]) AS day)
            SELECT c.day, inv.partner_id, inv.id, inv.date_maturity, st.settled_on
              FROM cutoffs c
              JOIN invoices inv ON inv.date > c.day AND inv.date <= c.day + %(window)s::interval
              LEFT JOIN settled st ON st.id = inv.id
             ORDER BY c.day, inv.id
            """,
            invoices=self._invoices_cte(company, accounts, share),
            cutoffs=list(cutoffs),
            window=f"{int(window_months)} months",
        )

    @api.model
    def _factors_query(self, company, accounts, cutoffs, window_months, lookback_days, share=1000):
        """One row per (cutoff, customer invoiced in the window after it): what was known at the
        cutoff."""
        return SQL(
            """
            WITH %(invoices)s, cutoffs AS (SELECT unnest(%(cutoffs)s::date[]) AS day),
            pairs AS MATERIALIZED (
                SELECT DISTINCT c.day AS cutoff, c.day - %(lookback)s AS since, inv.partner_id
                  FROM cutoffs c
                  JOIN invoices inv ON inv.date > c.day AND inv.date <= c.day + %(window)s::interval
            ), invoicing AS (
                SELECT p.cutoff, p.partner_id,
                       MIN(t.date) FILTER (WHERE t.balance > 0) AS first_invoice,
                       COALESCE(SUM(t.balance) FILTER (WHERE t.balance > 0 AND t.date > p.cutoff - 365), 0)
                           AS volume,
                       COALESCE(SUM(t.balance) FILTER (WHERE t.balance > 0 AND t.date > p.since), 0)
                           AS invoiced,
                       COALESCE(-SUM(t.balance) FILTER (WHERE t.balance < 0 AND t.date > p.since), 0)
                           AS refunded
                  FROM pairs p
                  JOIN terms t ON t.partner_id = p.partner_id AND t.date <= p.cutoff
                 GROUP BY p.cutoff, p.partner_id
            ), payments AS (
                SELECT p.cutoff, p.partner_id,
                       SUM(s.amount) AS paid,
                       SUM(s.amount) FILTER (WHERE s.day <= inv.date_maturity) AS on_time,
                       SUM(s.amount * GREATEST(s.day - inv.date_maturity, 0)) AS amount_days_late
                  FROM pairs p
                  JOIN invoices inv ON inv.partner_id = p.partner_id AND inv.date <= p.cutoff
                  JOIN settlements s ON s.line_id = inv.id
                 WHERE NOT s.by_credit_note AND s.day <= p.cutoff AND s.day > p.since
                 GROUP BY p.cutoff, p.partner_id
            ), known AS (
                -- each invoice posted by the cutoff, with what was settled of it by then (hash joins: a
                -- subquery per invoice would scan the settlements once per invoice)
                SELECT p.cutoff, p.partner_id, inv.date_maturity,
                       inv.balance - COALESCE(SUM(s.amount), 0) AS residual
                  FROM pairs p
                  JOIN invoices inv ON inv.partner_id = p.partner_id AND inv.date <= p.cutoff
                  LEFT JOIN settlements s ON s.line_id = inv.id AND s.day <= p.cutoff
                 GROUP BY p.cutoff, p.partner_id, inv.id, inv.date_maturity, inv.balance
            ), open_items AS (
                SELECT cutoff, partner_id,
                       MIN(date_maturity) FILTER (WHERE date_maturity < cutoff) AS oldest_due,
                       SUM(residual) AS residual,
                       COALESCE(SUM(residual) FILTER (WHERE date_maturity < cutoff), 0) AS overdue,
                       SUM(residual * GREATEST(cutoff - date_maturity, 0)) AS amount_days_overdue
                  FROM known
                 WHERE residual > 0.005
                 GROUP BY cutoff, partner_id
            ), counts AS (
                SELECT p.cutoff, p.partner_id, COUNT(*) AS settled,
                       COUNT(*) FILTER (WHERE st.settled_on > inv.date_maturity) AS late,
                       COUNT(*) FILTER (WHERE st.settled_on > p.cutoff - %(recent)s) AS recent,
                       COUNT(*) FILTER (WHERE st.settled_on > p.cutoff - %(recent)s
                                          AND st.settled_on > inv.date_maturity) AS recent_late
                  FROM pairs p
                  JOIN invoices inv ON inv.partner_id = p.partner_id
                  JOIN settled st ON st.id = inv.id
                 WHERE st.settled_on <= p.cutoff AND st.settled_on > p.since
                 GROUP BY p.cutoff, p.partner_id
            ), promises AS (
                SELECT p.cutoff, p.partner_id, COUNT(*) AS decided,
                       COUNT(*) FILTER (WHERE pr.state IN %(failed)s) AS broken
                  FROM pairs p
                  JOIN credit_payment_promise pr ON pr.partner_id = p.partner_id
                 WHERE pr.company_id = %(company)s AND pr.state != 'open'
                   AND pr.decided_date <= p.cutoff AND pr.decided_date > p.since
                 GROUP BY p.cutoff, p.partner_id
            )
            SELECT p.cutoff, p.partner_id, i.first_invoice, i.volume, i.invoiced, i.refunded,
                   y.paid, y.on_time, y.amount_days_late, o.oldest_due, o.residual, o.overdue,
                   n.settled, n.late, o.amount_days_overdue, n.recent, n.recent_late,
                   pm.decided, pm.broken
              FROM pairs p
              LEFT JOIN invoicing i USING (cutoff, partner_id)
              LEFT JOIN payments y USING (cutoff, partner_id)
              LEFT JOIN open_items o USING (cutoff, partner_id)
              LEFT JOIN counts n USING (cutoff, partner_id)
              LEFT JOIN promises pm USING (cutoff, partner_id)
            """,
            invoices=self._invoices_cte(company, accounts, share),
            cutoffs=list(cutoffs),
            window=f"{int(window_months)} months",
            lookback=int(lookback_days),
            recent=factors.RECENT_DAYS,
            failed=FAILED_PROMISES,
            company=company.id,
        )
