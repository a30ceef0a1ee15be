"""Collections as array math: which reminder level each customer has reached, what is newly due, the
state of promises to pay.

Plain numpy, no Odoo import. The Odoo layer gathers one row per overdue customer (the oldest overdue
item, the level already sent for it, promises), calls :func:`next_levels` once and writes the events.
"""

from dataclasses import dataclass

import numpy as np

NONE = -1  # no level reached / sent


def check_levels(days):
    """Why a plan's level days (in sequence order) are wrong, or None: they must strictly increase."""
    days = np.asarray(days, dtype=np.int64)
    if days.size < 2:
        return None
    steps = np.diff(days)
    if (steps == 0).any():
        return f"two levels are set at {int(days[1:][steps == 0][0])} days"
    if (steps < 0).any():
        at = int(np.flatnonzero(steps < 0)[0])
        return f"a level at {int(days[at + 1])} days comes after one at {int(days[at])} days"
    return None


def reached(days_overdue, plan, plans):
    """The position of the last level each customer has reached (NONE when none yet).

    ``days_overdue``: days past the due date of each customer's oldest overdue item (negative before it);
    ``plan``: each customer's plan position (NONE: no plan); ``plans``: per plan, its level days in order.
    """
    days_overdue = np.asarray(days_overdue, dtype=np.int64)
    plan = np.asarray(plan, dtype=np.int64)
    result = np.full(days_overdue.shape, NONE, dtype=np.int64)
    for position, days in enumerate(plans):
        rows = plan == position
        if rows.any() and len(days):
            result[rows] = np.searchsorted(np.asarray(days, dtype=np.int64), days_overdue[rows], "right") - 1
    return result


@dataclass(frozen=True)
class Due:
    """What the run does for each customer (arrays of length N)."""

    level: np.ndarray  # position of the level to send now, NONE when nothing is due
    escalated: np.ndarray  # bool: sent ahead of its days because a promise was broken
    hold: np.ndarray  # bool: the level sent now, or one before it, places a credit hold


def next_levels(days_overdue, plan, plans, sent, paused, broken, holds):
    """The level each customer is to be sent today.

    ``sent``: position of the highest level already sent for the customer's oldest overdue item (NONE);
    ``paused``: an open promise to pay runs until a later date: nothing is sent;
    ``broken``: a promise was broken since the last level: the next level goes out now, whatever its days;
    ``holds``: per plan, per level, whether reaching it places a hold.

    A customer several levels behind gets the highest one only: one message, the firmest due.
    """
    sent = np.asarray(sent, dtype=np.int64)
    plan = np.asarray(plan, dtype=np.int64)
    level = reached(days_overdue, plan, plans)
    counts = np.array([len(days) for days in plans] + [0], dtype=np.int64)[plan]
    escalated = np.asarray(broken, dtype=bool) & (level <= sent) & (sent + 1 < counts)
    level = np.where(escalated, sent + 1, level)
    due = (level > sent) & ~np.asarray(paused, dtype=bool)
    level = np.where(due, level, NONE)
    return Due(level=level, escalated=escalated & due, hold=_places_hold(level, plan, holds))


def _places_hold(level, plan, holds):
    """Whether the level, or one before it in its plan, places a hold."""
    result = np.zeros(level.shape, dtype=bool)
    for position, flags in enumerate(holds):
        rows = (plan == position) & (level != NONE)
        if rows.any() and len(flags):
            upto = np.maximum.accumulate(np.asarray(flags, dtype=bool))
            result[rows] = upto[level[rows]]
    return result


PROMISE_STATES = ("open", "kept", "partial", "broken")


def promise_states(amount, paid, deadline, today):
    """Each promise's state from what was paid on its items by its deadline (the promised date plus the
    grace): kept once the amount is paid, open until the deadline, then partially kept or broken."""
    amount = np.asarray(amount, dtype=float)
    paid = np.asarray(paid, dtype=float)
    kept = paid >= amount - 0.005
    running = np.asarray(deadline, dtype="datetime64[D]") >= np.datetime64(today, "D")
    states = np.where(kept, "kept", np.where(running, "open", np.where(paid > 0.005, "partial", "broken")))
    return states.astype(object)
