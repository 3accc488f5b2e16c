"""Signed, expiring links to a story before it is published.

Who is *given* a link is `permissions.can_preview`'s decision; the link itself is then the
authority to view, like a shared document's link: whoever holds it sees the story, signed in or
not. A token names one story and the version it was made for (the time of its last save), is
signed with SECRET_KEY under a salt used for nothing else, and works for PREVIEW_MAX_AGE after it
was made. So a changed character, another story's id, a later save or an old link is worthless,
and a link is never more than a view of one version of one story.
"""

import datetime

from django.conf import settings
from django.core import signing
from django.db.models import BooleanField, ExpressionWrapper, QuerySet
from django.urls import reverse

from ..models import Article, published_q

# Another salt, another key: a value Django signs for any other purpose is no preview token.
SALT = "articles.publishing.previews"

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_MICROSECOND = datetime.timedelta(microseconds=1)


def _version(article: Article) -> int:
    """The story's version: its last save, to the microsecond both databases keep."""
    return (article.updated_at - _EPOCH) // _MICROSECOND


def preview_token(article: Article) -> str:
    """A token that shows this version of the saved story for PREVIEW_MAX_AGE from now."""
    return signing.dumps([article.pk, _version(article)], salt=SALT)


def preview_path(article: Article) -> str:
    """The address of the story's preview page, for the desk to hand out."""
    return reverse("articles:article_preview", kwargs={"token": preview_token(article)})


def article_for_preview(token: str, queryset: QuerySet[Article] | None = None) -> Article | None:
    """The story a preview token shows, or None when the token is not one to honour.

    None (never an exception) for a forged, damaged or expired token, a deleted story, and a
    story saved again since the token was made. A story readers can see now is returned whatever
    version the token names, with `is_public` set, for the caller to send the holder to its
    public page: that shows nothing a reader could not see. `queryset` says what to fetch with
    the story (the story page's queryset, say); every story returned has `is_public`.
    """
    try:
        claim = signing.loads(token, salt=SALT, max_age=settings.PREVIEW_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired included
        return None
    # Only this module signs with the salt; the shape is checked all the same, so that a token
    # of an older format is refused here rather than failing somewhere below.
    if not (
        isinstance(claim, list) and len(claim) == 2 and all(type(part) is int for part in claim)
    ):
        return None
    pk, version = claim
    stories = Article.objects.all() if queryset is None else queryset
    article = (
        stories.annotate(is_public=ExpressionWrapper(published_q(), output_field=BooleanField()))
        .filter(pk=pk)
        .first()
    )
    if article is None or not (article.is_public or _version(article) == version):
        return None
    return article
