"""Issue 15: a 16:9 camera, a face that reads sad and then happy — the page sends frames in the
camera's own aspect (not stretched to 4:3), and the session yields a sad clip in the sad part
and a happy clip in the happy part.

The fake camera plays real faces that a registry package ships (scikit-image's LFW sample), not
a recording of one person crying and then laughing: no registry package ships such a video.
LFW 65 is the face the engine reads as the saddest (sad 0.89), LFW 94 as happy (1.00).
"""

from __future__ import annotations

import re
import subprocess

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.media import make_video

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SAD_SECONDS, HAPPY_SECONDS = 9, 10


def wide_frame(image: np.ndarray, path, size: int = 560) -> None:
    canvas = Image.new("RGB", (1280, 720), (128, 128, 128))
    face = Image.fromarray(image).convert("RGB").resize((size, size), Image.BICUBIC)
    canvas.paste(face, ((1280 - size) // 2, (720 - size) // 2))
    canvas.save(path)


@pytest.fixture(scope="module")
def wide_camera(tmp_path_factory):
    from skimage import data

    folder = tmp_path_factory.mktemp("wide-camera")
    faces = data.lfw_subset()
    wide_frame((faces[65] * 255).astype(np.uint8), folder / "sad.png")
    wide_frame((faces[94] * 255).astype(np.uint8), folder / "happy.png")
    out = folder / "camera.y4m"
    subprocess.run([
        imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y",
        "-loop", "1", "-t", str(SAD_SECONDS), "-i", str(folder / "sad.png"),
        "-loop", "1", "-t", str(HAPPY_SECONDS), "-i", str(folder / "happy.png"),
        "-filter_complex", "[0][1]concat=n=2:v=1:a=0,fps=8,format=yuv420p",
        str(out)], check=True, capture_output=True, timeout=120)
    return out


@pytest.fixture
def wide_page(wide_camera, product, playwright_instance):
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=[
            *CHROMIUM_ARGS, f"--use-file-for-fake-video-capture={wide_camera}",
            "--autoplay-policy=no-user-gesture-required",
        ])
    context = browser.new_context(base_url=product.base_url, locale="en-US",
                                  permissions=["camera"], bypass_csp=True)  # see conftest.page
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()
    browser.close()


def test_wide_camera_sad_then_happy(wide_page, product, tmp_path):
    page = wide_page
    page.goto("/accounts/signup/")
    page.fill("#id_username", "wanda")
    page.fill("#id_password1", "a-long-browser-passphrase-15")
    page.fill("#id_password2", "a-long-browser-passphrase-15")
    page.get_by_role("button", name="Sign up").click()
    # Wait for the signed-in page itself: the sign-up URL also ends in "/", so a URL wait
    # would let the next goto() cancel the form's POST on a busy machine.
    page.wait_for_selector("text=Welcome to Shortory,")

    page.goto("/videos/")
    page.set_input_files("#id_file", str(make_video(tmp_path / "show.mp4", seconds=40)))
    page.get_by_role("button", name="Find the moments").click()
    page.wait_for_url(re.compile(r"/videos/\d+/$"))
    page.get_by_role("link", name="Watch with webcam").click(timeout=60_000)
    page.get_by_role("button", name="I agree — start watching").click()
    page.wait_for_url(re.compile(r"/sessions/\d+/watch/$"))
    session_id = int(re.search(r"/sessions/(\d+)/", page.url).group(1))

    camera = page.evaluate("[camera.videoWidth, camera.videoHeight]")
    assert abs(camera[0] / camera[1] - 16 / 9) < 0.01, camera  # the fake camera is 16:9
    page.wait_for_function("document.getElementById('camera').readyState >= 2")
    page.evaluate("document.getElementById('player').play()")
    page.wait_for_function("Number(document.getElementById('watch').dataset.frames || 0) >= 4")
    assert page.evaluate("document.getElementById('watch').dataset.frameSize") == "427x240"
    page.wait_for_function(
        "document.getElementById('player').currentTime >= 38", timeout=90_000)
    page.get_by_role("button", name="Finish session").click()
    page.wait_for_url(re.compile(r"/sessions/\d+/$"))
    page.wait_for_selector("text=Your strongest moments", timeout=120_000)

    moments = product.query(
        "select emotion, peak from analysis_moment where session_id = ? order by peak",
        (session_id,))
    emotions = {emotion for emotion, _ in moments}
    assert {"sad", "happy"} <= emotions, moments
    # Each is in its own part of the camera's loop (sad for 9 s, then happy for 10 s), wherever
    # the loop stood when the video started: a happy peak is in a stretch of mostly happy
    # samples, a sad one in a stretch of sad ones.
    rows = product.query(
        "select t, sad, happy from analysis_emotionsample where session_id = ? "
        "and face_found = 1 order by t", (session_id,))

    def dominant_near(peak: float) -> str:
        near = [(sad, happy) for t, sad, happy in rows if abs(t - peak) <= 2]
        return "sad" if sum(s for s, _ in near) > sum(h for _, h in near) else "happy"

    for emotion, peak in moments:
        if emotion in ("sad", "happy"):
            assert dominant_near(peak) == emotion, (emotion, peak)
    clips = dict(product.query(
        "select emotion, count(*) from clips_clip where status='ready' and moment_id in "
        "(select id from analysis_moment where session_id = ?) group by emotion", (session_id,)))
    assert clips.get("sad", 0) >= 1 and clips.get("happy", 0) >= 1, clips
