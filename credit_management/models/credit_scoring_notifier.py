import numpy as np
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.tools import SQL, get_lang


class CreditScoringNotifier(models.AbstractModel):
    """Tells people what a rescoring changed: chatter notes on the customers, review activities
    for the credit controller."""

    _name = "credit.scoring.notifier"
    _description = "Credit Scoring Notifier"

    @api.model
    def _notify(self, ids, before, step, data, policy, grades, quiet=False):
        """Chatter notes and alerts for what ``step`` changed; returns how many alerts were raised.

        ``quiet``: the rescoring that applies a scorecard's activation, which re-grades the book in one
        decision logged on the scorecard: its grade, limit and term changes get no note or alert each;
        holds, promotions, demotions and utilisation still do."""
        changes = step.changes
        if quiet:
            unchanged = np.zeros(len(ids), dtype=bool)
            changes = dict(changes, grade=unchanged, limit=unchanged, term=unchanged, profile=changes["hold"])
        self._log_changes(ids, before, step.after, changes, step.outcome, data, policy)
        return self._raise_alerts(ids, before, step.after, changes, policy, grades, quiet=quiet)

    @api.model
    def _log_changes(self, ids, before, after, changes, outcome, data, policy):
        """A chatter note on each customer whose grade, limit, term or hold the policy changed.

        A first scoring sets the initial profile silently: its history row says why, and
        installing on a large book must not bury anyone in notes.
        """
        decided = outcome.promoted | outcome.demoted | changes["hold"]
        rows = np.flatnonzero((changes["profile"] | decided) & ~changes["first"])
        if not len(rows):
            return
        names = {
            "grade": _names(
                self.env["credit.grade"], before["credit_grade_id"][rows], after["credit_grade_id"][rows]
            ),
            "term": _names(
                self.env["account.payment.term"],
                before["property_payment_term_id"][rows],
                after["property_payment_term_id"][rows],
            ),
        }
        amount = _amount_formatter(self.env, self.env.company.currency_id)
        # Translated once per batch: _() looks up the language on every call.
        text = {
            "title": _("Credit profile updated by the credit policy:"),
            "grade": _("Grade: %(old)s → %(new)s (score %(score)s)"),
            "limit": _("Credit limit: %(old)s → %(new)s (%(why)s)"),
            "promoted": _("promoted: %s invoices in a row paid on time", policy.promote_after_on_time),
            "demoted": _("demoted: an item overdue %s days"),
            "rule": _("grade rule"),
            "term": _("Payment term: %(old)s → %(new)s"),
            "placed": _("Credit hold placed: %s"),
            "lifted": _("Credit hold lifted: no item overdue more than %s days", policy.hold_overdue_days),
            "none": _("none"),
        }
        bodies = {}
        for i in rows:
            lines = []
            if changes["grade"][i]:
                lines.append(
                    text["grade"]
                    % {
                        "old": names["grade"].get(before["credit_grade_id"][i], text["none"]),
                        "new": names["grade"].get(after["credit_grade_id"][i], text["none"]),
                        "score": _fmt(after["credit_score"][i]),
                    }
                )
            if changes["limit"][i]:
                why = (
                    text["promoted"]
                    if outcome.promoted[i]
                    else text["demoted"] % int(data["max_days_overdue"][i])
                    if outcome.demoted[i]
                    else text["rule"]
                )
                lines.append(
                    text["limit"]
                    % {
                        "old": amount(before["credit_limit"][i]),
                        "new": amount(after["credit_limit"][i]),
                        "why": why,
                    }
                )
            if changes["term"][i]:
                lines.append(
                    text["term"]
                    % {
                        "old": names["term"].get(before["property_payment_term_id"][i], text["none"]),
                        "new": names["term"].get(after["property_payment_term_id"][i], text["none"]),
                    }
                )
            if changes["hold"][i]:
                lines.append(
                    text["placed"]
                    % self.env["res.partner"]._credit_reason_in_language(after["credit_hold_reason"][i])
                    if after["credit_hold"][i]
                    else text["lifted"]
                )
            bodies[int(ids[i])] = Markup("<p>%s</p><ul>%s</ul>") % (
                text["title"],
                Markup().join(Markup("<li>%s</li>") % line for line in lines),
            )
        self.env["res.partner"].browse(list(bodies))._message_log_batch(bodies=bodies)

    @api.model
    def _log_note(self, partner_ids, body):
        """The same note in the chatter of many customers: one INSERT, where ``_message_log_batch`` creates
        them one ORM record at a time (milliseconds each, minutes for a collection run's holds)."""
        if not partner_ids:
            return
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """
            INSERT INTO mail_message (model, res_id, record_name, message_type, subtype_id, body, author_id,
                                      email_from, date, message_id, create_uid, create_date, write_uid,
                                      write_date)
            SELECT 'res.partner', p.id, p.complete_name, 'notification', %(note)s, %(body)s, %(author)s,
                   %(email_from)s, %(now)s,
                   '<' || substr(md5(random()::text), 1, 15) || '-openerp-' || p.id || '-res.partner@local>',
                   %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM res_partner p WHERE p.id = ANY(%(ids)s)
            """,
                note=self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
                body=str(Markup("<p>%s</p>") % body),
                author=self.env.user.partner_id.id,
                email_from=self.env.user.email_formatted or None,
                now=now,
                uid=self.env.uid,
                ids=list(partner_ids),
            )
        )
        self.env["mail.message"].invalidate_model()
        self.env["res.partner"].invalidate_model(["message_ids"])

    @api.model
    def _raise_alerts(self, ids, before, after, changes, policy, grades, quiet=False):
        """Credit review activities for the controller; never two open ones of a kind per customer.
        Like chatter notes, alerts follow changes: a first scoring raises none."""
        if not policy.controller_user_id:
            return 0
        min_score = dict(zip(grades.ids.tolist(), grades.min_scores.tolist(), strict=True))
        old_min = np.array([min_score.get(g, np.nan) for g in before["credit_grade_id"]])
        new_min = np.array([min_score.get(g, np.nan) for g in after["credit_grade_id"]])
        threshold = policy.alert_score_below
        util_threshold = policy.alert_utilisation_percent
        scored_before = ~changes["first"]
        kinds = {
            "grade_drop": scored_before & (new_min < old_min),
            "score_below": scored_before
            & (after["credit_score"] < threshold)
            & ~(before["credit_score"] < threshold),
            "utilisation": scored_before
            & (after["credit_utilisation"] > util_threshold)
            & ~(before["credit_utilisation"] > util_threshold),
            "hold": scored_before & changes["hold"] & after["credit_hold"],
        }
        if quiet:
            del kinds["grade_drop"], kinds["score_below"]
        wanted = [(int(ids[i]), kind) for kind, mask in kinds.items() for i in np.flatnonzero(mask)]
        return self._create_alerts(policy, wanted)

    @api.model
    def _alert(self, company, partner_ids, kind):
        """Raise one kind of credit review alert on ``partner_ids``."""
        policy = self.env["credit.policy"]._for_company(company)
        return self._create_alerts(policy, [(pid, kind) for pid in partner_ids])

    @api.model
    def _create_alerts(self, policy, wanted):
        """Create the (partner id, kind) alerts that have no open twin; returns how many."""
        controller = policy.controller_user_id
        if not wanted or not controller:
            return 0
        self.env["mail.activity"].flush_model(["res_model", "res_id", "credit_alert_kind", "active"])
        self.env.cr.execute(
            SQL(
                """
            SELECT res_id, credit_alert_kind FROM mail_activity
             WHERE res_model = 'res.partner' AND res_id = ANY(%s) AND credit_alert_kind IS NOT NULL AND active
            """,
                list({pid for pid, _kind in wanted}),
            )
        )
        open_alerts = set(self.env.cr.fetchall())
        wanted = [(pid, kind) for pid, kind in dict.fromkeys(wanted) if (pid, kind) not in open_alerts]
        activity_type = self.env.ref("credit_management.mail_activity_type_credit_review")
        model_id = self.env["ir.model"]._get_id("res.partner")
        labels = dict(self.env["mail.activity"]._fields["credit_alert_kind"]._description_selection(self.env))
        activities = self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True)
        # Activities name their record one by one: fetch the names in one query first.
        activities.env["res.partner"].browse({pid for pid, _kind in wanted}).mapped("display_name")
        # One create per kind: a batch naming a customer twice would subscribe the controller twice.
        for kind in dict.fromkeys(kind for _pid, kind in wanted):
            activities.create(
                [
                    {
                        "res_model_id": model_id,
                        "res_id": pid,
                        "activity_type_id": activity_type.id,
                        "user_id": controller.id,
                        "summary": _("Credit review: %s", labels[kind]),
                        "credit_alert_kind": kind,
                        "date_deadline": fields.Date.context_today(self),
                    }
                    for pid, pid_kind in wanted
                    if pid_kind == kind
                ]
            )
        return len(wanted)


def _names(model, *id_arrays):
    """{id: display name} of the records whose ids the numpy arrays hold."""
    records = model.browse(sorted({int(v) for array in id_arrays for v in array if v}))
    return dict(zip(records.ids, records.mapped("display_name"), strict=True))


def _amount_formatter(env, currency):
    """format_amount, with the language and currency looked up once rather than per amount."""
    lang = env["res.lang"].browse(get_lang(env).id)
    fmt = f"%.{currency.decimal_places}f"
    symbol = currency.symbol or ""
    pre, post = (
        (f"{symbol}\N{NO-BREAK SPACE}", "")
        if currency.position == "before"
        else ("", f"\N{NO-BREAK SPACE}{symbol}")
    )

    def amount(value):
        return pre + lang.format(fmt, round(float(value), currency.decimal_places), grouping=True) + post

    return amount


def _fmt(score):
    return "-" if np.isnan(score) else f"{score:.1f}"
