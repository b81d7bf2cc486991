"""Tools from an OpenAPI 3 spec (``tools=openapi``): a user's HTTP service becomes a toolset.

Services a user wants a small model to call usually describe themselves in OpenAPI already, so the
spec is the tool definition: one tool per operation (named by ``operationId``; one without is named
``<method>_<path>``, other characters as ``_``: ``GET /books/{id}`` is ``get_books_id``), its path,
query and header parameters and a JSON object body's properties flattened into one argument object,
the shape function-calling models know (any other body is the one argument ``body``), and OpenAPI
3.0's schema dialect rewritten as JSON Schema, so judge and teachers see schemas like the built-in
tools'. ``$ref``s are inlined by prance's resolver (where a schema contains itself, the inner copy is
cut to ``{}``), then openapi-spec-validator checks the spec; prance's parser class is not used as it
caches files by URL for the life of the process, while this parse is cached by content.

Nothing is reset between programs: the service is assumed stateless, or idempotent for the calls
verified. A call cannot reach another host: its URL is ``base_url`` + the spec's path with values
percent-quoted into path segments, redirects are not followed and proxy variables are ignored.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import openapi_spec_validator
import yaml
from jsonschema.exceptions import ValidationError as SchemaError
from prance.util.resolver import RefResolver
from prance.util.url import ResolutionError

from distill.records import Tool, ToolCall, json_fault
from distill.secrets import redact_text, secret_values
from distill.toolsets import Executor, NoExecution
from distill.verify.sandbox import ERROR, OK, TIMEOUT, Outcome, Program, SandboxLimits, resolve_ref

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_DROPPED = {"nullable", "readOnly", "writeOnly", "xml", "discriminator", "externalDocs", "example"}
_SUBSCHEMA = {"items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else"}
_SUBSCHEMA_LIST = {"allOf", "anyOf", "oneOf", "prefixItems", "items"}
_SUBSCHEMA_MAP = {"properties", "patternProperties", "dependentSchemas"}
_IGNORED_HEADERS = {"accept", "content-type", "authorization"}  # OpenAPI: ignore such header parameters
_JSON_MEDIA = re.compile(r"^application/([\w.-]+\+)?json$")
_TEMPLATE = re.compile(r"{([^}]+)}")
logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per verified call drowns the progress bars


@dataclass(frozen=True)
class OpenAPITools:
    """The operations of an OpenAPI 3.0/3.1 spec, executed over HTTP when `base_url` is given."""

    spec: str
    """Path of the spec, YAML or JSON."""
    base_url: str | None = None
    """Where the service runs (the prefix the spec's paths hang under); None: schema-only tools."""
    name: str = "openapi"
    """The source's name, also each tool's ``domain``."""
    operations: list[str] | None = None
    """Tool names (operationIds) to keep; None keeps every operation."""
    headers: dict[str, str] | None = field(default=None, repr=False)
    """Extra headers for every request, over header arguments (never shown; redacted from errors)."""

    templated = False

    def __post_init__(self) -> None:
        # Hydra hands over ListConfig/DictConfig: keep plain values only.
        if self.operations is not None:
            object.__setattr__(self, "operations", [str(o) for o in self.operations])
        if self.headers is not None:
            object.__setattr__(self, "headers", {str(k): str(v) for k, v in self.headers.items()})

    @property
    def executable(self) -> bool:
        return self.base_url is not None

    def tools(self) -> list[Tool]:
        """Every kept operation as a tool, sorted by name.

        Raises:
            ValueError: the spec file is missing or invalid, an operation cannot become a tool, or
                ``tools.operations`` names an operation the spec does not have.
        """
        return [tool for tool, _ in self._operations.values()]

    def executor(self, workers: int, limits: SandboxLimits) -> Executor:
        if self.base_url is None:
            return NoExecution()
        routes = {name: route for name, (_, route) in self._operations.items()}
        return HttpExecutor(self.base_url, routes, limits, workers, self.headers)

    @functools.cached_property
    def _operations(self) -> dict[str, tuple[Tool, _Route]]:
        path = Path(self.spec)
        if not path.is_file():
            raise ValueError(f"tools.spec: no OpenAPI spec at {self.spec!r}")
        found = _operations_of(str(path.resolve()), path.read_text(encoding="utf-8"), self.name)
        unknown = [o for o in self.operations or () if o not in found]
        if unknown:
            raise ValueError(f"tools.operations: {unknown} not in {self.spec} (it has {sorted(found)})")
        return found if self.operations is None else {k: v for k, v in found.items() if k in self.operations}


@dataclass(frozen=True)
class _Route:
    """How one tool's arguments become an HTTP request."""

    method: str
    path: str
    where: dict[str, str]
    """Argument -> ``path``, ``query``, ``header``, ``field`` (of an object body) or ``body`` (the body)."""
    body_required: bool = False


@functools.lru_cache(maxsize=16)
def _operations_of(path: str, text: str, domain: str) -> dict[str, tuple[Tool, _Route]]:
    """Tools and routes of a spec by name, sorted; cached by the file's content."""
    spec = _load_spec(path, text)
    found: dict[str, tuple[Tool, _Route]] = {}
    for url_path, item in (spec.get("paths") or {}).items():
        for method in (m for m in METHODS if m in item):
            try:
                tool, route = _operation(method, url_path, item.get("parameters", []), item[method], domain)
            except ValueError as exc:
                raise ValueError(f"tools.spec={path}: {exc}") from None
            if tool.name in found:
                raise ValueError(f"tools.spec={path}: two operations are named {tool.name!r}")
            found[tool.name] = (tool, route)
    if not found:
        raise ValueError(f"tools.spec={path}: the spec has no operations")
    return dict(sorted(found.items()))


def _load_spec(path: str, text: str) -> dict[str, Any]:
    """The spec parsed, every ``$ref`` inlined, and validated.

    Raises:
        ValueError: naming the file and what is wrong with it (the validator's message and where).
    """
    try:  # through JSON: status codes written as numbers become keys, YAML dates become strings
        spec = json.loads(json.dumps(json.loads(text) if path.endswith(".json") else yaml.safe_load(text), default=str))
    except (ValueError, yaml.YAMLError) as exc:
        raise ValueError(f"tools.spec={path}: not valid JSON/YAML: {exc}") from exc
    if not isinstance(spec, dict) or not str(spec.get("openapi", "")).startswith("3."):
        raise ValueError(f"tools.spec={path}: not an OpenAPI 3.0/3.1 document (no 'openapi: 3.x' field)")
    try:
        resolver = RefResolver(spec, Path(path).as_uri(), reference_cache={}, recursion_limit_handler=lambda *_: {})
        resolver.resolve_references()
        openapi_spec_validator.validate(resolver.specs)
    except ResolutionError as exc:
        raise ValueError(f"tools.spec={path}: broken $ref: {exc}") from exc
    except SchemaError as exc:
        raise ValueError(f"tools.spec={path}: invalid OpenAPI at {exc.json_path}: {exc.message}") from exc
    return resolver.specs


def _operation(method: str, path: str, shared: list[dict], op: dict, domain: str) -> tuple[Tool, _Route]:
    """One operation as a tool and its route.

    Raises:
        ValueError: two arguments share a name, or a required cookie or non-JSON body cannot be sent.
    """
    name = op.get("operationId") or re.sub(r"[^A-Za-z0-9]+", "_", f"{method}_{path}").strip("_")
    params = {(p["name"], p["in"]): p for p in [*shared, *op.get("parameters", [])]}  # the operation's win
    props: dict[str, Any] = {}
    required: list[str] = []
    where: dict[str, str] = {}
    for (pname, place), param in params.items():
        if place == "cookie" and param.get("required"):
            raise ValueError(f"operation {name!r}: the required cookie {pname!r} cannot be sent")
        if place == "cookie" or place == "header" and pname.lower() in _IGNORED_HEADERS:
            continue
        if pname in where:
            raise ValueError(f"operation {name!r}: two parameters are named {pname!r} ({where[pname]}, {place})")
        schema = param.get("schema") or next(iter((param.get("content") or {}).values()), {}).get("schema", {})
        props[pname] = _json_schema(schema) | ({"description": param["description"]} if "description" in param else {})
        where[pname] = place
        required += [pname] if param.get("required") else []
    body_props, body_required, place, body_needed = _body(name, op.get("requestBody"))
    for pname, schema in body_props.items():
        if pname in where:
            raise ValueError(f"operation {name!r}: the {where[pname]} parameter {pname!r} clashes with a "
                             f"request-body property of the same name")
        props[pname], where[pname] = schema, place
    parameters: dict[str, Any] = {"type": "object", "properties": props}
    if required or body_required:
        parameters["required"] = list(dict.fromkeys(required + body_required))
    tool = Tool(name=name, description=_description(method, path, op), parameters=parameters, domain=domain)
    return tool, _Route(method.upper(), path, where, body_needed)


def _body(name: str, request_body: dict | None) -> tuple[dict[str, Any], list[str], str, bool]:
    """A JSON request body as (properties, required names, their place: ``field`` or ``body``, whether
    a body must be sent).

    Raises:
        ValueError: the body is required and not JSON.
    """
    content = (request_body or {}).get("content") or {}
    media = next((m for t, m in content.items() if _JSON_MEDIA.match(t.split(";")[0].strip())), None)
    needed = bool((request_body or {}).get("required"))
    if media is None:
        if needed:
            raise ValueError(f"operation {name!r}: its required body is not JSON ({sorted(content)})")
        return {}, [], "field", False
    schema = _json_schema(media.get("schema") or {})
    if schema.get("type") == "object" and schema.get("properties"):
        return schema["properties"], list(schema.get("required", [])), "field", needed
    if "description" in request_body:
        schema = {"description": request_body["description"], **schema}
    return {"body": schema}, ["body"] if needed else [], "body", needed


def _description(method: str, path: str, op: dict) -> str:
    summary, details = (op.get(k, "").strip() for k in ("summary", "description"))
    if summary and details and details != summary:
        return f"{summary.rstrip('.')}. {details}"
    return summary or details or f"{method.upper()} {path}"


def _json_schema(schema: Any) -> Any:
    """An OpenAPI 3.0/3.1 Schema Object of a request as plain JSON Schema (a new object).

    ``nullable`` adds ``null`` to the type (and enum), ``example`` becomes ``examples``, a boolean
    ``exclusiveMinimum``/``exclusiveMaximum`` takes its bound's value, read-only properties (never sent
    in requests) and OpenAPI-only keywords go; ``default``, ``enum`` and the rest stay.
    """
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _DROPPED or key.startswith("x-"):
            continue
        if key in _SUBSCHEMA_MAP and isinstance(value, dict):
            value = {k: _json_schema(v) for k, v in value.items() if not _read_only(v)}
        elif key in _SUBSCHEMA_LIST and isinstance(value, list):
            value = [_json_schema(v) for v in value]
        elif key in _SUBSCHEMA:
            value = _json_schema(value)
        out[key] = value
    if "required" in out and isinstance(schema.get("properties"), dict):
        out["required"] = [r for r in out["required"] if not _read_only(schema["properties"].get(r))]
    for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
        if isinstance(out.get(exclusive), bool) and out.pop(exclusive) and bound in out:
            out[exclusive] = out.pop(bound)
    if "example" in schema and "examples" not in out:
        out["examples"] = [schema["example"]]
    return _nullable(out) if schema.get("nullable") is True else out


def _read_only(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("readOnly") is True


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if "enum" in schema and None not in schema["enum"]:
        schema["enum"] = [*schema["enum"], None]
    kind = schema.get("type")
    if isinstance(kind, str | list):
        schema["type"] = [kind, "null"] if isinstance(kind, str) else list(dict.fromkeys([*kind, "null"]))
    elif "enum" not in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    return schema


class HttpExecutor:
    """Runs programs against an HTTP service, `workers` programs at a time, each one's calls in order.
    ``limits.timeout_s`` bounds each phase of a request (connect, send, every wait for data)."""

    executes = True

    def __init__(self, base_url: str, routes: Mapping[str, _Route], limits: SandboxLimits, workers: int = 1,
                 headers: Mapping[str, str] | None = None):
        self._base = base_url.rstrip("/")
        self._routes = dict(routes)
        self._secrets = tuple(v for v in (headers or {}).values() if len(v) >= 8) + secret_values()
        self._client = httpx.Client(headers=dict(headers or {}), timeout=limits.timeout_s,
                                    follow_redirects=False, trust_env=False)
        self._pool = ThreadPoolExecutor(max(1, workers), thread_name_prefix="openapi")

    def __enter__(self) -> HttpExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self._client.close()

    def run(self, programs: Sequence[Program]) -> list[Outcome]:
        """One outcome per program, in input order; a failing call is an outcome, never an exception."""
        return list(self._pool.map(self._run_program, programs))

    def _run_program(self, program: Program) -> Outcome:
        results: list[Any] = []
        for index, call in enumerate(program.calls):
            try:
                results.append(self._call(call, results))
            except httpx.TimeoutException:
                return Outcome(TIMEOUT, tuple(results), f"{call.name}: no answer in time", index)
            except Exception as exc:  # a status, a bad argument, a refused connection: this call's failure only
                message = str(exc) if isinstance(exc, _HttpError) else f"{call.name}: {type(exc).__name__}: {exc}"
                return Outcome(ERROR, tuple(results), redact_text(message, self._secrets), index)
        return Outcome(OK, tuple(results))

    def _call(self, call: ToolCall, results: Sequence[Any]) -> Any:
        route = self._routes.get(call.name)
        if route is None:
            raise ValueError("no such tool")
        request = _request(self._base, route, {k: resolve_ref(v, results) for k, v in call.arguments.items()})
        request["headers"] = {k: v for k, v in request["headers"].items() if k not in self._client.headers}
        response = self._client.request(route.method, **request)
        if not response.is_success:
            raise _HttpError(f"HTTP {response.status_code}: {response.text[:300]}")
        if not response.content:
            return None
        try:
            result = response.json()
        except ValueError:
            return response.text
        if (fault := json_fault(result)) is not None:
            raise ValueError(f"the response is not plain JSON: {fault}")
        return result


class _HttpError(Exception):
    """A response outside 2xx."""


def _request(base: str, route: _Route, args: Mapping[str, Any]) -> dict[str, Any]:
    """`httpx.Client.request` keyword arguments (but the method) for one call.

    Raises:
        ValueError: an argument the tool does not have, or a missing path parameter.
    """
    if unknown := sorted(set(args) - set(route.where)):
        raise ValueError(f"unknown argument(s) {unknown}")
    parts: dict[str, dict[str, Any]] = {"path": {}, "query": {}, "header": {}, "field": {}, "body": {}}
    for name, value in args.items():
        if value is not None or route.where[name] in ("field", "body"):  # a null query value: left out
            parts[route.where[name]][name] = value
    if missing := [n for n in _TEMPLATE.findall(route.path) if n not in parts["path"]]:
        raise ValueError(f"missing path parameter(s) {missing}")
    path = _TEMPLATE.sub(lambda m: quote(_text(parts["path"][m[1]]), safe=""), route.path)
    query = {k: [_text(x) for x in v] if isinstance(v, list) else _text(v) for k, v in parts["query"].items()}
    request = {"url": base + path, "params": query, "headers": {k: _text(v) for k, v in parts["header"].items()}}
    sends_fields = parts["field"] or route.body_required and "field" in route.where.values()
    if payload := (parts["field"],) if sends_fields else tuple(parts["body"].values()):
        request["content"] = json.dumps(payload[0], ensure_ascii=False).encode()
        request["headers"]["Content-Type"] = "application/json"
    return request


def _text(value: Any) -> str:
    """A parameter value as OpenAPI's default ``simple`` and ``form`` styles write it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_text(v) for v in value)
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else str(value)
