"""The `make demo` dataset: about 240 customers with two years of invoices and payments ending today.

    python scripts/demo_data.py -c CONF -d DB

Seeds the data (scripts/seed.py, straight SQL), checks a sample of it through the ORM (verify_sample), then
prints a short summary. Exits non-zero with a one-line error on failure.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from odoo_env import odoo_env, parse_args  # noqa: E402 (needs the path above)
from seed import PROFILES, REF_PREFIX, seed, verify_sample  # noqa: E402

DEMO_CUSTOMERS = 240
DEMO_YEARS = 2


def receivable_totals(env):
    """Open receivable and its overdue part (company currency) over the seeded customers."""
    env.cr.execute("""
        SELECT COALESCE(sum(l.amount_residual), 0),
               COALESCE(sum(l.amount_residual) FILTER (WHERE l.amount_residual > 0
                                                        AND l.date_maturity < CURRENT_DATE), 0)
          FROM account_move_line l
          JOIN account_account a ON a.id = l.account_id AND a.account_type = 'asset_receivable'
          JOIN res_partner p ON p.id = l.partner_id
         WHERE p.ref LIKE %s AND l.parent_state = 'posted' AND NOT l.reconciled
    """, (REF_PREFIX + "%",))
    return env.cr.fetchone()


def print_summary(env, stats, seconds):
    profiles = ", ".join(f"{name} {stats['profiles'][name]}" for name in PROFILES)
    currency = env.company.currency_id
    open_total, overdue_total = receivable_totals(env)
    print(f"customers: {stats['customers']} ({profiles})")
    print(f"invoices: {stats['invoices']} (paid {stats['invoices_paid']}, partially paid "
          f"{stats['invoices_partial']}, open {stats['invoices_open']}); credit notes: "
          f"{stats['credit_notes']}; payments: {stats['payments']}")
    print(f"open receivable: {open_total:,.2f} {currency.name}, of which overdue: {overdue_total:,.2f} "
          f"{currency.name}")
    print(f"seeded in {stats['seconds']:.1f} s, verified in {seconds:.1f} s")


def main():
    args = parse_args("Generate the credit_management demo dataset.")
    try:
        with odoo_env(args.config, args.database) as env:
            stats = seed(env, customers=DEMO_CUSTOMERS, years=DEMO_YEARS)
            started = time.perf_counter()
            verify_sample(env)
            print_summary(env, stats, time.perf_counter() - started)
    except Exception as exc:  # noqa: BLE001 (any failure becomes the one-line error make demo shows)
        message = " ".join(str(exc).split()) or type(exc).__name__
        print(f"error: demo data generation failed: {type(exc).__name__}: {message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
