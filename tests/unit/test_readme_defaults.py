"""The defaults the user documentation lists (readme/CONFIGURE.md) are the ones the code creates."""

import pathlib
import sys
import unittest

from credit_core import rules, scoring

CONFIGURE = pathlib.Path(__file__).resolve().parents[2] / "credit_management" / "readme" / "CONFIGURE.md"


def table_rows(text, header):
    """The rows (lists of cells) of the markdown table whose header starts with ``header``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {header} |"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def number(text):
    return float(text.replace(",", "").split()[-1])


class TestReadmeDefaults(unittest.TestCase):
    text = CONFIGURE.read_text(encoding="utf-8")

    def test_grades(self):
        rows = {row[0].split()[0]: row for row in table_rows(self.text, "Grade")}
        self.assertEqual(list(rows), [grade["code"] for grade in rules.DEFAULT_GRADES])
        for grade in rules.DEFAULT_GRADES:
            row = rows[grade["code"]]
            self.assertEqual(row[0], f"{grade['code']} {grade['name']}")
            self.assertEqual(number(row[1]), grade["min_score"])
            self.assertEqual(number(row[3]), grade["limit_floor"])
            self.assertEqual(number(row[4]), grade["limit_cap"])
            self.assertEqual(row[6], grade["order_action"])
            self.assertEqual(number(row[7].split()[0]), grade["overdue_tolerance_days"])
            if grade["limit_method"] == "fixed":
                self.assertEqual(row[2], f"fixed {grade['limit_amount']:,}")
            else:
                self.assertTrue(row[2].startswith(f"{grade['limit_months']} month"), row[2])
        self.assertIn(f"history starts in {rules.NEW_CUSTOMER_GRADE})", self.text)

    def test_factors(self):
        rows = {(number(row[1]), row[2]) for row in table_rows(self.text, "Factor")}
        expected = {
            (factor.weight, scoring.format_points(factor.points)) for factor in scoring.DEFAULT_FACTORS
        }
        self.assertEqual(rows, expected)


class TestReadmeRst(unittest.TestCase):
    def test_readme_rst_is_generated_from_the_fragments(self):
        sys.path.insert(0, str(CONFIGURE.parents[2] / "scripts"))
        import gen_readme

        current = (gen_readme.ADDON / "README.rst").read_text(encoding="utf-8")
        self.assertEqual(current, gen_readme.render(), "run scripts/gen_readme.py (make format)")
