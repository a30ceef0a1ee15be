import logging
import threading
from datetime import timedelta

import numpy as np
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, get_lang

from .. import factors, rules, scoring
from .credit_exposure import partner_clause

_logger = logging.getLogger(__name__)

# Company-dependent res.partner columns the engine reads and writes, with their SQL types.
PROFILE_COLUMNS = {
    "credit_score": "float8",
    "credit_grade_id": "int4",
    "credit_score_date": "timestamp",
    "credit_limit": "float8",
    "property_payment_term_id": "int4",
    "credit_limit_factor": "float8",
    "credit_promoted_date": "date",
    "credit_demoted_date": "date",
    "credit_hold": "bool",
    "credit_hold_automatic": "bool",
    "credit_hold_reason": "varchar",
    "credit_hold_date": "timestamp",
    "credit_hold_user_id": "int4",
    "credit_avg_days_late": "float8",
    "credit_utilisation": "float8",
}
PROFILE_READ = PROFILE_COLUMNS.keys() | {"credit_limit_manual", "credit_external_score"}


class CreditScoringEngine(models.AbstractModel):
    """Rescores customers set-based: a few SQL aggregates per batch, numpy in between,
    one UPDATE for the profiles and one INSERT for the history."""

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
        """
        if auto_commit is None:
            auto_commit = not getattr(threading.current_thread(), "testing", False)
        engine = self.with_company(company)
        policy = self.env["credit.policy"]._for_company(company)
        batch_size = batch_size or policy.rescore_batch_size
        today = fields.Date.context_today(self)
        after_id = policy.rescore_last_partner_id if policy.rescore_run_date == today else 0
        ids = np.asarray(self._customers_after(company, after_id), dtype=np.int64)
        if not len(ids):
            return 0
        self.env.flush_all()
        as_of = fields.Datetime.now()
        data = engine._gather(company, policy, ids, today, whole_company=True)
        for start in range(0, len(ids), batch_size):
            batch = slice(start, start + batch_size)
            part = {key: values[batch] for key, values in data.items()}
            if auto_commit:
                engine._rescore_batch(company, ids[batch], trigger, None, data=part, as_of=as_of)
                policy._record_rescore_progress(today, int(ids[batch][-1]))
                self.env["ir.cron"]._notify_progress(done=min(start + batch_size, len(ids)), remaining=0)
                # One batch per transaction, by design: a crash keeps the batches done.
                self.env.cr.commit()  # pylint: disable=invalid-commit
            else:
                with self.env.cr.savepoint():
                    engine._rescore_batch(company, ids[batch], trigger, None, data=part, as_of=as_of)
                    policy._record_rescore_progress(today, int(ids[batch][-1]))
        return len(ids)

    @api.model
    def _rescore_queue(self, limit=5000):
        """Rescore the customers that events queued; returns how many were rescored."""
        todo = self.env["credit.rescore.queue"]._pop(limit)
        count = 0
        for company_id, partner_ids in todo.items():
            company = self.env["res.company"].browse(company_id)
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
    def _rescore_batch(self, company, partner_ids, trigger, note, data=None, as_of=None):
        """Score, apply the policy and write, for ``partner_ids``.

        ``data``: what a whole-company pass gathered at ``as_of`` for these partners;
        customers rescored since then (by an event) are left alone, their profile being
        newer than the data.
        """
        today = fields.Date.context_today(self)
        policy = self.env["credit.policy"]._for_company(company)
        grades = self._company_grades(company)
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
        grade_pos = self._grade_positions(result.score, data["has_history"], grades, policy)
        outcome = rules.next_state(
            self._rules_profile(before),
            rules.Behaviour(
                grade=grade_pos,
                volume_12m=values["volume_12m"],
                on_time_streak=data["on_time_streak"],
                max_days_overdue=data["max_days_overdue"],
                oldest_overdue_due=data["oldest_overdue_due"],
            ),
            grades._rules_table(),
            policy._thresholds(),
            today,
        )
        after = self._new_profiles(before, outcome, result, grade_pos, grades, values, data, today)
        changes = self._changes(before, after, policy)
        self._write_profiles(company, ids, before, after, changes)
        self._insert_history(
            company, ids, before, after, changes, outcome, result, values, data, trigger, note
        )
        self._log_changes(ids, before, after, changes, outcome, data, policy)
        alerts = self._raise_alerts(company, ids, before, after, changes, policy)
        self.env["res.partner"].invalidate_model(list(PROFILE_COLUMNS))
        return {
            "count": len(ids),
            "changed": int(changes["any"].sum()),
            "promoted": int(outcome.promoted.sum()),
            "demoted": int(outcome.demoted.sum()),
            "holds_placed": int(outcome.hold_placed.sum()),
            "holds_lifted": int(outcome.hold_lifted.sum()),
            "alerts": alerts,
        }

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
                SELECT aml.id, aml.partner_id, aml.date, aml.date_maturity, aml.balance, aml.reconciled
                  FROM account_move_line aml
                 WHERE %(partners)s AND aml.company_id = %(company)s
                   AND aml.account_id = ANY(%(accounts)s)
                   AND aml.display_type = 'payment_term' AND aml.parent_state = 'posted'
            ), invoicing AS (
                SELECT partner_id,
                       MIN(date) FILTER (WHERE balance > 0) AS first_invoice,
                       COALESCE(SUM(balance) FILTER (WHERE balance > 0 AND date > %(year_ago)s), 0) AS volume,
                       COALESCE(SUM(balance) FILTER (WHERE balance > 0 AND date > %(since)s), 0) AS invoiced,
                       COALESCE(-SUM(balance) FILTER (WHERE balance < 0 AND date > %(since)s), 0) AS refunded
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
                   COALESCE(y.streak, 0), COALESCE(y.settled, 0), COALESCE(y.settled_late, 0)
              FROM invoicing i
              LEFT JOIN payments y ON y.partner_id = i.partner_id
            """,
                partners=partner_clause(SQL("aml.partner_id"), query_ids),
                company=company.id,
                accounts=accounts,
                year_ago=today - timedelta(days=365),
                since=since,
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
        profile["credit_limit"] = np.nan_to_num(profile["credit_limit"])
        return profile

    # ------------------------------------------------------------------
    # Computing
    # ------------------------------------------------------------------
    @api.model
    def _company_grades(self, company):
        return (
            self.env["credit.grade"].sudo().search([("company_id", "=", company.id)], order="min_score desc")
        )

    @api.model
    def _grade_positions(self, scores, has_history, grades, policy):
        """Index into ``grades`` per customer; customers without history get the new-customer grade."""
        positions = scoring.band_index(scores, grades.mapped("min_score"))
        new_grade = policy.new_customer_grade_id
        fallback = grades.ids.index(new_grade.id) if new_grade in grades else len(grades) - 1
        return np.where(has_history & (positions >= 0), positions, fallback)

    @api.model
    def _rules_profile(self, before):
        return rules.Profile(
            credit_limit=before["credit_limit"],
            limit_factor=before["credit_limit_factor"],
            promoted_date=before["credit_promoted_date"],
            demoted_date=before["credit_demoted_date"],
            hold=before["credit_hold"],
            hold_automatic=before["credit_hold_automatic"],
            manual=before["credit_limit_manual"],
        )

    @api.model
    def _new_profiles(self, before, outcome, result, grade_pos, grades, values, data, today):
        new = outcome.profile
        term_of_grade = np.array(grades.mapped(lambda g: g.payment_term_id.id or 0), dtype=np.int64)[
            grade_pos
        ]
        keep_term = before["credit_limit_manual"] | (term_of_grade == 0)
        now = np.datetime64(fields.Datetime.now(), "s")
        with np.errstate(divide="ignore", invalid="ignore"):
            utilisation = np.where(
                new.credit_limit > 0, np.maximum(data["exposure"], 0) / new.credit_limit, np.nan
            )
        after = dict(before)
        after.update(
            {
                "credit_score": np.round(np.where(data["has_history"], result.score, np.nan), 1),
                "credit_grade_id": np.array(grades.ids, dtype=np.int64)[grade_pos],
                "credit_score_date": np.full(len(grade_pos), now),
                "credit_limit": new.credit_limit,
                "property_payment_term_id": np.where(
                    keep_term, before["property_payment_term_id"], term_of_grade
                ),
                "credit_limit_factor": new.limit_factor,
                "credit_promoted_date": new.promoted_date,
                "credit_demoted_date": new.demoted_date,
                "credit_hold": new.hold,
                "credit_hold_automatic": new.hold_automatic,
                "credit_avg_days_late": np.round(values["avg_dbt"], 1),
                "credit_utilisation": np.round(utilisation * 100.0, 1),
            }
        )
        placed, lifted = outcome.hold_placed, outcome.hold_lifted
        reasons = before["credit_hold_reason"].copy()
        for i in np.flatnonzero(placed):
            reasons[i] = _("Open item overdue %s days", int(data["max_days_overdue"][i]))
        reasons[lifted] = None
        after["credit_hold_reason"] = reasons
        after["credit_hold_date"] = np.where(
            placed, now, np.where(lifted, np.datetime64("NaT"), before["credit_hold_date"])
        )
        after["credit_hold_user_id"] = np.where(placed | lifted, 0, before["credit_hold_user_id"])
        return after

    @api.model
    def _changes(self, before, after, policy):
        def differs(fname):
            old, new = before[fname], after[fname]
            if old.dtype.kind == "f":
                return ~((old == new) | (np.isnan(old) & np.isnan(new)))
            if old.dtype.kind == "M":
                return ~((old == new) | (np.isnat(old) & np.isnat(new)))
            return old != new

        first = np.isnat(before["credit_score_date"])
        score_moved = np.abs(np.nan_to_num(after["credit_score"] - before["credit_score"], nan=np.inf))
        changes = {
            "first": first,
            "grade": differs("credit_grade_id"),
            "limit": ~np.isclose(before["credit_limit"], after["credit_limit"]),
            "term": differs("property_payment_term_id"),
            "hold": differs("credit_hold"),
            "score": (score_moved >= max(policy.history_min_change, 0.05))
            & ~(np.isnan(before["credit_score"]) & np.isnan(after["credit_score"])),
            "factor": differs("credit_limit_factor")
            | differs("credit_promoted_date")
            | differs("credit_demoted_date"),
        }
        # Utilisation moves with every invoice and payment; it is kept current (not historised)
        # so that the alert on passing the threshold compares against what the last run saw.
        util_moved = np.abs(
            np.nan_to_num(after["credit_utilisation"] - before["credit_utilisation"], nan=np.inf)
        )
        changes["utilisation"] = (util_moved >= 1.0) & ~(
            np.isnan(before["credit_utilisation"]) & np.isnan(after["credit_utilisation"])
        )
        changes["profile"] = changes["grade"] | changes["limit"] | changes["term"] | changes["hold"]
        changes["any"] = first | changes["profile"] | changes["score"]
        return changes

    # ------------------------------------------------------------------
    # Writing
    # ------------------------------------------------------------------
    @api.model
    def _write_profiles(self, company, ids, before, after, changes):
        """One UPDATE for the customers whose profile changed, and their contacts.

        Customers whose profile did not change are not written at all: their row, and
        res.partner's many indexes, stay untouched. Contacts carry their company's
        profile because Odoo reads the payment term and credit limit from the partner
        on the document, which may be a contact. Within a written row, columns are only
        touched where their value changed, so values a user left to their default stay
        defaults.
        """
        rows = changes["any"] | changes["factor"] | changes["utilisation"]
        if not rows.any():
            return
        masks = {
            "credit_limit": changes["limit"],
            "property_payment_term_id": changes["term"],
            "credit_limit_factor": changes["factor"],
            "credit_promoted_date": changes["factor"],
            "credit_demoted_date": changes["factor"],
            "credit_hold": changes["hold"],
            "credit_hold_automatic": changes["hold"],
            "credit_hold_reason": changes["hold"],
            "credit_hold_date": changes["hold"],
            "credit_hold_user_id": changes["hold"],
        }
        ids = ids[rows]
        after = {fname: np.asarray(after[fname])[rows] for fname in PROFILE_COLUMNS}
        masks = {fname: mask[rows] for fname, mask in masks.items()}
        key = str(company.id)
        names, arrays, sets = [], [], []
        for fname, sql_type in PROFILE_COLUMNS.items():
            names += [fname, f"{fname}__set"]
            arrays += [
                _sql_array(after[fname], sql_type),
                _sql_array(masks.get(fname, np.ones(len(ids), dtype=bool)), "bool"),
            ]
            value = SQL("v.%s", SQL.identifier(fname))
            if sql_type in ("float8", "int4"):
                value = SQL(
                    "NULLIF(%s, %s)", value, SQL("'NaN'::float8") if sql_type == "float8" else SQL("0")
                )
            column = SQL.identifier(fname)
            sets.append(
                SQL(
                    """%(col)s = CASE WHEN NOT v.%(flag)s THEN p.%(col)s
                                  WHEN %(value)s IS NULL THEN p.%(col)s - %(key)s
                                  ELSE COALESCE(p.%(col)s, '{}'::jsonb)
                                       || jsonb_build_object(%(key)s, %(value)s)
                             END""",
                    col=column,
                    flag=SQL.identifier(f"{fname}__set"),
                    value=value,
                    key=key,
                )
            )
        self.env.cr.execute(
            SQL(
                "UPDATE res_partner p SET %s FROM unnest(%s, %s) AS v(id, %s) "
                "WHERE p.commercial_partner_id = v.id",
                SQL(", ").join(sets),
                _sql_array(ids, "int4"),
                SQL(", ").join(arrays),
                SQL(", ").join(SQL.identifier(n) for n in names),
            )
        )

    @api.model
    def _insert_history(
        self, company, ids, before, after, changes, outcome, result, values, data, trigger, note
    ):
        rows = changes["any"]
        if not rows.any():
            return
        notes = self._history_notes(before, after, changes, outcome, note)
        columns = {
            "partner_id": ("int4", ids),
            "score": ("float8", after["credit_score"]),
            "previous_score": ("float8", before["credit_score"]),
            "score_change": ("float8", after["credit_score"] - before["credit_score"]),
            "grade_id": ("int4", after["credit_grade_id"]),
            "previous_grade_id": ("int4", before["credit_grade_id"]),
            "credit_limit": ("float8", after["credit_limit"]),
            "previous_credit_limit": ("float8", np.where(changes["first"], np.nan, before["credit_limit"])),
            "payment_term_id": ("int4", after["property_payment_term_id"]),
            "credit_hold": ("bool", after["credit_hold"]),
            "exposure": ("float8", data["exposure"]),
            "note": ("text", notes),
        }
        points = dict(zip(result.factors, result.contributions.T, strict=True))
        for name in scoring.FACTORS:
            columns[name] = ("float8", values[name])
            columns[f"{name}_points"] = (
                "float8",
                np.where(np.isnan(values[name]), np.nan, points.get(name, np.full(len(ids), np.nan))),
            )
        names = list(columns)
        selects = [
            SQL("NULLIF(v.%s, 'NaN'::float8)", SQL.identifier(n))
            if columns[n][0] == "float8"
            else SQL("NULLIF(v.%s, 0)", SQL.identifier(n))
            if columns[n][0] == "int4" and n != "partner_id"
            else SQL("v.%s", SQL.identifier(n))
            for n in names
        ]
        self.env.cr.execute(
            SQL(
                """
            INSERT INTO credit_score_history (company_id, date, trigger, %(names)s)
            SELECT %(company)s, %(now)s, %(trigger)s, %(selects)s
              FROM unnest(%(arrays)s) AS v(%(names)s)
            """,
                names=SQL(", ").join(SQL.identifier(n) for n in names),
                selects=SQL(", ").join(selects),
                arrays=SQL(", ").join(
                    _sql_array(np.asarray(columns[n][1])[rows], columns[n][0]) for n in names
                ),
                company=company.id,
                now=fields.Datetime.now(),
                trigger=trigger,
            )
        )

    @api.model
    def _history_notes(self, before, after, changes, outcome, note):
        notes = np.full(len(changes["any"]), note or "", dtype=object)
        labels = [
            (changes["first"], _("First scoring.")),
            (changes["grade"] & ~changes["first"], _("Grade changed.")),
            (changes["limit"] & ~changes["first"], _("Credit limit changed.")),
            (changes["term"] & ~changes["first"], _("Payment term changed.")),
            (outcome.promoted, _("Promoted: invoices paid on time in a row.")),
            (outcome.demoted, _("Demoted: an item overdue past the threshold.")),
            (changes["hold"] & after["credit_hold"], _("Credit hold placed.")),
            (changes["hold"] & ~after["credit_hold"], _("Credit hold lifted.")),
            (np.isnan(after["credit_score"]), _("No invoicing history: new-customer grade.")),
        ]
        for mask, label in labels:
            notes[mask] = [f"{n} {label}".strip() for n in notes[mask]]
        return notes

    @api.model
    def _log_changes(self, ids, before, after, changes, outcome, data, policy):
        """A chatter note on each customer whose grade, limit, term or hold the policy changed.

        A first scoring sets the initial profile silently: its history row says why, and
        installing on a large book must not bury anyone in notes.
        """
        decided = outcome.promoted | outcome.demoted | changes["hold"]
        rows = np.flatnonzero((changes["profile"] | decided) & ~changes["first"])
        if not len(rows):
            return
        names = {
            "grade": _names(
                self.env["credit.grade"], before["credit_grade_id"][rows], after["credit_grade_id"][rows]
            ),
            "term": _names(
                self.env["account.payment.term"],
                before["property_payment_term_id"][rows],
                after["property_payment_term_id"][rows],
            ),
        }
        amount = _amount_formatter(self.env, self.env.company.currency_id)
        # Translated once per batch: _() looks up the language on every call.
        text = {
            "title": _("Credit profile updated by the credit policy:"),
            "grade": _("Grade: %(old)s → %(new)s (score %(score)s)"),
            "limit": _("Credit limit: %(old)s → %(new)s (%(why)s)"),
            "promoted": _("promoted: %s invoices in a row paid on time", policy.promote_after_on_time),
            "demoted": _("demoted: an item overdue %s days"),
            "rule": _("grade rule"),
            "term": _("Payment term: %(old)s → %(new)s"),
            "placed": _("Credit hold placed: %s"),
            "lifted": _("Credit hold lifted: no item overdue more than %s days", policy.hold_overdue_days),
            "none": _("none"),
        }
        bodies = {}
        for i in rows:
            lines = []
            if changes["grade"][i]:
                lines.append(
                    text["grade"]
                    % {
                        "old": names["grade"].get(before["credit_grade_id"][i], text["none"]),
                        "new": names["grade"].get(after["credit_grade_id"][i], text["none"]),
                        "score": _fmt(after["credit_score"][i]),
                    }
                )
            if changes["limit"][i]:
                why = (
                    text["promoted"]
                    if outcome.promoted[i]
                    else text["demoted"] % int(data["max_days_overdue"][i])
                    if outcome.demoted[i]
                    else text["rule"]
                )
                lines.append(
                    text["limit"]
                    % {
                        "old": amount(before["credit_limit"][i]),
                        "new": amount(after["credit_limit"][i]),
                        "why": why,
                    }
                )
            if changes["term"][i]:
                lines.append(
                    text["term"]
                    % {
                        "old": names["term"].get(before["property_payment_term_id"][i], text["none"]),
                        "new": names["term"].get(after["property_payment_term_id"][i], text["none"]),
                    }
                )
            if changes["hold"][i]:
                lines.append(
                    text["placed"] % after["credit_hold_reason"][i]
                    if after["credit_hold"][i]
                    else text["lifted"]
                )
            bodies[int(ids[i])] = Markup("<p>%s</p><ul>%s</ul>") % (
                text["title"],
                Markup().join(Markup("<li>%s</li>") % line for line in lines),
            )
        self.env["res.partner"].browse(list(bodies))._message_log_batch(bodies=bodies)

    @api.model
    def _raise_alerts(self, company, ids, before, after, changes, policy):
        """Credit review activities for the controller; never two open ones of a kind per customer.
        Like chatter notes, alerts follow changes: a first scoring raises none."""
        if not policy.controller_user_id:
            return 0
        grades = self._company_grades(company)
        min_score = dict(zip(grades.ids, grades.mapped("min_score"), strict=True))
        old_min = np.array([min_score.get(g, np.nan) for g in before["credit_grade_id"]])
        new_min = np.array([min_score.get(g, np.nan) for g in after["credit_grade_id"]])
        threshold = policy.alert_score_below
        util_threshold = policy.alert_utilisation_percent
        scored_before = ~changes["first"]
        kinds = {
            "grade_drop": scored_before & (new_min < old_min),
            "score_below": scored_before
            & (after["credit_score"] < threshold)
            & ~(before["credit_score"] < threshold),
            "utilisation": scored_before
            & (after["credit_utilisation"] > util_threshold)
            & ~(before["credit_utilisation"] > util_threshold),
            "hold": scored_before & changes["hold"] & after["credit_hold"],
        }
        wanted = [(int(ids[i]), kind) for kind, mask in kinds.items() for i in np.flatnonzero(mask)]
        return self._create_alerts(policy, wanted)

    @api.model
    def _alert(self, company, partner_ids, kind):
        """Raise one kind of credit review alert on ``partner_ids``."""
        policy = self.env["credit.policy"]._for_company(company)
        return self._create_alerts(policy, [(pid, kind) for pid in partner_ids])

    @api.model
    def _create_alerts(self, policy, wanted):
        """Create the (partner id, kind) alerts that have no open twin; returns how many."""
        controller = policy.controller_user_id
        if not wanted or not controller:
            return 0
        self.env["mail.activity"].flush_model(["res_model", "res_id", "credit_alert_kind", "active"])
        self.env.cr.execute(
            SQL(
                """
            SELECT res_id, credit_alert_kind FROM mail_activity
             WHERE res_model = 'res.partner' AND res_id = ANY(%s) AND credit_alert_kind IS NOT NULL AND active
            """,
                list({pid for pid, _kind in wanted}),
            )
        )
        open_alerts = set(self.env.cr.fetchall())
        wanted = [(pid, kind) for pid, kind in dict.fromkeys(wanted) if (pid, kind) not in open_alerts]
        activity_type = self.env.ref("credit_management.mail_activity_type_credit_review")
        model_id = self.env["ir.model"]._get_id("res.partner")
        labels = dict(self.env["mail.activity"]._fields["credit_alert_kind"]._description_selection(self.env))
        activities = self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True)
        # Activities name their record one by one: fetch the names in one query first.
        activities.env["res.partner"].browse({pid for pid, _kind in wanted}).mapped("display_name")
        # One create per kind: a batch naming a customer twice would subscribe the controller twice.
        for kind in dict.fromkeys(kind for _pid, kind in wanted):
            activities.create(
                [
                    {
                        "res_model_id": model_id,
                        "res_id": pid,
                        "activity_type_id": activity_type.id,
                        "user_id": controller.id,
                        "summary": _("Credit review: %s", labels[kind]),
                        "credit_alert_kind": kind,
                        "date_deadline": fields.Date.context_today(self),
                    }
                    for pid, pid_kind in wanted
                    if pid_kind == kind
                ]
            )
        return len(wanted)


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


def _sql_array(values, sql_type):
    """A numpy column as one typed array constant, ``'{...}'::type[]``.

    psycopg2 sends a Python list as ``ARRAY[v1, v2, ...]``, one expression per value for
    PostgreSQL to parse, type and plan: for the history of a 5,000-customer batch, half the time
    of its INSERT. An array literal is one constant, read by the type's input function.
    """
    values = np.asarray(values)
    if values.dtype.kind == "M":
        items = ["NULL" if np.isnat(v) else _quoted(str(v.item())) for v in values]
    elif sql_type == "float8":
        items = [repr(v) for v in values.astype(float).tolist()]  # nan and inf as float8 reads them
    elif sql_type == "int4":
        items = ["NULL" if v is None else str(int(v)) for v in values.tolist()]
    elif sql_type == "bool":
        items = ["NULL" if v is None else "t" if v else "f" for v in values.tolist()]
    else:
        items = ["NULL" if v is None or v is False else _quoted(str(v)) for v in values.tolist()]
    return SQL("%s::%s[]", "{" + ",".join(items) + "}", SQL(sql_type))


def _quoted(text):
    """An element of an array literal, quoted: NULL, commas and braces in it stay text."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _names(model, *id_arrays):
    """{id: display name} of the records whose ids the numpy arrays hold."""
    records = model.browse(sorted({int(v) for array in id_arrays for v in array if v}))
    return dict(zip(records.ids, records.mapped("display_name"), strict=True))


def _amount_formatter(env, currency):
    """format_amount, with the language and currency looked up once rather than per amount."""
    lang = env["res.lang"].browse(get_lang(env).id)
    fmt = f"%.{currency.decimal_places}f"
    symbol = currency.symbol or ""
    pre, post = (
        (f"{symbol}\N{NO-BREAK SPACE}", "")
        if currency.position == "before"
        else ("", f"\N{NO-BREAK SPACE}{symbol}")
    )

    def amount(value):
        return pre + lang.format(fmt, round(float(value), currency.decimal_places), grouping=True) + post

    return amount


def _fmt(score):
    return "-" if np.isnan(score) else f"{score:.1f}"
