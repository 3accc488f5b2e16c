"""Who may see, write, publish and manage what: the one place the desk's rules are decided.

A user's standing comes from two sources, read once per request and kept on the user object:
- groups: "главный редактор" works as an editor in every region, "администратор" too and also
  manages regions, tags, authors, users and roles; a superuser is an administrator;
- rows of `RegionMembership`: a journalist or a regional editor in one region.
Everything else (the admin's lists, forms, actions, autocompletes, history and delete pages, the
preview links and the publishing services) asks the functions below; none decides on its own.
"""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from ..models import Article, ArticleStatus, Region, RegionalRole, published_q
from .roles import ADMIN_GROUP, CHIEF_EDITOR_GROUP

_CACHE_ATTRIBUTE = "_desk_standing"


@dataclass(frozen=True)
class Standing:
    """What one user is at the desk: everywhere (chief editor, admin) and region by region."""

    is_admin: bool = False
    is_chief: bool = False
    roles: dict[int, str] = field(default_factory=dict)  # region id → RegionalRole

    @property
    def everywhere(self) -> bool:
        return self.is_admin or self.is_chief

    def role_in(self, region_id: int | None) -> str | None:
        if self.everywhere:
            return RegionalRole.EDITOR
        return self.roles.get(region_id)

    def region_ids(self, role: str | None = None) -> set[int]:
        return {rid for rid, r in self.roles.items() if role is None or r == role}


def standing(user) -> Standing:
    """The user's standing, from the database once per user object (so once per request)."""
    if user is None or not user.is_authenticated or not user.is_active or not user.is_staff:
        return Standing()
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is None:
        groups = set(user.groups.values_list("name", flat=True))
        roles = dict(user.region_memberships.values_list("region_id", "role"))
        cached = Standing(
            is_admin=user.is_superuser or ADMIN_GROUP in groups,
            is_chief=CHIEF_EDITOR_GROUP in groups,
            roles=roles,
        )
        setattr(user, _CACHE_ATTRIBUTE, cached)
    return cached


def forget(user) -> None:
    """Drop the cached standing (after an admin changed the user's groups or regions)."""
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


# Regions


def writable_regions(user) -> QuerySet[Region]:
    """Regions the user may create stories in: any role there, or everywhere."""
    s = standing(user)
    regions = Region.objects.all()
    return regions if s.everywhere else regions.filter(pk__in=s.region_ids())


def publishable_regions(user) -> QuerySet[Region]:
    """Regions whose stories the user may publish, schedule, unpublish and correct."""
    s = standing(user)
    regions = Region.objects.all()
    return regions if s.everywhere else regions.filter(pk__in=s.region_ids(RegionalRole.EDITOR))


def can_publish_in(user, region_id: int | None) -> bool:
    """Whether the user is an editor of the region (or of every region)."""
    return standing(user).role_in(region_id) == RegionalRole.EDITOR


# Stories


def desk_articles(user) -> QuerySet[Article]:
    """The stories the user sees at the desk: those of their regions, all for chief and admin."""
    s = standing(user)
    if s.everywhere:
        return Article.objects.all()
    return Article.objects.filter(region_id__in=s.region_ids())


def can_view(user, article: Article) -> bool:
    """Whether the user may open the story at the desk (read-only unless `can_edit`)."""
    return standing(user).role_in(article.region_id) is not None


def is_own_draft(user, article: Article) -> bool:
    return article.created_by_id == user.pk and article.status == ArticleStatus.DRAFT


def can_edit(user, article: Article) -> bool:
    """Whether the user may change the text: a journalist their own drafts, an editor any."""
    role = standing(user).role_in(article.region_id)
    if role == RegionalRole.EDITOR:
        return True
    return role == RegionalRole.JOURNALIST and is_own_draft(user, article)


def can_delete(user, article: Article) -> bool:
    """Whether the user may delete the story: never while it is published, which is journalism."""
    if article.status == ArticleStatus.PUBLISHED:
        return False
    return can_publish_in(user, article.region_id) or (
        standing(user).role_in(article.region_id) == RegionalRole.JOURNALIST
        and is_own_draft(user, article)
    )


def can_preview(user, article: Article) -> bool:
    """Whether the user is given the story's preview link: its editors, and its own journalist."""
    return can_publish_in(user, article.region_id) or (
        standing(user).role_in(article.region_id) is not None and article.created_by_id == user.pk
    )


def can_correct(user, article: Article) -> bool:
    """Whether the user may add a correction note to the story (an editor of its region)."""
    return can_publish_in(user, article.region_id)


def visible_teaser_targets(user) -> Q:
    """Stories the user's teasers may point to: published ones, and those of the user's desk."""
    s = standing(user)
    if s.everywhere:
        # Every story, spelled so that it survives `|` with another Q (an empty Q() would not).
        return Q(pk__isnull=False)
    return published_q() | Q(region_id__in=s.region_ids())


# Managing the newsroom


def can_manage_newsroom(user) -> bool:
    """Regions, tags, authors, users and their roles, login lockouts: administrators only."""
    return standing(user).is_admin
