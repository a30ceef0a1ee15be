from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.tools import SQL
from odoo.tools.translate import code_translations

from .. import rules, scoring

# Reminder tools whose letters would double ours.
OTHER_REMINDER_MODULES = ("account_credit_control", "account_followup")


class CreditPolicy(models.Model):
    _name = "credit.policy"
    _description = "Credit Policy"
    _inherit = ["mail.thread", "credit.number.mixin"]
    _rec_name = "company_id"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    company_id = fields.Many2one(
        "res.company", required=True, ondelete="cascade", default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    lookback_days = fields.Integer(
        default=365, required=True, tracking=True, help="Payment behaviour older than this is not scored."
    )
    factor_ids = fields.One2many("credit.policy.factor", "policy_id", string="Scoring Factors", copy=True)
    new_customer_grade_id = fields.Many2one(
        "credit.grade",
        tracking=True,
        domain="[('company_id', '=', company_id)]",
        help="Grade of customers without any invoicing history.",
    )
    history_min_change = fields.Float(
        default=1.0,
        digits=(5, 1),
        help="A rescoring that changes nothing but the score writes a history row only when the score "
        "moves by at least this many points.",
    )
    # Promotion and demotion
    promote_after_on_time = fields.Integer(
        default=3, tracking=True, help="Consecutive invoices paid on time that earn a promotion."
    )
    promote_percent = fields.Float(
        default=20.0,
        tracking=True,
        help="A promotion raises the limit by this percentage, up to the grade's cap.",
    )
    demote_overdue_days = fields.Integer(
        default=30, tracking=True, help="An open item overdue more days than this cuts the limit."
    )
    demote_percent = fields.Float(
        default=25.0, tracking=True, help="A demotion cuts the limit by this percentage."
    )
    hold_overdue_days = fields.Integer(
        default=90, tracking=True, help="An open item overdue more days than this puts the customer on hold."
    )
    # Alerts
    alert_score_below = fields.Float(
        default=40.0, tracking=True, help="Alert the controller when a score falls below this value."
    )
    alert_utilisation_percent = fields.Float(
        default=90.0, tracking=True, help="Alert the controller when exposure passes this share of the limit."
    )
    bureau_hold_on_signal = fields.Boolean(
        "Hold on a Bureau Risk Signal",
        tracking=True,
        help="A new risk signal in a customer's bureau report (e.g. a new dishonest-debtor record), or its "
        "rating two or more steps worse, places a credit hold with the reason, besides the alert.",
    )
    scorecard_alert_auc_drop = fields.Float(
        "Scorecard Alert: AUC Drop",
        default=0.05,
        digits=(5, 3),
        tracking=True,
        help="The monthly backtest of the active scorecard alerts the credit managers when its AUC falls "
        "this much below the AUC it was activated with, or when its grades stop being monotone.",
    )
    # Collections
    collection_reminders = fields.Boolean(
        "Send Collection Reminders",
        default=True,
        tracking=True,
        help="The daily collection run sends the reminder levels of the grades' plans. Turn it off when "
        "another tool sends the reminders (e.g. OCA's Credit Control): the worklist and the promises to "
        "pay stay.",
    )
    promise_grace_days = fields.Integer(
        "Promise Grace (days)",
        default=3,
        tracking=True,
        help="Payments reconciled up to this many days after the promised date still keep the promise.",
    )
    other_reminder_tool = fields.Char(compute="_compute_other_reminder_tool")
    controller_user_id = fields.Many2one(
        "res.users",
        string="Credit Controller",
        tracking=True,
        domain=lambda self: [
            ("groups_id", "in", self.env.ref("credit_management.group_credit_controller").ids)
        ],
        help="Receives the credit alerts and approval requests as activities.",
    )
    approval_validity_days = fields.Integer(
        default=7, tracking=True, help="Days a credit approval request, or an approval, stays valid."
    )
    rescore_scorecard_id = fields.Many2one(
        "credit.scorecard",
        readonly=True,
        ondelete="set null",
        help="The scorecard whose activation the rescoring in progress applies: its changes are in the "
        "history, without a chatter note or an alert per customer.",
    )
    rescore_run_date = fields.Date(readonly=True, help="Day of the scheduled rescoring in progress or done.")
    rescore_last_partner_id = fields.Integer(
        readonly=True, help="Last customer the scheduled rescoring of that day has done."
    )
    rescore_batch_size = fields.Integer(
        default=5000, help="Customers rescored per transaction by the scheduled rescoring."
    )

    _sql_constraints = [
        ("company_uniq", "unique(company_id)", "A company has one credit policy."),
    ]

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    def _compute_other_reminder_tool(self):
        """The name of another installed reminder tool, so the form can say to choose one of the two."""
        module = (
            self.env["ir.module.module"]
            .sudo()
            .search([("name", "in", OTHER_REMINDER_MODULES), ("state", "=", "installed")], limit=1)
        )
        for policy in self:
            policy.other_reminder_tool = module.shortdesc or False

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains(
        "lookback_days",
        "promote_after_on_time",
        "promote_percent",
        "demote_overdue_days",
        "demote_percent",
        "hold_overdue_days",
        "alert_score_below",
        "alert_utilisation_percent",
        "history_min_change",
        "rescore_batch_size",
        "approval_validity_days",
        "scorecard_alert_auc_drop",
        "promise_grace_days",
    )
    def _check_settings(self):
        for policy in self:
            for fname in ("lookback_days", "rescore_batch_size", "approval_validity_days"):
                if policy[fname] <= 0:
                    policy._raise_field(fname, _("must be greater than 0"))
            for fname in (
                "promote_after_on_time",
                "promote_percent",
                "demote_overdue_days",
                "hold_overdue_days",
                "alert_utilisation_percent",
                "history_min_change",
                "scorecard_alert_auc_drop",
                "promise_grace_days",
            ):
                if policy[fname] < 0:
                    policy._raise_field(fname, _("cannot be negative"))
            if not 0 <= policy.demote_percent <= 100:
                policy._raise_field("demote_percent", _("must be between 0 and 100"))
            if not 0 <= policy.alert_score_below <= 100:
                policy._raise_field("alert_score_below", _("must be between 0 and 100"))

    @api.constrains("factor_ids")
    def _check_factors(self):
        for policy in self:
            try:
                scoring.validate(policy._scoring_factors())
            except scoring.ScoringError as error:
                raise ValidationError(policy._factor_error(error)) from None

    @api.constrains("new_customer_grade_id", "company_id")
    def _check_new_customer_grade(self):
        for policy in self:
            if policy.new_customer_grade_id and policy.new_customer_grade_id.company_id != policy.company_id:
                policy._raise_field("new_customer_grade_id", _("must be a grade of the same company"))

    def _raise_field(self, fname, problem):
        raise ValidationError(
            _(
                "Credit policy of %(company)s: %(field)s %(problem)s (got %(value)s).",
                company=self.company_id.display_name,
                field=self._fields[fname].string,
                problem=problem,
                value=self[fname],
            )
        )

    def _factor_error(self, error):
        factor = scoring.FACTOR_LABELS.get(error.factor, error.factor)
        # scoring reports breakpoint problems as "points"; the policy line calls them breakpoints
        fname = {"points": "breakpoints"}.get(error.field, error.field)
        field = self.env["credit.policy.factor"]._fields.get(fname)
        return _(
            "Credit policy of %(company)s, scoring factor %(factor)s, field %(field)s: %(problem)s",
            company=self.company_id.display_name,
            factor=factor or _("(all)"),
            field=field.string if field else error.field,
            problem=error.message,
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_learn_scorecard(self):
        """Fit a scorecard on the company's own ledger and open it as a draft, with its backtest next to
        the active scorecard's and the naive baseline's."""
        self.ensure_one()
        cards = self.env["credit.scorecard"]
        cards._check_manager()
        card = cards.sudo()._learn(self.sudo())
        return {
            "type": "ir.actions.act_window",
            "res_model": "credit.scorecard",
            "res_id": card.id,
            "view_mode": "form",
        }

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _rescore_all_soon(self, scorecard=None):
        """Have the daily rescoring run again today over every customer, in the background; for
        ``scorecard``'s activation, quietly (see the engine's ``_rescore_company``)."""
        self.env.cr.execute(
            SQL(
                """UPDATE credit_policy SET rescore_run_date = NULL, rescore_last_partner_id = 0,
                          rescore_scorecard_id = %s
                    WHERE id = ANY(%s)""",
                scorecard.id if scorecard else None,
                self.ids,
            )
        )
        self.invalidate_recordset(["rescore_run_date", "rescore_last_partner_id", "rescore_scorecard_id"])
        self.env.ref("credit_management.ir_cron_credit_rescore").sudo()._trigger()

    def _scoring_factors(self):
        self.ensure_one()
        return tuple(line._to_factor() for line in self.factor_ids)

    def _record_rescore_progress(self, day, partner_id):
        """Written in SQL with each batch: no ORM cache or tracking churn per batch."""
        self.ensure_one()
        self.env.cr.execute(
            SQL(
                "UPDATE credit_policy SET rescore_run_date = %s, rescore_last_partner_id = %s WHERE id = %s",
                day,
                partner_id,
                self.id,
            )
        )
        self.invalidate_recordset(["rescore_run_date", "rescore_last_partner_id"])

    def _thresholds(self):
        self.ensure_one()
        return rules.Thresholds(
            promote_after_on_time=self.promote_after_on_time,
            promote_percent=self.promote_percent,
            demote_overdue_days=self.demote_overdue_days,
            demote_percent=self.demote_percent,
            hold_overdue_days=self.hold_overdue_days,
        )

    @api.model
    def _for_company(self, company):
        """The company's policy, created with default grades the first time it is needed."""
        policy_id = self._policy_id(company.id)
        return self.sudo().browse(policy_id) if policy_id else self._create_defaults(company)

    @api.model
    @tools.ormcache("company_id")
    def _policy_id(self, company_id):
        # Read on every credit check: cached, and cleared when a policy is created or deleted.
        return self.sudo().search([("company_id", "=", company_id)], limit=1).id

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()

    @api.model
    def _ensure_for_companies(self):
        """Called by the module's data: every company gets a policy and grades."""
        # Every company needs its policy; companies are few.
        # pylint: disable=no-search-all
        policies = self.sudo().search([])
        for company in self.env["res.company"].sudo().search([]) - policies.company_id:
            self._create_defaults(company)
        policies._add_missing_factors()
        plans = self.env["credit.collection.plan"].sudo().with_context(active_test=False)
        for company in policies.company_id - plans.search([]).company_id:
            grades = self.env["credit.grade"].sudo().search([("company_id", "=", company.id)])
            plans._create_defaults(company, grades)
        self._translate_defaults()

    def _add_missing_factors(self):
        """A factor added in a new version reaches existing policies with weight 0: their scores do not
        move until a manager weighs it (or activates a scorecard that does)."""
        defaults = {factor.name: factor for factor in scoring.DEFAULT_FACTORS}
        for policy in self:
            missing = set(scoring.FACTORS) - set(policy.factor_ids.mapped("factor"))
            policy.write(
                {
                    "factor_ids": [
                        fields.Command.create(
                            {
                                "factor": name,
                                "weight": 0.0,
                                "breakpoints": scoring.format_points(defaults[name].points),
                            }
                        )
                        for name in sorted(missing)
                    ]
                }
            )

    @api.model
    def _create_defaults(self, company):
        grades = (
            self.env["credit.grade"]
            .sudo()
            .create([self._prepare_default_grade(values, company) for values in rules.DEFAULT_GRADES])
        )
        new_grade = grades.filtered(lambda g: g.code == rules.NEW_CUSTOMER_GRADE)
        self.env["credit.collection.plan"]._create_defaults(company, grades)
        self._translate_defaults()
        admin = self.env.ref("base.user_admin", raise_if_not_found=False)
        return self.sudo().create(
            {
                "company_id": company.id,
                "new_customer_grade_id": new_grade.id,
                "controller_user_id": admin.id if admin and company in admin.company_ids else False,
                "factor_ids": [
                    fields.Command.create(
                        {
                            "factor": factor.name,
                            "weight": factor.weight,
                            "breakpoints": scoring.format_points(factor.points),
                            "sequence": index,
                        }
                    )
                    for index, factor in enumerate(scoring.DEFAULT_FACTORS)
                ],
            }
        )

    @api.model
    def _translate_defaults(self, langs=None, overwrite=False):
        """Give the grades, collection plans and levels created by code with their default English names
        the translations of those names (the .po's), in ``langs`` (default: every active language but
        English) where they have none yet, or in any case with ``overwrite`` (Odoo's reloading of the
        terms): a name a user gave in a language stays otherwise. Called when they are created and when a
        language is installed or its terms reloaded."""
        if langs is None:
            langs = [code for code, _name in self.env["res.lang"].get_installed() if code != "en_US"]
        langs = [lang for lang in langs if lang != "en_US"]
        if not langs:
            return
        defaults = {values["name"] for values in rules.DEFAULT_GRADES}
        plans = self.env["credit.collection.plan"]._default_names()
        catalogs = {
            lang: code_translations.get_python_translations("credit_management", lang) for lang in langs
        }
        models_names = (
            ("credit.grade", defaults),
            ("credit.collection.plan", plans["plans"]),
            ("credit.collection.level", plans["levels"]),
        )
        for model, names in models_names:
            records = self.env[model].sudo().with_context(active_test=False, lang="en_US")
            for record in records.search([("name", "in", sorted(names))]):
                stored = record._fields["name"]._get_stored_translations(record)
                translations = {
                    lang: catalog[record.name]
                    for lang, catalog in catalogs.items()
                    if record.name in catalog and (overwrite or lang not in stored)
                }
                if translations:
                    record.update_field_translations("name", translations)

    @api.model
    def _prepare_default_grade(self, values, company):
        values = dict(values, company_id=company.id, sequence=10 * (ord(values["code"]) - ord("A") + 1))
        term = self.env.ref(values.pop("term"), raise_if_not_found=False)
        if term and term.company_id in (company, self.env["res.company"]):
            values["payment_term_id"] = term.id
        return values
