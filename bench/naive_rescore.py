"""Rescoring the naive way, for comparison only: one customer at a time through the ORM.

The same factors and rules as the addon's engine (scoring, grade, limit, term, history),
but gathered by ORM searches and Python loops over each customer's move lines and
reconciliations, and written with one ORM write and one create per customer.
"""

from datetime import timedelta

import numpy as np

from odoo import fields
from odoo.addons.credit_management import rules, scoring


def _last_payment(line):
    """The date of the last payment (not credit note) that settled an invoice's line."""
    days = [p.max_date for p in line.matched_credit_ids if p.credit_move_id.journal_id.type != "sale"]
    return max(days, default=None)


def rescore(env, partners):
    company = env.company
    today = fields.Date.context_today(env.user)
    policy = env["credit.policy"]._for_company(company)
    factors = policy._scoring_factors()
    grades = env["credit.grade"].search([("company_id", "=", company.id)], order="min_score desc")
    since = today - timedelta(days=policy.lookback_days)
    for partner in partners:
        values = _factors(env, partner, company, today, since)
        result = scoring.compute({name: np.array([value]) for name, value in values.items()}, factors)
        score = float(result.score[0])
        position = int(scoring.band_index(result.score, grades.mapped("min_score"))[0])
        grade = grades[position] if position >= 0 else policy.new_customer_grade_id
        limit = float(
            rules.base_limits(np.zeros(1, dtype=int), np.array([values["volume_12m"]]), grade._rules_table())[
                0
            ]
        )
        partner.write(
            {
                "credit_score": score if score == score else False,
                "credit_grade_id": grade.id,
                "credit_score_date": fields.Datetime.now(),
                "credit_limit": limit,
                "credit_limit_manual": False,
                "property_payment_term_id": grade.payment_term_id.id,
            }
        )
        env["credit.score.history"].create(
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "trigger": "cron",
                "score": score if score == score else False,
                "grade_id": grade.id,
                "credit_limit": limit,
                **{name: value for name, value in values.items() if value == value},
            }
        )


def _factors(env, partner, company, today, since):
    lines = env["account.move.line"].search(
        [
            ("partner_id", "=", partner.id),
            ("company_id", "=", company.id),
            ("account_id.account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
        ]
    )
    invoices = lines.filtered(lambda line: line.display_type == "payment_term" and line.balance > 0)
    refunds = lines.filtered(lambda line: line.display_type == "payment_term" and line.balance < 0)
    paid = on_time = amount_days_late = 0.0
    settled = [(line, _last_payment(line)) for line in invoices if line.reconciled]
    settled = [(line, day) for line, day in settled if day and day > since]
    settled_late = sum(day > line.date_maturity for line, day in settled)
    for line in invoices:
        for partial in line.matched_credit_ids:
            if partial.max_date <= since or partial.credit_move_id.journal_id.type == "sale":
                continue
            late = max((partial.max_date - line.date_maturity).days, 0)
            paid += partial.amount
            on_time += partial.amount if not late else 0.0
            amount_days_late += partial.amount * late
    open_lines = lines.filtered(lambda line: not line.reconciled)
    overdue_lines = open_lines.filtered(lambda line: line.amount_residual > 0 and line.date_maturity < today)
    residual = sum(open_lines.mapped("amount_residual"))
    overdue = sum(overdue_lines.mapped("amount_residual"))
    first = min(invoices.mapped("date"), default=None)
    invoiced = sum(invoices.filtered(lambda line: line.date > since).mapped("balance"))
    refunded = -sum(refunds.filtered(lambda line: line.date > since).mapped("balance"))
    exposure = env["credit.exposure"]._exposure(company, [partner.id])["exposure"][0]
    nan = float("nan")
    return {
        "on_time_ratio": on_time / paid if paid else nan,
        "avg_dbt": amount_days_late / paid if paid else nan,
        "late_share": settled_late / len(settled) if settled else nan,
        "overdue_ratio": overdue / residual if residual > 0 else 0.0,
        "max_days_overdue": max([(today - line.date_maturity).days for line in overdue_lines], default=0),
        "utilisation": exposure / partner.credit_limit if partner.credit_limit else nan,
        "tenure_months": (today - first).days / 30.44 if first else nan,
        "volume_12m": sum(
            invoices.filtered(lambda line: line.date > today - timedelta(days=365)).mapped("balance")
        ),
        "refund_ratio": refunded / invoiced if invoiced else nan,
        "broken_promises": nan,
        "external_score": nan,
    }
