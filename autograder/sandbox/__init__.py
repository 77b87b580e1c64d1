"""The trust boundary: where student code runs, and the grader's only handle on it.

Untrusted side (runs student code; imports the standard library, numpy and
:mod:`~autograder.sandbox.protocol` only, nothing else of this project —
``tests/autograder/test_layers.py`` imports it alone with the rest blocked):
    worker      the worker program, copied with protocol.py into a private folder
    protocol    length-prefixed frames and the tagged value encoding (no pickle)

Grader side (trusted):
    handle      :class:`~autograder.sandbox.handle.StudentWorker` and its guarantees
    process     one running worker: start, channel, kill-everything
    cgroup      a control group per worker: the submission bounded as a whole
    zygote      the pristine template that forks a fresh worker per start
    launch      what a cold start and the zygote share: Python, environment, bwrap

May import: the standard library, numpy and ``exercises.dlcheck`` (the
exceptions a check sees). Never ``grading``, ``course``, ``reports`` or ``cli``.
This ``__init__`` imports nothing.

Threat model
============
A student controls every byte of what they hand in (notebook JSON, file names,
metadata, zip entries) and everything inside the worker: its code, its printed
output and warnings, its timing, the values and the frames it sends back, any
process it starts. The grader guarantees the invariants below; each is enforced
in one place (named) and tested by a family of attacks (named).

1. A hand-in is bytes, never a path: read as a regular file only, no link
   followed, size capped while reading, zips streamed with caps.
2. Student-controlled text is data wherever it is shown (HTML, terminal, CSV,
   JSON/XML): one escaping helper per medium.
3. A hand-in can only fail itself: whatever it contains or its worker answers
   ends as that submission's result, never as a failure of the class run.
4. Points never depend on what the student's process can forge: checks judge
   returned values only — :mod:`autograder.grading.engine` (``WorkerStudent``
   offers no printed output); ``test_adversarial.py``
   ``test_points_never_depend_on_what_the_students_process_prints``.
5. Hidden inputs reach student code only after every public result and figure
   is final, and nothing the worker says or does from then on is shown (the
   public phase's worker goes on to the hidden phase: a fresh one would differ
   only by not having seen the public inputs, which the student has) —
   :mod:`autograder.grading.engine` (two phases);
   ``test_hidden_inputs_never_come_back_to_the_student`` (7 channels) and
   :mod:`autograder.reports.ci_formats` (no hidden time shown).
6. The worker sees nothing of the course: under bwrap the course is not
   mounted; in plain mode the course folder is closed to others before grading —
   :mod:`autograder.course.privacy`; ``tests/autograder/course/test_privacy.py``.
7. No network in the sandbox: bwrap's network namespace, and in plain mode as
   root one the worker unshares itself — :mod:`~autograder.sandbox.worker`;
   ``test_network.py`` (a live listener on the host's loopback).
8. Nothing outlives a submission: processes, files in shared folders, IPC —
   :mod:`~autograder.sandbox.process` (``kill``) and the worker's IPC namespace;
   ``test_leftovers.py``.
9. A submission's resources are bounded as a whole: memory, processes and
   CPU rate by a control group where one can be made, else per-process rlimits
   times the process cap; its private folder is on a tmpfs charged to that
   group — :mod:`~autograder.sandbox.cgroup`, :func:`~autograder.sandbox.launch.work_root`;
   ``test_resources.py``.
10. CI outputs reveal what the course allows — :mod:`autograder.reports.ci_formats`;
    ``test_ci_formats.py``.
Follow-through marking (:func:`autograder.grading.engine._follow_through`)
adds one capability, and bounds it: a worker started with
``follow_through=True`` (and no other) may ask the grader for a model answer's
value at inputs its code passes, for exactly the functions the grader opened
with :meth:`~autograder.sandbox.handle.StudentWorker.rebind` — functions of
exercises earlier than the one whose checks run, never its own. A call-back
from any other worker is a protocol violation (a crash); one for a name not
opened raises in the student's code. Model code and expected values never
cross: only values at the student's own inputs (``test_follow_through.py``).
Beside every hostile case of the corpus, honest students' results are
identical to a class of honest students alone
(``test_honest_results_are_the_same_beside_every_hostile_classmate``).

Out of scope, stated: a function that is correct only while it is graded is
correct; a student may learn one bit per hidden check (passed or not) and what
the hint says; plain mode run by a grader that is not root keeps the grader's
user, files and network within the student's reach (use bwrap); in plain mode
world-readable files outside the course (the project's installed sources)
stay readable; without a tmpfs and control groups, the total size of what a
worker writes in its own folder is not bounded (each file is).
"""
