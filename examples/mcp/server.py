"""A kitchen helper as an MCP server over stdio: ``python examples/mcp/server.py``.

An example of a user's own MCP server for ``tools=mcp tools.command=[python,examples/mcp/server.py]``.
Every tool is deterministic and offline (the recipes and the pantry are constants below), so a call's
result can be checked against a gold answer. The tools cover the shapes an MCP client meets: objects
(returned as they are), numbers, strings and lists (which the SDK wraps as ``{"result": ...}``), an
enum parameter and a parameter with a default. Expected failures raise `ToolError`, whose message the
SDK passes on to the caller (any other exception reaches it only as "Error executing tool ...").
"""

from __future__ import annotations

import math
import os
from typing import Literal

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

Cuisine = Literal["american", "indian", "italian", "japanese", "mexican"]
Unit = Literal["g", "kg", "oz", "lb", "ml", "l", "tsp", "tbsp", "cup"]
Method = Literal["bake", "boil", "fry", "grill", "roast", "steam"]

RECIPES: dict[str, dict] = {
    "pancakes": {"cuisine": "american", "servings": 4,
                 "ingredients": {"flour": 200, "milk": 300, "eggs": 2, "sugar": 25, "butter": 30}},
    "carbonara": {"cuisine": "italian", "servings": 2,
                  "ingredients": {"spaghetti": 200, "eggs": 3, "pecorino": 50, "guanciale": 100}},
    "risotto": {"cuisine": "italian", "servings": 4,
                "ingredients": {"rice": 320, "stock": 1200, "butter": 40, "parmesan": 60, "onion": 1}},
    "dal": {"cuisine": "indian", "servings": 4,
            "ingredients": {"lentils": 250, "onion": 1, "tomato": 2, "ghee": 20, "water": 900}},
    "guacamole": {"cuisine": "mexican", "servings": 4,
                  "ingredients": {"avocado": 3, "lime": 1, "onion": 1, "tomato": 1}},
    "miso_soup": {"cuisine": "japanese", "servings": 2,
                  "ingredients": {"dashi": 500, "miso": 40, "tofu": 150}},
}
"""Ingredient quantities per recipe, in each ingredient's pantry unit (`UNITS`)."""

UNITS = {"flour": "g", "milk": "ml", "eggs": "count", "sugar": "g", "butter": "g", "spaghetti": "g",
         "pecorino": "g", "guanciale": "g", "rice": "g", "stock": "ml", "parmesan": "g", "onion": "count",
         "lentils": "g", "tomato": "count", "ghee": "g", "water": "ml", "avocado": "count", "lime": "count",
         "dashi": "ml", "miso": "g", "tofu": "g"}

PANTRY = {"flour": 500, "milk": 1000, "eggs": 6, "sugar": 400, "butter": 50, "spaghetti": 500, "rice": 1000,
          "onion": 2, "tomato": 0, "lentils": 100, "water": 10_000, "miso": 0}
"""What is in stock, in each ingredient's unit; an ingredient not listed is out of stock."""

_GRAMS = {"g": 1.0, "kg": 1000.0, "oz": 28.349523125, "lb": 453.59237}
_MILLILITRES = {"ml": 1.0, "l": 1000.0, "tsp": 4.92892159375, "tbsp": 14.78676478125, "cup": 236.5882365}
_MINUTES_PER_100G = {"bake": 6.0, "boil": 4.0, "fry": 3.0, "grill": 3.5, "roast": 5.0, "steam": 4.5}
_BASE_MINUTES = {"bake": 15, "boil": 10, "fry": 5, "grill": 8, "roast": 20, "steam": 8}

mcp = MCPServer("kitchen")


def _recipe(recipe: str) -> dict:
    if recipe not in RECIPES:
        raise ToolError(f"unknown recipe {recipe!r}; known: {', '.join(sorted(RECIPES))}")
    return RECIPES[recipe]


@mcp.tool()
def scale_recipe(recipe: str, servings: int) -> dict[str, float]:
    """Scale a recipe's ingredient quantities to a number of servings.

    Args:
        recipe: Recipe name, e.g. "pancakes".
        servings: How many servings to make (at least 1).

    Returns:
        Ingredient name -> quantity for that many servings, in the ingredient's pantry unit.
    """
    if servings < 1:
        raise ToolError("servings must be at least 1")
    found = _recipe(recipe)
    factor = servings / found["servings"]
    return {name: round(amount * factor, 2) for name, amount in found["ingredients"].items()}


@mcp.tool()
def convert_units(quantity: float, from_unit: Unit, to_unit: Unit) -> float:
    """Convert a cooking quantity between units of mass (g, kg, oz, lb) or of volume (ml, l, tsp, tbsp, cup).

    Args:
        quantity: The amount to convert.
        from_unit: The unit the amount is in.
        to_unit: The unit to convert to (same kind: mass to mass, volume to volume).
    """
    for table in (_GRAMS, _MILLILITRES):
        if from_unit in table and to_unit in table:
            return round(quantity * table[from_unit] / table[to_unit], 3)
    raise ToolError(f"cannot convert {from_unit} to {to_unit}: one is a mass and the other a volume")


@mcp.tool()
def pantry_stock(item: str) -> float:
    """How much of an ingredient is in the pantry, in its pantry unit (0 when out of stock).

    Args:
        item: Ingredient name, e.g. "flour".
    """
    if item not in UNITS:
        raise ToolError(f"unknown ingredient {item!r}")
    return float(PANTRY.get(item, 0))


@mcp.tool()
def cooking_time(weight_g: float, method: Method = "roast") -> int:
    """Estimate the cooking time of a dish from its weight and cooking method, in whole minutes.

    Args:
        weight_g: Weight of the dish in grams.
        method: How it is cooked.
    """
    if weight_g <= 0:
        raise ToolError("weight_g must be positive")
    return math.ceil(_BASE_MINUTES[method] + _MINUTES_PER_100G[method] * weight_g / 100)


@mcp.tool()
def recipes_by_cuisine(cuisine: Cuisine) -> list[str]:
    """List the recipes of a cuisine, sorted by name.

    Args:
        cuisine: The cuisine.
    """
    return sorted(name for name, found in RECIPES.items() if found["cuisine"] == cuisine)


@mcp.tool()
def shopping_list(needed: dict[str, float]) -> dict[str, float]:
    """What to buy: the part of each needed quantity that the pantry does not cover.

    Args:
        needed: Ingredient name -> quantity needed (e.g. the output of scale_recipe).

    Returns:
        Ingredient name -> quantity to buy, only for ingredients short in the pantry.
    """
    short = {name: round(amount - PANTRY.get(name, 0), 2) for name, amount in needed.items()}
    return {name: amount for name, amount in sorted(short.items()) if amount > 0}


@mcp.tool()
def describe_recipe(recipe: str) -> str:
    """A one-line description of a recipe: cuisine, servings and ingredients with their units.

    Args:
        recipe: Recipe name, e.g. "dal".
    """
    found = _recipe(recipe)
    items = ", ".join(f"{amount} {UNITS[name]} {name}" for name, amount in found["ingredients"].items())
    return f"{recipe} ({found['cuisine']}, serves {found['servings']}): {items}"


if os.environ.get("DISTILL_MCP_TEST_SLOW") == "1":
    # For distill's own tests only: a call that outlasts any timeout, so they can check the timeout path.
    @mcp.tool()
    async def slow_simmer(seconds: float) -> str:
        """Wait, then answer (test-only).

        Args:
            seconds: How long to wait.
        """
        await anyio.sleep(seconds)
        return "done"


if __name__ == "__main__":
    mcp.run("stdio")
