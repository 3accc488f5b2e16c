"""What tests of the desk share: complete POSTs of the story form."""

import zoneinfo

from django.utils import timezone


def article_form_data(region, **overrides):
    """A complete POST of the story form, with empty byline and teaser inlines."""
    data = {
        "headline": "Пожар на Московском проспекте потушен",
        "slug": "",
        "lead": "Огонь охватил склад; никто не пострадал.",
        "body": "<p>Текст новости.</p>",
        "region": region.pk,
        "published_at_0": "",
        "published_at_1": "",
        "seo_title": "",
        "seo_description": "",
        "bylines-TOTAL_FORMS": "0",
        "bylines-INITIAL_FORMS": "0",
        "related_links-TOTAL_FORMS": "0",
        "related_links-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def publication(moment, zone: str) -> dict:
    """The split date and time fields for `moment`, on the clock the form reads them in."""
    local = timezone.localtime(moment, zoneinfo.ZoneInfo(zone))
    return {"published_at_0": f"{local:%Y-%m-%d}", "published_at_1": f"{local:%H:%M:%S}"}
