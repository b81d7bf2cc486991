"""Worst-case parse time per output size: is parsing linear in the length of what a model wrote?

Adversarial shapes, each grown to 10k, 100k, 300k and 1M characters (the parser's cap): thousands
of unclosed ``<tool_call>`` markers (a lazy regex rescans the rest of the text for each one), closed
blocks, ``<function_call>`` markers, code fences, ``[f(`` call starts, ``{"name":`` openings, bare
call objects one after another (each one is read, up to MAX_CALLS), a call followed by near-misses of
a further call (``[ {``), deep brackets, one long string argument, plain prose. Each is parsed
`--repeat` times in `auto` mode and the best time is kept (the machine is shared). Also the schema
check of a call whose list argument has 150,000 wrongly typed items (collecting every error took 8 s).
Prints a table, then as its last line `worst parse at 300k chars: N ms (shape); at 1M: M ms (shape)`.
Goal (issue 17): linear, at most 50 ms at 300k characters.
"""

from __future__ import annotations

import argparse
import time

from distill.records import ToolCall
from distill.tasks.base import schemas
from distill.verify.parse import parse_text
from distill.verify.schema import check_call

CALL = '{"name": "add_numbers", "arguments": {"numbers": [1, 2]}}'


def shapes(size: int) -> dict[str, str]:
    def fill(unit: str) -> str:
        return (unit * (size // len(unit) + 1))[:size]

    return {
        "unclosed <tool_call>": fill("<tool_call>x"),
        "closed <tool_call>": fill(f"<tool_call>{CALL}</tool_call>"),
        "<function_call>": fill(f"<function_call> {CALL}"),
        "``` fences": fill("```json\n{\"a\": 1}\n"),
        "[f( starts": "[" + fill("f(a=[f(")[1:],
        '{"name": openings': fill('{"name": '),
        "bare call objects": fill(CALL + "\n"),
        "call, then [ { prose": CALL + fill("[ { x "),
        "deep brackets": "[" * (size // 2) + "]" * (size // 2),
        "long string argument": '{"name": "f", "arguments": {"x": "' + "y" * size + '"}}',
        "prose": fill("The weather in Paris is mild today, 21 degrees. "),
    }


def best_ms(text: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        parse_text(text)
        times.append(time.perf_counter() - start)
    return 1000 * min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = (10_000, 100_000, 300_000, 999_000)
    table: dict[str, list[float]] = {}
    for size in sizes:
        for name, text in shapes(size).items():
            table.setdefault(name, []).append(best_ms(text, args.repeat))
    print(f"{'shape':24}" + "".join(f"{s // 1000:>9}k" for s in sizes) + "   (ms)")
    for name, row in table.items():
        print(f"{name:24}" + "".join(f"{ms:10.2f}" for ms in row))
    tools = {t.name: t for t in schemas(["add_numbers"])}
    wrong = ToolCall("add_numbers", {"numbers": ["x"] * 150_000})
    start = time.perf_counter()
    fault = check_call(wrong, tools)
    print(f"schema check, 150,000 wrong items: {1000 * (time.perf_counter() - start):.1f} ms ({fault})")
    worst = max(table, key=lambda n: table[n][2])
    worst_1m = max(table, key=lambda n: table[n][3])
    print(f"worst parse at 300k chars: {table[worst][2]:.1f} ms ({worst}); at 1M: {table[worst_1m][3]:.1f} ms "
          f"({worst_1m})")


if __name__ == "__main__":
    main()
