from django.urls import path

from . import export_views

urlpatterns = [
    path("exports/", export_views.export_index, name="export_index"),
    path("exports/<slug:slug>/download", export_views.export_download, name="export_download"),
]
