"""A course's own exercise modules: looked up before the library, imported by file path."""
from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from autograder.course.config import Assignment, CourseError, assignment_exercises, load_course
from exercises.course_modules import CourseModuleError, import_course_module, package_name
from exercises.model import (ExerciseDefinitionError, all_exercises, get_exercise, get_exercises,
                             variant_params)
from exercises.verify import verify_variant
from tests.autograder.course.test_config import DUE

RELU = '''\
import numpy as np
import pytest

from exercises.dlcheck import expect_close

ASSIGNMENT = "{assignment}"
TITLE = "{title}"
CONCEPT = "ReLU"


def relu(x):
    """max(x, 0), elementwise."""
    return np.maximum(np.asarray(x, dtype=float), 0.0)


SOLUTION = [relu]


def params(rng):
    return {{"x": np.round(rng.uniform(-3, 3, 4), 2).tolist()}}


def prompt(params):
    return "Implement relu(x)."


@pytest.mark.points(1)
def test_relu_on_your_input(student, ref, params):
    expect_close(student.relu(params["x"]), ref.relu(params["x"]), what="relu(x)")


@pytest.mark.points(2)
@pytest.mark.hidden(hint="Negative inputs give 0.")
def test_relu_on_negatives(student, ref):
    expect_close(student.relu([-1.0, -2.0]), ref.relu([-1.0, -2.0]), what="relu of negatives")
'''


def course(tmp_path: Path, modules: dict[str, str]) -> Path:
    """A course folder with course.toml (one assignment hw1) and the given exercises/ modules."""
    folder = tmp_path / "course"
    (folder / "exercises").mkdir(parents=True)
    (folder / "course.toml").write_text('[course]\nname = "C"\nid = "c"\ndemo_secret = "s"\n\n'
                                        '[[assignments]]\nid = "hw1"\ntitle = "H"\n'
                                        'due = "2026-03-06T23:59:00+01:00"\nexercises = []\n')
    for name, text in modules.items():
        (folder / "exercises" / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def relu(assignment: str = "hw1", title: str = "ReLU") -> str:
    return RELU.format(assignment=assignment, title=title)


def test_a_course_module_is_found_beside_the_library(tmp_path):
    """Does exercises/relu.py of a course give exercise hw1.relu, with the library still there?"""
    folder = course(tmp_path, {"relu.py": relu()})
    known = all_exercises(folder)
    assert known["hw1.relu"].title == "ReLU" and known["hw1.relu"].points == 3
    assert "a2.sigmoid" in known and "hw1.relu" not in all_exercises()
    assert [e.key for e in get_exercises(["hw1.relu", "a2.sigmoid"], course=folder)] == ["hw1.relu", "a2.sigmoid"]


def test_course_modules_live_under_a_private_package(tmp_path):
    """Is a course module named after its course's private package, never ``exercises.*`` or its bare name?"""
    folder = course(tmp_path, {"a2_sigmoid.py": relu("a2", "My sigmoid")})
    module = get_exercise("a2.sigmoid", course=folder).module
    assert module.__name__ == f"{package_name(folder / 'exercises')}.a2_sigmoid"
    import exercises.a2_sigmoid as bundled
    assert sys.modules["exercises.a2_sigmoid"] is bundled and bundled.TITLE == "The sigmoid function"
    assert "a2_sigmoid" not in sys.modules


def test_a_course_module_overrides_the_library_exercise_of_the_same_key(tmp_path):
    """Does a course's exercises/a2_sigmoid.py replace the bundled a2.sigmoid for that course only?"""
    folder = course(tmp_path, {"a2_sigmoid.py": relu("a2", "My sigmoid")})
    assert get_exercise("a2.sigmoid", course=folder).title == "My sigmoid"
    assert get_exercise("a2.sigmoid").title == "The sigmoid function"


def test_course_toml_names_modules_course_first_then_library(tmp_path):
    """Are listed names looked up as course module, then <assignment>_<name>, then the library?"""
    folder = course(tmp_path, {"relu.py": relu(), "hw1_step.py": relu(title="Step").replace("relu", "step")})
    assignment = Assignment("hw1", "H", DUE, ("relu", "step", "a2_sigmoid"), course_root=folder)
    assert [e.key for e in assignment_exercises(assignment)] == ["hw1.relu", "hw1.step", "a2.sigmoid"]
    every = Assignment("hw1", "H", DUE, (), course_root=folder)
    assert [e.key for e in assignment_exercises(every)] == ["hw1.relu", "hw1.step"]


def test_load_course_gives_assignments_their_course_folder(tmp_path):
    """Does an assignment read from course.toml find the course's own modules?"""
    folder = course(tmp_path, {"relu.py": relu()})
    assert [e.key for e in assignment_exercises(load_course(folder).assignment("hw1"))] == ["hw1.relu"]


def test_a_course_module_may_take_its_solution_from_a_course_reference_module(tmp_path):
    """Does SOLUTION = [a function of a sibling reference module] give a self-contained model answer
    that earns every point (and the stub none)?"""
    reference = '''\
    import numpy as np


    def relu(x):
        """max(x, 0), elementwise."""
        return np.maximum(np.asarray(x, dtype=float), 0.0)
    '''
    module = relu().replace('def relu(x):\n    """max(x, 0), elementwise."""\n'
                            '    return np.maximum(np.asarray(x, dtype=float), 0.0)\n',
                            "from .my_reference import relu\n")
    assert "from .my_reference import relu" in module
    folder = course(tmp_path, {"relu.py": module, "my_reference.py": reference})
    exercise = get_exercise("hw1.relu", course=folder)
    assert "hw1.my_reference" not in all_exercises(folder)  # no ASSIGNMENT: a helper, not an exercise
    params = {exercise.key: variant_params(exercise, b"s", "ada")}
    assert verify_variant([exercise], params) == []


@pytest.mark.parametrize("text, line, what", [
    ("import numpy as np\n\ndef relu(x)\n    return x\n", 3, "SyntaxError"),
    ("import numpy as np\nASSIGNMENT = 'hw1'\nTITLE = undefined_name\n", 3, "NameError: name 'undefined_name'"),
    ("from .missing_helper import relu\n", 1, "ModuleNotFoundError"),
])
def test_an_error_in_a_course_module_names_the_file_and_line(tmp_path, text, line, what):
    """Does a syntax error or an exception while importing a course module name its file and line?"""
    folder = course(tmp_path, {"relu.py": text})
    path = folder.resolve() / "exercises" / "relu.py"
    with pytest.raises(CourseModuleError, match=f"{path}, line {line}: {what}"):
        all_exercises(folder)
    with pytest.raises(ExerciseDefinitionError):  # what the grade commands catch
        import_course_module(path)


def test_two_modules_with_the_same_key_are_refused_naming_both_files(tmp_path):
    """Are exercises/relu.py and exercises/hw1_relu.py (both hw1.relu) an error naming both files?"""
    folder = course(tmp_path, {"relu.py": relu(), "hw1_relu.py": relu()})
    with pytest.raises(ExerciseDefinitionError, match="exercises/relu.py and .*/exercises/hw1_relu.py both define exercise 'hw1.relu'"):
        all_exercises(folder)


def test_a_course_module_without_solution_says_what_to_add(tmp_path):
    """Does a module without SOLUTION (nor solution_cell) name its file and what to add?"""
    text = relu().replace("SOLUTION = [relu]\n", "")
    folder = course(tmp_path, {"relu.py": text})
    path = folder.resolve() / "exercises" / "relu.py"
    with pytest.raises(ExerciseDefinitionError, match=f"{path} defines neither SOLUTION"):
        all_exercises(folder)
    assignment = Assignment("hw1", "H", DUE, ("relu",), course_root=folder)
    with pytest.raises(ExerciseDefinitionError):
        assignment_exercises(assignment)


def test_an_edited_module_is_read_again(tmp_path):
    """After a course module is edited, does the next lookup see the new text (no stale cache)?"""
    folder = course(tmp_path, {"relu.py": relu(title="Before")})
    assert get_exercise("hw1.relu", course=folder).title == "Before"
    path = folder / "exercises" / "relu.py"
    path.write_text(relu(title="After, and longer"), encoding="utf-8")
    assert get_exercise("hw1.relu", course=folder).title == "After, and longer"
    assert not (folder / "exercises" / "__pycache__").exists()


def test_a_missing_listed_module_names_the_course_folder(tmp_path):
    """Does a name found nowhere say where it was looked for?"""
    folder = course(tmp_path, {"relu.py": relu()})
    with pytest.raises(CourseError, match=f"no module {folder}/exercises/softmax.py or "
                                          f"{folder}/exercises/hw1_softmax.py"):
        assignment_exercises(Assignment("hw1", "H", DUE, ("softmax",), course_root=folder))


def test_a_model_answer_leaning_on_its_module_is_refused_before_release(tmp_path):
    """Is a SOLUTION function that calls another name of its module (not self-contained) caught by the
    pre-release check, with the missing name in the message?"""
    text = relu().replace("    return np.maximum(np.asarray(x, dtype=float), 0.0)\n",
                          "    return _clip_below(x)\n", 1)
    text += "\n\ndef _clip_below(x):\n    return np.maximum(np.asarray(x, dtype=float), 0.0)\n"
    folder = course(tmp_path, {"relu.py": text})
    exercise = get_exercise("hw1.relu", course=folder)
    problems = verify_variant([exercise], {exercise.key: variant_params(exercise, b"s", "ada")})
    assert problems and all("fails on the model answer" in p for p in problems)
    assert "name '_clip_below' is not defined" in problems[0]
