"""The desk's Russian where Django's admin builds phrases from a model's name.

Every registered model's list, add, change, delete and history pages, and every success message,
are rendered and read: the model's name must stand in the case the phrase needs ("Добавить
фотографию", "Выберите автора для изменения", "Добавить ещё ссылку по теме", "11 регионов"), no
participle may be left to agree with a noun it does not fit ("Фотография … был успешно
добавлен"), and no English may be left among the page's own words (tests/russian.py).
"""

import json
import re

import lxml.html
import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django_tasks_db.models import DBTaskResult

from articles.admin import grammar
from articles.indexnow import ping_indexnow
from articles.models import Article, Region, RegionalRole, RegionMembership, Tag
from articles.publishing.roles import JOURNALIST_GROUP
from tests.desk import article_form_data, story_data
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    PhotoFactory,
    RegionFactory,
    RelatedLinkFactory,
    make_image_bytes,
)
from tests.russian import english_on

pytestmark = pytest.mark.django_db


# What a Russian editor expects, written out by hand for every model of the desk and every inline:
# (accusative, "Удалить выбранные …", the name after 1, 2, 5, 11 and 21).
FORMS = {
    "articles.region": ("регион", "выбранные регионы", "регион региона регионов регионов регион"),
    "articles.author": ("автора", "выбранных авторов", "автор автора авторов авторов автор"),
    "articles.photo": (
        "фотографию",
        "выбранные фотографии",
        "фотография фотографии фотографий фотографий фотография",
    ),
    "articles.tag": ("тег", "выбранные теги", "тег тега тегов тегов тег"),
    "articles.article": (
        "материал",
        "выбранные материалы",
        "материал материала материалов материалов материал",
    ),
    "auth.user": (
        "пользователя",
        "выбранных пользователей",
        "пользователь пользователя пользователей пользователей пользователь",
    ),
    "auth.group": ("группу", "выбранные группы", "группа группы групп групп группа"),
    "axes.accessattempt": (
        "попытку входа",
        "выбранные попытки входа",
        "попытка входа|попытки входа|попыток входа|попыток входа|попытка входа",
    ),
    "django_tasks_database.dbtaskresult": (
        "результат задачи",
        "выбранные результаты задач",
        "результат задачи|результата задачи|результатов задач|результатов задач|результат задачи",
    ),
}
INLINE_FORMS = {
    "articles.articleauthor": "автора материала",
    "articles.relatedlink": "ссылку по теме",
    "articles.regionmembership": "роль в регионе",
}
COUNTS = (1, 2, 5, 11, 21)

# The forms the issue found, and their kin: a nominative after a verb, a masculine participle
# agreed with nothing, "ещё один" before any noun, a plural nominative after a number.
BROKEN = [
    re.compile(
        r"(Добавить|Изменить|Просмотреть|Выберите|удалить) (ещё |еще )?(фотография|автор|"
        r"пользователь|группа|ссылка по теме|автор материала|Ссылка по теме)\b"
    ),
    re.compile(r"\bбыла? успешно\b|\bбыло успешно\b|успешно (добавлен|изменен|удален)"),
    re.compile(r"Добавить ещё? (один|одну|одного)"),
    re.compile(
        r"\b(1[1-4]|[05-9]) (регионы|авторы|фотографии|теги|материалы|пользователи|группы)\b"
    ),
    re.compile(r"\b[2-4] (регионов|авторов|фотографий|тегов|материалов|пользователей|групп)\b"),
    re.compile(r"объект типа"),
]


def label(model) -> str:
    return model._meta.label_lower


def assert_reads_in_russian(page: str) -> None:
    broken = [pattern.search(page).group(0) for pattern in BROKEN if pattern.search(page)]
    assert not broken, f"broken Russian: {broken}"
    english = english_on(page)
    assert not english, f"English left on the page: {sorted(set(english))}"


def get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    page = response.content.decode()
    assert_reads_in_russian(page)
    return page


def inline_add_texts(page: str) -> list[str]:
    tree = lxml.html.fromstring(page)
    return [json.loads(data)["options"]["addText"] for data in tree.xpath("//@data-inline-formset")]


def count_phrase(name: str, count: int) -> str | None:
    """The list's "N регионов" as FORMS writes it, for the counts FORMS has."""
    counts = FORMS[name][2]
    forms = counts.split("|") if "|" in counts else counts.split()
    return f"{count} {forms[COUNTS.index(count)]}" if count in COUNTS else None


def messages_of(response) -> str:
    return " ".join(strip_tags(str(message)) for message in response.context["messages"])


@pytest.fixture
def desk(client, django_user_model):
    """A superuser (a Cyrillic name, so Latin on a page is never the user's own) and one row of
    every model, named in Russian."""
    user = django_user_model.objects.create_superuser("редактор", "desk@example.org", "пароль-1")
    client.force_login(user)
    region = RegionFactory(name="Калининград", slug="kaliningrad")
    author = AuthorFactory(name="Ирина Волкова")
    photo = PhotoFactory(alt_text="Набережная в тумане")
    tag = Tag.objects.create(name="пожары", slug="pozhary")
    story = ArticleFactory(
        region=region,
        headline="Склад на окраине сгорел",
        authors=[author],
        tags=["пожары"],
        main_photo=photo,
    )
    RelatedLinkFactory(article=story, kicker="Важно", title="Как тушили склад")
    reporter = django_user_model.objects.create_user(
        "корреспондент", is_staff=True, first_name="Анна"
    )
    RegionMembership.objects.create(user=reporter, region=region, role=RegionalRole.JOURNALIST)
    group = Group.objects.get(name=JOURNALIST_GROUP)
    task = DBTaskResult.objects.get(pk=ping_indexnow.enqueue(article_id=story.pk).id)
    rows = {
        "articles.region": region,
        "articles.author": author,
        "articles.photo": photo,
        "articles.tag": tag,
        "articles.article": story,
        "auth.user": reporter,
        "auth.group": group,
        "django_tasks_database.dbtaskresult": task,
        "axes.accessattempt": AccessAttempt.objects.create(
            username="корреспондент",
            ip_address="127.0.0.1",
            user_agent="Mozilla/5.0",
            failures_since_start=3,
            get_data="",
            post_data="",
            http_accept="*/*",
            path_info="/admin/login/",
        ),
    }
    return client, rows


def test_every_model_and_inline_of_the_desk_has_its_forms_written_out():
    registered = {label(model): model_admin for model, model_admin in admin.site._registry.items()}
    assert set(registered) == set(FORMS)
    inlines = {
        label(inline.model) for model_admin in registered.values() for inline in model_admin.inlines
    }
    assert inlines == set(INLINE_FORMS)
    for name, model_admin in registered.items():
        assert isinstance(model_admin, grammar.RussianAdminMixin), name


@pytest.mark.parametrize("name", sorted(FORMS))
def test_the_catalogue_gives_each_model_its_cases_and_counts(name):
    from django.apps import apps

    model = apps.get_model(name)
    accusative, selected, counts = FORMS[name]
    assert grammar.accusative(model) == accusative
    assert grammar.selected_accusative(model) == selected
    expected = counts.split("|") if "|" in counts else counts.split()
    assert [grammar.count_noun(model, n) for n in COUNTS] == expected


@pytest.mark.parametrize("name", sorted(INLINE_FORMS))
def test_the_catalogue_gives_each_inline_its_accusative(name):
    from django.apps import apps

    assert grammar.accusative(apps.get_model(name)) == INLINE_FORMS[name]


@pytest.mark.parametrize("name", sorted(FORMS))
def test_list_add_change_delete_and_history_pages_agree_in_case(desk, name):
    client, rows = desk
    obj = rows[name]
    opts = obj._meta
    accusative, selected, _ = FORMS[name]
    spares = {
        "articles.region": lambda: RegionFactory(name="Калмыкия"),
        "articles.author": lambda: AuthorFactory(name="Пётр Сидоров"),
        "articles.photo": lambda: PhotoFactory(alt_text="Маяк на косе"),
        "articles.tag": lambda: Tag.objects.create(name="наводнения"),
        "articles.article": lambda: ArticleFactory(draft=True, headline="Черновик заметки"),
        "auth.user": lambda: obj.__class__.objects.create_user("стажёр", is_staff=True),
        "auth.group": lambda: Group.objects.create(name="практиканты"),
    }
    model_admin = admin.site.get_model_admin(obj.__class__)
    view_only = name in ("django_tasks_database.dbtaskresult", "axes.accessattempt")

    page = get(client, reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    verb = "для просмотра" if view_only else "для изменения"
    # The lockout list is titled for what an administrator looks for there.
    title = {"axes.accessattempt": "Неудачные входы и блокировки"}.get(name)
    assert (title or f"Выберите {accusative} {verb}") in page
    expected_count = count_phrase(name, obj.__class__._default_manager.count())
    assert expected_count is None or expected_count in page
    if not view_only:
        assert f"Добавить {accusative}" in page
    if "delete_selected" in model_admin.get_actions(rf_request(client)):
        assert f"Удалить {selected}" in page

    page = get(client, reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
    assert f"{'Просмотреть' if view_only else 'Изменить'} {accusative}" in page
    if not view_only:
        assert inline_add_texts(page) == [
            f"Добавить ещё {INLINE_FORMS[label(inline.model)]}" for inline in model_admin.inlines
        ]
    get(client, reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk]))

    if view_only:
        return
    page = get(client, reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    assert f"Добавить {accusative}" in page
    delete = f"admin:{opts.app_label}_{opts.model_name}_delete"
    if model_admin.has_delete_permission(rf_request(client), obj):  # not a published story
        page = get(client, reverse(delete, args=[obj.pk]))
        if "Удалить не получится" not in page:  # a region with stories, an author with bylines
            assert f"Вы уверены, что хотите удалить {accusative} «{obj}»?" in page
    spare = spares[name]()
    page = get(client, reverse(delete, args=[spare.pk]))
    assert f"Вы уверены, что хотите удалить {accusative} «{spare}»?" in page


def rf_request(client):
    """A request of the logged-in user, for asking a ModelAdmin what it offers."""
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = get_user_model().objects.get(username="редактор")
    return request


def add_data(name: str, rows) -> dict:
    """A complete POST of the model's add form, for a row named «Проба»."""
    region = rows["articles.region"]
    return {
        "articles.region": {
            "name": "Проба",
            "slug": "proba",
            "time_zone": "Europe/Moscow",
            "position": "5",
            "is_active": "on",
            "description": "",
        },
        "articles.author": {
            "name": "Проба",
            "slug": "proba",
            "job_title": "",
            "bio": "",
            "is_active": "on",
        },
        "articles.photo": {
            "image": SimpleUploadedFile("proba.jpg", make_image_bytes(), "image/jpeg"),
            "alt_text": "Проба",
            "caption": "",
            "credit": "Анна Смирнова",
            "source_url": "",
        },
        "articles.tag": {"name": "Проба", "slug": "proba"},
        "articles.article": article_form_data(region, headline="Проба"),
        "auth.user": {
            "username": "Проба",
            "usable_password": "true",
            "password1": "длинный-пароль-для-пробы",
            "password2": "длинный-пароль-для-пробы",
            "region_memberships-TOTAL_FORMS": "0",
            "region_memberships-INITIAL_FORMS": "0",
        },
        "auth.group": {"name": "Проба"},
    }[name]


def change_data(name: str, obj, rows) -> dict:
    if name == "auth.user":
        return {
            "username": obj.username,
            "first_name": "",
            "last_name": "",
            "email": "",
            "is_active": "on",
            "is_staff": "on",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2024-05-05",
            "date_joined_1": "12:00:00",
            "region_memberships-TOTAL_FORMS": "0",
            "region_memberships-INITIAL_FORMS": "0",
        }
    if name == "articles.article":  # the story form carries the save it was opened on
        return story_data(obj, headline="Проба")
    data = add_data(name, rows)
    if name == "articles.photo":
        data.pop("image")  # the photo keeps its file
    return data


# The task results and the login attempts are records to read (and lift), never to write.
EDITABLE = sorted(set(FORMS) - {"django_tasks_database.dbtaskresult", "axes.accessattempt"})


@pytest.mark.parametrize("name", EDITABLE)
def test_add_change_and_delete_messages_name_the_row_without_a_participle(desk, name):
    client, rows = desk
    model = rows[name].__class__
    opts = model._meta
    nominative = str(opts.verbose_name)
    url = f"admin:{opts.app_label}_{opts.model_name}"

    response = client.post(reverse(f"{url}_add"), add_data(name, rows), follow=True)
    obj = model._default_manager.get(**{model_admin_lookup(name): "Проба"})
    said = messages_of(response)
    if name == "auth.user":  # Django's user admin always goes on to the full form
        assert f"Добавлено: {nominative} «Проба». Ниже можно продолжить правку." in said
    else:
        assert f"Добавлено: {nominative} «Проба»." in said
    assert_reads_in_russian(response.content.decode())

    for button, tail in (
        ("_continue", " Ниже можно продолжить правку."),
        ("_addanother", " Ниже можно добавить следующую запись."),
        ("_save", ""),
    ):
        response = client.post(
            reverse(f"{url}_change", args=[obj.pk]),
            change_data(name, obj, rows) | {button: "1"},
            follow=True,
        )
        assert f"Сохранено: {nominative} «Проба».{tail}" in messages_of(response), button
        assert_reads_in_russian(response.content.decode())

    response = client.post(reverse(f"{url}_delete", args=[obj.pk]), {"post": "yes"}, follow=True)
    assert messages_of(response) == f"Удалено: {nominative} «Проба»."
    assert_reads_in_russian(response.content.decode())


def model_admin_lookup(name: str) -> str:
    return {
        "articles.photo": "alt_text",
        "articles.article": "headline",
        "auth.user": "username",
    }.get(name, "name")


@pytest.mark.parametrize(
    ("count", "said"),
    [(1, "1 регион"), (2, "2 региона"), (5, "5 регионов"), (11, "11 регионов"), (21, "21 регион")],
)
def test_list_counts_bulk_deletes_and_bulk_edits_agree_with_the_number(desk, count, said):
    client, rows = desk
    rows["articles.article"].delete()
    Region.objects.all().delete()
    Region.objects.bulk_create(
        Region(name=f"Область {n}", slug=f"oblast-{n}", time_zone="Europe/Moscow")
        for n in range(count)
    )
    url = reverse("admin:articles_region_changelist")
    page = get(client, url + "?all=")
    assert re.search(rf"<p class=\"paginator\">\s*{said}\s", page)

    regions = list(Region.objects.order_by("position", "name"))
    edited = {
        "_save": "Сохранить",
        "form-TOTAL_FORMS": str(len(regions)),
        "form-INITIAL_FORMS": str(len(regions)),
    }
    for index, region in enumerate(regions):
        edited |= {
            f"form-{index}-id": str(region.pk),
            f"form-{index}-position": "7",
            f"form-{index}-is_active": "on",
        }
    response = client.post(url + "?all=", edited, follow=True)
    assert messages_of(response) == f"Сохранено: {said}."

    selected = {"action": "delete_selected", "_selected_action": [r.pk for r in regions]}
    page = get_post(client, url, selected)
    assert "Вы уверены, что хотите удалить выбранное?" in page
    response = client.post(url, selected | {"post": "yes"}, follow=True)
    assert messages_of(response) == f"Удалено: {said}."
    assert not Region.objects.exists()


def get_post(client, url, data) -> str:
    response = client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert_reads_in_russian(page)
    return page


def test_deleting_a_row_others_protect_says_so_without_the_broken_case(desk):
    client, rows = desk
    page = get(client, reverse("admin:articles_author_delete", args=[rows["articles.author"].pk]))
    assert "Удалить не получится" in page
    assert "Чтобы удалить «Ирина Волкова», пришлось бы удалить и эти защищённые" in page


def test_an_unknown_id_is_reported_in_russian(desk):
    client, _ = desk
    response = client.get(reverse("admin:articles_tag_change", args=[999999]), follow=True)
    assert messages_of(response) == ("Не найдено: тег с ID «999999». Возможно, запись уже удалена.")


def test_history_names_the_inline_rows_it_added_and_changed(desk):
    client, rows = desk
    region = rows["articles.region"]
    story_data = article_form_data(
        region,
        headline="История с тизером",
        **{
            "related_links-TOTAL_FORMS": "1",
            "related_links-0-kicker": "Важно",
            "related_links-0-title": "Как тушили",
            "related_links-0-external_url": "https://example.org/fire",
            "related_links-0-position": "1",
        },
    )
    client.post(reverse("admin:articles_article_add"), story_data)
    story = Article.objects.get(headline="История с тизером")
    page = get(client, reverse("admin:articles_article_history", args=[story.pk]))
    assert "Добавлено: ссылка по теме «Как тушили»." in page


def test_the_index_and_every_section_read_in_russian(desk):
    client, _ = desk
    page = get(client, reverse("admin:index"))
    for section in ("Редакция", "Пользователи и группы", "Фоновые задачи"):
        assert section in page
    assert "Результаты задач" in page and "Tasks Database Backend" not in page
    for app_label in ("articles", "auth", "django_tasks_database"):
        get(client, reverse("admin:app_list", kwargs={"app_label": app_label}))


BULK_DELETABLE = {
    "articles.region": lambda n: RegionFactory(name=f"Область {n}", slug=f"oblast-{n}"),
    "articles.author": lambda n: AuthorFactory(name=f"Автор {n}"),
    "articles.photo": lambda n: PhotoFactory(alt_text=f"Кадр {n}"),
    "articles.tag": lambda n: Tag.objects.create(name=f"тема {n}", slug=f"tema-{n}"),
    "auth.user": lambda n: get_user_model().objects.create_user(f"стажёр-{n}"),
    "auth.group": lambda n: Group.objects.create(name=f"группа {n}"),
}


@pytest.mark.parametrize("name", sorted(BULK_DELETABLE))
@pytest.mark.parametrize("count", [2, 5])
def test_bulk_delete_confirms_and_reports_the_count_in_the_right_form(desk, name, count):
    client, _ = desk
    rows = [BULK_DELETABLE[name](n) for n in range(count)]
    opts = rows[0]._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    selected = {"action": "delete_selected", "_selected_action": [row.pk for row in rows]}
    page = get_post(client, url, selected)
    assert "Вы уверены, что хотите удалить выбранное?" in page
    response = client.post(url, selected | {"post": "yes"}, follow=True)
    assert messages_of(response) == f"Удалено: {count_phrase(name, count)}."
    assert_reads_in_russian(response.content.decode())


def test_the_list_s_date_drill_down_puts_day_and_month_in_the_genitive(desk):
    client, rows = desk
    story = rows["articles.article"]
    local = timezone.localtime(story.published_at)
    page = get(client, reverse("admin:articles_article_changelist"))
    months = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря"
    assert f"{local.day} {months.split()[local.month - 1]}" in page
