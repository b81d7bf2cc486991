"""tools=openapi: an OpenAPI spec becomes tools, and their calls run against the loopback example service."""

import importlib.util
import json
import socket
import textwrap
from pathlib import Path

import httpx
import hydra
import jsonschema
import pytest
from omegaconf import OmegaConf
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

from distill.records import ToolCall
from distill.toolsets.openapi import HttpExecutor, OpenAPITools
from distill.verify.sandbox import Program, SandboxLimits

EXAMPLE = Path(__file__).parents[2] / "examples" / "openapi"
SPEC = str(EXAMPLE / "library.yaml")
LIMITS = SandboxLimits(timeout_s=5.0)


def _load_server():
    spec = importlib.util.spec_from_file_location("library_server", EXAMPLE / "server.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


server = _load_server()


@pytest.fixture(scope="module")
def base_url():
    with server.running() as url:
        yield url


@pytest.fixture(scope="module")
def executor(base_url):
    with OpenAPITools(SPEC, base_url=base_url).executor(workers=2, limits=LIMITS) as ex:
        yield ex


def _tools(spec=SPEC, **kw):
    return {t.name: t for t in OpenAPITools(spec, **kw).tools()}


def _program(*calls):
    return Program(tuple(ToolCall(name, args) for name, args in calls))


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value).union(*map(_keys, value.values()))
    return set().union(*map(_keys, value)) if isinstance(value, list) else set()


def _write_spec(tmp_path, paths: str, components: str = "") -> str:
    text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n" + textwrap.indent(textwrap.dedent(paths), "  ")
    if components:
        text += "components:\n" + textwrap.indent(textwrap.dedent(components), "  ")
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    return str(path)


# -- tools ---------------------------------------------------------------------------------------


def test_every_example_operation_is_a_tool_named_by_operation_id_sorted():
    tools = OpenAPITools(SPEC).tools()
    assert [t.name for t in tools] == ["checkAvailability", "getBook", "getOpeningHours", "listBranches",
                                       "placeHold", "renewLoan", "searchBooks", "setReadingList"]
    assert {t.domain for t in tools} == {"openapi"}
    assert _tools(name="library")["getBook"].domain == "library"
    assert _tools()["placeHold"].description.startswith("Place a hold on a book for a patron, to collect at a branch. The hold is ready")


def test_path_query_header_and_body_arguments_keep_their_required_flags():
    tools = _tools()
    availability = tools["checkAvailability"].parameters  # book_id comes from the path item's shared parameters
    assert set(availability["properties"]) == {"book_id", "branch_id"} and availability["required"] == ["book_id", "branch_id"]
    assert "catalogue id" in availability["properties"]["book_id"]["description"]
    hold = tools["placeHold"].parameters
    assert set(hold["properties"]) == {"book_id", "patron_id", "pickup_branch_id", "notify_by", "note"}
    assert hold["required"] == ["book_id", "patron_id", "pickup_branch_id"]
    renew = tools["renewLoan"].parameters
    assert renew["required"] == ["loan_id", "X-Patron-Id"] and "days" in renew["properties"]
    assert "required" not in tools["listBranches"].parameters


def test_openapi_30_dialect_becomes_json_schema_keeping_enum_and_default():
    tools = _tools()
    hold = tools["placeHold"].parameters["properties"]
    assert hold["note"] == {"type": ["string", "null"], "maxLength": 200, "description": "A note for the library staff."}
    assert hold["notify_by"]["enum"] == ["email", "sms"] and hold["notify_by"]["default"] == "email"
    search = tools["searchBooks"].parameters["properties"]
    assert search["format"]["enum"] == ["print", "ebook", "audiobook"]  # through a $ref
    assert search["limit"] == {"type": "integer", "minimum": 1, "maximum": 50, "default": 10, "description": "Most results to return."}
    assert tools["getOpeningHours"].parameters["properties"]["date"]["examples"] == ["2026-03-14"]
    for tool in tools.values():
        jsonschema.Draft202012Validator.check_schema(tool.parameters)
        assert not {"nullable", "example", "xml", "$ref"} & _keys(tool.parameters)


def test_read_only_nullable_enum_boolean_bounds_and_yaml_dates_are_rewritten(tmp_path):
    spec = _write_spec(tmp_path, """\
        /things:
          post:
            operationId: makeThing
            requestBody:
              required: true
              content:
                application/json:
                  schema:
                    type: object
                    required: [id, size]
                    properties:
                      id: {type: string, readOnly: true}
                      size: {type: number, minimum: 0, exclusiveMinimum: true, x-unit: cm}
                      colour: {type: string, enum: [red, blue], nullable: true, externalDocs: {url: 'http://x.example'}}
                      made: {type: string, format: date, default: 2026-01-31}
            responses: {201: {description: made}}
        """)
    params = _tools(spec)["makeThing"].parameters
    assert params["required"] == ["size"] and "id" not in params["properties"]
    assert params["properties"]["size"] == {"type": "number", "exclusiveMinimum": 0}
    assert params["properties"]["colour"] == {"type": ["string", "null"], "enum": ["red", "blue", None]}
    assert params["properties"]["made"]["default"] == "2026-01-31"  # an unquoted YAML date stays JSON


def test_a_non_object_body_is_the_one_argument_named_body():
    params = _tools()["setReadingList"].parameters
    assert params["properties"]["body"]["type"] == "array" and params["required"] == ["patron_id", "body"]


def test_an_operation_without_operation_id_is_named_method_and_path(tmp_path):
    spec = _write_spec(tmp_path, """\
        /books/{book_id}/copies:
          get:
            parameters: [{name: book_id, in: path, required: true, schema: {type: string}}]
            responses: {'200': {description: ok}}
        """)
    assert list(_tools(spec)) == ["get_books_book_id_copies"]


def test_a_missing_spec_file_names_tools_spec(tmp_path):
    with pytest.raises(ValueError, match=r"tools\.spec.*nowhere\.yaml"):
        OpenAPITools(str(tmp_path / "nowhere.yaml")).tools()


def test_a_broken_ref_raises_naming_the_reference(tmp_path):
    spec = _write_spec(tmp_path, """\
        /books:
          get:
            operationId: listBooks
            parameters: [{name: q, in: query, schema: {$ref: '#/components/schemas/Query'}}]
            responses: {'200': {description: ok}}
        """, "schemas:\n  Other: {type: string}\n")
    with pytest.raises(ValueError, match=r"broken \$ref.*Query"):
        OpenAPITools(spec).tools()


def test_a_spec_missing_a_required_openapi_field_raises_the_validators_message(tmp_path):
    spec = _write_spec(tmp_path, """\
        /books:
          get:
            operationId: listBooks
        """)  # an operation must have responses
    with pytest.raises(ValueError, match=r"invalid OpenAPI at .*paths.*'responses' is a required property"):
        OpenAPITools(spec).tools()


def test_a_parameter_clashing_with_a_body_property_names_the_operation(tmp_path):
    spec = _write_spec(tmp_path, """\
        /books/{title}:
          put:
            operationId: renameBook
            parameters: [{name: title, in: path, required: true, schema: {type: string}}]
            requestBody:
              content: {application/json: {schema: {type: object, properties: {title: {type: string}}}}}
            responses: {'200': {description: ok}}
        """)
    with pytest.raises(ValueError, match=r"renameBook.*'title' clashes"):
        OpenAPITools(spec).tools()


def test_the_operations_filter_keeps_only_the_named_operations():
    assert list(_tools(operations=["searchBooks", "getBook"])) == ["getBook", "searchBooks"]


def test_an_operations_entry_not_in_the_spec_raises_naming_it():
    with pytest.raises(ValueError, match=r"tools\.operations.*'deleteBook'"):
        OpenAPITools(SPEC, operations=["getBook", "deleteBook"]).tools()


def test_a_hydra_config_builds_the_toolset_with_plain_values():
    cfg = OmegaConf.create({"_target_": "distill.toolsets.openapi.OpenAPITools", "spec": SPEC,
                            "operations": ["getBook"], "headers": {"X-Key": "${oc.env:OPENAPI_TEST_KEY,k-123}"}})
    tools = hydra.utils.instantiate(cfg)
    assert isinstance(tools, OpenAPITools) and tools.operations == ["getBook"] and type(tools.operations) is list
    assert tools.headers == {"X-Key": "k-123"} and type(tools.headers) is dict
    assert [t.name for t in tools.tools()] == ["getBook"]


def test_headers_stay_out_of_the_repr():
    assert "s3cret-token-value" not in repr(OpenAPITools(SPEC, headers={"Authorization": "Bearer s3cret-token-value"}))


# -- execution -----------------------------------------------------------------------------------


def test_without_base_url_the_executor_does_not_execute():
    tools = OpenAPITools(SPEC)
    assert not tools.executable and not tools.executor(1, LIMITS).executes
    assert OpenAPITools(SPEC, base_url="http://127.0.0.1:1").executable


def test_a_get_with_path_and_query_parameters_returns_the_servers_json(executor):
    [availability, search] = executor.run([
        _program(("checkAvailability", {"book_id": "bk-1001", "branch_id": "riverside"})),
        _program(("searchBooks", {"q": "Lindqvist", "format": "ebook", "available_only": False, "limit": 5})),
    ])
    assert availability.status == "ok"
    assert availability.results == ({"book_id": "bk-1001", "branch_id": "riverside", "copies_total": 1,
                                     "copies_available": 0, "next_due_date": "2026-03-09"},)
    assert search.status == "ok" and [b["id"] for b in search.results[0]["results"]] == ["bk-1004"]


def test_a_post_sends_the_body_properties_as_json(executor):
    [outcome] = executor.run([_program(("placeHold", {"book_id": "bk-1003", "patron_id": "P-1002",
                                                      "pickup_branch_id": "hillcrest", "notify_by": "sms"}))])
    assert outcome.status == "ok"
    assert outcome.results[0] == {"hold_id": "H-1003-1002-hillcrest", "book_id": "bk-1003", "patron_id": "P-1002",
                                  "pickup_branch_id": "hillcrest", "notify_by": "sms", "status": "ready",
                                  "queue_position": 0, "note": None}


def test_a_header_parameter_is_sent_as_a_request_header(executor):
    [mine, theirs] = executor.run([
        _program(("renewLoan", {"loan_id": "L-5001", "X-Patron-Id": "P-1001", "days": 7})),
        _program(("renewLoan", {"loan_id": "L-5001", "X-Patron-Id": "P-1003"})),
    ])
    assert mine.status == "ok" and mine.results[0]["due_date"] == "2026-03-19"
    assert theirs.status == "error" and theirs.error.startswith("HTTP 403: ")


def test_configured_headers_go_with_every_request_over_header_arguments(base_url):
    tools = OpenAPITools(SPEC, base_url=base_url, headers={"X-Patron-Id": "P-1002"})
    with tools.executor(1, LIMITS) as ex:
        outcomes = ex.run([_program(("renewLoan", {"loan_id": "L-5003"})),
                           _program(("renewLoan", {"loan_id": "L-5003", "X-Patron-Id": "P-1001"}))])
    assert [o.status for o in outcomes] == ["ok", "ok"] and outcomes[0].results[0]["due_date"] == "2026-03-23"


def test_a_404_is_an_error_outcome_while_the_other_programs_succeed(executor):
    outcomes = executor.run([
        _program(("getBook", {"book_id": "bk-1001"})),
        _program(("getBook", {"book_id": "bk-1006"}), ("getBook", {"book_id": "bk-9999"})),
        _program(("listBranches", {"open_on_sunday": True})),
    ])
    assert [o.status for o in outcomes] == ["ok", "error", "ok"]
    failed = outcomes[1]
    assert failed.failed_call == 1 and failed.error.startswith("HTTP 404: ") and "no such book" in failed.error
    assert failed.results[0]["title"] == "Bread Without Hurry"
    assert outcomes[2].results == ([server.BRANCHES["central"]],)


def test_a_ref_chain_passes_call_0s_result_to_call_1(executor):
    [outcome] = executor.run([_program(
        ("setReadingList", {"patron_id": "P-1002", "body": ["bk-1005", "bk-1003", "bk-1005"]}),
        ("setReadingList", {"patron_id": "P-1003", "body": {"$ref": 0}}),
    )])
    assert outcome.status == "ok" and outcome.results == (["bk-1005", "bk-1003"], ["bk-1005", "bk-1003"])


def test_a_bad_ref_or_unknown_tool_or_argument_is_an_error_outcome_of_that_call(executor):
    outcomes = executor.run([
        _program(("getBook", {"book_id": "bk-1001"}), ("getBook", {"book_id": {"$ref": 3}})),
        _program(("deleteBook", {"book_id": "bk-1001"})),
        _program(("getBook", {"book_id": "bk-1001", "colour": "red"})),
        _program(),
    ])
    assert [(o.status, o.failed_call) for o in outcomes] == [("error", 1), ("error", 0), ("error", 0), ("ok", None)]
    assert "$ref 3" in outcomes[0].error and "no such tool" in outcomes[1].error
    assert "unknown argument(s) ['colour']" in outcomes[2].error


def test_a_path_value_cannot_leave_its_segment(executor):
    [outcome] = executor.run([_program(("getBook", {"book_id": "../branches"}))])
    assert outcome.status == "error" and outcome.error.startswith("HTTP 404")


def test_a_server_slower_than_the_timeout_gives_a_timeout_outcome():
    with server.running(latency_s=1.0) as slow, OpenAPITools(SPEC, base_url=slow).executor(2, SandboxLimits(timeout_s=0.2)) as ex:
        outcomes = ex.run([_program(("getBook", {"book_id": "bk-1001"})), _program()])
    assert outcomes[0].status == "timeout" and outcomes[0].failed_call == 0
    assert outcomes[1].status == "ok"


def test_a_refused_connection_is_an_error_outcome():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: connections are refused
        with OpenAPITools(SPEC, base_url=f"http://127.0.0.1:{port}").executor(1, LIMITS) as ex:
            [outcome] = ex.run([_program(("listBranches", {}))])
    assert outcome.status == "error" and "ConnectError" in outcome.error


def test_the_executor_is_an_http_executor_that_executes(base_url):
    with OpenAPITools(SPEC, base_url=base_url).executor(1, LIMITS) as ex:
        assert isinstance(ex, HttpExecutor) and ex.executes


# -- the example server --------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "pattern", "path", "query", "headers", "body"), [
    ("get", "/books", "/books", {"q": "river", "sort": "year_newest"}, {}, None),
    ("get", "/books/{book_id}", "/books/bk-1003", {}, {}, None),
    ("get", "/books/{book_id}", "/books/bk-0000", {}, {}, None),
    ("get", "/books/{book_id}/availability", "/books/bk-1002/availability", {"branch_id": "central"}, {}, None),
    ("post", "/holds", "/holds", {}, {}, {"book_id": "bk-1006", "patron_id": "P-1003", "pickup_branch_id": "central"}),
    ("post", "/holds", "/holds", {}, {}, {"book_id": "bk-1006"}),
    ("get", "/branches", "/branches", {}, {}, None),
    ("get", "/branches/{branch_id}/hours", "/branches/hillcrest/hours", {"date": "2026-03-16"}, {}, None),
    ("get", "/branches/{branch_id}/hours", "/branches/central/hours", {"date": "2025-12-25"}, {}, None),
    ("post", "/loans/{loan_id}/renew", "/loans/L-5002/renew", {}, {"X-Patron-Id": "P-1001"}, None),
    ("put", "/patrons/{patron_id}/reading-list", "/patrons/P-1001/reading-list", {}, {}, ["bk-1007"]),
])
def test_the_example_server_answers_as_its_spec_says(base_url, method, pattern, path, query, headers, body):
    content = None if body is None else json.dumps(body).encode()
    response = httpx.request(method, base_url + path, params=query, headers=headers, content=content)
    request = MockRequest("http://127.0.0.1:8765", method, path, path_pattern=pattern, args=query, headers=headers,
                          data=content)
    OpenAPI.from_file_path(SPEC).validate_response(request, MockResponse(response.content, response.status_code))
