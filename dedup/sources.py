"""The sources wiretrace knows by name: agencies, outlets, aggregators, one canonical name each.

The table is ``dedup/data/sources.toml`` (its header documents the fields). Users extend it
without editing the package: ``$WIRETRACE_SOURCES`` names a TOML file of the same form whose
sources are added, a source named like a built-in one replacing it. It is read once, when
``dedup`` is first imported, because the credit patterns of ``dedup.attribution`` are compiled
from it (the one piece of configuration ``dedup`` reads).

>>> source_kind("Associated Press"), source_of_outlet("www.cnn.com").name
('agency', 'CNN')
>>> source_of_outlet("yahoo.com/news").kind, source_kind("CNN"), source_kind("Nobody")
('aggregator', 'outlet', None)
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

KINDS = ("agency", "outlet", "aggregator")
ENVIRONMENT_VARIABLE = "WIRETRACE_SOURCES"


class SourcesError(ValueError):
    """A sources table that cannot be read (named in the message with the reason)."""


@dataclass(frozen=True)
class Source:
    """A news agency, an outlet, or an aggregator, and the names and sites it goes by.

    ``acronyms`` only match with their exact case (``AP``, not ``ap``); ``credit_only``
    acronyms are so ambiguous in running text (``PA`` is also Pennsylvania) that they are only
    accepted inside parenthesised credits, sign-offs and datelines.
    """

    name: str
    aliases: tuple[str, ...] = ()
    acronyms: tuple[str, ...] = ()
    credit_only: tuple[str, ...] = ()
    kind: str = "agency"  # agency | outlet | aggregator
    domains: tuple[str, ...] = ()


def parse_sources(text: str, origin: str = "sources table") -> list[Source]:
    """The sources of a TOML text (``[[source]]`` tables).

    >>> parse_sources('[[source]]\\nname = "Daily Planet"\\nkind = "outlet"\\ndomains = ["dailyplanet.example"]')
    [Source(name='Daily Planet', aliases=(), acronyms=(), credit_only=(), kind='outlet', domains=('dailyplanet.example',))]
    """
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SourcesError(f"{origin}: not valid TOML ({error})") from None
    found: list[Source] = []
    for number, entry in enumerate(table.get("source", []), start=1):
        name = entry.get("name")
        kind = entry.get("kind", "agency")
        if not isinstance(name, str) or not name.strip():
            raise SourcesError(f"{origin}: source {number} has no name")
        if kind not in KINDS:
            raise SourcesError(f"{origin}: source {name!r} has kind {kind!r}, not one of {KINDS}")
        found.append(
            Source(
                name=name.strip(),
                aliases=_strings(entry, "aliases", origin, name),
                acronyms=_strings(entry, "acronyms", origin, name),
                credit_only=_strings(entry, "credit_only", origin, name),
                kind=kind,
                domains=tuple(
                    domain.lower().removeprefix("www.").rstrip("/")
                    for domain in _strings(entry, "domains", origin, name)
                ),
            )
        )
    return found


def _strings(entry: dict, field: str, origin: str, name: str) -> tuple[str, ...]:
    values = entry.get(field, [])
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise SourcesError(f"{origin}: {field} of {name!r} is not a list of strings")
    return tuple(values)


@cache
def all_sources() -> tuple[Source, ...]:
    """The package's table, then the user's (``$WIRETRACE_SOURCES``), a later source of the
    same name replacing an earlier one in place."""
    packaged = resources.files("dedup").joinpath("data", "sources.toml").read_text("utf-8")
    merged = {source.name: source for source in parse_sources(packaged, "dedup/data/sources.toml")}
    extra = os.environ.get(ENVIRONMENT_VARIABLE, "").strip()
    if extra:
        path = Path(extra)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise SourcesError(f"{path}: cannot read the sources table ({error})") from None
        for source in parse_sources(text, str(path)):
            merged[source.name] = source
    return tuple(merged.values())


@cache
def _by_name() -> dict[str, Source]:
    return {source.name: source for source in all_sources()}


@cache
def _by_domain() -> dict[str, Source]:
    return {domain: source for source in all_sources() for domain in source.domains}


def source_kind(name: str | None) -> str | None:
    """``agency``, ``outlet`` or ``aggregator`` for a canonical name, None if unknown."""
    source = _by_name().get(name) if name else None
    return source.kind if source else None


def source_of_outlet(outlet: str | None) -> Source | None:
    """The source an outlet (a site: ``cnn.com``, ``www.bbc.co.uk``, ``yahoo.com/news``, a
    URL; or a name: ``Google News``) is, by its domains or names; None if the table does not
    know it.

    >>> source_of_outlet("Google News").kind, source_of_outlet("the Washington Post").name
    ('aggregator', 'The Washington Post')
    """
    if not outlet:
        return None
    folded = outlet.strip().lower().removeprefix("https://").removeprefix("http://")
    folded = folded.removeprefix("www.").rstrip("/")
    table = _by_domain()
    host, _, path = folded.partition("/")
    first_part = path.split("/", 1)[0]
    found = table.get(f"{host}/{first_part}") or table.get(host)
    # an outlet given by its name ("Google News", "The Associated Press")
    return found or _by_folded_name().get(_folded(outlet))


def _folded(name: str) -> str:
    return " ".join(name.lower().removeprefix("the ").split())


@cache
def _by_folded_name() -> dict[str, Source]:
    return {
        _folded(alias): source
        for source in all_sources()
        for alias in (source.name, *source.aliases)
        if len(alias) > 4  # acronyms are matched by case elsewhere, not here
    }


def is_aggregator(outlet: str | None) -> bool:
    """Is ``outlet`` a page that gathers other outlets' stories?

    >>> is_aggregator("Yahoo.com/news"), is_aggregator("www.msn.com"), is_aggregator("cnn.com")
    (True, True, False)
    """
    source = source_of_outlet(outlet)
    return source is not None and source.kind == "aggregator"


def outlet_name(outlet: str | None) -> str | None:
    """The canonical name of an outlet given as a site (``cnn.com`` -> ``CNN``), else the
    outlet as given: one name per source in reports and figures."""
    source = source_of_outlet(outlet)
    return source.name if source is not None else outlet
