from django import template

from tocsin.core.charts import Chart, render_chart

register = template.Library()


@register.simple_tag
def chart(value: Chart | None):
    """Render a tocsin.core.charts.Chart as an inline SVG with its table: `{% chart turnout %}`."""
    if value is None or not value.categories:
        return ""
    return render_chart(value)
