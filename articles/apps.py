from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Редакция")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.core import checks

        from newsroom.storage import check_media_urls

        from . import renditions, signals  # noqa: F401 - build renditions on save; cache purges

        checks.register(check_media_urls)
        from .publishing import revisions

        revisions.register_models()
