from .models import Agency
from .permissions import roles_by_agency


def _text_colour(hex_colour: str) -> str:
    """Black or white, whichever contrasts more with the brand colour (WCAG relative luminance)."""
    rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "#000000" if (lum + 0.05) / 0.05 > 1.05 / (lum + 0.05) else "#ffffff"


def branding(request):
    """The agency whose name and colour the staff pages wear: the user's first agency."""
    user = getattr(request, "user", None)
    agency = None
    if user is not None and user.is_authenticated:
        ids = sorted(roles_by_agency(user))
        if ids:
            agency = Agency.objects.filter(pk=ids[0]).only("name", "brand_colour", "slug").first()
    colour = agency.brand_colour if agency else "#1f3a5f"
    return {"brand_agency": agency, "brand_colour": colour, "brand_text": _text_colour(colour)}
