"""CLI adapter of `piaudit batch PLAN.yaml --out CAMPAIGN [--cluster ADDRESS]`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from piaudit.scripts.usage import UsageError, lazy


def preflight(plan: Any, plan_path: Path) -> None:
    """Fail before anything runs: every policy must load; local stand-in scenarios must exist."""
    from piaudit.policies.campaign.plan import resolve
    from piaudit.policies.policy import PolicyError, load_policy

    problems = []
    for app in resolve(plan, plan_path.parent):
        if app.policy:
            try:
                load_policy(app.policy)
            except PolicyError as e:
                problems.append(f"app {app.key}: {e}")
    if any(d.local for d in plan.devices):
        from piaudit.scripts.demo import load_standin

        try:
            scenarios = load_standin().SCENARIOS
        except FileNotFoundError as e:
            raise UsageError(f"local stand-in devices: {e}") from e
        for app in resolve(plan, plan_path.parent):
            if app.scenario not in scenarios:
                problems.append(f"app {app.key}: scenario {app.scenario!r} is not a stand-in scenario ({', '.join(scenarios)})")
    if problems:
        raise UsageError(problems[0] + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))


def main_batch(args: argparse.Namespace) -> int:
    """Run the plan; exit 0 all apps done, 1 some failed, 2 bad plan, 130 interrupted (run again to continue)."""
    from piaudit.policies.campaign.plan import load_plan
    from piaudit.policies.yamlinput import InputError
    from piaudit.scripts.batch.driver import Batch, CampaignError
    from piaudit.scripts.batch.engines import LocalEngine
    from piaudit.scripts.batch.progress import Progress

    plan_path = Path(args.plan)
    try:
        plan = load_plan(plan_path)
    except InputError as e:
        raise UsageError(str(e)) from e
    preflight(plan, plan_path)
    campaign = Path(args.out).resolve()
    if args.cluster:
        try:
            import ray  # noqa: F401
        except ImportError as e:
            raise UsageError("--cluster needs Ray: pip install 'piaudit[cluster]' (setup.sh installs it)") from e
        from piaudit.scripts.batch.engines import RayEngine

        def factory(devices: dict[str, Any]) -> Any:
            return RayEngine(args.cluster, devices, campaign, ready_timeout=args.cluster_timeout)
    else:

        def factory(devices: dict[str, Any]) -> Any:
            return LocalEngine(devices)

    batch = Batch(plan, plan_path, campaign, factory, Progress(every=args.status_every))
    try:
        return batch.run(retry_failed=args.retry_failed)
    except CampaignError as e:
        raise UsageError(str(e)) from e


def register(add: Any, sub: Any) -> None:
    """Add `piaudit batch` to the parser."""
    p = add(
        "batch",
        lazy("piaudit.scripts.batch.cli", "main_batch"),
        "Audit a plan of apps over a pool of devices (local stand-ins, emulators, frida-servers), locally or on a Ray cluster.",
        """
        piaudit batch plan.yaml --out campaigns/2026-q4          # Ctrl-C stops cleanly; run it again to continue
        piaudit batch plan.yaml --out /shared/campaign --cluster 10.0.0.1:6379
        """,
    )
    p.add_argument("plan", metavar="PLAN.yaml", help="the plan (format: docs/campaign.md)")
    p.add_argument("--out", required=True, metavar="CAMPAIGN", help="campaign directory (created; an existing one is continued)")
    p.add_argument("--cluster", metavar="ADDRESS", help="run the devices' attempts on this Ray cluster (ray.init address)")
    p.add_argument("--cluster-timeout", type=float, default=60.0, metavar="S", help="seconds to wait for each device's Ray actor (default 60)")
    p.add_argument("--retry-failed", action="store_true", help="give apps that failed in an earlier run their retries again")
    p.add_argument("--status-every", type=float, default=10.0, metavar="S", help="print the status line at least every S seconds (default 10)")
