"""What graders, students and CI systems read: pages, reports, exports.

    feedback      one self-contained HTML page per student
    class_report  the class view of an assignment: read the results, write the page
    class_stats   its numbers: scores, checks, common mistakes, lateness (who counts where)
    class_report_html, class_report_terminal   the class view as a page and in the terminal
    pick_rates    per-option pick counts of choice questions (which distractor caught the class)
    plots         figures and class charts drawn to PNG (matplotlib)
    figures       the plot data exercises collect while grading (plain JSON)
    export        grades as CSV, nbgrader's columns with the late policy applied
    similarity    code similarity of solution cells across a class (copydetect), as a page
    ci_formats    GitHub Classroom, Gradescope and JUnit renderings of a result
    ci            grading one notebook in CI and writing those formats

Reads results and the gradebook (``grading.results``, ``course``); grades
through ``grading`` (CI); never touches ``sandbox``. Never imports ``cli``.
This ``__init__`` imports nothing.
"""
