from markupsafe import Markup

from odoo import _, fields, models
from odoo.exceptions import AccessError, UserError

MANAGER = "credit_management.group_credit_manager"


class CreditOverrideWizard(models.TransientModel):
    """A credit manager confirms orders the credit check refuses, with a logged reason.

    The override is an approved request of kind "override": the confirmation check lets
    it through for the order's amount and currency only, as it would any approval.
    """

    _name = "credit.override.wizard"
    _description = "Override Credit Check"

    order_ids = fields.Many2many("sale.order", string="Orders", required=True)
    reason = fields.Text(required=True, help="Logged on the orders and on the customers.")

    def action_confirm(self):
        if not self.env.user.has_group(MANAGER):
            raise AccessError(_("Only credit managers can override the credit check."))
        if not (self.reason or "").strip():
            raise UserError(_("Give a reason for the override: it is logged on the order and the customer."))
        orders = self.order_ids.filtered(lambda o: o.state in ("draft", "sent"))
        if not orders:
            raise UserError(_("There is no quotation left to confirm among these orders."))
        checks = self.env["credit.check"]._check_orders(orders, lock=True)
        requests = self.env["credit.approval.request"].sudo()
        now = fields.Datetime.now()
        for order in orders:
            check = checks[order.id]
            explanation = self.env["credit.check"]._message(check)
            request = requests.create(
                {
                    **requests._prepare_request_values(order, check, explanation),
                    "kind": "override",
                    "state": "approved",
                    "requested_by": self.env.user.id,
                    "decided_by": self.env.user.id,
                    "decision_date": now,
                    "reason": self.reason,
                }
            )
            body = Markup("%s<br/>%s") % (
                _(
                    "Credit check overridden by %(user)s for %(order)s: %(reason)s",
                    user=self.env.user.name,
                    order=order.name,
                    reason=self.reason,
                ),
                request.explanation,
            )
            # logged whatever the manager's rights on these documents: the decision is theirs to make
            order.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")
            order.partner_id.commercial_partner_id.sudo().message_post(
                body=body, subtype_xmlid="mail.mt_note"
            )
        writable = orders._filtered_access("write")
        if writable:
            writable.action_confirm()
        for order in (orders - writable).sudo():
            order.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=_("Credit check overridden: you can confirm %s", order.name),
                user_id=order.user_id.id or order.create_uid.id,
            )
        return {"type": "ir.actions.act_window_close"}
