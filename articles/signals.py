"""Side effects that hang on signals here: cache purges, and the sessions of desk accounts."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from newsroom.middleware import DeskIdleTimeoutMiddleware

from .accounts import end_sessions
from .context_processors import NAV_CACHE_KEY
from .models import Region


@receiver([post_save, post_delete], sender=Region)
def forget_region_navigation(**kwargs) -> None:
    cache.delete(NAV_CACHE_KEY)


@receiver(post_save, sender=get_user_model())
def sign_out_everywhere_when_deactivated(instance, created, **kwargs) -> None:
    # Every save of an inactive account: deactivated now, or its sessions left from before.
    if not created and not instance.is_active:
        end_sessions(instance)


@receiver(user_logged_in)
def start_idle_clock(request, **kwargs) -> None:
    # The login saves the session anyway; the idle time counts from it.
    if request is not None and hasattr(request, "session"):
        DeskIdleTimeoutMiddleware.renew(request.session)
