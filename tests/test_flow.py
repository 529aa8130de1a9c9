"""One real Prefect flow run end to end, against a temporary Prefect server."""

from __future__ import annotations

from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.mark.slow
@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seeds not found at {SEEDS}")
def test_provenance_flow_runs_and_publishes_artifacts(prefect_harness, db_url: str, capfd) -> None:
    import asyncio

    from prefect.client.orchestration import get_client

    from flows.provenance import provenance_pipeline
    from storage.store import Store

    result = provenance_pipeline([str(SEEDS)], db_url)
    assert result["documents_new"] == 5
    assert result["clusters"] >= 4
    assert Store(db_url).clusters()

    async def artifact_keys() -> set[str]:
        async with get_client() as client:
            return {artifact.key for artifact in await client.read_artifacts()}

    assert {"wiretrace-summary", "wiretrace-clusters"} <= asyncio.run(artifact_keys())
    # Forked workers (the trace stage's quote grouping among them) end without a traceback
    # from Prefect's SIGTERM handler (test_signals.py provokes it every time).
    err = capfd.readouterr().err
    assert "Traceback (most recent call last)" not in err and "TerminationSignal" not in err
