"""Share links (a clip made public behind an unguessable, revocable token) and reports.

A link opens only while it is not revoked and its clip is ready and not hidden
(`ShareLinkQuerySet.live`), so revoking or a moderator's take-down closes it at once. Anyone who
can open a link can report the clip; reports wait in the admin's queue.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from common.errors import ApplicationError
from common.window_count import count_in_window

from ..models import Clip, Report, ShareLink

#: A hostile client can file reports without an account; past this many open reports on one
#: clip, new ones are folded into the queue (the moderators already have plenty to act on).
MAX_OPEN_REPORTS_PER_CLIP = 50

#: Reports one client address may file (page or API, any clip) per window: enough for a
#: person who finds several bad clips, too few to flood the queue from one address.
REPORTS_PER_ADDRESS = 10
REPORT_WINDOW_SECONDS = 3600


def report_allowed(*, address: str) -> bool:
    """Count one report from this address; False past `REPORTS_PER_ADDRESS` in the window."""
    return (count_in_window(f"share-report:ip:{address}", REPORT_WINDOW_SECONDS)
            <= REPORTS_PER_ADDRESS)


def share_link_create(*, clip: Clip) -> ShareLink:
    """The clip's live link, made if it has none (so asking twice gives one link)."""
    if not clip.is_visible:
        raise ApplicationError(_("A moderator hid this clip: it cannot be shared."),
                               {"code": "hidden"})
    if clip.status != Clip.Status.READY:
        raise ApplicationError(_("Only a ready clip can be shared."), {"code": "not_ready"})
    with transaction.atomic():
        link = ShareLink.objects.select_for_update().filter(
            clip=clip, revoked_at__isnull=True).first()
        if link is None:
            link = ShareLink.objects.create(clip=clip)
    return link


def share_links_revoke(*, clip: Clip, by_moderator: bool = False) -> int:
    """Close every open link of the clip; they answer 404 from now on. Returns how many."""
    return ShareLink.objects.filter(clip=clip, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by_moderator=by_moderator)


def share_link_count_view(*, link: ShareLink) -> None:
    ShareLink.objects.filter(pk=link.pk).update(view_count=F("view_count") + 1)
    link.view_count += 1


def report_create(*, link: ShareLink, reason: str, details: str = "",
                  reporter: User | None = None) -> Report:
    """File a report of a shared clip. A signed-in reporter has one open report per clip (a
    second one updates it); anonymous reports are capped per clip."""
    if reason not in Report.Reason.values:
        raise ApplicationError(_("Choose a reason from the list."), {"field": "reason"})
    details = (details or "").strip()
    if len(details) > Report.MAX_DETAILS:
        raise ApplicationError(
            _("Please keep the details under %(n)d characters.") % {"n": Report.MAX_DETAILS},
            {"field": "details"})
    clip = link.clip
    with transaction.atomic():
        open_reports = Report.objects.filter(clip=clip, status=Report.Status.OPEN)
        if reporter is not None:
            mine = open_reports.filter(reporter=reporter).first()
            if mine is not None:
                mine.reason, mine.details = reason, details
                mine.save(update_fields=["reason", "details"])
                return mine
        if open_reports.count() >= MAX_OPEN_REPORTS_PER_CLIP:
            oldest = open_reports.order_by("created_at").first()
            assert oldest is not None
            return oldest
        return Report.objects.create(clip=clip, share_link=link, reporter=reporter,
                                     reason=reason, details=details)


def clips_take_down(*, clips: Iterable[Clip], moderator: User) -> int:
    """Hide the clips, close their links and settle their open reports as taken down."""
    ids = [clip.pk for clip in clips]
    now = timezone.now()
    with transaction.atomic():
        count = Clip.objects.filter(pk__in=ids).update(hidden=True)
        ShareLink.objects.filter(clip_id__in=ids, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by_moderator=True)
        Report.objects.filter(clip_id__in=ids, status=Report.Status.OPEN).update(
            status=Report.Status.TAKEN_DOWN, handled_at=now, handled_by=moderator)
    return count


def reports_take_down(*, reports: Iterable[Report], moderator: User) -> int:
    """Take down the reported clips (every open report of those clips is settled)."""
    clip_ids = {report.clip_id for report in reports}
    return clips_take_down(clips=Clip.objects.filter(pk__in=clip_ids), moderator=moderator)


def reports_dismiss(*, reports: Iterable[Report], moderator: User) -> int:
    ids = [report.pk for report in reports]
    return Report.objects.filter(pk__in=ids, status=Report.Status.OPEN).update(
        status=Report.Status.DISMISSED, handled_at=timezone.now(), handled_by=moderator)
