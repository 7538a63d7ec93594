from django.conf import settings


def tocsin(request):
    return {
        "person": getattr(request, "person", None),
        "base_url": settings.TOCSIN_BASE_URL,
        "map_tiles": settings.TOCSIN_MAP_TILES_URL,
    }
