"""Which character encoding a document's bytes are in, decided from the bytes themselves; a
declared charset (HTTP header, ``<meta charset>``, XML declaration) is a hint the bytes can
overrule.

Declarations are often wrong: a CMS that writes UTF-8 under a template saying ``iso-8859-1``
("CafÃ©"), an old page saved as windows-1252 whose server says ``utf-8``. Decoding follows what
the bytes allow, in this order:

1. a byte order mark says it;
2. bytes that are valid UTF-8 (with some non-ASCII) are UTF-8, whatever is declared: text in a
   legacy encoding is practically never valid UTF-8 by chance;
3. bytes that are mostly UTF-8 (more valid multi-byte sequences than invalid bytes) are damaged
   UTF-8: the bad bytes are replaced, the accents kept;
4. a declared legacy encoding that decodes the bytes is taken (``iso-8859-1`` and ``ascii`` read
   as windows-1252, as browsers do: its superset);
5. else the encoding is guessed from the bytes: charset-normalizer (as trafilatura does), among
   the encodings of the web only, for text in other scripts; for Latin script, the code page
   that reads the bytes into the letters of one language, windows-1252 (the web's legacy
   default) first among equals. charset-normalizer alone decodes a short cp1252 page as cp1257,
   cp775 or mac_iceland: its statistics need more text than an article has.

Each decision other than plain UTF-8 comes with a note saying what was decided.

>>> decode_bytes("Café".encode("utf-8"), declared="iso-8859-1")
Decoded(text='Café', encoding='utf-8', note='declared iso-8859-1, but the bytes are UTF-8: decoded as UTF-8')
>>> decode_bytes("Le café – 20 €".encode("cp1252"), declared="utf-8").note
'declared utf-8, but the bytes are not UTF-8: decoded as cp1252 (guessed from the bytes)'
>>> declared_charset(b'<html><head><meta charset="ISO-8859-1"></head>')
'ISO-8859-1'
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

# Byte order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one).
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
REPLACEMENT = "\ufffd"
# Declared labels that mean a superset on the web (WHATWG Encoding Standard): a page declared
# iso-8859-1 is read as windows-1252 by every browser, and written accordingly.
WEB_SUPERSETS = {
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "iso8859-9": "cp1254",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
}
# A declaration must be near the top: the HTML spec looks at the first 1024 bytes, pages with
# long heads put it later; further down, a "charset=" is some script's or article's text.
DECLARATION_BYTES = 8192
# How much of a document the guess looks at (it samples within that); cut at a line break so
# that no multi-byte character is cut in two.
GUESS_BYTES = 100_000
# What a guess may be: the legacy encodings of the web (the WHATWG Encoding Standard's, as
# Python names them; without the Mac ones, which no crawl of news meets). DOS code pages such
# as cp775 or cp850 read Western bytes "about as well" on a short page, and are never right.
WEB_ENCODINGS = (
    "cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp1258",
    "iso8859_2", "iso8859_3", "iso8859_4", "iso8859_5", "iso8859_6", "iso8859_7", "iso8859_8",
    "iso8859_10", "iso8859_13", "iso8859_14", "iso8859_15", "iso8859_16", "koi8_r", "koi8_u",
    "cp866", "cp874", "gb18030", "big5", "euc_jp", "iso2022_jp", "cp932", "cp949", "utf_8",
)  # fmt: skip
# The code pages of text in Latin script, most used first (ties go to the first). Between them
# charset-normalizer is no judge on a news-length page: it ranks cp1257 above cp1252 for
# "Déjà vu: “smart quotes” – and a euro sign €." and iso8859_10 above it for an Italian
# sentence. What tells them apart is that the right one gives letters of one language.
LATIN_ENCODINGS = (
    "cp1252", "cp1250", "cp1254", "cp1257", "iso8859_2", "iso8859_13", "iso8859_16",
    "iso8859_10", "iso8859_4", "iso8859_3", "iso8859_14",
)  # fmt: skip
# The letters beyond ASCII of the languages written in Latin script, lower case: the right code
# page reads a text's bytes into letters of one of these (Czech in cp1250 reads "č ě ř ů" in
# Czech, the same bytes in cp1252 read "è ì ø ù", which no one language writes together).
LATIN_ALPHABETS = (
    "àâæçéèêëîïôœùûüÿ",  # French
    "äöüß",  # German
    "áéíñóúü",  # Spanish
    "áâãàçéêíóôõú",  # Portuguese
    "àèéìíîòóùú",  # Italian
    "àçèéíïòóúü·",  # Catalan
    "áéëïóöü",  # Dutch
    "åæéø",  # Danish, Norwegian
    "åäöé",  # Swedish, Finnish
    "áæéíðóöúýþ",  # Icelandic
    "âçğıîöşüû",  # Turkish
    "áčďéěíňóřšťúůýž",  # Czech
    "áäčďéíĺľňóôŕšťúýž",  # Slovak
    "ąćęłńóśźż",  # Polish
    "áéíóöőúüű",  # Hungarian
    "ăâîșşțţ",  # Romanian
    "čćđšž",  # Croatian, Bosnian, Serbian, Slovene
    "ąčęėįšųūž",  # Lithuanian
    "āčēģīķļņšūž",  # Latvian
    "äõöüšž",  # Estonian
    "çë",  # Albanian
)
# Legacy encodings tried, in order, when no guess is made or the guess fails.
FALLBACKS = ("cp1252", "latin-1")

_META = re.compile(rb"<meta\b[^>]*+>", re.IGNORECASE)
_CHARSET = re.compile(rb"""charset\s*+=\s*+["']?\s*+([\w.:-]++)""", re.IGNORECASE)
_XML_ENCODING = re.compile(
    rb"""\s*+<\?xml\b[^>]*?\bencoding\s*+=\s*+["']([\w.:-]++)""", re.IGNORECASE
)
_HEADER_CHARSET = re.compile(r"""charset\s*+=\s*+["']?\s*+([\w.:-]++)""", re.IGNORECASE)


@dataclass(frozen=True)
class Decoded:
    """Decoded text, the codec that decoded it, and what was decided (None: plain UTF-8)."""

    text: str
    encoding: str
    note: str | None = None


def charset_of_content_type(content_type: str | None) -> str | None:
    """The ``charset`` of an HTTP ``Content-Type`` value, if it names one.

    >>> charset_of_content_type("text/html; charset=Windows-1252")
    'Windows-1252'
    """
    found = _HEADER_CHARSET.search(content_type or "")
    return found.group(1) if found else None


def declared_charset(data: bytes, http_charset: str | None = None) -> str | None:
    """The charset a page declares: its HTTP header's first (it wins in browsers), else a
    ``<meta>`` tag's or the XML declaration's near the top of the page."""
    if http_charset:
        return http_charset
    head = data[:DECLARATION_BYTES]
    xml = _XML_ENCODING.match(head)
    if xml:
        return xml.group(1).decode("ascii")
    for tag in _META.finditer(head):
        found = _CHARSET.search(tag.group())
        if found:
            return found.group(1).decode("ascii")
    return None


def codec_of(label: str | None) -> str | None:
    """The Python codec a declared label stands for on the web, or None if unknown.

    >>> codec_of("ISO-8859-1"), codec_of("utf8"), codec_of("x-no-such-thing")
    ('cp1252', 'utf-8', None)
    """
    if not label:
        return None
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name.startswith("utf-16") or name.startswith("utf-32"):
        return "utf-8"  # a declaration readable as ASCII is not in UTF-16 (that has a BOM)
    return WEB_SUPERSETS.get(name, name)


def decode_bytes(data: bytes, declared: str | None = None, guess: bool = True) -> Decoded:
    """Decode ``data``, the ``declared`` charset a hint the bytes can overrule (see the module's
    docstring). ``guess``: guess a legacy encoding from the bytes (else windows-1252, then
    latin-1, as for a JSON line, which is UTF-8 by definition)."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return _decoded_by_bom(data, encoding)
    codec = codec_of(declared)
    wrongly = (
        f"declared {declared}, but the bytes are UTF-8" if codec not in (None, "utf-8") else None
    )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        note = f"{wrongly}: decoded as UTF-8" if wrongly and not data.isascii() else None
        return Decoded(text, "utf-8", note)
    lenient = data.decode("utf-8", "replace")
    bad = lenient.count(REPLACEMENT) - data.count(REPLACEMENT.encode())
    decoded_non_ascii = sum(1 for char in lenient if ord(char) > 127) - lenient.count(REPLACEMENT)
    if decoded_non_ascii > bad:
        note = f"{bad} invalid UTF-8 sequences replaced by U+FFFD"
        return Decoded(lenient, "utf-8", f"{wrongly}; {note}" if wrongly else note)
    if codec not in (None, "utf-8"):
        try:
            return Decoded(data.decode(codec), codec, f"decoded as {codec} (declared {declared})")
        except UnicodeDecodeError:
            said = f"declared {declared}, but the bytes are not {codec}: "
    elif declared:
        said = f"declared {declared}, but the bytes are not UTF-8: "
    else:
        said = "not valid UTF-8, "
    guessed = guessed_encoding(data) if guess else None
    if guessed is not None:
        try:
            text = data.decode(guessed)
        except (UnicodeDecodeError, LookupError):
            pass
        else:
            return Decoded(text, guessed, f"{said}decoded as {guessed} (guessed from the bytes)")
    for fallback in FALLBACKS:
        try:
            return Decoded(data.decode(fallback), fallback, f"{said}decoded as {fallback}")
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte string")  # pragma: no cover


def _decoded_by_bom(data: bytes, encoding: str) -> Decoded:
    text = data.decode(encoding, "replace")
    bad = text.count(REPLACEMENT) - data.count(REPLACEMENT.encode())
    note = None if encoding == "utf-8-sig" else f"decoded as {encoding.upper()} (byte order mark)"
    if bad > 0:
        note = _join(note, f"{bad} invalid sequences replaced by U+FFFD")
    return Decoded(text, encoding, note)


def guessed_encoding(data: bytes) -> str | None:
    """The legacy encoding the bytes read best in; None when nothing reads them.

    charset-normalizer (among the web's encodings) for other scripts (Cyrillic, Greek, Hebrew,
    Arabic, CJK, Thai); for Latin script the code page whose reading gives letters of one
    language (:func:`latin_encoding`), windows-1252 first among equals."""
    from charset_normalizer import from_bytes  # local: only non-UTF-8 input needs it

    sample = data
    if len(data) > GUESS_BYTES:
        cut = data.rfind(b"\n", 0, GUESS_BYTES)
        sample = data[: cut + 1] if cut > 0 else data[:GUESS_BYTES]
    best = from_bytes(sample, cp_isolation=list(WEB_ENCODINGS)).best()
    if best is not None and not _mostly_latin(str(best)):
        return "utf-8" if best.encoding in ("utf_8", "ascii") else best.encoding
    return latin_encoding(sample) or (best.encoding if best is not None else None)


def latin_encoding(data: bytes) -> str | None:
    """The code page of ``LATIN_ENCODINGS`` that reads ``data`` into letters of one language
    most (ties: the most used), or None if none decodes it.

    >>> latin_encoding("Vláda oznámila, že jednání budou pokračovat.".encode("cp1250"))
    'cp1250'
    >>> latin_encoding("Il governo ha annunciato martedì che più".encode("cp1252"))
    'cp1252'
    """
    best: tuple[float, str] | None = None
    for encoding in LATIN_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = _one_language_share(text)
        if best is None or score > best[0]:
            best = (score, encoding)
    return best[1] if best is not None else None


def _one_language_share(text: str) -> float:
    """The largest share of ``text``'s non-ASCII letters that one language's alphabet holds
    (1.0 for text with none: nothing against it)."""
    letters = [char for char in text.lower() if char.isalpha() and not char.isascii()]
    if not letters:
        return 1.0
    return max(
        sum(1 for char in letters if char in alphabet) for alphabet in LATIN_ALPHABETS
    ) / len(letters)


def _mostly_latin(text: str) -> bool:
    """Whether most of the non-ASCII letters of ``text`` are Latin ones (or it has none)."""
    letters = [char for char in text if char.isalpha() and not char.isascii()]
    latin = sum(1 for char in letters if unicodedata.name(char, "").startswith("LATIN"))
    return latin * 2 >= len(letters)


def _join(first: str | None, second: str) -> str:
    return f"{first}; {second}" if first else second
