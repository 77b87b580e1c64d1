"""Code similarity of the solution cells across a class (``grade similarity``), with copydetect.

For each exercise of an assignment, every hand-in's solution cells of that
exercise are compared with every other's by copydetect's MOSS-style winnowed
fingerprints: code is tokenised by pygments, names become ``V``/``F``, strings
``S``, comments and whitespace go, so renaming variables or reformatting does
not hide a copy. The released stub of the exercise (from ``release/<a>/*/``,
every student's, since stubs may hold the student's numbers) is boilerplate
twice over: a line of the student's code that is a line of a stub is blanked
before fingerprinting (same length, so matches still point into the code as
handed in), and copydetect drops the stub's fingerprints. So the signature and
docstring neither count nor join what a student wrote to what they were given,
and two untouched stubs are not "similar".

A pair's score is the larger of the two shares copydetect reports (the part
of one student's filtered code found in the other's), so a copy padded with
extra code still shows. Pairs at or above the threshold are listed, highest
first, in ``reports/<a>/similarity.html`` with both codes side by side and the
matching parts highlighted; every code and id on the page is escaped.

**A score is a reason to look, not a verdict**: short exercises leave few ways
to write an answer, and students who learned from the same lecture write alike.
The page says so.

Hand-ins are read as bytes through :mod:`autograder.grading.handin` (the notebook
chosen as ``grade autograde`` chooses it) and parsed by
:mod:`autograder.grading.notebook_json`; nothing of them is run.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from autograder.course.config import Course
from autograder.grading.batch import find_submissions
from autograder.grading.handin import HandinError, read_handin
from autograder.grading.notebook_json import MAX_NOTEBOOK_BYTES, NotebookFormatError, parse_notebook
from autograder.reports.feedback import esc, html_page

SIMILARITY_PAGE = "similarity.html"
DEFAULT_THRESHOLD = 0.5
NOISE_CHARS = 25
"""copydetect's noise threshold k: a match shorter than this many filtered characters is ignored
(copydetect's default; the guarantee threshold is the same, so every k-gram is a fingerprint)."""
MAX_CODE_CHARS = 50_000
"""Longest solution code of one exercise that is compared (the rest is cut off, and the page says so)."""
VERDICT_NOTE = ("A similarity score is a reason to look, not a verdict: short exercises leave few ways to "
                "write an answer, and students taught the same way write alike. Read both codes and talk "
                "to the students before concluding anything.")


class SimilarityError(Exception):
    """Nothing can be compared; the message says what is missing and what to run."""


@dataclass(frozen=True)
class SimilarPair:
    """Two students' code of one exercise that copydetect finds alike."""

    exercise: str
    first: str
    """The student id that sorts first."""
    second: str
    score: float
    """The larger of the two shares (0..1): the part of one student's filtered code found in the other's."""
    first_share: float
    second_share: float
    first_code: str
    second_code: str
    first_matches: tuple[tuple[int, int], ...]
    """(start, end) character ranges of ``first_code`` that match the other code."""
    second_matches: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class SimilarityReport:
    """Every pair over the threshold, per assignment."""

    assignment: str
    threshold: float
    compared: tuple[tuple[str, int], ...]
    """(exercise key, number of students who wrote code of it beyond the stub) in notebook order."""
    pairs: tuple[SimilarPair, ...]
    """Highest score first."""
    unreadable: tuple[tuple[str, str], ...] = ()
    """(student, why) of hand-ins whose notebook could not be read (left out)."""
    cut: tuple[str, ...] = ()
    """``student/exercise`` whose code was longer than :data:`MAX_CODE_CHARS` and was cut."""


# --------------------------------------------------------------------------
# Reading solution cells
# --------------------------------------------------------------------------
def solution_code(raw: bytes, name: str) -> dict[str, str]:
    """The solution cells of a notebook's bytes joined per exercise key (from ``metadata.dlgrade``).

    Raises :class:`NotebookFormatError` for bytes that are no notebook.
    """
    notebook = parse_notebook(raw, name)
    code: dict[str, list[str]] = {}
    for cell in notebook.cells:
        role = cell.metadata.get("dlgrade")
        if cell.cell_type != "code" or not isinstance(role, dict) or role.get("role") != "solution":
            continue
        key = role.get("exercise")
        if isinstance(key, str):
            code.setdefault(key, []).append(cell.source)
    return {key: "\n".join(parts) for key, parts in code.items()}


def _notebook_code(path: Path) -> dict[str, str]:
    return solution_code(read_handin(path, max_bytes=MAX_NOTEBOOK_BYTES), path.name)


def class_code(course: Course, assignment: str) -> tuple[dict[str, dict[str, str]], list[tuple[str, str]]]:
    """({student: {exercise: code}}, [(student, why unreadable)]) of ``submitted/*/<assignment>/``."""
    code, unreadable = {}, []
    for submission in find_submissions(course.root / "submitted", assignment):
        if submission.problem:
            unreadable.append((submission.student, submission.problem))
            continue
        try:
            code[submission.student] = _notebook_code(submission.notebook)
        except (HandinError, NotebookFormatError) as err:
            unreadable.append((submission.student, str(err)))
    return code, unreadable


def released_stubs(course: Course, assignment: str) -> dict[str, list[str]]:
    """{exercise: [the stub as released to each student]} from ``release/<a>/*/<a>.ipynb``."""
    stubs: dict[str, list[str]] = {}
    for notebook in sorted(course.release_dir(assignment).glob(f"*/{assignment}.ipynb")):
        for key, code in _notebook_code(notebook).items():
            stubs.setdefault(key, []).append(code)
    if not stubs:
        raise SimilarityError(f"no released notebooks in {course.release_dir(assignment)}: the released "
                              f"stubs are the boilerplate that must not count; run `grade release {assignment}` "
                              "first (with the roster the hand-ins came from)")
    return stubs


# --------------------------------------------------------------------------
# Comparing
# --------------------------------------------------------------------------
def _fingerprint(code: str, name: str, boilerplate: Sequence[int] = (), window: int = 1):
    from copydetect import CodeFingerprint  # imports matplotlib: only when comparing
    return CodeFingerprint(f"{name}.py", NOISE_CHARS, window, boilerplate=list(boilerplate),
                           language="python", fp=io.StringIO(code))


def boilerplate_hashes(stubs: Iterable[str]) -> list[int]:
    """Every fingerprint of the stubs (window 1, as copydetect takes boilerplate), sorted, unique."""
    hashes: set[int] = set()
    for number, stub in enumerate(stubs):
        hashes.update(int(h) for h in _fingerprint(stub, f"stub{number}").hashes)
    return sorted(hashes)


def answer_only(code: str, stubs: Iterable[str]) -> str:
    """``code`` with every line that is a line of a stub (ignoring indentation) replaced by spaces of the
    same length: what the student wrote, at the same character positions."""
    given = {line.strip() for stub in stubs for line in stub.splitlines() if line.strip()}
    return "".join(" " * len(line.rstrip("\n")) + line[len(line.rstrip("\n")):]
                   if line.strip() in given else line for line in code.splitlines(keepends=True))


def _ranges(slices) -> tuple[tuple[int, int], ...]:
    if len(slices) == 0 or len(slices[0]) == 0:
        return ()
    return tuple((int(start), int(end)) for start, end in zip(slices[0], slices[1]))


def compare_exercise(exercise: str, code: Mapping[str, str], stubs: Sequence[str], *,
                     threshold: float = DEFAULT_THRESHOLD) -> list[SimilarPair]:
    """The pairs of ``code`` ({student: code}) whose score is at least ``threshold``, stubs not counting."""
    from copydetect import compare_files
    boilerplate = boilerplate_hashes(stubs)
    prints = {student: _fingerprint(answer_only(text, stubs), student, boilerplate)
              for student, text in sorted(code.items())}
    pairs = []
    for first, second in combinations(sorted(prints), 2):
        overlap, (share1, share2), (slices1, slices2) = compare_files(prints[first], prints[second])
        score = float(max(share1, share2)) if overlap else 0.0
        if overlap and score >= threshold:
            pairs.append(SimilarPair(exercise=exercise, first=first, second=second, score=score,
                                     first_share=float(share1), second_share=float(share2),
                                     first_code=code[first], second_code=code[second],
                                     first_matches=_ranges(slices1), second_matches=_ranges(slices2)))
    return pairs


def similarity_report(code: Mapping[str, Mapping[str, str]], stubs: Mapping[str, Sequence[str]], assignment: str, *,
                      threshold: float = DEFAULT_THRESHOLD,
                      unreadable: Sequence[tuple[str, str]] = ()) -> SimilarityReport:
    """Compare every exercise of ``stubs`` (the released ones, in order) across the students of ``code``."""
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"similarity threshold {threshold} is outside (0, 1]: give a share such as 0.5")
    compared, pairs, cut = [], [], []
    for exercise, exercise_stubs in stubs.items():
        texts = {}
        for student, by_exercise in code.items():
            text = by_exercise.get(exercise, "")
            if len(text) > MAX_CODE_CHARS:
                cut.append(f"{student}/{exercise}")
                text = text[:MAX_CODE_CHARS]
            if answer_only(text, exercise_stubs).strip():  # an untouched stub is not compared
                texts[student] = text
        compared.append((exercise, len(texts)))
        pairs += compare_exercise(exercise, texts, exercise_stubs, threshold=threshold)
    pairs.sort(key=lambda p: (-p.score, p.exercise, p.first, p.second))
    return SimilarityReport(assignment=assignment, threshold=threshold, compared=tuple(compared),
                            pairs=tuple(pairs), unreadable=tuple(unreadable), cut=tuple(cut))


def build_similarity(course: Course, assignment: str, *, threshold: float = DEFAULT_THRESHOLD) -> SimilarityReport:
    """The similarity report of ``assignment`` from ``submitted/`` and ``release/`` of the course."""
    course.assignment(assignment)  # an unknown assignment: CourseError naming the known ones
    stubs = released_stubs(course, assignment)
    code, unreadable = class_code(course, assignment)
    if not code:
        raise SimilarityError(f"no readable hand-ins of {assignment} in {course.root / 'submitted'}: "
                              f"run `grade collect {assignment} ...` first")
    return similarity_report(code, stubs, assignment, threshold=threshold, unreadable=unreadable)


# --------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------
def highlighted(code: str, matches: Sequence[tuple[int, int]]) -> str:
    """``code`` as escaped HTML with each matching range in a ``<mark>``."""
    parts, at = [], 0
    for start, end in sorted(matches):
        start, end = max(start, at), min(end, len(code))
        if end <= start:
            continue
        parts += [esc(code[at:start]), "<mark>", esc(code[start:end]), "</mark>"]
        at = end
    parts.append(esc(code[at:]))
    return "".join(parts)


PAGE_CSS = ("<style>.pair{display:grid;grid-template-columns:1fr 1fr;gap:1rem}"
            ".pair pre{overflow-x:auto;font-size:.85rem;white-space:pre-wrap}"
            "mark{background:#ffd54f;color:inherit}</style>")


def _pair_html(number: int, pair: SimilarPair) -> str:
    return (f"<h3 id=\"pair-{number}\">{number}. {esc(pair.exercise)}: {esc(pair.first)} and {esc(pair.second)} "
            f"({pair.score:.0%})</h3><div class=\"pair\">"
            f"<div><b>{esc(pair.first)}</b> <small>{pair.first_share:.0%} of this code matches</small>"
            f"<pre>{highlighted(pair.first_code, pair.first_matches)}</pre></div>"
            f"<div><b>{esc(pair.second)}</b> <small>{pair.second_share:.0%} of this code matches</small>"
            f"<pre>{highlighted(pair.second_code, pair.second_matches)}</pre></div></div>")


def similarity_html(report: SimilarityReport) -> str:
    """The page: the note that a score is no verdict, the pair table, then each pair side by side."""
    parts = [PAGE_CSS, f"<h1>Code similarity: {esc(report.assignment)}</h1>",
             f"<div class=\"alert\"><b>Not a verdict.</b> {esc(VERDICT_NOTE)}</div>",
             f"<p class=\"note\">Solution cells compared per exercise with copydetect (winnowed fingerprints of "
             f"{NOISE_CHARS} characters, names and layout ignored); the released stub does not count. Listed: "
             f"pairs with a score of at least {report.threshold:.0%} (the larger share of one code found in the "
             "other).</p>",
             "<ul>" + "".join(f"<li>{esc(key)}: {n} hand-ins with code beyond the stub compared</li>" for key, n in report.compared) + "</ul>"]
    if report.pairs:
        rows = "".join(f"<tr><td class=\"num\">{p.score:.0%}</td><td>{esc(p.exercise)}</td>"
                       f"<td><a href=\"#pair-{n}\">{esc(p.first)}</a></td><td>{esc(p.second)}</td></tr>"
                       for n, p in enumerate(report.pairs, start=1))
        parts.append("<table><thead><tr><th>Score</th><th>Exercise</th><th>Student</th><th>Student</th></tr>"
                     f"</thead><tbody>{rows}</tbody></table>")
        parts += [_pair_html(n, p) for n, p in enumerate(report.pairs, start=1)]
    else:
        parts.append(f"<p>No pair reaches {report.threshold:.0%}.</p>")
    if report.unreadable:
        parts.append("<h2>Hand-ins left out</h2><ul>" + "".join(
            f"<li>{esc(s)}: <span class=\"msg\">{esc(why)}</span></li>" for s, why in report.unreadable) + "</ul>")
    if report.cut:
        parts.append(f"<p class=\"note\">Cut to {MAX_CODE_CHARS} characters before comparing: "
                     f"{esc(', '.join(report.cut))}.</p>")
    return html_page(f"Similarity {report.assignment}", "\n".join(parts))


def similarity_path(course: Course, assignment: str) -> Path:
    """``<course>/reports/<assignment>/similarity.html`` (beside the class report, which links to it)."""
    return course.root / "reports" / assignment / SIMILARITY_PAGE


def write_similarity(course: Course, report: SimilarityReport) -> Path:
    """Write the page; returns its path."""
    path = similarity_path(course, report.assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(similarity_html(report), encoding="utf-8")
    return path
