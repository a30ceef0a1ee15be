"""Unit tests of the factor definitions; plain unittest, no database needed."""

import datetime
import math
import unittest

import numpy as np
from credit_core import factors


def _data(**overrides):
    """Two customers: one with a history, one without any."""
    data = {
        "has_history": np.array([True, False]),
        "paid": np.array([1000.0, 0.0]),
        "paid_on_time": np.array([750.0, 0.0]),
        "amount_days_late": np.array([5000.0, 0.0]),
        "settled": np.array([4.0, 0.0]),
        "settled_late": np.array([1.0, 0.0]),
        "settled_recent": np.array([2.0, 0.0]),
        "settled_recent_late": np.array([1.0, 0.0]),
        "open_invoiced": np.array([400.0, 0.0]),
        "amount_days_overdue": np.array([1200.0, 0.0]),
        "receivable": np.array([400.0, 0.0]),
        "overdue": np.array([100.0, 0.0]),
        "exposure": np.array([500.0, 0.0]),
        "max_days_overdue": np.array([12.0, 0.0]),
        "first_invoice": np.array(["2025-12-02", "NaT"], dtype="datetime64[D]"),
        "volume_12m": np.array([12000.0, 0.0]),
        "invoiced": np.array([10000.0, 0.0]),
        "refunded": np.array([500.0, 0.0]),
        "promises_decided": np.array([3.0, 0.0]),
        "promises_broken": np.array([1.0, 0.0]),
    }
    data.update(overrides)
    return data


BEFORE = {"credit_limit": np.array([1000.0, 0.0]), "credit_external_score": np.array([np.nan, 70.0])}


class TestFactorValues(unittest.TestCase):
    def test_a_customer_with_history(self):
        values = factors.factor_values(_data(), BEFORE, datetime.date(2026, 12, 2))
        expected = {
            "on_time_ratio": 0.75,
            "avg_dbt": 5.0,
            "late_share": 0.25,
            "late_trend": 0.5,  # one of the two recent invoices late, none of the two earlier ones
            "days_overdue": 3.0,
            "overdue_ratio": 0.25,
            "max_days_overdue": 12.0,
            "utilisation": 0.5,
            "tenure_months": 365 / factors.DAYS_PER_MONTH,
            "volume_12m": 12000.0,
            "refund_ratio": 0.05,
            "broken_promises": 1.0,
        }
        for name, value in expected.items():
            self.assertAlmostEqual(values[name][0], value, msg=name)
        self.assertTrue(math.isnan(values["external_score"][0]))

    def test_no_evidence_is_unknown_not_zero(self):
        values = factors.factor_values(_data(), BEFORE, datetime.date(2026, 12, 2))
        for name in (
            "on_time_ratio",
            "avg_dbt",
            "late_share",
            "late_trend",
            "days_overdue",
            "overdue_ratio",
            "utilisation",
            "tenure_months",
        ):
            self.assertTrue(math.isnan(values[name][1]), name)
        self.assertEqual(values["external_score"][1], 70.0)

    def test_trend_needs_recent_and_earlier_settlements(self):
        only_recent = _data(settled=np.array([2.0, 0.0]))
        self.assertTrue(
            math.isnan(
                factors.factor_values(only_recent, BEFORE, datetime.date(2026, 12, 2))["late_trend"][0]
            )
        )
        improving = _data(settled_late=np.array([2.0, 0.0]), settled_recent_late=np.array([0.0, 0.0]))
        values = factors.factor_values(improving, BEFORE, datetime.date(2026, 12, 2))
        self.assertEqual(values["late_trend"][0], -1.0)

    def test_no_open_invoice_is_zero_days_overdue(self):
        data = _data(open_invoiced=np.array([0.0, 0.0]), amount_days_overdue=np.array([0.0, 0.0]))
        self.assertEqual(
            factors.factor_values(data, BEFORE, datetime.date(2026, 12, 2))["days_overdue"][0], 0.0
        )

    def test_one_today_per_customer(self):
        cutoffs = np.array(["2026-06-02", "2026-12-02"], dtype="datetime64[D]")
        tenure = factors.factor_values(_data(), BEFORE, cutoffs)["tenure_months"]
        self.assertAlmostEqual(tenure[0], 182 / factors.DAYS_PER_MONTH)
