from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .. import rules, scoring

LIMIT_METHODS = [
    ("fixed", "Fixed amount"),
    ("sales_share", "Share of last 12 months' sales"),
    ("sales_months", "Months of average sales"),
]
NON_NEGATIVE = (
    "bureau_refresh_days",
    "limit_amount",
    "limit_percent",
    "limit_months",
    "limit_floor",
    "limit_cap",
    "overdue_tolerance_days",
)
ORDER_ACTIONS = [
    ("allow", "Allow"),
    ("warn", "Warn"),
    ("approval", "Require approval"),
    ("prepayment", "Ask for prepayment"),
    ("block", "Block"),
]


class CreditGrade(models.Model):
    _name = "credit.grade"
    _description = "Credit Grade"
    _inherit = ["mail.thread", "credit.number.mixin"]
    _order = "company_id, min_score desc, id"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    name = fields.Char(required=True, translate=True, tracking=True)
    code = fields.Char(required=True, size=2, help="Short code shown on customers, A best … E worst.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    min_score = fields.Float(
        required=True,
        digits=(5, 1),
        tracking=True,
        help="Lowest score of this band; the band runs up to the next grade's minimum. "
        "The bands of a company must start at 0 and may not share a minimum.",
    )
    max_score = fields.Float(compute="_compute_max_score", digits=(5, 1))
    color = fields.Integer()

    limit_method = fields.Selection(LIMIT_METHODS, required=True, default="fixed", tracking=True)
    limit_amount = fields.Monetary(
        currency_field="currency_id", tracking=True, help="Credit limit when the method is Fixed amount."
    )
    limit_percent = fields.Float(
        digits=(5, 2), tracking=True, help="Percentage of the customer's invoiced amount over 12 months."
    )
    limit_months = fields.Float(
        digits=(5, 2), tracking=True, help="Number of months of the customer's average monthly sales."
    )
    limit_floor = fields.Monetary(
        currency_field="currency_id", tracking=True, help="The computed limit is never below this amount."
    )
    limit_cap = fields.Monetary(
        currency_field="currency_id",
        tracking=True,
        help="The limit, promotions included, never exceeds this amount. 0 means no cap.",
    )
    limit_bureau_cap = fields.Boolean(
        "Capped by the Bureau",
        tracking=True,
        help="The limit never exceeds the credit limit the customer's latest bureau report recommends.",
    )
    bureau_refresh_days = fields.Integer(
        "Bureau Refresh (days)",
        default=365,
        tracking=True,
        help="A customer of this grade gets a new bureau report when the latest is older than this; 0 never.",
    )
    payment_term_id = fields.Many2one(
        "account.payment.term",
        tracking=True,
        check_company=True,
        help="Payment term given to the grade's customers; empty leaves their term alone.",
    )
    order_action = fields.Selection(
        ORDER_ACTIONS,
        required=True,
        default="allow",
        tracking=True,
        help="What happens when a salesperson confirms an order over the limit or with items "
        "overdue beyond the tolerance.",
    )
    prepayment_percent = fields.Float(
        default=0.3,
        tracking=True,
        help="With the order action Ask for prepayment: the share of the order the customer pays online "
        "before it confirms (Odoo's online payment of the quotation).",
    )
    overdue_tolerance_days = fields.Integer(
        tracking=True, help="Open items overdue up to this many days do not trigger the order action."
    )
    collection_plan_id = fields.Many2one(
        "credit.collection.plan",
        "Collection Plan",
        tracking=True,
        check_company=True,
        help="The reminders this grade's customers get when their items fall due and age.",
    )
    partner_count = fields.Integer(compute="_compute_partner_count")

    _sql_constraints = [
        ("code_company_uniq", "unique(code, company_id)", "A grade code must be unique per company."),
    ]

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("min_score", "company_id")
    def _compute_max_score(self):
        for grade in self:
            higher = self.search(
                [("company_id", "=", grade.company_id.id), ("min_score", ">", grade.min_score)],
                order="min_score",
                limit=1,
            )
            grade.max_score = higher.min_score if higher else 100.0

    def _compute_partner_count(self):
        groups = self.env["res.partner"]._read_group(
            [("credit_grade_id", "in", self.ids)], ["credit_grade_id"], ["__count"]
        )
        counts = {grade.id: count for grade, count in groups}
        for grade in self:
            grade.partner_count = counts.get(grade.id, 0)

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("min_score", "company_id", "active")
    def _check_bands(self):
        for company in self.company_id:
            self._validate_company_bands(company)

    def _validate_company_bands(self, company):
        bounds = (
            self.with_context(active_test=True).search([("company_id", "=", company.id)]).mapped("min_score")
        )
        try:
            scoring.validate_bands(bounds)
        except scoring.ScoringError as error:
            raise ValidationError(
                _(
                    "Grades of %(company)s, field Min Score: %(problem)s. "
                    "Bands must start at 0 and tile 0-100.",
                    company=company.display_name,
                    problem=error.message,
                )
            ) from None

    @api.constrains(*NON_NEGATIVE, "order_action", "prepayment_percent")
    def _check_limit_rule(self):
        labels = self._fields
        for grade in self:
            for fname in NON_NEGATIVE:
                if grade[fname] < 0:
                    raise ValidationError(
                        _(
                            "Grade %(grade)s: %(field)s cannot be negative (got %(value)s); enter 0 or more.",
                            grade=grade.display_name,
                            field=labels[fname].string,
                            value=grade[fname],
                        )
                    )
            if grade.order_action == "prepayment" and not 0 < grade.prepayment_percent <= 1:
                raise ValidationError(
                    _(
                        "Grade %(grade)s: the Prepayment share must be above 0%% and at most 100%% "
                        "(got %(value)s).",
                        grade=grade.display_name,
                        value=grade.prepayment_percent,
                    )
                )
            if grade.limit_cap and grade.limit_cap < grade.limit_floor:
                raise ValidationError(
                    _(
                        "Grade %(grade)s: the Limit Cap (%(cap)s) is below the Limit Floor (%(floor)s); "
                        "raise the cap, lower the floor, or set the cap to 0 for no cap.",
                        grade=grade.display_name,
                        cap=grade.limit_cap,
                        floor=grade.limit_floor,
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.depends("code", "name")
    def _compute_display_name(self):
        for grade in self:
            grade.display_name = f"{grade.code} - {grade.name}" if grade.code else grade.name

    def unlink(self):
        companies = self.company_id
        res = super().unlink()
        for company in companies:
            self._validate_company_bands(company)
        return res

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_view_partners(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("credit_management.action_credit_customers")
        action["domain"] = [("credit_grade_id", "=", self.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    @api.model
    def _set_min_scores(self, min_scores):
        """Give the grades ``min_scores`` ({grade id: min score}), one write each, in an order where no two
        grades ever share a min score on the way, so that each write passes the band check."""
        todo = {gid: score for gid, score in min_scores.items() if self.browse(gid).min_score != score}
        while todo:
            held = set(self.browse(list(todo)).mapped("min_score"))
            free = [gid for gid, score in todo.items() if score not in held]
            if not free:  # grades swapping their bands: one steps aside first
                gid = next(iter(todo))
                taken = held | set(todo.values())
                # min scores keep one decimal
                spare = next(tenth / 10 for tenth in range(999, 0, -1) if tenth / 10 not in taken)
                self.browse(gid).write({"min_score": spare})
                continue
            for gid in free:
                self.browse(gid).write({"min_score": todo.pop(gid)})

    def _rules_table(self):
        """The grades' limit rules as arrays, in the order of ``self``, for :mod:`rules`."""
        return rules.GradeTable(
            limit_method=[g.limit_method for g in self],
            limit_amount=self.mapped("limit_amount"),
            limit_percent=self.mapped("limit_percent"),
            limit_months=self.mapped("limit_months"),
            limit_floor=self.mapped("limit_floor"),
            limit_cap=self.mapped("limit_cap"),
        )
