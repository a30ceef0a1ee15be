from datetime import timedelta

from odoo import Command, _, api, fields, models

from ..bureaus.base import RATINGS

MANAGER = "credit_management.group_credit_manager"


class CreditBureauReport(models.Model):
    """What a credit bureau said about a customer on a date, normalised: a score 0-100, a rating A-E, a
    recommended limit and risk signals; the provider's answer kept as it came, for the credit managers."""

    _name = "credit.bureau.report"
    _description = "Credit Bureau Report"
    _order = "date desc, id desc"

    partner_id = fields.Many2one("res.partner", required=True, index=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    provider_id = fields.Many2one("credit.bureau.provider", required=True, ondelete="restrict", readonly=True)
    ref = fields.Char("Bureau Reference", readonly=True, help="The provider's id of the company.")
    matched_on = fields.Char(readonly=True, help="The identifier the company was found by.")
    bureau_name = fields.Char("Name at the Bureau", readonly=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    expiry = fields.Date(readonly=True, help="Used again until this date instead of calling the bureau.")
    score = fields.Float(
        readonly=True, help="The bureau's score on 0-100, higher is better; empty when none."
    )
    has_score = fields.Boolean(readonly=True)
    rating = fields.Selection([(r, r) for r in RATINGS], readonly=True)
    previous_rating = fields.Selection([(r, r) for r in RATINGS], readonly=True)
    limit_amount = fields.Monetary("Recommended Limit", currency_field="limit_currency_id", readonly=True)
    limit_currency_id = fields.Many2one("res.currency", readonly=True)
    signal_ids = fields.One2many("credit.bureau.signal", "report_id", string="Risk Signals", readonly=True)
    signal_count = fields.Integer(compute="_compute_signal_count")
    raw = fields.Json("Answer", readonly=True, groups=MANAGER)

    @api.depends("provider_id", "date")
    def _compute_display_name(self):
        for report in self:
            day = (
                fields.Date.to_string(fields.Datetime.context_timestamp(report, report.date))
                if report.date
                else ""
            )
            report.display_name = f"{report.provider_id.name or ''} {day}".strip()

    @api.depends("signal_ids")
    def _compute_signal_count(self):
        for report in self:
            report.signal_count = len(report.signal_ids)

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    @api.model
    def _store(self, request, found):
        """The report of ``found`` (a ``bureaus.base.Report``) for ``request``'s customer, with its risk
        signals (new ones marked against the customer's previous report from this bureau); the customer's
        latest report and external score follow it, and a rescoring is queued. Alerts on what is new."""
        partner, provider = request.partner_id, request.provider_id
        company = provider.company_id
        previous = self.sudo().search(
            [("partner_id", "=", partner.id), ("provider_id", "=", provider.id)], limit=1
        )
        seen = {
            _signal_key(s.kind, s.ref, s.text, s.date and s.date.isoformat()) for s in previous.signal_ids
        }
        today = fields.Date.context_today(self)
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", found.currency)], limit=1)
            if found.currency
            else self.env["res.currency"]
        )
        report = self.sudo().create(
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "provider_id": provider.id,
                "ref": found.ref,
                "matched_on": request._identifier_text(),
                "bureau_name": found.name,
                "expiry": today + timedelta(days=provider.cache_days),
                "score": found.score or 0.0,
                "has_score": found.score is not None,
                "rating": found.rating or False,
                # our own previous report first: the bureau's "previous" may be a change of long ago
                "previous_rating": (previous.rating if previous else found.raw.get("previous_rating"))
                or False,
                "limit_amount": found.limit if currency else 0.0,
                "limit_currency_id": currency.id,
                "raw": found.raw,
                "signal_ids": [
                    Command.create(
                        {
                            "kind": signal.kind,
                            "date": signal.date or False,
                            "amount": signal.amount or 0.0,
                            "text": signal.text,
                            "ref": signal.ref,
                            "is_new": _signal_key(signal.kind, signal.ref, signal.text, signal.date)
                            not in seen,
                        }
                    )
                    for signal in found.signals
                ],
            }
        )
        limit = (
            currency._convert(found.limit, company.currency_id, company, today)
            if currency and found.limit
            else 0.0
        )
        values = {"credit_bureau_report_id": report.id, "credit_bureau_limit": limit}
        if found.score is not None:
            values["credit_external_score"] = found.score
        partner.sudo().with_company(company).write(values)
        self.env["credit.rescore.queue"]._enqueue([partner.id], [company.id], "bureau")
        report._alert_news()
        return report

    def _alert_news(self):
        """A credit review alert for a new risk signal, or a rating two or more steps worse; a credit hold
        too where the policy says so."""
        self.ensure_one()
        notifier = self.env["credit.scoring.notifier"].sudo()
        news = []
        new_signals = self.signal_ids.filtered("is_new")
        if new_signals:
            notifier._alert(self.company_id, self.partner_id.ids, "bureau_signal")
            kinds = dict(self.env["credit.bureau.signal"]._fields["kind"]._description_selection(self.env))
            news += [f"{kinds[s.kind]}: {s.text}" if s.text else kinds[s.kind] for s in new_signals]
        if self._rating_drop() >= 2:
            notifier._alert(self.company_id, self.partner_id.ids, "bureau_rating")
            news.append(_("rating %(old)s → %(new)s", old=self.previous_rating, new=self.rating))
        policy = self.env["credit.policy"].sudo()._for_company(self.company_id)
        partner = self.partner_id.sudo().with_company(self.company_id)
        if news and policy.bureau_hold_on_signal and not partner.credit_hold:
            reason = _(
                "Credit bureau %(bureau)s: %(news)s", bureau=self.provider_id.name, news="; ".join(news)
            )
            partner._credit_set_hold(True, reason[:250])

    def _rating_drop(self):
        """How many steps worse the rating is than the previous one (0 when not worse or unknown)."""
        if not (self.rating and self.previous_rating):
            return 0
        return max(RATINGS.index(self.rating) - RATINGS.index(self.previous_rating), 0)


def _signal_key(kind, ref, text, date):
    return (kind, ref or text, date or None)
