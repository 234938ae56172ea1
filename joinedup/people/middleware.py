"""A page of a record since merged answers with the same page of the record it was merged
into (the summary, the care page, the plan...), for those who may open that one."""

from django.shortcuts import redirect
from django.urls import reverse

from .access import MergedRecord


class MergedRecordMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        match = request.resolver_match
        if not isinstance(exception, MergedRecord) or match is None:
            return None
        # Only what the address itself carries (not a path()'s extra options).
        kwargs = dict(match.captured_kwargs)
        if "person_id" not in kwargs:
            return None  # reached through something else (an MDT agenda item): refused
        kwargs["person_id"] = exception.survivor_id
        return redirect(reverse(match.view_name, args=match.args, kwargs=kwargs))
