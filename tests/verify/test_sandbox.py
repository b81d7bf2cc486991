"""The sandbox survives misbehaving tools: timeouts, huge allocations, dying workers, network use."""

import time

import pytest

from distill.records import ToolCall
from distill.verify.sandbox import ERROR, OK, TIMEOUT, Program, Sandbox, SandboxLimits

TIMEOUT_S = 1.0


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(workers=2, limits=SandboxLimits(timeout_s=TIMEOUT_S), modules=["tests.assets.bad_tools"]) as box:
        for _ in range(2):  # both workers started (start-up time is not call time)
            box.run_one(Program((ToolCall("echo", {"value": 0}),)))
        yield box


def _run(box, name, **args):
    return box.run_one(Program((ToolCall(name, args),)))


def test_registered_tools_run_and_return_data(sandbox):
    outcome = _run(sandbox, "add_numbers", numbers=[1.5, 2.5])
    assert outcome.status == OK and outcome.results == (4.0,)


def test_an_infinite_loop_times_out_within_timeout_plus_one_second(sandbox):
    start = time.monotonic()
    outcome = _run(sandbox, "loop_forever")
    assert outcome.status == TIMEOUT
    assert time.monotonic() - start < TIMEOUT_S + 1.0
    assert _run(sandbox, "echo", value=7).results == (7,)


def test_a_10_gb_allocation_is_an_error_and_the_pool_keeps_serving(sandbox):
    outcome = _run(sandbox, "allocate_gb", gb=10)
    assert outcome.status == ERROR and "MemoryError" in outcome.error
    assert _run(sandbox, "echo", value=8).results == (8,)


def test_a_dying_worker_is_replaced_and_only_its_program_fails(sandbox):
    programs = [Program((ToolCall("echo", {"value": i}),)) for i in range(5)]
    programs.insert(2, Program((ToolCall("kill_worker", {}),)))
    outcomes = sandbox.run(programs)
    assert [o.status for o in outcomes] == [OK, OK, ERROR, OK, OK, OK]
    assert [o.results for o in outcomes if o.status == OK] == [(0,), (1,), (2,), (3,), (4,)]


def test_tools_have_no_network(sandbox):
    outcome = _run(sandbox, "open_socket")
    assert outcome.status == ERROR and "network" in outcome.error


def test_exceptions_and_unknown_tools_come_back_as_data(sandbox):
    outcome = _run(sandbox, "get_city_country", city="Atlantis")
    assert outcome.status == ERROR and "ValueError" in outcome.error
    assert "unknown tool" in _run(sandbox, "no_such_tool").error


def test_refs_pass_results_between_calls_and_state_resets_between_programs(sandbox):
    nested = Program((ToolCall("add_numbers", {"numbers": [1.0, 2.0]}), ToolCall("round_number", {"value": {"$ref": 0}})))
    assert sandbox.run_one(nested).results == (3.0, 3.0)
    create = Program((ToolCall("create_order", {"customer_id": "C001", "items": {"P001": 1}}),))
    first, second = sandbox.run([create, create])
    assert first.status == OK and first.results == second.results


def test_a_large_batch_comes_back_complete_and_in_order(sandbox):
    programs = [Program((ToolCall("echo", {"value": i}),)) for i in range(2000)]
    outcomes = sandbox.run(programs)
    assert [o.results[0] for o in outcomes] == list(range(2000))


def test_an_unserializable_result_fails_only_its_own_program(sandbox):
    big = int("7" * 2501)  # the product has ~5,000 digits: past what Python writes as text
    programs = [Program((ToolCall("echo", {"value": i}),)) for i in range(6)]
    programs.insert(3, Program((ToolCall("multiply_numbers", {"numbers": [big, big]}),)))
    outcomes = sandbox.run(programs)
    assert [o.status for o in outcomes] == [OK, OK, OK, ERROR, OK, OK, OK]
    assert "not a JSON value" in outcomes[3].error
    assert [o.results for o in outcomes if o.status == OK] == [(i,) for i in range(6)]


def test_a_non_finite_result_is_an_error_not_a_value(sandbox):
    overflow = _run(sandbox, "multiply_numbers", numbers=[1e308, 10.0])  # inf
    assert overflow.status == ERROR and "not a JSON value" in overflow.error
