"""The editor's path in a real browser: the rich-text editor, its link picker, the tag box and the
teaser rows run JavaScript that no test client executes, so Chromium drives the desk against a
live server. The story list and form are also measured for horizontal scrolling at 1280 and
1024 px. The harness (Chromium under the site's CSP, failing on any violation or script error)
is tests/browser.py.
"""

import pytest
from django.urls import reverse

from articles.models import Article, Photo, Tag
from articles.publishing.previews import preview_path
from tests.browser import (
    WAIT_SECONDS,
    assert_page_clean,
    choose_in_select2,
    horizontal_overflow,
    log_in_as_superuser,
    page_problems,
)
from tests.factories import ArticleFactory, AuthorFactory, RegionFactory, make_image_bytes


def teaser_titles(browser) -> list[str]:
    """The teaser rows' titles in the order the page shows them, spare rows left out."""
    return browser.execute_script(
        "return [...document.querySelectorAll('#related_links-group .desk-row:not(.empty-form)"
        ' input[name$="-title"]\')].map((input) => input.value).filter(Boolean)'
    )


@pytest.mark.django_db(transaction=True)
def test_editor_writes_tags_and_publishes_a_story_that_readers_then_see(
    browser, live_server, django_user_model
):
    from django.conf import settings
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    region = RegionFactory(name="Калининград", slug="kaliningrad", time_zone="Europe/Kaliningrad")
    Tag.objects.create(name="пожары")
    earlier = ArticleFactory(region=region, headline="Склад горел и в прошлом году")
    follow_up = ArticleFactory(region=region, headline="Склад отстроят к весне", draft=True)
    log_in_as_superuser(browser, live_server, django_user_model)
    browser.get(f"{live_server.url}/admin/articles/article/add/")

    WebDriverWait(browser, WAIT_SECONDS).until(
        ec.presence_of_element_located((By.NAME, "headline"))
    ).send_keys("Склад на окраине сгорел за ночь")
    browser.find_element(By.NAME, "lead").send_keys("Пострадавших нет, движение восстановлено.")
    editor = WebDriverWait(browser, WAIT_SECONDS).until(
        lambda driver: next(
            (
                element
                for element in driver.find_elements(By.CSS_SELECTOR, ".field-body .ProseMirror")
                if element.is_displayed()
            ),
            None,
        )
    )
    editor.click()
    editor.send_keys("Огонь потушили к утру.")
    choose_in_select2(browser, ".field-region .select2-selection", "Кали", "Калининград")
    choose_in_select2(browser, ".field-tags .select2-selection", "пож", "пожары")
    choose_in_select2(browser, ".field-tags .select2-selection", "Окраина", "Окраина")

    # The editor's menu speaks Russian; its link button finds the site's own stories.
    titles = browser.execute_script(
        "return [...document.querySelectorAll('.field-body .prose-menubar button[title]')]"
        ".map((button) => button.title).filter(Boolean)"
    )
    assert "Полужирный (Ctrl+B)" in titles and "Отменить (Ctrl+Z)" in titles
    assert not [title for title in titles if title.isascii()], titles
    editor.click()
    editor.send_keys(Keys.END, Keys.SHIFT, Keys.HOME)
    browser.find_element(By.CSS_SELECTOR, ".field-body .prose-menubar [data-name=link]").click()
    dialog = WebDriverWait(browser, WAIT_SECONDS).until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, "dialog.desk-link-dialog"))
    )
    dialog.find_element(By.CSS_SELECTOR, "input[type=search]").send_keys("Склад")
    WebDriverWait(browser, WAIT_SECONDS).until(
        lambda driver: len(dialog.find_elements(By.CSS_SELECTOR, ".desk-link-result")) == 2
    )
    found = [item.text for item in dialog.find_elements(By.CSS_SELECTOR, ".desk-link-result")]
    assert found[0].startswith("Склад горел и в прошлом году")
    assert found[1].startswith("Склад отстроят к весне") and "ещё не на сайте" in found[1]
    dialog.find_element(By.CSS_SELECTOR, ".desk-link-result").click()
    dialog.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    canonical = settings.SITE_URL + earlier.get_absolute_url()
    WebDriverWait(browser, WAIT_SECONDS).until(
        lambda driver: editor.find_elements(By.CSS_SELECTOR, f'a[href="{canonical}"]')
    )

    # Teasers: one picked by search, one external; reordered by dragging, then by keyboard.
    browser.find_element(By.NAME, "related_links-0-title").send_keys("Первый")
    choose_in_select2(
        browser,
        "#related_links-0 .field-target_article .select2-selection",
        "отстроят",
        "Склад отстроят к весне",
    )
    browser.find_element(By.NAME, "related_links-1-title").send_keys("Второй")
    browser.find_element(By.NAME, "related_links-1-external_url").send_keys(
        "https://example.org/fire"
    )
    handle = browser.find_element(By.CSS_SELECTOR, "#related_links-1 .desk-row-handle")
    first_row = browser.find_element(By.ID, "related_links-0")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", first_row)
    ActionChains(browser).click_and_hold(handle).move_to_element_with_offset(
        first_row, 0, -first_row.size["height"] // 2 + 4
    ).move_by_offset(0, 1).release().perform()
    assert teaser_titles(browser) == ["Второй", "Первый"]
    browser.find_element(By.CSS_SELECTOR, "#related_links-1 [data-move='1']").click()
    assert teaser_titles(browser) == ["Первый", "Второй"]
    browser.find_element(By.NAME, "related_links-1-title").send_keys(Keys.ALT, Keys.ARROW_UP)
    assert teaser_titles(browser) == ["Второй", "Первый"]

    browser.find_element(By.CSS_SELECTOR, "button[name=_transition][value=publish]").click()

    WebDriverWait(browser, WAIT_SECONDS).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, ".messagelist .success"))
    )
    article = Article.objects.exclude(pk__in=[earlier.pk, follow_up.pk]).get()
    assert article.slug == "sklad-na-okraine-sgorel-za-noch"
    assert article.status == Article.Status.PUBLISHED
    assert f'<a href="{canonical}"' in article.body and "Огонь потушили к утру.</a>" in article.body
    assert sorted(article.tags.names()) == ["Окраина", "пожары"]
    teasers = list(article.related_links.all())
    assert [(t.title, t.external_url, t.target_article) for t in teasers] == [
        ("Второй", "https://example.org/fire", None),
        ("Первый", "", follow_up),
    ]

    # Saving the story again without touching the block rewrites none of its rows.
    positions = [t.position for t in teasers]
    browser.get(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    WebDriverWait(browser, WAIT_SECONDS).until(
        ec.presence_of_element_located((By.NAME, "_continue"))
    ).click()
    WebDriverWait(browser, WAIT_SECONDS).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, ".messagelist .success"))
    )
    assert [t.position for t in article.related_links.all()] == positions

    browser.get(live_server.url + article.get_absolute_url())
    assert browser.find_element(By.TAG_NAME, "h1").text == "Склад на окраине сгорел за ночь"
    assert "Огонь потушили к утру." in browser.find_element(By.CSS_SELECTOR, ".story-body").text
    assert_page_clean(browser)


@pytest.mark.django_db(transaction=True)
def test_story_list_and_form_need_no_horizontal_scrolling_at_1280_and_1024(
    browser, live_server, django_user_model
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    region = RegionFactory(name="Калининград", slug="kaliningrad")
    authors = [AuthorFactory(name="Ирина Волкова"), AuthorFactory(name="Пётр Сидоров")]
    story = ArticleFactory(
        region=region,
        headline="Длинный заголовок новости о пожаре на складе на окраине города ночью",
        authors=authors,
        tags=["пожары"],
    )
    for n in range(25):
        ArticleFactory(region=region, headline=f"Новость номер {n} о событиях в области")
    log_in_as_superuser(browser, live_server, django_user_model)
    for width in (1280, 1024):
        browser.set_window_size(width, 1000)
        for url in ("/admin/articles/article/", f"/admin/articles/article/{story.pk}/change/"):
            browser.get(live_server.url + url)
            WebDriverWait(browser, WAIT_SECONDS).until(
                ec.presence_of_element_located((By.ID, "content-main"))
            )
            assert browser.execute_script("return window.innerWidth") == width
            assert horizontal_overflow(browser) == [], (width, url)
            assert_page_clean(browser)


@pytest.mark.django_db(transaction=True)
def test_photo_form_refuses_a_big_file_in_the_browser_and_keeps_a_chosen_photo(
    browser, live_server, django_user_model, settings, tmp_path
):
    from django.template.defaultfilters import filesizeformat
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    from articles import photos
    from articles.models import Photo
    from tests.factories import make_image_bytes

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PHOTO_MAX_UPLOAD_BYTES = 200 * 1024
    big = tmp_path / "big.png"
    big.write_bytes(make_image_bytes(1200, 900, "PNG", compress_level=0))
    small = tmp_path / "kadr.jpg"
    small.write_bytes(make_image_bytes(320, 200))
    log_in_as_superuser(browser, live_server, django_user_model)
    browser.get(f"{live_server.url}/admin/articles/photo/add/")

    file_input = WebDriverWait(browser, WAIT_SECONDS).until(
        ec.presence_of_element_located((By.NAME, "image"))
    )
    file_input.send_keys(str(big))
    refusal = WebDriverWait(browser, WAIT_SECONDS).until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, ".photo-upload-errors li"))
    )
    server = photos._too_large(big.stat().st_size, settings.PHOTO_MAX_UPLOAD_BYTES)
    expected = str(server.message) % {
        "size": filesizeformat(big.stat().st_size),
        "limit": filesizeformat(settings.PHOTO_MAX_UPLOAD_BYTES),
    }
    assert refusal.get_attribute("textContent") == expected
    assert browser.execute_script("return arguments[0].files.length", file_input) == 0

    file_input.send_keys(str(small))
    WebDriverWait(browser, WAIT_SECONDS).until(
        lambda driver: (
            driver.execute_script(
                "const image = document.querySelector('.photo-upload-preview img');"
                "return image && image.complete && image.naturalWidth"
            )
            == 320
        )
    )
    browser.find_element(By.NAME, "alt_text").send_keys("Маяк на косе")
    browser.find_element(By.NAME, "_save").click()  # no credit: the form fails

    WebDriverWait(browser, WAIT_SECONDS).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, ".errornote"))
    )
    kept = browser.execute_script(
        "const image = document.querySelector('.photo-upload-preview img');"
        "return image && image.complete ? image.naturalWidth : 0"
    )
    assert kept == 320, "the kept photo is shown, not a broken image"
    assert not Photo.objects.exists()
    browser.find_element(By.NAME, "credit").send_keys("Анна Смирнова")
    browser.find_element(By.NAME, "_save").click()
    WebDriverWait(browser, WAIT_SECONDS).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, ".messagelist .success"))
    )
    photo = Photo.objects.get()
    assert (photo.width, photo.height, photo.credit) == (320, 200, "Анна Смирнова")
    assert_page_clean(browser)


@pytest.mark.django_db(transaction=True)
def test_photo_upload_and_preview_run_under_the_content_security_policy(
    browser, live_server, django_user_model, tmp_path
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    log_in_as_superuser(browser, live_server, django_user_model)

    picture = tmp_path / "naberezhnaya.jpg"
    picture.write_bytes(make_image_bytes())
    browser.get(live_server.url + reverse("admin:articles_photo_add"))
    browser.find_element(By.NAME, "image").send_keys(str(picture))
    browser.find_element(By.NAME, "alt_text").send_keys("Набережная в тумане")
    browser.find_element(By.NAME, "credit").send_keys("Анна Смирнова")
    browser.find_element(By.NAME, "_continue").click()
    WebDriverWait(browser, WAIT_SECONDS).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, ".messagelist .success"))
    )
    photo = Photo.objects.get()
    assert (photo.alt_text, photo.credit) == ("Набережная в тумане", "Анна Смирнова")
    # The change form shows the uploaded picture: the image loads under img-src.
    preview = browser.find_element(By.CSS_SELECTOR, ".field-preview img")
    assert browser.execute_script("return arguments[0].naturalWidth", preview) > 0
    assert_page_clean(browser)

    draft = ArticleFactory(draft=True, main_photo=photo, headline="Туман накрыл набережную")
    browser.get(live_server.url + reverse("admin:articles_article_change", args=[draft.pk]))
    WebDriverWait(browser, WAIT_SECONDS).until(
        lambda driver: any(
            element.is_displayed()
            for element in driver.find_elements(By.CSS_SELECTOR, ".field-body .ProseMirror")
        )
    )
    assert_page_clean(browser)

    browser.get(live_server.url + preview_path(draft))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Туман накрыл набережную"
    assert "Предпросмотр" in browser.find_element(By.CSS_SELECTOR, ".preview-banner").text
    assert_page_clean(browser)

    # The watch itself: an inline script slipped into the page is blocked, and reported.
    browser.execute_script(
        "const s = document.createElement('script');"
        "s.textContent = 'window.injected = true';"
        "document.body.appendChild(s);"
    )
    seen = []

    def blocked_script_reported(driver) -> bool:
        seen.extend(page_problems(driver))
        return any(p["kind"] == "csp" and p["directive"] == "script-src-elem" for p in seen)

    WebDriverWait(browser, WAIT_SECONDS).until(blocked_script_reported)
    assert browser.execute_script("return window.injected === undefined")
