"""Teasers and bylines as rows: the order is the rows' order, set through a hidden position."""

import lxml.html
import pytest
from django.urls import reverse

from articles.models import Article
from tests.desk import article_form_data
from tests.factories import ArticleFactory, AuthorFactory, RegionFactory, RelatedLinkFactory

pytestmark = pytest.mark.django_db


def group(page: str, prefix: str):
    return lxml.html.fromstring(page).get_element_by_id(f"{prefix}-group")


def test_teasers_and_bylines_are_rows_with_spare_rows_and_a_hidden_position(admin_client):
    story = ArticleFactory(authors=[AuthorFactory()])
    RelatedLinkFactory(article=story, title="Как тушили склад")
    page = admin_client.get(reverse("admin:articles_article_change", args=[story.pk]))
    page = page.content.decode()
    for prefix, saved, spare in (("related_links", 1, 3), ("bylines", 1, 2)):
        rows = group(page, prefix)
        assert rows.get("data-ordering-field") == "position"
        assert not rows.xpath(".//table"), "rows, not a table as wide as its columns"
        forms = rows.xpath(
            ".//div[contains(concat(' ', @class, ' '), ' desk-row ')"
            " and not(contains(@class, 'empty-form'))]"
        )
        assert len(forms) == saved + spare
        positions = rows.xpath(".//input[contains(@name, '-position')]")
        assert positions and {field.get("type") for field in positions} == {"hidden"}
        assert rows.xpath(".//button[@data-move='-1']") and rows.xpath(".//button[@data-move='1']")
    teasers = group(page, "related_links")
    # A teaser picks a story; it never adds, edits or deletes one from the row.
    assert not teasers.xpath(".//a[contains(@class, 'add-related')]")
    assert not teasers.xpath(".//a[contains(@class, 'change-related')]")
    assert not teasers.xpath(".//a[contains(@class, 'delete-related')]")


def test_the_posted_positions_set_the_teasers_order(admin_client):
    region = RegionFactory()
    data = article_form_data(
        region,
        headline="Порядок тизеров",
        **{
            "related_links-TOTAL_FORMS": "4",
            "related_links-0-title": "Второй",
            "related_links-0-external_url": "https://example.org/2",
            "related_links-0-position": "2",
            "related_links-1-title": "Первый",
            "related_links-1-external_url": "https://example.org/1",
            "related_links-1-position": "1",
            # Spare rows the script left alone: unchanged, so skipped.
            "related_links-2-position": "0",
            "related_links-3-position": "0",
        },
    )
    response = admin_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 302
    story = Article.objects.get(headline="Порядок тизеров")
    assert [link.title for link in story.related_links.all()] == ["Первый", "Второй"]
