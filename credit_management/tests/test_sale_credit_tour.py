from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged

QUOTATION_URL = "/odoo/action-sale.action_quotations_with_onboarding/{}"


def quotation_over_limit(env, grade_code, login, name):
    """A quotation of 1,500 by a new salesperson (``login``, ``name``) for a customer of ``grade_code``
    with a limit of 1,000; the policy's controller is "Carl Control". Returns (salesperson, controller,
    quotation)."""
    salesman = new_test_user(
        env, login=login, name=name, groups="base.group_user,sales_team.group_sale_salesman"
    )
    controller = new_test_user(
        env,
        login=f"{login}_controller",
        name="Carl Control",
        groups="base.group_user,credit_management.group_credit_controller",
    )
    env["credit.policy"]._for_company(env.company).controller_user_id = controller
    grade = env["credit.grade"].search([("company_id", "=", env.company.id), ("code", "=", grade_code)])
    partner = env["res.partner"].create({"name": f"{name}'s Customer", "is_company": True})
    partner.write({"credit_grade_id": grade.id, "credit_limit": 1000, "credit_limit_manual": True})
    product = env["product.product"].create({"name": "Tour widget", "taxes_id": [Command.clear()]})
    order = env["sale.order"].create(
        {
            "partner_id": partner.id,
            "user_id": salesman.id,
            "order_line": [
                Command.create({"product_id": product.id, "price_unit": 1500, "tax_id": [Command.clear()]})
            ],
        }
    )
    return salesman, controller, order


@tagged("post_install", "-at_install")
class TestCreditApprovalTour(HttpCase):
    """In a real browser: over the limit, the salesperson sees why and gets the approval flow."""

    def test_salesperson_gets_the_approval_flow(self):
        salesman, controller, order = quotation_over_limit(self.env, "D", "tour_salesman", "Tess Tour")
        self.start_tour(
            QUOTATION_URL.format(order.id), "credit_management_approval_tour", login="tour_salesman"
        )
        self.assertEqual(order.state, "draft")
        self.assertRecordValues(
            order.credit_approval_ids, [{"state": "pending", "requested_by": salesman.id}]
        )
        self.assertEqual(order.credit_approval_ids.activity_ids.user_id, controller)


@tagged("post_install", "-at_install")
class TestCreditBlockReviewTour(HttpCase):
    """In a real browser: a blocked salesperson asks the controller for a review from the block dialog."""

    def test_salesperson_asks_for_a_review_from_the_block(self):
        _salesman, controller, order = quotation_over_limit(
            self.env, "E", "tour_blocked_salesman", "Bo Blocked"
        )
        self.start_tour(
            QUOTATION_URL.format(order.id),
            "credit_management_block_review_tour",
            login="tour_blocked_salesman",
        )
        self.assertEqual(order.state, "draft")
        review = self.env.ref("credit_management.mail_activity_type_credit_review")
        asked = order.activity_ids.filtered(lambda activity: activity.activity_type_id == review)
        self.assertEqual(asked.user_id, controller)


def overdue_invoice(env, partner, amount, days_overdue):
    """A posted invoice of ``amount`` due ``days_overdue`` days ago, dated 30 days before that."""
    today = fields.Date.context_today(partner)
    invoice = env["account.move"].create(
        {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": today - timedelta(days=days_overdue + 30),
            "invoice_date_due": today - timedelta(days=days_overdue),
            "invoice_payment_term_id": False,
            "invoice_line_ids": [Command.create({"name": "Service", "price_unit": amount, "tax_ids": []})],
        }
    )
    invoice.action_post()
    return invoice


@tagged("post_install", "-at_install")
class TestCreditCollectionsTour(HttpCase):
    """In a real browser: a collector works the first customer of the worklist."""

    def test_collector_works_the_first_customer(self):
        collector = new_test_user(
            self.env,
            login="tour_collector",
            name="Colin Collector",
            groups="base.group_user,sales_team.group_sale_salesman,credit_management.group_credit_controller",
        )
        self.env["credit.policy"]._for_company(self.env.company).controller_user_id = collector
        for name, amount in (("Tour Small Debtor", 500.0), ("Tour Big Debtor", 4000.0)):
            partner = self.env["res.partner"].create(
                {"name": name, "is_company": True, "email": "ap@example.com"}
            )
            overdue_invoice(self.env, partner, amount, 10)
        # what the queue's cron does within minutes of the posting: the customers reach the worklist
        self.env["credit.scoring.engine"]._rescore_queue()
        self.start_tour(
            "/odoo/action-credit_management.action_credit_collection_worklist",
            "credit_management_collections_tour",
            login="tour_collector",
        )
        big = self.env["res.partner"].search([("name", "=", "Tour Big Debtor")])
        self.assertRecordValues(
            self.env["credit.collection.event"].search([("partner_id", "=", big.id)], order="id"),
            [
                {"channel": "call", "user_id": collector.id, "amount": 0.0},
                {"channel": "promise", "user_id": collector.id, "amount": 4000.0},
            ],
        )
        events = self.env["credit.collection.event"]
        call = events.search([("partner_id", "=", big.id), ("channel", "=", "call")])
        self.assertEqual(call.note, "Will pay the invoice on Friday")
        promise = self.env["credit.payment.promise"].search([("partner_id", "=", big.id)])
        self.assertRecordValues(promise, [{"state": "open", "amount": 4000.0, "user_id": collector.id}])


@tagged("post_install", "-at_install")
class TestCreditDashboardTour(HttpCase):
    """In a real browser: the controller's dashboard, its tiles and its lists."""

    def test_controller_opens_the_dashboard(self):
        new_test_user(
            self.env,
            login="tour_dashboard",
            name="Dana Dashboard",
            groups="base.group_user,sales_team.group_sale_salesman,credit_management.group_credit_controller",
        )
        partner = self.env["res.partner"].create({"name": "Tour Held Customer", "is_company": True})
        overdue_invoice(self.env, partner, 900.0, 30)
        partner.write({"credit_hold": True, "credit_hold_reason": "Tour: overdue"})
        self.start_tour("/odoo/credit-dashboard", "credit_management_dashboard_tour", login="tour_dashboard")
