"""The story editor's link picker: the site's own stories found by headline, with their links.

Offered: published stories of every region, and the unpublished ones of the region the story is
written for, when this user's desk has that region (marked as not yet public). Each comes with
its canonical address, the one every page, feed and sitemap uses.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import JsonResponse

from ..metadata import absolute_url
from ..models import Article, published_q
from ..publishing import permissions

MAX_RESULTS = 10
MAX_TERM_LENGTH = 100


def _region_id(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None


def story_links(request, *, may_view) -> JsonResponse:
    """?q=<words of the headline>&region=<id>: up to ten stories, published ones first."""
    if not may_view(request):
        raise PermissionDenied
    term = " ".join(request.GET.get("q", "").split())[:MAX_TERM_LENGTH]
    if len(term) < 2:
        return JsonResponse({"results": []})
    offered = published_q()
    region_id = _region_id(request.GET.get("region", ""))
    if region_id is not None:
        own = permissions.desk_articles(request.user).filter(region_id=region_id)
        offered |= Q(pk__in=own.values("pk"))
    stories = list(
        Article.objects.filter(offered, headline__icontains=term)
        .select_related("region")
        .order_by("-published_at", "-pk")[: MAX_RESULTS * 2]
    )
    public = set(
        Article.objects.published()
        .filter(pk__in=[story.pk for story in stories])
        .values_list("pk", flat=True)
    )
    stories.sort(key=lambda story: story.pk not in public)  # stable: newest first within each
    return JsonResponse(
        {
            "results": [
                {
                    "headline": story.headline,
                    "url": absolute_url(story.get_absolute_url()),
                    "region": story.region.name,
                    "published": story.pk in public,
                    "status": "" if story.pk in public else story.status_label,
                }
                for story in stories[:MAX_RESULTS]
            ]
        }
    )
