from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.models import PREFETCH_MAX
from odoo.osv import expression
from odoo.tools import create_index, format_amount, split_every

from .credit_approval_request import STATES
from .credit_check import CHECK_ACTIONS, CREDIT_STATES

CREDIT_USER = "credit_management.group_credit_user"
# Confirmed orders not fully invoiced, per customer: the orders part of the exposure reads these only,
# whatever the length of a customer's order history. Dropped by the uninstall hook.
OPEN_ORDERS_INDEX = "sale_order__credit_open_partner_index"
CHECK_FIELDS = [
    "credit_check_action",
    "credit_check_level",
    "credit_check_message",
    "credit_state",
    "credit_grade_id",
    "credit_limit",
    "credit_exposure",
    "credit_available",
]


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def init(self):
        res = super().init()
        create_index(
            self.env.cr,
            OPEN_ORDERS_INDEX,
            self._table,
            ["partner_id"],
            where="state = 'sale' AND invoice_status IN ('to invoice', 'no')",
        )
        return res

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    credit_approval_ids = fields.One2many(
        "credit.approval.request", "order_id", string="Credit Approvals", groups=CREDIT_USER
    )
    credit_approval_id = fields.Many2one(
        "credit.approval.request",
        string="Credit Approval",
        compute="_compute_credit_approval",
        groups=CREDIT_USER,
    )
    credit_approval_state = fields.Selection(
        STATES, compute="_compute_credit_approval", search="_search_credit_approval_state", groups=CREDIT_USER
    )
    credit_check_action = fields.Selection(CHECK_ACTIONS, compute="_compute_credit_check", groups=CREDIT_USER)
    credit_check_level = fields.Selection(
        [("info", "Info"), ("warning", "Warning"), ("danger", "Danger")],
        compute="_compute_credit_check",
        groups=CREDIT_USER,
    )
    credit_check_message = fields.Char(
        compute="_compute_credit_check",
        groups=CREDIT_USER,
        help="What Confirm will do, given the customer's credit.",
    )
    credit_state = fields.Selection(
        CREDIT_STATES,
        compute="_compute_credit_check",
        search="_search_credit_state",
        groups=CREDIT_USER,
        help="What Confirm will do for this quotation, given the customer's credit today.",
    )
    credit_grade_id = fields.Many2one("credit.grade", compute="_compute_credit_check", groups=CREDIT_USER)
    credit_currency_id = fields.Many2one(related="company_id.currency_id", string="Credit Currency")
    credit_limit = fields.Monetary(
        compute="_compute_credit_check", currency_field="credit_currency_id", groups=CREDIT_USER
    )
    credit_exposure = fields.Monetary(
        compute="_compute_credit_check",
        currency_field="credit_currency_id",
        groups=CREDIT_USER,
        help="Customer's exposure including this order, in company currency at today's rate.",
    )
    credit_available = fields.Monetary(
        compute="_compute_credit_check", currency_field="credit_currency_id", groups=CREDIT_USER
    )
    credit_collection_level_id = fields.Many2one(
        "credit.collection.level",
        "Collections",
        compute="_compute_credit_collection_level_id",
        groups=CREDIT_USER,
        help="The customer is in collections: the last reminder level sent about their overdue items.",
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("partner_id", "company_id")
    def _compute_credit_collection_level_id(self):
        for company, orders in self.grouped("company_id").items():
            levels = (
                self.env["credit.collection.event"]
                .sudo()
                ._current_levels(company, orders.partner_id.commercial_partner_id.ids)
            )
            for order in orders:
                order.credit_collection_level_id = levels.get(
                    order.partner_id.commercial_partner_id.id, False
                )

    @api.depends("credit_approval_ids.state")
    def _compute_credit_approval(self):
        for order in self:
            order.credit_approval_id = order.credit_approval_ids[:1]
            order.credit_approval_state = order.credit_approval_id.state

    def _search_credit_approval_state(self, operator, value):
        return [("credit_approval_ids.state", operator, value)]

    @api.depends(
        "partner_id", "company_id", "currency_id", "amount_total", "state", "credit_approval_ids.state"
    )
    @api.depends_context("uid")
    def _compute_credit_check(self):
        draft = self._credit_open_quotations()
        (self - draft).update(dict.fromkeys(CHECK_FIELDS, False))
        service = self.env["credit.check"]
        try:
            checks = service._check_orders(draft, together=False)
        except UserError:  # one quotation's error (a currency without rate) must not blank the others
            checks = None
        for order in draft:
            try:
                check = (checks or service._check_orders(order, together=False))[order.id]
            except UserError as error:  # say so before the click
                order.update(
                    {
                        **dict.fromkeys(CHECK_FIELDS, False),
                        "credit_check_action": "block",
                        "credit_check_level": "danger",
                        "credit_check_message": error.args[0],
                        "credit_state": "blocked",
                    }
                )
                continue
            order.update(
                {
                    "credit_check_action": check.action,
                    "credit_check_level": service._level(check),
                    "credit_check_message": service._message(check),
                    "credit_state": service._state(check),
                    "credit_grade_id": check.grade.id,
                    "credit_limit": check.limit,
                    "credit_exposure": check.exposure,
                    "credit_available": check.limit - check.exposure,
                }
            )

    def _credit_open_quotations(self):
        return self.filtered(lambda o: o.state in ("draft", "sent") and o.partner_id and o.company_id)

    def _search_credit_state(self, operator, value):
        """The quotations whose check gives ``value``, checked in batches as the list would show them;
        every other order has no credit state (False)."""
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(_("Credit State can only be searched with =, !=, in or not in."))
        values = {value} if operator in ("=", "!=") else set(value or ())
        service = self.env["credit.check"]
        matching = []
        quotations = self.search([("state", "in", ("draft", "sent"))])._credit_open_quotations()
        for batch in split_every(PREFETCH_MAX, quotations.ids, self.browse):
            try:
                states = {
                    oid: service._state(check)
                    for oid, check in service._check_orders(batch, together=False).items()
                }
            except UserError:  # a quotation the check cannot read (a currency without rate): one by one
                states = {order.id: order.credit_state for order in batch}
            matching += [oid for oid, state in states.items() if state in values]
        domain = [("id", "in", matching)]
        if False in values:
            domain = expression.OR([domain, [("id", "not in", quotations.ids)]])
        return ["!", *domain] if operator in ("!=", "not in") else domain

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        # An order created confirmed (create, copy, import) is created a quotation, then confirmed by a
        # write: the gate checks it as any other confirmation, with its lines in place.
        self.env["credit.check"]._check_computed_not_written(self, vals_list)
        confirm = [vals.get("state") == "sale" for vals in vals_list]
        vals_list = [
            {**vals, "state": "draft"} if c else vals for vals, c in zip(vals_list, confirm, strict=True)
        ]
        orders = super().create(vals_list)
        # a customer's first quotation asks the bureaus, in the background, so its check can use them
        customers = orders.partner_id.commercial_partner_id.sudo()
        customers.filtered(lambda p: not p.credit_bureau_report_id)._credit_request_bureau_report("quotation")
        orders.browse([o.id for o, c in zip(orders, confirm, strict=True) if c]).write({"state": "sale"})
        return orders

    def write(self, vals):
        # The one gate: whatever method, context or RPC path, an order left confirmed with more credit
        # than before (confirmed, grown, moved to another customer or currency) is checked as written.
        gate = self.env["credit.check"]
        gate._check_computed_not_written(self, [vals])
        before = gate._order_states(self)
        with gate._writing(self):
            result = super().write(vals)
        gate._enforce(self, before)
        if vals.get("state") == "sale":
            # the salesperson's "you can confirm" is done, whatever confirmed the order
            self.sudo().activity_feedback(
                ["credit_management.mail_activity_type_credit_decision"],
                feedback=_("The order is confirmed."),
            )
        return result

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_confirm(self):
        """Check credit first: blocked orders raise, orders needing approval get a request and stay
        quotations, the others confirm."""
        checks, waiting = self._credit_check_quotations()
        refused = [c for c in checks.values() if not c.passes and c.action in ("block", "hold")]
        if refused:
            raise self.env["credit.check"]._block_error(refused, self)
        waiting._credit_hold_for_decision(checks)
        to_confirm = self - waiting
        result = True
        if to_confirm:
            with self.env["credit.check"]._confirming(to_confirm, checks):
                result = super(SaleOrder, to_confirm).action_confirm()
        if waiting:
            return self._credit_waiting_notification(waiting, to_confirm, checks)
        return result

    def _validate_order(self):
        # The customer accepted online (portal signature, checkout): what credit does not cover waits for
        # a decision, with the signature kept, instead of failing in front of the customer.
        checks, waiting = self._credit_check_quotations()
        waiting._credit_hold_for_decision(checks, customer_accepted=True)
        if self - waiting:
            return super(SaleOrder, self - waiting)._validate_order()
        return None

    def action_credit_override(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("Override Credit Check"),
            "res_model": "credit.override.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_ids": self.ids},
        }

    def action_credit_ask_growth(self):
        """Before raising a confirmed order the customer's credit would not cover: ask for the decision."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Ask Credit Approval for a Larger Total"),
            "res_model": "credit.growth.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id, "default_new_total": self.amount_total},
        }

    def action_credit_ask_review(self):
        """A blocked salesperson's next step: an activity for the credit controller on the quotation."""
        self.ensure_one()
        if self.state not in ("draft", "sent") or self.credit_check_level != "danger":
            raise UserError(
                _("%s is not blocked by the credit check: there is nothing to review.", self.name)
            )
        controller = self.env["credit.policy"].sudo()._for_company(self.company_id).controller_user_id
        if not controller:
            raise UserError(
                _(
                    "No credit controller is set on the credit policy: "
                    "ask your manager to set one, then ask again."
                )
            )
        review = self.env.ref("credit_management.mail_activity_type_credit_review")
        asked = self.sudo().activity_ids.filtered(
            lambda activity: activity.activity_type_id == review and activity.user_id == controller
        )
        if not asked:
            message = _(
                "%(user)s asks for a credit review of %(order)s: %(check)s",
                user=self.env.user.name,
                order=self.name,
                check=self.credit_check_message or "",
            )
            self.sudo().activity_schedule(
                activity_type_id=review.id,
                summary=_("Credit review asked by sales"),
                note=message,
                user_id=controller.id,
            )
            self._message_log(body=message)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _("%s has been asked to review this quotation's credit.", controller.name),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _action_cancel(self):
        result = super()._action_cancel()
        self.sudo().credit_approval_ids._cancel_open()
        return result

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _credit_warn(self, checks):
        service = self.env["credit.check"]
        review = self.env.ref("credit_management.mail_activity_type_credit_review")
        for order in self:
            check = checks[order.id]
            message = _("Confirmed with a credit warning: %s.", service._reasons(check))
            # logged, not posted: it must not depend on the salesperson's email address
            order._message_log(body=message)
            controller = check.contact
            if controller:
                order.sudo().activity_schedule(
                    activity_type_id=review.id,
                    summary=_("Order confirmed over credit"),
                    note=message,
                    user_id=controller.id,
                )

    def _credit_check_quotations(self):
        """The credit checks of the quotations among these orders, taken with the customers' locks, and
        the quotations the checks do not let through."""
        to_check = self.filtered(lambda o: o.state in ("draft", "sent"))
        checks = self.env["credit.check"]._check_orders(to_check, lock=True)
        return checks, self.browse([c.order_id for c in checks.values() if not c.passes])

    def _credit_hold_for_decision(self, checks, customer_accepted=False):
        """Quotations the check does not let through, left unconfirmed: a prepayment grade asks for the
        customer's online payment; otherwise a controller is asked to decide (past a block or a hold,
        when the customer accepted online, a manager)."""
        prepayment = self.filtered(lambda o: checks[o.id].action == "prepayment")
        prepayment._credit_ask_prepayment(checks)
        to_decide = self - prepayment
        if not customer_accepted:
            to_decide = to_decide.filtered(lambda o: checks[o.id].action == "approval")
        to_decide._credit_request_approval(checks, customer_accepted)

    def _credit_ask_prepayment(self, checks):
        service = self.env["credit.check"]
        for order in self:
            share = checks[order.id].grade.prepayment_percent
            if not order.require_payment or order.prepayment_percent < share:
                order.write({"require_payment": True, "prepayment_percent": share})
            order._message_log(body=service._message(checks[order.id]))

    def _credit_request_approval(self, checks, customer_accepted=False):
        requests = self.env["credit.approval.request"]
        service = self.env["credit.check"]
        title = (
            _("Accepted by the customer online; waiting for a credit decision.")
            if customer_accepted
            else _("Waiting for credit approval.")
        )
        for order in self:
            check = checks[order.id]
            explanation = service._reasons(check)
            request, created = requests._request_for(order, check, explanation)
            if created:
                request._schedule_for_controllers()
                order._message_log(body=Markup("%s<br/>%s") % (title, explanation))

    def _credit_awaiting_decision(self):
        """Whether a credit decision on the order is pending (told to the customer on the portal)."""
        self.ensure_one()
        return bool(self.sudo().credit_approval_ids.filtered(lambda r: r.state == "pending"))

    def _credit_payment_refused(self, transaction, error):
        """A payment arrived for quotations credit still refuses: say so on each, to its salesperson."""
        message = _(
            "%(amount)s paid online (%(reference)s), but the credit check keeps the order a quotation: "
            "%(reason)s",
            amount=format_amount(self.env, transaction.amount, transaction.currency_id),
            reference=transaction.reference,
            reason=error.args[0],
        )
        for order in self.sudo():
            order._message_log(body=message)
            order.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=_("Paid online, not confirmed: credit review needed"),
                note=message,
                user_id=(order.user_id or self.env.ref("base.user_admin")).id,
            )

    def _credit_waiting_notification(self, waiting, confirmed, checks):
        prepaying = waiting.filtered(lambda o: checks[o.id].action == "prepayment")
        texts = []
        if waiting - prepaying:
            texts.append(
                _(
                    "Waiting for credit approval: %s. A credit controller has been asked.",
                    ", ".join((waiting - prepaying).mapped("name")),
                )
            )
        if prepaying:
            texts.append(
                _(
                    "Waiting for the customer's prepayment: %s. Send the quotation: it confirms when the "
                    "customer pays online.",
                    ", ".join(prepaying.mapped("name")),
                )
            )
        message = " ".join(texts)
        if confirmed:
            message += " " + _("Confirmed: %s.", ", ".join(confirmed.mapped("name")))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Credit approval requested") if waiting - prepaying else _("Prepayment requested"),
                "message": message,
                "type": "warning",
                "sticky": False,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
