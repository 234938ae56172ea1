"""The directory's background jobs (``joinedup.jobs``): importing feeds, which may come
from a provider's server that is down for a while (so they are worth retrying)."""

from joinedup.jobs.queue import enqueue, job, report

from . import actions
from .models import FeedImport


def feed_urls() -> list[str]:
    """Every feed the directory has imported from the web, and every feed a place's
    settings name, for refreshing."""
    from .place_rules import place_feeds

    sources = FeedImport.objects.values_list("source", flat=True).distinct()
    web = {s for s in sources if s.startswith(("http://", "https://"))}
    return sorted(web | set(place_feeds()))


@job("directory.import")
def import_feed(item, *, source: str) -> None:
    """Import one feed (all-or-nothing; importing the same feed again changes nothing)."""
    done = actions.import_feed(by=item.created_by, source=source)
    report(
        item,
        f"{done.created} new, {done.updated} updated, {done.unchanged} unchanged, "
        f"{len(done.rejected)} rejected",
    )


@job("directory.refresh", start="Refresh directory feeds")
def refresh(item) -> None:
    """Import every web feed again, each as a job of its own (one provider's server being
    down does not hold up the rest)."""
    urls = feed_urls()
    for url in urls:
        enqueue("directory.import", label=f"Import {url}", args={"source": url}, by=item.created_by)
    report(item, f"{len(urls)} feeds sent to import")
