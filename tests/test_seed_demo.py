"""`manage.py seed_demo`: the demo newsroom as an editor and a reader first see it."""

import datetime
import hashlib
import io
import random
import re
import time
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.urls import resolve, reverse
from django.utils import timezone
from PIL import Image

from articles import demo
from articles.models import (
    Article,
    ArticleAuthor,
    Author,
    Photo,
    Region,
    RelatedLink,
    Tag,
    TaggedArticle,
)
from articles.slugs import slugify_ru
from articles.teasers import validate_teaser_url

ARTICLES = 60
PHOTOS = 6
PHOTO_WIDTH = 240  # small pictures keep the module fast; the drawing code is the same

REAL_ZONES = {
    "kaliningrad": "Europe/Kaliningrad",
    "moscow": "Europe/Moscow",
    "kazan": "Europe/Moscow",
    "samara": "Europe/Samara",
    "ekaterinburg": "Asia/Yekaterinburg",
    "novosibirsk": "Asia/Novosibirsk",
    "krasnoyarsk": "Asia/Krasnoyarsk",
    "vladivostok": "Asia/Vladivostok",
}
CYRILLIC = re.compile("[А-Яа-яЁё]")
HREF = re.compile(r'<a href="([^"]+)"')


def _row_counts() -> dict[str, int]:
    models = (Region, Author, Photo, Tag, Article, ArticleAuthor, TaggedArticle, RelatedLink)
    counts = {model.__name__: model.objects.count() for model in models}
    counts["User"] = get_user_model().objects.count()
    return counts


# Runs before the module's seeded newsroom exists (pytest keeps file order).
@pytest.mark.django_db
def test_a_database_with_any_region_is_left_alone():
    Region.objects.create(name="Тверь", slug="tver")
    before = _row_counts()
    out = io.StringIO()

    call_command("seed_demo", articles=5, photos=1, photo_width=64, stdout=out)

    assert "already loaded" in out.getvalue()
    assert _row_counts() == before


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One demo newsroom for the module, rolled back after it: other modules see an empty DB."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command(
            "seed_demo",
            articles=ARTICLES,
            photos=PHOTOS,
            photo_width=PHOTO_WIDTH,
            seed=1,
            verbosity=0,
        )
        yield
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded")
def test_regions_are_real_cities_on_their_own_clocks():
    regions = {region.slug: region for region in Region.objects.all()}

    assert sum(region.is_active for region in regions.values()) >= 8
    for slug, zone in REAL_ZONES.items():
        assert regions[slug].time_zone == zone
        assert regions[slug].is_active
    for region in regions.values():
        region.full_clean()  # a real IANA zone, a slug the site's own pages do not take
        assert re.fullmatch(r"[a-z]+", region.slug)
        assert CYRILLIC.search(region.name) and region.description
    assert len({region.position for region in regions.values()}) == len(regions)


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded")
def test_staff_have_russian_names_titles_bios_and_some_portraits():
    authors = list(Author.objects.select_related("photo", "user"))

    assert len(authors) >= 20
    assert all(CYRILLIC.search(author.name) for author in authors)
    assert all(author.job_title and author.bio for author in authors)
    assert all(author.slug == slugify_ru(author.name) for author in authors)
    portraits = [author for author in authors if author.photo is not None]
    assert 0 < len(portraits) < len(authors)
    assert [author.user.username for author in authors if author.user] == [demo.DEMO_USERNAME]


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded")
def test_photos_are_distinct_jpegs_with_their_size_and_credits():
    photos = list(Photo.objects.all())
    library = [photo for photo in photos if not photo.portrait_of.exists()]
    digests = set()

    assert len(library) == PHOTOS
    for photo in photos:
        assert re.fullmatch(r"photos/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", photo.image.name)
        with photo.image.open("rb") as stored:
            data = stored.read()
        digests.add(hashlib.sha256(data).hexdigest())
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "JPEG"
            assert image.size == (photo.width, photo.height)
        assert photo.alt_text and photo.credit
    assert len(digests) == len(photos)
    for photo in library:
        assert (photo.width, photo.height) == (PHOTO_WIDTH, PHOTO_WIDTH * 2 // 3)
        assert photo.caption
    assert Article.objects.filter(main_photo__isnull=False).count() > ARTICLES // 2


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded")
def test_stories_have_every_editorial_state():
    now = timezone.now()
    statuses = Counter(Article.objects.values_list("status", flat=True))
    published = Article.objects.filter(status=Article.Status.PUBLISHED)
    visible = Article.objects.published()

    assert sum(statuses.values()) == ARTICLES
    assert set(statuses) == set(Article.Status.values)
    assert statuses[Article.Status.PUBLISHED] > ARTICLES * 0.7
    assert not published.filter(published_at__isnull=True).exists()
    assert published.filter(published_at__gt=now).exists()  # scheduled
    assert not Article.objects.filter(
        status__in=[Article.Status.DRAFT, Article.Status.REVIEW], published_at__isnull=False
    ).exists()
    assert visible.filter(published_at__gte=now - datetime.timedelta(hours=48)).exists()
    assert visible.filter(published_at__lte=now - datetime.timedelta(days=180)).exists()
    assert visible.filter(is_breaking=True).exists()
    assert not visible.filter(
        is_breaking=True, published_at__lt=now - datetime.timedelta(hours=48)
    ).exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded")
def test_stories_are_russian_text_with_structure():
    for article in Article.objects.all():
        assert CYRILLIC.search(article.headline) and CYRILLIC.search(article.lead)
        assert article.slug == slugify_ru(article.headline) != ""
        assert article.body.count("<p>") >= 4
    bodies = "".join(Article.objects.values_list("body", flat=True))
    assert "<h2>" in bodies and "<ul>" in bodies and "<blockquote>" in bodies


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded")
def test_bodies_link_to_earlier_stories_by_their_canonical_url(client):
    visible_ids = set(Article.objects.published().values_list("id", flat=True))
    articles = list(Article.objects.order_by("id"))
    unlinked = []

    for article in articles:
        hrefs = HREF.findall(article.body)
        if not hrefs:
            unlinked.append(article.id)
        for href in hrefs:
            match = resolve(href)
            assert match.view_name == "articles:article_detail"
            target = Article.objects.select_related("region").get(pk=match.kwargs["pk"])
            assert href == target.get_absolute_url()
            assert target.id < article.id and target.id in visible_ids
            if article.published_at is not None:
                assert target.published_at <= article.published_at
    # Only the network's very first stories had nothing earlier to link to.
    assert unlinked == [article.id for article in articles[: len(unlinked)]]
    assert len(unlinked) <= 3
    assert client.get(HREF.findall(articles[-1].body)[0]).status_code == 200


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded")
def test_every_story_has_tags_bylines_and_a_teaser_block():
    ids = set(Article.objects.values_list("id", flat=True))
    tags_per_story = Counter(TaggedArticle.objects.values_list("content_object_id", flat=True))
    authors_per_story = Counter(ArticleAuthor.objects.values_list("article_id", flat=True))
    links = list(RelatedLink.objects.order_by("article_id", "position"))
    links_per_story = Counter(link.article_id for link in links)

    assert set(tags_per_story) == set(authors_per_story) == set(links_per_story) == ids
    assert all(2 <= count <= 5 for count in tags_per_story.values())
    assert all(1 <= count <= 3 for count in authors_per_story.values())
    assert all(3 <= count <= 8 for count in links_per_story.values())
    for link in links:
        assert (link.target_article_id is None) != (link.external_url == "")
        assert link.title
        if link.target_article_id is not None:
            assert link.target_article_id < link.article_id
        else:
            validate_teaser_url(link.external_url)
    internal = sum(link.target_article_id is not None for link in links)
    assert len(links) > internal > len(links) / 2
    assert {"Pro", "Мнение", ""} <= {link.kicker for link in links}


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded")
def test_tags_are_a_russian_pool_with_latin_slugs():
    tags = list(Tag.objects.all())

    assert 50 <= len(tags) <= 70
    for tag in tags:
        assert CYRILLIC.search(tag.name)
        assert re.fullmatch(r"[a-z0-9-]+", tag.slug) and tag.slug == slugify_ru(tag.name)


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded")
def test_demo_editor_can_log_in_to_the_admin(client):
    user = get_user_model().objects.get(username=demo.DEMO_USERNAME)

    assert user.is_superuser and user.is_staff
    # Through the desk's login form, as a person logs in (the login throttle needs a request).
    response = client.post(
        reverse("admin:login"),
        {"username": demo.DEMO_USERNAME, "password": demo.DEMO_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded")
def test_a_second_run_changes_nothing_and_returns_quickly():
    before = _row_counts()
    out = io.StringIO()
    started = time.monotonic()

    call_command("seed_demo", articles=ARTICLES, photos=PHOTOS, stdout=out)

    assert time.monotonic() - started < 2
    assert "already loaded" in out.getvalue()
    assert _row_counts() == before


def test_the_same_seed_tells_the_same_stories_and_draws_the_same_photos():
    def stories(seed: int) -> list:
        rng = random.Random(seed)
        today = datetime.date(2025, 3, 1)
        return [demo.write_story(rng, today, demo.REGIONS[3], t, None) for t in demo.TOPICS]

    assert stories(7) == stories(7) != stories(8)
    assert demo.draw_landscape(random.Random(3), 1, 96) == demo.draw_landscape(
        random.Random(3), 1, 96
    )


@pytest.mark.parametrize(
    ("n", "word"),
    [(1, "день"), (2, "дня"), (5, "дней"), (11, "дней"), (14, "дней"), (21, "день"), (42, "дня")],
)
def test_numbers_agree_with_their_nouns(n, word):
    assert demo.plural(n, "день", "дня", "дней") == word
    assert f"{demo._Num(n):день/дня/дней}" == word
