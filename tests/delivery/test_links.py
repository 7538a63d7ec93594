from django.core import signing

from tocsin.delivery.rendering import delivery_for_token, personal_link, personal_links


def test_the_chunk_link_maker_gives_exactly_the_personal_link(monkeypatch):
    monkeypatch.setattr(signing.time, "time", lambda: 1_790_000_000.0)
    link_for = personal_links()

    for delivery_id in (1, 7, 123_456, 10**9):
        assert link_for(delivery_id) == personal_link(delivery_id)


def test_its_links_lead_back_to_their_delivery():
    link = personal_links()(4242)

    token = link.rstrip("/").rpartition("/")[2]
    assert delivery_for_token(token) == 4242
