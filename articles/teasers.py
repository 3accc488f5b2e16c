"""What a teaser may link to outside the site: plain http(s) URLs a reader can safely follow."""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

TEASER_URL_MAX_LENGTH = 2000

_url_validator = URLValidator(schemes=["http", "https"])


def validate_teaser_url(value: str) -> None:
    """Accept absolute http/https URLs without credentials, up to 2,000 characters."""
    message = _("Нужна полная ссылка вида https://example.ru/… (без логина и пароля в адресе).")
    if len(value) > TEASER_URL_MAX_LENGTH:
        raise ValidationError(
            _("Ссылка длиннее %(limit)d символов."),
            code="too_long",
            params={"limit": TEASER_URL_MAX_LENGTH},
        )
    try:
        _url_validator(value)
    except ValidationError as error:
        raise ValidationError(message, code="invalid_url") from error
    parts = urlsplit(value)
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise ValidationError(message, code="credentials_in_url")
