"""Latency the credit check adds to sale order confirmation, next to OCA's sale_financial_risk.

    make bench BENCH=check
    .venv/bin/python bench/bench_check.py -c .odoo/odoo.conf [--rebuild] [--iterations N]

One database (bench_check) holds credit_management and OCA's account_financial_risk + sale_financial_risk
(18.0, from their PyPI wheels; see benchenv.py), a background of seeded customers (scripts/seed) and:
- a heavy customer: 5,000 open invoices and 100,000 paid ones (seed's planner, steered: see seed_heavy);
- a light customer: a regular seeded customer with a couple of years of history and a few open invoices.
Both get a credit limit and grade A (our check runs in full and allows) and OCA's risk flags (draft, open
and unpaid invoices, sale orders: its check computes every risk figure and allows), a few confirmed orders
not yet invoiced, and the heavy one a few draft invoices.

For each customer, a salesperson confirms a fresh one-line quotation, N times per variant, variants
interleaved; each confirmation runs in a savepoint rolled back afterwards, so every run sees the same data.
Timed: action_confirm() plus the flush a commit would do (pending writes, precommit hooks), cache cold.
  (a) no credit check: ours patched to allow without looking, OCA's skipped by its bypass_risk context;
  (b) ours only; (c) OCA's only; (d) both.
Also printed: the queries our check runs (and OCA's), and EXPLAIN (ANALYZE, BUFFERS) of the aggregates for the
heavy customer (ours: the statement inside the exposure function, logged by auto_explain as the function runs
it). A benchmark, not a test: it prints figures and asserts nothing about them.
"""

import argparse
import collections
import contextlib
import gc
import json
import os
import re
import subprocess
import sys
import time
from unittest import mock

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benchenv
from odoo_env import odoo_env
from seed import plan as seed_plan
from seed import seed

from odoo import Command
from odoo.sql_db import Cursor

HERE = os.path.dirname(os.path.abspath(__file__))
MODULES = ("credit_management", *benchenv.OCA_MODULES)
META_KEY = "bench_check.meta"
OUT_DIR = os.path.join(HERE, "out")
VARIANTS = {  # name: (our check runs, OCA's check runs)
    "a": (False, False),
    "b": (True, False),
    "c": (False, True),
    "d": (True, True),
}
LABELS = {"a": "no check", "b": "ours only", "c": "OCA only", "d": "both"}
LIMIT = 1e9  # both checks compute everything, then allow
HEAVY_ORDERS, HEAVY_DRAFTS, LIGHT_ORDERS = 20, 5, 1


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True, help="the project's Odoo config (make setup)")
    parser.add_argument("-d", "--database", default="bench_check")
    parser.add_argument(
        "--rebuild", action="store_true", help="rebuild and reseed even if a seeded database is there"
    )
    parser.add_argument("--iterations", type=int, default=200, help="confirmations per variant and customer")
    parser.add_argument("--warmup", type=int, default=10, help="untimed confirmations per variant first")
    parser.add_argument("--heavy-open", type=int, default=5000)
    parser.add_argument("--heavy-paid", type=int, default=100_000)
    parser.add_argument("--heavy-years", type=float, default=3.0)
    parser.add_argument("--customers", type=int, default=5000, help="background customers (seed.py)")
    return parser.parse_args()


# ---------------------------------------------------------------------------------------------------------
# Seeding
# ---------------------------------------------------------------------------------------------------------


def seed_heavy(env, n_open, n_paid, years):
    """One punctual customer with exactly ``n_open`` unpaid invoices (its newest) and ``n_paid`` paid ones.

    seed() writes the rows (same SQL, same consistency as the rest of the data); its planner is steered
    through the planning functions seed() looks up in its module: history from the first day of the
    period, newest invoices never paid, every other one paid by today, no credit note, no on-account
    payment.
    """
    g = seed.__globals__
    names = ("_plan_customers", "_plan_invoices", "_plan_credit_notes", "_plan_on_account")
    missing = [name for name in names if name not in g]
    if missing:
        raise SystemExit(f"error: seed() no longer looks up {missing} in its module; update seed_heavy")
    plan_customers, plan_invoices, plan_credit_notes, plan_on_account = (g[n] for n in names)
    never = seed_plan.NEVER

    def customers(rng, n, start, end, *args, **kwargs):
        cust = plan_customers(rng, n, start, end, *args, **kwargs)
        cust["first"][:] = start
        cust["last"][:] = end
        return cust

    def invoices(rng, cust, refs, end):
        inv = plan_invoices(rng, cust, refs, end)
        newest = np.argsort(inv["date"], kind="stable")[inv["date"].size - n_open :]
        settle = np.minimum(inv["settle"], end)
        settle[newest] = never
        parts, installment = inv["parts"].copy(), inv["installment"].copy()
        parts[newest], installment[newest] = 1, False
        inv.update(settle=settle, parts=parts, installment=installment)
        return inv

    def none_of(plan):
        return lambda *args: {key: value[:0] for key, value in plan(*args).items()}

    steered = {
        "_plan_customers": customers,
        "_plan_invoices": invoices,
        "_plan_credit_notes": none_of(plan_credit_notes),
        "_plan_on_account": none_of(plan_on_account),
    }
    with mock.patch.dict(g, steered):
        stats = seed(
            env,
            customers=1,
            years=years,
            invoices_per_customer=n_open + n_paid,
            rng_seed=2026,
            foreign_share=0.0,
            profile_mix={"punctual": 1.0},
        )
    if (stats["invoices_open"], stats["invoices_paid"]) != (n_open, n_paid):
        raise SystemExit(f"error: heavy customer seeded with {stats}, not {n_open} open / {n_paid} paid")
    env.cr.execute(
        "SELECT partner_id FROM account_move WHERE move_type = 'out_invoice' "
        "GROUP BY partner_id ORDER BY count(*) DESC LIMIT 1"
    )
    return env.cr.fetchone()[0], stats


def pick_light(env, heavy_id):
    """A regular punctual seeded customer: about an invoice a month for two years, 1-3 open."""
    env.cr.execute(
        """
        SELECT m.partner_id
          FROM account_move m JOIN res_partner p ON p.id = m.partner_id
         WHERE m.move_type = 'out_invoice' AND m.state = 'posted' AND p.ref LIKE 'SEED-punctual-%%'
           AND m.partner_id <> %s
         GROUP BY m.partner_id
        HAVING count(*) FILTER (WHERE m.payment_state IN ('not_paid', 'partial')) BETWEEN 1 AND 3
         ORDER BY abs(count(*) - 24), m.partner_id
         LIMIT 1
        """,
        (heavy_id,),
    )
    row = env.cr.fetchone()
    if not row:
        raise SystemExit(
            "error: no seeded punctual customer with 1-3 open invoices to serve as light customer"
        )
    return row[0]


def prepare_customers(env, heavy_id, light_id):
    """Limits, grade and OCA flags; confirmed orders not invoiced and draft invoices (ORM)."""
    company = env.company
    grade = env["credit.grade"].search([("company_id", "=", company.id), ("code", "=", "A")], limit=1)
    partners = env["res.partner"].browse([heavy_id, light_id])
    partners.write(
        {
            "credit_grade_id": grade.id,
            "credit_limit": LIMIT,
            "credit_limit_manual": True,
            "risk_invoice_draft_include": True,
            "risk_invoice_open_include": True,
            "risk_invoice_unpaid_include": True,
            "risk_sale_order_include": True,
        }
    )
    product = env.ref("__seed__.product_services")
    salesperson = env["res.users"].search([("login", "=", "seed.salesperson1")], limit=1)
    partners.write({"user_id": salesperson.id})  # the salesperson's own customers
    for partner_id, n_orders, n_drafts in (
        (heavy_id, HEAVY_ORDERS, HEAVY_DRAFTS),
        (light_id, LIGHT_ORDERS, 0),
    ):
        orders = (
            env["sale.order"]
            .with_user(salesperson)
            .create(
                [
                    {
                        "partner_id": partner_id,
                        "user_id": salesperson.id,
                        "order_line": [
                            Command.create(
                                {"product_id": product.id, "product_uom_qty": 1 + i % 3, "price_unit": 250.0}
                            )
                        ],
                    }
                    for i in range(n_orders)
                ]
            )
        )
        orders.action_confirm()  # also creates the customer's row in credit_check_lock
        env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner_id,
                    "invoice_line_ids": [
                        Command.create({"product_id": product.id, "quantity": 2, "price_unit": 400.0})
                    ],
                }
                for _ in range(n_drafts)
            ]
        )
    return {"product_id": product.id, "salesperson_id": salesperson.id}


def build_database(args, conf):
    """Fresh copy of the template with the modules installed; returns the seconds it took."""
    started = time.perf_counter()
    print(f"building {args.database}: template copy, install {', '.join(MODULES)}", flush=True)
    benchenv.fresh_database(args.database)
    benchenv.install(conf, args.database, MODULES, f"install-{args.database}")
    return time.perf_counter() - started


def seed_all(env, args, install_seconds):
    """Seeded data, committed, then VACUUM ANALYZE; returns the metadata stored in the database."""
    t0 = time.perf_counter()
    background = seed(env, customers=args.customers)
    t1 = time.perf_counter()
    heavy_id, heavy = seed_heavy(env, args.heavy_open, args.heavy_paid, args.heavy_years)
    t2 = time.perf_counter()
    light_id = pick_light(env, heavy_id)
    refs = prepare_customers(env, heavy_id, light_id)
    env.flush_all()
    env.cr.commit()
    t3 = time.perf_counter()
    subprocess.run(
        ["psql", "-X", "-q", "-d", args.database, "-c", "VACUUM ANALYZE"],
        check=True,
        env=dict(os.environ, PGOPTIONS="--client-min-messages=warning"),
    )
    t4 = time.perf_counter()
    meta = {
        "scale": scale_of(args),
        "heavy_id": heavy_id,
        "light_id": light_id,
        **refs,
        "background": {k: v for k, v in background.items() if k != "profiles"},
        "heavy": {k: v for k, v in heavy.items() if k != "profiles"},
        "install_seconds": install_seconds,
        "seed_timings": {
            "seed background (seed.py)": t1 - t0,
            "seed heavy customer (seed.py, steered)": t2 - t1,
            "orders, draft invoices, limits (ORM)": t3 - t2,
            "vacuum analyze": t4 - t3,
        },
    }
    env["ir.config_parameter"].set_param(META_KEY, json.dumps(meta))
    env.cr.commit()
    return meta


def scale_of(args):
    return {
        "customers": args.customers,
        "heavy_open": args.heavy_open,
        "heavy_paid": args.heavy_paid,
        "heavy_years": args.heavy_years,
    }


def stored_meta(dbname):
    if not benchenv.database_exists(dbname):
        return None
    out = subprocess.run(
        [
            "psql",
            "-X",
            "-q",
            "-d",
            dbname,
            "-tAc",
            f"SELECT value FROM ir_config_parameter WHERE key = '{META_KEY}'",
        ],
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout) if out.returncode == 0 and out.stdout.strip() else None


POSTED = "SELECT count(*) FROM account_move WHERE state = 'posted'"


def print_rows(env, meta):
    cr = env.cr
    counts = {}
    for label, query in (
        ("customers (company partners)", "SELECT count(*) FROM res_partner WHERE is_company"),
        ("invoices (posted)", f"{POSTED} AND move_type = 'out_invoice'"),
        ("credit notes (posted)", f"{POSTED} AND move_type = 'out_refund'"),
        ("payments", "SELECT count(*) FROM account_payment"),
        ("journal items", "SELECT count(*) FROM account_move_line"),
        ("partial reconciles", "SELECT count(*) FROM account_partial_reconcile"),
        ("full reconciles", "SELECT count(*) FROM account_full_reconcile"),
        ("sale orders", "SELECT count(*) FROM sale_order"),
        (
            "open receivable items (all)",
            "SELECT count(*) FROM account_move_line WHERE parent_state = 'posted' AND NOT reconciled "
            "AND account_id IN (SELECT id FROM account_account WHERE account_type = 'asset_receivable')",
        ),
    ):
        cr.execute(query)
        counts[label] = cr.fetchone()[0]
    print("rows:")
    for label, value in counts.items():
        print(f"  {label:32} {value:>10,}")
    cr.execute("SELECT id FROM account_account WHERE account_type = 'asset_receivable'")
    receivable = tuple(row[0] for row in cr.fetchall())
    for who in ("heavy", "light"):
        pid = meta[f"{who}_id"]
        cr.execute(
            """
            SELECT count(*) FILTER (WHERE payment_state = 'paid'),
                   count(*) FILTER (WHERE payment_state IN ('not_paid', 'partial')),
                   (SELECT count(*) FROM account_move_line l WHERE l.partner_id = %(p)s),
                   (SELECT count(*) FROM account_move_line l WHERE l.partner_id = %(p)s
                       AND l.parent_state = 'posted' AND NOT l.reconciled AND l.account_id IN %(receivable)s),
                   (SELECT count(*) FROM account_move d WHERE d.partner_id = %(p)s AND d.state = 'draft'),
                   (SELECT count(*) FROM sale_order s WHERE s.partner_id = %(p)s AND s.state = 'sale')
              FROM account_move WHERE partner_id = %(p)s AND move_type = 'out_invoice' AND state = 'posted'
            """,
            {"p": pid, "receivable": receivable},
        )
        paid, open_, lines, open_lines, drafts, orders = cr.fetchone()
        print(
            f"  {who} customer (id {pid}): invoices paid {paid:,}, open {open_:,}; journal items {lines:,} "
            f"(open receivable {open_lines:,}); draft invoices {drafts}; confirmed orders {orders}"
        )
    return counts


# ---------------------------------------------------------------------------------------------------------
# Measurement
# ---------------------------------------------------------------------------------------------------------


class Probe:
    """Wraps credit.check._check_orders: our check or, when disabled, an allow-all stand-in.

    Records the queries and time spent inside each call, and optionally the statements themselves.
    """

    def __init__(self, env):
        from odoo.addons.credit_management.models.credit_check import CreditCheck

        self.model_class = type(env["credit.check"])
        self.real = self.model_class._check_orders
        self.credit_check = CreditCheck
        self.calls = []  # (queries, seconds)
        self.statements = None  # list, while capturing
        self.check_span = []

    def allow_all(self, service, orders, lock=False, together=True):
        return {
            order.id: self.credit_check(
                order_id=order.id,
                action="allow",
                grade=service.env["credit.grade"],
                limit=0.0,
                exposure=0.0,
                order_amount=0.0,
                max_days_overdue=0,
                tolerance=0,
                over_limit=False,
                overdue=False,
            )
            for order in orders
        }

    @contextlib.contextmanager
    def active(self, ours):
        probe = self

        def check_orders(service, orders, lock=False, together=True):
            cr = service.env.cr
            n0, t0 = cr.sql_log_count, time.perf_counter()
            if probe.statements is not None:
                probe.check_span.append(len(probe.statements))
            try:
                if ours:
                    return probe.real(service, orders, lock=lock, together=together)
                return probe.allow_all(service, orders, lock=lock, together=together)
            finally:
                probe.calls.append((cr.sql_log_count - n0, time.perf_counter() - t0))
                if probe.statements is not None:
                    probe.check_span.append(len(probe.statements))

        with mock.patch.object(self.model_class, "_check_orders", check_orders):
            yield

    @contextlib.contextmanager
    def capture(self):
        """Every statement the cursor runs, as sent."""
        self.statements, self.check_span = [], []
        original = Cursor.execute
        probe = self

        def execute(cr, query, params=None, log_exceptions=True):
            probe.statements.append(cr._format(query, params))
            return original(cr, query, params, log_exceptions)

        try:
            with mock.patch.object(Cursor, "execute", execute):
                yield self.statements
        finally:
            self.statements = None


def salesperson_env(env, uid):
    """The salesperson's environment with the context the web client sends with every call."""
    user = env["res.users"].browse(uid)
    context = {
        "lang": user.lang or "en_US",
        "tz": user.tz or "UTC",
        "allowed_company_ids": [user.company_id.id],
    }
    return env(user=uid, context=context)


def confirm_once(env, user_env, partner_id, product_id, variant, probe, capture=False):
    """Create a quotation, time its confirmation, roll everything back; returns (seconds, queries, sql)."""
    cr = env.cr
    ours, oca = VARIANTS[variant]
    statements = []
    with contextlib.closing(cr.savepoint()):
        order = user_env["sale.order"].create(
            {
                "partner_id": partner_id,
                "user_id": user_env.uid,
                "order_line": [
                    Command.create({"product_id": product_id, "product_uom_qty": 1, "price_unit": 100.0})
                ],
            }
        )
        user_env.flush_all()
        user_env.invalidate_all()  # a request starts with an empty cache
        target = order if oca else order.with_context(bypass_risk=True)
        with probe.active(ours), probe.capture() if capture else contextlib.nullcontext() as captured:
            gc.collect()
            n0 = cr.sql_log_count
            started = time.perf_counter()
            target.action_confirm()
            cr.flush()  # what the request's commit would still do: pending writes, precommit hooks
            elapsed = time.perf_counter() - started
            queries = cr.sql_log_count - n0
            if capture:
                statements = list(captured)
        if order.state != "sale":
            raise SystemExit(
                f"error: variant {variant}: the quotation was not confirmed (state {order.state})"
            )
    for callbacks in (cr.postcommit, cr.prerollback, cr.postrollback):
        callbacks.clear()
    return elapsed, queries, statements


def measure_customer(env, user_env, meta, who, iterations, warmup, probe):
    partner_id = meta[f"{who}_id"]
    times = {v: [] for v in VARIANTS}
    queries = {v: [] for v in VARIANTS}
    check_calls = []
    names = list(VARIANTS)
    for i in range(warmup + iterations):
        # Interleaved, rotating order: drift and caches weigh on every variant alike.
        for variant in names[i % 4 :] + names[: i % 4]:
            probe.calls = []
            seconds, count, _sql = confirm_once(env, user_env, partner_id, meta["product_id"], variant, probe)
            if i >= warmup:
                times[variant].append(seconds * 1000)
                queries[variant].append(count)
                if variant == "b":
                    check_calls.extend(probe.calls)
    return times, queries, check_calls


def normalized(statement):
    return re.sub(r"\b\d+(\.\d+)?\b", "?", re.sub(r"'[^']*'", "'?'", statement))


def profile_queries(env, user_env, meta, probe):
    """Statements of one confirmation per variant, for the heavy customer: ours (inside _check_orders)
    and OCA's (in (c) but not in (a))."""
    runs = {}
    for variant in ("a", "b", "c"):
        probe.calls = []
        _s, _n, statements = confirm_once(
            env, user_env, meta["heavy_id"], meta["product_id"], variant, probe, capture=True
        )
        runs[variant] = (statements, list(probe.check_span))
    statements_b, span = runs["b"]
    ours = statements_b[span[0] : span[1]] if len(span) >= 2 else []
    extra = collections.Counter(map(normalized, runs["c"][0])) - collections.Counter(
        map(normalized, runs["a"][0])
    )
    oca, seen = [], collections.Counter()
    for statement in runs["c"][0]:
        key = normalized(statement)
        if seen[key] < extra[key]:
            seen[key] += 1
            oca.append(statement)
    return ours, oca


def explain(env, statement):
    """(JSON plan, text plan) of EXPLAIN (ANALYZE, BUFFERS); the text run first warms the cache."""
    cr = env.cr
    with contextlib.closing(cr.savepoint(flush=False)):
        cr.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement)
        text = "\n".join(row[0] for row in cr.fetchall())
        cr.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement)
        plan = cr.fetchone()[0][0]
    return plan, text


def explain_function(env, statement):
    """(JSON plan, text plan) of the statement inside the database function that ``statement`` calls,
    as the function runs it (its own settings, its kept plan): auto_explain logs the nested statement's
    plan to the client. Four calls, the last of each format kept: by then the plan is the one the session
    keeps. Needs a superuser."""
    cr = env.cr
    plans = {}
    with contextlib.closing(cr.savepoint(flush=False)):
        cr.execute("LOAD 'auto_explain'")
        for option, value in (
            ("log_min_duration", "0"),
            ("log_analyze", "on"),
            ("log_buffers", "on"),
            ("log_timing", "on"),
            ("log_nested_statements", "on"),
        ):
            cr.execute(f"SET LOCAL auto_explain.{option} = {value}")
        cr.execute("SET LOCAL client_min_messages = log")
        notices = cr._cnx.notices
        for fmt in ("json", "json", "text", "json"):
            cr.execute(f"SET LOCAL auto_explain.log_format = {fmt}")
            del notices[:]
            cr.execute(statement)
            nested = [n for n in notices if "account_move_line" in n][:1]
            if nested:
                plans[fmt] = nested[0]
        cr.execute("SET LOCAL client_min_messages = notice")
    duration = float(re.search(r"duration: ([\d.]+) ms", plans["json"]).group(1))
    plan = json.loads(plans["json"].split("plan:", 1)[1])
    plan.update({"Execution Time": duration, "Planning Time": 0.0})
    return plan, plans.get("text", "")


def plan_summary(plan):
    """Execution time, buffers, and each scan node: how it reads which table, rows found."""
    root = plan["Plan"]
    scans = []

    def walk(node):
        kind = node["Node Type"]
        if "Scan" in kind:
            where = node.get("Relation Name") or ""
            index = node.get("Index Name")
            scans.append(
                f"{kind}{' using ' + index if index else ''}{' on ' + where if where else ''}: "
                f"{int(node.get('Actual Rows', 0) * node.get('Actual Loops', 1)):,} rows"
                + (
                    f" ({node.get('Rows Removed by Filter', 0):,} removed by filter)"
                    if node.get("Rows Removed by Filter")
                    else ""
                )
            )
        for child in node.get("Plans", []):
            walk(child)

    walk(root)

    def workers(node):
        return node.get("Workers Launched", 0) + sum(workers(child) for child in node.get("Plans", []))

    return {
        "workers": workers(root),
        "ms": plan["Execution Time"],
        "planning_ms": plan["Planning Time"],
        "hit": root.get("Shared Hit Blocks", 0),
        "read": root.get("Shared Read Blocks", 0),
        "scans": scans,
    }


def describe(statement):
    """A statement in a few words: its verb and the tables it reads."""
    tables = re.findall(r"\bFROM\s+\"?(\w+)\"?|\bJOIN\s+\"?(\w+)\"?", statement, flags=re.I)
    names = []
    for pair in tables:
        name = pair[0] or pair[1]
        if name not in names and name.lower() not in ("unnest", "lateral", "select"):
            names.append(name)
    words = statement.lstrip(" \n(").split()
    if not names:
        return " ".join(words)[:72]
    if words[0].upper() == "INSERT":
        return " ".join(words[:3])
    return f"{words[0].upper()} {', '.join(names[:3])}"


def percentiles(values):
    arr = np.asarray(values, dtype=float)
    return float(np.percentile(arr, 50)), float(np.percentile(arr, 95)), float(arr.max())


def main():
    args = parse_args()
    project_conf = os.path.abspath(args.config)
    versions = benchenv.ensure_oca_addons()
    conf = benchenv.write_bench_conf(project_conf)
    os.makedirs(OUT_DIR, exist_ok=True)
    load = os.getloadavg()[0]
    print(f"bench_check: {time.strftime('%Y-%m-%d %H:%M')}, load average {load:.2f}, {os.cpu_count()} cores")
    print(f"OCA: {', '.join(f'{m} {v}' for m, v in versions.items())} (PyPI wheels, bench-only addons_path)")

    meta = None if args.rebuild else stored_meta(args.database)
    if meta and meta.get("scale") != scale_of(args):
        print(f"stored scale {meta.get('scale')} differs from the requested one: rebuilding")
        meta = None
    install_seconds = None
    if meta:
        print(f"reusing {args.database} (seeded earlier)")
        benchenv.install(conf, args.database, ["credit_management"], f"install-{args.database}", mode="-u")
    else:
        install_seconds = build_database(args, conf)

    results = {"date": time.strftime("%Y-%m-%d"), "load_start": os.getloadavg()[0]}
    with odoo_env(conf, args.database) as env:
        if install_seconds is not None:
            meta = seed_all(env, args, install_seconds)
        results["meta"] = meta
        report(env, args, meta, results)
    with open(os.path.join(OUT_DIR, "bench_check.json"), "w") as handle:
        json.dump(results, handle, indent=1, default=str)
    print(f"\nload average at the end: {results['load_end']:.2f}; figures in bench/out/bench_check.json")


def report(env, args, meta, results):
    print(f"install (template copy + {len(MODULES)} modules): {meta['install_seconds']:.1f} s")
    print("seeding:")
    for label, seconds in meta["seed_timings"].items():
        print(f"  {label:40} {seconds:7.1f} s")
    print(f"  {'total':40} {sum(meta['seed_timings'].values()):7.1f} s")
    env.cr.execute("SHOW server_version")
    print(f"PostgreSQL {env.cr.fetchone()[0]}")
    results["rows"] = print_rows(env, meta)
    user_env = salesperson_env(env, meta["salesperson_id"])
    probe = Probe(env)

    # Queries first (one untimed confirmation each), then the timings, then the plans.
    ours_sql, oca_sql = profile_queries(env, user_env, meta, probe)
    print(f"\nour check (credit.check._check_orders), heavy customer, cold cache: {len(ours_sql)} queries")
    for statement in ours_sql:
        print(f"  - {describe(statement)}")
    print(f"OCA's check, heavy customer: {len(oca_sql)} queries more than with bypass_risk")
    for statement in oca_sql:
        print(f"  - {describe(statement)}")

    summary = {}
    for who in ("heavy", "light"):
        print(
            f"\ntiming the {who} customer: {args.warmup} + {args.iterations} confirmations per variant",
            flush=True,
        )
        started = time.perf_counter()
        times, queries, check_calls = measure_customer(
            env, user_env, meta, who, args.iterations, args.warmup, probe
        )
        summary[who] = {
            "variants": {v: percentiles(times[v]) for v in VARIANTS},
            "queries": {v: int(np.median(queries[v])) for v in VARIANTS},
            "check_queries": sorted({n for n, _s in check_calls}),
            "check_ms": percentiles([s * 1000 for _n, s in check_calls]),
            "seconds": time.perf_counter() - started,
        }
    results["summary"] = summary
    results["load_end"] = os.getloadavg()[0]
    print_latencies(summary, args.iterations)
    results["explain"], results["history_ms"] = print_plans(env, meta, ours_sql, oca_sql)
    env.cr.rollback()  # nothing of the measurements stays


def print_latencies(summary, iterations):
    print(f"\naction_confirm latency, ms ({iterations} confirmations per variant, interleaved)")
    print(f"{'customer':8} {'variant':14} {'p50':>8} {'p95':>8} {'max':>8} {'queries':>8}")
    for who, data in summary.items():
        for v in VARIANTS:
            p50, p95, worst = data["variants"][v]
            print(f"{who:8} ({v}) {LABELS[v]:10} {p50:8.1f} {p95:8.1f} {worst:8.1f} {data['queries'][v]:8}")
    print("\nadded latency, ms (difference of percentiles)")
    print(f"{'customer':8} {'check':18} {'p50':>8} {'p95':>8}")
    for who, data in summary.items():
        a = data["variants"]["a"]
        for v, label in (("b", "ours (b-a)"), ("c", "OCA (c-a)"), ("d", "both (d-a)")):
            x = data["variants"][v]
            print(f"{who:8} {label:18} {x[0] - a[0]:+8.1f} {x[1] - a[1]:+8.1f}")
    print("\ntime inside our _check_orders (variant b), ms; queries per call")
    for who, data in summary.items():
        p50, p95, worst = data["check_ms"]
        print(f"{who:8} p50 {p50:.2f}  p95 {p95:.2f}  max {worst:.2f}  queries {data['check_queries']}")


def print_plans(env, meta, ours_sql, oca_sql):
    """EXPLAIN (ANALYZE, BUFFERS) of the checks' aggregates on accounting and sales tables."""
    from odoo.addons.credit_management.models.credit_exposure import CUSTOMER_FUNCTION

    print("\nEXPLAIN (ANALYZE, BUFFERS), heavy customer (full plans in bench/out/explain_check.txt)")
    explained = []
    with open(os.path.join(OUT_DIR, "explain_check.txt"), "w") as handle:
        for owner, statements in (("ours", ours_sql), ("OCA", oca_sql)):
            for statement in statements:
                # Our exposure read shares its execute with the lock: explain the read.
                statement = statement.rsplit(";", 1)[-1] if owner == "ours" else statement
                function = owner == "ours" and CUSTOMER_FUNCTION in statement
                # Reads of accounting and sales tables only (describe() names the tables read).
                if not function and (
                    not statement.lstrip(" \n(").upper().startswith(("SELECT", "WITH"))
                    or not re.search(
                        r"\b(account_move|account_move_line|sale_order|sale_order_line)\b",
                        describe(statement),
                    )
                ):
                    continue
                if function:
                    plan, text = explain_function(env, statement)
                else:
                    plan, text = explain(env, statement)
                info = plan_summary(plan)
                explained.append({"owner": owner, "query": describe(statement), **info})
                handle.write(f"-- {owner}: {describe(statement)}\n{statement}\n{text}\n\n")
                print(
                    f"{owner:4} {describe(statement):46} {info['ms']:7.2f} ms"
                    f" (planning {info['planning_ms']:.2f}) buffers hit {info['hit']:,} read {info['read']:,}"
                )
                for scan in info["scans"]:
                    print(f"       {scan}")
        # For scale: the same customer's whole receivable history, not only its open items.
        history = (
            "SELECT sum(amount_residual) FROM account_move_line "
            f"WHERE partner_id = {int(meta['heavy_id'])} AND account_id IN (SELECT id FROM account_account "
            "WHERE account_type = 'asset_receivable') AND parent_state = 'posted'"
        )
        plan, text = explain(env, history)
        info = plan_summary(plan)
        handle.write(f"-- for scale: the heavy customer's whole receivable history\n{history}\n{text}\n")
    print(f"for scale, summing the heavy customer's whole receivable history: {info['ms']:.1f} ms")
    for scan in info["scans"]:
        print(f"       {scan}")
    return explained, info["ms"]


if __name__ == "__main__":
    main()
