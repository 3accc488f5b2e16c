"""Third-party applications as this project installs them, under the names the desk shows."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


def _attempt_str(attempt) -> str:
    # The package's own "Attempted Access: <time>" is the page's title and breadcrumb.
    when = date_format(timezone.localtime(attempt.attempt_time), "DATETIME_FORMAT")
    return gettext("Вход «%(username)s», %(when)s") % {"username": attempt.username, "when": when}


class LoginGuardConfig(AxesAppConfig):
    """django-axes: failed logins and lockouts, listed in the desk's index under this name."""

    verbose_name = _("Защита входа")

    def ready(self):
        super().ready()
        self.get_model("AccessAttempt").__str__ = _attempt_str


def _task_result_str(result) -> str:
    # The package leaves Django's "DBTaskResult object (<uuid>)", which the desk shows as the
    # page's title and breadcrumb.
    if result.enqueued_at is None:
        return gettext("Новая задача")
    when = date_format(timezone.localtime(result.enqueued_at), "DATETIME_FORMAT")
    return gettext("Задача от %(when)s") % {"when": when}


class TaskQueueConfig(TasksAppConfig):
    """django-tasks-db under a Russian name: its section of the desk reads "Фоновые задачи"."""

    verbose_name = _("Фоновые задачи")

    def ready(self):
        super().ready()
        self.get_model("DBTaskResult").__str__ = _task_result_str
