from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import CreditCommon


@tagged("post_install", "-at_install")
class TestCreditMultiCompany(CreditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create(
            {"name": "Credit B Ltd", "currency_id": cls.currency.id}
        )
        cls.env["account.chart.template"].try_loading(
            "generic_coa", company=cls.company_b, install_demo=False
        )
        cls.env.user.company_ids |= cls.company_b
        cls.partner = cls.customer("Shared Customer")

    def test_new_company_gets_policy_and_grades(self):
        policy_b = self.env["credit.policy"].search([("company_id", "=", self.company_b.id)])
        self.assertEqual(len(policy_b), 1)
        grades_b = self.env["credit.grade"].search([("company_id", "=", self.company_b.id)])
        self.assertEqual(sorted(grades_b.mapped("code")), ["A", "B", "C", "D", "E"])
        self.assertEqual(policy_b.new_customer_grade_id.company_id, self.company_b)

    def test_profiles_do_not_leak_between_companies(self):
        # Punctual in A, defaulting in B.
        for start in (-300, -250, -200):
            self.paid_invoice(self.partner, 1000, start, days_late=0)
        self.invoice(self.partner, 800, invoice_days=-200, due_days=30, company=self.company_b)
        self.rescore(self.partner)
        self.rescore(self.partner, company=self.company_b)

        in_a = self.partner.with_company(self.company)
        in_b = self.partner.with_company(self.company_b)
        self.assertEqual(in_a.credit_grade_id.company_id, self.company)
        self.assertEqual(in_b.credit_grade_id.company_id, self.company_b)
        self.assertEqual(in_a.credit_grade_id.code, "A")
        self.assertIn(in_b.credit_grade_id.code, ("D", "E"))
        self.assertFalse(in_a.credit_hold)
        self.assertTrue(in_b.credit_hold)
        self.assertEqual(in_a.credit_overdue_amount, 0)
        self.assertEqual(in_b.credit_overdue_amount, 800)
        self.assertEqual(self.last_history(self.partner, self.company_b).volume_12m, 800)

    def test_company_b_user_cannot_read_company_a_history(self):
        self.paid_invoice(self.partner, 1000, -100, days_late=0)
        self.rescore(self.partner)
        user_b = new_test_user(
            self.env,
            login="user_b",
            groups="base.group_user,credit_management.group_credit_manager",
            company_id=self.company_b.id,
            company_ids=[self.company_b.id],
        )
        history_a = self.last_history(self.partner)
        self.assertTrue(history_a)
        self.assertFalse(
            self.env["credit.score.history"].with_user(user_b).search([("id", "=", history_a.id)])
        )
        with self.assertRaises(AccessError):
            history_a.with_user(user_b).read(["score"])
        self.assertFalse(
            self.env["credit.grade"].with_user(user_b).search([("company_id", "=", self.company.id)])
        )
