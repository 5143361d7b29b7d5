"""Issue: a user watches with the webcam, sees the live meter, finishes, and finds an emotion
clip in the right gallery section. Headless Chromium's fake camera plays a file built from
real photos that registry packages ship (scikit-image): an attentive neutral face from its LFW
sample most of the time, then the smiling astronaut — the real models must notice the smile against the viewer's
own baseline."""

from __future__ import annotations

import re
import subprocess

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.helpers import sign_up
from tests.media import make_video

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def face_frame(image: np.ndarray, path, size: int = 440) -> None:
    canvas = Image.new("RGB", (640, 480), (128, 128, 128))
    face = Image.fromarray(image).convert("RGB").resize((size, size), Image.BICUBIC)
    canvas.paste(face, ((640 - size) // 2, (480 - size) // 2))
    canvas.save(path)


@pytest.fixture(scope="module")
def fake_camera(tmp_path_factory):
    from skimage import data

    folder = tmp_path_factory.mktemp("camera")
    # LFW sample 7: the engine reads it as neutral (happy 0.03) and fully attentive.
    calm = (data.lfw_subset()[7] * 255).astype(np.uint8)
    face_frame(calm, folder / "calm.png", size=400)
    # Her head and shoulders, as a webcam frames a viewer (the whole photo makes the face small).
    face_frame(data.astronaut()[0:300, 75:375], folder / "smile.png", size=440)
    out = folder / "camera.y4m"
    subprocess.run([
        imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y",
        "-loop", "1", "-t", "9", "-i", str(folder / "calm.png"),
        "-loop", "1", "-t", "5", "-i", str(folder / "smile.png"),
        "-filter_complex", "[0][1]concat=n=2:v=1:a=0,fps=8,format=yuv420p",
        str(out)], check=True, capture_output=True, timeout=120)
    return out


@pytest.fixture
def camera_page(fake_camera, product, playwright_instance):
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=[
            *CHROMIUM_ARGS, f"--use-file-for-fake-video-capture={fake_camera}",
            "--autoplay-policy=no-user-gesture-required",
        ])
    # bypass_csp: Playwright's wait_for_function evaluates its string predicates with eval,
    # which the site's Content-Security-Policy (rightly) forbids.
    context = browser.new_context(base_url=product.base_url, locale="en-US",
                                  permissions=["camera"], bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()
    browser.close()


def test_watch_with_webcam_to_happy_gallery(camera_page, product, tmp_path):
    page = camera_page
    sign_up(page, "gina")

    page.goto("/videos/")
    page.set_input_files("#id_file", str(make_video(tmp_path / "show.mp4", seconds=45)))
    page.get_by_role("button", name="Find the moments").click()
    page.wait_for_url(re.compile(r"/videos/\d+/$"))
    page.get_by_role("link", name="Watch with webcam").click(timeout=60_000)
    assert "Pictures are never saved" in page.content()
    page.get_by_role("button", name="I agree — start watching").click()
    page.wait_for_url(re.compile(r"/sessions/\d+/watch/$"))

    page.evaluate("document.getElementById('player').play()")
    # The live meter moves: analysis replies arrive for the frames the page sends.
    page.wait_for_function("Number(document.getElementById('watch').dataset.frames || 0) >= 8")
    assert page.locator("#bars .bar-row .val").first.inner_text() != "–"
    # Watch long enough to pass through the smile in the camera loop (9 s calm, 5 s smile).
    page.wait_for_function(
        "document.getElementById('player').currentTime >= 30", timeout=60_000)
    page.get_by_role("button", name="Finish session").click()
    page.wait_for_url(re.compile(r"/sessions/\d+/$"))
    page.wait_for_selector("text=Your strongest moments", timeout=120_000)

    emotions = dict(product.query(
        "select emotion, count(*) from clips_clip where status='ready' and user_id = "
        "(select id from accounts_user where username = 'gina') group by emotion"))
    assert emotions.get("happy", 0) >= 1, emotions
    samples = product.query(
        "select count(*), sum(face_found) from analysis_emotionsample where session_id in "
        "(select s.id from analysis_watchsession s join accounts_user u on u.id = s.user_id "
        "where u.username = 'gina')")[0]
    assert samples[0] >= 60 and samples[1] >= 40, samples

    page.goto("/galleries/")
    happy = page.locator("#gallery-happy li.clip-card")
    assert happy.count() >= 1
    assert happy.first.locator("video").count() == 1
    assert happy.first.get_by_role("link", name="Download").is_visible()
