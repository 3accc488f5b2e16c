"""Template filters and tags every public page shares: the dateline, absolute URLs, JSON-LD,
story cards and the parts of a page kept in the fragment cache."""

import json

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import mark_safe

from ..caching.fragments import CARDS_CONTEXT, PAGE_FRAGMENTS_CONTEXT, CardLayout, Cards
from ..dates import format_dateline, listing_time, machine_time, relative_times_allowed
from ..metadata import absolute_url

register = template.Library()

# Inside <script>, these three characters could end the element or start markup; JSON allows
# them escaped, so hostile text in a headline stays data.
_SCRIPT_SAFE = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter
def dateline(article) -> str:
    """The story's publication time on its region's clock: `27 мар 2019, 15:15`."""
    if article.published_at is None:
        return ""
    return format_dateline(article.published_at, article.region.time_zone)


@register.filter
def region_time(moment, region) -> str:
    """Any moment of a story (its correction, say) on the clock of a region or a zone name."""
    return format_dateline(moment, getattr(region, "time_zone", region)) if moment else ""


@register.filter
def iso_time(moment, region=None) -> str:
    """`<time datetime>` value: to the second, on the region's clock when one is given."""
    return machine_time(moment, region.time_zone if region else None) if moment else ""


register.filter("absolute", absolute_url)


@register.filter
def ld_json(data: dict) -> str:
    """A dict as JSON safe to place inside <script type="application/ld+json">."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return mark_safe(text.translate(_SCRIPT_SAFE))  # noqa: S308 - escaped for script content


def story_time(moment, zone: str) -> str:
    """A story's time in a list: `15 минут назад` for its first hours, then its region's clock.

    The age is computed as the page is read (a card's time is a slot in the cached card); caches
    keep a public page PUBLIC_CACHE_SECONDS at most, and a site that keeps pages longer than an
    age can stay true gets clock times only.
    """
    if moment is None:
        return ""
    relative = relative_times_allowed(settings.PUBLIC_CACHE_SECONDS)
    return listing_time(moment, zone, relative=relative)


@register.simple_tag(takes_context=True)
def story_card(context, article, style: str, level: int, *, breaking=None, network=None):
    """`{% story_card article "tile" 3 %}`: one story's card, cached per story and layout.

    The kicker (`breaking`) and the region beside the time (`network`) default to the list's
    `card_breaking` and `network_list`; search results show the query's headline and snippet."""
    layout = CardLayout(
        style=style,
        level=int(level),
        breaking=bool(context.get("card_breaking") if breaking is None else breaking),
        network=bool(context.get("network_list") if network is None else network),
        search=bool(context.get("search_results")),
    )
    cards = context.get(CARDS_CONTEXT)
    if cards is None:  # a template rendered outside the public views: the card alone, now
        alone = Cards(request=None)
        return mark_safe(alone.fill(alone.slot(article, layout)))  # noqa: S308 - a card's HTML
    return cards.slot(article, layout)


class FragmentNode(template.Node):
    def __init__(self, name: str, nodelist):
        self.name = name
        self.nodelist = nodelist

    def render(self, context):
        kept = context.get(PAGE_FRAGMENTS_CONTEXT)
        if kept is None:  # a preview, or a page that keeps none: rendered now
            return self.nodelist.render(context)
        return kept.render(
            self.name, lambda: self.nodelist.render(context), context.get(CARDS_CONTEXT)
        )


@register.tag("fragment")
def fragment(parser, token):
    """`{% fragment "story-text" %}…{% endfragment %}`: a part of a page that is the same for
    every request, kept in the fragment cache under the keys the view gives (`PageFragments`).

    Without them in the context (the desk's preview) the part is rendered as it is now."""
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError("{% fragment %} takes one quoted name")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(bits[1][1:-1], nodelist)
