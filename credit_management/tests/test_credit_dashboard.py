from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CreditCommon


@tagged("post_install", "-at_install")
class TestCreditDashboard(CreditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.punctual = cls.customer("Dash Punctual")
        cls.paid_invoice(cls.punctual, 1000, -200, days_late=0)
        cls.small_debt = cls.customer("Dash Small Debt")
        cls.invoice(cls.small_debt, 300, invoice_days=-60, due_days=30)
        cls.big_debt = cls.customer("Dash Big Debt")
        cls.invoice(cls.big_debt, 4000, invoice_days=-150, due_days=30)  # 120 days: held by the policy
        cls.engine._rescore(cls.company, (cls.punctual | cls.small_debt | cls.big_debt).ids, "cron")
        cls.waiting = cls.graded_customer("Dash Waiting", "D", 100)
        cls.order(cls.waiting, 500).with_user(cls.salesman).action_confirm()

    def open_dashboard(self, user=None):
        action = self.env["credit.dashboard"].with_user(user or self.controller).action_open()
        return self.env["credit.dashboard"].with_user(user or self.controller).browse(action["res_id"])

    def test_what_needs_attention(self):
        dashboard = self.open_dashboard()
        self.assertEqual(dashboard.hold_count, 1)
        self.assertEqual(dashboard.hold_partner_ids, self.big_debt)
        self.assertEqual(dashboard.pending_count, 1)
        self.assertEqual(dashboard.pending_approval_ids.partner_id, self.waiting)
        self.assertEqual(dashboard.overdue_partner_ids[:2].ids, [self.big_debt.id, self.small_debt.id])
        self.assertEqual(dashboard.overdue_total, 4300)

    def test_score_drops_of_the_week(self):
        self.invoice(self.punctual, 2000, invoice_days=-100, due_days=30)
        self.rescore(self.punctual)
        drops = self.open_dashboard().drop_history_ids
        self.assertEqual(drops[:1].partner_id, self.punctual)
        self.assertLess(drops[:1].score_change, 0)

    def test_exposure_by_grade(self):
        rows = {
            grade.code: (count, exposure)
            for grade, count, exposure in self.env["credit.dashboard"]
            .with_user(self.controller)
            ._grade_exposure()
            if grade
        }
        self.assertGreaterEqual(rows[self.big_debt.credit_grade_id.code][1], 4000)
        self.assertEqual(sum(count for count, _exposure in rows.values()), 4)
        html = self.open_dashboard().grade_exposure_html
        self.assertIn(self.grades["A"].display_name, html)

    def test_salesperson_has_no_dashboard(self):
        with self.assertRaises(AccessError):
            self.open_dashboard(self.salesman)
