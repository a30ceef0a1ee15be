"""Creditsafe Connect (international): https://doc.creditsafe.com, the Connect API.

POST /authenticate with the API user's username and password gives a bearer token valid for an hour,
reused until it expires (or until a call answers 401, then renewed once). GET /companies searches by
country and registration or VAT number; GET /companies/{connectId} is the credit report, normalised
from its international score (providerValue on a 0-100 scale), common rating A-E, recommended credit
limit and negative information.
"""

import base64
import json
import time

from .base import (
    RATINGS,
    AuthError,
    Candidate,
    Connector,
    Identifier,
    Malformed,
    NotFound,
    Report,
    Signal,
    iso_date,
    number,
    register,
)

TOKEN_LIFETIME = 3600.0


@register
class Creditsafe(Connector):
    kind = "creditsafe"
    label = "Creditsafe"
    urls = {
        "production": "https://connect.creditsafe.com/v1",
        "sandbox": "https://connect.sandbox.creditsafe.com/v1",
    }
    credential_fields = ("username", "password")

    def authenticate(self):
        status, body = self._request(
            "POST",
            "/authenticate",
            json={
                "username": self.credentials.get("username") or "",
                "password": self.credentials.get("password") or "",
            },
        )
        if status in (400, 401, 403):
            raise AuthError(f"Creditsafe refused the username and password: {_message(body)}")
        token = body.get("token") if isinstance(body, dict) else None
        if status != 200 or not isinstance(token, str) or not token:
            raise Malformed(f"Creditsafe: no token in the answer to /authenticate (HTTP {status})")
        self.token, self.token_expiry = token, _expiry(token)
        return True

    def search(self, identifier: Identifier) -> list[Candidate]:
        if not identifier.country:
            return []
        params = {"countries": identifier.country.upper(), "pageSize": 10}
        if identifier.registry:
            params["regNo"] = identifier.registry
        elif identifier.vat:
            params["vatNo"] = identifier.vat
        elif identifier.name:
            params["name"] = identifier.name
        else:
            return []
        status, body = self._call("/companies", params)
        if status == 404:
            return []
        companies = body.get("companies") if isinstance(body, dict) else None
        if status != 200 or not isinstance(companies, list):
            raise Malformed(f"Creditsafe: unexpected answer to a company search (HTTP {status})")
        return [
            _candidate(company) for company in companies if isinstance(company, dict) and company.get("id")
        ]

    def report(self, ref: str) -> Report:
        status, body = self._call(f"/companies/{ref}", {"language": "en"})
        if status == 404:
            raise NotFound(f"Creditsafe has no company {ref}")
        if status != 200 or not isinstance(body, dict) or not isinstance(body.get("report"), dict):
            raise Malformed(
                f"Creditsafe: unexpected answer to the report of {ref} (HTTP {status}): {_message(body)}"
            )
        return normalise(ref, body)

    # ------------------------------------------------------------------
    def _call(self, path, params):
        """A GET with a valid token; a 401 renews the token once."""
        for attempt in range(2):
            if not self.ready():
                self.authenticate()
            status, body = self._request(
                "GET",
                path,
                params=params,
                headers={"Authorization": f"Bearer {self.token}"},
            )
            if status != 401:
                break
            self.token = None
            if attempt:
                raise AuthError(f"Creditsafe refused a fresh token: {_message(body)}")
        if status == 403:
            raise AuthError(f"Creditsafe refused access: {_message(body)}")
        if status == 400:
            raise NotFound(f"Creditsafe: {_message(body)}")
        return status, body


def normalise(ref, body) -> Report:
    report = body["report"]
    summary = report.get("companySummary") or {}
    rating = (report.get("creditScore") or {}).get("currentCreditRating") or summary.get("creditRating") or {}
    previous = (report.get("creditScore") or {}).get("previousCreditRating") or {}
    limit = rating.get("creditLimit") or {}
    common = rating.get("commonValue")
    signals = list(_negative_signals(report.get("negativeInformation") or {}))
    status = (summary.get("companyStatus") or {}).get("status")
    if status and status != "Active":
        text = (summary.get("companyStatus") or {}).get("description") or status
        signals.append(Signal("inactive", None, None, f"Company status: {text}"))
    return Report(
        ref=ref,
        name=summary.get("businessName") or "",
        score=_score(rating.get("providerValue") or {}),
        rating=common if common in RATINGS else None,
        limit=number(limit.get("value")),
        currency=(limit.get("currency") or None) if number(limit.get("value")) is not None else None,
        signals=tuple(signals),
        raw={**body, "previous_rating": previous.get("commonValue")},
    )


def _score(provider_value):
    """The international score, when the provider value is on the 0-100 scale (some countries report a
    local scale there: then there is no normalised score)."""
    value = number(provider_value.get("value"))
    low, high = (
        number(provider_value.get("minValue")),
        number(provider_value.get("maxValue")),
    )
    if value is None or high != 100 or low not in (0, 1) or not 0 <= value <= 100:
        return None
    return value


def _negative_signals(negative):
    yield from _judgments(negative)
    yield from _legal_filings(negative.get("legalFilingSummary") or {})
    if negative.get("possibleOfac"):
        yield Signal("sanctions", None, None, "Possible match on a sanctions list (OFAC)")


def _judgments(negative):
    """County court judgments (the UK and Irish reports): the summary, then each judgment listed."""
    ccj = negative.get("ccjSummary") or {}
    judgments = number(ccj.get("numberOfExact")) or 0
    if judgments:
        yield Signal(
            "court_judgment",
            None,
            number(ccj.get("exactRegistered") or ccj.get("valueOfExact")),
            f"{int(judgments)} court judgment(s) registered",
        )
    for item in negative.get("ccjs") or negative.get("ccjsList") or []:
        if isinstance(item, dict):
            yield Signal(
                "court_judgment",
                iso_date(item.get("ccjDate") or item.get("date")),
                number(item.get("ccjAmount") or item.get("amount")),
                str(item.get("court") or item.get("caseNumber") or "Court judgment"),
                str(item.get("caseNumber") or ""),
            )


# The US reports' legal filing summary: a count (or a flag) per kind of filing.
LEGAL_FILINGS = (
    ("judgmentFilings", "court_judgment", "judgment filing(s)"),
    ("taxLienFilings", "tax_lien", "tax lien filing(s)"),
    ("suits", "lawsuit", "lawsuit(s)"),
)


def _legal_filings(summary):
    if summary.get("bankruptcy") is True or str(summary.get("bankruptcy")).lower() in ("true", "yes"):
        yield Signal("insolvency", None, None, "Bankruptcy filing on record")
    for key, kind, words in LEGAL_FILINGS:
        count = number(summary.get(key)) or 0
        if count > 0:
            yield Signal(kind, None, None, f"{int(count)} {words} on record")


def _candidate(company):
    address = company.get("address") or {}
    vat = company.get("vatNo")
    return Candidate(
        ref=str(company["id"]),
        name=str(company.get("name") or ""),
        country=str(company.get("country") or ""),
        registry=str(company.get("regNo") or ""),
        vat=", ".join(vat) if isinstance(vat, list) else str(vat or ""),
        address=str(address.get("simpleValue") or ""),
        status=str(company.get("status") or ""),
    )


def _expiry(token):
    """When a JWT expires (its ``exp`` claim), else an hour from now."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return float(claims["exp"])
    except (IndexError, KeyError, TypeError, ValueError):
        return time.time() + TOKEN_LIFETIME


def _message(body):
    if isinstance(body, dict):
        return str(
            body.get("message") or body.get("details") or body.get("error") or body.get("messages") or ""
        )
    return ""
