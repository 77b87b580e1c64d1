"""a5 · Reading learning curves: underfitting, overfitting or a good fit."""
import numpy as np
import pytest

from exercises.dlcheck import expect, expect_equal
from exercises.model import RedrawVariant
from reference import training

ASSIGNMENT = "a5"
TITLE = "Diagnosing the fit from learning curves"
CONCEPT = "training vs validation loss, underfitting, overfitting, generalisation gap"
SOLUTION = [training.diagnose_fit]

KINDS = ("underfit", "overfit", "good")

_WRONG_RULES = """def diagnose_fit(train_losses, val_losses):
    t, v = np.asarray(train_losses, float), np.asarray(val_losses, float)
    if t[-1] > 0.5 * t[0]:
        return "underfit"
    best = int(np.argmin(v))
    return "overfit" if {overfit} else "good"
"""
MISTAKE_CODE = {
    "overfit when validation rose at all (the 10 % forgotten)":
        _WRONG_RULES.format(overfit="v[-1] > v[best] and t[-1] < t[best]"),
    "overfit without the training condition": _WRONG_RULES.format(overfit="v[-1] > 1.1 * v[best]"),
    "underfit only when training did not fall at all (t[0] for 0.5·t[0])":
        _WRONG_RULES.replace("0.5 * t[0]", "t[0]").format(overfit="v[-1] > 1.1 * v[best] and t[-1] < t[best]"),
}
HIDDEN_ONLY = {"overfit without the training condition":
               "only test_rising_validation_with_rising_training_is_not_overfitting has training rise at the end"}


def draw_curves(rng: np.random.Generator, kind: str) -> dict:
    """A (train, val) pair of the given kind, rounded to 4 decimals, well away from the rules' thresholds;
    a good fit's validation minimum comes before the end with training lower there (a rule "validation
    rose at all" calls it overfit), an overfit's validation ends below 2.2 times its minimum."""
    epochs = int(rng.integers(25, 41))
    e = np.arange(epochs)
    start = rng.uniform(0.8, 2.0)
    floor = {"underfit": rng.uniform(0.65, 0.85), "overfit": rng.uniform(0.05, 0.2),
             "good": rng.uniform(0.1, 0.3)}[kind]
    tau = rng.uniform(3, 8)
    train_curve = start * (floor + (1 - floor) * np.exp(-e / tau))
    val_curve = train_curve * rng.uniform(1.05, 1.25)
    if kind == "overfit":
        turn = int(rng.integers(epochs // 3, epochs // 2))
        val_curve = val_curve + start * rng.uniform(0.02, 0.04) * np.maximum(e - turn, 0)
    noise = lambda: 1 + rng.uniform(-0.01, 0.01, epochs)  # noqa: E731
    train_curve, val_curve = np.round(train_curve * noise(), 4), np.round(val_curve * noise(), 4)
    t0, t_last, v_best = train_curve[0], train_curve[-1], val_curve.min()
    margins_ok = abs(t_last / t0 - 0.5) > 0.1 and (val_curve[-1] > 1.25 * v_best or val_curve[-1] < 1.04 * v_best)
    if not margins_ok or training.diagnose_fit(train_curve.tolist(), val_curve.tolist()) != kind:
        raise RedrawVariant("a curve near a threshold of the rules")
    best = int(np.argmin(val_curve))
    if kind == "good" and not (best < epochs - 1 and train_curve[-1] < train_curve[best]):
        raise RedrawVariant("a good fit whose validation minimum is last, or training not lower at the end")
    if kind == "overfit" and val_curve[-1] > 2.2 * v_best:
        raise RedrawVariant("an overfit whose validation rose over 2.2 times its minimum")
    return {"train": train_curve.tolist(), "val": val_curve.tolist()}


def curves_of_kind(rng: np.random.Generator, kind: str) -> dict:
    """draw_curves until a pair away from the thresholds comes (at most 100 draws)."""
    for _ in range(100):
        try:
            return draw_curves(rng, kind)
        except RedrawVariant:
            continue
    raise RedrawVariant(f"no {kind} curves in 100 draws")


def _misread(train: list, val: list, *, last: int = -1, risen=lambda v_best: 1.1 * v_best,
             halved=lambda t0: 0.5 * t0) -> str:
    """The rules with one constant misread: the validation loss at epoch ``last`` instead of the last one,
    the overfitting bound ``risen(v*)`` instead of 1.1·v*, or the underfitting bound ``halved(t0)``
    instead of 0.5·t0."""
    t, v = np.asarray(train), np.asarray(val)
    if t[-1] > halved(t[0]):
        return "underfit"
    best = int(np.argmin(v))
    return "overfit" if v[last] > risen(v[best]) and t[-1] < t[best] else "good"


def label_mistakes(curves: list[dict]) -> dict:
    """Hint -> the kinds (as KINDS indices) that a misreading of the rules gives on ``curves``: what happened
    to every curve of one kind (misreadings of one rule give the same kinds on most curves, so the hint says
    what happened and restates the rule), or a misread constant that judges curves its own way."""
    right = [KINDS.index(training.diagnose_fit(c["train"], c["val"])) for c in curves]

    def called(kind: str, instead: str) -> list[int]:
        return [KINDS.index(instead) if k == KINDS.index(kind) else k for k in right]
    return {
        "Good fits are called overfit: overfitting needs the last validation loss more than 10 % above its minimum "
        "(v[-1] > 1.1·v*) and the last training loss below the one at the minimum's epoch.": called("good", "overfit"),
        "Overfits are called good: overfitting is v[-1] > 1.1·v* (10 % above the minimum) with the last training "
        "loss t[-1] below the one at the minimum's epoch.": called("overfit", "good"),
        "Underfits are called good: underfit when the last training loss has not halved, t[-1] > 0.5·t[0].":
            called("underfit", "good"),
        "Every curve is called underfit: compare the last training loss t[-1] with 0.5·t[0].": [0] * len(curves),
        "The underfitting bound is 0.5·t[0], not 0.5 / t[0].":
            [KINDS.index(_misread(c["train"], c["val"], halved=lambda t0: 0.5 / t0)) for c in curves],
    }


MISREADINGS = ({"last": 0}, {"last": 1}, {"risen": lambda b: b}, {"risen": lambda b: 0.0}, {"risen": lambda b: 2.2 * b},
               {"risen": lambda b: 1.1 / b}, {"halved": lambda t0: 0.5 / t0})


def params(rng: np.random.Generator) -> dict:
    """One curve pair of each kind, in random order; redrawn unless each misreading of the rules
    (MISREADINGS) gets one of them wrong, so each costs the public check's points on every variant."""
    order = rng.permutation(3)
    curves = [curves_of_kind(rng, KINDS[k]) for k in order]
    for wrong in MISREADINGS:
        if all(_misread(c["train"], c["val"], **wrong) == KINDS[k] for c, k in zip(curves, order)):
            raise RedrawVariant("a misreading of the rules would judge every curve right")
    return {"curves": curves}


def prompt(params: dict) -> str:
    listing = "\n".join(f"curves[{k}] = {{'train': {c['train']},\n             'val': {c['val']}}}"
                        for k, c in enumerate(params["curves"]))
    return f"""\
Learning curves tell how training went. **Underfitting**: the model does not even fit the
training data (the training loss stays high). **Overfitting**: the training loss keeps falling
while the validation loss turns up (the generalisation gap widens). **Good fit**: both fall and
level off close together.

Implement `diagnose_fit(train_losses, val_losses)` returning `"underfit"`, `"overfit"` or `"good"`
with these rules, in order ($t_0$, $t_{{-1}}$ the first and last training loss, $v^*$ the smallest
validation loss, reached at epoch $e^*$, $v_{{-1}}$ the last validation loss):

1. `"underfit"` if $t_{{-1}} > 0.5\\, t_0$ (the training loss has not even halved);
2. `"overfit"` if $v_{{-1}} > 1.1\\, v^*$ and $t_{{-1}} < t_{{e^*}}$ (validation rose more than 10 % above its
   minimum while training kept falling);
3. `"good"` otherwise.

**Your curves** (plot them!):

```
{listing}
```
"""


PLOT = """\
import matplotlib.pyplot as plt
fig, axes = plt.subplots(1, 3, figsize=(12, 3))
rng = np.random.default_rng(1)
e = np.arange(40)
examples = {"underfit": (1 - 0.3 * (1 - np.exp(-e / 5)), 1.1 - 0.3 * (1 - np.exp(-e / 5))),
            "overfit": (np.exp(-e / 6) + 0.05, np.exp(-e / 6) + 0.2 + 0.02 * np.maximum(e - 12, 0)),
            "good": (np.exp(-e / 6) + 0.1, np.exp(-e / 6) + 0.15)}
for ax, (name, (t, v)) in zip(axes, examples.items()):
    ax.plot(t, label="train"); ax.plot(v, label="validation")
    ax.set_title(f"{name}: diagnose_fit says {diagnose_fit(list(t), list(v))!r}"); ax.legend()
plt.show()
"""


@pytest.mark.points(2)
def test_your_curves(student, ref, params):
    for k, curves in enumerate(params["curves"]):
        got = student.diagnose_fit(curves["train"], curves["val"])
        expected = ref.diagnose_fit(curves["train"], curves["val"])
        hints = {"underfit": "The training loss has not halved: t[-1] > 0.5·t[0] means underfitting.",
                 "overfit": "Validation rose more than 10 % above its minimum while training kept falling.",
                 "good": "Neither rule applies: the training loss halved and validation did not turn up by 10 %."}
        expect_equal(got, expected, what=f"diagnose_fit of curves[{k}]", hint=hints[expected])


@pytest.mark.points(1)
@pytest.mark.hidden(hint="Apply the rules in order: underfit first (t[-1] > 0.5·t[0]), then overfit "
                         "(v[-1] > 1.1·min v and t[-1] < t at the epoch of min v), else good.")
def test_other_curves(student, params):
    # the variant's own six curves, then six on which every one of MISREADINGS judges one curve wrong
    curves, kinds = [], []
    for seed in (len(params["curves"][0]["train"]) * 7919, 28 * 7919):
        rng = np.random.default_rng(seed)
        for kind in KINDS * 2:
            curves.append(curves_of_kind(rng, kind))
            kinds.append(KINDS.index(kind))
    got = [student.diagnose_fit(c["train"], c["val"]) for c in curves]
    expect_equal([KINDS.index(g) if g in KINDS else -1 for g in got], kinds,
                 what=f"diagnose_fit of {len(curves)} curves, as indices of {KINDS} (-1: another value)",
                 mistakes=label_mistakes(curves))


@pytest.mark.points(1)
@pytest.mark.hidden(hint="Overfitting needs both: validation up more than 10 % from its minimum AND the training "
                         "loss lower at the end than at the validation minimum.")
def test_rising_validation_with_rising_training_is_not_overfitting(student):
    train_curve = [1.0, 0.5, 0.3, 0.2, 0.15, 0.16, 0.18, 0.2]
    val_curve = [1.1, 0.6, 0.35, 0.25, 0.2, 0.22, 0.25, 0.28]
    expect_equal(student.diagnose_fit(train_curve, val_curve), "good", what="diagnose_fit")
    expect(student.diagnose_fit(train_curve[:5] + [0.12, 0.1, 0.08], val_curve) == "overfit",
           "validation up 40 % while training keeps falling should be 'overfit'.")
