"""Japanese text normalisation for search: the same words however they are written.

`analyze` turns a text into search tokens with SudachiPy (the core dictionary ships inside the
`sudachidict-core` wheel, so nothing is downloaded): ひきこもり, 引きこもり and 引き籠もり all become
引き籠もり, 子ども and 子供 become 子供, ＤＶ becomes dv. Documents and queries go through the same
function, so whatever one spelling indexes, another spelling finds.

Each word is also indexed by its reading, in hiragana (`reading`), where the dictionary gives one:
借金 also as しゃっきん, 引き籠もり as ひきこもり, ヤングケアラー as やんぐけあらー. A query word written
in kana may match by its reading too (`query_clauses`), and a run of kana that Sudachi cuts into
meaningless pieces (しゃっきん → しゃっ・きん, やんぐけあらー → やん・ぐ・け・あら) may match as one
reading: so ヒキコモリ, しゃっきん and やんぐけあらー find what 引きこもり, 借金 and ヤングケアラー find.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator

from sudachipy import Dictionary, Morpheme, SplitMode, Tokenizer

__all__ = ["Clause", "analyze", "analyze_query", "query_clauses", "query_forms", "reading"]

# Function words carry no meaning of their own in a search; neither do punctuation and spaces.
_DROPPED_POS = frozenset({"助詞", "助動詞", "補助記号", "空白", "記号"})
# する, ある, いる, なる, できる, ない: verbs and adjectives that only support another word.
_SUPPORTING_POS = frozenset({"動詞", "形容詞"})
# Sudachi refuses inputs over 49,149 bytes; 4,000 characters stay well below it in any script.
_CHUNK_CHARS = 4000
_CHUNK_BREAK = re.compile(r"(?<=[。．.！!？?\n])")
_KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u30fc]+")
_HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(0x3041, 0x3097)}
_KATAKANA_TO_HIRAGANA = {code + 0x60: code for code in range(0x3041, 0x3097)}
# A query's words are separated by spaces and punctuation; a chunk of kana alone may be one word.
_QUERY_CHUNK = re.compile(r"[\s、。，．,.・!！?？「」『』()（）/／]+")
_JAPANESE = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u4e00-\u9fff\u3005]")
_KANA_RUN = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u30fc]{2,}")

# One word of a query: any of its forms matches it (its normalised form, or its reading).
Word = tuple[str, ...]
# One chunk of a query: any alternative matches it; an alternative is words that must all match.
Clause = tuple[tuple[Word, ...], ...]

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
    for word in _words(text):
        tokens.append(word.long_form)
        tokens.extend(word.parts)
        tokens.extend(word.readings)
    return tokens


def analyze_query(text: str) -> list[str]:
    """The tokens a query must match, without repeats.

    A compound in a query is replaced by its parts: documents hold the parts of every compound
    too, so 健康相談 in a query still finds it, and also finds 健康の相談.
    """
    seen: dict[str, None] = {}
    for word in _words(text):
        for token in word.parts or [word.long_form]:
            seen.setdefault(token, None)
    return list(seen)


def reading(text: str) -> str:
    """Kana in hiragana (ヒキコモリ → ひきこもり): the one form in which readings are compared."""
    return text.translate(_KATAKANA_TO_HIRAGANA)


def query_clauses(text: str) -> list[Clause]:
    """What a query must match, chunk by chunk (chunks are cut at spaces and punctuation).

    Every chunk must match. A chunk matches when all its words do, each by its normalised form or,
    for a word written in kana, by its reading. A chunk written in kana alone also matches as one
    reading (しゃっきん: Sudachi cuts it into しゃっ・きん, but 借金 is indexed as しゃっきん too).
    """
    clauses: list[Clause] = []
    seen: set[Clause] = set()
    for chunk in _QUERY_CHUNK.split(unicodedata.normalize("NFKC", text)):
        if not chunk:
            continue
        alternatives: list[tuple[Word, ...]] = []
        # A chunk in katakana is also read as if in hiragana, where Sudachi knows more words
        # (セイボウリョク → せいぼうりょく → 性・暴力).
        spellings = [chunk, reading(chunk)] if _KANA_RUN.fullmatch(chunk) else [chunk]
        for spelling in dict.fromkeys(spellings):
            words = _query_words(spelling)
            if words and words not in alternatives:
                alternatives.append(words)
        if _KANA_RUN.fullmatch(chunk):
            whole = reading(chunk)
            # Not when the chunk is one word that already has this reading among its forms.
            if not any(len(words) == 1 and whole in words[0] for words in alternatives):
                alternatives.append(((whole,),))
        clause = tuple(alternatives)
        if clause and clause not in seen:
            seen.add(clause)
            clauses.append(clause)
    return clauses


def _query_words(text: str) -> tuple[Word, ...]:
    words: dict[Word, None] = {}
    for word in _words(text):
        for atom, atom_reading, kana in word.atoms:
            forms = (atom, atom_reading) if kana and atom_reading and atom_reading != atom else (atom,)
            words.setdefault(forms, None)
    return tuple(words)


def query_forms(clauses: list[Clause]) -> list[str]:
    """Every form a query's clauses name, once each: what "any word" looks for."""
    forms: dict[str, None] = {}
    for clause in clauses:
        for alternative in clause:
            for word in alternative:
                for form in word:
                    forms.setdefault(form, None)
    return list(forms)


class _Word:
    """One word of a text: its long form, its parts if a compound, and readings of its atoms."""

    __slots__ = ("atoms", "long_form", "parts", "readings")

    def __init__(self, long_form: str, long_reading: str, parts: list[str], atoms: list[tuple[str, str, bool]]) -> None:
        self.long_form = long_form
        self.parts = parts
        # (normalised form, reading in hiragana or "", written in kana alone) of each smallest piece.
        self.atoms = atoms
        # A compound is read whole too: ふとうこう is 不登校, not 不 and 登校.
        readings = [long_reading] if parts and long_reading else []
        readings += [r for atom, r, _kana in atoms if r and r != atom]
        self.readings = list(dict.fromkeys(readings))


def _words(text: str) -> Iterator[_Word]:
    text = unicodedata.normalize("NFKC", text)
    tokenizer = _tokenizer()
    for chunk in _chunks(text):
        for morpheme in tokenizer.tokenize(chunk):
            pos = morpheme.part_of_speech()
            if pos[0] in _DROPPED_POS or (pos[0] in _SUPPORTING_POS and pos[1] == "非自立可能"):
                continue
            known = _known_in_hiragana(morpheme) if morpheme.is_oov() else None
            if known is not None:
                morpheme = known
            token = _clean(morpheme.normalized_form(), oov=morpheme.is_oov())
            if not token:
                continue
            split = morpheme.split(SplitMode.A)
            pieces = split if len(split) > 1 else [morpheme]
            atoms = []
            for piece in pieces:
                atom = _clean(piece.normalized_form(), oov=piece.is_oov())
                if atom:
                    atoms.append((atom, _reading_of(piece), bool(_KANA_RUN.fullmatch(piece.surface()))))
            parts = [atom for atom, _r, _k in atoms] if len(split) > 1 else []
            yield _Word(token, _reading_of(morpheme) if parts else "", parts, atoms)


def _known_in_hiragana(morpheme: Morpheme) -> Morpheme | None:
    """A word in katakana the dictionary knows only in hiragana (ヒキコモリ → ひきこもり → 引き籠もり)."""
    surface = morpheme.surface()
    if not _KANA_RUN.fullmatch(surface) or reading(surface) == surface:
        return None
    found = list(_hiragana_tokenizer().tokenize(reading(surface)))
    if len(found) == 1 and not found[0].is_oov():
        return found[0]
    return None


def _hiragana_tokenizer() -> Tokenizer:
    # Not the thread's main tokenizer: its morphemes stay valid only until its next call.
    tokenizer = getattr(_local, "hiragana_tokenizer", None)
    if tokenizer is None:
        tokenizer = _local.hiragana_tokenizer = _dictionary().tokenizer(SplitMode.C)
    return tokenizer


def _reading_of(morpheme: Morpheme) -> str:
    """The dictionary's reading of a Japanese word, in hiragana; "" for Latin, digits and the like."""
    surface = morpheme.surface()
    if not _JAPANESE.search(surface):
        return ""
    return reading(morpheme.reading_form()).replace("_", "").strip()


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
