from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

from .credit_aging_report import BUCKETS

RECENT_PAYMENT_DAYS = 90


class CreditCustomerStatement(models.AbstractModel):
    """Values of the customer statement: open items with their age, the aging buckets and the payments
    received lately, one section per customer, in the customer's language.

    Read with the system's rights: the statement is printed by credit users and rendered for the
    reminder emails by the mail queue; the report action's groups decide who may print it.
    """

    _name = "report.credit_management.report_customer_statement"
    _description = "Customer Statement"

    @api.model
    def _get_report_values(self, docids, data=None):
        partners = self.env["res.partner"].browse(docids).commercial_partner_id
        company = self.env.company
        today = fields.Date.context_today(self)
        lines = (
            self.env["credit.aging.report"]
            .sudo()
            .search([("partner_id", "in", partners.ids), ("company_id", "=", company.id)])
        )
        payments = (
            self.env["account.payment"]
            .sudo()
            .search(
                [
                    ("partner_id", "child_of", partners.ids),
                    ("company_id", "=", company.id),
                    ("payment_type", "=", "inbound"),
                    ("state", "not in", ("draft", "canceled", "rejected")),
                    ("date", ">=", today - relativedelta(days=RECENT_PAYMENT_DAYS)),
                ],
                order="date desc, id desc",
            )
        )
        items_of = lines.grouped("partner_id")
        payments_of = payments.grouped(lambda pay: pay.partner_id.commercial_partner_id)
        statements = {}
        labels = {}
        for partner in partners:
            items = items_of.get(partner, lines.browse())
            lang = partner.lang or self.env.lang
            if lang not in labels:
                labels[lang] = self._bucket_labels(lang)
            statements[partner.id] = {
                "items": items,
                "buckets": [
                    (labels[lang][key], sum(items.mapped(f"amount_{key}"))) for key, _label in BUCKETS
                ],
                "total": sum(items.mapped("amount_residual")),
                "payments": payments_of.get(partner, payments.browse()),
            }
        return {
            "doc_ids": partners.ids,
            "doc_model": "res.partner",
            "docs": partners,
            "company": company,
            "today": today,
            "statements": statements,
            "recent_days": RECENT_PAYMENT_DAYS,
        }

    @api.model
    def _bucket_labels(self, lang):
        """{age: label} in ``lang``, the customer's: the statement is written in their language."""
        env = self.with_context(lang=lang).env
        return dict(env["credit.aging.report"]._fields["bucket"]._description_selection(env))
