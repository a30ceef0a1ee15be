"""The next credit profile of each customer, from its score and the policy: plain numpy, no Odoo import.

A rescoring is a pipeline: gather the ledger's aggregates (SQL, ``credit.scoring.engine``) → factor
values (:mod:`factors`) → score (:mod:`scoring`) → next profiles (here, with :mod:`rules`) → write
(``credit.scoring.writer``) → notify (``credit.scoring.notifier``). Profiles are dicts of arrays aligned
with the customers, keyed by the res.partner field they hold.
"""

from dataclasses import dataclass

import numpy as np

from . import rules, scoring

NO_TIME = np.datetime64("NaT", "s")


@dataclass(frozen=True)
class Grades:
    """A company's grades, best first (arrays of length G)."""

    ids: np.ndarray
    min_scores: np.ndarray
    payment_terms: np.ndarray  # payment term id of each grade, 0 when it sets none
    new_customer: int  # position of the grade of customers without history
    table: rules.GradeTable
    bureau_cap: np.ndarray | None = None  # bool per grade: the bureau's recommended limit caps the limit


@dataclass(frozen=True)
class Step:
    """What one rescoring decides for each customer."""

    after: dict
    outcome: rules.Outcome
    changes: dict


def grade_positions(scores, has_history, grades):
    """Index into ``grades`` per customer; customers without history get the new-customer grade."""
    positions = scoring.band_index(scores, grades.min_scores)
    return np.where(has_history & (positions >= 0), positions, grades.new_customer)


def rules_profile(before):
    return rules.Profile(
        credit_limit=before["credit_limit"],
        limit_factor=before["credit_limit_factor"],
        promoted_date=before["credit_promoted_date"],
        demoted_date=before["credit_demoted_date"],
        hold=before["credit_hold"],
        hold_automatic=before["credit_hold_automatic"],
        manual=before["credit_limit_manual"],
    )


def advance(before, data, values, score, grades, thresholds, today, now, min_score_change, hold_reason):
    """The next profiles of the customers and what changed.

    ``data``: the gathered aggregates (exposure, has_history, on_time_streak, max_days_overdue,
    oldest_overdue_due); ``values``: the factor values; ``score``: their score; ``now``: the
    rescoring's time; ``hold_reason``: the reason a placed hold gets, from its days overdue.
    """
    positions = grade_positions(score, data["has_history"], grades)
    outcome = rules.next_state(
        rules_profile(before),
        rules.Behaviour(
            grade=positions,
            volume_12m=values["volume_12m"],
            on_time_streak=data["on_time_streak"],
            max_days_overdue=data["max_days_overdue"],
            oldest_overdue_due=data["oldest_overdue_due"],
        ),
        grades.table,
        thresholds,
        today,
    )
    after = next_profiles(before, outcome, score, positions, grades, values, data, now, hold_reason)
    return Step(
        after=after,
        outcome=outcome,
        changes=changes(before, after, min_score_change),
    )


def limits(before, outcome, positions, grades):
    """The credit limit and which one binds ('policy', 'bureau' or 'manual'): the grade's rule, capped by
    the bureau's recommended limit (``credit_bureau_limit``, 0 when none) where the grade says so; a
    manual limit stays."""
    manual = before["credit_limit_manual"]
    policy = outcome.profile.credit_limit
    bureau = np.nan_to_num(before["credit_bureau_limit"])
    cap = grades.bureau_cap if grades.bureau_cap is not None else np.zeros(len(grades.ids), dtype=bool)
    capping = np.asarray(cap, dtype=bool)[positions] & (bureau > 0) & (bureau < policy) & ~manual
    limit = np.where(capping, np.round(bureau, 2), policy)
    source = np.where(manual, "manual", np.where(capping, "bureau", "policy")).astype(object)
    return limit, source


def next_profiles(before, outcome, score, positions, grades, values, data, now, hold_reason):
    new = outcome.profile
    credit_limit, limit_source = limits(before, outcome, positions, grades)
    term_of_grade = np.asarray(grades.payment_terms, dtype=np.int64)[positions]
    keep_term = before["credit_limit_manual"] | (term_of_grade == 0)
    now = np.datetime64(now, "s")
    with np.errstate(divide="ignore", invalid="ignore"):
        utilisation = np.where(credit_limit > 0, np.maximum(data["exposure"], 0) / credit_limit, np.nan)
    after = dict(before)
    after.update(
        {
            "credit_score": np.round(np.where(data["has_history"], score, np.nan), 1),
            "credit_grade_id": np.asarray(grades.ids, dtype=np.int64)[positions],
            "credit_score_date": np.full(len(positions), now),
            "credit_limit": credit_limit,
            "credit_policy_limit": outcome.policy_limit,
            "credit_limit_source": limit_source,
            "property_payment_term_id": np.where(
                keep_term, before["property_payment_term_id"], term_of_grade
            ),
            "credit_limit_factor": new.limit_factor,
            "credit_promoted_date": new.promoted_date,
            "credit_demoted_date": new.demoted_date,
            "credit_hold": new.hold,
            "credit_hold_automatic": new.hold_automatic,
            "credit_avg_days_late": np.round(values["avg_dbt"], 1),
            "credit_utilisation": np.round(utilisation * 100.0, 1),
        }
    )
    placed, lifted = outcome.hold_placed, outcome.hold_lifted
    reasons = before["credit_hold_reason"].copy()
    for i in np.flatnonzero(placed):
        reasons[i] = hold_reason(int(data["max_days_overdue"][i]))
    reasons[lifted] = None
    after["credit_hold_reason"] = reasons
    after["credit_hold_date"] = np.where(placed, now, np.where(lifted, NO_TIME, before["credit_hold_date"]))
    after["credit_hold_user_id"] = np.where(placed | lifted, 0, before["credit_hold_user_id"])
    return after


def changes(before, after, min_score_change):
    """Boolean masks of what changed: first scoring, grade, limit, term, hold, score (by at least
    ``min_score_change``), the limit's factor and dates, utilisation; profile (grade, limit, term or
    hold) and any (first, profile or score)."""

    def differs(fname):
        old, new = before[fname], after[fname]
        if old.dtype.kind == "f":
            return ~((old == new) | (np.isnan(old) & np.isnan(new)))
        if old.dtype.kind == "M":
            return ~((old == new) | (np.isnat(old) & np.isnat(new)))
        return old != new

    first = np.isnat(before["credit_score_date"])
    score_moved = np.abs(np.nan_to_num(after["credit_score"] - before["credit_score"], nan=np.inf))
    result = {
        "first": first,
        "grade": differs("credit_grade_id"),
        "limit": ~np.isclose(before["credit_limit"], after["credit_limit"]),
        "term": differs("property_payment_term_id"),
        "hold": differs("credit_hold"),
        "score": (score_moved >= max(min_score_change, 0.05))
        & ~(np.isnan(before["credit_score"]) & np.isnan(after["credit_score"])),
        "factor": differs("credit_limit_factor")
        | differs("credit_promoted_date")
        | differs("credit_demoted_date"),
    }
    # Utilisation moves with every invoice and payment; it is kept current (not historised)
    # so that the alert on passing the threshold compares against what the last run saw.
    util_moved = np.abs(np.nan_to_num(after["credit_utilisation"] - before["credit_utilisation"], nan=np.inf))
    result["utilisation"] = (util_moved >= 1.0) & ~(
        np.isnan(before["credit_utilisation"]) & np.isnan(after["credit_utilisation"])
    )
    # shown on the Credit tab, not historised: kept current like utilisation
    result["limit_info"] = differs("credit_policy_limit") | differs("credit_limit_source")
    result["profile"] = result["grade"] | result["limit"] | result["term"] | result["hold"]
    result["any"] = first | result["profile"] | result["score"]
    return result
