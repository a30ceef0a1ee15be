"""Confirmations racing for the same customer's credit, on a real multi-worker server.

Eight salespeople's orders of 300 against a limit of 1,000 are confirmed at the same
moment over JSON-RPC, for five customers at once: for each, the confirmed total never
passes the limit, and every refused order is left a quotation. Also over RPC: no context key, wizard call or
direct write lets a salesperson past the check.
"""

import concurrent.futures
import logging
import os
import threading

from odoo.tests import TransactionCase, tagged

from . import server

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


def prepare_database():
    """A copy of the installed database with the salespeople, customers and quotations."""
    dbname = server.create_database("credit_race")
    prepared = server.odoo_shell(dbname, SETUP_SCRIPT)
    if prepared.returncode:
        server.drop_database(dbname)
        raise RuntimeError(prepared.stderr[-3000:])
    return dbname


@tagged("post_install", "-at_install")
class TestCreditConcurrency(TransactionCase):
    @classmethod
    def start_background(cls):
        server.start("race database", prepare_database)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        missing = server.missing_environment()
        assert not missing, f"{missing} are set by `make test`; run the suite through it"
        cls.dbname = server.start("race database", prepare_database).result()
        cls.addClassCleanup(server.drop_database, cls.dbname)
        cls.log = log = os.path.join(os.path.dirname(os.environ["CREDIT_ODOO_CONF"]), "race-server.log")
        cls.url = cls.enterClassContext(server.odoo_server(cls.dbname, workers=WORKERS, log_path=log))
        cls.admin = server.JsonRpc(cls.url, cls.dbname, "admin", "admin")
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
        with open(self.log) as log:
            self.assertNotIn("Traceback", log.read(), f"no process of the server crashed (see {self.log})")

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
