import re

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from .. import charts
from ..rules import _lt
from .credit_number_mixin import check_numbers

CREDIT_USER = "credit_management.group_credit_user"
CREDIT_CONTROLLER = "credit_management.group_credit_controller"
CORE_CREDIT_GROUPS = "account.group_account_invoice,account.group_account_readonly"
# The hold reasons the credit policy and collections write, stored in English whoever runs them.
HOLD_OVERDUE = _lt("Open item overdue %s days")
HOLD_COLLECTIONS = _lt("Collections: %s")
HOLD_REASONS = (HOLD_OVERDUE, HOLD_COLLECTIONS)

# Written by the credit policy or by controllers; salespeople only read them.
CONTROLLED_FIELDS = frozenset(
    {
        "credit_score",
        "credit_grade_id",
        "credit_score_date",
        "credit_limit",
        "property_payment_term_id",
        "credit_hold",
        "credit_hold_reason",
        "credit_hold_user_id",
        "credit_hold_date",
        "credit_hold_automatic",
        "credit_limit_manual",
        "credit_limit_factor",
        "credit_promoted_date",
        "credit_demoted_date",
        "credit_avg_days_late",
        "credit_utilisation",
        "credit_external_score",
        "credit_bureau_report_id",
        "credit_bureau_limit",
        "credit_policy_limit",
        "credit_limit_source",
        "credit_collector_id",
        "credit_hold_collections",
    }
)
# Set only by the scoring and the bureau reports: nobody writes them by hand, controllers included.
SYSTEM_FIELDS = frozenset(
    {
        "credit_score",
        "credit_score_date",
        "credit_limit_factor",
        "credit_promoted_date",
        "credit_demoted_date",
        "credit_avg_days_late",
        "credit_utilisation",
        "credit_bureau_report_id",
        "credit_bureau_limit",
        "credit_policy_limit",
        "credit_limit_source",
        "credit_hold_collections",
    }
)
# Shared by a company and its contacts, like Odoo's own credit limit and payment term.
COMMERCIAL_CREDIT_FIELDS = sorted(CONTROLLED_FIELDS - {"credit_limit", "property_payment_term_id"})


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    credit_limit = fields.Float(groups=f"{CORE_CREDIT_GROUPS},{CREDIT_USER}", tracking=True)
    property_payment_term_id = fields.Many2one(tracking=True)

    # Company-dependent values live in jsonb columns; Odoo's default btree index on a whole
    # column cannot serve a per-company lookup, and every index slows each profile update.
    # Only the many2ones keep theirs (Odoo uses them when the referenced record goes).
    credit_score = fields.Float(
        company_dependent=True,
        index=False,
        readonly=True,
        digits=(5, 1),
        groups=CREDIT_USER,
        help="0 (worst) to 100 (best), from the customer's payment behaviour. Empty for a customer "
        "without invoicing history.",
    )
    credit_grade_id = fields.Many2one(
        "credit.grade",
        string="Credit Grade",
        company_dependent=True,
        readonly=True,
        groups=CREDIT_USER,
        tracking=True,
    )
    credit_grade_color = fields.Integer(related="credit_grade_id.color", groups=CREDIT_USER)
    credit_score_date = fields.Datetime(
        "Score Date",
        company_dependent=True,
        index=False,
        readonly=True,
        groups=CREDIT_USER,
        help="When the current score was set. A rescoring that changes nothing keeps it, as it writes no "
        "history.",
    )
    credit_hold = fields.Boolean(
        company_dependent=True,
        index=False,
        readonly=True,
        groups=CREDIT_USER,
        tracking=True,
        help="No order can be confirmed for a customer on hold.",
    )
    credit_hold_reason = fields.Char(
        company_dependent=True,
        index=False,
        readonly=True,
        groups=CREDIT_USER,
        tracking=True,
        help="As written: in English when the credit policy or collections placed the hold.",
    )
    credit_hold_reason_text = fields.Char(
        "Hold Reason",
        compute="_compute_credit_hold_reason_text",
        groups=CREDIT_USER,
        help="Why the customer is on hold, in your language.",
    )
    credit_hold_user_id = fields.Many2one(
        "res.users",
        "Hold Placed By",
        company_dependent=True,
        readonly=True,
        groups=CREDIT_USER,
        help="Empty when the credit policy placed the hold.",
    )
    credit_hold_date = fields.Datetime(
        "On Hold Since", company_dependent=True, index=False, readonly=True, groups=CREDIT_USER
    )
    credit_hold_automatic = fields.Boolean(
        company_dependent=True,
        index=False,
        readonly=True,
        groups=CREDIT_USER,
        help="Placed by the credit policy, which lifts it once no item is overdue past the threshold.",
    )
    credit_limit_manual = fields.Boolean(
        "Manual Credit Limit",
        company_dependent=True,
        index=False,
        groups=CREDIT_USER,
        tracking=True,
        help="The credit policy leaves this customer's credit limit and payment term alone.",
    )
    credit_limit_factor = fields.Float(
        company_dependent=True,
        index=False,
        readonly=True,
        digits=(6, 4),
        groups=CREDIT_USER,
        help="Promotions and demotions so far, as a multiplier of the grade's limit.",
    )
    credit_promoted_date = fields.Date(
        "Last Promotion", company_dependent=True, index=False, readonly=True, groups=CREDIT_USER
    )
    credit_demoted_date = fields.Date(
        "Last Demotion", company_dependent=True, index=False, readonly=True, groups=CREDIT_USER
    )
    credit_avg_days_late = fields.Float(
        "Avg Days Late",
        company_dependent=True,
        index=False,
        readonly=True,
        digits=(6, 1),
        groups=CREDIT_USER,
        help="Amount-weighted days beyond terms of the invoices paid over the policy's lookback.",
    )
    credit_utilisation = fields.Float(
        "Utilisation (%)",
        company_dependent=True,
        index=False,
        readonly=True,
        digits=(6, 1),
        groups=CREDIT_USER,
        help="Exposure as a share of the credit limit at the last scoring.",
    )
    credit_external_score = fields.Float(
        "External Score",
        company_dependent=True,
        index=False,
        digits=(5, 1),
        groups=CREDIT_USER,
        tracking=True,
        help="Normalised (0-100) score from a credit bureau; used by the scoring when set.",
    )
    credit_bureau_report_id = fields.Many2one(
        "credit.bureau.report",
        "Latest Bureau Report",
        company_dependent=True,
        readonly=True,
        groups=CREDIT_USER,
    )
    credit_bureau_limit = fields.Float(
        "Bureau Limit",
        company_dependent=True,
        readonly=True,
        groups=CREDIT_USER,
        help="The credit limit the latest bureau report recommends, in the company's currency.",
    )
    credit_policy_limit = fields.Float(
        "Policy Limit",
        company_dependent=True,
        readonly=True,
        groups=CREDIT_USER,
        help="The limit the grade's rule gives, before any cap by the bureau and whether or not a manual "
        "limit is set.",
    )
    credit_limit_source = fields.Selection(
        [("policy", "Credit policy"), ("bureau", "Bureau's recommended limit"), ("manual", "Set by hand")],
        "Limit Set By",
        company_dependent=True,
        readonly=True,
        groups=CREDIT_USER,
    )
    credit_bureau_rating = fields.Selection(
        related="credit_bureau_report_id.rating", string="Bureau Rating", groups=CREDIT_USER
    )
    credit_bureau_date = fields.Datetime(
        related="credit_bureau_report_id.date", string="Bureau Report Date", groups=CREDIT_USER
    )

    credit_collector_id = fields.Many2one(
        "res.users",
        "Collector",
        company_dependent=True,
        groups=CREDIT_USER,
        tracking=True,
        help="Who chases this customer's overdue items; empty: the credit policy's controller.",
    )
    credit_hold_collections = fields.Boolean(
        "Hold by Collections",
        company_dependent=True,
        readonly=True,
        groups=CREDIT_USER,
        help="The hold was placed by a collection level; paying the overdue items lifts it.",
    )
    credit_collection_level_id = fields.Many2one(
        "credit.collection.level",
        "Collection Level",
        compute="_compute_credit_collection_level_id",
        groups=CREDIT_USER,
        help="The last reminder level sent, while the customer still has overdue items.",
    )

    credit_currency_id = fields.Many2one(
        "res.currency", compute="_compute_credit_currency_id", groups=CREDIT_USER
    )
    credit_exposure = fields.Monetary(
        compute="_compute_credit_exposure",
        currency_field="credit_currency_id",
        groups=CREDIT_USER,
        help="Open receivables + unposted invoices + confirmed orders not yet invoiced, in company currency.",
    )
    credit_available = fields.Monetary(
        compute="_compute_credit_exposure", currency_field="credit_currency_id", groups=CREDIT_USER
    )
    credit_overdue_amount = fields.Monetary(
        "Overdue (gross)",
        compute="_compute_credit_exposure",
        currency_field="credit_currency_id",
        groups=CREDIT_USER,
        help="Open invoices past their due date, before any unapplied credit note or payment.",
    )
    credit_overdue_net = fields.Monetary(
        "Overdue (net of credits)",
        compute="_compute_credit_exposure",
        currency_field="credit_currency_id",
        groups=CREDIT_USER,
        help="The overdue invoices less the credit notes and payments not yet applied, never below zero.",
    )
    credit_unapplied_amount = fields.Monetary(
        "Unapplied Credits",
        compute="_compute_credit_exposure",
        currency_field="credit_currency_id",
        groups=CREDIT_USER,
        help="Credit notes and payments received but not yet matched with an invoice. They lower the "
        "exposure, which is why the gross overdue can be higher than the exposure.",
    )
    credit_max_days_overdue = fields.Integer(
        "Max Days Overdue", compute="_compute_credit_exposure", groups=CREDIT_USER
    )
    credit_collection_event_ids = fields.One2many(
        "credit.collection.event",
        "partner_id",
        "Collection Contacts",
        domain=lambda self: [("company_id", "=", self.env.company.id)],
        groups=CREDIT_USER,
    )
    credit_promise_ids = fields.One2many(
        "credit.payment.promise",
        "partner_id",
        "Promises to Pay",
        domain=lambda self: [("company_id", "=", self.env.company.id)],
        groups=CREDIT_USER,
    )
    credit_open_item_ids = fields.Many2many(
        "credit.aging.report",
        compute="_compute_credit_open_item_ids",
        string="Open Items",
        groups=CREDIT_USER,
    )
    credit_history_ids = fields.One2many(
        "credit.score.history",
        "partner_id",
        string="Credit History",
        groups=CREDIT_USER,
        domain=lambda self: [("company_id", "=", self.env.company.id)],
    )
    credit_breakdown_html = fields.Html(
        "Score Breakdown", compute="_compute_credit_breakdown_html", groups=CREDIT_USER, sanitize=False
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends_context("company")
    def _compute_credit_collection_level_id(self):
        levels = (
            self.env["credit.collection.event"]
            .sudo()
            ._current_levels(self.env.company, self.commercial_partner_id.ids)
        )
        for partner in self:
            partner.credit_collection_level_id = levels.get(partner.commercial_partner_id.id, False)

    def _compute_credit_open_item_ids(self):
        lines = self.env["credit.aging.report"].search(
            [("partner_id", "in", self.commercial_partner_id.ids), ("company_id", "=", self.env.company.id)]
        )
        lines_of = lines.grouped("partner_id")
        for partner in self:
            partner.credit_open_item_ids = lines_of.get(partner.commercial_partner_id, lines.browse())

    def _compute_credit_currency_id(self):
        self.credit_currency_id = self.env.company.currency_id

    @api.depends_context("company")
    def _compute_credit_exposure(self):
        commercial = self.commercial_partner_id.filtered("id")
        data = self.env["credit.exposure"].sudo()._exposure(self.env.company, commercial.ids)
        position = {int(pid): i for i, pid in enumerate(data["ids"])}
        for partner in self:
            i = position.get(partner.commercial_partner_id.id)
            if i is None:
                partner.credit_exposure = partner.credit_overdue_amount = partner.credit_overdue_net = 0
                partner.credit_unapplied_amount = partner.credit_max_days_overdue = 0
            else:
                partner.credit_exposure = data["exposure"][i]
                partner.credit_overdue_amount = data["overdue"][i]
                partner.credit_overdue_net = data["overdue_net"][i]
                partner.credit_unapplied_amount = -data["credits"][i]
                partner.credit_max_days_overdue = int(data["max_days_overdue"][i])
            partner.credit_available = partner.commercial_partner_id.credit_limit - partner.credit_exposure

    @api.depends_context("company")
    @api.depends("credit_score_date")
    def _compute_credit_breakdown_html(self):
        history = self.env["credit.score.history"]
        for partner in self:
            last = history.search(
                [
                    ("partner_id", "=", partner.commercial_partner_id.id),
                    ("company_id", "=", self.env.company.id),
                ],
                limit=1,
            )
            partner.credit_breakdown_html = (
                self.env["ir.qweb"]._render(
                    "credit_management.credit_breakdown",
                    {"history": last, "chart": partner.commercial_partner_id._credit_score_chart()},
                )
                if last
                else False
            )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model
    def _commercial_fields(self):
        return super()._commercial_fields() + COMMERCIAL_CREDIT_FIELDS

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_credit_write(vals)
        partners = super().create(vals_list)
        partners.filtered(lambda p: p.vat or p.company_registry)._credit_request_bureau_report("new_customer")
        return partners

    def write(self, vals):
        self._check_credit_write(vals)
        if "credit_limit" in vals and "credit_limit_manual" not in vals:
            # A limit a person sets sticks: the policy stops managing this customer's limit and term.
            vals = dict(vals, credit_limit_manual=True)
        if "credit_hold" in vals and not self.env.su:
            # A hold a person places or lifts is theirs: collections no longer lift it, nor think it theirs.
            vals = dict(vals, credit_hold_collections=False)
        return super().write(vals)

    @api.model
    def _check_credit_write(self, vals):
        check_numbers(self, vals, CONTROLLED_FIELDS)
        computed = SYSTEM_FIELDS.intersection(vals)
        if computed and not self.env.su:
            labels = ", ".join(sorted(self._fields[f].string for f in computed))
            raise AccessError(
                _(
                    "%(fields)s: set by the credit scoring, the bureau reports and collections, they "
                    "cannot be set by hand. Rescore the customer or request a bureau report instead.",
                    fields=labels,
                )
            )
        touched = CONTROLLED_FIELDS.intersection(vals)
        if touched and not self.env.su and not self.env.user.has_group(CREDIT_CONTROLLER):
            labels = ", ".join(sorted(self._fields[f].string for f in touched))
            raise AccessError(
                _(
                    "Only credit controllers can change %(fields)s. Ask a credit controller, or request an "
                    "approval from the sale order.",
                    fields=labels,
                )
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    @api.depends("credit_hold_reason")
    @api.depends_context("lang", "company")
    def _compute_credit_hold_reason_text(self):
        for partner in self:
            partner.credit_hold_reason_text = partner._credit_reason_in_language(partner.credit_hold_reason)

    @api.model
    def _credit_reason_in_language(self, reason):
        """A hold reason in the reader's language: the reasons code writes are stored in English
        (``HOLD_REASONS``) and translated here, their argument too where it is a record's name; a
        reason a user typed is shown as typed."""
        for template in HOLD_REASONS:
            match = re.fullmatch(re.escape(template).replace("%s", "(.+)"), reason or "")
            if match:
                return self.env._(template, self._credit_reason_argument(template, match.group(1)))
        return reason or False

    @api.model
    def _credit_reason_argument(self, template, argument):
        if template != HOLD_COLLECTIONS:
            return argument
        level = (
            self.env["credit.collection.level"]
            .sudo()
            .with_context(lang="en_US", active_test=False)
            .search([("name", "=", argument), ("company_id", "in", [False, self.env.company.id])], limit=1)
        )
        return level.with_context(lang=self.env.lang).name if level else argument

    def action_credit_rescore(self):
        """Rescore these customers now, in the current company."""
        if not self.env.user.has_group(CREDIT_USER):
            raise AccessError(_("Rescoring customers needs the Credit Management user group."))
        company = self.env.company
        summary = (
            self.env["credit.scoring.engine"]
            .sudo()
            ._rescore(
                company,
                self.commercial_partner_id.ids,
                "manual",
                note=self.env["credit.scoring.writer"]._in_languages(
                    lambda env: env._("Rescored by %s.", self.env.user.name)
                ),
            )
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _("%(count)s customer(s) rescored, %(changed)s changed.", **summary),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_credit_bureau_request(self):
        """Ask the credit bureaus for a fresh report on these customers, in the background."""
        if not self.env.user.has_group(CREDIT_CONTROLLER):
            raise AccessError(_("Requesting a credit bureau report needs the Credit Controller group."))
        self.env["credit.bureau.request"].sudo()._enqueue(self.commercial_partner_id, "manual")
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": _("Bureau report requested; it arrives in the background within minutes."),
            },
        }

    def action_credit_collections(self):
        """The customer's collection view: open items, contacts so far, promises, and what to do next."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Collections: %s", self.commercial_partner_id.name),
            "res_model": "res.partner",
            "res_id": self.commercial_partner_id.id,
            "view_mode": "form",
            "views": [
                (self.env.ref("credit_management.res_partner_view_form_credit_collections").id, "form")
            ],
            "target": "current",
        }

    def action_credit_log_call(self):
        self.ensure_one()
        return self._credit_collection_dialog(
            "credit.collection.event", _("Log a call"), {"default_channel": "call"}
        )

    def action_credit_record_promise(self):
        self.ensure_one()
        customer = self.commercial_partner_id
        overdue = self.env["credit.aging.report"].search(
            [
                ("partner_id", "=", customer.id),
                ("company_id", "=", self.env.company.id),
                ("days_overdue", ">", 0),
            ]
        )
        return self._credit_collection_dialog(
            "credit.payment.promise",
            _("Record a promise to pay"),
            {
                "default_amount": sum(
                    overdue.filtered(lambda line: line.amount_residual > 0).mapped("amount_residual")
                ),
                "default_date": fields.Date.add(fields.Date.context_today(self), days=7),
                "default_line_ids": overdue.filtered(lambda line: line.amount_residual > 0).ids,
            },
        )

    def _credit_collection_dialog(self, model, name, defaults):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_partner_id": self.commercial_partner_id.id,
                "default_company_id": self.env.company.id,
                **defaults,
            },
        }

    def action_credit_send_statement(self):
        """Email the customer's statement now (queued), and log it as a contact."""
        if not self.env.user.has_group(CREDIT_CONTROLLER):
            raise AccessError(_("Sending a statement needs the Credit Controller group."))
        template = self.env.ref("credit_management.mail_template_customer_statement")
        for customer in self.commercial_partner_id:
            if not customer.email:
                raise UserError(
                    _(
                        "%s has no email address: add one on the customer, then send the statement.",
                        customer.name,
                    )
                )
            template.sudo().send_mail(customer.id, force_send=False)
            self.env["credit.collection.event"].sudo().create(
                {
                    "partner_id": customer.id,
                    "company_id": self.env.company.id,
                    "channel": "statement",
                    "user_id": self.env.uid,
                    "recipient_id": customer.id,
                    "amount": customer.credit_overdue_amount,
                }
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"type": "success", "message": _("The statement is on its way.")},
        }

    def action_view_bureau_reports(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "credit_management.action_credit_bureau_report"
        )
        action["domain"] = [("partner_id", "in", self.commercial_partner_id.ids)]
        return action

    def _credit_request_bureau_report(self, reason):
        """Queue a bureau report for the companies among these partners (no call is made here)."""
        companies = self.commercial_partner_id.filtered("is_company")
        if companies:
            self.env["credit.bureau.request"].sudo()._enqueue(companies, reason)

    def action_credit_hold(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("Put on Credit Hold"),
            "res_model": "credit.hold.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": "res.partner", "active_ids": self.commercial_partner_id.ids},
        }

    def action_credit_release(self):
        self._check_credit_write({"credit_hold": False})
        self._credit_set_hold(False, "")

    def action_view_credit_history(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "credit_management.action_credit_score_history"
        )
        action["domain"] = [("partner_id", "in", self.commercial_partner_id.ids)]
        action["context"] = {"search_default_group_by_partner": len(self) > 1}
        return action

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _credit_score_chart(self, width=360, height=80, days=365):
        """SVG polyline points of the score over the last ``days``, oldest first (empty under two)."""
        self.ensure_one()
        since = fields.Datetime.subtract(fields.Datetime.now(), days=days)
        rows = self.env["credit.score.history"].search_read(
            [
                ("partner_id", "=", self.id),
                ("company_id", "=", self.env.company.id),
                ("date", ">=", since),
                ("score", "!=", False),
            ],
            ["date", "score"],
            order="date",
        )
        if len(rows) < 2:
            return ""
        start = rows[0]["date"].timestamp()
        return charts.polyline(
            [(row["date"].timestamp(), row["score"]) for row in rows],
            width,
            height,
            x_range=(start, max(rows[-1]["date"].timestamp(), start + 1.0)),
            y_range=(0, 100),
        )

    def _credit_set_hold(self, hold, reason):
        """Place or lift a manual credit hold on the commercial partners, with a chatter note."""
        partners = self.commercial_partner_id
        partners.write(
            {
                "credit_hold": hold,
                "credit_hold_reason": reason if hold else False,
                "credit_hold_user_id": self.env.user.id if hold else False,
                "credit_hold_date": fields.Datetime.now() if hold else False,
                "credit_hold_automatic": False,
            }
        )
        body = (
            Markup("%s<br/>%s") % (_("Credit hold placed by %s.", self.env.user.name), reason)
            if hold
            else _("Credit hold lifted by %s.", self.env.user.name)
        )
        partners._message_log_batch(bodies=dict.fromkeys(partners.ids, body))
        if hold:
            partners._credit_alert_hold()

    def _credit_set_collection_hold(self, level):
        """Place the hold a collection level asks for; collections lift it once the overdue is paid. Set
        in one statement for the lot (a level reached by thousands of customers at once), with a note."""
        reason = HOLD_COLLECTIONS % level.with_context(lang="en_US").name
        self._credit_set_collection_values(
            {
                "credit_hold": True,
                "credit_hold_reason": reason,
                "credit_hold_user_id": False,
                "credit_hold_date": fields.Datetime.now(),
                "credit_hold_automatic": False,
                "credit_hold_collections": True,
            },
            self.env._("Credit hold placed: %s.", self._credit_reason_in_language(reason)),
        )

    def _credit_lift_collection_hold(self):
        self._credit_set_collection_values(
            {
                "credit_hold": False,
                "credit_hold_reason": False,
                "credit_hold_date": False,
                "credit_hold_collections": False,
            },
            self.env._("Credit hold lifted: the overdue items are paid."),
        )

    def _credit_set_collection_values(self, values, note):
        company = self.env.company
        self.env["credit.scoring.writer"].sudo()._set_values(company, self.ids, values)
        self.env["credit.scoring.notifier"].sudo()._log_note(self.ids, note)

    def _credit_alert_hold(self):
        """A manual hold is an alert too: the controller gets the review activity, unless the controller
        placed it."""
        company = self.env.company
        if self.env["credit.policy"].sudo()._for_company(company).controller_user_id == self.env.user:
            return
        self.env["credit.scoring.notifier"].sudo()._alert(company, self.ids, "hold")

    # ------------------------------------------------------------------
    # Crons
    # ------------------------------------------------------------------
    @api.model
    def _cron_credit_rescore(self):
        """Daily: every customer of every company."""
        engine = self.env["credit.scoring.engine"].sudo()
        # Every company is rescored; companies are few.
        # pylint: disable-next=no-search-all
        for company in self.env["res.company"].sudo().search([]):
            if not engine._configuration_problem(company):
                engine._rescore_company(company, trigger="cron")

    @api.model
    def _cron_credit_rescore_queue(self):
        """Every few minutes: the customers events marked stale."""
        engine = self.env["credit.scoring.engine"].sudo()
        engine._rescore_queue()
        self.env["ir.cron"]._notify_progress(
            done=0, remaining=self.env["credit.rescore.queue"].sudo()._pending_count()
        )
