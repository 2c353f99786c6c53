"""Japanese text normalisation for search: the same words however they are written.

`analyze` turns a text into search tokens with SudachiPy (the core dictionary ships inside the
`sudachidict-core` wheel, so nothing is downloaded): ひきこもり, 引きこもり and 引き籠もり all become
引き籠もり, 子ども and 子供 become 子供, ＤＶ becomes dv. Documents and queries go through the same
function, so whatever one spelling indexes, another spelling finds.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator

from sudachipy import Dictionary, SplitMode, Tokenizer

__all__ = ["analyze", "analyze_query"]

# Function words carry no meaning of their own in a search; neither do punctuation and spaces.
_DROPPED_POS = frozenset({"助詞", "助動詞", "補助記号", "空白", "記号"})
# する, ある, いる, なる, できる, ない: verbs and adjectives that only support another word.
_SUPPORTING_POS = frozenset({"動詞", "形容詞"})
# Sudachi refuses inputs over 49,149 bytes; 4,000 characters stay well below it in any script.
_CHUNK_CHARS = 4000
_CHUNK_BREAK = re.compile(r"(?<=[。．.！!？?\n])")
_KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u30fc]+")
_HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(0x3041, 0x3097)}

_local = threading.local()
_dictionary_lock = threading.Lock()
_loaded: list[Dictionary] = []


def _dictionary() -> Dictionary:
    # Loading maps the 200 MB dictionary file once per process; tokenizers are cheap views of it.
    with _dictionary_lock:
        if not _loaded:
            _loaded.append(Dictionary(dict="core"))
        return _loaded[0]


def _tokenizer() -> Tokenizer:
    # A Sudachi tokenizer keeps per-call state, so each thread gets its own.
    tokenizer = getattr(_local, "tokenizer", None)
    if tokenizer is None:
        tokenizer = _local.tokenizer = _dictionary().tokenizer(SplitMode.C)
    return tokenizer


def analyze(text: str) -> list[str]:
    """The search tokens of a document, in order, with repeats (ranking counts them).

    Each word comes in its long (mode C) form followed by its parts (mode A) when it is a
    compound, so 健康相談 is found by 健康相談, 健康 and 相談 alike.
    """
    tokens: list[str] = []
    for long_form, parts in _words(text):
        tokens.append(long_form)
        tokens.extend(parts)
    return tokens


def analyze_query(text: str) -> list[str]:
    """The tokens a query must match, without repeats.

    A compound in a query is replaced by its parts: documents hold the parts of every compound
    too, so 健康相談 in a query still finds it, and also finds 健康の相談.
    """
    seen: dict[str, None] = {}
    for long_form, parts in _words(text):
        for token in parts or [long_form]:
            seen.setdefault(token, None)
    return list(seen)


def _words(text: str) -> Iterator[tuple[str, list[str]]]:
    text = unicodedata.normalize("NFKC", text)
    tokenizer = _tokenizer()
    for chunk in _chunks(text):
        for morpheme in tokenizer.tokenize(chunk):
            pos = morpheme.part_of_speech()
            if pos[0] in _DROPPED_POS or (pos[0] in _SUPPORTING_POS and pos[1] == "非自立可能"):
                continue
            token = _clean(morpheme.normalized_form(), oov=morpheme.is_oov())
            if not token:
                continue
            split = morpheme.split(SplitMode.A)
            parts = [_clean(part.normalized_form(), oov=part.is_oov()) for part in split] if len(split) > 1 else []
            yield token, [part for part in parts if part]


def _clean(token: str, *, oov: bool) -> str:
    # Underscores are reserved for the index's filter tokens (see tsunagari.search.facets).
    token = token.lower().replace("_", "").strip()
    if oov and _KANA.fullmatch(token):
        # Words Sudachi does not know get no normalised form; at least let ひらがな and カタカナ meet.
        token = token.translate(_HIRAGANA_TO_KATAKANA)
    return token


def _chunks(text: str) -> Iterator[str]:
    if len(text) <= _CHUNK_CHARS:
        yield text
        return
    current = ""
    for sentence in _CHUNK_BREAK.split(text):
        while len(sentence) > _CHUNK_CHARS:
            # A sentence with no break in 4,000 characters: cut it, at worst splitting one word.
            if current:
                yield current
                current = ""
            yield sentence[:_CHUNK_CHARS]
            sentence = sentence[_CHUNK_CHARS:]
        if len(current) + len(sentence) > _CHUNK_CHARS:
            yield current
            current = ""
        current += sentence
    if current:
        yield current
