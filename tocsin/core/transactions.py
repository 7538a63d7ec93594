"""Row locks that do not wait on each other in a circle, and one retry when they still do.

Locks are taken in one order everywhere: an organization, then a site, then the rows under
them (an incident, a burst, a case, an alert). And they are taken with `locking()`:
PostgreSQL's `FOR NO KEY UPDATE OF` the model's own table.

- Against key-share. Every row inserted or updated with a foreign key takes a key-share
  lock on the row it refers to (at commit: Django's foreign keys are deferred). A plain
  `FOR UPDATE` blocks that lock, so a report filed under its locked organization (it refers
  to its site) and a site being saved under its lock (its audit entry refers to the
  organization) waited for each other, and PostgreSQL killed one of them (issue 14, item 8).
  `FOR NO KEY UPDATE` still keeps out every other writer and locker of the row but that
  one: rows that merely refer to it can be written. It is right wherever the locker changes
  no key of the row (its id, code or slug) and does not delete it.
- Of the model's own rows only. A `select_related` joins other tables into the query, and
  without `of` their rows are locked too: locking an incident locked its organization.

Two transactions can still meet in an order nobody planned; PostgreSQL then cancels one with
a deadlock (or, under a stricter isolation, a serialization) error. `atomic_retried_once`
runs such a transaction once more from the start, where a retry is harmless: everything the
first attempt wrote was rolled back and its on-commit work dropped. It waits a moment first
(a tenth or two of a second, at random): started at once, the retry can take a row before
the transaction that won, which was waiting for it, and meet that one again.

SQLite takes no row locks: its transactions are immediate, one writer at a time.
"""

import functools
import logging
import random
import time
from collections.abc import Callable

from django.db import DatabaseError, models, transaction

log = logging.getLogger(__name__)
# PostgreSQL's deadlock_detected and serialization_failure.
RETRYABLE_SQLSTATES = {"40P01", "40001"}
# How long a cancelled transaction waits before it runs again, in seconds.
RETRY_PAUSE = (0.1, 0.2)


def locking[M: models.Model](rows: models.Manager[M] | models.QuerySet[M]) -> models.QuerySet[M]:
    """Return the rows (a manager's or a queryset's), to be locked against change but not
    against reference when they are read."""
    return rows.select_for_update(no_key=True, of=("self",))


def is_retryable(error: DatabaseError) -> bool:
    """Whether the database cancelled the transaction only because it met another one."""
    return getattr(error.__cause__, "sqlstate", None) in RETRYABLE_SQLSTATES


def atomic_retried_once[**P, R](function: Callable[P, R]) -> Callable[P, R]:
    """Run `function` in a transaction, a second time if the first met another and was
    cancelled for it. Called within a transaction already open, it runs once inside it:
    a cancelled transaction can only be retried by whoever began it."""

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():
                return function(*args, **kwargs)
        try:
            with transaction.atomic():
                return function(*args, **kwargs)
        except DatabaseError as error:
            if not is_retryable(error):
                raise
            log.warning("%s met another transaction and runs again", function.__qualname__)
        time.sleep(random.uniform(*RETRY_PAUSE))
        with transaction.atomic():
            return function(*args, **kwargs)

    return run
