"""The story form as a screen reader meets it, in Chromium against a live server.

axe-core, the rules `make audit` applies, finds nothing on the add and the change form at a
desktop's and a phone's width (where nothing runs past the screen's edge either), nor with a
select2 list open or a row added to an inline; and each input is read by the name an editor
sees beside it: the date and time inputs by their field, select2's boxes by their label and
value, the text editor by its label. Every date and time input anywhere in the desk is named,
as the pages render it (no browser needed there).
"""

import lxml.html
import pytest
from django.contrib import admin
from django.urls import reverse

from audit.browser import DESK_WIDGETS_BUILT, emulate
from tests.browser import (
    WAIT_SECONDS,
    assert_no_axe_violations,
    assert_page_clean,
    horizontal_overflow,
    log_in_as_superuser,
    screenshot,
)
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    PhotoFactory,
    RegionFactory,
    RelatedLinkFactory,
)


def a_story_with_every_part():
    """A published story whose form shows every widget with a value: region, photo, tags,
    a byline and a teaser pointing at another story."""
    region = RegionFactory(name="Калининград", slug="kaliningrad", time_zone="Europe/Kaliningrad")
    target = ArticleFactory(region=region, headline="Склад отстроят к весне")
    story = ArticleFactory(
        region=region,
        headline="Склад на окраине сгорел за ночь",
        main_photo=PhotoFactory(alt_text="Пожарные у склада"),
        authors=[AuthorFactory(name="Ирина Волкова")],
        tags=["пожары", "склады"],
    )
    RelatedLinkFactory(article=story, target_article=target, title="", external_url="")
    return story


def open_form(browser, url: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(url)
    WebDriverWait(browser, WAIT_SECONDS).until(
        lambda driver: driver.execute_script(DESK_WIDGETS_BUILT)
    )


@pytest.mark.django_db(transaction=True)
def test_axe_finds_nothing_on_the_story_add_and_change_forms(
    browser, live_server, django_user_model
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    story = a_story_with_every_part()
    log_in_as_superuser(browser, live_server, django_user_model)
    forms = [
        reverse("admin:articles_article_add"),
        reverse("admin:articles_article_change", args=[story.pk]),
    ]
    for width in (1280, 375):
        emulate(browser, width, "light")
        for url in forms:
            open_form(browser, live_server.url + url)
            assert_no_axe_violations(browser)
            # On a phone too, nothing runs past the screen's edge (the teaser rows stack).
            assert horizontal_overflow(browser) == [], (width, url)
            assert_page_clean(browser)

    # A select2 list open, its search typed into and its results shown.
    browser.find_element(By.CSS_SELECTOR, ".field-region .select2-selection").click()
    search = WebDriverWait(browser, WAIT_SECONDS).until(
        ec.visibility_of_element_located(
            (By.CSS_SELECTOR, ".select2-container--open .select2-search__field")
        )
    )
    search.send_keys("Кали")
    WebDriverWait(browser, WAIT_SECONDS).until(
        ec.visibility_of_element_located(
            (By.XPATH, "//li[contains(@class, 'select2-results__option')][.='Калининград']")
        )
    )
    assert search.accessible_name == "Регион:"
    assert_no_axe_violations(browser)
    screenshot(browser, "desk-story-form-region-list-open")
    search.send_keys("\ue00c")  # Escape closes the list

    # A byline row added after the page loaded gets a named box too.
    rows = "#bylines-group .desk-row:not(.empty-form) .select2-selection"
    before = len(browser.find_elements(By.CSS_SELECTOR, rows))
    browser.find_element(By.CSS_SELECTOR, "#bylines-group .add-row a").click()
    WebDriverWait(browser, WAIT_SECONDS).until(
        lambda driver: len(driver.find_elements(By.CSS_SELECTOR, rows)) == before + 1
    )
    assert browser.find_elements(By.CSS_SELECTOR, rows)[-1].accessible_name == "Автор:"
    assert_no_axe_violations(browser)
    assert_page_clean(browser)


@pytest.mark.django_db(transaction=True)
def test_each_input_of_the_story_form_is_read_by_the_name_beside_it(
    browser, live_server, django_user_model
):
    from selenium.webdriver.common.by import By

    story = a_story_with_every_part()
    log_in_as_superuser(browser, live_server, django_user_model)
    open_form(browser, live_server.url + reverse("admin:articles_article_change", args=[story.pk]))

    def name_of(selector: str) -> str:
        return browser.find_element(By.CSS_SELECTOR, selector).accessible_name

    assert name_of("#id_published_at_0") == "Время публикации: дата"
    assert name_of("#id_published_at_1") == "Время публикации: время"
    assert name_of("#id_embargo_until_0") == "Эмбарго до: дата"
    assert name_of("#id_unpublish_at_1") == "Снять с публикации в: время"
    # The label, then the value; the cross that empties the box is not read.
    assert name_of(".field-region .select2-selection") == "Регион: Калининград"
    assert name_of(".field-main_photo .select2-selection") == "Главное фото: Пожарные у склада"
    assert name_of(".field-tags .select2-search__field") == "Теги:"
    editor = browser.find_element(By.CSS_SELECTOR, ".field-body .tiptap[contenteditable]")
    assert editor.accessible_name == "Текст:"
    assert editor.aria_role == "textbox"
    assert editor.get_attribute("aria-multiline") == "true"
    # The admin's breadcrumbs read as links by their underline, not by colour alone.
    breadcrumb = browser.find_element(By.CSS_SELECTOR, "div.breadcrumbs a")
    assert "underline" in breadcrumb.value_of_css_property("text-decoration-line")
    assert_page_clean(browser)


@pytest.mark.django_db
def test_every_date_and_time_input_of_the_desk_is_named_after_its_field(client, django_user_model):
    story = a_story_with_every_part()
    superuser = django_user_model.objects.create_superuser("desk", "desk@example.org", "x" * 20)
    client.force_login(superuser)
    story_form = reverse("admin:articles_article_change", args=[story.pk])
    user_form = reverse("admin:auth_user_change", args=[superuser.pk])
    add_forms = [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
        for model in admin.site._registry
    ]
    names = {}
    for url in [*add_forms, story_form, user_form]:
        response = client.get(url)
        if response.status_code == 403 and url in add_forms:
            continue  # a section nobody adds to (the task queue's results, lockouts)
        assert response.status_code == 200, url
        inputs = lxml.html.fromstring(response.content.decode()).xpath(
            "//input[contains(@class, 'vDateField') or contains(@class, 'vTimeField')]"
        )
        names |= {f"{url} {field.get('name')}": field.get("aria-label") for field in inputs}
    assert not [where for where, name in names.items() if not name]
    assert names[f"{story_form} embargo_until_0"] == "Эмбарго до: дата"
    assert names[f"{story_form} unpublish_at_1"] == "Снять с публикации в: время"
    assert names[f"{user_form} date_joined_0"] == "Дата регистрации: дата"
    assert names[f"{user_form} last_login_1"] == "Последний вход: время"
