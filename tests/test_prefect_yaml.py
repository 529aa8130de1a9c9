"""prefect.yaml deploys as written: its entrypoints are flows taking the parameters it sets, and
the README's `prefect work-pool create` + `prefect deploy --all` against a Prefect server create
both deployments with their schedules, time zones and parameters."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

PROJECT = Path(__file__).resolve().parents[1]
PREFECT = str(Path(sys.executable).with_name("prefect"))


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


@pytest.mark.slow
def test_prefect_deploy_all_creates_the_scheduled_deployments(prefect_harness) -> None:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL

    # The CLI in a subprocess, as a user runs it, against the session's temporary server.
    environment = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
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
