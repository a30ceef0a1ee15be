"""Seed realistic customer invoicing and payment history straight into PostgreSQL.

    from seed import seed, verify_sample
    stats = seed(env, customers=200)        # plans and writes the history
    verify_sample(env)                      # recomputes a sample through the ORM

    python scripts/seed.py -c CONF -d DB --customers 100000 --invoices-per-customer 10

Why SQL: posting through the ORM costs ~50 ms per invoice, hopeless for benchmark-size data (100k customers,
1M invoices). The whole history is planned with vectorised numpy code (no Python loop over customers or
invoices), then written with a handful of large ``INSERT ... SELECT FROM unnest(arrays)`` statements, in
chunks, holding the values the ORM would have stored. ``verify_sample`` checks that claim on a sample by
recomputing it through the ORM, and posts a new invoice and payments through the ORM on top of the data.

What is written (company currency or one foreign currency, EUR by default):
- company customers (res.partner) with a realistic name, a salesperson for some, a payment term, and their
  behaviour profile in ``ref`` ('SEED-<profile>-000123'), customer_rank as the ORM counts it;
- posted customer invoices (one product line, no taxes) and credit notes, due dates from "N days" terms;
- account.payment records with their journal entries, reconciled with the invoices through
  account.partial.reconcile / account.full.reconcile, some invoices paid in 2-3 parts, some left partial;
- a few unallocated (on-account) payments; open and overdue items shaped by the profiles below.

Consistency choices:
- Currency: foreign invoices are converted at the invoice date's rate exactly as the ORM does (rates read
  through the ORM, Odoo's float rounding reproduced). No exchange-difference entries are created: a foreign
  invoice is paid by one payment of its full amount, in its currency, whose company-currency amount is set to
  the invoice's (what the register-payment wizard writes with ``force_balance``), so that the reconciliation
  yields no exchange difference. For the same reason foreign credit notes are never reconciled (their rate
  differs from the invoice's); they stay open, as do foreign on-account payments (converted at their date).
- Sequences: names continue each journal's sequence per year prefix (INV/2025/, RINV/2025/, PBNK1/2025/),
  numbered 1..n in date order after any existing number, so the ORM's next number does not collide.
- Payments: state, is_reconciled, is_matched, names, memo and labels as the register-payment wizard leaves
  them in Community ('paid' once every linked invoice is paid, else 'in_process').
- Not written: chatter (mail.message, followers), analytic lines, taxes, bank statements.

Speed (1M invoices in a few minutes on 2 cores): almost all the time is Postgres maintaining indexes and
checking foreign keys row by row. When the role is a superuser, the foreign-key triggers are skipped during
the writes (session_replication_role = replica) and the generated references are validated set-based
afterwards; for large runs the plain secondary indexes of the accounting tables are dropped and rebuilt from
their own definitions around the writes. Both happen inside the caller's transaction: a failure rolls
everything back.
"""

import argparse
import contextlib
import datetime
import logging
import os
import resource
import sys
import time
from dataclasses import dataclass

import numpy as np

from odoo import Command, fields
from odoo.tools import SQL
from odoo.tools.float_utils import float_invert

PROFILES = ("punctual", "late", "deteriorating", "new", "defaulting", "occasional")
PUNCTUAL, LATE, DETERIORATING, NEW, DEFAULTING, OCCASIONAL = range(len(PROFILES))
DEFAULT_MIX = dict(zip(PROFILES, (0.35, 0.20, 0.15, 0.10, 0.10, 0.10), strict=True))

_logger = logging.getLogger("odoo.scripts.seed")  # under "odoo": quiet at the default warn level

REF_PREFIX = "SEED-"
CHUNK = 200_000  # rows per statement: bounds the Python strings and the server's per-statement memory
BULK_WORK_MEM = "256MB"  # per sort/hash node, during the writes only (SET LOCAL)
NEVER = 1 << 30  # "day number" of a payment that never happens
EPOCH = datetime.date(1970, 1, 1)
UID = 1  # create_uid / write_uid, as the ORM writes them under the superuser environment

# Share of customers per simple payment term ("N days"), by number of days.
TERM_WEIGHTS = {0: 0.10, 15: 0.20, 21: 0.10, 30: 0.40, 45: 0.20}
PART_COUNTS, PART_WEIGHTS = (1, 2, 3), (0.85, 0.10, 0.05)  # invoices paid in one, two or three payments
CREDIT_NOTE_SHARE = 0.04  # of invoices
CREDIT_NOTE_RECONCILED_SHARE = 0.6  # of company-currency credit notes issued before the first payment
ON_ACCOUNT_SHARE = 0.02  # of customers that also made an unallocated payment
INSTALLMENT_SHARE = 0.25  # of never-paid invoices with a first installment paid
SALESPEOPLE = ("Alice Carter", "Bruno Diaz", "Chloe Nguyen", "Daniel Okafor")

# States coded as small ints in the plan: account.move.payment_state, and account.payment.state where
# PAID means 'paid' and anything else 'in_process'.
NOT_PAID, PARTIAL, PAID = 0, 1, 2
IN_PROCESS = 0


# ---------------------------------------------------------------------------------------------------------
# Reference data (ORM, a handful of records)
# ---------------------------------------------------------------------------------------------------------


@dataclass
class Refs:
    company_id: int
    company_currency_id: int
    foreign_currency_id: int
    country_id: int | None
    lang: str
    sale_journal_id: int
    bank_journal_id: int
    receivable_account_id: int
    income_account_id: int
    outstanding_account_id: int
    payment_method_line_id: int
    payment_method_id: int
    payment_method_name: str
    partner_bank_id: int | None  # on payments: the bank journal's account
    invoice_bank_id: int | None  # on customer invoices: the company's bank account, if any
    product_id: int
    product_uom_id: int
    product_name: str
    term_ids: np.ndarray  # account.payment.term ids of the simple "N days" terms
    term_days: np.ndarray
    term_weights: np.ndarray
    default_user_id: int
    default_team_id: int
    salesperson_ids: np.ndarray
    salesperson_team_ids: np.ndarray


def _prepare_refs(env, company):
    """Find or create the few records the plan refers to, through the ORM."""
    if (company.fiscalyear_last_month, company.fiscalyear_last_day) != ("12", 31):
        raise ValueError("seed only supports calendar fiscal years (sequence prefixes per calendar year)")
    env = env(context=dict(env.context, allowed_company_ids=[company.id]))
    sale = env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", company.id)], limit=1)
    bank = env["account.journal"].search([("type", "=", "bank"), ("company_id", "=", company.id)], limit=1)
    if not sale or not bank:
        raise ValueError(f"company {company.name!r} needs a sale and a bank journal")
    method_line = bank.inbound_payment_method_line_ids[:1]
    outstanding = method_line.payment_account_id or env["account.payment"].new(
        {"company_id": company.id, "journal_id": bank.id, "payment_type": "inbound"}
    )._get_outstanding_account("inbound")
    probe = env["res.partner"].with_company(company).new({"name": "probe", "is_company": True})
    product = _ensure_product(env)
    income = product.product_tmpl_id.with_company(company).get_product_accounts()["income"]
    term_ids, term_days = _simple_terms(env, company)
    foreign = env.ref("base.EUR") if company.currency_id != env.ref("base.EUR") else env.ref("base.USD")
    if not foreign.active:
        foreign.active = True
    users = _ensure_salespeople(env, company)
    teams = [_default_team(env, company, uid) for uid in users.ids]
    weights = np.array([TERM_WEIGHTS.get(int(d), 0.1) for d in term_days])
    return Refs(
        company_id=company.id,
        company_currency_id=company.currency_id.id,
        foreign_currency_id=foreign.id,
        country_id=company.country_id.id or None,
        lang=probe.lang or "en_US",
        sale_journal_id=sale.id,
        bank_journal_id=bank.id,
        receivable_account_id=probe.property_account_receivable_id.id,
        income_account_id=(income or sale.default_account_id).id,
        outstanding_account_id=outstanding.id,
        payment_method_line_id=method_line.id,
        payment_method_id=method_line.payment_method_id.id,
        payment_method_name=method_line.name,
        partner_bank_id=bank.bank_account_id.id or None,
        invoice_bank_id=env["account.move"]
        .new({"move_type": "out_invoice", "journal_id": sale.id, "company_id": company.id})
        .partner_bank_id.id
        or None,
        product_id=product.id,
        product_uom_id=product.uom_id.id,
        product_name=product.display_name,
        term_ids=np.array(term_ids, dtype=np.int32),
        term_days=np.array(term_days, dtype=np.int32),
        term_weights=weights / weights.sum(),
        default_user_id=env.uid,
        default_team_id=_default_team(env, company, env.uid),
        salesperson_ids=np.array(users.ids, dtype=np.int32),
        salesperson_team_ids=np.array(teams, dtype=np.int32),
    )


def _ensure_product(env):
    product = env.ref("__seed__.product_services", raise_if_not_found=False)
    if not product:
        product = env["product.product"].create(
            {
                "name": "Professional Services",
                "type": "service",
                "list_price": 100.0,
                "taxes_id": [Command.clear()],
                "supplier_taxes_id": [Command.clear()],
            }
        )
        env["ir.model.data"]._update_xmlids([{"xml_id": "__seed__.product_services", "record": product}])
    return product


def _simple_terms(env, company):
    """The payment terms whose due date is simply invoice date + N days (single 100% line, no discount)."""
    terms = env["account.payment.term"].search([("company_id", "in", [False, company.id])], order="id")
    simple = [
        (term.id, term.line_ids.nb_days)
        for term in terms
        if len(term.line_ids) == 1
        and not term.early_discount
        and term.line_ids.value == "percent"
        and term.line_ids.value_amount == 100
        and term.line_ids.delay_type == "days_after"
    ]
    if not simple:
        raise ValueError("no 'N days' payment term found (expected e.g. '30 Days')")
    return [t for t, _ in simple], [d for _, d in simple]


def _ensure_salespeople(env, company):
    users = env["res.users"].with_context(active_test=False)
    group = env.ref("sales_team.group_sale_salesman")
    result = users.browse()
    for i, name in enumerate(SALESPEOPLE, 1):
        login = f"seed.salesperson{i}"
        user = users.search([("login", "=", login)], limit=1)
        if not user:
            user = users.with_context(no_reset_password=True).create(
                {
                    "name": name,
                    "login": login,
                    "email": f"{login}@example.com",
                    "company_id": company.id,
                    "company_ids": [Command.link(company.id)],
                    "groups_id": [Command.link(group.id)],
                }
            )
        result |= user
    return result


def _default_team(env, company, uid):
    team = env["crm.team"].with_context(allowed_company_ids=[company.id])._get_default_team_id(user_id=uid)
    return team.id or 0


# ---------------------------------------------------------------------------------------------------------
# Currency rates (ORM: a few dozen rows and lookups, one per distinct day)
# ---------------------------------------------------------------------------------------------------------


def _ensure_monthly_rates(env, company, currency, start_day, end_day, rng):
    """One rate per month over the period (a mild random walk), keeping any rate already there."""
    first = _to_date(start_day).replace(day=1)
    months = []
    while first <= _to_date(end_day):
        months.append(first)
        first = (first + datetime.timedelta(days=32)).replace(day=1)
    base = 0.92 if currency.name == "EUR" else 1.08
    walk = base * np.exp(np.cumsum(rng.normal(0.0, 0.012, len(months))))
    rates = env["res.currency.rate"]
    existing = set(
        rates.search(
            [
                ("currency_id", "=", currency.id),
                ("company_id", "=", company.root_id.id),
                ("name", "in", months),
            ]
        ).mapped("name")
    )
    rates.create(
        [
            {
                "currency_id": currency.id,
                "company_id": company.root_id.id,
                "name": month,
                "rate": round(rate, 6),
            }
            for month, rate in zip(months, walk.tolist(), strict=True)
            if month not in existing
        ]
    )


def _rates_by_day(env, company, currency, days):
    """ORM conversion rates (company->foreign for invoices, foreign->company for payments) for `days`.

    Rates are piecewise constant between rate dates, so the ORM is asked once per rate date in the range
    (a few dozen calls) and the answers are spread over the days with searchsorted.
    """
    if not days.size:
        return np.zeros(0, np.int64), np.zeros(0), np.zeros(0)
    env.cr.execute(
        "SELECT DISTINCT name FROM res_currency_rate WHERE currency_id IN %s AND name > %s AND name <= %s",
        (tuple({currency.id, company.currency_id.id}), _to_date(days.min()), _to_date(days.max())),
    )
    starts = np.unique(np.array([days.min()] + [_to_day(d) for (d,) in env.cr.fetchall()], dtype=np.int64))
    res_currency = env["res.currency"]
    to_foreign = np.array(
        [
            res_currency._get_conversion_rate(company.currency_id, currency, company, _to_date(d))
            for d in starts
        ]
    )
    to_company = np.array(
        [
            res_currency._get_conversion_rate(currency, company.currency_id, company, _to_date(d))
            for d in starts
        ]
    )
    return starts, to_foreign, to_company


def _round_cents(values):
    """Odoo's ``float_round(value, precision_rounding=0.01)`` on a float array, as integer cents.

    Reproduced rather than approximated (normalise, add the 2**-50 relative epsilon, round half-even) so that
    converted amounts are bit-for-bit what ``currency.round()`` gives.
    """
    normalized = values * float_invert(0.01)
    with np.errstate(divide="ignore"):
        epsilon = np.exp2(np.log2(np.abs(normalized)) - 50)
    return np.rint(normalized + np.copysign(epsilon, normalized)).astype(np.int64)


# ---------------------------------------------------------------------------------------------------------
# The plan (numpy, vectorised)
# ---------------------------------------------------------------------------------------------------------


def _exact_profiles(rng, n, mix):
    """Profile per customer, with the requested shares as exact counts (largest remainders), shuffled."""
    shares = np.array([mix.get(p, 0.0) for p in PROFILES], dtype=float)
    if set(mix) - set(PROFILES) or shares.sum() <= 0 or (shares < 0).any():
        raise ValueError(f"invalid profile mix {mix!r}")
    raw = shares / shares.sum() * n
    counts = np.floor(raw).astype(int)
    counts[np.argsort(raw - counts)[::-1][: n - counts.sum()]] += 1
    return rng.permutation(np.repeat(np.arange(len(PROFILES), dtype=np.int8), counts))


def _plan_customers(rng, n, start, end, mix, foreign_share, invoices_per_customer, refs):
    prof = _exact_profiles(rng, n, mix)
    scale = np.clip(rng.lognormal(np.log(2000.0), 1.0, n), 100.0, 200_000.0)
    scale = np.where(prof == OCCASIONAL, np.minimum(scale * 3.0, 200_000.0), scale)
    span = end - start
    first = start + (rng.random(n) ** 2 * 0.5 * span).astype(np.int32)
    last = np.full(n, end, dtype=np.int32)
    # New customers: first invoice within the last one to three months.
    first = np.where(prof == NEW, end - rng.integers(30, 91, n), first)
    # Defaulting customers: stopped paying 5-8 months ago, were still invoiced for a month after that.
    stop = end - rng.integers(165, 241, n)
    is_def = prof == DEFAULTING
    first = np.where(
        is_def, np.minimum(start + (rng.random(n) * 0.25 * span).astype(np.int32), stop - 60), first
    )
    last = np.where(is_def, np.minimum(stop + 30, end), last)
    first = np.clip(first, start, last).astype(np.int32)
    # Deteriorating customers: punctual until 4-6 months ago, then later and later.
    turn = end - rng.integers(120, 181, n)
    slope = rng.uniform(0.8, 1.5, n)
    if invoices_per_customer:
        count = np.full(n, int(invoices_per_customer), dtype=np.int64)
    else:
        months = (last - first + 1) / 30.44
        count = np.maximum(rng.poisson(np.where(prof == OCCASIONAL, months / 3.0, months)), 1)
        count = np.where(prof == NEW, rng.integers(1, 4, n), count)
    has_rep = rng.random(n) < 0.6
    rep = rng.integers(0, len(refs.salesperson_ids), n)
    return {
        "prof": prof,
        "scale": scale,
        "foreign": rng.random(n) < foreign_share,
        "term": rng.choice(len(refs.term_ids), n, p=refs.term_weights),
        "user_id": np.where(has_rep, refs.salesperson_ids[rep], 0).astype(np.int32),
        "team_id": np.where(has_rep, refs.salesperson_team_ids[rep], refs.default_team_id).astype(np.int32),
        "first": first,
        "last": last,
        "stop": stop,
        "turn": turn,
        "slope": slope,
        "count": count,
    }


def _plan_invoices(rng, cust, refs, end):
    """Invoices: customer, date, amount, due date, and when (and in how many parts) they get paid."""
    owner = np.repeat(np.arange(cust["count"].size, dtype=np.int32), cust["count"])
    m = owner.size
    width = (cust["last"] - cust["first"] + 1)[owner]
    # New customers' invoices lean towards the most recent days: mostly not yet due.
    spread = rng.random(m)
    spread = np.where(cust["prof"][owner] == NEW, spread**2, spread)
    date = (cust["last"][owner] - (spread * width).astype(np.int32)).astype(np.int32)
    order = np.lexsort((date, owner))  # owner is already grouped: this sorts dates within each customer
    date = date[order]
    level = cust["scale"][owner] * rng.lognormal(0.0, 0.35, m)
    qty = np.where(level >= 1000.0, rng.integers(1, 11, m), 1).astype(np.int64)
    price = np.maximum(np.round(level * 100.0 / qty), 100).astype(np.int64)  # cents
    due = (date + refs.term_days[cust["term"][owner]]).astype(np.int32)
    settle = _settlement_days(rng, cust, owner, date, due)
    foreign = cust["foreign"][owner]
    parts = rng.choice(PART_COUNTS, m, p=PART_WEIGHTS)
    # Some never-paid invoices still got a first installment around their due date.
    installment = (settle >= NEVER) & ~foreign & (rng.random(m) < INSTALLMENT_SHARE)
    parts = np.where(installment, 2, np.where(foreign | (settle >= NEVER), 1, parts))  # foreign: one payment
    return {
        "owner": owner,
        "date": date,
        "due": due,
        "qty": qty,
        "price": price,
        "amount": qty * price,
        "settle": settle,
        "parts": parts,
        "gap": rng.integers(7, 31, m),
        "foreign": foreign,
        "installment": installment,
        "installment_day": due + rng.integers(0, 21, m),
    }


def _settlement_days(rng, cust, owner, date, due):
    """Day each invoice is (finally) paid, from its customer's profile; NEVER when it is not."""
    m = owner.size
    prof = cust["prof"][owner]
    since_turn = due - cust["turn"][owner]
    worsening = 5 + since_turn * cust["slope"][owner] + rng.integers(0, 11, m)
    deteriorating = np.where(since_turn < 0, due - rng.integers(0, 4, m), due + worsening.astype(np.int64))
    defaulting = np.where(due < cust["stop"][owner] - 20, due + rng.integers(0, 21, m), NEVER)
    settle = np.select(
        [prof == PUNCTUAL, prof == LATE, prof == DETERIORATING, prof == NEW, prof == DEFAULTING],
        [
            due - rng.integers(0, 6, m),
            due + rng.integers(15, 61, m),
            deteriorating,
            due + rng.integers(-2, 9, m),
            defaulting,
        ],
        due + rng.integers(-3, 11, m),  # occasional
    )
    return np.maximum(settle, date).astype(np.int64)


def _plan_parts(rng, inv, end):
    """Payment parts of each invoice (one row per part): day and cumulative share of the amount paid."""
    m = inv["date"].size
    pinv = np.repeat(np.arange(m, dtype=np.int64), inv["parts"])
    j = np.arange(pinv.size) - np.repeat(np.cumsum(inv["parts"]) - inv["parts"], inv["parts"])
    n_of = inv["parts"][pinv]
    from_last = n_of - 1 - j
    day = np.maximum(inv["settle"][pinv] - from_last * inv["gap"][pinv], inv["date"][pinv])
    day = np.where(inv["installment"][pinv] & (j == 0), inv["installment_day"][pinv], day)
    # Cumulative share of the amount paid after each part: 2 parts ~ 30-70% + rest, 3 parts ~ thirds.
    f1 = np.where(n_of == 2, rng.uniform(0.3, 0.7, pinv.size), rng.uniform(0.2, 0.4, pinv.size))
    f2 = rng.uniform(0.2, 0.4, pinv.size)
    cumshare = np.where(from_last == 0, 1.0, np.where(j == 0, f1, np.roll(f1, 1) + f2))
    first_day = np.full(m, NEVER, dtype=np.int64)
    np.minimum.at(first_day, pinv, day)
    return {
        "inv": pinv,
        "j": j,
        "day": day,
        "cumshare": cumshare,
        "recorded": day <= end,
        "first_day": first_day,
    }


def _plan_credit_notes(rng, inv, parts, end):
    m = inv["date"].size
    day = inv["date"] + rng.integers(1, 16, m)
    keep = (rng.random(m) < CREDIT_NOTE_SHARE) & (day <= end) & (inv["amount"] >= 200)
    amount = np.clip(np.round(inv["amount"] * rng.uniform(0.05, 0.3, m)), 100, inv["amount"] - 100)
    # Reconciled against the invoice only before it is paid, and only in company currency (no exchange diff).
    reconciled = keep & ~inv["foreign"] & (rng.random(m) < CREDIT_NOTE_RECONCILED_SHARE)
    reconciled &= day <= parts["first_day"]
    idx = np.flatnonzero(keep)
    return {
        "inv": idx,
        "day": day[idx].astype(np.int64),
        "amount": amount[idx].astype(np.int64),
        "reconciled": reconciled[idx],
    }


def _part_amounts(parts, inv, cn):
    """Amount of each part (document currency cents): the invoice less any reconciled credit note, split."""
    due_amount = inv["amount"].copy()
    rec = cn["inv"][cn["reconciled"]]
    due_amount[rec] -= cn["amount"][cn["reconciled"]]
    cum = np.floor(due_amount[parts["inv"]] * parts["cumshare"]).astype(np.int64)
    cum = np.where(parts["cumshare"] >= 1.0, due_amount[parts["inv"]], cum)
    previous = np.where(parts["j"] == 0, 0, np.roll(cum, 1))
    return cum - previous


def _plan_on_account(rng, cust, end):
    """A few customers also paid something not (yet) matched with an invoice."""
    n = cust["prof"].size
    eligible = np.isin(cust["prof"], (PUNCTUAL, LATE, OCCASIONAL))
    who = np.flatnonzero(eligible & (rng.random(n) < ON_ACCOUNT_SHARE))
    day = np.maximum(end - rng.integers(1, 61, who.size), cust["first"][who])
    amount = np.maximum(np.round(cust["scale"][who] * rng.uniform(0.3, 1.0, who.size) * 100), 100)
    return {"owner": who.astype(np.int32), "day": day.astype(np.int64), "amount": amount.astype(np.int64)}


def _company_amounts(env, company, refs, inv, cn, parts, part_amount, onacc, owner_foreign):
    """Company-currency amounts and invoice rates: identity for company-currency documents; the ORM's
    conversion at the document date for foreign ones (payments of foreign invoices take the invoice's)."""
    rate_days = np.concatenate(
        [
            inv["date"][inv["foreign"]],
            cn["day"][inv["foreign"][cn["inv"]]],
            onacc["day"][owner_foreign[onacc["owner"]]],
        ]
    )
    currency = env["res.currency"].browse(refs.foreign_currency_id)
    uniq, to_foreign, to_company = _rates_by_day(env, company, currency, rate_days)

    def convert(amount_cents, days, foreign):
        pos = np.searchsorted(uniq, days[foreign], side="right") - 1
        comp = amount_cents.copy()
        comp[foreign] = _round_cents(amount_cents[foreign] / 100.0 / to_foreign[pos])
        rate_idx = np.zeros(days.size, dtype=np.int64)  # 0: company currency, rate 1.0
        rate_idx[foreign] = pos + 1
        return comp, rate_idx

    inv_comp, inv_rate = convert(inv["amount"], inv["date"], inv["foreign"])
    cn_foreign = inv["foreign"][cn["inv"]]
    cn_comp, cn_rate = convert(cn["amount"], cn["day"], cn_foreign)
    # Payments of foreign invoices are single and full: company amount = the invoice's (force_balance).
    part_comp = np.where(inv["foreign"][parts["inv"]], inv_comp[parts["inv"]], part_amount)
    oa_foreign = owner_foreign[onacc["owner"]]
    oa_comp = onacc["amount"].copy()
    pos = np.searchsorted(uniq, onacc["day"][oa_foreign], side="right") - 1
    oa_comp[oa_foreign] = _round_cents(onacc["amount"][oa_foreign] / 100.0 * to_company[pos])
    rate_values = ["1.0"] + [repr(float(r)) for r in to_foreign]
    return inv_comp, inv_rate, cn_comp, cn_rate, part_comp, oa_comp, rate_values


# ---------------------------------------------------------------------------------------------------------
# Ids, sequences, reconciliation numbering (numpy)
# ---------------------------------------------------------------------------------------------------------


def _rank_order(*keys):
    """Rank (0..n-1) of each row when sorted by keys (last key primary, as np.lexsort)."""
    order = np.lexsort(keys)
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    return rank


def _group_rank(group_key, order_key):
    """1-based rank of each row within its group, ordered by order_key."""
    order = np.lexsort((order_key, group_key))
    sorted_keys = group_key[order]
    starts = np.r_[True, sorted_keys[1:] != sorted_keys[:-1]] if order.size else np.zeros(0, bool)
    first_pos = np.maximum.accumulate(np.where(starts, np.arange(order.size), 0))
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size) - first_pos + 1
    return rank


def _year_of(days):
    return np.asarray(days).astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


class _Sequences:
    """Per (kind, year) prefix: the name prefix/width the ORM would use and the last number already taken."""

    def __init__(self, env, refs):
        self.env, self.refs = env, refs
        self.prefixes, self.widths, self.index = [], [], {}

    def number(self, kind, move_day, move_id):
        """Sequence number and prefix index (1-based, for a SQL array) of each move of one kind."""
        years = _year_of(move_day)
        seq = _group_rank(years, move_id)
        prefix_idx = np.empty(years.size, dtype=np.int64)
        for year in np.unique(years).tolist():
            idx, last = self._prefix(kind, year)
            in_year = years == year
            seq[in_year] += last
            prefix_idx[in_year] = idx
        return seq, prefix_idx

    def _prefix(self, kind, year):
        key = (kind, year)
        if key not in self.index:
            journal_id = self.refs.bank_journal_id if kind == "payment" else self.refs.sale_journal_id
            move = (
                self.env["account.move"]
                .with_context(is_payment=kind == "payment")
                .new(
                    {
                        "move_type": "entry" if kind == "payment" else kind,
                        "journal_id": journal_id,
                        "date": datetime.date(year, 1, 1),
                    }
                )
            )
            start = move._get_starting_sequence()  # e.g. 'INV/2025/00000'
            digits = len(start) - len(start.rstrip("0123456789"))
            prefix = start[: len(start) - digits]
            self.env.cr.execute(
                "SELECT COALESCE(max(sequence_number), 0) FROM account_move"
                " WHERE journal_id = %s AND sequence_prefix = %s",
                (journal_id, prefix),
            )
            self.prefixes.append(prefix)
            self.widths.append(digits)
            self.index[key] = (len(self.prefixes), self.env.cr.fetchone()[0])
        return self.index[key]


def _reserve_ids(cr, table, count):
    """Take a block of `count` ids from the table's sequence (setval past it); returns the first id."""
    cr.execute("SELECT pg_get_serial_sequence(%s, 'id')", (table,))
    seq = cr.fetchone()[0]
    cr.execute(
        SQL(
            "SELECT GREATEST(nextval(%s), (SELECT COALESCE(max(id), 0) + 1 FROM %s))",
            seq,
            SQL.identifier(table),
        )
    )
    first = cr.fetchone()[0]
    cr.execute("SELECT setval(%s, %s)", (seq, first + max(count, 1) - 1))
    return first


# ---------------------------------------------------------------------------------------------------------
# SQL writing
# ---------------------------------------------------------------------------------------------------------


def _ints(values):
    """A Postgres array literal of integers, built at C speed (numpy formatting, one join)."""
    return "{" + ",".join(np.asarray(values).astype(np.int64).astype(str).tolist()) + "}"


def _execute_chunks(cr, query, arrays, constants, size=CHUNK):
    """Run `query` once per chunk; arrays are sliced and passed as integer array literals."""
    n = len(next(iter(arrays.values())))
    for lo in range(0, n, size):
        params = dict(constants)
        for name, values in arrays.items():
            chunk = values[lo : lo + size]
            params[name] = chunk if isinstance(chunk, list) else _ints(chunk)
        cr.execute(query, params, log_exceptions=False)


# create_date/write_date: the transaction's timestamp in UTC, as the ORM writes them.
PARTNER_SQL = """
INSERT INTO res_partner (
    id, name, complete_name, commercial_company_name, commercial_partner_id, ref, user_id, customer_rank,
    supplier_rank, is_company, active, type, lang, partner_share, color, message_bounce, invoice_warn,
    sale_warn, autopost_bills, email, email_normalized, country_id, property_payment_term_id,
    create_uid, write_uid, create_date, write_date)
SELECT t.id, t.name, t.name, t.name, t.id, t.ref, NULLIF(t.user_id, 0), t.rank,
       0, true, true, 'contact', %(lang)s, true, 0, 0, 'no-message', 'no-message',
       'ask', t.email, lower(t.email), %(country)s::int4, jsonb_build_object(%(company)s::text, t.term),
       %(uid)s, %(uid)s, (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')
  FROM unnest(%(id)s::int4[], %(name)s::text[], %(ref)s::text[], %(user_id)s::int4[], %(rank)s::int4[],
              %(email)s::text[], %(term)s::int4[])
       AS t(id, name, ref, user_id, rank, email, term)
"""

FULL_RECONCILE_SQL = """
INSERT INTO account_full_reconcile (id, create_uid, write_uid, create_date, write_date)
SELECT g, %(uid)s, %(uid)s, (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')
  FROM generate_series(%(first)s::int4, %(last)s::int4) g
"""

# Invoices (kind 0) and credit notes (kind 1): the move and its two lines (product, payment term).
DOCUMENT_SQL = """
WITH s AS MATERIALIZED (
    SELECT t.*, p.name AS partner_name,
           DATE '1970-01-01' + t.day AS d, DATE '1970-01-01' + t.due AS due_date,
           CASE WHEN t.kind = 0 THEN 1 ELSE -1 END AS sgn,
           CASE WHEN t.kind = 0 THEN 'out_invoice' ELSE 'out_refund' END AS move_type,
           CASE WHEN t.rate_idx > 0 THEN %(foreign_currency)s ELSE %(company_currency)s END AS currency_id,
           (%(rates)s::numeric[])[t.rate_idx + 1] AS rate,
           (%(prefixes)s::text[])[t.prefix_idx] AS prefix,
           (%(prefixes)s::text[])[t.prefix_idx]
             || lpad(t.seq::text, GREATEST((%(widths)s::int4[])[t.prefix_idx], length(t.seq::text)), '0')
             AS name,
           CASE WHEN t.match > 0 THEN t.match::text WHEN t.match < 0 THEN 'P' || (-t.match) END AS matching
      FROM unnest(%(id)s::int4[], %(kind)s::int2[], %(line_id)s::int4[], %(partner_id)s::int4[],
                  %(day)s::int4[], %(due)s::int4[], %(term_id)s::int4[], %(user_id)s::int4[],
                  %(team_id)s::int4[], %(rate_idx)s::int4[], %(qty)s::int4[], %(price)s::int8[],
                  %(amt_cur)s::int8[], %(amt_comp)s::int8[], %(res_cur)s::int8[], %(res_comp)s::int8[],
                  %(state)s::int2[], %(prefix_idx)s::int4[], %(seq)s::int4[], %(full_id)s::int4[],
                  %(match)s::int4[])
           AS t(id, kind, line_id, partner_id, day, due, term_id, user_id, team_id, rate_idx, qty, price,
                amt_cur, amt_comp, res_cur, res_comp, state, prefix_idx, seq, full_id, match)
      JOIN res_partner p ON p.id = t.partner_id
), moves AS (
    INSERT INTO account_move (
        id, journal_id, company_id, currency_id, partner_id, commercial_partner_id, partner_shipping_id,
        invoice_payment_term_id, invoice_user_id, team_id, partner_bank_id, sequence_prefix, sequence_number,
        name, state, move_type, auto_post, payment_reference, payment_state, invoice_partner_display_name,
        date, invoice_date, invoice_date_due, invoice_currency_rate,
        amount_untaxed, amount_tax, amount_total, amount_residual, amount_untaxed_signed,
        amount_untaxed_in_currency_signed, amount_tax_signed, amount_total_signed,
        amount_total_in_currency_signed, amount_residual_signed,
        is_storno, always_tax_exigible, checked, posted_before, made_sequence_gap, is_manually_modified,
        create_uid, write_uid, create_date, write_date)
    SELECT id, %(journal)s, %(company)s, currency_id, partner_id, partner_id, partner_id,
           term_id, user_id, NULLIF(team_id, 0), CASE WHEN kind = 0 THEN %(invoice_bank)s::int4 END,
           prefix, seq,
           name, 'posted', move_type, 'no', CASE WHEN kind = 0 THEN name END,
           (ARRAY['not_paid', 'partial', 'paid'])[state + 1], partner_name,
           d, d, due_date, rate,
           amt_cur * 0.01, 0.00, amt_cur * 0.01, res_cur * 0.01, sgn * amt_comp * 0.01,
           sgn * amt_cur * 0.01, 0.00, sgn * amt_comp * 0.01,
           sgn * amt_cur * 0.01, sgn * res_comp * 0.01,
           false, false, true, true, false, false,
           %(uid)s, %(uid)s, (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')
      FROM s
)
INSERT INTO account_move_line (
    id, move_id, journal_id, company_id, company_currency_id, sequence, account_id, currency_id, partner_id,
    full_reconcile_id, product_id, product_uom_id, move_name, parent_state, name, matching_number,
    display_type, date, invoice_date, date_maturity, debit, credit, balance, amount_currency,
    amount_residual, amount_residual_currency, quantity, price_unit, price_subtotal, price_total, discount,
    discount_amount_currency, discount_balance, tax_tag_invert, reconciled,
    create_uid, write_uid, create_date, write_date)
SELECT s.line_id + k.term, s.id, %(journal)s, %(company)s, %(company_currency)s,
       CASE k.term WHEN 0 THEN 100 ELSE 12000 END,
       CASE k.term WHEN 0 THEN %(income_account)s ELSE %(receivable_account)s END,
       s.currency_id, s.partner_id,
       CASE k.term WHEN 1 THEN NULLIF(s.full_id, 0) END,
       CASE k.term WHEN 0 THEN %(product)s END, CASE k.term WHEN 0 THEN %(uom)s END,
       s.name, 'posted',
       CASE k.term WHEN 0 THEN %(product_name)s WHEN 1 THEN CASE WHEN s.kind = 0 THEN s.name END END,
       CASE k.term WHEN 1 THEN s.matching END,
       CASE k.term WHEN 0 THEN 'product' ELSE 'payment_term' END,
       s.d, s.d, CASE k.term WHEN 1 THEN s.due_date END,
       CASE WHEN k.sign * s.sgn > 0 THEN s.amt_comp * 0.01 ELSE 0.00 END,
       CASE WHEN k.sign * s.sgn < 0 THEN s.amt_comp * 0.01 ELSE 0.00 END,
       k.sign * s.sgn * s.amt_comp * 0.01, k.sign * s.sgn * s.amt_cur * 0.01,
       CASE k.term WHEN 1 THEN s.sgn * s.res_comp * 0.01 ELSE 0.00 END,
       CASE k.term WHEN 1 THEN s.sgn * s.res_cur * 0.01 ELSE 0.00 END,
       CASE k.term WHEN 0 THEN s.qty ELSE 0 END * 1.00,
       CASE k.term WHEN 0 THEN s.price * 0.01 ELSE 0.00 END,
       CASE k.term WHEN 0 THEN s.amt_cur * 0.01 ELSE 0.00 END,
       CASE k.term WHEN 0 THEN s.amt_cur * 0.01 ELSE 0.00 END,
       0.00,
       CASE k.term WHEN 1 THEN 0.00 END, CASE k.term WHEN 1 THEN 0.00 END,
       false, k.term = 1 AND s.res_comp = 0 AND s.res_cur = 0,
       %(uid)s, %(uid)s, (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')
  FROM s CROSS JOIN (VALUES (0, -1), (1, 1)) AS k(term, sign)
"""

# Payments: account.payment, its move (liquidity + receivable lines) and the link to the paid invoice.
PAYMENT_SQL = """
WITH s AS MATERIALIZED (
    SELECT t.*, p.name AS partner_name,
           CASE WHEN t.invoice_id > 0 THEN (%(prefixes)s::text[])[t.inv_prefix_idx]
             || lpad(t.inv_seq::text,
                     GREATEST((%(widths)s::int4[])[t.inv_prefix_idx], length(t.inv_seq::text)), '0')
           END AS memo,
           DATE '1970-01-01' + t.day AS d,
           CASE WHEN t.is_foreign = 1 THEN %(foreign_currency)s ELSE %(company_currency)s END AS currency_id,
           (%(prefixes)s::text[])[t.prefix_idx] AS prefix,
           (%(prefixes)s::text[])[t.prefix_idx]
             || lpad(t.seq::text, GREATEST((%(widths)s::int4[])[t.prefix_idx], length(t.seq::text)), '0')
             AS name,
           %(method_name)s AS method_name,
           CASE WHEN t.match > 0 THEN t.match::text WHEN t.match < 0 THEN 'P' || (-t.match) END AS matching
      FROM unnest(%(id)s::int4[], %(move_id)s::int4[], %(line_id)s::int4[], %(partner_id)s::int4[],
                  %(day)s::int4[], %(is_foreign)s::int2[], %(amt_cur)s::int8[], %(amt_comp)s::int8[],
                  %(invoice_id)s::int4[], %(state)s::int2[], %(prefix_idx)s::int4[], %(seq)s::int4[],
                  %(full_id)s::int4[], %(match)s::int4[], %(inv_prefix_idx)s::int4[], %(inv_seq)s::int4[])
           AS t(id, move_id, line_id, partner_id, day, is_foreign, amt_cur, amt_comp, invoice_id, state,
                prefix_idx, seq, full_id, match, inv_prefix_idx, inv_seq)
      JOIN res_partner p ON p.id = t.partner_id
), payments AS (
    INSERT INTO account_payment (
        id, move_id, journal_id, company_id, partner_bank_id, payment_method_line_id, payment_method_id,
        currency_id, partner_id, outstanding_account_id, destination_account_id, name, state, payment_type,
        partner_type, memo, date, amount, amount_company_currency_signed, is_reconciled, is_matched,
        create_uid, write_uid, create_date, write_date)
    SELECT id, move_id, %(journal)s, %(company)s, %(partner_bank)s::int4, %(method_line)s, %(method)s,
           currency_id, partner_id, %(outstanding_account)s, %(receivable_account)s, name,
           CASE WHEN state = 2 THEN 'paid' ELSE 'in_process' END, 'inbound',
           'customer', memo, d, amt_cur * 0.01, amt_comp * 0.01, invoice_id > 0, false,
           %(uid)s, %(uid)s, (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')
      FROM s
), moves AS (
    INSERT INTO account_move (
        id, journal_id, company_id, currency_id, partner_id, commercial_partner_id, partner_bank_id,
        origin_payment_id, sequence_prefix, sequence_number, name, ref, state, move_type, auto_post,
        payment_state, invoice_partner_display_name, date, invoice_date_due, invoice_currency_rate,
        amount_untaxed, amount_tax, amount_total, amount_residual, amount_untaxed_signed,
        amount_untaxed_in_currency_signed, amount_tax_signed, amount_total_signed,
        amount_total_in_currency_signed, amount_residual_signed,
        is_storno, always_tax_exigible, checked, posted_before, made_sequence_gap, is_manually_modified,
        create_uid, write_uid, create_date, write_date)
    SELECT move_id, %(journal)s, %(company)s, currency_id, partner_id, partner_id, %(partner_bank)s::int4,
           id, prefix, seq, name, memo, 'posted', 'entry', 'no',
           'not_paid', partner_name, d, d, 0.0,
           0.00, 0.00, amt_cur * 0.01, 0.00, 0.00,
           0.00, 0.00, amt_comp * 0.01,
           amt_cur * 0.01, 0.00,
           false, true, true, true, false, false,
           %(uid)s, %(uid)s, (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')
      FROM s
), links AS (
    INSERT INTO account_move__account_payment (invoice_id, payment_id)
    SELECT invoice_id, id FROM s WHERE invoice_id > 0
)
INSERT INTO account_move_line (
    id, move_id, journal_id, company_id, company_currency_id, sequence, account_id, currency_id, partner_id,
    payment_id, full_reconcile_id, move_name, parent_state, ref, name, matching_number, display_type, date,
    date_maturity, debit, credit, balance, amount_currency, amount_residual, amount_residual_currency,
    quantity, price_unit, price_subtotal, price_total, discount, tax_tag_invert, reconciled,
    create_uid, write_uid, create_date, write_date)
SELECT s.line_id + k.cp, s.move_id, %(journal)s, %(company)s, %(company_currency)s, 100,
       CASE k.cp WHEN 0 THEN %(outstanding_account)s ELSE %(receivable_account)s END,
       s.currency_id, s.partner_id, s.id,
       CASE k.cp WHEN 1 THEN NULLIF(s.full_id, 0) END,
       s.name, 'posted', s.memo, s.method_name || COALESCE(': ' || s.memo, ''),
       CASE k.cp WHEN 1 THEN s.matching END, 'product', s.d, s.d,
       CASE k.cp WHEN 0 THEN s.amt_comp * 0.01 ELSE 0.00 END,
       CASE k.cp WHEN 1 THEN s.amt_comp * 0.01 ELSE 0.00 END,
       k.sign * s.amt_comp * 0.01, k.sign * s.amt_cur * 0.01,
       CASE WHEN k.cp = 1 AND s.invoice_id > 0 THEN 0.00 ELSE k.sign * s.amt_comp * 0.01 END,
       CASE WHEN k.cp = 1 AND s.invoice_id > 0 THEN 0.00 ELSE k.sign * s.amt_cur * 0.01 END,
       1.00, 0.00, k.sign * s.amt_cur * 0.01, k.sign * s.amt_cur * 0.01, 0.00,
       false, k.cp = 1 AND s.invoice_id > 0,
       %(uid)s, %(uid)s, (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')
  FROM s CROSS JOIN (VALUES (0, 1), (1, -1)) AS k(cp, sign)
"""

PARTIAL_SQL = """
INSERT INTO account_partial_reconcile (
    id, debit_move_id, credit_move_id, full_reconcile_id, debit_currency_id, credit_currency_id, company_id,
    max_date, amount, debit_amount_currency, credit_amount_currency,
    create_uid, write_uid, create_date, write_date)
SELECT t.id, t.debit_line, t.credit_line, NULLIF(t.full_id, 0), t.currency_id, t.currency_id, %(company)s,
       DATE '1970-01-01' + t.day, t.amt_comp * 0.01, t.amt_cur * 0.01, t.amt_cur * 0.01,
       %(uid)s, %(uid)s, (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')
  FROM unnest(%(id)s::int4[], %(debit_line)s::int4[], %(credit_line)s::int4[], %(full_id)s::int4[],
              %(currency_id)s::int4[], %(day)s::int4[], %(amt_comp)s::int8[], %(amt_cur)s::int8[])
       AS t(id, debit_line, credit_line, full_id, currency_id, day, amt_comp, amt_cur)
"""


@contextlib.contextmanager
def _bulk_writes(cr):
    """Session settings for the writes, restored afterwards.

    - work_mem: the chunk CTEs are materialised; keep them in memory rather than in temporary files.
    - session_replication_role = replica, when the role may (superuser): Postgres checks foreign keys with
      one trigger call per row and constraint (~5 us each, ~80% of the write time here); in replica mode
      those triggers do not fire and _check_references validates the written references set-based instead.
    Yields whether the foreign-key triggers were skipped.
    """
    cr.execute("SELECT current_setting('work_mem'), rolsuper FROM pg_roles WHERE rolname = current_user")
    work_mem, superuser = cr.fetchone()
    cr.execute("SELECT set_config('work_mem', %s, true)", (BULK_WORK_MEM,))
    if superuser:
        cr.execute("SET LOCAL session_replication_role = replica")
    try:
        yield bool(superuser)
    finally:
        with contextlib.suppress(Exception):  # in an aborted transaction the rollback resets them anyway
            cr.execute("SELECT set_config('work_mem', %s, true)", (work_mem,))
            if superuser:
                cr.execute("SET LOCAL session_replication_role = origin")


INDEXED_TABLES = ("account_move", "account_move_line", "account_payment", "account_partial_reconcile")
REBUILD_MIN_MOVES = 100_000
REBUILD_WORK_MEM = "512MB"


def _worth_rebuilding(cr, new_moves):
    """Maintaining ~60 indexes row by row costs about twice a sorted rebuild, which also rereads the rows
    already there: rebuild when the new rows are many and outnumber the existing ones."""
    cr.execute("SELECT count(*) FROM account_move")
    return new_moves >= REBUILD_MIN_MOVES and new_moves >= cr.fetchone()[0]


@contextlib.contextmanager
def _deferred_indexes(cr, enabled):
    """Drop the secondary indexes of INDEXED_TABLES for the duration of the block, then recreate them.

    Everything happens in the caller's transaction (DDL is transactional in Postgres): on any error the
    indexes come back with the rollback. The tables stay locked (ACCESS EXCLUSIVE) until the commit.
    Primary keys, constraint-backed and partial indexes are kept (most partial ones cover columns left empty
    here, and a rebuilt predicate may deparse differently from the ORM's original).
    """
    if not enabled:
        yield
        return
    cr.execute(
        """
        SELECT c.relname, pg_get_indexdef(i.indexrelid)
          FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
         WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary AND i.indpred IS NULL
           AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
         ORDER BY c.relname
    """,
        (list(INDEXED_TABLES),),
    )
    indexes = cr.fetchall()
    with _phase(f"drop {len(indexes)} indexes"):
        for name, _definition in indexes:
            cr.execute(SQL("DROP INDEX %s", SQL.identifier(name)))
    yield
    with _phase(f"rebuild {len(indexes)} indexes"):
        cr.execute("SELECT current_setting('maintenance_work_mem')")
        maintenance_work_mem = cr.fetchone()[0]
        cr.execute("SELECT set_config('maintenance_work_mem', %s, true)", (REBUILD_WORK_MEM,))
        for _name, definition in indexes:
            # The statement is the server's own definition of the index (pg_get_indexdef), replayed as is.
            cr.execute(definition)
        cr.execute("SELECT set_config('maintenance_work_mem', %s, true)", (maintenance_work_mem,))


# The foreign keys whose values the plan generates: (table, column, referenced table).
GENERATED_REFERENCES = (
    ("res_partner", "commercial_partner_id", "res_partner"),
    ("account_move", "partner_id", "res_partner"),
    ("account_move", "commercial_partner_id", "res_partner"),
    ("account_move", "partner_shipping_id", "res_partner"),
    ("account_move", "origin_payment_id", "account_payment"),
    ("account_move_line", "move_id", "account_move"),
    ("account_move_line", "partner_id", "res_partner"),
    ("account_move_line", "payment_id", "account_payment"),
    ("account_move_line", "full_reconcile_id", "account_full_reconcile"),
    ("account_payment", "move_id", "account_move"),
    ("account_payment", "partner_id", "res_partner"),
    ("account_move__account_payment", "invoice_id", "account_move"),
    ("account_move__account_payment", "payment_id", "account_payment"),
    ("account_partial_reconcile", "debit_move_id", "account_move_line"),
    ("account_partial_reconcile", "credit_move_id", "account_move_line"),
    ("account_partial_reconcile", "full_reconcile_id", "account_full_reconcile"),
)


def _check_references(cr, blocks):
    """Validate the references written while the foreign-key triggers were off.

    Every generated id was taken from a block reserved for this run (_reserve_ids) and each block is written
    whole, so a reference is valid iff its block is complete and the value lies inside it: one count per
    block and one min/max scan per table instead of millions of index probes. The other foreign keys hold
    ids of existing records read through the ORM (journals, accounts, users...).

    :param blocks: {table: (id column, first, last, expected row count)}
    """
    for table, (column, low, high, expected) in blocks.items():
        cr.execute(
            SQL(
                "SELECT count(*) FROM %s WHERE %s BETWEEN %s AND %s",
                SQL.identifier(table),
                SQL.identifier(column),
                low,
                high,
            )
        )
        count = cr.fetchone()[0]
        if count != expected:
            raise AssertionError(f"seed: {table} holds {count} rows in {low}..{high}, {expected} expected")
    by_table = {}
    for table, column, target in GENERATED_REFERENCES:
        by_table.setdefault(table, []).append((column, target))
    for table, references in by_table.items():
        column, low, high, _expected = blocks[table]
        cr.execute(
            SQL(
                "SELECT %s FROM %s WHERE %s BETWEEN %s AND %s",
                SQL(", ").join(
                    SQL("min(%s), max(%s)", SQL.identifier(c), SQL.identifier(c)) for c, _target in references
                ),
                SQL.identifier(table),
                SQL.identifier(column),
                low,
                high,
            )
        )
        bounds = cr.fetchone()
        for i, (ref_column, target) in enumerate(references):
            smallest, largest = bounds[2 * i], bounds[2 * i + 1]
            _column, target_low, target_high, _count = blocks[target]
            if smallest is not None and not (target_low <= smallest and largest <= target_high):
                raise AssertionError(
                    f"seed: {table}.{ref_column} spans {smallest}..{largest}, outside the "
                    f"{target} ids written ({target_low}..{target_high})"
                )


TOUCHED_TABLES = (
    "res_partner",
    "res_currency_rate",
    "account_full_reconcile",
    "account_move",
    "account_move_line",
    "account_payment",
    "account_move__account_payment",
    "account_partial_reconcile",
)


# ---------------------------------------------------------------------------------------------------------
# Customer names (vectorised string building)
# ---------------------------------------------------------------------------------------------------------

NAME_HEADS = (
    "Acme",
    "Apex",
    "Atlas",
    "Aurora",
    "Beacon",
    "Blue Ridge",
    "Brightwater",
    "Cascade",
    "Cedar",
    "Summit",
    "Crescent",
    "Delta",
    "Eagle",
    "Evergreen",
    "Falcon",
    "Frontier",
    "Golden Gate",
    "Granite",
    "Harbor",
    "Horizon",
    "Ironwood",
    "Keystone",
    "Lakeside",
    "Liberty",
    "Maple",
    "Meridian",
    "Northwind",
    "Oakridge",
    "Pacific Crest",
    "Pinnacle",
    "Prairie",
    "Redwood",
    "Riverbend",
    "Sierra",
    "Silverline",
    "Sterling",
    "Stonebridge",
    "Sunrise",
    "Titan",
    "Tri-State",
    "Union",
    "Valley",
    "Vanguard",
    "Vertex",
    "Westfield",
    "Willow",
    "Zenith",
    "Coastal",
    "Metro",
    "Highland",
)
NAME_QUALIFIERS = (
    "",
    "North ",
    "South ",
    "East ",
    "West ",
    "Central ",
    "Global ",
    "International ",
    "National ",
    "American ",
    "Atlantic ",
    "Midwest ",
    "Texas ",
    "Ohio ",
    "Carolina ",
    "Mountain ",
    "Premier ",
    "Advanced ",
    "Precision ",
    "Modern ",
    "Classic ",
    "Industrial ",
    "United ",
    "Allied ",
    "Integrated ",
)
NAME_TRADES = (
    "Logistics",
    "Manufacturing",
    "Foods",
    "Supply",
    "Textiles",
    "Electronics",
    "Construction",
    "Pharma",
    "Retail",
    "Plastics",
    "Machinery",
    "Energy",
    "Packaging",
    "Furniture",
    "Printing",
    "Chemicals",
    "Steel",
    "Auto Parts",
    "Medical",
    "Office Supplies",
    "Hardware",
    "Farms",
    "Beverages",
    "Paper",
    "Tools",
    "Glass",
    "Lighting",
    "Marine",
    "Aviation",
    "Software",
    "Robotics",
    "Optics",
    "Apparel",
    "Cosmetics",
    "Fasteners",
    "Hydraulics",
    "Timber",
    "Ceramics",
    "Dairy",
    "Bakeries",
)
NAME_FORMS = ("Inc.", "LLC", "Ltd", "Corp.", "Co.", "Group", "Holdings", "& Sons", "Partners", "Industries")


def _company_names(rng, n):
    sizes = (len(NAME_HEADS), len(NAME_QUALIFIERS), len(NAME_TRADES), len(NAME_FORMS))
    combos = int(np.prod(sizes))
    picks = rng.choice(combos, n, replace=n > combos)
    head, rest = np.divmod(picks, combos // sizes[0])
    qual, rest = np.divmod(rest, sizes[2] * sizes[3])
    trade, form = np.divmod(rest, sizes[3])
    heads, trades = np.array(NAME_HEADS)[head], np.array(NAME_TRADES)[trade]
    names = np.char.add(np.char.add(np.char.add(heads, " "), np.array(NAME_QUALIFIERS)[qual]), trades)
    names = np.char.add(np.char.add(names, " "), np.array(NAME_FORMS)[form])
    slug = np.char.replace(np.char.lower(np.char.add(heads, trades)), " ", "")
    slug = np.char.replace(np.char.replace(slug, "-", ""), ".", "")
    emails = np.char.add(np.char.add("accounts@", slug), ".example.com")
    return names.tolist(), emails.tolist()


# ---------------------------------------------------------------------------------------------------------
# seed()
# ---------------------------------------------------------------------------------------------------------


def seed(
    env,
    customers=200,
    years=2,
    invoices_per_customer=None,
    end_date=None,
    rng_seed=42,
    company=None,
    foreign_share=0.1,
    profile_mix=None,
    rebuild_indexes=None,
):
    """Plan and write a customer invoicing/payment history; returns counts and the wall time.

    :param invoices_per_customer: None for profile-driven counts (about one a month for regular customers),
        else that many invoices per customer (profiles still shape dates and lateness).
    :param profile_mix: {profile: share}, default DEFAULT_MIX; see PROFILES.
    :param rebuild_indexes: drop the secondary indexes of the accounting tables during the writes and rebuild
        them after (None: only when the rows written outnumber those already there, and are many).
    """
    started = time.perf_counter()
    company = company or env.company
    end = _to_day(fields.Date.to_date(end_date) if end_date else fields.Date.context_today(env.user))
    start = end - round(years * 365.25)
    rng = np.random.default_rng(rng_seed)
    with _phase("reference records (ORM)"):
        refs = _prepare_refs(env, company)
        foreign_currency = env["res.currency"].browse(refs.foreign_currency_id)
        _ensure_monthly_rates(env, company, foreign_currency, start, end, rng)
        env.flush_all()
    with _phase("plan (numpy)"):
        cust = _plan_customers(
            rng,
            int(customers),
            start,
            end,
            profile_mix or DEFAULT_MIX,
            foreign_share,
            invoices_per_customer,
            refs,
        )
        inv = _plan_invoices(rng, cust, refs, end)
        parts = _plan_parts(rng, inv, end)
        cn = _plan_credit_notes(rng, inv, parts, end)
        part_amount = _part_amounts(parts, inv, cn)
        onacc = _plan_on_account(rng, cust, end)
        converted = _company_amounts(env, company, refs, inv, cn, parts, part_amount, onacc, cust["foreign"])
        plan = _Plan(env, refs, cust, inv, parts, cn, onacc, end)
        plan.amounts(part_amount, *converted)
        plan.assign_ids()
    if rebuild_indexes is None:
        rebuild_indexes = _worth_rebuilding(env.cr, plan.move_count())
    with _bulk_writes(env.cr) as skipped_triggers, _deferred_indexes(env.cr, rebuild_indexes):
        plan.write(rng)
    if skipped_triggers:
        with _phase("foreign-key check"):
            _check_references(env.cr, plan.id_blocks())
    with _phase("invalidate + analyze"):
        env.invalidate_all()
        for table in TOUCHED_TABLES:
            env.cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))
    stats = plan.stats()
    stats["seconds"] = round(time.perf_counter() - started, 2)
    return stats


class _Plan:
    """The planned rows of one seeding, their ids, and how to write them."""

    def __init__(self, env, refs, cust, inv, parts, cn, onacc, end):
        self.env, self.cr, self.refs, self.end = env, env.cr, refs, end
        self.cust, self.inv, self.parts, self.cn, self.onacc = cust, inv, parts, cn, onacc

    # -- amounts and states -------------------------------------------------------------------------------

    def amounts(self, part_amount, inv_comp, inv_rate, cn_comp, cn_rate, part_comp, oa_comp, rate_values):
        inv, parts, cn = self.inv, self.parts, self.cn
        rec = parts["recorded"]
        self.pay_inv = parts["inv"][rec]  # invoice index of each recorded payment
        self.pay_day = parts["day"][rec]
        self.pay_cur = part_amount[rec]
        self.pay_comp = part_comp[rec]
        m = inv["date"].size
        paid_cur = np.bincount(self.pay_inv, weights=self.pay_cur, minlength=m).astype(np.int64)
        paid_comp = np.bincount(self.pay_inv, weights=self.pay_comp, minlength=m).astype(np.int64)
        n_partials = np.bincount(self.pay_inv, minlength=m)
        cn_rec = cn["inv"][cn["reconciled"]]
        credit = np.zeros(m, dtype=np.int64)
        credit[cn_rec] = cn["amount"][cn["reconciled"]]
        n_partials[cn_rec] += 1
        self.inv_comp, self.inv_rate = inv_comp, inv_rate
        self.inv_res_cur = inv["amount"] - credit - paid_cur
        self.inv_res_comp = inv_comp - credit - paid_comp
        self.settled = (self.inv_res_cur == 0) & (self.inv_res_comp == 0)
        self.inv_state = np.where(self.settled, PAID, np.where(n_partials > 0, PARTIAL, NOT_PAID))
        self.cn_comp, self.cn_rate = cn_comp, cn_rate
        self.oa_comp, self.rate_values = oa_comp, rate_values
        # Settlement day of a fully reconciled invoice: its last partial.
        last = np.full(m, -1, dtype=np.int64)
        np.maximum.at(last, self.pay_inv, self.pay_day)
        np.maximum.at(last, cn_rec, cn["day"][cn["reconciled"]])
        self.settle_day = last

    # -- ids ----------------------------------------------------------------------------------------------

    def assign_ids(self):
        inv, cn, onacc, cr = self.inv, self.cn, self.onacc, self.cr
        m, c, p, a = inv["date"].size, cn["day"].size, self.pay_day.size, onacc["day"].size
        # All moves in date order (invoice, then credit note, then payment on the same day), as the ORM
        # would have created them day after day.
        kind = np.repeat(np.array([0, 1, 2, 3], dtype=np.int8), [m, c, p, a])
        day = np.concatenate([inv["date"], cn["day"], self.pay_day, onacc["day"]]).astype(np.int64)
        rank = _rank_order(np.arange(day.size), kind, day)
        move_base = _reserve_ids(cr, "account_move", day.size)
        line_base = _reserve_ids(cr, "account_move_line", 2 * day.size)
        move_id = move_base + rank
        line_id = line_base + 2 * rank
        bounds = np.cumsum([0, m, c, p, a])
        self.inv_move, self.cn_move, self.pay_move, self.oa_move = (
            move_id[bounds[i] : bounds[i + 1]] for i in range(4)
        )
        self.inv_line, self.cn_line, self.pay_line, self.oa_line = (
            line_id[bounds[i] : bounds[i + 1]] for i in range(4)
        )
        # Payments (recorded parts + on-account) in date order, like their moves.
        all_pay_moves = np.concatenate([self.pay_move, self.oa_move])
        pay_rank = _rank_order(all_pay_moves)
        pay_base = _reserve_ids(cr, "account_payment", all_pay_moves.size)
        self.pay_id = pay_base + pay_rank[:p]
        self.oa_id = pay_base + pay_rank[p:]
        self._number_reconciliations()
        self._number_partners()
        seqs = _Sequences(self.env, self.refs)
        self.inv_seq, self.inv_prefix = seqs.number("out_invoice", inv["date"], self.inv_move)
        self.cn_seq, self.cn_prefix = seqs.number("out_refund", cn["day"], self.cn_move)
        pay_seq, pay_prefix = seqs.number(
            "payment", np.concatenate([self.pay_day, onacc["day"]]), all_pay_moves
        )
        self.pay_seq, self.oa_seq = pay_seq[:p], pay_seq[p:]
        self.pay_prefix, self.oa_prefix = pay_prefix[:p], pay_prefix[p:]
        self.sequences = seqs

    def _number_reconciliations(self):
        cn, m = self.cn, self.inv["date"].size
        # Partials in date order: credit notes before payments of the same day (they come first).
        rec_cn = np.flatnonzero(cn["reconciled"])
        part_day = np.concatenate([cn["day"][rec_cn], self.pay_day])
        part_kind = np.repeat([0, 1], [rec_cn.size, self.pay_day.size])
        partial_base = _reserve_ids(self.cr, "account_partial_reconcile", part_day.size)
        partial_id = partial_base + _rank_order(np.arange(part_day.size), part_kind, part_day)
        self.partial_inv = np.concatenate([cn["inv"][rec_cn], self.pay_inv])
        self.partial_id = partial_id
        # Full reconciles: one per settled invoice, numbered in settlement order.
        settled = np.flatnonzero(self.settled)
        self.full_base = _reserve_ids(self.cr, "account_full_reconcile", settled.size)
        self.full_count = settled.size
        full_id = np.zeros(m, dtype=np.int64)
        full_id[settled] = self.full_base + _rank_order(settled, self.settle_day[settled])
        # matching_number: the full reconcile id, else 'P' + the smallest partial id of the group.
        min_partial = np.full(m, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(min_partial, self.partial_inv, partial_id)
        has_partial = min_partial != np.iinfo(np.int64).max
        self.inv_full = full_id
        self.inv_match = np.where(full_id > 0, full_id, np.where(has_partial, -min_partial, 0))

    def _number_partners(self):
        n = self.cust["prof"].size
        self.partner_id = _reserve_ids(self.cr, "res_partner", n) + np.arange(n, dtype=np.int64)
        self.cr.execute("SELECT count(*) FROM res_partner WHERE ref LIKE %s", (REF_PREFIX + "%",))
        self.partner_number = self.cr.fetchone()[0] + 1 + np.arange(n)
        # customer_rank: +1 per posted invoice, credit note and payment entry on a receivable (as _post).
        owners = [
            self.inv["owner"],
            self.inv["owner"][self.cn["inv"]],
            self.inv["owner"][self.pay_inv],
            self.onacc["owner"],
        ]
        self.customer_rank = np.bincount(np.concatenate(owners), minlength=n)

    # -- writing ------------------------------------------------------------------------------------------

    def _constants(self):
        refs = self.refs
        return {
            "uid": UID,
            "company": refs.company_id,
            "company_currency": refs.company_currency_id,
            "foreign_currency": refs.foreign_currency_id,
            "prefixes": self.sequences.prefixes,
            "widths": self.sequences.widths,
            "receivable_account": refs.receivable_account_id,
        }

    def write(self, rng):
        with _phase("write partners"):
            self._write_partners(rng)
        with _phase("write full reconciles"):
            if self.full_count:
                self.cr.execute(
                    FULL_RECONCILE_SQL,
                    {"uid": UID, "first": self.full_base, "last": self.full_base + self.full_count - 1},
                )
        with _phase("write invoices/credit notes"):
            self._write_documents()
        with _phase("write payments"):
            self._write_payments()
        with _phase("write partial reconciles"):
            self._write_partials()

    def _write_partners(self, rng):
        cust, refs = self.cust, self.refs
        names, emails = _company_names(rng, cust["prof"].size)
        profiles = np.array(PROFILES)[cust["prof"]]
        numbers = np.char.zfill(self.partner_number.astype(str), 6)
        partner_refs = np.char.add(np.char.add(np.char.add(REF_PREFIX, profiles), "-"), numbers).tolist()
        _execute_chunks(
            self.cr,
            PARTNER_SQL,
            {
                "id": self.partner_id,
                "name": names,
                "ref": partner_refs,
                "user_id": cust["user_id"],
                "rank": self.customer_rank,
                "email": emails,
                "term": refs.term_ids[cust["term"]],
            },
            {"uid": UID, "lang": refs.lang, "country": refs.country_id, "company": refs.company_id},
        )

    def _write_documents(self):
        inv, cn, cust, refs = self.inv, self.cn, self.cust, self.refs
        owner = np.concatenate([inv["owner"], inv["owner"][cn["inv"]]])
        cn_rec = cn["reconciled"]
        cn_inv = cn["inv"]
        n_inv, n_cn = inv["date"].size, cn["day"].size
        term = refs.term_ids[cust["term"][owner]]
        days = refs.term_days[cust["term"][owner]]
        day = np.concatenate([inv["date"], cn["day"]])
        arrays = {
            "id": np.concatenate([self.inv_move, self.cn_move]),
            "kind": np.repeat([0, 1], [n_inv, n_cn]),
            "line_id": np.concatenate([self.inv_line, self.cn_line]),
            "partner_id": self.partner_id[owner],
            "day": day,
            "due": day + days,
            "term_id": term,
            "user_id": np.where(cust["user_id"][owner] > 0, cust["user_id"][owner], refs.default_user_id),
            "team_id": cust["team_id"][owner],
            "rate_idx": np.concatenate([self.inv_rate, self.cn_rate]),
            "qty": np.concatenate([inv["qty"], np.ones(n_cn, dtype=np.int64)]),
            "price": np.concatenate([inv["price"], cn["amount"]]),
            "amt_cur": np.concatenate([inv["amount"], cn["amount"]]),
            "amt_comp": np.concatenate([self.inv_comp, self.cn_comp]),
            "res_cur": np.concatenate([self.inv_res_cur, np.where(cn_rec, 0, cn["amount"])]),
            "res_comp": np.concatenate([self.inv_res_comp, np.where(cn_rec, 0, self.cn_comp)]),
            "state": np.concatenate([self.inv_state, np.where(cn_rec, PAID, NOT_PAID)]),
            "prefix_idx": np.concatenate([self.inv_prefix, self.cn_prefix]),
            "seq": np.concatenate([self.inv_seq, self.cn_seq]),
            "full_id": np.concatenate([self.inv_full, np.where(cn_rec, self.inv_full[cn_inv], 0)]),
            "match": np.concatenate([self.inv_match, np.where(cn_rec, self.inv_match[cn_inv], 0)]),
        }
        constants = self._constants() | {
            "journal": refs.sale_journal_id,
            "invoice_bank": refs.invoice_bank_id,
            "rates": self.rate_values,
            "income_account": refs.income_account_id,
            "product": refs.product_id,
            "uom": refs.product_uom_id,
            "product_name": refs.product_name,
        }
        _execute_chunks(self.cr, DOCUMENT_SQL, arrays, constants, size=CHUNK // 2)

    def _write_payments(self):
        inv, onacc, refs = self.inv, self.onacc, self.refs
        owner = np.concatenate([inv["owner"][self.pay_inv], onacc["owner"]])
        # A payment is 'paid' once every invoice it is linked to is paid (Community: no 'in_payment').
        state = np.concatenate(
            [
                np.where(self.inv_state[self.pay_inv] == PAID, PAID, IN_PROCESS),
                np.full(onacc["day"].size, IN_PROCESS),
            ]
        )
        arrays = {
            "id": np.concatenate([self.pay_id, self.oa_id]),
            "move_id": np.concatenate([self.pay_move, self.oa_move]),
            "line_id": np.concatenate([self.pay_line, self.oa_line]),
            "partner_id": self.partner_id[owner],
            "day": np.concatenate([self.pay_day, onacc["day"]]),
            "is_foreign": self.cust["foreign"][owner],
            "amt_cur": np.concatenate([self.pay_cur, onacc["amount"]]),
            "amt_comp": np.concatenate([self.pay_comp, self.oa_comp]),
            "invoice_id": np.concatenate(
                [self.inv_move[self.pay_inv], np.zeros(onacc["day"].size, np.int64)]
            ),
            "state": state,
            "prefix_idx": np.concatenate([self.pay_prefix, self.oa_prefix]),
            "seq": np.concatenate([self.pay_seq, self.oa_seq]),
            "full_id": np.concatenate([self.inv_full[self.pay_inv], np.zeros(onacc["day"].size, np.int64)]),
            "match": np.concatenate([self.inv_match[self.pay_inv], np.zeros(onacc["day"].size, np.int64)]),
            # The memo is the paid invoice's name, rebuilt from its prefix and number.
            "inv_prefix_idx": np.concatenate(
                [self.inv_prefix[self.pay_inv], np.ones(onacc["day"].size, np.int64)]
            ),
            "inv_seq": np.concatenate([self.inv_seq[self.pay_inv], np.zeros(onacc["day"].size, np.int64)]),
        }
        constants = self._constants() | {
            "journal": refs.bank_journal_id,
            "partner_bank": refs.partner_bank_id,
            "method_line": refs.payment_method_line_id,
            "method": refs.payment_method_id,
            "method_name": refs.payment_method_name,
            "outstanding_account": refs.outstanding_account_id,
        }
        _execute_chunks(self.cr, PAYMENT_SQL, arrays, constants, size=CHUNK // 2)

    def _write_partials(self):
        inv, cn = self.inv, self.cn
        rec = np.flatnonzero(cn["reconciled"])
        pinv = self.partial_inv
        arrays = {
            "id": self.partial_id,
            "debit_line": self.inv_line[pinv] + 1,  # the invoice's payment-term line
            "credit_line": np.concatenate([self.cn_line[rec] + 1, self.pay_line + 1]),
            "full_id": self.inv_full[pinv],
            "currency_id": np.where(
                inv["foreign"][pinv], self.refs.foreign_currency_id, self.refs.company_currency_id
            ),
            "day": np.concatenate([cn["day"][rec], self.pay_day]),
            "amt_comp": np.concatenate([cn["amount"][rec], self.pay_comp]),
            "amt_cur": np.concatenate([cn["amount"][rec], self.pay_cur]),
        }
        _execute_chunks(self.cr, PARTIAL_SQL, arrays, self._constants())

    def move_count(self):
        return int(self.inv_move.size + self.cn_move.size + self.pay_move.size + self.oa_move.size)

    def id_blocks(self):
        """{table: (id column, first id, last id, rows)} of the rows written (see _check_references)."""

        def block(values, per_row=1):
            values = np.asarray(values)
            if not values.size:
                return ("id", 0, -1, 0)
            return ("id", int(values.min()), int(values.max()) + per_row - 1, values.size * per_row)

        payments = block(np.concatenate([self.pay_id, self.oa_id]))
        return {
            "res_partner": block(self.partner_id),
            "account_move": block(np.concatenate([self.inv_move, self.cn_move, self.pay_move, self.oa_move])),
            "account_move_line": block(
                np.concatenate([self.inv_line, self.cn_line, self.pay_line, self.oa_line]), per_row=2
            ),
            "account_payment": payments,
            "account_move__account_payment": ("payment_id", *payments[1:3], int(self.pay_id.size)),
            "account_partial_reconcile": block(self.partial_id),
            "account_full_reconcile": (
                "id",
                int(self.full_base),
                int(self.full_base + self.full_count - 1),
                int(self.full_count),
            ),
        }

    # -- summary ------------------------------------------------------------------------------------------

    def stats(self):
        counts = np.bincount(self.cust["prof"], minlength=len(PROFILES))
        return {
            "customers": int(self.cust["prof"].size),
            "invoices": int(self.inv["date"].size),
            "credit_notes": int(self.cn["day"].size),
            "payments": int(self.pay_day.size + self.onacc["day"].size),
            "partial_reconciles": int(self.partial_id.size),
            "full_reconciles": int(self.full_count),
            "invoices_paid": int((self.inv_state == PAID).sum()),
            "invoices_partial": int((self.inv_state == PARTIAL).sum()),
            "invoices_open": int((self.inv_state == NOT_PAID).sum()),
            "foreign_customers": int(self.cust["foreign"].sum()),
            "profiles": {name: int(c) for name, c in zip(PROFILES, counts, strict=True)},
        }


@contextlib.contextmanager
def _phase(name):
    """Log how long a phase took and the peak RSS so far (INFO; the CLI shows it with --verbose)."""
    started = time.perf_counter()
    yield
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    _logger.info("%-28s %7.2f s  (peak RSS %d MiB)", name, time.perf_counter() - started, peak)


def _to_day(d):
    return (d - EPOCH).days


def _to_date(day):
    return EPOCH + datetime.timedelta(days=int(day))


# ---------------------------------------------------------------------------------------------------------
# verify_sample()
# ---------------------------------------------------------------------------------------------------------

MOVE_FIELDS = (
    "amount_untaxed",
    "amount_tax",
    "amount_total",
    "amount_residual",
    "amount_untaxed_signed",
    "amount_untaxed_in_currency_signed",
    "amount_tax_signed",
    "amount_total_signed",
    "amount_total_in_currency_signed",
    "amount_residual_signed",
    "payment_state",
    "commercial_partner_id",
    "sequence_prefix",
    "sequence_number",
    "invoice_partner_display_name",
    "always_tax_exigible",
)
INVOICE_FIELDS = (
    "invoice_date_due",
    "invoice_currency_rate",
    "invoice_payment_term_id",
    "invoice_user_id",
    "team_id",
    "partner_shipping_id",
)
LINE_FIELDS = (
    "amount_residual",
    "amount_residual_currency",
    "reconciled",
    "debit",
    "credit",
    "price_subtotal",
    "price_total",
    "move_name",
    "parent_state",
    "date",
    "invoice_date",
    "journal_id",
    "company_id",
    "currency_id",
    "partner_id",
    "sequence",
    "tax_tag_invert",
)
INVOICE_LINE_FIELDS = ("account_id",)
PAYMENT_FIELDS = (
    "state",
    "is_reconciled",
    "is_matched",
    "amount_company_currency_signed",
    "name",
    "destination_account_id",
    "payment_method_line_id",
    "partner_bank_id",
)
PARTNER_FIELDS = ("commercial_partner_id", "complete_name", "commercial_company_name")
# Compared between a seeded document and the same document created through the ORM.
REPLAY_MOVE_FIELDS = (
    "move_type",
    "state",
    "currency_id",
    "journal_id",
    "company_id",
    "commercial_partner_id",
    "partner_shipping_id",
    "invoice_payment_term_id",
    "invoice_user_id",
    "team_id",
    "invoice_date_due",
    "invoice_currency_rate",
    "amount_untaxed",
    "amount_tax",
    "amount_total",
    "amount_untaxed_signed",
    "amount_untaxed_in_currency_signed",
    "amount_tax_signed",
    "amount_total_signed",
    "amount_total_in_currency_signed",
    "always_tax_exigible",
    "checked",
    "posted_before",
    "auto_post",
    "is_storno",
    "invoice_partner_display_name",
    "fiscal_position_id",
    "partner_bank_id",
)
REPLAY_LINE_FIELDS = (
    "display_type",
    "sequence",
    "account_id",
    "currency_id",
    "partner_id",
    "product_id",
    "product_uom_id",
    "name",
    "date",
    "invoice_date",
    "date_maturity",
    "debit",
    "credit",
    "balance",
    "amount_currency",
    "quantity",
    "price_unit",
    "price_subtotal",
    "price_total",
    "discount",
    "discount_amount_currency",
    "discount_balance",
    "tax_tag_invert",
    "tax_ids",
    "tax_line_id",
    "journal_id",
    "company_id",
    "parent_state",
    "analytic_distribution",
)
REPLAY_PAYMENT_FIELDS = (
    "state",
    "payment_type",
    "partner_type",
    "journal_id",
    "company_id",
    "currency_id",
    "partner_id",
    "payment_method_line_id",
    "payment_method_id",
    "outstanding_account_id",
    "destination_account_id",
    "amount",
    "amount_company_currency_signed",
    "is_reconciled",
    "is_matched",
    "date",
    "partner_bank_id",
)
REPLAY_PAYMENT_LINE_FIELDS = (
    "display_type",
    "sequence",
    "account_id",
    "currency_id",
    "partner_id",
    "date",
    "date_maturity",
    "debit",
    "credit",
    "balance",
    "amount_currency",
    "amount_residual",
    "amount_residual_currency",
    "reconciled",
    "quantity",
    "price_unit",
    "price_subtotal",
    "price_total",
    "discount",
    "tax_tag_invert",
    "invoice_date",
)


def verify_sample(env, n=50, rng_seed=0):
    """Check seeded data against the ORM; raise AssertionError on any mismatch.

    - SQL on the sampled moves: balanced, each reconcilable line's residual equal to its balance less its
      partial reconciliations, each invoice's residual the sum of its receivable lines'; over the whole
      database: open receivable = open invoices and credit notes + unmatched payments;
    - on about n sampled moves (paid, partial, open, credit notes, payments, foreign, on-account) and their
      lines, payments and partners: stored values equal what the ORM compute methods give;
    - replay: a sampled invoice, credit note and payment recreated through the ORM give the same values;
    - a new invoice posted through the ORM gets a fresh, non-colliding name; registering payments on a
      partially paid and on a foreign open invoice fully reconciles them.
    All ORM work happens in a savepoint that is rolled back.
    """
    env.flush_all()
    samples = _sample_moves(env, n, rng_seed)
    if not samples:
        raise AssertionError("verify_sample: no seeded move found (partners with ref 'SEED-...')")
    _check_sql_invariants(env, sorted({i for ids in samples.values() for i in ids}))
    savepoint = env.cr.savepoint()
    try:
        env.invalidate_all()
        _check_recomputed(env, samples)
        _check_replay(env, samples)
        _check_new_postings(env, samples)
    finally:
        savepoint.close(rollback=True)
        env.invalidate_all(flush=False)


def _check_sql_invariants(env, move_ids):
    """Set-based checks: per sampled move, and one receivable identity over the whole database."""
    cr = env.cr
    cr.execute(
        """
        SELECT m.name FROM account_move m JOIN account_move_line l ON l.move_id = m.id
         WHERE m.id = ANY(%s)
         GROUP BY m.id, m.name
        HAVING sum(l.debit) <> sum(l.credit) OR sum(l.balance) <> 0 OR count(*) <> 2
        """,
        (move_ids,),
    )
    _assert_none(cr.fetchall(), "unbalanced moves (or not 2 lines)")
    cr.execute(
        """
        SELECT l.move_name, l.id FROM account_move_line l
          JOIN account_account a ON a.id = l.account_id AND a.reconcile
         CROSS JOIN LATERAL (SELECT COALESCE(sum(amount), 0) AS amount,
                                    COALESCE(sum(debit_amount_currency), 0) AS amount_currency
                               FROM account_partial_reconcile WHERE debit_move_id = l.id) deb
         CROSS JOIN LATERAL (SELECT COALESCE(sum(amount), 0) AS amount,
                                    COALESCE(sum(credit_amount_currency), 0) AS amount_currency
                               FROM account_partial_reconcile WHERE credit_move_id = l.id) cre
         WHERE l.move_id = ANY(%s)
           AND (l.amount_residual <> l.balance - deb.amount + cre.amount
                OR l.amount_residual_currency <> l.amount_currency - deb.amount_currency + cre.amount_currency
                OR l.reconciled <> (l.amount_residual = 0 AND l.amount_residual_currency = 0))
        """,
        (move_ids,),
    )
    _assert_none(cr.fetchall(), "lines whose residual disagrees with their partial reconciliations")
    cr.execute(
        """
        SELECT m.name FROM account_move m
          JOIN account_move_line l ON l.move_id = m.id AND l.display_type = 'payment_term'
         WHERE m.id = ANY(%s)
         GROUP BY m.id, m.name, m.amount_residual_signed
        HAVING m.amount_residual_signed <> sum(l.amount_residual)
        """,
        (move_ids,),
    )
    _assert_none(cr.fetchall(), "invoices whose amount_residual_signed is not the sum of their term lines'")
    # Over everything: open receivable = open invoices and credit notes + unmatched payments. Compared in
    # SQL: the cursor hands numerics back as floats, whose sums are not exact.
    cr.execute(
        """
        WITH receivable AS (
            SELECT COALESCE(sum(l.amount_residual), 0) AS total,
                   COALESCE(sum(l.amount_residual) FILTER (WHERE l.display_type <> 'payment_term'), 0)
                   AS unmatched
              FROM account_move_line l
              JOIN account_account a ON a.id = l.account_id AND a.account_type = 'asset_receivable'
             WHERE l.parent_state = 'posted'
        ), documents AS (
            SELECT COALESCE(sum(amount_residual_signed), 0) AS total FROM account_move
             WHERE state = 'posted' AND move_type IN ('out_invoice', 'out_refund', 'out_receipt')
        )
        SELECT r.total, d.total, r.unmatched, r.total = d.total + r.unmatched FROM receivable r, documents d
        """
    )
    receivable, open_documents, unmatched_entries, consistent = cr.fetchone()
    if not consistent:
        raise AssertionError(
            f"verify_sample: open receivable {receivable} != open invoices/credit notes "
            f"{open_documents} + unmatched payments {unmatched_entries}"
        )


def _assert_none(rows, message):
    if rows:
        raise AssertionError(f"verify_sample: {message}: {rows}")


def _sample_moves(env, n, rng_seed):
    """About n seeded moves spread over categories (kind x state x currency): {category: [move ids]}."""
    cr, like = env.cr, REF_PREFIX + "%"
    cr.execute(
        """SELECT count(*) FROM account_move m JOIN res_partner p ON p.id = m.partner_id
                   WHERE p.ref LIKE %s""",
        (like,),
    )
    total = cr.fetchone()[0]
    if not total:
        return {}
    # A repeatable sample of the table, large enough to hold every category, small enough to stay cheap.
    percent = min(100.0, 100.0 * max(5000, 100 * n) / total)
    cr.execute(
        """
        SELECT m.id,
               CASE WHEN m.move_type = 'out_invoice' THEN 'invoice_' || m.payment_state
                    WHEN m.move_type = 'out_refund' THEN 'credit_note_' || m.payment_state
                    WHEN EXISTS (SELECT 1 FROM account_move__account_payment r
                                  WHERE r.payment_id = m.origin_payment_id) THEN 'payment'
                    ELSE 'payment_on_account' END
               || CASE WHEN m.currency_id <> c.currency_id THEN '_foreign' ELSE '' END
          FROM account_move m TABLESAMPLE BERNOULLI (%s) REPEATABLE (%s)
          JOIN res_partner p ON p.id = m.partner_id
          JOIN res_company c ON c.id = m.company_id
         WHERE p.ref LIKE %s AND m.state = 'posted'
    """,
        (percent, rng_seed, like),
    )
    by_category = {}
    for move_id, category in cr.fetchall():
        by_category.setdefault(category, []).append(move_id)
    rng = np.random.default_rng(rng_seed)
    per_category = max(2, -(-n // max(len(by_category), 1)))
    return {
        category: sorted(rng.choice(ids, min(per_category, len(ids)), replace=False).tolist())
        for category, ids in sorted(by_category.items())
    }


def _check_recomputed(env, samples):
    """Stored values of the sampled moves, their lines, payments and partners == the ORM's recomputation."""
    moves = env["account.move"].browse(sorted({i for ids in samples.values() for i in ids}))
    invoices = moves.filtered(lambda m: m.move_type != "entry")
    lines = moves.line_ids
    payments = moves.origin_payment_id
    partners = moves.partner_id
    stored = [
        _read(moves, MOVE_FIELDS),
        _read(invoices, INVOICE_FIELDS),
        _read(lines, LINE_FIELDS),
        _read(invoices.line_ids, INVOICE_LINE_FIELDS),
        _read(payments, PAYMENT_FIELDS),
        _read(partners, PARTNER_FIELDS),
    ]
    checks = [
        (moves, MOVE_FIELDS),
        (invoices, INVOICE_FIELDS),
        (lines, LINE_FIELDS),
        (invoices.line_ids, INVOICE_LINE_FIELDS),
        (payments, PAYMENT_FIELDS),
        (partners, PARTNER_FIELDS),
    ]
    for records, fnames in checks:
        for fname in fnames:
            env.add_to_compute(records._fields[fname], records)
    for (records, fnames), before in zip(checks, stored, strict=True):
        _assert_same(before, _read(records, fnames), f"{records._name}: stored value != ORM recompute")
    # Company-currency balance of invoice lines, as the ORM derives it from amount_currency and the rate.
    for line in invoices.line_ids:
        expected = line.company_currency_id.round(line.amount_currency / line.currency_rate)
        if line.company_currency_id.compare_amounts(expected, line.balance):
            raise AssertionError(
                f"verify_sample: {line.move_name} line {line.id}: balance {line.balance} "
                f"!= amount_currency / rate = {expected}"
            )
    # Per record: with a batch, the ORM's compute searches the whole number range the batch spans.
    stored_gaps = {move.id: move.made_sequence_gap for move in moves}
    for move in moves:
        env.add_to_compute(moves._fields["made_sequence_gap"], move)
        if move.made_sequence_gap != stored_gaps[move.id]:
            raise AssertionError(
                f"verify_sample: {move.name}: made_sequence_gap stored "
                f"{stored_gaps[move.id]}, ORM {move.made_sequence_gap}"
            )
    lines._constrains_matching_number()
    _check_customer_rank(env, partners)


def _read(records, fnames):
    return {rec.id: {fname: _plain(rec[fname]) for fname in fnames} for rec in records}


def _plain(value):
    if hasattr(value, "_name"):  # recordset
        return tuple(value.ids)
    return value


def _assert_same(expected, actual, message, label=None):
    errors = []
    for rec_id, values in expected.items():
        for fname, value in values.items():
            other = actual[rec_id][fname]
            if isinstance(value, float) or isinstance(other, float):
                same = abs((value or 0.0) - (other or 0.0)) <= 1e-6 * max(1.0, abs(value or 0.0))
            else:
                same = value == other
            if not same:
                errors.append(f"{label or rec_id}.{fname}: {value!r} != {other!r}")
    if errors:
        raise AssertionError(f"verify_sample: {message}: " + "; ".join(errors[:10]))


def _check_customer_rank(env, partners):
    """customer_rank = posted sale documents + payment entries on a receivable (as account.move._post)."""
    env.cr.execute(
        """
        SELECT p.id, p.customer_rank, count(DISTINCT l.move_id)
          FROM res_partner p
          JOIN account_move_line l ON l.partner_id = p.id AND l.parent_state = 'posted'
          JOIN account_account a ON a.id = l.account_id AND a.account_type = 'asset_receivable'
         WHERE p.id = ANY(%s)
         GROUP BY p.id, p.customer_rank
        HAVING p.customer_rank <> count(DISTINCT l.move_id)
    """,
        (partners.ids,),
    )
    _assert_none(
        env.cr.fetchall(), "customer_rank != number of posted receivable moves (partner, rank, moves)"
    )


def _pick(samples, *categories):
    for category in categories:
        if samples.get(category):
            return samples[category][0]
    return None


def _check_replay(env, samples):
    """Recreate sampled documents through the ORM and compare field by field."""
    Move = env["account.move"]
    # Backdated postings cost the ORM a scan of the journal's later moves: replay one of each kind only.
    for categories in (
        ("invoice_paid", "invoice_not_paid"),
        ("invoice_not_paid_foreign", "invoice_paid_foreign"),
        ("credit_note_paid", "credit_note_not_paid"),
        ("credit_note_not_paid_foreign",),
    ):
        move_id = _pick(samples, *categories)
        if move_id:
            _replay_document(env, Move.browse(move_id))
    # A company-currency invoice paid by a single payment (no credit note): replay its payment too.
    single = _single_payment_invoice(env, samples.get("invoice_paid", []))
    if single:
        _replay_payment(env, Move.browse(single))


def _replay_document(env, seeded):
    line = seeded.invoice_line_ids
    replica = env["account.move"].create(
        {
            "move_type": seeded.move_type,
            "partner_id": seeded.partner_id.id,
            "invoice_date": seeded.invoice_date,
            "currency_id": seeded.currency_id.id,
            "journal_id": seeded.journal_id.id,
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": line.product_id.id,
                        "quantity": line.quantity,
                        "price_unit": line.price_unit,
                    }
                )
            ],
        }
    )
    replica.action_post()
    label = f"replay of {seeded.name}"
    _assert_same(
        _read(seeded, REPLAY_MOVE_FIELDS),
        {seeded.id: _read(replica, REPLAY_MOVE_FIELDS)[replica.id]},
        f"{label}: seeded != ORM",
        label=seeded.name,
    )
    if seeded.move_type == "out_invoice" and replica.payment_reference != replica.name:
        raise AssertionError(f"verify_sample: {label}: payment_reference is not the name")
    for display_type in ("product", "payment_term"):
        mine = seeded.line_ids.filtered(lambda x, d=display_type: x.display_type == d)
        theirs = replica.line_ids.filtered(lambda x, d=display_type: x.display_type == d)
        expected = _read(mine, REPLAY_LINE_FIELDS)[mine.id]
        actual = _read(theirs, REPLAY_LINE_FIELDS)[theirs.id]
        if display_type == "payment_term":  # labelled with each document's own reference
            expected["name"], actual["name"] = bool(expected["name"]), bool(actual["name"])
        _assert_same(
            {mine.id: expected},
            {mine.id: actual},
            f"{label}: line seeded != ORM",
            label=f"{seeded.name}/{display_type}",
        )
    _check_fresh_name(env, replica)


def _single_payment_invoice(env, invoice_ids):
    if not invoice_ids:
        return None
    env.cr.execute(
        """
        SELECT l.move_id FROM account_move_line l
          JOIN account_partial_reconcile p ON p.debit_move_id = l.id
          JOIN account_move_line c ON c.id = p.credit_move_id
         WHERE l.move_id = ANY(%s) AND l.display_type = 'payment_term'
         GROUP BY l.move_id HAVING count(*) = 1 AND bool_and(c.payment_id IS NOT NULL)
         ORDER BY l.move_id LIMIT 1
    """,
        (list(invoice_ids),),
    )
    row = env.cr.fetchone()
    return row and row[0]


def _replay_payment(env, seeded_invoice):
    seeded_pay = seeded_invoice.matched_payment_ids
    line = seeded_invoice.invoice_line_ids
    replica = env["account.move"].create(
        {
            "move_type": "out_invoice",
            "partner_id": seeded_invoice.partner_id.id,
            "invoice_date": seeded_invoice.invoice_date,
            "currency_id": seeded_invoice.currency_id.id,
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": line.product_id.id,
                        "quantity": line.quantity,
                        "price_unit": line.price_unit,
                    }
                )
            ],
        }
    )
    replica.action_post()
    payment = _register_payment(env, replica, seeded_pay.date)
    label = f"replay of {seeded_pay.name}"
    _assert_same(
        _read(seeded_pay, REPLAY_PAYMENT_FIELDS),
        {seeded_pay.id: _read(payment, REPLAY_PAYMENT_FIELDS)[payment.id]},
        f"{label}: seeded != ORM",
        label=seeded_pay.name,
    )
    if (seeded_pay.memo, payment.memo) != (seeded_invoice.name, replica.name):
        raise AssertionError(f"verify_sample: {label}: memo {seeded_pay.memo!r} vs ORM {payment.memo!r}")
    for mine, theirs in zip(
        seeded_pay.move_id.line_ids.sorted("id"), payment.move_id.line_ids.sorted("id"), strict=True
    ):
        expected, actual = _read(mine, REPLAY_PAYMENT_LINE_FIELDS), _read(theirs, REPLAY_PAYMENT_LINE_FIELDS)
        _assert_same(
            expected,
            {mine.id: actual[theirs.id]},
            f"{label}: line seeded != ORM",
            label=f"{seeded_pay.name}/{mine.account_id.code}",
        )
        if mine.name.replace(seeded_invoice.name, "") != theirs.name.replace(replica.name, ""):
            raise AssertionError(f"verify_sample: {label}: label {mine.name!r} vs ORM {theirs.name!r}")
    for inv, pay in ((seeded_invoice, seeded_pay), (replica, payment)):
        term = inv.line_ids.filtered(lambda x: x.display_type == "payment_term")
        counterpart = pay.move_id.line_ids.filtered(lambda x, acc=term.account_id: x.account_id == acc)
        partial = term.matched_credit_ids
        if not (
            inv.payment_state == "paid"
            and term.full_reconcile_id
            and partial.credit_move_id == counterpart
            and term.matching_number == counterpart.matching_number == str(term.full_reconcile_id.id)
            and partial.max_date == pay.date
            and partial.amount == pay.amount
        ):
            raise AssertionError(f"verify_sample: {label}: reconciliation of {inv.name} differs")
    _check_fresh_name(env, payment.move_id)


def _register_payment(env, invoice, day):
    wizard = (
        env["account.payment.register"]
        .with_context(active_model="account.move", active_ids=invoice.ids)
        .create({"payment_date": day})
    )
    return wizard._create_payments()


def _check_fresh_name(env, move):
    """The ORM's name for a new move is unique in its journal and follows the last number of its prefix."""
    env.cr.execute(
        "SELECT count(*) FROM account_move WHERE name = %s AND journal_id = %s AND state = 'posted'",
        (move.name, move.journal_id.id),
    )
    same_name = env.cr.fetchone()[0]
    env.cr.execute(
        "SELECT max(sequence_number) FROM account_move WHERE journal_id = %s AND sequence_prefix = %s"
        " AND id <> %s",
        (move.journal_id.id, move.sequence_prefix, move.id),
    )
    previous = env.cr.fetchone()[0]
    if same_name != 1 or move.sequence_number != (previous or 0) + 1:
        raise AssertionError(
            f"verify_sample: ORM posted {move.name} (number {move.sequence_number}) but the "
            f"journal's last number for {move.sequence_prefix} was {previous}, "
            f"{same_name} moves have that name"
        )


def _check_new_postings(env, samples):
    """Post through the ORM on top of the seeded data: today's invoice, payments of open items."""
    Move = env["account.move"]
    any_move = Move.browse(next(iter(samples.values()))[0])
    today = fields.Date.context_today(env.user)
    product = _ensure_product(env)
    invoice = Move.create(
        {
            "move_type": "out_invoice",
            "partner_id": any_move.partner_id.id,
            "invoice_date": today,
            "invoice_line_ids": [
                Command.create({"product_id": product.id, "quantity": 1, "price_unit": 100.0})
            ],
        }
    )
    invoice.action_post()
    _check_fresh_name(env, invoice)
    for category in (
        "invoice_partial",
        "invoice_not_paid_foreign",
        "invoice_partial_foreign",
        "invoice_not_paid",
    ):
        move_id = _pick(samples, category)
        if not move_id:
            continue
        seeded = Move.browse(move_id)
        earlier_payments = seeded.matched_payment_ids
        _register_payment(env, seeded, max(today, seeded.invoice_date))
        term = seeded.line_ids.filtered(lambda x: x.display_type == "payment_term")
        if seeded.payment_state != "paid" or not term.full_reconcile_id or not term.reconciled:
            raise AssertionError(
                f"verify_sample: paying {seeded.name} through the ORM left it "
                f"{seeded.payment_state} (residual {seeded.amount_residual})"
            )
        group = term.full_reconcile_id.reconciled_line_ids
        if set(group.mapped("matching_number")) != {str(term.full_reconcile_id.id)}:
            raise AssertionError(
                f"verify_sample: {seeded.name}: matching numbers after payment "
                f"{set(group.mapped('matching_number'))}"
            )
        if earlier_payments.filtered(lambda p: p.state != "paid"):
            raise AssertionError(f"verify_sample: {seeded.name}: earlier payments not 'paid' once it is paid")


# ---------------------------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------------------------


def _mix(text):
    mix = {}
    for item in text.split(","):
        name, _, share = item.partition("=")
        if name.strip() not in PROFILES:
            raise argparse.ArgumentTypeError(f"unknown profile {name!r} (one of {', '.join(PROFILES)})")
        mix[name.strip()] = float(share)
    return mix


def _cli_arguments(parser):
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--years", type=float, default=2)
    parser.add_argument(
        "--invoices-per-customer",
        type=int,
        default=None,
        help="fixed count per customer (default: profile-driven, ~1 a month)",
    )
    parser.add_argument("--end-date", type=datetime.date.fromisoformat, default=None, help="default: today")
    parser.add_argument("--seed", type=int, default=42, help="random seed")
    parser.add_argument("--foreign-share", type=float, default=0.1)
    parser.add_argument(
        "--mix",
        type=_mix,
        default=None,
        help="profile shares, e.g. punctual=0.35,late=0.2,deteriorating=0.15,new=0.1,"
        "defaulting=0.1,occasional=0.1",
    )
    parser.add_argument("--no-verify", action="store_true", help="skip verify_sample")
    parser.add_argument("--verify-n", type=int, default=50)
    parser.add_argument("--verbose", action="store_true", help="log the time of each phase")
    parser.add_argument(
        "--rebuild-indexes",
        choices=("auto", "yes", "no"),
        default="auto",
        help="drop/rebuild the accounting indexes around the writes (auto: for large runs)",
    )


def print_stats(stats):
    for key, value in stats.items():
        if key == "profiles":
            for profile, count in value.items():
                print(f"customers {profile}: {count}")
        else:
            print(f"{key.replace('_', ' ')}: {value}")


def main():
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from odoo_env import odoo_env, parse_args

    args = parse_args("Seed customer invoicing/payment history (SQL, set-based).", _cli_arguments)
    with odoo_env(args.config, args.database) as env:
        if args.verbose:
            _logger.setLevel(logging.INFO)
        stats = seed(
            env,
            customers=args.customers,
            years=args.years,
            invoices_per_customer=args.invoices_per_customer,
            end_date=args.end_date,
            rng_seed=args.seed,
            foreign_share=args.foreign_share,
            profile_mix=args.mix,
            rebuild_indexes={"auto": None, "yes": True, "no": False}[args.rebuild_indexes],
        )
        print_stats(stats)
        if not args.no_verify:
            started = time.perf_counter()
            verify_sample(env, n=args.verify_n)
            print(f"verify: ok ({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
