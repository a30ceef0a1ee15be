"""Confirmations racing for the same customer's credit, on a real multi-worker server.

Eight salespeople's orders of 300 against a limit of 1,000 are confirmed at the same
moment over JSON-RPC, five rounds: the confirmed total never passes the limit, and
every refused order is left a quotation. Also over RPC: no context key, wizard call or
direct write lets a salesperson past the check.
"""

import logging
import os
import threading

from odoo.tests import TransactionCase, tagged

from . import server

_logger = logging.getLogger(__name__)

ORDERS, AMOUNT, LIMIT, ROUNDS = 8, 300.0, 1000.0, 5

# Written before the server starts: one process instead of a dozen RPC round trips.
SETUP_SCRIPT = f"""
from odoo import Command
groups = [env.ref("base.group_user").id, env.ref("sales_team.group_sale_salesman").id]
for i in range({ORDERS}):
    env["res.users"].create({{"name": f"Seller {{i}}", "login": f"seller{{i}}", "password": f"seller{{i}}",
                              "groups_id": [Command.set(groups)]}})
env["product.product"].create({{"name": "Race widget", "list_price": {AMOUNT},
                               "taxes_id": [Command.clear()]}})
"""


@tagged("post_install", "-at_install")
class TestCreditConcurrency(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        missing = server.missing_environment()
        assert not missing, f"{missing} are set by `make test`; run the suite through it"
        cls.dbname = cls.enterClassContext(server.throwaway_database("credit_race"))
        prepared = server.odoo_shell(cls.dbname, SETUP_SCRIPT)
        assert prepared.returncode == 0, prepared.stderr[-3000:]
        log = os.path.join(os.path.dirname(os.environ["CREDIT_ODOO_CONF"]), "race-server.log")
        cls.url = cls.enterClassContext(server.odoo_server(cls.dbname, workers=4, log_path=log))
        cls.admin = server.JsonRpc(cls.url, cls.dbname, "admin", "admin")
        cls.salespeople = [
            server.JsonRpc(cls.url, cls.dbname, f"seller{i}", f"seller{i}") for i in range(ORDERS)
        ]
        cls.product = cls.admin("product.product", "search", [("name", "=", "Race widget")])[0]
        cls.block_grade = cls.admin("credit.grade", "search", [("code", "=", "E"), ("company_id", "=", 1)])[0]

    def new_customer(self, name):
        partner = self.admin("res.partner", "create", {"name": name, "is_company": True})
        self.admin(
            "res.partner",
            "write",
            [partner],
            {"credit_grade_id": self.block_grade, "credit_limit": LIMIT, "credit_limit_manual": True},
        )
        return partner

    def new_order(self, rpc, partner):
        return rpc(
            "sale.order",
            "create",
            {
                "partner_id": partner,
                "order_line": [
                    (
                        0,
                        0,
                        {
                            "product_id": self.product,
                            "product_uom_qty": 1,
                            "price_unit": AMOUNT,
                            "tax_id": [(5, 0, 0)],
                        },
                    )
                ],
            },
        )

    def race(self, partner):
        orders = [self.new_order(rpc, partner) for rpc in self.salespeople]
        start = threading.Barrier(ORDERS)
        outcome = {}

        def confirm(rpc, order):
            start.wait()
            try:
                rpc("sale.order", "action_confirm", [order])
                outcome[order] = "confirmed"
            except server.RpcError as error:
                outcome[order] = error

        threads = [
            threading.Thread(target=confirm, args=pair) for pair in zip(self.salespeople, orders, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        states = {row["id"]: row["state"] for row in self.admin("sale.order", "read", orders, ["state"])}
        return orders, outcome, states

    def test_concurrent_confirmations_never_exceed_the_limit(self):
        confirmed_per_round = []
        for round_no in range(ROUNDS):
            partner = self.new_customer(f"Racing customer {round_no}")
            orders, outcome, states = self.race(partner)
            confirmed = [o for o in orders if states[o] == "sale"]
            confirmed_per_round.append(len(confirmed))
            self.assertLessEqual(len(confirmed) * AMOUNT, LIMIT, f"round {round_no}: {outcome}")
            self.assertEqual(sorted(confirmed), sorted(o for o, r in outcome.items() if r == "confirmed"))
            for order in set(orders) - set(confirmed):
                self.assertEqual(states[order], "draft", f"round {round_no}: refused order left changed")
                self.assertIn("blocked", outcome[order].message, "refused with the credit message")
            exposure = self.admin("res.partner", "read", [partner], ["credit_exposure"])[0]["credit_exposure"]
            self.assertLessEqual(exposure, LIMIT)
        _logger.info("confirmed per round (8 x %s against %s): %s", AMOUNT, LIMIT, confirmed_per_round)
        self.assertEqual(confirmed_per_round, [3] * ROUNDS, "exactly the three that fit each time")

    def test_rpc_offers_no_way_around_the_check(self):
        partner = self.new_customer("Bypassing customer")
        seller = self.salespeople[0]
        order = self.new_order(seller, partner)
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
