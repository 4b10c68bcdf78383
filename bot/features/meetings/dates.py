"""Dates as people type them in a meeting poll, in French or in English, read in the community's time zone.

A pure algorithm (no I/O): ``parse_when("mardi 1 déc 18h30", now=..., timezone="Europe/Paris", language="fr")``
gives the moment in UTC, or raises :class:`DateProblem` whose ``code`` says what is wrong, for the feature to
explain in the community's language.

dateparser reads the words (weekdays, months, "demain", "next thursday", "dans 3 jours"); around it we do what it
does not: we read the clock time ourselves (``18h``, ``18h30``, ``6:30 pm``, ``midi``, a range ``18h-20h``),
because dateparser takes "demain 14h" for "tomorrow plus fourteen hours"; we read numeric dates ourselves, so
that "03/04" is never silently guessed (French reads it day/month and says so, English refuses it); we check
that a weekday typed with a date is that date's weekday; and we localise the wall-clock time with zoneinfo, so
that a time skipped or repeated by a daylight-saving change is refused instead of moved. The reference "now"
is always the caller's (the bot's clock), never the system clock.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateparser.date import DateDataParser

from bot.durations import parse_duration

__all__ = [
    "MAX_AHEAD",
    "DateProblem",
    "LineProblem",
    "ParsedDate",
    "localize",
    "next_same_slot",
    "parse_options",
    "parse_when",
    "slot_candidates",
]

# Further than this is almost always a typo in the year.
MAX_AHEAD = timedelta(days=366)

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "janvier janv jan january",
        "fevrier fevr fev february feb",
        "mars march mar",
        "avril avr april apr",
        "mai may",
        "juin june jun",
        "juillet juil july jul",
        "aout august aug",
        "septembre sept september sep",
        "octobre oct october",
        "novembre nov november",
        "decembre dec december",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number

_WEEKDAYS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "lundi lun monday mon",
        "mardi mar tuesday tue tues",
        "mercredi mer wednesday wed",
        "jeudi jeu thursday thu thur thurs",
        "vendredi ven friday fri",
        "samedi sam saturday sat",
        "dimanche dim sunday sun",
    )
):
    for _name in _names.split():
        _WEEKDAYS[_name] = _number

# Words that make a line a date without a month or a weekday.
_RELATIVE = {
    "today",
    "tomorrow",
    "yesterday",
    "hier",
    "avant-hier",
    "aujourd'hui",
    "aujourdhui",
    "demain",
    "apres-demain",
    "in",
    "dans",
    "week",
    "weeks",
    "semaine",
    "semaines",
    "days",
    "jours",
}
# Words that only join the parts of a line ("mardi 1 déc à 18h", "from 6pm to 8pm").
_FILLERS = {
    "a",
    "at",
    "@",
    "de",
    "du",
    "from",
    "to",
    "until",
    "till",
    "jusqu'a",
    "vers",
    "around",
    "des",
    "et",
}
# "jeudi prochain", "ce vendredi", "this friday": the next such day, which is what dateparser gives for the bare
# weekday; dateparser reads "next thursday" but not its French twin.
_NEXT_WORDS = {"prochain", "prochaine", "ce", "cet", "cette", "this", "coming"}
# Parts of the day: said beside a time, they only tell whether "8" is morning or evening ("jeudi soir 8h").
_LATE_PARTS = {"soir", "soiree", "evening", "night", "apres-midi", "afternoon", "tonight"}
_PARTS = _LATE_PARTS | {"matin", "matinee", "morning"}
_TODAY_PARTS = re.compile(r"\b(?:ce soir|cette soiree|ce matin|cet apres-midi|tonight)\b")

_H_TIME = re.compile(r"(?<![\d:])([01]?\d|2[0-3])\s*(?:h|heures?)(?:\s*([0-5]\d))?(?![\w])")
_COLON_TIME = re.compile(r"(?<![\d:])([01]?\d|2[0-3]):([0-5]\d)(?![\d:])(?!\s*[ap]\.?\s*m\b)")
_AMPM_TIME = re.compile(r"(?<![\d:])(1[0-2]|0?[1-9])(?:[:.]([0-5]\d))?\s*([ap])\.?\s*m\.?(?![\w])")
_WORD_TIME = re.compile(r"(?<!apres-)(?<!after)\b(midi|noon|midday|minuit|midnight)\b")
_WORD_TIMES = {"midi": time(12), "noon": time(12), "midday": time(12), "minuit": time(0), "midnight": time(0)}
_NUMERIC_DATE = re.compile(r"(?<![\d/.\-])(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{4}|\d{2}))?(?![\d/.\-])")
_ISO_DATE = re.compile(r"(?<![\d/.\-])(\d{4})[\-/](\d{1,2})[\-/](\d{1,2})(?![\d/.\-])")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_MONTH_WORDS = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
# A day number beside a month word, either way round: "32 decembre", "february 30".
_DAY_AND_MONTH = re.compile(
    rf"(?<![\d/.\-])(\d{{1,2}})\s+({_MONTH_WORDS})\b|\b({_MONTH_WORDS})\.?\s+(\d{{1,2}})(?![\d:/.\-])"
)
_WORD = re.compile(r"[a-z@][a-z'\-]*\.?")


class DateProblem(ValueError):
    """Why a line is not a usable date. ``code`` names the problem; ``details`` holds what the message needs.

    Codes: ``empty``, ``unreadable``, ``no_time``, ``no_date``, ``several_times``, ``ends_before_start``,
    ``invalid_date`` (31/02, "32 décembre", "February 30"), ``ambiguous_order`` (03/04 in English: ``day_month`` and ``month_day`` hold both
    readings), ``weekday_mismatch`` (``weekday`` typed, ``day`` found), ``nonexistent`` and ``repeated`` (a
    wall-clock time skipped or lived twice at a daylight-saving change), ``past``, ``too_far``; and, from the
    poll rather than the line, ``duplicate`` and ``too_soon`` (before ``earliest``: the poll could not close
    ``lead`` before it).
    """

    def __init__(self, code: str, **details: Any) -> None:
        super().__init__(code)
        self.code = code
        self.details = details


@dataclass(frozen=True)
class ParsedDate:
    """A date option: when it starts (and ends, if the line gave a range), as aware UTC datetimes."""

    text: str
    start: datetime
    end: datetime | None = None
    # Set when a numeric date could be read two ways and the community's language decided: "day_month".
    read_as: str | None = None


@dataclass(frozen=True)
class LineProblem:
    """A refused line of a list of options: its number (from 1), its text and why."""

    number: int
    text: str
    problem: DateProblem


@dataclass
class _Clock:
    hour: int
    minute: int
    spans: list[tuple[int, int]] = field(default_factory=list)

    @property
    def time(self) -> time:
        return time(self.hour, self.minute)


def _fold(text: str) -> str:
    """Lower case without accents, one space between words: "Déc." and "dec." read the same."""
    text = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).split())


def _find_times(text: str) -> list[tuple[int, int, time]]:
    """Every clock time in ``text``: (start, end, time), in reading order, without overlaps."""
    found: list[tuple[int, int, time]] = []
    for match in _AMPM_TIME.finditer(text):
        hour = int(match.group(1)) % 12 + (12 if match.group(3) == "p" else 0)
        found.append((match.start(), match.end(), time(hour, int(match.group(2) or 0))))
    for pattern in (_H_TIME, _COLON_TIME):
        for match in pattern.finditer(text):
            found.append((match.start(), match.end(), time(int(match.group(1)), int(match.group(2) or 0))))
    for match in _WORD_TIME.finditer(text):
        found.append((match.start(), match.end(), _WORD_TIMES[match.group(1)]))
    found.sort()
    kept: list[tuple[int, int, time]] = []
    for item in found:
        if not kept or item[0] >= kept[-1][1]:
            kept.append(item)
    return kept


def _words(text: str) -> list[str]:
    return [w.rstrip(".").rstrip(",") for w in _WORD.findall(text)]


def _without(text: str, spans: list[tuple[int, int]]) -> str:
    out, last = [], 0
    for start, end in spans:
        out.append(text[last:start])
        out.append(" ")
        last = end
    out.append(text[last:])
    return " ".join("".join(out).split())


def _strip_fillers(text: str) -> str:
    words = text.replace(",", " ").split()
    while words and (words[0].strip("-–") == "" or words[0] in _FILLERS):
        words.pop(0)
    while words and (words[-1].strip("-–") == "" or words[-1] in _FILLERS):
        words.pop()
    return " ".join(words)


def _weekday_typed(words: list[str]) -> int | None:
    """The weekday typed in the line, if any (``mar`` is Tuesday only beside another month: else March)."""
    months = [w for w in words if w in _MONTHS and w != "mar"]
    for word in words:
        if word in _WEEKDAYS and (word != "mar" or months):
            return _WEEKDAYS[word]
    return None


def _with_year(day: int, month: int, year: int | None, today: date) -> date:
    """The date, in ``year`` or, when none was typed, its next occurrence from ``today``. ValueError if none."""
    if year is not None:
        return date(year, month, day)
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(2024, month)[1]:
        raise ValueError("no such day")
    for ahead in range(9):  # 29 February waits for the next leap year
        try:
            candidate = date(today.year + ahead, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    raise ValueError("no such day")


def _numeric_day(match: re.Match[str], today: date, language: str) -> tuple[date, str | None]:
    first, second = int(match.group(1)), int(match.group(2))
    year_text = match.group(3)
    year = None if year_text is None else int(year_text) + (2000 if len(year_text) == 2 else 0)
    readings: dict[str, date] = {}
    for order, (day, month) in (("day_month", (first, second)), ("month_day", (second, first))):
        try:
            readings[order] = _with_year(day, month, year, today)
        except ValueError:
            continue
    if not readings:
        raise DateProblem("invalid_date")
    if len(readings) == 2 and first != second:
        if language == "fr":
            return readings["day_month"], "day_month"
        raise DateProblem("ambiguous_order", day_month=readings["day_month"], month_day=readings["month_day"])
    order, found = next(iter(readings.items()))
    # A French line read month/day is unusual enough to be said; an English one is not.
    return found, ("month_day" if language == "fr" and order == "month_day" and first != second else None)


def _parser(base: datetime, timezone: str) -> DateDataParser:
    return DateDataParser(
        languages=["fr", "en"],
        settings={
            "PREFER_DATES_FROM": "future",
            "TIMEZONE": timezone,
            # We localise the wall-clock time ourselves (zoneinfo), to catch daylight-saving gaps and overlaps.
            "RETURN_AS_TIMEZONE_AWARE": False,
            "RELATIVE_BASE": base,
            "DATE_ORDER": "DMY",
        },
    )


def _impossible_day(date_part: str, today: date) -> bool:
    """Whether the line names a day its month does not have ("32 décembre", "February 30", "31 nov 2027"):
    such a day must be said not to exist, where dateparser would only fail to read it."""
    year_match = _YEAR.search(date_part)
    year = int(year_match.group()) if year_match else None
    months = [w for w in _words(date_part) if w in _MONTHS]
    for match in _DAY_AND_MONTH.finditer(date_part):
        number, word = (
            (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
        )
        if word == "mar" and len(months) > 1:
            continue  # "mar." beside another month is Tuesday
        try:
            _with_year(int(number), _MONTHS[word], year, today)
        except ValueError:
            return True
    return False


def _worded_day(date_part: str, start: time, local_now: datetime, timezone: str) -> date:
    words = _words(date_part)
    known = [w for w in words if w in _MONTHS or w in _WEEKDAYS or w in _RELATIVE or w == "next"]
    if not known:
        raise DateProblem("unreadable")
    if _impossible_day(date_part, local_now.date()):
        raise DateProblem("invalid_date")
    cleaned = " ".join(w for w in date_part.split() if w.rstrip(".,") not in _NEXT_WORDS)
    # dateparser sees the time too, so "3 déc" typed on 3 December at 10:00 for 18:00 means today.
    data = _parser(local_now.replace(tzinfo=None, second=0, microsecond=0), timezone).get_date_data(
        f"{cleaned} {start:%H:%M}"
    )
    if data is None or data.date_obj is None:
        raise DateProblem("unreadable")
    found: date = data.date_obj.date()
    if not _YEAR.search(date_part) and found > local_now.date() + MAX_AHEAD:
        # No year typed, yet one far away: dateparser took a number for something else.
        raise DateProblem("unreadable")
    return found


def localize(naive: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time in ``zone`` as an aware UTC datetime; refuses times a daylight-saving change skips
    (``nonexistent``) or repeats (``repeated``), rather than guessing an hour."""
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        back = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        raise DateProblem("nonexistent" if back != naive else "repeated", local=naive)
    return first.astimezone(UTC)


def parse_when(text: str, *, now: datetime, timezone: str, language: str = "en") -> ParsedDate:
    """Read one date option ("mardi 1 déc 18h30", "next thursday 6pm", "2026-12-03 18:00", "3/12 18h-20h")
    as typed by a member of a community in ``timezone`` speaking ``language``, at ``now``. A variant reads as its
    language: a « tu » community (``fr-tu``) writes its dates in French."""
    language = language.split("-")[0]
    original = " ".join(text.split())
    if not original:
        raise DateProblem("empty")
    zone = ZoneInfo(timezone)
    local_now = now.astimezone(zone)
    work = _fold(original)
    work = re.sub(r"(?<=\d)t(?=\d{1,2}:\d\d)", " ", work)  # 2026-12-03T18:00
    work = re.sub(r"(?<=\d)(?:er|st|nd|rd|th)\b", "", work)  # 1er, 3rd
    times = _find_times(work)
    if not times:
        raise DateProblem("no_time")
    if len(times) > 2:
        raise DateProblem("several_times")
    rest = _without(work, [(s, e) for s, e, _ in times])
    late = any(w in _LATE_PARTS for w in _words(rest))
    if late and not _AMPM_TIME.search(work):
        times = [(s, e, t.replace(hour=t.hour + 12) if 1 <= t.hour < 12 else t) for s, e, t in times]
    rest = _TODAY_PARTS.sub(" aujourd'hui ", rest)
    date_part = _strip_fillers(" ".join(w for w in rest.split() if w.rstrip(".,") not in _PARTS))
    if not date_part:
        raise DateProblem("no_date")
    start_time = times[0][2]
    read_as = None
    numeric = _ISO_DATE.search(date_part) or _NUMERIC_DATE.search(date_part)
    if numeric is not None:
        if numeric.re is _ISO_DATE:
            try:
                day = date(int(numeric.group(1)), int(numeric.group(2)), int(numeric.group(3)))
            except ValueError:
                raise DateProblem("invalid_date") from None
        else:
            day, read_as = _numeric_day(numeric, local_now.date(), language)
        leftover = _words(_without(date_part, [numeric.span()]))
        if any(w not in _WEEKDAYS and w not in _FILLERS and w not in ("le", "the", "on") for w in leftover):
            raise DateProblem("unreadable")
    else:
        day = _worded_day(date_part, start_time, local_now, timezone)
    typed = _weekday_typed(_words(date_part))
    if typed is not None and typed != day.weekday():
        raise DateProblem("weekday_mismatch", weekday=typed, day=day)
    start = localize(datetime.combine(day, start_time), zone)
    end = None
    if len(times) == 2:
        end_time = times[1][2]
        if end_time <= start_time:
            raise DateProblem("ends_before_start", start=start_time, end=end_time)
        end = localize(datetime.combine(day, end_time), zone)
    if start <= now:
        raise DateProblem("past", start=start)
    if start > now + MAX_AHEAD:
        raise DateProblem("too_far", start=start)
    return ParsedDate(text=original, start=start, end=end, read_as=read_as)


def parse_options(
    text: str, *, now: datetime, timezone: str, language: str = "en"
) -> tuple[list[ParsedDate], list[LineProblem]]:
    """One option per line (``;`` also separates, for one-line forms and scripts). Returns the options read and
    the problems of the others, so every bad line can be named at once. The same moment twice is a problem."""
    options: list[ParsedDate] = []
    problems: list[LineProblem] = []
    seen: dict[datetime, int] = {}
    lines = [line.strip() for line in re.split(r"[\n;]", text)]
    for number, line in enumerate((line for line in lines if line), start=1):
        try:
            parsed = parse_when(line, now=now, timezone=timezone, language=language)
        except DateProblem as problem:
            problems.append(LineProblem(number, line, problem))
            continue
        if parsed.start in seen:
            problems.append(LineProblem(number, line, DateProblem("duplicate", other=seen[parsed.start])))
            continue
        seen[parsed.start] = number
        options.append(parsed)
    return options, problems


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    """The ``nth`` (1-based) ``weekday`` of a month, or its last one when the month has fewer."""
    days = [d for d in calendar.Calendar().itermonthdates(year, month) if d.month == month]
    matching = [d for d in days if d.weekday() == weekday]
    return matching[min(nth, len(matching)) - 1]


def _safe_localize(naive: datetime, zone: ZoneInfo) -> datetime:
    """Like :func:`localize`, but a slot that falls in a daylight-saving gap moves an hour later, and a
    repeated one takes its first occurrence: a generated date must always exist."""
    try:
        return localize(naive, zone)
    except DateProblem as problem:
        if problem.code == "nonexistent":
            return localize(naive + timedelta(hours=1), zone)
        return naive.replace(tzinfo=zone, fold=0).astimezone(UTC)


def next_same_slot(start: datetime, timezone: str, cadence: str) -> datetime:
    """The same slot one cadence later, at the same wall-clock time in ``timezone`` (daylight saving or not)."""
    zone = ZoneInfo(timezone)
    local = start.astimezone(zone).replace(tzinfo=None)
    if cadence == "monthly":
        nth = (local.day - 1) // 7 + 1
        year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
        day = _nth_weekday(year, month, local.weekday(), nth)
        return _safe_localize(datetime.combine(day, local.time()), zone)
    delta = parse_duration(cadence)
    return _safe_localize(local + timedelta(days=delta.days, seconds=delta.seconds), zone)


def slot_candidates(start: datetime, timezone: str, cadence: str, *, after: datetime) -> list[datetime]:
    """Dates to propose for the next meeting: the same slot one cadence later, the day after it, and a week
    before and after it, at the same wall-clock time; only those later than ``after``, in order."""
    zone = ZoneInfo(timezone)
    slot = next_same_slot(start, timezone, cadence).astimezone(zone).replace(tzinfo=None)
    found = {_safe_localize(slot + timedelta(days=days), zone) for days in (-7, 0, 1, 7)}
    return sorted(moment for moment in found if moment > after)
