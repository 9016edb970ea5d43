"""Staff downloads of the public register in each standard's format, for their own agency.
Thin views over transparency.exports; every export reads published records only."""

from __future__ import annotations

from django import forms
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _lazy

from ombuds.core.models import Agency
from ombuds.core.permissions import access, agencies_with, check_any, check_object

from . import exports
from .exports.source import base_url

PERM = "export.download"


def _agencies(user):
    ids = agencies_with(user, PERM)
    qs = Agency.objects.order_by("name")
    return qs if ids is None else qs.filter(pk__in=ids)


class ExportForm(forms.Form):
    agency = forms.ChoiceField(label=_lazy("Agency"))
    format = forms.ChoiceField(
        label=_lazy("Format"),
        widget=forms.RadioSelect,
        choices=[(f.name, f.title) for f in exports.FORMATS.values()],
    )

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(a.slug, a.name) for a in agencies]


@access(PERM)
def export_index(request):
    """Choose an agency and a format (a GET form: works without JavaScript); with both chosen,
    the page shows what the standard asks for that the published records do not hold, and the
    download link."""
    check_any(request.user, PERM)
    agencies = list(_agencies(request.user))
    bound = "agency" in request.GET or "format" in request.GET
    form = ExportForm(request.GET if bound else None, agencies=agencies)
    if not bound and len(agencies) == 1:
        form.initial["agency"] = agencies[0].slug
    preview = agency = None
    if bound and form.is_valid():
        agency = next(a for a in agencies if a.slug == form.cleaned_data["agency"])
        check_object(request.user, PERM, agency.pk)
        preview = exports.build(form.cleaned_data["format"], agency, base_url(request))
    return render(
        request,
        "transparency/exports/index.html",
        {
            "form": form,
            "agency": agency,
            "preview": preview,
            "format_title": exports.FORMATS[preview.format].title if preview else "",
            "download_url": (
                f"{reverse('export_download', args=[agency.slug])}?format={preview.format}"
                if preview is not None and agency is not None
                else ""
            ),
        },
        status=400 if bound and form.errors else 200,
    )


@access(PERM)
def export_download(request, slug):
    """The export file of one agency; ?format= names the standard."""
    agency = get_object_or_404(Agency, slug=slug)
    check_object(request.user, PERM, agency.pk)
    fmt = request.GET.get("format", "").strip()
    if not fmt:
        return redirect(f"{reverse('export_index')}?agency={agency.slug}")
    if fmt not in exports.FORMATS:
        return render(
            request,
            "transparency/exports/unknown_format.html",
            {"format": fmt[:100], "agency": agency, "formats": list(exports.FORMATS.values())},
            status=400,
        )
    export = exports.build(fmt, agency, base_url(request))
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Ombuds-Missing"] = str(len(export.missing))
    return response
