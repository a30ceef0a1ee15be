"""Command line: python scripts/seed -c CONF -d DB [--customers N ...]; prints the counts, then verifies."""

import argparse
import datetime
import logging
import os
import sys
import time

# Run as a folder, Python puts scripts/seed/ first on sys.path: the package and its odoo_env helper live one
# level up.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from odoo_env import odoo_env, parse_args

from seed import PROFILES, seed, verify_sample
from seed.phases import _logger


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
