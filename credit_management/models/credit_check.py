import contextlib
import logging
from dataclasses import dataclass

import numpy as np

from odoo import _, api, fields, models
from odoo.exceptions import RedirectWarning, UserError
from odoo.tools import SQL, float_compare, float_is_zero, format_amount, format_datetime

from .. import rules
from .credit_grade import ORDER_ACTIONS

# Outcomes of a check: the grade's order actions, plus a hold, which always blocks.
CHECK_ACTIONS = [*ORDER_ACTIONS, ("hold", "Credit hold")]
# What Confirm will do for a quotation, as the quotation list shows and filters it.
CREDIT_STATES = [
    ("ok", "Credit OK"),
    ("cleared", "Approved or prepaid"),
    ("warn", "Credit warning"),
    ("approval", "Needs approval"),
    ("prepayment", "Needs prepayment"),
    ("blocked", "Blocked"),
    ("hold", "Credit hold"),
]
# What the check reads of each record, fetched alone: reading one field fetches all the prefetchable
# fields of a model otherwise, hundreds for res.company and res.partner.
COMPANY_FIELDS = ["currency_id"]
CURRENCY_FIELDS = ["rounding", "decimal_places", "name", "symbol", "position"]
GRADE_FIELDS = [
    "code",
    "name",
    "order_action",
    "overdue_tolerance_days",
    "limit_method",
    "limit_amount",
    "limit_percent",
    "limit_months",
    "limit_floor",
    "limit_cap",
]
PARTNER_FIELDS = [
    "credit_grade_id",
    "credit_limit",
    "credit_limit_manual",
    "credit_hold",
    "credit_hold_reason",
    "credit_hold_date",
]
# Computed by Odoo from the order lines and read by the check or the exposure: written directly, they
# would let an order past the gate or out of the exposure. The web client never sends them.
COMPUTED_BY_ODOO = {
    "sale.order": frozenset(
        {"amount_untaxed", "amount_tax", "amount_total", "currency_id", "invoice_status"}
    ),
    "sale.order.line": frozenset(
        {
            "price_subtotal",
            "price_tax",
            "price_total",
            "qty_invoiced",
            "invoice_status",
            "untaxed_amount_invoiced",
            "untaxed_amount_to_invoice",
        }
    ),
}
# Transaction state of the gate, in the cursor's cache where no RPC argument reaches: the checks that
# action_confirm made just before its own write, and the orders whose write is under way (their lines'
# changes are checked once, when the order's write ends).
CONFIRMING = "credit_management.confirming"
WRITING = "credit_management.writing"


@dataclass
class CreditCheck:
    """What confirming one order would do, with the figures behind it (company currency)."""

    order_id: int
    action: str  # allow | warn | approval | prepayment | block | hold
    grade: object
    limit: float
    exposure: float  # including this order and the orders checked before it in the same call
    order_amount: float
    max_days_overdue: int
    tolerance: int
    over_limit: bool
    overdue: bool
    approval: object = None  # the approved request or override that lets the order through
    currency: object = None
    hold_reason: str = ""
    hold_since: object = None
    policy: object = None
    prepaid: bool = False  # the customer paid the grade's prepayment share online

    @property
    def contact(self):
        """Who to ask about credit: the policy's controller. Read only when a message or an
        activity needs it, so that an order within credit does not read the policy."""
        return self.policy.controller_user_id if self.policy else None

    @property
    def shortfall(self):
        return max(self.exposure - self.limit, 0.0)

    @property
    def passes(self):
        return self.action in ("allow", "warn") or bool(self.approval) or self.prepaid


class CreditCheckService(models.AbstractModel):
    """The credit check of sale order confirmation, and the gate every change of an order passes.

    Orders are checked per commercial partner and company, together: each order counts
    against the ones before it. With ``lock``, the check bumps the partners' rows in
    ``credit_check_lock``, in the round trip that reads the first one's exposure. Odoo
    transactions are REPEATABLE READ, so a confirmation that committed after this
    transaction's snapshot makes that UPDATE fail with a serialization error, and Odoo
    replays the request on a fresh snapshot that sees it: two confirmations can never
    both pass on stale exposure. (Every read of the transaction sees that one snapshot,
    so reading before or after the UPDATE makes no difference.)
    """

    _name = "credit.check"
    _description = "Credit Check"

    @api.model
    def _check_orders(self, orders, lock=False, together=True):
        """{order id: CreditCheck} for ``orders``: what confirming them (or keeping them confirmed,
        as they now are) adds to their customers' exposure.

        ``together``: orders of one customer count against each other, as when they are
        confirmed in one call; otherwise each is checked as if confirmed alone.
        """
        results = {}
        groups = {}
        for order in orders.sorted(lambda o: o._origin.id or 0):
            groups.setdefault((order.company_id, order.partner_id.commercial_partner_id), []).append(order)
        if lock:
            # The first customer's exposure read carries the locks, in one round trip.
            before = self._lock_statement(sorted((c.id, p.id) for c, p in groups))
            for (company, partner), group in groups.items():
                results.update(self._check_partner_orders(company, partner, group, together, before))
                before = None
            return results
        # Unlocked (what Confirm would do, for screens and lists): each part read once for all the orders.
        known = self._read_batch(groups, orders)
        for (company, partner), group in groups.items():
            results.update(self._check_partner_orders(company, partner, group, together, known=known))
        return results

    @api.model
    def _read_batch(self, groups, orders):
        """What the checks of ``groups`` (orders by company and customer) read, read once for all of
        them: the customers' exposure without the orders, per company in one statement; the profiles,
        grades, companies and currencies into the cache; the policies; the orders' approvals."""
        exposures, policies = {}, {}
        by_company = {}
        for (company, partner), group in groups.items():
            ids, exclude = by_company.setdefault(company, (set(), set()))
            if partner.id:
                ids.add(partner.id)
            # the exposure counts confirmed orders only: a quotation has nothing to take out of it
            exclude.update(o._origin.id for o in group if o._origin.id and o.state == "sale")
        for company, (ids, exclude) in by_company.items():
            company.fetch(COMPANY_FIELDS)
            company.currency_id.fetch(CURRENCY_FIELDS)
            policies[company] = policy = self.env["credit.policy"].sudo()._for_company(company)
            partners = self.env["res.partner"].browse(sorted(ids)).with_company(company).sudo()
            partners.fetch(PARTNER_FIELDS)
            (partners.credit_grade_id | policy.new_customer_grade_id).fetch(GRADE_FIELDS)
            if not ids:  # only customers being created in a form: nothing owed yet
                continue
            data = (
                self.env["credit.exposure"].sudo()._exposure(company, ids, exclude_order_ids=sorted(exclude))
            )
            for index, pid in enumerate(data["ids"].tolist()):
                exposures[company.id, pid] = (
                    float(data["exposure"][index]),
                    int(data["max_days_overdue"][index]),
                )
        saved = orders.browse([o._origin.id for o in orders if o._origin.id])
        return {
            "exposures": exposures,
            "policies": policies,
            "approvals": self.env["credit.approval.request"].sudo()._valid_for(saved),
        }

    # ------------------------------------------------------------------
    # The gate
    # ------------------------------------------------------------------
    @api.model
    def _check_computed_not_written(self, model, vals_list):
        """Refuse values for what Odoo computes from the lines (``COMPUTED_BY_ODOO``)."""
        if self.env.su:
            return
        for vals in vals_list:
            written = COMPUTED_BY_ODOO[model._name].intersection(vals)
            if written:
                raise UserError(
                    _(
                        "%(fields)s cannot be written: Odoo computes them from the order lines. Change the "
                        "lines (quantity, price, discount, taxes) instead.",
                        fields=", ".join(
                            sorted(model._fields[f]._description_string(self.env) for f in written)
                        ),
                    )
                )

    @api.model
    def _order_states(self, orders):
        """{order id: (state, commercial partner, company, currency, total)}: what the gate compares
        an order with after a change."""
        return {
            order.id: (
                order.state,
                order.partner_id.commercial_partner_id.id,
                order.company_id.id,
                order.currency_id.id,
                order.amount_total,
            )
            for order in orders.sudo()
            if order.id
        }

    @api.model
    def _needs_check(self, after, before, rounding):
        """Whether an order, from ``before`` to ``after`` (its ``_order_states`` values; ``before`` None
        for a new one), takes more credit: it is newly confirmed, changed customer, company or currency
        while confirmed, or grew. Decreases always pass."""
        if after[0] != "sale":
            return False
        if not before or before[0] != "sale" or after[1:4] != before[1:4]:
            return True
        return float_compare(after[4], before[4], precision_rounding=rounding) > 0

    @api.model
    def _enforce(self, orders, before):
        """The gate: refuse any change that leaves one of ``orders`` confirmed with more credit than
        ``before`` (``_order_states`` before the change) unless the check lets it through; warn
        where the grade says so. Checks the orders as the change left them, in its transaction."""
        after = self._order_states(orders)
        states = {
            order.id: after[order.id]
            for order in orders
            if order.id in after
            and self._needs_check(after[order.id], before.get(order.id), order.currency_id.rounding)
        }
        if not states:
            return
        to_check = orders.browse(list(states))
        memo = self.env.cr.cache.get(CONFIRMING, {})
        # the same customer, company, currency and total as action_confirm checked a moment ago
        if all(oid in memo and memo[oid][0][1:] == state[1:] for oid, state in states.items()):
            checks = {oid: memo[oid][1] for oid in states}
        else:
            checks = self._check_orders(to_check, lock=True)
        refused = [c for c in checks.values() if not c.passes]
        if refused:
            grown = [oid for oid in states if (before.get(oid) or ("",))[0] == "sale"]
            raise self._block_error(refused, orders, grown)
        to_check.browse(
            [c.order_id for c in checks.values() if c.action == "warn" and not c.approval]
        )._credit_warn(checks)

    @contextlib.contextmanager
    def _confirming(self, orders, checks):
        """action_confirm's checks, reused by the gate when its write confirms the same orders
        unchanged."""
        memo = self.env.cr.cache.setdefault(CONFIRMING, {})
        states = self._order_states(orders)
        memo.update({oid: (state, checks[oid]) for oid, state in states.items() if oid in checks})
        try:
            yield
        finally:
            for oid in states:
                memo.pop(oid, None)

    @contextlib.contextmanager
    def _writing(self, orders):
        """While ``orders`` are written, changes of their lines wait for the order's own check."""
        writing = self.env.cr.cache.setdefault(WRITING, {})
        ids = [oid for oid in orders.ids if oid]
        for oid in ids:
            writing[oid] = writing.get(oid, 0) + 1
        try:
            yield
        finally:
            for oid in ids:
                writing[oid] -= 1
                if not writing[oid]:
                    del writing[oid]

    @api.model
    def _confirmed_not_being_written(self, orders):
        """The confirmed ``orders`` whose own write is not under way: their line changes are checked at
        once. (Quotations' lines are free: the confirmation checks them.)"""
        writing = self.env.cr.cache.get(WRITING, {})
        return orders.sudo().filtered(lambda o: o.id not in writing and o.state == "sale").with_env(self.env)

    @api.model
    def _lock_statement(self, company_partner_ids):
        """SQL that bumps the customers' rows in ``credit_check_lock``."""
        return SQL(
            """
            INSERT INTO credit_check_lock (company_id, partner_id, seq)
            SELECT c, p, 1 FROM unnest(%s::int[], %s::int[]) AS v(c, p)
            ON CONFLICT (company_id, partner_id) DO UPDATE SET seq = credit_check_lock.seq + 1
            """,
            [c for c, _p in company_partner_ids],
            [p for _c, p in company_partner_ids],
        )

    @api.model
    def _check_partner_orders(self, company, partner, orders, together, before=None, known=None, growth=0.0):
        """``known``: what ``_read_batch`` read for a batch of checks; without it, read here, for this
        customer (``before``: SQL run first, in the same round trip). ``growth``: an increase of the
        orders' amount not made yet (company currency), to check before asking for it: no approval
        given so far counts for it."""
        partner = partner.with_company(company).sudo()
        saved = self.env["sale.order"].browse([o._origin.id for o in orders if o._origin.id])
        if known:
            policy = known["policies"][company]
            exposure = known["exposures"].get((company.id, partner.id), (0.0, 0))
            approvals = known["approvals"]
        else:
            if partner.id:  # not for a partner being created in a form
                partner.fetch(PARTNER_FIELDS)
            company.fetch(COMPANY_FIELDS)
            company.currency_id.fetch(CURRENCY_FIELDS)
            policy = self.env["credit.policy"].sudo()._for_company(company)
            data = (
                self.env["credit.exposure"]
                .sudo()
                ._exposure(company, [partner.id], exclude_order_ids=saved.ids, before=before)
            )
            exposure = (float(data["exposure"][0]), int(data["max_days_overdue"][0]))
            approvals = None  # looked up only for an order that needs one
        grade = partner.credit_grade_id or policy.new_customer_grade_id
        if not known:
            grade.fetch(GRADE_FIELDS)
        limit = self._partner_limit(partner, grade)
        base, max_days = exposure
        overdue = max_days > grade.overdue_tolerance_days
        hold_reason = (
            partner._credit_reason_in_language(partner.credit_hold_reason) if partner.credit_hold else ""
        )
        rounding = company.currency_id.rounding
        results = {}
        for order in orders:
            # Money received for the order is not exposure: an order paid in full adds none, whatever the
            # customer's credit.
            amount = max(self._order_amount(order, company) - self._received_amount(order, company), 0.0)
            amount += growth
            exposure = base + amount
            over_limit = float_compare(exposure, limit, precision_rounding=rounding) > 0
            if float_is_zero(amount, precision_rounding=rounding):
                action = "allow"
            elif partner.credit_hold:
                action = "hold"
            elif over_limit or overdue:
                action = grade.order_action
            else:
                action = "allow"
            check = CreditCheck(
                order_id=order.id,
                action=action,
                grade=grade,
                limit=limit,
                exposure=exposure,
                order_amount=amount,
                max_days_overdue=max_days,
                tolerance=grade.overdue_tolerance_days,
                over_limit=over_limit,
                overdue=overdue,
                currency=company.currency_id,
                approval=None,
                hold_reason=hold_reason,
                hold_since=partner.credit_hold_date,
                policy=policy,
                prepaid=action == "prepayment" and self._prepaid(order, grade),
            )
            if action != "allow" and not growth:
                if approvals is None:
                    approvals = self.env["credit.approval.request"].sudo()._valid_for(saved)
                check.approval = self._approval_for(action, approvals.get(order._origin.id))
            results[order.id] = check
            # An order that will be confirmed uses credit the next one no longer has.
            if together and check.passes:
                base = exposure
        return results

    @api.model
    def _approval_for(self, action, request):
        """The request that lets an order through: any approval where the grade asks for one;
        past a block or a hold, only a manager's override."""
        if action == "allow" or not request:
            return None
        if action in ("block", "hold") and request.kind != "override":
            return None
        return request

    @api.model
    def _partner_limit(self, partner, grade):
        """The partner's limit; a customer never scored gets the limit of the grade applied to them."""
        if partner.credit_grade_id or partner.credit_limit_manual:
            return partner.credit_limit
        return float(rules.base_limits(np.zeros(1, dtype=int), np.zeros(1), grade._rules_table())[0])

    @api.model
    def _order_amount(self, order, company):
        """What the order adds to exposure, in company currency at today's rate: a quotation its total,
        a confirmed order its amount not yet invoiced (counted as the exposure counts other orders).
        Refuses a currency without a rate."""
        amount = self._uninvoiced_amount(order) if order.state == "sale" else order.amount_total
        if order.currency_id == company.currency_id:
            return amount
        today = fields.Date.context_today(self)
        has_rate = (
            self.env["res.currency.rate"]
            .sudo()
            .search_count(
                [
                    ("currency_id", "=", order.currency_id.id),
                    ("company_id", "in", [False, company.root_id.id]),
                    ("name", "<=", today),
                ],
                limit=1,
            )
        )
        if not has_rate:
            raise UserError(
                _(
                    "%(order)s is in %(currency)s, which has no exchange rate on or before %(date)s for "
                    "%(company)s. Add a rate in Accounting > Configuration > Currencies, then confirm again.",
                    order=order.name,
                    currency=order.currency_id.name,
                    date=today,
                    company=company.name,
                )
            )
        return order.currency_id._convert(amount, company.currency_id, company, today)

    @api.model
    def _received_amount(self, order, company):
        """Paid online for the order and not yet in the ledger (a transaction authorized, or done before
        its payment is posted; a posted payment is an open credit of the customer's, in the exposure
        already), in company currency."""
        transactions = order.sudo().transaction_ids.filtered(
            lambda tx: tx.state in ("authorized", "done") and not tx.payment_id
        )
        today = fields.Date.context_today(self)
        return sum(
            tx.currency_id._convert(tx.amount, company.currency_id, company, today) for tx in transactions
        )

    @api.model
    def _prepaid(self, order, grade):
        """Whether the customer paid online the grade's share of the order, at least."""
        required = order.currency_id.round(order.amount_total * grade.prepayment_percent)
        return order.currency_id.compare_amounts(order.sudo().amount_paid, required) >= 0

    @api.model
    def _uninvoiced_amount(self, order):
        """What a confirmed order has not invoiced yet, as the exposure counts it (credit.exposure._union):
        its lines' part not invoiced, less its down payments invoiced and not yet deducted."""
        lines = order.order_line.filtered(lambda line: line.product_uom_qty > 0)
        if not any(lines.mapped("qty_invoiced")):
            not_invoiced = order.amount_total
        else:
            not_invoiced = sum(
                line.price_total * max(line.product_uom_qty - line.qty_invoiced, 0.0) / line.product_uom_qty
                for line in lines
            )
        down_payments = sum(
            -invoice_line.price_total
            if invoice_line.move_id.move_type == "out_refund"
            else invoice_line.price_total
            for invoice_line in order.sudo().order_line.filtered("is_downpayment").invoice_lines
            if invoice_line.move_id.state != "cancel"
        )
        return max(not_invoiced - down_payments, 0.0)

    # ------------------------------------------------------------------
    # Messages
    # ------------------------------------------------------------------
    @api.model
    def _figures(self, check):
        env, currency = self.env, check.currency
        return {
            "grade": check.grade.display_name or _("none"),
            "grade_code": check.grade.code or "-",
            "limit": format_amount(env, check.limit, currency),
            "exposure": format_amount(env, check.exposure, currency),
            "shortfall": format_amount(env, check.shortfall, currency),
            "available": format_amount(env, check.limit - check.exposure, currency),
            "days": check.max_days_overdue,
            "tolerance": check.tolerance,
        }

    @api.model
    def _reasons(self, check):
        figures = self._figures(check)
        reasons = []
        if check.over_limit:
            reasons.append(_("exposure %(exposure)s exceeds the limit %(limit)s by %(shortfall)s", **figures))
        if check.overdue and not check.tolerance:
            reasons.append(
                _("an invoice is %(days)s days overdue and grade %(grade_code)s allows none", **figures)
            )
        elif check.overdue:
            reasons.append(
                _(
                    "an invoice is %(days)s days overdue, more than the %(tolerance)s days "
                    "grade %(grade_code)s allows",
                    **figures,
                )
            )
        return "; ".join(reasons)

    @api.model
    def _level(self, check):
        if check.approval or check.action == "allow":
            return "info"
        return "warning" if check.action in ("warn", "approval", "prepayment") else "danger"

    @api.model
    def _state(self, check):
        """The check's ``CREDIT_STATES`` key."""
        if check.action == "allow":
            return "ok"
        if check.approval or check.prepaid:
            return "cleared"
        return {"block": "blocked"}.get(check.action, check.action)

    @api.model
    def _message(self, check):
        """One sentence for the salesperson: what Confirm will do and why."""
        figures = self._figures(check)
        if check.action == "hold":
            return _(
                "Confirm is blocked: the customer is on credit hold since %(since)s (%(reason)s). "
                "Contact %(contact)s.",
                since=format_datetime(self.env, check.hold_since, dt_format="short")
                if check.hold_since
                else "-",
                reason=check.hold_reason or _("no reason given"),
                contact=check.contact.name if check.contact else _("your credit controller"),
            )
        if check.action == "allow":
            if check.over_limit or check.overdue:
                return _(
                    "Confirm goes through: grade %(grade)s allows it, although %(reasons)s.",
                    grade=figures["grade"],
                    reasons=self._reasons(check),
                )
            return _("Within credit: grade %(grade)s, %(available)s available after this order.", **figures)
        if check.prepaid:
            return _("Prepayment received: Confirm goes through. (%s)", self._reasons(check))
        if check.approval:
            return _(
                "Credit approved by %(user)s for this amount: Confirm goes through. (%(reasons)s)",
                user=check.approval.decided_by.name,
                reasons=self._reasons(check),
            )
        reasons = self._reasons(check)
        if check.action == "prepayment":
            share = f"{check.grade.prepayment_percent * 100:g}%"
            return _(
                "Confirm asks the customer to pay %(share)s of the order online first; it confirms when the "
                "payment arrives: %(reasons)s.",
                share=share,
                reasons=reasons,
            )
        texts = {
            "warn": _("Confirm goes through with a credit warning: %s.", reasons),
            "approval": _("Confirm requests credit approval: %s.", reasons),
            "block": _(
                "Confirm is blocked: %(reasons)s. Ask for a review: %(contact)s will look at it.",
                reasons=reasons,
                contact=check.contact.name,
            )
            if check.contact
            else _(
                "Confirm is blocked: %s. No credit controller is set to review it: ask your manager.", reasons
            ),
        }
        return texts[check.action]

    @api.model
    def _block_error(self, checks, orders, grown=()):
        """The error that refuses ``checks``' orders; ``grown``: ids of confirmed orders a change made
        larger, told apart from confirmations."""
        lines = [
            _(
                "%(order)s: %(message)s Limit %(limit)s, exposure %(exposure)s, shortfall %(shortfall)s, "
                "oldest overdue item %(days)s days.",
                order=orders.browse(c.order_id).name,
                message=self._growth_message(c) if c.order_id in grown else self._message(c),
                **self._figures(c),
            )
            for c in checks
        ]
        message = "\n".join(lines)
        review = self._review_offer(checks, grown)
        if not review:
            return UserError(message)
        # The block dialog's next step: its button asks the controller for a review of the quotation.
        error = RedirectWarning(message, *review)
        error.loglevel = logging.INFO  # a refusal, not a failure: no traceback in the log
        return error

    @api.model
    def _review_offer(self, checks, grown):
        """(action, button, context) of the block dialog's "Ask for a Review", when the web client's
        Confirm (``credit_review_offer`` in its context) is refused one quotation that a controller can
        review; None otherwise (RPC callers, several refused orders, a change of a confirmed order)."""
        if not self.env.context.get("credit_review_offer") or len(checks) != 1 or grown:
            return None
        check = checks[0]
        if check.action not in ("block", "hold") or not check.contact:
            return None
        action = self.env.ref("credit_management.action_sale_order_credit_ask_review")
        return (
            action.id,
            _("Ask for a Review"),
            {"active_model": "sale.order", "active_id": check.order_id, "active_ids": [check.order_id]},
        )

    @api.model
    def _growth_message(self, check):
        """Why a confirmed order cannot take more credit, and who to ask."""
        needs = {
            "approval": _("a credit approval of the new total"),
            "prepayment": _("the customer's prepayment of the new total"),
            "block": _("a credit manager's override"),
            "hold": _("the hold to be lifted"),
        }
        return _(
            "This change takes more credit than the customer has (%(reasons)s); it needs %(needs)s. "
            "Ask %(contact)s, or keep the order as it was.",
            reasons=self._reasons(check) or _("credit hold"),
            needs=needs[check.action],
            contact=check.contact.name if check.contact else _("your credit controller"),
        )
