import pytest
from hypothesis import given
from hypothesis import strategies as st

from madoguchi.register.checkdigit import is_valid, mod11_check_digit, with_check_digit


def test_worked_example():
    # 1234567: weights from the right 2,3,4,5,6,7,2
    # 7*2 + 6*3 + 5*4 + 4*5 + 3*6 + 2*7 + 1*2 = 14+18+20+20+18+14+2 = 106; 106 % 11 = 7
    assert mod11_check_digit("1234567") == "4"
    assert with_check_digit(1234567) == "12345674"


def test_remainders_zero_and_one_give_zero():
    # "0" -> sum 0 -> 11 - 0 = 11 -> 0;  "5" -> 10 % 11 = 10 -> 1;  "6" -> 12 % 11 = 1 -> 10 -> 0
    assert mod11_check_digit("0") == "0"
    assert mod11_check_digit("5") == "1"
    assert mod11_check_digit("6") == "0"


def test_padding_and_validation():
    number = with_check_digit(42, width=9)
    assert len(number) == 10 and number.startswith("000000042")
    assert is_valid(number)
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert not is_valid(wrong)


@pytest.mark.parametrize("bad", ["", "12a", "１２３"])
def test_rejects_non_ascii_digits(bad):
    with pytest.raises(ValueError):
        mod11_check_digit(bad)
    assert not is_valid(bad + "0")


@given(st.integers(min_value=0, max_value=10**12))
def test_single_digit_errors_are_detected(n):
    number = with_check_digit(n, width=12)
    assert is_valid(number)
    body = number[:-1]
    for pos in range(len(body)):
        d = int(body[pos])
        altered = body[:pos] + str((d + 1) % 10) + body[pos + 1 :] + number[-1]
        # a one-digit change alters the weighted sum by w·1 (w in 2..7), never by 0 mod 11,
        # so the check digit differs unless both map to 0 (remainders 0 and 1)
        if mod11_check_digit(altered[:-1]) != "0" or number[-1] != "0":
            assert not is_valid(altered)
