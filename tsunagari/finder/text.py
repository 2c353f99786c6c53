"""Text as the finder's matcher sees it: NFKC text, Sudachi words, a kana-folded and a Latin view.

Three views of one text, because each alone misses something: Sudachi's words and lemmas (死にたかった
and しにたい both give 死ぬ + たい), the folded surface for compounds Sudachi keeps whole and for
hiragana-only text it mis-segments, and an accent-free Latin view for English, Portuguese,
Vietnamese and Tagalog words. Offsets everywhere are those of the NFKC text.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

from sudachipy import Dictionary, PosMatcher, SplitMode, Tokenizer

__all__ = ["SENTENCE_BREAK", "TextViews", "Token", "fold", "latin_view", "lemma_keys", "reading", "tokenizer", "views"]

# Hiragana-only typing and phone keyboards: ぃ for い, and ー or 〜 to stretch a word (つらーい).
DROPPED_IN_FOLD = frozenset("ー〜~・ \t\n\r\x0b\x0c\u3000\u00a0\u2028\u2029")
_FOLD: dict[int, int | None] = {
    **{code: code - 0x60 for code in range(0x30A1, 0x30F7)},
    **{ord(small): ord(large) for small, large in zip("ぁぃぅぇぉ", "あいうえお", strict=True)},
    **{ord(char): None for char in DROPPED_IN_FOLD},
}
_NEGATIVES = frozenset({"ず", "へん"})
SENTENCE_BREAK = re.compile(r"[。．.！!？?\n]")
# Sudachi refuses inputs over 49,149 bytes; 4,000 characters stay well below it in any script.
_CHUNK_CHARS = 4000


_local = threading.local()
_dictionary_lock = threading.Lock()


@cache
def _dictionary() -> Dictionary:
    # The dictionary file is memory-mapped once per process; tokenizers are cheap views of it.
    with _dictionary_lock:
        return Dictionary(dict="core")


@cache
def _is_blank() -> PosMatcher:
    return _dictionary().pos_matcher([("空白",)])


def tokenizer() -> Tokenizer:
    """This thread's Sudachi tokenizer (mode C), made on first use."""
    # A Sudachi tokenizer keeps per-call state, so each thread gets its own.
    made: Tokenizer | None = getattr(_local, "tokenizer", None)
    if made is None:
        made = _local.tokenizer = _dictionary().tokenizer(SplitMode.C)
    return made


def _lower(text: str) -> str:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    # A few letters grow when lowered (İ); keep those as they are so offsets stay put.
    return "".join(low if len(low := char.lower()) == 1 else char for char in text)


def fold(text: str) -> str:
    """Text as the surface matcher sees it: hiragana for katakana, no spaces or ー, lower case."""
    return _lower(text).translate(_FOLD)


class _LatinTable(dict[int, str]):
    """Latin letters without their accents, lower case, one character for one (offsets stay put)."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if char in "đĐ":
            value = "d"
        elif char in "’‘`´":
            value = "'"
        else:
            base = unicodedata.normalize("NFD", char)[0]
            lowered = char.lower()
            value = base.lower() if base.isascii() else (lowered if len(lowered) == 1 else char)
        self[code] = value
        return value


_LATIN = _LatinTable()


def latin_view(text: str) -> str:
    """Latin letters lower case and without accents (không → khong), other characters as they are."""
    return text.translate(_LATIN)


@dataclass(frozen=True)
class Token:
    """One Sudachi word: its lemma keys, its folded surface and where it is."""

    # A word's normalised form (子供 for 子ども, 死ぬ for しに) and, apart, its dictionary form:
    # see lemma_keys for when the second is the one to trust.
    keys: tuple[str, ...]
    surface: str
    start: int
    end: int


@dataclass
class TextViews:
    """One text three ways: Sudachi words, the folded surface and the Latin view."""

    text: str
    folded: str
    # origin[i] is the index in `text` of folded[i].
    origin: list[int]
    latin: str
    tokens: list[Token]
    # Where Sudachi's words begin: a kana key must begin a word (とうさん is not inside おとうさん).
    word_starts: frozenset[int]

    def folded_at(self, index: int) -> int:
        """The first folded index at or after text[index]."""
        return bisect_left(self.origin, index)


@cache
def reading(text: str) -> str:
    """The folded kana reading of a short text (a lexicon form or a lemma)."""
    return fold("".join(m.reading_form() for m in tokenizer().tokenize(text)))


def lemma_keys(normalized: str, dictionary: str) -> tuple[str, ...]:
    """The keys a word matches by: its normalised form, unless normalising changed the word itself.

    Sudachi normalises spellings (ひきこもり → 引き籠もり), which is what matching wants, but a few
    words are normalised into other words: 亡き becomes 無い. When the two forms do not read the
    same, the dictionary form is the safer key.
    """
    norm, dic = fold(normalized), fold(dictionary)
    if not norm:
        return ()
    if norm == dic or not dic or reading(normalized) == reading(dictionary):
        return (norm,)
    return ("=" + dic,)


def views(text: str) -> TextViews:
    """The three views of an NFKC-normalised text."""
    tokens = list(_tokens(text))
    lowered = _lower(text)
    origin = [index for index, char in enumerate(lowered) if char not in DROPPED_IN_FOLD]
    return TextViews(
        text=text,
        folded=lowered.translate(_FOLD),
        origin=origin,
        latin=latin_view(text),
        tokens=tokens,
        word_starts=frozenset(token.start for token in tokens),
    )


def _tokens(text: str) -> Iterator[Token]:
    sudachi = tokenizer()
    is_blank = _is_blank()
    for offset, chunk in _chunks(text):
        for morpheme in sudachi.tokenize(chunk):
            if is_blank(morpheme):
                continue
            keys = _token_keys(morpheme.normalized_form(), morpheme.dictionary_form())
            if keys:
                start, end = offset + morpheme.begin(), offset + morpheme.end()
                yield Token(keys=keys, surface=_fold_word(text[start:end]), start=start, end=end)


@lru_cache(maxsize=65536)
def _fold_word(word: str) -> str:
    return fold(word)


@lru_cache(maxsize=65536)
def _token_keys(normalized: str, dictionary: str) -> tuple[str, ...]:
    # Words repeat across texts; folding each once is a third of the time on long letters.
    norm = fold(normalized)
    if not norm:
        return ()
    # 眠れず, 知らん (Sudachi: ず) and 関西の 眠れへん say 眠れない: one more key lets them meet.
    if norm in _NEGATIVES:
        return (norm, "=" + fold(dictionary), "ない")
    return (norm, "=" + fold(dictionary))


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    # Sentences, packed up to the chunk size; a sentence longer than that is cut (at worst one word).
    start = 0
    while start < len(text):
        end = min(start + _CHUNK_CHARS, len(text))
        if end < len(text):
            breaks = [m.end() for m in SENTENCE_BREAK.finditer(text, start, end)]
            if breaks:
                end = breaks[-1]
        yield start, text[start:end]
        start = end
