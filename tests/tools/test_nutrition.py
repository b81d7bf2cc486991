from typing import get_args

import pytest

from distill.tools.nutrition import (
    FOODS,
    Food,
    basal_metabolic_rate,
    bmi_category,
    body_mass_index,
    daily_calorie_needs,
    food_nutrition_facts,
    ideal_body_weight,
    macro_calorie_split,
    meal_macros,
)


def test_food_table_has_at_least_25_foods_matching_the_schema_enum():
    assert len(FOODS) >= 25
    assert set(get_args(Food)) == set(FOODS)


def test_body_mass_index():
    assert body_mass_index(70.0, 175.0) == 22.9
    with pytest.raises(ValueError):
        body_mass_index(70.0, 0.0)


def test_bmi_category_boundaries():
    assert bmi_category(18.4) == "underweight"
    assert bmi_category(18.5) == "normal weight"
    assert bmi_category(25.0) == "overweight"
    assert bmi_category(30.0) == "obese"


def test_basal_metabolic_rate_mifflin_st_jeor():
    assert basal_metabolic_rate(70.0, 175.0, 30, "male") == 1648.8
    assert basal_metabolic_rate(70.0, 175.0, 30, "female") == 1482.8


def test_daily_calorie_needs_apply_activity_factor():
    assert daily_calorie_needs(1500.0, "sedentary") == 1800.0
    assert daily_calorie_needs(2000.0, "very active") == 3800.0
    with pytest.raises(ValueError):
        daily_calorie_needs(1500.0, "couch potato")


def test_food_facts_scale_with_portion():
    assert food_nutrition_facts("chicken breast", 200.0) == {
        "kcal": 330.0,
        "protein_g": 62.0,
        "fat_g": 7.2,
        "carbs_g": 0.0,
    }
    assert food_nutrition_facts("banana")["kcal"] == 89.0


def test_meal_macros_sum_portions_and_reject_unknown_foods():
    meal = meal_macros({"white rice": 150.0, "chicken breast": 100.0})
    assert meal == {"kcal": 360.0, "protein_g": 35.0, "fat_g": 4.0, "carbs_g": 42.3}
    with pytest.raises(ValueError):
        meal_macros({"unicorn steak": 100.0})


def test_ideal_body_weight_devine():
    assert ideal_body_weight(180.0, "male") == 75.0
    assert ideal_body_weight(152.4, "female") == 45.5


def test_macro_calorie_split_percentages():
    split = macro_calorie_split(100.0, 50.0, 200.0)
    assert split["total_kcal"] == 1650.0
    assert split == {"total_kcal": 1650.0, "protein_pct": 24.2, "fat_pct": 27.3, "carbs_pct": 48.5}
