from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from .. import dunning

STATES = [("open", "Open"), ("kept", "Kept"), ("partial", "Partially kept"), ("broken", "Broken")]
# A promise not kept in full: it escalates the reminders and counts against the customer's score.
FAILED = ("partial", "broken")


class CreditPaymentPromise(models.Model):
    """A customer's promise to pay an amount by a date. Its state is decided by the payments reconciled
    with its items by the date plus the policy's grace; while open it pauses the reminders."""

    _name = "credit.payment.promise"
    _description = "Promise to Pay"
    _inherit = ["mail.thread", "credit.number.mixin"]
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    partner_id = fields.Many2one("res.partner", "Customer", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount = fields.Monetary(required=True, currency_field="currency_id", tracking=True)
    date = fields.Date("Promised Date", required=True, tracking=True)
    line_ids = fields.Many2many(
        "account.move.line",
        "credit_payment_promise_line_rel",
        "promise_id",
        "line_id",
        "Items",
        help="The items the customer promised to pay; payments reconciled with them count.",
    )
    user_id = fields.Many2one("res.users", "Collector", default=lambda self: self.env.user)
    state = fields.Selection(STATES, required=True, default="open", readonly=True, tracking=True, index=True)
    amount_paid = fields.Monetary("Paid", currency_field="currency_id", readonly=True)
    decided_date = fields.Date(readonly=True)
    escalated = fields.Boolean(readonly=True, help="The reminders were escalated after the promise failed.")
    note = fields.Text()

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("amount")
    def _check_amount(self):
        for promise in self:
            if promise.amount <= 0:
                raise ValidationError(_("Amount: a promise to pay is for a positive amount."))

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            if not self.env.user.has_group("credit_management.group_credit_controller"):
                raise AccessError(_("Recording a promise to pay needs the Credit Controller group."))
            for vals in vals_list:
                self._check_new(vals)
        promises = super().create(vals_list)
        self.env["credit.collection.event"].sudo().create(
            [
                {
                    "partner_id": promise.partner_id.id,
                    "company_id": promise.company_id.id,
                    "channel": "promise",
                    "user_id": promise.user_id.id,
                    "amount": promise.amount,
                    "line_ids": [fields.Command.set(promise.line_ids.ids)],
                    "note": _("Promised %(amount)s by %(date)s.", amount=promise.amount, date=promise.date),
                }
                for promise in promises
            ]
        )
        return promises

    def write(self, vals):
        if not self.env.su and set(vals) - {"note"}:
            raise AccessError(
                _("A promise to pay cannot be changed once recorded: record a new one, or add a note.")
            )
        return super().write(vals)

    @api.model
    def _check_new(self, vals):
        for field in ("state", "amount_paid", "decided_date", "escalated"):
            if field in vals:
                raise UserError(
                    _("%s is decided from the payments, not set by hand.", self._fields[field].string)
                )
        vals = self._add_missing_default_values(vals)
        date = fields.Date.to_date(vals.get("date"))
        if date and date < fields.Date.context_today(self):
            raise ValidationError(_("Promised Date: a promise is for today or a later date."))
        partner = self.env["res.partner"].browse(vals.get("partner_id")).exists()
        if not partner or partner != partner.commercial_partner_id:
            raise UserError(_("Record the promise on the customer's company, not on one of its contacts."))
        lines = self.env["account.move.line"].sudo().browse(_ids(vals.get("line_ids")))
        strangers = lines.filtered(
            lambda line: line.partner_id.commercial_partner_id != partner
            or line.account_id.account_type != "asset_receivable"
            or line.company_id.id != vals.get("company_id", self.env.company.id)
        )
        if strangers:
            raise ValidationError(_("Items: a promise covers the customer's own receivable items only."))

    # ------------------------------------------------------------------
    # Decision
    # ------------------------------------------------------------------
    @api.model
    def _decide(self, company, today, grace_days):
        """Decide the company's open promises from the payments reconciled with their items by their date
        plus the grace. Returns the promises that failed today (broken or partially kept)."""
        self.flush_model()
        self.env["account.partial.reconcile"].flush_model(["debit_move_id", "amount", "max_date"])
        self.env.cr.execute(
            SQL(
                """
            SELECT p.id, p.amount, p.date + %(grace)s,
                   COALESCE((SELECT SUM(apr.amount)
                               FROM credit_payment_promise_line_rel r
                               JOIN account_partial_reconcile apr ON apr.debit_move_id = r.line_id
                              WHERE r.promise_id = p.id
                                AND apr.max_date >= p.create_date::date
                                AND apr.max_date <= p.date + %(grace)s), 0)
              FROM credit_payment_promise p
             WHERE p.company_id = %(company)s AND p.state = 'open'
            """,
                grace=int(grace_days),
                company=company.id,
            )
        )
        rows = self.env.cr.fetchall()
        if not rows:
            return self.browse()
        ids, amounts, deadlines, paid = zip(*rows, strict=True)
        states = dunning.promise_states(amounts, paid, deadlines, today)
        decided = self.browse()
        for state in ("kept", "partial", "broken"):
            chosen = [i for i, (pid, s) in enumerate(zip(ids, states, strict=True)) if s == state]
            for i in chosen:
                promise = self.browse(ids[i])
                promise.write({"state": state, "amount_paid": paid[i], "decided_date": today})
                decided |= promise
        return decided.filtered(lambda p: p.state in FAILED)


def _ids(commands):
    """The ids a many2many's commands set or link."""
    ids = []
    for command in commands or []:
        if command[0] == fields.Command.SET:
            ids = list(command[2])
        elif command[0] == fields.Command.LINK:
            ids.append(command[1])
    return ids
