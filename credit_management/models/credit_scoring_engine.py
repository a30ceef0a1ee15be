import logging
import threading
from datetime import timedelta

import numpy as np

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .. import factors, profiles, scoring
from .credit_exposure import partner_clause
from .credit_payment_promise import FAILED as FAILED_PROMISES
from .credit_scoring_writer import PROFILE_COLUMNS
from .res_partner import HOLD_OVERDUE

_logger = logging.getLogger(__name__)

PROFILE_READ = PROFILE_COLUMNS.keys() | {
    "credit_limit_manual",
    "credit_external_score",
    "credit_bureau_limit",
}


class CreditScoringEngine(models.AbstractModel):
    """Rescores customers set-based, as a pipeline: gather the ledger's aggregates (a few SQL
    statements) → factor values → score → next profiles (numpy, in the Odoo-free core) → write
    (``credit.scoring.writer``) → notify (``credit.scoring.notifier``)."""

    _name = "credit.scoring.engine"
    _description = "Credit Scoring Engine"

    # ------------------------------------------------------------------
    # Entry points
    # ------------------------------------------------------------------
    @api.model
    def _rescore_company(self, company, trigger="cron", batch_size=None, auto_commit=None):
        """Rescore every customer of ``company`` once today, one batch per transaction.

        The data is gathered once for the whole company, one pass per aggregate; batches
        are then scored and written from it. The policy keeps the run's date and the last
        customer done, written with each batch: a run that dies keeps the batches it
        committed, and the next run of the day goes on after them.

        A run that applies a scorecard's activation re-grades the book in one decision: its history rows
        name the scorecard, and no chatter note or alert is raised per customer.
        """
        if auto_commit is None:
            auto_commit = not getattr(threading.current_thread(), "testing", False)
        engine = self.with_company(company)
        policy = self.env["credit.policy"]._for_company(company)
        batch_size = batch_size or policy.rescore_batch_size
        today = fields.Date.context_today(self)
        after_id = policy.rescore_last_partner_id if policy.rescore_run_date == today else 0
        ids = np.asarray(self._customers_after(company, after_id), dtype=np.int64)
        card = policy.rescore_scorecard_id
        if not len(ids):
            # a run that died after its last batch leaves the activation's mark: the next runs are ordinary
            policy.sudo().rescore_scorecard_id = False
            return 0
        if card:
            trigger = "scorecard"
            note = self.env["credit.scoring.writer"]._in_languages(
                lambda env: env._("Scorecard %s activated.", card.with_env(env).name)
            )
        else:
            note = None
        self.env.flush_all()
        as_of = fields.Datetime.now()
        data = engine._gather(company, policy, ids, today, whole_company=True)
        for start in range(0, len(ids), batch_size):
            batch = slice(start, start + batch_size)
            part = {key: values[batch] for key, values in data.items()}
            if auto_commit:
                engine._rescore_batch(
                    company, ids[batch], trigger, note, data=part, as_of=as_of, quiet=bool(card)
                )
                policy._record_rescore_progress(today, int(ids[batch][-1]))
                self.env["ir.cron"]._notify_progress(done=min(start + batch_size, len(ids)), remaining=0)
                # One batch per transaction, by design: a crash keeps the batches done.
                self.env.cr.commit()  # pylint: disable=invalid-commit
            else:
                with self.env.cr.savepoint():
                    engine._rescore_batch(
                        company, ids[batch], trigger, note, data=part, as_of=as_of, quiet=bool(card)
                    )
                    policy._record_rescore_progress(today, int(ids[batch][-1]))
        if card:
            policy.sudo().rescore_scorecard_id = False
        return len(ids)

    @api.model
    def _rescore_queue(self, limit=5000):
        """Rescore the customers that events queued; returns how many were rescored."""
        todo = self.env["credit.rescore.queue"]._pop(limit)
        count = 0
        for company_id, partner_ids in todo.items():
            company = self.env["res.company"].browse(company_id)
            # what the customers owe overdue changed with the events that queued them
            self.env["credit.collection.status"].sudo()._refresh(company, partner_ids)
            if self._configuration_problem(company):
                continue
            self._rescore(company, partner_ids, "event")
            count += len(partner_ids)
        return count

    @api.model
    def _configuration_problem(self, company):
        """Why ``company``'s customers cannot be scored (its policy's factors or grades are broken,
        e.g. edited in the database), logged once; None when they can. The crons skip that company and
        go on with the others."""
        policy = self.env["credit.policy"].sudo()._for_company(company)
        try:
            policy._check_factors()
            self.env["credit.grade"].sudo()._validate_company_bands(company)
        except (ValidationError, scoring.ScoringError) as error:
            problem = error.args[0]
            _logger.warning(
                "Credit rescoring of %s skipped: %s Fix it in Credit > Configuration.", company.name, problem
            )
            return problem
        return None

    @api.model
    def _customers_after(self, company, after_id):
        """The customers of ``company`` (commercial partners) after ``after_id``, by id."""
        self.env["res.partner"].flush_model(
            ["commercial_partner_id", "customer_rank", "active", "company_id"]
        )
        self.env.cr.execute(
            SQL(
                """
            SELECT id FROM res_partner
             WHERE id = commercial_partner_id AND customer_rank > 0 AND active
               AND (company_id IS NULL OR company_id = %(company)s)
               AND id > %(after)s
             ORDER BY id
            """,
                company=company.id,
                after=after_id,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _rescore(self, company, partner_ids, trigger, note=None):
        """Rescore ``partner_ids`` (commercial partners) in ``company``; returns a summary dict."""
        if not partner_ids:
            return {"count": 0}
        self.env.flush_all()
        # company-dependent values are read and formatted for env.company
        return self.with_company(company)._rescore_batch(company, partner_ids, trigger, note)

    @api.model
    def _rescore_batch(self, company, partner_ids, trigger, note, data=None, as_of=None, quiet=False):
        """Score, apply the policy and write, for ``partner_ids``.

        ``data``: what a whole-company pass gathered at ``as_of`` for these partners;
        customers rescored since then (by an event) are left alone, their profile being
        newer than the data.
        """
        today = fields.Date.context_today(self)
        policy = self.env["credit.policy"]._for_company(company)
        ids = np.unique(np.asarray(partner_ids, dtype=np.int64))
        if data is None:
            data = self._gather(company, policy, ids, today)
        before = self._read_profiles(company, ids)
        if as_of is not None:
            current = ~(before["credit_score_date"] >= np.datetime64(as_of, "s"))  # NaT compares False
            if not current.all():
                ids = ids[current]
                data = {key: values[current] for key, values in data.items()}
                before = {key: values[current] for key, values in before.items()}
        values = factors.factor_values(data, before, today)
        result = scoring.compute(values, policy._scoring_factors())
        grades = self._grades(company, policy)
        step = profiles.advance(
            before,
            data,
            values,
            result.score,
            grades,
            policy._thresholds(),
            today,
            fields.Datetime.now(),
            policy.history_min_change,
            hold_reason=self._hold_reason,
        )
        self.env["credit.scoring.writer"]._write(
            company, ids, before, step, result, values, data, trigger, note
        )
        alerts = self.env["credit.scoring.notifier"]._notify(
            ids, before, step, data, policy, grades, quiet=quiet
        )
        self.env["res.partner"].invalidate_model(list(PROFILE_COLUMNS))
        outcome = step.outcome
        return {
            "count": len(ids),
            "changed": int(step.changes["any"].sum()),
            "promoted": int(outcome.promoted.sum()),
            "demoted": int(outcome.demoted.sum()),
            "holds_placed": int(outcome.hold_placed.sum()),
            "holds_lifted": int(outcome.hold_lifted.sum()),
            "alerts": alerts,
        }

    @api.model
    def _grades(self, company, policy):
        """The company's grades, best first, for :mod:`profiles`."""
        grades = (
            self.env["credit.grade"].sudo().search([("company_id", "=", company.id)], order="min_score desc")
        )
        new_grade = policy.new_customer_grade_id
        return profiles.Grades(
            ids=np.array(grades.ids, dtype=np.int64),
            min_scores=np.array(grades.mapped("min_score"), dtype=float),
            payment_terms=np.array([g.payment_term_id.id or 0 for g in grades], dtype=np.int64),
            new_customer=grades.ids.index(new_grade.id) if new_grade in grades else len(grades) - 1,
            table=grades._rules_table(),
            bureau_cap=np.array(grades.mapped("limit_bureau_cap"), dtype=bool),
        )

    @api.model
    def _hold_reason(self, days):
        return HOLD_OVERDUE % days

    # ------------------------------------------------------------------
    # Gathering
    # ------------------------------------------------------------------
    @api.model
    def _gather(self, company, policy, ids, today, whole_company=False):
        """Everything the scoring needs about ``ids``, as arrays aligned with them.

        ``whole_company``: one pass of each aggregate over the company's move lines, for a
        run over all its customers; otherwise the partners are looked up by index.
        """
        since = today - timedelta(days=policy.lookback_days)
        accounts = self.env["credit.exposure"]._receivable_accounts(company)
        data = self.env["credit.exposure"]._exposure(
            company, ids.tolist(), today, whole_company=whole_company
        )
        query_ids = None if whole_company else ids.tolist()
        data.update(self._behaviour(company, ids, query_ids, accounts, today, since))
        data.update(self._promises(company, ids, query_ids, today, since))
        data["has_history"] = data["has_open_items"] | ~np.isnat(data["first_invoice"]) | (data["paid"] > 0)
        return data

    @api.model
    def _behaviour(self, company, ids, query_ids, accounts, today, since):
        """Invoicing and payment behaviour, from one scan of the customers' invoice and credit
        note receivable lines.

        Invoicing: first invoice, 12-month volume, invoiced and refunded since ``since``.
        Payments: each partial reconciliation of an invoice paid since ``since`` counts for
        its amount, late by the days between the line's due date and the payment; a
        settlement by a credit note is not a payment. The on-time streak counts invoices
        fully paid on time after the last one paid late and after the last promotion.
        """
        self.env["account.partial.reconcile"].flush_model()
        self.env.cr.execute(
            SQL(
                """
            WITH terms AS MATERIALIZED (
                SELECT aml.id, aml.partner_id, aml.date, aml.date_maturity, aml.balance, aml.reconciled,
                       aml.amount_residual
                  FROM account_move_line aml
                 WHERE %(partners)s AND aml.company_id = %(company)s
                   AND aml.account_id = ANY(%(accounts)s)
                   AND aml.display_type = 'payment_term' AND aml.parent_state = 'posted'
            ), invoicing AS (
                SELECT partner_id,
                       MIN(date) FILTER (WHERE balance > 0) AS first_invoice,
                       COALESCE(SUM(balance) FILTER (WHERE balance > 0 AND date > %(year_ago)s), 0) AS volume,
                       COALESCE(SUM(balance) FILTER (WHERE balance > 0 AND date > %(since)s), 0) AS invoiced,
                       COALESCE(-SUM(balance) FILTER (WHERE balance < 0 AND date > %(since)s), 0) AS refunded,
                       COALESCE(SUM(amount_residual) FILTER (WHERE balance > 0 AND amount_residual > 0), 0)
                           AS open_invoiced,
                       COALESCE(SUM(amount_residual * GREATEST(%(today)s - date_maturity, 0))
                                    FILTER (WHERE balance > 0 AND amount_residual > 0), 0)
                           AS amount_days_overdue
                  FROM terms
                 GROUP BY partner_id
            ), credit_notes AS (
                SELECT id FROM terms WHERE balance < 0
            ), settled AS (
                SELECT inv.partner_id, inv.date_maturity, inv.reconciled,
                       SUM(apr.amount) AS paid,
                       SUM(apr.amount) FILTER (WHERE apr.max_date <= inv.date_maturity) AS on_time,
                       SUM(apr.amount * GREATEST(apr.max_date - inv.date_maturity, 0)) AS amount_days_late,
                       MAX(apr.max_date) AS last_paid
                  FROM terms inv
                  JOIN account_partial_reconcile apr ON apr.debit_move_id = inv.id
                 WHERE inv.balance > 0 AND apr.max_date > %(since)s
                   AND NOT EXISTS (SELECT 1 FROM credit_notes cn WHERE cn.id = apr.credit_move_id)
                 GROUP BY inv.partner_id, inv.id, inv.date_maturity, inv.reconciled
            ), marked AS (
                SELECT s.*,
                       MAX(s.last_paid) FILTER (WHERE s.reconciled AND s.last_paid > s.date_maturity)
                           OVER (PARTITION BY s.partner_id) AS last_late
                  FROM settled s
            ), payments AS (
                SELECT m.partner_id, SUM(m.paid) AS paid, COALESCE(SUM(m.on_time), 0) AS on_time,
                       SUM(m.amount_days_late) AS amount_days_late,
                       COUNT(*) FILTER (WHERE m.reconciled) AS settled,
                       COUNT(*) FILTER (WHERE m.reconciled AND m.last_paid > m.date_maturity) AS settled_late,
                       COUNT(*) FILTER (WHERE m.reconciled AND m.last_paid > %(recent)s) AS settled_recent,
                       COUNT(*) FILTER (WHERE m.reconciled AND m.last_paid > %(recent)s
                                          AND m.last_paid > m.date_maturity) AS settled_recent_late,
                       COUNT(*) FILTER (
                           WHERE m.reconciled AND m.last_paid <= m.date_maturity
                             AND m.last_paid > COALESCE(m.last_late, '-infinity'::date)
                             AND m.last_paid > COALESCE((p.credit_promoted_date -> %(key)s ->> 0)::date,
                                                        '-infinity'::date)) AS streak
                  FROM marked m
                  JOIN res_partner p ON p.id = m.partner_id
                 GROUP BY m.partner_id
            )
            SELECT i.partner_id, i.first_invoice, i.volume, i.invoiced, i.refunded,
                   COALESCE(y.paid, 0), COALESCE(y.on_time, 0), COALESCE(y.amount_days_late, 0),
                   COALESCE(y.streak, 0), COALESCE(y.settled, 0), COALESCE(y.settled_late, 0),
                   COALESCE(y.settled_recent, 0), COALESCE(y.settled_recent_late, 0),
                   i.open_invoiced, i.amount_days_overdue
              FROM invoicing i
              LEFT JOIN payments y ON y.partner_id = i.partner_id
            """,
                partners=partner_clause(SQL("aml.partner_id"), query_ids),
                company=company.id,
                accounts=accounts,
                year_ago=today - timedelta(days=365),
                since=since,
                recent=today - timedelta(days=factors.RECENT_DAYS),
                today=today,
                key=str(company.id),
            )
        )
        rows = self.env.cr.fetchall()
        row_ids = np.array([r[0] for r in rows], dtype=np.int64)

        def column(i, fill=0.0, dtype=float):
            return _place(ids, row_ids, [r[i] for r in rows], fill, dtype)

        return {
            "first_invoice": column(1, np.datetime64("NaT"), "datetime64[D]"),
            "volume_12m": column(2),
            "invoiced": column(3),
            "refunded": column(4),
            "paid": column(5),
            "paid_on_time": column(6),
            "amount_days_late": column(7),
            "on_time_streak": column(8, 0, np.int64),
            "settled": column(9),
            "settled_late": column(10),
            "settled_recent": column(11),
            "settled_recent_late": column(12),
            "open_invoiced": column(13),
            "amount_days_overdue": column(14),
        }

    @api.model
    def _promises(self, company, ids, query_ids, today, since):
        """Promises to pay decided over the lookback: how many, and how many broken or partly kept."""
        self.env["credit.payment.promise"].flush_model(["partner_id", "company_id", "state", "decided_date"])
        self.env.cr.execute(
            SQL(
                """
            SELECT pr.partner_id, COUNT(*), COUNT(*) FILTER (WHERE pr.state IN %(failed)s)
              FROM credit_payment_promise pr
             WHERE %(partners)s AND pr.company_id = %(company)s AND pr.state != 'open'
               AND pr.decided_date > %(since)s AND pr.decided_date <= %(today)s
             GROUP BY pr.partner_id
            """,
                partners=partner_clause(SQL("pr.partner_id"), query_ids),
                failed=FAILED_PROMISES,
                company=company.id,
                since=since,
                today=today,
            )
        )
        rows = self.env.cr.fetchall()
        row_ids = np.array([r[0] for r in rows], dtype=np.int64)
        return {
            "promises_decided": _place(ids, row_ids, [r[1] for r in rows], 0.0),
            "promises_broken": _place(ids, row_ids, [r[2] for r in rows], 0.0),
        }

    @api.model
    def _read_profiles(self, company, ids):
        """Current company-dependent profile values, as arrays aligned with ``ids``."""
        partner = self.env["res.partner"].with_company(company)
        columns = sorted(PROFILE_READ)
        self.env.cr.execute(
            SQL(
                "SELECT %s FROM res_partner p WHERE p.id = ANY(%s) ORDER BY p.id",
                SQL(", ").join(partner._field_to_sql("p", fname) for fname in columns),
                ids.tolist(),
            )
        )
        rows = self.env.cr.fetchall()
        raw = dict(zip(columns, zip(*rows, strict=True), strict=True)) if rows else dict.fromkeys(columns, ())
        floats = (
            "credit_score",
            "credit_limit",
            "credit_limit_factor",
            "credit_avg_days_late",
            "credit_utilisation",
            "credit_external_score",
            "credit_policy_limit",
            "credit_bureau_limit",
        )
        profile = {f: np.array([np.nan if v is None else v for v in raw[f]], dtype=float) for f in floats}
        for fname in ("credit_grade_id", "property_payment_term_id", "credit_hold_user_id"):
            profile[fname] = np.array([v or 0 for v in raw[fname]], dtype=np.int64)
        for fname in ("credit_hold", "credit_hold_automatic", "credit_limit_manual"):
            profile[fname] = np.array([bool(v) for v in raw[fname]], dtype=bool)
        for fname in ("credit_promoted_date", "credit_demoted_date"):
            profile[fname] = np.array([v or np.datetime64("NaT") for v in raw[fname]], dtype="datetime64[D]")
        for fname in ("credit_score_date", "credit_hold_date"):
            profile[fname] = np.array([v or np.datetime64("NaT") for v in raw[fname]], dtype="datetime64[s]")
        profile["credit_hold_reason"] = np.array(raw["credit_hold_reason"], dtype=object)
        profile["credit_limit_source"] = np.array(raw["credit_limit_source"], dtype=object)
        profile["credit_limit"] = np.nan_to_num(profile["credit_limit"])
        return profile


def _place(ids, row_ids, values, fill, dtype=float):
    """Values of query rows keyed by ``row_ids`` at the positions of sorted ``ids``; rows of other
    partners (a whole-company pass returns them all) are dropped."""
    out = np.full(len(ids), fill, dtype=dtype)
    values = np.array(
        [fill if v is None else v for v in values] if dtype is not float else values, dtype=dtype
    )
    keep = np.isin(row_ids, ids)
    out[np.searchsorted(ids, row_ids[keep])] = values[keep]
    return out
