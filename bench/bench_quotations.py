"""Benchmark: the quotation list's credit column and credit filters over 10,000 open quotations.

    make bench BENCH=quotations [BENCH_ARGS="--runs 5"]

Seeds, the first time: the aging benchmark's ledger at a fifth of its size (bench_aging.seed: 20,000
customers with a grade and ten open invoices each, 200,000 invoices), then 10,000 quotations of one line,
one for each of 10,000 of those customers, copied in SQL from one quotation the ORM made (a sample is
read back through the ORM). Prints, as a sales manager with the credit user group, on a cold ORM cache,
min and median over --runs:

- the Quotations list's first page with its Credit column (web_search_read of 80 quotations): target 1 s;
- the filter "Credit: Blocked or on Hold" (credit_state searched over every open quotation), its first
  page and its count: target 5 s.
Asserts nothing.
"""

import os
import sys
import time
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "scripts"))

import bench_aging  # noqa: E402 -- bench/ is on the path as the script's folder
import benchenv  # noqa: E402
from odoo_env import odoo_env, parse_args  # noqa: E402

from odoo import Command, fields  # noqa: E402
from odoo.tools import SQL  # noqa: E402

MARK = "BENCHQ/"
LOGIN = "bench_quotations_manager"
SPEC = {
    "name": {},
    "partner_id": {"fields": {"display_name": {}}},
    "amount_total": {},
    "state": {},
    "credit_state": {},
}
OPEN = [("state", "in", ["draft", "sent"])]
BLOCKED = [("credit_state", "in", ["blocked", "hold"])]


def manager(env):
    return benchenv.bench_user(
        env, LOGIN, ["sales_team.group_sale_manager", "credit_management.group_credit_user"]
    )


def seed_quotations(env, count, customers, partner_base):
    """``count`` quotations copied from one the ORM made; quotation g for customer g, amounts spread."""
    product = env["product.product"].create({"name": "Bench quoted service", "taxes_id": [Command.clear()]})
    template = env["sale.order"].create(
        {
            "partner_id": partner_base,
            "order_line": [Command.create({"product_id": product.id, "price_unit": 100.0, "tax_id": []})],
        }
    )
    env.flush_all()
    order_base = bench_aging._reserve_ids(env, "sale_order", count)
    line_base = bench_aging._reserve_ids(env, "sale_order_line", count)
    amount = SQL("(500 + mod(g::bigint * 7919, 40000))::numeric")
    partner = SQL("(%s + mod(g - 1, %s))", partner_base, customers)
    name = SQL("%s || lpad(g::text, 6, '0')", MARK)
    bench_aging._copy_rows(
        env,
        "sale_order",
        template.id,
        count,
        {
            "id": SQL("%s + g - 1", order_base),
            "name": name,
            "partner_id": partner,
            "partner_invoice_id": partner,
            "partner_shipping_id": partner,
            "amount_untaxed": amount,
            "amount_total": amount,
        },
    )
    line = template.order_line
    bench_aging._copy_rows(
        env,
        "sale_order_line",
        line.id,
        count,
        {
            "id": SQL("%s + g - 1", line_base),
            "order_id": SQL("%s + g - 1", order_base),
            "order_partner_id": partner,
            "price_unit": amount,
            "price_subtotal": amount,
            "price_total": amount,
        },
    )
    env.cr.commit()
    return order_base


def verify_sample(env):
    """A few copies read back through the ORM: their total is their line's, recomputed."""
    orders = env["sale.order"].search([("name", "=like", f"{MARK}%")], limit=5, order="id desc")
    for order in orders:
        line = order.order_line
        assert len(line) == 1 and order.partner_id.ref.startswith(bench_aging.MARK), order.name
        recomputed = line.product_uom_qty * line.price_unit
        assert abs(order.amount_total - recomputed) < 0.01, (order.name, order.amount_total, recomputed)
    print(f"sample of {len(orders)} copied quotations checked through the ORM")


def bench(env, runs):
    orders = env["sale.order"].with_user(manager(env))
    count = orders.search_count(OPEN)
    page = orders.search(OPEN, limit=2000)
    states = Counter(page.mapped("credit_state"))
    print(f"{count:,} open quotations; credit states of 2,000 of them: {dict(states.most_common())}")
    blocked = orders.search_count(OPEN + BLOCKED)
    print(f"blocked or on hold: {blocked:,}")
    bench_aging.timed(
        env,
        "first page with its Credit column, target 1 s",
        runs,
        lambda: orders.web_search_read(OPEN, SPEC, limit=80),
    )
    bench_aging.timed(
        env,
        "filter Blocked or on Hold + count, target 5 s",
        runs,
        lambda: orders.web_search_read(OPEN + BLOCKED, SPEC, limit=80, count_limit=100_000),
    )


def _arguments(parser):
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--lines", type=int, default=200_000, help="open invoices of those customers")
    parser.add_argument("--quotations", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)


def main():
    args = parse_args("Benchmark the quotation list's credit column and filters.", _arguments)
    benchenv.ensure_database(args.config, args.database)
    with odoo_env(args.config, args.database) as env:
        env.cr.execute(SQL("SELECT 1 FROM sale_order WHERE name LIKE %s LIMIT 1", f"{MARK}%"))
        if not env.cr.fetchone():
            bench_aging.seed_once(env, args.database, args.lines, args.customers)
            env.cr.execute(SQL("SELECT min(id) FROM res_partner WHERE ref LIKE %s", f"{bench_aging.MARK}%"))
            started = time.perf_counter()
            seed_quotations(env, args.quotations, args.customers, env.cr.fetchone()[0])
            print(f"seeded {args.quotations:,} quotations in {time.perf_counter() - started:.1f} s")
            bench_aging.vacuum(args.database, ["sale_order", "sale_order_line"])
        verify_sample(env)
        print(f"today {fields.Date.today()}, runs {args.runs}")
        bench(env, args.runs)


if __name__ == "__main__":
    main()
