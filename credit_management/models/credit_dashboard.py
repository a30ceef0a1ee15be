from datetime import timedelta

import numpy as np
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, date_utils

from .. import charts

TOP = 10
DROP_DAYS = 7
# The days of sales the days-sales-outstanding figure compares the receivable with.
DSO_DAYS = 90
MIX_MONTHS = 12
CHART_WIDTH, CHART_HEIGHT = 480, 180


class CreditDashboard(models.AbstractModel):
    """The credit controller's dashboard (the client action ``credit_management.dashboard``): what the
    company's book owes and what needs attention now.

    One call (:meth:`get_data`) returns every figure, chart and list; the figures come from
    ``credit.exposure`` (one whole-company pass), so they are the ones every other screen shows. Read
    as the user, so record rules apply to the customers, requests and promises listed.
    """

    _name = "credit.dashboard"
    _description = "Credit Dashboard"

    # ------------------------------------------------------------------
    # The client action's data
    # ------------------------------------------------------------------
    @api.model
    def get_data(self):
        self._check_controller()
        company = self.env.company
        figures = self._figures()
        grades = self._grade_rows(figures)
        return {
            "currency_id": company.currency_id.id,
            "kpis": self._kpis(company, figures),
            "grades": grades,
            "grade_chart": self._grade_chart(grades),
            "mix": self._grade_mix(company),
            "overdue": self._largest_overdue(figures),
            "approvals": self._pending_approvals(company),
            "holds": self._latest_holds(),
            "drops": self._score_drops(company),
        }

    @api.model
    def action_open_kpi(self, key):
        """The list a KPI tile counts."""
        self._check_controller()
        actions = {
            "exposure": lambda: self._customers_action(),
            "over_limit": lambda: self._customers_action(
                self._over_limit_ids(), self.env._("Customers Over Their Limit")
            ),
            "overdue": self._overdue_action,
            "dso": lambda: self._customers_action(),
            "holds": lambda: self._customers_action(context={"search_default_on_hold": 1}),
            "approvals": self._approvals_action,
            "promises": self._promises_action,
        }
        if key not in actions:
            raise UserError(self.env._("The dashboard has no tile %r.", key))
        return actions[key]()

    # ------------------------------------------------------------------
    # Figures
    # ------------------------------------------------------------------
    @api.model
    def _check_controller(self):
        if not self.env.user.has_group("credit_management.group_credit_controller"):
            raise AccessError(self.env._("The credit dashboard is for credit controllers and managers."))

    @api.model
    def _customer_domain(self):
        return [("parent_id", "=", False), ("customer_rank", ">", 0)]

    @api.model
    def _figures(self):
        """The figures (``credit.exposure``) of the customers the user may read, with each one's credit
        limit (as the customer form reads it) and grade id (0: not scored) aligned with them: one statement
        for the customers, one pass for the figures."""
        partners = self.env["res.partner"]
        query = partners._search(self._customer_domain(), order="id")
        table = query.table
        self.env.cr.execute(
            query.select(
                SQL.identifier(table, "id"),
                # the ORM's reading, a company's default credit limit (Accounting's setting) included
                SQL("COALESCE(%s, 0)", partners._field_to_sql(table, "credit_limit", query)),
                SQL("COALESCE(%s, 0)", partners._field_to_sql(table, "credit_grade_id", query)),
            )
        )
        rows = self.env.cr.fetchall()
        ids = np.array([row[0] for row in rows], dtype=np.int64)
        figures = self.env["credit.exposure"]._exposure(self.env.company, ids.tolist(), whole_company=True)
        positions = np.searchsorted(ids, figures["ids"])
        figures["limit"] = np.array([row[1] for row in rows], dtype=float)[positions]
        figures["grade"] = np.array([row[2] for row in rows], dtype=np.int64)[positions]
        return figures

    @api.model
    def _kpis(self, company, figures):
        receivable_gross = float((figures["receivable"] - figures["credits"]).sum())
        overdue = float(figures["overdue"].sum())
        sales = self._sales(company, DSO_DAYS)
        today = fields.Date.context_today(self)
        promises = self.env["credit.payment.promise"].search_count(
            [("company_id", "=", company.id), ("state", "=", "open"), ("date", "<=", today)]
        )
        _ = self.env._
        return [
            {
                "key": "exposure",
                "label": _("Total Exposure"),
                "value": float(figures["exposure"].sum()),
                "format": "monetary",
                "help": _("Open receivables net of credits, unposted invoices and confirmed orders."),
            },
            {
                "key": "over_limit",
                "label": _("Over Their Limit"),
                "value": len(self._over_limit_ids(figures)),
                "format": "integer",
                "help": _("Customers whose exposure is above their credit limit."),
            },
            {
                "key": "overdue",
                "label": _("Overdue Share"),
                "value": overdue / receivable_gross * 100 if receivable_gross > 0 else 0.0,
                "format": "percent",
                "help": _("Overdue invoices (gross) over all open invoices."),
                "detail": overdue,
            },
            {
                "key": "dso",
                "label": _("DSO"),
                "value": float(figures["receivable"].sum()) / sales * DSO_DAYS if sales > 0 else 0.0,
                "format": "days",
                "help": _("Days sales outstanding: the open receivable over the last 90 days' sales."),
            },
            {
                "key": "holds",
                "label": _("On Credit Hold"),
                "value": self.env["res.partner"].search_count(
                    [*self._customer_domain(), ("credit_hold", "=", True)]
                ),
                "format": "integer",
                "help": _("Customers whose orders are blocked by a hold."),
            },
            {
                "key": "approvals",
                "label": _("Pending Approvals"),
                "value": self.env["credit.approval.request"].search_count(self._approvals_domain()),
                "format": "integer",
                "help": _("Orders waiting for a credit controller's decision."),
            },
            {
                "key": "promises",
                "label": _("Promises Due Today"),
                "value": promises,
                "format": "integer",
                "help": _("Open promises to pay whose date has come."),
            },
        ]

    @api.model
    def _over_limit_ids(self, figures=None):
        """The customers whose exposure is above their credit limit."""
        figures = self._figures() if figures is None else figures
        half_cent = self.env.company.currency_id.rounding / 2  # float_compare's tolerance, on arrays
        over = (figures["exposure"] > half_cent) & (figures["exposure"] - figures["limit"] > half_cent)
        return figures["ids"][over].tolist()

    @api.model
    def _sales(self, company, days):
        """Customer invoices less credit notes posted in the last ``days`` days, in company currency."""
        today = fields.Date.context_today(self)
        self.env["account.move"].flush_model(["amount_total_signed", "state", "move_type", "invoice_date"])
        self.env.cr.execute(
            SQL(
                """
            SELECT COALESCE(SUM(amount_total_signed), 0) FROM account_move
             WHERE company_id = %s AND state = 'posted' AND move_type IN ('out_invoice', 'out_refund')
               AND invoice_date > %s AND invoice_date <= %s
            """,
                company.id,
                today - timedelta(days=days),
                today,
            )
        )
        return float(self.env.cr.fetchone()[0])

    @api.model
    def _grade_rows(self, figures):
        """Customers, exposure and overdue (gross) per grade, best grade first; unscored last."""
        grades = self.env["credit.grade"].browse(np.unique(figures["grade"][figures["grade"] > 0]).tolist())
        rows = []
        for grade in [*grades.sorted(lambda grade: -grade.min_score), None]:
            members = figures["grade"] == (grade.id if grade else 0)
            rows.append(
                {
                    "id": grade.id if grade else False,
                    "code": grade.code if grade else "",
                    "name": grade.display_name if grade else self.env._("Not scored"),
                    "color": grade.color if grade else 0,
                    "customers": int(members.sum()),
                    "exposure": float(figures["exposure"][members].sum()),
                    "overdue": float(figures["overdue"][members].sum()),
                }
            )
        return [row for row in rows if row["customers"]]

    @api.model
    def _grade_chart(self, grades):
        """Two bars per grade, exposure and overdue, on one scale: their rectangles' geometry."""
        values = [(row["exposure"], row["overdue"]) for row in grades]
        return {
            "width": CHART_WIDTH,
            "height": CHART_HEIGHT,
            "bars": charts.grouped_bars(values, CHART_WIDTH, CHART_HEIGHT),
        }

    @api.model
    def _grade_mix(self, company):
        """Customers per grade at each of the last twelve month ends (the grade distribution's
        snapshots), as stacked bars."""
        today = fields.Date.context_today(self)
        start = date_utils.start_of(today - relativedelta(months=MIX_MONTHS - 1), "month")
        groups = self.env["credit.grade.distribution.report"]._read_group(
            [("company_id", "=", company.id), ("date", ">=", start)],
            ["date:month", "grade_id"],
            ["customer_count:sum"],
        )
        months = [start + relativedelta(months=n) for n in range(MIX_MONTHS)]
        grades = self.env["credit.grade"].search([("company_id", "=", company.id)], order="min_score desc")
        counts = np.zeros((len(grades), len(months)))
        grade_index = {grade.id: i for i, grade in enumerate(grades)}
        month_index = {month: i for i, month in enumerate(months)}
        for month, grade, count in groups:
            if grade.id in grade_index and month in month_index:
                counts[grade_index[grade.id], month_index[month]] = count
        return {
            "width": CHART_WIDTH,
            "height": CHART_HEIGHT,
            "months": [fields.Date.to_string(month)[:7] for month in months],
            "series": [
                {"code": grade.code, "name": grade.display_name, "color": grade.color, "rects": rects}
                for grade, rects in zip(
                    grades, charts.stacked_bars(counts, CHART_WIDTH, CHART_HEIGHT), strict=True
                )
            ],
        }

    # ------------------------------------------------------------------
    # Lists
    # ------------------------------------------------------------------
    @api.model
    def _largest_overdue(self, figures):
        order = np.argsort(-figures["overdue"], kind="stable")[:TOP]
        order = [i for i in order.tolist() if figures["overdue"][i] > 0]
        partners = self.env["res.partner"].browse(figures["ids"][order].tolist())
        return [
            {
                "id": partner.id,
                "name": partner.display_name,
                "overdue": float(figures["overdue"][i]),
                "days": int(figures["max_days_overdue"][i]),
                "grade": partner.credit_grade_id.code or "",
            }
            for partner, i in zip(partners, order, strict=True)
        ]

    @api.model
    def _approvals_domain(self):
        return [("state", "=", "pending"), ("company_id", "=", self.env.company.id)]

    @api.model
    def _pending_approvals(self, company):
        requests = self.env["credit.approval.request"].search(
            self._approvals_domain(), order="create_date", limit=TOP
        )
        return [
            {
                "id": request.id,
                "name": request.order_id.name or request.display_name,
                "partner": request.partner_id.display_name,
                "amount": request.amount,
                "currency_id": request.currency_id.id,
                "requested": fields.Datetime.to_string(request.create_date),
            }
            for request in requests
        ]

    @api.model
    def _latest_holds(self):
        partners = self.env["res.partner"].search(
            [*self._customer_domain(), ("credit_hold", "=", True)], order="credit_hold_date desc", limit=TOP
        )
        return [
            {
                "id": partner.id,
                "name": partner.display_name,
                "since": fields.Date.to_string(partner.credit_hold_date),
                "reason": partner.credit_hold_reason_text or "",
            }
            for partner in partners
        ]

    @api.model
    def _score_drops(self, company):
        since = fields.Datetime.now() - timedelta(days=DROP_DAYS)
        drops = self.env["credit.score.history"].search(
            [("company_id", "=", company.id), ("date", ">=", since), ("score_change", "<", 0)],
            order="score_change, date desc",
            limit=TOP,
        )
        return [
            {
                "id": drop.partner_id.id,
                "name": drop.partner_id.display_name,
                "score": drop.score,
                "change": drop.score_change,
                "grade": drop.grade_id.code or "",
            }
            for drop in drops
        ]

    # ------------------------------------------------------------------
    # What the tiles open
    # ------------------------------------------------------------------
    @api.model
    def _customers_action(self, ids=None, name=None, context=None):
        action = self.env["ir.actions.act_window"]._for_xml_id("credit_management.action_credit_customers")
        if ids is not None:
            action["domain"] = [("id", "in", ids)]
            action["name"] = name
        if context:
            action["context"] = context
        return action

    @api.model
    def _overdue_action(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("credit_management.action_credit_aging_report")
        action["domain"] = [("days_overdue", ">", 0)]
        return action

    @api.model
    def _approvals_action(self):
        return self.env["ir.actions.act_window"]._for_xml_id(
            "credit_management.action_credit_approval_request"
        )

    @api.model
    def _promises_action(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "credit_management.action_credit_payment_promise"
        )
        action["domain"] = [
            ("state", "=", "open"),
            ("date", "<=", fields.Date.to_string(fields.Date.context_today(self))),
        ]
        return action
