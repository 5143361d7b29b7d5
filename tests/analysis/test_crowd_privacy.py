"""The crowd timeline against an attacker: differencing two readings of the API, a reader
who knows their own contribution, an upgraded (legacy) published copy. The remaining limit,
accounts created to fill the k, is documented in the README's privacy section."""

from __future__ import annotations

import pytest

from analysis import services
from analysis.models import CrowdAggregate
from emotion.crowd import Aggregate
from videos.models import Video

from .test_crowd import source, watched  # noqa: F401  (fixtures and helpers)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(django_user_model, source):  # noqa: F811
    """Twelve users, each with the shared source in their library."""
    users = [django_user_model.objects.create_user(f"p{i}", password="x") for i in range(12)]
    for user in users:
        Video.objects.create(user=user, source=source, clip_before=3, clip_after=3)
    return users


def crowd_api(api_client, user, source):  # noqa: F811
    api_client.force_authenticate(user)
    video = Video.objects.get(user=user, source=source)
    return api_client.get(f"/api/v1/videos/{video.pk}/").json()["crowd"]


def test_polling_the_api_does_not_isolate_the_next_viewers_session(people, source, api_client):  # noqa: F811
    for user in people[:5]:
        services.crowd_contribute(session=watched(user, source, laugh_at=(20, 24)))
    attacker, victim = people[0], people[6]
    before = crowd_api(api_client, attacker, source)
    assert before["viewers"][41] == 5 and before["shares"]["happy"][41] == 0.0

    # The victim laughs at 0:40 and finishes: comparing readings shows nothing of it.
    services.crowd_contribute(session=watched(victim, source, laugh_at=(40, 44)))
    assert crowd_api(api_client, attacker, source) == before
    # Nor does the same victim finishing again and again (one viewer counts once).
    for _ in range(6):
        services.crowd_contribute(session=watched(victim, source, laugh_at=(40, 44)))
    assert crowd_api(api_client, attacker, source) == before
    assert CrowdAggregate.objects.get(source=source).aggregate().reacted["happy"][41] == 1

    # Three more: still nothing (four new viewers changed those seconds, k is five) ...
    for user in people[7:10]:
        services.crowd_contribute(session=watched(user, source, laugh_at=(20, 24)))
    assert crowd_api(api_client, attacker, source) == before
    # ... the fourth makes five: now they move, with five new viewers in the difference,
    # never one.
    services.crowd_contribute(session=watched(people[10], source, laugh_at=(20, 24)))
    after = crowd_api(api_client, attacker, source)
    assert after["viewers"][41] == 10
    assert after["shares"]["happy"][41] == pytest.approx(1 / 10, abs=1e-4)


def test_a_withdrawal_hides_the_seconds_instead_of_showing_the_difference(
        people, source, api_client):  # noqa: F811
    for user in people[:4]:
        services.crowd_contribute(session=watched(user, source))
    services.crowd_contribute(session=watched(people[4], source, until=30))
    before = crowd_api(api_client, people[0], source)
    assert before["viewers"][10] == 5 and before["viewers"][45] is None
    people[4].delete()  # the short viewer's account goes: what they saw goes dark at once
    after = crowd_api(api_client, people[0], source)
    assert after is None or all(v is None for v in after["viewers"][:30])
    assert CrowdAggregate.objects.get(source=source).aggregate().viewers[10] == 4


def test_an_upgraded_timeline_shows_only_seconds_with_k_viewers(people, source, api_client):  # noqa: F811
    """A published copy from before batching (the migration copies the counts): seconds with
    k viewers are shown to everyone, fewer to no one."""
    for user in people[:4]:
        services.crowd_contribute(session=watched(user, source))
    services.crowd_contribute(session=watched(people[4], source, until=30))
    aggregate = CrowdAggregate.objects.get(source=source)
    counts = aggregate.aggregate()
    assert counts.viewers[10] == 5 and counts.viewers[45] == 4
    n = len(counts.viewers)
    aggregate.published = {"counts": aggregate.data, "fresh": [0] * n, "epoch": [0] * n}
    aggregate.save(update_fields=["published"])
    for reader in (people[0], people[11]):  # a contributor and an outsider read the same
        shown = crowd_api(api_client, reader, source)
        assert shown["viewers"][10] == 5 and shown["shares"]["happy"][21] == 1.0
        assert shown["viewers"][45] is None and shown["shares"]["happy"][45] is None
    assert Aggregate.from_json(aggregate.data).shown(min_viewers=5).viewers[45] is None
