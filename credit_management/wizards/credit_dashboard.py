from datetime import timedelta

import numpy as np

from odoo import _, api, fields, models

TOP = 10
DROP_DAYS = 7


class CreditDashboard(models.TransientModel):
    """The credit controller's desk: what needs attention now, in the current company.

    Each part is one set-based read (searches, read_group on the aging report, one
    whole-company exposure pass), read as the user so record rules apply.
    """

    _name = "credit.dashboard"
    _description = "Credit Dashboard"

    company_id = fields.Many2one("res.company", default=lambda self: self.env.company, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    hold_count = fields.Integer(compute="_compute_holds")
    hold_partner_ids = fields.Many2many("res.partner", string="Latest holds", compute="_compute_holds")
    pending_count = fields.Integer(compute="_compute_pending")
    pending_approval_ids = fields.Many2many(
        "credit.approval.request", string="Pending approvals", compute="_compute_pending"
    )
    overdue_partner_ids = fields.Many2many(
        "res.partner", string="Largest overdue", compute="_compute_overdue"
    )
    overdue_total = fields.Monetary(compute="_compute_overdue")
    drop_history_ids = fields.Many2many(
        "credit.score.history", string="Largest score drops", compute="_compute_drops"
    )
    grade_exposure_html = fields.Html("Exposure by grade", compute="_compute_grade_exposure", sanitize=False)

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    def _compute_holds(self):
        domain = [*self._customer_domain(), ("credit_hold", "=", True)]
        partners = self.env["res.partner"]
        for dashboard in self:
            dashboard.hold_count = partners.search_count(domain)
            dashboard.hold_partner_ids = partners.search(domain, order="credit_hold_date desc", limit=TOP)

    def _compute_pending(self):
        requests = self.env["credit.approval.request"]
        domain = [("state", "=", "pending"), ("company_id", "=", self.env.company.id)]
        for dashboard in self:
            dashboard.pending_count = requests.search_count(domain)
            dashboard.pending_approval_ids = requests.search(domain, order="create_date", limit=TOP)

    def _compute_overdue(self):
        aging = self.env["credit.aging.report"]
        domain = [("company_id", "=", self.env.company.id), ("days_overdue", ">", 0)]
        groups = aging._read_group(
            domain, ["partner_id"], ["amount_residual:sum"], order="amount_residual:sum desc", limit=TOP
        )
        total = aging._read_group(domain, [], ["amount_residual:sum"])[0][0] or 0.0
        for dashboard in self:
            dashboard.overdue_partner_ids = self.env["res.partner"].concat(
                *(partner for partner, _sum in groups)
            )
            dashboard.overdue_total = total

    def _compute_drops(self):
        since = fields.Datetime.now() - timedelta(days=DROP_DAYS)
        drops = self.env["credit.score.history"].search(
            [("company_id", "=", self.env.company.id), ("date", ">=", since), ("score_change", "<", 0)],
            order="score_change, date desc",
            limit=TOP,
        )
        for dashboard in self:
            dashboard.drop_history_ids = drops

    def _compute_grade_exposure(self):
        rows = self._grade_exposure()
        total = sum(exposure for _grade, _count, exposure in rows) or 1.0
        html = self.env["ir.qweb"]._render(
            "credit_management.credit_grade_exposure",
            {
                "rows": [
                    (grade, count, exposure, max(exposure, 0.0) / total * 100)
                    for grade, count, exposure in rows
                ],
                "currency": self.env.company.currency_id,
            },
        )
        for dashboard in self:
            dashboard.grade_exposure_html = html

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    @api.model
    def action_open(self):
        dashboard = self.create({})
        # create() caches x2many fields of a new record as empty, computed ones included:
        # drop that so that the lists are computed when read in this transaction too.
        dashboard.invalidate_recordset()
        return {
            "type": "ir.actions.act_window",
            "name": _("Credit Dashboard"),
            "res_model": self._name,
            "res_id": dashboard.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_view_holds(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("credit_management.action_credit_customers")
        action["context"] = {"search_default_on_hold": 1}
        return action

    def action_view_pending(self):
        return self.env["ir.actions.act_window"]._for_xml_id(
            "credit_management.action_credit_approval_request"
        )

    def action_view_overdue(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("credit_management.action_credit_aging_report")
        action["domain"] = [("days_overdue", ">", 0)]
        return action

    def action_view_drops(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "credit_management.action_credit_score_history"
        )
        action["domain"] = [("score_change", "<", 0)]
        action["context"] = {"search_default_date": 1}
        return action

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    @api.model
    def _customer_domain(self):
        return [("parent_id", "=", False), ("customer_rank", ">", 0)]

    @api.model
    def _grade_exposure(self):
        """[(grade, customers, exposure)] for the company's customers, best grade first."""
        groups = self.env["res.partner"]._read_group(
            self._customer_domain(), ["credit_grade_id"], ["id:array_agg"]
        )
        ids = [partner_id for _grade, members in groups for partner_id in members]
        exposure = self.env["credit.exposure"]._exposure(self.env.company, ids, whole_company=True)
        rows = [
            (
                grade,
                len(members),
                float(exposure["exposure"][np.searchsorted(exposure["ids"], members)].sum()),
            )
            for grade, members in groups
        ]
        return sorted(rows, key=lambda row: -row[0].min_score if row[0] else 1)
