from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services
from .models import Job


class JobSerializer(serializers.ModelSerializer):
    # In the reader's language (the rows keep every language's rendering).
    message = serializers.CharField(source="message_text", read_only=True)
    error = serializers.CharField(source="error_text", read_only=True)

    class Meta:
        model = Job
        fields = [
            "id", "kind", "status", "progress", "message", "error", "target",
            "created_at", "started_at", "finished_at",
        ]
        read_only_fields = fields


class JobListView(ListAPIView):
    """Your jobs, newest first."""

    serializer_class = JobSerializer

    def get_queryset(self):
        return selectors.jobs_for_user(user=self.request.user)


class JobDetailView(APIView):
    @extend_schema(responses=JobSerializer)
    def get(self, request, pk: int):
        return Response(JobSerializer(selectors.get_job_for_user(request.user, pk)).data)


class DemoJobView(APIView):
    """Start a demonstration job that counts to ten, to try live progress (staff only, as on
    the jobs page: each one holds a worker for seconds, so users must not be able to queue
    them)."""

    permission_classes = [IsAdminUser]

    @extend_schema(request=None, responses={202: JobSerializer})
    def post(self, request):
        job = services.demo_job_start(user=request.user)
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
