"""Photos sent with reports and answers: checked, stripped of metadata, resized.

A phone's photo carries EXIF: where it was taken (GPS), when, on which device. That can
identify the person who took it, so nothing of it is kept: the pixels are decoded and
encoded again as a fresh JPEG, which carries no metadata, at most TOCSIN_PHOTO_MAX_SIDE
pixels on its longest side. The photo is then stored encrypted (Photo.image).
"""

import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}
# Decoding a huge image costs memory; refuse anything larger than this many pixels.
MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    width: int
    height: int


def clean_photo(raw: bytes, field: str = "photo") -> CleanPhoto:
    """Return the photo re-encoded as a metadata-free JPEG, or raise ValidationError on `field`."""
    if len(raw) > settings.TOCSIN_MAX_PHOTO_BYTES:
        raise ValidationError(
            {
                field: _("The photo is too large: at most %(megabytes)d MB.")
                % {"megabytes": settings.TOCSIN_MAX_PHOTO_BYTES // (1024 * 1024)}
            }
        )
    unreadable = ValidationError(
        {field: _("This file is not a photo we can read. Send a JPEG or PNG picture.")}
    )
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise unreadable
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError({field: _("The photo has too many pixels.")})
            probe.load()
            # Turn it the way the camera meant, before the orientation tag is dropped.
            image = ImageOps.exif_transpose(probe)
            image = image.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise unreadable from None
    image.thumbnail((settings.TOCSIN_PHOTO_MAX_SIDE, settings.TOCSIN_PHOTO_MAX_SIDE))
    out = io.BytesIO()
    # A new image object holds no EXIF, ICC or comment; nothing is copied over.
    Image.frombytes("RGB", image.size, image.tobytes()).save(out, "JPEG", quality=85)
    return CleanPhoto(data=out.getvalue(), width=image.width, height=image.height)
