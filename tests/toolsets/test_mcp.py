"""An MCP server as a tool source: the example kitchen server, started for real over stdio."""

import os
import signal
import sys
from pathlib import Path

import hydra.utils
import pytest
from mcp import types

from distill.records import ToolCall
from distill.toolsets.mcp import MCPTools, result_value
from distill.verify.sandbox import ERROR, OK, TIMEOUT, Program, SandboxLimits

SERVER = str(Path(__file__).resolve().parents[2] / "examples" / "mcp" / "server.py")
TIMEOUT_S = 1.0
SLOW = {"DISTILL_MCP_TEST_SLOW": "1"}


def program(*calls):
    return Program(tuple(ToolCall(name, args) for name, args in calls))


def servers():
    """Pids of live example-server processes that this test process started."""
    found = set()
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[1]) == os.getpid() and stat[0] != "Z" and SERVER.encode() in cmdline:
            found.add(int(entry))
    return found


@pytest.fixture(scope="module")
def executor():
    with MCPTools(["python", SERVER], env=SLOW).executor(1, SandboxLimits(timeout_s=TIMEOUT_S)) as ex:
        yield ex


def test_tools_lists_the_servers_tools_sorted_with_their_input_schemas():
    tools = MCPTools(["python", SERVER]).tools()
    assert [t.name for t in tools] == ["convert_units", "cooking_time", "describe_recipe", "pantry_stock",
                                       "recipes_by_cuisine", "scale_recipe", "shopping_list"]  # no test-only tool
    by_name = {t.name: t for t in tools}
    convert = by_name["convert_units"]
    assert convert.domain == "mcp" and convert.description.startswith("Convert a cooking quantity")
    assert convert.parameters["required"] == ["quantity", "from_unit", "to_unit"]
    assert "lb" in convert.parameters["properties"]["from_unit"]["enum"]
    cooking = by_name["cooking_time"].parameters
    assert cooking["required"] == ["weight_g"] and cooking["properties"]["method"]["default"] == "roast"


def test_the_command_comes_from_hydra_config_and_python_means_this_interpreter():
    toolset = hydra.utils.instantiate({"_target_": "distill.toolsets.mcp.MCPTools", "command": ["python", SERVER],
                                       "env": {"TOKEN": "s3cret"}})
    assert toolset.command == [sys.executable, SERVER] and type(toolset.command) is list
    assert toolset.env == {"TOKEN": "s3cret"} and "s3cret" not in repr(toolset)


def test_a_call_returning_an_object_gives_the_object(executor):
    [outcome] = executor.run([program(("scale_recipe", {"recipe": "pancakes", "servings": 8}))])
    assert outcome.status == OK
    assert outcome.results == ({"flour": 400.0, "milk": 600.0, "eggs": 4.0, "sugar": 50.0, "butter": 60.0},)


def test_a_call_returning_a_number_or_list_gives_it_without_the_result_wrapper(executor):
    [outcome] = executor.run([program(("convert_units", {"quantity": 2, "from_unit": "lb", "to_unit": "g"}),
                                      ("recipes_by_cuisine", {"cuisine": "italian"}))])
    assert outcome.status == OK and outcome.results == (907.185, ["carbonara", "risotto"])


def test_ref_arguments_take_earlier_results_of_the_same_program(executor):
    [outcome] = executor.run([program(("scale_recipe", {"recipe": "pancakes", "servings": 8}),
                                      ("shopping_list", {"needed": {"$ref": 0}}),
                                      ("convert_units", {"quantity": 2, "from_unit": "lb", "to_unit": "g"}),
                                      ("cooking_time", {"weight_g": {"$ref": 2}, "method": "roast"}))])
    assert outcome.status == OK and outcome.results[1:] == ({"butter": 10.0}, 907.185, 66)


def test_a_tool_error_fails_only_its_own_program(executor):
    outcomes = executor.run([program(("pantry_stock", {"item": "flour"})),
                             program(("pantry_stock", {"item": "eggs"}), ("scale_recipe", {"recipe": "haggis", "servings": 2})),
                             program(("describe_recipe", {"recipe": "dal"}))])
    assert [o.status for o in outcomes] == [OK, ERROR, OK]
    assert outcomes[0].results == (500.0,) and outcomes[2].results[0].startswith("dal (indian, serves 4)")
    assert outcomes[1].results == (6.0,) and outcomes[1].failed_call == 1 and "unknown recipe 'haggis'" in outcomes[1].error


def test_an_unknown_tool_or_a_bad_ref_is_an_error_outcome(executor):
    unknown, bad_ref = executor.run([program(("make_coffee", {})), program(("cooking_time", {"weight_g": {"$ref": 3}}))])
    assert unknown.status == ERROR and "make_coffee" in unknown.error
    assert bad_ref.status == ERROR and "$ref 3" in bad_ref.error


def test_a_call_past_the_timeout_is_a_timeout_and_the_next_program_runs(executor):
    slow, after = executor.run([program(("slow_simmer", {"seconds": 60})), program(("pantry_stock", {"item": "milk"}))])
    assert slow.status == TIMEOUT and slow.failed_call == 0
    assert after.status == OK and after.results == (1000.0,)


def test_text_results_are_parsed_as_json_when_they_are_json():
    def text(*texts, structured=None):
        return types.CallToolResult(content=[types.TextContent(type="text", text=t) for t in texts],
                                    structured_content=structured)

    assert result_value(text("[1, 2]"), wrapped=False) == [1, 2]
    assert result_value(text("plain words"), wrapped=False) == "plain words"
    assert result_value(text("1", "x"), wrapped=False) == [1, "x"]
    assert result_value(text("3", structured={"result": 3}), wrapped=True) == 3
    assert result_value(text("{}", structured={"result": 3}), wrapped=False) == {"result": 3}


def test_a_killed_server_fails_only_the_next_program_and_is_restarted():
    before = servers()
    with MCPTools(["python", SERVER]).executor(1, SandboxLimits(timeout_s=TIMEOUT_S)) as ex:
        [pid] = servers() - before
        os.kill(pid, signal.SIGKILL)
        died, after = ex.run([program(("pantry_stock", {"item": "flour"})), program(("pantry_stock", {"item": "flour"}))])
        assert died.status == ERROR and died.error == "server died"
        assert after.status == OK and after.results == (500.0,) and ex.restarts == 1


def test_close_leaves_no_server_process_alive():
    before = servers()
    ex = MCPTools(["python", SERVER]).executor(1, SandboxLimits(timeout_s=TIMEOUT_S))
    mine = servers() - before
    assert len(mine) == 1
    ex.close()
    assert not mine & servers()


def test_a_command_that_exits_raises_naming_tools_command_with_its_stderr():
    failing = MCPTools(["python", "-c", "import sys; sys.stderr.write('kitchen' + ' closed'); sys.exit(3)"], startup_s=20)
    with pytest.raises(ValueError, match=r"(?s)tools\.command=.*did not start.*stderr ends with:\nkitchen closed"):
        failing.tools()
    with pytest.raises(ValueError, match=r"tools\.command=\[no-such-mcp-server\].*FileNotFoundError"):
        MCPTools(["no-such-mcp-server"]).executor(1, SandboxLimits())
    with pytest.raises(ValueError, match=r"tools\.command"):
        MCPTools([])


def test_a_server_with_no_tools_raises_saying_so():
    empty = MCPTools(["python", "-c", "from mcp.server.mcpserver import MCPServer; MCPServer('empty').run('stdio')"])
    with pytest.raises(ValueError, match=r"tools\.command=.*lists no tools"):
        empty.tools()
