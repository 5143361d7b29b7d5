from django.http import Http404, HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import Throttled
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.views import APIView

import render
from accounts.lockout import client_address
from common.errors import ApplicationError
from common.http_range import media_file_response
from common.ids import parse_id
from jobs.api import JobSerializer
from jobs.selectors import latest_job
from videos.selectors import get_video_for_user

from . import selectors
from .models import Clip, Moment, Reel, Report, ShareLink
from .services import editing, reels, rendering, sharing


class ClipSerializer(serializers.ModelSerializer):
    file_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    subtitles_url = serializers.SerializerMethodField()
    video = serializers.SerializerMethodField()

    class Meta:
        model = Clip
        fields = ["id", "video", "source", "kind", "emotion", "intensity", "start", "end",
                  "original_start", "original_end", "pending_start", "pending_end",
                  "edit_error", "aspect", "captions", "status", "error", "duration",
                  "size_bytes", "created_at", "file_url", "thumbnail_url", "download_url",
                  "subtitles_url"]
        read_only_fields = fields

    def _url(self, clip: Clip, name: str) -> str | None:
        if clip.status != Clip.Status.READY:
            return None
        request = self.context.get("request")
        path = reverse(name, args=[clip.pk])
        return request.build_absolute_uri(path) if request else path

    def get_file_url(self, clip) -> str | None:
        return self._url(clip, "clip_file")

    def get_thumbnail_url(self, clip) -> str | None:
        return self._url(clip, "clip_thumbnail")

    def get_download_url(self, clip) -> str | None:
        return self._url(clip, "api_clip_download")

    def get_subtitles_url(self, clip) -> str | None:
        """The clip's captions as .srt (clip time), when its source has captions."""
        if not hasattr(clip.source, "caption_track"):
            return None
        from django.urls import reverse

        request = self.context.get("request")
        path = reverse("api_clip_subtitles", args=[clip.pk])
        return request.build_absolute_uri(path) if request else path

    def get_video(self, clip) -> int | None:
        moment = clip.moment
        if moment is None:
            return None
        if moment.video_id:
            return moment.video_id
        return moment.session.video_id if moment.session_id else None


class ClipListView(ListAPIView):
    """Your clips, newest first. Filter with ?emotion=happy, ?kind=comments, ?video=<id>."""

    serializer_class = ClipSerializer

    @extend_schema(parameters=[
        OpenApiParameter("emotion", str), OpenApiParameter("kind", str),
        OpenApiParameter("video", int), OpenApiParameter("session", int)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        clips = selectors.clips_for_user(user=self.request.user).select_related(
            "moment", "moment__session")
        params = self.request.query_params
        if params.get("emotion"):
            clips = clips.filter(emotion=params["emotion"])
        if params.get("kind"):
            clips = clips.filter(kind=params["kind"])
        # Anything but an id the column can hold matches nothing (no overflow, no int() of
        # "²", which passes str.isdigit).
        for name, field in (("video", "moment__video_id"), ("session", "moment__session_id")):
            if params.get(name):
                pk = parse_id(params[name])
                clips = clips.filter(**{field: pk}) if pk is not None else clips.none()
        return clips


class ClipDetailView(APIView):
    @extend_schema(responses=ClipSerializer)
    def get(self, request, pk: int):
        clip = selectors.get_clip_for_user(request.user, pk)
        return Response(ClipSerializer(clip, context={"request": request}).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        rendering.clip_delete(clip=selectors.get_clip_for_user(request.user, pk))
        return Response(status=204)


class ClipDownloadView(APIView):
    """The clip's mp4 file (supports HTTP Range; with object storage, a redirect to it)."""

    @extend_schema(responses={(200, "video/mp4"): bytes})
    def get(self, request, pk: int):
        clip = selectors.get_clip_for_user(request.user, pk)
        return media_file_response(request._request, selectors.clip_media(clip, "file"),
                                   content_type="video/mp4",
                                   download_name=rendering.clip_download_name(clip))


class ClipSubtitlesView(APIView):
    """The clip's captions as SubRip (.srt), timed from the clip's start; 404 without any."""

    @extend_schema(responses={(200, "application/x-subrip"): str})
    def get(self, request, pk: int):
        clip = selectors.get_clip_for_user(request.user, pk)
        text = rendering.clip_subtitles(clip)
        if not text:
            raise Http404("This clip has no captions")
        response = HttpResponse(text, content_type="application/x-subrip; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="{rendering.clip_download_name(clip, ".srt")}"')
        return response


class ClipCaptionsSerializer(serializers.Serializer):
    captions = serializers.BooleanField()


class ClipCaptionsView(APIView):
    """Switch burned-in captions on or off; the clip is rendered again (status "pending")."""

    @extend_schema(request=ClipCaptionsSerializer, responses=ClipSerializer)
    def post(self, request, pk: int):
        clip = selectors.get_clip_for_user(request.user, pk)
        data = ClipCaptionsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rendering.clip_set_captions(clip=clip, captions=data.validated_data["captions"])
        return Response(ClipSerializer(clip, context={"request": request}).data)


class MomentSerializer(serializers.ModelSerializer):
    """Schema of a moment; the data itself is `Moment.as_data` (one shape everywhere)."""

    clip = serializers.IntegerField(allow_null=True, help_text="the visible clip's id")

    class Meta:
        model = Moment
        fields = [*Moment.API_FIELDS, "clip"]
        read_only_fields = fields

    def to_representation(self, instance: Moment) -> dict:
        return instance.as_data()


class VideoMomentsView(ListAPIView):
    """The comment moments of one of your videos, best first."""

    serializer_class = MomentSerializer
    pagination_class = None

    def get_queryset(self):
        video = get_video_for_user(self.request.user, self.kwargs["pk"])
        return video.moments.comment_moments().with_clips()


# --- trim and extend -----------------------------------------------------------------------

class ClipRangeSerializer(serializers.Serializer):
    start = serializers.FloatField(help_text="seconds in the source video")
    end = serializers.FloatField(help_text=f"seconds; the clip is {Clip.MIN_SECONDS:.0f}–"
                                           f"{Clip.MAX_SECONDS:.0f} s long, inside the video")


class ClipEditResponseSerializer(serializers.Serializer):
    clip = ClipSerializer()
    job = JobSerializer()


def _edit_response(request, clip: Clip, job) -> Response:
    clip.refresh_from_db()
    return Response({"clip": ClipSerializer(clip, context={"request": request}).data,
                     "job": JobSerializer(job).data}, status=status.HTTP_202_ACCEPTED)


class ClipRangeView(APIView):
    @extend_schema(request=ClipRangeSerializer, responses={202: ClipEditResponseSerializer})
    def post(self, request, pk: int):
        """Trim or extend: re-cut the clip over [start, end] of the source. The current file
        stays (and `file_url` keeps working) until the job stores the new one; meanwhile
        `pending_start`/`pending_end` say what is being rendered."""
        clip = selectors.get_clip_for_user(request.user, pk)
        data = ClipRangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = editing.clip_rerender_start(clip=clip, user=request.user,
                                          start=data.validated_data["start"],
                                          end=data.validated_data["end"])
        return _edit_response(request, clip, job)


class ClipResetView(APIView):
    @extend_schema(request=None, responses={202: ClipEditResponseSerializer})
    def post(self, request, pk: int):
        """Back to the window the clip was first made with (`original_start`–`original_end`)."""
        clip = selectors.get_clip_for_user(request.user, pk)
        return _edit_response(request, clip, editing.clip_reset_start(clip=clip, user=request.user))


# --- share links -----------------------------------------------------------------------------

class ShareLinkSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = ShareLink
        fields = ["token", "url", "created_at", "view_count"]
        read_only_fields = fields

    def get_url(self, link: ShareLink) -> str:
        request = self.context.get("request")
        path = reverse("share_page", args=[link.token])
        return request.build_absolute_uri(path) if request else path


class ClipShareView(APIView):
    def _live(self, clip: Clip) -> ShareLink | None:
        return ShareLink.objects.filter(clip=clip, revoked_at__isnull=True).first()

    @extend_schema(responses={200: ShareLinkSerializer, 404: None})
    def get(self, request, pk: int):
        """The clip's live share link (404 when it has none)."""
        link = self._live(selectors.get_clip_for_user(request.user, pk))
        if link is None:
            return Response({"message": "Not shared", "extra": {}}, status=404)
        return Response(ShareLinkSerializer(link, context={"request": request}).data)

    @extend_schema(request=None, responses={201: ShareLinkSerializer})
    def post(self, request, pk: int):
        """Make the clip public behind an unguessable link (asking again returns the same)."""
        link = sharing.share_link_create(clip=selectors.get_clip_for_user(request.user, pk))
        return Response(ShareLinkSerializer(link, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        """Revoke: the link answers 404 from now on."""
        sharing.share_links_revoke(clip=selectors.get_clip_for_user(request.user, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PublicClipSerializer(serializers.Serializer):
    title = serializers.CharField()
    start = serializers.FloatField()
    end = serializers.FloatField()
    duration = serializers.FloatField(allow_null=True)
    why = serializers.CharField()
    quotes = serializers.ListField(child=serializers.DictField(), help_text=(
        "comment quotes with their authors, only for comments public on YouTube"))
    video_url = serializers.URLField()
    poster_url = serializers.URLField()
    page_url = serializers.URLField()
    view_count = serializers.IntegerField()


class PublicShareView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [AnonRateThrottle]

    @extend_schema(responses=PublicClipSerializer, auth=[])
    def get(self, request, token: str):
        """A shared clip, for anyone with the token (404 once revoked or taken down)."""
        link = selectors.get_live_share_link(token)
        page = selectors.share_page(link=link)
        absolute = request.build_absolute_uri
        return Response({
            "title": page["title"], "start": link.clip.start, "end": link.clip.end,
            "duration": link.clip.duration, "why": page["why"], "quotes": page["quotes"],
            "video_url": absolute(reverse("share_file", args=[token])),
            "poster_url": absolute(reverse("share_poster", args=[token])),
            "page_url": absolute(reverse("share_page", args=[token])),
            "view_count": link.view_count})


class ReportSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Report.Reason.choices)
    details = serializers.CharField(required=False, allow_blank=True,
                                    max_length=Report.MAX_DETAILS)


class ShareReportView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle, UserRateThrottle]

    @extend_schema(request=ReportSerializer, responses={201: None}, auth=[])
    def post(self, request, token: str):
        """Report a shared clip to the moderators, with a reason."""
        link = selectors.get_live_share_link(token)
        data = ReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not sharing.report_allowed(address=client_address(request)):
            raise Throttled(wait=sharing.REPORT_WINDOW_SECONDS)
        sharing.report_create(link=link, reason=data.validated_data["reason"],
                              details=data.validated_data.get("details", ""),
                              reporter=request.user if request.user.is_authenticated else None)
        return Response({"message": "Thank you: a moderator will look at it."},
                        status=status.HTTP_201_CREATED)


# --- reels -----------------------------------------------------------------------------------

class ReelSerializer(serializers.ModelSerializer):
    file_url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Reel
        fields = ["id", "title", "order", "title_cards", "aspect", "captions", "items", "status",
                  "error",
                  "duration", "size_bytes", "created_at", "file_url", "download_url"]
        read_only_fields = fields

    def _url(self, reel: Reel, name: str) -> str | None:
        if reel.status != Reel.Status.READY:
            return None
        request = self.context.get("request")
        path = reverse(name, args=[reel.pk])
        return request.build_absolute_uri(path) if request else path

    def get_file_url(self, reel) -> str | None:
        return self._url(reel, "reel_file")

    def get_download_url(self, reel) -> str | None:
        return self._url(reel, "api_reel_download")


class ReelCreateSerializer(serializers.Serializer):
    # Ids are bounded like the database column: a 20-digit number is a 400, not an overflow.
    clips = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
                                  min_length=1,
                                  max_length=Reel.MAX_ITEMS,
                                  help_text=f"your ready clips' ids, at most {Reel.MAX_ITEMS}, "
                                            f"{Reel.MAX_SECONDS:.0f} s in all")
    order = serializers.ChoiceField(choices=Reel.Order.choices, default=Reel.Order.TIME)
    title_cards = serializers.BooleanField(default=False)
    aspect = serializers.ChoiceField(choices=render.ASPECTS, default="source")
    captions = serializers.BooleanField(
        default=False, help_text="burn each source's captions in, where it has a caption track")
    title = serializers.CharField(required=False, allow_blank=True, max_length=120)


class ReelListView(APIView):
    @extend_schema(responses=ReelSerializer(many=True))
    def get(self, request):
        """Your highlight reels, newest first."""
        reels_ = selectors.reels_for_user(user=request.user)
        return Response(ReelSerializer(reels_, many=True, context={"request": request}).data)

    @extend_schema(request=ReelCreateSerializer, responses={202: ReelSerializer})
    def post(self, request):
        """Make a reel of chosen clips; a job renders it (`job` in the answer)."""
        data = ReelCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        ids = list(dict.fromkeys(values["clips"]))
        clips = list(selectors.clips_for_user(user=request.user).filter(pk__in=ids)
                     .select_related("moment", "source"))
        if len(clips) != len(ids):
            raise ApplicationError("No such clip.", {"field": "clips", "missing": sorted(
                set(ids) - {c.pk for c in clips})})
        order = {pk: i for i, pk in enumerate(ids)}
        clips.sort(key=lambda c: order[c.pk])
        reel = reels.reel_create(user=request.user, clips=clips, order=values["order"],
                                 title_cards=values["title_cards"], aspect=values["aspect"],
                                 title=values.get("title", ""), captions=values["captions"])
        body = ReelSerializer(reel, context={"request": request}).data
        job = latest_job(user=request.user, target=f"reel:{reel.pk}")
        body["job"] = JobSerializer(job).data if job else None
        return Response(body, status=status.HTTP_202_ACCEPTED)


class ReelDetailView(APIView):
    @extend_schema(responses=ReelSerializer)
    def get(self, request, pk: int):
        reel = selectors.get_reel_for_user(request.user, pk)
        return Response(ReelSerializer(reel, context={"request": request}).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        reels.reel_delete(reel=selectors.get_reel_for_user(request.user, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReelDownloadView(APIView):
    @extend_schema(responses={(200, "video/mp4"): bytes})
    def get(self, request, pk: int):
        reel = selectors.get_reel_for_user(request.user, pk)
        return media_file_response(request._request, selectors.reel_media(reel),
                                   content_type="video/mp4",
                                   download_name=reels.reel_download_name(reel))


# --- exports ---------------------------------------------------------------------------------

class VideoExportView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("fmt", str, OpenApiParameter.PATH,
                                     enum=list(selectors.EXPORT_FORMATS)),
                    OpenApiParameter("kind", str, enum=["comments", "emotion"],
                                     description="only one kind of moment (default: both)")],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk: int, fmt: str):
        """The video's moments as `srt` markers, `fcpxml` (Final Cut Pro, DaVinci Resolve),
        `edl` (CMX3600), `mlt` (Kdenlive, Shotcut, melt) or `json` (moments.json): each moment
        a clip of the source on one timeline, in time order."""
        video = get_video_for_user(request.user, pk)
        text, name, content_type = selectors.video_export_text(
            video=video, user=request.user, fmt=fmt, kind=request.query_params.get("kind", ""))
        response = HttpResponse(text.encode("utf-8"), content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
