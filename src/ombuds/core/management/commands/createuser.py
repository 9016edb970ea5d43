import secrets
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from ombuds.core import audit
from ombuds.core.cli import OmbudsCommand
from ombuds.core.models import Agency, Membership
from ombuds.core.roles import ROLES


class Command(OmbudsCommand):
    help = (
        "Create a user (or add a role to an existing one). Without --password-stdin a random "
        "password is generated and printed once."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--agency", help="agency slug")
        parser.add_argument("--role", choices=ROLES)
        parser.add_argument("--email", default="")
        parser.add_argument("--superuser", action="store_true", help="a platform admin")
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from standard input"
        )

    def handle(self, *args, username, agency, role, email, superuser, password_stdin, **opts):
        if not superuser and not (agency and role):
            raise self.fail("give --agency and --role (or --superuser)")
        if bool(agency) != bool(role):
            raise self.fail("--agency and --role go together")
        found = Agency.objects.filter(slug=agency).first() if agency else None
        if agency and found is None:
            raise self.fail(
                f"--agency: no agency '{agency}' (create it with: ombuds agency create)"
            )
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        password = None
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
            if not password:
                raise self.fail("no password on standard input")
        elif user is None:
            password = secrets.token_urlsafe(12)
        if password is not None:
            try:
                validate_password(password, user or User(username=username, email=email))
            except ValidationError as exc:
                raise self.fail("password: " + " ".join(exc.messages)) from exc
        with transaction.atomic():
            created = user is None
            if created:
                user = User(username=username, email=email)
            if password is not None:
                user.set_password(password)
            if superuser:
                user.is_superuser = user.is_staff = True
            try:
                user.full_clean(exclude=["password"])
            except ValidationError as exc:
                raise self.fail(
                    "; ".join(f"{f}: {' '.join(m)}" for f, m in exc.message_dict.items())
                ) from exc
            user.save()
            changes = {}
            if created:
                changes["user"] = {"from": None, "to": username}
            if superuser:
                changes["superuser"] = {"from": None, "to": True}
            if found is not None:
                _m, added = Membership.objects.get_or_create(user=user, agency=found, role=role)
                if added:
                    changes["role"] = {"from": None, "to": role}
            if changes:
                audit.record(
                    action="user.create" if created else "user.update",
                    obj=user,
                    agency=found,
                    changes=changes,
                    object_repr=username,
                )
        what = "created" if created else "updated"
        self.stderr.write(f"{what} user {username}" + (f" ({role} in {agency})" if role else ""))
        if password is not None and not password_stdin:
            self.stdout.write(f"password: {password}")
