"""Naming clusters: voice samples, introductions, self-introductions, roles, order, unresolved."""

from __future__ import annotations

import numpy as np

from audiokit.speakers.labels import fold, mentions, name_clusters
from audiokit.transcript import Word
from audiokit.workspace import Speaker

PEOPLE = [
    Speaker("Petra Sommer", "Energieagentur", "host"),
    Speaker("Lena Hartmann", "Hochschule", "guest"),
    Speaker("Markus Brandt", "Gemeinde", "guest"),
]


def conversation(*turns: tuple[int, str]) -> tuple[list[Word], np.ndarray]:
    """Words 0.3 s apart; each turn is (cluster, text)."""
    words, clusters, t = [], [], 0.0
    for cluster, text in turns:
        for token in text.split():
            words.append(Word(token, t, t + 0.25))
            clusters.append(cluster)
            t += 0.3
        t += 0.6
    return words, np.array(clusters)


def named(names) -> list[tuple[str | None, str]]:
    return [(PEOPLE[n.person].name if n.person is not None else None, n.source) for n in names]


def test_fold():
    assert fold("Größe,") == "groesse"
    assert fold("Begrüße") == "begruesse"


def test_introductions_name_the_next_new_voices_in_order():
    words, clusters = conversation(
        (0, "Willkommen. Zu Gast ist heute Lena Hartmann, außerdem begrüße ich Markus Brandt."),
        (1, "Danke für die Einladung."),
        (2, "Hallo zusammen."),
        (0, "Schön, dass Sie beide da sind."),
    )
    names = name_clusters(PEOPLE, words, clusters, np.eye(3), {})
    assert named(names) == [
        ("Petra Sommer", "order"),
        ("Lena Hartmann", "introduction"),
        ("Markus Brandt", "introduction"),
    ]
    assert names[1].confidence > names[0].confidence


def test_a_question_by_name_points_at_the_answer_and_self_introductions_count():
    words, clusters = conversation(
        (0, "Guten Abend."),
        (2, "Ich bin Markus Brandt und leite das Bauamt."),
        (0, "Frau Hartmann, wie sehen Sie das?"),
        (1, "Ganz ähnlich."),
    )
    names = name_clusters(PEOPLE, words, clusters, np.eye(3), {})
    assert named(names)[1:] == [("Lena Hartmann", "introduction"), ("Markus Brandt", "introduction")]


def test_a_last_name_that_is_an_ordinary_word_is_no_mention():
    words, _ = conversation((1, "Im Sommer war die Baustelle ruhig."), (2, "Frau Sommer hat recht."))
    assert mentions(words, PEOPLE) == [(7, 0)]


def test_voice_samples_win_and_weak_matches_are_ignored():
    rng = np.random.default_rng(2)
    centroids = rng.normal(size=(3, 256))
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    sample = centroids[2] + 0.3 * centroids[0]
    sample /= np.linalg.norm(sample)
    words, clusters = conversation((0, "Hallo."), (1, "Hallo."), (2, "Guten Tag."))
    names = name_clusters(PEOPLE, words, clusters, centroids, {0: sample})
    assert named(names)[2] == ("Petra Sommer", "voice-sample")
    assert names[2].confidence == round(float(centroids[2] @ sample), 3)
    # a sample that resembles no cluster names nobody; the host is then the first voice
    names = name_clusters(PEOPLE, words, clusters, centroids, {0: -centroids[1]})
    assert named(names) == [("Petra Sommer", "order"), (None, "unresolved"), (None, "unresolved")]
    assert [n.confidence for n in names[1:]] == [0.0, 0.0]


def test_the_last_person_left_takes_the_last_voice_left():
    words, clusters = conversation((0, "Guten Abend, Lena."), (1, "Hallo Petra."), (2, "Und ich bin auch da."))
    names = name_clusters(PEOPLE, words, clusters, np.eye(3), {})
    assert named(names) == [
        ("Petra Sommer", "introduction"),
        ("Lena Hartmann", "introduction"),
        ("Markus Brandt", "order"),
    ]
