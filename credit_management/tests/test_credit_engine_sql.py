import datetime

import numpy as np

from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

from ..models.credit_scoring_writer import _sql_array


@tagged("post_install", "-at_install")
class TestCreditEngineArrays(TransactionCase):
    """The engine sends each column of a batch as one array literal: PostgreSQL must read back
    exactly the values, NULLs and awkward text included."""

    def read_back(self, values, sql_type):
        self.env.cr.execute(SQL("SELECT %s", _sql_array(values, sql_type)))
        return self.env.cr.fetchone()[0]

    def test_numbers_and_flags(self):
        self.assertEqual(self.read_back(np.array([3, 0, -7]), "int4"), [3, 0, -7])
        floats = self.read_back(np.array([1.5, np.nan, -0.1, 1e-12]), "float8")
        self.assertEqual(floats[0], 1.5)
        self.assertTrue(np.isnan(floats[1]))
        self.assertEqual(floats[2:], [-0.1, 1e-12])
        self.assertEqual(self.read_back(np.array([True, False]), "bool"), [True, False])

    def test_dates_and_missing_dates(self):
        days = np.array(["2026-02-28", "NaT"], dtype="datetime64[D]")
        self.assertEqual(self.read_back(days, "date"), [datetime.date(2026, 2, 28), None])
        moments = np.array(["2026-11-22T10:05:09"], dtype="datetime64[s]")
        self.assertEqual(self.read_back(moments, "timestamp"), [datetime.datetime(2026, 11, 22, 10, 5, 9)])

    def test_text_is_read_verbatim(self):
        notes = np.array(
            ['Hold: "90 days", see {ref}', "back\\slash", "NULL", "", None, False, "信用冻结"], dtype=object
        )
        self.assertEqual(
            self.read_back(notes, "text"),
            ['Hold: "90 days", see {ref}', "back\\slash", "NULL", "", None, None, "信用冻结"],
        )
