from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

CHANNELS = [
    ("email", "Email"),
    ("activity", "Call scheduled"),
    ("letter", "Letter"),
    ("call", "Call"),
    ("note", "Note"),
    ("promise", "Promise to pay"),
    ("statement", "Statement sent"),
]
# What a collector logs by hand; the others are the daily run's.
MANUAL_CHANNELS = ("call", "note")


class CreditCollectionEvent(models.Model):
    """One contact with a customer about what they owe: a reminder the daily run sent, or a call, note,
    promise or statement a collector logged."""

    _name = "credit.collection.event"
    _description = "Collection Event"
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
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    channel = fields.Selection(CHANNELS, required=True)
    level_id = fields.Many2one(
        "credit.collection.level", "Level", ondelete="set null", index="btree_not_null"
    )
    automatic = fields.Boolean(default=False, help="Sent by the daily collection run.")
    escalated = fields.Boolean(
        default=False, help="Sent ahead of its days because a promise to pay was broken."
    )
    user_id = fields.Many2one("res.users", "By", default=lambda self: self.env.user)
    line_ids = fields.Many2many(
        "account.move.line",
        "credit_collection_event_line_rel",
        "event_id",
        "line_id",
        "Items",
        help="The overdue items this contact was about.",
    )
    amount = fields.Monetary("Overdue Amount", currency_field="currency_id")
    oldest_due_date = fields.Date()
    recipient_id = fields.Many2one("res.partner", "Sent To", ondelete="set null")
    mail_id = fields.Many2one("mail.mail", "Email", ondelete="set null", index="btree_not_null")
    note = fields.Text()

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                self._check_manual(self._add_missing_default_values(vals))
        events = super().create(vals_list)
        self.env["credit.collection.status"].sudo()._refresh_records(events)
        return events

    def write(self, vals):
        if not self.env.su:
            raise AccessError(_("Collection events are a log: they cannot be changed. Log a note instead."))
        return super().write(vals)

    @api.model
    def _check_manual(self, vals):
        if not self.env.user.has_group("credit_management.group_credit_controller"):
            raise AccessError(_("Logging a collection contact needs the Credit Controller group."))
        if vals.get("channel") not in MANUAL_CHANNELS:
            raise UserError(
                _("Only a call or a note can be logged by hand; reminders are sent by the collection run.")
            )
        if any(vals.get(name) for name in ("automatic", "escalated", "level_id", "mail_id", "recipient_id")):
            raise UserError(_("A call or note logged by hand has no level, email or escalation."))
        if vals.get("user_id", self.env.uid) != self.env.uid:
            raise UserError(_("A contact is logged in the name of the collector who made it."))
        partner = self.env["res.partner"].browse(vals.get("partner_id")).exists()
        if not partner or partner != partner.commercial_partner_id:
            raise UserError(_("Log the contact on the customer's company, not on one of its contacts."))

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    @api.model
    def _current_levels(self, company, partner_ids):
        """{customer id: its last reminder level}, for the customers who still owe overdue items."""
        if not partner_ids:
            return {}
        self.flush_model(["partner_id", "company_id", "level_id", "automatic", "date"])
        self.env["account.move.line"].flush_model(["amount_residual", "date_maturity", "partner_id"])
        self.env.cr.execute(
            SQL(
                """
            SELECT DISTINCT ON (e.partner_id) e.partner_id, e.level_id
              FROM credit_collection_event e
             WHERE e.company_id = %(company)s AND e.partner_id = ANY(%(partners)s) AND e.automatic
               AND e.level_id IS NOT NULL
               AND EXISTS (SELECT 1 FROM credit_collection_event_line_rel r
                             JOIN account_move_line aml ON aml.id = r.line_id
                            WHERE r.event_id = e.id AND aml.amount_residual > 0
                              AND aml.date_maturity < %(today)s)
             ORDER BY e.partner_id, e.date DESC, e.id DESC
            """,
                company=company.id,
                partners=list(partner_ids),
                today=fields.Date.context_today(self),
            )
        )
        levels = self.env["credit.collection.level"].sudo()
        return {partner: levels.browse(level) for partner, level in self.env.cr.fetchall()}

    def _overdue_lines(self):
        """The event's items still open, oldest first (for the email's table)."""
        self.ensure_one()
        return self.line_ids.filtered(lambda line: line.amount_residual > 0).sorted(
            lambda line: (line.date_maturity or line.date, line.id)
        )

    @api.model
    def _prepare_reminders(self, mails):
        """Give the reminder emails among ``mails`` their text, rendered from the level's template in the
        recipient's language, and attach the customer's statement and the overdue invoices' PDFs. Called
        as they leave, so both show the items as they are that day; an email prepared once is left as is."""
        events = self.search([("mail_id", "in", mails.ids), ("channel", "=", "email")])
        events = events.filtered(lambda event: not event.mail_id.body_html)
        default = self.env.ref("credit_management.mail_template_collection_reminder")
        for template, batch in events.grouped(lambda e: e.level_id.mail_template_id or default).items():
            rendered = template._generate_template(
                batch.ids, ("subject", "body_html", "email_from", "reply_to", "partner_to")
            )
            for event in batch:
                values = rendered[event.id]
                event.mail_id.write(
                    {
                        "subject": values.get("subject"),
                        "body_html": values.get("body_html"),
                        "body": values.get("body_html"),
                        "email_from": values.get("email_from") or event.mail_id.email_from,
                        "reply_to": values.get("reply_to") or False,
                    }
                )
                event._attach_statement()

    def _attach_statement(self):
        self.ensure_one()
        report = self.env["ir.actions.report"].with_company(self.company_id)
        pdf, _kind = report._render_qweb_pdf(
            "credit_management.action_report_customer_statement", [self.partner_id.id]
        )
        statement = self.env["ir.attachment"].create(
            {
                "name": _("Statement - %s.pdf", self.partner_id.name),
                "raw": pdf,
                "mimetype": "application/pdf",
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        invoices = self._overdue_lines().move_id.invoice_pdf_report_id
        self.mail_id.attachment_ids = [fields.Command.link(a.id) for a in statement | invoices]

    def _days_overdue(self, line):
        """Days the item is past its due date on the day of this contact (negative before it)."""
        self.ensure_one()
        return (fields.Date.context_today(self, self.date) - (line.date_maturity or line.date)).days
