from odoo import api, fields, models


class CreditCollectionLevel(models.Model):
    """One step of a collection plan: when it is reached, how the customer is contacted, and whether the
    credit is put on hold."""

    _name = "credit.collection.level"
    _description = "Collection Level"
    _inherit = ["credit.number.mixin"]
    _order = "plan_id, sequence, days, id"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    name = fields.Char(required=True, translate=True)
    plan_id = fields.Many2one("credit.collection.plan", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="plan_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    days = fields.Integer(
        required=True,
        help="Days from the due date of the customer's oldest overdue item: negative before it (a courtesy "
        "note), 0 on the due date, positive after it.",
    )
    channel_email = fields.Boolean(
        "Email",
        default=True,
        help="An email to the customer's invoicing contact with the statement and the overdue invoices.",
    )
    channel_activity = fields.Boolean("Call", help="An activity for the customer's collector: a call.")
    channel_letter = fields.Boolean("Letter", help="A letter to print and post (PDF).")
    mail_template_id = fields.Many2one(
        "mail.template",
        "Email Template",
        domain="[('model', '=', 'credit.collection.event')]",
        help="The email's text; the statement is attached. Without one, the default reminder is used.",
    )
    place_hold = fields.Boolean(
        "Place Credit Hold",
        help="Reaching this level puts the customer on credit hold; paying the overdue items lifts it.",
    )
    note = fields.Text(help="What the collector is asked to do at this level.")

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("days", "sequence")
    def _check_days(self):
        self.plan_id._check_level_days()

    def _channels(self):
        self.ensure_one()
        return [
            name
            for name, on in (
                ("email", self.channel_email),
                ("activity", self.channel_activity),
                ("letter", self.channel_letter),
            )
            if on
        ]
