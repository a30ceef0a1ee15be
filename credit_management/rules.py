"""Credit policy rules as array math: limits, promotion, demotion and holds.

Plain numpy, no Odoo import. The Odoo layer gathers one row per customer, calls
:func:`next_state` once per batch and writes what changed.
"""

from dataclasses import dataclass, field

import numpy as np

NO_DATE = np.datetime64("NaT", "D")


def _lt(text):
    """Marks a text stored in English for the translation template (.pot): the Odoo layer translates it
    for the reader (default records: credit.policy._translate_defaults; hold reasons:
    res.partner._credit_reason_in_language)."""
    return text


# The grades a company's policy starts with, best first (documented in readme/CONFIGURE.md). Limits
# are in the company's currency; ``term`` is the xml id of one of Odoo's payment terms.
DEFAULT_GRADES = [
    {
        "code": "A",
        "name": _lt("Excellent"),
        "min_score": 85,
        "limit_method": "sales_months",
        "limit_months": 3,
        "limit_floor": 10000,
        "limit_cap": 500000,
        "order_action": "allow",
        "overdue_tolerance_days": 15,
        "term": "account.account_payment_term_45days",
        "color": 10,
    },
    {
        "code": "B",
        "name": _lt("Good"),
        "min_score": 70,
        "limit_method": "sales_months",
        "limit_months": 2,
        "limit_floor": 5000,
        "limit_cap": 200000,
        "order_action": "allow",
        "overdue_tolerance_days": 10,
        "term": "account.account_payment_term_30days",
        "color": 4,
    },
    {
        "code": "C",
        "name": _lt("Fair"),
        "min_score": 50,
        "limit_method": "sales_months",
        "limit_months": 1,
        "limit_floor": 2000,
        "limit_cap": 50000,
        "order_action": "warn",
        "overdue_tolerance_days": 5,
        "term": "account.account_payment_term_30days",
        "color": 3,
    },
    {
        "code": "D",
        "name": _lt("Weak"),
        "min_score": 30,
        "limit_method": "fixed",
        "limit_amount": 2000,
        "limit_floor": 0,
        "limit_cap": 10000,
        "order_action": "approval",
        "overdue_tolerance_days": 0,
        "term": "account.account_payment_term_15days",
        "color": 2,
    },
    {
        "code": "E",
        "name": _lt("Poor"),
        "min_score": 0,
        "limit_method": "fixed",
        "limit_amount": 0,
        "limit_floor": 0,
        "limit_cap": 0,
        "order_action": "block",
        "overdue_tolerance_days": 0,
        "term": "account.account_payment_term_immediate",
        "color": 1,
    },
]
# The grade of a customer without history.
NEW_CUSTOMER_GRADE = "C"


@dataclass(frozen=True)
class GradeTable:
    """Limit rule of each grade (arrays of length G, indexed by grade position)."""

    limit_method: list
    limit_amount: list
    limit_percent: list
    limit_months: list
    limit_floor: list
    limit_cap: list

    def array(self, name):
        return np.asarray(getattr(self, name), dtype=object if name == "limit_method" else float)


@dataclass(frozen=True)
class Thresholds:
    """The policy's promotion, demotion and hold settings."""

    promote_after_on_time: int = 3
    promote_percent: float = 20.0
    demote_overdue_days: int = 30
    demote_percent: float = 25.0
    hold_overdue_days: int = 90


@dataclass
class Profile:
    """Per-customer state the rules read and write (arrays of length N)."""

    credit_limit: np.ndarray
    limit_factor: np.ndarray  # promotions and demotions so far, as a multiplier of the grade's limit
    promoted_date: np.ndarray  # datetime64[D], NaT when never
    demoted_date: np.ndarray
    hold: np.ndarray  # bool
    hold_automatic: np.ndarray  # bool: placed by the policy, so the policy may lift it
    manual: np.ndarray  # bool: the limit and term are set by hand

    def clone(self):
        return Profile(**{k: np.array(v, copy=True) for k, v in self.__dict__.items()})


@dataclass(frozen=True)
class Behaviour:
    """What the customer did (arrays of length N)."""

    grade: np.ndarray  # index into the GradeTable
    volume_12m: np.ndarray  # invoiced over 12 months, company currency (NaN = none)
    on_time_streak: np.ndarray  # invoices paid on time since the last late one or the last promotion
    max_days_overdue: np.ndarray  # oldest open overdue item in days (0 = none)
    oldest_overdue_due: np.ndarray  # datetime64[D] due date of that item, NaT when none


@dataclass
class Outcome:
    profile: Profile
    promoted: np.ndarray = field(default=None)
    demoted: np.ndarray = field(default=None)
    hold_placed: np.ndarray = field(default=None)
    hold_lifted: np.ndarray = field(default=None)
    policy_limit: np.ndarray = field(default=None)  # what the grade's rule gives, manual limit or not


def base_limits(grade, volume_12m, table):
    """The limit each customer's grade gives before promotions and demotions."""
    method = table.array("limit_method")[grade]
    volume = np.nan_to_num(np.asarray(volume_12m, dtype=float), nan=0.0).clip(min=0.0)
    base = np.select(
        [method == "fixed", method == "sales_share", method == "sales_months"],
        [
            table.array("limit_amount")[grade],
            volume * table.array("limit_percent")[grade] / 100.0,
            volume / 12.0 * table.array("limit_months")[grade],
        ],
        default=0.0,
    )
    return np.maximum(base, table.array("limit_floor")[grade])


def capped(limits, grade, table):
    cap = table.array("limit_cap")[grade]
    return np.where(cap > 0, np.minimum(limits, cap), limits)


def next_state(profile, behaviour, table, thresholds, today):
    """Apply the grade's limit, promotion, demotion and hold rules.

    Promotion: ``promote_after_on_time`` invoices in a row paid on time raise the limit
    by ``promote_percent``, within the grade's cap. Demotion: an open item overdue more
    than ``demote_overdue_days`` cuts it by ``demote_percent``, once per overdue episode
    (an episode starts when its oldest overdue item fell due). Holds are placed past
    ``hold_overdue_days`` and lifted by the policy only if the policy placed them.
    Customers with a manual limit keep their limit; holds still apply to them.
    """
    today = np.datetime64(today, "D")
    new = profile.clone()
    managed = ~profile.manual
    before = np.where(
        np.isfinite(profile.limit_factor) & (profile.limit_factor > 0), profile.limit_factor, 1.0
    )
    base = base_limits(behaviour.grade, behaviour.volume_12m, table)

    # A promotion may not lift the limit over the grade's cap (but never lowers a factor).
    cap = table.array("limit_cap")[behaviour.grade]
    ceiling = np.where((cap > 0) & (base > 0), cap / np.where(base > 0, base, 1.0), np.inf)
    raised = np.minimum(before * (1 + thresholds.promote_percent / 100.0), np.maximum(ceiling, before))
    streak_reached = behaviour.on_time_streak >= max(thresholds.promote_after_on_time, 1)
    promoted = managed & streak_reached & (raised > before)
    factor = np.where(promoted, raised, before)

    overdue = behaviour.max_days_overdue > thresholds.demote_overdue_days
    same_episode = profile.demoted_date >= behaviour.oldest_overdue_due  # NaT compares False
    demoted = managed & overdue & ~same_episode & (thresholds.demote_percent > 0)
    factor = np.where(demoted, factor * (1 - thresholds.demote_percent / 100.0), factor)

    new.limit_factor = np.where(managed, factor, profile.limit_factor)
    policy_limit = np.round(capped(base * factor, behaviour.grade, table), 2)
    new.credit_limit = np.where(managed, policy_limit, profile.credit_limit)
    new.promoted_date = np.where(promoted, today, profile.promoted_date)
    new.demoted_date = np.where(demoted, today, profile.demoted_date)

    past_hold = behaviour.max_days_overdue > thresholds.hold_overdue_days
    hold_placed = past_hold & ~profile.hold
    hold_lifted = ~past_hold & profile.hold & profile.hold_automatic
    new.hold = (profile.hold | past_hold) & ~hold_lifted
    new.hold_automatic = np.where(hold_placed, True, np.where(hold_lifted, False, profile.hold_automatic))
    return Outcome(new, promoted, demoted, hold_placed, hold_lifted, policy_limit)
