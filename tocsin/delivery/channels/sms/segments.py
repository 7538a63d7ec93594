"""How many SMS segments a text takes, by the encoding a carrier sends it in.

A text made only of the GSM 03.38 alphabet goes as GSM-7: 160 septets in one segment, or
153 per segment once it is split (7 septets carry the header that joins the parts). The
characters of the alphabet's extension table (^ { } \\ [ ~ ] | € and form feed) take two
septets each, an escape and the character, and a pair is never split across two segments.
Any other character (é, ñ, ¿ and ¡ are in the alphabet; á, í, ó, ú and emoji are not) sends
the whole text as UCS-2: 70 UTF-16 code units in one segment, 67 per segment once split, and
a surrogate pair (an emoji) is never split either. These are the rules of Twilio's
segment calculator (github.com/TwilioDevEd/message-segment-calculator, src/libs/
SegmentedMessage.ts) and of 3GPP TS 23.038; Twilio's optional "smart encoding", which
swaps some characters for GSM-7 look-alikes, is not assumed.

No package on the index that is kept up counts segments (gsm0338 and gsmcodecs encode,
but neither counts); this module is small and tested against the calculator's examples.
"""

from dataclasses import dataclass

# The GSM 03.38 basic character set, in table order (the escape, 0x1B, is left out).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each takes an escape septet and its own.
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


@dataclass(frozen=True)
class Segments:
    """A text's encoding ("GSM-7" or "UCS-2") and the number of segments it takes."""

    encoding: str
    count: int


def is_gsm7(text: str) -> bool:
    """Say whether every character of `text` is in the GSM-7 alphabet or its extension."""
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def count_segments(text: str) -> Segments:
    """Return the encoding `text` is sent in and how many segments it takes (0 when empty)."""
    if is_gsm7(text):
        units = [2 if char in GSM7_EXTENSION else 1 for char in text]
        return Segments("GSM-7", parts(units, GSM7_SINGLE, GSM7_PART))
    units = [2 if ord(char) > 0xFFFF else 1 for char in text]
    return Segments("UCS-2", parts(units, UCS2_SINGLE, UCS2_PART))


def parts(units: list[int], single: int, part: int) -> int:
    """Return the segments taken by characters of the given sizes (septets or code units).

    A text within `single` goes in one; a longer one is split into parts of at most `part`,
    and a character that does not fit whole in what a part has left starts the next.
    """
    total = sum(units)
    if total == 0:
        return 0
    if total <= single:
        return 1
    count, used = 1, 0
    for size in units:
        if used + size > part:
            count, used = count + 1, 0
        used += size
    return count
