"""Text utilities: counting, reversing, palindromes, Caesar cipher, slugs and letter case."""

import random
import re
import unicodedata
from typing import Literal

from distill.tools.base import Composition, Fallback, Intent, compose, fallback, tool

SENTENCES = (
    "The quick brown fox jumps over the lazy dog",
    "Meet me at the old oak tree after lunch",
    "Data pipelines should be boring and reliable",
    "She sells sea shells by the sea shore",
    "Every cloud has a silver lining",
    "Rainy mornings call for strong coffee and good books",
    "The train to Lisbon leaves at half past nine",
    "Practice makes progress, not perfection",
    "Our garden grows tomatoes, basil and far too much zucchini",
    "Never trust a spreadsheet you did not build yourself",
    "The museum opens late on Thursdays",
    "Bring a jacket because the evenings get cold",
    "Learning a new language takes patience",
    "My grandmother bakes the best apple pie in town",
    "Release notes for version two are ready for review",
    "Keep calm and carry on coding",
)
PHRASES = (
    "attack at dawn", "meet me at noon", "the eagle has landed", "hello world", "open sesame",
    "bring snacks", "the cake is a lie", "see you on friday", "hide the key under the mat", "launch is go",
)  # fmt: skip
PALINDROME_CANDIDATES = (
    "A man, a plan, a canal: Panama", "Was it a car or a cat I saw?", "No lemon, no melon", "Never odd or even",
    "racecar", "level", "Madam, in Eden, I'm Adam", "Step on no pets", "Eva, can I see bees in a cave?",
    "hello world", "palindrome", "Open the door", "rotator", "banana", "Top spot", "Red rum, sir, is murder",
    "A Santa at NASA", "not a palindrome",
)  # fmt: skip
TITLES = (
    "how to train your dragon", "the art of computer programming", "a tale of two cities",
    "notes on data engineering", "my weekend in the mountains", "ten tips for better sleep",
    "the hitchhiker's guide to the galaxy", "why cats knock things off tables", "Quarterly Report: Q3 results",
)  # fmt: skip


def _sentence(rng: random.Random) -> str:
    return rng.choice(SENTENCES)


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?", text)


@tool(
    domain="text",
    templates=(
        'How many words are in "{text}"?',
        'Count the words in this sentence: "{text}"',
        'What is the word count of "{text}"?',
        'Tell me how many words "{text}" contains.',
        'I need the number of words in the following text: "{text}"',
        'Word count, please: "{text}"',
        'My caption reads "{text}". How many words is that?',
        'Can you count the words of "{text}" for me?',
    ),
    sample=lambda rng: {"text": ". ".join(rng.sample(SENTENCES, rng.randint(1, 3))) + "."},
    vague=("How many words are in my essay?", "Can you give me the word count of my cover letter?"),
)
def count_words(text: str) -> int:
    """Count the words in a text (runs of letters or digits, with apostrophe contractions as one word).

    Args:
        text: The text to count words in.

    Returns:
        The number of words.
    """
    return len(_words(text))


@tool(
    domain="text",
    templates=(
        'Reverse the text "{text}".',
        'What is "{text}" spelled backwards?',
        'Write "{text}" in reverse order, character by character.',
        'Can you flip "{text}" so it reads back to front?',
        'Give me the reversal of the string "{text}".',
        'Print "{text}" backwards.',
        'I want to see "{text}" mirrored, last character first.',
        'Reverse this string for me: "{text}"',
    ),
    sample=lambda rng: {"text": rng.choice(SENTENCES + PHRASES)},
)
def reverse_text(text: str) -> str:
    """Reverse a text character by character.

    Args:
        text: The text to reverse.

    Returns:
        The text with its characters in reverse order.
    """
    return text[::-1]


@tool(
    domain="text",
    templates=(
        'Is "{text}" a palindrome?',
        'Check whether "{text}" reads the same forwards and backwards.',
        'Does "{text}" read the same in reverse, ignoring spaces, punctuation and case?',
        'Tell me if the phrase "{text}" is a palindrome.',
        'Palindrome check: "{text}"',
        'My friend claims "{text}" is a palindrome. Is she right?',
        'Would "{text}" still say the same thing if you read it backwards?',
        'Determine whether "{text}" is palindromic.',
    ),
    sample=lambda rng: {"text": rng.choice(PALINDROME_CANDIDATES)},
)
def is_palindrome(text: str) -> bool:
    """Tell whether a text reads the same backwards, ignoring case, spaces and punctuation.

    Args:
        text: The word or phrase to check; must contain at least one letter or digit.

    Returns:
        True for a palindrome.
    """
    letters = [c.lower() for c in text if c.isalnum()]
    if not letters:
        raise ValueError("text must contain at least one letter or digit")
    return letters == letters[::-1]


def _caesar(text: str, shift: int) -> str:
    def move(c: str) -> str:
        if "a" <= c <= "z":
            return chr((ord(c) - 97 + shift) % 26 + 97)
        if "A" <= c <= "Z":
            return chr((ord(c) - 65 + shift) % 26 + 65)
        return c

    return "".join(move(c) for c in text)


def _sample_decode(rng: random.Random) -> dict[str, object]:
    shift = rng.randint(1, 25)
    return {"text": _caesar(rng.choice(PHRASES), shift), "shift": shift, "direction": "decode"}


@tool(
    domain="text",
    intents=(
        Intent(
            templates=(
                'Encrypt "{text}" with a Caesar cipher using a shift of {shift}.',
                'Apply a Caesar shift of {shift} to "{text}".',
                'What does "{text}" become under a Caesar cipher with shift {shift}?',
                'Encode the message "{text}" by shifting each letter {shift} places.',
                'Shift every letter of "{text}" forward by {shift} in the alphabet.',
                'Caesar-encrypt "{text}", key {shift}.',
                'For our treasure hunt, scramble "{text}" with a rotation of {shift} letters.',
                'Rotate the letters of "{text}" by {shift} positions, Caesar style.',
            ),
            sample=lambda rng: {"text": rng.choice(PHRASES), "shift": rng.randint(1, 25)},
            vague=("Encrypt my secret message with a Caesar cipher.", 'Apply a Caesar cipher to "{text}".'),
        ),
        Intent(
            templates=(
                'Please {direction} the Caesar cipher text "{text}", which used a shift of {shift}.',
                '{direction} "{text}": it was Caesar-encrypted with shift {shift}.',
                'I received "{text}" encoded with a Caesar shift of {shift}. Can you {direction} it?',
                'Use the key {shift} to {direction} the Caesar message "{text}".',
                'What does "{text}" say? It is a Caesar cipher with shift {shift}; {direction} it.',
                'Run a Caesar {direction} on "{text}" with shift {shift}.',
                'Shift {shift} was used on "{text}". {direction} it back to plain text, please.',
                'Help me {direction} this secret note: "{text}" (Caesar, shift {shift}).',
            ),
            sample=_sample_decode,
        ),
    ),
)
def caesar_shift_text(text: str, shift: int, direction: Literal["encode", "decode"] = "encode") -> str:
    """Encode or decode a text with a Caesar cipher, shifting letters and keeping case and other characters.

    Args:
        text: The text to transform.
        shift: How many alphabet positions each letter moves.
        direction: encode (default) shifts letters forward, decode shifts them back.

    Returns:
        The transformed text.
    """
    if direction not in ("encode", "decode"):
        raise ValueError(f"direction must be 'encode' or 'decode', got {direction!r}")
    return _caesar(text, shift if direction == "encode" else -shift)


@tool(
    domain="text",
    intents=(
        Intent(
            templates=(
                'Turn "{text}" into a URL slug.',
                'Slugify "{text}".',
                'What would the URL-friendly slug for "{text}" be?',
                'Make a web slug out of the title "{text}".',
                'My blog post is called "{text}". Generate its slug.',
                'Convert "{text}" to lowercase-hyphenated slug form.',
                'I need a clean permalink slug for "{text}".',
                'Create the slug version of "{text}", please.',
            ),
            sample=lambda rng: {"text": rng.choice(TITLES + SENTENCES)},
        ),
        Intent(
            templates=(
                'Slugify "{text}" using "{separator}" as the separator.',
                'Turn "{text}" into a slug with words joined by "{separator}".',
                'Make a slug of "{text}", separating words with {separator}.',
                'Generate a file-name-safe slug for "{text}" with "{separator}" between the words.',
                'Create a slug from "{text}"; the separator should be "{separator}".',
                'Lowercase "{text}", strip punctuation, and join the words with "{separator}".',
                'I need "{text}" as a slug, but with "{separator}" instead of hyphens.',
                'Slug for "{text}" please, word separator "{separator}".',
            ),
            sample=lambda rng: {"text": rng.choice(TITLES + SENTENCES), "separator": rng.choice(["_", "."])},
        ),
    ),
)
def slugify_text(text: str, separator: str = "-") -> str:
    """Make a lowercase URL slug: accents stripped, runs of other characters replaced by one separator.

    Args:
        text: The text to slugify; must contain at least one letter or digit.
        separator: The string placed between words (default "-").

    Returns:
        The slug, e.g. "hello-world".
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower().replace("'", ""))
    if not words:
        raise ValueError("text must contain at least one letter or digit")
    return separator.join(words)


def _sample_occurrence(rng: random.Random) -> dict[str, str]:
    text = _sentence(rng)
    return {"text": text, "character": rng.choice([c for c in text.lower() if c.isalpha()])}


@tool(
    domain="text",
    templates=(
        'How many times does the letter "{character}" appear in "{text}"?',
        'Count the occurrences of "{character}" in "{text}".',
        'In the sentence "{text}", how often does "{character}" occur?',
        'How many "{character}"s are there in "{text}"?',
        'Tell me the number of times "{character}" shows up in "{text}", ignoring case.',
        'Count every "{character}" in this text: "{text}"',
        'I\'m curious: how many "{character}" characters does "{text}" contain?',
        'Frequency of the character "{character}" in "{text}"?',
    ),
    sample=_sample_occurrence,
)
def count_character_occurrences(text: str, character: str, case_sensitive: bool = False) -> int:
    """Count how many times a single character occurs in a text.

    Args:
        text: The text to search.
        character: The single character to count.
        case_sensitive: Whether "A" and "a" count as different characters (default false).

    Returns:
        The number of occurrences.
    """
    if len(character) != 1:
        raise ValueError(f"character must be exactly one character, got {character!r}")
    if case_sensitive:
        return text.count(character)
    return text.casefold().count(character.casefold())


def _title(text: str) -> str:
    return " ".join(w[:1].upper() + w[1:].lower() for w in text.split(" "))


@tool(
    domain="text",
    templates=(
        'Convert "{text}" to title case.',
        'Capitalize the first letter of every word in "{text}".',
        'What is "{text}" in Title Case?',
        'Make "{text}" look like a headline, each word capitalized.',
        'Please title-case this: "{text}"',
        'I\'m formatting a book title: "{text}". Capitalize it properly, word by word.',
        'Give me "{text}" with every word starting with a capital letter.',
        'Upper-case the initial of each word in "{text}".',
    ),
    sample=lambda rng: {"text": rng.choice(TITLES)},
)
def title_case_text(text: str) -> str:
    """Capitalize the first letter of every word and lowercase the rest.

    Args:
        text: The text to convert.

    Returns:
        The title-cased text.
    """
    return _title(text)


@tool(
    domain="text",
    templates=(
        'Convert "{text}" to {style} case.',
        'Rewrite "{text}" in {style} case.',
        'What does "{text}" look like in {style} case?',
        'Change the letter case of "{text}" to {style}.',
        'I need "{text}" formatted as {style} case for my code.',
        'Put "{text}" into {style} case, please.',
        'Transform the casing of "{text}": {style} case.',
        'Give me the {style}-case version of "{text}".',
    ),
    sample=lambda rng: {
        "text": rng.choice(TITLES + SENTENCES),
        "style": rng.choice(["upper", "lower", "title", "sentence", "snake", "camel"]),
    },
)
def change_text_case(text: str, style: Literal["upper", "lower", "title", "sentence", "snake", "camel"]) -> str:
    """Change the letter case of a text to one of several styles.

    Args:
        text: The text to convert.
        style: upper, lower, title (Each Word), sentence (first letter only), snake (snake_case) or camel (camelCase).

    Returns:
        The converted text.
    """
    if style == "upper":
        return text.upper()
    if style == "lower":
        return text.lower()
    if style == "title":
        return _title(text)
    if style == "sentence":
        lowered = text.lower()
        return lowered[:1].upper() + lowered[1:]
    words = [w.lower() for w in _words(text.replace("'", ""))]
    if style == "snake":
        return "_".join(words)
    if style == "camel":
        return "".join(w if i == 0 else w.capitalize() for i, w in enumerate(words))
    raise ValueError(f"unknown style {style!r}; use upper, lower, title, sentence, snake or camel")


fallback(
    Fallback(
        primary="title_case_text",
        alternative="change_text_case",
        convert=lambda a: {"text": a["text"], "style": "title"},
    )
)

compose(
    Composition(
        first="caesar_shift_text",
        second="reverse_text",
        param="text",
        sample=lambda rng: ({"text": rng.choice(PHRASES), "shift": rng.randint(1, 25)}, {}),
        templates=(
            'Caesar-encrypt "{a[text]}" with shift {a[shift]}, then reverse the result.',
            'Shift the letters of "{a[text]}" by {a[shift]} and write the outcome backwards.',
            'Apply a Caesar cipher (shift {a[shift]}) to "{a[text]}" and reverse the ciphertext.',
            'For a puzzle: encode "{a[text]}" with a shift of {a[shift]}, then spell it back to front.',
            'Encrypt "{a[text]}" using a rotation of {a[shift]} and give me the encrypted text reversed.',
            'What do you get if you Caesar-shift "{a[text]}" by {a[shift]} and then reverse it?',
            'Double-scramble "{a[text]}": Caesar shift {a[shift]} first, reversal second.',
            'Take "{a[text]}", rotate each letter {a[shift]} places, and mirror the resulting string.',
        ),
    )
)

compose(
    Composition(
        first="slugify_text",
        second="count_character_occurrences",
        param="text",
        sample=lambda rng: ({"text": rng.choice(TITLES + SENTENCES)}, {"character": "-"}),
        templates=(
            'How many "{b[character]}" characters are in the slug of "{a[text]}"?',
            'Slugify "{a[text]}" and count the "{b[character]}" signs in the result.',
            'Make a URL slug from "{a[text]}", then tell me how many times "{b[character]}" appears in it.',
            'If I turn "{a[text]}" into a slug, how many "{b[character]}"s will it contain?',
            'Generate the slug for "{a[text]}" and count its "{b[character]}" separators.',
            'Count the occurrences of "{b[character]}" in the slugified form of "{a[text]}".',
            'My post title is "{a[text]}". How many "{b[character]}" does its slug have?',
            'Slug of "{a[text]}": how many "{b[character]}" characters?',
        ),
    )
)
