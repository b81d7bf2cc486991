"""The in-memory store behind the commerce and travel tools.

The initial contents are generated once from a fixed seed (`INITIAL`, never mutated); the live
tables (`CUSTOMERS`, `PRODUCTS`, `ORDERS`, `FLIGHTS`, `BOOKINGS`) are module-level dicts that tools
mutate and `reset()` refills in place, so every task starts from the same state. Samplers draw ids
from `INITIAL`, which is exactly what the live tables hold after a reset.
"""

from __future__ import annotations

import datetime
import math
import pickle
import random
from typing import Any

from distill.tools.geodata import CITY_NAMES, city_distance_km

SEED = 20240501
TIERS = ("bronze", "silver", "gold", "platinum")
CATEGORIES = ("electronics", "books", "home", "clothing", "sports", "toys")
ORDER_STATUSES = ("pending", "paid", "shipped", "delivered", "cancelled")
FINAL_STATUSES = ("delivered", "cancelled")
SEAT_CLASSES = ("economy", "premium", "business")
SEAT_CLASS_MULTIPLIER = {"economy": 1.0, "premium": 1.6, "business": 3.2}
AIRLINES = ("SkyWays", "Atlas Air", "BlueJet", "Meridian", "Northwind", "Coral Airlines")

FIRST_NAMES = (
    "Alice", "Bruno", "Chloe", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Isabel", "Jonas", "Keiko", "Liam",
    "Maya", "Noah", "Olga", "Pedro", "Quinn", "Rosa", "Samir", "Tara", "Umar", "Vera", "Wen", "Ximena",
    "Yusuf", "Zoe", "Aaron", "Bianca", "Carlos", "Daria", "Emil", "Fatima", "Gustav", "Hana", "Ivan", "Julia",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Rossi", "Dubois", "Ivanov", "Garcia", "Khan", "Lee", "Tanaka", "Silva", "Berg", "Sato", "Murphy",
    "Patel", "Cohen", "Novak", "Santos", "Reed", "Lopez", "Haddad", "Singh", "Ali", "Popescu", "Zhang", "Torres",
    "Demir", "Clarke", "Fischer", "Moretti", "Ortega", "Kowalski", "Larsen", "Nasser", "Lind", "Kim", "Petrov", "Weber",
)  # fmt: skip
PRODUCT_NAMES: dict[str, tuple[tuple[str, float, float], ...]] = {
    "electronics": (
        ("Wireless Mouse", 15, 60), ("Mechanical Keyboard", 60, 180), ("USB-C Hub", 20, 80),
        ("Noise-Cancelling Headphones", 90, 350), ("Bluetooth Speaker", 30, 150), ("27-inch Monitor", 180, 450),
        ("HD Webcam", 30, 120), ("Portable SSD", 60, 220), ("Smart Watch", 120, 400),
    ),
    "books": (
        ("Python Cookbook", 25, 55), ("Data Science Handbook", 30, 60), ("Mystery Novel Collection", 12, 30),
        ("World Atlas", 20, 45), ("Cooking for Beginners", 15, 35), ("Science Fiction Anthology", 12, 28),
        ("History of Rome", 18, 40),
    ),
    "home": (
        ("Ceramic Coffee Mug", 8, 20), ("Stainless Steel Kettle", 25, 70), ("Cotton Bath Towel", 10, 30),
        ("Desk Lamp", 20, 90), ("Scented Candle", 8, 25), ("Chef's Knife", 30, 120),
        ("Non-Stick Frying Pan", 20, 70), ("Throw Pillow", 12, 40),
    ),
    "clothing": (
        ("Wool Sweater", 40, 120), ("Running Shorts", 15, 45), ("Rain Jacket", 50, 180), ("Leather Belt", 20, 60),
        ("Cotton T-Shirt", 10, 30), ("Denim Jeans", 35, 110), ("Winter Gloves", 12, 45),
    ),
    "sports": (
        ("Yoga Mat", 15, 60), ("Running Shoes", 60, 180), ("Tennis Racket", 40, 220), ("Water Bottle", 8, 35),
        ("Resistance Bands", 10, 35), ("Cycling Helmet", 35, 150), ("Football", 15, 45), ("Camping Tent", 80, 400),
    ),
    "toys": (
        ("Building Blocks Set", 20, 90), ("Jigsaw Puzzle", 10, 30), ("Remote Control Car", 30, 120),
        ("Plush Bear", 10, 35), ("Classic Board Game", 15, 50), ("Stunt Kite", 15, 60),
    ),
}  # fmt: skip
AIRPORTS = {
    "Paris": "CDG", "London": "LHR", "Berlin": "BER", "Madrid": "MAD", "Rome": "FCO", "Amsterdam": "AMS",
    "Lisbon": "LIS", "Istanbul": "IST", "Dubai": "DXB", "Singapore": "SIN", "Tokyo": "HND", "Sydney": "SYD",
    "New York": "JFK", "Chicago": "ORD", "Los Angeles": "LAX", "Toronto": "YYZ", "Mexico City": "MEX",
}  # fmt: skip
ROUTES = (
    ("Paris", "London"), ("Paris", "Rome"), ("London", "New York"), ("Berlin", "Madrid"), ("Amsterdam", "Lisbon"),
    ("Istanbul", "Dubai"), ("Dubai", "Singapore"), ("Singapore", "Tokyo"), ("Tokyo", "Sydney"),
    ("New York", "Chicago"), ("Chicago", "Los Angeles"), ("Toronto", "Mexico City"),
)  # fmt: skip
FLIGHTS_PER_ROUTE = 4
FIRST_FLIGHT_DATE = datetime.date(2024, 7, 1)


def _customers(rng: random.Random) -> dict[str, dict[str, Any]]:
    lasts = list(LAST_NAMES)
    rng.shuffle(lasts)
    rows = {}
    for i, (first, last) in enumerate(zip(FIRST_NAMES, lasts, strict=True), start=1):
        cid = f"C{i:03d}"
        email = f"{first}.{last}@example.com".lower()
        tier = rng.choices(TIERS, weights=(5, 3, 2, 1))[0]
        rows[cid] = {"id": cid, "name": f"{first} {last}", "email": email, "city": rng.choice(CITY_NAMES), "tier": tier}
    return rows


def _products(rng: random.Random) -> dict[str, dict[str, Any]]:
    rows = {}
    for category, names in PRODUCT_NAMES.items():
        for name, low, high in names:
            pid = f"P{len(rows) + 1:03d}"
            sku = f"{category[:3].upper()}-{rng.randint(1000, 9999)}"
            price = round(rng.uniform(low, high), 2)
            stock = rng.choice((0, 2, 4)) if rng.random() < 0.12 else rng.randint(10, 150)
            rows[pid] = {"id": pid, "sku": sku, "name": name, "category": category, "price": price, "stock": stock}
    return rows


def _orders(rng: random.Random, customers: dict, products: dict) -> dict[str, dict[str, Any]]:
    stocked = sorted(pid for pid, p in products.items() if p["stock"] >= 10)
    rows = {}
    for i in range(1, 37):
        picked = sorted(rng.sample(stocked, rng.randint(1, 3)))
        items = {pid: rng.randint(1, 3) for pid in picked}
        day = datetime.date(2024, 1, 1) + datetime.timedelta(days=rng.randint(0, 180))
        oid = f"O{i:03d}"
        rows[oid] = {
            "id": oid,
            "customer_id": rng.choice(sorted(customers)),
            "items": items,
            "status": rng.choice(ORDER_STATUSES),
            "date": day.isoformat(),
            "total": round(sum(products[p]["price"] * q for p, q in items.items()), 2),
        }
    return rows


def _flights(rng: random.Random) -> dict[str, dict[str, Any]]:
    rows = {}
    for a, b in ROUTES:
        base_price = 60 + 0.09 * city_distance_km(a, b)
        for k in range(FLIGHTS_PER_ROUTE):
            origin, destination = (a, b) if k % 2 == 0 else (b, a)
            fid = f"FL{101 + len(rows)}"
            day = FIRST_FLIGHT_DATE + datetime.timedelta(days=rng.randint(0, 13))
            rows[fid] = {
                "id": fid,
                "airline": rng.choice(AIRLINES),
                "origin": origin,
                "origin_airport": AIRPORTS[origin],
                "destination": destination,
                "destination_airport": AIRPORTS[destination],
                "date": day.isoformat(),
                "departure_time": f"{rng.randint(6, 22):02d}:{rng.choice((0, 15, 30, 45)):02d}",
                "price": round(base_price * rng.uniform(0.8, 1.5), 2),
                "seats_available": 0 if rng.random() < 0.08 else rng.randint(3, 60),
            }
    return rows


def _bookings(rng: random.Random, customers: dict, flights: dict) -> dict[str, dict[str, Any]]:
    rows = {}
    for i in range(1, 13):
        fid = rng.choice(sorted(flights))
        seat_class = rng.choice(SEAT_CLASSES)
        bid = f"B{i:03d}"
        rows[bid] = {
            "id": bid,
            "flight_id": fid,
            "customer_id": rng.choice(sorted(customers)),
            "seat_class": seat_class,
            "price": round(flights[fid]["price"] * SEAT_CLASS_MULTIPLIER[seat_class], 2),
            "status": "confirmed",
        }
    return rows


def _build() -> dict[str, dict[str, dict[str, Any]]]:
    rng = random.Random(SEED)
    customers = _customers(rng)
    products = _products(rng)
    flights = _flights(rng)
    return {
        "customers": customers,
        "products": products,
        "orders": _orders(rng, customers, products),
        "flights": flights,
        "bookings": _bookings(rng, customers, flights),
    }


INITIAL = _build()
_SNAPSHOT = pickle.dumps(INITIAL)
CUSTOMERS: dict[str, dict[str, Any]] = {}
PRODUCTS: dict[str, dict[str, Any]] = {}
ORDERS: dict[str, dict[str, Any]] = {}
FLIGHTS: dict[str, dict[str, Any]] = {}
BOOKINGS: dict[str, dict[str, Any]] = {}
_TABLES = {"customers": CUSTOMERS, "products": PRODUCTS, "orders": ORDERS, "flights": FLIGHTS, "bookings": BOOKINGS}


def reset() -> None:
    """Restore every table to the initial, seed-generated contents."""
    fresh = pickle.loads(_SNAPSHOT)  # a C-speed deep copy of the initial tables
    for name, table in _TABLES.items():
        table.clear()
        table.update(fresh[name])


def _get(table: str, key: str, label: str) -> dict[str, Any]:
    row = _TABLES[table].get(key.strip().upper())
    if row is None:
        raise ValueError(f"unknown {label} {key!r}")
    return row


def customer(customer_id: str) -> dict[str, Any]:
    """The live customer row. Raises ValueError when unknown."""
    return _get("customers", customer_id, "customer id")


def product(product_id: str) -> dict[str, Any]:
    """The live product row. Raises ValueError when unknown."""
    return _get("products", product_id, "product id")


def order(order_id: str) -> dict[str, Any]:
    """The live order row. Raises ValueError when unknown."""
    return _get("orders", order_id, "order id")


def flight(flight_id: str) -> dict[str, Any]:
    """The live flight row. Raises ValueError when unknown."""
    return _get("flights", flight_id, "flight id")


def booking(booking_id: str) -> dict[str, Any]:
    """The live booking row. Raises ValueError when unknown."""
    return _get("bookings", booking_id, "booking id")


# Samplers: arguments drawn from the initial data, so they are valid right after a reset.


def initial_ids(table: str, **where: Any) -> list[str]:
    """Sorted ids of the initial rows of `table` whose fields equal `where`."""
    return sorted(k for k, row in INITIAL[table].items() if all(row[f] == v for f, v in where.items()))


def sample_customer_id(rng: random.Random) -> dict[str, Any]:
    return {"customer_id": rng.choice(initial_ids("customers"))}


def sample_product_id(rng: random.Random) -> dict[str, Any]:
    return {"product_id": rng.choice(initial_ids("products"))}


def sample_order_id(rng: random.Random) -> dict[str, Any]:
    return {"order_id": rng.choice(initial_ids("orders"))}


def sample_email(rng: random.Random) -> dict[str, Any]:
    return {"email": INITIAL["customers"][rng.choice(initial_ids("customers"))]["email"]}


def _search(rng: random.Random) -> tuple[dict[str, Any], dict[str, Any]]:
    prod = INITIAL["products"][rng.choice(initial_ids("products"))]
    words = [w for w in prod["name"].lower().split() if len(w) > 3] or [prod["name"].lower()]
    return {"query": rng.choice(words)}, prod


def sample_search(rng: random.Random) -> dict[str, Any]:
    return _search(rng)[0]


def sample_search_under_price(rng: random.Random) -> dict[str, Any]:
    args, prod = _search(rng)
    return {**args, "max_price": float(math.ceil(prod["price"] * rng.uniform(1.0, 1.6)))}


def sample_search_in_category(rng: random.Random) -> dict[str, Any]:
    args, prod = _search(rng)
    return {**args, "category": prod["category"]}


def sample_new_order(rng: random.Random) -> dict[str, Any]:
    stocked = [p for p in initial_ids("products") if INITIAL["products"][p]["stock"] >= 5]
    items = {p: rng.randint(1, 3) for p in sorted(rng.sample(stocked, rng.randint(1, 3)))}
    return {**sample_customer_id(rng), "items": items}


def sample_status_change(rng: random.Random) -> dict[str, Any]:
    open_ids = [o for o in initial_ids("orders") if INITIAL["orders"][o]["status"] not in FINAL_STATUSES]
    oid = rng.choice(open_ids)
    return {"order_id": oid, "status": rng.choice([s for s in ORDER_STATUSES if s != INITIAL["orders"][oid]["status"]])}


def sample_email_change(rng: random.Random) -> dict[str, Any]:
    cid = sample_customer_id(rng)["customer_id"]
    first = INITIAL["customers"][cid]["name"].split()[0].lower()
    return {"customer_id": cid, "new_email": f"{first}{rng.randint(10, 99)}@{rng.choice(('mail.com', 'inbox.org'))}"}


reset()
