"""The bureau connectors against a local server that answers like the providers; no database needed."""

import hashlib
import unittest

import bureau_server
from bureau_server import BureauServer
from credit_core.bureaus import base, creditsafe, qichacha

SHIXIN = {
    "Id": "478230a106a17e95c7c0785314802c372",
    "Liandate": "2017-06-16",
    "Anno": "(2017)豫1628执798号",
    "Executegov": "鹿邑县人民法院",
    "Executestatus": "全部未履行",
    "Publicdate": "2017-07-02",
    "ActionRemark": "被执行人无正当理由拒不履行执行和解协议",
    "Amount": "236000",
}
CODE = "91320000MA1ABCDE2X"


class BureauCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = cls.enterClassContext(BureauServer())

    def setUp(self):
        super().setUp()
        self.server.fail.clear()
        self.server.calls.clear()
        self.server.companies.clear()


class TestCreditsafe(BureauCase):
    def connector(self, password=bureau_server.PASSWORD, timeout=5.0):
        return creditsafe.Creditsafe(
            f"{self.server.url}/v1",
            {"username": bureau_server.USERNAME, "password": password},
            timeout,
        )

    def test_token_is_reused_until_refused_then_renewed_once(self):
        connector = self.connector()
        self.assertEqual(len(connector.search(base.Identifier(country="GB", registry="03836192"))), 1)
        connector.report("GB-0-03836192")
        self.assertEqual(self.server.calls["/v1/authenticate"], 1)
        self.server.fail.append(("expire",))
        connector.report("GB-0-03836192")
        self.assertEqual(self.server.calls["/v1/authenticate"], 2)
        # a token handed over from an earlier run is used as it is
        again = creditsafe.Creditsafe(
            f"{self.server.url}/v1",
            {},
            token=connector.token,
            token_expiry=connector.token_expiry,
        )
        again.report("GB-0-03836192")
        self.assertEqual(self.server.calls["/v1/authenticate"], 2)

    def test_wrong_credentials(self):
        with self.assertRaisesRegex(base.AuthError, "username and password"):
            self.connector(password="wrong").authenticate()

    def test_search_finds_none_one_or_several(self):
        connector = self.connector()
        self.assertEqual(connector.search(base.Identifier(country="FR", registry="NONE1")), [])
        (one,) = connector.search(base.Identifier(country="FR", vat="FR123"))
        self.assertEqual((one.ref, one.country, one.vat), ("FR-0-FR123", "FR", "FRFR123"))
        self.assertEqual(len(connector.search(base.Identifier(country="FR", registry="MANY1"))), 3)
        self.assertEqual(
            connector.search(base.Identifier(registry="123")),
            [],
            "no country, no search",
        )

    def test_report_is_normalised(self):
        self.server.companies["GB-0-1"] = {
            "score": 62,
            "limit": 25000.0,
            "previous": 80,
            "judgments": 2,
        }
        report = self.connector().report("GB-0-1")
        self.assertEqual(
            (report.score, report.rating, report.limit, report.currency),
            (62.0, "B", 25000.0, "EUR"),
        )
        self.assertEqual(report.raw["previous_rating"], "A")
        (judgment,) = report.signals
        self.assertEqual((judgment.kind, judgment.amount), ("court_judgment", 3000.0))

    def test_not_rated_and_inactive(self):
        self.server.companies["FR-0-2"] = {"status": "NonActive", "ofac": True}
        body = self.server.creditsafe_report("FR-0-2")[1]
        rating = body["report"]["creditScore"]["currentCreditRating"]
        rating["providerValue"]["value"] = "Not Rated"
        rating["creditLimit"]["value"] = "Credit Limit not applicable"
        report = creditsafe.normalise("FR-0-2", body)
        self.assertIsNone(report.score)
        self.assertIsNone(report.limit)
        self.assertEqual({s.kind for s in report.signals}, {"inactive", "sanctions"})

    def test_us_legal_filings_and_listed_judgments(self):
        self.server.companies["US-0-3"] = {
            "negative": {
                "legalFilingSummary": {
                    "bankruptcy": True,
                    "taxLienFilings": 2,
                    "judgmentFilings": 0,
                    "uccFilings": 4,
                    "cautionaryUccFilings": 1,
                    "suits": 1,
                    "sum": {"currency": "USD", "value": 5200},
                },
                "ccjs": [
                    {
                        "ccjDate": "2026-05-04T00:00:00Z",
                        "ccjAmount": 980,
                        "court": "Leeds",
                        "caseNumber": "K1",
                    }
                ],
            }
        }
        signals = self.connector().report("US-0-3").signals
        self.assertEqual(
            sorted((s.kind, s.date, s.amount, s.text) for s in signals),
            [
                ("court_judgment", "2026-05-04", 980.0, "Leeds"),
                ("insolvency", None, None, "Bankruptcy filing on record"),
                ("lawsuit", None, None, "1 lawsuit(s) on record"),
                ("tax_lien", None, None, "2 tax lien filing(s) on record"),
            ],
        )

    def test_unknown_company(self):
        with self.assertRaises(base.NotFound):
            self.connector().report("GB-0-NONE")

    def test_every_failure_says_whether_to_retry(self):
        connector = self.connector(timeout=0.5)
        connector.authenticate()
        cases = [
            (("429", 30), base.RateLimited, True),
            (("500",), base.Unavailable, True),
            (("garbage",), base.Malformed, True),
            (("slow", 1.5), base.Unavailable, True),
        ]
        for failure, error, retry in cases:
            with self.subTest(failure=failure):
                self.server.fail.append(failure)
                with self.assertRaises(error) as caught:
                    connector.report("GB-0-3")
                self.assertEqual(caught.exception.retry, retry)
        self.server.fail.append(("429", 30))
        with self.assertRaises(base.RateLimited) as caught:
            connector.report("GB-0-3")
        self.assertEqual(caught.exception.retry_after, 30.0)
        self.assertFalse(base.AuthError("x").retry)

    def test_unreachable(self):
        connector = creditsafe.Creditsafe("http://127.0.0.1:9/v1", {"username": "u", "password": "p"}, 1.0)
        with self.assertRaises(base.Unavailable):
            connector.authenticate()


class TestQichacha(BureauCase):
    def connector(self, key=bureau_server.KEY, secret=bureau_server.SECRET):
        return qichacha.Qichacha(self.server.url, {"key": key, "secret": secret}, 5.0)

    def test_signature(self):
        expected = hashlib.md5(b"k1717000000s").hexdigest().upper()
        self.assertEqual(qichacha.sign("k", "s", "1717000000"), expected)
        self.assertEqual(len(expected), 32)

    def test_wrong_key_or_secret(self):
        self.assertTrue(self.connector().authenticate())
        with self.assertRaisesRegex(base.AuthError, "101"):
            self.connector(key="other").authenticate()
        with self.assertRaisesRegex(base.AuthError, "107"):
            self.connector(secret="other").authenticate()

    def test_search_by_credit_code_or_name(self):
        connector = self.connector()
        (one,) = connector.search(base.Identifier(country="CN", registry=CODE.lower()))
        self.assertEqual((one.ref, one.registry, one.country), (CODE, CODE, "CN"))
        self.assertEqual(len(connector.search(base.Identifier(name="MANY 公司"))), 3)
        self.assertEqual(connector.search(base.Identifier(name="NONE 公司")), [])
        self.assertEqual(connector.search(base.Identifier(registry="123")), [])

    def test_report_lists_the_risk_records(self):
        self.server.companies[CODE] = {
            "/ShixinCheck/GetList": [SHIXIN],
            "/AdminPenaltyCheck/GetList": [
                {
                    "Id": "p1",
                    "PunishReason": "未按规定公示年度报告",
                    "PunishDate": "2022-05-10",
                    "PunishAmt": "5000",
                }
            ],
        }
        report = self.connector().report(CODE)
        self.assertIsNone(report.score)
        kinds = {s.kind: s for s in report.signals}
        self.assertEqual(set(kinds), {"dishonest_debtor", "administrative_penalty"})
        shixin = kinds["dishonest_debtor"]
        self.assertEqual(
            (shixin.date, shixin.amount, shixin.ref),
            ("2017-06-16", 236000.0, SHIXIN["Id"]),
        )
        self.assertIn("全部未履行", shixin.text)
        self.assertEqual(self.server.calls["/TaxIllegalCheck/GetList"], 1)

    def test_risk_lists_are_read_page_after_page(self):
        records = [{**SHIXIN, "Id": f"sx{i}"} for i in range(45)]
        self.server.companies[CODE] = {"/ShixinCheck/GetList": records}
        report = self.connector().report(CODE)
        self.assertEqual(len([s for s in report.signals if s.kind == "dishonest_debtor"]), 45)
        self.assertEqual(self.server.calls["/ShixinCheck/GetList"], 3)
        self.assertEqual(self.server.calls["/TaxIllegalCheck/GetList"], 1, "nothing found: one call")
        many = [{**SHIXIN, "Id": f"sx{i}"} for i in range(500)]
        self.server.companies[CODE] = {"/ShixinCheck/GetList": many}
        self.server.calls.clear()
        report = self.connector().report(CODE)
        self.assertEqual(
            len(report.signals), qichacha.MAX_PAGES * qichacha.PAGE_SIZE, "within the pages read"
        )

    def test_no_record_is_a_clean_report(self):
        self.assertEqual(self.connector().report(CODE).signals, ())

    def test_body_statuses_and_garbage(self):
        connector = self.connector()
        for failure, error in (
            (("status", "122"), base.RateLimited),
            (("status", "112"), base.QuotaExceeded),
            (("status", "199"), base.BureauError),
            (("garbage",), base.Malformed),
            (("500",), base.Unavailable),
        ):
            with self.subTest(failure=failure):
                self.server.fail.append(failure)
                with self.assertRaises(error):
                    connector.report(CODE)


class TestHelpers(unittest.TestCase):
    def test_numbers_and_dates(self):
        self.assertEqual(base.number("25000"), 25000.0)
        self.assertEqual(base.number("1 250,5"), 1250.5)
        self.assertIsNone(base.number("Not Rated"))
        self.assertIsNone(base.number("nan"))
        self.assertEqual(base.iso_date("2017-06-16 12:00:00"), "2017-06-16")
        self.assertEqual(base.iso_date("2024-02-29T00:00:00Z"), "2024-02-29")
        self.assertIsNone(base.iso_date("16/06/2017"))
        self.assertEqual(base._retry_after("120"), 120.0)
        self.assertIsNone(base._retry_after("soon"))
