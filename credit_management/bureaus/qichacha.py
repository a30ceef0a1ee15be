"""Qichacha (企查查) open API (China): https://openapi.qcc.com.

Every call is a GET with the application key in the query string and two headers: ``Timespan`` (Unix
time in seconds) and ``Token``, the upper-case MD5 of key + Timespan + secret key. The answer is an
envelope whose ``Status`` says how it went (HTTP 200 even for errors). A company is found by its unified
social credit code (统一社会信用代码) or its name; its report is the risk records of five lists, each a
risk signal with its date and amount. Qichacha gives no score, rating or limit.
"""

import hashlib
import time

from .base import (
    AuthError,
    BureauError,
    Candidate,
    Connector,
    Identifier,
    Malformed,
    NotFound,
    QuotaExceeded,
    RateLimited,
    Report,
    Signal,
    iso_date,
    number,
    register,
)

PAGE_SIZE = 20
# Pages read per risk list: a company with more records than this is a case for a person anyway.
MAX_PAGES = 5
FOUND, NOTHING = "200", "201"
AUTH = {"101", "102", "103", "104", "107", "111", "113", "114", "115", "119", "214"}
QUOTA = {"109", "112", "116", "123"}
THROTTLED = {"110", "120", "122"}
# (kind, path, date field, amount field, text fields, id field)
RISK_LISTS = (
    (
        "dishonest_debtor",
        "/ShixinCheck/GetList",
        "Liandate",
        "Amount",
        ("ActionRemark", "Executestatus", "Anno"),
        "Id",
    ),
    (
        "judgment_debtor",
        "/ZhixingCheck/GetList",
        "Liandate",
        "Biaodi",
        ("ExecuteGov", "Anno"),
        "Id",
    ),
    (
        "abnormal_operation",
        "/ExceptionCheck/GetList",
        "AddDate",
        None,
        ("AddReason", "DecisionOffice"),
        None,
    ),
    (
        "administrative_penalty",
        "/AdminPenaltyCheck/GetList",
        "PunishDate",
        "PunishAmt",
        ("PunishReason", "PunishResult", "PunishOffice"),
        "Id",
    ),
    (
        "tax_violation",
        "/TaxIllegalCheck/GetList",
        "PublishDate",
        None,
        ("CaseNature", "IllegalContent", "TaxGov"),
        "Id",
    ),
)
# the statuses of a company that is no longer in business (吊销 revoked, 注销 deregistered, 撤销, 停业)
CLOSED = ("吊销", "注销", "撤销", "停业", "清算")


def sign(key, secret, timespan):
    return hashlib.md5(f"{key}{timespan}{secret}".encode()).hexdigest().upper()


def is_credit_code(text):
    """A unified social credit code: 18 characters, digits and upper-case letters."""
    text = (text or "").strip().upper()
    return len(text) == 18 and text.isalnum() and text.isascii()


@register
class Qichacha(Connector):
    kind = "qichacha"
    label = "Qichacha"
    urls = {
        "production": "https://api.qichacha.com",
        "sandbox": "https://api.qichacha.com",
    }
    credential_fields = ("key", "secret")

    def ready(self):
        return True  # every call is signed: there is no login

    def authenticate(self):
        """Qichacha has no login: a lookup that needs the signature checks the key and the secret."""
        self._call("/FuzzySearch/GetList", {"searchKey": "企查查", "pageSize": 1})
        return True

    def search(self, identifier: Identifier) -> list[Candidate]:
        code = next((c for c in (identifier.registry, identifier.vat) if is_credit_code(c)), "")
        if code:
            body = self._call("/EnterpriseInfo/Verify", {"searchKey": code.upper()})
            data = _result(body).get("Data")
            rows = [data] if isinstance(data, dict) else data or []
        elif identifier.name:
            body = self._call(
                "/FuzzySearch/GetList",
                {"searchKey": identifier.name, "pageSize": PAGE_SIZE},
            )
            rows = (body or {}).get("Result") or []
        else:
            return []
        if not isinstance(rows, list):
            raise Malformed("Qichacha: unexpected answer to a company lookup")
        return [
            _candidate(row)
            for row in rows
            if isinstance(row, dict) and (row.get("CreditCode") or row.get("Name"))
        ]

    def report(self, ref: str) -> Report:
        basic = self._call("/EnterpriseInfo/Verify", {"searchKey": ref})
        data = _result(basic).get("Data")
        if isinstance(data, list):
            data = data[0] if data else None
        if not isinstance(data, dict):
            raise NotFound(f"Qichacha has no company {ref}")
        signals, raw = [], {"basic": basic}
        status = str(data.get("Status") or "")
        if any(word in status for word in CLOSED):
            signals.append(Signal("inactive", None, None, f"登记状态: {status}"))
        for kind, path, date_field, amount_field, text_fields, id_field in RISK_LISTS:
            rows, raw[kind] = self._records(path, ref)
            for row in rows:
                if not isinstance(row, dict):
                    raise Malformed(f"Qichacha: unexpected record from {path}")
                signals.append(
                    Signal(
                        kind,
                        iso_date(row.get(date_field)),
                        number(row.get(amount_field)) if amount_field else None,
                        " · ".join(str(row[f]) for f in text_fields if row.get(f)),
                        str(row.get(id_field) or "") if id_field else "",
                    )
                )
        return Report(
            ref=ref,
            name=str(data.get("Name") or ""),
            score=None,
            rating=None,
            limit=None,
            currency=None,
            signals=tuple(signals),
            raw=raw,
        )

    # ------------------------------------------------------------------
    def _records(self, path, ref):
        """The records of a risk list, page after page (up to MAX_PAGES), and the answers as they came."""
        rows, bodies = [], []
        for page in range(1, MAX_PAGES + 1):
            body = self._call(path, {"searchKey": ref, "pageIndex": page, "pageSize": PAGE_SIZE})
            bodies.append(body)
            data = _result(body).get("Data") or []
            if not isinstance(data, list):
                raise Malformed(f"Qichacha: unexpected answer from {path}")
            rows += data
            total = number(((body or {}).get("Paging") or {}).get("TotalRecords")) or 0
            if len(data) < PAGE_SIZE or len(rows) >= total:
                break
        return rows, bodies

    def _call(self, path, params):
        """The envelope of a signed GET when it found something; None when it found nothing (201)."""
        key, secret = (
            self.credentials.get("key") or "",
            self.credentials.get("secret") or "",
        )
        timespan = str(int(time.time()))
        status_code, body = self._request(
            "GET",
            path,
            params={"key": key, **params},
            headers={"Token": sign(key, secret, timespan), "Timespan": timespan},
        )
        if not isinstance(body, dict) or "Status" not in body:
            raise Malformed(f"Qichacha: no status in the answer to {path} (HTTP {status_code})")
        status, message = str(body["Status"]), str(body.get("Message") or "")
        if status == FOUND:
            return body
        if status == NOTHING:
            return None
        if status in AUTH:
            raise AuthError(f"Qichacha refused the key ({status} {message})")
        if status in QUOTA:
            raise QuotaExceeded(f"Qichacha: the account's quota is used up ({status} {message})")
        if status in THROTTLED:
            raise RateLimited(f"Qichacha: too many requests ({status} {message})")
        raise BureauError(f"Qichacha answered {status} {message} to {path}")


def _result(body):
    """The envelope's Result when it is an object; an empty one otherwise (nothing found)."""
    result = (body or {}).get("Result")
    if result is not None and not isinstance(result, dict):
        raise Malformed("Qichacha: the Result of a lookup is not an object")
    return result or {}


def _candidate(row):
    return Candidate(
        ref=str(row.get("CreditCode") or row.get("Name")),
        name=str(row.get("Name") or ""),
        country="CN",
        registry=str(row.get("CreditCode") or ""),
        address=str(row.get("Address") or ""),
        status=str(row.get("Status") or ""),
    )
