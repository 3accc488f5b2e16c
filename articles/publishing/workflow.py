"""The only writers of a story's status: one service per step, each checked and recorded.

States: черновик → на проверке → опубликован (a future time means запланирован) → снят с
публикации, and back to черновик. Each service is keyword-only and atomic: it locks the story's
row, asks `permissions` whether this user may take this step here, checks the step against
`TRANSITIONS`, refuses a publication before the embargo, writes the status, and records a
`StatusChange` (who, when, from, to, comment). A refused step raises `TransitionError` with a
message for the editor; the desk shows it and changes nothing.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..dates import format_dateline
from ..indexnow import queue_ping
from ..models import Article, ArticleStatus, StatusChange
from . import permissions, revisions

DRAFT, REVIEW = ArticleStatus.DRAFT, ArticleStatus.REVIEW
PUBLISHED, UNPUBLISHED = ArticleStatus.PUBLISHED, ArticleStatus.UNPUBLISHED
COMMENT_MAX_LENGTH = 2000


class TransitionError(Exception):
    """A step the desk refused: the message says why, in words an editor understands."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    # "write": anyone who may write in the region (a journalist their own story);
    # "publish": an editor of the region, a chief editor or an admin.
    needs: str
    comment_required: bool = False


TRANSITIONS = {
    t.name: t
    for t in (
        Transition("submit", _("Отправить на проверку"), frozenset({DRAFT}), REVIEW, "write"),
        Transition(
            "send_back",
            _("Вернуть на доработку"),
            frozenset({REVIEW}),
            DRAFT,
            "publish",
            comment_required=True,
        ),
        # Publishing at a future time is scheduling; a published story given a new time is
        # rescheduled by the same step.
        Transition(
            "publish",
            _("Опубликовать"),
            frozenset({DRAFT, REVIEW, PUBLISHED}),
            PUBLISHED,
            "publish",
        ),
        Transition(
            "unpublish", _("Снять с публикации"), frozenset({PUBLISHED}), UNPUBLISHED, "publish"
        ),
        Transition(
            "to_draft", _("Вернуть в черновики"), frozenset({UNPUBLISHED}), DRAFT, "publish"
        ),
    )
}


def _may_take(user, article: Article, transition: Transition) -> bool:
    if transition.needs == "publish":
        return permissions.can_publish_in(user, article.region_id)
    return permissions.can_edit(user, article)


def allowed_transitions(user, article: Article) -> list[Transition]:
    """The steps the user may take with the story as it stands, in the table's order."""
    return [
        t
        for t in TRANSITIONS.values()
        if article.status in t.sources and _may_take(user, article, t)
    ]


def check(
    *,
    user,
    article: Article,
    name: str,
    published_at: datetime.datetime | None = None,
    comment: str = "",
) -> Transition:
    """The transition `name` if the user may take it with the story now; TransitionError if not.

    Forms call this to show a refusal beside the text; the services call it again under the lock.
    """
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise TransitionError(_("Такого действия с материалом нет."))
    if not _may_take(user, article, transition):
        raise TransitionError(
            _("У вас нет прав на действие «%(action)s» в регионе «%(region)s».")
            % {"action": transition.label, "region": article.region}
        )
    if article.status not in transition.sources:
        raise TransitionError(
            _("Действие «%(action)s» недоступно: материал сейчас «%(status)s».")
            % {"action": transition.label, "status": article.status_label}
        )
    if transition.comment_required and not comment.strip():
        raise TransitionError(_("Напишите автору, что нужно исправить."))
    if len(comment) > COMMENT_MAX_LENGTH:
        raise TransitionError(
            _("Комментарий длиннее %(limit)d символов.") % {"limit": COMMENT_MAX_LENGTH}
        )
    if transition.target == PUBLISHED:
        _check_publication_time(article, published_at or timezone.now())
    return transition


def _check_publication_time(article: Article, when: datetime.datetime) -> None:
    zone = article.region.time_zone
    if article.embargo_until is not None and when < article.embargo_until:
        raise TransitionError(
            _("Эмбарго до %(embargo)s: раньше опубликовать нельзя — запланируйте на это время.")
            % {"embargo": format_dateline(article.embargo_until, zone)}
        )
    if article.unpublish_at is not None and when >= article.unpublish_at:
        raise TransitionError(
            _("Время публикации позже времени снятия (%(unpublish)s).")
            % {"unpublish": format_dateline(article.unpublish_at, zone)}
        )
    if (
        article.status == PUBLISHED
        and article.published_at is not None
        and article.published_at <= timezone.now()
        and when > timezone.now()
    ):
        raise TransitionError(
            _("Материал уже на сайте: чтобы перенести его в будущее, сначала снимите его.")
        )


@transaction.atomic
def _apply(
    *,
    user,
    article: Article,
    name: str,
    comment: str = "",
    published_at: datetime.datetime | None = None,
) -> StatusChange:
    locked = Article.objects.select_for_update().select_related("region").get(pk=article.pk)
    transition = check(
        user=user, article=locked, name=name, published_at=published_at, comment=comment
    )
    before = locked.status
    fields = ["status", "updated_at", "updated_by"]
    if transition.target == PUBLISHED:
        when = (published_at or timezone.now()).replace(microsecond=0)
        if before == PUBLISHED and when == locked.published_at:
            raise TransitionError(_("Материал уже опубликован с этим временем."))
        locked.published_at = when
        locked.published_by = user
        fields += ["published_at", "published_by"]
        queue_ping(locked)
    locked.status = transition.target
    locked.updated_by = user
    with revisions.revision(user, f"{transition.label}. {comment}".strip(". ")):
        locked.save(update_fields=fields)
        revisions.keep(locked)
    # The caller's object now says what the database says.
    for name_ in ("status", "published_at", "published_by_id", "updated_at", "updated_by_id"):
        setattr(article, name_, getattr(locked, name_))
    return StatusChange.objects.create(
        article=locked,
        from_status=before,
        to_status=transition.target,
        published_at=locked.published_at if transition.target == PUBLISHED else None,
        comment=comment.strip(),
        changed_by=user,
    )


def submit_for_review(*, article: Article, user, comment: str = "") -> StatusChange:
    """Hand a draft to the region's editors, with an optional note."""
    return _apply(user=user, article=article, name="submit", comment=comment)


def send_back(*, article: Article, user, comment: str) -> StatusChange:
    """Return a story in review to its draft, saying what to fix."""
    return _apply(user=user, article=article, name="send_back", comment=comment)


def publish(
    *, article: Article, user, at: datetime.datetime | None = None, comment: str = ""
) -> StatusChange:
    """Publish now, or at `at` (scheduling); a published story gets its new time."""
    return _apply(user=user, article=article, name="publish", published_at=at, comment=comment)


def unpublish(*, article: Article, user, comment: str = "") -> StatusChange:
    """Take a published (or scheduled) story off every public surface."""
    return _apply(user=user, article=article, name="unpublish", comment=comment)


def return_to_draft(*, article: Article, user, comment: str = "") -> StatusChange:
    """Bring an unpublished story back to the desk as a draft."""
    return _apply(user=user, article=article, name="to_draft", comment=comment)


SERVICES = {
    "submit": submit_for_review,
    "send_back": send_back,
    "publish": publish,
    "unpublish": unpublish,
    "to_draft": return_to_draft,
}


def take(
    *,
    article: Article,
    user,
    name: str,
    comment: str = "",
    at: datetime.datetime | None = None,
) -> StatusChange:
    """The step named `name` by its service: for the desk's buttons and bulk actions."""
    if name not in SERVICES:
        raise TransitionError(_("Такого действия с материалом нет."))
    if name == "publish":
        return publish(article=article, user=user, at=at, comment=comment)
    return SERVICES[name](article=article, user=user, comment=comment)
