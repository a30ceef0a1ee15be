"""Benchmark: the receivable aging over about 1,000,000 open receivable lines.

    .venv/bin/python bench/bench_aging.py -c .odoo/odoo.conf -d bench_aging [--lines 1000000]

Not a test: it prints figures. The database must have credit_management installed (a copy of the
template, see bench/README.md); the first run seeds it, later runs reuse the seeded lines (--reseed
adds another batch).

Seeding is set-based SQL: one invoice is created and posted through the ORM, then its account_move
and account_move_line rows (a product line and the receivable payment_term line) are copied with
INSERT ... SELECT over generate_series, changing only ids, partner, dates, names and amounts. Every
other column holds what the ORM wrote. Customers are copied the same way from an ORM-created one,
with a salesperson for most and a credit grade (the jsonb company-dependent column) for all.

Timed, as an accountant (record rules apply), each with min and median over --runs runs:
- the list's first page, as the web client loads it (web_search_read: 80 rows in the list's order,
  the list's fields, the count up to 10,001);
- the grouped totals of the list grouped by age bucket, by credit grade, and by customer (first page
  of 80 groups and the group count, as web_read_group does);
- the same first page for a salesperson restricted to their own customers;
- for information, the as-of aging (last month end): first page and totals by bucket;
- for information, *Export to Excel* of every open line, once, and the process's peak RSS after it.
"""

import os
import resource
import statistics
import sys
import time
from datetime import timedelta

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))

import benchenv
import psycopg2
from odoo_env import odoo_env, parse_args

import odoo.sql_db
from odoo import Command, fields
from odoo.tools import SQL, date_utils

MARK = "BENCH-AGING-"  # ref of the seeded customers
LIST_FIELDS = [
    "move_id",
    "partner_id",
    "user_id",
    "grade_id",
    "date_maturity",
    "days_overdue",
    "currency_id",
    "amount_not_due",
    "amount_1_30",
    "amount_31_60",
    "amount_61_90",
    "amount_91_120",
    "amount_over_120",
    "amount_residual",
]
SUMS = [f"{name}:sum" for name in LIST_FIELDS if name.startswith("amount_")]
TERMS = (0, 15, 30, 45)  # payment term days of the seeded invoices
SPAN_DAYS = 240  # invoice dates spread over the last 240 days: every bucket gets lines


# ---------------------------------------------------------------------------------------------------------
# Seeding
# ---------------------------------------------------------------------------------------------------------
def seed(env, lines, customers, dates=None):
    """Add ``lines`` open invoices spread over ``customers`` new customers; returns the seconds it took.

    ``dates``: a function of (today, customers) giving the SQL of invoice g's date and due date (default:
    dates over the last ``SPAN_DAYS`` days, the payment terms ``TERMS``)."""
    started = time.perf_counter()
    company = env.company
    salespeople = [
        _user(env, f"bench_sales_{i}_{time.time_ns()}", "sales_team.group_sale_salesman").id for i in range(8)
    ]
    grades = env["credit.grade"].search([("company_id", "=", company.id)]).ids
    template = _template_invoice(env)
    env.flush_all()
    partner_base = _copy_partners(env, template.partner_id, customers, salespeople, grades, company)
    _copy_invoices(env, template, lines, customers, partner_base, dates or spread_dates)
    env.cr.commit()
    return time.perf_counter() - started


def _user(env, login, group):
    return env["res.users"].create(
        {
            "name": login,
            "login": login,
            "groups_id": [Command.set([env.ref("base.group_user").id, env.ref(group).id])],
        }
    )


def _template_invoice(env):
    product = env["product.product"].create({"name": "Bench service", "taxes_id": [Command.clear()]})
    partner = env["res.partner"].create({"name": "Bench template customer", "is_company": True})
    move = env["account.move"].create(
        {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": fields.Date.context_today(env.user),
            "invoice_payment_term_id": False,
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": product.id,
                        "quantity": 1,
                        "price_unit": 100.0,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }
    )
    move.action_post()
    return move


def _reserve_ids(env, table, count):
    """First id of ``count`` ids taken from ``table``'s sequence (the bench database has no other writer)."""
    sequence = f"{table}_id_seq"
    env.cr.execute(
        SQL(
            "SELECT setval(%s, (SELECT last_value FROM %s) + %s) - %s + 1",
            sequence,
            SQL.identifier(sequence),
            count,
            count,
        )
    )
    return env.cr.fetchone()[0]


def _copy_rows(env, table, template_id, count, overrides, first=1):
    """INSERT copies ``first`` to ``count`` of row ``template_id`` of ``table``; ``overrides``: {column: SQL
    using g, the copy's number}."""
    env.cr.execute(SQL("SELECT column_name FROM information_schema.columns WHERE table_name = %s", table))
    columns = [row[0] for row in env.cr.fetchall()]
    missing = set(overrides) - set(columns)
    assert not missing, f"{table} has no column {missing}"
    env.cr.execute(
        SQL(
            "INSERT INTO %(table)s (%(columns)s) SELECT %(values)s "
            "FROM %(table)s t, generate_series(%(first)s, %(count)s) g WHERE t.id = %(template)s",
            table=SQL.identifier(table),
            columns=SQL(", ").join(SQL.identifier(c) for c in columns),
            values=SQL(", ").join(overrides.get(c, SQL("t.%s", SQL.identifier(c))) for c in columns),
            first=first,
            count=count,
            template=template_id,
        )
    )
    # Fresh statistics, or the foreign key checks of the next copy scan this table row by row.
    env.cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))


def _copy_partners(env, template, count, salespeople, grades, company):
    base = _reserve_ids(env, "res_partner", count)
    name = SQL("'Bench Customer ' || lpad(g::text, 7, '0')")
    overrides = {
        "id": SQL("%s + g - 1", base),
        "commercial_partner_id": SQL("%s + g - 1", base),
        "name": name,
        "complete_name": name,
        "commercial_company_name": name,
        "ref": SQL("%s || g", MARK),
        # one customer in nine has no salesperson
        "user_id": SQL("(%s::int[])[mod(g, %s) + 1]", [*salespeople, None], len(salespeople) + 1),
        "credit_grade_id": SQL(
            "jsonb_build_object(%s, (%s::int[])[mod(g::bigint * 7919, %s)::int + 1])",
            str(company.id),
            grades,
            len(grades),
        ),
    }
    # res_partner references itself (commercial_partner_id): the foreign key check of each new row is
    # planned on the template's few partners, as a sequential scan, and one INSERT of all the copies
    # would scan the growing table once per row. A first small copy and its ANALYZE make it an index scan.
    head = min(count, 1000)
    _copy_rows(env, "res_partner", template.id, head, overrides)
    if count > head:
        _copy_rows(env, "res_partner", template.id, count, overrides, first=head + 1)
    return base


def spread_dates(today, customers):
    """Invoice g's date and due date: dates over the last ``SPAN_DAYS`` days, terms ``TERMS``."""
    date = SQL("(%s::date - mod(g * 37, %s))", today, SPAN_DAYS)
    return date, SQL("(%s + (%s::int[])[mod(g, %s) + 1])", date, list(TERMS), len(TERMS))


def _copy_invoices(env, template, count, customers, partner_base, dates):
    today = fields.Date.context_today(env.user)
    move_base = _reserve_ids(env, "account_move", count)
    line_base = _reserve_ids(env, "account_move_line", 2 * count)
    # deterministic spreads: date, term and amount of invoice g
    date, due = dates(today, customers)
    amount = SQL("(100 + mod(g::bigint * 7919, 99000) / 10.0)::numeric")
    partner = SQL("(%s + mod(g - 1, %s))", partner_base, customers)
    prefix = SQL("'INV/' || extract(year FROM %s)::int || '/'", date)
    number = SQL("(%s + g)", template.sequence_number)
    name = SQL("%s || lpad(%s::text, 7, '0')", prefix, number)
    _copy_rows(
        env,
        "account_move",
        template.id,
        count,
        {
            "id": SQL("%s + g - 1", move_base),
            "name": name,
            "payment_reference": name,
            "sequence_prefix": prefix,
            "sequence_number": number,
            "partner_id": partner,
            "commercial_partner_id": partner,
            "partner_shipping_id": partner,
            "invoice_partner_display_name": SQL(
                "'Bench Customer ' || lpad((mod(g - 1, %s) + 1)::text, 7, '0')", customers
            ),
            "date": date,
            "invoice_date": date,
            "invoice_date_due": due,
            **dict.fromkeys(
                [
                    "amount_untaxed",
                    "amount_total",
                    "amount_residual",
                    "amount_untaxed_signed",
                    "amount_untaxed_in_currency_signed",
                    "amount_total_signed",
                    "amount_total_in_currency_signed",
                    "amount_residual_signed",
                ],
                amount,
            ),
        },
    )
    product_line, receivable_line = template.line_ids.sorted("id")
    common = {
        "move_id": SQL("%s + g - 1", move_base),
        "move_name": name,
        "partner_id": partner,
        "date": date,
        "invoice_date": date,
    }
    _copy_rows(
        env,
        "account_move_line",
        product_line.id,
        count,
        {
            **common,
            "id": SQL("%s + 2 * (g - 1)", line_base),
            "credit": amount,
            "balance": SQL("-%s", amount),
            "amount_currency": SQL("-%s", amount),
            "price_unit": amount,
            "price_subtotal": amount,
            "price_total": amount,
        },
    )
    _copy_rows(
        env,
        "account_move_line",
        receivable_line.id,
        count,
        {
            **common,
            "id": SQL("%s + 2 * (g - 1) + 1", line_base),
            "name": name,
            "date_maturity": due,
            **dict.fromkeys(
                ["debit", "balance", "amount_currency", "amount_residual", "amount_residual_currency"], amount
            ),
        },
    )


def verify_sample(env, size=50):
    """Seeded rows hold what the ORM computes: recompute a sample and compare; buckets add up to credit."""
    moves = env["account.move"].search([("partner_id.ref", "=like", f"{MARK}%")], limit=size, order="id desc")
    move_fields = [
        "amount_untaxed",
        "amount_total",
        "amount_residual",
        "amount_total_signed",
        "amount_residual_signed",
        "payment_state",
    ]
    lines = moves.line_ids.filtered(lambda line: line.display_type == "payment_term")
    line_fields = ["amount_residual", "amount_residual_currency", "reconciled"]
    stored = moves.read(move_fields), lines.read(line_fields)
    moves._compute_amount()
    moves._compute_payment_state()
    lines._compute_amount_residual()
    recomputed = moves.read(move_fields), lines.read(line_fields)
    env.cr.rollback()  # drops the recomputed values, pending writes of equal values
    assert stored == recomputed, "seeded invoices differ from what the ORM computes"
    partners = moves.partner_id
    aging = dict(
        env["credit.aging.report"]._read_group(
            [("partner_id", "in", partners.ids)], ["partner_id"], ["amount_residual:sum"]
        )
    )
    assert all(abs(aging[p] - p.credit) < 0.005 for p in partners), "aging buckets differ from partner credit"
    print(f"verified {len(moves)} seeded invoices against the ORM, {len(partners)} customers' aging totals")


# ---------------------------------------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------------------------------------
def timed(env, label, runs, call):
    """Runs ``call`` ``runs`` times on a cold ORM cache (PostgreSQL's buffers stay warm)."""
    seconds = []
    for _ in range(runs):
        env.invalidate_all()
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    print(f"{label:<48} min {min(seconds):6.3f} s   median {statistics.median(seconds):6.3f} s")
    return seconds


def bench(env, runs):
    accountant = env["res.users"].search([("login", "=", "bench_accountant")]) or _user(
        env, "bench_accountant", "account.group_account_invoice"
    )
    salesperson = env["res.users"].search([("login", "=like", "bench_sales_%")], limit=1, order="id")
    env.cr.commit()
    report = env["credit.aging.report"].with_user(accountant)
    spec = {
        name: {"fields": {"display_name": {}}} if report._fields[name].type == "many2one" else {}
        for name in LIST_FIELDS
    }
    first_page = report.web_search_read([], spec, limit=80, count_limit=10001)
    print(f"open receivable lines: {count_open(env):,}; first page: {len(first_page['records'])} rows")

    timed(
        env,
        "list first page (80 rows + count)",
        runs,
        lambda: report.web_search_read([], spec, limit=80, count_limit=10001),
    )
    timed(env, "grouped by age bucket", runs, lambda: report.web_read_group([], SUMS, ["bucket"]))
    timed(env, "grouped by credit grade", runs, lambda: report.web_read_group([], SUMS, ["grade_id"]))
    timed(
        env,
        "grouped by customer, first 80 groups + count",
        runs,
        lambda: report.web_read_group([], SUMS, ["partner_id"], limit=80),
    )
    own = env["credit.aging.report"].with_user(salesperson)
    timed(
        env,
        "salesperson's own customers: first page",
        runs,
        lambda: own.web_search_read([], spec, limit=80, count_limit=10001),
    )
    month_end = date_utils.start_of(fields.Date.context_today(env.user), "month") - timedelta(days=1)
    as_of = report.with_context(credit_aging_date=str(month_end))
    timed(
        env,
        f"as of {month_end}: list first page (info)",
        runs,
        lambda: as_of.web_search_read([], spec, limit=80, count_limit=10001),
    )
    timed(
        env,
        f"as of {month_end}: grouped by age bucket (info)",
        runs,
        lambda: as_of.web_read_group([], SUMS, ["bucket"]),
    )
    export_every_line(env, report)


def export_every_line(env, report):
    """*Export to Excel* with no line selected and no filter: every open line, once (info)."""
    env.invalidate_all()
    started = time.perf_counter()
    report.with_context(active_domain=[]).action_export_xlsx()
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(
        f"{'Excel export of every open line (one run, info)':<48} {seconds:7.3f} s   "
        f"peak RSS of the benchmark process so far {peak} MB"
    )
    env.cr.rollback()  # the workbook's attachment


def count_open(env):
    env.cr.execute("""
        SELECT COUNT(*) FROM account_move_line aml
         WHERE (aml.reconciled IS NULL OR aml.reconciled = false OR aml.reconciled IS NOT true)
           AND aml.parent_state = 'posted'
           AND aml.account_id IN (SELECT id FROM account_account WHERE account_type = 'asset_receivable')
    """)
    return env.cr.fetchone()[0]


def vacuum(dbname, tables):
    """VACUUM ANALYZE, as autovacuum would after a bulk load: statistics, and the visibility map that
    lets the totals read the aging index alone. VACUUM needs its own connection, outside a transaction."""
    _name, info = odoo.sql_db.connection_info_for(dbname)
    connection = psycopg2.connect(**info)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(SQL("VACUUM ANALYZE %s", SQL.identifier(table)).code)
    finally:
        connection.close()


def _arguments(parser):
    parser.add_argument("--lines", type=int, default=1_000_000, help="open receivable lines to seed")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reseed", action="store_true", help="seed another batch even if seeded already")


def seed_once(env, database, lines, customers, again=False):
    """The aging ledger (``seed``) on ``database``, seeded the first time (or ``again``), then vacuumed;
    returns whether it seeded."""
    env.cr.execute(SQL("SELECT 1 FROM res_partner WHERE ref LIKE %s LIMIT 1", f"{MARK}%"))
    if env.cr.fetchone() and not again:
        return False
    seconds = seed(env, lines, customers)
    print(f"seeded {lines:,} open invoices for {customers:,} customers in {seconds:.1f} s")
    started = time.perf_counter()
    vacuum(database, ["res_partner", "account_move", "account_move_line"])
    print(f"vacuum analyze: {time.perf_counter() - started:.1f} s")
    return True


def main():
    args = parse_args("Benchmark the receivable aging report.", _arguments)
    benchenv.ensure_database(args.config, args.database)
    with odoo_env(args.config, args.database) as env:
        seed_once(env, args.database, args.lines, args.customers, again=args.reseed)
        verify_sample(env)
        bench(env, args.runs)


if __name__ == "__main__":
    main()
