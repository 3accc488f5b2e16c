"""The publishing services: who may take which step, what each step records, what it refuses."""

import datetime

import pytest
from django.utils import timezone

from articles.models import Article, RegionalRole, StatusChange
from articles.publishing import workflow
from articles.publishing.corrections import CorrectionError, add_correction
from articles.publishing.roles import (
    ADMIN_GROUP,
    CHIEF_EDITOR_GROUP,
    JOURNALIST_GROUP,
    REGIONAL_EDITOR_GROUP,
)
from tests.desk import staff_user
from tests.factories import ArticleFactory, RegionFactory

pytestmark = pytest.mark.django_db

J, E = RegionalRole.JOURNALIST, RegionalRole.EDITOR
DRAFT, REVIEW = Article.Status.DRAFT, Article.Status.REVIEW
PUBLISHED, UNPUBLISHED = Article.Status.PUBLISHED, Article.Status.UNPUBLISHED


@pytest.fixture
def desk():
    home, other = RegionFactory(slug="kaliningrad"), RegionFactory(slug="kazan")
    return {
        "home": home,
        "other": other,
        "journalist": staff_user("journalist", JOURNALIST_GROUP, **{J: [home]}),
        "colleague": staff_user("colleague", JOURNALIST_GROUP, **{J: [home]}),
        "editor": staff_user("editor", REGIONAL_EDITOR_GROUP, **{E: [home]}),
        "other_editor": staff_user("other-editor", REGIONAL_EDITOR_GROUP, **{E: [other]}),
        "chief": staff_user("chief", CHIEF_EDITOR_GROUP),
        "admin": staff_user("admin", ADMIN_GROUP),
        "nobody": staff_user("nobody"),
    }


def story(desk, status, **fields):
    published_at = (
        timezone.now() - datetime.timedelta(hours=1) if status in (PUBLISHED, UNPUBLISHED) else None
    )
    return ArticleFactory(
        region=desk["home"],
        status=status,
        published_at=published_at,
        created_by=desk["journalist"],
        **fields,
    )


# (step, from status) → the accounts that may take it; every other account is refused.
MATRIX = {
    ("submit", DRAFT): {"journalist", "editor", "chief", "admin"},
    ("send_back", REVIEW): {"editor", "chief", "admin"},
    ("publish", DRAFT): {"editor", "chief", "admin"},
    ("publish", REVIEW): {"editor", "chief", "admin"},
    ("unpublish", PUBLISHED): {"editor", "chief", "admin"},
    ("to_draft", UNPUBLISHED): {"editor", "chief", "admin"},
}
ACCOUNTS = ["journalist", "colleague", "editor", "other_editor", "chief", "admin", "nobody"]
TARGETS = {"submit": REVIEW, "send_back": DRAFT, "publish": PUBLISHED}
TARGETS |= {"unpublish": UNPUBLISHED, "to_draft": DRAFT}


@pytest.mark.parametrize("account", ACCOUNTS)
@pytest.mark.parametrize(("step", "source"), list(MATRIX))
def test_every_role_against_every_transition(desk, account, step, source):
    article = story(desk, source)
    user = desk[account]
    allowed = account in MATRIX[(step, source)]
    if allowed:
        change = workflow.take(article=article, user=user, name=step, comment="Проверено.")
        article.refresh_from_db()
        assert article.status == TARGETS[step]
        assert (change.from_status, change.to_status, change.changed_by) == (
            source,
            TARGETS[step],
            user,
        )
        assert change.comment == "Проверено."
    else:
        with pytest.raises(workflow.TransitionError):
            workflow.take(article=article, user=user, name=step, comment="Проверено.")
        article.refresh_from_db()
        assert article.status == source
        assert not StatusChange.objects.exists()


@pytest.mark.parametrize(
    ("step", "source"),
    [
        ("submit", REVIEW),
        ("submit", PUBLISHED),
        ("send_back", DRAFT),
        ("unpublish", DRAFT),
        ("unpublish", REVIEW),
        ("to_draft", PUBLISHED),
        ("to_draft", DRAFT),
        ("publish", UNPUBLISHED),
    ],
)
def test_steps_outside_the_table_are_refused_even_for_an_admin(desk, step, source):
    article = story(desk, source)
    with pytest.raises(workflow.TransitionError, match="недоступно"):
        workflow.take(article=article, user=desk["admin"], name=step, comment="x")
    article.refresh_from_db()
    assert article.status == source


@pytest.mark.parametrize("name", ["", "approve", "delete", "publish; DROP TABLE", "x" * 10_000])
def test_an_unknown_step_is_a_clear_refusal(desk, name):
    article = story(desk, DRAFT)
    with pytest.raises(workflow.TransitionError, match="Такого действия"):
        workflow.take(article=article, user=desk["admin"], name=name)


def test_the_journalist_may_submit_only_their_own_draft(desk):
    colleagues = story(desk, DRAFT, headline="Чужой черновик")
    colleagues.created_by = desk["colleague"]
    colleagues.save()
    with pytest.raises(workflow.TransitionError, match="нет прав"):
        workflow.submit_for_review(article=colleagues, user=desk["journalist"])


def test_sending_back_needs_a_reason(desk):
    article = story(desk, REVIEW)
    with pytest.raises(workflow.TransitionError, match="что нужно исправить"):
        workflow.send_back(article=article, user=desk["editor"], comment="   ")
    workflow.send_back(article=article, user=desk["editor"], comment="Нет второго источника.")
    assert StatusChange.objects.get().comment == "Нет второго источника."


def test_a_comment_over_the_limit_is_refused_and_nothing_changes(desk):
    article = story(desk, DRAFT)
    with pytest.raises(workflow.TransitionError, match="длиннее"):
        workflow.submit_for_review(article=article, user=desk["journalist"], comment="я" * 2001)
    article.refresh_from_db()
    assert article.status == DRAFT


def test_publishing_in_the_future_is_scheduling_and_the_desk_says_so(desk):
    article = story(desk, REVIEW)
    due = datetime.datetime(2031, 3, 27, 12, 15, tzinfo=datetime.UTC)
    change = workflow.publish(article=article, user=desk["editor"], at=due)
    article.refresh_from_db()
    assert article.status == PUBLISHED and article.published_at == due
    assert change.published_at == due
    assert article.status_label == "запланирован на 27 мар 2031, 14:15"  # Kaliningrad, UTC+2
    assert not Article.objects.published().filter(pk=article.pk).exists()
    assert article.published_by == desk["editor"]


def test_rescheduling_a_scheduled_story_records_the_new_time(desk):
    article = story(desk, REVIEW)
    first = timezone.now() + datetime.timedelta(hours=3)
    second = timezone.now() + datetime.timedelta(hours=5)
    workflow.publish(article=article, user=desk["editor"], at=first)
    workflow.publish(article=article, user=desk["editor"], at=second)
    article.refresh_from_db()
    assert article.published_at == second.replace(microsecond=0)
    assert StatusChange.objects.count() == 2
    with pytest.raises(workflow.TransitionError, match="уже опубликован с этим временем"):
        workflow.publish(article=article, user=desk["editor"], at=second)


def test_a_live_story_is_not_pushed_into_the_future(desk):
    article = story(desk, PUBLISHED)
    with pytest.raises(workflow.TransitionError, match="сначала снимите"):
        workflow.publish(
            article=article, user=desk["editor"], at=timezone.now() + datetime.timedelta(days=1)
        )
    assert Article.objects.published().filter(pk=article.pk).exists()


def test_nobody_publishes_before_the_embargo_by_hand_or_by_schedule(desk):
    embargo = timezone.now().replace(microsecond=0) + datetime.timedelta(hours=2)
    article = story(desk, REVIEW, embargo_until=embargo)
    for at in (None, embargo - datetime.timedelta(minutes=1)):
        with pytest.raises(workflow.TransitionError, match="Эмбарго до"):
            workflow.publish(article=article, user=desk["admin"], at=at)
    article.refresh_from_db()
    assert article.status == REVIEW
    workflow.publish(article=article, user=desk["editor"], at=embargo)
    article.refresh_from_db()
    assert article.status == PUBLISHED and article.published_at == embargo


def test_a_story_leaves_the_site_at_its_unpublish_time(desk):
    article = story(desk, PUBLISHED, unpublish_at=timezone.now() + datetime.timedelta(hours=1))
    assert Article.objects.published().filter(pk=article.pk).exists()
    Article.objects.filter(pk=article.pk).update(
        unpublish_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert not Article.objects.published().filter(pk=article.pk).exists()
    article.refresh_from_db()
    assert article.status_label.startswith("снят по расписанию")


def test_publishing_at_or_after_the_unpublish_time_is_refused(desk):
    article = story(desk, REVIEW, unpublish_at=timezone.now() + datetime.timedelta(hours=1))
    with pytest.raises(workflow.TransitionError, match="позже времени снятия"):
        workflow.publish(
            article=article, user=desk["editor"], at=timezone.now() + datetime.timedelta(hours=2)
        )


def test_allowed_transitions_are_what_the_desk_offers(desk):
    draft = story(desk, DRAFT)
    names = {t.name for t in workflow.allowed_transitions(desk["journalist"], draft)}
    assert names == {"submit"}
    names = {t.name for t in workflow.allowed_transitions(desk["editor"], draft)}
    assert names == {"submit", "publish"}
    assert workflow.allowed_transitions(desk["other_editor"], draft) == []


# Corrections


@pytest.mark.parametrize(
    ("status", "fields", "accepted"),
    [
        (DRAFT, {}, False),
        (REVIEW, {}, False),
        (PUBLISHED, {}, True),
        (UNPUBLISHED, {}, False),
        # scheduled: not out yet, nothing to correct
        (PUBLISHED, {"published_at": timezone.now() + datetime.timedelta(days=1)}, False),
        # past its unpublish time: readers no longer see it
        (PUBLISHED, {"unpublish_at": timezone.now() - datetime.timedelta(minutes=1)}, False),
    ],
)
def test_a_correction_goes_only_on_a_story_readers_see(desk, status, fields, accepted):
    article = story(desk, status)
    if fields:
        Article.objects.filter(pk=article.pk).update(**fields)
        article.refresh_from_db()
    if accepted:
        correction = add_correction(article=article, user=desk["editor"], text="Исправлена дата.")
        article.refresh_from_db()
        assert article.corrected_at == correction.created_at
        assert correction.created_by == desk["editor"]
    else:
        with pytest.raises(CorrectionError):
            add_correction(article=article, user=desk["editor"], text="Исправлена дата.")
        article.refresh_from_db()
        assert article.corrected_at is None and not article.corrections.exists()


@pytest.mark.parametrize("account", ["journalist", "other_editor", "nobody"])
def test_only_an_editor_of_the_region_corrects(desk, account):
    article = story(desk, PUBLISHED)
    with pytest.raises(CorrectionError):
        add_correction(article=article, user=desk[account], text="Исправлена дата.")


@pytest.mark.parametrize("text", ["", "   ", "я" * 2001])
def test_an_empty_or_huge_correction_is_refused(desk, text):
    article = story(desk, PUBLISHED)
    with pytest.raises(CorrectionError):
        add_correction(article=article, user=desk["editor"], text=text)
    assert not article.corrections.exists()
