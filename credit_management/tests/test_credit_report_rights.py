from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import CreditCommon

REPORTS = ("credit.aging.report", "credit.grade.distribution.report", "credit.grade.migration.report")


@tagged("post_install", "-at_install")
class TestCreditReportRights(CreditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_salesman = new_test_user(
            cls.env,
            login="credit_other_salesman",
            groups="base.group_user,sales_team.group_sale_salesman",
        )
        cls.accountant = new_test_user(
            cls.env,
            login="credit_accountant",
            groups="base.group_user,account.group_account_invoice",
        )
        cls.auditor = new_test_user(
            cls.env,
            login="credit_auditor",
            groups="base.group_user,account.group_account_readonly",
        )
        cls.mine = cls.customer("Rights Mine", user_id=cls.salesman.id)
        cls.theirs = cls.customer("Rights Theirs", user_id=cls.other_salesman.id)
        cls.nobodys = cls.customer("Rights Nobody's")
        cls.partners = cls.mine + cls.theirs + cls.nobodys
        for partner in cls.partners:
            cls.invoice(partner, 100, invoice_days=-50)
        cls.engine._rescore(cls.company, cls.partners.ids, "manual")

    def visible(self, user, model="credit.aging.report"):
        return self.env[model].with_user(user).search([("partner_id", "in", self.partners.ids)]).partner_id

    def test_salesperson_sees_own_customers_only(self):
        self.assertEqual(self.visible(self.salesman), self.mine)
        self.assertEqual(self.visible(self.other_salesman), self.theirs)
        [(total,)] = (
            self.env["credit.aging.report"]
            .with_user(self.salesman)
            ._read_group([("partner_id", "in", self.partners.ids)], [], ["amount_residual:sum"])
        )
        self.assertEqual(total, 100.0)

    def test_accountants_and_controllers_see_all(self):
        for user in (self.accountant, self.auditor, self.controller):
            with self.subTest(user=user.login):
                self.assertEqual(self.visible(user), self.partners)
        all_leads = new_test_user(
            self.env,
            login="credit_all_leads",
            groups="base.group_user,sales_team.group_sale_salesman_all_leads",
        )
        self.assertEqual(self.visible(all_leads), self.partners)

    def test_grade_reports_readable_by_credit_users_and_auditors(self):
        for user in (self.salesman, self.accountant, self.auditor):
            for model in REPORTS[1:]:
                with self.subTest(user=user.login, model=model):
                    self.assertEqual(self.visible(user, model), self.partners)

    def test_user_without_credit_or_accounting_group_is_refused(self):
        clerk = new_test_user(self.env, login="credit_clerk", groups="base.group_user")
        for model in REPORTS:
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(clerk).search([])
        with self.assertRaises(AccessError):
            self.env["credit.aging.wizard"].with_user(clerk).create({"date": self.today})

    def test_other_company_lines_are_hidden(self):
        company_b = self.env["res.company"].create({"name": "Credit Reports B"})
        user_b = new_test_user(
            self.env,
            login="credit_user_b",
            groups="base.group_user,account.group_account_invoice",
            company_id=company_b.id,
            company_ids=[company_b.id],
        )
        for model in REPORTS:
            with self.subTest(model=model):
                self.assertFalse(self.visible(user_b, model))
                self.assertEqual(self.visible(self.accountant, model), self.partners)
