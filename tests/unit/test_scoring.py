"""Unit tests of the scoring math; plain unittest, no database needed."""

import dataclasses
import math
import unittest

import numpy as np
from credit_core import scoring

DEFAULTS = {factor.name: factor for factor in scoring.DEFAULT_FACTORS}
GRADES = ("E", "D", "C", "B", "A")
GRADE_MINS = (0, 20, 40, 60, 80)


def _with(name, **changes):
    """DEFAULT_FACTORS with one factor changed."""
    return tuple(
        dataclasses.replace(factor, **changes) if factor.name == name else factor
        for factor in scoring.DEFAULT_FACTORS
    )


def _random_values(rng, rows, nan_share=0.2):
    """(rows, F) values over many orders of magnitude, both signs, with NaN and infinities."""
    values = rng.standard_normal((rows, len(scoring.FACTORS))) * 10.0 ** rng.uniform(-3, 12, (rows, 1))
    values[rng.random(values.shape) < nan_share] = np.nan
    values[rng.random(values.shape) < 0.01] = np.inf
    values[rng.random(values.shape) < 0.01] = -np.inf
    return values


def _typical_row():
    """Mid-range values for every factor."""
    return {
        "on_time_ratio": 0.85,
        "avg_dbt": 12.0,
        "late_share": 0.3,
        "late_trend": 0.1,
        "days_overdue": 8.0,
        "overdue_ratio": 0.2,
        "max_days_overdue": 40.0,
        "utilisation": 0.7,
        "tenure_months": 18.0,
        "volume_12m": 50000.0,
        "refund_ratio": 0.1,
        "external_score": 55.0,
    }


def _one(**values):
    """Score of a single customer given as keyword values."""
    return scoring.compute({name: [value] for name, value in values.items()})


class TestDefaults(unittest.TestCase):
    def test_default_factors_follow_factors_order_and_validate(self):
        self.assertEqual(tuple(factor.name for factor in scoring.DEFAULT_FACTORS), scoring.FACTORS)
        scoring.validate(scoring.DEFAULT_FACTORS)

    def test_default_values(self):
        self.assertEqual(DEFAULTS["on_time_ratio"].weight, 25)
        self.assertEqual(
            DEFAULTS["on_time_ratio"].points, ((0, 0), (0.5, 30), (0.8, 70), (0.95, 90), (1, 100))
        )
        self.assertEqual(DEFAULTS["volume_12m"].points[-1], (1000000, 100))
        self.assertEqual(sum(factor.weight for factor in scoring.DEFAULT_FACTORS), 130)

    def test_metadata_covers_every_factor(self):
        self.assertEqual(set(scoring.FACTOR_LABELS), set(scoring.FACTORS))
        self.assertEqual(set(scoring.HIGHER_IS_BETTER), set(scoring.FACTORS))
        self.assertEqual(scoring.FACTOR_LABELS["avg_dbt"], "Avg days beyond terms")
        self.assertLessEqual(scoring.LOG_SCALE, set(scoring.FACTORS))


class TestInterpolation(unittest.TestCase):
    def test_linear_between_breakpoints(self):
        result = _one(on_time_ratio=0.9, avg_dbt=10.0, utilisation=1.25)
        column = {name: j for j, name in enumerate(result.factors)}
        # 0.9 lies 2/3 of the way from 0.8:70 to 0.95:90.
        self.assertAlmostEqual(result.subscores[0, column["on_time_ratio"]], 70 + 20 * 2 / 3, places=12)
        # 10 is half way from 5:85 to 15:60.
        self.assertAlmostEqual(result.subscores[0, column["avg_dbt"]], 72.5, places=12)
        # 1.25 is half way from 1:40 to 1.5:0.
        self.assertAlmostEqual(result.subscores[0, column["utilisation"]], 20.0, places=12)

    def test_exact_breakpoints_and_flat_beyond_ends(self):
        values = {"max_days_overdue": [-10.0, 0.0, 30.0, 120.0, 5000.0]}
        subscores = scoring.compute(values).subscores[:, scoring.FACTORS.index("max_days_overdue")]
        np.testing.assert_array_equal(subscores, [100.0, 100.0, 60.0, 0.0, 0.0])

    def test_log_scale_on_custom_points(self):
        # log10(1 + x) of the breakpoints is 0, 2, 4; of the values 1, 3 and 5.
        factors = (scoring.Factor("volume_12m", 1.0, ((0, 0), (99, 50), (9999, 100))),)
        result = scoring.compute({"volume_12m": [9.0, 999.0, 99999.0, 0.0, -50.0]}, factors)
        np.testing.assert_allclose(result.subscores[:, 0], [25.0, 75.0, 100.0, 0.0, 0.0], atol=1e-12)
        np.testing.assert_allclose(result.score, [25.0, 75.0, 100.0, 0.0, 0.0], atol=1e-12)

    def test_log_scale_on_default_points(self):
        subscore = _one(volume_12m=5000.0).subscores[0, scoring.FACTORS.index("volume_12m")]
        share = (math.log10(5001) - math.log10(1001)) / (math.log10(10001) - math.log10(1001))
        self.assertAlmostEqual(subscore, 40 + 20 * share, places=10)
        # A linear interpolation would give 40 + 20 * 4000 / 9000.
        self.assertGreater(subscore, 40 + 20 * 4000 / 9000 + 1)


class TestRenormalisation(unittest.TestCase):
    def test_hand_computed_weighted_mean_of_known_factors(self):
        result = _one(on_time_ratio=0.9, avg_dbt=10.0, external_score=60.0)
        # Known weights 25, 15, 10 out of 50; sub-scores 250/3, 72.5, 60.
        self.assertAlmostEqual(result.score[0], 0.5 * 250 / 3 + 0.3 * 72.5 + 0.2 * 60, places=10)
        self.assertAlmostEqual(result.score[0], 75.41666666666667, places=10)
        expected_weights = dict.fromkeys(scoring.FACTORS, 0.0)
        expected_weights.update(on_time_ratio=0.5, avg_dbt=0.3, external_score=0.2)
        np.testing.assert_allclose(result.weights[0], [expected_weights[name] for name in result.factors])

    def test_unknown_factors_have_nan_subscore_and_no_weight(self):
        result = _one(on_time_ratio=0.9, avg_dbt=10.0)
        unknown = [j for j, name in enumerate(result.factors) if name not in ("on_time_ratio", "avg_dbt")]
        self.assertTrue(np.isnan(result.subscores[0, unknown]).all())
        self.assertTrue((result.weights[0, unknown] == 0).all())
        self.assertTrue((result.contributions[0, unknown] == 0).all())

    def test_weights_sum_to_one_and_contributions_to_score(self):
        values = _random_values(np.random.default_rng(7), 2000, nan_share=0.5)
        values[0] = np.nan  # a customer without any evidence
        result = scoring.compute(values)
        scored = ~np.isnan(result.score)
        self.assertTrue(scored.any() and not scored.all())
        np.testing.assert_allclose(result.weights[scored].sum(axis=1), 1.0, rtol=1e-12)
        np.testing.assert_array_equal(result.weights[~scored], 0.0)
        np.testing.assert_allclose(result.contributions[scored].sum(axis=1), result.score[scored], atol=1e-9)
        np.testing.assert_array_equal(result.contributions, result.weights * np.nan_to_num(result.subscores))

    def test_all_nan_row_has_nan_score_and_zero_contributions(self):
        values = np.full((2, len(scoring.FACTORS)), np.nan)
        values[1, 0] = 1.0
        result = scoring.compute(values)
        self.assertTrue(math.isnan(result.score[0]))
        self.assertEqual(result.score[1], 100.0)
        np.testing.assert_array_equal(result.contributions[0], 0.0)
        np.testing.assert_array_equal(result.weights[0], 0.0)

    def test_only_zero_weight_factor_known_gives_nan(self):
        factors = _with("external_score", weight=0.0)
        result = scoring.compute({"external_score": [80.0, 80.0], "on_time_ratio": [np.nan, 1.0]}, factors)
        self.assertTrue(math.isnan(result.score[0]))
        np.testing.assert_array_equal(result.weights[0], 0.0)
        np.testing.assert_array_equal(result.contributions[0], 0.0)
        # A zero weight leaves the factor out of the mean even when other factors are known.
        self.assertEqual(result.score[1], 100.0)

    def test_huge_weights_do_not_overflow(self):
        factors = tuple(dataclasses.replace(factor, weight=1e308) for factor in scoring.DEFAULT_FACTORS)
        result = scoring.compute({"on_time_ratio": [1.0], "external_score": [0.0]}, factors)
        self.assertAlmostEqual(result.score[0], 50.0, places=10)


class TestBounds(unittest.TestCase):
    def test_random_inputs_score_within_0_100_or_nan(self):
        rng = np.random.default_rng(12345)
        for _ in range(20):
            values = _random_values(rng, 5000)
            result = scoring.compute(values)
            scored = ~np.isnan(result.score)
            self.assertTrue((result.score[scored] >= 0).all() and (result.score[scored] <= 100).all())
            # Only rows without any known value of a weighted factor lack a score.
            weighted = [j for j, name in enumerate(scoring.FACTORS) if DEFAULTS[name].weight > 0]
            np.testing.assert_array_equal(scored, ~np.isnan(values[:, weighted]).all(axis=1))
            known = ~np.isnan(result.subscores)
            self.assertTrue((result.subscores[known] >= 0).all() and (result.subscores[known] <= 100).all())

    def test_extreme_values_reach_the_ends(self):
        best = {"on_time_ratio": 1e300, "tenure_months": 1e300, "volume_12m": 1e300, "external_score": 1e300}
        worst = {
            "on_time_ratio": -1e300,
            "tenure_months": -1e300,
            "volume_12m": -1e300,
            "external_score": -1e300,
        }
        for name in scoring.FACTORS:
            best.setdefault(name, -1e300)
            worst.setdefault(name, 1e300)
        self.assertAlmostEqual(_one(**best).score[0], 100.0, places=10)
        # tenure_months and volume_12m floor at 30 and 20: (5 * 30 + 5 * 20) / 130.
        self.assertAlmostEqual(_one(**worst).score[0], 250 / 130, places=10)


# The factors off by default (weight 0) count too, with a small weight.
EVERY_FACTOR_ON = tuple(
    dataclasses.replace(factor, weight=max(factor.weight, 5.0)) for factor in scoring.DEFAULT_FACTORS
)


class TestMonotonicity(unittest.TestCase):
    def test_every_factor_moves_the_score_in_its_direction(self):
        rng = np.random.default_rng(3)
        bases = [_typical_row()]
        for _ in range(5):
            row = {name: value * rng.uniform(0.2, 3.0) for name, value in _typical_row().items()}
            # Another factor missing must not change the direction.
            row[scoring.FACTORS[rng.integers(len(scoring.FACTORS))]] = np.nan
            bases.append(row)
        for name in scoring.FACTORS:
            xs = DEFAULTS[name].points
            lo, hi = xs[0][0], xs[-1][0]
            sweep = np.concatenate([[-1e9, lo - 1], np.linspace(lo, hi, 301), [hi * 10 + 1, 1e12]])
            for base in bases:
                values = {other: np.full(sweep.size, value) for other, value in base.items()}
                values[name] = sweep
                score = scoring.compute(values, EVERY_FACTOR_ON).score
                steps = np.diff(score)
                with self.subTest(factor=name, base=base):
                    if scoring.HIGHER_IS_BETTER[name]:
                        self.assertTrue((steps >= -1e-9).all())
                        self.assertGreater(score[-1], score[0])
                    else:
                        self.assertTrue((steps <= 1e-9).all())
                        self.assertLess(score[-1], score[0])


class TestInputForms(unittest.TestCase):
    def test_2d_array_equals_mapping(self):
        values = _random_values(np.random.default_rng(11), 500)
        from_array = scoring.compute(values)
        from_mapping = scoring.compute({name: values[:, j] for j, name in enumerate(scoring.FACTORS)})
        self.assertEqual(from_array.factors, from_mapping.factors)
        for field in ("score", "subscores", "weights", "contributions"):
            np.testing.assert_array_equal(getattr(from_array, field), getattr(from_mapping, field))

    def test_2d_columns_follow_the_given_factors(self):
        factors = (DEFAULTS["external_score"], DEFAULTS["on_time_ratio"])
        result = scoring.compute(np.array([[40.0, 1.0]]), factors)
        self.assertEqual(result.factors, ("external_score", "on_time_ratio"))
        np.testing.assert_allclose(result.subscores, [[40.0, 100.0]])
        self.assertAlmostEqual(result.score[0], (10 * 40 + 25 * 100) / 35, places=10)

    def test_absent_factor_counts_as_unknown(self):
        partial = scoring.compute({"on_time_ratio": [0.9]})
        explicit = scoring.compute(
            {name: [0.9 if name == "on_time_ratio" else np.nan] for name in scoring.FACTORS}
        )
        np.testing.assert_array_equal(partial.score, explicit.score)
        self.assertAlmostEqual(partial.score[0], 250 / 3, places=10)

    def test_bad_shapes_and_names_raise(self):
        with self.assertRaises(ValueError):
            scoring.compute(np.zeros((3, 4)))
        with self.assertRaises(ValueError):
            scoring.compute({"on_time_ratio": [0.5, 0.6], "avg_dbt": [1.0]})
        with self.assertRaises(ValueError):
            scoring.compute({"on_time_ratoi": [0.5]})

    def test_compute_validates_the_factors(self):
        with self.assertRaises(scoring.ScoringError):
            scoring.compute({"on_time_ratio": [0.5]}, _with("avg_dbt", weight=-1.0))


class TestVectorised(unittest.TestCase):
    def test_100k_rows_match_single_row_computation(self):
        rows = 100_000
        rng = np.random.default_rng(2024)
        values = {
            "on_time_ratio": rng.random(rows),
            "avg_dbt": rng.exponential(20.0, rows),
            "overdue_ratio": rng.random(rows),
            "max_days_overdue": rng.integers(0, 200, rows).astype(float),
            "utilisation": rng.uniform(0, 2, rows),
            "tenure_months": rng.integers(0, 120, rows).astype(float),
            "volume_12m": 10.0 ** rng.uniform(0, 7, rows),
            "refund_ratio": rng.uniform(0, 0.6, rows),
            "external_score": rng.uniform(0, 100, rows),
        }
        for column in values.values():
            column[rng.random(rows) < 0.1] = np.nan
        result = scoring.compute(values)
        factor_count = len(scoring.FACTORS)
        self.assertEqual(result.score.shape, (rows,))
        for field in ("subscores", "weights", "contributions"):
            self.assertEqual(getattr(result, field).shape, (rows, factor_count))
        for row in (0, 1, 4242, rows // 2, rows - 1):
            single = scoring.compute({name: column[row : row + 1] for name, column in values.items()})
            np.testing.assert_allclose(result.score[row], single.score[0], rtol=1e-12)
            np.testing.assert_allclose(result.subscores[row], single.subscores[0], rtol=1e-12)
            np.testing.assert_allclose(result.contributions[row], single.contributions[0], rtol=1e-12)


class TestPoints(unittest.TestCase):
    def test_parse(self):
        self.assertEqual(scoring.parse_points("0:0; 0.5:30; 1:100"), ((0.0, 0.0), (0.5, 30.0), (1.0, 100.0)))
        self.assertEqual(scoring.parse_points(" 0 : 0 ,1e3:100 ;"), ((0.0, 0.0), (1000.0, 100.0)))
        self.assertEqual(scoring.parse_points("-5:10;2.5:20"), ((-5.0, 10.0), (2.5, 20.0)))

    def test_format_is_compact(self):
        self.assertEqual(scoring.format_points(((0, 0), (0.5, 30.0), (1.0, 100))), "0:0; 0.5:30; 1:100")
        self.assertEqual(scoring.format_points(((1000000.0, 100.0),)), "1000000:100")

    def test_round_trip(self):
        for factor in scoring.DEFAULT_FACTORS:
            text = scoring.format_points(factor.points)
            self.assertEqual(scoring.parse_points(text), factor.points)
            self.assertEqual(scoring.format_points(scoring.parse_points(text)), text)
        odd = ((0.1, 1 / 3), (123456.789, 99.99999999), (1e20, 100.0))
        self.assertEqual(scoring.parse_points(scoring.format_points(odd)), odd)

    def test_parse_errors(self):
        cases = {
            "": "no points",
            "  ; ": "no points",
            "0:0; 1": "'1' is not a pair",
            "0:0:5; 1:100": "'0:0:5' is not a pair",
            "0:0; abc:100": "'abc'",
            "0:0; 1:": "'' in '1:'",
            "0:0; 1:nan": "'nan'",
            "0:0; inf:100": "'inf'",
        }
        for text, fragment in cases.items():
            with self.subTest(text=text), self.assertRaises(scoring.ScoringError) as caught:
                scoring.parse_points(text, factor="avg_dbt")
            self.assertIn(fragment, caught.exception.message)
            self.assertIn(scoring.POINTS_EXAMPLE, caught.exception.message)
            self.assertEqual(caught.exception.factor, "avg_dbt")
            self.assertEqual(caught.exception.field, "points")
            self.assertEqual(str(caught.exception), caught.exception.message)


class TestValidate(unittest.TestCase):
    def assert_invalid(self, factors, factor, field, fragment):
        with self.assertRaises(scoring.ScoringError) as caught:
            scoring.validate(factors)
        self.assertEqual((caught.exception.factor, caught.exception.field), (factor, field))
        self.assertIn(fragment, caught.exception.message)

    def test_unknown_factor(self):
        factors = (*scoring.DEFAULT_FACTORS, scoring.Factor("shoe_size", 1.0, ((0, 0), (1, 100))))
        self.assert_invalid(factors, "shoe_size", "factor", "unknown factor")

    def test_duplicate_factor(self):
        factors = (*scoring.DEFAULT_FACTORS, DEFAULTS["avg_dbt"])
        self.assert_invalid(factors, "avg_dbt", "factor", "twice")

    def test_bad_weights(self):
        for weight in (-1.0, math.nan, math.inf, "heavy"):
            with self.subTest(weight=weight):
                self.assert_invalid(_with("refund_ratio", weight=weight), "refund_ratio", "weight", "weight")

    def test_all_weights_zero(self):
        factors = tuple(dataclasses.replace(factor, weight=0) for factor in scoring.DEFAULT_FACTORS)
        self.assert_invalid(factors, None, "weight", "weight above 0")
        self.assert_invalid((), None, "weight", "weight above 0")

    def test_zero_weight_is_allowed(self):
        scoring.validate(_with("refund_ratio", weight=0))

    def test_bad_points(self):
        cases = [
            ("on_time_ratio", ((0, 0),), "at least 2 points"),
            ("on_time_ratio", (), "at least 2 points"),
            ("on_time_ratio", ((0, 0), (math.nan, 100)), "finite"),
            ("on_time_ratio", ((0, 0), (1, 50), (1, 100)), "strictly increasing"),
            ("on_time_ratio", ((0, 0), (2, 50), (1, 100)), "strictly increasing"),
            ("on_time_ratio", ((0, 0), (1, 101)), "outside 0-100"),
            ("avg_dbt", ((0, -1), (10, -2)), "outside 0-100"),
            ("on_time_ratio", ((0, 0), (0.5, 60), (1, 50)), "must not decrease"),
            ("avg_dbt", ((0, 100), (10, 40), (20, 50)), "must not increase"),
            ("volume_12m", ((-1, 0), (10, 100)), ">= 0"),
        ]
        for name, points, fragment in cases:
            with self.subTest(factor=name, points=points):
                self.assert_invalid(_with(name, points=points), name, "points", fragment)

    def test_flat_and_negative_x_are_allowed_off_log_scale(self):
        scoring.validate(_with("on_time_ratio", points=((-1, 50), (0, 50), (1, 50))))


class TestBands(unittest.TestCase):
    def assert_invalid(self, min_scores, fragment):
        with self.assertRaises(scoring.ScoringError) as caught:
            scoring.validate_bands(min_scores)
        self.assertEqual(caught.exception.field, "min_score")
        self.assertIn(fragment, caught.exception.message)

    def test_default_bands_are_valid(self):
        scoring.validate_bands(GRADE_MINS)
        scoring.validate_bands([80, 0, 40, 20, 60])
        scoring.validate_bands([0])
        scoring.validate_bands([0, 99.5])

    def test_band_errors(self):
        self.assert_invalid([], "no grade bands")
        self.assert_invalid([20, 40, 60], "no band starts at 0 (scores below 20 have no grade)")
        self.assert_invalid([0, 20, 40, 20], "two bands start at 20")
        self.assert_invalid([0, 50, 100], "min score 100 is outside 0-100")
        self.assert_invalid([0, -5], "min score -5 is outside 0-100")
        self.assert_invalid([0, math.nan], "outside 0-100")

    def test_band_index_boundaries(self):
        scores = [0, 19.999, 20, 39.9, 40, 59.99, 60, 79.999999, 80, 99.9, 100]
        expected = ["E", "E", "D", "D", "C", "C", "B", "B", "A", "A", "A"]
        index = scoring.band_index(scores, GRADE_MINS)
        self.assertEqual([GRADES[i] for i in index], expected)

    def test_band_index_refers_to_the_order_given(self):
        mins = [60, 0, 80, 20, 40]
        grades = ["B", "E", "A", "D", "C"]
        index = scoring.band_index(np.array([10.0, 20.0, 65.0, 80.0, 100.0]), mins)
        self.assertEqual([grades[i] for i in index], ["E", "D", "B", "A", "A"])

    def test_band_index_nan_and_below_lowest(self):
        index = scoring.band_index([np.nan, 50.0, 5.0], [10, 40])
        np.testing.assert_array_equal(index, [-1, 1, -1])

    def test_band_index_is_vectorised_over_compute_output(self):
        values = _random_values(np.random.default_rng(5), 10_000, nan_share=0.6)
        score = scoring.compute(values).score
        index = scoring.band_index(score, GRADE_MINS)
        self.assertEqual(index.shape, score.shape)
        np.testing.assert_array_equal(index == -1, np.isnan(score))
        expected = np.where(np.isnan(score), -1, np.minimum(np.nan_to_num(score) // 20, 4))
        np.testing.assert_array_equal(index, expected)


if __name__ == "__main__":
    unittest.main()
