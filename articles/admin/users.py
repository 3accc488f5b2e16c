"""Users with their regional roles: what administrators manage beside groups."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from ..models import (
    RegionMembership,
)
from .grammar import RussianAdminMixin
from .inputs import NamedInputsMixin
from .rows import RowsInline


class RegionMembershipInline(RowsInline):
    model = RegionMembership
    extra = 1
    fields = ["region", "role"]


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class DeskUserAdmin(NamedInputsMixin, RussianAdminMixin, UserAdmin):
    """Users with their regional roles beside their groups: admins manage both here."""

    inlines = [RegionMembershipInline]
    list_display = ["username", "first_name", "last_name", "is_staff", "is_active", "desk_groups"]
    list_filter = ["is_staff", "is_active", "groups"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("роли"))
    def desk_groups(self, user):
        return ", ".join(group.name for group in user.groups.all()) or "—"


if admin.site.is_registered(Group):
    admin.site.unregister(Group)


@admin.register(Group)
class DeskGroupAdmin(RussianAdminMixin, GroupAdmin):
    """Django's groups (the desk's roles), with titles and messages in correct Russian."""
