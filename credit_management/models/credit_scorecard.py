from itertools import pairwise

import numpy as np
import psycopg2

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, format_date

from .. import charts, scorecard, scoring
from .credit_backtest import LATE_THRESHOLDS

MANAGER = "credit_management.group_credit_manager"
CANDIDATES = ("learned", "active", "baseline")
METRICS = ("auc", "gini", "ks", "brier")
USER_WRITABLE = {"accept_non_monotone"}


class CreditScorecard(models.Model):
    """A version of the policy's scoring (factor weights and breakpoints), with the proof: its backtest on
    the company's own ledger next to the active scorecard's and the naive late-share baseline's, on the
    same samples."""

    _name = "credit.scorecard"
    _description = "Credit Scorecard"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    name = fields.Char(required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    policy_id = fields.Many2one("credit.policy", required=True, ondelete="cascade", readonly=True)
    origin = fields.Selection([("manual", "Manual"), ("learned", "Learned")], required=True, readonly=True)
    state = fields.Selection(
        [("draft", "Draft"), ("active", "Active"), ("archived", "Archived")],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
    )
    date = fields.Datetime(default=fields.Datetime.now, readonly=True)
    user_id = fields.Many2one("res.users", default=lambda self: self.env.user, readonly=True)
    line_ids = fields.One2many("credit.scorecard.line", "scorecard_id", string="Factors", readonly=True)

    date_from = fields.Date("Backtest From", readonly=True, help="First cutoff of the backtest.")
    date_to = fields.Date("Backtest To", readonly=True, help="Last cutoff of the backtest.")
    test_from = fields.Date(
        "Evaluated From", readonly=True, help="The metrics are measured on the cutoffs from this one on."
    )
    window_months = fields.Integer(readonly=True, help="Invoices issued this many months after a cutoff.")
    sample_count = fields.Integer("Samples", readonly=True)
    customer_count = fields.Integer("Customers", readonly=True)
    late_rate = fields.Float(readonly=True, digits=(5, 4))

    auc = fields.Float("AUC", readonly=True, digits=(5, 3))
    gini = fields.Float(readonly=True, digits=(5, 3))
    ks = fields.Float("KS", readonly=True, digits=(5, 3))
    brier = fields.Float(readonly=True, digits=(5, 4))
    active_auc = fields.Float("Active AUC", readonly=True, digits=(5, 3))
    active_gini = fields.Float(readonly=True, digits=(5, 3))
    active_ks = fields.Float("Active KS", readonly=True, digits=(5, 3))
    active_brier = fields.Float(readonly=True, digits=(5, 4))
    baseline_auc = fields.Float("Baseline AUC", readonly=True, digits=(5, 3))
    baseline_gini = fields.Float(readonly=True, digits=(5, 3))
    baseline_ks = fields.Float("Baseline KS", readonly=True, digits=(5, 3))
    baseline_brier = fields.Float(readonly=True, digits=(5, 4))
    auc_late_10 = fields.Float("AUC, late > 10 days", readonly=True, digits=(5, 3))
    auc_late_30 = fields.Float("AUC, late > 30 days", readonly=True, digits=(5, 3))
    psi = fields.Float(
        "Stability (PSI)",
        readonly=True,
        digits=(5, 3),
        help="Population stability of the scores of the evaluated cutoffs against those it was fitted on: "
        "below 0.1 stable, above 0.25 the population has shifted.",
    )
    monotone = fields.Boolean(
        "Grades Monotone",
        readonly=True,
        help="Each worse grade pays late at least as often as the better one.",
    )
    monitor_date = fields.Date(
        "Last Backtest", readonly=True, help="The monthly backtest of the active scorecard."
    )
    monitor_auc = fields.Float("AUC at Last Backtest", readonly=True, digits=(5, 3))
    monitor_monotone = fields.Boolean("Grades Monotone at Last Backtest", readonly=True)
    tables = fields.Json(readonly=True, help="Grade, decile and ROC tables of the backtest.")
    bands = fields.Json(
        "Grade Bands",
        readonly=True,
        help="The min score of each grade this scorecard is graded with (id, code, current and proposed), "
        "applied when it is activated.",
    )
    proof_html = fields.Html(compute="_compute_proof_html", sanitize=False, string="Proof")
    accept_non_monotone = fields.Boolean(
        "Activate Although Not Monotone",
        help="The grade table shows a worse grade paying late less often than a better one. Tick to "
        "activate this scorecard all the same.",
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("tables")
    def _compute_proof_html(self):
        for card in self:
            card.proof_html = self.env["ir.qweb"]._render("credit_management.scorecard_proof", {"card": card})

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    def write(self, vals):
        """Learning and activation write a scorecard; a user only accepts a grade table that is not
        monotone. Anything else over RPC (a state, a metric, a band) would skip the checks and the proof."""
        locked = set(vals) - USER_WRITABLE
        if locked and not self.env.su:
            raise UserError(
                _(
                    "A scorecard's factors, metrics, grade bands and state are set by learning and "
                    "activation; only %(allowed)s can be changed (not %(fields)s). Use Learn Scorecard or "
                    "Activate.",
                    allowed=self._fields["accept_non_monotone"].get_description(self.env)["string"],
                    fields=", ".join(sorted(locked)),
                )
            )
        return super().write(vals)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_activate(self):
        """Make this scorecard the policy's: its factor lines replace the policy's weights and
        breakpoints, its grade bands the grades' min scores, the previous scorecard is archived, and every
        customer is rescored. One activation per policy at a time: a second one at the same moment is
        refused, and nothing of it is written."""
        self.ensure_one()
        self._check_manager()
        if self.state == "active":
            raise UserError(_("%s is already the active scorecard.", self.name))
        if not self.monotone and not self.accept_non_monotone:
            raise UserError(
                _(
                    "%(name)s: its grade table is not monotone (%(problem)s). Tick Activate Although Not "
                    "Monotone to activate it all the same.",
                    name=self.name,
                    problem=self._monotonicity_problem(),
                )
            )
        policy = self.policy_id.sudo()
        self._lock_policy(policy)
        bands = self._bands_to_apply()
        previous = self.search([("policy_id", "=", policy.id), ("state", "=", "active")]) or self._snapshot(
            policy
        )
        if not previous.bands:  # learned before scorecards kept bands: keep today's, for a rollback
            previous.sudo().bands = self._current_bands(policy.company_id)
        lines = {line.factor: line for line in policy.factor_ids}
        commands = []
        for line in self.line_ids:
            values = {"weight": line.weight, "breakpoints": line.breakpoints}
            if line.factor in lines:
                commands.append(Command.update(lines.pop(line.factor).id, values))
            else:
                commands.append(Command.create({"factor": line.factor, **values}))
        commands += [Command.update(line.id, {"weight": 0.0}) for line in lines.values()]
        policy.write({"factor_ids": commands})
        if bands:
            self.env["credit.grade"].sudo()._set_min_scores(bands)
        previous.sudo().write({"state": "archived"})
        self.sudo().write({"state": "active"})
        message = _("Scorecard %(name)s activated by %(user)s.", name=self.name, user=self.env.user.name)
        # A log note: it needs no sender address, which a manager's user may not have.
        policy._message_log(body=message)
        self._message_log(body=message)
        policy._rescore_all_soon(self)
        return True

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _check_manager(self):
        if not self.env.su and not self.env.user.has_group(MANAGER):
            raise AccessError(_("Only credit managers learn and activate scorecards."))

    def _lock_policy(self, policy):
        """Take the policy's row for this transaction, or refuse if another activation holds it."""
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL("SELECT id FROM credit_policy WHERE id = %s FOR UPDATE NOWAIT", policy.id),
                    log_exceptions=False,
                )
        except psycopg2.errors.LockNotAvailable:
            raise UserError(
                _(
                    "Another scorecard of %(company)s is being activated at this moment. Reload the "
                    "scorecards to see which one is active, then activate %(name)s again if it should be.",
                    company=policy.company_id.name,
                    name=self.name,
                )
            ) from None

    def _bands_to_apply(self):
        """{grade id: min score} of this scorecard's bands; refused when the company's grades are no longer
        the ones it was graded with."""
        if not self.bands:
            return {}
        grades = self._company_grades(self.company_id)
        if sorted(grades.ids) != sorted(band["grade_id"] for band in self.bands):
            raise UserError(
                _(
                    "%(name)s was graded with grades %(then)s; the company's grades are now %(now)s. Learn a "
                    "new scorecard for the current grades.",
                    name=self.name,
                    then=", ".join(band["code"] or "-" for band in self.bands),
                    now=", ".join(grades.mapped(lambda g: g.code or "-")),
                )
            )
        return {band["grade_id"]: band["proposed"] for band in self.bands}

    def _monotonicity_problem(self):
        rows = [r for r in (self.tables or {}).get("grades", {}).get("learned", []) if r["count"]]
        for better, worse in pairwise(rows):
            if worse["observed"] < better["observed"]:
                worse_rate, better_rate = f"{worse['observed']:.1%}", f"{better['observed']:.1%}"
                return _(
                    "grade %(worse)s pays late %(worse_rate)s of the time, grade %(better)s %(better_rate)s",
                    worse=worse["group"],
                    worse_rate=worse_rate,
                    better=better["group"],
                    better_rate=better_rate,
                )
        return ""

    def _proof(self, size=220):
        """What the proof template draws: the grade table with both scorecards, the decile table, and the
        calibration and ROC charts as SVG polyline points in a ``size`` square."""
        self.ensure_one()
        tables = self.tables or {}
        grades = tables.get("grades", {})
        learned, active = grades.get("learned", []), {r["group"]: r for r in grades.get("active", [])}

        def percent(rate, count):
            return f"{rate:.1%}" if count and rate is not None else "-"

        bands = {band["code"]: band for band in self.bands or []}
        rows = []
        for row in learned:
            other = active.get(row["group"], {})
            band = bands.get(row["group"], {})
            rows.append(
                {
                    **row,
                    "current_text": _score_text(band.get("current")),
                    "proposed_text": _score_text(band.get("proposed")),
                    "predicted_text": percent(row["predicted"], row["count"]),
                    "observed_text": percent(row["observed"], row["count"]),
                    "active_count": other.get("count", "-"),
                    "active_observed_text": percent(other.get("observed"), other.get("count")),
                }
            )
        seen = [(row["predicted"], row["observed"]) for row in learned if row["count"]]
        top = max([0.05, *[max(p, o) for p, o in seen]])
        calibration = (sorted(seen), size, size, (0, top), (0, top))
        return {
            "size": size,
            "period": _(
                "Cutoffs from %(start)s to %(end)s, evaluated from %(test)s; invoices issued within "
                "%(months)s months of a cutoff, late when paid after their due date; %(samples)s samples of "
                "%(customers)s customers.",
                start=format_date(self.env, self.date_from),
                end=format_date(self.env, self.date_to),
                test=format_date(self.env, self.test_from),
                months=self.window_months,
                samples=self.sample_count,
                customers=self.customer_count,
            ),
            "grades": rows,
            "deciles": [
                {
                    **row,
                    "predicted_text": percent(row["predicted"], row["count"]),
                    "observed_text": percent(row["observed"], row["count"]),
                }
                for row in tables.get("deciles", [])
            ],
            "diagonal": charts.polyline([(0, 0), (1, 1)], size, size),
            "calibration": charts.polyline(*calibration),
            "calibration_dots": charts.coordinates(*calibration),
            "roc": {
                name: charts.polyline(tables.get("roc", {}).get(name) or [], size, size)
                for name in ("learned", "active", "baseline")
            },
        }

    @api.model
    def _snapshot(self, policy):
        """The policy's hand-set factors, kept as an archived manual scorecard before a learned one
        replaces them."""
        return self.sudo().create(
            {
                "name": _("Manual scorecard until %s", fields.Date.context_today(self)),
                "company_id": policy.company_id.id,
                "policy_id": policy.id,
                "origin": "manual",
                "state": "active",
                "monotone": True,
                "bands": self._current_bands(policy.company_id),
                "line_ids": [
                    Command.create({"factor": f.factor, "weight": f.weight, "breakpoints": f.breakpoints})
                    for f in policy.factor_ids
                ],
            }
        )

    @api.model
    def _backtest_samples(self, policy, months, window_months):
        """The company's samples over the last ``months`` and the mask of those whose outcome (late beyond
        0 days) is decided."""
        company = policy.company_id
        backtest = self.env["credit.backtest"].with_company(company)
        today = fields.Date.context_today(self)
        cutoffs = backtest._cutoffs(company, today, months)
        samples = backtest._samples(company, cutoffs, window_months, policy.lookback_days, today)
        return samples, ~np.isnan(samples["late"][0])

    @api.model
    def _company_grades(self, company):
        return (
            self.env["credit.grade"].sudo().search([("company_id", "=", company.id)], order="min_score desc")
        )

    @api.model
    def _current_bands(self, company):
        """The company's grades as they are, as bands (a rollback to a scorecard restores them)."""
        return [
            {"grade_id": g.id, "code": g.code, "current": g.min_score, "proposed": g.min_score}
            for g in self._company_grades(company)
        ]

    @api.model
    def _grade_bands(self, company):
        return [(grade.code, grade.min_score) for grade in self._company_grades(company)]

    @api.model
    def _proposed_bands(self, company, reference, learned):
        """The company's grades with their min score now and the one proposed for the ``learned`` scores
        (each grade keeps its share of the samples under the ``reference`` scores), best first."""
        grades = self._company_grades(company)
        proposed = scorecard.propose_bands(reference, learned, grades.mapped("min_score"))
        return [
            {"grade_id": grade.id, "code": grade.code, "current": grade.min_score, "proposed": bound}
            for grade, bound in zip(grades, proposed, strict=True)
        ]

    @api.model
    def _cron_monitor(self, months=12):
        """Monthly: backtest each company's active scorecard on its recent ledger; alert the credit managers
        (one open activity per scorecard) when its AUC fell more than the policy allows below the AUC it was
        activated with, or its grades stopped being monotone."""
        for card in self.sudo().search([("state", "=", "active")]):
            samples, decided = self._backtest_samples(card.policy_id, months, card.window_months or 3)
            late = samples["late"][0][decided].astype(bool)
            if decided.sum() < scorecard.MIN_SAMPLES or late.all() or not late.any():
                continue
            score = scoring.compute(_by_factor(samples["values"][decided]), card.line_ids._to_factors()).score
            result = scorecard.evaluate(score, late, score, late, self._grade_bands(card.company_id))
            card.write(
                {
                    "monitor_date": fields.Date.context_today(self),
                    "monitor_auc": _finite(result["metrics"].auc),
                    "monitor_monotone": result["monotone"],
                }
            )
            card._alert_if_degraded()

    def _alert_if_degraded(self):
        self.ensure_one()
        problems = []
        if self.auc and self.auc - self.monitor_auc > self.policy_id.scorecard_alert_auc_drop:
            was, now = f"{self.auc:.3f}", f"{self.monitor_auc:.3f}"
            problems.append(_("its AUC fell from %(was)s to %(now)s", was=was, now=now))
        if self.monotone and not self.monitor_monotone:  # a table accepted as not monotone is not news
            problems.append(_("its grades are no longer monotone"))
        review = "credit_management.mail_activity_type_scorecard_review"
        if not problems or self.activity_ids.filtered(lambda a: a.activity_type_id == self.env.ref(review)):
            return
        note = _("Backtest of %(date)s: %(problems)s.", date=self.monitor_date, problems="; ".join(problems))
        for user in self.env.ref(MANAGER).users.filtered(lambda u, c=self.company_id: c in u.company_ids):
            self.activity_schedule(
                review, summary=_("Scorecard performance dropped"), note=note, user_id=user.id
            )

    @api.model
    def _learn(self, policy, months=24, window_months=3):
        """Backtest the company's ledger, fit a scorecard on the older cutoffs, evaluate it with the active
        scorecard and the baseline on the newer ones, and store it as a draft."""
        company = policy.company_id
        samples, decided = self._backtest_samples(policy, months, window_months)
        values, late, cutoff = (
            samples["values"][decided],
            samples["late"][0][decided].astype(bool),
            samples["cutoff"][decided],
        )
        try:
            card, fit_mask = scorecard.learn(values, late, cutoff)
        except scorecard.FitError as error:
            raise UserError(
                _(
                    "Not enough payment history to learn a scorecard for %(company)s: %(problem)s. The "
                    "active scorecard is unchanged.",
                    company=company.name,
                    problem=str(error),
                )
            ) from None
        test = ~fit_mask if (~fit_mask).any() else fit_mask
        columns = _by_factor(values)
        scores = {
            "learned": scoring.compute(columns, card.scoring_factors()).score,
            "active": scoring.compute(columns, policy._scoring_factors()).score,
            "baseline": 100.0 * (1.0 - samples["late_share"][decided]),
        }
        bands = self._proposed_bands(company, scores["active"][fit_mask], scores["learned"][fit_mask])
        grades = {
            "learned": [(band["code"], band["proposed"]) for band in bands],
            "active": self._grade_bands(company),
        }
        grades["baseline"] = grades["active"]
        results = {
            name: scorecard.evaluate(score[fit_mask], late[fit_mask], score[test], late[test], grades[name])
            for name, score in scores.items()
        }
        extra = {}
        for days in LATE_THRESHOLDS[1:]:
            other = samples["late"][days][decided]
            known = test & ~np.isnan(other)
            extra[days] = scorecard.metrics(
                scores["learned"][known], other[known].astype(bool), np.zeros(known.sum())
            ).auc
        return self.create(
            self._prepare_learned_values(
                policy, card, results, extra, samples, decided, cutoff, test, window_months
            )
            | {"psi": scorecard.psi(scores["learned"][fit_mask], scores["learned"][test]), "bands": bands}
        )

    @api.model
    def _prepare_learned_values(
        self, policy, card, results, extra, samples, decided, cutoff, test, window_months
    ):
        values = {
            "name": _("Learned %s", fields.Date.context_today(self)),
            "company_id": policy.company_id.id,
            "policy_id": policy.id,
            "origin": "learned",
            "date_from": cutoff.min().item(),
            "date_to": cutoff.max().item(),
            "test_from": cutoff[test].min().item(),
            "window_months": window_months,
            "sample_count": int(decided.sum()),
            "customer_count": len(np.unique(samples["partner_id"][decided])),
            "late_rate": float(samples["late"][0][decided].mean()),
            "monotone": results["learned"]["monotone"],
            "auc_late_10": _finite(extra[10]),
            "auc_late_30": _finite(extra[30]),
            "tables": _json_safe(
                {
                    "grades": {name: result["grades"] for name, result in results.items()},
                    "deciles": results["learned"]["deciles"],
                    "roc": {name: result["roc"] for name, result in results.items()},
                    "monotone": {name: result["monotone"] for name, result in results.items()},
                }
            ),
            "line_ids": [
                Command.create(
                    {
                        "factor": f.name,
                        "weight": f.weight,
                        "breakpoints": scoring.format_points(f.points),
                        "bins": "\n".join(
                            f"<= {b.upper:g}: {b.count} samples, {b.late / b.count:.1%} late" for b in f.bins
                        ),
                    }
                )
                for f in card.factors
            ],
        }
        for name, prefix in (("learned", ""), ("active", "active_"), ("baseline", "baseline_")):
            m = results[name]["metrics"]
            values.update({f"{prefix}{metric}": _finite(getattr(m, metric)) for metric in METRICS})
        return values


def _by_factor(values):
    """(N, F) values in ``scoring.FACTORS`` order as {factor: column}, which scores with any subset of
    factor lines."""
    return {name: values[:, j] for j, name in enumerate(scoring.FACTORS)}


def _json_safe(value):
    """``value`` with NaN as null and numpy numbers as plain ones: JSON has no NaN."""
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def _score_text(score):
    return "-" if score is None else f"{score:g}"


def _finite(value):
    return float(value) if np.isfinite(value) else 0.0
