"""extract_timestamps over a broad table of real-world forms, plus the labelled corpus."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from comments.timestamps import extract_timestamps, parse_t_param

CORPUS = Path(__file__).parent / "data" / "labelled_comments.jsonl"
VID = "a1B2c3D4e5F"


def anchor(t: str | int, text: str) -> str:
    return f'<a href="https://www.youtube.com/watch?v={VID}&amp;t={t}">{text}</a>'


POSITIVE = [
    # Korean unit forms naming one unit, with a place particle (issue 15)
    ("12분 정도부터 재밌어짐", [720]),
    ("10분쯤에 나오는 장면 ㅋㅋ", [600]),
    ("1시간 20분에 레전드", [4800]),
    ("30초에서 웃음 터짐", [30]),
    ("45초부터 소름", [45]),
    ("90초쯤에 표정", [90]),
    ("12~15초 표정 미쳤다", [12, 15]),
    ("12초~15초 ㅋㅋㅋ", [12, 15]),
    ("2:10 그리고 3분에 또", [130, 180]),
    # plain clocks
    ("10:43 legend", [643]),
    ("4:20", [260]),
    ("0:00 intro", [0]),
    ("07:05 with a leading zero", [425]),
    ("1:02:33 the best part", [3753]),
    ("01:02:33 with a leading zero", [3753]),
    ("125:30 in a long stream", [7530]),
    # glued to punctuation and words
    ("(3:07) his face", [187]),
    ("[3:07]", [187]),
    ("-12:05 lol", [725]),
    ("8:10.", [490]),
    ("8:10, 9:20; 10:30!", [490, 560, 630]),
    ("@2:15", [135]),
    ("at2:15 lol", [135]),
    ("5:20초 진짜 웃김", [320]),
    ("12:05: the drop", [725]),
    ("0:00,1:23,2:45", [0, 83, 165]),
    ("#1 3:12 #2 7:45", [192, 465]),
    ("3:12/7:45/10:01", [192, 465, 601]),
    ("3:12 | 7:45", [192, 465]),
    ("13:13ㅋㅋㅋ", [793]),
    ("１０：４３ 레전드", [643]),
    ("7：44", [464]),
    # ranges: both ends
    ("2:10-4:00", [130, 240]),
    ("6:12~6:20", [372, 380]),
    ("1:40 -> 2:05", [100, 125]),
    ("1:40 – 2:05", [100, 125]),
    ("3:45 to 4:10", [225, 250]),
    ("1:40부터 2:05까지", [100, 125]),
    ("Dari 4:10 sampai 4:40", [250, 280]),
    ("1:05:20에서 1:05:40 사이", [3920, 3940]),
    # lists and chapter indexes
    ("0:00 Intro\n1:23 Unboxing\n4:56 Design", [0, 83, 296]),
    ("Chapters:\n00:00 - Intro\n01:15 - Setup", [0, 75]),
    ("8:14 cat 8:14 cat 8:14 cat", [494, 494, 494]),
    # unit forms
    ("10분 43초", [643]),
    ("10분43초에 나오는 장면", [643]),
    ("1시간 2분 3초", [3723]),
    ("4분 12초 리액션", [252]),
    ("2m30s is where it gets good", [150]),
    ("2m 30s", [150]),
    ("1h2m3s the twist", [3723]),
    ("skip to 1h 12m 30s", [4350]),
    ("2 min 30 sec", [150]),
    ("2 minutos 30 segundos y ya estoy llorando", [150]),
    ("2 menit 30 detik", [150]),
    # dotted clocks after a minute keyword
    ("menit 2.30 ngakak", [150]),
    ("menit ke 12.45", [765]),
    ("El minuto 3.20 es épico", [200]),
    ("min 4.12 jajaja", [252]),
    # context that looks negative but is not
    ("3:20 am I the only one who noticed", [200]),
    ("lost it at 2:13", [133]),
    ("the 1:1 scale model at 3:20", [200]),
    ("16:9 vs 4:3 comparison at 5:12", [312]),
    ("the 50:50 call at 7:33 was brave", [453]),
    ("The 2:1 ratio at 4:55 is wrong", [295]),
    ("nice job 3:20", [200]),
    ("mark 12:01 for later", [721]),
    ("Matt 3:20 face lol", [200]),
    ("Its 3 am. 3:20 made me laugh", [200]),
    ("7:30으로 가보세요", [450]),
    ("Dalle 2:10 alle 2:40", [130, 160]),
    ("connect to localhost:8000 then go to 7:30", [450]),
    ("Bought it for $12.99. 2:15 sold me", [135]),
    ("nonton jam 1 malam, 3:45 bikin ketawa", [225]),
    ("1:30 min in and I'm hooked", [90]),
    ("https://youtu.be/abcdefghijk?t=30 but 2:30 is better", [150]),
]

NEGATIVE = [
    # times of day
    "9:30 pm here in London",
    "11:30pm and still watching",
    "3:00 a.m. vibes",
    "오후 3:30에 보는 중",
    "새벽 2:30",
    "저녁 7:30 본방사수",
    "jam 20:15 nonton bareng",
    "Pukul 19:00 WIB live",
    "Premieres at 8:00 pm EST",
    "The stream starts at 19:00 UTC",
    "a las 9:30 de la noche",
    "às 22:00 vou assistir",
    "Um 20:15 Uhr läuft es",
    "午後3:30から配信",
    "it's 2:30 and I'm still up",
    "it's 11:59 pm and I'm learning calculus",
    "wake up at 6:00 to watch this",
    "Tomorrow at 10:00 we meet again",
    "12:00 noon premiere",
    "10:00 정각에 올라오네",
    "2024-05-01 20:15 upload",
    "2023.05.12 20:15 업로드 기념",
    "5월 12일 20:15 라이브",
    "May 5 at 20:15",
    "9:30-10:30 pm",
    "오후 3:30 ~ 5:00 라이브",
    # ratios and scores
    "16:9",
    "4:3",
    "21:9 ultrawide",
    "Aspect ratio 16:10 looks better",
    "9:16 세로 영상으로도",
    "16:10 비율",
    "70:30 split",
    "The split was 70:30 in their favour",
    "60:40 chance he's lying",
    "50:50",
    "The final score was 21:19",
    "스코어 21:19 실화냐",
    "Skor akhir 21:17",
    "Menang 21:15!",
    "won 21:15",
    "70:30으로 이겼다",
    "Resultado 70:30 a favor",
    # arithmetic
    "10:2=5",
    "100:20 = 5",
    "x = 12:30",
    # Bible verses
    "John 3:16",
    "Mark 10:45 says",
    "Romans 8:28",
    "1 Cor 13:14",
    "Psalm 91:11",
    "Philippians 4:13",
    "요한복음 3:16 말씀",
    "Yohanes 3:16",
    "Juan 3:16",
    "Salmos 91:11",
    # prices, dates, versions
    "$9.99",
    "Rp 15.000",
    "₩3,000",
    "$12:30",
    "12/05/2024",
    "v2.10.30",
    "4.5:10 rating",
    # durations
    "3분컷",
    "10 minutes",
    "10분",
    "3~5초 정도 걸려요",
    "5분에 한 번씩 광고",
    "10초에 1개씩",
    "오후 3시 20분에 봐요",
    "3시 20분에 만나",
    "1분 만에 끝",
    "10분쯤 걸림",
    "1시간 20분짜리 영상",
    "30초 만에 설명 끝",
    "2분 30초 만에 끝나버림",
    "this took me 2m30s to install",
    "the song is 3:45 long",
    "How is this only 11:42 long",
    "이 영상 길이 15:30인데",
    "이 노래 3:45짜리",
    "the first 10:00 are just ads",
    "The world record is 2:01:09",
    # invalid clocks
    "1:75",
    "6:66 lol",
    "1:60:00",
    "1:5:30",
    "99:99",
    "1:02:33:44",
    "1:23.456 world record",
    "localhost:8080",
    "24/7",
    "1:1",
    # URLs are never read
    "https://www.youtube.com/watch?v=abcdefghijk&t=2m30s",
]


@pytest.mark.parametrize(("text", "expected"), POSITIVE)
def test_positive_forms(text: str, expected: list[int]) -> None:
    assert extract_timestamps(text) == expected


@pytest.mark.parametrize("text", NEGATIVE)
def test_negative_forms(text: str) -> None:
    assert extract_timestamps(text) == []


HTML = [
    (anchor(643, "10:43") + " legend", [643]),
    (anchor("643s", "10:43") + " legend", [643]),
    (anchor("10m43s", "10:43") + " legend", [643]),
    (anchor("1h2m3s", "1:02:03") + "<br>ok", [3723]),
    # the anchor's t= wins over its text and the text is not counted again
    (anchor(644, "10:43") + " legend", [644]),
    ("The way he says &quot;no&quot; at " + anchor(187, "3:07"), [187]),
    (
        "Timestamps:<br>" + anchor(0, "0:00") + " Intro<br>" + anchor(83, "1:23") + " Unboxing",
        [0, 83],
    ),
    (anchor(130, "2:10") + "-" + anchor(155, "2:35"), [130, 155]),
    (anchor(643, "10:43") + " " + anchor(643, "10:43"), [643, 643]),
    ("<b>" + anchor(725, "12:05") + "</b> &lt;3 this part", [725]),
    (anchor(320, "5:20") + "초 진짜 웃김", [320]),
    # context rules apply to anchors too
    ("Who&#39;s watching at " + anchor(570, "9:30") + " pm?", []),
    ("John " + anchor(196, "3:16"), []),
    ("오후 " + anchor(210, "3:30") + "에 보는 중", []),
    ("It&#39;s " + anchor(150, "2:30") + " am and I&#39;m up", []),
    # links that are not timestamps yield nothing, even with t=
    (
        '<a href="https://www.youtube.com/watch?v=OTHERVIDEO1&amp;t=120s">'
        "https://www.youtube.com/watch?v=OTHERVIDEO1&amp;t=120s</a> and " + anchor(200, "3:20"),
        [200],
    ),
    ('<a href="http://www.youtube.com/channel/UCxyz">@creator</a> ' + anchor(95, "1:35"), [95]),
    # a literal "<a>" typed by a user is text, not a tag
    ("&lt;a href=&quot;x&quot;&gt;2:00&lt;/a&gt;", [120]),
    ("no timestamps, just <b>bold</b> love &amp; peace", []),
]


@pytest.mark.parametrize(("text", "expected"), HTML)
def test_youtube_html(text: str, expected: list[int]) -> None:
    assert extract_timestamps(text) == expected


def test_order_of_appearance_and_duplicates_kept() -> None:
    text = "5:00 then 1:00 then 5:00 again, and 2m30s"
    assert extract_timestamps(text) == [300, 60, 300, 150]


def test_duration_drops_times_beyond_the_video() -> None:
    text = "0:30 then 9:59 then 10:00 then 10:01 then 1:02:33"
    assert extract_timestamps(text) == [30, 599, 600, 601, 3753]
    assert extract_timestamps(text, duration=600) == [30, 599, 600]
    assert extract_timestamps(anchor(4000, "1:06:40"), duration=3600) == []


def test_two_digit_ratio_is_a_time_without_context_words() -> None:
    # "16:10" is a valid position in a 20-minute video; only context makes it a ratio.
    assert extract_timestamps("16:10 the plot twist", duration=1200) == [970]
    assert extract_timestamps("16:10 aspect is better", duration=1200) == []


def test_empty_and_plain_text_without_times() -> None:
    assert extract_timestamps("") == []
    assert extract_timestamps("I love this video so much ❤️") == []


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("643", 643),
        ("643s", 643),
        ("10m43s", 643),
        ("1h2m3s", 3723),
        ("1h", 3600),
        ("2m", 120),
        ("", None),
        ("abc", None),
        ("1x", None),
    ],
)
def test_parse_t_param(value: str, seconds: int | None) -> None:
    assert parse_t_param(value) == seconds


def _corpus_f1() -> tuple[float, int]:
    tp = fp = fn = 0
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line]
    for row in rows:
        got = Counter(extract_timestamps(row["text"], duration=row["duration"]))
        expected = Counter(row["expected"])
        hit = sum((got & expected).values())
        tp += hit
        fp += sum(got.values()) - hit
        fn += sum(expected.values()) - hit
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    return 2 * precision * recall / (precision + recall), len(rows)


def test_labelled_corpus_f1() -> None:
    f1, n = _corpus_f1()
    assert n >= 250
    assert f1 >= 0.97, f"corpus F1 {f1:.3f} < 0.97"
