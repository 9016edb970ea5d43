"""`ombuds worker`: runs the background work of Ombuds — the scheduler (periodic jobs apps
register with `core.scheduler`: due monitors, deadlines, reminders) and the database task queue,
together in one process."""

from __future__ import annotations

import signal
import threading

from django.core.management import call_command

from ombuds.core.cli import OmbudsCommand


class Command(OmbudsCommand):
    help = (
        "Run the background work: audits started in the web app and other queued tasks. Runs "
        "until stopped (Ctrl+C finishes the current task first); with --batch, runs what is "
        "waiting and exits."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", action="store_true", help="run the tasks that are waiting, then exit"
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="seconds to wait between looks at an empty queue (default 1)",
        )
        parser.add_argument(
            "--queue-name",
            default="default",
            help="queues to work on, separated by commas; '*' for all (default: default)",
        )
        parser.add_argument("--max-tasks", type=int, help="exit after running this many tasks")
        parser.add_argument("--worker-id", help="a name unique among the running workers")
        parser.add_argument(
            "--reload",
            action="store_true",
            help="restart when the code changes (development only)",
        )
        parser.add_argument(
            "--schedule-interval",
            type=float,
            default=30.0,
            help="seconds between looks for due periodic jobs (default 30)",
        )
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="run only the task queue (when another worker runs the scheduler)",
        )
        parser.add_argument(
            "--startup-delay",
            action="store_true",
            help="wait up to a second before starting, so many workers do not start at once",
        )

    def handle(self, *args, **opts):
        if opts["interval"] < 0:
            raise self.fail("--interval must be zero or more")
        if opts["max_tasks"] is not None and opts["max_tasks"] < 1:
            raise self.fail("--max-tasks must be at least 1")
        argv = ["--queue-name", opts["queue_name"], "--interval", str(opts["interval"])]
        if opts["batch"]:
            argv.append("--batch")
        argv.append("--reload" if opts["reload"] and not opts["batch"] else "--no-reload")
        if not opts["startup_delay"]:
            argv.append("--no-startup-delay")
        if opts["max_tasks"] is not None:
            argv += ["--max-tasks", str(opts["max_tasks"])]
        if opts["worker_id"]:
            argv += ["--worker-id", opts["worker_id"]]
        self._verbosity = opts["verbosity"]
        stop = threading.Event()
        if not opts["no_scheduler"]:
            if opts["batch"]:
                _tick(self)  # what is due now, then the queue (which the jobs may have filled)
            else:
                threading.Thread(
                    target=_schedule_loop,
                    args=(self, stop, opts["schedule_interval"]),
                    name="ombuds-scheduler",
                    daemon=True,
                ).start()
        # The queue's worker installs its own handlers for a graceful stop; put back the
        # caller's afterwards (a test, or a process that runs the worker in --batch).
        saved = {s: signal.getsignal(s) for s in _SIGNALS}
        try:
            call_command(
                "db_worker",
                *argv,
                verbosity=opts["verbosity"],
                stdout=self.stdout._out,
                stderr=self.stderr._out,
            )
        finally:
            stop.set()
            for sig, handler in saved.items():
                if handler is not None:
                    signal.signal(sig, handler)


_SIGNALS = [signal.SIGINT, signal.SIGTERM] + (
    [signal.SIGQUIT] if hasattr(signal, "SIGQUIT") else []
)


def _tick(command, own_thread: bool = False) -> None:
    from django.db import connection

    from ombuds.core import scheduler

    try:
        ran = scheduler.run_due()
        if ran and getattr(command, "_verbosity", 1) > 1:
            command.stderr.write(f"scheduler ran: {', '.join(ran)}")
    finally:
        if own_thread:
            connection.close()  # the scheduler thread's own connection, not the caller's


def _schedule_loop(command, stop: threading.Event, interval: float) -> None:
    while not stop.is_set():
        try:
            _tick(command, own_thread=True)
        except Exception as exc:  # the database may be briefly away: try again next tick
            command.stderr.write(f"scheduler: {type(exc).__name__}: {exc}")
        stop.wait(interval)
