"""Two people, one story: a save made on a stale form is refused, never silently applied.

The story form carries an edit token: the story's id and the time of the save it was opened on,
signed so that it cannot be forged or moved to another story. A save whose token names an older
save is refused with who changed the story and when; the form keeps the text and offers to save
over it deliberately. The add form carries a one-time key instead, so a double click or a POST
replayed after the back button makes one story, not two.
"""

import datetime
import uuid

from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..dates import format_dateline
from ..models import Article

SALT = "articles.publishing.concurrency"
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_MICROSECOND = datetime.timedelta(microseconds=1)


class StaleEdit(Exception):
    """The form was opened on an older save of the story; `message` says who saved since."""

    def __init__(self, message, *, opened_at: datetime.datetime | None = None):
        super().__init__(str(message))
        self.message = message
        self.opened_at = opened_at


def _version(moment: datetime.datetime) -> int:
    return (moment - _EPOCH) // _MICROSECOND


def edit_token(article: Article) -> str:
    """The token a form opened on the story's current save carries."""
    return signing.dumps([article.pk, _version(article.updated_at)], salt=SALT)


def opened_at(token: str) -> datetime.datetime:
    """When the save a (valid) token names was made."""
    _, version = signing.loads(token, salt=SALT)
    return _EPOCH + version * _MICROSECOND


def check_edit_token(article: Article, token: str) -> None:
    """Pass when the token is this story's current save; StaleEdit otherwise."""
    try:
        claim = signing.loads(token or "", salt=SALT)
    except signing.BadSignature:
        raise StaleEdit(
            _(
                "Форма пришла без верной отметки версии. Ваш текст в форме: обновите страницу в "
                "соседней вкладке, сравните и перенесите правку."
            )
        ) from None
    if not (isinstance(claim, list) and len(claim) == 2 and claim[0] == article.pk):
        raise StaleEdit(_("Эта форма открыта для другого материала: ничего не сохранено."))
    version = claim[1]
    if version == _version(article.updated_at):
        return
    who = article.updated_by
    name = (who.get_full_name() or who.get_username()) if who else _("кто-то другой")
    raise StaleEdit(
        _(
            "Пока вы работали, материал сохранил(а) %(who)s — %(when)s. Ваш текст остался в "
            "форме: посмотрите, что изменилось, и сохраните поверх, если уверены."
        )
        % {"who": name, "when": format_dateline(article.updated_at, article.region.time_zone)},
        opened_at=_EPOCH + version * _MICROSECOND,
    )


def new_submission_key() -> str:
    return uuid.uuid4().hex


def parse_submission_key(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(hex=value or "")
    except ValueError:
        return None


def list_seen_token() -> str:
    """When a story list was shown, signed: its bulk actions refuse stories changed since."""
    return signing.dumps(_version(timezone.now()), salt=SALT + ".list")


def list_seen_at(token: str) -> datetime.datetime | None:
    """The moment a list token names, or None when it is missing or forged."""
    try:
        version = signing.loads(token or "", salt=SALT + ".list")
    except signing.BadSignature:
        return None
    return _EPOCH + version * _MICROSECOND if isinstance(version, int) else None


def check_seen(article: Article, seen_at: datetime.datetime | None) -> None:
    """Pass when the story is unchanged since the list was shown; StaleEdit otherwise."""
    if seen_at is None:
        raise StaleEdit(_("список открыт без отметки времени: обновите страницу."))
    if article.updated_at > seen_at:
        who = article.updated_by
        name = (who.get_full_name() or who.get_username()) if who else _("кто-то другой")
        raise StaleEdit(
            _("изменён после того, как вы открыли список (%(who)s, %(when)s): проверьте его.")
            % {"who": name, "when": format_dateline(article.updated_at, article.region.time_zone)}
        )
