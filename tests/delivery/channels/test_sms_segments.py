"""Segment counts checked against the examples of Twilio's segment calculator's own tests
(TwilioDevEd/message-segment-calculator, and its ports' SegmentedMessage tests)."""

import pytest

from tocsin.delivery.channels.sms.segments import count_segments

DIGITS = "1234567890" * 40
EXTENSION = ["|", "^", "€", "{", "}", "[", "]", "~", "\\"]


@pytest.mark.parametrize(
    ("text", "encoding", "segments"),
    [
        ("", "GSM-7", 0),
        (DIGITS[:160], "GSM-7", 1),
        (DIGITS[:161], "GSM-7", 2),
        (DIGITS[:306], "GSM-7", 2),
        (DIGITS[:307], "GSM-7", 3),
        ("😜" + DIGITS[1:69], "UCS-2", 1),
        ("😜" + DIGITS[1:70], "UCS-2", 2),
        ("😜" + DIGITS[1:134], "UCS-2", 3),
        ("🇮🇹" + DIGITS[1:67], "UCS-2", 1),
        ("🇮🇹" + DIGITS[1:68], "UCS-2", 2),
        ("😀" + "]" * 68, "UCS-2", 1),
        ("😀" + "]" * 69, "UCS-2", 2),
    ],
)
def test_it_counts_as_the_calculator_does(text, encoding, segments):
    counted = count_segments(text)

    assert (counted.encoding, counted.count) == (encoding, segments)


@pytest.mark.parametrize("char", EXTENSION)
def test_an_extension_character_takes_two_septets(char):
    assert count_segments(char + DIGITS[:158]) == count_segments(DIGITS[:160])
    assert count_segments(char + DIGITS[:159]).count == 2
    assert count_segments(char + DIGITS[:159]).encoding == "GSM-7"


@pytest.mark.parametrize("char", ["Á", "Ú", "ú", "ç", "í", "Í", "ó", "Ó"])
def test_accents_beyond_gsm7_make_it_ucs2(char):
    assert count_segments(char * 70).count == 1
    assert count_segments(char * 71).count == 2
    assert count_segments(char * 71).encoding == "UCS-2"


def test_an_escape_pair_is_never_split_across_segments():
    # 152 septets, then "€" (2): it does not fit in the first part's last septet.
    assert count_segments(DIGITS[:152] + "€" + DIGITS[:151]).count == 2
    assert count_segments(DIGITS[:152] + "€" + DIGITS[:152]).count == 3


def test_spanish_gsm7_letters_stay_gsm7():
    assert count_segments("¿Dónde?").encoding == "UCS-2"  # ó is not in GSM-7
    assert count_segments("¡Señor! ¿Qué pasó allí?").encoding == "UCS-2"
    assert count_segments("¡Señor! ¿Está él aquí?").encoding == "UCS-2"
    assert count_segments("¡Señor, él vive!").encoding == "GSM-7"
