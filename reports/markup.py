"""Article text as escaped HTML: reused passages highlighted, boilerplate folded, word diffs.

Every character of article text goes through :func:`markupsafe.escape` before it is joined into
:class:`markupsafe.Markup`; nothing from a document is ever emitted unescaped, so a text holding
``<script>`` shows ``<script>`` and runs nothing.

>>> marks = [Mark(0, 5, "o0", "../clusters/1.html", "from Reuters", 1)]
>>> str(highlighted_text("Hello <b>world</b>", marks, []))
'<a class="reuse o0" href="../clusters/1.html" title="from Reuters">Hello</a><a class="ref" href="#p1">1</a> &lt;b&gt;world&lt;/b&gt;'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup, escape
from rapidfuzz.distance import Levenshtein

# Light tints readable under dark text, distinct from each other; the last is for overflow.
PALETTE = (
    "#ffe08a",  # amber
    "#a9d6ff",  # blue
    "#bfeebb",  # green
    "#ffc4d6",  # pink
    "#dccbff",  # violet
    "#ffd0a1",  # orange
    "#b3efe9",  # teal
    "#e8e79a",  # olive
)
OTHER_COLOUR = "#d7dde4"
UNKNOWN_COLOUR = "#e6e6e6"


@dataclass(frozen=True)
class Mark:
    """A highlighted span of a document: where, which colour class, where it links, its tooltip."""

    start_char: int
    end_char: int
    css_class: str
    href: str
    title: str
    number: int  # shown as a reference after the passage, pointing at the passage list


@dataclass(frozen=True)
class Fold:
    """A span of boilerplate, shown collapsed."""

    start_char: int
    end_char: int
    kind: str


class Palette:
    """Stable colour per origin label: the most frequent origins get the distinct colours.

    >>> palette = Palette(["Reuters", "AFP", "unknown origin"], unknown="unknown origin")
    >>> palette.css_class("AFP"), palette.colour("AFP")
    ('o1', '#a9d6ff')
    >>> palette.css_class("unknown origin")
    'ou'
    """

    def __init__(self, ranked_labels: list[str], unknown: str) -> None:
        self.unknown = unknown
        known = [label for label in ranked_labels if label != unknown]
        self.index = {label: position for position, label in enumerate(known[: len(PALETTE)])}

    def css_class(self, label: str) -> str:
        if label == self.unknown:
            return "ou"
        position = self.index.get(label)
        return f"o{position}" if position is not None else "ox"

    def colour(self, label: str) -> str:
        if label == self.unknown:
            return UNKNOWN_COLOUR
        position = self.index.get(label)
        return PALETTE[position] if position is not None else OTHER_COLOUR

    def legend(self) -> list[tuple[str, str]]:
        return [(label, self.css_class(label)) for label in self.index]


def palette_css() -> str:
    """CSS rules for the colour classes (``o0``.. ``o7``, ``ox`` other, ``ou`` unknown)."""
    rules = [f".o{position}{{background:{colour}}}" for position, colour in enumerate(PALETTE)]
    rules.append(f".ox{{background:{OTHER_COLOUR}}}")
    rules.append(f".ou{{background:{UNKNOWN_COLOUR}}}")
    return "\n".join(rules)


def highlighted_text(text: str, marks: list[Mark], folds: list[Fold]) -> Markup:
    """``text`` escaped, with ``marks`` as links and ``folds`` as collapsed ``<details>``.

    Marks may overlap each other: every character is coloured by the shortest mark covering it
    (the most specific passage). Folds win over marks: boilerplate is not article text.
    """
    length = len(text)
    pieces: list[str] = []
    cursor = 0
    for fold_start, fold_end, kinds in _merge_folds(folds, length):
        if fold_start > cursor:
            pieces.append(_marked_range(text, cursor, fold_start, marks))
        fold_text = text[fold_start:fold_end]
        label = ", ".join(kinds)
        pieces.append(
            f'<details class="bp"><summary>{escape(label)} removed '
            f"({len(fold_text)} characters)</summary>"
            f'<span class="bptext">{escape(fold_text)}</span></details>'
        )
        cursor = fold_end
    if cursor < length:
        pieces.append(_marked_range(text, cursor, length, marks))
    return Markup("".join(pieces))


def _merge_folds(folds: list[Fold], length: int) -> list[tuple[int, int, list[str]]]:
    merged: list[tuple[int, int, list[str]]] = []
    for fold in sorted(folds, key=lambda item: (item.start_char, item.end_char)):
        start, end = max(0, fold.start_char), min(length, fold.end_char)
        if end <= start:
            continue
        if merged and start < merged[-1][1]:
            last_start, last_end, kinds = merged[-1]
            if fold.kind not in kinds:
                kinds.append(fold.kind)
            merged[-1] = (last_start, max(last_end, end), kinds)
        else:
            merged.append((start, end, [fold.kind]))
    return merged


def _marked_range(text: str, range_start: int, range_end: int, marks: list[Mark]) -> str:
    inside = [
        mark
        for mark in marks
        if mark.start_char < range_end
        and mark.end_char > range_start
        and mark.end_char > mark.start_char
    ]
    if not inside:
        return str(escape(text[range_start:range_end]))
    cuts = {range_start, range_end}
    for mark in inside:
        cuts.add(max(range_start, mark.start_char))
        cuts.add(min(range_end, mark.end_char))
    ordered = sorted(cuts)
    ending_at: dict[int, list[Mark]] = {}
    for mark in inside:
        if range_start < mark.end_char <= range_end:
            ending_at.setdefault(mark.end_char, []).append(mark)
    pieces: list[str] = []
    for start, end in zip(ordered, ordered[1:], strict=False):
        covering = [mark for mark in inside if mark.start_char <= start and mark.end_char >= end]
        segment = escape(text[start:end])
        if covering:
            mark = min(covering, key=lambda item: (item.end_char - item.start_char, item.number))
            extra = f" (+{len(covering) - 1} overlapping)" if len(covering) > 1 else ""
            pieces.append(
                f'<a class="reuse {mark.css_class}" href="{escape(mark.href)}" '
                f'title="{escape(mark.title + extra)}">{segment}</a>'
            )
        else:
            pieces.append(str(segment))
        for mark in sorted(ending_at.get(end, []), key=lambda item: item.number):
            pieces.append(f'<a class="ref" href="#p{mark.number}">{mark.number}</a>')
    return "".join(pieces)


# ---- word-level differences ---------------------------------------------------------------

# Words (keeping "don't" and "U.S." whole), whitespace runs, single punctuation marks.
_TOKEN = re.compile(r"(?:\w\.){2,}|\w+(?:['’]\w+)*|\s+|[^\w\s]")
_INITIAL_DOT = re.compile(r"\b(\w)\.")
_STYLE_FOLD = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})


@dataclass(frozen=True)
class WordDiff:
    """A variant rendered against a reference, and how many of its words are unchanged."""

    html: Markup
    same_words: int
    variant_words: int
    reference_words: int

    @property
    def kept_share(self) -> float:
        """Share of the reference's words kept, in order, by the variant."""
        return self.same_words / self.reference_words if self.reference_words else 1.0


def word_diff(reference: str, variant: str) -> WordDiff:
    """The variant's words; words it added or changed in ``<ins>``, reference words it dropped
    in ``<del>``, and changes of quote marks, dashes, case or ``U.S.``/``US`` only as ``style``.

    >>> diff = word_diff("The U.S. said it was fine.", "The US said it was “fine”!")
    >>> str(diff.html)
    'The <span class="style" title="was: U.S.">US</span> said it was <ins>“</ins>fine<del>.</del><ins>”!</ins>'
    >>> diff.same_words, diff.reference_words
    (6, 6)
    """
    reference_tokens = _TOKEN.findall(reference)
    variant_tokens = _TOKEN.findall(variant)
    # Align on style-folded tokens, so that a change of quote marks or case stays aligned and
    # is shown as style, not as a dropped and an added word.
    reference_words = _word_prefix(reference_tokens)
    variant_words = _word_prefix(variant_tokens)
    opcodes = _readable_opcodes(
        Levenshtein.opcodes(
            [_style_key(token) for token in reference_tokens],
            [_style_key(token) for token in variant_tokens],
        ),
        reference_words,
        variant_words,
    )
    pieces: list[str] = []
    same = 0
    for tag, ref_start, ref_end, var_start, var_end in opcodes:
        old = reference_tokens[ref_start:ref_end]
        new = variant_tokens[var_start:var_end]
        if tag == "equal":
            same += variant_words[var_end] - variant_words[var_start]
            if old == new:
                pieces.append(str(escape("".join(new))))
            else:
                pieces.extend(_equal_tokens(old, new))
            continue
        if "".join(old).strip():
            pieces.append(f"<del>{escape(''.join(old))}</del>")
        if "".join(new).strip():
            pieces.append(f"<ins>{escape(''.join(new))}</ins>")
        elif new:
            pieces.append(str(escape("".join(new))))
    return WordDiff(Markup("".join(pieces)), same, variant_words[-1], reference_words[-1])


SHORT_EQUAL_WORDS = 3


def _readable_opcodes(
    opcodes, reference_words: list[int], variant_words: list[int]
) -> list[tuple[str, int, int, int, int]]:
    """Opcodes with short equal runs inside a rewritten stretch folded into one change.

    A word-level alignment of two different sentences matches stray "the" and "to" and shows a
    word-by-word zigzag of deletions and insertions; one deleted and one inserted phrase reads
    better. An equal run of at most :data:`SHORT_EQUAL_WORDS` words is folded when the changes
    on both sides of it touch more than twice as many words as it holds.
    """
    plain = [(op.tag, op.src_start, op.src_end, op.dest_start, op.dest_end) for op in opcodes]

    def changed_words(op: tuple[str, int, int, int, int]) -> int:
        _, ref_start, ref_end, var_start, var_end = op
        return (
            reference_words[ref_end]
            - reference_words[ref_start]
            + variant_words[var_end]
            - variant_words[var_start]
        )

    folded: list[tuple[str, int, int, int, int]] = []
    for index, op in enumerate(plain):
        tag, ref_start, ref_end, var_start, var_end = op
        if tag == "equal" and folded and folded[-1][0] != "equal" and index + 1 < len(plain):
            words = reference_words[ref_end] - reference_words[ref_start]
            if words <= SHORT_EQUAL_WORDS and 2 * words < changed_words(folded[-1]) + changed_words(
                plain[index + 1]
            ):
                tag = "replace"
        if tag != "equal" and folded and folded[-1][0] != "equal":
            _, first_ref, _, first_var, _ = folded[-1]
            folded[-1] = ("replace", first_ref, ref_end, first_var, var_end)
        else:
            folded.append((tag, ref_start, ref_end, var_start, var_end))
    return folded


def _equal_tokens(old: list[str], new: list[str]) -> list[str]:
    """Tokens equal up to style: the variant's, with style changes marked (runs merged)."""
    pieces: list[str] = []
    run_old: list[str] = []
    run_new: list[str] = []

    def flush() -> None:
        if run_new:
            pieces.append(
                f'<span class="style" title="was: {escape("".join(run_old))}">'
                f"{escape(''.join(run_new))}</span>"
            )
            run_old.clear()
            run_new.clear()

    for before, after in zip(old, new, strict=True):
        if before == after or (before.isspace() and after.isspace()):
            flush()
            pieces.append(str(escape(after)))
        else:
            run_old.append(before)
            run_new.append(after)
    flush()
    return pieces


@lru_cache(maxsize=65536)
def _style_key(text: str) -> str:
    """What is left when quote marks, dashes, case, spacing and ``U.S.``-style dots are ignored."""
    if text.isspace():
        return " "
    folded = _INITIAL_DOT.sub(r"\1", text.translate(_STYLE_FOLD).casefold())
    return " ".join(folded.split())


def _word_prefix(tokens: list[str]) -> list[int]:
    """``prefix[i]`` = number of words among ``tokens[:i]`` (a token is a word if it starts
    with a letter, digit or underscore)."""
    prefix = [0]
    for token in tokens:
        prefix.append(prefix[-1] + (token[0].isalnum() or token[0] == "_"))
    return prefix
