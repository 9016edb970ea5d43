import json

from ombuds.core import audit
from ombuds.core.cli import OmbudsCommand


class Command(OmbudsCommand):
    help = (
        "auditlog verify: walk the hash chain; exit 0 when intact, 1 naming the first broken event"
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="check the whole chain")
        verify.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, action, format, **opts):
        result = audit.verify()
        if format == "json":
            self.stdout.write(
                json.dumps(
                    {
                        "schema": "ombuds.auditlog-verify/1",
                        "ok": result.ok,
                        "checked": result.checked,
                        "broken_event_id": result.broken_event_id,
                        "reason": result.reason or None,
                    }
                )
            )
        elif result.ok:
            self.stdout.write(f"audit log intact: {result.checked} events verified")
        else:
            self.stderr.write(
                f"audit log BROKEN at event {result.broken_event_id}: {result.reason} "
                f"({result.checked} events verified before it)"
            )
        if not result.ok:
            raise SystemExit(1)
