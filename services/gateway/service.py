"""gateway: JSON over HTTP for enterprise systems (HR, payroll, CRM) that do not speak nameko RPC.

HTTP (routes.py holds every operation; openapi.py generates the document from it and from the
services' marshmallow schemas):
    GET  /openapi.json                        the OpenAPI 3 document
    GET  /docs                                a browsable page of it (Swagger UI, served from here)
    GET  /health                              the gateway is up
    /lines/{business_line}/...                records, roster, months, quarters, escalations,
                                              bulletins (see /docs)
    /principals, /tokens                      who may do what
    .../months/{month}/report.html|.xlsx,     a closed period as a page or workbook for people,
    .../people/{person}.html (and quarters)   and one person's statement (pages.py, reports/)
Each operation is one RPC to the service holding the data. The caller's ``Authorization: Bearer
<token>`` travels as the RPC's context data, so each service decides on its own data (with
ACCESS_CONTROL on; the gateway refuses a request without a token at once); ``Idempotency-Key``
becomes the RPC's idempotency key. A refusal is ``{"error": code, "errors": [{field, message}]}``
with its status: 400 bad input, 401, 403, 404, 409, 503 (a service not answering within
GATEWAY_RPC_TIMEOUT seconds, or not running: retry with the same key).
Events: none. Tables: none (the gateway holds no data).
"""

from __future__ import annotations

import logging
import re
import uuid
from pathlib import Path

import eventlet
from nameko.dependency_providers import Config
from nameko.exceptions import RemoteError, UnknownService
from nameko.extensions import DependencyProvider
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.exceptions import NotFound as NoRoute
from werkzeug.routing import Map, PathConverter, Rule
from werkzeug.wrappers import Response

from kamkit.errors import Internal, InvalidFacts, SuiteError, Unauthorized, Unavailable
from services.common.access.rules import parse_token
from services.common.messaging.entrypoints import SafeRpcProxy
from services.common.telemetry import Telemetry
from services.common.telemetry import answer as telemetry_answer

from . import desk, openapi, pages
from .responses import body_value, error_response, json_response, query_values
from .routes import BY_NAME, ROUTES

log = logging.getLogger("kam.gateway")
DEFAULT_RPC_TIMEOUT = 60.0  # seconds; a month close at a real organisation's size takes ~30
_CORRELATION = "X-Correlation-Id"
# A query longer than any the operations take is refused here, with the field named (400); the
# web server would refuse a request line over its 8 KiB default with a bare 414 before any of it.
QUERY_MAX = 8192
REQUEST_LINE_MAX = 1024 * 1024  # the web server's bare 414 only beyond this


class _Everything(PathConverter):
    """Any path, newlines and all: the gateway answers every request itself, in JSON."""

    regex = r"[\s\S]*"
    part_isolating = False  # it spans "/" (werkzeug would guess otherwise from the regex)


class _Server(WebServer):
    """nameko's web server, handing the caller's token and a correlation id to the worker as the
    context data every RPC it makes carries."""

    def make_url_map(self):
        url_map = Map(converters={"everything": _Everything})
        for provider in self._providers:
            rule = provider.get_url_rule()
            rule.endpoint = provider
            url_map.add(rule)
        return url_map

    def get_wsgi_server(self, sock, wsgi_app, **kwargs):
        server = super().get_wsgi_server(sock, wsgi_app, **kwargs)
        server.url_length_limit = REQUEST_LINE_MAX
        return server

    def context_data_from_headers(self, request):
        data = {"correlation_id": _correlation(request)}
        if request.headers.get("Authorization"):
            data["authorization"] = request.headers["Authorization"]
        return data


class _Http(HttpRequestHandler):
    server = _Server()


http = _Http.decorator


def _correlation(request) -> str:
    given = request.headers.get(_CORRELATION, "")
    return (
        given if given and len(given) <= 64 and given.isprintable() and given.isascii() else uuid.uuid4().hex
    )


_RULES = Map(
    [Rule(r.werkzeug_rule, methods=[r.method], endpoint=r.name) for r in ROUTES]
    + [
        Rule("/openapi.json", methods=["GET"], endpoint="openapi"),
        Rule("/docs", methods=["GET"], endpoint="docs"),
        Rule("/docs/<asset>", methods=["GET"], endpoint="asset"),
        Rule("/health", methods=["GET"], endpoint="health"),
        # for Prometheus and a load balancer or orchestrator (services.common.telemetry)
        Rule("/metrics", methods=["GET"], endpoint="metrics"),
        Rule("/livez", methods=["GET"], endpoint="livez"),
        Rule("/readyz", methods=["GET"], endpoint="readyz"),
        Rule("/favicon.ico", methods=["GET"], endpoint="favicon"),  # what a browser asks for first
        Rule("/", methods=["GET"], endpoint="docs"),
    ]
    + pages.rules()
    + desk.RULES,
    strict_slashes=False,
)
_METHODS = (
    "GET",
    "HEAD",
    "POST",
    "PUT",
    "PATCH",
    "DELETE",
    "OPTIONS",
    "TRACE",
)  # answered here, 405 if not allowed


class _ContextData(DependencyProvider):
    """The worker's context data: the correlation id and token its RPCs carry (set by _Server)."""

    def get_dependency(self, worker_ctx):
        # the worker's own data (context_data is a copy): the token a page signs in with is put
        # here, and every RPC made after carries it
        return worker_ctx.data


def _route_of(request) -> str:
    """The operation a request reached (its operationId), for the HTTP metrics' route label."""
    try:
        return _RULES.bind_to_environ(request.environ).match()[0]
    except Exception:  # no such path or method: one label for all of them
        return "unmatched"


class GatewayService:
    name = "gateway"
    config = Config()
    context = _ContextData()
    telemetry = Telemetry(route_of=_route_of)  # /metrics /livez /readyz and the HTTP metrics

    intake = SafeRpcProxy("intake")
    escalation = SafeRpcProxy("escalation")
    assessment = SafeRpcProxy("assessment")
    compensation = SafeRpcProxy("compensation")
    notify = SafeRpcProxy("notify")

    @http(",".join(_METHODS), "/<everything:path>")
    def api(self, request, path):
        return self._handle(request)

    def _handle(self, request) -> Response:
        headers = {_CORRELATION: self.context["correlation_id"]}
        try:
            endpoint, values = _RULES.bind_to_environ(request.environ).match()
        except NoRoute:
            return json_response(
                {
                    "error": "not_found",
                    "errors": [{"field": "path", "message": f"no operation at {request.path}; see /docs"}],
                },
                404,
                headers,
            )
        except MethodNotAllowed as exc:
            return json_response(
                {
                    "error": "method_not_allowed",
                    "errors": [
                        {
                            "field": "method",
                            "message": f"{request.method} is not allowed here; use "
                            f"{', '.join(sorted(exc.valid_methods or []))}",
                        }
                    ],
                },
                405,
                {**headers, "Allow": ", ".join(exc.valid_methods or [])},
            )
        if endpoint in ("metrics", "livez", "readyz"):
            status, answer_headers, body = telemetry_answer(self.telemetry, request.path)
            return Response(body, status=status, headers=answer_headers)
        if endpoint in ("openapi", "docs", "asset", "health", "favicon"):
            return self._public(endpoint, values, request)
        if endpoint in desk.ENDPOINTS:
            return self._desk(endpoint, request, values)
        route = BY_NAME.get(endpoint)
        if route is None and not request.headers.get("Authorization"):
            # a report page opened in a browser signed in at /sign-in: the cookie's token
            signed_in = desk.token_of(request)
            if signed_in:
                self.context["authorization"] = signed_in
        try:
            if parse_token(self.context.get("authorization")) is None:
                raise Unauthorized(
                    "send 'Authorization: Bearer <token>' (README: who may do what)", field="authorization"
                )
            if len(request.environ.get("QUERY_STRING", "")) > QUERY_MAX:
                raise InvalidFacts(f"the query is over {QUERY_MAX} bytes", field="query")
            if route is None:  # a page or workbook for people (pages.py), made from the same RPCs
                return pages.answer(pages.BY_NAME[endpoint], values, self._rpc, request.args)
            query = query_values(route.query, request.args)
            body = body_value(request, route.body)
            args, kwargs = route.call(values, query, body)
            key = request.headers.get("Idempotency-Key")
            if key is not None and _idempotency_key(key) and route.idempotent:
                kwargs["idempotency_key"] = key  # an operation idempotent by itself ignores it
            answer = self._call(route, args, kwargs)
        except SuiteError as exc:
            return error_response(exc, headers)
        status = (
            201
            if route.created == "always"
            or (route.created == "change" and isinstance(answer, dict) and answer.get("change") == "created")
            else 200
        )
        return json_response(answer, status, headers)

    def _desk(self, endpoint, request, values) -> Response:
        """A page for people who act (desk.py), with the caller's header or session cookie."""
        token = desk.token_of(request)
        if token:
            self.context["authorization"] = token
        try:
            return desk.answer(endpoint, request, values, self._rpc, token=token, verify=self._verify)
        except SuiteError as exc:
            return desk.error_page(exc)

    def _verify(self, token: str) -> bool:
        """Whether intake lets ``token`` in (a sign-in): it lists the lines its grants cover."""
        before = self.context.get("authorization")
        self.context["authorization"] = token
        try:
            self._rpc("intake", "list_lines")
            return True
        except SuiteError:
            return False
        finally:
            if before is None:
                self.context.pop("authorization", None)
            else:
                self.context["authorization"] = before

    def _call(self, route, args, kwargs):
        return self._rpc(route.service, route.rpc, *args, **kwargs)

    def _rpc(self, service: str, method: str, *args, **kwargs):
        proxy = getattr(getattr(self, service), method)
        timeout = float(self.config.get("GATEWAY_RPC_TIMEOUT", DEFAULT_RPC_TIMEOUT))
        try:
            reply = proxy.call_async(*args, **kwargs)
            with eventlet.Timeout(
                timeout,
                Unavailable(
                    f"{service} did not answer within {timeout:g} s; retry (with the same "
                    f"Idempotency-Key for a write)",
                    field="service",
                ),
            ):
                return reply.result()
        except UnknownService:
            raise Unavailable(f"{service} is not running; retry shortly", field="service") from None
        except RemoteError as exc:  # the call did not fit the method: the gateway's own fault
            log.error("gateway: %s.%s refused the call: %s", service, method, exc)
            raise Internal(correlation_id=self.context["correlation_id"]) from None

    def _public(self, endpoint, values, request) -> Response:
        if endpoint == "openapi":
            return json_response(openapi.document(), 200, {"Access-Control-Allow-Origin": "*"})
        if endpoint == "health":
            return json_response({"status": "ok"})
        if endpoint == "docs":
            return Response(_DOCS_PAGE, content_type="text/html; charset=utf-8")
        if endpoint == "favicon":
            return _asset("favicon-32x32.png")
        return _asset(values["asset"])


_KEY = re.compile(r"^[\x21-\x7e]{1,128}$")  # visible ASCII: a UUID, an order number, a hash


def _idempotency_key(key: str) -> str:
    """The key, if well formed. Many HTTP clients send one on every POST: on an operation that has
    one effect however often it is sent (a close, a reopen, a sweep) it is accepted and ignored."""
    if not _KEY.match(key):
        raise InvalidFacts(
            "1 to 128 visible ASCII characters (no spaces), e.g. a UUID", field="Idempotency-Key"
        )
    return key


_DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kam suite API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#ui", deepLinking: true});</script>
</body></html>"""
_ASSETS = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "application/javascript",
    "favicon-32x32.png": "image/png",
}


def _asset(name: str) -> Response:
    if name not in _ASSETS:
        return json_response(
            {"error": "not_found", "errors": [{"field": "path", "message": "no such file"}]}, 404
        )
    import swagger_ui_bundle  # Swagger UI's files, shipped in a wheel: the docs page needs no internet

    return Response(
        (Path(swagger_ui_bundle.swagger_ui_path) / name).read_bytes(),
        content_type=_ASSETS[name],
        headers={"Cache-Control": "max-age=86400"},
    )
