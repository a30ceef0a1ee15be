from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from .. import bureaus
from ..report.tz import day_start_utc, user_tz

MANAGER = "credit_management.group_credit_manager"
SYSTEM = "base.group_system"
# Consecutive failed calls after which the credit managers get one activity.
FAILURES_BEFORE_ALERT = 5


class CreditBureauProvider(models.Model):
    """A credit bureau account of a company: which connector, where, with which credentials, and within
    which limits (timeout, cache, monthly budget, connections at once)."""

    _name = "credit.bureau.provider"
    _description = "Credit Bureau Provider"
    _inherit = ["mail.thread", "mail.activity.mixin", "credit.number.mixin"]
    _order = "sequence, id"

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    kind = fields.Selection(
        selection=lambda self: [(kind, cls.label) for kind, cls in sorted(bureaus.REGISTRY.items())],
        required=True,
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True, tracking=True
    )
    environment = fields.Selection(
        [("production", "Production"), ("sandbox", "Sandbox"), ("custom", "Custom URL")],
        required=True,
        default="production",
        tracking=True,
    )
    base_url = fields.Char("Base URL", compute="_compute_base_url", store=True, readonly=False, tracking=True)
    # Credentials: read by credit managers (to fix them) and by the system (to call); never tracked.
    username = fields.Char(groups=MANAGER, help="Creditsafe: the API user's username.")
    password = fields.Char(groups=MANAGER, help="Creditsafe: the API user's password.")
    api_key = fields.Char("Key", groups=MANAGER, help="Qichacha: the application key (AppKey).")
    api_secret = fields.Char("Secret Key", groups=MANAGER, help="Qichacha: the secret key.")
    token = fields.Char(groups=SYSTEM, copy=False)
    token_expiry = fields.Float(groups=SYSTEM, copy=False)
    timeout = fields.Float("Timeout (s)", default=20.0, tracking=True)
    concurrency = fields.Integer(
        "Connections at Once", default=4, tracking=True, help="Calls made at the same time by a refresh run."
    )
    cache_days = fields.Integer(
        default=30, tracking=True, help="A report younger than this is used again rather than bought again."
    )
    monthly_budget = fields.Integer(
        default=1000, tracking=True, help="Calls allowed per calendar month; 0 for no limit."
    )
    calls_this_month = fields.Integer(compute="_compute_calls_this_month")
    failure_count = fields.Integer(
        "Failures in a Row", readonly=True, copy=False, help="Calls that failed since the last that worked."
    )
    last_error = fields.Char(readonly=True, copy=False)

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("kind", "environment")
    def _compute_base_url(self):
        for provider in self:
            connector = bureaus.REGISTRY.get(provider.kind)
            if connector and provider.environment != "custom":
                provider.base_url = connector.urls[provider.environment]
            elif not provider.base_url:
                provider.base_url = connector.urls["production"] if connector else False

    def _compute_calls_this_month(self):
        counts = self._month_calls()
        for provider in self:
            provider.calls_this_month = counts.get(provider.id, 0)

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("timeout", "concurrency", "cache_days", "monthly_budget", "base_url")
    def _check_limits(self):
        for provider in self:
            if not 0 < provider.timeout <= 300:
                raise ValidationError(
                    _("%(name)s: Timeout must be between 0 and 300 seconds.", name=provider.name)
                )
            if not 1 <= provider.concurrency <= 16:
                raise ValidationError(
                    _("%(name)s: Connections at Once must be between 1 and 16.", name=provider.name)
                )
            if provider.cache_days < 0 or provider.monthly_budget < 0:
                raise ValidationError(
                    _(
                        "%(name)s: Cache Days and Monthly Budget cannot be negative; 0 means none.",
                        name=provider.name,
                    )
                )
            if not (provider.base_url or "").startswith(("https://", "http://")):
                raise ValidationError(
                    _(
                        "%(name)s: the Base URL must start with https:// (got %(url)s).",
                        name=provider.name,
                        url=provider.base_url,
                    )
                )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_test_connection(self):
        """Authenticate with the provider now; a clear error when the credentials or the URL are wrong."""
        self.ensure_one()
        if not self.env.su and not self.env.user.has_group(MANAGER):
            raise AccessError(_("Only credit managers test a credit bureau's connection."))
        connector = self._connector()
        try:
            connector.authenticate()
        except bureaus.BureauError as error:
            raise UserError(
                _("%(name)s: the connection test failed. %(reason)s", name=self.name, reason=error.message)
            ) from None
        self._keep_token(connector)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _("%(name)s accepted the credentials.", name=self.name),
                "sticky": False,
            },
        }

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _connector(self):
        """The provider's connector, with its credentials and the token an earlier call left."""
        return self._connector_factory()()

    def _connector_factory(self):
        """A function that makes the provider's connector without touching the database: worker threads
        each make their own (a requests session is not shared across threads, the ORM not at all)."""
        self.ensure_one()
        provider = self.sudo()
        cls = bureaus.REGISTRY[provider.kind]
        args = (
            provider.base_url,
            {
                "username": provider.username,
                "password": provider.password,
                "key": provider.api_key,
                "secret": provider.api_secret,
            },
        )
        kwargs = {
            "timeout": provider.timeout,
            "token": provider.token or None,
            "token_expiry": provider.token_expiry,
        }
        return lambda **override: cls(*args, **{**kwargs, **override})

    def _keep_token(self, connector):
        """Keep the connector's token for the next calls (Creditsafe's lasts an hour)."""
        if connector.token and connector.token != self.sudo().token:
            self.sudo().write({"token": connector.token, "token_expiry": connector.token_expiry})

    def _month_calls(self):
        """{provider id: calls made this calendar month}."""
        if not self.ids:
            return {}
        # the month is the user's: a call at 00:30 on the 1st, local time, is the new month's
        start = fields.Date.context_today(self).replace(day=1)
        self.env["credit.bureau.request"].flush_model(["provider_id", "called_at"])
        self.env.cr.execute(
            SQL(
                """SELECT provider_id, COUNT(*) FROM credit_bureau_request
                    WHERE provider_id = ANY(%s) AND called_at >= %s GROUP BY provider_id""",
                self.ids,
                day_start_utc(start, user_tz(self)),
            )
        )
        return dict(self.env.cr.fetchall())

    def _budget_left(self):
        """Calls still allowed this month (None: no limit)."""
        self.ensure_one()
        if not self.monthly_budget:
            return None
        return max(self.monthly_budget - self._month_calls().get(self.id, 0), 0)

    def _record_outcome(self, error=None):
        """Count failures in a row; the credit managers get one activity when they pile up."""
        self.ensure_one()
        if error is None:
            if self.failure_count:
                self.sudo().write({"failure_count": 0, "last_error": False})
            return
        count = self.failure_count + 1
        self.sudo().write({"failure_count": count, "last_error": error[:250]})
        if count == FAILURES_BEFORE_ALERT:
            self._alert_managers(error)

    def _alert_managers(self, error):
        activity_type = self.env.ref("credit_management.mail_activity_type_bureau_failure")
        if self.activity_ids.filtered(lambda a: a.activity_type_id == activity_type):
            return
        users = self.env.ref(MANAGER).users.filtered(lambda u: self.company_id in u.company_ids)
        for user in users:
            self.sudo().activity_schedule(
                "credit_management.mail_activity_type_bureau_failure",
                summary=_("%(name)s keeps failing", name=self.name),
                note=_(
                    "%(count)s calls in a row failed; the last: %(error)s",
                    count=self.failure_count,
                    error=error,
                ),
                user_id=user.id,
                date_deadline=fields.Date.context_today(self) + timedelta(days=1),
            )
