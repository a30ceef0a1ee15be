"""The `make demo` dataset: about 240 customers with two years of invoices and payments ending today.

    python scripts/demo_data.py -c CONF -d DB

Seeds the data (scripts/seed/, straight SQL), checks a sample of it through the ORM (verify_sample),
writes a year of month-end score history (point in time), rescores every customer with the addon's
engine, adds demo users and quotations that meet each order action, then prints a portfolio summary.
Exits non-zero with a one-line error on failure, including when the portfolio does not span every
grade.
"""

import os
import sys
import time
from datetime import datetime
from datetime import time as clock

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from odoo_env import odoo_env, parse_args
from seed import PROFILES, REF_PREFIX, seed, verify_sample

from odoo import Command, fields

DEMO_CUSTOMERS = 240
DEMO_YEARS = 2
HISTORY_MONTHS = 12


def receivable_totals(env):
    """Open receivable (net of unapplied credits), overdue gross and net over the seeded customers, in
    company currency: the figures of credit.exposure, which every screen reads."""
    customers = env["res.partner"].search([("ref", "=like", REF_PREFIX + "%")])
    figures = env["credit.exposure"]._exposure(env.company, customers.ids, whole_company=True)
    return figures["receivable"].sum(), figures["overdue"].sum(), figures["overdue_net"].sum()


def print_summary(env, stats, seconds):
    profiles = ", ".join(f"{name} {stats['profiles'][name]}" for name in PROFILES)
    currency = env.company.currency_id
    open_total, overdue_gross, overdue_net = receivable_totals(env)
    print(f"customers: {stats['customers']} ({profiles})")
    print(
        f"invoices: {stats['invoices']} (paid {stats['invoices_paid']}, partially paid "
        f"{stats['invoices_partial']}, open {stats['invoices_open']}); credit notes: "
        f"{stats['credit_notes']}; payments: {stats['payments']}"
    )
    print(
        f"open receivable (net of unapplied credits): {open_total:,.2f} {currency.name}; overdue (gross): "
        f"{overdue_gross:,.2f}, net of credits: {overdue_net:,.2f} {currency.name}"
    )
    print(f"seeded in {stats['seconds']:.1f} s, verified in {seconds:.1f} s")


# login = password, for trying the product as each kind of user
DEMO_USERS = (
    ("sales", "Sam Sales", ("sales_team.group_sale_salesman",)),
    (
        "controller",
        "Carla Controller",
        ("sales_team.group_sale_salesman", "credit_management.group_credit_controller"),
    ),
)


def load_chinese(env):
    """Simplified Chinese, before anything is scored: notes are stored in each installed language."""
    env["res.lang"]._activate_lang("zh_CN")
    env["ir.module.module"].search([("state", "=", "installed")])._update_translations(["zh_CN"])


def create_users(env):
    users = {}
    for login, name, groups in DEMO_USERS:
        users[login] = env["res.users"].create(
            {
                "name": name,
                "login": login,
                "password": login,
                "groups_id": [Command.set([env.ref("base.group_user").id] + [env.ref(g).id for g in groups])],
            }
        )
    env["credit.policy"]._for_company(env.company).controller_user_id = users["controller"]
    return users


def backfill_history(env, months=HISTORY_MONTHS):
    """A year of month-end score history, scored point in time with the backtest's factor values (what
    the ledger knew at each month end, nothing later), so that the grade mix, the distribution and the
    migration show a year on the first day. Customers invoiced in the three months after a month end
    are scored at it; returns how many history lines were written."""
    # the addon's modules are importable once the registry has loaded them
    from odoo.addons.credit_management import scoring

    company = env.company
    policy = env["credit.policy"]._for_company(company)
    backtest = env["credit.backtest"]
    cutoffs = backtest._cutoffs(company, fields.Date.context_today(backtest), months=months)
    accounts = env["credit.exposure"]._receivable_accounts(company)
    env.flush_all()
    env.cr.execute(backtest._factors_query(company, accounts, cutoffs, 3, policy.lookback_days))
    pairs = sorted(env.cr.fetchall(), key=lambda row: (row[1], row[0]))
    values, _late_share = backtest._pair_factors(pairs)
    by_name = {name: values[:, i] for i, name in enumerate(scoring.FACTORS)}
    scores = scoring.compute(by_name, policy._scoring_factors()).score
    grades = env["credit.grade"].search([("company_id", "=", company.id)], order="min_score")
    band = np.searchsorted(np.array(grades.mapped("min_score")), np.nan_to_num(scores), side="right") - 1
    vals_list, previous = [], {}
    for (cutoff, partner_id, *_rest), score, position, exposure in zip(
        pairs, scores.tolist(), band.tolist(), (row[10] or 0.0 for row in pairs), strict=True
    ):
        if score != score:  # NaN: nothing to score yet
            continue
        last = previous.get(partner_id)
        vals_list.append(
            {
                "partner_id": partner_id,
                "company_id": company.id,
                "date": datetime.combine(cutoff, clock(23, 0)),
                "trigger": "cron",
                "score": score,
                "previous_score": last[0] if last else 0.0,
                "score_change": score - last[0] if last else 0.0,
                "grade_id": grades[position].id,
                "previous_grade_id": last[1] if last else False,
                "exposure": exposure,
                "note": "Month-end score from the ledger as it was then (demo history).",
            }
        )
        previous[partner_id] = (score, grades[position].id)
    history = env["credit.score.history"].create(vals_list)
    history.with_context(lang="zh_CN").write({"note": "按当时账簿计算的演示月末评分。"})
    return len(vals_list)


def rescore(env):
    """The daily job's work, for every customer, as one batch."""
    engine = env["credit.scoring.engine"]
    started = time.perf_counter()
    count = engine._rescore_company(env.company, trigger="cron", batch_size=100000, auto_commit=False)
    return count, time.perf_counter() - started


def portfolio(env):
    """[(grade, customers, exposure, on hold)] for the scored customers, best grade first."""
    grades = env["credit.grade"].search([("company_id", "=", env.company.id)], order="min_score desc")
    customers = env["res.partner"].search([("ref", "=like", REF_PREFIX + "%")])
    exposure = env["credit.exposure"]._exposure(env.company, customers.ids)
    by_partner = dict(zip(exposure["ids"].tolist(), exposure["exposure"].tolist(), strict=True))
    rows = []
    for grade in grades:
        members = customers.filtered(lambda p, g=grade: p.credit_grade_id == g)
        rows.append(
            (
                grade,
                len(members),
                sum(by_partner.get(p.id, 0.0) for p in members),
                len(members.filtered("credit_hold")),
            )
        )
    return rows


def create_quotations(env, users):
    """Quotations that meet each order action: one within credit (grade A), and one just over the
    limit for grades C (warn), D (approval) and E (block)."""
    product = env["product.product"].search([("name", "=", "Professional Services")], limit=1)
    made = []
    for code in ("A", "C", "D", "E"):
        partner = env["res.partner"].search(
            [
                ("ref", "=like", REF_PREFIX + "%"),
                ("credit_grade_id.code", "=", code),
                ("credit_hold", "=", False),
            ],
            limit=1,
        )
        if not partner:
            continue
        available = max(partner.credit_available, 0.0)
        amount = available / 2 if code == "A" else available + 1000.0
        order = (
            env["sale.order"]
            .with_user(users["sales"])
            .create(
                {
                    "partner_id": partner.id,
                    "user_id": users["sales"].id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "product_uom_qty": 1,
                                "price_unit": amount,
                                "tax_id": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )
        made.append((order, partner))
    return made


def print_portfolio(env, rows, quotations, count, seconds):
    currency = env.company.currency_id.name
    print(f"rescored {count} customers in {seconds:.1f} s")
    print(f"{'grade':<16}{'customers':>10}{'exposure':>18}{'on hold':>9}")
    for grade, customers, exposure, holds in rows:
        print(f"{grade.display_name:<16}{customers:>10}{exposure:>14,.0f} {currency}{holds:>9}")
    for order, partner in quotations:
        print(
            f"quotation {order.name} for {partner.name} (grade {partner.credit_grade_id.code}): "
            f"{order.credit_check_message}"
        )
    print("users: admin/admin (credit manager), sales/sales (salesperson), controller/controller")


def collect(env):
    """This morning's collection run: reminders queued, calls for the controller, holds at the last level."""
    summary = env["credit.collection.run"]._run(env.company, auto_commit=False)
    print(
        f"collections: {summary['email']} reminder emails queued, {summary['activity']} calls and "
        f"{summary['letter']} letters for the controller, {summary['hold']} customers put on hold"
    )


def main():
    args = parse_args("Generate the credit_management demo dataset.")
    try:
        with odoo_env(args.config, args.database) as env:
            stats = seed(env, customers=DEMO_CUSTOMERS, years=DEMO_YEARS)
            started = time.perf_counter()
            verify_sample(env)
            print_summary(env, stats, time.perf_counter() - started)
            load_chinese(env)
            users = create_users(env)
            print(f"score history: {backfill_history(env)} month-end scores over {HISTORY_MONTHS} months")
            count, seconds = rescore(env)
            rows = portfolio(env)
            empty = [grade.code for grade, customers, _exposure, _holds in rows if not customers]
            if empty:
                raise RuntimeError(f"the demo portfolio has no customer in grade(s) {', '.join(empty)}")
            print_portfolio(env, rows, create_quotations(env, users), count, seconds)
            collect(env)
    except Exception as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        print(f"error: demo data generation failed: {type(exc).__name__}: {message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
