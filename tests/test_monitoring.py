"""Monitoring assets agree with each other, with the runbook and with what to alert on.

Alert rules, the SLO specification and the dashboard are rendered per project; promtool judges
them in test_judges.py. Here: every alert has a severity and a runbook section that exists, the
SLO objectives are the ones the burn-rate alerts use, recording rules used are defined, and LLM
alerts and panels exist exactly when the project calls an LLM provider. The generated project's
own tests/test_monitoring.py checks every metric named here is exported by the running service.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from .judging import JUDGED_CASES, Render, case_params
from .support import answers_with

SERVICE_ALERTS = {
    "AvailabilityBudgetBurnFast", "AvailabilityBudgetBurnSlow", "LatencyBudgetBurnFast",
    "LatencyBudgetBurnSlow", "HighErrorRatio", "HighLatency", "ReadinessFailing",
}  # fmt: skip
LLM_ALERTS = {"LLMErrorRatioHigh", "LLMLatencyHigh", "TokenBudgetBurn", "TokenBudgetExhausted"}
SEVERITIES = {"critical", "warning"}
RECORDING_RULE = re.compile(r"\b[a-z_][a-z0-9_]*:[a-z0-9_]+:[a-z0-9_]+\b")


def monitoring(project: Path) -> Path:
    return project / "deploy" / "monitoring"


def rules(project: Path) -> list[dict[str, Any]]:
    document = yaml.safe_load((monitoring(project) / "alerts.yml").read_text())
    return [rule for group in document["groups"] for rule in group["rules"]]


def alerts(project: Path) -> dict[str, dict[str, Any]]:
    return {rule["alert"]: rule for rule in rules(project) if "alert" in rule}


def uses_llm(case: str) -> bool:
    return bool(answers_with(**JUDGED_CASES[case])["llm_providers"])


def github_anchor(heading: str) -> str:
    """The fragment GitHub gives a Markdown heading."""
    return re.sub(r"[^a-z0-9 _-]", "", heading.strip().lower()).replace(" ", "-")


@pytest.mark.parametrize("case", case_params())
def test_the_alerts_policy_asks_for_exist(judged_project: Render, case: str) -> None:
    wanted = SERVICE_ALERTS | (LLM_ALERTS if uses_llm(case) else set())
    assert set(alerts(judged_project(case))) == wanted


@pytest.mark.parametrize("case", case_params())
def test_every_alert_has_a_severity_and_a_runbook_section(
    judged_project: Render, case: str
) -> None:
    project = judged_project(case)
    runbook = (project / "docs" / "alerts-runbook.md").read_text()
    anchors = {github_anchor(line[3:]) for line in runbook.splitlines() if line.startswith("## ")}
    for name, rule in alerts(project).items():
        assert rule["labels"]["severity"] in SEVERITIES, name
        url = rule["annotations"]["runbook_url"]
        page, _, anchor = url.partition("#")
        assert page.endswith("/docs/alerts-runbook.md"), f"{name}: {url}"
        assert anchor in anchors, f"{name}: no section #{anchor} in docs/alerts-runbook.md"
        assert rule["annotations"]["summary"], name


@pytest.mark.parametrize("case", case_params())
def test_burn_rate_alerts_use_the_slo_objectives(judged_project: Render, case: str) -> None:
    project = judged_project(case)
    slos = list(yaml.safe_load_all((monitoring(project) / "slo.yml").read_text()))
    assert {slo["kind"] for slo in slos} == {"SLO"}
    found = alerts(project)
    for slo in slos:
        kind = slo["metadata"]["name"].rsplit("-", 1)[1]  # availability | latency
        target = slo["spec"]["objectives"][0]["target"]
        assert slo["spec"]["timeWindow"][0]["duration"] == "30d"
        for speed, factors in (("Fast", ("14.4", "6")), ("Slow", ("3", "1"))):
            expr = found[f"{kind.capitalize()}BudgetBurn{speed}"]["expr"]
            budgets = set(re.findall(r"\(1 - ([0-9.]+)\)", expr))
            assert budgets == {str(target)}, f"{kind}: alerts use {budgets}, slo.yml {target}"
            for factor in factors:
                assert f"({factor} * (1 - {target}))" in expr, f"{kind} {speed}: {factor}x"


@pytest.mark.parametrize("case", case_params())
def test_recording_rules_used_are_defined(judged_project: Render, case: str) -> None:
    project = judged_project(case)
    defined = {rule["record"] for rule in rules(project) if "record" in rule}
    used = set()
    for asset in ("alerts.yml", "dashboard.json"):
        used |= set(RECORDING_RULE.findall((monitoring(project) / asset).read_text()))
    assert used - defined == set()


@pytest.mark.parametrize("case", case_params())
def test_dashboard_panels_each_query_prometheus(judged_project: Render, case: str) -> None:
    dashboard = json.loads((monitoring(judged_project(case)) / "dashboard.json").read_text())
    panels = dashboard["panels"]
    assert len({panel["id"] for panel in panels}) == len(panels), "panel ids must be unique"
    for panel in panels:
        assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
        assert [t["expr"] for t in panel["targets"] if t["expr"].strip()], panel["title"]
    llm_panels = [p for p in panels if "gen_ai_" in p["targets"][0]["expr"]]
    assert bool(llm_panels) == uses_llm(case)


@pytest.mark.parametrize("case", case_params())
def test_llm_metrics_are_queried_only_where_a_provider_is_chosen(
    judged_project: Render, case: str
) -> None:
    text = "".join(p.read_text() for p in sorted(monitoring(judged_project(case)).iterdir()))
    assert ("gen_ai_" in text) == uses_llm(case)
