"""The render tests' sources, generated once for the whole tests/render package."""

from __future__ import annotations

import pytest

# helpers.py holds shared assertions: have pytest rewrite them as it does in test modules.
pytest.register_assert_rewrite("tests.render.helpers")

from tests.render.helpers import Sources, make_sources  # noqa: E402


@pytest.fixture(scope="package")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Sources:
    return make_sources(tmp_path_factory.mktemp("render-sources"))
