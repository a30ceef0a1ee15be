"""The addon's concurrency scenario, played against OCA's sale_financial_risk alone.

    .venv/bin/python bench/bench_race_oca.py -c .odoo/odoo.conf [--rounds 5] [--keep]

As tests/test_sale_credit_concurrency.py: 8 salespeople confirm 8 orders of 300 against
a credit limit of 1,000 at the same moment, over JSON-RPC, on a multi-worker server. Here the database
(bench_race_oca) has OCA's account_financial_risk + sale_financial_risk (18.0, PyPI wheels) and not
credit_management; each customer's OCA risk includes sale orders, so at most three orders fit. One
customer per round; prints how many orders OCA let through each round. Nothing is asserted.
"""

import argparse
import importlib.util
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benchenv

ROOT = benchenv.ROOT
ORDERS, AMOUNT, LIMIT, WORKERS = 8, 300.0, 1000.0, 8

SETUP_SCRIPT = """
from odoo import Command
groups = [env.ref("base.group_user").id, env.ref("sales_team.group_sale_salesman").id]
sellers = env["res.users"].create([
    {{"name": f"Seller {{i}}", "login": f"seller{{i}}", "password": f"seller{{i}}",
      "groups_id": [Command.set(groups)]}}
    for i in range({orders})
])
product = env["product.product"].create({{"name": "Race widget", "list_price": {amount},
                                          "taxes_id": [Command.clear()]}})
for name in [f"Racing customer {{r}}" for r in range({rounds})] + ["Sequential customer"]:
    partner = env["res.partner"].create({{
        "name": name, "is_company": True, "credit_limit": {limit},
        "risk_sale_order_include": True, "risk_invoice_draft_include": True,
        "risk_invoice_open_include": True, "risk_invoice_unpaid_include": True,
    }})
    for seller in sellers:
        env["sale.order"].with_user(seller).create({{
            "partner_id": partner.id,
            "user_id": seller.id,
            "order_line": [Command.create({{"product_id": product.id, "product_uom_qty": 1,
                                            "price_unit": {amount}, "tax_id": [Command.clear()]}})],
        }})
"""


def load_server_helpers(conf):
    """The addon's test harness (multi-worker server, JSON-RPC client), pointed at the bench config."""
    os.environ.update(
        CREDIT_PY=sys.executable,
        CREDIT_ODOO_BIN=os.path.join(benchenv.ODOO_SRC, "odoo-bin"),
        CREDIT_ODOO_CONF=conf,
    )
    path = os.path.join(ROOT, "credit_management", "tests", "server.py")
    spec = importlib.util.spec_from_file_location("credit_test_server", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def customer_orders(admin, salespeople, partner_name):
    """[(salesperson's client, their quotation for the customer)]."""
    partner = admin("res.partner", "search", [("name", "=", partner_name)])[0]
    rows = admin("sale.order", "search_read", [("partner_id", "=", partner)], ["user_id"])
    by_seller = {row["user_id"][0]: row["id"] for row in rows}
    return [(rpc, by_seller[rpc.uid]) for rpc in salespeople]


def confirmed_count(admin, calls):
    states = admin("sale.order", "read", [order for _rpc, order in calls], ["state"])
    return sum(row["state"] == "sale" for row in states)


def sequential(admin, salespeople):
    """Control: the same confirmations one after the other; OCA's check should let three through."""
    calls = customer_orders(admin, salespeople, "Sequential customer")
    for rpc, order in calls:
        rpc("sale.order", "action_confirm", [order])
    return confirmed_count(admin, calls)


def race(server, admin, salespeople, partner_name):
    calls = customer_orders(admin, salespeople, partner_name)
    start = threading.Barrier(len(calls))
    outcome = {}

    def confirm(rpc, order):
        start.wait()
        try:
            result = rpc("sale.order", "action_confirm", [order])
            outcome[order] = "wizard" if isinstance(result, dict) else "confirmed"
        except server.RpcError as error:
            outcome[order] = f"error: {error.name}"

    threads = [threading.Thread(target=confirm, args=call) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    return confirmed_count(admin, calls), outcome


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True, help="the project's Odoo config (make setup)")
    parser.add_argument("-d", "--database", default="bench_race_oca")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    versions = benchenv.ensure_oca_addons()
    conf = benchenv.write_bench_conf(os.path.abspath(args.config))
    server = load_server_helpers(conf)
    print(f"OCA: {', '.join(f'{m} {v}' for m, v in versions.items())}; credit_management not installed")
    print(f"building {args.database}", flush=True)
    benchenv.fresh_database(args.database)
    try:
        benchenv.install(conf, args.database, benchenv.OCA_MODULES, f"install-{args.database}")
        setup = SETUP_SCRIPT.format(orders=ORDERS, amount=AMOUNT, limit=LIMIT, rounds=args.rounds)
        prepared = server.odoo_shell(args.database, setup)
        if prepared.returncode:
            raise SystemExit(f"error: preparing the data failed:\n{prepared.stderr[-3000:]}")
        log = os.path.join(ROOT, ".odoo", "race-oca-server.log")
        with server.odoo_server(args.database, workers=WORKERS, log_path=log) as url:
            admin = server.JsonRpc(url, args.database, "admin", "admin")
            salespeople = [
                server.JsonRpc(url, args.database, f"seller{i}", f"seller{i}") for i in range(ORDERS)
            ]
            print(
                f"{ORDERS} salespeople confirm {ORDERS} orders of {AMOUNT:,.0f} at once, credit limit "
                f"{LIMIT:,.0f} (at most {int(LIMIT // AMOUNT)} fit), {WORKERS} workers"
            )
            print(f"control, one after the other: OCA confirmed {sequential(admin, salespeople)} of {ORDERS}")
            per_round = []
            for round_no in range(args.rounds):
                started = time.perf_counter()
                confirmed, outcome = race(server, admin, salespeople, f"Racing customer {round_no}")
                per_round.append(confirmed)
                kinds = sorted(set(outcome.values()))
                print(
                    f"round {round_no + 1}: OCA confirmed {confirmed} of {ORDERS} "
                    f"({confirmed * AMOUNT:,.0f} against {LIMIT:,.0f}); replies {kinds}; "
                    f"{time.perf_counter() - started:.1f} s"
                )
            print(f"confirmed per round: {per_round} (credit_management's test expects 3 each time)")
    finally:
        if not args.keep:
            benchenv.drop_database(args.database)


if __name__ == "__main__":
    main()
