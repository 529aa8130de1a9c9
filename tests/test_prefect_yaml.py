"""prefect.yaml deploys as written: its entrypoints are flows taking the parameters it sets, and
the README's `prefect work-pool create` + `prefect deploy --all` against a Prefect server create
both deployments with their schedules, time zones, parameters, concurrency limits and job
variables. Scheduled runs retry, time out, never overlap on one database, and the nightly ingest
makes the report and links it as an artifact."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

PROJECT = Path(__file__).resolve().parents[1]
PREFECT = str(Path(sys.executable).with_name("prefect"))
SEEDS = PROJECT.parent / "shared" / "seeds"


def _config() -> dict[str, Any]:
    return yaml.safe_load((PROJECT / "prefect.yaml").read_text(encoding="utf-8"))


def test_prefect_yaml_entrypoints_are_flows_taking_its_parameters() -> None:
    from prefect import Flow

    config = _config()
    assert {deployment["name"] for deployment in config["deployments"]} == {
        "nightly-inbox",
        "weekly-report",
    }
    for deployment in config["deployments"]:
        module_path, name = deployment["entrypoint"].split(":")
        module = importlib.import_module(module_path.removesuffix(".py").replace("/", "."))
        flow = getattr(module, name)
        assert isinstance(flow, Flow), deployment["name"]
        accepted = set(inspect.signature(flow.fn).parameters)
        assert set(deployment["parameters"]) <= accepted, deployment["name"]
        for schedule in deployment["schedules"]:
            assert schedule["cron"] and schedule["timezone"]


def _deployment(name: str) -> dict[str, Any]:
    return next(d for d in _config()["deployments"] if d["name"] == name)


def _flow(deployment: dict[str, Any]):
    module_path, name = deployment["entrypoint"].split(":")
    module = importlib.import_module(module_path.removesuffix(".py").replace("/", "."))
    return getattr(module, name)


def test_prefect_version_is_the_installed_one() -> None:
    import prefect

    written = str(_config()["prefect-version"]).split(".")[:2]
    assert written == prefect.__version__.split(".")[:2], "update prefect-version in prefect.yaml"


def test_scheduled_flows_retry_after_a_delay_and_time_out() -> None:
    for deployment in _config()["deployments"]:
        flow = _flow(deployment)
        assert flow.retries >= 1, deployment["name"]
        assert flow.retry_delay_seconds and flow.retry_delay_seconds >= 60, deployment["name"]
        assert flow.timeout_seconds and flow.timeout_seconds > 0, deployment["name"]


def test_one_run_per_deployment_and_one_database_for_both() -> None:
    environments = []
    for deployment in _config()["deployments"]:
        assert deployment["concurrency_limit"] == {"limit": 1, "collision_strategy": "ENQUEUE"}
        environments.append(deployment["work_pool"]["job_variables"]["env"])
        # db null: the runs use the worker's $WIRETRACE_DB, given here to both.
        assert deployment["parameters"]["db"] is None
    assert all(environment == environments[0] for environment in environments)
    assert environments[0]["WIRETRACE_DB"].startswith("sqlite:///")


def test_the_nightly_ingest_writes_the_report_the_weekly_one_does() -> None:
    nightly, weekly = _deployment("nightly-inbox"), _deployment("weekly-report")
    assert nightly["parameters"]["report"] == weekly["parameters"]["out"]


def _commented_steps(text: str) -> list[dict[str, Any]]:
    """The pull steps written as comments (the git-clone alternative), parsed as YAML."""
    lines = text.splitlines()
    start = next(
        i for i, line in enumerate(lines) if "# - prefect.deployments.steps.git_clone" in line
    )
    block = []
    for line in lines[start:]:
        if not re.match(r"\s*#\s{0,3}[- ]", line):
            break
        block.append(re.sub(r"^(\s*)# ", r"\1", line, count=1))
    return yaml.safe_load("\n".join(block))


def test_the_git_clone_pull_alternative_is_valid_steps() -> None:
    """Uncommented, the git-clone alternative parses, and its steps exist and take its keys."""
    steps = _commented_steps((PROJECT / "prefect.yaml").read_text(encoding="utf-8"))
    assert [next(iter(step)) for step in steps][0] == "prefect.deployments.steps.git_clone"
    for step in steps:
        ((name, arguments),) = step.items()
        module_name, function_name = name.rsplit(".", 1)
        function = getattr(importlib.import_module(module_name), function_name)
        accepted = set(inspect.signature(function).parameters) | {"id", "requires"}
        assert set(arguments) <= accepted, name


def test_database_lock_is_named_after_the_database_however_spelled(tmp_path, monkeypatch) -> None:
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate

    from flows.provenance import database_lock_name

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WIRETRACE_DB", raising=False)
    default = database_lock_name(None)
    assert database_lock_name("sqlite:///wiretrace.db") == default
    assert database_lock_name(f"sqlite:///{tmp_path / 'wiretrace.db'}") == default
    monkeypatch.setenv("WIRETRACE_DB", "sqlite:///other.db")
    assert database_lock_name(None) != default
    secret = database_lock_name("postgresql+psycopg://u:secret@db.example:5432/lineage")
    assert "secret" not in secret
    assert secret != database_lock_name("postgresql+psycopg://u:secret@db.example:5432/other")
    GlobalConcurrencyLimitCreate(name=secret, limit=1)  # a name Prefect accepts


@pytest.mark.slow
def test_prefect_deploy_all_creates_the_scheduled_deployments(prefect_harness) -> None:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL

    # The CLI in a subprocess, as a user runs it, against the session's temporary server.
    # PWD as the user's shell sets it in the project folder: prefect.yaml resolves {{ $PWD }}.
    environment = {
        **os.environ,
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
        "PWD": str(PROJECT),
    }
    for command in (
        [PREFECT, "work-pool", "create", "wiretrace-pool", "--type", "process"],
        [PREFECT, "--no-prompt", "deploy", "--all"],
    ):
        done = subprocess.run(
            command, cwd=PROJECT, env=environment, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, f"{command[1:]}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"

    async def deployed() -> dict[str, Any]:
        async with get_client() as client:
            found = {d.name: d for d in await client.read_deployments()}
            # The server checks a run's parameters against the flow's schema.
            for deployment in found.values():
                await client.create_flow_run_from_deployment(deployment.id)
            return found

    deployments = asyncio.run(deployed())
    for expected in _config()["deployments"]:
        deployment = deployments[expected["name"]]
        assert deployment.entrypoint == expected["entrypoint"]
        assert deployment.work_pool_name == "wiretrace-pool"
        assert deployment.parameters == expected["parameters"]
        assert [(s.schedule.cron, s.schedule.timezone) for s in deployment.schedules] == [
            (schedule["cron"], schedule["timezone"]) for schedule in expected["schedules"]
        ]
        assert deployment.global_concurrency_limit.limit == 1
        assert deployment.concurrency_options.collision_strategy == "ENQUEUE"
        assert deployment.job_variables == {
            "env": {"WIRETRACE_DB": f"sqlite:///{PROJECT}/wiretrace.db"}
        }


@pytest.mark.slow
def test_database_lock_holds_the_one_slot_and_frees_it(prefect_harness, db_url: str) -> None:
    from prefect import flow
    from prefect.client.orchestration import get_client

    from flows.provenance import database_lock

    def slots(name: str) -> tuple[int, int]:
        with get_client(sync_client=True) as client:
            found = client.read_global_concurrency_limit_by_name(name)
            return found.limit, found.active_slots

    @flow
    def hold(db: str) -> tuple[str, tuple[int, int]]:
        with database_lock(db) as name:
            return name, slots(name)

    name, held = hold(db_url)
    assert held == (1, 1)  # one slot, taken while the block runs
    assert slots(name) == (1, 0)


@pytest.mark.slow
@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seeds not found at {SEEDS}")
def test_nightly_ingest_writes_the_report_and_links_it(
    prefect_harness, db_url: str, tmp_path: Path
) -> None:
    """The nightly deployment's flow with its parameters (inbox: the seeds): the report is
    written after the ingest, and its link published as an artifact."""
    from prefect.client.orchestration import get_client

    parameters = {**_deployment("nightly-inbox")["parameters"]}
    parameters.update(paths=[str(SEEDS)], db=db_url, report=str(tmp_path / "report"))
    result = _flow(_deployment("nightly-inbox"))(**parameters)
    assert result["documents_new"] == 5
    index = tmp_path / "report" / "index.html"
    assert index.is_file()

    async def links() -> list[str]:
        async with get_client() as client:
            return [a.data for a in await client.read_artifacts() if a.key == "wiretrace-report"]

    assert any(index.as_uri() in link for link in asyncio.run(links()))
