"""A loopback implementation of ``library.yaml``, so ``tools=openapi`` can execute calls for real.

    python examples/openapi/server.py --port 8765

Every answer is a function of the request and the fixed tables below (no clock, no randomness, no
state kept between requests: placing a hold or renewing a loan computes the answer and forgets it),
so a verifier that runs the same call twice gets the same result. Tests import this file and start
it in a background thread with `running`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

BOOKS: dict[str, dict[str, Any]] = {b["id"]: b for b in [
    {"id": "bk-1001", "title": "The River Keepers", "authors": ["Amara Okafor"], "year": 2019, "format": "print",
     "subjects": ["rivers", "ecology", "fiction"], "series": None},
    {"id": "bk-1002", "title": "The River Keepers", "authors": ["Amara Okafor"], "year": 2019, "format": "audiobook",
     "subjects": ["rivers", "ecology", "fiction"], "series": None},
    {"id": "bk-1003", "title": "Lanterns of the North Quay", "authors": ["Jonas Lindqvist"], "year": 2022,
     "format": "print", "subjects": ["mystery", "harbours"], "series": "Quay Mysteries"},
    {"id": "bk-1004", "title": "Salt and Signal", "authors": ["Jonas Lindqvist"], "year": 2024, "format": "ebook",
     "subjects": ["mystery", "radio"], "series": "Quay Mysteries"},
    {"id": "bk-1005", "title": "A Field Guide to Urban Birds", "authors": ["Priya Raman", "Tom Hale"], "year": 2015,
     "format": "print", "subjects": ["birds", "nature", "cities"], "series": None},
    {"id": "bk-1006", "title": "Bread Without Hurry", "authors": ["Lucia Ferrante"], "year": 2021, "format": "print",
     "subjects": ["baking", "cookery"], "series": None},
    {"id": "bk-1007", "title": "Orbits for Beginners", "authors": ["Samuel Achebe"], "year": 2012, "format": "ebook",
     "subjects": ["astronomy", "science"], "series": None},
]}
BRANCHES: dict[str, dict[str, Any]] = {b["id"]: b for b in [
    {"id": "central", "name": "Central Library", "address": "1 Market Square", "phone": "+44 20 7946 0100",
     "open_on_sunday": True},
    {"id": "hillcrest", "name": "Hillcrest Branch", "address": "7 Orchard Road", "phone": None,
     "open_on_sunday": False},
    {"id": "riverside", "name": "Riverside Branch", "address": "48 Mill Lane", "phone": "+44 20 7946 0148",
     "open_on_sunday": False},
]}
COPIES: dict[tuple[str, str], tuple[int, int, str | None]] = {
    # (book, branch) -> (copies, copies on loan, due date of the earliest loaned copy)
    ("bk-1001", "central"): (3, 1, "2026-03-18"), ("bk-1001", "riverside"): (1, 1, "2026-03-09"),
    ("bk-1002", "central"): (2, 0, None), ("bk-1003", "central"): (2, 2, "2026-03-12"),
    ("bk-1003", "hillcrest"): (1, 0, None), ("bk-1005", "riverside"): (2, 1, "2026-03-21"),
    ("bk-1006", "central"): (1, 1, "2026-03-15"), ("bk-1006", "hillcrest"): (1, 1, "2026-03-11"),
}
PATRONS = ("P-1001", "P-1002", "P-1003")
LOANS: dict[str, dict[str, Any]] = {
    "L-5001": {"loan_id": "L-5001", "book_id": "bk-1003", "patron_id": "P-1001", "due_date": "2026-03-12",
               "renewals_left": 2},
    "L-5002": {"loan_id": "L-5002", "book_id": "bk-1006", "patron_id": "P-1001", "due_date": "2026-03-15",
               "renewals_left": 0},
    "L-5003": {"loan_id": "L-5003", "book_id": "bk-1001", "patron_id": "P-1002", "due_date": "2026-03-09",
               "renewals_left": 1},
}
HOURS: dict[str, tuple[tuple[str, str] | None, ...]] = {
    # Monday .. Sunday; None = closed that weekday
    "central": (("09:00", "20:00"),) * 6 + (("12:00", "17:00"),),
    "hillcrest": (None,) + (("09:30", "17:30"),) * 5 + (None,),
    "riverside": (("10:00", "18:00"),) * 5 + (("10:00", "14:00"), None),
}
HOLIDAYS = {"2025-12-25": "Christmas Day", "2025-12-26": "Boxing Day", "2026-01-01": "New Year's Day",
            "2026-04-03": "Good Friday", "2026-05-04": "Early May bank holiday"}
SORTS = {"title": lambda b: (b["title"], b["id"]), "year_newest": lambda b: (-b["year"], b["id"]),
         "year_oldest": lambda b: (b["year"], b["id"])}


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status)


def _on_shelf(book_id: str) -> bool:
    return any(total > on_loan for (book, _), (total, on_loan, _) in COPIES.items() if book == book_id)


async def search_books(request: Request) -> JSONResponse:
    args = request.query_params
    words = args.get("q", "").lower().split()
    fmt, sort = args.get("format"), args.get("sort", "title")
    if not words or sort not in SORTS or fmt not in (None, "print", "ebook", "audiobook"):
        return _error(400, "bad_request", "q is required; format and sort must be among the spec's values")
    try:
        limit = int(args.get("limit", "10"))
    except ValueError:
        limit = 0
    if not 1 <= limit <= 50:
        return _error(400, "bad_request", "limit must be an integer from 1 to 50")
    available_only = args.get("available_only", "false").lower() == "true"
    found = [b for b in BOOKS.values()
             if all(w in " ".join([b["title"], *b["authors"], *b["subjects"]]).lower() for w in words)
             and (fmt is None or b["format"] == fmt) and (not available_only or _on_shelf(b["id"]))]
    found.sort(key=SORTS[sort])
    return JSONResponse({"total": len(found), "results": found[:limit]})


async def get_book(request: Request) -> JSONResponse:
    book = BOOKS.get(request.path_params["book_id"])
    return JSONResponse(book) if book else _error(404, "not_found", "no such book")


async def check_availability(request: Request) -> JSONResponse:
    book_id, branch_id = request.path_params["book_id"], request.query_params.get("branch_id", "")
    if book_id not in BOOKS or branch_id not in BRANCHES:
        return _error(404, "not_found", "no such book or branch")
    total, on_loan, due = COPIES.get((book_id, branch_id), (0, 0, None))
    return JSONResponse({"book_id": book_id, "branch_id": branch_id, "copies_total": total,
                         "copies_available": total - on_loan, "next_due_date": due if total == on_loan else None})


async def place_hold(request: Request) -> JSONResponse:
    body = await _json_body(request)
    fields = ("book_id", "patron_id", "pickup_branch_id")
    if not isinstance(body, dict) or not all(isinstance(body.get(f), str) for f in fields):
        return _error(422, "unprocessable", "book_id, patron_id and pickup_branch_id are required strings")
    notify_by, note = body.get("notify_by", "email"), body.get("note")
    if notify_by not in ("email", "sms") or not (note is None or isinstance(note, str) and len(note) <= 200):
        return _error(422, "unprocessable", "notify_by must be email or sms; note at most 200 characters")
    book_id, patron_id, branch_id = (body[f] for f in fields)
    if book_id not in BOOKS or patron_id not in PATRONS or branch_id not in BRANCHES:
        return _error(404, "not_found", "no such book, patron or branch")
    total, on_loan, _ = COPIES.get((book_id, branch_id), (0, 0, None))
    queue = 0 if total > on_loan else 1 + sum(map(ord, book_id + patron_id)) % 4
    return JSONResponse({"hold_id": f"H-{book_id[3:]}-{patron_id[2:]}-{branch_id}", "book_id": book_id,
                         "patron_id": patron_id, "pickup_branch_id": branch_id, "notify_by": notify_by,
                         "status": "ready" if queue == 0 else "queued", "queue_position": queue, "note": note},
                        status_code=201)


async def list_branches(request: Request) -> JSONResponse:
    sunday = request.query_params.get("open_on_sunday")
    branches = [b for b in BRANCHES.values() if sunday is None or b["open_on_sunday"] == (sunday.lower() == "true")]
    return JSONResponse(branches)


async def opening_hours(request: Request) -> JSONResponse:
    branch_id, text = request.path_params["branch_id"], request.query_params.get("date", "")
    if branch_id not in BRANCHES:
        return _error(404, "not_found", "no such branch")
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        return _error(400, "bad_request", "date must be YYYY-MM-DD")
    hours = None if text in HOLIDAYS else HOURS[branch_id][day.weekday()]
    return JSONResponse({"branch_id": branch_id, "date": text, "weekday": day.strftime("%A"), "closed": hours is None,
                         "opens": hours and hours[0], "closes": hours and hours[1],
                         "note": f"Closed for {HOLIDAYS[text]}" if text in HOLIDAYS else None})


async def renew_loan(request: Request) -> JSONResponse:
    loan = LOANS.get(request.path_params["loan_id"])
    if loan is None:
        return _error(404, "not_found", "no such loan")
    if request.headers.get("x-patron-id") != loan["patron_id"]:
        return _error(403, "forbidden", "the loan belongs to another patron")
    if loan["renewals_left"] == 0:
        return _error(409, "conflict", "the loan has no renewals left")
    body = await _json_body(request) if await request.body() else {}
    days = body.get("days", 14) if isinstance(body, dict) else None
    if days not in (7, 14, 21):
        return _error(422, "unprocessable", "days must be 7, 14 or 21")
    due = datetime.date.fromisoformat(loan["due_date"]) + datetime.timedelta(days=days)
    return JSONResponse({**loan, "due_date": due.isoformat(), "renewals_left": loan["renewals_left"] - 1})


async def set_reading_list(request: Request) -> JSONResponse:
    patron_id, body = request.path_params["patron_id"], await _json_body(request)
    if patron_id not in PATRONS:
        return _error(404, "not_found", "no such patron")
    if not isinstance(body, list) or len(body) > 20 or not all(isinstance(b, str) for b in body):
        return _error(422, "unprocessable", "the body must be a list of at most 20 book ids")
    unknown = [b for b in body if b not in BOOKS]
    if unknown:
        return _error(404, "not_found", f"no such book: {unknown[0]}")
    return JSONResponse(list(dict.fromkeys(body)))


async def _json_body(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        return None


def build_app(latency_s: float = 0.0) -> Starlette:
    """The service; `latency_s` delays every answer (tests use it to provoke client timeouts)."""
    routes = [("/books", search_books, "GET"), ("/books/{book_id}", get_book, "GET"),
              ("/books/{book_id}/availability", check_availability, "GET"), ("/holds", place_hold, "POST"),
              ("/branches", list_branches, "GET"), ("/branches/{branch_id}/hours", opening_hours, "GET"),
              ("/loans/{loan_id}/renew", renew_loan, "POST"),
              ("/patrons/{patron_id}/reading-list", set_reading_list, "PUT")]

    def delayed(handler):
        async def endpoint(request: Request) -> JSONResponse:
            await asyncio.sleep(latency_s)
            return await handler(request)
        return endpoint

    return Starlette(routes=[Route(path, delayed(fn) if latency_s else fn, methods=[method])
                             for path, fn, method in routes])


@contextlib.contextmanager
def running(latency_s: float = 0.0) -> Iterator[str]:
    """Serve the app on a free loopback port in a background thread; yields its base URL.

    Raises:
        RuntimeError: when the server does not start within 10 seconds.
    """
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(build_app(latency_s), log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        if not server.started:
            raise RuntimeError("the library server did not start")
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    uvicorn.run(build_app(), host=args.host, port=args.port, log_level="info")


if __name__ == "__main__":
    main()
