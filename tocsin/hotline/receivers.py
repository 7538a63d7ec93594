"""What the hotline does when a sharing agreement changes (decision 0033).

A case handed over is out of the other organization's reach the moment the agreement it was
handed over under stops sharing hotline cases (access.py reads that at every request).
These receivers also give such cases back on the timeline at once: before a change to an
agreement is written (the database still holds what was in force: an ended agreement
renewed on the same row must not bring an old handover back) and after it (an agreement
ended now). The minute job (tasks.py) catches an end that came by the clock or by a bulk
update. Neither reads an agreement: they ask tocsin.accounts.sharing.
"""

from django.db.models.signals import post_save, pre_save

from .services.handovers import return_lapsed_handovers

AGREEMENT = "accounts.SharingAgreement"


def give_back_lapsed_cases(sender, **kwargs) -> None:
    return_lapsed_handovers()


pre_save.connect(give_back_lapsed_cases, sender=AGREEMENT, dispatch_uid="hotline-handovers-pre")
post_save.connect(give_back_lapsed_cases, sender=AGREEMENT, dispatch_uid="hotline-handovers-post")
