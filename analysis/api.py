"""REST API for watch sessions (mobile apps stream frames over the socket or upload samples)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from common.errors import ApplicationError
from emotion.samples import validate_sample
from jobs.api import JobSerializer
from videos.selectors import get_video_for_user

from . import selectors, services
from .models import WatchSession

# --- watch sessions (mobile apps) ---------------------------------------------------------------

MAX_SAMPLES_PER_BATCH = 2000


class SessionSerializer(serializers.ModelSerializer):
    video = serializers.IntegerField(source="video_id")
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
        # Moments are `clips`' records, read through the reverse relation (see Moment.as_data).
        return [m.as_data() for m in session.moments.with_clips()]


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
        video = get_video_for_user(request.user, pk)
        session = services.session_start(user=request.user, video=video)
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
        duration = session.video.source.duration
        parsed = []
        for index, raw in enumerate(data.validated_data["samples"]):
            try:
                parsed.append(validate_sample(raw, duration=duration))
            except ValueError as exc:
                raise ApplicationError(f"Sample {index}: {exc}", {"index": index}) from exc
        allowance = services.session_sample_allowance(session=session)
        held = session.samples.count()
        if held + len(parsed) > allowance:
            raise ApplicationError(
                _("This session already holds %(held)d of the %(allowance)d samples its video "
                  "allows.") % {"held": held, "allowance": allowance},
                {"held": held, "allowance": allowance})
        stored = services.session_add_samples(session_id=session.pk, samples=parsed)
        return Response({"stored": stored}, status=status.HTTP_201_CREATED)


class ReactionUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="the recording of the viewer's face (any video file)")
    offset = serializers.FloatField(
        default=0.0, help_text="seconds into the recording at which the source video started "
                               "(negative when the recording began after it)")


class SessionReactionView(APIView):
    @extend_schema(request={"multipart/form-data": ReactionUploadSerializer},
                   responses={202: JobSerializer})
    def post(self, request, pk: int):
        """Upload a recorded reaction video instead of streaming ("I watched this with my
        camera recording"). A job reads it exactly as the live socket reads frames (same rate,
        size, face tracking, attention), deletes the recording, and finishes the session into
        the same galleries."""
        session = selectors.get_session_for_user(request.user, pk)
        data = ReactionUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = services.session_add_reaction(session=session, upload=data.validated_data["file"],
                                            offset=data.validated_data["offset"])
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class SessionFinishView(APIView):
    @extend_schema(request=None, responses={202: JobSerializer})
    def post(self, request, pk: int):
        """Finish the session: a job finds the strongest moments and renders the clips."""
        job = services.session_finish(session=selectors.get_session_for_user(request.user, pk))
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
