"""Sign and withdraw, and cut an erased signer loose.

Signing and withdrawing write no audit entry and no log line: an entry naming the signer,
or even one at the moment of signing, would tell an admin who signed (decision 0009).
"""

import secrets
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.accounts.models import Person
from tocsin.audit.services import record
from tocsin.core.queue import enqueue_on_commit

from .. import progress, sealing
from ..models import Pledge, Signature
from ..tasks import activate_pledge


def has_signed(person: Person, pledge: Pledge) -> bool:
    index = sealing.signer_index(pledge.code, str(person.public_id))
    return pledge.signatures.filter(signer_index=index).exists()


@transaction.atomic
def sign(person: Person, pledge: Pledge) -> Pledge:
    """Add the person's signature: sealed while the pledge is open, open once it is on.

    The pledge row is locked, so a signature never lands while the activation job unseals.
    """
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    entry = progress.asked_entry(pledge, person)
    if entry is None:
        raise ValidationError({"pledge": _("This pledge does not ask you.")})
    if not pledge.signable:
        raise ValidationError({"pledge": _("This pledge is closed.")})
    signature = Signature(
        pledge=pledge,
        group=entry.group,
        signer_index=sealing.signer_index(pledge.code, str(person.public_id)),
    )
    if pledge.is_open:
        signature.sealed_signer = sealing.seal(pledge.public_key, str(person.public_id))
    else:
        signature.person, signature.signed_openly_at = person, timezone.now()
    try:
        with transaction.atomic():
            signature.save(force_insert=True)
    except IntegrityError:
        raise ValidationError({"pledge": _("You have already signed.")}) from None
    if pledge.is_open and progress.threshold_met(pledge):
        # Lost with a queue that is down: settle_pledges_every_minute turns it on instead.
        enqueue_on_commit(activate_pledge, pledge.pk)
    return pledge


@transaction.atomic
def withdraw(person: Person, pledge: Pledge) -> Pledge:
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    if not pledge.signable:
        raise ValidationError({"pledge": _("This pledge is closed.")})
    index = sealing.signer_index(pledge.code, str(person.public_id))
    removed, _kinds = pledge.signatures.filter(signer_index=index).delete()
    if not removed:
        raise ValidationError({"pledge": _("You have not signed this pledge.")})
    if pledge.state == Pledge.State.ACTIVE:
        record(person, "pledges.signature.withdrawn", pledge, organization=pledge.organization)
    return pledge


def forget_signer(pledge: Pledge, person: Person) -> None:
    """Cut an erased person's signature loose from them, keeping it counted.

    Its blind index becomes random, and while the pledge is sealed its box is sealed anew
    around a random id, so neither the index nor the box leads back to the person; the
    count, and so every bucket and percentage, stays as it was, whether they signed or not.
    """
    index = sealing.signer_index(pledge.code, str(person.public_id))
    changes: dict = {"signer_index": secrets.token_hex(32)}
    if pledge.is_open:
        changes["sealed_signer"] = sealing.seal(pledge.public_key, str(uuid.uuid4()))
    pledge.signatures.filter(signer_index=index).update(**changes)
