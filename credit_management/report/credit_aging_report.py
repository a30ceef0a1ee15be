import tempfile

import xlsxwriter

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL, create_index, index_exists

from ..models.credit_exposure import OPEN, due_date

BUCKETS = [
    ("not_due", "Not Due"),
    ("1_30", "1-30 Days"),
    ("31_60", "31-60 Days"),
    ("61_90", "61-90 Days"),
    ("91_120", "91-120 Days"),
    ("over_120", "Over 120 Days"),
]
# Last day past due of each bucket (None: no end); a bucket starts the day after the previous one ends.
BUCKET_LAST_DAY = {"not_due": 0, "1_30": 30, "31_60": 60, "61_90": 90, "91_120": 120, "over_120": None}
AS_OF_CONTEXT_KEY = "credit_aging_date"
# The export's columns after the customer and the entry, as on screen.
EXPORT_AMOUNTS = [*(f"amount_{key}" for key, _label in BUCKETS), "amount_residual"]
EXPORT_COLUMNS = ["date_maturity", "days_overdue", *EXPORT_AMOUNTS]
# The export reads its lines through this cursor of the transaction, so many at a time.
EXPORT_CURSOR = "credit_aging_export"
EXPORT_CHUNK = 10000
# Odoo's default of web.active_ids_limit: the most ids the web client sends for "select all".
ACTIVE_IDS_LIMIT = 20000

# Indexes on core tables, dropped by the uninstall hook.
DUE_INDEX = "account_move_line__credit_aging_due_index"
PARTNER_INDEX = "account_move_line__credit_open_partner_index"
RECONCILE_INDEX = "account_partial_reconcile__credit_max_date_index"


class CreditAgingReport(models.Model):
    """Open receivable lines with their age, one row per line, in company currency.

    Today's aging reads the stored residuals of open lines, through a partial index holding
    only them. With ``credit_aging_date`` in the context it is the aging as of that date,
    rebuilt from posting and reconciliation dates (see :meth:`_as_of_lines`), so a month-end
    figure can be reproduced later.
    """

    _name = "credit.aging.report"
    _description = "Receivable Aging"
    _auto = False
    _rec_name = "move_id"
    _order = "date_maturity, id"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    grade_id = fields.Many2one("credit.grade", string="Credit Grade", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    move_id = fields.Many2one("account.move", string="Journal Entry", readonly=True)
    date = fields.Date(readonly=True)
    date_maturity = fields.Date("Due Date", readonly=True)
    days_overdue = fields.Integer(aggregator="max", readonly=True)
    bucket = fields.Selection(BUCKETS, string="Age", readonly=True)
    amount_residual = fields.Monetary("Open Amount", currency_field="currency_id", readonly=True)
    amount_not_due = fields.Monetary("Not Due", currency_field="currency_id", readonly=True)
    amount_1_30 = fields.Monetary("1-30", currency_field="currency_id", readonly=True)
    amount_31_60 = fields.Monetary("31-60", currency_field="currency_id", readonly=True)
    amount_61_90 = fields.Monetary("61-90", currency_field="currency_id", readonly=True)
    amount_91_120 = fields.Monetary("91-120", currency_field="currency_id", readonly=True)
    amount_over_120 = fields.Monetary("Over 120", currency_field="currency_id", readonly=True)

    _depends = {
        "account.move.line": [
            "account_id",
            "amount_residual",
            "company_currency_id",
            "company_id",
            "date",
            "date_maturity",
            "move_id",
            "parent_state",
            "partner_id",
        ],
        "account.partial.reconcile": ["amount", "credit_move_id", "debit_move_id", "max_date"],
        "account.account": ["account_type"],
        "res.partner": ["credit_grade_id", "user_id"],
    }

    def init(self):
        cr = self.env.cr
        # Open items only (a small part of the ledger), in the list's default order: its first page
        # reads 80 entries, whatever the number of open items.
        create_index(
            cr,
            DUE_INDEX,
            "account_move_line",
            ["date_maturity", "id"],
            where=OPEN.replace("aml.", ""),
        )
        # Open items by customer and account, carrying every column the grouped totals and the credit
        # check read: both scan this index alone (index-only). Totals stream in customer order without
        # sorting; the check probes (customer, receivable accounts) and skips the customer's open
        # payment lines, which sit on other accounts.
        if not index_exists(cr, PARTNER_INDEX):
            cr.execute(
                SQL(
                    "CREATE INDEX %s ON account_move_line "
                    "(partner_id, account_id, date_maturity) INCLUDE (company_id, date, amount_residual) "
                    "WHERE %s",
                    SQL.identifier(PARTNER_INDEX),
                    SQL(OPEN.replace("aml.", "")),
                )
            )
        # The as-of aging reads the reconciliations made after its date.
        create_index(cr, RECONCILE_INDEX, "account_partial_reconcile", ["max_date"])

    # ------------------------------------------------------------------
    # Query
    # ------------------------------------------------------------------
    @property
    def _table_query(self):
        as_of = self._as_of_date()
        lines = self._as_of_lines(as_of) if as_of else self._open_lines()
        return self._aged(lines, as_of or fields.Date.context_today(self))

    @api.model
    def _read_group_orderby(self, order, groupby_terms, query):
        # ages come in age order (the graph's legend, the list's groups), not in their keys' alphabetical one
        if "bucket" in groupby_terms:
            groupby_terms = {
                **groupby_terms,
                "bucket": SQL(
                    "array_position(%s::varchar[], %s::varchar)",
                    [key for key, _label in BUCKETS],
                    groupby_terms["bucket"],
                ),
            }
        return super()._read_group_orderby(order, groupby_terms, query)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_open_move(self):
        """A line of the aging opens its journal entry."""
        self.ensure_one()
        return self.move_id.get_formview_action()

    def action_export_xlsx(self):
        """The aging as an Excel workbook, laid out as on screen: a title with its date, one row per
        customer with its totals per age, its open items under it, the grand total last. Exports the
        selected lines, or else the lines the list's filters show (the button's ``active_domain``)."""
        as_of = self._as_of_date() or fields.Date.context_today(self)
        title = self.env._("Receivable Aging as of %s", fields.Date.to_string(as_of))
        rows = self._export_rows(self._export_domain())
        with tempfile.TemporaryFile() as output:
            self._write_workbook(output, title, rows)
            output.seek(0)
            data = output.read()
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"{title}.xlsx",
                "raw": data,
                "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }

    def _export_domain(self):
        """The lines to export: those selected; with none selected, or all of them (for "select all"
        the web client sends at most ``web.active_ids_limit`` ids), those the list's filters show."""
        domain = [("company_id", "=", self.env.company.id)]
        limit = int(
            self.env["ir.config_parameter"].sudo().get_param("web.active_ids_limit", ACTIVE_IDS_LIMIT)
        )
        if self.ids and len(self.ids) < limit:
            return expression.AND([domain, [("id", "in", self.ids)]])
        try:
            domain = expression.AND([domain, self.env.context.get("active_domain") or []])
            self._search(domain)  # builds the query without running it: a field or operator it cannot read
        except (ValueError, TypeError, AssertionError) as error:  # a filter the list could not have sent
            raise UserError(self.env._("The aging's filters cannot be exported: %s", error)) from error
        return domain

    @api.model
    def _export_rows(self, domain):
        """The export's lines: (customer, entry, due date, days overdue, amounts..., the customer's
        totals..., the line's rank in its customer) by customer name, then due date. One statement,
        declared as a cursor of the transaction and fetched in chunks: a million lines never sit in
        memory at once. Checks the domain at once; the rows come as they are iterated."""
        self.env.flush_all()  # the statement reads the ledger's tables, not the ORM's cache
        query = self._search(domain)
        table = query.table

        def column(name):
            return SQL.identifier(table, name)

        def amount(value):
            return SQL("COALESCE(%s, 0)::float8", value)

        query.order = SQL("customer, customer_id, due, line_id")
        partition = SQL("PARTITION BY %s", column("partner_id"))
        statement = query.select(
            SQL(
                "(SELECT p.complete_name FROM res_partner p WHERE p.id = %s) AS customer",
                column("partner_id"),
            ),
            SQL("(SELECT m.name FROM account_move m WHERE m.id = %s)", column("move_id")),
            SQL("%s AS due", column("date_maturity")),
            column("days_overdue"),
            *(amount(column(name)) for name in EXPORT_AMOUNTS),
            *(amount(SQL("SUM(%s) OVER (%s)", column(name), partition)) for name in EXPORT_AMOUNTS),
            SQL("ROW_NUMBER() OVER (%s ORDER BY %s, %s)", partition, column("date_maturity"), column("id")),
            SQL("COALESCE(%s, 0) AS customer_id", column("partner_id")),
            SQL("%s AS line_id", column("id")),
        )
        cursor = SQL.identifier(EXPORT_CURSOR)
        self.env.cr.execute(SQL("DECLARE %s NO SCROLL CURSOR FOR %s", cursor, statement))
        return self._fetch_declared(cursor)

    @api.model
    def _fetch_declared(self, cursor):
        while True:
            self.env.cr.execute(SQL("FETCH FORWARD %s FROM %s", EXPORT_CHUNK, cursor))
            rows = self.env.cr.fetchall()
            if not rows:
                break
            yield from rows
        self.env.cr.execute(SQL("CLOSE %s", cursor))

    @api.model
    def _write_workbook(self, output, title, rows):
        """Rows of ``_export_rows`` into ``output``, streamed (a row is written once, in order)."""
        book = xlsxwriter.Workbook(output, {"constant_memory": True})
        sheet = book.add_worksheet(self.env._("Aging"))
        bold = book.add_format({"bold": True})
        money = book.add_format({"num_format": "#,##0.00"})
        bold_money = book.add_format({"bold": True, "num_format": "#,##0.00"})
        date_format = book.add_format({"num_format": "yyyy-mm-dd"})
        header = [
            self._fields[name]._description_string(self.env)
            for name in ("partner_id", "move_id", *EXPORT_COLUMNS)
        ]
        sheet.set_column(0, 1, 28)
        sheet.set_column(2, len(header), 14)
        title_format = book.add_format({"bold": True, "font_size": 14})
        sheet.write(0, 0, f"{title} — {self.env.company.name}", title_format)
        sheet.write_row(2, 0, header, bold)
        count = len(EXPORT_AMOUNTS)
        grand = [0.0] * count
        row_number = 3
        for customer, entry, due, days, *values in rows:
            amounts, totals, rank = values[:count], values[count : 2 * count], values[2 * count]
            if rank == 1:
                sheet.write(row_number, 0, customer or "", bold)
                sheet.write_row(row_number, 4, totals, bold_money)
                grand = [a + b for a, b in zip(grand, totals, strict=True)]
                row_number += 1
            sheet.write(row_number, 1, entry or "")
            if due:
                sheet.write_datetime(row_number, 2, fields.Datetime.to_datetime(due), date_format)
            sheet.write(row_number, 3, days)
            for offset, value in enumerate(amounts):  # a line shows its one age; the others stay blank
                if value:
                    sheet.write_number(row_number, 4 + offset, value, money)
            row_number += 1
        sheet.write(row_number, 0, self.env._("Total"), bold)
        sheet.write_row(row_number, 4, grand, bold_money)
        book.close()

    @api.model
    def _as_of_date(self):
        value = self.env.context.get(AS_OF_CONTEXT_KEY)
        return fields.Date.to_date(value) if value else None

    @api.model
    def _line_columns(self):
        return SQL(
            "aml.id, aml.partner_id, aml.company_id, aml.company_currency_id, aml.move_id, aml.date, "
            "aml.date_maturity"
        )

    @api.model
    def _receivable(self):
        """Receivable account filter, with the ids spelled out: the planner then knows from the column's
        statistics how many lines they hold, where a subquery leaves it guessing."""
        self.env["account.account"].flush_model(["account_type"])
        accounts = self.env.execute_query(
            SQL("SELECT id FROM account_account WHERE account_type = 'asset_receivable'")
        )
        return SQL("aml.account_id = ANY(%s)", [account_id for (account_id,) in accounts])

    @api.model
    def _open_lines(self):
        """Receivable lines open today: a simple subquery PostgreSQL flattens into the outer one."""
        return SQL(
            "SELECT %s, aml.amount_residual AS residual FROM account_move_line aml WHERE %s AND %s",
            self._line_columns(),
            SQL(OPEN),
            self._receivable(),
        )

    @api.model
    def _as_of_lines(self, as_of):
        """Receivable lines open at the end of ``as_of``, with their open amount then.

        A line is open at D when posted with a date on or before D; its open amount at D is its
        balance less the partial reconciliations matched on or before D (``max_date``, the later
        date of both lines), on either side. Odoo keeps ``amount_residual`` = balance less all
        partials, so the open amount at D is also ``amount_residual`` plus the partials matched
        after D, which only reads recent matching: lines open today get back what was matched
        after D, and lines settled today are reopened by those partials alone.
        """
        return SQL(
            """
            WITH later AS (
                SELECT line_id, SUM(amount) AS amount
                  FROM (SELECT debit_move_id AS line_id, amount FROM account_partial_reconcile
                         WHERE max_date > %(as_of)s
                         UNION ALL
                        SELECT credit_move_id, -amount FROM account_partial_reconcile
                         WHERE max_date > %(as_of)s) matched
                 GROUP BY line_id
            )
            SELECT %(columns)s, aml.amount_residual + COALESCE(later.amount, 0) AS residual
              FROM account_move_line aml
              LEFT JOIN later ON later.line_id = aml.id
             WHERE %(open)s AND %(receivable)s AND aml.date <= %(as_of)s
               AND aml.amount_residual + COALESCE(later.amount, 0) != 0
             UNION ALL
            SELECT %(columns)s, later.amount
              FROM later
              JOIN account_move_line aml ON aml.id = later.line_id
             WHERE aml.amount_residual = 0 AND aml.parent_state = 'posted' AND %(receivable)s
               AND aml.date <= %(as_of)s AND later.amount != 0
            """,
            as_of=as_of,
            columns=self._line_columns(),
            open=SQL(OPEN),
            receivable=self._receivable(),
        )

    @api.model
    def _aged(self, lines, report_date):
        """Rows of the report: ``lines`` (open lines with their residual) aged at ``report_date``.

        Each amount column is NULL outside its bucket: SUM skips NULLs, so a total adds one amount
        per line instead of six.
        """
        ranges = _bucket_ranges()
        bucket = SQL("CASE %s END", SQL(" ").join(SQL("WHEN %s THEN %s", cond, key) for key, cond in ranges))
        amounts = SQL(", ").join(
            SQL("CASE WHEN %s THEN line.residual END AS %s", cond, SQL.identifier(f"amount_{key}"))
            for key, cond in ranges
        )
        return SQL(
            """
            SELECT line.id, line.partner_id, line.company_id, partner.user_id, grade.id AS grade_id,
                   line.company_currency_id AS currency_id, line.move_id, line.date, line.date_maturity,
                   CASE WHEN line.residual > 0 THEN GREATEST(age.days, 0) ELSE 0 END AS days_overdue,
                   %(bucket)s AS bucket,
                   line.residual AS amount_residual,
                   %(amounts)s
              FROM (%(lines)s) line
              LEFT JOIN res_partner partner ON partner.id = line.partner_id
              LEFT JOIN credit_grade grade
                     ON grade.id = (partner.credit_grade_id -> line.company_id::text ->> 0)::int,
                   LATERAL (SELECT %(date)s::date - %(due)s AS days) age
            """,
            due=due_date("line"),
            bucket=bucket,
            amounts=amounts,
            lines=lines,
            date=report_date,
        )


def _bucket_ranges():
    """(bucket, SQL condition on ``age.days``) of each bucket, in order."""
    ranges, previous = [], None
    for key, _label in BUCKETS:
        last = BUCKET_LAST_DAY[key]
        bounds = ([SQL("age.days > %s", previous)] if previous is not None else []) + (
            [SQL("age.days <= %s", last)] if last is not None else []
        )
        ranges.append((key, SQL(" AND ").join(bounds)))
        previous = last
    return ranges
