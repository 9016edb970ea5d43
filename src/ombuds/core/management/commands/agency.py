from django.core.exceptions import ValidationError
from django.db import transaction

from ombuds.core import audit
from ombuds.core.cli import OmbudsCommand
from ombuds.core.models import Agency


class Command(OmbudsCommand):
    help = "Manage agencies: agency create SLUG --name NAME [--country CC] [--parent SLUG]"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create an agency")
        create.add_argument("slug")
        create.add_argument("--name", required=True)
        create.add_argument("--country", default="", help="ISO 3166 two-letter code, e.g. CA")
        create.add_argument("--parent", default=None, help="slug of the parent agency")
        sub.add_parser("list", help="list agencies")

    def handle(self, *args, action, **opts):
        if action == "list":
            for a in Agency.objects.order_by("slug"):
                self.stdout.write(f"{a.slug}\t{a.country}\t{a.name}")
            return
        slug = opts["slug"]
        if Agency.objects.filter(slug=slug).exists():
            raise self.fail(f"agency '{slug}' already exists")
        parent = None
        if opts["parent"]:
            parent = Agency.objects.filter(slug=opts["parent"]).first()
            if parent is None:
                raise self.fail(f"--parent: no agency '{opts['parent']}'")
        agency = Agency(
            slug=slug, name=opts["name"], country=opts["country"].upper(), parent=parent
        )
        try:
            agency.full_clean()
        except ValidationError as exc:
            raise self.fail(
                "; ".join(f"{f}: {' '.join(m)}" for f, m in exc.message_dict.items())
            ) from exc
        with transaction.atomic():
            agency.save()
            audit.record(
                action="agency.create",
                obj=agency,
                agency=agency,
                changes=audit.diff(
                    {}, audit.snapshot(agency, ["slug", "name", "country", "parent"])
                ),
            )
        self.stdout.write(f"created agency {agency.slug}")
