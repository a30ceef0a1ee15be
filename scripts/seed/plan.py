"""The plan: customers, invoices, payments and credit notes, vectorised with numpy (no Python loop over
customers or invoices)."""

import numpy as np

from .profiles import DEFAULTING, DETERIORATING, LATE, NEW, OCCASIONAL, PROFILES, PUNCTUAL
from .rates import _rates_by_day, _round_cents

NEVER = 1 << 30  # "day number" of a payment that never happens
PART_COUNTS, PART_WEIGHTS = (1, 2, 3), (0.85, 0.10, 0.05)  # invoices paid in one, two or three payments
CREDIT_NOTE_SHARE = 0.04  # of invoices
CREDIT_NOTE_RECONCILED_SHARE = 0.6  # of company-currency credit notes issued before the first payment
ON_ACCOUNT_SHARE = 0.02  # of customers that also made an unallocated payment
INSTALLMENT_SHARE = 0.25  # of never-paid invoices with a first installment paid


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
