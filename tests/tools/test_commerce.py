import pytest

from distill.tools import commerce, store
from distill.tools.commerce import (
    check_product_stock,
    create_order,
    find_customer_by_email,
    get_customer,
    get_order,
    list_customer_orders,
    search_products,
    update_customer_email,
    update_order_status,
)


@pytest.fixture(autouse=True)
def fresh_store():
    commerce.reset()
    yield
    commerce.reset()


def test_initial_store_is_deterministic_and_large_enough():
    assert len(store.CUSTOMERS) >= 30 and len(store.PRODUCTS) >= 40 and len(store.ORDERS) >= 30
    assert len(store.FLIGHTS) >= 40
    assert store._build() == store.INITIAL
    assert get_customer("C001") == store.INITIAL["customers"]["C001"]


def test_customer_can_be_found_by_email_in_any_case():
    email = get_customer("C007")["email"]
    assert find_customer_by_email(email.upper())["id"] == "C007"
    with pytest.raises(ValueError, match="no customer"):
        find_customer_by_email("nobody@example.com")


def test_create_order_reserves_stock_and_reset_restores_it():
    before_stock = check_product_stock("P001")["stock"]
    order = create_order("C003", {"P001": 2})
    assert order["status"] == "pending" and order["items"] == {"P001": 2}
    assert order["total"] == round(2 * store.PRODUCTS["P001"]["price"], 2)
    assert get_order(order["id"])["customer_id"] == "C003"
    assert check_product_stock("P001")["stock"] == before_stock - 2
    commerce.reset()
    assert check_product_stock("P001")["stock"] == before_stock
    with pytest.raises(ValueError, match="unknown order"):
        get_order(order["id"])


def test_create_order_rejects_more_than_the_stock():
    with pytest.raises(ValueError, match="in stock"):
        create_order("C003", {"P001": 10_000})
    with pytest.raises(ValueError, match="unknown product"):
        create_order("C003", {"P999": 1})


def test_cancelling_an_order_returns_items_to_stock_and_is_final():
    oid = next(o for o, row in store.ORDERS.items() if row["status"] == "pending")
    items = get_order(oid)["items"]
    stock = {pid: store.PRODUCTS[pid]["stock"] for pid in items}
    assert update_order_status(oid, "cancelled")["status"] == "cancelled"
    assert all(store.PRODUCTS[pid]["stock"] == stock[pid] + qty for pid, qty in items.items())
    with pytest.raises(ValueError, match="cannot change"):
        update_order_status(oid, "paid")


def test_list_customer_orders_filters_by_status():
    cid = store.ORDERS["O001"]["customer_id"]
    everything = list_customer_orders(cid)
    assert "O001" in {o["id"] for o in everything}
    status = store.ORDERS["O001"]["status"]
    assert all(o["status"] == status for o in list_customer_orders(cid, status=status))


def test_search_products_applies_price_and_category_filters():
    hits = search_products("mug")
    assert hits and all("mug" in p["name"].lower() for p in hits)
    assert search_products("mug", max_price=0.5) == []
    assert search_products("mug", category="toys") == []
    books = search_products("books")
    assert books == sorted(books, key=lambda p: (p["price"], p["id"]))


def test_update_customer_email_rejects_duplicates():
    taken = get_customer("C002")["email"]
    with pytest.raises(ValueError, match="another customer"):
        update_customer_email("C001", taken)
    assert update_customer_email("C001", "New.Address@Mail.com")["email"] == "new.address@mail.com"
