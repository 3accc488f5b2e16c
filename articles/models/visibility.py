"""The one rule of what a reader may see, and the states a story moves through.

`published_q()` is the rule; `ArticleQuerySet.published()` applies it. Every public surface —
pages, listings, feeds, sitemaps, search, teaser targets, previews' redirects — goes through one
of the two, so a draft, a story scheduled for tomorrow or one past its unpublish time cannot leak
through a side door. An embargo needs no clause here: the database refuses a publication time
before the embargo (see Article.Meta.constraints).
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("черновик")
    REVIEW = "review", _("на проверке")
    PUBLISHED = "published", _("опубликован")
    UNPUBLISHED = "unpublished", _("снят с публикации")


def published_q(prefix: str = "") -> Q:
    """The visibility rule as a Q, for filters across relations (`prefix="target_article__"`)."""
    now = timezone.now()
    return Q(
        **{
            f"{prefix}status": ArticleStatus.PUBLISHED,
            f"{prefix}published_at__lte": now,
            f"{prefix}region__is_active": True,
        }
    ) & (Q(**{f"{prefix}unpublish_at__isnull": True}) | Q(**{f"{prefix}unpublish_at__gt": now}))
