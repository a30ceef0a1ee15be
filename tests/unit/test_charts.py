"""Unit tests of the SVG chart geometry; plain unittest, no database needed."""

import unittest

from credit_core import charts


class TestCharts(unittest.TestCase):
    def test_corners_and_ranges(self):
        self.assertEqual(charts.coordinates([(0, 0), (1, 1)], 200, 100), [(0.0, 100.0), (200.0, 0.0)])
        self.assertEqual(
            charts.polyline([(2, 50), (4, None), (6, 100)], 100, 80, x_range=(2, 6), y_range=(0, 100)),
            "0.0,40.0 100.0,0.0",
        )

    def test_an_empty_range_does_not_divide_by_zero(self):
        self.assertEqual(charts.coordinates([(5, 5)], 10, 10, x_range=(5, 5), y_range=(5, 5)), [(0.0, 10.0)])
