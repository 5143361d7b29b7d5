from django import forms
from django.utils.translation import gettext_lazy as _

from .options import ASPECT_LABELS, ASPECTS, SECONDS_AROUND, TOP_K, VideoOptions


class AddVideoForm(forms.Form):
    url = forms.CharField(
        label=_("YouTube link"), required=False, max_length=500,
        widget=forms.TextInput(attrs={"placeholder": "https://www.youtube.com/watch?v=…",
                                      "inputmode": "url", "autocomplete": "off"}),
    )
    file = forms.FileField(
        label=_("…or upload a video file"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "video/*"}),
    )
    comments_file = forms.FileField(
        label=_("Comments file (optional)"), required=False,
        help_text=_("JSON lines, JSON or CSV — e.g. from youtube-comment-downloader or saved "
                    "YouTube API responses. Needed for your own uploads."),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.jsonl,.csv,.txt"}),
    )
    top_k = forms.IntegerField(label=_("Moments"), min_value=TOP_K.low, max_value=TOP_K.high,
                               initial=lambda: VideoOptions.default().top_k)
    clip_before = forms.IntegerField(
        label=_("Seconds before"), min_value=SECONDS_AROUND.low, max_value=SECONDS_AROUND.high,
        initial=lambda: VideoOptions.default().clip_before)
    clip_after = forms.IntegerField(
        label=_("Seconds after"), min_value=SECONDS_AROUND.low, max_value=SECONDS_AROUND.high,
        initial=lambda: VideoOptions.default().clip_after)
    aspect = forms.ChoiceField(label=_("Clip shape"), choices=[
        (name, ASPECT_LABELS.get(name, name)) for name in ASPECTS],
        initial=lambda: VideoOptions.default().aspect)
    captions = forms.BooleanField(
        label=_("Burn in captions"), required=False,
        help_text=_("YouTube's own captions (or the caption file you add to an upload), "
                    "large and readable on phones."))

    def clean(self):
        data = super().clean()
        if bool(data.get("url")) == bool(data.get("file")):
            raise forms.ValidationError(_("Paste a YouTube link or choose a video file (one of "
                                          "the two)."))
        return data


class CaptionFileForm(forms.Form):
    caption_file = forms.FileField(
        label=_("Caption file"), help_text=_(".srt or .vtt, UTF-8, at most 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".srt,.vtt"}))
