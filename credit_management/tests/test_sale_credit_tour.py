from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestCreditApprovalTour(HttpCase):
    """In a real browser: over the limit, the salesperson sees why and gets the approval flow."""

    def test_salesperson_gets_the_approval_flow(self):
        salesman = new_test_user(
            self.env,
            login="tour_salesman",
            name="Tess Tour",
            groups="base.group_user,sales_team.group_sale_salesman",
        )
        controller = new_test_user(
            self.env,
            login="tour_controller",
            name="Carl Control",
            groups="base.group_user,credit_management.group_credit_controller",
        )
        self.env["credit.policy"]._for_company(self.env.company).controller_user_id = controller
        grade = self.env["credit.grade"].search(
            [("company_id", "=", self.env.company.id), ("code", "=", "D")]
        )
        partner = self.env["res.partner"].create({"name": "Tour Customer", "is_company": True})
        partner.write({"credit_grade_id": grade.id, "credit_limit": 1000, "credit_limit_manual": True})
        product = self.env["product.product"].create({"name": "Tour widget", "taxes_id": [Command.clear()]})
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "user_id": salesman.id,
                "order_line": [
                    Command.create(
                        {"product_id": product.id, "price_unit": 1500, "tax_id": [Command.clear()]}
                    )
                ],
            }
        )
        self.start_tour(
            f"/odoo/action-sale.action_quotations_with_onboarding/{order.id}",
            "credit_management_approval_tour",
            login="tour_salesman",
        )
        self.assertEqual(order.state, "draft")
        self.assertRecordValues(
            order.credit_approval_ids, [{"state": "pending", "requested_by": salesman.id}]
        )
        self.assertEqual(order.credit_approval_ids.activity_ids.user_id, controller)
