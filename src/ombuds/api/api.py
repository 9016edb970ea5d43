from ninja import NinjaAPI
from ninja.errors import ValidationError
from ninja.parser import Parser

from ombuds import __version__

from . import (
    assessments,
    core,
    evaluations,
    people,
    problems,
    procurement,
    registry,
    remedy,
    transparency,
)
from .auth import AUTH


class ObjectBodyParser(Parser):
    """Every request body of this API is a JSON object; anything else is named, not guessed at."""

    def parse_body(self, request):
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValidationError([{"loc": ("body",), "msg": "The body must be a JSON object."}])
        return data


api = NinjaAPI(
    parser=ObjectBodyParser(),
    title="Ombuds API",
    version=f"1 ({__version__})",
    description="The register of AI systems and everything that governs them. Authenticate with "
    "`Authorization: Bearer <token>` (create one with `ombuds token create USERNAME`). "
    "Errors are JSON problem details: {type, title, status, detail, errors[{field, message}]}.",
    auth=AUTH,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
problems.install(api)
api.add_router("/", core.router)
api.add_router("/", registry.router)
api.add_router("/", assessments.router)
api.add_router("/", evaluations.router)
api.add_router("/", transparency.router)
api.add_router("/", people.router)
api.add_router("/", remedy.router)
api.add_router("/", procurement.router)
