"""Credit bureau data over JSON-RPC, on a real server, as the users who would try: a salesperson sees a
customer's bureau rating and date and nothing else; a controller sees reports but never the credentials;
nobody but the system calls a bureau or writes a report; a manager's wrong credentials get a clear error."""

import server

from odoo.tests import tagged

PASSWORD = "bureau"

SETUP_SCRIPT = (
    server.users_script(PASSWORD, "controller")
    + """
provider = env["credit.bureau.provider"].create({
    "name": "Creditsafe", "kind": "creditsafe", "environment": "custom", "base_url": "http://127.0.0.1:9/v1",
    "username": "api-user", "password": "TOP-SECRET", "timeout": 2})
partner = env["res.partner"].create({"name": "Rated Ltd", "is_company": True, "customer_rank": 1})
report = env["credit.bureau.report"].create({"partner_id": partner.id, "company_id": env.company.id,
    "provider_id": provider.id, "ref": "GB-0-1", "score": 62, "has_score": True, "rating": "B",
    "raw": {"secret": "raw answer"}})
partner.write({"credit_bureau_report_id": report.id})
"""
)


@tagged("post_install", "-at_install")
class TestCreditBureauRpc(server.ServerCase):
    database_prefix = "credit_bureau_rpc"
    setup_script = SETUP_SCRIPT

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.seller, cls.controller, cls.manager = (
            server.JsonRpc(cls.url, cls.dbname, login, PASSWORD)
            for login in ("seller", "controller", "manager")
        )
        admin = cls.admin
        cls.partner = admin("res.partner", "search", [("name", "=", "Rated Ltd")])[0]
        cls.report = admin("credit.bureau.report", "search", [])[0]
        cls.provider = admin("credit.bureau.provider", "search", [])[0]

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        with open(cls.log) as log:
            assert "TOP-SECRET" not in log.read(), "a credential in the server's log"

    def refused(self, rpc, *call, **kwargs):
        with self.assertRaises(server.RpcError) as caught:
            rpc(*call, **kwargs)
        return caught.exception

    def test_a_salesperson_sees_the_rating_and_the_date_only(self):
        (row,) = self.seller(
            "res.partner", "read", [self.partner], ["credit_bureau_rating", "credit_bureau_date"]
        )
        self.assertEqual(row["credit_bureau_rating"], "B")
        self.assertTrue(row["credit_bureau_date"])
        for call in (
            ("credit.bureau.report", "read", [self.report], ["score"]),
            ("credit.bureau.report", "search_read", [], ["raw"]),
            ("credit.bureau.provider", "read", [self.provider], ["name"]),
            ("credit.bureau.request", "search", []),
            ("res.partner", "action_credit_bureau_request", [self.partner]),
        ):
            with self.subTest(call=call[:2]):
                self.assertEqual(self.refused(self.seller, *call).name, "odoo.exceptions.AccessError")
        error = self.refused(
            self.seller, "res.partner", "write", [self.partner], {"credit_bureau_report_id": False}
        )
        self.assertIn("cannot be set by hand", error.message)

    def test_a_controller_reads_reports_not_credentials_nor_raw_answers(self):
        (row,) = self.controller("credit.bureau.report", "read", [self.report], ["score", "rating"])
        self.assertEqual((row["score"], row["rating"]), (62.0, "B"))
        for fields in (["raw"],):
            self.refused(self.controller, "credit.bureau.report", "read", [self.report], fields)
        for fields in (["password"], ["username"], ["api_secret"], ["token"]):
            with self.subTest(fields=fields):
                self.refused(self.controller, "credit.bureau.provider", "read", [self.provider], fields)
        row = self.controller("credit.bureau.provider", "read", [self.provider], [])[0]
        self.assertNotIn("password", row, "a plain read leaves out what the user may not see")
        self.refused(self.controller, "credit.bureau.report", "create", {"partner_id": self.partner})
        self.refused(self.controller, "credit.bureau.request", "create", {"partner_id": self.partner})
        self.refused(self.controller, "credit.bureau.request", "_cron_process")
        self.controller("res.partner", "action_credit_bureau_request", [self.partner])
        for vals in ({"credit_bureau_report_id": False}, {"credit_bureau_limit": 10**9}):
            with self.subTest(vals=vals):
                error = self.refused(self.controller, "res.partner", "write", [self.partner], vals)
                self.assertIn("cannot be set by hand", error.message)
        (row,) = self.controller("res.partner", "read", [self.partner], ["credit_bureau_rating"])
        self.assertEqual(row["credit_bureau_rating"], "B", "nothing was written")

    def test_a_manager_testing_a_dead_bureau_gets_a_clear_error(self):
        error = self.refused(
            self.manager, "credit.bureau.provider", "action_test_connection", [self.provider]
        )
        self.assertEqual(error.name, "odoo.exceptions.UserError")
        self.assertIn("connection test failed", error.message)
        self.assertNotIn("TOP-SECRET", error.message)
        (row,) = self.manager("credit.bureau.provider", "read", [self.provider], ["password"])
        self.assertEqual(row["password"], "TOP-SECRET", "managers keep the credentials up to date")
