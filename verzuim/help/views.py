from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def faq(request: HttpRequest) -> HttpResponse:
    """Frequently asked questions about logging in; open to everyone, also before login."""
    return render(request, "help/faq.html")
