from django import template

register = template.Library()


@register.filter
def change_pair(value):
    """(old, new) when an audit change is a from/to pair, else None."""
    if isinstance(value, dict) and set(value) <= {"from", "to"} and value:
        return (value.get("from"), value.get("to"))
    return None
