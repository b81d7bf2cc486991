"""Judge model outputs against a task's gold, per sub-task, with one reason per verdict.

Order of checks (the first failure is the reason): parse -> call or no call -> unknown function ->
call count -> function names (order, for nested) -> schema (unknown argument, missing argument, wrong
type, enum) -> execution (error, timeout) -> values or results or facts.

Every call an answer makes is executed: a call is correct when its values are the gold's, or
equivalent to them (`distill.verify.values.values_equivalent`: ``"PARIS"`` for ``"Paris"``, a list in
another order) *and* executing it gives the gold call's result; a call that raises is an exec_error.
So a value that only normalizes like the gold (``"2024_04_06"``) passes only if the tool accepts it and
means the same, and a value the tool happens to map to the same result (``is_palindrome("x")`` for
``"racecar"``) fails: equality of results never stands in for the values. Chaining and nested answers
run as one sequence, and the last result must be the gold result. BFCL tasks follow BFCL's AST rules
instead (see `distill.verify.bfcl`): no execution.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from distill.records import Reason, Sample, Task, Tool, ToolCall, Verdict, bfcl_category, is_ref
from distill.sampling.base import check_range
from distill.tasks.bfcl import NO_CALL_CATEGORIES, RELEVANCE_CATEGORIES
from distill.verify import bfcl as bfcl_rules
from distill.verify.parse import FORMATS, Parsed, ParseFailure, parse_sample
from distill.verify.sandbox import ERROR, OK, TIMEOUT, Outcome, Program, Sandbox, SandboxLimits
from distill.verify.schema import check_call
from distill.verify.values import (
    numbers_in,
    perfect_matching,
    results_equal,
    short,
    states_number,
    states_string,
    values_equal,
    values_equivalent,
    values_identical,
)

log = logging.getLogger("distill")

Finding = tuple[Reason, str]


@dataclass(frozen=True)
class VerifyConfig:
    """How outputs are read and executed (``verify:`` in the recipes' configs)."""

    format: str = "auto"
    strict: bool = False
    workers: int = 2
    timeout_s: float = 2.0
    memory_bytes: int = 1 << 30
    cpu_s: int = 3
    batch_size: int = 512

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ValueError(f"verify.format={self.format!r}: expected one of {', '.join(FORMATS)}")
        if not isinstance(self.strict, bool):
            raise ValueError(f"verify.strict={self.strict!r}: expected true or false")
        check_range("verify.workers", self.workers, low=1, integer=True)
        check_range("verify.timeout_s", self.timeout_s, low=0.0, low_open=True)
        check_range("verify.memory_bytes", self.memory_bytes, low=64 << 20, integer=True)
        check_range("verify.cpu_s", self.cpu_s, low=1, integer=True)
        check_range("verify.batch_size", self.batch_size, low=1, integer=True)

    def sandbox(self) -> Sandbox:
        return Sandbox(self.workers, SandboxLimits(self.timeout_s, self.memory_bytes, self.cpu_s))


@dataclass
class _Case:
    """One sample on its way through the judge."""

    task: Task
    sample: Sample
    calls: tuple[ToolCall, ...] = ()
    finding: Finding | None = None
    programs: tuple[Program, ...] = ()
    """What to execute before the verdict can be given (see `_plan`)."""


def label_samples(tasks: Iterable[Task] | dict[str, Task], samples: Iterable[Sample],
                  config: VerifyConfig | None = None, sandbox: Sandbox | None = None,
                  progress: bool = False) -> Iterator[Verdict]:
    """Verdicts for samples, streaming, in sample order. Samples whose request failed (``error`` set)
    are skipped: they are retried by the sampler, not judged.

    Raises:
        KeyError: when a sample names a task that is not given.
    """
    config = config or VerifyConfig()
    by_id = tasks if isinstance(tasks, dict) else {t.id: t for t in tasks}
    own = sandbox is None
    sandbox = sandbox or config.sandbox()
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(desc="verify", unit="sample")
    try:
        batch: list[_Case] = []
        for sample in samples:
            if sample.error is not None:
                continue
            batch.append(_Case(by_id[sample.task_id], sample))
            if len(batch) >= config.batch_size:
                yield from _judge_batch(batch, config, sandbox, bar)
                batch = []
        yield from _judge_batch(batch, config, sandbox, bar)
    finally:
        if own:
            sandbox.close()
        if bar is not None:
            bar.close()


def judge_samples(tasks: Iterable[Task], samples: Iterable[Sample], config: VerifyConfig,
                  sandbox: Sandbox) -> dict[str, list[tuple[Sample, Verdict]]]:
    """Each task's samples with their verdicts, in sample-index order. Failed requests are counted and
    logged, not judged (the sampler's cache retries them on the next run)."""
    samples = list(samples)
    kept = [s for s in samples if s.error is None]
    if len(kept) < len(samples):
        log.warning("%d requests failed for good; they are recorded and retried on the next run",
                    len(samples) - len(kept))
    judged: dict[str, list[tuple[Sample, Verdict]]] = {}
    by_key = {(s.task_id, s.index): s for s in kept}
    for verdict in label_samples(tasks, kept, config, sandbox, progress=True):
        judged.setdefault(verdict.task_id, []).append((by_key[(verdict.task_id, verdict.sample_index)], verdict))
    for pairs in judged.values():
        pairs.sort(key=lambda sv: sv[0].index)
    return judged


def _judge_batch(batch: list[_Case], config: VerifyConfig, sandbox: Sandbox, bar: Any) -> Iterator[Verdict]:
    for case in batch:
        _prepare(case, config, sandbox.executes)
    programs = [p for case in batch for p in case.programs]
    outcomes = iter(sandbox.run(programs)) if programs else iter(())
    for case in batch:
        if case.finding is None:
            case.finding = _conclude(case, [next(outcomes) for _ in case.programs])
        reason, detail = case.finding
        if bar is not None:
            bar.update()
        yield Verdict(case.task.id, case.sample.index, reason, detail, case.calls)


def _prepare(case: _Case, config: VerifyConfig, executes: bool = True) -> None:
    """Parse and run every check that needs no execution; plan the executions the rest needs (with
    tools that cannot execute, conclude from the values alone)."""
    parsed = parse_sample(case.sample, config.format, config.strict)
    task = case.task
    if bfcl_category(task.subtask) is not None:
        case.finding = judge_bfcl(task, parsed)
        case.calls = parsed.calls if isinstance(parsed, Parsed) else ()
        return
    if isinstance(parsed, ParseFailure):
        case.finding = (Reason.PARSE_ERROR, str(parsed))
        return
    case.calls = parsed.calls
    case.finding = _static_findings(task, parsed)
    if case.finding is None and not executes:
        case.finding = _by_values(case)
    if case.finding is None:
        case.programs = _plan(task, parsed.calls)
        if not case.programs:
            case.finding = (Reason.OK, "")


NOT_EXECUTED = "by values only: these tools are schema-only and were not executed"


def _by_values(case: _Case) -> Finding:
    """The verdict of schema-only tools: the calls must pair up with the gold's by identical values (a
    value written differently from the gold's cannot be shown to mean the same without executing it)."""
    task, calls = case.task, case.calls

    def identical(i: int, j: int) -> bool:
        return _identical(calls[i], task.gold.calls[j], task)

    if task.subtask == "name_detection" or _matches(calls, task.gold.calls, task, identical):
        return Reason.OK, NOT_EXECUTED
    reason, detail = _value_finding(calls, task, identical)
    return reason, detail.replace("executes to a different result", "was not executed") + f" ({NOT_EXECUTED})"


def _static_findings(task: Task, parsed: Parsed) -> Finding | None:
    gold = task.gold
    if not gold.calls:
        if parsed.calls:
            return Reason.UNEXPECTED_CALL, f"called {parsed.calls[0].name} where no call was due"
        return _check_facts(parsed.text, gold.facts)
    if not parsed.calls:
        return Reason.NO_CALL, "answered in words where a call was due"
    tools = {t.name: t for t in task.tools}
    for call in parsed.calls:
        if call.name not in tools:
            return Reason.UNKNOWN_FUNCTION, f"no function named {call.name!r} is available"
    if len(parsed.calls) != len(gold.calls):
        return Reason.WRONG_CALL_COUNT, f"expected {len(gold.calls)} call(s), got {len(parsed.calls)}"
    got, want = [c.name for c in parsed.calls], [c.name for c in gold.calls]
    if sorted(got) != sorted(want):
        return Reason.WRONG_FUNCTION, f"expected {', '.join(want)}; got {', '.join(got)}"
    if gold.ordered and got != want:
        return Reason.WRONG_ORDER, f"expected the order {', '.join(want)}; got {', '.join(got)}"
    if task.subtask == "name_detection":
        return None  # only names are graded here
    for number, call in enumerate(parsed.calls):
        refs = frozenset(k for k, v in call.arguments.items() if is_ref(v))
        fault = check_call(call, tools, ignore=refs)
        if fault is not None:
            return fault.reason, f"call {number} ({call.name}) {fault}"
    return None


def _plan(task: Task, calls: tuple[ToolCall, ...]) -> tuple[Program, ...]:
    """Executions needed for the verdict: the whole sequence for chaining/nested; for other call
    tasks, each candidate call alone (all of them: what was called must run), then the gold calls
    whose result is needed: those some candidate is equivalent to without being identical (the others
    get an empty program, answered without a round trip)."""
    if task.subtask == "name_detection":
        return ()  # names are the whole question
    if task.gold.result is not None:
        return (Program((*earlier_calls(task), *calls)),)
    mine = [Program((c,)) for c in calls]
    golds = [Program((g,)) if _needs_result(g, calls, task) else Program(()) for g in task.gold.calls]
    return (*mine, *golds)


def _identical(call: ToolCall, gold: ToolCall, task: Task) -> bool:
    return call.name == gold.name and _argument_fault(call, gold, values_identical, task) is None


def _needs_result(gold: ToolCall, calls: Sequence[ToolCall], task: Task) -> bool:
    return any(arguments_match(c, gold, task) and not _identical(c, gold, task) for c in calls)


def _conclude(case: _Case, outcomes: Sequence[Outcome]) -> Finding:
    task, calls = case.task, case.calls
    if task.gold.result is not None:
        (outcome,) = outcomes
        failure = _exec_failure(outcome, calls, offset=len(earlier_calls(task)))
        if failure:
            return failure
        if not _matches(calls, task.gold.calls, task, lambda i, j: True):
            return _value_finding(calls, task)
        if results_equal(outcome.results[-1], task.gold.result):
            return Reason.OK, ""
        return Reason.WRONG_RESULT, f"result {short(outcome.results[-1])}, expected {short(task.gold.result)}"
    mine, golds = outcomes[: len(calls)], outcomes[len(calls):]
    for outcome, call in zip(mine, calls, strict=True):
        failure = _exec_failure(outcome, (call,))
        if failure:
            return failure

    def same_result(i: int, j: int) -> bool:
        return (_identical(calls[i], task.gold.calls[j], task)
                or (golds[j].status == OK and results_equal(mine[i].results, golds[j].results)))

    if _matches(calls, task.gold.calls, task, same_result):
        return Reason.OK, ""
    return _value_finding(calls, task, same_result)


def _exec_failure(outcome: Outcome, calls: Sequence[ToolCall], offset: int = 0) -> Finding | None:
    if outcome.status == OK:
        return None
    index = (outcome.failed_call or 0) - offset
    name = calls[index].name if 0 <= index < len(calls) else "an earlier call"
    reason = Reason.EXEC_TIMEOUT if outcome.status == TIMEOUT else Reason.EXEC_ERROR
    assert outcome.status in (TIMEOUT, ERROR)
    return reason, f"{name}: {outcome.error}"


def _matches(calls: Sequence[ToolCall], golds: Sequence[ToolCall], task: Task, also: Any) -> bool:
    """Whether candidates and golds pair up one to one (in order when the gold is ordered), each pair
    with equivalent values for which `also(i, j)` holds."""
    ok = [[c.name == g.name and _argument_fault(c, g, values_equivalent, task) is None and also(i, j)
           for j, g in enumerate(golds)] for i, c in enumerate(calls)]
    if task.gold.ordered:
        return len(calls) == len(golds) and all(ok[i][i] for i in range(len(calls)))
    return perfect_matching(ok) is not None


def arguments_match(call: ToolCall, gold: ToolCall, task: Task) -> bool:
    """Same function, and values equivalent to the gold's (before execution confirms them)."""
    return call.name == gold.name and _argument_fault(call, gold, values_equivalent, task) is None


def _argument_fault(call: ToolCall, gold: ToolCall, same: Any, task: Task) -> Finding | None:
    """The first argument whose value is not the gold's under `same`. A reference (``{"$ref": i}``)
    must be the same reference; an optional argument may be omitted or given when the gold's value
    is its default."""
    defaults = _defaults(call.name, task)
    for key, want in gold.arguments.items():
        if key not in call.arguments:
            if key in defaults and values_equal(defaults[key], want):
                continue
            return Reason.MISSING_ARGUMENT, f"{call.name}: argument {key!r} stated in the request is missing"
        got = call.arguments[key]
        if not (got == want if is_ref(want) or is_ref(got) else same(got, want)):
            return Reason.WRONG_VALUE, f"{call.name}.{key}: got {short(got)}, expected {short(want)}"
    for key, got in call.arguments.items():
        if key not in gold.arguments and not (key in defaults and values_equal(got, defaults[key])):
            return Reason.WRONG_VALUE, f"{call.name}.{key}: {short(got)} was not asked for"
    return None


def _value_finding(calls: Sequence[ToolCall], task: Task, same_result: Any = None) -> Finding:
    """The reason of the first failing call: a value that differs from its gold's, or one that is
    written differently and executes to a different result."""
    for i, call in enumerate(calls):
        candidates = [(j, g) for j, g in enumerate(task.gold.calls) if g.name == call.name]
        if any(arguments_match(call, g, task) and (same_result is None or same_result(i, j)) for j, g in candidates):
            continue
        if candidates:
            gold = candidates[0][1]
            fault = _argument_fault(call, gold, values_equivalent, task)
            return fault or (Reason.WRONG_VALUE, f"{call.name}: {short(call.arguments)} is written differently "
                                                 f"from {short(gold.arguments)} and executes to a different result")
    return Reason.WRONG_VALUE, "calls do not match the expected calls"


def _defaults(name: str, task: Task) -> dict[str, Any]:
    """Default values of a tool's optional parameters: a library tool's from its signature, any other
    tool's (a user's, same name or not) from its schema's ``"default"``s."""
    from distill.tools import registry, tool_defaults
    from distill.toolsets import schema_defaults

    tool = next((t for t in task.tools if t.name == name), None)
    spec = registry().tools.get(name)
    if spec is not None and (tool is None or tool.domain == spec.domain):
        return tool_defaults(name)
    return schema_defaults(tool) if tool is not None else {}


def _check_facts(text: str, facts: Sequence[Any]) -> Finding:
    numbers = numbers_in(text)
    for fact in facts:
        if isinstance(fact.value, bool):
            continue
        if isinstance(fact.value, int | float):
            found = states_number(text, float(fact.value), fact.tolerance, numbers)
        else:
            found = states_string(text, str(fact.value))
        if not found:
            return Reason.MISSING_FACT, f"{fact.name}={short(fact.value)} is not stated"
    return Reason.OK, ""


def judge_bfcl(task: Task, parsed: Parsed | ParseFailure) -> Finding:
    """BFCL's AST verdict (see `distill.verify.bfcl`)."""
    calls = parsed.calls if isinstance(parsed, Parsed) else ()
    category = bfcl_category(task.subtask)
    if category in NO_CALL_CATEGORIES:
        return (Reason.UNEXPECTED_CALL, f"called {calls[0].name}") if calls else (Reason.OK, "")
    if category in RELEVANCE_CATEGORIES:  # relevance: any decodable call is right; values are not checked
        return (Reason.OK, "") if calls else (Reason.NO_CALL, "no call where one was relevant")
    if isinstance(parsed, ParseFailure):
        return Reason.PARSE_ERROR, str(parsed)
    if not calls:
        return Reason.NO_CALL, "no call"
    tools: dict[str, Tool] = {t.name: t for t in task.tools}
    for call in calls:
        if call.name not in tools:
            return Reason.UNKNOWN_FUNCTION, f"no function named {call.name!r}"
    fault = bfcl_rules.check_calls(task.subtask, calls, task.gold.calls, task.gold.acceptable, tools)
    return fault or (Reason.OK, "")


def earlier_calls(task: Task) -> tuple[ToolCall, ...]:
    """Calls already made in the conversation (chaining), in order."""
    return tuple(ToolCall(c["function"]["name"], c["function"]["arguments"])
                 for m in task.messages if m.get("role") == "assistant" for c in m.get("tool_calls") or ())
