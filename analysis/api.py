"""REST API for videos and their moments (mobile apps; same services as the pages)."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from jobs.api import JobSerializer
from jobs.services import ApplicationError

from . import selectors, services
from .models import LibraryVideo, Moment, WatchSession


class MomentSerializer(serializers.ModelSerializer):
    clip = serializers.SerializerMethodField()

    class Meta:
        model = Moment
        fields = ["id", "kind", "rank", "peak", "start", "end", "score", "emotion", "intensity",
                  "evidence", "clip"]
        read_only_fields = fields

    def get_clip(self, moment) -> int | None:
        clip = getattr(moment, "clip", None)
        return clip.pk if clip is not None and not clip.hidden else None


class VideoSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="source.title")
    kind = serializers.CharField(source="source.kind")
    youtube_id = serializers.CharField(source="source.youtube_id", allow_null=True)
    duration = serializers.FloatField(source="source.duration", allow_null=True)
    thumbnail_url = serializers.CharField(source="source.thumbnail_url")
    heatmap = serializers.JSONField(source="source.heatmap")
    comments_status = serializers.CharField(source="source.comments_status")
    comments_error = serializers.CharField(source="source.comments_error")
    file_status = serializers.CharField(source="source.file_status")
    no_moments_message = serializers.SerializerMethodField()

    class Meta:
        model = LibraryVideo
        fields = ["id", "title", "kind", "youtube_id", "duration", "thumbnail_url", "status",
                  "error", "no_moments_reason", "no_moments_message", "comments_status",
                  "comments_error", "file_status", "top_k", "clip_before", "clip_after",
                  "aspect", "heatmap", "mention_histogram", "created_at"]
        read_only_fields = fields

    def get_no_moments_message(self, entry) -> str:
        return services.no_moments_message(entry.no_moments_reason)


class VideoDetailSerializer(VideoSerializer):
    moments = serializers.SerializerMethodField()

    class Meta(VideoSerializer.Meta):
        fields = [*VideoSerializer.Meta.fields, "moments"]
        read_only_fields = fields

    def get_moments(self, entry) -> list[dict]:
        moments = entry.moments.filter(kind=Moment.Kind.COMMENTS).select_related("clip")
        return MomentSerializer(moments, many=True).data


class VideoCreateSerializer(serializers.Serializer):
    url = serializers.CharField(required=False, allow_blank=True, max_length=500)
    file = serializers.FileField(required=False)
    comments_file = serializers.FileField(required=False)
    title = serializers.CharField(required=False, allow_blank=True, max_length=300)
    top_k = serializers.IntegerField(required=False, min_value=1, max_value=20)
    clip_before = serializers.IntegerField(required=False, min_value=0, max_value=120)
    clip_after = serializers.IntegerField(required=False, min_value=0, max_value=120)
    aspect = serializers.ChoiceField(choices=services.ASPECTS, required=False)

    def validate(self, data):
        if bool(data.get("url")) == bool(data.get("file")):
            raise serializers.ValidationError("Send either `url` or `file` (one of the two).")
        return data



class VideoListView(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(responses=VideoSerializer(many=True))
    def get(self, request):
        """Your videos, newest first."""
        entries = selectors.library_for_user(user=request.user)
        return Response(VideoSerializer(entries, many=True).data)

    @extend_schema(request=VideoCreateSerializer, responses={202: VideoSerializer})
    def post(self, request):
        """Add a YouTube URL or upload a video (multipart), optionally with a comments file.
        Returns the video and the job that finds its moments and renders the clips."""
        data = VideoCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        defaults = services.VideoOptions.default()
        options = services.VideoOptions(
            top_k=values.get("top_k", defaults.top_k),
            clip_before=values.get("clip_before", defaults.clip_before),
            clip_after=values.get("clip_after", defaults.clip_after),
            aspect=values.get("aspect", defaults.aspect),
        )
        if values.get("url"):
            entry, job = services.video_add_from_url(
                user=request.user, url=values["url"], comments_file=values.get("comments_file"),
                options=options)
        else:
            entry, job = services.video_add_from_upload(
                user=request.user, upload=values["file"], title=values.get("title", ""),
                comments_file=values.get("comments_file"), options=options)
        body = VideoSerializer(entry).data
        body["job"] = JobSerializer(job).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


class VideoDetailView(APIView):
    @extend_schema(responses=VideoDetailSerializer)
    def get(self, request, pk: int):
        entry = selectors.get_entry_for_user(request.user, pk)
        return Response(VideoDetailSerializer(entry).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        services.entry_delete(entry=selectors.get_entry_for_user(request.user, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class VideoRetryView(APIView):
    @extend_schema(request=None, responses={202: JobSerializer})
    def post(self, request, pk: int):
        """Run the pipeline again (e.g. after a quota or network failure)."""
        job = services.entry_reprocess(entry=selectors.get_entry_for_user(request.user, pk))
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class VideoMomentsView(ListAPIView):
    serializer_class = MomentSerializer
    pagination_class = None

    def get_queryset(self):
        entry = selectors.get_entry_for_user(self.request.user, self.kwargs["pk"])
        return entry.moments.filter(kind=Moment.Kind.COMMENTS).select_related("clip")



# --- watch sessions (mobile apps) ---------------------------------------------------------------

MAX_SAMPLES_PER_BATCH = 2000


class SessionSerializer(serializers.ModelSerializer):
    video = serializers.IntegerField(source="entry_id")
    websocket_url = serializers.SerializerMethodField()

    class Meta:
        model = WatchSession
        fields = ["id", "video", "status", "error", "capture_fps", "frames_received",
                  "frames_dropped", "started_at", "finished_at", "websocket_url"]
        read_only_fields = fields

    def get_websocket_url(self, session) -> str:
        return f"/ws/sessions/{session.pk}/"


class SessionDetailSerializer(SessionSerializer):
    moments = serializers.SerializerMethodField()

    class Meta(SessionSerializer.Meta):
        fields = [*SessionSerializer.Meta.fields, "moments"]
        read_only_fields = fields

    def get_moments(self, session) -> list[dict]:
        return MomentSerializer(session.moments.select_related("clip"), many=True).data


class SessionCreateSerializer(serializers.Serializer):
    consent = serializers.BooleanField(
        help_text="Must be true: the viewer agreed that frames are analysed (on the device or "
                  "the server) and only emotion scores are kept.")

    def validate_consent(self, value):
        if not value:
            raise serializers.ValidationError("The viewer's consent is required.")
        return value


class SamplesSerializer(serializers.Serializer):
    samples = serializers.ListField(
        child=serializers.DictField(), allow_empty=False, max_length=MAX_SAMPLES_PER_BATCH,
        help_text='[{"t": 12.5, "probabilities": {"happy": .7, "sad": .05, "angry": .05, '
                  '"neutral": .15, "surprise": .05}, "attention": .9, "face_found": true}, ...]')


class VideoSessionsView(APIView):
    @extend_schema(request=SessionCreateSerializer, responses={201: SessionSerializer})
    def post(self, request, pk: int):
        """Start a watch session on one of your ready videos. Then either stream frames over
        the WebSocket (token auth) or upload samples computed on the device."""
        SessionCreateSerializer(data=request.data).is_valid(raise_exception=True)
        entry = selectors.get_entry_for_user(request.user, pk)
        session = services.session_start(user=request.user, entry=entry)
        return Response(SessionSerializer(session).data, status=status.HTTP_201_CREATED)


class SessionListView(ListAPIView):
    serializer_class = SessionSerializer

    def get_queryset(self):
        return selectors.sessions_for_user(user=self.request.user)


class SessionDetailView(APIView):
    @extend_schema(responses=SessionDetailSerializer)
    def get(self, request, pk: int):
        return Response(SessionDetailSerializer(
            selectors.get_session_for_user(request.user, pk)).data)


class SessionSamplesView(APIView):
    @extend_schema(request=SamplesSerializer,
                   responses={201: inline_serializer("SamplesStored",
                                                     {"stored": serializers.IntegerField()})})
    def post(self, request, pk: int):
        """Upload a batch of pre-computed samples (all or nothing: one bad sample rejects the
        batch, naming it)."""
        session = selectors.get_session_for_user(request.user, pk)
        if session.status != WatchSession.Status.ACTIVE:
            raise ApplicationError("This session is already finished.")
        data = SamplesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        duration = session.entry.source.duration
        parsed = []
        for index, raw in enumerate(data.validated_data["samples"]):
            try:
                parsed.append(services.validate_sample(raw, duration=duration))
            except ValueError as exc:
                raise ApplicationError(f"Sample {index}: {exc}", {"index": index}) from exc
        stored = services.session_add_samples(session_id=session.pk, samples=parsed)
        return Response({"stored": stored}, status=status.HTTP_201_CREATED)


class SessionFinishView(APIView):
    @extend_schema(request=None, responses={202: JobSerializer})
    def post(self, request, pk: int):
        """Finish the session: a job finds the strongest moments and renders the clips."""
        job = services.session_finish(session=selectors.get_session_for_user(request.user, pk))
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
