"""seed(): reference records, plan, writes, checks, in that order, inside the caller's transaction."""

import time

import numpy as np

from odoo import fields
from odoo.tools import SQL

from .days import _to_day
from .phases import _phase
from .plan import (
    _company_amounts,
    _part_amounts,
    _plan_credit_notes,
    _plan_customers,
    _plan_invoices,
    _plan_on_account,
    _plan_parts,
)
from .profiles import DEFAULT_MIX
from .rates import _ensure_monthly_rates
from .refs import _prepare_refs
from .rows import _Plan
from .write import TOUCHED_TABLES, _bulk_writes, _check_references, _deferred_indexes, _worth_rebuilding


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
