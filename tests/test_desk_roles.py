"""The desk as each role sees it: lists, forms, hand-made POSTs, bulk actions, autocompletes."""

import datetime
import html
import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Correction, RegionalRole, StatusChange
from articles.publishing import workflow
from articles.publishing.concurrency import list_seen_token
from articles.publishing.roles import (
    ADMIN_GROUP,
    CHIEF_EDITOR_GROUP,
    JOURNALIST_GROUP,
    REGIONAL_EDITOR_GROUP,
)
from tests.desk import article_form_data, publication, staff_user, story_data
from tests.factories import ArticleFactory, AuthorFactory, RegionFactory

pytestmark = pytest.mark.django_db

J, E = RegionalRole.JOURNALIST, RegionalRole.EDITOR
ADD = reverse("admin:articles_article_add")
LIST = reverse("admin:articles_article_changelist")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


@pytest.fixture
def desk():
    home = RegionFactory(name="Калининград", slug="kaliningrad", time_zone="Europe/Kaliningrad")
    other = RegionFactory(name="Казань", slug="kazan", time_zone="Europe/Moscow")
    return {
        "home": home,
        "other": other,
        "journalist": staff_user("journalist", JOURNALIST_GROUP, **{J: [home]}),
        "colleague": staff_user("colleague", JOURNALIST_GROUP, **{J: [home]}),
        "editor": staff_user("regional-editor", REGIONAL_EDITOR_GROUP, **{E: [home]}),
        "other_editor": staff_user("other-editor", REGIONAL_EDITOR_GROUP, **{E: [other]}),
        "chief": staff_user("chief-editor", CHIEF_EDITOR_GROUP),
        "admin": staff_user("admin", ADMIN_GROUP),
    }


def as_user(client, user):
    client.force_login(user)
    return client


def errors_of(response):
    form = response.context["adminform"].form
    return " ".join(str(e) for e in form.non_field_errors()) + str(form.errors)


# What each role sees


def test_a_story_of_another_region_is_neither_listed_nor_reachable(client, desk):
    theirs = ArticleFactory(region=desk["other"], headline="Казанский черновик", draft=True)
    ours = ArticleFactory(region=desk["home"], headline="Калининградская новость")
    as_user(client, desk["editor"])
    page = client.get(LIST).content.decode()
    assert ours.headline in page and theirs.headline not in page
    for name in ("change", "history", "delete"):
        url = reverse(f"admin:articles_article_{name}", args=[theirs.pk])
        assert client.get(url).status_code == 404, name
    assert client.post(change_url(theirs), story_data(theirs, headline="Взлом")).status_code == 404
    theirs.refresh_from_db()
    assert theirs.headline == "Казанский черновик"


@pytest.mark.parametrize("object_id", ["abc", "-1", "1.5", "9" * 30, "%00", "１"])
def test_a_malformed_story_id_is_a_404(client, desk, object_id):
    as_user(client, desk["editor"])
    response = client.get(f"/admin/articles/article/{object_id}/change/")
    assert response.status_code == 404


def test_chief_editor_and_admin_see_every_region(client, desk):
    stories = [ArticleFactory(region=desk["home"]), ArticleFactory(region=desk["other"])]
    for account in ("chief", "admin"):
        page = as_user(client, desk[account]).get(LIST).content.decode()
        assert all(story.headline in page for story in stories)


def test_the_journalist_reads_a_colleagues_story_but_cannot_change_it(client, desk):
    theirs = ArticleFactory(region=desk["home"], draft=True, created_by=desk["colleague"])
    as_user(client, desk["journalist"])
    page = client.get(change_url(theirs))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    response = client.post(change_url(theirs), story_data(theirs, headline="Переписано"))
    assert response.status_code == 403
    theirs.refresh_from_db()
    assert theirs.headline != "Переписано"


def test_the_journalist_edits_their_draft_only_until_it_is_sent(client, desk):
    mine = ArticleFactory(region=desk["home"], draft=True, created_by=desk["journalist"])
    as_user(client, desk["journalist"])
    response = client.post(
        change_url(mine),
        story_data(
            mine, headline="Моя новость", _transition="submit", transition_comment="Гляньте"
        ),
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.headline, mine.status) == ("Моя новость", Article.Status.REVIEW)
    change = StatusChange.objects.get()
    assert (change.changed_by, change.comment) == (desk["journalist"], "Гляньте")
    assert client.post(change_url(mine), story_data(mine, headline="Ещё")).status_code == 403


def test_add_form_offers_only_the_users_regions_and_refuses_another(client, desk):
    as_user(client, desk["journalist"])
    form = client.get(ADD).context["adminform"].form
    assert list(form.fields["region"].queryset) == [desk["home"]]
    assert form.initial["region"] == desk["home"].pk  # the only region is chosen already
    response = client.post(ADD, article_form_data(desk["other"]))
    assert response.status_code == 200 and "region" in response.context["adminform"].form.errors
    assert not Article.objects.exists()


def test_an_account_without_a_region_cannot_add_stories(client, desk):
    lonely = staff_user("lonely", JOURNALIST_GROUP)
    assert as_user(client, lonely).get(ADD).status_code == 403


# Hand-made POSTs


@pytest.mark.parametrize("status", ["published", "review", "draft", "bogus", ""])
def test_a_posted_status_is_refused_and_changes_nothing(client, desk, status):
    mine = ArticleFactory(region=desk["home"], draft=True, created_by=desk["journalist"])
    as_user(client, desk["journalist"])
    response = client.post(change_url(mine), story_data(mine, headline="Новое", status=status))
    assert response.status_code == 200
    assert "Статус меняется только кнопками" in errors_of(response)
    mine.refresh_from_db()
    assert (mine.status, mine.headline) != (status, "Новое")
    assert mine.status == Article.Status.DRAFT


@pytest.mark.parametrize("step", ["publish", "unpublish", "send_back", "to_draft", "nonsense"])
def test_a_journalists_posted_step_beyond_their_role_keeps_the_text(client, desk, step):
    mine = ArticleFactory(region=desk["home"], draft=True, created_by=desk["journalist"])
    as_user(client, desk["journalist"])
    response = client.post(
        change_url(mine), story_data(mine, headline="Срочно в номер", _transition=step)
    )
    assert response.status_code == 200
    assert "Срочно в номер" in response.content.decode()  # the text stays in the form
    mine.refresh_from_db()
    assert mine.status == Article.Status.DRAFT and mine.headline != "Срочно в номер"


def test_a_journalists_posted_publication_time_is_ignored(client, desk):
    mine = ArticleFactory(region=desk["home"], draft=True, created_by=desk["journalist"])
    as_user(client, desk["journalist"])
    data = story_data(mine, unpublish_at_0="2030-01-01", unpublish_at_1="10:00")
    data |= publication(timezone.now(), "Europe/Kaliningrad")
    assert client.post(change_url(mine), data).status_code == 302
    mine.refresh_from_db()
    assert mine.published_at is None and mine.unpublish_at is None


def test_an_inactive_author_cannot_be_put_in_a_byline(client, desk):
    gone = AuthorFactory(is_active=False)
    mine = ArticleFactory(region=desk["home"], draft=True, created_by=desk["journalist"])
    data = story_data(
        mine,
        **{"bylines-TOTAL_FORMS": "1", "bylines-0-author": gone.pk, "bylines-0-position": "0"},
    )
    response = as_user(client, desk["journalist"]).post(change_url(mine), data)
    assert response.status_code == 200
    assert not mine.bylines.exists()


def test_moving_a_story_to_a_region_the_editor_does_not_edit_is_refused(client, desk):
    ours = ArticleFactory(region=desk["home"], draft=True)
    as_user(client, desk["editor"])
    response = client.post(change_url(ours), story_data(ours, region=desk["other"].pk))
    assert response.status_code == 200
    ours.refresh_from_db()
    assert ours.region == desk["home"]


# The editor's steps from the form


def test_the_seed_story_typed_on_kaliningrads_clock_comes_out_on_it(client, desk):
    as_user(client, desk["editor"])
    data = article_form_data(
        desk["home"],
        headline="Калининградский зоопарк открыл новый вольер",
        published_at_0="27.03.2019",
        published_at_1="15:15",
        _transition="publish",
    )
    response = client.post(ADD, data)
    assert response.status_code == 302, errors_of(response)
    article = Article.objects.get()
    assert article.published_at == datetime.datetime(2019, 3, 27, 13, 15, tzinfo=datetime.UTC)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Калининград</a>, <time" in page and "27 мар 2019, 15:15" in page


def test_times_follow_the_region_chosen_in_the_same_form(client, desk):
    story = ArticleFactory(region=desk["home"], draft=True)
    as_user(client, desk["chief"])
    data = story_data(story, region=desk["other"].pk, published_at_0="27.03.2019")
    data["published_at_1"] = "15:15"
    assert client.post(change_url(story), data).status_code == 302
    story.refresh_from_db()
    # Moscow is UTC+3: 15:15 on Kazan's clock.
    assert story.published_at == datetime.datetime(2019, 3, 27, 12, 15, tzinfo=datetime.UTC)


def test_scheduling_from_the_form_shows_as_scheduled(client, desk):
    story = ArticleFactory(region=desk["home"], in_review=True)
    due = (timezone.now() + datetime.timedelta(days=2)).replace(second=0, microsecond=0)
    as_user(client, desk["editor"])
    data = story_data(story, _transition="publish", **publication(due, "Europe/Kaliningrad"))
    assert client.post(change_url(story), data).status_code == 302
    story.refresh_from_db()
    assert story.status == Article.Status.PUBLISHED and story.published_at == due
    listing = client.get(LIST).content.decode()
    assert "запланирован на" in listing
    assert "запланирован на" in client.get(change_url(story)).content.decode()
    queue = client.get(reverse("admin:articles_article_queue")).content.decode()
    assert story.headline in queue


def test_publishing_before_the_embargo_from_the_form_keeps_the_text(client, desk):
    embargo = timezone.now() + datetime.timedelta(hours=3)
    story = ArticleFactory(region=desk["home"], in_review=True, embargo_until=embargo)
    as_user(client, desk["editor"])
    response = client.post(
        change_url(story), story_data(story, headline="Новый заголовок", _transition="publish")
    )
    assert response.status_code == 200 and "Эмбарго до" in errors_of(response)
    story.refresh_from_db()
    assert story.status == Article.Status.REVIEW and story.headline != "Новый заголовок"


def test_sending_back_without_a_reason_is_a_form_error(client, desk):
    story = ArticleFactory(region=desk["home"], in_review=True)
    as_user(client, desk["editor"])
    response = client.post(change_url(story), story_data(story, _transition="send_back"))
    assert "что нужно исправить" in errors_of(response)
    response = client.post(
        change_url(story),
        story_data(story, _transition="send_back", transition_comment="Добавьте цитату."),
    )
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.status == Article.Status.DRAFT
    trail = client.get(change_url(story)).content.decode()
    assert "Добавьте цитату." in trail and "на проверке → черновик" in trail


def test_an_editor_adds_a_correction_and_a_journalist_cannot(client, desk):
    story = ArticleFactory(region=desk["home"], created_by=desk["journalist"])
    as_user(client, desk["journalist"])
    client.post(change_url(story), story_data(story, correction_text="Ошибка в дате."))
    assert not Correction.objects.exists()
    as_user(client, desk["editor"])
    response = client.post(change_url(story), story_data(story, correction_text="Ошибка в дате."))
    assert response.status_code == 302
    correction = Correction.objects.get()
    assert (correction.text, correction.created_by) == ("Ошибка в дате.", desk["editor"])
    assert "обновлено" in client.get(story.get_absolute_url()).content.decode()


def test_a_correction_on_a_draft_is_a_form_error(client, desk):
    story = ArticleFactory(region=desk["home"], draft=True)
    as_user(client, desk["editor"])
    response = client.post(change_url(story), story_data(story, correction_text="Ошибка."))
    assert (
        response.status_code == 200
        and "correction_text" in response.context["adminform"].form.errors
    )


# Bulk actions


def test_bulk_publish_changes_only_what_the_user_may_and_reports_the_rest(client, desk):
    review = ArticleFactory(region=desk["home"], in_review=True, headline="Готово к выпуску")
    embargoed = ArticleFactory(
        region=desk["home"],
        in_review=True,
        headline="Под эмбарго",
        embargo_until=timezone.now() + datetime.timedelta(days=1),
    )
    unpublished = ArticleFactory(region=desk["home"], unpublished=True, headline="Снятый")
    elsewhere = ArticleFactory(region=desk["other"], in_review=True, headline="Чужой")
    as_user(client, desk["editor"])
    response = client.post(
        LIST,
        {
            "action": "publish_selected",
            "_selected_action": [s.pk for s in (review, embargoed, unpublished, elsewhere)],
            "seen_at": list_seen_token(),
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Опубликовано: 1." in page
    assert "Под эмбарго" in page and "Снятый" in page  # reported with the reason
    statuses = dict(Article.objects.values_list("headline", "status"))
    assert statuses == {
        "Готово к выпуску": "published",
        "Под эмбарго": "review",
        "Снятый": "unpublished",
        "Чужой": "review",
    }


def test_bulk_delete_spares_published_stories(client, desk):
    live = ArticleFactory(region=desk["home"])
    draft = ArticleFactory(region=desk["home"], draft=True)
    as_user(client, desk["editor"])
    client.post(
        LIST,
        {
            "action": "delete_allowed",
            "_selected_action": [live.pk, draft.pk],
            "seen_at": list_seen_token(),
        },
    )
    assert list(Article.objects.all()) == [live]


def test_a_journalist_cannot_bulk_publish(client, desk):
    mine = ArticleFactory(region=desk["home"], draft=True, created_by=desk["journalist"])
    as_user(client, desk["journalist"])
    client.post(
        LIST,
        {"action": "publish_selected", "_selected_action": [mine.pk], "seen_at": list_seen_token()},
    )
    mine.refresh_from_db()
    assert mine.status == Article.Status.DRAFT


# Autocompletes


def autocomplete(client, model_name, field_name, term):
    response = client.get(
        reverse("admin:autocomplete"),
        {"term": term, "app_label": "articles", "model_name": model_name, "field_name": field_name},
    )
    assert response.status_code == 200
    return [row["text"] for row in response.json()["results"]]


def test_teaser_autocomplete_finds_published_stories_but_no_other_regions_drafts(client, desk):
    ArticleFactory(region=desk["other"], headline="Мост открыт в Казани")
    ArticleFactory(region=desk["other"], headline="Мост: черновик Казани", draft=True)
    ArticleFactory(region=desk["home"], headline="Мост: наш черновик", draft=True)
    as_user(client, desk["journalist"])
    found = autocomplete(client, "relatedlink", "target_article", "Мост")
    assert sorted(found) == ["Мост открыт в Казани", "Мост: наш черновик"]


def test_region_autocomplete_offers_only_the_users_regions(client, desk):
    as_user(client, desk["journalist"])
    assert autocomplete(client, "article", "region", "") == ["Калининград"]


# Query counts


def test_changelist_query_count_stays_flat_with_trail_and_corrections(client, desk):
    as_user(client, desk["editor"])
    first = ArticleFactory(region=desk["home"])
    with CaptureQueriesContext(connection) as one:
        assert client.get(LIST).status_code == 200
    for n in range(15):
        story = ArticleFactory(region=desk["home"], in_review=True)
        workflow.publish(article=story, user=desk["editor"], comment=f"#{n}")
        Correction.objects.create(article=first, text=f"#{n}", created_at=timezone.now())
    with CaptureQueriesContext(connection) as many:
        assert client.get(LIST).status_code == 200
    assert len(many) == len(one), "\n".join(q["sql"] for q in many.captured_queries)


def test_change_form_query_count_stays_flat_with_a_long_trail(client, desk):
    story = ArticleFactory(region=desk["home"])
    as_user(client, desk["editor"])
    with CaptureQueriesContext(connection) as few:
        client.get(change_url(story))
    for n in range(20):
        Correction.objects.create(article=story, text=f"#{n}", created_at=timezone.now())
        StatusChange.objects.create(article=story, from_status="draft", to_status="review")
    with CaptureQueriesContext(connection) as many:
        client.get(change_url(story))
    assert len(many) == len(few), "\n".join(q["sql"] for q in many.captured_queries)


# Previews


def test_the_story_form_hands_out_a_working_preview_link(client, desk):
    draft = ArticleFactory(region=desk["home"], draft=True, created_by=desk["journalist"])
    page = as_user(client, desk["journalist"]).get(change_url(draft)).content.decode()
    match = re.search(r'id="preview-url" value="https?://[^/"]+(/preview/[^"]+)"', page)
    assert match, "no preview link on the form"
    client.logout()
    preview = client.get(html.unescape(match.group(1)))
    assert preview.status_code == 200 and draft.headline in preview.content.decode()


def test_no_preview_link_for_someone_elses_story_or_another_region(client, desk):
    theirs = ArticleFactory(region=desk["home"], draft=True, created_by=desk["colleague"])
    page = as_user(client, desk["journalist"]).get(change_url(theirs)).content.decode()
    assert "preview-url" not in page
    page = as_user(client, desk["editor"]).get(change_url(theirs)).content.decode()
    assert "preview-url" in page


def test_an_unpublish_time_in_the_past_is_a_form_error(client, desk):
    story = ArticleFactory(region=desk["home"])
    as_user(client, desk["editor"])
    past = timezone.now() - datetime.timedelta(minutes=5)
    data = story_data(story, **publication(past, "Europe/Kaliningrad", "unpublish_at"))
    response = client.post(change_url(story), data)
    assert response.status_code == 200
    assert "unpublish_at" in response.context["adminform"].form.errors
    story.refresh_from_db()
    assert story.unpublish_at is None
    later = timezone.now() + datetime.timedelta(days=1)
    data = story_data(story, **publication(later, "Europe/Kaliningrad", "unpublish_at"))
    assert client.post(change_url(story), data).status_code == 302
    story.refresh_from_db()
    assert story.unpublish_at == later.replace(microsecond=0)


def test_the_list_filters_by_release_state_and_only_the_users_regions(client, desk):
    ArticleFactory(region=desk["home"], headline="На сайте")
    ArticleFactory(region=desk["home"], scheduled=True, headline="Завтра")
    ArticleFactory(
        region=desk["home"],
        headline="Снят по времени",
        unpublish_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    as_user(client, desk["editor"])
    page = client.get(LIST, {"state": "scheduled"}).content.decode()
    assert "Завтра" in page and "На сайте" not in page
    page = client.get(LIST, {"state": "down"}).content.decode()
    assert "Снят по времени" in page and "Завтра" not in page
    page = client.get(LIST, {"state": "live"}).content.decode()
    assert "На сайте" in page and "Снят по времени" not in page
    filters = client.get(LIST).content.decode()
    assert "Казань" not in filters  # another region is not even a filter choice


def test_a_story_whose_author_left_can_still_be_saved(client, desk):
    gone = AuthorFactory(is_active=False)
    story = ArticleFactory(region=desk["home"], authors=[gone])
    byline = story.bylines.get()
    data = story_data(
        story,
        lead="Уточнение.",
        **{
            "bylines-TOTAL_FORMS": "1",
            "bylines-INITIAL_FORMS": "1",
            "bylines-0-id": byline.pk,
            "bylines-0-article": story.pk,
            "bylines-0-author": gone.pk,
            "bylines-0-position": "0",
        },
    )
    response = as_user(client, desk["editor"]).post(change_url(story), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(story.authors.all()) == [gone]


def test_an_administrator_gives_a_person_a_group_and_regions_in_the_desk(client, desk):
    newcomer = staff_user("newcomer")
    admin_user = desk["admin"]
    as_user(client, admin_user)
    url = reverse("admin:auth_user_change", args=[newcomer.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Роли в регионах" in page.content.decode()
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name not in ("password", "groups", "user_permissions", "last_login", "date_joined")
        and value is not None
    }
    data |= {
        "username": "newcomer",
        "is_active": "on",
        "is_staff": "on",
        "groups": [Group.objects.get(name=JOURNALIST_GROUP).pk],
        "region_memberships-TOTAL_FORMS": "1",
        "region_memberships-INITIAL_FORMS": "0",
        "region_memberships-0-region": desk["home"].pk,
        "region_memberships-0-role": RegionalRole.JOURNALIST,
        "date_joined_0": "01.12.2026",
        "date_joined_1": "10:00:00",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    newcomer.refresh_from_db()
    assert list(newcomer.groups.values_list("name", flat=True)) == [JOURNALIST_GROUP]
    assert list(newcomer.region_memberships.values_list("region__name", "role")) == [
        ("Калининград", RegionalRole.JOURNALIST)
    ]
    # From now on the newcomer writes in Kaliningrad, and only there.
    as_user(client, newcomer)
    form = client.get(ADD).context["adminform"].form
    assert list(form.fields["region"].queryset) == [desk["home"]]


def test_a_regional_editor_cannot_manage_people(client, desk):
    as_user(client, desk["editor"])
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_a_read_only_story_form_keeps_no_draft_in_the_browser(client, desk):
    theirs = ArticleFactory(region=desk["home"], draft=True, created_by=desk["colleague"])
    page = as_user(client, desk["journalist"]).get(change_url(theirs)).content.decode()
    assert 'id="draft-context"' not in page
    mine = ArticleFactory(region=desk["home"], draft=True, created_by=desk["journalist"])
    assert 'id="draft-context"' in client.get(change_url(mine)).content.decode()


def test_a_form_with_too_many_fields_gets_a_russian_page(client, desk, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50
    story = ArticleFactory(region=desk["home"])
    data = story_data(story) | {f"junk-{n}": "x" for n in range(60)}
    response = as_user(client, desk["editor"]).post(change_url(story), data)
    assert response.status_code == 400
    assert "слишком много полей" in response.content.decode()
