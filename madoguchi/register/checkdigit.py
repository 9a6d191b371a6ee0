"""Check digits of register numbers (宛名番号, 世帯番号): modulus 11, weights 2–7.

The body's digits are weighted from the right with 2, 3, 4, 5, 6, 7, 2, 3, … ; the check
digit is ``11 − (Σ dᵢ·wᵢ mod 11)``, and 0 when that is 10 or 11 (remainder 1 or 0), the
usual convention of municipal core systems.
"""

from __future__ import annotations


def mod11_check_digit(body: str) -> str:
    """The check digit for ``body`` (a string of ASCII digits)."""
    if not body or not body.isascii() or not body.isdigit():
        raise ValueError("check digit body must be ASCII digits")
    total = 0
    for i, ch in enumerate(reversed(body)):
        total += (ord(ch) - 48) * (2 + i % 6)
    check = 11 - total % 11
    return "0" if check >= 10 else str(check)


def with_check_digit(body: str | int, width: int = 0) -> str:
    """``body`` (zero-padded to ``width`` digits) followed by its check digit."""
    text = str(body).zfill(width)
    return text + mod11_check_digit(text)


def is_valid(number: str) -> bool:
    """True when the last digit of ``number`` is the check digit of the others."""
    if len(number) < 2 or not number.isascii() or not number.isdigit():
        return False
    return mod11_check_digit(number[:-1]) == number[-1]
