"""The customer's side of the gate, over real HTTP: signing on the portal and paying online.

Grades: A allows, D asks for approval, E blocks; C is made a prepayment grade here.
"""

import json

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

# A 1x1 PNG: the portal stores the signature as an image.
SIGNATURE = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
INTERNAL_WORDS = ("exposure", "limit", "shortfall", "overdue", "Traceback", "credit")


@tagged("post_install", "-at_install")
class TestSaleCreditPortal(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.grades = {
            g.code: g for g in cls.env["credit.grade"].search([("company_id", "=", cls.company.id)])
        }
        groups = "base.group_user,sales_team.group_sale_salesman"
        cls.salesman = new_test_user(cls.env, login="portal_seller", name="Sam Seller", groups=groups)
        cls.controller = new_test_user(
            cls.env,
            login="portal_controller",
            name="Carla Controller",
            groups=f"{groups},credit_management.group_credit_controller",
        )
        cls.manager = new_test_user(
            cls.env,
            login="portal_manager",
            name="Mia Manager",
            groups=f"{groups},credit_management.group_credit_manager",
        )
        cls.env["credit.policy"]._for_company(cls.company).controller_user_id = cls.controller
        cls.product = cls.env["product.product"].create(
            {"name": "Portal widget", "list_price": 100.0, "taxes_id": [Command.clear()]}
        )
        cls.portal_user = new_test_user(
            cls.env, login="portal_customer", name="Paula Portal", groups="base.group_portal"
        )
        cls.provider = cls.env.ref("payment.payment_provider_demo")
        cls.provider.write({"state": "test"})

    def customer(self, grade_code, limit):
        """The portal user's company, in the given grade with a manual limit."""
        company = self.env["res.partner"].create({"name": f"Portal Co {grade_code}", "is_company": True})
        company.write(
            {
                "credit_grade_id": self.grades[grade_code].id,
                "credit_limit": limit,
                "credit_limit_manual": True,
            }
        )
        self.portal_user.partner_id.parent_id = company
        return company

    def quotation(self, amount, **values):
        return self.env["sale.order"].create(
            {
                "partner_id": self.portal_user.partner_id.id,
                "user_id": self.salesman.id,
                "require_signature": True,
                "require_payment": False,
                "order_line": [
                    Command.create(
                        {"product_id": self.product.id, "price_unit": amount, "tax_id": [Command.clear()]}
                    )
                ],
                **values,
            }
        )

    def sign(self, order):
        """The customer signs on the portal: the JSON request the portal's signature form sends."""
        self.authenticate("portal_customer", "portal_customer")
        response = self.url_open(
            f"/my/orders/{order.id}/accept?access_token={order._portal_ensure_token()}",
            data=json.dumps(
                {"jsonrpc": "2.0", "method": "call", "params": {"name": "Paula", "signature": SIGNATURE}}
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        order.invalidate_recordset()
        return response

    def pay(self, order, amount):
        """The customer pays online with the demo provider, then Odoo post-processes the payment."""
        tx = (
            self.env["payment.transaction"]
            .sudo()
            .create(
                {
                    "provider_id": self.provider.id,
                    "payment_method_id": self.provider.with_context(active_test=False)
                    .payment_method_ids[:1]
                    .id,
                    "amount": amount,
                    "currency_id": order.currency_id.id,
                    "partner_id": order.partner_id.id,
                    "reference": f"{order.name}-{amount}",
                    "operation": "online_direct",
                    "sale_order_ids": [Command.set(order.ids)],
                }
            )
        )
        response = self.url_open(
            "/payment/demo/simulate_payment",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {
                        "reference": tx.reference,
                        "payment_details": "4242",
                        "simulated_state": "done",
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertNotIn("error", response.json())
        tx.invalidate_recordset()
        self.assertEqual(tx.state, "done")
        tx._post_process()
        order.invalidate_recordset()
        return tx

    def notes(self, order):
        return " ".join(order.message_ids.mapped(lambda m: str(m.body or "")))

    def assertNothingInternal(self, text):
        for word in INTERNAL_WORDS:
            self.assertNotIn(word, text.lower() if word.islower() else text)

    # ------------------------------------------------------------------
    # Portal signature
    # ------------------------------------------------------------------
    def test_signing_over_the_limit_waits_for_a_decision(self):
        self.customer("E", 1000)
        order = self.quotation(5000)
        response = self.sign(order)
        reply = response.json()
        self.assertNotIn("error", reply)
        self.assertNothingInternal(response.text)
        self.assertIn(order.state, ("draft", "sent"), "left unconfirmed")
        self.assertTrue(order.signature, "the signature is kept")
        request = order.sudo().credit_approval_ids
        self.assertRecordValues(
            request,
            [{"state": "pending", "kind": "override", "requested_by": self.salesman.id, "amount": 5000}],
        )
        self.assertIn(self.manager, request.activity_ids.user_id, "a manager decides past a block")
        self.assertIn("Accepted by the customer online", self.notes(order))

        page = self.url_open(reply["result"]["redirect_url"])
        self.assertIn("We are reviewing it", page.text)
        self.assertNothingInternal(page.text.split("We are reviewing it")[0][-400:])

        with self.assertRaises(AccessError):
            request.with_user(self.controller).action_approve()
        request.with_user(self.manager).action_approve()
        self.assertEqual(order.state, "sale", "approved: the order the customer signed confirms by itself")
        self.assertIn(
            "is confirmed", order.message_ids.filtered(lambda m: "Credit approved" in (m.body or ""))[0].body
        )

    def test_signing_in_an_approval_grade_asks_on_behalf_of_the_salesperson(self):
        self.customer("D", 1000)
        order = self.quotation(3000)
        self.assertNotIn("error", self.sign(order).json())
        request = order.sudo().credit_approval_ids
        self.assertRecordValues(
            request, [{"state": "pending", "kind": "approval", "requested_by": self.salesman.id}]
        )
        self.assertEqual(request.activity_ids.user_id, self.controller)
        request.with_user(self.controller).action_approve()
        self.assertEqual(order.state, "sale")

        refused = self.quotation(4000)
        self.sign(refused)
        request = refused.sudo().credit_approval_ids
        self.env["credit.approval.reject.wizard"].with_user(self.controller).create(
            {"request_ids": request.ids, "reason": "Too much for now"}
        ).action_reject()
        self.assertIn(refused.state, ("draft", "sent"))
        todo = refused.activity_ids.filtered(lambda a: a.user_id == self.salesman)
        self.assertIn("Too much for now", todo.note, "the salesperson is told and decides what to tell")

    def test_signing_within_credit_confirms(self):
        self.customer("A", 100000)
        order = self.quotation(500)
        self.assertNotIn("error", self.sign(order).json())
        self.assertEqual(order.state, "sale")

    # ------------------------------------------------------------------
    # Online payment
    # ------------------------------------------------------------------
    def test_paid_in_full_online_confirms_whatever_the_credit(self):
        customer = self.customer("E", 100)
        customer.write({"credit_hold": True, "credit_hold_reason": "Collections"})
        order = self.quotation(800, require_signature=False, require_payment=True, prepayment_percent=1.0)
        tx = self.pay(order, 800)
        self.assertEqual(order.state, "sale")
        self.assertTrue(tx.payment_id, "the payment is posted")

    def test_partial_payment_of_a_blocked_order_never_fails_the_payment(self):
        self.customer("E", 100)
        order = self.quotation(800, require_signature=False, require_payment=True, prepayment_percent=0.25)
        tx = self.pay(order, 200)
        self.assertEqual(order.state, "draft", "credit still refuses the 600 left")
        self.assertTrue(tx.payment_id, "the money is booked all the same")
        self.assertEqual(
            order.with_user(self.salesman).credit_exposure, 600, "the booked payment is counted once"
        )
        self.assertTrue(tx.is_post_processed)
        self.assertIn("paid online", self.notes(order))
        todo = order.activity_ids.filtered(lambda a: a.user_id == self.salesman)
        self.assertIn("credit review", todo.summary)

    def test_prepayment_grade_asks_for_payment_and_confirms_when_paid(self):
        self.grades["C"].write({"order_action": "prepayment", "prepayment_percent": 0.4})
        self.customer("C", 100)
        order = self.quotation(500, require_signature=False)
        self.assertIn("pay 40%", order.with_user(self.salesman).credit_check_message)
        result = order.with_user(self.salesman).action_confirm()
        self.assertEqual(result["params"]["title"], "Prepayment requested")
        self.assertRecordValues(
            order, [{"state": "draft", "require_payment": True, "prepayment_percent": 0.4}]
        )
        with self.assertRaises(UserError):
            order.with_user(self.salesman).write({"state": "sale"})
        self.pay(order, 200)
        self.assertEqual(order.state, "sale", "the prepayment arrived: the order confirms")
