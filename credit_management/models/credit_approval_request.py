from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare, format_amount

CONTROLLER = "credit_management.group_credit_controller"
MANAGER = "credit_management.group_credit_manager"

STATES = [
    ("pending", "Pending"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("expired", "Expired"),
    ("cancelled", "Cancelled"),
]


class CreditApprovalRequest(models.Model):
    """A salesperson's request to confirm an order the customer's credit does not cover.

    An approval (or a manager's override) holds for its order's amount and currency only:
    raising the order needs a new request. Users never create or write requests
    directly; the order confirmation and the decision methods do, after their checks.
    """

    _name = "credit.approval.request"
    _description = "Credit Approval Request"
    _inherit = ["mail.thread", "mail.activity.mixin", "credit.number.mixin"]
    _order = "id desc"
    _mail_post_access = "read"  # salespeople and controllers discuss requests they may not write

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    name = fields.Char(compute="_compute_name", store=True)
    order_id = fields.Many2one("sale.order", required=True, ondelete="cascade", index=True, readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Company Currency")
    currency_id = fields.Many2one("res.currency", required=True, readonly=True, help="The order's currency.")
    amount = fields.Monetary(
        readonly=True, help="The order total the decision holds for, in the order's currency."
    )
    exposure = fields.Monetary(
        currency_field="company_currency_id",
        readonly=True,
        help="Exposure including this order when it was requested, company currency.",
    )
    credit_limit = fields.Monetary(currency_field="company_currency_id", readonly=True)
    shortfall = fields.Monetary(currency_field="company_currency_id", readonly=True)
    max_days_overdue = fields.Integer(readonly=True)
    grade_id = fields.Many2one("credit.grade", readonly=True)
    explanation = fields.Text(readonly=True, help="Why the order needs a decision.")
    growth = fields.Boolean(
        "For a Larger Total",
        readonly=True,
        help="Asked for a confirmed order before raising it: the decision holds up to this amount.",
    )
    kind = fields.Selection(
        [("approval", "Approval"), ("override", "Manager override")],
        default="approval",
        required=True,
        readonly=True,
    )
    state = fields.Selection(
        STATES, default="pending", required=True, tracking=True, readonly=True, index=True
    )
    requested_by = fields.Many2one(
        "res.users", required=True, readonly=True, default=lambda self: self.env.user
    )
    decided_by = fields.Many2one("res.users", readonly=True, tracking=True)
    decision_date = fields.Datetime(readonly=True)
    reason = fields.Text(tracking=True, help="Required to refuse; given with every override.")
    expiry_date = fields.Datetime(readonly=True, tracking=True)

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("order_id.name", "kind")
    def _compute_name(self):
        for request in self:
            label = _("Override") if request.kind == "override" else _("Credit approval")
            request.name = f"{label} {request.order_id.name or ''}".strip()

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_approve(self):
        self._check_decidable()
        self.sudo().write(
            {
                "state": "approved",
                "decided_by": self.env.user.id,
                "decision_date": fields.Datetime.now(),
                "expiry_date": self._expiry_from_now(),
            }
        )
        # The customer already accepted these online: the decision confirms them.
        accepted = self.filtered(lambda r: r.order_id.signature and not r.growth)
        accepted.order_id.sudo()._validate_order()
        (self - accepted).filtered(lambda r: not r.growth)._notify_decision(
            _("Credit approved by %s: you can confirm the order.", self.env.user.name)
        )
        for request in self.filtered("growth"):
            # no to-do: nothing would close it, the order may be raised or not
            request._notify_decision(
                _(
                    "Credit approved by %(user)s: you can raise the order to %(amount)s.",
                    user=self.env.user.name,
                    amount=format_amount(self.env, request.amount, request.currency_id),
                ),
                todo=False,
            )
        accepted._notify_decision(
            _(
                "Credit approved by %s: the order the customer signed online is confirmed.",
                self.env.user.name,
            ),
            todo=False,
        )
        return True

    def action_reject(self):
        self._check_decidable()
        missing = self.filtered(lambda r: not (r.reason or "").strip())
        if missing:
            raise UserError(_("Give a reason to refuse %s: the salesperson sees it.", missing[0].name))
        self.sudo().write(
            {
                "state": "rejected",
                "decided_by": self.env.user.id,
                "decision_date": fields.Datetime.now(),
            }
        )
        for request in self:
            request._notify_decision(
                _("Credit refused by %(user)s: %(reason)s", user=self.env.user.name, reason=request.reason)
            )
        return True

    def action_open_reject_wizard(self):
        self._check_decidable()
        return {
            "type": "ir.actions.act_window",
            "name": _("Refuse credit"),
            "res_model": "credit.approval.reject.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_request_ids": self.ids},
        }

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _check_decidable(self):
        if not self.env.user.has_group(CONTROLLER):
            raise AccessError(_("Only credit controllers decide credit approval requests."))
        for request in self:
            if request.kind == "override" and not self.env.user.has_group(MANAGER):
                raise AccessError(
                    _("%s is past a credit block or hold: only a credit manager can decide it.", request.name)
                )
            if request.state != "pending":
                raise UserError(
                    _(
                        "%(name)s is %(state)s: only pending requests can be decided.",
                        name=request.name,
                        state=dict(self._fields["state"]._description_selection(self.env))[request.state],
                    )
                )
            if request.order_id.state not in (("sale",) if request.growth else ("draft", "sent")):
                raise UserError(
                    _(
                        "%(name)s: the order is already %(state)s, there is nothing left to decide.",
                        name=request.name,
                        state=dict(request.order_id._fields["state"]._description_selection(self.env))[
                            request.order_id.state
                        ],
                    )
                )
            if request.requested_by == self.env.user:
                raise AccessError(
                    _("You requested %s yourself: another controller must decide it.", request.name)
                )

    def _notify_decision(self, message, todo=True):
        """Tell the requester on their order (with a to-do, unless nothing is left to do), and close the
        controllers' to-dos."""
        approval_type = self.env.ref("credit_management.mail_activity_type_credit_approval")
        for request in self.sudo():
            request.activity_ids.filtered(lambda a: a.activity_type_id == approval_type).action_feedback(
                message
            )
            request.order_id.message_post(body=message, subtype_xmlid="mail.mt_note")
            if not todo:
                continue
            request.order_id.activity_schedule(
                "credit_management.mail_activity_type_credit_decision",
                summary=message[:80],
                note=message,
                user_id=request.requested_by.id,
            )

    def _expiry_from_now(self):
        policy = self.env["credit.policy"].sudo()._for_company(self.company_id[:1] or self.env.company)
        return fields.Datetime.now() + timedelta(days=policy.approval_validity_days)

    @api.model
    def _valid_for(self, orders):
        """{order id: request} of approved, unexpired requests that cover each order as it is now: its
        customer (commercial partner), company, currency and amount."""
        requests = self.search(
            [
                ("order_id", "in", orders.ids),
                ("state", "=", "approved"),
                ("expiry_date", ">=", fields.Datetime.now()),
            ],
            order="id desc",
        )
        valid = {}
        requests_of = requests.grouped("order_id")
        for order in orders:
            for request in requests_of.get(order, requests.browse()):
                if (
                    request.partner_id == order.partner_id.commercial_partner_id
                    and request.company_id == order.company_id
                    and request.currency_id == order.currency_id
                    and float_compare(
                        order.amount_total, request.amount, precision_rounding=order.currency_id.rounding
                    )
                    <= 0
                ):
                    valid[order.id] = request
                    break
        return valid

    @api.model
    def _prepare_request_values(self, order, check, explanation):
        """Values of a request for ``order`` from its credit check."""
        return {
            "order_id": order.id,
            "partner_id": order.partner_id.commercial_partner_id.id,
            "company_id": order.company_id.id,
            "amount": order.amount_total,
            "currency_id": order.currency_id.id,
            "exposure": check.exposure,
            "credit_limit": check.limit,
            "shortfall": check.shortfall,
            "max_days_overdue": check.max_days_overdue,
            "grade_id": check.grade.id,
            "explanation": explanation,
            "expiry_date": self._expiry_from_now(),
        }

    @api.model
    def _request_growth(self, order, new_total):
        """Ask, before raising confirmed ``order`` to ``new_total`` (order currency), for the decision
        the change will need; refuse when it needs none, or one that is not an approval."""
        order.check_access("write")  # the one who would make the change
        currency, company = order.currency_id, order.company_id
        if order.state != "sale":
            raise UserError(
                _("%s is not a confirmed order: confirm it, the check then asks what it needs.", order.name)
            )
        if currency.compare_amounts(new_total, order.amount_total) <= 0:
            raise UserError(
                _(
                    "New Total must be above the order's total, %(total)s: less needs no approval.",
                    total=format_amount(self.env, order.amount_total, currency),
                )
            )
        service = self.env["credit.check"]
        growth = currency._convert(
            new_total - order.amount_total, company.currency_id, company, fields.Date.context_today(self)
        )
        partner = order.partner_id.commercial_partner_id
        check = service._check_partner_orders(company, partner, [order], together=False, growth=growth)[
            order.id
        ]
        if check.action in ("allow", "warn"):
            raise UserError(
                _(
                    "Raising %(order)s to %(total)s needs no approval: make the change.",
                    order=order.name,
                    total=format_amount(self.env, new_total, currency),
                )
            )
        if check.action == "prepayment":
            raise UserError(
                _("Raising %s needs the customer's prepayment of the new total, not an approval.", order.name)
            )
        request, created = self._request_for(order, check, service._reasons(check), amount=new_total)
        if created:
            request._schedule_for_controllers()
        order._message_log(
            body=_(
                "Credit approval asked to raise the order to %(total)s: %(reasons)s",
                total=format_amount(self.env, new_total, currency),
                reasons=request.explanation,
            )
        )
        return request

    @api.model
    def _request_for(self, order, check, explanation, amount=None):
        """Create the pending request for ``order``, or bring the pending one up to date; ``amount``: a
        larger total than the confirmed order's, asked for before raising it."""
        values = {
            **self._prepare_request_values(order, check, explanation),
            **({"amount": amount, "growth": True} if amount is not None else {"growth": False}),
            # past a block or a hold (a customer's online acceptance), the decision is a manager's
            "kind": "override" if check.action in ("block", "hold") else "approval",
        }
        pending = self.sudo().search([("order_id", "=", order.id), ("state", "=", "pending")], limit=1)
        if pending:
            pending.write(values)
            return pending, False
        return self.sudo().create({**values, "requested_by": self._requester(order).id}), True

    @api.model
    def _requester(self, order):
        """Who asks: the user at work, or, when the customer acted (portal, online payment) or the system
        did, the order's salesperson, who is then told of the decision."""
        user = self.env.user
        if user.share or user._is_superuser() or not user.active:
            return order.user_id or user
        return user

    def _schedule_for_controllers(self):
        """A "Credit approval" activity for the policy's controller, else for the company's controllers;
        past a block or a hold, for the company's credit managers, who alone decide those."""
        for request in self.sudo():
            policy = self.env["credit.policy"]._for_company(request.company_id)
            users = policy.controller_user_id if request.kind == "approval" else self.env["res.users"]
            users = users or self.env.ref(
                MANAGER if request.kind == "override" else CONTROLLER
            ).users.filtered(lambda u, c=request.company_id: c in u.company_ids and u.share is False)
            # the requester cannot decide their own request, unless nobody else can
            for user in (users - request.requested_by) or users:
                request.activity_schedule(
                    "credit_management.mail_activity_type_credit_approval",
                    summary=_("Approve credit for %s", request.order_id.name),
                    note=request.explanation,
                    user_id=user.id,
                )

    def _cancel_open(self):
        open_requests = self.filtered(lambda r: r.state in ("pending", "approved"))
        open_requests.sudo().write({"state": "cancelled"})
        open_requests.sudo().activity_unlink(["credit_management.mail_activity_type_credit_approval"])

    @api.model
    def _cron_expire(self):
        """Daily: pending and approved requests past their expiry date expire."""
        expired = self.sudo().search(
            [
                ("state", "in", ("pending", "approved")),
                ("expiry_date", "<", fields.Datetime.now()),
            ]
        )
        expired.write({"state": "expired"})
        expired.activity_unlink(["credit_management.mail_activity_type_credit_approval"])
        return len(expired)
