"""Does the score predict? Backtest and learning on seeded ledgers, with times and memory.

    make bench BENCH=scorecard [BENCH_ARGS="--customers 240 --big 0"]
    .venv/bin/python bench/bench_scorecard.py -c .odoo/odoo.conf -d bench_scorecard

Two ledgers written by the seed generator (scripts/seed), each in a fresh copy of the database with the
addon installed and rolled back afterwards: the demo's (its seed, its default mix of payer profiles) and
a second one with another seed and another mix (more late and deteriorating payers, fewer punctual ones).
On each, credit.policy.action_learn_scorecard() backtests 24 monthly cutoffs and prints the AUC, Gini, KS
and Brier score of the learned scorecard, the active (default) scorecard and the naive late-share
baseline, measured on the same samples (the newer cutoffs), and the grade table.

With --big N (default 0: off), the time and peak memory of building the samples and fitting on a ledger
of N customers (the rescoring benchmark's size is 100,000) are printed too. A benchmark, not a test: it
prints figures and asserts nothing about them.
"""

import argparse
import os
import resource
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benchenv
import numpy as np
from odoo_env import odoo_env
from seed import seed

# Candidate factors, measured by adding them to the others: a factor stays on by default only where it
# improves both ledgers.
CANDIDATES = ("late_trend", "days_overdue")
SNAPSHOTS = ("overdue_ratio", "max_days_overdue")

LEDGERS = {
    "demo ledger (seed 42, default mix)": {"rng_seed": 42, "profile_mix": None},
    "second ledger (seed 2027, more late payers)": {
        "rng_seed": 2027,
        "profile_mix": {
            "punctual": 0.20,
            "late": 0.30,
            "deteriorating": 0.20,
            "new": 0.10,
            "defaulting": 0.10,
            "occasional": 0.10,
        },
    },
}


def backtest(env, customers, rng_seed, profile_mix):
    started = time.perf_counter()
    stats = seed(env, customers=customers, rng_seed=rng_seed, profile_mix=profile_mix)
    seeded = time.perf_counter() - started
    policy = env["credit.policy"]._for_company(env.company)
    started = time.perf_counter()
    card = env["credit.scorecard"].browse(policy.action_learn_scorecard()["res_id"])
    learned = time.perf_counter() - started
    return card, stats, seeded, learned


def print_card(card):
    print(
        f"  samples {card.sample_count:,} ({card.customer_count:,} customers, {card.late_rate:.1%} late), "
        f"cutoffs {card.date_from} to {card.date_to}, evaluated from {card.test_from}"
    )
    print(f"  {'':10} {'AUC':>6} {'Gini':>6} {'KS':>6} {'Brier':>7}")
    for label, prefix in (("learned", ""), ("active", "active_"), ("baseline", "baseline_")):
        values = [card[f"{prefix}{metric}"] for metric in ("auc", "gini", "ks", "brier")]
        print(f"  {label:10} {values[0]:6.3f} {values[1]:6.3f} {values[2]:6.3f} {values[3]:7.4f}")
    print(
        f"  learned, late > 10 days: AUC {card.auc_late_10:.3f}; > 30 days: {card.auc_late_30:.3f}; "
        f"PSI {card.psi:.3f}; grades monotone: {card.monotone}"
    )
    for name in ("learned", "active"):
        rows = card.tables["grades"][name]
        cells = ", ".join(
            f"{r['group']} {r['count']} / {r['observed']:.1%}" if r["count"] else f"{r['group']} -"
            for r in rows
        )
        print(f"  grades ({name}): {cells}")
    print(
        "  learned weights: "
        + ", ".join(f"{line.factor} {line.weight:g}" for line in card.line_ids if line.weight)
    )


def factor_study(env):
    """On the samples the scorecard was learned from: the learned scorecard's test AUC without the
    candidate factors, with each and with both; and the default scorecard's with variants of its weights."""
    # the addons path is set once the environment is open
    from odoo.addons.credit_management import scorecard, scoring

    policy = env["credit.policy"]._for_company(env.company)
    samples, decided = env["credit.scorecard"]._backtest_samples(policy, 24, 3)
    values = samples["values"][decided]
    late = samples["late"][0][decided].astype(bool)
    cutoff = samples["cutoff"][decided]
    test = ~scorecard.split_by_time(cutoff)
    columns = {name: values[:, j] for j, name in enumerate(scoring.FACTORS)}

    def test_auc(factors):
        score = np.nan_to_num(scoring.compute(columns, factors).score[test], nan=50.0)
        return scorecard.metrics(score, late[test], np.zeros(test.sum())).auc

    def learned(names):
        index = [scoring.FACTORS.index(name) for name in names]
        card, _fit = scorecard.learn(values[:, index], late, cutoff, names)
        return test_auc(card.scoring_factors()), card

    base = [name for name in scoring.FACTORS if name not in CANDIDATES]
    rows = [("learned, without the candidates", *learned(base))]
    rows += [(f"learned, + {name}", *learned([*base, name])) for name in CANDIDATES]
    rows.append(("learned, + both", *learned(list(scoring.FACTORS))))
    defaults = {f.name: f for f in scoring.DEFAULT_FACTORS}

    def weighted(**weights):
        return [scoring.Factor(name, weights.get(name, f.weight), f.points) for name, f in defaults.items()]

    variants = {
        "default": weighted(),
        **{f"default, + {name} 15": weighted(**{name: 15.0}) for name in CANDIDATES},
        "default, snapshots off": weighted(**dict.fromkeys(SNAPSHOTS, 0.0)),
        "default, snapshots as before (20, 25), late_share 30": weighted(
            overdue_ratio=20.0, max_days_overdue=25.0, late_share=30.0
        ),
    }
    print(f"  factor study (AUC on the newer cutoffs, {int(test.sum()):,} samples):")
    for label, auc, card in rows:
        used = ", ".join(f"{f.name} {f.weight:g}" for f in card.factors if f.weight)
        print(f"    {label:48} {auc:.3f}  ({used})")
    for label, factors in variants.items():
        print(f"    {label:48} {test_auc(factors):.3f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--customers", type=int, default=240)
    parser.add_argument("--big", type=int, default=0)
    args = parser.parse_args()
    benchenv.ensure_database(args.config, args.database)
    with odoo_env(args.config, args.database) as env:
        for title, options in LEDGERS.items():
            print(f"\n{title}, {args.customers} customers")
            card, stats, seeded, learned = backtest(env, args.customers, **options)
            print(f"  seeded in {seeded:.1f} s; backtest and fit in {learned:.1f} s")
            print_card(card)
            factor_study(env)
            env.cr.rollback()
            env.invalidate_all()
        if args.big:
            print(f"\nbig ledger, {args.big:,} customers")
            card, stats, seeded, learned = backtest(env, args.big, 42, None)
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"  seeded in {seeded:.1f} s; backtest and fit in {learned:.1f} s; peak RSS {peak:.0f} MB")
            print_card(card)
            env.cr.rollback()


if __name__ == "__main__":
    main()
