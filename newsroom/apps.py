"""Third-party applications under the names the desk shows for them."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class LoginGuardConfig(AxesAppConfig):
    """django-axes: failed logins and lockouts, listed in the desk's index under this name."""

    verbose_name = _("Защита входа")
