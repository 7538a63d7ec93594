"""Photos sent with reports and answers: checked, stripped of metadata, resized.

A phone's photo carries EXIF: where it was taken (GPS), when, on which device. That can
identify the person who took it, so nothing of it is kept: the pixels are decoded and
encoded again as a fresh JPEG, which carries no metadata, at most TOCSIN_PHOTO_MAX_SIDE
pixels on its longest side. The photo is then stored encrypted (Photo.image).

Decoding is the costly part (a 131 KB PNG can declare 6300 x 6300 pixels and take most of a
second to decode), so `check_photo_header` reads only the file's header, before the
sender's rate limit is counted, and refuses what declares more than TOCSIN_PHOTO_MAX_PIXELS
pixels, or a large image packed into far fewer bytes than any photo (a decompression bomb).
Only a report within its limit then has its photo decoded (`clean_photo`).
"""

import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}
# A camera's photo holds at most a few pixels per byte of its file (a 12-megapixel JPEG
# weighs 1 to 5 MB); a flat image compressed to nothing holds thousands. Above this many
# pixels a file must carry at least one byte per MAX_PIXELS_PER_BYTE pixels.
SMALL_IMAGE_PIXELS = 4_000_000
MAX_PIXELS_PER_BYTE = 200


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    width: int
    height: int


def unreadable(field: str) -> ValidationError:
    return ValidationError(
        {field: _("This file is not a photo we can read. Send a JPEG or PNG picture.")}
    )


def check_header(probe: Image.Image, size: int, field: str) -> None:
    """Refuse an opened (not decoded) image by what its header declares."""
    if probe.format not in ACCEPTED_FORMATS:
        raise unreadable(field)
    pixels = probe.width * probe.height
    limit = settings.TOCSIN_PHOTO_MAX_PIXELS
    if pixels > limit or (pixels > SMALL_IMAGE_PIXELS and pixels > size * MAX_PIXELS_PER_BYTE):
        raise ValidationError(
            {
                field: _(
                    "The photo has too many pixels: send one of at most %(megapixels)d megapixels."
                )
                % {"megapixels": limit // 1_000_000}
            }
        )


def check_size(raw: bytes, field: str) -> None:
    if len(raw) > settings.TOCSIN_MAX_PHOTO_BYTES:
        raise ValidationError(
            {
                field: _("The photo is too large: at most %(megabytes)d MB.")
                % {"megabytes": settings.TOCSIN_MAX_PHOTO_BYTES // (1024 * 1024)}
            }
        )


def check_photo_header(raw: bytes, field: str = "photo") -> None:
    """Refuse a photo by its size and its header alone, without decoding its pixels."""
    check_size(raw, field)
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            check_header(probe, len(raw), field)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise unreadable(field) from None


def clean_photo(raw: bytes, field: str = "photo") -> CleanPhoto:
    """Return the photo re-encoded as a metadata-free JPEG, or raise ValidationError on `field`."""
    check_size(raw, field)
    side = settings.TOCSIN_PHOTO_MAX_SIDE
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            check_header(probe, len(raw), field)
            # A JPEG can be decoded straight at a half, a quarter or an eighth of its size:
            # no larger than what is kept, and a fraction of the work.
            probe.draft("RGB", (side, side))
            probe.load()
            # Turn it the way the camera meant, before the orientation tag is dropped.
            image = ImageOps.exif_transpose(probe)
            image = image.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise unreadable(field) from None
    image.thumbnail((side, side))
    out = io.BytesIO()
    # A new image object holds no EXIF, ICC or comment; nothing is copied over.
    Image.frombytes("RGB", image.size, image.tobytes()).save(out, "JPEG", quality=85)
    return CleanPhoto(data=out.getvalue(), width=image.width, height=image.height)
