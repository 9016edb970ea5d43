"""`ombuds monitor run SYSTEM`: run a system's monitors now, for every window that is due."""

from __future__ import annotations

from ombuds.core.cli import OmbudsCommand


class Command(OmbudsCommand):
    help = "Run monitors now. `ombuds monitor run SYSTEM_ID` runs every due window of its monitors."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="run a system's monitors for every due window")
        run.add_argument("system", type=int, help="the system's id")
        run.add_argument(
            "--retry", action="store_true", help="also retry windows that failed three times"
        )

    def handle(self, *args, action, system, retry=False, **opts):
        from ombuds.monitoring import runner
        from ombuds.monitoring.models import Monitor
        from ombuds.registry.models import AISystem

        found = AISystem.objects.filter(pk=system).first()
        if found is None:
            raise self.fail(f"no system {system}")
        monitors = Monitor.objects.filter(system=found, enabled=True).select_related("source")
        if not monitors:
            raise self.fail(f"system {system} ({found.name}) has no monitor")
        failed = 0
        for monitor in monitors:
            runs = runner.run_monitor(monitor, force=retry)
            for run in runs:
                failed += run.status == "failed"
                figures = ", ".join(
                    f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                    for k, v in run.figures.items()
                )
                self.stderr.write(
                    f"{monitor.get_kind_display()} {run.window_start}–{run.window_end}: "
                    f"{run.status} {figures or run.error}"
                )
            if not runs:
                self.stderr.write(f"{monitor.get_kind_display()}: nothing due")
        return None
