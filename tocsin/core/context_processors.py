from django.conf import settings

from tocsin.core.tiles import map_config


def tocsin(request):
    return {
        "person": getattr(request, "person", None),
        "base_url": settings.TOCSIN_BASE_URL,
        # Called only by a page that draws a map (core/_map_scripts.html).
        "map_config": map_config,
    }
