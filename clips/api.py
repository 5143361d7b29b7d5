from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from common.http_range import media_file_response
from videos.selectors import get_video_for_user

from . import selectors
from .models import Clip, Moment
from .services import rendering


class ClipSerializer(serializers.ModelSerializer):
    file_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    video = serializers.SerializerMethodField()

    class Meta:
        model = Clip
        fields = ["id", "video", "source", "kind", "emotion", "intensity", "start", "end",
                  "aspect", "status", "error", "duration", "size_bytes", "created_at",
                  "file_url", "thumbnail_url", "download_url"]
        read_only_fields = fields

    def _url(self, clip: Clip, name: str) -> str | None:
        if clip.status != Clip.Status.READY:
            return None
        from django.urls import reverse

        request = self.context.get("request")
        path = reverse(name, args=[clip.pk])
        return request.build_absolute_uri(path) if request else path

    def get_file_url(self, clip) -> str | None:
        return self._url(clip, "clip_file")

    def get_thumbnail_url(self, clip) -> str | None:
        return self._url(clip, "clip_thumbnail")

    def get_download_url(self, clip) -> str | None:
        return self._url(clip, "api_clip_download")

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
        if params.get("video", "").isdigit():
            clips = clips.filter(moment__video_id=int(params["video"]))
        if params.get("session", "").isdigit():
            clips = clips.filter(moment__session_id=int(params["session"]))
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
