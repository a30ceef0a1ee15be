"""Unit tests of the backtest metrics and the scorecard fitting; plain unittest, no database needed."""

import dataclasses
import itertools
import math
import unittest

import numpy as np
from credit_core import scorecard, scoring

NAMES = scoring.FACTORS


class TestMetrics(unittest.TestCase):
    def test_hand_computed(self):
        # late customers at 80 and 60, on-time at 90 and 70: of the four (late, on-time) pairs, three
        # rank the late one lower
        m = scorecard.metrics([90, 80, 70, 60], [0, 1, 0, 1], [0.1, 0.6, 0.3, 0.8])
        self.assertEqual((m.count, m.late), (4, 2))
        self.assertAlmostEqual(m.auc, 0.75)
        self.assertAlmostEqual(m.gini, 0.5)
        self.assertAlmostEqual(m.ks, 0.5)
        self.assertAlmostEqual(m.brier, (0.01 + 0.16 + 0.09 + 0.04) / 4)
        self.assertAlmostEqual(m.late_rate, 0.5)

    def test_perfect_and_tied_and_degenerate(self):
        perfect = scorecard.metrics([90, 80, 70, 60], [0, 0, 1, 1], [0, 0, 1, 1])
        self.assertEqual((perfect.auc, perfect.ks, perfect.brier), (1.0, 1.0, 0.0))
        self.assertEqual(scorecard.metrics([50] * 4, [0, 1, 0, 1], [0.5] * 4).auc, 0.5)
        one_outcome = scorecard.metrics([90, 80], [0, 0], [0.1, 0.2])
        self.assertTrue(math.isnan(one_outcome.auc))
        self.assertAlmostEqual(one_outcome.brier, (0.01 + 0.04) / 2)
        unscored = scorecard.metrics([np.nan, 80, 60], [1, 0, 1], [0.9, 0.2, 0.7])
        self.assertEqual(unscored.count, 2, "samples without a score are left out")

    def test_roc_points_run_from_corner_to_corner(self):
        points = scorecard.roc_points([90, 80, 70, 60], [0, 1, 0, 1])
        self.assertEqual(points[0], (0.0, 0.0))
        self.assertEqual(points[-1], (1.0, 1.0))
        self.assertEqual(scorecard.roc_points([1, 2], [0, 0]), [])

    def test_group_table_and_monotonicity(self):
        rows = scorecard.group_table(
            ["A", "B", "B", "C"], [0.1, 0.3, 0.5, 0.9], [0, 0, 1, 1], ["A", "B", "C", "D"]
        )
        self.assertEqual([r["count"] for r in rows], [1, 2, 1, 0])
        self.assertAlmostEqual(rows[1]["predicted"], 0.4)
        self.assertAlmostEqual(rows[1]["observed"], 0.5)
        self.assertTrue(math.isnan(rows[3]["observed"]))
        self.assertTrue(scorecard.monotone([r["observed"] for r in rows]))
        self.assertFalse(scorecard.monotone([0.1, 0.05, 0.3]))
        self.assertTrue(scorecard.monotone([0.1, float("nan"), 0.3]))

    def test_deciles(self):
        self.assertEqual(scorecard.deciles(np.arange(100)).tolist(), np.repeat(np.arange(1, 11), 10).tolist())

    def test_psi(self):
        rng = np.random.default_rng(1)
        base = rng.normal(60, 15, 5000)
        self.assertAlmostEqual(scorecard.psi(base, base), 0.0)
        self.assertLess(scorecard.psi(base, rng.normal(60, 15, 5000)), 0.02)
        self.assertGreater(
            scorecard.psi(base, base - 15), 0.25, "a shift of one standard deviation is unstable"
        )


def _ledger(rng, rows):
    """Synthetic samples: lateness driven by the on-time ratio and the days beyond terms, tenure a
    little, the other factors noise or unknown."""
    values = np.full((rows, len(NAMES)), np.nan)
    col = {name: j for j, name in enumerate(NAMES)}
    quality = rng.normal(0, 1, rows)
    values[:, col["on_time_ratio"]] = np.clip(0.8 + 0.15 * quality + rng.normal(0, 0.05, rows), 0, 1)
    values[:, col["avg_dbt"]] = np.clip(10 - 8 * quality + rng.normal(0, 3, rows), 0, None)
    values[:, col["tenure_months"]] = rng.uniform(0, 60, rows)
    values[:, col["refund_ratio"]] = rng.uniform(0, 0.2, rows)  # noise
    values[rng.random(rows) < 0.2, col["on_time_ratio"]] = np.nan  # unknown for some
    p_late = 1 / (1 + np.exp(1.0 + 2.0 * quality))
    late = rng.random(rows) < p_late
    return values, late


class TestFit(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rng = np.random.default_rng(7)
        cls.train = _ledger(cls.rng, 4000)
        cls.test = _ledger(cls.rng, 4000)
        cls.card = scorecard.fit(*cls.train)

    def test_bins_are_monotone_in_the_factors_direction(self):
        for factor in self.card.factors:
            rates = [b.late / b.count for b in factor.bins]
            if scoring.HIGHER_IS_BETTER[factor.name]:
                self.assertEqual(rates, sorted(rates, reverse=True), factor.name)
            else:
                self.assertEqual(rates, sorted(rates), factor.name)

    def test_pooled_bins_from_a_non_monotone_pattern(self):
        x = np.repeat([1.0, 2.0, 3.0, 4.0], 100)
        late = np.concatenate([np.arange(100) < n for n in (40, 20, 30, 10)])  # 2 and 3 break the trend
        bins = scorecard.monotone_bins(x, late, higher_is_better=True, max_bins=4)
        self.assertEqual([b.count for b in bins], [100, 200, 100])
        self.assertEqual([b.late for b in bins], [40, 50, 10])
        self.assertEqual([b.upper for b in bins], [1.0, 3.0, float("inf")])
        self.assertGreater(bins[-1].woe, bins[0].woe, "the best bin carries the most evidence of paying")

    def test_learned_scorecard_is_a_valid_policy_and_ranks(self):
        factors = self.card.scoring_factors()
        scoring.validate(factors)  # the product can score with it as it is
        weights = {f.name: f.weight for f in factors}
        self.assertAlmostEqual(sum(weights.values()), 100.0, places=1)
        self.assertGreater(weights["on_time_ratio"] + weights["avg_dbt"], 60)
        self.assertEqual(weights["overdue_ratio"], 0.0, "no data: left out")
        values, late = self.test
        score = scoring.compute(values, factors).score
        probability = scorecard.platt(scoring.compute(self.train[0], factors).score, self.train[1])(score)
        result = scorecard.metrics(score, late, probability)
        self.assertGreater(result.auc, 0.75)
        self.assertLess(result.brier, 0.2)

    def test_prune_leaves_out_a_factor_that_hurts_the_products_scoring(self):
        noisy = dataclasses.replace(
            self.card,
            factors=tuple(
                dataclasses.replace(f, weight=300.0, points=((0.0, 100.0), (0.2, 0.0)))
                if f.name == "refund_ratio"
                else f
                for f in self.card.factors
            ),
        )
        pruned = scorecard.prune(noisy, *self.test)
        weights = {f.name: f.weight for f in pruned.factors}
        self.assertEqual(weights["refund_ratio"], 0.0)
        self.assertGreater(weights["avg_dbt"], 0.0)
        self.assertAlmostEqual(sum(weights.values()), 100.0, places=1)

    def test_too_little_to_learn(self):
        values, late = self.train
        with self.assertRaisesRegex(scorecard.FitError, "at least 200"):
            scorecard.fit(values[:150], late[:150])
        with self.assertRaisesRegex(scorecard.FitError, "0 late"):
            scorecard.fit(values, np.zeros(len(late), bool))
        with self.assertRaisesRegex(scorecard.FitError, "no factor separates"):
            scorecard.fit(np.full(values.shape, np.nan), late)


class TestProposeBands(unittest.TestCase):
    def test_each_grade_keeps_its_share_of_the_book(self):
        reference = np.arange(100.0)  # current bands 80/50/0: 20, 30 and 50 samples
        learned = reference / 2 + 30  # the learned score is squeezed into 30-79.5
        proposed = scorecard.propose_bands(reference, learned, [80.0, 50.0, 0.0])
        self.assertEqual(proposed, [70.0, 55.0, 0.0])
        position = scoring.band_index(learned, proposed)
        np.testing.assert_array_equal(np.bincount(position), [20, 30, 50])

    def test_bands_given_in_any_order_come_back_in_that_order(self):
        proposed = scorecard.propose_bands(np.arange(100.0), np.arange(100.0), [0.0, 80.0, 50.0])
        self.assertEqual(proposed, [0.0, 80.0, 50.0])

    def test_ties_and_empty_grades_keep_the_bands_distinct(self):
        reference = np.array([95.0, 85.0, 60.0, 40.0, 10.0, np.nan])
        learned = np.array([60.0, 60.0, 60.0, 60.0, 60.0, 99.0])  # one learned score for everyone
        proposed = scorecard.propose_bands(reference, learned, [90.0, 80.0, 50.0, 30.0, 0.0])
        scoring.validate_bands(proposed)
        self.assertEqual(proposed[-1], 0.0)
        self.assertTrue(all(a > b for a, b in itertools.pairwise(proposed)))
        self.assertLess(proposed[0], 100.0)

    def test_no_scored_sample_keeps_the_current_bands(self):
        nothing = np.array([np.nan, np.nan])
        self.assertEqual(scorecard.propose_bands(nothing, nothing, [80.0, 0.0]), [80.0, 0.0])


class TestReadable(unittest.TestCase):
    def test_breakpoints_keep_few_digits_and_their_order(self):
        self.assertEqual(scorecard._readable([0.0657084, 6.50513346]), [0.0657, 6.51])
        self.assertEqual(scorecard._readable([1.00012, 1.00019]), [1.0001, 1.0002])
