from odoo.exceptions import AccessError, UserError
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

    customer_domain = [("customer_rank", ">", 0), ("parent_id", "=", False)]

    def data(self, user=None):
        return self.env["credit.dashboard"].with_user(user or self.controller).get_data()

    def kpi(self, data, key):
        return next(kpi for kpi in data["kpis"] if kpi["key"] == key)

    def test_what_needs_attention(self):
        data = self.data()
        self.assertEqual(self.kpi(data, "holds")["value"], 1)
        self.assertEqual([row["id"] for row in data["holds"]], self.big_debt.ids)
        self.assertEqual(self.kpi(data, "approvals")["value"], 1)
        self.assertEqual(data["approvals"][0]["partner"], self.waiting.display_name)
        self.assertEqual([row["id"] for row in data["overdue"][:2]], [self.big_debt.id, self.small_debt.id])
        self.assertEqual(self.kpi(data, "overdue")["detail"], 4300)
        customers = self.env["res.partner"].search([("customer_rank", ">", 0), ("parent_id", "=", False)])
        over = customers.filtered(lambda partner: partner.credit_exposure > partner.credit_limit)
        self.assertTrue(over)
        self.assertEqual(self.kpi(data, "over_limit")["value"], len(over))

    def test_each_tile_opens_what_it_counts(self):
        dashboard = self.env["credit.dashboard"].with_user(self.controller)
        holds = dashboard.action_open_kpi("holds")
        customers = self.env["res.partner"].with_user(self.controller).with_context(**holds["context"])
        self.assertEqual(holds["res_model"], "res.partner")
        self.assertEqual(holds["context"], {"search_default_on_hold": 1})
        # the limit as the customer form reads it: a company's default limit (Accounting's setting) too
        defaulted = self.customer("Dash Default Limit")
        self.invoice(defaulted, 500)
        self.env["ir.default"].set("res.partner", "credit_limit", 1000.0, company_id=self.company.id)
        self.assertEqual(defaulted.credit_limit, 1000.0)
        opened = customers.search(dashboard.action_open_kpi("over_limit")["domain"])
        on_the_forms = customers.search(self.customer_domain).filtered(
            lambda partner: partner.credit_exposure > partner.credit_limit
        )
        self.assertTrue(on_the_forms)
        self.assertEqual(opened, on_the_forms, "the customers whose form shows them over their limit")
        self.assertNotIn(defaulted, opened)
        self.assertEqual(dashboard.action_open_kpi("approvals")["res_model"], "credit.approval.request")
        self.assertEqual(dashboard.action_open_kpi("promises")["res_model"], "credit.payment.promise")
        self.assertEqual(dashboard.action_open_kpi("overdue")["domain"], [("days_overdue", ">", 0)])
        with self.assertRaises(UserError):
            dashboard.action_open_kpi("no_such_tile")

    def test_dso(self):
        # 300 + 4,000 open against the last 90 days' sales: the 300 invoiced 60 days ago only
        self.assertAlmostEqual(self.kpi(self.data(), "dso")["value"], 4300 / 300 * 90)

    def test_score_drops_of_the_week(self):
        self.invoice(self.punctual, 2000, invoice_days=-100, due_days=30)
        self.rescore(self.punctual)
        drops = self.data()["drops"]
        self.assertEqual(drops[0]["id"], self.punctual.id)
        self.assertLess(drops[0]["change"], 0)

    def test_exposure_by_grade(self):
        data = self.data()
        rows = {row["code"]: row for row in data["grades"] if row["code"]}
        self.assertGreaterEqual(rows[self.big_debt.credit_grade_id.code]["exposure"], 4000)
        self.assertEqual(sum(row["overdue"] for row in rows.values()), 4300)
        self.assertEqual(sum(row["customers"] for row in rows.values()), 4)
        self.assertEqual(len(data["grade_chart"]["bars"]), len(data["grades"]))
        self.assertEqual([serie["code"] for serie in data["mix"]["series"]], ["A", "B", "C", "D", "E"])
        self.assertEqual(len(data["mix"]["months"]), 12)

    def test_salesperson_has_no_dashboard(self):
        with self.assertRaises(AccessError):
            self.data(self.salesman)
        with self.assertRaises(AccessError):
            self.env["credit.dashboard"].with_user(self.salesman).action_open_kpi("holds")
