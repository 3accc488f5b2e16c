"""Corrections: dated notes to readers under a published story, the only source of "обновлено"."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Article, Correction
from . import permissions, revisions

CORRECTION_MAX_LENGTH = Correction._meta.get_field("text").max_length


class CorrectionError(Exception):
    """A correction the desk refused; the message says why."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@transaction.atomic
def add_correction(*, article: Article, user, text: str) -> Correction:
    """Add a correction to a story readers can see, and move its modified time to now."""
    text = text.strip()
    if not text:
        raise CorrectionError(_("Напишите текст исправления."))
    if len(text) > CORRECTION_MAX_LENGTH:
        raise CorrectionError(
            _("Исправление длиннее %(limit)d символов.") % {"limit": CORRECTION_MAX_LENGTH}
        )
    locked = Article.objects.select_for_update().get(pk=article.pk)
    if not permissions.can_correct(user, locked):
        raise CorrectionError(_("Исправления в этом регионе добавляет его редактор."))
    if not Article.objects.published().filter(pk=locked.pk).exists():
        raise CorrectionError(
            _("Исправление добавляется к материалу на сайте; этот читатели сейчас не видят.")
        )
    now = timezone.now()
    correction = Correction.objects.create(
        article=locked, text=text, created_at=now, created_by=user
    )
    Article.objects.filter(pk=locked.pk).update(corrected_at=now, updated_at=now, updated_by=user)
    locked.refresh_from_db()
    with revisions.revision(user, _("Исправление: %(text)s") % {"text": text[:100]}):
        revisions.keep(locked)
    article.corrected_at = now
    return correction
