"""The site's search box: ``/search/?q=…`` (finders registered by the apps, ``core/search.py``).

One exact hit (an ID number, a case number, a tracking code) opens its record at once.
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.views import View

from treem.core.search import MAX_TEXT, site_search


class SearchView(LoginRequiredMixin, View):
    template_name = "core/search.html"

    def get(self, request):
        text = " ".join(request.GET.get("q", "").split())[:MAX_TEXT]
        hits = site_search(request.user, text)
        exact = [hit for hit in hits if hit.exact]
        if len(exact) == 1:
            return redirect(exact[0].href)
        return render(request, self.template_name, {"q": text, "hits": hits})
