"""Public, read-only pages. Visibility comes from `Article.objects.published()` alone."""

from django.shortcuts import get_object_or_404, redirect, render

from .models import Article


def home(request):
    articles = (
        Article.objects.published()
        .select_related("region", "main_photo")
        .order_by("-is_breaking", "-published_at", "-id")[:20]
    )
    return render(request, "articles/home.html", {"articles": articles})


def article_detail(request, region: str, pk: int, slug: str):
    article = get_object_or_404(
        Article.objects.published().select_related("region", "main_photo"), pk=pk
    )
    if region != article.region.slug or slug != article.slug:
        return redirect(article, permanent=True)
    return render(request, "articles/article_detail.html", {"article": article})
