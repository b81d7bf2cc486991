"""Travel tools: flight search and booking over the in-memory store, plus trip-duration estimates."""

from __future__ import annotations

import datetime
import random
from typing import Any, Literal

from distill.tools import store
from distill.tools.base import Composition, Fallback, Intent, compose, fallback, tool
from distill.tools.geodata import CITY_NAMES

SeatClass = Literal["economy", "premium", "business"]
TravelMode = Literal["walking", "cycling", "driving", "train", "flight"]
SPEED_KMH = {"walking": 5.0, "cycling": 16.0, "driving": 80.0, "train": 140.0, "flight": 800.0}
FLIGHT_OVERHEAD_H = 0.75  # taxi, climb and descent: short hops are not distance / cruise speed

reset = store.reset


def _place(name: str) -> str:
    """The city a city name or IATA code stands for, for matching against flights."""
    key = name.strip().casefold()
    for city, code in store.AIRPORTS.items():
        if key in (city.casefold(), code.casefold()):
            return city
    raise ValueError(f"no airport for {name!r}; served cities: {', '.join(store.AIRPORTS)}")


def _route(origin: str, destination: str) -> list[dict[str, Any]]:
    src, dst = _place(origin), _place(destination)
    flights = [f for f in store.FLIGHTS.values() if f["origin"] == src and f["destination"] == dst]
    return sorted(flights, key=lambda f: (f["date"], f["departure_time"], f["id"]))


def _flight(rng: random.Random, bookable: bool = False) -> dict[str, Any]:
    ids = [i for i, f in store.INITIAL["flights"].items() if f["seats_available"] > 0 or not bookable]
    return store.INITIAL["flights"][rng.choice(sorted(ids))]


def sample_route(rng: random.Random) -> dict[str, Any]:
    f = _flight(rng)
    return {"origin": f["origin"], "destination": f["destination"]}


def _route_on_date(rng: random.Random) -> dict[str, Any]:
    f = _flight(rng)
    return {"origin": f["origin"], "destination": f["destination"], "date": f["date"]}


def sample_flight_id(rng: random.Random) -> dict[str, Any]:
    return {"flight_id": _flight(rng)["id"]}


def _booking_args(rng: random.Random) -> dict[str, Any]:
    return {"flight_id": _flight(rng, bookable=True)["id"], **store.sample_customer_id(rng)}


@tool(
    domain="travel",
    stateful=True,
    templates=(
        "Find flights from {origin} to {destination} on {date}.",
        "Are there any flights {origin} to {destination} on {date}?",
        "Search for a flight leaving {origin} for {destination} on {date}.",
        "I need to fly from {origin} to {destination} on {date}. What are my options?",
        "Show me {date} departures from {origin} going to {destination}.",
        "What flights go {origin} -> {destination} on {date}?",
        "Look up flights between {origin} and {destination} departing {date}.",
        "Can I get from {origin} to {destination} by plane on {date}?",
    ),
    sample=_route_on_date,
    vague=("Find me a flight to {destination}.", "Are there any flights on {date}?"),
    intents=(
        Intent(
            templates=(
                "Find all flights from {origin} to {destination}.",
                "What flights do you have between {origin} and {destination}, any date?",
                "List every flight going from {origin} to {destination}.",
                "Which dates can I fly {origin} to {destination}?",
                "Show the flight schedule from {origin} to {destination}.",
                "I'm flexible on dates: what flights run from {origin} to {destination}?",
                "Search all departures {origin} to {destination}.",
                "Any planes from {origin} to {destination} coming up?",
            ),
            sample=sample_route,
        ),
    ),
)
def search_flights(origin: str, destination: str, date: str | None = None) -> list[dict]:
    """Search flights on a route, optionally on one date.

    Args:
        origin: Departure city name or IATA airport code, e.g. "Paris" or "CDG".
        destination: Arrival city name or IATA airport code.
        date: Departure date as YYYY-MM-DD; all dates when omitted.

    Returns:
        Matching flights (id, airline, date, departure_time, price, seats_available), earliest first.
    """
    if date is not None:
        date = datetime.date.fromisoformat(date).isoformat()
    keys = ("id", "airline", "origin", "destination", "date", "departure_time", "price", "seats_available")
    return [{k: f[k] for k in keys} for f in _route(origin, destination) if date in (None, f["date"])]


@tool(
    domain="travel",
    stateful=True,
    templates=(
        "Show me the details of flight {flight_id}.",
        "When does flight {flight_id} depart, and from where?",
        "What's the price and seat availability on {flight_id}?",
        "Give me everything about flight number {flight_id}.",
        "Which airline operates {flight_id}, and where does it go?",
        "Look up flight {flight_id} for me.",
        "I have a reference {flight_id}. What flight is that?",
        "Tell me the route, date and departure time of {flight_id}.",
    ),
    sample=sample_flight_id,
)
def get_flight_details(flight_id: str) -> dict:
    """Get a flight by id.

    Args:
        flight_id: The flight id, e.g. "FL101".

    Returns:
        The flight: id, airline, origin, destination, airports, date, departure_time, price, seats_available.
    """
    return dict(store.flight(flight_id))


@tool(
    domain="travel",
    stateful=True,
    templates=(
        "Book a seat on flight {flight_id} for customer {customer_id}.",
        "Reserve {flight_id} for {customer_id}, please.",
        "Customer {customer_id} wants a ticket on {flight_id}.",
        "Please make a booking on flight {flight_id} under customer ID {customer_id}.",
        "Get {customer_id} onto flight {flight_id}.",
        "Can you book {flight_id} for client {customer_id}?",
        "I'd like to reserve a seat for {customer_id} on flight {flight_id}.",
        "Put customer {customer_id} on {flight_id}.",
    ),
    sample=_booking_args,
    vague=("Book me on that flight.", "Reserve a seat on flight {flight_id}."),
    intents=(
        Intent(
            templates=(
                "Book a {seat_class} seat on flight {flight_id} for customer {customer_id}.",
                "Reserve {seat_class} class on {flight_id} for {customer_id}.",
                "Customer {customer_id} wants to fly {seat_class} on {flight_id}.",
                "Get {customer_id} a {seat_class} ticket for flight {flight_id}.",
                "Please book flight {flight_id} in {seat_class} for client {customer_id}.",
                "{customer_id} would like to fly {seat_class} on {flight_id}; book it.",
                "I need a {seat_class} booking on {flight_id} under {customer_id}.",
                "Put {customer_id} on flight {flight_id}, {seat_class} cabin.",
            ),
            sample=lambda rng: {**_booking_args(rng), "seat_class": rng.choice(store.SEAT_CLASSES)},
        ),
    ),
)
def book_flight_seat(flight_id: str, customer_id: str, seat_class: SeatClass = "economy") -> dict:
    """Book one seat on a flight for a customer.

    Args:
        flight_id: The flight id, e.g. "FL101".
        customer_id: The customer id, e.g. "C001".
        seat_class: Cabin class; premium and business cost more than economy.

    Returns:
        The booking: id, flight_id, customer_id, seat_class, price and status.
    """
    flight, cid = store.flight(flight_id), store.customer(customer_id)["id"]
    if seat_class not in store.SEAT_CLASS_MULTIPLIER:
        raise ValueError(f"unknown seat class {seat_class!r}; use one of {', '.join(store.SEAT_CLASSES)}")
    if flight["seats_available"] <= 0:
        raise ValueError(f"flight {flight['id']} is fully booked")
    flight["seats_available"] -= 1
    bid = f"B{len(store.BOOKINGS) + 1:03d}"
    price = round(flight["price"] * store.SEAT_CLASS_MULTIPLIER[seat_class], 2)
    booking = {"id": bid, "flight_id": flight["id"], "customer_id": cid, "seat_class": seat_class, "price": price}
    store.BOOKINGS[bid] = {**booking, "status": "confirmed"}
    return dict(store.BOOKINGS[bid])


@tool(
    domain="travel",
    stateful=True,
    templates=(
        "Cancel booking {booking_id}.",
        "Please cancel my reservation {booking_id}.",
        "I can't travel anymore; cancel booking number {booking_id}.",
        "Void the flight booking {booking_id} and tell me the refund.",
        "Drop reservation {booking_id}, please.",
        "How do I get a refund for {booking_id}? Just cancel it.",
        "Booking {booking_id} needs to be cancelled.",
        "Call off the trip booked under {booking_id}.",
    ),
    sample=lambda rng: {"booking_id": rng.choice(store.initial_ids("bookings"))},
)
def cancel_booking(booking_id: str) -> dict:
    """Cancel a flight booking, freeing its seat and refunding the price.

    Args:
        booking_id: The booking id, e.g. "B001".

    Returns:
        A dict with booking_id, status ("cancelled") and refund.
    """
    booking = store.booking(booking_id)
    if booking["status"] == "cancelled":
        raise ValueError(f"booking {booking['id']} is already cancelled")
    booking["status"] = "cancelled"
    store.FLIGHTS[booking["flight_id"]]["seats_available"] += 1
    return {"booking_id": booking["id"], "status": "cancelled", "refund": booking["price"]}


@tool(
    domain="travel",
    stateful=True,
    templates=(
        "What's the cheapest flight from {origin} to {destination}?",
        "Find me the lowest fare {origin} to {destination}.",
        "I want the least expensive way to fly from {origin} to {destination}.",
        "Which {origin}-{destination} flight costs the least?",
        "Cheapest available ticket from {origin} to {destination}, please.",
        "On a budget: what's the best price for flying {origin} to {destination}?",
        "Show me the bargain flight between {origin} and {destination}.",
        "Get the lowest-priced seat from {origin} going to {destination}.",
    ),
    sample=sample_route,
    vague=("What's the cheapest flight to {destination}?", "Find me the cheapest flight."),
)
def find_cheapest_flight(origin: str, destination: str) -> dict:
    """Find the cheapest flight with free seats on a route.

    Args:
        origin: Departure city name or IATA airport code.
        destination: Arrival city name or IATA airport code.

    Returns:
        The cheapest bookable flight (id, airline, date, departure_time, price, seats_available).
    """
    open_flights = [f for f in _route(origin, destination) if f["seats_available"] > 0]
    if not open_flights:
        raise ValueError(f"no bookable flights from {origin} to {destination}")
    return dict(min(open_flights, key=lambda f: (f["price"], f["id"])))


@tool(
    domain="travel",
    stateful=True,
    templates=(
        "Which airlines fly from {origin} to {destination}?",
        "What carriers operate the {origin} to {destination} route?",
        "List the airlines that have flights {origin} -> {destination}.",
        "Who flies {origin} to {destination}?",
        "I prefer certain airlines. Which ones serve {origin} to {destination}?",
        "Name the airlines running flights from {origin} into {destination}.",
        "Can you tell me which companies fly between {origin} and {destination}?",
        "Airlines on the {origin}-{destination} route?",
    ),
    sample=sample_route,
)
def list_airlines_on_route(origin: str, destination: str) -> list[str]:
    """List the airlines flying a route.

    Args:
        origin: Departure city name or IATA airport code.
        destination: Arrival city name or IATA airport code.

    Returns:
        Airline names, alphabetically.
    """
    return sorted({f["airline"] for f in _route(origin, destination)})


def _trip(rng: random.Random) -> dict[str, Any]:
    return {"distance_km": round(rng.uniform(2, 4000), 1), "mode": rng.choice(list(SPEED_KMH))}


@tool(
    domain="travel",
    templates=(
        "How long does it take to cover {distance_km} km by {mode}?",
        "Estimate the travel time for a {distance_km} km trip, {mode}.",
        "If I go {distance_km} kilometres by {mode}, how many hours is that?",
        "Trip duration for {distance_km} km using {mode}?",
        "Roughly how long is a {distance_km} km journey when {mode}?",
        "I'm planning to travel {distance_km} km ({mode}). How much time should I budget?",
        "Give me the estimated duration of {distance_km} km by {mode}.",
        "How many hours and minutes would {distance_km} km take me by {mode}?",
    ),
    sample=_trip,
    vague=("How long will the trip take?", "How long does it take to get there by {mode}?"),
)
def estimate_trip_duration(distance_km: float, mode: TravelMode) -> dict:
    """Estimate how long a trip of a given distance takes with a mode of transport.

    Args:
        distance_km: Distance to cover in kilometres.
        mode: Means of transport.

    Returns:
        A dict with mode, hours (decimal) and formatted ("Xh YYm").
    """
    if distance_km < 0:
        raise ValueError(f"distance_km must not be negative, got {distance_km}")
    if mode not in SPEED_KMH:
        raise ValueError(f"unknown mode {mode!r}; use one of {', '.join(SPEED_KMH)}")
    hours = distance_km / SPEED_KMH[mode] + (FLIGHT_OVERHEAD_H if mode == "flight" else 0.0)
    minutes = round(hours * 60)
    return {"mode": mode, "hours": round(hours, 2), "formatted": f"{minutes // 60}h {minutes % 60:02d}m"}


def _city_pair_and_mode(rng: random.Random) -> tuple[dict[str, Any], dict[str, Any]]:
    city_a, city_b = rng.sample(CITY_NAMES, 2)
    return {"city_a": city_a, "city_b": city_b}, {"mode": rng.choice(list(SPEED_KMH))}


compose(
    Composition(
        first="distance_between_cities",
        second="estimate_trip_duration",
        param="distance_km",
        sample=_city_pair_and_mode,
        templates=(
            "How long would it take to go from {a[city_a]} to {a[city_b]} by {b[mode]}?",
            "Estimate the {b[mode]} travel time between {a[city_a]} and {a[city_b]}.",
            "If I travel {a[city_a]} to {a[city_b]} by {b[mode]}, how many hours will it take?",
            "Work out the distance from {a[city_a]} to {a[city_b]} and how long that is by {b[mode]}.",
            "Trip time {a[city_a]} -> {a[city_b]} by {b[mode]}, based on the straight-line distance?",
            "Going by {b[mode]}, how long is the journey between {a[city_a]} and {a[city_b]}?",
            "Roughly how much time does {b[mode]} from {a[city_a]} to {a[city_b]} take?",
            "I want to get from {a[city_a]} to {a[city_b]} by {b[mode]}. How long will I be on the way?",
        ),
    )
)
compose(
    Composition(
        first="find_cheapest_flight",
        second="book_flight_seat",
        param="flight_id",
        key="id",
        sample=lambda rng: (sample_route(rng), store.sample_customer_id(rng)),
        templates=(
            "Book the cheapest flight from {a[origin]} to {a[destination]} for customer {b[customer_id]}.",
            "Find the lowest fare {a[origin]} to {a[destination]} and reserve it for {b[customer_id]}.",
            "Customer {b[customer_id]} wants whatever is cheapest from {a[origin]} to {a[destination]}. Book it.",
            "Get {b[customer_id]} a seat on the least expensive {a[origin]}-{a[destination]} flight.",
            "Reserve the bargain flight from {a[origin]} to {a[destination]} under {b[customer_id]}.",
            "Look up the cheapest {a[origin]} to {a[destination]} option and book {b[customer_id]} on it.",
            "For client {b[customer_id]}: cheapest flight {a[origin]} -> {a[destination]}, please book a seat.",
            "Put {b[customer_id]} on the lowest-priced flight going from {a[origin]} to {a[destination]}.",
        ),
    )
)
fallback(Fallback(primary="find_cheapest_flight", alternative="search_flights", convert=lambda a: dict(a)))
