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

    def test_grouped_bars_share_one_scale(self):
        exposure, overdue = charts.grouped_bars([(100, 50), (-10, 0)], 200, 100, gap=0)[0]
        self.assertEqual(exposure, {"x": 0.0, "y": 0.0, "width": 50.0, "height": 100.0})
        self.assertEqual(overdue, {"x": 50.0, "y": 50.0, "width": 50.0, "height": 50.0})
        negative = charts.grouped_bars([(100, 50), (-10, 0)], 200, 100, gap=0)[1][0]
        self.assertEqual((negative["x"], negative["height"]), (100.0, 0.0), "a negative value draws nothing")
        self.assertEqual(charts.grouped_bars([], 200, 100), [])
        self.assertEqual(charts.grouped_bars([(0, 0)], 200, 100)[0][0]["height"], 0.0, "all zero")

    def test_stacked_bars_stack_from_the_bottom(self):
        bottom, top = charts.stacked_bars([[1, 3], [1, 1]], 100, 80, gap=0)
        self.assertEqual(bottom[1], {"x": 50.0, "y": 20.0, "width": 50.0, "height": 60.0})
        self.assertEqual(top[1], {"x": 50.0, "y": 0.0, "width": 50.0, "height": 20.0})
        self.assertEqual(bottom[0]["y"], 60.0, "the first slot is half as high as the second")
        self.assertEqual(top[0]["y"], 40.0)
        self.assertEqual(charts.stacked_bars([[0, 0]], 100, 80)[0][0]["height"], 0.0)
