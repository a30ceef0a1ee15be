"""Benchmark: the daily collection run over 100,000 customers with 1,000,000 open invoices, 200,000 overdue.

    make bench BENCH=collections [BENCH_ARGS="--runs 3"]

Seeds the ledger the first time, set-based like the aging benchmark (bench_aging.seed): every customer
has ten open invoices, two of them overdue by 1 to 150 days, the rest due within the month; every
customer has an email address and a grade. Then, each in a child process whose peak RSS is read:

- the first run, in which every customer reaches a level: levels computed, events written, emails
  queued (and calls scheduled, holds placed), batches committed;
- the next run on the same day, which finds nothing new to send.

Before each first run the collection events, their queued emails, activities and holds are removed,
so every first run does the same work. Then the collector's worklist: its first page (80 rows, the
"To Contact" filter, the count) as the web client loads it, min and median over --runs.
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
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "scripts"))

import bench_aging  # noqa: E402 -- bench/ is on the path as the script's folder
import benchenv  # noqa: E402
from odoo_env import odoo_env  # noqa: E402

from odoo.tools import SQL  # noqa: E402

MARK = bench_aging.MARK
OVERDUE_ROUNDS = 5  # one invoice in five is overdue
WORKLIST_FIELDS = ["partner_id", "grade_id", "overdue_amount", "expected_loss", "days_overdue", "level_id"]


def overdue_dates(today, customers):
    """Invoice g of customer mod(g - 1, customers): one round in five overdue by 1 to 150 days (due 30
    days after its date), the others dated within the last 29 days, so not yet due."""
    overdue = SQL("mod((g - 1) / %s, %s) = 0", customers, OVERDUE_ROUNDS)
    date = SQL(
        "(CASE WHEN %s THEN %s::date - 31 - mod(g * 37, 150) ELSE %s::date - mod(g * 37, 29) END)",
        overdue,
        today,
        today,
    )
    return date, SQL("(%s + 30)", date)


def seed(env, lines, customers):
    seconds = bench_aging.seed(env, lines, customers, dates=overdue_dates)
    env.cr.execute(
        SQL(
            "UPDATE res_partner SET email = 'bench' || id || '@example.com' WHERE ref LIKE %s",
            f"{MARK}%",
        )
    )
    env.cr.commit()
    return seconds


def reset(env):
    """Forget what earlier runs sent, so that the next run sends it all again."""
    env.cr.execute("""
        DELETE FROM mail_activity
         WHERE activity_type_id = (SELECT res_id FROM ir_model_data WHERE module = 'credit_management'
                                      AND name = 'mail_activity_type_collection_call');
        DELETE FROM credit_collection_event;
        DELETE FROM mail_message WHERE model = 'credit.collection.event';
        UPDATE res_partner SET credit_hold = NULL, credit_hold_reason = NULL, credit_hold_date = NULL,
                               credit_hold_collections = NULL
         WHERE credit_hold_collections IS NOT NULL;
    """)
    env.cr.commit()


def child(args, step):
    """Run one step in a child process; returns its JSON line (seconds, peak RSS, summary)."""
    output = subprocess.run(
        [sys.executable, __file__, "-c", args.config, "-d", args.database, "--step", step],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def run_step(args):
    with odoo_env(args.config, args.database) as env:
        started = time.perf_counter()
        summary = env["credit.collection.run"]._run(env.company, auto_commit=True)
        seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak, "summary": summary}))


def worklist(env, runs):
    controller = benchenv.controller_user(env, "bench_collector")
    model = env["credit.collection.worklist"].with_user(controller)
    spec = {
        name: {"fields": {"display_name": {}}} if model._fields[name].type == "many2one" else {}
        for name in WORKLIST_FIELDS
    }
    domain = [("to_contact", "=", True)]
    page = model.web_search_read(domain, spec, limit=80, count_limit=10001)
    print(f"worklist: {page['length']:,} customers to contact; first row {page['records'][0]['partner_id']}")
    bench_aging.timed(
        env,
        "worklist first page + count, target 1 s",
        runs,
        lambda: model.web_search_read(domain, spec, limit=80, count_limit=10001),
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", default="bench_collections")
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--step", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        return run_step(args)
    benchenv.ensure_database(args.config, args.database)
    with odoo_env(args.config, args.database) as env:
        env.cr.execute(SQL("SELECT 1 FROM res_partner WHERE ref LIKE %s LIMIT 1", f"{MARK}%"))
        if not env.cr.fetchone():
            seconds = seed(env, args.lines, args.customers)
            print(f"seeded {args.lines:,} open invoices for {args.customers:,} customers in {seconds:.1f} s")
            bench_aging.vacuum(args.database, ["res_partner", "account_move", "account_move_line"])
        bench_aging.verify_sample(env)
        env.cr.execute(
            SQL(
                "SELECT count(*) FROM account_move_line aml JOIN account_account a ON a.id = aml.account_id "
                "WHERE a.account_type = 'asset_receivable' AND aml.amount_residual > 0 "
                "AND aml.date_maturity < CURRENT_DATE"
            )
        )
        print(f"overdue items: {env.cr.fetchone()[0]:,}")
        reset(env)
    first = child(args, "run")
    again = child(args, "run")
    print(
        f"{'first run (every customer reaches a level)':<44} {first['seconds']:7.1f} s  "
        f"peak {first['peak_mb']:6.0f} MB   (targets 60 s, 1536 MB)"
    )
    print(f"   {first['summary']}")
    print(
        f"{'next run the same day (nothing new)':<44} {again['seconds']:7.1f} s  "
        f"peak {again['peak_mb']:6.0f} MB"
    )
    print(f"   {again['summary']}")
    with odoo_env(args.config, args.database) as env:
        worklist(env, args.runs)


if __name__ == "__main__":
    main()
