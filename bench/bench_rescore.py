"""Benchmark of customer rescoring (issue: dynamic credit profile).

    make bench BENCH=rescore          # or: .venv/bin/python bench/bench_rescore.py -c .odoo/odoo.conf -d DB

Seeds the database (the addon installed; ``make bench`` prepares ``bench_rescore``) with
customers, posted invoices, payments and credit notes, set-based (scripts/seed), unless it
holds them already, then measures, each in its own process so that the peak RSS is the
step's own:

- full rescoring of every customer, as the daily job does it (a batch per transaction):
  the first run (every profile new) and a steady-state run the next day;
- rescoring of 1,000 customers queued by events;
- the naive way, per customer through the ORM, on a sample, extrapolated to all customers;
- learning a scorecard from the ledger (``action_learn_scorecard``: 24 monthly cutoffs, then the fit),
  then a full rescoring with it active; the previous scorecard is activated again afterwards.

Prints its figures; asserts nothing.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "scripts"))

import benchenv  # noqa: E402 -- bench/ is on the path as the script's folder


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", default="bench_rescore")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--invoices", type=int, default=10, help="invoices per customer")
    parser.add_argument("--queue", type=int, default=1000, help="customers queued by events")
    parser.add_argument("--naive-sample", type=int, default=2000)
    parser.add_argument("--step", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(STEPS[args.step](args)))
        return
    benchenv.ensure_database(args.config, args.database)
    if not _seeded(args):
        _report("seed", _run_step(args, "seed"))
    results = {}
    for step in ("first_full", "steady_full", "queue", "naive", "learn", "learned_full"):
        results[step] = _run_step(args, step)
        _report(step, results[step])
    _report_verdict(results)


# ----------------------------------------------------------------------
# Orchestration
# ----------------------------------------------------------------------
def _run_step(args, step):
    cmd = [
        sys.executable,
        __file__,
        "-c",
        args.config,
        "-d",
        args.database,
        f"--step={step}",
        f"--customers={args.customers}",
        f"--invoices={args.invoices}",
        f"--queue={args.queue}",
        f"--naive-sample={args.naive_sample}",
    ]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode:
        sys.exit(f"step {step} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _report(step, result):
    labels = {
        "seed": "seeding",
        "first_full": "full rescoring, first run",
        "steady_full": "full rescoring, next day",
        "queue": "queue rescoring",
        "naive": "naive ORM rescoring",
        "learn": "learning a scorecard",
        "learned_full": "full rescoring, learned",
    }
    details = ", ".join(f"{k} {v}" for k, v in result.items())
    print(f"{labels[step]:<28} {details}", flush=True)


def _report_verdict(results):
    naive = results["naive"]["extrapolated_s"]
    for step in ("first_full", "steady_full"):
        print(f"naive / {step}: {naive / results[step]['seconds']:.0f}x slower")
    full = max(results[step]["seconds"] for step in ("first_full", "steady_full", "learned_full"))
    rss = max(results["first_full"]["peak_rss_mb"], results["steady_full"]["peak_rss_mb"])
    print(
        f"targets: full rescoring {full:.1f} s of 30 s, peak RSS {rss} MB of 1,536 MB; "
        f"queue {results['queue']['seconds']:.2f} s of 2 s; "
        f"learning {results['learn']['seconds']:.1f} s of 90 s, "
        f"peak RSS {results['learn']['peak_rss_mb']} MB of 2,048 MB"
    )


def _seeded(args):
    import psycopg2

    try:
        conn = psycopg2.connect(dbname=args.database)
    except psycopg2.OperationalError:
        return False
    with conn, conn.cursor() as cr:
        cr.execute("SELECT count(*) FROM res_partner WHERE ref LIKE %s", ("SEED-%",))
        ready = cr.fetchone()[0] == args.customers
    conn.close()
    return ready


# ----------------------------------------------------------------------
# Steps, each in its own process
# ----------------------------------------------------------------------
def _env(args):
    from odoo_env import odoo_env

    return odoo_env(args.config, args.database)


def _peak_rss_mb():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def step_seed(args):
    from seed import seed

    with _env(args) as env:
        stats = seed(env, customers=args.customers, invoices_per_customer=args.invoices)
    return {
        "seconds": stats["seconds"],
        "customers": stats["customers"],
        "invoices": stats["invoices"],
        "payments": stats["payments"],
        "peak_rss_mb": _peak_rss_mb(),
    }


def _full(args, day_offset):
    """The daily job's rescoring of every customer, committing each batch."""
    with _env(args) as env:
        if day_offset:
            # The next day: the daily job starts over, on profiles scored yesterday.
            env.cr.execute("UPDATE credit_policy SET rescore_run_date = rescore_run_date - 1")
            env.cr.commit()
        engine = env["credit.scoring.engine"]
        before = _history_count(env)
        started = time.perf_counter()
        count = engine._rescore_company(env.company, trigger="cron", auto_commit=True)
        seconds = time.perf_counter() - started
        changed = _history_count(env) - before
    return {
        "seconds": round(seconds, 1),
        "customers": count,
        "history_rows": changed,
        "peak_rss_mb": _peak_rss_mb(),
    }


def _history_count(env):
    env.cr.execute("SELECT count(*) FROM credit_score_history")
    return env.cr.fetchone()[0]


def step_first_full(args):
    with _env(args) as env:
        # A first run starts from customers never scored.
        env.cr.execute("DELETE FROM credit_score_history")
        env.cr.execute("""
            UPDATE res_partner SET credit_score = NULL, credit_grade_id = NULL, credit_score_date = NULL,
                   credit_limit = NULL, property_payment_term_id = NULL, credit_limit_factor = NULL,
                   credit_promoted_date = NULL, credit_demoted_date = NULL, credit_hold = NULL,
                   credit_hold_automatic = NULL, credit_hold_reason = NULL, credit_hold_date = NULL,
                   credit_hold_user_id = NULL, credit_avg_days_late = NULL, credit_utilisation = NULL
        """)
        env.cr.execute("DELETE FROM mail_activity WHERE credit_alert_kind IS NOT NULL")
        env.cr.execute("UPDATE credit_policy SET rescore_run_date = NULL, rescore_last_partner_id = 0")
        env.cr.commit()
    _vacuum(args, "res_partner", "credit_score_history")
    return _full(args, 0)


def _vacuum(args, *tables):
    """Reclaim what the reset left behind, so each step starts from tables as a fresh run finds them."""
    import psycopg2
    from psycopg2 import sql

    conn = psycopg2.connect(dbname=args.database)
    conn.autocommit = True  # VACUUM cannot run in a transaction
    with conn.cursor() as cr:
        for table in tables:
            cr.execute(sql.SQL("VACUUM ANALYZE {}").format(sql.Identifier(table)))
    conn.close()


def step_steady_full(args):
    _vacuum(args, "res_partner", "credit_score_history")
    return _full(args, 1)


def step_queue(args):
    with _env(args) as env:
        env.cr.execute(
            """
            INSERT INTO credit_rescore_queue (partner_id, company_id, reason, queued_at)
            SELECT id, 1, 'payment', now() FROM res_partner
             WHERE ref LIKE 'SEED-%%' ORDER BY random() LIMIT %s
        """,
            (args.queue,),
        )
        env.cr.commit()
        started = time.perf_counter()
        count = env["credit.scoring.engine"]._rescore_queue(limit=args.queue)
        env.cr.commit()
        seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "customers": count, "peak_rss_mb": _peak_rss_mb()}


def step_naive(args):
    with _env(args) as env:
        import naive_rescore

        env.cr.execute(
            "SELECT id FROM res_partner WHERE ref LIKE 'SEED-%%' ORDER BY random() LIMIT %s",
            (args.naive_sample,),
        )
        ids = [row[0] for row in env.cr.fetchall()]
        started = time.perf_counter()
        naive_rescore.rescore(env, env["res.partner"].browse(ids))
        seconds = time.perf_counter() - started
        env.cr.rollback()
    extrapolated = seconds * args.customers / len(ids)
    return {
        "sample": len(ids),
        "seconds": round(seconds, 1),
        "extrapolated_s": round(extrapolated),
        "peak_rss_mb": _peak_rss_mb(),
    }


def step_learn(args):
    with _env(args) as env:
        policy = env["credit.policy"]._for_company(env.company)
        started = time.perf_counter()
        action = policy.action_learn_scorecard()
        seconds = time.perf_counter() - started
        card = env["credit.scorecard"].browse(action["res_id"])
        env.cr.commit()
        return {
            "seconds": round(seconds, 1),
            "samples": card.sample_count,
            "customers": card.customer_count,
            "auc_learned": round(card.auc, 3),
            "auc_active": round(card.active_auc, 3),
            "auc_baseline": round(card.baseline_auc, 3),
            "peak_rss_mb": _peak_rss_mb(),
        }


def step_learned_full(args):
    """Activate the scorecard just learned, rescore everyone with it, then give the policy its previous
    scorecard back (the next run's first rescoring resets the profiles anyway)."""
    with _env(args) as env:
        cards = env["credit.scorecard"].sudo()
        learned = cards.search([("origin", "=", "learned"), ("state", "=", "draft")], limit=1)
        previous_id = cards.search([("state", "=", "active")]).id
        learned.accept_non_monotone = True
        learned.action_activate()
        env.cr.commit()
    result = _full(args, 1)
    with _env(args) as env:
        cards = env["credit.scorecard"].sudo()
        # the first activation keeps the hand-set factors as a manual scorecard
        previous = cards.browse(previous_id) or cards.search([("origin", "=", "manual")], limit=1)
        previous.action_activate()
        env.cr.commit()
    return result


STEPS = {
    "seed": step_seed,
    "first_full": step_first_full,
    "steady_full": step_steady_full,
    "queue": step_queue,
    "naive": step_naive,
    "learn": step_learn,
    "learned_full": step_learned_full,
}

if __name__ == "__main__":
    main()
