"""A local HTTP server that answers like Creditsafe Connect and the Qichacha open API, with their documented
shapes (see the connectors' docstrings), for the connectors' tests and the bureau benchmark.

Any registration number or credit code is a company, its figures derived from a hash of it; a test sets
``companies`` for exact figures. Special identifiers: one starting with ``NONE`` finds nothing, one
starting with ``MANY`` finds three companies. ``fail`` queues failures for the next calls (one per call):
``("429", retry_after)``, ``("500",)``, ``("garbage",)`` (not JSON), ``("shape",)`` (JSON of another
shape), ``("slow", seconds)``, ``("expire",)`` (the current token stops working), or for Qichacha a body
status such as ``("status", "122")``; ``None`` lets a call through. ``calls`` counts the calls per path.
"""

import base64
import collections
import contextlib
import hashlib
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

USERNAME, PASSWORD = "api-user", "s3cret!"
KEY, SECRET = "qcc-key", "qcc-secret"
BANDS = (
    (71, "A", "Very Low Risk"),
    (51, "B", "Low Risk"),
    (30, "C", "Moderate Risk"),
    (1, "D", "High Risk"),
)


class BureauServer:
    def __init__(self):
        self.companies = {}  # connectId or credit code: overrides of the generated figures
        self.fail = collections.deque()
        self.calls = collections.Counter()
        self.tokens = {}  # token: expiry
        self.token_lifetime = 3600
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def next_failure(self):
        with self.lock:
            return self.fail.popleft() if self.fail else None

    def count(self, path):
        with self.lock:
            self.calls[path] += 1

    # ------------------------------------------------------------------
    # Creditsafe
    # ------------------------------------------------------------------
    def creditsafe_token(self):
        expiry = int(time.time()) + self.token_lifetime
        payload = base64.urlsafe_b64encode(json.dumps({"exp": expiry, "sub": USERNAME}).encode()).decode()
        token = f"eyJhbGciOiJSUzI1NiJ9.{payload.rstrip('=')}.{uuid.uuid4().hex}"
        with self.lock:
            self.tokens[token] = expiry
        return token

    def creditsafe_search(self, query):
        country = (query.get("countries") or [""])[0]
        number = (query.get("regNo") or query.get("vatNo") or query.get("name") or [""])[0]
        if not country:
            return 400, {
                "correlationId": str(uuid.uuid4()),
                "message": "Bad Request",
                "details": "countries is required",
            }
        if number.startswith("NONE"):
            return 200, {
                "correlationId": str(uuid.uuid4()),
                "totalSize": 0,
                "companies": [],
                "messages": [{"type": "Information", "code": "NoResults", "text": "No results"}],
            }
        numbers = [f"{number}-{i}" for i in range(3)] if number.startswith("MANY") else [number]
        companies = [
            {
                "id": f"{country}-0-{n}",
                "country": country,
                "regNo": n,
                "safeNo": f"{country}{_hashed(n) % 10**8:08d}",
                "name": f"Company {n}",
                "address": {
                    "simpleValue": f"1 High Street, {n}",
                    "postCode": "EC1A 1AA",
                },
                "status": "Active",
                "type": "Ltd",
                "officeType": "registered",
                "vatNo": [f"{country}{n}"],
            }
            for n in numbers
        ]
        return 200, {
            "correlationId": str(uuid.uuid4()),
            "totalSize": len(companies),
            "companies": companies,
        }

    def creditsafe_report(self, connect_id):
        if connect_id.split("-")[-1].startswith("NONE"):
            return 404, {
                "correlationId": str(uuid.uuid4()),
                "message": "Not Found",
                "details": "Company not found",
            }
        figures = {
            "score": _hashed(connect_id) % 100 + 1,
            "limit": (_hashed(connect_id) % 50 + 1) * 1000.0,
            "previous": None,
            "judgments": 0,
            "ofac": False,
            "status": "Active",
            "negative": {},
        }
        figures.update(self.companies.get(connect_id, {}))
        rating = _band(figures["score"])
        previous = _band(figures["previous"]) if figures["previous"] is not None else rating
        country = connect_id.split("-")[0]
        return 200, {
            "correlationId": str(uuid.uuid4()),
            "failedSections": [],
            "report": {
                "companyId": connect_id,
                "language": "EN",
                "companySummary": {
                    "businessName": f"Company {connect_id}",
                    "country": country,
                    "companyRegistrationNumber": connect_id.split("-")[-1],
                    "companyStatus": {
                        "status": figures["status"],
                        "description": figures["status"],
                    },
                    "creditRating": rating,
                },
                "creditScore": {
                    "currentCreditRating": {
                        **rating,
                        "creditLimit": {
                            "currency": "EUR",
                            "value": str(int(figures["limit"])),
                        },
                    },
                    "previousCreditRating": previous,
                    "latestRatingChangeDate": "2026-03-01T00:00:00Z",
                },
                "negativeInformation": {
                    "possibleOfac": figures["ofac"],
                    "ccjSummary": {
                        "numberOfExact": figures["judgments"],
                        "exactRegistered": 1500 * figures["judgments"],
                        "numberOfPossible": 0,
                        "numberOfSatisfied": 0,
                        "numberOfWrits": 0,
                        "currency": "EUR",
                    },
                    **figures["negative"],
                },
            },
            "companyId": connect_id,
            "dateOfOrder": "2026-12-02T10:00:00.000Z",
            "language": "en",
            "userId": "101713178",
        }

    # ------------------------------------------------------------------
    # Qichacha
    # ------------------------------------------------------------------
    def qichacha(self, path, query, headers):
        key = (query.get("key") or [""])[0]
        if key != KEY:
            return _envelope("101", "【无效请求】当前的KEY无效或者还未生效中", path)
        timespan = headers.get("Timespan") or ""
        expected = hashlib.md5(f"{KEY}{timespan}{SECRET}".encode()).hexdigest().upper()
        if (
            headers.get("Token") != expected
            or not timespan.isdigit()
            or abs(int(timespan) - time.time()) > 600
        ):
            return _envelope("107", "【无效请求】被禁止的IP或者签名错误", path)
        search = (query.get("searchKey") or [""])[0]
        if search.startswith("NONE"):
            return _envelope("201", "【有效请求】查询无结果", path)
        if path == "/FuzzySearch/GetList":
            codes = (
                [f"91310000MANY{i:06d}" for i in range(3)] if search.startswith("MANY") else [_code(search)]
            )
            return _envelope(
                "200",
                "【有效请求】查询成功",
                path,
                [_basic(c, search) for c in codes],
                paging={"PageSize": 20, "PageIndex": 1, "TotalRecords": len(codes)},
            )
        if path == "/EnterpriseInfo/Verify":
            return _envelope(
                "200",
                "【有效请求】查询成功",
                path,
                {"VerifyResult": 1, "Data": _basic(search, None)},
            )
        records = self.companies.get(search, {}).get(path, [])
        size = int((query.get("pageSize") or ["10"])[0])
        index = int((query.get("pageIndex") or ["1"])[0])
        page = records[(index - 1) * size : index * size]
        if not page:
            return _envelope("201", "【有效请求】查询无结果", path)
        return _envelope(
            "200",
            "【有效请求】查询成功",
            path,
            {"VerifyResult": 1, "Data": page},
            paging={"PageSize": size, "PageIndex": index, "TotalRecords": len(records)},
        )


def _handler(server):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # the test's output stays quiet
            pass

        def do_POST(self):
            self.handle_call("POST")

        def do_GET(self):
            self.handle_call("GET")

        def handle_call(self, method):
            url = urlparse(self.path)
            path, query = url.path, parse_qs(url.query)
            server.count(path)
            failure = server.next_failure()
            if failure:
                if failure[0] == "429":
                    return self.reply(
                        429,
                        {"message": "Too Many Requests"},
                        {"Retry-After": str(failure[1])},
                    )
                if failure[0] == "500":
                    return self.reply(500, {"message": "Internal Server Error"})
                if failure[0] == "garbage":
                    return self.reply(200, "<html>Service temporarily unavailable</html>")
                if failure[0] == "shape":  # JSON, but not the documented shape
                    return self.reply(200, {"report": {"companySummary": "n/a"}, "companies": "n/a"})
                if failure[0] == "slow":
                    time.sleep(failure[1])
                if failure[0] == "expire":
                    with server.lock:
                        server.tokens.clear()
                if failure[0] == "status":
                    return self.reply(200, _envelope(failure[1], "【无效请求】", path)[1])
            if path.startswith("/v1/"):
                return self.creditsafe(method, path[3:], query)
            status, body = server.qichacha(path, query, self.headers)
            return self.reply(status, body)

        def creditsafe(self, method, path, query):
            if path == "/authenticate" and method == "POST":
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    credentials = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    return self.reply(400, {"message": "Bad Request"})
                if credentials.get("username") != USERNAME or credentials.get("password") != PASSWORD:
                    return self.reply(
                        401,
                        {
                            "message": "Access denied - Please check that your username and "
                            "password are correct."
                        },
                    )
                return self.reply(200, {"token": server.creditsafe_token()})
            token = (self.headers.get("Authorization") or "").removeprefix("Bearer ").strip()
            with server.lock:
                valid = server.tokens.get(token, 0) > time.time()
            if not valid:
                return self.reply(401, {"error": "Unauthorized"})
            if path == "/companies":
                return self.reply(*server.creditsafe_search(query))
            if path.startswith("/companies/"):
                return self.reply(*server.creditsafe_report(path.split("/")[2]))
            return self.reply(404, {"message": "Not Found"})

        def reply(self, status, body, headers=None):
            data = body.encode() if isinstance(body, str) else json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header(
                "Content-Type",
                "text/html" if isinstance(body, str) else "application/json",
            )
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(data)

    return Handler


def _envelope(status, message, path, result=None, paging=None):
    body = {
        "Status": status,
        "Message": message,
        "OrderNumber": f"{path.strip('/').split('/')[0].upper()}{time.strftime('%Y%m%d%H%M%S')}00000001",
        "Result": result,
    }
    if paging:
        body["Paging"] = paging
    return 200, body


def _basic(code, name):
    return {
        "KeyNo": hashlib.md5(code.encode()).hexdigest(),
        "Name": name or f"企业{code[-6:]}有限公司",
        "CreditCode": code,
        "StartDate": "2014-03-12",
        "OperName": "张三",
        "Status": "存续（在营、开业、在册）",  # noqa: RUF001 -- the bureau writes it so
        "No": "310000000000000",
        "Address": "上海市示例路1号",
    }


def _code(name):
    return f"9131{_hashed(name) % 10**14:014d}"


def _hashed(text):
    return int(hashlib.sha1(text.encode()).hexdigest()[:12], 16)


def _band(score):
    common, description = next(((c, d) for low, c, d in BANDS if score >= low), ("E", "Not Rated"))
    return {
        "commonValue": common,
        "commonDescription": description,
        "creditLimit": {"currency": "EUR", "value": "10000"},
        "providerValue": {"maxValue": "100", "minValue": "1", "value": str(score)},
        "providerDescription": description,
    }
