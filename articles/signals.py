"""Cache purges: the only side effects that hang on model signals here."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .context_processors import NAV_CACHE_KEY
from .models import Region


@receiver([post_save, post_delete], sender=Region)
def forget_region_navigation(**kwargs) -> None:
    cache.delete(NAV_CACHE_KEY)
