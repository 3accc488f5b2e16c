from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Редакция")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.core import checks
        from django.db.models.signals import pre_migrate

        from newsroom.db import lift_statement_timeout
        from newsroom.storage import check_media_urls

        from . import renditions, signals  # noqa: F401 - build renditions on save; cache purges
        from .publishing import revisions

        checks.register(check_media_urls)
        pre_migrate.connect(lift_statement_timeout, dispatch_uid="lift_statement_timeout")

        revisions.register_models()
