"""Collections' array math, without a database."""

import unittest

import numpy as np
from credit_core import dunning

NONE = dunning.NONE
# Two plans: a good grade's (courtesy note, two polite reminders) and a weak one's (hold at the end).
PLANS = [[-3, 7, 21], [-5, 1, 10, 30]]
HOLDS = [[False, False, False], [False, False, False, True]]


def due(days, plan=0, sent=NONE, paused=False, broken=False):
    n = len(days)
    return dunning.next_levels(
        np.asarray(days),
        np.broadcast_to(plan, n),
        PLANS,
        np.broadcast_to(sent, n),
        np.broadcast_to(paused, n),
        np.broadcast_to(broken, n),
        HOLDS,
    )


class TestLevels(unittest.TestCase):
    def test_boundaries(self):
        days = [-10, -4, -3, 0, 6, 7, 20, 21, 400]
        self.assertEqual(dunning.reached(days, [0] * 9, PLANS).tolist(), [NONE, NONE, 0, 0, 0, 1, 1, 2, 2])
        self.assertEqual(dunning.reached([29, 30], [1, 1], PLANS).tolist(), [2, 3])
        self.assertEqual(dunning.reached([100], [NONE], PLANS).tolist(), [NONE], "no plan, no level")

    def test_only_what_is_new_and_the_highest_only(self):
        result = due([-3, 8, 8, 30], sent=[NONE, NONE, 1, 1])
        self.assertEqual(result.level.tolist(), [0, 1, NONE, 2])

    def test_an_open_promise_pauses_a_broken_one_escalates_at_once(self):
        self.assertEqual(due([25], sent=[1], paused=True).level.tolist(), [NONE])
        broken = due([8], sent=[1], broken=True)
        self.assertEqual((broken.level.tolist(), broken.escalated.tolist()), ([2], [True]))
        last = due([400], sent=[2], broken=True)
        self.assertEqual(last.level.tolist(), [NONE], "nothing beyond the last level")

    def test_the_hold_level_and_beyond(self):
        result = due([29, 30, 60], plan=1, sent=[NONE, NONE, NONE])
        self.assertEqual(result.level.tolist(), [2, 3, 3])
        self.assertEqual(result.hold.tolist(), [False, True, True])
        self.assertEqual(due([2], plan=1, sent=3).hold.tolist(), [False], "nothing sent, no new hold")

    def test_levels_must_increase(self):
        self.assertIsNone(dunning.check_levels([-3, 7, 21]))
        self.assertIn("two levels are set at 7 days", dunning.check_levels([-3, 7, 7]))
        self.assertIn("at 5 days comes after one at 7", dunning.check_levels([7, 5]))


class TestPromises(unittest.TestCase):
    def test_states(self):
        today = "2026-02-28"
        states = dunning.promise_states(
            amount=[100, 100, 100, 100, 100],
            paid=[100, 40, 40, 0, 0],
            deadline=["2026-02-27", "2026-02-28", "2026-02-27", "2026-02-27", "2026-03-01"],
            today=today,
        )
        self.assertEqual(states.tolist(), ["kept", "open", "partial", "broken", "open"])
