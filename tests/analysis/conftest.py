import pytest

from tests.media import make_video


@pytest.fixture(scope="session")
def sample_video(tmp_path_factory):
    """60 s, 320×240, H.264/AAC, made once per test run."""
    return make_video(tmp_path_factory.mktemp("media") / "sample.mp4", seconds=60)
