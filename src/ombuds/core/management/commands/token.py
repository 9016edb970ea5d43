from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from ombuds.core import audit
from ombuds.core.cli import OmbudsCommand
from ombuds.core.models import ApiToken


class Command(OmbudsCommand):
    help = "API tokens: token create USERNAME prints a new token (only the token); token revoke USERNAME"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token and print it")
        create.add_argument("username")
        create.add_argument("--name", default="", help="a label to recognise the token by")
        revoke = sub.add_parser("revoke", help="revoke all of a user's tokens")
        revoke.add_argument("username")

    def handle(self, *args, action, username, **opts):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise self.fail(f"no user '{username}'")
        if not user.is_active:
            raise self.fail(f"user '{username}' is deactivated")
        with transaction.atomic():
            if action == "create":
                token, raw = ApiToken.issue(user, opts.get("name", ""))
                audit.record(
                    action="token.create",
                    obj=user,
                    object_repr=username,
                    changes={"token_id": {"from": None, "to": token.pk}},
                )
            else:
                n = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
                    revoked_at=timezone.now()
                )
                audit.record(
                    action="token.revoke",
                    obj=user,
                    object_repr=username,
                    changes={"revoked": {"from": None, "to": n}},
                )
        if action == "create":
            self.stdout.write(raw)
        else:
            self.stderr.write(f"revoked {n} token(s) of {username}")
