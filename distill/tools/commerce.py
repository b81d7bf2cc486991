"""Commerce tools over the in-memory store: customers, products and orders (stateful)."""

from __future__ import annotations

import copy
from typing import Literal

from distill.tools import store
from distill.tools.base import Composition, Fallback, Intent, compose, fallback, tool

ProductCategory = Literal["electronics", "books", "home", "clothing", "sports", "toys"]
OrderStatus = Literal["pending", "paid", "shipped", "delivered", "cancelled"]

reset = store.reset


@tool(
    domain="commerce",
    stateful=True,
    templates=(
        "Look up customer {customer_id}.",
        "Who is customer {customer_id}?",
        "Pull up the account details for customer ID {customer_id}.",
        "Can you fetch the profile of customer {customer_id}?",
        "I need the name and email on file for {customer_id}.",
        "Show me everything we have on customer number {customer_id}.",
        "What loyalty tier is customer {customer_id} in, and where do they live?",
        "Retrieve the record for client {customer_id}, please.",
    ),
    sample=store.sample_customer_id,
    vague=("Can you pull up the customer's account?", "Look up that customer for me."),
)
def get_customer(customer_id: str) -> dict:
    """Get a customer's profile by id.

    Args:
        customer_id: The customer id, e.g. "C001".

    Returns:
        A dict with id, name, email, city and loyalty tier.
    """
    return dict(store.customer(customer_id))


@tool(
    domain="commerce",
    stateful=True,
    templates=(
        "Find the customer with email {email}.",
        "Who owns the email address {email}?",
        "Look up the account registered to {email}.",
        "Which customer uses {email}?",
        "I got a message from {email}; can you find their customer record?",
        "Search customers by email: {email}.",
        "Is there a customer with the address {email}? Show me their profile.",
        "Get me the customer ID belonging to {email}.",
    ),
    sample=store.sample_email,
)
def find_customer_by_email(email: str) -> dict:
    """Find a customer by email address (case-insensitive).

    Args:
        email: The customer's email address.

    Returns:
        The customer's profile: id, name, email, city and tier.
    """
    wanted = email.strip().casefold()
    for row in store.CUSTOMERS.values():
        if row["email"] == wanted:
            return dict(row)
    raise ValueError(f"no customer with email {email!r}")


@tool(
    domain="commerce",
    stateful=True,
    templates=(
        "Search the catalog for {query}.",
        "Do you sell anything matching '{query}'?",
        "Show me products related to {query}.",
        "I'm looking for a {query}. What do you have?",
        "Find items with {query} in the name.",
        "What {query} products are available in the shop?",
        "List everything in the store that comes up for the search term {query}.",
        "Got any {query}? Show me the options.",
    ),
    sample=store.sample_search,
    intents=(
        Intent(
            templates=(
                "Search for {query} under {max_price:g}.",
                "Show me {query} products that cost at most {max_price:g}.",
                "I want a {query} but my budget is {max_price:g}. What can I get?",
                "Find {query} items priced no higher than {max_price:g}.",
                "Any {query} for {max_price:g} or less?",
                "List {query} options below a maximum price of {max_price:g}.",
                "What {query} do you have that won't cost me more than {max_price:g}?",
                "Filter the catalog: {query}, max price {max_price:g}.",
            ),
            sample=store.sample_search_under_price,
        ),
        Intent(
            templates=(
                "Search the {category} category for {query}.",
                "Show me {query} products in {category}.",
                "Within {category}, what do you have matching {query}?",
                "Find {query} among your {category} items.",
                "I'm browsing {category}; anything called {query}?",
                "Look for {query}, restricted to the {category} section.",
                "List {category} products that match '{query}'.",
                "Do you carry any {query} in the {category} department?",
            ),
            sample=store.sample_search_in_category,
        ),
    ),
)
def search_products(query: str, max_price: float | None = None, category: ProductCategory | None = None) -> list[dict]:
    """Search the product catalog by name, optionally filtered by maximum price and category.

    Args:
        query: Words to look for in the product name or category (case-insensitive).
        max_price: Only include products at or below this price.
        category: Only include products of this category.

    Returns:
        Matching products (id, name, category, price, stock), cheapest first.
    """
    q = query.strip().casefold()
    hits = [
        {k: p[k] for k in ("id", "name", "category", "price", "stock")}
        for p in store.PRODUCTS.values()
        if q in p["name"].casefold() or q == p["category"]
    ]
    hits = [p for p in hits if (max_price is None or p["price"] <= max_price) and category in (None, p["category"])]
    return sorted(hits, key=lambda p: (p["price"], p["id"]))


@tool(
    domain="commerce",
    stateful=True,
    templates=(
        "Show me the details of product {product_id}.",
        "What is product {product_id}?",
        "How much does item {product_id} cost?",
        "Give me the name, price and category of {product_id}.",
        "Pull up the product page info for {product_id}.",
        "I saw product code {product_id} in an ad. What is it and what's the price?",
        "Fetch product {product_id} from the catalog.",
        "Tell me about catalogue item {product_id}.",
    ),
    sample=store.sample_product_id,
)
def get_product_details(product_id: str) -> dict:
    """Get a product's catalog entry.

    Args:
        product_id: The product id, e.g. "P001".

    Returns:
        A dict with id, sku, name, category, price and stock.
    """
    return dict(store.product(product_id))


@tool(
    domain="commerce",
    stateful=True,
    templates=(
        "Is product {product_id} in stock?",
        "How many units of {product_id} do you have left?",
        "Check the stock level for item {product_id}.",
        "Can I still buy {product_id}, or is it sold out?",
        "What's the inventory count for product {product_id}?",
        "Do we have any {product_id} in the warehouse?",
        "Stock check on {product_id}, please.",
        "Before I order, tell me whether {product_id} is available.",
    ),
    sample=store.sample_product_id,
)
def check_product_stock(product_id: str) -> dict:
    """Check how many units of a product are in stock.

    Args:
        product_id: The product id, e.g. "P001".

    Returns:
        A dict with product_id, name, stock and in_stock.
    """
    p = store.product(product_id)
    return {"product_id": p["id"], "name": p["name"], "stock": p["stock"], "in_stock": p["stock"] > 0}


@tool(
    domain="commerce",
    stateful=True,
    templates=(
        "Show me order {order_id}.",
        "What's the status of order {order_id}?",
        "Look up order number {order_id}.",
        "Can you tell me what's in order {order_id} and how much it cost?",
        "Where is my order {order_id} at?",
        "Fetch the details of purchase {order_id}.",
        "I need the full record for order {order_id}.",
        "Check on order {order_id} for me.",
    ),
    sample=store.sample_order_id,
    vague=("What's the status of my order?", "Can you check on my order?"),
)
def get_order(order_id: str) -> dict:
    """Get an order by id.

    Args:
        order_id: The order id, e.g. "O001".

    Returns:
        A dict with id, customer_id, items (product id to quantity), status, date and total.
    """
    return copy.deepcopy(store.order(order_id))


@tool(
    domain="commerce",
    stateful=True,
    templates=(
        "Show me all orders for customer {customer_id}.",
        "What has customer {customer_id} ordered?",
        "List the order history of {customer_id}.",
        "Pull up every purchase made by customer {customer_id}.",
        "Which orders belong to {customer_id}?",
        "I'd like to review customer {customer_id}'s past orders.",
        "Get the orders placed by client {customer_id}.",
        "Has {customer_id} bought anything? List their orders.",
    ),
    sample=store.sample_customer_id,
    intents=(
        Intent(
            templates=(
                "Show me the {status} orders of customer {customer_id}.",
                "Which of {customer_id}'s orders are {status}?",
                "List orders with status {status} for customer {customer_id}.",
                "Does {customer_id} have any {status} orders?",
                "Filter customer {customer_id}'s order history to {status} ones.",
                "Get all {status} purchases for client {customer_id}.",
                "How many orders of {customer_id} are currently {status}? List them.",
                "Pull up {customer_id}'s orders, only those marked {status}.",
            ),
            sample=lambda rng: {**store.sample_customer_id(rng), "status": rng.choice(store.ORDER_STATUSES)},
        ),
    ),
)
def list_customer_orders(customer_id: str, status: OrderStatus | None = None) -> list[dict]:
    """List a customer's orders, optionally only those with a given status.

    Args:
        customer_id: The customer id, e.g. "C001".
        status: Only include orders with this status.

    Returns:
        Orders (id, date, status, total) in id order.
    """
    cid = store.customer(customer_id)["id"]
    return [
        {k: o.get(k) for k in ("id", "date", "status", "total")}
        for o in store.ORDERS.values()
        if o["customer_id"] == cid and status in (None, o["status"])
    ]


@tool(
    domain="commerce",
    stateful=True,
    templates=(
        "Place an order for customer {customer_id}: {items} (product id and quantity).",
        "Create a new order for {customer_id} with these products and quantities: {items}.",
        "Customer {customer_id} wants to buy {items}. Please put the order through.",
        "Order {items} for customer {customer_id} (product, quantity).",
        "Set up a purchase for {customer_id}; items and counts: {items}.",
        "Please check out the following cart for {customer_id}: {items}.",
        "Make an order on behalf of {customer_id} containing {items} (id then quantity).",
        "Book a new order, customer {customer_id}, line items {items}.",
    ),
    sample=store.sample_new_order,
    vague=("I'd like to place an order.", "Please order {items} for me (product id, quantity)."),
)
def create_order(customer_id: str, items: dict[str, int]) -> dict:
    """Create a pending order for a customer and reserve the stock.

    Args:
        customer_id: The customer placing the order, e.g. "C001".
        items: Mapping of product id to quantity, e.g. {"P003": 2}.

    Returns:
        The new order with id, customer_id, items, status and total.
    """
    cid = store.customer(customer_id)["id"]
    if not items:
        raise ValueError("an order needs at least one item")
    lines = {store.product(pid)["id"]: qty for pid, qty in items.items()}
    for pid, qty in lines.items():
        if qty <= 0 or store.PRODUCTS[pid]["stock"] < qty:
            raise ValueError(f"cannot order {qty} of {pid}: {store.PRODUCTS[pid]['stock']} in stock")
    for pid, qty in lines.items():
        store.PRODUCTS[pid]["stock"] -= qty
    oid = f"O{len(store.ORDERS) + 1:03d}"
    total = round(sum(store.PRODUCTS[pid]["price"] * qty for pid, qty in lines.items()), 2)
    new = {"id": oid, "customer_id": cid, "items": lines, "status": "pending", "date": None, "total": total}
    store.ORDERS[oid] = new
    return copy.deepcopy(store.ORDERS[oid])


@tool(
    domain="commerce",
    stateful=True,
    templates=(
        "Mark order {order_id} as {status}.",
        "Change the status of {order_id} to {status}.",
        "Update order {order_id}: it is now {status}.",
        "Please set order {order_id}'s status to {status}.",
        "Order {order_id} should be {status}; update it.",
        "Flag {order_id} as {status} in the system.",
        "The warehouse says order {order_id} is {status}. Record that.",
        "Switch order number {order_id} over to {status}.",
    ),
    sample=store.sample_status_change,
    vague=("Mark my order as {status}.", "Update the order status, please."),
)
def update_order_status(order_id: str, status: OrderStatus) -> dict:
    """Change an order's status; cancelling returns its items to stock.

    Args:
        order_id: The order id, e.g. "O001".
        status: The new status.

    Returns:
        The updated order.
    """
    row = store.order(order_id)
    if status not in store.ORDER_STATUSES:
        raise ValueError(f"unknown status {status!r}; use one of {', '.join(store.ORDER_STATUSES)}")
    if row["status"] in store.FINAL_STATUSES:
        raise ValueError(f"order {row['id']} is already {row['status']} and cannot change")
    if status == "cancelled":
        for pid, qty in row["items"].items():
            store.PRODUCTS[pid]["stock"] += qty
    row["status"] = status
    return copy.deepcopy(row)


@tool(
    domain="commerce",
    stateful=True,
    templates=(
        "Change the email of customer {customer_id} to {new_email}.",
        "Update {customer_id}'s email address to {new_email}.",
        "Customer {customer_id} has a new email: {new_email}. Please save it.",
        "Set the contact email for {customer_id} to {new_email}.",
        "Replace the email on file for {customer_id} with {new_email}.",
        "{customer_id} asked us to switch their email to {new_email}.",
        "Please record {new_email} as the new address for customer {customer_id}.",
        "Edit customer {customer_id}: email should be {new_email}.",
    ),
    sample=store.sample_email_change,
)
def update_customer_email(customer_id: str, new_email: str) -> dict:
    """Change a customer's email address.

    Args:
        customer_id: The customer id, e.g. "C001".
        new_email: The new email address.

    Returns:
        The updated customer profile.
    """
    row = store.customer(customer_id)
    email = new_email.strip().casefold()
    local, _, domain = email.partition("@")
    if not local or "." not in domain:
        raise ValueError(f"invalid email address {new_email!r}")
    if any(c["email"] == email and c["id"] != row["id"] for c in store.CUSTOMERS.values()):
        raise ValueError(f"email {new_email!r} already belongs to another customer")
    row["email"] = email
    return dict(row)


compose(
    Composition(
        first="find_customer_by_email",
        second="list_customer_orders",
        param="customer_id",
        key="id",
        sample=lambda rng: (store.sample_email(rng), {}),
        templates=(
            "Show me all orders of the customer whose email is {a[email]}.",
            "What has {a[email]} ordered from us?",
            "Find the customer with email {a[email]} and list their orders.",
            "List the order history for the account registered to {a[email]}.",
            "I got a complaint from {a[email]}; pull up all their orders.",
            "Which orders were placed by whoever uses {a[email]}?",
            "Look up {a[email]}'s customer id, then get their orders.",
            "Can you show the purchases made by the customer at {a[email]}?",
        ),
    )
)
compose(
    Composition(
        first="get_order",
        second="get_customer",
        param="customer_id",
        key="customer_id",
        sample=lambda rng: (store.sample_order_id(rng), {}),
        templates=(
            "Who placed order {a[order_id]}?",
            "Get the profile of the customer behind order {a[order_id]}.",
            "Which customer does order {a[order_id]} belong to, and what's their email?",
            "Look up order {a[order_id]} and then show me the customer who made it.",
            "I need the contact details of whoever ordered {a[order_id]}.",
            "Find the buyer of order {a[order_id]}.",
            "Whose order is {a[order_id]}? Give me their customer record.",
            "Pull up the customer account linked to order number {a[order_id]}.",
        ),
    )
)
compose(
    Composition(
        first="get_order",
        second="create_order",
        param="items",
        key="items",
        sample=lambda rng: (store.sample_order_id(rng), store.sample_customer_id(rng)),
        templates=(
            "Reorder the same items as order {a[order_id]} for customer {b[customer_id]}.",
            "Customer {b[customer_id]} wants exactly what was in order {a[order_id]}. Place that order.",
            "Copy the items of order {a[order_id]} into a new order for {b[customer_id]}.",
            "Create an order for {b[customer_id]} with the same products and quantities as {a[order_id]}.",
            "Duplicate order {a[order_id]} on behalf of customer {b[customer_id]}.",
            "Take the line items of {a[order_id]} and order them again for {b[customer_id]}.",
            "{b[customer_id]} liked order {a[order_id]} so much they want it again. Set it up.",
            "Place a repeat of order {a[order_id]} for customer {b[customer_id]}.",
        ),
    )
)
fallback(Fallback(primary="check_product_stock", alternative="get_product_details", convert=lambda a: dict(a)))
