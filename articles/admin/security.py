"""The desk's door: the page a locked-out login gets, the lockouts administrators see and lift,
and the CSP nonce on the one inline script a form brings (the rich-text editor's import map)."""

import datetime
import math

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME, get_user_model
from django.db.models import Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from js_asset import Media

from ..publishing import permissions
from .grammar import RussianAdminMixin


def throttled_username(request, credentials=None) -> str | None:
    """The name a login attempt is counted under: as typed into the login form (after its own
    clean-up), cut to the width of django-axes' column. The form lets any length through to the
    check, and no account's name is that long, so cutting merges nothing real."""
    if credentials:
        name = credentials.get(get_user_model().USERNAME_FIELD)
    else:
        name = request.POST.get(get_user_model().USERNAME_FIELD)
    return name[: AccessAttempt._meta.get_field("username").max_length] if name else name


def lockout_ends(username: str | None, ip_address: str | None) -> datetime.datetime:
    """When the lockout of this account from this address lifts: the last counted failure plus
    the cool-off (failures during a lockout are not counted, so the time holds)."""
    last = (
        AccessAttempt.objects.filter(username=username, ip_address=ip_address)
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    return (last or timezone.now()) + settings.AXES_COOLOFF_TIME


def lockout_response(request, original_response=None, credentials=None):
    """The desk's login page with a Russian notice of the lockout, answered 429."""
    username = throttled_username(request, credentials) or ""
    ends = lockout_ends(username, getattr(request, "axes_ip_address", None))
    seconds = max(0, math.ceil((ends - timezone.now()).total_seconds()))
    form = AdminAuthenticationForm(request, initial={"username": username})
    context = {
        **admin.site.each_context(request),
        "title": _("Вход временно закрыт"),
        "subtitle": None,
        "app_path": request.get_full_path(),
        "username": request.user.get_username(),
        "form": form,
        # The login form keeps where the person was going; it is checked when they log in.
        REDIRECT_FIELD_NAME: request.POST.get(REDIRECT_FIELD_NAME) or reverse("admin:index"),
        "locked_username": username,
        "locked_until": timezone.localtime(ends),
        "locked_minutes": max(1, math.ceil(seconds / 60)),
    }
    request.current_app = admin.site.name
    # Rendered here: django-axes swaps it in after the response phase that would render it.
    response = render(request, "admin/login_locked.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response


def locked_q() -> Q:
    """Rows that lock their account and address now: enough failures, the last one recent."""
    return Q(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME,
    )


class LockedFilter(admin.SimpleListFilter):
    title = _("блокировка")
    parameter_name = "locked"

    def lookups(self, request, model_admin):
        return [("yes", _("действует")), ("no", _("нет"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(locked_q())
        if self.value() == "no":
            return queryset.exclude(locked_q())
        return queryset


@admin.register(AccessAttempt)
class LockoutAdmin(RussianAdminMixin, AccessAttemptAdmin):
    """Failed logins by account and address; administrators see who is locked out and lift it.

    Lifting deletes the row: the count starts again from nothing for that account and address.
    """

    list_display = [
        "username",
        "ip_address",
        "failures_since_start",
        "attempt_time",
        "state",
    ]
    list_filter = [LockedFilter, "attempt_time"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "attempt_time"
    fieldsets = (
        (None, {"fields": ("username", "ip_address", "failures_since_start", "attempt_time")}),
        (_("Запрос"), {"fields": ("user_agent", "http_accept", "path_info", "get_data")}),
    )
    readonly_fields = [
        "username",
        "ip_address",
        "failures_since_start",
        "attempt_time",
        "user_agent",
        "http_accept",
        "path_info",
        "get_data",
    ]
    actions = ["lift_selected"]

    def changelist_view(self, request, extra_context=None):
        context = {"title": _("Неудачные входы и блокировки"), **(extra_context or {})}
        return super().changelist_view(request, context)

    def has_module_permission(self, request):
        return super().has_module_permission(request) and permissions.can_manage_newsroom(
            request.user
        )

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and permissions.can_manage_newsroom(
            request.user
        )

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and permissions.can_manage_newsroom(
            request.user
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        # One way to lift a lockout, named for what it does.
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description=_("состояние"))
    def state(self, attempt):
        limit = settings.AXES_FAILURE_LIMIT
        if attempt.attempt_time < timezone.now() - settings.AXES_COOLOFF_TIME:
            return _("истекла, не учитывается")
        if attempt.failures_since_start >= limit:
            ends = timezone.localtime(attempt.attempt_time + settings.AXES_COOLOFF_TIME)
            return _("вход закрыт до %(time)s") % {"time": f"{ends:%H:%M}"}
        return _("попыток до блокировки: %(count)d") % {
            "count": limit - attempt.failures_since_start
        }

    @admin.action(description=_("Снять блокировку (обнулить счёт попыток)"), permissions=["delete"])
    def lift_selected(self, request, queryset):
        lifted = 0
        for attempt in queryset:
            attempt.delete()  # one by one, so django-axes hears of each
            lifted += 1
        self.message_user(
            request,
            _("Блокировка снята, записей: %(count)d.") % {"count": lifted},
            messages.SUCCESS,
        )


class ScriptNonceMixin:
    """A change form's media carry the request's CSP nonce: the rich-text editor's import map is an
    inline script, and the policy runs no inline script without it."""

    def render_change_form(self, request, context, *args, **kwargs):
        nonce = getattr(request, "csp_nonce", None)
        if nonce is not None and "media" in context:
            context["media"] = Media.from_media(context["media"], nonce=nonce)
        return super().render_change_form(request, context, *args, **kwargs)
