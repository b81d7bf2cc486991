import pytest

from distill.tools.text import (
    caesar_shift_text,
    change_text_case,
    count_character_occurrences,
    count_words,
    is_palindrome,
    reverse_text,
    slugify_text,
    title_case_text,
)


def test_count_words_treats_contractions_as_one_word():
    assert count_words("Don't stop, believe it!") == 4
    assert count_words("") == 0


def test_reverse_text():
    assert reverse_text("hello world") == "dlrow olleh"


def test_palindrome_ignores_case_spaces_and_punctuation():
    assert is_palindrome("A man, a plan, a canal: Panama")
    assert not is_palindrome("hello")
    with pytest.raises(ValueError):
        is_palindrome("!!!")


def test_caesar_shift_wraps_and_keeps_case_and_punctuation():
    assert caesar_shift_text("abc xyz", 3) == "def abc"
    assert caesar_shift_text("Hello, World!", 1) == "Ifmmp, Xpsme!"


def test_caesar_decode_inverts_encode():
    secret = caesar_shift_text("attack at dawn", 7)
    assert caesar_shift_text(secret, 7, "decode") == "attack at dawn"


def test_slugify_strips_accents_punctuation_and_apostrophes():
    assert slugify_text("Hello, World! Café 2024") == "hello-world-cafe-2024"
    assert slugify_text("The Hitchhiker's Guide", "_") == "the_hitchhikers_guide"
    with pytest.raises(ValueError):
        slugify_text("???")


def test_count_character_occurrences_case_insensitive_by_default():
    assert count_character_occurrences("Banana", "a") == 3
    assert count_character_occurrences("Banana", "b") == 1
    assert count_character_occurrences("Banana", "b", case_sensitive=True) == 0
    with pytest.raises(ValueError):
        count_character_occurrences("Banana", "an")


def test_title_case_capitalizes_each_word():
    assert title_case_text("the QUICK brown fox") == "The Quick Brown Fox"
    assert title_case_text("don't panic") == "Don't Panic"


def test_change_text_case_styles():
    assert change_text_case("Hello big World", "upper") == "HELLO BIG WORLD"
    assert change_text_case("Hello big World", "sentence") == "Hello big world"
    assert change_text_case("Hello big World", "snake") == "hello_big_world"
    assert change_text_case("Hello big World", "camel") == "helloBigWorld"
    assert change_text_case("hello big world", "title") == title_case_text("hello big world")
