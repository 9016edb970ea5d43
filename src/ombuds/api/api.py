from ninja import NinjaAPI

from ombuds import __version__

from . import core, problems, registry
from .auth import AUTH

api = NinjaAPI(
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
