"""What several models of the newsroom share: Latin slugs from Russian text, staff stamps."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..slugs import canonical_slug, slugify_ru


def staff_member(verbose_name) -> models.ForeignKey:
    """Who did something at the desk: kept for the record, forgotten if the account is deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )


def slug_not_empty(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=~Q(slug=""),
        name=name,
        violation_error_message=_("Адрес (slug) не может быть пустым."),
    )


class SluggedModel(models.Model):
    """A model whose Latin slug is made from a Russian field unless the editor typed one.

    A typed slug is brought to the site's one form (lower case, single dashes, no dashes at the
    ends), so `Storm-Update` and `storm--update` are the same address as `storm-update`.
    `clean()` fills and checks the slug so forms show an error (empty, reserved, taken) instead of
    the database raising; `save()` fills it for code paths without a form.
    """

    slug_source_field: str

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.fill_slug()
        super().save(*args, **kwargs)

    def fill_slug(self) -> bool:
        """Make the slug canonical, or from the source field when empty; True if it was empty."""
        max_length = self._meta.get_field("slug").max_length
        if self.slug:
            self.slug = canonical_slug(self.slug, max_length=max_length)
            return False
        self.slug = slugify_ru(getattr(self, self.slug_source_field), max_length=max_length)
        return True

    def clean(self):
        super().clean()
        typed = bool(self.slug)
        self.fill_slug()
        if not self.slug:
            message = (
                _("В адресе должны быть латинские буквы или цифры.")
                if typed
                else _("Из этого текста не получается латинский адрес: введите его вручную.")
            )
            raise ValidationError({"slug": message})
        try:
            self._meta.get_field("slug").run_validators(self.slug)
        except ValidationError as error:
            raise ValidationError({"slug": error.error_list}) from error
