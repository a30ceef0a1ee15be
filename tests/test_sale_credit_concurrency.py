"""Confirmations racing for the same customer's credit, on a real multi-worker server.

Over JSON-RPC as a salesperson, every other way to confirm an order or grow a confirmed one passes
the same gate, and input no number field can hold is refused with a clear error. The server's log
ends with no traceback and no ERROR line.

Eight salespeople's orders of 300 against a limit of 1,000 are confirmed at the same
moment over JSON-RPC, for five customers at once: for each, the confirmed total never
passes the limit, and every refused order is left a quotation. Also over RPC: no context key, wizard call or
direct write lets a salesperson past the check.
"""

import concurrent.futures
import logging
import threading

import server

from odoo.tests import tagged

_logger = logging.getLogger(__name__)

ORDERS, AMOUNT, LIMIT, ROUNDS = 8, 300.0, 1000.0, 5
PASSWORD = "seller"
# Losers of a race sleep in their worker between retries: enough workers keep the others going.
WORKERS = 8

# Written before the server starts: one process instead of dozens of RPC round trips.
# Each customer (one per round, and one for the bypass attempts) gets one quotation from
# each salesperson.
SETUP_SCRIPT = f"""
from odoo import Command
groups = [env.ref("base.group_user").id, env.ref("sales_team.group_sale_salesman").id]
sellers = env["res.users"].create([
    {{"name": f"Seller {{i}}", "login": f"seller{{i}}", "groups_id": [Command.set(groups)]}}
    for i in range({ORDERS})
])
# One password for all, hashed once: each hash costs a third of a second here, by design.
env.cr.execute("UPDATE res_users SET password = %s WHERE id = ANY(%s)",
               [env["res.users"]._crypt_context().hash("{PASSWORD}"), sellers.ids])
product = env["product.product"].create({{"name": "Race widget", "list_price": {AMOUNT},
                                          "taxes_id": [Command.clear()]}})
block = env["credit.grade"].search([("code", "=", "E"), ("company_id", "=", env.company.id)])
for name in [f"Racing customer {{r}}" for r in range({ROUNDS})] + ["Bypassing customer"]:
    partner = env["res.partner"].create({{"name": name, "is_company": True}})
    partner.write({{"credit_grade_id": block.id, "credit_limit": {LIMIT}, "credit_limit_manual": True}})
    for seller in sellers:
        env["sale.order"].with_user(seller).create({{
            "partner_id": partner.id,
            "user_id": seller.id,
            "order_line": [Command.create({{"product_id": product.id, "product_uom_qty": 1,
                                            "price_unit": {AMOUNT}, "tax_id": [Command.clear()]}})],
        }})
"""


@tagged("post_install", "-at_install")
class TestCreditConcurrency(server.ServerCase):
    database_prefix = "credit_race"
    setup_script = SETUP_SCRIPT
    workers = WORKERS

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Logins verify the password hash, slow by design: in parallel, as the server has the workers.
        with concurrent.futures.ThreadPoolExecutor(ORDERS) as pool:
            cls.salespeople = list(
                pool.map(lambda i: server.JsonRpc(cls.url, cls.dbname, f"seller{i}", PASSWORD), range(ORDERS))
            )

    def customer_orders(self, name):
        """The customer and its quotations, one per salesperson, in salesperson order."""
        partner = self.admin("res.partner", "search", [("name", "=", name)])[0]
        rows = self.admin("sale.order", "search_read", [("partner_id", "=", partner)], ["user_id"])
        by_seller = {row["user_id"][0]: row["id"] for row in rows}
        return partner, [by_seller[rpc.uid] for rpc in self.salespeople]

    def race(self, partners):
        """Every salesperson confirms one order per customer, all at the same moment.

        ``partners``: [(partner id, [order ids in salesperson order])].

        Rounds (customers) run together: their locks are independent, so this is the
        same race five times over, and a harsher one for the server.
        """
        orders = dict(partners)
        partners = list(orders)
        calls = [
            (rpc, order)
            for partner in partners
            for rpc, order in zip(self.salespeople, orders[partner], strict=True)
        ]
        start = threading.Barrier(len(calls))
        outcome = {}

        def confirm(rpc, order):
            start.wait()
            try:
                rpc("sale.order", "action_confirm", [order])
                outcome[order] = "confirmed"
            except server.RpcError as error:
                outcome[order] = error

        threads = [threading.Thread(target=confirm, args=call) for call in calls]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=600)
        every_order = [order for partner in partners for order in orders[partner]]
        states = {row["id"]: row["state"] for row in self.admin("sale.order", "read", every_order, ["state"])}
        return orders, outcome, states

    def test_concurrent_confirmations_never_exceed_the_limit(self):
        partners = [self.customer_orders(f"Racing customer {round_no}") for round_no in range(ROUNDS)]
        orders, outcome, states = self.race(partners)
        partners = list(orders)
        confirmed_per_round = []
        for round_no, partner in enumerate(partners):
            confirmed = [o for o in orders[partner] if states[o] == "sale"]
            confirmed_per_round.append(len(confirmed))
            self.assertLessEqual(len(confirmed) * AMOUNT, LIMIT, f"round {round_no}: {outcome}")
            self.assertEqual(
                sorted(confirmed), sorted(o for o in orders[partner] if outcome[o] == "confirmed")
            )
            for order in set(orders[partner]) - set(confirmed):
                self.assertEqual(states[order], "draft", f"round {round_no}: refused order left changed")
                self.assertIn("blocked", outcome[order].message, "refused with the credit message")
            exposure = self.admin("res.partner", "read", [partner], ["credit_exposure"])[0]["credit_exposure"]
            self.assertLessEqual(exposure, LIMIT)
        _logger.info("confirmed per round (8 x %s against %s): %s", AMOUNT, LIMIT, confirmed_per_round)
        self.assertEqual(confirmed_per_round, [3] * ROUNDS, "exactly the three that fit each time")

    def test_rpc_offers_no_way_around_the_check(self):
        partner, orders = self.customer_orders("Bypassing customer")
        seller, order = self.salespeople[0], orders[0]
        self.admin(
            "sale.order.line",
            "write",
            self.admin("sale.order.line", "search", [("order_id", "=", order)]),
            {"product_uom_qty": 5},
        )
        attempts = {
            "context key": lambda: seller(
                "sale.order",
                "action_confirm",
                [order],
                context={"bypass_risk": True, "credit_management.checks": {}},
            ),
            "direct write": lambda: seller("sale.order", "write", [order], {"state": "sale"}),
            "override wizard": lambda: seller(
                "credit.override.wizard", "create", {"order_ids": [(6, 0, [order])], "reason": "me"}
            ),
            "forged approval": lambda: seller(
                "credit.approval.request",
                "create",
                {
                    "order_id": order,
                    "partner_id": partner,
                    "company_id": 1,
                    "currency_id": 1,
                    "amount": 1500,
                    "state": "approved",
                    "kind": "override",
                },
            ),
            "private method": lambda: seller("sale.order", "_action_confirm", [order]),
        }
        for name, attempt in attempts.items():
            with self.subTest(attempt=name), self.assertRaises(server.RpcError):
                attempt()
        state = self.admin("sale.order", "read", [order], ["state"])[0]["state"]
        self.assertEqual(state, "draft")

    # ------------------------------------------------------------------
    # The gate's other paths, as a salesperson would try them
    # ------------------------------------------------------------------
    def graded(self, name, code, limit):
        grade = self.admin("credit.grade", "search", [("code", "=", code), ("company_id", "=", 1)])[0]
        partner = self.admin("res.partner", "create", {"name": name, "is_company": True})
        self.admin(
            "res.partner",
            "write",
            [partner],
            {"credit_grade_id": grade, "credit_limit": limit, "credit_limit_manual": True},
        )
        return partner

    def quotation(self, seller, partner, amount):
        product = self.admin("product.product", "search", [("name", "=", "Race widget")])[0]
        return seller(
            "sale.order",
            "create",
            {
                "partner_id": partner,
                "order_line": [[0, 0, {"product_id": product, "price_unit": amount, "tax_id": [[5, 0, 0]]}]],
            },
        )

    def state_and_total(self, order):
        row = self.admin("sale.order", "read", [order], ["state", "amount_total"])[0]
        return row["state"], row["amount_total"]

    def assertRefused(self, call, why="Confirm is blocked"):
        with self.assertRaises(server.RpcError) as caught:
            call()
        self.assertIn("UserError", caught.exception.name)
        self.assertIn(why, caught.exception.message, "refused by the credit gate, not by something else")
        return caught.exception

    def test_rpc_every_path_passes_the_gate(self):
        seller = self.salespeople[1]
        # Odoo itself logs a quantity change of a confirmed line in the chatter, as the user: with an email
        self.admin("res.users", "write", [seller.uid], {"email": "seller1@example.com"})
        blocked = self.graded("RPC blocked customer", "E", 1000)
        order = self.quotation(seller, blocked, 500)
        line = self.admin("sale.order.line", "search", [("order_id", "=", order)])[0]
        # 1. confirmed together with a higher price, or another customer
        self.assertRefused(
            lambda: seller(
                "sale.order",
                "write",
                [order],
                {"state": "sale", "order_line": [[1, line, {"price_unit": 5000}]]},
            )
        )
        far_over = self.graded("RPC far over customer", "E", 10)
        self.assertRefused(
            lambda: seller("sale.order", "write", [order], {"state": "sale", "partner_id": far_over})
        )
        self.assertEqual(self.state_and_total(order), ("draft", 500))
        # the amounts Odoo computes, written directly
        big = self.quotation(seller, blocked, 5000)
        self.assertRefused(
            lambda: seller("sale.order", "write", [big], {"amount_total": 1.0}), "Odoo computes them"
        )
        self.assertRefused(
            lambda: seller("sale.order.line", "write", [line], {"qty_invoiced": 1.0}), "Odoo computes them"
        )
        self.assertRefused(lambda: seller("sale.order", "action_confirm", [big]))
        # 3. created or copied confirmed
        product = self.admin("product.product", "search", [("name", "=", "Race widget")])[0]
        self.assertRefused(
            lambda: seller(
                "sale.order",
                "create",
                {
                    "partner_id": blocked,
                    "state": "sale",
                    "order_line": [
                        [0, 0, {"product_id": product, "price_unit": 5000, "tax_id": [[5, 0, 0]]}]
                    ],
                },
            )
        )
        self.assertRefused(lambda: seller("sale.order", "copy", [big], {"state": "sale"}))
        # 2. back from cancelled
        seller("sale.order", "action_cancel", [big])
        self.assertRefused(lambda: seller("sale.order", "write", [big], {"state": "sale"}))
        self.assertEqual(self.state_and_total(big), ("cancel", 5000))
        # 4. a confirmed order grows only within credit
        seller("sale.order", "action_confirm", [order])
        growth = {
            "line price": lambda: seller("sale.order.line", "write", [line], {"price_unit": 1500}),
            "line quantity": lambda: seller("sale.order.line", "write", [line], {"product_uom_qty": 4}),
            "new line": lambda: seller(
                "sale.order.line",
                "create",
                {"order_id": order, "product_id": product, "price_unit": 900, "tax_id": [[5, 0, 0]]},
            ),
            "order's lines": lambda: seller(
                "sale.order",
                "write",
                [order],
                {"order_line": [[0, 0, {"product_id": product, "price_unit": 900}]]},
            ),
            "customer": lambda: seller("sale.order", "write", [order], {"partner_id": far_over}),
        }
        for name, call in growth.items():
            with self.subTest(growth=name):
                self.assertRefused(call, "takes more credit than the customer has")
                self.assertEqual(self.state_and_total(order), ("sale", 500))
        seller("sale.order.line", "write", [line], {"price_unit": 800})
        self.assertEqual(self.state_and_total(order), ("sale", 800), "within credit")
        seller("sale.order.line", "write", [line], {"price_unit": 100})
        self.assertEqual(self.state_and_total(order), ("sale", 100), "decreases pass")

    def test_rpc_approval_stays_with_its_customer(self):
        seller = self.salespeople[2]
        approved_for = self.graded("RPC approved X", "D", 1000)
        far_over = self.graded("RPC far over Y", "D", 100)
        order = self.quotation(seller, approved_for, 5000)
        seller("sale.order", "action_confirm", [order])
        request = self.admin("credit.approval.request", "search", [("order_id", "=", order)])
        self.admin("credit.approval.request", "action_approve", request)
        seller("sale.order", "write", [order], {"partner_id": far_over})
        self.assertRefused(
            lambda: seller("sale.order", "write", [order], {"state": "sale"}),
            "Confirm requests credit approval",
        )
        seller("sale.order", "action_confirm", [order])
        self.assertEqual(self.state_and_total(order), ("draft", 5000), "Y's order waits for its own approval")

    def test_rpc_salesperson_without_email_warns_and_requests(self):
        seller = self.salespeople[3]
        self.assertFalse(self.admin("res.users", "read", [seller.uid], ["email"])[0]["email"])
        warned = self.quotation(seller, self.graded("RPC warned customer", "C", 100), 500)
        seller("sale.order", "action_confirm", [warned])
        self.assertEqual(self.state_and_total(warned)[0], "sale")
        waiting = self.quotation(seller, self.graded("RPC approval customer", "D", 100), 500)
        seller("sale.order", "action_confirm", [waiting])
        self.assertEqual(
            self.admin(
                "credit.approval.request",
                "search_count",
                [("order_id", "=", waiting), ("state", "=", "pending")],
            ),
            1,
        )

    def test_rpc_numbers_that_are_not_numbers(self):
        partner = self.graded("RPC numbers customer", "B", 1000)
        policy = self.admin("credit.policy", "search", [("company_id", "=", 1)])
        for value in ("abc", float("nan"), float("inf"), [1]):
            with self.subTest(value=value):
                for model, ids, field in (
                    ("res.partner", [partner], "credit_limit"),
                    ("credit.policy", policy, "promote_percent"),
                ):
                    with self.assertRaises(server.RpcError) as caught:
                        self.admin(model, "write", ids, {field: value})
                    self.assertIn("ValidationError", caught.exception.name)
        self.assertEqual(
            self.admin("res.partner", "read", [partner], ["credit_limit"])[0]["credit_limit"], 1000
        )
