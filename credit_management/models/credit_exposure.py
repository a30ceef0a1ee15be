import numpy as np

from odoo import api, fields, models
from odoo.tools import SQL

# Open items: only lines of reconcilable accounts have a residual, and a reconciled line has none. Narrower
# than Odoo's "unreconciled" test, which also holds for every income and tax line. Spelled as the predicate
# of the addon's open-items indexes, so that the planner can use them.
OPEN = "aml.amount_residual != 0 AND aml.parent_state = 'posted'"
# One customer's exposure, the credit check's read. A database function: PostgreSQL keeps its plan for the
# session instead of parsing and planning the statement at each check. Dropped by the uninstall hook.
CUSTOMER_FUNCTION = "credit_management_customer_exposure"

# A down payment line's invoiced amount not yet deducted, in the order's currency: its invoices' lines
# (the final invoice deducts it with a negative line, a credit note gives it back), cancelled ones left
# out. Read for down payment lines only; the outer query gives ``sol``.
DOWN_PAYMENT_INVOICED = SQL(
    """
    SELECT SUM(CASE WHEN m.move_type = 'out_refund' THEN -aml.price_total ELSE aml.price_total END) AS amount
      FROM sale_order_line_invoice_rel rel
      JOIN account_move_line aml ON aml.id = rel.invoice_line_id
      JOIN account_move m ON m.id = aml.move_id
     WHERE sol.is_downpayment AND rel.order_line_id = sol.id AND m.state != 'cancel'
    """
)


class CreditExposure(models.AbstractModel):
    """What customers owe and have committed to, per commercial partner and company.

    Exposure = open receivable residual (posted, unreconciled) + unposted customer
    invoices and credit notes + confirmed orders' amount not yet invoiced, in company
    currency. The three parts are read by one statement. The receivable part reads the
    addon's index of open items alone (index-only), the draft part only the draft entries
    of Odoo's (journal_id, state, ...) index of moves, the orders part the addon's index of
    confirmed orders not fully invoiced: their cost follows the customers' open items and
    orders, not their history.

    Sets of customers (rescoring, dashboard) are read by a statement planned for their
    values; one customer (the credit check, a form) by the database function
    ``CUSTOMER_FUNCTION``, whose plan is made once per database session.
    """

    _name = "credit.exposure"
    _description = "Credit Exposure"

    def init(self):
        res = super().init()
        # its columns may have changed since the last version: CREATE OR REPLACE cannot change them
        self.env.cr.execute(SQL("DROP FUNCTION IF EXISTS %s", SQL.identifier(CUSTOMER_FUNCTION)))
        self.env.cr.execute(self._customer_function())
        return res

    @api.model
    def _receivable_accounts(self, company):
        """The company's receivable accounts. Queries take them as values, not as a join: with values,
        the open-items index is probed on (partner, account) and reads a customer's open receivables
        only; joined, on the partner alone, it also reads every open line of other accounts (payments'
        outstanding receipts among them)."""
        self.env["account.account"].flush_model(["account_type"])
        self.env.cr.execute(self._receivable_accounts_array(company.id))
        return self.env.cr.fetchone()[0] or []

    @api.model
    def _receivable_accounts_array(self, company):
        """SQL of the receivable account ids of ``company`` (an id, or SQL naming one) as one array. In
        ``ANY((array)::int[])`` it is a scalar subquery, evaluated once before the statement that holds
        it: a list of values for the index probe, without a round trip of its own."""
        return SQL(
            """
            SELECT COALESCE(array_agg(a.id), '{}')::int[] FROM account_account a
              JOIN account_account_res_company_rel rel ON rel.account_account_id = a.id
             WHERE a.account_type = 'asset_receivable' AND rel.res_company_id = %s
            """,
            company,
        )

    @api.model
    def _exposure(
        self, company, partner_ids, today=None, exclude_order_ids=(), whole_company=False, before=None
    ):
        """Exposure and its parts, as arrays aligned with the sorted ``partner_ids``.

        The figures, defined here once for every screen, report and message:

        - ``receivable``: the open receivable, net: open invoices less unapplied credit notes and
          payments (``credits``, zero or negative);
        - ``overdue``: overdue, gross: the open items past their due date (credits are never overdue);
        - ``overdue_net``: the overdue less the unapplied credits, never below zero: what would remain
          overdue if every credit were applied to overdue items;
        - ``max_days_overdue``: days since the due date of the oldest overdue item (0 when none);
        - ``exposure``: ``receivable`` + unposted invoices and credit notes + confirmed orders not
          yet invoiced. Gross overdue can exceed it when a credit is waiting to be applied.

        Both readings, the function's and the statement's, return rows ("open", partner, None,
        residual, overdue, oldest overdue due date, credits), ("draft", partner, None, amount, None,
        None, None) and ("order", partner, currency, amount not yet invoiced in that currency, None,
        None, None).

        ``before``: SQL statements to run first, in the same round trip.

        ``whole_company``: aggregate over every partner of the company in one pass each and
        keep ``partner_ids``' rows, rather than look the partners up one by one; cheaper when
        they are a large share of the company's customers.
        """
        ids = np.unique(np.asarray(list(partner_ids), dtype=np.int64))
        today = today or fields.Date.context_today(self)
        self._flush_sources()
        if len(ids) == 1 and not whole_company:
            statement = SQL(
                "SELECT * FROM %s(%s, %s, %s, %s::int[])",
                SQL.identifier(CUSTOMER_FUNCTION),
                company.id,
                int(ids[0]),
                today,
                list(exclude_order_ids),
            )
        else:
            statement = self._exposure_statement(
                company, None if whole_company else ids.tolist(), today, exclude_order_ids
            )
        # Several statements in one execute: the rows are the last one's.
        self.env.cr.execute(SQL("%s; %s", before, statement) if before else statement)
        rows = self.env.cr.fetchall()
        open_rows = [row for row in rows if row[0] == "open"]
        open_ids = np.array([row[1] for row in open_rows], dtype=np.int64)
        oldest_due = _aligned(
            ids,
            open_ids,
            np.array([row[5] or np.datetime64("NaT") for row in open_rows], "datetime64[D]"),
            fill=np.datetime64("NaT"),
        )
        days = (np.datetime64(today, "D") - oldest_due).astype(np.int64)
        result = {
            "ids": ids,
            "receivable": _aligned(ids, open_ids, [row[3] for row in open_rows]),
            "overdue": _aligned(ids, open_ids, [row[4] for row in open_rows]),
            "credits": _aligned(ids, open_ids, [row[6] for row in open_rows]),
            "max_days_overdue": np.where(np.isnat(oldest_due), 0, days),
            "oldest_overdue_due": oldest_due,
            "has_open_items": np.isin(ids, open_ids),
            "draft_invoices": _aligned_dict(ids, {row[1]: row[3] for row in rows if row[0] == "draft"}),
            "orders": _aligned_dict(
                ids, self._sum_in_company_currency([row[1:4] for row in rows if row[0] == "order"], company)
            ),
        }
        result["exposure"] = result["receivable"] + result["draft_invoices"] + result["orders"]
        result["overdue_net"] = np.maximum(result["overdue"] + result["credits"], 0.0)
        return result

    @api.model
    def _flush_sources(self):
        """Pending ORM writes to what the exposure reads."""
        self.env["account.move.line"].flush_model(
            [
                "account_id",
                "amount_residual",
                "company_id",
                "date_maturity",
                "parent_state",
                "partner_id",
            ]
        )
        self.env["account.move"].flush_model(
            ["amount_total_signed", "commercial_partner_id", "company_id", "journal_id", "move_type", "state"]
        )
        self.env["account.account"].flush_model(["account_type"])
        self.env["account.journal"].flush_model(["type"])
        self.env["sale.order"].flush_model(
            ["state", "invoice_status", "partner_id", "company_id", "currency_id"]
        )
        self.env["sale.order.line"].flush_model(
            ["price_total", "product_uom_qty", "qty_invoiced", "order_id"]
        )

    @api.model
    def _exposure_statement(self, company, partner_ids, today, exclude_order_ids):
        """The three parts of a set of customers' exposure; ``partner_ids`` None: every partner of the
        company. The receivable accounts are values of the plan: the open-items index is probed on
        (partner, account)."""
        open_part = SQL(
            """
            SELECT 'open', aml.partner_id, NULL::int, SUM(aml.amount_residual),
                   COALESCE(SUM(aml.amount_residual) FILTER (WHERE %(overdue)s), 0),
                   MIN(%(due)s) FILTER (WHERE %(overdue)s),
                   COALESCE(SUM(aml.amount_residual) FILTER (WHERE aml.amount_residual < 0), 0)
              FROM account_move_line aml
             WHERE %(open)s
               AND aml.account_id = ANY((%(accounts)s)::int[])
               AND %(partners)s
               AND aml.company_id = %(company)s
             GROUP BY aml.partner_id
            """,
            overdue=_overdue(today),
            due=due_date(),
            open=SQL(OPEN),
            accounts=self._receivable_accounts_array(company.id),
            partners=partner_clause(SQL("aml.partner_id"), partner_ids),
            company=company.id,
        )
        return self._union(
            open_part,
            company.id,
            lambda column: partner_clause(column, partner_ids),
            list(exclude_order_ids),
        )

    @api.model
    def _customer_function(self):
        """CREATE of the function that reads one customer's exposure: (company, partner, today,
        excluded order ids) -> the rows of the three parts.

        Its plan is generic (made for any customer, once per session), so the receivable accounts
        cannot be values of it; each account is read by its own probe of the open-items index,
        (partner, account), one after the other. Without parallel workers: the planner, which cannot
        tell open items from settled ones in its statistics, would expect a long history's rows and
        start workers that cost several times the work.
        """
        open_part = SQL(
            """
            SELECT 'open', p_partner, NULL::int, SUM(o.residual), COALESCE(SUM(o.overdue), 0), MIN(o.oldest),
                   COALESCE(SUM(o.credits), 0)
              FROM unnest((%(accounts)s)::int[]) AS account(id)
             CROSS JOIN LATERAL (
                   SELECT SUM(aml.amount_residual) AS residual,
                          SUM(aml.amount_residual) FILTER (WHERE %(overdue)s) AS overdue,
                          MIN(%(due)s) FILTER (WHERE %(overdue)s) AS oldest,
                          SUM(aml.amount_residual) FILTER (WHERE aml.amount_residual < 0) AS credits
                     FROM account_move_line aml
                    WHERE %(open)s
                      AND aml.partner_id = p_partner AND aml.account_id = account.id
                      AND aml.company_id = p_company) o
            HAVING COUNT(o.residual) > 0
            """,
            overdue=_overdue(SQL("p_today")),
            due=due_date(),
            open=SQL(OPEN),
            accounts=self._receivable_accounts_array(SQL("p_company")),
        )
        body = self._union(
            open_part, SQL("p_company"), lambda column: SQL("%s = p_partner", column), SQL("p_exclude")
        )
        return SQL(
            """
            CREATE OR REPLACE FUNCTION %(name)s(p_company integer, p_partner integer, p_today date,
                                                p_exclude integer[])
            RETURNS TABLE (part text, partner_id integer, currency_id integer, amount numeric,
                           overdue numeric, oldest_overdue_due date, credits numeric)
            LANGUAGE plpgsql STABLE
            SET max_parallel_workers_per_gather = 0
            SET plan_cache_mode = force_generic_plan
            AS $function$
            #variable_conflict use_column
            BEGIN
                RETURN QUERY %(body)s;
            END
            $function$
            """,
            name=SQL.identifier(CUSTOMER_FUNCTION),
            body=body,
        )

    @api.model
    def _union(self, open_part, company, partners, exclude):
        """The open part with the draft and orders parts, in one statement. ``partners``: the
        condition on a partner column.

        An order counts what is not invoiced yet: its lines' part not invoiced, less its down
        payments invoiced and not yet deducted by a final invoice (they are in the ledger, as a draft or
        an open item, or paid); never below zero.

        Sale documents live in sale journals (account.move constrains it): the journal condition lets
        the planner read only the draft entries of the moves' (journal_id, state, ...) index. Draft
        invoices count as invoiced in qty_invoiced: they are counted once, in the draft part. The parts
        are plain SELECTs, which plan a fifth faster than CTEs.
        """
        return SQL(
            """
            (%(open_part)s)
             UNION ALL
            (SELECT 'draft', m.commercial_partner_id, NULL::int, SUM(m.amount_total_signed), NULL, NULL,
                    NULL
               FROM account_move m
              WHERE m.journal_id IN (SELECT j.id FROM account_journal j WHERE j.type = 'sale')
                AND m.state = 'draft' AND m.move_type IN ('out_invoice', 'out_refund')
                AND %(move_partners)s AND m.company_id = %(company)s
              GROUP BY m.commercial_partner_id)
             UNION ALL
            (SELECT 'order', o.partner, o.currency_id, SUM(GREATEST(o.amount, 0)), NULL, NULL, NULL
               FROM (SELECT p.commercial_partner_id AS partner, so.currency_id,
                            SUM(CASE WHEN sol.is_downpayment THEN -COALESCE(down.amount, 0)
                                     ELSE sol.price_total
                                          * GREATEST(sol.product_uom_qty - sol.qty_invoiced, 0)
                                          / sol.product_uom_qty END) AS amount
                       FROM res_partner p
                       JOIN sale_order so ON so.partner_id = p.id
                       JOIN sale_order_line sol ON sol.order_id = so.id
                       LEFT JOIN LATERAL (%(down_payment)s) down ON TRUE
                      WHERE so.state = 'sale' AND so.invoice_status IN ('to invoice', 'no')
                        AND so.company_id = %(company)s
                        AND %(commercial_partners)s
                        AND so.id != ALL(%(exclude)s)
                        AND (sol.product_uom_qty > 0 OR sol.is_downpayment)
                      GROUP BY p.commercial_partner_id, so.currency_id, so.id) o
              GROUP BY o.partner, o.currency_id)
            """,
            down_payment=DOWN_PAYMENT_INVOICED,
            open_part=open_part,
            company=company,
            move_partners=partners(SQL("m.commercial_partner_id")),
            commercial_partners=partners(SQL("p.commercial_partner_id")),
            exclude=exclude,
        )

    @api.model
    def _sum_in_company_currency(self, rows, company):
        """(partner_id, currency_id, amount) rows -> {partner_id: amount in company currency today}."""
        today = fields.Date.context_today(self)
        currencies = self.env["res.currency"].browse({row[1] for row in rows})
        totals = {}
        for partner_id, currency_id, amount in rows:
            currency = currencies.browse(currency_id)
            if currency != company.currency_id:
                amount = currency._convert(amount, company.currency_id, company, today)
            totals[partner_id] = totals.get(partner_id, 0.0) + amount
        return totals


def due_date(alias="aml"):
    """An open item's due date: its maturity, else (an entry typed by hand on the receivable) its date.
    Every figure that says "overdue" or "days overdue" reads it (exposure, aging, collections)."""
    return SQL("COALESCE(%s, %s)", SQL.identifier(alias, "date_maturity"), SQL.identifier(alias, "date"))


def _overdue(today):
    """An open item past due on ``today`` (a date, or SQL naming one)."""
    return SQL("aml.amount_residual > 0 AND %s < %s", due_date(), today)


def partner_clause(column, partner_ids):
    """The partner condition: ``column = ANY(partner_ids)``, or no restriction for a whole-company
    pass (None).

    One partner (the scoring of a single queued customer) is compared with ``=``: the planner then
    knows the rows come in one group and aggregates them as the index returns them, where with ``ANY``
    it builds a hash table sized for thousands of groups (0.4 ms of a 3 ms statement, 5,000 open
    items).
    """
    if partner_ids is None:
        return SQL("TRUE")
    partner_ids = list(partner_ids)
    if len(partner_ids) == 1:
        return SQL("%s = %s", column, partner_ids[0])
    return SQL("%s = ANY(%s)", column, partner_ids)


def _aligned(ids, row_ids, values, fill=0.0):
    """Values of rows keyed by ``row_ids`` placed at the positions of sorted ``ids``; rows of other
    partners are dropped."""
    values = np.asarray(values)
    out = np.full(len(ids), fill, dtype=values.dtype)
    keep = np.isin(row_ids, ids)
    out[np.searchsorted(ids, row_ids[keep])] = values[keep]
    return out


def _aligned_dict(ids, mapping):
    return _aligned(
        ids,
        np.fromiter(mapping.keys(), dtype=np.int64, count=len(mapping)),
        np.fromiter(mapping.values(), dtype=float, count=len(mapping)),
    )
