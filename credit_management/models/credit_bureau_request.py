import concurrent.futures
import logging
import threading
from datetime import timedelta

import psycopg2

from odoo import _, api, fields, models
from odoo.tools import SQL

from .. import bureaus
from ..bureaus.base import Identifier, Malformed

_logger = logging.getLogger(__name__)

REASONS = [
    ("new_customer", "New customer"),
    ("quotation", "First quotation"),
    ("refresh", "Refresh"),
    ("manual", "Requested by a controller"),
]
STATES = [
    ("pending", "To call"),
    ("calling", "Calling"),
    ("done", "Report received"),
    ("needs_match", "Several companies: pick one"),
    ("not_found", "Not found at the bureau"),
    ("failed", "Failed"),
]
# Backoff after a failure that may pass: 15 min, 1 h, 4 h, then daily; the bureau's Retry-After when longer.
BACKOFF_MINUTES = (15, 60, 240, 1440)
MAX_ATTEMPTS = 6
# Requests taken per connection at a time: a run that dies loses at most this many answers per connection.
PER_CONNECTION = 5


class CreditBureauRequest(models.Model):
    """A report to fetch from a bureau for a customer, on a day: the queue that keeps every bureau call out
    of the users' transactions. Requests are made by events (a new company customer, a first quotation),
    by the refresh cron and by controllers; a cron calls the bureaus, a few connections at once, and
    commits each answer. At most one call per customer, bureau and day, even across a killed run."""

    _name = "credit.bureau.request"
    _description = "Credit Bureau Request"
    _order = "id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", required=True, index=True, ondelete="cascade", readonly=True)
    provider_id = fields.Many2one("credit.bureau.provider", required=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one(related="provider_id.company_id", store=True, index=True)
    day = fields.Date(required=True, readonly=True, default=fields.Date.context_today)
    reason = fields.Selection(REASONS, required=True, readonly=True)
    state = fields.Selection(STATES, required=True, default="pending", index=True, readonly=True)
    ref = fields.Char(
        "Bureau Reference", readonly=True, help="The company at the bureau, once matched: no search again."
    )
    candidates = fields.Json(readonly=True, help="The companies a search found, for a controller to pick.")
    attempts = fields.Integer(readonly=True)
    next_attempt = fields.Datetime(readonly=True, default=fields.Datetime.now, index=True)
    called_at = fields.Datetime(readonly=True, help="When the bureau was last called for this request.")
    error = fields.Char(readonly=True)
    report_id = fields.Many2one("credit.bureau.report", readonly=True)

    _sql_constraints = [
        (
            "one_per_day",
            "UNIQUE (partner_id, provider_id, day)",
            "A customer is asked about once a day per bureau.",
        )
    ]

    # ------------------------------------------------------------------
    # Queueing
    # ------------------------------------------------------------------
    @api.model
    def _enqueue(self, partners, reason):
        """Queue a report for each commercial partner of ``partners`` from each active provider of its
        company (a partner of no company: of the user's companies), unless one is already queued or (but
        for a controller's request) a report is still fresh; set-based, no call. Returns how many."""
        partners = partners.commercial_partner_id
        if not partners:
            return
        providers = self.env["credit.bureau.provider"].sudo().search([("active", "=", True)])
        if not providers:
            return
        self.env["credit.bureau.report"].flush_model(["partner_id", "provider_id", "expiry", "ref", "date"])
        self.flush_model(["partner_id", "provider_id", "day"])
        self.env.cr.execute(
            SQL(
                """
            INSERT INTO credit_bureau_request
                   (partner_id, provider_id, company_id, day, reason, state, attempts, next_attempt, ref,
                    create_uid, create_date, write_uid, write_date)
            SELECT p.id, pr.id, pr.company_id, %(today)s, %(reason)s, 'pending', 0, %(now)s,
                   (SELECT r.ref FROM credit_bureau_report r
                     WHERE r.partner_id = p.id AND r.provider_id = pr.id AND r.ref IS NOT NULL
                     ORDER BY r.date DESC LIMIT 1),
                   %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM res_partner p
              JOIN credit_bureau_provider pr ON pr.active AND pr.id = ANY(%(providers)s)
                   AND (p.company_id = pr.company_id
                        OR (p.company_id IS NULL AND pr.company_id = ANY(%(companies)s)))
             WHERE p.id = ANY(%(partners)s)
               AND (%(reason)s = 'manual' OR NOT EXISTS (
                        SELECT 1 FROM credit_bureau_report r
                         WHERE r.partner_id = p.id AND r.provider_id = pr.id AND r.expiry >= %(today)s))
               AND NOT EXISTS (SELECT 1 FROM credit_bureau_request o
                                WHERE o.partner_id = p.id AND o.provider_id = pr.id
                                  AND o.state IN ('pending', 'calling', 'needs_match'))
               -- a quotation does not ask again about a customer a person has to match or that was not found
               AND (%(reason)s != 'quotation' OR NOT EXISTS (
                        SELECT 1 FROM credit_bureau_request q
                         WHERE q.partner_id = p.id AND q.provider_id = pr.id
                           AND q.state IN ('needs_match', 'not_found')))
            ON CONFLICT (partner_id, provider_id, day) DO NOTHING
            """,
                today=fields.Date.context_today(self),
                now=fields.Datetime.now(),
                reason=reason,
                uid=self.env.uid,
                providers=providers.ids,
                partners=partners.ids,
                companies=self.env.companies.ids,
            )
        )
        queued = self.env.cr.rowcount
        if queued:
            self.env.ref("credit_management.ir_cron_credit_bureau").sudo()._trigger()
        return queued

    @api.model
    def _cron_refresh(self):
        """Daily: queue a new report for each customer whose latest one is older than its grade's refresh
        interval, within each bureau's budget left this month, riskiest and most exposed first."""
        today = fields.Date.context_today(self)
        for provider in self.env["credit.bureau.provider"].sudo().search([("active", "=", True)]):
            budget = provider._budget_left()
            if budget is not None:
                budget -= self.search_count([("provider_id", "=", provider.id), ("state", "=", "pending")])
                if budget <= 0:
                    continue
            self._queue_refresh(provider, today, budget)
        self.env.ref("credit_management.ir_cron_credit_bureau").sudo()._trigger()

    def _queue_refresh(self, provider, today, budget):
        self.flush_model()
        self.env["credit.bureau.report"].flush_model()
        self.env["res.partner"].flush_model(
            ["credit_grade_id", "credit_score", "credit_limit", "credit_utilisation"]
        )
        self.env["credit.grade"].flush_model(["bureau_refresh_days", "min_score"])
        key = str(provider.company_id.id)
        self.env.cr.execute(
            SQL(
                """
            INSERT INTO credit_bureau_request
                   (partner_id, provider_id, company_id, day, reason, state, attempts, next_attempt, ref,
                    create_uid, create_date, write_uid, write_date)
            SELECT latest.partner_id, %(provider)s, %(company)s, %(today)s, 'refresh', 'pending', 0, %(now)s,
                   latest.ref, %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM (SELECT DISTINCT ON (partner_id) partner_id, ref, date
                      FROM credit_bureau_report WHERE provider_id = %(provider)s
                     ORDER BY partner_id, date DESC) latest
              JOIN res_partner p ON p.id = latest.partner_id AND p.active
              LEFT JOIN credit_grade g ON g.id = (p.credit_grade_id ->> %(key)s)::int
             WHERE COALESCE(g.bureau_refresh_days, 365) > 0
               AND latest.date < %(now)s - make_interval(days => COALESCE(g.bureau_refresh_days, 365))
               AND NOT EXISTS (SELECT 1 FROM credit_bureau_request o
                                WHERE o.partner_id = latest.partner_id AND o.provider_id = %(provider)s
                                  AND o.state IN ('pending', 'calling', 'needs_match'))
             ORDER BY g.min_score NULLS FIRST, (p.credit_score ->> %(key)s)::float8 NULLS FIRST,
                      COALESCE((p.credit_limit ->> %(key)s)::float8
                               * (p.credit_utilisation ->> %(key)s)::float8, 0) DESC,
                      latest.partner_id
             LIMIT %(budget)s
            ON CONFLICT (partner_id, provider_id, day) DO NOTHING
            """,
                provider=provider.id,
                company=provider.company_id.id,
                today=today,
                now=fields.Datetime.now(),
                uid=self.env.uid,
                key=key,
                budget=budget,
            )
        )

    # ------------------------------------------------------------------
    # Calling
    # ------------------------------------------------------------------
    @api.model
    def _cron_process(self, auto_commit=None):
        """Call the bureaus for the requests that are due, provider by provider, within each one's monthly
        budget and connections at once; commit each answer. Returns how many calls were made."""
        if auto_commit is None:
            auto_commit = not getattr(threading.current_thread(), "testing", False)
        self._abandon_interrupted(auto_commit)
        calls = 0
        for provider in self.env["credit.bureau.provider"].sudo().search([("active", "=", True)]):
            budget = provider._budget_left()
            size = provider.concurrency * PER_CONNECTION
            while budget is None or budget > 0:
                batch = self.sudo()._process_provider(
                    provider, auto_commit, size if budget is None else min(size, budget)
                )
                if not batch:
                    break
                calls += batch
                budget = None if budget is None else budget - batch
        return calls

    def _abandon_interrupted(self, auto_commit):
        """A request left 'calling' by a run that died may have reached the bureau: it is not called again
        that day, but moved to the next (or left failed after too many attempts)."""
        tomorrow = fields.Date.context_today(self) + timedelta(days=1)
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
            UPDATE credit_bureau_request r
               SET state = CASE WHEN r.attempts < %(max)s AND NOT EXISTS (
                                    SELECT 1 FROM credit_bureau_request o
                                     WHERE o.partner_id = r.partner_id AND o.provider_id = r.provider_id
                                       AND o.day = %(tomorrow)s)
                                THEN 'pending' ELSE 'failed' END,
                   day = CASE WHEN r.attempts < %(max)s AND NOT EXISTS (
                                  SELECT 1 FROM credit_bureau_request o
                                   WHERE o.partner_id = r.partner_id AND o.provider_id = r.provider_id
                                     AND o.day = %(tomorrow)s)
                              THEN %(tomorrow)s ELSE r.day END,
                   next_attempt = %(tomorrow)s, error = %(error)s
             WHERE r.state = 'calling'
            """,
                max=MAX_ATTEMPTS,
                tomorrow=tomorrow,
                error=_("Interrupted while calling the bureau; called again the next day."),
            )
        )
        if self.env.cr.rowcount:
            self.invalidate_model(["state", "day", "next_attempt", "error"])
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit

    def _process_provider(self, provider, auto_commit, limit):
        """Call the bureau for up to ``limit`` due requests; returns how many were taken."""
        requests = self._take(provider, limit)
        if not requests:
            return 0
        if auto_commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        connector = provider._connector()
        try:
            if not connector.ready():
                connector.authenticate()
        except bureaus.BureauError as error:
            for request in requests:
                request._failed(error)
            provider._record_outcome(error.message)
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
            return 0
        provider._keep_token(connector)
        jobs = {request.id: (request._identifier(), request.ref) for request in requests}
        make = provider._connector_factory()
        token = {"token": connector.token, "token_expiry": connector.token_expiry}

        def fetch(job):
            return _fetch(make(**token), *job)

        with concurrent.futures.ThreadPoolExecutor(max_workers=provider.concurrency) as pool:
            futures = {pool.submit(fetch, job): request_id for request_id, job in jobs.items()}
            for future in concurrent.futures.as_completed(futures):
                request = self.browse(futures[future])
                outcome, value = future.result()
                request._apply(outcome, value)
                provider._record_outcome(value.message if outcome == "error" and value.about_bureau else None)
                if auto_commit:
                    self.env.cr.commit()  # pylint: disable=invalid-commit
        return len(requests)

    def _take(self, provider, limit):
        """The provider's due requests, marked 'calling' with the time of the call: a run that dies after
        this leaves them so, and they are not called again that day."""
        now = fields.Datetime.now()
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
            UPDATE credit_bureau_request SET state = 'calling', called_at = %(now)s, attempts = attempts + 1
             WHERE id IN (SELECT id FROM credit_bureau_request
                           WHERE provider_id = %(provider)s AND state = 'pending' AND next_attempt <= %(now)s
                           ORDER BY id LIMIT %(limit)s FOR UPDATE SKIP LOCKED)
            RETURNING id
            """,
                now=now,
                provider=provider.id,
                limit=limit,
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        self.invalidate_model(["state", "called_at", "attempts"])
        return self.browse(sorted(ids))

    def _identifier_text(self):
        identifier = self._identifier()
        return (
            ", ".join(part for part in (identifier.country, identifier.registry, identifier.vat) if part)
            or identifier.name
        )

    def _identifier(self):
        partner = self.partner_id
        return Identifier(
            country=partner.country_id.code or "",
            vat=partner.vat or "",
            registry=partner.company_registry or "",
            name=partner.name or "",
        )

    # ------------------------------------------------------------------
    # Answers
    # ------------------------------------------------------------------
    def _apply(self, outcome, value):
        self.ensure_one()
        if outcome == "report":
            try:
                with self.env.cr.savepoint():
                    report = self.env["credit.bureau.report"]._store(self, value)
            except (TypeError, ValueError, psycopg2.Error) as error:
                # an answer the connector let through but the database refuses: nothing of it is kept
                self._failed(Malformed(f"{self.provider_id.name}: the report could not be stored ({error})"))
                return
            self.write({"state": "done", "report_id": report.id, "ref": value.ref, "error": False})
        elif outcome == "candidates" and not value:
            self.write({"state": "not_found", "error": _("No company with these identifiers at the bureau.")})
        elif outcome == "candidates":
            self.write({"state": "needs_match", "candidates": [c.__dict__ for c in value]})
        else:
            self._failed(value)

    def action_pick_company(self):
        """Open the list of the companies the bureau found, for a controller to pick the customer's."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "credit_management.action_credit_bureau_match_wizard"
        )
        action["context"] = {"active_id": self.id, "active_model": self._name}
        return action

    def _match(self, ref):
        """The customer is the bureau's company ``ref``: fetch its report now (in the background)."""
        self.ensure_one()
        self.write(
            {
                "ref": ref,
                "state": "pending",
                "candidates": False,
                "error": False,
                "next_attempt": fields.Datetime.now(),
            }
        )
        self.env.ref("credit_management.ir_cron_credit_bureau").sudo()._trigger()

    def _failed(self, error):
        """A failure that may pass is retried later with backoff; one that will not is left failed."""
        self.ensure_one()
        _logger.warning(
            "Credit bureau %s, customer %s: %s", self.provider_id.name, self.partner_id.id, error.message
        )
        if error.retry and self.attempts < MAX_ATTEMPTS:
            minutes = BACKOFF_MINUTES[min(self.attempts, len(BACKOFF_MINUTES)) - 1]
            wait = max(timedelta(minutes=minutes), timedelta(seconds=error.retry_after or 0))
            self.write(
                {"state": "pending", "error": error.message, "next_attempt": fields.Datetime.now() + wait}
            )
        else:
            self.write({"state": "failed", "error": error.message})


def _fetch(connector, identifier, ref):
    """Run in a worker thread, no database: the report of the company ``ref``, or the candidates a search
    found when it is not known yet (a single one found by an identifier is taken), or the error. Returns
    (outcome, value)."""
    try:
        if not ref:
            candidates = connector.search(identifier)
            # found by name alone, even a single company waits for a person to confirm it
            if len(candidates) != 1 or not (identifier.registry or identifier.vat):
                return "candidates", candidates
            ref = candidates[0].ref
        return "report", connector.report(ref)
    except bureaus.BureauError as error:
        return "error", error
    except Exception as error:
        return "error", Malformed(f"{connector.label}: unexpected answer ({type(error).__name__}: {error})")
