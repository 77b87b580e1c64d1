"""a3 · Activation functions and their derivatives, vectorised and numerically stable."""
import numpy as np
import pytest

from exercises.dlcheck import expect_close, show
from exercises.model import RedrawVariant
from reference import activations as act

ASSIGNMENT = "a3"
TITLE = "Activation functions and their derivatives"
CONCEPT = "activations, derivatives, kinks, numerical stability"
SOLUTION = [
    act.identity, act.identity_grad, act.binary_step, act.binary_step_grad,
    act.sigmoid, act.sigmoid_grad, act.tanh, act.tanh_grad, act.relu, act.relu_grad,
    act.leaky_relu, act.leaky_relu_grad, act.prelu, act.prelu_grad, act.elu, act.elu_grad,
    act.selu, act.selu_grad, act.gelu, act.gelu_grad, act.softplus, act.softplus_grad,
    act.silu, act.silu_grad, act.gaussian, act.gaussian_grad,
]

# (name, which variant parameter is its extra argument, if any): the hidden checks' catalogue.
CALLS = [("identity", None), ("binary_step", None), ("sigmoid", None), ("tanh", None),
         ("relu", None), ("leaky_relu", None), ("leaky_relu", "alpha"), ("prelu", "alpha"),
         ("elu", None), ("elu", "elu_alpha"), ("selu", None), ("gelu", None),
         ("softplus", None), ("silu", None), ("gaussian", None)]

SIGMOID_GRAD_HINT = "σ'(z) is s(1 − s) with s = σ(z), not s(1 − z): use the sigmoid's output twice."
TANH_GRAD_HINT = "tanh'(z) is 1 − tanh²(z): the tanh is squared."
STABILITY_HINT = ("Every activation and derivative must stay finite and warning-free for |z| up to 1e4: "
                  "never call np.exp on a large positive number (use np.logaddexp, split by sign, "
                  "or exponentiate only min(z, 0)).")


def params(rng: np.random.Generator) -> dict:
    """Six distinct inputs of both signs, none within 0.2 of the kink at 0 and one in (0.2, 1) (a kink
    moved from 0 to 1 shows there on every variant); PReLU/leaky and ELU slopes."""
    z = np.round(rng.uniform(-4.0, 4.0, size=6), 2)
    if np.min(np.abs(z)) < 0.2 or np.sum(z < 0) < 2 or np.sum(z > 0) < 2 or len(set(z.tolist())) < 6 \
            or not np.any((z > 0) & (z < 1)):
        raise RedrawVariant
    alpha = round(float(rng.uniform(0.05, 0.5)), 2)
    elu_alpha = round(float(rng.uniform(0.5, 2.0)), 2)
    if abs(elu_alpha - 1.0) < 0.05:
        raise RedrawVariant("with α = 1 ELU's two branches have the same slope at 0: a moved kink would not show")
    return {"z": [float(v) for v in z], "alpha": alpha, "elu_alpha": elu_alpha}


_TEACHING = r"""
An **activation function** f turns a neuron's pre-activation z = b + w·x into its
output h = f(z). Backpropagation needs its derivative f'(z) too. Implement each
activation below **and** its derivative `<name>_grad`.

| function | f(z) | f'(z) |
| --- | --- | --- |
| `identity(z)` | $z$ | $1$ |
| `binary_step(z)` | $1$ if $z \ge 0$ else $0$ | $0$ |
| `sigmoid(z)` | $\sigma(z) = \frac{1}{1+e^{-z}}$ | $\sigma(z)\,(1-\sigma(z))$ |
| `tanh(z)` | $\tanh z$ | $1-\tanh^2 z$ |
| `relu(z)` | $\max(0, z)$ | $1$ if $z>0$ else $0$ |
| `leaky_relu(z, alpha=0.01)` | $z$ if $z>0$ else $\alpha z$ | $1$ if $z>0$ else $\alpha$ |
| `prelu(z, alpha)` | $z$ if $z>0$ else $\alpha z$ ($\alpha$ learned) | $1$ if $z>0$ else $\alpha$ |
| `elu(z, alpha=1.0)` | $z$ if $z>0$ else $\alpha(e^{z}-1)$ | $1$ if $z>0$ else $\alpha e^{z}$ |
| `selu(z)` | $\lambda\,$elu$(z, \alpha)$, $\lambda = 1.0507009873554805$, $\alpha = 1.6732632423543772$ | $\lambda$ if $z>0$ else $\lambda\alpha e^{z}$ |
| `gelu(z)` | $z\,\Phi(z)$, $\Phi(z) = \frac12\left(1+\operatorname{erf}(z/\sqrt2)\right)$ | $\Phi(z) + z\,\varphi(z)$, $\varphi(z) = e^{-z^2/2}/\sqrt{2\pi}$ |
| `softplus(z)` | $\ln(1+e^{z})$ | $\sigma(z)$ |
| `silu(z)` | $z\,\sigma(z)$ | $\sigma(z)\,(1 + z(1-\sigma(z)))$ |
| `gaussian(z)` | $e^{-z^2}$ | $-2z\,e^{-z^2}$ |

Conventions the checks use:

* Every function takes a number or a numpy array of **any shape** (a vector, a
  batch of shape (n, units)) and works **elementwise**, returning a float array
  of the same shape. `prelu`'s `alpha` may be a number or an array that
  broadcasts against `z` (one slope per unit: shape (units,) for z of shape
  (n, units)). The `_grad` functions take the same extra arguments.
* **Kinks.** ReLU-like functions have no derivative at z = 0; the course uses the
  left-hand value there (ReLU'(0) = 0, leaky/PReLU'(0) = α). The checks never
  evaluate a derivative exactly at 0.
* **Stability.** Everything must stay finite and free of warnings for |z| up
  to 10 000. `np.exp(10000)` overflows: compute σ and softplus with
  `np.logaddexp` (or split by sign), and exponentiate only `np.minimum(z, 0)`
  in ELU/SELU.
* numpy has no erf: `np.vectorize(math.erf)` applies `math.erf` elementwise.
* Use the sigmoid's output in its derivative: with s = σ(z), σ'(z) = s(1 − s).

Example: `sigmoid(np.array([-2.0, -0.5, 0.5, 2.0]))` ≈ `[0.119203, 0.377541, 0.622459, 0.880797]`
and `tanh_grad(np.array([0.5]))` ≈ `[0.786448]`.
"""


def prompt(params: dict) -> str:
    return _TEACHING + f"""
Your inputs: z = {params["z"]}; your PReLU / leaky-ReLU slope alpha = {params["alpha"]};
your ELU alpha = {params["elu_alpha"]}. The checks call every function on these,
plus the defaults (`leaky_relu(z)` uses 0.01, `elu(z)` uses 1.0).
"""


def _extra(params: dict, key: str | None) -> tuple:
    return () if key is None else (params[key],)


def _grad_mistakes(name: str, z: np.ndarray) -> dict:
    """The named wrong derivatives of sigmoid and tanh at ``z``."""
    if name == "sigmoid":
        return {SIGMOID_GRAD_HINT: act.sigmoid(z) * (1 - z)}
    if name == "tanh":
        return {TANH_GRAD_HINT: 1 - np.tanh(z)}
    return {}


@pytest.mark.points(1)
def test_activations_at_the_example(student, ref):
    z = np.array([-2.0, -0.5, 0.5, 2.0])
    for name in ["identity", "binary_step", "sigmoid", "tanh", "relu", "leaky_relu", "elu",
                 "selu", "gelu", "softplus", "silu", "gaussian"]:
        expect_close(getattr(student, name)(z), getattr(ref, name)(z), what=f"{name}({show(z)})",
                     mistakes={"This is f(−z): check the sign of the exponent.": getattr(ref, name)(-z)}
                     if name == "sigmoid" else {})
    expect_close(student.prelu(z, 0.25), ref.prelu(z, 0.25), what=f"prelu({show(z)}, 0.25)")


@pytest.mark.points(2)
def test_activations_on_your_inputs(student, ref, params):
    z = np.array(params["z"])
    a, ea = params["alpha"], params["elu_alpha"]
    calls = [("identity", ()), ("binary_step", ()), ("sigmoid", ()), ("tanh", ()), ("relu", ()),
             ("leaky_relu", ()), ("leaky_relu", (a,)), ("prelu", (a,)), ("elu", ()), ("elu", (ea,)),
             ("selu", ()), ("gelu", ()), ("softplus", ()), ("silu", ()), ("gaussian", ())]
    root_2 = np.sqrt(2.0)  # GELU's Φ(z) = ½(1 + erf(z/√2)); with erf(z) it is Φ(√2 z) = gelu(√2 z) / (√2 z)
    erf_without_root_2 = ref.gelu(root_2 * z) / root_2
    for name, extra in calls:
        what = f"{name}({show(z)}{''.join(', ' + str(v) for v in extra)})"
        expect_close(getattr(student, name)(z, *extra), getattr(ref, name)(z, *extra), what=what, mistakes={
            "GELU is z·Φ(z) with Φ(z) = ½(1 + erf(z/√2)): divide erf's argument by √2.":
                erf_without_root_2 if name == "gelu" else None},  # None: not this function's mistake
            hint=f"Compare your {name} with its formula in the table, on a negative and a positive z.")


@pytest.mark.points(2)
def test_derivatives_on_your_inputs(student, ref, params):
    z = np.array(params["z"])
    a, ea = params["alpha"], params["elu_alpha"]
    calls = [("identity", ()), ("binary_step", ()), ("sigmoid", ()), ("tanh", ()), ("relu", ()),
             ("leaky_relu", ()), ("leaky_relu", (a,)), ("prelu", (a,)), ("elu", ()), ("elu", (ea,)),
             ("selu", ()), ("gelu", ()), ("softplus", ()), ("silu", ()), ("gaussian", ())]
    s, t = ref.sigmoid(z), ref.tanh(z)
    silu_minus = ref.silu_grad(z) - 2 * z * s * (1 - s)  # z·g'(z) subtracted: the right derivative − 2·z·g'(z)
    gelu_minus = ref.gelu_grad(z) - 2 * z * np.exp(-z ** 2 / 2) / np.sqrt(2 * np.pi)
    for name, extra in calls:
        what = f"{name}_grad({show(z)}{''.join(', ' + str(v) for v in extra)})"

        def of(function, value):  # the value of a mistake in ``function``'s derivative; None for the others
            return value if name == function else None

        expect_close(getattr(student, name + "_grad")(z, *extra), getattr(ref, name + "_grad")(z, *extra),
                     what=what, mistakes={
                         "σ'(z) is s(1 − s) with s = σ(z), not s(1 − z): use the sigmoid's output twice.":
                             of("sigmoid", s * (1 - z)),
                         "σ'(z) is s(1 − s) with s = σ(z): you wrote s(1 + s).": of("sigmoid", s * (1 + s)),
                         "tanh'(z) is 1 − tanh²(z): the tanh is squared.": of("tanh", 1 - t),
                         "tanh'(z) is 1 − tanh²(z): you added the square.": of("tanh", 1 + t ** 2),
                         "The product rule adds: (z·g(z))' = g(z) + z·g'(z); you subtracted the second term.":
                             of("silu", silu_minus) if name == "silu" else of("gelu", gelu_minus)},
                     hint=f"Differentiate {name} branch by branch; compare with the f'(z) column.")


@pytest.mark.points(2)
@pytest.mark.hidden(hint="Each <name>_grad must be the derivative of your own <name>: a centred difference "
                         "(f(z+h) − f(z−h)) / 2h of your function disagrees with it. Differentiate the "
                         "formula you implemented, branch by branch.")
def test_derivatives_match_your_functions(student, params):
    z = np.array([-3.1, -1.3, -0.4, 0.35, 1.7, 2.9])
    h = 1e-5
    for name, key in CALLS:
        extra = _extra(params, key)
        f = getattr(student, name)
        slope = (np.asarray(f(z + h, *extra), dtype=float) - np.asarray(f(z - h, *extra), dtype=float)) / (2 * h)
        expect_close(getattr(student, name + "_grad")(z, *extra), slope, what=f"{name}_grad vs its slope",
                     rtol=1e-4, atol=1e-6,
                     hint=f"{name}_grad does not match the slope of your own {name}: differentiate the "
                          "formula you implemented.")


@pytest.mark.points(2)
@pytest.mark.hidden(hint="Work elementwise on any shape: a number gives a number, a (n, units) batch gives "
                         "a (n, units) result, and prelu's alpha may be one slope per unit (broadcasting). "
                         "σ'(z) = s(1 − s) with s = σ(z); tanh' = 1 − tanh².")
def test_scalars_and_batches(student, params):
    batch = np.array([[-2.7, -0.9, 0.6, 3.3], [1.2, -0.3, 2.2, -1.6], [0.45, -3.8, -0.7, 1.05]])
    for z in (-0.8, 1.4, batch):
        for name, key in CALLS:
            extra = _extra(params, key)
            what = f"{name} on shape {np.shape(z)}"
            expect_close(getattr(student, name)(z, *extra), getattr(act, name)(z, *extra), what=what,
                         hint=f"{name} must work elementwise and keep the input's shape.")
            expect_close(getattr(student, name + "_grad")(z, *extra), getattr(act, name + "_grad")(z, *extra),
                         what=f"{name}_grad on shape {np.shape(z)}", mistakes=_grad_mistakes(name, z),
                         hint=f"{name}_grad must work elementwise and keep the input's shape.")
    per_unit = np.array([0.1, 0.2, 0.3, 0.4])
    expect_close(student.prelu(batch, per_unit), act.prelu(batch, per_unit), what="prelu with one slope per unit",
                 hint="prelu's alpha can be an array of one slope per unit: let numpy broadcast it.")
    expect_close(student.prelu_grad(batch, per_unit), act.prelu_grad(batch, per_unit),
                 what="prelu_grad with one slope per unit",
                 hint="prelu_grad's alpha can be an array of one slope per unit: let numpy broadcast it.")


@pytest.mark.points(2)
@pytest.mark.hidden(hint=STABILITY_HINT)
def test_stable_for_large_inputs(student, params):
    z = np.array([-1e4, -800.0, -50.0, 50.0, 800.0, 1e4])
    for name, key in CALLS:
        extra = _extra(params, key)
        for fn in (name, name + "_grad"):
            got = getattr(student, fn)(z, *extra)  # values only: printed warnings never decide points
            expect_close(got, getattr(act, fn)(z, *extra), what=f"{fn} at large |z|", hint=STABILITY_HINT)


def figures(student, ref, params):
    """For the feedback page: each activation and derivative of the student's next to the
    reference's on [-4, 4] (illustration only, never scored)."""
    from autograder.authoring import lines

    z = np.linspace(-4.0, 4.0, 161)
    shown = []
    for name in ("sigmoid", "tanh", "relu", "elu", "gelu", "silu"):
        series = []
        for suffix, label in (("", "f"), ("_grad", "f'")):
            function = name + suffix
            series.append({"label": f"reference {label}", "x": z, "y": getattr(ref, function)(z),
                            "style": "reference"})
            try:
                series.append({"label": f"yours {label}", "x": z, "y": getattr(student, function)(z),
                                "style": "student"})
            except Exception:  # an unfinished function simply has no curve
                continue
        shown.append(lines("a3.activations", f"{name} and its derivative", "z", "value", series))
    return shown
