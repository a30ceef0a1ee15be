import socket
import threading

import numpy as np
from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL

from .. import dunning
from .credit_exposure import OPEN, due_date
from .credit_payment_promise import FAILED as FAILED_PROMISES

# The items a level's message is about: those due by then, at least every overdue one (a courtesy note
# before the due date is about the items falling due).
COVERED = "o.due <= %(today)s::date - LEAST(l.days, 1)"


class CreditCollectionRun(models.AbstractModel):
    """The daily collection run: decide promises, then send each customer the reminder level it has
    newly reached, place and lift the holds of collections.

    Gather (SQL, one row per customer with open items) → :func:`dunning.next_levels` once → events
    (SQL), emails queued through ``mail.mail``, activities and holds. Customers are written in batches,
    each committed with its events and emails: a run killed midway and run again finds what it sent
    in the events and sends the rest only.
    """

    _name = "credit.collection.run"
    _description = "Collection Run"

    @api.model
    def _cron_run(self):
        # pylint: disable=no-search-all
        for company in self.env["res.company"].sudo().search([]):
            self.sudo().with_company(company)._run(company)

    @api.model
    def _run(self, company, today=None, batch_size=2000, auto_commit=None):
        """Returns a summary: how many customers got which channel, holds placed and lifted."""
        if auto_commit is None:
            auto_commit = not getattr(threading.current_thread(), "testing", False)
        today = fields.Date.to_date(today) or fields.Date.context_today(self.with_company(company))
        policy = self.env["credit.policy"]._for_company(company)
        summary = dict.fromkeys(("email", "activity", "letter", "hold", "lifted", "promises"), 0)
        if not self._begin(company):
            return summary
        promises = self.env["credit.payment.promise"].sudo()
        failed = promises._decide(company, today, policy.promise_grace_days)
        summary["promises"] = len(failed)
        self._alert_failed_promises(policy, failed, today)
        if policy.collection_reminders:
            data = self._gather(company, today)
            plans = self._plans(company)
            # failed promises whose escalation is still to come, today's and a killed run's
            pending = promises.search(
                [("company_id", "=", company.id), ("state", "in", FAILED_PROMISES), ("escalated", "=", False)]
            )
            due, plan = self._due(policy, data, plans, pending.partner_id.ids)
            chosen = np.flatnonzero(due.level != dunning.NONE)
            for start in range(0, len(chosen), batch_size):
                rows = chosen[start : start + batch_size]
                counts = self._contact(company, today, data, plans, plan, due, rows)
                for key, value in counts.items():
                    summary[key] += value
                batch = set(data["partner"][rows].tolist())
                pending.filtered(lambda p, batch=batch: p.partner_id.id in batch).write({"escalated": True})
                if not start or start + batch_size >= len(chosen):
                    self._analyze()
                if auto_commit:
                    self.env.cr.commit()  # pylint: disable=invalid-commit
                    if not self._begin(company):
                        return summary  # another run took over between two batches
            # the others had nothing left to escalate to (paid, paused again, or at the last level)
            pending.filtered(lambda p: not p.escalated).write({"escalated": True})
        summary["lifted"] = self._lift_holds(company, today)
        self.env["credit.collection.status"]._refresh(company, today=today)
        return summary

    # ------------------------------------------------------------------
    # Gather
    # ------------------------------------------------------------------
    @api.model
    def _begin(self, company):
        """Start one of the run's transactions: False when another run of the company holds it (a manual
        run beside the cron), which then does nothing.

        Without just-in-time compilation: the statements of a batch are estimated costly and would be
        compiled again in each batch, for longer than they take to run."""
        self.env.cr.execute("SET LOCAL jit = off")
        self.env.cr.execute(
            SQL("SELECT pg_try_advisory_xact_lock(hashtext('credit_collection_run'), %s)", company.id)
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _analyze(self):
        """Fresh statistics of the events once a run has written a batch, and at its end: a morning run
        can multiply them, and the plans of the next batches and of the worklist (index probes per
        customer) must know it, without waiting for autovacuum."""
        self.env.cr.execute("ANALYZE credit_collection_event, credit_collection_event_line_rel")

    @api.model
    def _gather(self, company, today):
        """One row per customer owing something: its oldest open item's age and the days of the highest
        level already sent for that item, its grade, a pause, the recipient of the email.

        Four statements, each set-based, joined by customer here: the planner never has to guess how
        many events a customer has (a correlated subquery per customer ran for minutes on a table whose
        statistics were stale)."""
        self._flush_sources()
        self.env.cr.execute(
            SQL(
                """
            WITH open AS (%(open_items)s),
            customers AS (
                SELECT partner, MIN(due) FILTER (WHERE residual > 0) AS oldest_due,
                       (array_agg(id ORDER BY due, id) FILTER (WHERE residual > 0))[1] AS anchor,
                       SUM(residual) FILTER (WHERE residual > 0 AND due < %(today)s) AS overdue
                  FROM open GROUP BY partner HAVING SUM(residual) > 0
            )
            SELECT c.partner, %(today)s::date - c.oldest_due, COALESCE(c.overdue, 0), c.anchor,
                   COALESCE((rp.credit_grade_id ->> %(key)s)::int, 0),
                   CASE WHEN COALESCE(rp.email, '') != '' THEN rp.id ELSE 0 END
              FROM customers c
              JOIN res_partner rp ON rp.id = c.partner
             ORDER BY c.partner
            """,
                open_items=self._open_items(company),
                today=today,
                key=str(company.id),
            )
        )
        rows = self.env.cr.fetchall()
        partner = np.array([row[0] for row in rows], dtype=np.int64)
        anchor = np.array([row[3] for row in rows], dtype=np.int64)
        return {
            "partner": partner,
            "days": np.array([row[1] for row in rows], dtype=np.int64),
            "overdue": np.array([row[2] for row in rows], dtype=float),
            "sent_days": self._sent_days(anchor),
            "grade": np.array([row[4] for row in rows], dtype=np.int64),
            "paused": np.isin(partner, self._promising(company)),
            "recipient": self._recipients(partner, np.array([row[5] for row in rows], dtype=np.int64)),
        }

    @api.model
    def _flush_sources(self):
        """Pending ORM writes to what the run and the collection status read."""
        for model in (
            "account.move.line",
            "res.partner",
            "credit.collection.event",
            "credit.payment.promise",
        ):
            self.env[model].flush_model()

    @api.model
    def _sent_days(self, anchors):
        """The days of the highest level already sent about each item (NaN where none)."""
        result = np.full(len(anchors), np.nan)
        if not len(anchors):
            return result
        self.env.cr.execute(
            SQL(
                """
            SELECT r.line_id, MAX(l.days)
              FROM credit_collection_event_line_rel r
              JOIN credit_collection_event e ON e.id = r.event_id AND e.automatic
              JOIN credit_collection_level l ON l.id = e.level_id
             WHERE r.line_id = ANY(%s)
             GROUP BY r.line_id
            """,
                anchors.tolist(),
            )
        )
        sent = dict(self.env.cr.fetchall())
        if sent:
            result = np.array([sent.get(line, np.nan) for line in anchors.tolist()], dtype=float)
        return result

    @api.model
    def _promising(self, company):
        """The customers with an open promise to pay: their reminders wait."""
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT partner_id FROM credit_payment_promise "
                "WHERE company_id = %s AND state = 'open'",
                company.id,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _recipients(self, partners, own):
        """Who each customer's email goes to: its first invoicing contact with an email address, else the
        customer when it has one (``own``), else nobody (0)."""
        self.env.cr.execute(
            """
            SELECT DISTINCT ON (commercial_partner_id) commercial_partner_id, id
              FROM res_partner
             WHERE type = 'invoice' AND active AND COALESCE(email, '') != ''
               AND commercial_partner_id != id
             ORDER BY commercial_partner_id, id
            """
        )
        contacts = dict(self.env.cr.fetchall())
        if not contacts:
            return own
        return np.array(
            [
                contacts.get(partner, fallback)
                for partner, fallback in zip(partners.tolist(), own.tolist(), strict=True)
            ],
            dtype=np.int64,
        )

    @api.model
    def _open_items(self, company, partners=None):
        """Open receivable items of the company (of ``partners``' companies and contacts only, when
        given): id, customer (commercial partner), due date, residual."""
        customers = (
            SQL(
                "aml.partner_id IN (SELECT id FROM res_partner WHERE commercial_partner_id = ANY(%s))",
                partners,
            )
            if partners is not None
            else SQL("TRUE")
        )
        return SQL(
            """
            SELECT aml.id, p.commercial_partner_id AS partner, %s AS due,
                   aml.amount_residual AS residual
              FROM account_move_line aml
              JOIN res_partner p ON p.id = aml.partner_id
             WHERE aml.company_id = %s AND aml.account_id = ANY((%s)::int[]) AND %s AND %s
            """,
            due_date(),
            company.id,
            self.env["credit.exposure"]._receivable_accounts_array(company.id),
            SQL(OPEN),
            customers,
        )

    @api.model
    def _plans(self, company):
        """The company's plans as arrays for the core, and which plan each grade follows."""
        plans = self.env["credit.collection.plan"].sudo().search([("company_id", "=", company.id)])
        levels = [plan._levels() for plan in plans]
        grades = self.env["credit.grade"].sudo().with_context(active_test=False)
        grades = grades.search([("company_id", "=", company.id), ("collection_plan_id", "!=", False)])
        return {
            "levels": levels,
            "days": [level.mapped("days") for level in levels],
            "holds": [level.mapped("place_hold") for level in levels],
            "by_grade": {grade.id: list(plans.ids).index(grade.collection_plan_id.id) for grade in grades},
        }

    @api.model
    def _due(self, policy, data, plans, broken_partner_ids):
        new_grade = policy.new_customer_grade_id.id
        by_grade = plans["by_grade"]
        plan = np.array(
            [by_grade.get(grade or new_grade, dunning.NONE) for grade in data["grade"].tolist()],
            dtype=np.int64,
        )
        # the level sent is the one its days reach in the plan as it is now (a level may have moved)
        known = ~np.isnan(data["sent_days"])
        sent = dunning.reached(
            np.nan_to_num(data["sent_days"]).astype(np.int64),
            np.where(known, plan, dunning.NONE),
            plans["days"],
        )
        broken = np.isin(data["partner"], broken_partner_ids)
        due = dunning.next_levels(
            data["days"], plan, plans["days"], sent, data["paused"], broken, plans["holds"]
        )
        return due, plan

    # ------------------------------------------------------------------
    # Write
    # ------------------------------------------------------------------
    @api.model
    def _contact(self, company, today, data, plans, plan, due, rows):
        """The events of one batch of customers, then their emails, activities and holds."""
        wanted = []  # (partner, level, channel, escalated, note, recipient)
        holds = []
        no_email = self.env._("No email address for this customer: call instead.")
        channels = {level: level._channels() for levels in plans["levels"] for level in levels}
        for row in rows.tolist():
            level = plans["levels"][plan[row]][due.level[row]]
            for channel in channels[level]:
                note = False
                if channel == "email" and not data["recipient"][row]:
                    channel, note = "activity", no_email
                recipient = int(data["recipient"][row]) if channel == "email" else None
                wanted.append(
                    (int(data["partner"][row]), level.id, channel, bool(due.escalated[row]), note, recipient)
                )
            if due.hold[row]:
                holds.append((int(data["partner"][row]), level))
        events = self._insert_events(company, today, wanted)
        by_channel = {}
        for event in events:
            by_channel.setdefault(event[3], []).append(event)
        return {
            "email": self._queue_emails(company, [event[0] for event in by_channel.get("email", [])]),
            "activity": self._schedule_calls(company, today, by_channel.get("activity", [])),
            "letter": len(by_channel.get("letter", [])),
            "hold": self._place_holds(company, holds),
        }

    @api.model
    def _insert_events(self, company, today, wanted):
        """One event per customer and channel, with the items it covers and their amount, in one
        statement; returns them as (event id, customer id, level id, channel, note) rows."""
        if not wanted:
            return []
        self.env.cr.execute(
            SQL("SELECT nextval('credit_collection_event_id_seq') FROM generate_series(1, %s)", len(wanted))
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        partners, levels, channels, escalated, notes, recipients = (
            list(column) for column in zip(*wanted, strict=True)
        )
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                f"""
            WITH open AS (%(open_items)s),
            v AS (
                SELECT * FROM unnest(%(ids)s::int[], %(partners)s::int[], %(levels)s::int[],
                                     %(channels)s::varchar[], %(escalated)s::bool[], %(notes)s::text[],
                                     %(recipients)s::int[])
                       AS v(id, partner, level, channel, escalated, note, recipient)
            ),
            covered AS (
                SELECT v.id AS event_id, o.id AS line_id, o.residual, o.due FROM v
                  JOIN credit_collection_level l ON l.id = v.level
                  JOIN open o ON o.partner = v.partner AND o.residual > 0 AND {COVERED}
            ),
            new AS (
                INSERT INTO credit_collection_event
                       (id, partner_id, company_id, date, channel, level_id, automatic, escalated, note,
                        recipient_id, amount, oldest_due_date, create_uid, create_date, write_uid, write_date)
                SELECT v.id, v.partner, %(company)s, %(now)s, v.channel, v.level, TRUE, v.escalated,
                       v.note, v.recipient, COALESCE(t.amount, 0), t.oldest,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM v LEFT JOIN (
                      SELECT event_id, SUM(residual) AS amount, MIN(due) AS oldest
                        FROM covered GROUP BY event_id
                  ) t ON t.event_id = v.id
            )
            INSERT INTO credit_collection_event_line_rel (event_id, line_id)
            SELECT event_id, line_id FROM covered
            """,
                company=company.id,
                open_items=self._open_items(company, sorted(set(partners))),
                today=today,
                uid=self.env.uid,
                now=now,
                ids=ids,
                partners=partners,
                levels=levels,
                channels=channels,
                escalated=escalated,
                notes=[note or None for note in notes],
                recipients=recipients,
            )
        )
        self.env["credit.collection.event"].invalidate_model()
        return list(zip(ids, partners, levels, channels, notes, strict=True))

    @api.model
    def _queue_emails(self, company, event_ids):
        """Queue one email per event: ``mail.mail`` rows in the outgoing queue (three INSERTs for the
        batch), to the recipient the run chose. Their text and attachments are made as they leave
        (:meth:`credit.collection.event._prepare_reminders`), by the mail queue, after the run's commit."""
        if not event_ids:
            return 0
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """
            WITH msg AS (
                INSERT INTO mail_message (model, res_id, record_name, record_company_id, message_type, body,
                                          email_from, author_id, date, message_id, email_add_signature,
                                          create_uid, create_date, write_uid, write_date)
                SELECT 'credit.collection.event', e.id, rp.name, e.company_id, 'email_outgoing', '',
                       %(email_from)s, %(author)s, %(now)s,
                       '<' || substr(md5(random()::text), 1, 15) || '.'
                           || extract(epoch FROM clock_timestamp()) || '-openerp-' || e.id
                           || '-credit.collection.event@' || %(host)s || '>',
                       TRUE, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM credit_collection_event e JOIN res_partner rp ON rp.id = e.partner_id
                 WHERE e.id = ANY(%(ids)s)
                RETURNING id, res_id
            ),
            mm AS (
                INSERT INTO mail_mail (mail_message_id, state, auto_delete, is_notification,
                                       create_uid, create_date, write_uid, write_date)
                SELECT msg.id, 'outgoing', FALSE, FALSE, %(uid)s, %(now)s, %(uid)s, %(now)s FROM msg
                RETURNING id, mail_message_id
            ),
            recipients AS (
                INSERT INTO mail_mail_res_partner_rel (mail_mail_id, res_partner_id)
                SELECT mm.id, e.recipient_id FROM mm
                  JOIN msg ON msg.id = mm.mail_message_id
                  JOIN credit_collection_event e ON e.id = msg.res_id
            )
            UPDATE credit_collection_event e SET mail_id = mm.id
              FROM mm JOIN msg ON msg.id = mm.mail_message_id
             WHERE e.id = msg.res_id
            """,
                ids=event_ids,
                email_from=company.email_formatted or None,
                author=(company.partner_id or self.env.user.partner_id).id,
                now=now,
                uid=self.env.uid,
                host=socket.gethostname(),
            )
        )
        self.env["credit.collection.event"].invalidate_model(["mail_id"])
        return self.env.cr.rowcount

    @api.model
    def _schedule_calls(self, company, today, events):
        """A call for each customer's collector (default: the policy's controller): one activity each,
        one INSERT for the batch; ``events``: (event id, customer id, level id, channel, note) rows. The
        collector is not made a follower of every customer called."""
        if not events:
            return 0
        default = self.env["credit.policy"]._for_company(company).controller_user_id.id or 0
        levels = self.env["credit.collection.level"].browse({event[2] for event in events})
        summaries = {level.id: self.env._("Collections: %s", level.name) for level in levels}
        notes = {level.id: level.note or "" for level in levels}
        rows = [
            (
                partner,
                summaries[level],
                str(Markup("<p>%s</p>") % (note or notes[level])),
            )
            for _event, partner, level, _channel, note in events
        ]
        partners, summaries, notes = (list(column) for column in zip(*rows, strict=True))
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """
            INSERT INTO mail_activity (res_model_id, res_model, res_id, res_name, activity_type_id, user_id,
                                       user_tz, summary, note, date_deadline, automated, active,
                                       create_uid, create_date, write_uid, write_date)
            SELECT %(model)s, 'res.partner', v.partner, rp.complete_name, %(type)s, u.id, up.tz,
                   v.summary, v.note, %(today)s, TRUE, TRUE, %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM unnest(%(partners)s::int[], %(summaries)s::varchar[], %(notes)s::text[])
                   AS v(partner, summary, note)
              JOIN res_partner rp ON rp.id = v.partner
              JOIN res_users u ON u.id = COALESCE((rp.credit_collector_id ->> %(key)s)::int, %(default)s)
              JOIN res_partner up ON up.id = u.partner_id
            """,
                model=self.env["ir.model"]._get_id("res.partner"),
                type=self.env.ref("credit_management.mail_activity_type_collection_call").id,
                today=today,
                uid=self.env.uid,
                now=now,
                partners=partners,
                summaries=summaries,
                notes=notes,
                key=str(company.id),
                default=default,
            )
        )
        self.env["mail.activity"].invalidate_model()
        return self.env.cr.rowcount

    @api.model
    def _place_holds(self, company, holds):
        """Put on hold the customers who reached a hold level and are not on hold yet."""
        partners = self.env["res.partner"].sudo().with_company(company)
        placed = 0
        for level, group in _group(holds).items():
            free = partners.browse(group).filtered(lambda p: not p.credit_hold)
            if free:
                free._credit_set_collection_hold(level)
                placed += len(free)
        return placed

    @api.model
    def _lift_holds(self, company, today):
        """Lift the holds collections placed on customers who no longer owe anything overdue."""
        partners = self.env["res.partner"].sudo().with_company(company)
        self.env.cr.execute(
            SQL(
                """
            SELECT p.id FROM res_partner p
             WHERE (p.credit_hold_collections ->> %(key)s)::bool AND p.id = p.commercial_partner_id
               AND NOT EXISTS (SELECT 1 FROM (%(open_items)s) o
                                WHERE o.partner = p.id AND o.residual > 0 AND o.due < %(today)s)
            """,
                key=str(company.id),
                company=company.id,
                open_items=self._open_items(company),
                today=today,
            )
        )
        lifted = partners.browse([row[0] for row in self.env.cr.fetchall()])
        lifted._credit_lift_collection_hold()
        return len(lifted)

    @api.model
    def _alert_failed_promises(self, policy, failed, today):
        """The collector hears of each promise that failed (broken or partially kept)."""
        activity_type = self.env.ref("credit_management.mail_activity_type_collection_call")
        model_id = self.env["ir.model"]._get_id("res.partner")
        labels = dict(failed._fields["state"]._description_selection(self.env))
        vals_list = [
            {
                "res_model_id": model_id,
                "res_id": promise.partner_id.id,
                "activity_type_id": activity_type.id,
                "user_id": (promise.user_id or policy.controller_user_id).id,
                "summary": self.env._("Promise to pay %s", labels[promise.state].lower()),
                "note": self.env._(
                    "%(paid)s paid of %(amount)s promised by %(date)s.",
                    paid=promise.amount_paid,
                    amount=promise.amount,
                    date=promise.date,
                ),
                "date_deadline": today,
            }
            for promise in failed
            if promise.user_id or policy.controller_user_id
        ]
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(vals_list)


def _group(pairs):
    """{value: [keys]} of (key, value) pairs, in first-seen order."""
    groups = {}
    for key, value in pairs:
        groups.setdefault(value, []).append(key)
    return groups
