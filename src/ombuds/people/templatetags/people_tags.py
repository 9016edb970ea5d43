"""The oversight design on a system's staff page, without the registry importing this app."""

from django import template

from ombuds.people.rules import oversight_staff

register = template.Library()


@register.inclusion_tag("people/_oversight_summary.html")
def oversight_summary(system):
    return {"oversight": oversight_staff(system)}
