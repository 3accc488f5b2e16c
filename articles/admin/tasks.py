"""The task queue's results at the desk (django-tasks-db): in Russian, for administrators.

Desk groups have no permission on it, so only superusers see the section; the package's admin is
registered again with Russian column names and the desk's grammar.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from .grammar import RussianAdminMixin

if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(RussianAdminMixin, DBTaskResultAdmin):
    list_display = [
        "task_id",
        "task",
        "status",
        "enqueued_at",
        "started_at",
        "finished_at",
        "priority",
        "queue_name",
    ]

    def get_readonly_fields(self, request, obj=None):
        # The package's "id" field has no translatable name.
        return [
            "task_id" if name == "id" else name
            for name in super().get_readonly_fields(request, obj)
        ]

    @admin.display(description=_("номер"), ordering="id")
    def task_id(self, result):
        return str(result.id)

    @admin.display(description=_("задача"))
    def task(self, result):
        return result.task_name

    @admin.display(description=_("трассировка ошибки"))
    def formatted_traceback(self, result):
        return super().formatted_traceback(result)

    @admin.display(description=_("не раньше"))
    def display_run_after(self, result):
        return super().display_run_after(result)
