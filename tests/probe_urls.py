"""The product's URLs plus one page that fails, to see the 500 page and its log."""

from django.urls import path

from prm.urls import urlpatterns as product_urlpatterns


def broken(request):
    raise RuntimeError("a fault of ours")


urlpatterns = [*product_urlpatterns, path("probe/broken/", broken)]
