from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import connection, transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from ombuds import __version__

from . import audit
from .models import Agency
from .permissions import access, check_object


@access("public")
@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        db = "ok"
    except Exception as exc:  # report, never crash: this is what load balancers poll
        db = f"error: {type(exc).__name__}"
    status = 200 if db == "ok" else 503
    return JsonResponse(
        {"status": "ok" if status == 200 else "error", "database": db, "version": __version__},
        status=status,
    )


class BrandingForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = ["name", "brand_colour"]
        widgets = {"brand_colour": forms.TextInput(attrs={"type": "color"})}
        help_texts = {
            "brand_colour": gettext_lazy("Text on it is chosen black or white for contrast.")
        }


@access("agency.brand")
def branding(request, slug):
    agency = get_object_or_404(Agency, slug=slug)
    check_object(request.user, "agency.brand", agency.pk)
    form = BrandingForm(request.POST or None, instance=agency)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            before = audit.snapshot(Agency.objects.get(pk=agency.pk), ["name", "brand_colour"])
            form.save()
            audit.record(
                actor=request.user,
                action="agency.brand",
                obj=agency,
                agency=agency,
                changes=audit.diff(before, audit.snapshot(agency, ["name", "brand_colour"])),
            )
        messages.success(request, _("Saved."))
        return redirect("branding", slug=agency.slug)
    return render(request, "core/branding.html", {"form": form, "agency": agency})
