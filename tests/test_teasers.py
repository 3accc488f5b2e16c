import pytest
from django.core.exceptions import ValidationError

from articles.teasers import validate_teaser_url


@pytest.mark.parametrize(
    "url",
    [
        "https://example.ru/news/1",
        "http://example.ru",
        "https://пример.рф/новости?id=1#главное",
        "https://example.ru/" + "a" * 1970,
    ],
)
def test_plain_http_and_https_urls_are_accepted(url):
    validate_teaser_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://example.ru/file",
        "//example.ru/scheme-relative",
        "/kaliningrad/1-novost/",
        "https://user:secret@example.ru/",
        "https://user@example.ru/",
        "https://example.ru@evil.example/",
        "https://",
        "example.ru",
        "https://exa mple.ru/",
        "https://example.ru/\nSet-Cookie:x",
        "https://example.ru/" + "a" * 2000,
    ],
)
def test_anything_else_is_a_clear_error(url):
    with pytest.raises(ValidationError) as error:
        validate_teaser_url(url)
    assert error.value.messages
