from datetime import datetime, time

import pytz
from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import date_utils

from ..report.credit_grade_migration_report import DATE_FROM_KEY, DATE_TO_KEY
from .common import CreditCommon

TZ = "Asia/Tokyo"  # UTC+9 all year: local month ends differ from UTC ones by nine hours


@tagged("post_install", "-at_install")
class TestCreditGradeReports(CreditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tz=TZ))
        # the reports' today is the user's, in Tokyo: a day ahead of UTC's each evening
        cls.this_month = date_utils.start_of(fields.Date.context_today(cls.env["res.partner"]), "month")
        cls.partners = [cls.customer(f"Grade Report Co {i}") for i in range(5)]

    def month(self, n):
        """First day of the month ``n`` months before this one."""
        return self.this_month - relativedelta(months=n)

    def at(self, day, hour=12, minute=0):
        """The UTC datetime history stores for a local (Tokyo) time."""
        local = pytz.timezone(TZ).localize(datetime.combine(day, time(hour, minute)))
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    def history(self, partner, when, code, exposure=0.0, score=50.0):
        return self.env["credit.score.history"].create(
            {
                "partner_id": partner.id,
                "company_id": self.company.id,
                "date": when,
                "trigger": "cron",
                "grade_id": self.grades[code].id,
                "exposure": exposure,
                "score": score,
            }
        )

    # ------------------------------------------------------------------
    # Distribution
    # ------------------------------------------------------------------
    def distribution(self):
        """{(month start, grade code): (customers, exposure)} of this test's customers."""
        groups = self.env["credit.grade.distribution.report"]._read_group(
            [("partner_id", "in", [p.id for p in self.partners])],
            ["date:month", "grade_id"],
            ["customer_count:sum", "exposure:sum"],
        )
        return {(month, grade.code): (count, exposure) for month, grade, count, exposure in groups}

    def test_distribution_counts_each_customer_at_each_month_end(self):
        p1, p2, p3, p4, _p5 = self.partners
        self.history(p1, self.at(self.month(3) + relativedelta(days=9)), "B", 100)
        self.history(p1, self.at(self.month(1) + relativedelta(days=14)), "D", 300)
        # two rows in one month: only the last one stands at its end
        self.history(p2, self.at(self.month(3) + relativedelta(days=19)), "A", 50)
        self.history(p2, self.at(self.month(3) + relativedelta(days=24)), "C", 70)
        self.history(p3, self.at(self.month(2) + relativedelta(days=4)), "B", 20)
        # 00:30 on the 1st in the user's time zone is still the previous day in UTC: it is the new month's
        self.history(p4, self.at(self.month(2), hour=0, minute=30), "E", 5)

        three, two, one, now = self.month(3), self.month(2), self.month(1), self.month(0)
        self.assertEqual(
            self.distribution(),
            {
                (three, "B"): (1, 100.0),
                (three, "C"): (1, 70.0),
                (two, "B"): (2, 120.0),
                (two, "C"): (1, 70.0),
                (two, "E"): (1, 5.0),
                (one, "B"): (1, 20.0),
                (one, "C"): (1, 70.0),
                (one, "D"): (1, 300.0),
                (one, "E"): (1, 5.0),
                (now, "B"): (1, 20.0),
                (now, "C"): (1, 70.0),
                (now, "D"): (1, 300.0),
                (now, "E"): (1, 5.0),
            },
        )

    def test_distribution_rows_carry_the_month_end(self):
        self.history(self.partners[0], self.at(self.month(1) + relativedelta(days=3)), "A", 10)
        rows = self.env["credit.grade.distribution.report"].search([("partner_id", "=", self.partners[0].id)])
        self.assertEqual(
            rows.mapped("date"),
            [
                date_utils.end_of(self.this_month, "month"),
                self.this_month - relativedelta(days=1),
            ],
        )
        self.assertEqual(rows.grade_id, self.grades["A"])

    # ------------------------------------------------------------------
    # Migration
    # ------------------------------------------------------------------
    def migration(self, date_from, date_to):
        report = self.env["credit.grade.migration.report"].with_context(
            **{DATE_FROM_KEY: str(date_from), DATE_TO_KEY: str(date_to)}
        )
        domain = [("partner_id", "in", [p.id for p in self.partners])]
        matrix = {
            (start.code or None, end.code): count
            for start, end, count in report._read_group(
                domain, ["grade_start_id", "grade_end_id"], ["customer_count:sum"]
            )
        }
        return matrix, {row.partner_id: row.movement for row in report.search(domain)}

    def test_migration_matrix(self):
        p1, p2, p3, p4, p5 = self.partners
        start, end = self.month(4), self.month(1)
        self.history(p1, self.at(start - relativedelta(days=20)), "B")
        self.history(p1, self.at(start + relativedelta(days=20)), "D")  # downgraded
        self.history(p2, self.at(start - relativedelta(days=40)), "A")  # unchanged
        self.history(p3, self.at(start + relativedelta(days=5)), "C")  # new during the period
        self.history(
            p4, self.at(start, hour=23, minute=30), "D"
        )  # late on the start date: its grade at start
        self.history(p4, self.at(end, hour=12), "C")  # during the end date: its grade at end
        self.history(p4, self.at(end + relativedelta(days=1), hour=0, minute=30), "A")  # after the end
        self.history(p5, self.at(end + relativedelta(days=2)), "B")  # only after the end: left out

        matrix, movements = self.migration(start, end)
        self.assertEqual(matrix, {("B", "D"): 1, ("A", "A"): 1, (None, "C"): 1, ("D", "C"): 1})
        self.assertEqual(movements, {p1: "down", p2: "same", p3: "new", p4: "up"})
        report = self.env["credit.grade.migration.report"].with_context(
            **{DATE_FROM_KEY: str(start), DATE_TO_KEY: str(end)}
        )
        labels = {
            row.partner_id: row.start_label for row in report.search([("partner_id", "in", [p3.id, p4.id])])
        }
        self.assertEqual(labels, {p3: "Not scored yet", p4: self.grades["D"].display_name}, "no None row")

    def test_migration_wizard_checks_the_period(self):
        wizard = self.env["credit.grade.migration.wizard"]
        for date_from, date_to in ((self.days(-10), self.days(-10)), (self.days(-5), self.days(-30))):
            with (
                self.subTest(date_from=date_from),
                self.assertRaisesRegex(ValidationError, "Start Date.*End Date"),
            ):
                wizard.create({"date_from": date_from, "date_to": date_to})
        action = wizard.create({"date_from": self.days(-90), "date_to": self.days(-1)}).action_open_report()
        self.assertEqual(action["res_model"], "credit.grade.migration.report")
        self.assertEqual(
            action["context"], {DATE_FROM_KEY: str(self.days(-90)), DATE_TO_KEY: str(self.days(-1))}
        )
