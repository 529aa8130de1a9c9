"""The Prefect flow on a Dask cluster (prefect-dask's DaskTaskRunner) stores the same lineage as
the flow run in one process: fingerprinting and alignment are cut into chunk tasks, and the
chunks' results are put back together in the order one process produces them."""

from __future__ import annotations

import asyncio
import json
import math
import os
from pathlib import Path

import pytest
from test_crash import PAN, SEEDS, build_corpus, describe_difference, lineage_snapshot

from flows import provenance

SECRET = "S3c?r3t-dask"


def test_dask_runner_is_chosen_by_parameter_then_environment(monkeypatch) -> None:
    from prefect_dask import DaskTaskRunner

    monkeypatch.delenv(provenance.DASK_ENV, raising=False)
    assert provenance.dask_runner(None) is None
    assert provenance.dask_runner("") is None

    local = provenance.dask_runner("local")
    assert isinstance(local, DaskTaskRunner) and local.address is None

    monkeypatch.setenv(provenance.DASK_ENV, "tcp://scheduler.example:8786")
    from_environment = provenance.dask_runner(None)
    assert isinstance(from_environment, DaskTaskRunner)
    assert from_environment.address == "tcp://scheduler.example:8786"
    # The parameter wins over the worker's environment.
    assert provenance.dask_runner("tcp://other:8786").address == "tcp://other:8786"


@pytest.mark.slow
@pytest.mark.skipif(not (SEEDS.is_dir() and PAN.is_file()), reason="needs seeds and PAN data")
def test_flow_on_a_dask_cluster_stores_the_same_lineage(
    prefect_harness, db_url: str, module_db_url: str, tmp_path: Path, monkeypatch
) -> None:
    from distributed import LocalCluster

    corpus = build_corpus(tmp_path / "corpus")
    in_process = provenance.provenance_pipeline([str(corpus)], module_db_url)

    # Small chunks, so that both stages are split over many Dask tasks.
    monkeypatch.setattr(provenance, "DASK_ALIGN_CHUNK", 7)
    monkeypatch.setattr(provenance, "DASK_FINGERPRINT_CHUNK", 9)
    # In-process worker threads (fast to start), reached like a real cluster: by its address.
    with LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, protocol="tcp", dashboard_address=None
    ) as cluster:
        on_dask = provenance.provenance_pipeline(
            [str(corpus)], db_url, dask=cluster.scheduler_address
        )
        executed = sum(worker.state.executed_count for worker in cluster.workers.values())

    assert on_dask == in_process
    pairs = in_process["candidate_pairs"]
    assert pairs > 3 * 7, "the corpus must give several alignment chunks"
    # Every alignment chunk, and at least one fingerprint chunk, ran on the cluster.
    assert executed > math.ceil(pairs / 7)

    expected, found = lineage_snapshot(module_db_url), lineage_snapshot(db_url)
    assert expected["v_lineage"], "the corpus must produce reused passages"
    assert found == expected, describe_difference(expected, found)


@pytest.mark.slow
@pytest.mark.skipif(not (SEEDS.is_dir() and PAN.is_file()), reason="needs seeds and PAN data")
def test_cli_run_on_a_dask_cluster(prefect_harness, db_url: str, tmp_path: Path) -> None:
    """``wiretrace run --dask ADDRESS`` aligns on the cluster and prints the usual summary;
    without prefect-dask it would say so in one line (``dask_runner``)."""
    from distributed import LocalCluster
    from sqlalchemy.engine import make_url
    from typer.testing import CliRunner

    from flows.cli import app
    from storage.store import Store

    corpus = build_corpus(tmp_path / "corpus")
    if db_url.startswith("postgresql"):  # the test server trusts local users: any password
        db_url = make_url(db_url).set(password=SECRET).render_as_string(hide_password=False)
    environment_before = os.environ.get("WIRETRACE_DB")
    with LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, protocol="tcp", dashboard_address=None
    ) as cluster:
        result = CliRunner().invoke(
            app,
            ["run", str(corpus), "--db", db_url, "--quiet", "--dask", cluster.scheduler_address],
        )
        executed = sum(worker.state.executed_count for worker in cluster.workers.values())
    assert result.exit_code == 0, result.output
    assert "wiretrace run" in result.output and "clusters" in result.output
    assert executed > 0
    assert Store(db_url).clusters()
    assert SECRET not in result.output
    # The URL reached the flow through the environment (restored after), not as a parameter
    # Prefect would store in plain text.
    assert os.environ.get("WIRETRACE_DB") == environment_before
    parameters = asyncio.run(_flow_run_parameters("provenance-run-on-dask"))
    assert parameters, "the run must be a Prefect flow run"
    stored = json.dumps(parameters)
    assert "db" not in parameters[-1] and db_url not in stored and SECRET not in stored


async def _flow_run_parameters(flow_name: str) -> list[dict]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName

    async with get_client() as client:
        runs = await client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=[flow_name]))
        )
    return [run.parameters for run in sorted(runs, key=lambda run: run.created)]
