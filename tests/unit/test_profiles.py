"""The next profiles of a rescoring, without a database."""

import unittest

import numpy as np
from credit_core import profiles, rules

TODAY = np.datetime64("2028-02-29", "D")
NOW = np.datetime64("2028-02-29T23:59:59", "s")
NAT_D = np.datetime64("NaT", "D")
NAT_S = np.datetime64("NaT", "s")

GRADES = profiles.Grades(
    ids=np.array([11, 12, 13]),
    min_scores=np.array([80.0, 50.0, 0.0]),
    payment_terms=np.array([4, 0, 2]),
    new_customer=1,
    table=rules.GradeTable(
        limit_method=["fixed"] * 3,
        limit_amount=[9000.0, 5000.0, 1000.0],
        limit_percent=[0.0] * 3,
        limit_months=[0.0] * 3,
        limit_floor=[0.0] * 3,
        limit_cap=[0.0] * 3,
    ),
)


def before(n, **overrides):
    values = {
        "credit_score": np.full(n, np.nan),
        "credit_grade_id": np.zeros(n, dtype=np.int64),
        "credit_score_date": np.full(n, NAT_S),
        "credit_limit": np.zeros(n),
        "property_payment_term_id": np.full(n, 7, dtype=np.int64),
        "credit_limit_factor": np.ones(n),
        "credit_promoted_date": np.full(n, NAT_D),
        "credit_demoted_date": np.full(n, NAT_D),
        "credit_hold": np.zeros(n, dtype=bool),
        "credit_hold_automatic": np.zeros(n, dtype=bool),
        "credit_hold_reason": np.full(n, None, dtype=object),
        "credit_hold_date": np.full(n, NAT_S),
        "credit_hold_user_id": np.zeros(n, dtype=np.int64),
        "credit_avg_days_late": np.full(n, np.nan),
        "credit_utilisation": np.full(n, np.nan),
        "credit_limit_manual": np.zeros(n, dtype=bool),
        "credit_bureau_limit": np.zeros(n),
        "credit_policy_limit": np.full(n, np.nan),
        "credit_limit_source": np.full(n, None, dtype=object),
    }
    values.update({k: np.asarray(v, dtype=values[k].dtype) for k, v in overrides.items()})
    return values


def data(n, **overrides):
    values = {
        "exposure": np.zeros(n),
        "has_history": np.ones(n, dtype=bool),
        "on_time_streak": np.zeros(n, dtype=np.int64),
        "max_days_overdue": np.zeros(n),
        "oldest_overdue_due": np.full(n, NAT_D),
    }
    values.update({k: np.asarray(v, dtype=values[k].dtype) for k, v in overrides.items()})
    return values


def values(n):
    return {"volume_12m": np.full(n, 10000.0), "avg_dbt": np.full(n, 2.25)}


def advance(prev, gathered, score, min_change=0.0):
    n = len(score)
    return profiles.advance(
        prev,
        gathered,
        values(n),
        np.asarray(score, dtype=float),
        GRADES,
        rules.Thresholds(),
        TODAY,
        NOW,
        min_change,
        hold_reason=lambda days: f"overdue {days}",
    )


class TestGradePositions(unittest.TestCase):
    def test_bands_and_the_new_customer_grade(self):
        positions = profiles.grade_positions(
            np.array([95.0, 80.0, 79.9, 0.0, np.nan, 90.0]),
            np.array([True, True, True, True, True, False]),
            GRADES,
        )
        # a score on a band's minimum belongs to that band; no score or no history: the new-customer grade
        np.testing.assert_array_equal(positions, [0, 0, 1, 2, 1, 1])


class TestNextProfiles(unittest.TestCase):
    def test_first_scoring_sets_grade_limit_term_and_date(self):
        step = advance(before(3), data(3, exposure=[4500.0, 0.0, -10.0]), [90.0, 60.0, 10.0])
        after = step.after
        np.testing.assert_array_equal(after["credit_grade_id"], [11, 12, 13])
        np.testing.assert_allclose(after["credit_limit"], [9000.0, 5000.0, 1000.0])
        # a grade without a payment term leaves the customer's own
        np.testing.assert_array_equal(after["property_payment_term_id"], [4, 7, 2])
        np.testing.assert_allclose(after["credit_utilisation"], [50.0, 0.0, 0.0])
        np.testing.assert_array_equal(after["credit_score_date"], [NOW] * 3)
        self.assertTrue(step.changes["first"].all())
        self.assertTrue(step.changes["any"].all())

    def test_manual_customer_keeps_limit_and_term(self):
        prev = before(1, credit_limit=[123.0], credit_limit_manual=[True])
        after = advance(prev, data(1), [90.0]).after
        self.assertEqual(after["credit_limit"][0], 123.0)
        self.assertEqual(after["property_payment_term_id"][0], 7)

    def test_no_history_scores_nothing_and_gets_the_new_customer_grade(self):
        after = advance(before(1), data(1, has_history=[False]), [99.0]).after
        self.assertTrue(np.isnan(after["credit_score"][0]))
        self.assertEqual(after["credit_grade_id"][0], 12)

    def test_hold_placed_with_its_reason_and_lifted_by_the_policy(self):
        prev = before(
            2,
            credit_hold=[False, True],
            credit_hold_automatic=[False, True],
            credit_hold_reason=[None, "old"],
            credit_hold_date=[NAT_S, NOW - 86400],
            credit_hold_user_id=[0, 5],
        )
        step = advance(prev, data(2, max_days_overdue=[120.0, 0.0]), [60.0, 60.0])
        after = step.after
        np.testing.assert_array_equal(after["credit_hold"], [True, False])
        self.assertEqual(list(after["credit_hold_reason"]), ["overdue 120", None])
        np.testing.assert_array_equal(after["credit_hold_date"], [NOW, NAT_S])
        np.testing.assert_array_equal(after["credit_hold_user_id"], [0, 0])
        np.testing.assert_array_equal(step.changes["hold"], [True, True])
        # the reason given is not written into the profile it came from
        self.assertIsNone(prev["credit_hold_reason"][0])


class TestChanges(unittest.TestCase):
    def scored(self, score, utilisation):
        return before(
            1,
            credit_score=[score],
            credit_grade_id=[12],
            credit_score_date=[NOW - 86400],
            credit_limit=[5000.0],
            credit_utilisation=[utilisation],
        )

    def test_small_score_moves_are_not_history(self):
        step = advance(self.scored(60.0, 0.0), data(1), [60.4], min_change=0.5)
        self.assertFalse(step.changes["any"][0])
        step = advance(self.scored(60.0, 0.0), data(1), [60.5], min_change=0.5)
        self.assertTrue(step.changes["score"][0])
        self.assertFalse(step.changes["profile"][0])

    def test_utilisation_kept_current_from_one_point(self):
        moved = advance(self.scored(60.0, 10.0), data(1, exposure=[550.0]), [60.0])
        self.assertTrue(moved.changes["utilisation"][0])
        self.assertFalse(moved.changes["any"][0])
        still = advance(self.scored(60.0, 10.0), data(1, exposure=[520.0]), [60.0])
        self.assertFalse(still.changes["utilisation"][0])

    def test_a_grade_change_is_a_profile_change(self):
        step = advance(self.scored(60.0, 0.0), data(1), [85.0])
        self.assertTrue(step.changes["grade"][0])
        self.assertTrue(step.changes["limit"][0])
        self.assertTrue(step.changes["profile"][0])
        self.assertFalse(step.changes["first"][0])


class TestBureauCap(unittest.TestCase):
    def test_the_bureau_caps_where_the_grade_says_so(self):
        grades = profiles.Grades(**{**GRADES.__dict__, "bureau_cap": np.array([True, False, True])})
        prev = before(
            4,
            credit_bureau_limit=[4000.0, 4000.0, 20000.0, 500.0],
            credit_limit_manual=[False, False, False, True],
            credit_limit=[0.0, 0.0, 0.0, 123.0],
        )
        step = profiles.advance(
            prev,
            data(4),
            values(4),
            np.array([90.0, 60.0, 90.0, 90.0]),
            grades,
            rules.Thresholds(),
            TODAY,
            NOW,
            0.0,
            hold_reason=str,
        )
        after = step.after
        # capped (A: 9000 > 4000); not capped by its grade (B); the bureau's is higher; set by hand
        np.testing.assert_allclose(after["credit_limit"], [4000.0, 5000.0, 9000.0, 123.0])
        self.assertEqual(list(after["credit_limit_source"]), ["bureau", "policy", "policy", "manual"])
        np.testing.assert_allclose(after["credit_policy_limit"], [9000.0, 5000.0, 9000.0, 9000.0])
