from django import template

register = template.Library()


@register.filter
def change_pair(value):
    """(old, new) when an audit change is a from/to pair, else None."""
    if isinstance(value, dict) and set(value) <= {"from", "to"} and value:
        return (value.get("from"), value.get("to"))
    return None


@register.filter
def roman(value):
    """Impact levels are written I–IV, as the frameworks write them."""
    return {1: "I", 2: "II", 3: "III", 4: "IV"}.get(value, value)
