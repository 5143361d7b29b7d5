"""REST API for a user's videos (mobile apps; the same services as the pages)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from fusion import heatmap_series
from jobs.api import JobSerializer

from . import selectors, services
from .models import Video
from .options import ASPECTS, SECONDS_AROUND, TOP_K, VideoOptions


class VideoSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="source.title")
    kind = serializers.CharField(source="source.kind")
    youtube_id = serializers.CharField(source="source.youtube_id", allow_null=True)
    duration = serializers.FloatField(source="source.duration", allow_null=True)
    thumbnail_url = serializers.CharField(source="source.thumbnail_url")
    comments_status = serializers.CharField(source="source.comments_status")
    comments_error = serializers.SerializerMethodField()
    file_status = serializers.CharField(source="source.file_status")
    caption_cues = serializers.JSONField(source="source.caption_cues")
    no_moments_message = serializers.SerializerMethodField()

    class Meta:
        model = Video
        fields = ["id", "title", "kind", "youtube_id", "duration", "thumbnail_url", "status",
                  "error", "no_moments_reason", "no_moments_message", "comments_status",
                  "comments_error", "file_status", "top_k", "clip_before", "clip_after",
                  "aspect", "captions", "caption_cues", "created_at"]
        read_only_fields = fields

    def get_no_moments_message(self, video) -> str:
        return video.get_no_moments_reason_display() if video.no_moments_reason else ""

    def get_comments_error(self, video) -> str:
        return services.youtube_error_text(video.source.comments_error)


class VideoDetailSerializer(VideoSerializer):
    """One video with what its page draws: the per-second mentions, the heatmap, moments
    (the list leaves these out: they are the bulk of a video's data)."""

    heatmap = serializers.JSONField(source="source.heatmap")
    moments = serializers.SerializerMethodField()
    crowd = serializers.SerializerMethodField()

    class Meta(VideoSerializer.Meta):
        fields = [*VideoSerializer.Meta.fields, "heatmap", "mention_histogram", "moments",
                  "crowd"]
        read_only_fields = fields

    def get_moments(self, video) -> list[dict]:
        # Moments are `clips`' records, read through the reverse relation (see Moment.as_data).
        source = video.source
        crowd = selectors.crowd_of(source)
        heat = heatmap_series(source.heatmap, duration=source.duration)
        return [{**m.as_data(), "agreement": selectors.moment_agreement(
                    moment=m, heat=heat, crowd=crowd)}
                for m in video.moments.comment_moments().with_clips()]

    def get_crowd(self, video) -> dict | None:
        """The crowd timeline as the page shows it: per second, ``null`` below k viewers."""
        crowd = selectors.crowd_of(video.source)
        if crowd is None:
            return None
        return {"min_viewers": crowd.min_viewers, "viewers": crowd.viewers,
                "shares": crowd.shares, "attention": crowd.attention}


class VideoCreateSerializer(serializers.Serializer):
    url = serializers.CharField(required=False, allow_blank=True, max_length=500)
    file = serializers.FileField(required=False)
    comments_file = serializers.FileField(required=False)
    title = serializers.CharField(required=False, allow_blank=True, max_length=300)
    top_k = serializers.IntegerField(required=False, min_value=TOP_K.low, max_value=TOP_K.high)
    clip_before = serializers.IntegerField(required=False, min_value=SECONDS_AROUND.low,
                                           max_value=SECONDS_AROUND.high)
    clip_after = serializers.IntegerField(required=False, min_value=SECONDS_AROUND.low,
                                          max_value=SECONDS_AROUND.high)
    aspect = serializers.ChoiceField(choices=ASPECTS, required=False)
    captions = serializers.BooleanField(required=False, default=False)

    def validate(self, data):
        if bool(data.get("url")) == bool(data.get("file")):
            raise serializers.ValidationError("Send either `url` or `file` (one of the two).")
        return data



class VideoListView(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(responses=VideoSerializer(many=True))
    def get(self, request):
        """Your videos, newest first, a page at a time (`?page=`; `next`/`previous` links).
        A video's moments, mention histogram and heatmap are in its detail."""
        paginator = PageNumberPagination()
        videos = selectors.videos_for_user(user=request.user).order_by("-created_at", "-id")
        page = paginator.paginate_queryset(videos, request, view=self)
        return paginator.get_paginated_response(VideoSerializer(page, many=True).data)

    @extend_schema(request=VideoCreateSerializer, responses={202: VideoSerializer})
    def post(self, request):
        """Add a YouTube URL or upload a video (multipart), optionally with a comments file.
        Returns the video and the job that finds its moments and renders the clips."""
        data = VideoCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        options = VideoOptions.from_data(values)
        if values.get("url"):
            video, job = services.video_add_from_url(
                user=request.user, url=values["url"], comments_file=values.get("comments_file"),
                options=options)
        else:
            video, job = services.video_add_from_upload(
                user=request.user, upload=values["file"], title=values.get("title", ""),
                comments_file=values.get("comments_file"), options=options)
        body = VideoSerializer(video).data
        body["job"] = JobSerializer(job).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


class VideoDetailView(APIView):
    @extend_schema(responses=VideoDetailSerializer)
    def get(self, request, pk: int):
        video = selectors.get_video_for_user(request.user, pk)
        return Response(VideoDetailSerializer(video).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        services.video_delete(video=selectors.get_video_for_user(request.user, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class VideoRetryView(APIView):
    @extend_schema(request=None, responses={202: JobSerializer})
    def post(self, request, pk: int):
        """Run the pipeline again (e.g. after a quota or network failure)."""
        job = services.video_reprocess(video=selectors.get_video_for_user(request.user, pk))
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
