"""Two credit managers activating different scorecards at the same moment, on a real multi-worker server,
over JSON-RPC: exactly one scorecard is active after each race, the policy's factor lines and the grades'
min scores are all that scorecard's (never a mix), and a refused activation says why. Over RPC too, a
manager cannot write a scorecard's state, metrics or bands past the activation's checks. The server's log
ends with no traceback and no unexpected ERROR line.
"""

import threading

import server

from odoo.tests import tagged

ROUNDS, PASSWORD = 4, "manager"
BUSY = "is being activated at this moment"

# Two managers, and two draft scorecards per round, each with its own weights and grade bands.
SETUP_SCRIPT = f"""
from odoo import Command
groups = [env.ref("base.group_user").id, env.ref("credit_management.group_credit_manager").id]
managers = env["res.users"].create([
    {{"name": f"Manager {{i}}", "login": f"manager{{i}}", "groups_id": [Command.set(groups)]}}
    for i in range(2)
])
env.cr.execute("UPDATE res_users SET password = %s WHERE id = ANY(%s)",
               [env["res.users"]._crypt_context().hash("{PASSWORD}"), managers.ids])
policy = env["credit.policy"]._for_company(env.company)
grades = env["credit.grade"].search([("company_id", "=", env.company.id)], order="min_score desc")
names = [f"Candidate {{k}}" for k in range({2 * ROUNDS})] + ["Spare 0", "Spare 1"]
for k, name in enumerate(names):
    env["credit.scorecard"].create({{
        "name": name,
        "company_id": env.company.id,
        "policy_id": policy.id,
        "origin": "learned",
        "monotone": True,
        "bands": [{{"grade_id": g.id, "code": g.code, "current": g.min_score,
                    "proposed": g.min_score - (k + 1) * 0.5 if g.min_score else 0.0}} for g in grades],
        "line_ids": [Command.create({{"factor": f.factor, "weight": f.weight + k + 1,
                                      "breakpoints": f.breakpoints}}) for f in policy.factor_ids],
    }})
"""


@tagged("post_install", "-at_install")
class TestScorecardActivationRace(server.ServerCase):
    database_prefix = "credit_card_race"
    setup_script = SETUP_SCRIPT
    workers = 4

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.managers = [server.JsonRpc(cls.url, cls.dbname, f"manager{i}", PASSWORD) for i in range(2)]

    def card(self, name):
        return self.admin("credit.scorecard", "search", [("name", "=", name)])[0]

    def assert_one_scorecard_applied(self):
        """Exactly one active scorecard, and the policy's weights and the grades' min scores are its."""
        active = self.admin(
            "credit.scorecard", "search_read", [("state", "=", "active")], ["line_ids", "bands"]
        )
        self.assertEqual(len(active), 1, "exactly one active scorecard")
        lines = self.admin("credit.scorecard.line", "read", active[0]["line_ids"], ["factor", "weight"])
        policy_lines = self.admin("credit.policy.factor", "search_read", [], ["factor", "weight"])
        weights = {line["factor"]: line["weight"] for line in policy_lines}
        self.assertEqual({line["factor"]: line["weight"] for line in lines}, weights)
        grades = self.admin("credit.grade", "search_read", [], ["min_score"])
        self.assertEqual(
            {grade["id"]: grade["min_score"] for grade in grades},
            {band["grade_id"]: band["proposed"] for band in active[0]["bands"]},
        )
        return active[0]["id"]

    def race(self, cards):
        """Each manager activates one of ``cards`` at the same moment; {card: True or the RpcError}."""
        start = threading.Barrier(len(cards))
        outcome = {}

        def activate(rpc, card):
            start.wait()
            try:
                outcome[card] = rpc("credit.scorecard", "action_activate", [card])
            except server.RpcError as error:
                outcome[card] = error

        threads = [
            threading.Thread(target=activate, args=call) for call in zip(self.managers, cards, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        return outcome

    def test_two_managers_at_once_one_wins_whole(self):
        for round_no in range(ROUNDS):
            cards = [self.card(f"Candidate {2 * round_no + i}") for i in range(2)]
            outcome = self.race(cards)
            active = self.assert_one_scorecard_applied()
            self.assertIn(active, cards, f"round {round_no}: one of the two won ({outcome})")
            for card in cards:
                if outcome[card] is True:
                    continue
                self.assertIsInstance(outcome[card], server.RpcError, outcome)
                self.assertIn(BUSY, outcome[card].message, "refused with a message saying why")
                state = self.admin("credit.scorecard", "read", [card], ["state"])[0]["state"]
                self.assertEqual(state, "draft", "a refused activation leaves its scorecard a candidate")

    def test_an_activation_in_progress_refuses_another(self):
        """Held mid-way (its transaction open), an activation makes a second one fail at once."""
        before = self.assert_one_scorecard_applied() if self.active_count() else None
        card = self.card("Spare 0")
        conn = server.connect(self.dbname)
        try:
            with conn.cursor() as cr:
                cr.execute("SELECT id FROM credit_policy FOR UPDATE")
                with self.assertRaisesRegex(server.RpcError, BUSY):
                    self.managers[0]("credit.scorecard", "action_activate", [card])
        finally:
            conn.rollback()
            conn.close()
        self.assertEqual(self.admin("credit.scorecard", "read", [card], ["state"])[0]["state"], "draft")
        if before:
            self.assertEqual(self.assert_one_scorecard_applied(), before)
        self.managers[0]("credit.scorecard", "action_activate", [card])
        self.assertEqual(self.assert_one_scorecard_applied(), card, "once free, the activation goes through")

    def test_rpc_cannot_write_past_the_activation(self):
        card = self.card("Spare 1")
        manager = self.managers[1]
        for vals in (
            {"state": "active"},
            {"monotone": True, "auc": 0.99},
            {"bands": [{"grade_id": 1, "code": "A", "current": 80.0, "proposed": 1.0}]},
        ):
            with self.assertRaisesRegex(server.RpcError, "set by learning and activation"):
                manager("credit.scorecard", "write", [card], vals)
        manager("credit.scorecard", "write", [card], {"accept_non_monotone": True})
        with self.assertRaises(server.RpcError):
            manager("credit.scorecard", "create", {"name": "Mine", "policy_id": 1, "origin": "manual"})

    def active_count(self):
        return self.admin("credit.scorecard", "search_count", [("state", "=", "active")])
