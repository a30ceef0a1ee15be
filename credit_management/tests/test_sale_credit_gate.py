import contextlib

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import CreditCommon


@tagged("post_install", "-at_install")
class TestSaleCreditGate(CreditCommon):
    """Every way an order becomes confirmed, or grows once confirmed, passes one gate, on the order as
    the change leaves it. Grades: B allows, C warns, D asks for approval, E blocks."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.review = cls.env.ref("credit_management.mail_activity_type_credit_review")

    def as_seller(self, records):
        return records.with_user(self.salesman)

    @contextlib.contextmanager
    def assertCreditRefused(self):
        """Refused by the credit gate (its message says what Confirm does), not by anything else."""
        with self.assertRaises(UserError) as caught:
            yield
        self.assertRegex(
            str(caught.exception),
            r"Confirm (is blocked|requests credit approval)|takes more credit than the customer has",
        )

    def confirmed(self, partner, amount):
        order = self.order(partner, amount)
        self.as_seller(order).action_confirm()
        self.assertEqual(order.state, "sale")
        return order

    # ------------------------------------------------------------------
    # Confirmations by write, create, copy, from cancel
    # ------------------------------------------------------------------
    def test_confirming_write_is_checked_on_the_values_it_writes(self):
        partner = self.graded_customer("Gate Written", "E", 1000)
        order = self.as_seller(self.order(partner, 500))
        line = order.order_line
        with self.assertCreditRefused():
            order.write({"state": "sale", "order_line": [Command.update(line.id, {"price_unit": 5000})]})
        self.assertEqual((order.state, line.price_unit), ("draft", 500))

        other = self.graded_customer("Gate Other Customer", "E", 100)
        with self.assertCreditRefused():
            order.write({"state": "sale", "partner_id": other.id})
        self.assertEqual((order.state, order.partner_id), ("draft", partner))

        order.write({"state": "sale", "order_line": [Command.update(line.id, {"price_unit": 900})]})
        self.assertEqual(order.state, "sale", "within credit as written")

    def test_cancelled_order_written_back_to_sale_is_checked(self):
        partner = self.graded_customer("Gate Cancelled", "E", 1000)
        order = self.as_seller(self.order(partner, 5000))
        order.action_cancel()
        with self.assertCreditRefused():
            order.write({"state": "sale"})
        self.assertEqual(order.state, "cancel")

    def test_created_or_copied_confirmed_is_checked(self):
        partner = self.graded_customer("Gate Created", "E", 1000)
        values = {
            "partner_id": partner.id,
            "state": "sale",
            "order_line": [
                Command.create(
                    {"product_id": self.product.id, "price_unit": 5000, "tax_id": [Command.clear()]}
                )
            ],
        }
        orders = self.env["sale.order"].with_user(self.salesman)
        with self.assertCreditRefused():
            orders.create(values)
        self.assertFalse(orders.search([("partner_id", "=", partner.id)]))

        quotation = self.as_seller(self.order(partner, 5000))
        with self.assertCreditRefused():
            quotation.copy(default={"state": "sale"})
        self.assertEqual(orders.search_count([("partner_id", "=", partner.id)]), 1)

        within = orders.create(
            {
                **values,
                "order_line": [
                    Command.create(
                        {"product_id": self.product.id, "price_unit": 400, "tax_id": [Command.clear()]}
                    )
                ],
            }
        )
        self.assertEqual((within.state, within.amount_total), ("sale", 400))
        self.assertEqual(partner.credit_exposure, 400)

    # ------------------------------------------------------------------
    # A confirmed order that grows
    # ------------------------------------------------------------------
    def test_growth_within_credit_passes_beyond_is_refused(self):
        partner = self.graded_customer("Gate Growth", "E", 1000)
        order = self.as_seller(self.confirmed(partner, 600))
        line = order.order_line
        line.with_user(self.salesman).price_unit = 900
        self.assertEqual(order.amount_total, 900, "within credit")

        changes = {
            "line price": lambda: line.with_user(self.salesman).write({"price_unit": 1500}),
            "line quantity": lambda: line.with_user(self.salesman).write({"product_uom_qty": 3}),
            "order's line": lambda: order.write(
                {"order_line": [Command.update(line.id, {"price_unit": 1500})]}
            ),
            "new line": lambda: self.env["sale.order.line"]
            .with_user(self.salesman)
            .create(
                {
                    "order_id": order.id,
                    "product_id": self.product.id,
                    "price_unit": 500,
                    "tax_id": [Command.clear()],
                }
            ),
            "order's new line": lambda: order.write(
                {
                    "order_line": [
                        Command.create(
                            {"product_id": self.product.id, "price_unit": 500, "tax_id": [Command.clear()]}
                        )
                    ]
                }
            ),
        }
        for name, change in changes.items():
            with self.subTest(change=name), self.assertCreditRefused():
                change()
            self.assertEqual((order.amount_total, len(order.order_line)), (900, 1))

        line.with_user(self.salesman).price_unit = 100
        self.assertEqual(order.amount_total, 100, "decreases always pass")

    def test_decrease_passes_even_on_hold(self):
        partner = self.graded_customer("Gate Hold", "B", 1000)
        order = self.as_seller(self.confirmed(partner, 600))
        partner.write({"credit_hold": True, "credit_hold_reason": "Collections"})
        with self.assertCreditRefused():
            order.order_line.write({"price_unit": 700})
        order.order_line.write({"price_unit": 500})
        self.assertEqual(order.amount_total, 500)

    def test_moving_a_confirmed_order_to_another_customer_is_checked(self):
        partner = self.graded_customer("Gate From", "B", 10000)
        other = self.graded_customer("Gate To", "E", 100)
        order = self.as_seller(self.confirmed(partner, 600))
        with self.assertCreditRefused():
            order.write({"partner_id": other.id})
        self.assertEqual(order.partner_id, partner)

    def test_moving_a_confirmed_order_to_another_currency_is_checked(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        self.env["res.currency.rate"].create(
            {"name": self.today, "rate": 0.5, "currency_id": eur.id, "company_id": self.company.id}
        )
        partner = self.graded_customer("Gate Currency", "E", 1000)
        order = self.as_seller(self.confirmed(partner, 600))
        with self.assertRaises(UserError):
            order.write({"currency_id": eur.id})  # the same 600, now euros: 1,200 of credit
        self.assertEqual(order.currency_id, self.currency)
        # even where only the system may write it, the gate sees the new currency
        with self.assertCreditRefused():
            order.sudo().write({"currency_id": eur.id})

    def test_computed_amounts_cannot_be_written(self):
        partner = self.graded_customer("Gate Computed", "E", 1000)
        quotation = self.as_seller(self.order(partner, 5000))
        confirmed = self.as_seller(self.confirmed(self.graded_customer("Gate Computed 2", "E", 10000), 5000))
        attempts = {
            "order total": lambda: quotation.write({"amount_total": 1.0, "amount_untaxed": 1.0}),
            "invoice status": lambda: confirmed.write({"invoice_status": "invoiced"}),
            "line total": lambda: quotation.order_line.write({"price_total": 1.0}),
            "invoiced quantity": lambda: confirmed.order_line.write({"qty_invoiced": 1.0}),
            "created with a total": lambda: self.env["sale.order"]
            .with_user(self.salesman)
            .create({"partner_id": partner.id, "amount_total": 1.0}),
        }
        for name, attempt in attempts.items():
            with self.subTest(attempt=name), self.assertRaises(UserError) as caught:
                attempt()
            self.assertIn("Odoo computes them from the order lines", str(caught.exception))
        self.assertEqual(quotation.amount_total, 5000)
        self.assertEqual(confirmed.invoice_status, "to invoice")
        with self.assertCreditRefused():
            quotation.action_confirm()

    def test_growth_by_grade_action(self):
        warned = self.graded_customer("Gate Warned Growth", "C", 1000)
        order = self.as_seller(self.confirmed(warned, 600))
        order.order_line.with_user(self.salesman).price_unit = 1500
        self.assertEqual(order.amount_total, 1500, "warn lets the growth through")
        self.assertIn("credit warning", order.message_ids[0].body)
        self.assertTrue(order.activity_ids.filtered(lambda a: a.activity_type_id == self.review))

        needs_ok = self.graded_customer("Gate Approval Growth", "D", 1000)
        order = self.as_seller(self.confirmed(needs_ok, 600))
        with self.assertRaises(UserError) as caught:
            order.order_line.with_user(self.salesman).price_unit = 1500
        self.assertIn(
            "it needs a credit approval of the new total. Ask Carla Controller", str(caught.exception)
        )
        self.assertEqual(order.amount_total, 600, "approval grade: the growth needs an approval")

    def test_asking_approval_for_a_larger_total_before_the_change(self):
        partner = self.graded_customer("Gate Asked Growth", "D", 1000)
        order = self.as_seller(self.confirmed(partner, 600))
        ask = self.env["credit.growth.wizard"].with_user(self.salesman)
        for new_total in (600, 500):
            with self.assertRaisesRegex(UserError, "New Total must be above"):
                ask.create({"order_id": order.id, "new_total": new_total}).action_request()
        for garbage in (float("nan"), float("inf"), "abc"):
            with self.assertRaisesRegex(ValidationError, "New Total must be a"):
                ask.create({"order_id": order.id, "new_total": garbage})
        with self.assertRaisesRegex(UserError, "needs no approval"):
            ask.create({"order_id": order.id, "new_total": 900}).action_request()
        ask.create({"order_id": order.id, "new_total": 1500}).action_request()
        request = order.credit_approval_ids
        self.assertRecordValues(
            request,
            [{"state": "pending", "growth": True, "amount": 1500, "kind": "approval", "shortfall": 500}],
        )
        self.assertTrue(request.activity_ids, "the controller is asked")
        with self.assertRaises(UserError, msg="pending: the change still waits"):
            order.order_line.with_user(self.salesman).price_unit = 1500
        request.with_user(self.controller).action_approve()
        self.assertIn("you can raise the order to", order.message_ids[0].body)
        order.order_line.with_user(self.salesman).price_unit = 1500
        self.assertEqual(order.amount_total, 1500, "approved up to 1,500")
        with self.assertCreditRefused():
            order.order_line.with_user(self.salesman).price_unit = 1600
        # a quotation asks at Confirm; a blocked grade's larger total is a manager's decision
        with self.assertRaisesRegex(UserError, "not a confirmed order"):
            ask.create({"order_id": self.order(partner, 10).id, "new_total": 20}).action_request()
        blocked = self.as_seller(self.confirmed(self.graded_customer("Gate Blocked Growth", "E", 1000), 600))
        ask.create({"order_id": blocked.id, "new_total": 5000}).action_request()
        self.assertEqual(blocked.credit_approval_ids.kind, "override")
        with self.assertRaises(AccessError):
            blocked.credit_approval_ids.with_user(self.controller).action_approve()

    # ------------------------------------------------------------------
    # Approvals hold for their order as it was approved
    # ------------------------------------------------------------------
    def test_approval_does_not_follow_the_order_to_another_customer(self):
        approved_for = self.graded_customer("Gate Approved X", "D", 1000)
        other = self.graded_customer("Gate Far Over Y", "D", 100)
        order = self.as_seller(self.order(approved_for, 5000))
        order.action_confirm()
        request = order.credit_approval_ids
        request.with_user(self.controller).action_approve()
        order.write({"partner_id": other.id})
        self.assertEqual(order.credit_check_action, "approval")
        order.action_confirm()
        self.assertEqual(order.state, "draft", "Y's order needs its own approval")
        with self.assertCreditRefused():
            order.write({"state": "sale"})
        order.write({"partner_id": approved_for.id})
        order.action_confirm()
        self.assertEqual(order.state, "sale", "back on X, X's approval holds")

    # ------------------------------------------------------------------
    # Notes never depend on the acting user's email
    # ------------------------------------------------------------------
    def test_salesperson_without_email_can_warn_and_request(self):
        seller = new_test_user(
            self.env,
            login="credit_no_email",
            name="Nora No-Email",
            email=False,
            groups="base.group_user,sales_team.group_sale_salesman",
        )
        self.assertFalse(seller.email)
        warned = self.graded_customer("Gate No Email Warn", "C", 100)
        order = self.order(warned, 500, user=seller)
        order.with_user(seller).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertIn("credit warning", order.message_ids[0].body)

        needs_ok = self.graded_customer("Gate No Email Approval", "D", 100)
        order = self.order(needs_ok, 500, user=seller)
        order.with_user(seller).action_confirm()
        self.assertEqual(order.credit_approval_ids.requested_by, seller)
        self.assertIn("Waiting for credit approval", order.message_ids[0].body)
