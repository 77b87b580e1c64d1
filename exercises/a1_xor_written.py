"""a1 · Written answer: why a single perceptron cannot compute XOR (graded by hand)."""
from exercises.written import WrittenQuestion

ASSIGNMENT = "a1"
TITLE = "Written: why one perceptron cannot compute XOR"
CONCEPT = "linear separability: a perceptron's decision boundary is one line (hyperplane)"

QUESTION = WrittenQuestion(
    points=2,
    rubric=("1 point: a perceptron separates its inputs by one line (a hyperplane w·x + b = 0): it computes "
            "only linearly separable functions. 1 point: XOR's positive points (0,1) and (1,0) lie on one "
            "diagonal and its negative points (0,0) and (1,1) on the other, so no single line puts the "
            "positives on one side and the negatives on the other."),
    model_answer=("A perceptron outputs 1 on one side of a single line $w_1 x_1 + w_2 x_2 + b = 0$ (a "
                  "hyperplane in general), so it can only compute linearly separable functions. XOR is 1 at "
                  "(0,1) and (1,0) and 0 at (0,0) and (1,1): the positive points lie on one diagonal and the "
                  "negative ones on the other, and no single line separates the two diagonals."),
)


def prompt(params: dict) -> str:
    return """\
Why can a **single perceptron** not compute XOR? Answer in two or three sentences in the
cell below (it is graded by hand): say what a perceptron's decision boundary is and why
XOR's points cannot be split by it. A sketch of the four inputs in the plane helps.
"""
