"""One real Prefect flow run end to end, against a temporary Prefect server."""

from __future__ import annotations

from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
PROJECT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seeds not found at {SEEDS}")
def test_provenance_flow_runs_and_publishes_artifacts(prefect_harness, db_url: str) -> None:
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


def test_prefect_yaml_entrypoints_are_flows() -> None:
    # Every deployment in prefect.yaml must point at a real flow with the parameters it sets.
    import importlib
    import inspect

    import yaml
    from prefect import Flow

    config = yaml.safe_load((PROJECT / "prefect.yaml").read_text(encoding="utf-8"))
    assert config["deployments"]
    for deployment in config["deployments"]:
        module_path, name = deployment["entrypoint"].split(":")
        module = importlib.import_module(module_path.removesuffix(".py").replace("/", "."))
        flow = getattr(module, name)
        assert isinstance(flow, Flow), deployment["name"]
        accepted = set(inspect.signature(flow.fn).parameters)
        assert set(deployment["parameters"]) <= accepted, deployment["name"]
        for schedule in deployment["schedules"]:
            assert schedule["cron"] and schedule["timezone"]
