from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL, date_utils, format_date

from .. import charts
from .credit_aging_report import BUCKETS
from .tz import user_tz

CHART_WIDTH, CHART_HEIGHT = 480, 120
REVIEW_MONTHS = 12
RECENT_APPROVALS = 10


class CreditReviewReport(models.AbstractModel):
    """Values of the customer credit review PDF: one section per commercial partner.

    Each part is read once for all printed customers (one query or search per part), and
    read as the printing user, so the record rules of aging lines and orders apply.
    """

    _name = "report.credit_management.report_credit_review"
    _description = "Customer Credit Review"

    @api.model
    def _get_report_values(self, docids, data=None):
        partners = self.env["res.partner"].browse(docids).commercial_partner_id
        company = self.env.company
        histories = self._last_histories(partners, company)
        months = self._monthly_scores(partners, company)
        items = self.env["credit.aging.report"].search(
            [("partner_id", "in", partners.ids), ("company_id", "=", company.id)],
            order="partner_id, date_maturity, id",
        )
        items_of = items.grouped("partner_id")
        orders = self._open_orders(partners, company)
        approvals = self._recent_approvals(partners, company)
        bureau = self._bureau_reports(partners, company)
        return {
            "doc_ids": partners.ids,
            "doc_model": "res.partner",
            "docs": partners,
            "company": company,
            "printed_on": fields.Datetime.now(),
            "buckets": self.env["credit.aging.report"]._fields["bucket"]._description_selection(self.env),
            "review": {
                partner.id: {
                    "history": histories.get(partner.id, self.env["credit.score.history"]),
                    "months": months.get(partner.id, []),
                    "chart": _chart_points(months.get(partner.id, [])),
                    "aging": self._aging(items_of.get(partner, items.browse())),
                    "items": items_of.get(partner, items.browse()),
                    "orders": orders.filtered(lambda o, p=partner: o.partner_id.commercial_partner_id == p),
                    "approvals": approvals.get(partner.id, self.env["credit.approval.request"]),
                    "bureau": bureau.get(partner.id),
                }
                for partner in partners
            },
        }

    @api.model
    def _bureau_reports(self, partners, company):
        """{partner id: latest bureau report}: whoever may read bureau reports sees it whole, others (as on
        the Credit tab) its bureau, date and rating only."""
        reports = partners.with_company(company).sudo().credit_bureau_report_id
        whole = self.env["credit.bureau.report"].has_access("read")
        return {
            report.partner_id.id: {
                "report": report if whole else None,
                "provider": report.provider_id.name,
                "date": report.date,
                "rating": report.rating,
            }
            for report in reports
        }

    @api.model
    def _last_histories(self, partners, company):
        """The latest history row of each partner in ``company``: the breakdown of their current score."""
        rows = self.env["credit.score.history"].search(
            [("partner_id", "in", partners.ids), ("company_id", "=", company.id)], order="date desc, id desc"
        )
        latest = {}
        for row in rows:
            latest.setdefault(row.partner_id.id, row)
        return latest

    @api.model
    def _monthly_scores(self, partners, company):
        """{partner id: [(month label, score, grade)]} at each of the last 12 month ends, oldest first.

        A month's value is the partner's last history row on or before its end (user's time zone).
        """
        last = date_utils.start_of(fields.Date.context_today(self), "month")
        first = last - relativedelta(months=REVIEW_MONTHS - 1)
        self.env["credit.score.history"].flush_model(
            ["company_id", "date", "grade_id", "partner_id", "score"]
        )
        rows = self.env.execute_query(
            SQL(
                """
            SELECT p.id, month.start::date, h.score, h.grade_id
              FROM unnest(%(partners)s::int[]) AS p(id)
             CROSS JOIN generate_series(%(first)s::timestamp, %(last)s::timestamp, interval '1 month')
                        AS month(start)
              LEFT JOIN LATERAL (
                   SELECT score, grade_id FROM credit_score_history
                    WHERE partner_id = p.id AND company_id = %(company)s
                      AND date < ((month.start + interval '1 month') AT TIME ZONE %(tz)s) AT TIME ZONE 'UTC'
                    ORDER BY date DESC, id DESC
                    LIMIT 1
              ) h ON TRUE
             ORDER BY p.id, month.start
            """,
                partners=partners.ids,
                first=first,
                last=last,
                company=company.id,
                tz=user_tz(self),
            )
        )
        grades = self.env["credit.grade"].browse({row[3] for row in rows if row[3]})
        months = {}
        for partner_id, month, score, grade_id in rows:
            label = format_date(self.env, month, date_format="MMM yyyy")
            months.setdefault(partner_id, []).append((label, score, grades.browse(grade_id)))
        return months

    @api.model
    def _aging(self, items):
        """{bucket column: open amount} of a customer's aging lines, plus the total."""
        columns = [f"amount_{key}" for key, _label in BUCKETS] + ["amount_residual"]
        return {column: sum(items.mapped(column)) for column in columns}

    @api.model
    def _recent_approvals(self, partners, company):
        """{partner id: requests}: the last approval requests and overrides of each partner, newest first."""
        requests = self.env["credit.approval.request"].search(
            [("partner_id", "in", partners.ids), ("company_id", "=", company.id)],
            order="create_date desc, id desc",
        )
        recent = {}
        for request in requests:
            kept = recent.setdefault(request.partner_id.id, self.env["credit.approval.request"])
            if len(kept) < RECENT_APPROVALS:
                recent[request.partner_id.id] = kept | request
        return recent

    @api.model
    def _open_orders(self, partners, company):
        """Confirmed orders not fully invoiced, as counted in the exposure."""
        return self.env["sale.order"].search(
            [
                ("partner_id.commercial_partner_id", "in", partners.ids),
                ("company_id", "=", company.id),
                ("state", "=", "sale"),
                ("invoice_status", "in", ("to invoice", "no")),
            ],
            order="date_order",
        )


def _chart_points(months):
    """SVG polyline points of the monthly scores (0-100 mapped to the chart's height); empty (no chart)
    without two scored months to draw a line between."""
    points = [(i, score) for i, (_label, score, _grade) in enumerate(months) if score is not None]
    if len(points) < 2:
        return ""
    return charts.polyline(
        points,
        CHART_WIDTH,
        CHART_HEIGHT,
        x_range=(0, len(months) - 1),
        y_range=(0, 100),
    )
