import pytest

from distill.tools import store, travel
from distill.tools.travel import (
    book_flight_seat,
    cancel_booking,
    estimate_trip_duration,
    find_cheapest_flight,
    get_flight_details,
    list_airlines_on_route,
    search_flights,
)


@pytest.fixture(autouse=True)
def fresh_store():
    travel.reset()
    yield
    travel.reset()


def test_search_accepts_city_names_and_airport_codes():
    by_city = search_flights("Paris", "London")
    assert by_city and by_city == search_flights("cdg", "LHR")
    day = by_city[0]["date"]
    assert [f["date"] for f in search_flights("Paris", "London", date=day)] == [day]
    with pytest.raises(ValueError, match="no airport"):
        search_flights("Atlantis", "London")


def test_cheapest_flight_skips_full_flights():
    cheapest = find_cheapest_flight("Paris", "Rome")
    on_route = search_flights("Paris", "Rome")
    assert cheapest["seats_available"] > 0
    assert cheapest["price"] == min(f["price"] for f in on_route if f["seats_available"] > 0)


def test_booking_takes_a_seat_and_cancelling_gives_it_back():
    flight_id = find_cheapest_flight("London", "New York")["id"]
    seats = get_flight_details(flight_id)["seats_available"]
    booking = book_flight_seat(flight_id, "C005", seat_class="business")
    assert booking["status"] == "confirmed" and booking["customer_id"] == "C005"
    assert booking["price"] == round(get_flight_details(flight_id)["price"] * 3.2, 2)
    assert get_flight_details(flight_id)["seats_available"] == seats - 1
    assert cancel_booking(booking["id"]) == {
        "booking_id": booking["id"],
        "status": "cancelled",
        "refund": booking["price"],
    }
    assert get_flight_details(flight_id)["seats_available"] == seats
    with pytest.raises(ValueError, match="already cancelled"):
        cancel_booking(booking["id"])


def test_reset_forgets_new_bookings():
    booking = book_flight_seat("FL101", "C001")
    travel.reset()
    with pytest.raises(ValueError, match="unknown booking"):
        cancel_booking(booking["id"])
    assert get_flight_details("FL101") == store.INITIAL["flights"]["FL101"]


def test_full_flights_cannot_be_booked():
    full = next(fid for fid, f in store.FLIGHTS.items() if f["seats_available"] == 0)
    with pytest.raises(ValueError, match="fully booked"):
        book_flight_seat(full, "C001")


def test_airlines_on_route_are_unique_and_sorted():
    airlines = list_airlines_on_route("Paris", "London")
    assert airlines == sorted(set(airlines)) and airlines


def test_trip_duration_adds_airport_overhead_to_flights():
    assert estimate_trip_duration(80.0, "driving") == {"mode": "driving", "hours": 1.0, "formatted": "1h 00m"}
    assert estimate_trip_duration(800.0, "flight")["hours"] == 1.75
