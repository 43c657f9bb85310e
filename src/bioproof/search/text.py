"""Text analysis for search: Korean morphemes (kiwipiepy), light English stemming, synonyms.

One analyzer serves both sides, so a document and a query always agree on their tokens:

- the text goes through Kiwi (loaded once per process, lazily, behind a lock); content morphemes
  are kept (nouns, numerals, roots, Latin words, numbers, serials), particles, endings, affixes
  and verb stems are dropped; a word (eojeol) left with no content morpheme is analysed again
  on its own and, failing that, kept whole unless it ends as a verb does, so a name that Kiwi
  reads as a verb or an adverb (``푸름``, ``한결``) can still be searched for;
- a document holds the tokens of its text analysed in context *and* of each of its words
  analysed on its own; a query is analysed word by word, each word on its own, so its tokens
  are those of the same words in any document, whatever surrounds them (in context, Kiwi reads
  ``한빛 배지`` as a sentence, "is a 한빛 pear", and ``한빛 세포배양`` as ``한`` + ``빛``);
- Latin words are lower-cased and lightly stemmed (plural endings only: ``bags`` → ``bag``,
  ``assemblies`` → ``assembly``), serials such as ``2026-0001`` split into their parts;
- documents (not queries) are expanded with the bilingual synonym table :data:`SYNONYMS`: when
  any term of a group occurs, the tokens of every term of that group are added, so ``배지`` finds
  a product named "… Medium" and ``medium`` finds one named "… 배지".

The tokens contain only letters and digits, separated by single spaces, which is what the
SQLite FTS5 ``unicode61`` tokenizer and PostgreSQL's ``simple`` configuration split on.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from functools import lru_cache
from itertools import groupby
from operator import attrgetter
from typing import Any

# Korean term(s) ↔ English term(s). A document containing any of them is indexed with all.
SYNONYMS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("배지", "배양배지", "배양액"), ("medium", "media", "culture medium")),
    (("레진", "수지"), ("resin",)),
    (("필터", "여과기"), ("filter",)),
    (("여과",), ("filtration",)),
    (("백",), ("bag",)),
    (("센서",), ("sensor", "probe")),
    (("생물반응기", "바이오리액터", "배양기"), ("bioreactor",)),
    (("발효기", "퍼멘터"), ("fermenter", "fermentor")),
    (("발효",), ("fermentation",)),
    (("피드",), ("feed",)),
    (("첨가제", "보충제"), ("supplement", "additive")),
    (("완충액", "버퍼"), ("buffer",)),
    (("멤브레인", "분리막"), ("membrane",)),
    (("일회용", "싱글유즈"), ("single-use", "disposable")),
    (("크로마토그래피",), ("chromatography",)),
    (("세포배양",), ("cell culture",)),
    (("세포주", "셀라인"), ("cell line",)),
    (("동물세포",), ("animal cell",)),
    (("미생물",), ("microbial", "microorganism")),
    (("소재", "원부자재"), ("material",)),
    (("부품",), ("part", "component")),
    (("장비", "설비"), ("equipment",)),
    (("튜빙", "튜브"), ("tubing", "tube")),
    (("커넥터",), ("connector",)),
    (("믹서", "혼합기"), ("mixer",)),
    (("어셈블리",), ("assembly",)),
    (("멸균",), ("sterile", "sterilization")),
    (("바이러스",), ("virus",)),
    (("무혈청",), ("serum-free",)),
    (("화학조성",), ("chemically defined",)),
    (("친화",), ("affinity",)),
    (("이온교환",), ("ion-exchange",)),
    (("항체",), ("antibody",)),
    (("단백질",), ("protein",)),
    (("동결",), ("freeze", "frozen")),
    (("해동",), ("thaw",)),
    (("충전",), ("fill", "filling")),
    (("시스템",), ("system",)),
    (("펌프",), ("pump",)),
    (("용기", "컨테이너"), ("container", "vessel")),
)

# Kiwi part-of-speech tags kept: nouns, numerals, roots, Latin, Chinese characters, numbers.
KEEP_TAGS = frozenset({"NNG", "NNP", "NNB", "NR", "XR", "SL", "SH", "SN"})
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "is",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
        "것",
        "수",
        "등",
        "및",
        # adverbs and conjunctions that a word kept whole would otherwise make tokens of
        "매우",
        "아주",
        "가장",
        "정말",
        "너무",
        "특히",
        "함께",
        "또는",
        "그리고",
        "또한",
    ]
)
# endings of a verb or adjective used as a predicate or a modifier (final, connective,
# pre-final, adnominal); a word ending so is a verb of the sentence, not a name
PREDICATE_ENDINGS = frozenset({"EF", "EC", "EP", "ETM"})
# what Kiwi reads a syllable of an unknown name as, when it splits the name into words of
# their own: an adverb, a determiner, an interjection, a pronoun (다온 → 다 + 오 + ㄴ, 아라 → 아
# + 라, 온새 → 온 + 새); a word read with one of these loses letters that no particle, ending
# or suffix accounts for
NAME_MISREADINGS = frozenset({"MAG", "MAJ", "MM", "IC", "NP"})
MAX_CHARS = 8000
WORD = re.compile(r"[^\W_]+")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
SPACES = re.compile(r"\s+")

_kiwi: Any = None
_kiwi_lock = threading.Lock()


def kiwi() -> Any:
    """The process's Kiwi analyzer, created on first use (its model takes about a second)."""
    global _kiwi
    if _kiwi is None:
        with _kiwi_lock:
            if _kiwi is None:
                from kiwipiepy import Kiwi

                _kiwi = Kiwi()
    return _kiwi


def stem(word: str) -> str:
    """Light English stemming: lower case and plural endings only."""
    w = word.lower()
    if not w.isascii() or not w.isalpha() or len(w) <= 3:
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("sses", "xes", "ches", "shes")):
        return w[:-2]
    if w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def _normalize(form: str, tag: str) -> list[str]:
    if tag in KEEP_TAGS or tag.startswith("W_"):
        out = []
        for part in WORD.findall(form):
            token = stem(part) if tag in ("SL",) or tag.startswith("W_") else part.lower()
            if token and token not in STOP_WORDS:
                out.append(token)
        return out
    return []


def analyze(text: str) -> list[str]:
    """The content tokens of ``text``, in order (duplicates kept)."""
    text = SPACES.sub(" ", (text or "").strip())[:MAX_CHARS]
    if not text:
        return []
    words = groupby(_morphemes(text), key=attrgetter("word_position"))  # eojeol by eojeol
    return [t for _, word in words for t in _eojeol_tokens(text, list(word))]


def _eojeol_tokens(text: str, morphemes: list[Any]) -> list[str]:
    """The content tokens of one word (eojeol), and for a word that has none, what it holds.

    Names are often read as something else: ``배지`` after ``한결`` as a verb with its ending,
    ``한결`` as an adverb, ``푸름`` as an adjective made a noun. Such a word is analysed again on
    its own (``배지`` then is a noun); if it still has no content morpheme, it is kept whole
    (letters and digits, two or more) unless it ends as a predicate or a modifier does
    (``찾습니다``, ``빠른``): those are dropped, as a sentence's verbs are.
    """
    tokens = _content(morphemes)
    if tokens:
        return tokens
    start = min(m.start for m in morphemes)
    surface = text[start : max(m.start + m.len for m in morphemes)]
    alone = _alone(surface)
    if alone:
        return list(alone)
    if any(m.tag in PREDICATE_ENDINGS for m in morphemes):
        return []
    return [
        part.lower()
        for part in WORD.findall(surface)
        if len(part) >= 2 and part.lower() not in STOP_WORDS
    ]


@lru_cache(maxsize=65536)
def _alone(word: str) -> tuple[str, ...]:
    """The content tokens of one word analysed without its context."""
    return tuple(_content(_morphemes(word)))


def _morphemes(text: str) -> list[Any]:
    analyzer = kiwi()
    with _kiwi_lock:
        return analyzer.tokenize(text)


def _content(morphemes: list[Any]) -> list[str]:
    return [t for m in morphemes for t in _normalize(m.form, m.tag)]


def query_tokens(query: str, known: Callable[[str], bool] | None = None) -> tuple[str, ...]:
    """Distinct tokens of a search query, in order (no synonym expansion: documents carry it).

    The query is analysed word by word, each word on its own: a document holds the tokens of
    each of its words analysed so too (:func:`part_tokens`), so a query's words find the same
    words in any document, whatever surrounds them there or in the query. In context, Kiwi may
    read a short query as a sentence (``한빛 배지``: "is a 한빛 pear", ``배`` + copula + ending)
    and lose the word searched for.

    A word that Kiwi misreads as a name would be (:func:`whole_word`: ``다온`` gives no token,
    ``아라`` only ``라``) is searched whole instead when ``known(word)`` says that the index holds
    it — as the names of products and organizations hold such words (:func:`name_tokens`).
    """
    seen: dict[str, None] = {}
    for tokens, whole in _query_words(query):
        if whole is not None and known is not None and known(whole):
            tokens = (whole,)
        for token in tokens:
            seen.setdefault(token, None)
    return tuple(seen)


@lru_cache(maxsize=4096)
def _query_words(query: str) -> tuple[tuple[tuple[str, ...], str | None], ...]:
    """Per word of the query: its tokens, and the word whole if Kiwi misreads it as a name."""
    return tuple((_word_tokens(w), whole_word(w)) for w in (query or "")[:MAX_CHARS].split())


@lru_cache(maxsize=65536)
def whole_word(word: str) -> str | None:
    """The word itself (letters and digits, lower-cased) when Kiwi, reading it alone, splits
    off letters as an adverb, a determiner, an interjection or a pronoun (:data:`NAME_MISREADINGS`)
    — as it does with names it does not know: ``다온`` → 다 + 오 + ㄴ (no token at all), ``아라``
    → 아 + 라 (only ``라``), ``온새`` → 온 + 새. None for a word whose tokens hold all its letters
    or that only loses particles, endings or suffixes (``배지를``, ``발효기``), for a verb or an
    adjective (``빠른``), a stop word and a word of one letter."""
    if not HANGUL.search(word):
        return None
    whole = "".join(WORD.findall(word)).lower()
    if len(whole) < 2 or whole in STOP_WORDS or "".join(_word_tokens(word)) == whole:
        return None
    misread = any(
        m.tag in NAME_MISREADINGS and not _normalize(m.form, m.tag) for m in _morphemes(word)
    )
    return whole if misread else None


@lru_cache(maxsize=1)
def _synonym_groups() -> list[tuple[list[str], list[str], list[str]]]:
    """Per group: Korean terms (spaces removed), English token sequences, tokens to add."""
    groups = []
    for ko_terms, en_terms in SYNONYMS:
        add: list[str] = []
        for term in ko_terms + en_terms:
            add.extend(analyze(term))
        en = [" ".join(analyze(term)) for term in en_terms]
        groups.append(([t.replace(" ", "") for t in ko_terms], en, list(dict.fromkeys(add))))
    return groups


def synonyms_for(text: str, tokens: Iterable[str]) -> list[str]:
    """Tokens to add to a document because it mentions a term of a synonym group.

    A Korean term of two syllables or more is found as a substring of the text with spaces
    removed (``일회용생물반응기`` contains ``생물반응기``); a one-syllable term (``백``) must be a
    token of its own; English terms are matched on the stemmed token sequence.
    """
    compact = SPACES.sub("", text or "")
    token_list = list(tokens)
    token_set = set(token_list)
    sequence = f" {' '.join(token_list)} "
    added: list[str] = []
    for ko_terms, en_terms, add in _synonym_groups():
        hit = any(
            (term in compact) if len(term) >= 2 else (term in token_set) for term in ko_terms
        ) or any(term and f" {term} " in sequence for term in en_terms)
        if hit:
            added.extend(add)
    return added


@lru_cache(maxsize=65536)
def _word_tokens(word: str) -> tuple[str, ...]:
    """The tokens of one word (eojeol) analysed on its own."""
    return tuple(analyze(word))


@lru_cache(maxsize=65536)
def _part_tokens(part: str) -> tuple[str, ...]:
    """Tokens of one part of a document (a name, a description …), analysed on its own.

    Kiwi analyses a word differently in and out of context (``세포배양 배지`` may keep
    ``세포배양`` whole while ``세포배양`` alone gives ``세포 배양``; ``한빛 세포배양`` may read
    ``한`` + ``빛``), and queries are analysed word by word (:func:`query_tokens`), so each
    Korean word is also analysed alone and its extra tokens are added.
    """
    tokens = analyze(part)
    seen = set(tokens)
    for word in (part or "").split():
        if HANGUL.search(word):
            for token in _word_tokens(word):
                if token not in seen:
                    seen.add(token)
                    tokens.append(token)
    return tuple(tokens)


def part_tokens(part: str) -> list[str]:
    """:func:`_part_tokens`, cached: category, supplier and spec names recur in many documents."""
    return list(_part_tokens(part))


@lru_cache(maxsize=65536)
def _name_tokens(part: str) -> tuple[str, ...]:
    tokens = list(_part_tokens(part))
    for word in (part or "").split():
        whole = whole_word(word)
        if whole is not None and whole not in tokens:
            tokens.append(whole)
    return tuple(tokens)


def name_tokens(part: str) -> list[str]:
    """Tokens of a name (of a product, an organization, a document's title): those of
    :func:`part_tokens` and, for each word that Kiwi misreads as a name would be, the word
    whole (:func:`whole_word`), so that a query for the name finds it (:func:`query_tokens`)."""
    return list(_name_tokens(part))


def plain_text(*names: str | None) -> str:
    """The tokens of a document's names (:func:`name_tokens`), without synonyms."""
    return " ".join(t for p in names if p for t in name_tokens(p))


def document_text(*parts: str | None, names: Iterable[str | None] = ()) -> str:
    """The index text of a document: the tokens of its ``names`` (:func:`name_tokens`) and of
    its other parts, then the synonyms of all of them, space-separated."""
    named = [p for p in names if p]
    others = [p for p in parts if p]
    tokens = [t for p in named for t in name_tokens(p)]
    tokens += [t for p in others for t in part_tokens(p)]
    return " ".join(tokens + synonyms_for(" ".join(named + others), tokens))
