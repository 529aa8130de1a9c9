"""Kinds of credit (``dedup.attribution.credit_kind``) and the ``v_credits`` view.

- ``attributions.kind``: ``story`` (byline, dateline, copyright, sign-off: the article is the
  source's story), ``citation`` (``according to Reuters``, ``Bloomberg reported``, a lead-in),
  ``interview`` (``told the BBC``: the speaker is the source of the words) or ``photo`` (``(AP
  Photo/...)``, ``AFP/Getty Images``); rows written before are filled from their cue;
- ``v_credits``: one row per credit phrase a document holds, with its kind and the text it
  vouches for (added to the contract, no view changed).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# the cue -> kind table of dedup.attribution at this revision (frozen here on purpose)
_KIND_SQL = """
CASE cue
  WHEN 'dateline' THEN 'story' WHEN 'signoff' THEN 'story' WHEN 'copyright' THEN 'story'
  WHEN 'byline' THEN 'story' WHEN 'told' THEN 'interview' WHEN 'photo' THEN 'photo'
  ELSE 'citation'
END
"""

V_CREDITS = """
SELECT a.id AS credit_id, a.document_id AS document_id, d.uri AS uri,
       a.start_char AS start_char, a.end_char AS end_char, a.phrase AS phrase,
       a.source AS source, a.kind AS kind, a.cue AS cue,
       a.scope_start AS scope_start, a.scope_end AS scope_end
FROM attributions AS a
JOIN documents AS d ON d.id = a.document_id
"""


def upgrade() -> None:
    # Plain ADD COLUMN (SQLite supports it; a batch rebuild would trip over the views).
    op.add_column("attributions", sa.Column("kind", sa.String(16), nullable=True))
    op.execute(f"UPDATE attributions SET kind = {_KIND_SQL.strip()}")
    op.execute(f"CREATE VIEW v_credits AS {V_CREDITS.strip()}")


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS v_credits")
    with op.batch_alter_table("attributions") as batch:
        batch.drop_column("kind")
