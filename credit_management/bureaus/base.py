"""What every bureau connector shares: the identifiers it matches on, the normalised report, the errors
that tell the caller whether to retry, and the HTTP call that maps a provider's failures onto them.

Plain Python with requests, no Odoo import: a connector is tested against a local HTTP server.
"""

import json
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

import requests

RATINGS = ("A", "B", "C", "D", "E")


# ----------------------------------------------------------------------
# Errors: what the caller does next depends only on the class
# ----------------------------------------------------------------------
class BureauError(Exception):
    """A call that failed; ``retry`` says whether the same call may succeed later."""

    retry = True
    about_bureau = True  # the bureau's trouble (counts towards its failures), not the customer's

    def __init__(self, message, retry_after=None):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class AuthError(BureauError):
    """Wrong or expired credentials, or an account the provider refuses: retrying will not help."""

    retry = False


class NotFound(BureauError):
    """The provider has no such company."""

    retry = False
    about_bureau = False


class RateLimited(BureauError):
    """Too many calls (HTTP 429 or the provider's own code); ``retry_after`` in seconds when told."""


class QuotaExceeded(BureauError):
    """The account's quota with the provider is used up: retry once it is renewed."""


class Unavailable(BureauError):
    """The provider cannot be reached, timed out or failed on its side (5xx)."""


class Malformed(BureauError):
    """The provider answered something that is not the documented shape."""


# ----------------------------------------------------------------------
# Normalised data
# ----------------------------------------------------------------------
@dataclass(frozen=True)
class Identifier:
    """What a customer is looked up by: its country (ISO code), VAT number, registration number (for a
    Chinese company, its unified social credit code) and name."""

    country: str = ""
    vat: str = ""
    registry: str = ""
    name: str = ""


@dataclass(frozen=True)
class Candidate:
    ref: str  # the provider's id of the company (Creditsafe's connectId, Qichacha's credit code)
    name: str
    country: str = ""
    registry: str = ""
    vat: str = ""
    address: str = ""
    status: str = ""


@dataclass(frozen=True)
class Signal:
    kind: str  # one of SIGNAL_KINDS
    date: str | None  # ISO date, when the provider gives one
    amount: float | None
    text: str
    ref: str = ""  # the provider's id of the record, when it gives one


SIGNAL_KINDS = (
    "dishonest_debtor",  # 失信被执行人
    "judgment_debtor",  # 被执行人
    "abnormal_operation",  # 经营异常
    "administrative_penalty",  # 行政处罚
    "tax_violation",  # 税收违法
    "court_judgment",  # a county court judgment (CCJ) and the like
    "tax_lien",  # a tax lien filing (US)
    "lawsuit",  # a suit filed against the company (US)
    "insolvency",  # a bankruptcy or insolvency filing
    "sanctions",  # a possible sanctions-list match
    "inactive",  # the company is no longer active
)


@dataclass(frozen=True)
class Report:
    ref: str
    name: str
    score: float | None  # 0-100, higher is better
    rating: str | None  # A (best) to E
    limit: float | None  # recommended credit limit
    currency: str | None
    signals: tuple[Signal, ...] = ()
    raw: dict = field(default_factory=dict)


# ----------------------------------------------------------------------
# Connectors
# ----------------------------------------------------------------------
REGISTRY = {}


def register(cls):
    """Class decorator: make a connector available by its ``kind``."""
    REGISTRY[cls.kind] = cls
    return cls


class Connector:
    """One provider's API. Subclasses set ``kind``, ``label``, ``urls`` and ``credential_fields`` and
    implement ``authenticate``, ``search`` and ``report`` (``normalise`` turns a raw report into a
    ``Report``)."""

    kind = ""
    label = ""
    urls = {}  # {"production": url, "sandbox": url}
    credential_fields = ()  # which of username, password, key, secret the provider needs

    def __init__(self, base_url, credentials, timeout=20.0, token=None, token_expiry=0.0):
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials
        self.timeout = timeout
        self.session = requests.Session()
        # a token handed over from an earlier call, reused until it expires
        self.token, self.token_expiry = token, token_expiry or 0.0

    def authenticate(self):
        """Check the credentials (and get a token where the provider uses one); raises AuthError."""
        raise NotImplementedError

    def search(self, identifier: Identifier) -> list[Candidate]:
        raise NotImplementedError

    def report(self, ref: str) -> Report:
        raise NotImplementedError

    # ------------------------------------------------------------------
    def _request(self, method, path, **kwargs):
        """The decoded JSON body of a call, or the BureauError that says what went wrong."""
        url = f"{self.base_url}{path}"
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.Timeout:
            raise Unavailable(f"{self.label}: no answer within {self.timeout:g} s") from None
        except requests.RequestException as error:
            raise Unavailable(
                f"{self.label}: cannot reach {self.base_url} ({type(error).__name__})"
            ) from None
        if response.status_code == 429:
            raise RateLimited(
                f"{self.label}: too many requests (HTTP 429)",
                _retry_after(response.headers.get("Retry-After")),
            )
        if response.status_code >= 500:
            raise Unavailable(f"{self.label}: server error (HTTP {response.status_code})")
        try:
            body = response.json()
        except (ValueError, json.JSONDecodeError):
            raise Malformed(
                f"{self.label}: the answer to {path} is not JSON (HTTP {response.status_code})"
            ) from None
        return response.status_code, body

    def ready(self):
        """Whether calls can be made without authenticating first (a token still valid)."""
        return bool(self.token) and self.token_expiry > time.time() + 60


def _retry_after(value):
    """Seconds from a Retry-After header (seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        try:
            return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
        except (TypeError, ValueError):
            return None


def number(value):
    """A float from a provider's number or numeric text ("25000", "1 250,5"); None for text such as
    "Not Rated" or "Credit Limit not applicable"."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        result = float(text)
    except ValueError:
        return None
    return result if result == result and abs(result) != float("inf") else None


def iso_date(value):
    """The date part of a provider's date or datetime text ("2017-06-16", "2024-03-01T00:00:00Z",
    "2017-06-16 12:00:00"); None when there is none."""
    text = str(value or "").strip()
    if len(text) >= 10 and text[4] == "-" and text[7] == "-" and text[:4].isdigit():
        return text[:10]
    return None
