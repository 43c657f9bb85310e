"""Text for people in Korean and English: the active language, units written for people and
Korean particles chosen from the word they follow (no "은(는)" stand-ins)."""

from __future__ import annotations

import re

from django.utils.translation import get_language

_SUPERSCRIPT = str.maketrans("0123456789-+", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺")


def is_english() -> bool:
    """Whether the active language is English (Korean is the default)."""
    return (get_language() or "ko").startswith("en")


def human_unit(unit: str) -> str:
    """A unit written for people: ``1e6 cells/mL`` → ``×10⁶ cells/mL``, ``10^9 cells/mmol`` →
    ``×10⁹ cells/mmol``, ``m^2`` → ``m²``; ``-`` (dimensionless) → ``""``."""
    unit = (unit or "").strip()
    if unit == "-":
        return ""
    unit = re.sub(
        r"^(?:1e|10\^|10\*\*)([-+]?\d+)\s*",
        lambda m: f"×10{str(int(m[1])).translate(_SUPERSCRIPT)} ",
        unit,
    )
    unit = re.sub(r"(?<=[A-Za-z)])\^([-+]?\d)", lambda m: m[1].translate(_SUPERSCRIPT), unit)
    return unit.strip()


#: particle pairs: (after a final consonant, after a vowel)
PARTICLES = {
    "은": ("은", "는"),
    "는": ("은", "는"),
    "이": ("이", "가"),
    "가": ("이", "가"),
    "을": ("을", "를"),
    "를": ("을", "를"),
    "과": ("과", "와"),
    "와": ("과", "와"),
    "으로": ("으로", "로"),
    "로": ("으로", "로"),
    "이다": ("이다", "다"),
}
# how the last letter or digit of a non-Hangul word is read, for its particle: whether it ends
# in a final consonant (받침), and for 으로/로 whether that consonant is ㄹ
_DIGIT_FINAL = {
    "0": "ㅇ",  # 영
    "1": "ㄹ",  # 일
    "2": "",  # 이
    "3": "ㅁ",  # 삼
    "4": "",  # 사
    "5": "",  # 오
    "6": "ㄱ",  # 육
    "7": "ㄹ",  # 칠
    "8": "ㄹ",  # 팔
    "9": "",  # 구
}
# a Latin word read in Korean: "-l" 일/엘 → ㄹ; "-m", "-n", "-ng" and the stops "-b/-p",
# "-c/-k", "-d/-t", "-g" keep a final consonant (매직, 블록, 랩); vowels, "-r", "-s", "-x", "-f"
# and others are read with a vowel ending (파우더, 케이스, 박스)
_LATIN_FINAL = {
    "l": "ㄹ",
    "m": "ㅁ",
    "n": "ㄴ",
    "g": "ㅇ",
    "b": "ㅂ",
    "p": "ㅂ",
    "c": "ㄱ",
    "k": "ㄱ",
    "d": "ㅅ",
    "t": "ㅅ",
}


def _final(word: str) -> str:
    """The final consonant (``"ㄹ"``, another jamo, or ``""``) of the last sound of ``word``."""
    for ch in reversed(word.strip()):
        code = ord(ch)
        if 0xAC00 <= code <= 0xD7A3:
            jong = (code - 0xAC00) % 28
            return "" if jong == 0 else ("ㄹ" if jong == 8 else "ㄱ")
        if ch.isdigit():
            return _DIGIT_FINAL[ch]
        if ch.isalpha():
            return _LATIN_FINAL.get(ch.lower(), "")
    return ""


def josa(word: str, particle: str) -> str:
    """``word`` followed by ``particle`` chosen from its last syllable: ``josa("제품", "을")`` →
    ``"제품을"``, ``josa("배지", "을")`` → ``"배지를"``, ``josa("레진", "이")`` → ``"레진이"``,
    ``josa("서울", "으로")`` → ``"서울로"``. Unknown particles are appended as given."""
    pair = PARTICLES.get(particle)
    if pair is None:
        return f"{word}{particle}"
    final = _final(word)
    if pair[0] == "으로":
        return f"{word}{'으로' if final and final != 'ㄹ' else '로'}"
    return f"{word}{pair[0] if final else pair[1]}"
