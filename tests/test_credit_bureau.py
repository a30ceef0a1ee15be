"""Credit bureau reports in the product, against a local server that answers like Creditsafe and Qichacha:
nothing is called inside a user's transaction; the cron calls, stores, feeds the score and alerts."""

from datetime import timedelta

import bureau_server
from bureau_server import BureauServer

from odoo import fields
from odoo.addons.credit_management.bureaus import base as bureau_base
from odoo.addons.credit_management.tests.common import CreditCommon
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

SHIXIN = {
    "Id": "sx1",
    "Liandate": "2026-06-16",
    "ActionRemark": "拒不履行",
    "Amount": "236000",
}
CODE = "91310000MA1FL8XQ3B"


@tagged("post_install", "-at_install")
class TestCreditBureau(CreditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = cls.enterClassContext(BureauServer())
        cls.manager = new_test_user(
            cls.env,
            login="bureau_manager",
            name="Mia Manager",
            groups="base.group_user,credit_management.group_credit_manager",
        )
        cls.creditsafe = cls.env["credit.bureau.provider"].create(
            {
                "name": "Creditsafe",
                "kind": "creditsafe",
                "environment": "custom",
                "base_url": f"{cls.server.url}/v1",
                "username": bureau_server.USERNAME,
                "password": bureau_server.PASSWORD,
                "timeout": 5,
            }
        )
        cls.gb = cls.env.ref("base.uk")

    def setUp(self):
        super().setUp()
        self.server.fail.clear()
        self.server.calls.clear()
        self.server.companies.clear()

    def requests(self, partner):
        return self.env["credit.bureau.request"].search([("partner_id", "=", partner.id)])

    def qichacha(self):
        """A Qichacha provider on the local server, the only active one."""
        self.creditsafe.active = False
        return self.env["credit.bureau.provider"].create(
            {
                "name": "Qichacha",
                "kind": "qichacha",
                "environment": "custom",
                "base_url": self.server.url,
                "api_key": bureau_server.KEY,
                "api_secret": bureau_server.SECRET,
            }
        )

    def process(self):
        return self.env["credit.bureau.request"]._cron_process(auto_commit=False)

    def test_a_new_company_customer_is_queued_not_called(self):
        partner = self.customer("Brit Ltd", country_id=self.gb.id, company_registry="03836192")
        request = self.requests(partner)
        self.assertRecordValues(request, [{"state": "pending", "reason": "new_customer"}])
        self.assertFalse(self.server.calls, "no call inside the user's transaction")
        self.assertFalse(
            self.requests(self.customer("No id Ltd")),
            "no identifier, no request at creation",
        )

    def test_report_feeds_the_external_score_and_is_kept(self):
        self.server.companies["GB-0-111"] = {"score": 62, "limit": 25000.0}
        partner = self.customer("Brit Ltd", country_id=self.gb.id, company_registry="111")
        self.assertEqual(self.process(), 1)
        request = self.requests(partner)
        self.assertEqual(request.state, "done")
        report = partner.credit_bureau_report_id
        self.assertRecordValues(
            report,
            [
                {
                    "ref": "GB-0-111",
                    "score": 62.0,
                    "has_score": True,
                    "rating": "B",
                    "limit_amount": 25000.0,
                }
            ],
        )
        self.assertEqual(report.limit_currency_id, self.env.ref("base.EUR"))
        self.assertEqual(partner.credit_external_score, 62.0)
        self.assertEqual(partner.credit_bureau_rating, "B")
        self.assertTrue(
            self.env["credit.rescore.queue"].search(
                [("partner_id", "=", partner.id), ("reason", "=", "bureau")]
            )
        )
        self.assertTrue(self.creditsafe.sudo().token, "the token is kept for the next calls")
        # fresh: asking again the same day or while it is fresh calls nothing
        self.env["credit.bureau.request"]._enqueue(partner, "manual")
        self.assertEqual(len(self.requests(partner)), 1)

    def test_the_remembered_company_is_not_searched_again(self):
        partner = self.customer("Brit Ltd", country_id=self.gb.id, company_registry="222")
        self.process()
        self.env["credit.bureau.report"].search([("partner_id", "=", partner.id)]).expiry = self.days(-1)
        self.env["credit.bureau.request"].search([("partner_id", "=", partner.id)]).day = self.days(-40)
        self.server.calls.clear()
        self.env["credit.bureau.request"]._enqueue(partner, "refresh")
        self.process()
        self.assertEqual(self.server.calls["/v1/companies"], 0)
        self.assertEqual(self.server.calls["/v1/companies/GB-0-222"], 1)

    def test_several_or_no_candidates_wait_for_a_person(self):
        several = self.customer("Many Ltd", country_id=self.gb.id, company_registry="MANY7")
        nobody = self.customer("Ghost Ltd", country_id=self.gb.id, company_registry="NONE7")
        self.process()
        request = self.requests(several)
        self.assertEqual(request.state, "needs_match")
        self.assertEqual(len(request.candidates), 3)
        self.assertFalse(several.credit_bureau_report_id, "never guessed")
        self.assertEqual(self.requests(nobody).state, "not_found")

    def test_failures_are_retried_later_and_never_stored_half(self):
        partner = self.customer("Flaky Ltd", country_id=self.gb.id, company_registry="333")
        request = self.requests(partner)
        for failure in (("429", 3600), ("500",), ("garbage",), ("shape",)):
            with self.subTest(failure=failure):
                request.sudo().write({"state": "pending", "next_attempt": fields.Datetime.now()})
                # the search answers, then the report fails
                self.server.fail.extend([None, failure])
                self.process()
                self.assertEqual(request.state, "pending")
                self.assertGreater(request.next_attempt, fields.Datetime.now())
                self.assertTrue(request.error)
                self.assertFalse(self.env["credit.bureau.report"].search([("partner_id", "=", partner.id)]))
        self.assertGreaterEqual(request.next_attempt, fields.Datetime.now() + timedelta(minutes=15))

    def test_an_open_request_is_not_doubled(self):
        partner = self.customer("Twin Ltd", country_id=self.gb.id, company_registry="TW1")
        request = self.requests(partner)
        request.sudo().write(
            {"day": self.days(-1), "next_attempt": fields.Datetime.now() + timedelta(hours=4)}
        )
        self.order(partner, 100)
        partner.with_user(self.controller).action_credit_bureau_request()
        self.assertEqual(self.requests(partner), request, "still waiting: asked once")
        self.assertEqual(self.process(), 0)

    def test_a_controller_asks_again_within_the_cache(self):
        partner = self.customer("Fresh Ltd", country_id=self.gb.id, company_registry="FR1")
        self.process()
        self.requests(partner).sudo().day = self.days(-1)
        self.env["credit.bureau.request"]._enqueue(partner, "quotation")
        self.assertEqual(len(self.requests(partner)), 1, "a fresh report is used again")
        partner.with_user(self.controller).action_credit_bureau_request()
        self.assertEqual(len(self.requests(partner)), 2, "unless a controller asks")

    def test_the_same_bureau_rating_drop_alerts_once(self):
        self.server.companies["GB-0-1313"] = {"score": 20, "previous": 60}
        partner = self.customer("Fallen Ltd", country_id=self.gb.id, company_registry="1313")
        self.process()
        self.assertEqual(partner.credit_bureau_report_id.previous_rating, "B")
        self.requests(partner).sudo().day = self.days(-1)
        partner.with_user(self.controller).action_credit_bureau_request()
        self.process()
        # the bureau still says its previous rating was B; ours was D already
        self.assertEqual(partner.credit_bureau_report_id.previous_rating, "D")
        self.assertEqual(partner.credit_bureau_report_id._rating_drop(), 0)

    def test_grades_may_swap_bands(self):
        a, b = self.grades["A"], self.grades["B"]
        self.env["credit.grade"]._set_min_scores({a.id: b.min_score, b.id: a.min_score})
        self.assertEqual((a.min_score, b.min_score), (70.0, 85.0))

    def test_wrong_credentials(self):
        self.creditsafe.sudo().write({"password": "wrong", "token": False, "token_expiry": 0})
        with self.assertRaisesRegex(UserError, "connection test failed.*username and password"):
            self.creditsafe.with_user(self.manager).action_test_connection()
        partner = self.customer("Brit Ltd", country_id=self.gb.id, company_registry="444")
        self.process()
        self.assertEqual(self.requests(partner).state, "failed", "wrong credentials: no retry")

    def test_repeated_failures_give_the_managers_one_activity(self):
        partners = [
            self.customer(f"Down {i}", country_id=self.gb.id, company_registry=f"55{i}") for i in range(7)
        ]
        self.creditsafe.sudo().write({"token": False, "token_expiry": 0})
        self.server.fail.append(None)  # authentication answers
        self.server.fail.extend([("500",)] * 7)
        self.process()
        self.assertEqual(self.creditsafe.failure_count, 7)
        review = self.env.ref("credit_management.mail_activity_type_bureau_failure")
        alerts = self.creditsafe.activity_ids.filtered(lambda a: a.activity_type_id == review)
        self.assertIn(self.manager, alerts.user_id)
        self.assertEqual(len(alerts), len(alerts.user_id), "one activity per manager")
        self.assertEqual({self.requests(p).state for p in partners}, {"pending"})

    def test_monthly_budget(self):
        self.creditsafe.monthly_budget = 2
        for i in range(4):
            self.customer(f"Budget {i}", country_id=self.gb.id, company_registry=f"66{i}")
        self.assertEqual(self.process(), 2)
        self.assertEqual(self.creditsafe.calls_this_month, 2)
        self.assertEqual(self.process(), 0, "out of budget: the rest waits")

    def test_a_killed_run_does_not_call_twice_the_same_day(self):
        partner = self.customer("Killed Ltd", country_id=self.gb.id, company_registry="777")
        request = self.requests(partner)
        request._take(self.creditsafe, 10)  # marked 'calling', then the run dies
        self.process()
        self.assertFalse(self.server.calls["/v1/companies/GB-0-777"])
        self.assertRecordValues(request, [{"state": "pending", "day": self.days(1)}])

    def test_a_new_risk_signal_alerts_the_controller(self):
        qichacha = self.qichacha()
        self.server.companies[CODE] = {"/ShixinCheck/GetList": [SHIXIN]}
        partner = self.customer(
            "上海示例有限公司",
            country_id=self.env.ref("base.cn").id,
            company_registry=CODE,
        )
        self.process()
        report = partner.credit_bureau_report_id
        self.assertEqual(report.provider_id, qichacha)
        self.assertFalse(report.has_score)
        self.assertEqual(
            partner.credit_external_score,
            0.0,
            "no score from Qichacha: the factor stays unknown",
        )
        (signal,) = report.signal_ids
        self.assertRecordValues(signal, [{"kind": "dishonest_debtor", "amount": 236000.0, "is_new": True}])
        self.assertEqual(str(signal.date), "2026-06-16")
        alert = self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", partner.id),
                ("credit_alert_kind", "=", "bureau_signal"),
            ]
        )
        self.assertEqual(alert.user_id, self.controller)

    def test_first_quotation_asks_the_bureau(self):
        partner = self.customer("Quote Ltd", country_id=self.gb.id)
        self.assertFalse(self.requests(partner))
        self.order(partner, 100)
        self.assertEqual(self.requests(partner).reason, "quotation")
        # not found: the next days' quotations do not ask again, a controller may
        self.requests(partner).sudo().write({"state": "not_found", "day": self.days(-1)})
        self.order(partner, 100)
        self.assertEqual(len(self.requests(partner)), 1)
        partner.with_user(self.controller).action_credit_bureau_request()
        self.assertEqual(len(self.requests(partner)), 2)
        action = partner.with_user(self.controller).action_view_bureau_reports()
        self.assertEqual(action["domain"], [("partner_id", "in", partner.ids)])

    def test_rights(self):
        partner = self.customer("Brit Ltd", country_id=self.gb.id, company_registry="888")
        self.process()
        salesman = partner.with_user(self.salesman)
        self.assertTrue(salesman.credit_bureau_rating)
        self.assertTrue(salesman.credit_bureau_date)
        with self.assertRaises(AccessError):
            self.env["credit.bureau.report"].with_user(self.salesman).search([]).read(["score"])
        with self.assertRaises(AccessError):
            salesman.action_credit_bureau_request()
        report = partner.credit_bureau_report_id.with_user(self.controller)
        self.assertEqual(report.rating, partner.credit_bureau_rating)
        with self.assertRaises(AccessError):
            report.read(["raw"])
        with self.assertRaises(AccessError):
            self.creditsafe.with_user(self.controller).read(["password"])
        with self.assertRaises(AccessError):
            self.creditsafe.with_user(self.controller).write({"monthly_budget": 5})
        with self.assertRaises(AccessError):
            self.creditsafe.with_user(self.controller).action_test_connection()
        self.assertTrue(report.with_user(self.manager).raw)
        for user in (self.salesman, self.controller, self.manager):
            with self.assertRaisesRegex(AccessError, "cannot be set by hand"):
                partner.with_user(user).write({"credit_bureau_report_id": False, "credit_bureau_limit": 1e9})

    def test_the_url_follows_the_kind_and_environment(self):
        provider = self.env["credit.bureau.provider"].create({"name": "Qichacha", "kind": "qichacha"})
        self.assertEqual(provider.base_url, "https://api.qichacha.com")
        provider.write({"kind": "creditsafe", "environment": "sandbox"})
        self.assertEqual(provider.base_url, "https://connect.sandbox.creditsafe.com/v1")

    def test_bad_settings(self):
        for vals, message in (
            ({"timeout": 0}, "Timeout"),
            ({"concurrency": 50}, "Connections at Once"),
            ({"monthly_budget": -1}, "Monthly Budget"),
            ({"base_url": "ftp://x"}, "Base URL"),
        ):
            with (
                self.subTest(vals=vals),
                self.assertRaisesRegex(ValidationError, message),
            ):
                self.creditsafe.copy(vals)

    def test_signal_kinds_have_labels(self):
        kinds = dict(self.env["credit.bureau.signal"]._fields["kind"].selection)
        self.assertEqual(set(kinds), set(bureau_base.SIGNAL_KINDS))

    def test_the_controller_picks_among_several_and_it_is_remembered(self):
        partner = self.customer("Many Ltd", country_id=self.gb.id, company_registry="MANY8")
        self.process()
        request = self.requests(partner)
        wizard = (
            self.env["credit.bureau.match.wizard"]
            .with_user(self.controller)
            .with_context(active_id=request.id)
            .create({})
        )
        self.assertEqual(len(wizard.line_ids), 3)
        views = request.with_user(self.controller).get_views(
            [(False, "list"), (False, "form"), (False, "search")]
        )
        self.assertIn("action_pick_company", views["views"]["form"]["arch"])
        with self.assertRaisesRegex(UserError, "exactly one"):
            wizard.action_confirm()
        wizard.line_ids[0].write({"chosen": True, "ref": "GB-0-SOMEONE-ELSE"})
        with self.assertRaisesRegex(UserError, "not one of the companies the bureau found"):
            wizard.action_confirm()
        wizard.line_ids[0].chosen = False
        wizard.line_ids[1].chosen = True
        wizard.action_confirm()
        self.assertRecordValues(request, [{"state": "pending", "ref": "GB-0-MANY8-1"}])
        self.process()
        self.assertEqual(partner.credit_bureau_report_id.ref, "GB-0-MANY8-1")
        with self.assertRaises(AccessError):
            wizard.with_user(self.salesman).action_confirm()

    def test_the_bureau_caps_the_limit_where_the_grade_says_so(self):
        partner = self.customer("Capped Ltd", country_id=self.gb.id, company_registry="999")
        self.paid_invoice(partner, 20000, -200, days_late=0)
        self.rescore(partner)
        grade = partner.credit_grade_id
        policy_limit = partner.credit_limit
        self.assertGreater(policy_limit, 0)
        self.server.companies["GB-0-999"] = {"limit": 1000.0, "score": 80}
        self.process()
        self.assertAlmostEqual(
            partner.credit_bureau_limit,
            self.env.ref("base.EUR")._convert(1000.0, self.currency, self.company, self.today),
            places=2,
        )
        grade.limit_bureau_cap = False
        self.rescore(partner)
        self.assertEqual((partner.credit_limit, partner.credit_limit_source), (policy_limit, "policy"))
        grade.limit_bureau_cap = True
        self.rescore(partner)
        self.assertAlmostEqual(partner.credit_limit, partner.credit_bureau_limit, places=2)
        self.assertEqual(partner.credit_limit_source, "bureau")
        self.assertEqual(partner.credit_policy_limit, policy_limit)

    def test_a_rating_two_steps_worse_holds_where_the_policy_says_so(self):
        self.policy.bureau_hold_on_signal = True
        self.server.companies["GB-0-1212"] = {"score": 20, "previous": 60}  # B -> D
        partner = self.customer("Falling Ltd", country_id=self.gb.id, company_registry="1212")
        self.process()
        self.assertRecordValues(partner.credit_bureau_report_id, [{"rating": "D", "previous_rating": "B"}])
        self.assertTrue(partner.credit_hold)
        self.assertIn("rating B → D", partner.credit_hold_reason)
        kinds = (
            self.env["mail.activity"]
            .search([("res_model", "=", "res.partner"), ("res_id", "=", partner.id)])
            .mapped("credit_alert_kind")
        )
        self.assertIn("bureau_rating", kinds)

    def test_refresh_follows_the_grade_riskiest_first_within_the_budget(self):
        partners = [
            self.customer(f"Refresh {i}", country_id=self.gb.id, company_registry=f"R{i}") for i in range(3)
        ]
        self.process()
        reports = self.env["credit.bureau.report"].search([("partner_id", "in", [p.id for p in partners])])
        self.assertEqual(len(reports), 3)
        grades = sorted(self.grades.values(), key=lambda g: g.min_score)
        worst, best = grades[0], grades[-1]
        worst.bureau_refresh_days, best.bureau_refresh_days = 30, 365
        for partner, grade in zip(partners, (best, worst, worst), strict=True):
            partner.sudo().write({"credit_grade_id": grade.id})
        reports.sudo().write({"date": fields.Datetime.now() - timedelta(days=60)})
        self.env["credit.bureau.request"].search(
            [("partner_id", "in", [p.id for p in partners])]
        ).sudo().write({"day": self.days(-60)})
        self.creditsafe.monthly_budget = self.creditsafe.calls_this_month + 1
        self.env["credit.bureau.request"]._cron_refresh()
        queued = self.env["credit.bureau.request"].search([("reason", "=", "refresh")])
        self.assertEqual(len(queued), 1, "within the budget")
        self.assertIn(queued.partner_id, partners[1:], "a worst-grade customer, due after 30 days")

    def test_the_credit_review_shows_the_bureau_report(self):
        self.server.companies[CODE] = {"/ShixinCheck/GetList": [SHIXIN]}
        qichacha = self.qichacha()
        partner = self.customer(
            "上海示例有限公司", country_id=self.env.ref("base.cn").id, company_registry=CODE
        )
        self.process()
        self.assertEqual(partner.credit_bureau_report_id.provider_id, qichacha)
        report = "credit_management.report_credit_review"
        reports = self.env["ir.actions.report"]
        html = reports.with_user(self.controller)._render_qweb_html(report, partner.ids)[0].decode()
        self.assertIn("Credit bureau", html)
        self.assertIn("拒不履行", html)
        html = reports.with_user(self.salesman)._render_qweb_html(report, partner.ids)[0].decode()
        self.assertIn("Qichacha", html, "the bureau and the date, as on the Credit tab")
        self.assertNotIn("拒不履行", html, "not the report's details")
