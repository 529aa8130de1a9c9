"""The lineage graph as W3C PROV-JSON (https://www.w3.org/submissions/prov-json/).

Model:

- entities: ``wt:document-<id>`` (a ``prov:Collection`` of its passages), ``wt:passage-<cluster>``
  (a reused passage in the abstract), ``wt:copy-<occurrence>`` (one document's copy,
  ``specializationOf`` the passage, ``hadMember`` of its document), ``wt:wire-<cluster>`` (the
  copy an outside source such as an agency put out, when the origin is external),
  ``wt:quote-<id>`` (a direct quotation);
- agents: ``wt:outlet-<slug>`` and ``wt:agency-<slug>`` (``prov:Organization``);
- relations: documents ``wasAttributedTo`` their outlet and ``wasInfluencedBy`` the agencies they
  credit; a copy ``wasQuotedFrom`` the copy it was taken from and ``hadPrimarySource`` the
  origin's copy (or the wire entity, itself ``wasAttributedTo`` the agency); a document
  ``wasDerivedFrom`` each corpus document it took passages from; a quotation ``wasQuotedFrom``
  the wording it varies. Confidence and evidence ride on the relations as ``wt:`` attributes.

Only the standard library is needed to write it; the ``prov`` package reads it back
(``prov.model.ProvDocument.deserialize(content=..., format="json")``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from reports.data import ReportData, as_utc, rounded, split_credits
from reports.html import excerpt

NAMESPACE = "urn:wiretrace:"


def _qname(value: str) -> dict[str, str]:
    return {"$": value, "type": "prov:QUALIFIED_NAME"}


def _datetime(moment: Any) -> dict[str, str] | None:
    moment = as_utc(moment)
    return {"$": moment.isoformat(), "type": "xsd:dateTime"} if moment is not None else None


def _slug(name: str) -> str:
    """A name as lowercase ASCII words joined by dashes, for identifiers.

    >>> _slug("The Associated Press!")
    'the-associated-press'
    """
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-") or "x"


class _Builder:
    def __init__(self) -> None:
        self.bundle: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        self.relation_count = 0
        self.agent_ids: dict[tuple[str, str], str] = {}

    def entity(self, identifier: str, attributes: dict[str, Any]) -> str:
        self.bundle["entity"][identifier] = {
            key: value for key, value in attributes.items() if value is not None
        }
        return identifier

    def agent(self, role: str, name: str) -> str:
        key = (role, name)
        if key not in self.agent_ids:
            base = f"wt:{role}-{_slug(name)}"
            identifier, suffix = base, 2
            while identifier in self.bundle["agent"]:
                identifier, suffix = f"{base}-{suffix}", suffix + 1
            self.bundle["agent"][identifier] = {
                "prov:type": _qname("prov:Organization"),
                "prov:label": name,
                "wt:role": "news agency" if role == "agency" else role,
            }
            self.agent_ids[key] = identifier
        return self.agent_ids[key]

    def relation(self, kind: str, attributes: dict[str, Any]) -> None:
        self.relation_count += 1
        self.bundle[kind][f"_:r{self.relation_count}"] = {
            key: value for key, value in attributes.items() if value is not None and value != ""
        }


def build_prov(data: ReportData) -> dict[str, Any]:
    """PROV-JSON dict of ``data`` (see the module docstring for the model)."""
    prov = _Builder()
    document_ids: dict[str, str] = {}
    for document in sorted(data.documents, key=lambda row: row.document_id):
        identifier = prov.entity(
            f"wt:document-{document.document_id}",
            {
                "prov:type": [_qname("prov:Collection"), _qname("wt:Document")],
                "prov:label": document.title or document.uri,
                "wt:uri": document.uri,
                "wt:published_at": _datetime(document.published_at),
                "wt:original_share": document.original_share,
            },
        )
        document_ids[document.uri] = identifier
        if document.outlet:
            prov.relation(
                "wasAttributedTo",
                {"prov:entity": identifier, "prov:agent": prov.agent("outlet", document.outlet)},
            )
        for credit in split_credits(document.wire_credits):
            prov.relation(
                "wasInfluencedBy",
                {
                    "prov:influencee": identifier,
                    "prov:influencer": prov.agent("agency", credit),
                    "prov:type": _qname("wt:WireCredit"),
                },
            )

    derived_documents: dict[tuple[str, str], int] = defaultdict(int)
    for cluster_id in data.cluster_ids:
        kind, origin_uri, origin_source, confidence = data.origin_of_cluster(cluster_id)
        passage = prov.entity(
            f"wt:passage-{cluster_id}",
            {
                "prov:type": _qname("wt:Passage"),
                "prov:label": excerpt(data.cluster_text(cluster_id), 200),
                "wt:origin_kind": kind,
                "wt:confidence": rounded(confidence, 4),
            },
        )
        occurrences = data.lineage_by_cluster.get(cluster_id, [])
        origin_copy = next(
            (f"wt:copy-{row.occurrence_id}" for row in occurrences if row.is_origin), None
        )
        primary = origin_copy
        if kind == "external" and origin_source:
            primary = prov.entity(
                f"wt:wire-{cluster_id}",
                {
                    "prov:type": _qname("wt:WireCopy"),
                    "prov:label": f"{origin_source} copy of passage {cluster_id}",
                },
            )
            prov.relation(
                "wasAttributedTo",
                {"prov:entity": primary, "prov:agent": prov.agent("agency", origin_source)},
            )
            prov.relation(
                "specializationOf", {"prov:specificEntity": primary, "prov:generalEntity": passage}
            )
        for row in occurrences:
            copy = prov.entity(
                f"wt:copy-{row.occurrence_id}",
                {
                    "prov:type": _qname("wt:PassageCopy"),
                    "prov:label": excerpt(row.text, 200),
                    "wt:start_char": row.start_char,
                    "wt:end_char": row.end_char,
                    "wt:is_origin": bool(row.is_origin),
                },
            )
            prov.relation(
                "specializationOf", {"prov:specificEntity": copy, "prov:generalEntity": passage}
            )
            holder = document_ids.get(row.uri)
            if holder is not None:
                prov.relation("hadMember", {"prov:collection": holder, "prov:entity": copy})
            evidence = {
                "wt:confidence": rounded(row.confidence, 4),
                "wt:evidence": row.evidence or None,
            }
            parent = data.occurrence_by_id.get(row.parent_occurrence_id or -1)
            if parent is not None:
                prov.relation(
                    "wasDerivedFrom",
                    {
                        "prov:generatedEntity": copy,
                        "prov:usedEntity": f"wt:copy-{parent.occurrence_id}",
                        "prov:type": _qname("prov:Quotation"),
                        **evidence,
                    },
                )
            if primary is not None and copy != primary:
                prov.relation(
                    "wasDerivedFrom",
                    {
                        "prov:generatedEntity": copy,
                        "prov:usedEntity": primary,
                        "prov:type": _qname("prov:PrimarySource"),
                        **evidence,
                    },
                )
            if (
                kind == "document"
                and origin_uri
                and origin_uri != row.uri
                and row.uri in document_ids
            ):
                derived_documents[(row.uri, origin_uri)] += 1

    for (uri, origin_uri), passages in sorted(derived_documents.items()):
        if origin_uri in document_ids:
            prov.relation(
                "wasDerivedFrom",
                {
                    "prov:generatedEntity": document_ids[uri],
                    "prov:usedEntity": document_ids[origin_uri],
                    "wt:passages": passages,
                },
            )

    for quote in sorted(data.quotes, key=lambda row: row.quote_id):
        identifier = prov.entity(
            f"wt:quote-{quote.quote_id}",
            {
                "prov:type": _qname("wt:Quotation"),
                "prov:label": excerpt(quote.text, 200),
                "wt:speaker": quote.speaker,
                "wt:start_char": quote.start_char,
                "wt:end_char": quote.end_char,
            },
        )
        if quote.uri in document_ids:
            prov.relation(
                "hadMember", {"prov:collection": document_ids[quote.uri], "prov:entity": identifier}
            )
    for quote in data.quotes:
        if (
            quote.variant_of is not None
            and quote.variant_of != quote.quote_id
            and quote.variant_of in data.quote_by_id
        ):
            prov.relation(
                "wasDerivedFrom",
                {
                    "prov:generatedEntity": f"wt:quote-{quote.quote_id}",
                    "prov:usedEntity": f"wt:quote-{quote.variant_of}",
                    "prov:type": _qname("prov:Quotation"),
                    "wt:edit_kind": quote.edit_kind,
                },
            )

    return {
        "prefix": {"wt": NAMESPACE},
        **{kind: dict(items) for kind, items in prov.bundle.items()},
    }
