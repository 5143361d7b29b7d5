"""Clip options (top_k, seconds before/after, aspect): the add form, the API serializer and the
services take their defaults and bounds from videos.options, so changing a setting changes all."""

import pytest
from django.urls import reverse

from common.errors import ApplicationError
from videos.api import VideoCreateSerializer
from videos.forms import AddVideoForm
from videos.options import SECONDS_AROUND, TOP_K, VideoOptions


@pytest.fixture
def site_defaults(settings):
    settings.TOP_MOMENTS, settings.CLIP_BEFORE_SECONDS, settings.CLIP_AFTER_SECONDS = 7, 4, 12


def test_the_add_form_offers_the_site_defaults(site_defaults):
    form = AddVideoForm()
    initial = {name: form.get_initial_for_field(form.fields[name], name)
               for name in ("top_k", "clip_before", "clip_after", "aspect")}
    assert initial == {"top_k": 7, "clip_before": 4, "clip_after": 12, "aspect": "source"}
    assert VideoOptions.from_data({}).as_fields() == {
        "top_k": 7, "clip_before": 4, "clip_after": 12, "aspect": "source", "captions": False}


@pytest.mark.django_db
def test_the_add_page_shows_the_site_defaults(site_defaults, alice_client):
    page = alice_client.get(reverse("video_add")).content.decode()
    assert 'name="top_k" value="7"' in page and 'name="clip_after" value="12"' in page


def test_form_serializer_and_services_share_the_bounds():
    too_many = {"top_k": TOP_K.high + 1, "clip_before": 3, "clip_after": 3}
    form = AddVideoForm(data={**too_many, "url": "https://youtu.be/dQw4w9WgXcQ",
                              "aspect": "source"})
    assert not form.is_valid() and "top_k" in form.errors
    serializer = VideoCreateSerializer(data={**too_many, "url": "https://youtu.be/dQw4w9WgXcQ"})
    assert not serializer.is_valid() and "top_k" in serializer.errors
    with pytest.raises(ApplicationError) as info:
        VideoOptions.from_data(too_many)
    assert info.value.extra == {"field": "top_k"}
    edge = {"top_k": TOP_K.high, "clip_before": SECONDS_AROUND.high, "clip_after": 3}
    assert VideoOptions.from_data(edge).top_k == TOP_K.high
