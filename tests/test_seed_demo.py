"""`manage.py seed_demo`: the demo newsroom as an editor and a reader first see it."""

import datetime
import hashlib
import io
import os
import random
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.urls import resolve, reverse
from django.utils import timezone
from PIL import Image

from articles import demo
from articles.demo.builder import DemoBuilder
from articles.demo.words import REVIEW_NOTES, SCHEDULE_NOTES
from articles.models import (
    Article,
    ArticleAuthor,
    Author,
    Photo,
    Region,
    RegionalRole,
    RegionMembership,
    RelatedLink,
    StatusChange,
    Tag,
    TaggedArticle,
)
from articles.publishing import permissions
from articles.publishing.roles import (
    ADMIN_GROUP,
    CHIEF_EDITOR_GROUP,
    JOURNALIST_GROUP,
    REGIONAL_EDITOR_GROUP,
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
    models = (
        Region,
        Author,
        Photo,
        Tag,
        Article,
        ArticleAuthor,
        TaggedArticle,
        RelatedLink,
        RegionMembership,
        StatusChange,
    )
    counts = {model.__name__: model.objects.count() for model in models}
    counts["User"] = get_user_model().objects.count()
    counts["User.groups"] = get_user_model().groups.through.objects.count()
    return counts


# Runs before the module's seeded newsroom exists (pytest keeps file order).
@pytest.mark.django_db
def test_a_database_with_any_region_is_left_alone():
    Region.objects.create(name="Тверь", slug="tver")
    before = _row_counts()
    out = io.StringIO()

    call_command(
        "seed_demo", articles=5, photos=1, photo_width=64, with_demo_accounts=True, stdout=out
    )

    assert "already loaded" in out.getvalue()
    assert _row_counts() == before


@pytest.mark.django_db
def test_a_production_server_refuses_the_demo_accounts_without_the_flag(settings):
    settings.DEBUG = False
    before = _row_counts()

    with pytest.raises(CommandError) as refused:
        call_command("seed_demo", articles=5, photos=1, photo_width=64, stdout=io.StringIO())

    message = str(refused.value)
    assert "DEBUG is off" in message and "--with-demo-accounts" in message
    assert demo.DEMO_PASSWORD in message
    assert all(username in message for username in demo.DEMO_USERNAMES)
    assert _row_counts() == before


def test_the_refusal_is_an_error_exit_that_leaves_the_database_unopened(tmp_path):
    """The real command line on production settings: exit status 1, and no database file made."""
    database = tmp_path / "production.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DEBUG": "0",
        "SECRET_KEY": "a-production-like-secret-key-" + "x" * 40,
        "SITE_URL": "https://news.example.ru",
        "DATABASE_URL": f"sqlite:///{database}",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    finished = subprocess.run(
        [sys.executable, "manage.py", "seed_demo", "--articles", "5", "--photos", "0"],
        env=env,
        cwd=Path(__file__).parent.parent,
        capture_output=True,
        text=True,
        check=False,
    )

    assert finished.returncode == 1
    assert "--with-demo-accounts" in finished.stderr
    assert "Traceback" not in finished.stderr
    assert not database.exists()
    assert not (tmp_path / "media").exists()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One demo newsroom for the module, rolled back after it: other modules see an empty DB.

    Loaded as a production server loads it when asked to (DEBUG off, the flag given), so every
    test below also stands for "the flag is accepted". Yields what the command printed.
    """
    out = io.StringIO()
    with django_db_blocker.unblock(), transaction.atomic(), override_settings(DEBUG=False):
        call_command(
            "seed_demo",
            articles=ARTICLES,
            photos=PHOTOS,
            photo_width=PHOTO_WIDTH,
            seed=1,
            with_demo_accounts=True,
            stdout=out,
        )
        yield out.getvalue()
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
    linked = {author.user.username: author for author in authors if author.user}
    assert set(linked) == {demo.DEMO_USERNAME, "journalist", "regional-editor"}
    for username in ("journalist", "regional-editor"):
        user = linked[username].user
        assert linked[username].name == user.get_full_name()


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


# What each demo account is at the desk, as articles/publishing/permissions.py reads it.
DESK_ACCOUNTS = [
    ("journalist", JOURNALIST_GROUP, {"kaliningrad": RegionalRole.JOURNALIST}),
    ("regional-editor", REGIONAL_EDITOR_GROUP, {"kaliningrad": RegionalRole.EDITOR}),
    ("chief-editor", CHIEF_EDITOR_GROUP, {}),
    ("admin", ADMIN_GROUP, {}),
]


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded")
@pytest.mark.parametrize(("username", "group", "regions"), DESK_ACCOUNTS)
def test_each_desk_role_has_a_demo_account_that_can_sign_in(client, username, group, regions):
    user = get_user_model().objects.get(username=username)
    memberships = {m.region.slug: m.role for m in user.region_memberships.select_related("region")}

    assert user.is_staff and user.is_active and not user.is_superuser
    assert CYRILLIC.search(user.first_name) and CYRILLIC.search(user.last_name)
    assert list(user.groups.values_list("name", flat=True)) == [group]
    assert memberships == regions
    # Through the desk's login form, as a person logs in (the login throttle needs a request).
    signed_in = client.post(
        reverse("admin:login"), {"username": username, "password": demo.DEMO_PASSWORD}
    )
    assert signed_in.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded")
def test_each_demo_account_may_do_what_its_role_says():
    users = get_user_model().objects.in_bulk(demo.DEMO_USERNAMES, field_name="username")
    home = Region.objects.get(slug=demo.DEMO_REGION)
    elsewhere = Region.objects.exclude(pk=home.pk).first()
    journalist, regional, chief, admin = (
        users[name] for name in ("journalist", "regional-editor", "chief-editor", "admin")
    )

    assert list(permissions.writable_regions(journalist)) == [home]
    assert not permissions.can_publish_in(journalist, home.pk)
    assert permissions.can_publish_in(regional, home.pk)
    assert not permissions.can_publish_in(regional, elsewhere.pk)
    assert permissions.can_publish_in(chief, elsewhere.pk)
    assert not permissions.can_manage_newsroom(chief)
    assert permissions.can_manage_newsroom(admin)
    assert permissions.can_manage_newsroom(users[demo.DEMO_USERNAME])


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded")
def test_the_journalist_has_own_drafts_to_edit_in_their_region():
    journalist = get_user_model().objects.get(username="journalist")
    drafts = list(
        Article.objects.filter(created_by=journalist, status=Article.Status.DRAFT)
        .select_related("region")
        .prefetch_related("bylines__author")
    )

    assert len(drafts) >= 2
    for draft in drafts:
        assert draft.region.slug == demo.DEMO_REGION
        assert draft.updated_by_id == journalist.pk and draft.published_at is None
        assert draft.bylines.all()[0].author.user_id == journalist.pk  # ordered by position
        assert permissions.can_edit(journalist, draft)
    others = Article.objects.filter(status=Article.Status.DRAFT).exclude(created_by=journalist)
    assert others.exists()  # the desk's other drafts stay the demo editor's


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded")
def test_the_journalists_stories_in_review_were_handed_over_with_a_note():
    journalist = get_user_model().objects.get(username="journalist")
    regional = get_user_model().objects.get(username="regional-editor")
    in_review = list(
        Article.objects.awaiting_review()
        .filter(created_by=journalist)
        .prefetch_related("status_changes")
    )

    assert len(in_review) >= 2
    for article in in_review:
        assert article.region.slug == demo.DEMO_REGION
        [step] = article.status_changes.all()
        assert (step.from_status, step.to_status) == (Article.Status.DRAFT, Article.Status.REVIEW)
        assert step.changed_by_id == journalist.pk
        assert step.comment in REVIEW_NOTES and CYRILLIC.search(step.comment)
        assert step.published_at is None
        assert permissions.can_edit(regional, article)
        assert not permissions.can_edit(journalist, article)  # handed over: the editor's now


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded")
def test_every_scheduled_story_records_the_editor_who_scheduled_it():
    scheduled = list(Article.objects.scheduled().prefetch_related("status_changes"))
    published_by = {
        (article.region.slug == demo.DEMO_REGION, article.published_by.username)
        for article in Article.objects.exclude(published_at=None).select_related(
            "region", "published_by"
        )
    }

    assert scheduled
    for article in scheduled:
        [step] = article.status_changes.all()
        assert step.to_status == Article.Status.PUBLISHED
        assert step.published_at == article.published_at
        assert step.changed_by_id == article.published_by_id
        assert permissions.can_publish_in(step.changed_by, article.region_id)
        assert step.comment in SCHEDULE_NOTES
    assert published_by <= {(True, "regional-editor"), (False, "chief-editor")}
    # The trail holds those steps and no others: nothing already out carries an invented one.
    assert StatusChange.objects.count() == len(scheduled) + len(
        Article.objects.awaiting_review().filter(created_by__username="journalist")
    )


@pytest.mark.django_db
def test_the_summary_line_counts_what_was_written_and_names_every_account(seeded):
    summary = seeded.strip().splitlines()[-1]
    counts = {
        word: int(number)
        for number, word in re.findall(r"(\d+) ([a-z]+(?: [a-z]+)?)(?=[,.])", summary)
    }

    assert counts == {
        "regions": Region.objects.count(),
        "authors": Author.objects.count(),
        "photos": Photo.objects.count(),
        "tags": Tag.objects.count(),
        "stories": Article.objects.count(),
        "bylines": ArticleAuthor.objects.count(),
        "taggings": TaggedArticle.objects.count(),
        "related links": RelatedLink.objects.count(),
        "status changes": StatusChange.objects.count(),
    }
    assert f"Accounts ({len(demo.DEMO_ACCOUNTS)} new)" in summary
    assert all(username in summary for username in demo.DEMO_USERNAMES)
    assert demo.DEMO_PASSWORD in summary


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded")
def test_an_existing_account_keeps_its_password_and_rights():
    """The demo adds people; a login someone else made is never given the demo's password."""
    users = get_user_model().objects
    users.get(username="journalist").delete()
    admin = users.get(username="admin")
    admin.set_password("their-own-password")
    admin.save()
    admin.groups.clear()
    builder = DemoBuilder(
        articles=0,
        photos=0,
        seed=1,
        photo_width=64,
        batch_size=10,
        log=lambda message: None,
        progress=lambda count: None,
    )
    builder.home_region = Region.objects.get(slug=demo.DEMO_REGION)

    accounts = builder.create_accounts()

    admin.refresh_from_db()
    assert set(accounts) == set(demo.DEMO_USERNAMES)
    assert builder.summary.accounts == 1
    assert admin.check_password("their-own-password") and not admin.groups.exists()
    journalist = users.get(username="journalist")
    assert journalist.check_password(demo.DEMO_PASSWORD)
    assert journalist.region_memberships.get().role == RegionalRole.JOURNALIST
    assert Group.objects.get(name=JOURNALIST_GROUP).user_set.get() == journalist


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded")
def test_a_developer_server_runs_the_command_without_the_flag(settings):
    settings.DEBUG = True
    out = io.StringIO()

    call_command("seed_demo", articles=ARTICLES, photos=PHOTOS, stdout=out)

    assert "already loaded" in out.getvalue()


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded")
def test_a_second_run_changes_nothing_and_returns_quickly():
    before = _row_counts()
    out = io.StringIO()
    started = time.monotonic()

    call_command("seed_demo", articles=ARTICLES, photos=PHOTOS, with_demo_accounts=True, stdout=out)

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
