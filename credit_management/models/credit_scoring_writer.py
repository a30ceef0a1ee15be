import json

import numpy as np

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.translate import LazyTranslate

from .. import scoring

_lt = LazyTranslate(__name__)
# Languages written without spaces between sentences.
UNSPACED_LANGUAGES = ("zh", "ja")

# Company-dependent res.partner columns a rescoring writes, with their SQL types.
PROFILE_COLUMNS = {
    "credit_score": "float8",
    "credit_grade_id": "int4",
    "credit_score_date": "timestamp",
    "credit_limit": "float8",
    "property_payment_term_id": "int4",
    "credit_limit_factor": "float8",
    "credit_promoted_date": "date",
    "credit_demoted_date": "date",
    "credit_hold": "bool",
    "credit_hold_automatic": "bool",
    "credit_hold_reason": "varchar",
    "credit_hold_date": "timestamp",
    "credit_hold_user_id": "int4",
    "credit_avg_days_late": "float8",
    "credit_utilisation": "float8",
    "credit_policy_limit": "float8",
    "credit_limit_source": "varchar",
}


class CreditScoringWriter(models.AbstractModel):
    """Writes a rescoring's profiles and history: one UPDATE and one INSERT per batch."""

    _name = "credit.scoring.writer"
    _description = "Credit Scoring Writer"

    @api.model
    def _write(self, company, ids, before, step, result, values, data, trigger, note):
        """The new profiles, and a history row for each customer whose score or profile changed."""
        self._write_profiles(company, ids, before, step.after, step.changes)
        self._insert_history(
            company, ids, before, step.after, step.changes, step.outcome, result, values, data, trigger, note
        )

    @api.model
    def _write_profiles(self, company, ids, before, after, changes):
        """One UPDATE for the customers whose profile changed, and their contacts.

        Customers whose profile did not change are not written at all: their row, and
        res.partner's many indexes, stay untouched. Contacts carry their company's
        profile because Odoo reads the payment term and credit limit from the partner
        on the document, which may be a contact. Within a written row, columns are only
        touched where their value changed, so values a user left to their default stay
        defaults.
        """
        rows = changes["any"] | changes["factor"] | changes["utilisation"] | changes["limit_info"]
        if not rows.any():
            return
        masks = {
            "credit_limit": changes["limit"],
            "property_payment_term_id": changes["term"],
            "credit_limit_factor": changes["factor"],
            "credit_promoted_date": changes["factor"],
            "credit_demoted_date": changes["factor"],
            "credit_hold": changes["hold"],
            "credit_hold_automatic": changes["hold"],
            "credit_hold_reason": changes["hold"],
            "credit_hold_date": changes["hold"],
            "credit_hold_user_id": changes["hold"],
        }
        ids = ids[rows]
        after = {fname: np.asarray(after[fname])[rows] for fname in PROFILE_COLUMNS}
        masks = {fname: mask[rows] for fname, mask in masks.items()}
        key = str(company.id)
        names, arrays, sets = [], [], []
        for fname, sql_type in PROFILE_COLUMNS.items():
            names += [fname, f"{fname}__set"]
            arrays += [
                _sql_array(after[fname], sql_type),
                _sql_array(masks.get(fname, np.ones(len(ids), dtype=bool)), "bool"),
            ]
            value = SQL("v.%s", SQL.identifier(fname))
            if sql_type in ("float8", "int4"):
                value = SQL(
                    "NULLIF(%s, %s)", value, SQL("'NaN'::float8") if sql_type == "float8" else SQL("0")
                )
            column = SQL.identifier(fname)
            sets.append(
                SQL(
                    """%(col)s = CASE WHEN NOT v.%(flag)s THEN p.%(col)s
                                  WHEN %(value)s IS NULL THEN p.%(col)s - %(key)s
                                  ELSE COALESCE(p.%(col)s, '{}'::jsonb)
                                       || jsonb_build_object(%(key)s, %(value)s)
                             END""",
                    col=column,
                    flag=SQL.identifier(f"{fname}__set"),
                    value=value,
                    key=key,
                )
            )
        self.env.cr.execute(
            SQL(
                "UPDATE res_partner p SET %s FROM unnest(%s, %s) AS v(id, %s) "
                "WHERE p.commercial_partner_id = v.id",
                SQL(", ").join(sets),
                _sql_array(ids, "int4"),
                SQL(", ").join(arrays),
                SQL(", ").join(SQL.identifier(n) for n in names),
            )
        )

    @api.model
    def _set_values(self, company, partner_ids, values):
        """Give customers (and their contacts, which share the profile) the same value of some
        company-dependent columns, in one UPDATE; a false value clears the company's entry (the field's
        default). ``values``: {field name: value}, a value as the ORM would write it."""
        if not partner_ids:
            return
        partner = self.env["res.partner"]
        partner.flush_model(list(values))
        key = str(company.id)
        sets = []
        for fname, value in values.items():
            column = SQL.identifier(fname)
            field = partner._fields[fname]
            if not value:
                sets.append(SQL("%s = %s - %s", column, column, key))
                continue
            if field.type == "datetime":
                value = fields.Datetime.to_string(value)
            elif field.type == "many2one":
                value = value.id if isinstance(value, models.BaseModel) else value
            sets.append(
                SQL(
                    "%s = COALESCE(%s, '{}'::jsonb) || jsonb_build_object(%s, %s)", column, column, key, value
                )
            )
        self.env.cr.execute(
            SQL(
                "UPDATE res_partner SET %s WHERE commercial_partner_id = ANY(%s)",
                SQL(", ").join(sets),
                list(partner_ids),
            )
        )
        partner.invalidate_model(list(values))

    @api.model
    def _insert_history(
        self, company, ids, before, after, changes, outcome, result, values, data, trigger, note
    ):
        rows = changes["any"]
        if not rows.any():
            return
        notes = self._history_notes(before, after, changes, outcome, note)
        columns = {
            "partner_id": ("int4", ids),
            "score": ("float8", after["credit_score"]),
            "previous_score": ("float8", before["credit_score"]),
            "score_change": ("float8", after["credit_score"] - before["credit_score"]),
            "grade_id": ("int4", after["credit_grade_id"]),
            "previous_grade_id": ("int4", before["credit_grade_id"]),
            "credit_limit": ("float8", after["credit_limit"]),
            "previous_credit_limit": ("float8", np.where(changes["first"], np.nan, before["credit_limit"])),
            "payment_term_id": ("int4", after["property_payment_term_id"]),
            "credit_hold": ("bool", after["credit_hold"]),
            "exposure": ("float8", data["exposure"]),
            "note": ("jsonb", notes),
        }
        points = dict(zip(result.factors, result.contributions.T, strict=True))
        weights = dict(zip(result.factors, result.weights.T * 100, strict=True))
        for name in scoring.FACTORS:
            unknown = np.isnan(values[name])
            columns[name] = ("float8", values[name])
            columns[f"{name}_points"] = (
                "float8",
                np.where(unknown, np.nan, points.get(name, np.full(len(ids), np.nan))),
            )
            columns[f"{name}_weight"] = (
                "float8",
                np.where(unknown, np.nan, weights.get(name, np.full(len(ids), np.nan))),
            )
        names = list(columns)
        selects = [
            SQL("NULLIF(v.%s, 'NaN'::float8)", SQL.identifier(n))
            if columns[n][0] == "float8"
            else SQL("NULLIF(v.%s, 0)", SQL.identifier(n))
            if columns[n][0] == "int4" and n != "partner_id"
            else SQL("v.%s", SQL.identifier(n))
            for n in names
        ]
        self.env.cr.execute(
            SQL(
                """
            INSERT INTO credit_score_history (company_id, date, trigger, %(names)s)
            SELECT %(company)s, %(now)s, %(trigger)s, %(selects)s
              FROM unnest(%(arrays)s) AS v(%(names)s)
            """,
                names=SQL(", ").join(SQL.identifier(n) for n in names),
                selects=SQL(", ").join(selects),
                arrays=SQL(", ").join(
                    _sql_array(np.asarray(columns[n][1])[rows], columns[n][0]) for n in names
                ),
                company=company.id,
                now=fields.Datetime.now(),
                trigger=trigger,
            )
        )

    @api.model
    def _history_notes(self, before, after, changes, outcome, note):
        """Each customer's note, as its JSON of every installed language (None without a note): the
        history is read in the reader's language. ``note``: {language: text}, what the caller adds."""
        labels = [
            (changes["first"], _lt("First scoring.")),
            (changes["grade"] & ~changes["first"], _lt("Grade changed.")),
            (changes["limit"] & ~changes["first"], _lt("Credit limit changed.")),
            (changes["term"] & ~changes["first"], _lt("Payment term changed.")),
            (outcome.promoted, _lt("Promoted: invoices paid on time in a row.")),
            (outcome.demoted, _lt("Demoted: an item overdue past the threshold.")),
            (changes["hold"] & after["credit_hold"], _lt("Credit hold placed.")),
            (changes["hold"] & ~after["credit_hold"], _lt("Credit hold lifted.")),
            (np.isnan(after["credit_score"]), _lt("No invoicing history: new-customer grade.")),
        ]
        texts = {}
        for lang in self._languages():
            notes = np.full(len(changes["any"]), (note or {}).get(lang, ""), dtype=object)
            space = "" if lang.startswith(UNSPACED_LANGUAGES) else " "  # sentences follow each other there
            for mask, label in labels:
                translated = label._translate(lang)
                notes[mask] = [f"{n}{space}{translated}" if n else translated for n in notes[mask]]
            texts[lang] = notes
        return np.array(
            [
                json.dumps(dict(zip(texts, row, strict=True))) if row[0] else None
                for row in zip(*texts.values(), strict=False)
            ],
            dtype=object,
        )

    @api.model
    def _languages(self):
        """The installed languages, English first: Odoo reads a translated value's en_US as its source."""
        installed = [code for code, _name in self.env["res.lang"].get_installed() if code != "en_US"]
        return ["en_US", *installed]

    @api.model
    def _in_languages(self, text):
        """{language: ``text(env)``} for every installed language: a note written once, read in each."""
        return {lang: text(self.with_context(lang=lang).env) for lang in self._languages()}


def _sql_array(values, sql_type):
    """A numpy column as one typed array constant, ``'{...}'::type[]``.

    psycopg2 sends a Python list as ``ARRAY[v1, v2, ...]``, one expression per value for
    PostgreSQL to parse, type and plan: for the history of a 5,000-customer batch, half the time
    of its INSERT. An array literal is one constant, read by the type's input function.
    """
    values = np.asarray(values)
    if values.dtype.kind == "M":
        items = ["NULL" if np.isnat(v) else _quoted(str(v.item())) for v in values]
    elif sql_type == "float8":
        items = [repr(v) for v in values.astype(float).tolist()]  # nan and inf as float8 reads them
    elif sql_type == "int4":
        items = ["NULL" if v is None else str(int(v)) for v in values.tolist()]
    elif sql_type == "bool":
        items = ["NULL" if v is None else "t" if v else "f" for v in values.tolist()]
    else:
        items = ["NULL" if v is None or v is False else _quoted(str(v)) for v in values.tolist()]
    return SQL("%s::%s[]", "{" + ",".join(items) + "}", SQL(sql_type))


def _quoted(text):
    """An element of an array literal, quoted: NULL, commas and braces in it stay text."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
