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


# The agency's own pages, each shown to those who may open it: (url name, permission, title,
# what it is for). Names only: core does not import the apps that serve them.
AGENCY_PAGES = [
    (
        "appeal_list",
        "appeal.view",
        gettext_lazy("Appeals"),
        gettext_lazy("Contested decisions and their deadlines"),
    ),
    (
        "notice_list",
        "notice.view",
        gettext_lazy("Notices of decisions"),
        gettext_lazy("Letters sent to people"),
    ),
    (
        "optout_queue",
        "optout.view",
        gettext_lazy("Opt-out requests"),
        gettext_lazy("People asking for a person"),
    ),
    (
        "record_error_list",
        "record.edit",
        gettext_lazy("Errors reported in public records"),
        gettext_lazy("What the public found wrong in the register"),
    ),
    (
        "moderation_queue",
        "consultation.moderate",
        gettext_lazy("Comments to moderate"),
        gettext_lazy("Consultation comments waiting"),
    ),
    (
        "agency_training",
        "training.view",
        gettext_lazy("Training"),
        gettext_lazy("Modules and certificates"),
    ),
    (
        "people_compliance",
        "compliance.view",
        gettext_lazy("Training compliance"),
        gettext_lazy("Who may operate what"),
    ),
    (
        "procurement_list",
        "procurement.view",
        gettext_lazy("Procurements"),
        gettext_lazy("Bids, vendor claims, clauses"),
    ),
    (
        "vendor_list",
        "procurement.view",
        gettext_lazy("Vendors"),
        gettext_lazy("Suppliers and their contacts"),
    ),
    (
        "agency_policy",
        "agency.brand",
        gettext_lazy("AI policy"),
        gettext_lazy("Shown on the public agency page"),
    ),
    (
        "remedy_policy",
        "remedy.settings",
        gettext_lazy("Appeal deadlines and retention"),
        gettext_lazy("Working days, holidays, how long details are kept"),
    ),
    (
        "feedback_settings",
        "report.settings",
        gettext_lazy("Report deadlines"),
        gettext_lazy("How fast reports from outside are answered"),
    ),
    (
        "approval_policy",
        "assessment.policy",
        gettext_lazy("Approval rules"),
        gettext_lazy("Who signs off assessments at each level"),
    ),
    (
        "branding",
        "agency.brand",
        gettext_lazy("Name and colour"),
        gettext_lazy("How the staff pages look"),
    ),
]


@access("agency.view")
def agency_home(request, slug):
    from django.urls import reverse

    from .permissions import has_perm

    agency = get_object_or_404(Agency, slug=slug)
    check_object(request.user, "agency.view", agency.pk)
    pages = [
        {"url": reverse(name, args=[agency.slug]), "title": title, "about": about}
        for name, perm, title, about in AGENCY_PAGES
        if has_perm(request.user, perm, agency.pk)
    ]
    if has_perm(request.user, "export.download", agency.pk):
        pages.append(
            {
                "url": reverse("export_index"),
                "title": _("Exports to public registers"),
                "about": _("US, UK, EU, Dutch and Eurocities formats"),
            }
        )
    return render(request, "core/agency_home.html", {"agency": agency, "pages": pages})
