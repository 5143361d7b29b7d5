"""The five emotions have one home, ``emotion.vocabulary``; every module uses it."""

from __future__ import annotations

from emotion import classifier, fake, moments, training, vocabulary
from emotion.model_files import DEFAULT_MANIFEST


def test_the_vocabulary_is_consistent():
    assert len(vocabulary.EMOTIONS) == len(set(vocabulary.EMOTIONS)) == 5
    assert set(vocabulary.LABELS) == set(vocabulary.EMOTIONS)
    assert vocabulary.RESTING in vocabulary.EMOTIONS
    assert vocabulary.REACTIONS == tuple(
        e for e in vocabulary.EMOTIONS if e != vocabulary.RESTING
    )
    assert set(vocabulary.FER2013_LABELS) == set(vocabulary.EMOTIONS) | set(
        vocabulary.FER2013_EXTRA
    )


def test_every_module_takes_the_emotions_from_the_vocabulary():
    assert classifier.EMOTIONS is vocabulary.EMOTIONS  # kept importable from the classifier
    assert fake.EMOTIONS is vocabulary.EMOTIONS
    assert moments.EMOTIONS is vocabulary.EMOTIONS
    assert set(training.LABELS) == set(vocabulary.EMOTIONS)
    assert training.FER2013_LABELS is vocabulary.FER2013_LABELS
    assert DEFAULT_MANIFEST["labels"] == list(vocabulary.FER2013_LABELS)
    assert set(DEFAULT_MANIFEST["label_map"]) == set(vocabulary.FER2013_EXTRA)


def test_the_fake_and_the_series_cover_exactly_the_five():
    analysis = fake.fake_analysis("angry")
    assert tuple(analysis.probabilities) == vocabulary.EMOTIONS
    series = moments.emotion_series([], duration=2)
    assert set(vocabulary.EMOTIONS) <= set(series)
