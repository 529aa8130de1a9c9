"""Speaker names: one person, one name, across a document set.

``dedup.quotes`` finds a quotation's speaker as written near it and resolves it within its
document (``President Trump`` -> ``Donald Trump`` when the document names him). Two steps
here make the names of a whole document set agree:

* :func:`descriptor_free` strips what is not the name from a captured phrase: titles and
  roles (``Spotify CEO Daniel Ek`` -> ``Daniel Ek``, ``Executive Daniel Ek`` -> ``Daniel
  Ek``), places and government words before a name (``Russia Jon Huntsman`` -> ``Jon
  Huntsman``, ``State Mike Pompeo`` -> ``Mike Pompeo``) and a country after one;
* :func:`resolve_speakers` maps each speaker to the one person the set's full names allow: a
  surname alone (``Hofeller``) to the only person of that surname quoted by full name, a
  shorter form (``Wilbur Ross``) to the only longer form with more middle initials
  (``Wilbur L. Ross``). Two people of one surname (``Donald Trump``, ``Melania Trump``) leave
  the surname alone as it is.

The mapping for a surname depends on the set of full names of that surname only (not on how
often each is quoted), so a stored speaker is an answer that stays right while that set does:
:func:`speaker_documents_to_reread` tells an incremental run which stored documents' quotes
must be found again (from their text) because the set changed and their stored speaker may
stand for a surname alone.

>>> descriptor_free("Spotify CEO Daniel Ek")
'Daniel Ek'
>>> from dedup.records import Quote
>>> [q.speaker for q in resolve_speakers([Quote("a", 0, 1, "x", "Thomas Hofeller"),
...                                       Quote("b", 0, 1, "y", "Hofeller")])]
['Thomas Hofeller', 'Thomas Hofeller']
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace

from dedup.records import Quote

__all__ = [
    "descriptor_free",
    "resolve_speakers",
    "same_person_forms",
    "speaker_documents_to_reread",
    "surname",
]

# Words of a role or a title: a name never goes on past one, so the name is what follows the
# last of them (``Commerzbank analyst``, ``Spotify CEO``, ``Commerce Secretary``). Compared
# lower-cased without a final dot. Only words before a name's last word count, so a surname
# that is also a role (``Stephen King``, ``Edith Head``) stays.
_ROLES = """ceo cfo coo cto cmo executive officer founder co-founder cofounder chair chairperson
chairman chairwoman president vice secretary minister director manager head spokesman
spokeswoman spokesperson analyst economist strategist adviser advisor attorney lawyer
counsel commissioner superintendent inspector deputy assistant associate senior treasurer
clerk sheriff chief partner pollster researcher scientist historian professor prof
lecturer activist organizer host anchor commentator columnist author editor reporter
correspondent producer coach leader candidate nominee governor gov senator sen
representative rep congressman congresswoman mayor judge justice ambassador envoy general
gen admiral adm colonel col major maj captain capt lieutenant lt sergeant sgt official
aide creator owner investor entrepreneur musician singer rapper artist comedian mr mrs
ms dr sir dame lord lady king queen prince princess pope rev father sheikh premier
chancellor counselor consultant expert specialist journalist writer novelist marshal
brigadier commander cmdr speaker whip
"""
ROLE_WORDS = frozenset(_ROLES.split())

_COUNTRIES = """
Afghanistan Albania Algeria Andorra Angola Argentina Armenia Australia Austria Azerbaijan
Bahamas Bahrain Bangladesh Barbados Belarus Belgium Belize Benin Bhutan Bolivia Bosnia
Botswana Brazil Brunei Bulgaria Burundi Cambodia Cameroon Canada Colombia Comoros Congo
Croatia Cuba Cyprus Czechia Denmark Djibouti Dominica Ecuador Egypt Eritrea Estonia Eswatini
Ethiopia Fiji Finland Gabon Gambia Germany Ghana Greece Grenada Guatemala Guinea Guyana Haiti
Honduras Hungary Iceland India Indonesia Iran Iraq Italy Jamaica Japan Kazakhstan Kenya
Kiribati Kosovo Kuwait Kyrgyzstan Laos Latvia Lebanon Lesotho Liberia Libya Liechtenstein
Lithuania Luxembourg Madagascar Malawi Malaysia Maldives Mali Malta Mauritania Mauritius
Mexico Micronesia Moldova Monaco Mongolia Montenegro Morocco Mozambique Myanmar Namibia Nauru
Nepal Netherlands Nicaragua Niger Nigeria Norway Oman Pakistan Palau Palestine Panama Paraguay
Peru Philippines Poland Portugal Qatar Romania Russia Rwanda Samoa Senegal Serbia Seychelles
Singapore Slovakia Slovenia Somalia Spain Sudan Suriname Sweden Switzerland Syria Taiwan
Tajikistan Tanzania Thailand Togo Tonga Tunisia Turkey Turkmenistan Tuvalu Uganda Ukraine
Uruguay Uzbekistan Vanuatu Venezuela Vietnam Yemen Zambia Zimbabwe Britain Scotland
U.S. US USA U.S.A. U.K. UK EU E.U. UN U.N. NATO
"""
# Countries that are also given names or surnames: stripped before a name only (``Jordan``,
# ``Chad``, ``Israel``, ``Georgia``, ``France``, ``England``, ``Ireland``, ``Wales``, ``China``).
_NAME_LIKE_COUNTRIES = "Jordan Chad Israel Georgia France England Ireland Wales China Korea"
_STATES = """
Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Florida Hawaii Idaho
Illinois Indiana Iowa Kansas Kentucky Louisiana Maine Maryland Massachusetts Michigan
Minnesota Mississippi Missouri Montana Nebraska Nevada Ohio Oklahoma Oregon Pennsylvania
Tennessee Texas Utah Vermont Virginia Wisconsin Wyoming New York Jersey Hampshire Mexico
North South West East Carolina Dakota Rhode Island
"""
# Government words of a title's object (``Secretary of State``, ``Minister of Foreign
# Affairs``), party labels and nationalities: never the start of a name of three words.
_GOVERNMENT = """
State Commerce Treasury Defense Defence Homeland Security Foreign Affairs Justice Interior
Energy Labor Labour Education Health Human Services Agriculture Transportation Transport
Veterans Housing Finance Trade Economy Environment Culture Immigration Intelligence National
Federal Republican Democratic Democrat GOP Senate Congress Parliament United Arab Emirates
Saudi Arabia Africa Zealand Korea Republic American British French German Russian Chinese Japanese Indian Italian
Spanish Mexican Canadian Australian Israeli Iranian Iraqi Syrian Turkish Ukrainian Polish
Swedish Dutch Belgian Swiss Austrian Greek Egyptian Saudi Pakistani Afghan Korean
Brazilian Argentine Venezuelan Cuban Irish Scottish Welsh European Asian African Latino
Hispanic
"""
_BEFORE_A_NAME = frozenset((_COUNTRIES + _NAME_LIKE_COUNTRIES + _STATES + _GOVERNMENT).split())
_AFTER_A_NAME = frozenset(_COUNTRIES.split())
SUFFIXES = frozenset({"Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV"})
_INITIAL = re.compile(r"[A-Z]\.?")


def _is_role(word: str) -> bool:
    return word.rstrip(".").lower() in ROLE_WORDS


def descriptor_free(name: str) -> str:
    """``name`` without the roles, titles, places and government words around it.

    Words before the last role word go with it (``Spotify CEO Daniel Ek``); then places and
    government words at the front while three words or more are left (a two-word name may
    start with a place: ``Georgia Clark``, ``Jordan Peterson``) and a country at the end
    (``Trump Russia``).

    >>> [descriptor_free(n) for n in ("Russia Jon Huntsman", "State Mike Pompeo",
    ...  "Executive Daniel Ek", "Commerce Secretary Ross", "Trump Russia", "Jordan Peterson",
    ...  "Stephen King", "Martin Luther King Jr.")]
    ['Jon Huntsman', 'Mike Pompeo', 'Daniel Ek', 'Ross', 'Trump', 'Jordan Peterson', 'Stephen King', 'Martin Luther King Jr.']
    """
    words = name.split()
    last = len(words) - 2 if len(words) > 1 and words[-1] in SUFFIXES else len(words) - 1
    for index in range(last - 1, -1, -1):
        if _is_role(words[index]):
            words = words[index + 1 :]
            break
    while len(words) >= 3 and words[0] in _BEFORE_A_NAME:
        words.pop(0)
    while len(words) >= 2 and words[-1] in _AFTER_A_NAME:
        words.pop()
    return " ".join(words)


def _name_parts(name: str) -> tuple[str, tuple[str, ...], str, str] | None:
    """(first, middles, last, suffix) of a full name; None for a single word (a surname or an
    organisation) with or without a suffix."""
    words = name.split()
    suffix = words.pop() if len(words) > 1 and words[-1] in SUFFIXES else ""
    if len(words) < 2:
        return None
    return words[0], tuple(words[1:-1]), words[-1], suffix


def surname(name: str) -> str:
    """The word a name is filed under: its last, but a suffix.

    >>> surname("Donald Trump Jr."), surname("Hofeller")
    ('Trump', 'Hofeller')
    """
    words = name.split()
    if len(words) > 1 and words[-1] in SUFFIXES:
        words.pop()
    return words[-1] if words else ""


def _extends(longer: str, shorter: str) -> bool:
    """Is ``longer`` the name ``shorter`` (given name and surname only) with middle initials?

    >>> _extends("Wilbur L. Ross", "Wilbur Ross"), _extends("George H. W. Bush", "George W. Bush")
    (True, False)
    """
    long_parts, short_parts = _name_parts(longer), _name_parts(shorter)
    if long_parts is None or short_parts is None or short_parts[1]:
        return False
    return _ends(long_parts) == _ends(short_parts) and _initials_only(long_parts[1])


def _ends(parts: tuple[str, tuple[str, ...], str, str]) -> tuple[str, str, str]:
    return parts[0], parts[2], parts[3]


def _initials_only(middles: tuple[str, ...]) -> bool:
    return bool(middles) and all(_INITIAL.fullmatch(middle) for middle in middles)


def _extensions(full_names: Iterable[str]) -> dict[str, list[str]]:
    """Each full name -> the names extending it (``_extends``), for names without middle
    words; linear in the names (grouped by given name, surname and suffix)."""
    by_ends: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    parts_of = {name: _name_parts(name) for name in set(full_names)}
    for name, parts in sorted(parts_of.items()):
        if parts is not None and _initials_only(parts[1]):
            by_ends[_ends(parts)].append(name)
    return {
        name: by_ends.get(_ends(parts), []) if not parts[1] else []
        for name, parts in parts_of.items()
        if parts is not None
    }


def _people(full_names: Iterable[str]) -> list[str]:
    """The longest forms: full names no other of them extends (one per person)."""
    extensions = _extensions(full_names)
    return sorted(name for name, longer in extensions.items() if not longer)


def same_person_forms(names: Iterable[str]) -> dict[str, str]:
    """Each of ``names`` (all filed under one surname) -> the name its person is given.

    A full name goes to the one longest form extending it (itself, when it is one); a
    surname alone (with the same suffix, if any) to the only longest form of the set. Names
    that two people could bear stay as they are. Every answer maps to itself.

    >>> same_person_forms(["Trump", "Donald Trump", "Melania Trump"])["Trump"]
    'Trump'
    >>> same_person_forms(["Ross", "Wilbur Ross", "Wilbur L. Ross"])
    {'Ross': 'Wilbur L. Ross', 'Wilbur L. Ross': 'Wilbur L. Ross', 'Wilbur Ross': 'Wilbur L. Ross'}
    """
    distinct = sorted(set(names))
    extensions = _extensions(distinct)
    people = [name for name, longer in extensions.items() if not longer]
    mapping: dict[str, str] = {}
    for name in distinct:
        if name in extensions:
            longer = extensions[name] or [name]
        else:
            words = name.split()
            suffix = words[-1] if len(words) > 1 else ""
            longer = [p for p in people if not suffix or p.split()[-1] == suffix]
        mapping[name] = longer[0] if len(longer) == 1 else name
    return mapping


def _by_surname(quotes: Iterable[Quote]) -> dict[str, set[str]]:
    names: dict[str, set[str]] = defaultdict(set)
    for quote in quotes:
        if quote.speaker:
            names[surname(quote.speaker)].add(quote.speaker)
    return names


def resolve_speakers(quotes: list[Quote]) -> list[Quote]:
    """``quotes`` with each speaker the name of its person across them all
    (:func:`same_person_forms` per surname); the quotes themselves when nothing changes.

    Idempotent: the quotes it returns are returned as they are.
    """
    mapping: dict[str, str] = {}
    for names in _by_surname(quotes).values():
        mapping.update(same_person_forms(names))
    return [
        quote
        if not quote.speaker or mapping[quote.speaker] == quote.speaker
        else replace(quote, speaker=mapping[quote.speaker])
        for quote in quotes
    ]


def speaker_documents_to_reread(
    kept: list[Quote], gone: list[Quote], found: list[Quote]
) -> set[str]:
    """Documents of ``kept`` whose quotes must be found again from their text, so that
    :func:`resolve_speakers` over ``kept`` and ``found`` gives what it gives over every
    document's quotes as found (a full rebuild).

    ``kept``: stored quotes (speakers as resolved) of the documents not found again;
    ``gone``: the stored quotes of the documents found again; ``found``: the quotes of those
    documents as found (speakers as in their text). A stored speaker that is a person's
    longest form may stand for a shorter form or the surname alone: it can be taken as it is
    while the surname's longest forms stay the same (then the same mapping applies), and
    otherwise its documents are read again. The longest forms of the kept documents are
    certain unless a longest form was stored for a document found again and is found nowhere
    now: the quotes that kept it may be surnames alone.
    """
    kept_names, gone_names, found_names = _by_surname(kept), _by_surname(gone), _by_surname(found)
    unsure: set[str] = set()
    for key, names in kept_names.items():
        before = set(_people(n for n in names | gone_names[key] if _name_parts(n)))
        now = set(_people(n for n in names | found_names[key] if _name_parts(n)))
        lost = (before & gone_names[key] & names) - found_names[key]
        if before != now or lost:
            unsure |= before & names
    return {quote.doc_key for quote in kept if quote.speaker in unsure}
