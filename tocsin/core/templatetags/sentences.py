"""{% filter one_period %}…{% endfilter %}: a sentence ending in a value that ends in its own
period ("a.m.", an initial) ends with one period."""

from django import template

from tocsin.core import text

register = template.Library()


@register.filter(is_safe=True)
def one_period(value: str) -> str:
    return text.one_period(str(value))
