"""The policy rules as array math, without a database."""

import unittest

import numpy as np
from credit_core import rules

TODAY = np.datetime64("2026-06-30", "D")
NAT = np.datetime64("NaT", "D")

TABLE = rules.GradeTable(
    limit_method=["fixed", "sales_share", "sales_months"],
    limit_amount=[5000.0, 0.0, 0.0],
    limit_percent=[0.0, 10.0, 0.0],
    limit_months=[0.0, 0.0, 2.0],
    limit_floor=[0.0, 1000.0, 0.0],
    limit_cap=[6000.0, 0.0, 0.0],
)


def profile(n=1, **overrides):
    values = {
        "credit_limit": np.zeros(n),
        "limit_factor": np.ones(n),
        "promoted_date": np.full(n, NAT),
        "demoted_date": np.full(n, NAT),
        "hold": np.zeros(n, dtype=bool),
        "hold_automatic": np.zeros(n, dtype=bool),
        "manual": np.zeros(n, dtype=bool),
    }
    values.update({k: np.asarray(v) for k, v in overrides.items()})
    return rules.Profile(**values)


def behaviour(n=1, **overrides):
    values = {
        "grade": np.zeros(n, dtype=int),
        "volume_12m": np.full(n, 120000.0),
        "on_time_streak": np.zeros(n, dtype=int),
        "max_days_overdue": np.zeros(n),
        "oldest_overdue_due": np.full(n, NAT),
    }
    values.update({k: np.asarray(v) for k, v in overrides.items()})
    return rules.Behaviour(**values)


DEFAULT_THRESHOLDS = rules.Thresholds()


def run(prof=None, beh=None, thresholds=DEFAULT_THRESHOLDS):
    return rules.next_state(prof or profile(), beh or behaviour(), TABLE, thresholds, TODAY)


class TestLimits(unittest.TestCase):
    def test_each_limit_method(self):
        grades = np.array([0, 1, 2, 1])
        volume = np.array([120000.0, 120000.0, 120000.0, 5000.0])
        np.testing.assert_allclose(rules.base_limits(grades, volume, TABLE), [5000, 12000, 20000, 1000])

    def test_missing_volume_counts_as_zero(self):
        np.testing.assert_allclose(rules.base_limits(np.array([2]), np.array([np.nan]), TABLE), [0])

    def test_manual_limit_untouched(self):
        out = run(profile(credit_limit=[777.0], manual=[True]), behaviour(on_time_streak=[10]))
        self.assertEqual(out.profile.credit_limit[0], 777.0)
        self.assertFalse(out.promoted[0])


class TestPromotionDemotion(unittest.TestCase):
    def test_promotion_needs_the_streak(self):
        self.assertFalse(run(beh=behaviour(on_time_streak=[2])).promoted[0])
        out = run(beh=behaviour(on_time_streak=[3], grade=[2]))
        self.assertTrue(out.promoted[0])
        self.assertAlmostEqual(out.profile.credit_limit[0], 24000.0)
        self.assertEqual(out.profile.promoted_date[0], TODAY)

    def test_promotion_capped_and_not_counted_at_the_cap(self):
        out = run(beh=behaviour(on_time_streak=[3]))  # fixed 5000, cap 6000
        self.assertEqual(out.profile.credit_limit[0], 6000.0)
        again = run(profile(limit_factor=out.profile.limit_factor), behaviour(on_time_streak=[3]))
        self.assertFalse(again.promoted[0], "nothing left to raise")
        self.assertEqual(again.profile.credit_limit[0], 6000.0)

    def test_demotion_once_per_episode(self):
        due = TODAY - 40
        out = run(beh=behaviour(max_days_overdue=[40], oldest_overdue_due=[due]))
        self.assertTrue(out.demoted[0])
        self.assertAlmostEqual(out.profile.credit_limit[0], 3750.0)
        again = run(
            profile(limit_factor=out.profile.limit_factor, demoted_date=out.profile.demoted_date),
            behaviour(max_days_overdue=[41], oldest_overdue_due=[due]),
        )
        self.assertFalse(again.demoted[0])
        self.assertAlmostEqual(again.profile.credit_limit[0], 3750.0)
        later = run(
            profile(limit_factor=out.profile.limit_factor, demoted_date=[TODAY - 100]),
            behaviour(max_days_overdue=[40], oldest_overdue_due=[due]),
        )
        self.assertTrue(later.demoted[0], "a new overdue episode demotes again")

    def test_at_threshold_nothing_happens(self):
        out = run(beh=behaviour(max_days_overdue=[30], oldest_overdue_due=[TODAY - 30]))
        self.assertFalse(out.demoted[0])


class TestHolds(unittest.TestCase):
    def test_hold_past_threshold_only(self):
        out = run(beh=behaviour(n=3, max_days_overdue=[89, 90, 91]), prof=profile(n=3))
        np.testing.assert_array_equal(out.profile.hold, [False, False, True])
        np.testing.assert_array_equal(out.hold_placed, [False, False, True])
        self.assertTrue(out.profile.hold_automatic[2])

    def test_policy_lifts_only_its_own_holds(self):
        prof = profile(n=2, hold=[True, True], hold_automatic=[True, False])
        out = run(prof, behaviour(n=2))
        np.testing.assert_array_equal(out.profile.hold, [False, True])
        np.testing.assert_array_equal(out.hold_lifted, [True, False])

    def test_manual_limit_customers_still_go_on_hold(self):
        out = run(profile(manual=[True], credit_limit=[50.0]), behaviour(max_days_overdue=[120]))
        self.assertTrue(out.profile.hold[0])
