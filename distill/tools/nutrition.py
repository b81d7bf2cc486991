"""Nutrition: a bundled food table (per 100 g), body metrics and daily energy needs."""

import random
from typing import Literal

from distill.tools.base import Composition, Fallback, Intent, compose, fallback, tool

# kcal, protein g, fat g, carbohydrate g per 100 g (rounded USDA FoodData Central values).
FOODS: dict[str, tuple[float, float, float, float]] = {
    "apple": (52, 0.3, 0.2, 13.8),
    "banana": (89, 1.1, 0.3, 22.8),
    "orange": (47, 0.9, 0.1, 11.8),
    "strawberries": (32, 0.7, 0.3, 7.7),
    "avocado": (160, 2.0, 14.7, 8.5),
    "broccoli": (34, 2.8, 0.4, 6.6),
    "spinach": (23, 2.9, 0.4, 3.6),
    "carrot": (41, 0.9, 0.2, 9.6),
    "potato": (77, 2.0, 0.1, 17.5),
    "sweet potato": (86, 1.6, 0.1, 20.1),
    "white rice": (130, 2.7, 0.3, 28.2),
    "brown rice": (123, 2.7, 1.0, 25.6),
    "pasta": (158, 5.8, 0.9, 30.9),
    "oats": (389, 16.9, 6.9, 66.3),
    "whole wheat bread": (247, 13.0, 3.4, 41.0),
    "chicken breast": (165, 31.0, 3.6, 0.0),
    "salmon": (208, 20.4, 13.4, 0.0),
    "tuna": (116, 25.5, 0.8, 0.0),
    "ground beef": (250, 26.0, 15.0, 0.0),
    "egg": (143, 12.6, 9.5, 0.7),
    "tofu": (76, 8.1, 4.8, 1.9),
    "lentils": (116, 9.0, 0.4, 20.1),
    "chickpeas": (164, 8.9, 2.6, 27.4),
    "whole milk": (61, 3.2, 3.3, 4.8),
    "greek yogurt": (59, 10.2, 0.4, 3.6),
    "cheddar cheese": (403, 24.9, 33.1, 1.3),
    "almonds": (579, 21.2, 49.9, 21.6),
    "peanut butter": (588, 25.1, 50.4, 20.0),
    "olive oil": (884, 0.0, 100.0, 0.0),
    "dark chocolate": (598, 7.8, 42.6, 45.9),
    "honey": (304, 0.3, 0.0, 82.4),
}
Food = Literal[
    "apple", "banana", "orange", "strawberries", "avocado", "broccoli", "spinach", "carrot", "potato",
    "sweet potato", "white rice", "brown rice", "pasta", "oats", "whole wheat bread", "chicken breast", "salmon",
    "tuna", "ground beef", "egg", "tofu", "lentils", "chickpeas", "whole milk", "greek yogurt", "cheddar cheese",
    "almonds", "peanut butter", "olive oil", "dark chocolate", "honey",
]  # fmt: skip
Sex = Literal["male", "female"]
ActivityLevel = Literal["sedentary", "light", "moderate", "active", "very active"]
ACTIVITY_FACTORS = {"sedentary": 1.2, "light": 1.375, "moderate": 1.55, "active": 1.725, "very active": 1.9}
KCAL_PER_GRAM = {"protein": 4, "fat": 9, "carbs": 4}


def _positive(**values: float) -> None:
    for name, value in values.items():
        if value <= 0:
            raise ValueError(f"{name} must be positive, got {value}")


def _weight(rng: random.Random) -> float:
    return round(rng.uniform(45, 120), 1)


def _height(rng: random.Random) -> float:
    return round(rng.uniform(150, 200), 1)


def _grams(rng: random.Random) -> float:
    return float(rng.randrange(20, 400, 10))


def _facts(food: str, grams: float) -> dict[str, float]:
    if food not in FOODS:
        raise ValueError(f"unknown food {food!r}; known foods: {', '.join(FOODS)}")
    if grams < 0:
        raise ValueError(f"grams must not be negative, got {grams} for {food}")
    kcal, protein, fat, carbs = (v * grams / 100 for v in FOODS[food])
    return {"kcal": kcal, "protein_g": protein, "fat_g": fat, "carbs_g": carbs}


@tool(
    domain="nutrition",
    templates=(
        "What is the BMI of someone who weighs {weight_kg} kg and is {height_cm} cm tall?",
        "Calculate my BMI: I'm {height_cm} cm and {weight_kg} kg.",
        "I weigh {weight_kg} kilograms and my height is {height_cm} centimeters. What's my body mass index?",
        "Compute the body mass index for a weight of {weight_kg} kg at a height of {height_cm} cm.",
        "BMI for {weight_kg} kg, {height_cm} cm?",
        "My patient is {height_cm} cm tall and weighs {weight_kg} kg. What is their BMI?",
        "Work out the body mass index given height {height_cm} cm and weight {weight_kg} kg.",
        "If I'm {height_cm} cm tall, what's my BMI at {weight_kg} kg?",
    ),
    sample=lambda rng: {"weight_kg": _weight(rng), "height_cm": _height(rng)},
    vague=("What's my BMI?", "Can you calculate my body mass index? I'm {height_cm} cm tall."),
)
def body_mass_index(weight_kg: float, height_cm: float) -> float:
    """Compute the body mass index from weight and height.

    Args:
        weight_kg: Body weight in kilograms.
        height_cm: Height in centimeters.

    Returns:
        The BMI in kg/m², rounded to 1 decimal.
    """
    _positive(weight_kg=weight_kg, height_cm=height_cm)
    return round(weight_kg / (height_cm / 100) ** 2, 1)


@tool(
    domain="nutrition",
    templates=(
        "What weight category is a BMI of {bmi}?",
        "Is a BMI of {bmi} considered healthy?",
        "My BMI is {bmi}. Which category does that fall in?",
        "Classify a body mass index of {bmi} using the WHO categories.",
        "BMI {bmi}: underweight, normal, overweight or obese?",
        "Which BMI class does {bmi} belong to?",
        "The doctor said my BMI was {bmi}. What does that mean category-wise?",
        "Tell me the WHO weight status for a BMI of {bmi}.",
    ),
    sample=lambda rng: {"bmi": round(rng.uniform(15, 42), 1)},
)
def bmi_category(bmi: float) -> str:
    """Classify a body mass index into the WHO adult weight categories.

    Args:
        bmi: The body mass index in kg/m².

    Returns:
        "underweight", "normal weight", "overweight" or "obese".
    """
    _positive(bmi=bmi)
    if bmi < 18.5:
        return "underweight"
    if bmi < 25:
        return "normal weight"
    if bmi < 30:
        return "overweight"
    return "obese"


def _sample_body(rng: random.Random) -> dict[str, object]:
    return {"weight_kg": _weight(rng), "height_cm": _height(rng), "age_years": rng.randint(18, 80),
            "sex": rng.choice(["male", "female"])}  # fmt: skip


@tool(
    domain="nutrition",
    templates=(
        "What is the BMR of a {age_years}-year-old {sex} weighing {weight_kg} kg at {height_cm} cm?",
        "Calculate the basal metabolic rate for a {sex}, {age_years} years old, {height_cm} cm, {weight_kg} kg.",
        "I'm a {age_years} year old {sex}, {height_cm} cm tall and {weight_kg} kg. What's my BMR?",
        "How many calories does a {sex} of {age_years}, {weight_kg} kg and {height_cm} cm burn at rest per day?",
        "Estimate resting energy expenditure (Mifflin-St Jeor): sex {sex}, age {age_years}, weight {weight_kg} kg, "
        "height {height_cm} cm.",
        "BMR for {sex}, age {age_years}, {weight_kg} kg, {height_cm} cm?",
        "My client is {sex}, {age_years}, weighs {weight_kg} kg and stands {height_cm} cm. Compute their BMR.",
        "Work out the basal metabolic rate of a {height_cm} cm, {weight_kg} kg {sex} aged {age_years}.",
    ),
    sample=_sample_body,
)
def basal_metabolic_rate(weight_kg: float, height_cm: float, age_years: int, sex: Sex) -> float:
    """Estimate the basal metabolic rate with the Mifflin-St Jeor equation.

    Args:
        weight_kg: Body weight in kilograms.
        height_cm: Height in centimeters.
        age_years: Age in whole years.
        sex: The sex the equation's constant is chosen for.

    Returns:
        The BMR in kcal per day, rounded to 1 decimal.
    """
    _positive(weight_kg=weight_kg, height_cm=height_cm, age_years=age_years)
    if sex not in ("male", "female"):
        raise ValueError(f"sex must be 'male' or 'female', got {sex!r}")
    constant = 5 if sex == "male" else -161
    return round(10 * weight_kg + 6.25 * height_cm - 5 * age_years + constant, 1)


@tool(
    domain="nutrition",
    templates=(
        "My BMR is {bmr} kcal and my activity level is {activity_level}. How many calories do I need per day?",
        "Estimate daily calorie needs for a BMR of {bmr} kcal with a {activity_level} lifestyle.",
        "What's the TDEE for someone with a BMR of {bmr} who is {activity_level}?",
        "Given a basal metabolic rate of {bmr} kcal/day and {activity_level} activity, what's the maintenance intake?",
        "How many kcal a day to maintain weight: BMR {bmr}, activity {activity_level}?",
        "Multiply a BMR of {bmr} by the {activity_level} activity factor to get my daily energy needs.",
        "I burn {bmr} kcal at rest and my activity is {activity_level}. What's my total daily energy expenditure?",
        "Compute maintenance calories from BMR {bmr} kcal, activity level {activity_level}.",
    ),
    sample=lambda rng: {"bmr": round(rng.uniform(1200, 2200), 1), "activity_level": rng.choice(list(ACTIVITY_FACTORS))},
    vague=("How many calories should I eat per day?", "What's my maintenance calorie intake if I'm {activity_level}?"),
)
def daily_calorie_needs(bmr: float, activity_level: ActivityLevel) -> float:
    """Estimate total daily energy expenditure from the BMR and an activity level (Harris-Benedict factors).

    Args:
        bmr: Basal metabolic rate in kcal per day.
        activity_level: sedentary, light (1-3 workouts a week), moderate (3-5), active (6-7) or very active.

    Returns:
        The maintenance calories in kcal per day, rounded to whole kcal.
    """
    _positive(bmr=bmr)
    if activity_level not in ACTIVITY_FACTORS:
        raise ValueError(f"unknown activity_level {activity_level!r}; use one of {', '.join(ACTIVITY_FACTORS)}")
    return float(round(bmr * ACTIVITY_FACTORS[activity_level]))


@tool(
    domain="nutrition",
    intents=(
        Intent(
            templates=(
                "How many calories and macros are in {grams:g} g of {food}?",
                "Nutrition facts for {grams:g} grams of {food}, please.",
                "What are the protein, fat and carbs in {grams:g} g of {food}?",
                "I ate {grams:g} g of {food}. How many calories was that?",
                "Give me the kcal and macronutrients for a {grams:g} gram portion of {food}.",
                "How much protein does {grams:g}g of {food} have, and what else is in it?",
                "Look up the nutritional content of {food}, {grams:g} grams.",
                "{grams:g} g {food}: calories, protein, fat, carbohydrates?",
            ),
            sample=lambda rng: {"food": rng.choice(list(FOODS)), "grams": _grams(rng)},
            vague=("How many calories are in my lunch?", "What are the macros for {grams:g} grams of it?"),
        ),
        Intent(
            templates=(
                "What are the nutrition facts of {food} per 100 g?",
                "How many calories does {food} have?",
                "Give me the macros of {food}.",
                "Is {food} high in protein? Show me its nutrition values.",
                "Nutritional profile of {food}, please.",
                "How much fat and carbohydrate is in {food}?",
                "Tell me the kcal, protein, fat and carbs of {food} per hundred grams.",
                "What's in {food}, nutritionally speaking?",
            ),
            sample=lambda rng: {"food": rng.choice(list(FOODS))},
        ),
    ),
)
def food_nutrition_facts(food: Food, grams: float = 100.0) -> dict[str, float]:
    """Look up calories and macronutrients of a food from the bundled table.

    Args:
        food: The food, one of the bundled table's entries.
        grams: The portion size in grams (default 100).

    Returns:
        kcal, protein_g, fat_g and carbs_g for the portion, rounded to 1 decimal.
    """
    return {k: round(v, 1) for k, v in _facts(food, grams).items()}


def _sample_meal(rng: random.Random) -> dict[str, dict[str, float]]:
    foods = rng.sample(list(FOODS), rng.randint(2, 4))
    return {"portions": {food: _grams(rng) for food in foods}}


@tool(
    domain="nutrition",
    templates=(
        "What are the total calories and macros of a meal made of these portions in grams: {portions:g}?",
        "My dinner was {portions:g} (grams each). How many kcal and how much protein, fat and carbs?",
        "Calculate the nutrition totals for this plate, in grams: {portions:g}.",
        "I'm logging a meal: {portions:g} grams respectively. What does it add up to?",
        "Sum up calories, protein, fat and carbohydrates for these amounts in g: {portions:g}.",
        "Meal macros, please. Portions in grams: {portions:g}.",
        "How many calories did I eat? I had (in grams) {portions:g}.",
        "For meal prep I'm combining the following, weights in grams: {portions:g}. What are the total macros?",
    ),
    sample=_sample_meal,
    vague=("What are the macros of my breakfast?", "How many calories were in the meal I just ate?"),
)
def meal_macros(portions: dict[str, float]) -> dict[str, float]:
    """Total the calories and macronutrients of a meal given as food name -> grams.

    Args:
        portions: Grams per food, keyed by food names from the bundled table (e.g. "white rice", "chicken breast").

    Returns:
        Total kcal, protein_g, fat_g and carbs_g, rounded to 1 decimal.
    """
    if not portions:
        raise ValueError("portions must name at least one food")
    totals = {"kcal": 0.0, "protein_g": 0.0, "fat_g": 0.0, "carbs_g": 0.0}
    for food, grams in portions.items():
        for key, value in _facts(food.strip().lower(), grams).items():
            totals[key] += value
    return {k: round(v, 1) for k, v in totals.items()}


@tool(
    domain="nutrition",
    templates=(
        "What is the ideal body weight for a {sex} who is {height_cm} cm tall?",
        "Calculate the Devine ideal weight for a {height_cm} cm {sex}.",
        "I'm a {sex}, {height_cm} cm. What's my ideal body weight?",
        "Estimate the ideal body weight (IBW) of a {sex} at a height of {height_cm} cm.",
        "For dosing I need the IBW: {sex}, {height_cm} cm.",
        "What should a {height_cm} cm tall {sex} ideally weigh by the Devine formula?",
        "Ideal weight for {sex}, height {height_cm} cm?",
        "Give me the textbook ideal body weight for a {sex} patient measuring {height_cm} centimeters.",
    ),
    sample=lambda rng: {"height_cm": _height(rng), "sex": rng.choice(["male", "female"])},
)
def ideal_body_weight(height_cm: float, sex: Sex) -> float:
    """Estimate the ideal body weight with the Devine formula (50 or 45.5 kg plus 2.3 kg per inch over 5 feet).

    Args:
        height_cm: Height in centimeters; at least 100.
        sex: The sex the formula's base weight is chosen for.

    Returns:
        The ideal body weight in kilograms, rounded to 1 decimal.
    """
    if height_cm < 100:
        raise ValueError(f"height_cm must be at least 100 for this formula, got {height_cm}")
    if sex not in ("male", "female"):
        raise ValueError(f"sex must be 'male' or 'female', got {sex!r}")
    base = 50.0 if sex == "male" else 45.5
    return round(base + 2.3 * (height_cm / 2.54 - 60), 1)


@tool(
    domain="nutrition",
    templates=(
        "What share of calories comes from protein, fat and carbs in {protein_g} g protein, {fat_g} g fat "
        "and {carbs_g} g carbs?",
        "Break down the calories of a day with {protein_g} g protein, {fat_g} g fat, {carbs_g} g carbohydrate.",
        "My macros today: protein {protein_g} g, fat {fat_g} g, carbs {carbs_g} g. What's the percentage split?",
        "Compute the macro ratio (as % of energy) for {carbs_g} g carbs, {protein_g} g protein and {fat_g} g fat.",
        "How many kcal come from each macro if I eat {protein_g}g P / {fat_g}g F / {carbs_g}g C?",
        "Calorie distribution for {fat_g} g of fat, {protein_g} g of protein and {carbs_g} g of carbs?",
        "Turn {protein_g} g protein, {fat_g} g fat and {carbs_g} g carbs into calorie percentages.",
        "Is my diet of {protein_g} g protein, {fat_g} g fat, {carbs_g} g carbs balanced? Show the energy split.",
    ),
    sample=lambda rng: {
        "protein_g": float(rng.randint(40, 220)),
        "fat_g": float(rng.randint(30, 150)),
        "carbs_g": float(rng.randint(50, 400)),
    },
)
def macro_calorie_split(protein_g: float, fat_g: float, carbs_g: float) -> dict[str, float]:
    """Split total energy into the calories and percentages from protein, fat and carbohydrate (4/9/4 kcal per g).

    Args:
        protein_g: Grams of protein.
        fat_g: Grams of fat.
        carbs_g: Grams of carbohydrate.

    Returns:
        total_kcal and protein_pct, fat_pct, carbs_pct (percent of calories, rounded to 1 decimal).
    """
    grams = {"protein": protein_g, "fat": fat_g, "carbs": carbs_g}
    if any(v < 0 for v in grams.values()):
        raise ValueError("macronutrient grams must not be negative")
    kcal = {k: v * KCAL_PER_GRAM[k] for k, v in grams.items()}
    total = sum(kcal.values())
    if total == 0:
        raise ValueError("at least one macronutrient must be positive")
    return {"total_kcal": round(total, 1), **{f"{k}_pct": round(v / total * 100, 1) for k, v in kcal.items()}}


fallback(
    Fallback(
        primary="food_nutrition_facts",
        alternative="meal_macros",
        convert=lambda a: {"portions": {a["food"]: a["grams"]}},
    )
)

compose(
    Composition(
        first="body_mass_index",
        second="bmi_category",
        param="bmi",
        sample=lambda rng: ({"weight_kg": _weight(rng), "height_cm": _height(rng)}, {}),
        templates=(
            "I weigh {a[weight_kg]} kg and I'm {a[height_cm]} cm tall. Which BMI category am I in?",
            "Is someone who is {a[height_cm]} cm and {a[weight_kg]} kg overweight according to BMI?",
            "Compute the BMI for {a[weight_kg]} kg at {a[height_cm]} cm and classify it.",
            "What weight class does a person of {a[height_cm]} cm and {a[weight_kg]} kg fall into by BMI?",
            "Work out my body mass index ({a[weight_kg]} kg, {a[height_cm]} cm) and tell me if it's healthy.",
            "At {a[height_cm]} cm and {a[weight_kg]} kilograms, am I underweight, normal, overweight or obese?",
            "Find the BMI category of a patient weighing {a[weight_kg]} kg with a height of {a[height_cm]} cm.",
            "BMI status for {a[weight_kg]} kg and {a[height_cm]} cm, please.",
        ),
    )
)

compose(
    Composition(
        first="basal_metabolic_rate",
        second="daily_calorie_needs",
        param="bmr",
        sample=lambda rng: (_sample_body(rng), {"activity_level": rng.choice(list(ACTIVITY_FACTORS))}),
        templates=(
            "I'm a {a[age_years]}-year-old {a[sex]}, {a[height_cm]} cm, {a[weight_kg]} kg, and my activity level is "
            "{b[activity_level]}. How many calories do I need per day?",
            "Estimate the daily calorie needs of a {a[sex]} aged {a[age_years]} ({a[weight_kg]} kg, {a[height_cm]} cm) "
            "with a {b[activity_level]} lifestyle.",
            "First compute the BMR for a {a[sex]}, {a[age_years]} years, {a[weight_kg]} kg, {a[height_cm]} cm, then "
            "the maintenance calories with activity level {b[activity_level]}.",
            "What's the TDEE of a {b[activity_level]} {a[sex]}, age {a[age_years]}, weighing {a[weight_kg]} kg at "
            "{a[height_cm]} cm?",
            "How many kcal a day keep a {a[weight_kg]} kg, {a[height_cm]} cm, {a[age_years]}-year-old {a[sex]} at "
            "constant weight if they are {b[activity_level]}?",
            "Maintenance calories for: {a[sex]}, {a[age_years]} y, {a[height_cm]} cm, {a[weight_kg]} kg, "
            "activity {b[activity_level]}?",
            "My partner is a {a[sex]} of {a[age_years]}, {a[height_cm]} cm and {a[weight_kg]} kg, activity level "
            "{b[activity_level]}. What should their daily calorie intake be?",
            "Use Mifflin-St Jeor for a {a[age_years]} year old {a[sex]} ({a[weight_kg]} kg, {a[height_cm]} cm) and "
            "apply the {b[activity_level]} activity factor.",
        ),
    )
)
