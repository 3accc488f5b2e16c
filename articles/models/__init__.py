"""The newsroom's content model, one module per concept; import from here.

regions, authors, photos, tags and stories are what readers see; visibility holds the one rule of
what they may see; desk holds the editorial records (regional roles, status changes, corrections).
"""

from .authors import Author, AuthorQuerySet
from .base import SluggedModel
from .desk import Correction, RegionalRole, RegionMembership, StatusChange
from .photos import Photo, PhotoRendition, photo_upload_to
from .regions import Region, RegionQuerySet, validate_time_zone
from .stories import (
    Article,
    ArticleAuthor,
    ArticleQuerySet,
    RelatedLink,
    last_changed_expression,
)
from .tags import Tag, TaggedArticle, TagQuerySet
from .visibility import ArticleStatus, published_q

__all__ = [
    "Article",
    "ArticleAuthor",
    "ArticleQuerySet",
    "ArticleStatus",
    "Author",
    "AuthorQuerySet",
    "Correction",
    "Photo",
    "PhotoRendition",
    "Region",
    "RegionMembership",
    "RegionQuerySet",
    "RegionalRole",
    "RelatedLink",
    "SluggedModel",
    "StatusChange",
    "Tag",
    "TagQuerySet",
    "TaggedArticle",
    "last_changed_expression",
    "photo_upload_to",
    "published_q",
    "validate_time_zone",
]
