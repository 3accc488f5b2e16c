"""The desk's own records: who works in which region as what, status changes, corrections."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..fields import CleanTextField
from .base import staff_member
from .regions import Region
from .stories import Article
from .visibility import ArticleStatus


class RegionalRole(models.TextChoices):
    """What a user does in one region; chief editors and admins work in all of them by group."""

    JOURNALIST = "journalist", _("журналист")
    EDITOR = "editor", _("редактор региона")


class RegionMembership(models.Model):
    """One user's role in one region: the data the permissions module reads."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("пользователь"),
        on_delete=models.CASCADE,
        related_name="region_memberships",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("регион"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("роль"), max_length=16, choices=RegionalRole.choices)

    class Meta:
        ordering = ["region__position", "region__name"]
        verbose_name = _("роль в регионе")
        verbose_name_plural = _("роли в регионах")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "region"],
                name="region_membership_unique",
                violation_error_message=_("У пользователя уже есть роль в этом регионе."),
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=RegionalRole.values), name="region_membership_role"
            ),
        ]

    def __str__(self):
        return f"{self.region}: {self.get_role_display()}"


class StatusChange(models.Model):
    """One step of a story's workflow, kept for good: the desk's audit trail."""

    article = models.ForeignKey(
        Article, verbose_name=_("материал"), on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(_("был"), max_length=16, choices=ArticleStatus.choices)
    to_status = models.CharField(_("стал"), max_length=16, choices=ArticleStatus.choices)
    # The publication time the step set: "запланирован на …" is read from here, not guessed.
    published_at = models.DateTimeField(_("время публикации"), null=True, blank=True)
    comment = CleanTextField(_("комментарий"), max_length=2000, blank=True)
    changed_by = staff_member(_("кто"))
    changed_at = models.DateTimeField(_("когда"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("смена статуса")
        verbose_name_plural = _("смены статусов")

    def __str__(self):
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class Correction(models.Model):
    """A dated note to readers under a published story: what was wrong and is now right."""

    article = models.ForeignKey(
        Article, verbose_name=_("материал"), on_delete=models.CASCADE, related_name="corrections"
    )
    text = CleanTextField(_("текст исправления"), max_length=2000)
    created_at = models.DateTimeField(_("время"), db_index=True)
    created_by = staff_member(_("кто исправил"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("исправление")
        verbose_name_plural = _("исправления")

    def __str__(self):
        return self.text[:60]
