"""a4 · Vanishing gradients: per-layer gradient norms of a deep network, sigmoid against ReLU.

The checks judge the pattern (sigmoid gradients shrink toward the input, ReLU
ones do not) on the student's variant; one hidden point asks for the exact
numbers the stated draws give.
"""
import numpy as np
import pytest

from exercises.dlcheck import as_numbers, expect, expect_close, show
from exercises.model import RedrawVariant
from reference import vanishing

ASSIGNMENT = "a4"
TITLE = "Vanishing gradients"
CONCEPT = "product of activation derivatives across layers, sigmoid vs ReLU, initialisation"
SOLUTION = [vanishing.layer_gradient_norms]

BATCH = 32


def _misread_norms(depth: int, width: int, activation: str, seed: int, *, sigmoid_slope: float = 1.0,
                   relu_from: float = 0.0, relu_clipped: bool = True, equal_weights: bool = False,
                   limit_over_width: bool = False, delta_at_input: bool = False, g=None, g_prime=None,
                   limit=None, he_mean: float = 0.0, he_swapped: bool = False, rows: int = BATCH,
                   transposed: bool = False, delta_from: int = -1, slope_at: int = -1, extra_draws: int = 0,
                   from_input: bool = False) -> np.ndarray:
    """vanishing.layer_gradient_norms with one misreading: σ'(h) = h·(sigmoid_slope − h) (1 is right),
    ReLU' = [h > relu_from], ReLU without its max, every sigmoid weight equal to r, r = √(6 / (2 / width))
    (limit_over_width), or the output δ taken from the input batch h_0 instead of h_L; or (for naming
    mistakes in the exact check) the activation ``g`` or its derivative ``g_prime`` (of h) written
    otherwise, the Glorot limit ``limit(width)``, He weights of mean ``he_mean`` or with mean and std
    swapped, a batch of ``rows`` rows, a_l = h W (``transposed``), the output δ from h[delta_from] or
    its slope at h[slope_at], ``extra_draws`` weight matrices drawn (and applied) too many, or every
    layer fed the input batch h_0 (``from_input``)."""
    g = g or {"sigmoid": lambda a: np.exp(-np.logaddexp(0.0, -a)),
              "relu": (lambda a: np.maximum(a, 0.0)) if relu_clipped else (lambda a: a)}[activation]
    slope = g_prime or {"sigmoid": lambda h: h * (sigmoid_slope - h),
                        "relu": lambda h: (h > relu_from).astype(float)}[activation]
    rng = np.random.default_rng(seed)
    H, weights = [rng.standard_normal((rows, width))], []
    for _ in range(depth + extra_draws):
        r = limit(width) if limit else np.sqrt(6.0 / (2 / width) if limit_over_width else 6.0 / (2 * width))
        he = (np.sqrt(2.0 / width), 0.0) if he_swapped else (he_mean, np.sqrt(2.0 / width))
        weights.append(rng.normal(*he, size=(width, width)) if activation == "relu"
                       else rng.uniform(r if equal_weights else -r, r, size=(width, width)))
    for W in weights:
        H.append(g(H[0 if from_input else -1] @ (W if transposed else W.T)))
    delta = (H[0] if delta_at_input else H[delta_from]) * slope(H[slope_at]) / rows
    norms = np.zeros(depth)
    for layer in range(depth - 1, -1, -1):
        norms[layer] = np.linalg.norm(delta.T @ H[layer])
        if layer > 0:
            delta = (delta @ weights[layer]) * slope(H[layer])
    return norms


def exact_norm_mistakes(depth: int, width: int, activation: str, seed: int) -> dict:
    """Hint -> the norms each known misreading of the stated network gives (instructor code; a misreading
    that does not touch ``activation``'s network gives the right norms, so it can never match a wrong answer)."""
    args = (depth, width, activation, seed)
    expected = vanishing.layer_gradient_norms(*args)
    with np.errstate(all="ignore"):  # a misreading may overflow or divide by 0: its norms are then never matched
        found = {"The layers are in reverse order: the input-side layer comes first.": expected[::-1],
                 "The output δ is taken from the input batch h_0: δ_L = h_L ⊙ g'(a_L) / n with h_L = H[-1].":
                     _misread_norms(*args, delta_at_input=True),
                 "The output δ starts from h_1, not h_L: δ_L = h_L ⊙ g'(a_L) / n with h_L = H[-1].":
                     _misread_norms(*args, delta_from=1),
                 "a_l is computed as h_{l−1} W, not h_{l−1} Wᵀ (rows are samples: a = h @ W.T).":
                     _misread_norms(*args, transposed=True),
                 "Every layer is fed the input batch h_0: a_l = h_{l−1} W_lᵀ takes the previous layer's output.":
                     _misread_norms(*args, from_input=True),
                 "One weight matrix too many is drawn (and applied): draw exactly W_1 … W_depth.":
                     _misread_norms(*args, extra_draws=1),
                 "ReLU' is [h > 1], not [h > 0].": _misread_norms(*args, relu_from=1.0),
                 "ReLU is the identity: np.maximum(a, 0) is missing.": _misread_norms(*args, relu_clipped=False),
                 "The He weights have mean 1: rng.normal(0, np.sqrt(2 / width), ...).":
                     _misread_norms(*args, he_mean=1.0),
                 "The He weights are all √(2 / width): rng.normal takes the mean (0) first, then the std.":
                     _misread_norms(*args, he_swapped=True),
                 "Every sigmoid weight equals r: draw rng.uniform(-r, r, ...), from −r.":
                     _misread_norms(*args, equal_weights=True)}
        if activation == "relu":  # g and g' written otherwise: only for the activation they belong to
            found.update({"ReLU is max(a, 1), not max(a, 0).": _misread_norms(*args, g=lambda a: np.maximum(a, 1.0))})
        else:
            found.update({"The sigmoid is σ(−a) = 1/(1 + e^a): the sign inside the exponential is flipped.":
                          _misread_norms(*args, g=lambda a: np.exp(-np.logaddexp(0.0, a)))})
        for slope_at in (0, 1, -2):
            found.update({f"The output δ's derivative is taken at H[{slope_at}], not at h_L = H[-1].":
                          _misread_norms(*args, slope_at=slope_at)})
        for rows in (1, 2 * BATCH):
            found.update({f"The batch has {rows} rows: X = rng.standard_normal(({BATCH}, width)), and n = {BATCH}.":
                          _misread_norms(*args, rows=rows)})
        for form, prime in (("h(2 − h)", lambda h: h * (2 - h)), ("−h²", lambda h: -h * h),
                            ("h(1 + h)", lambda h: h * (1 + h)), ("h / (1 − h)", lambda h: h / (1 - h))):
            if activation == "sigmoid":
                found.update({f"σ'(a) is computed as {form}, not h(1 − h) with h = σ(a).":
                              _misread_norms(*args, g_prime=prime)})
        for form, limit in (("√(6 / width)", lambda w: np.sqrt(6 / w)),
                            ("√(6 / (4·width))", lambda w: np.sqrt(6 / (4 * w))),
                            ("√(1 / (2·width))", lambda w: np.sqrt(1 / (2 * w))),
                            ("√(12·width)", lambda w: np.sqrt(12 * w)),
                            ("√(6 / (2 / width))", lambda w: np.sqrt(3 * w))):
            found.update({f"The Glorot limit is r = {form}, not √(6 / (2·width)).":
                          _misread_norms(*args, limit=limit)})
    return found


def _patterns(depth: int, width: int, seed: int, **misreading) -> tuple[bool, bool, bool]:
    """What the pattern checks conclude: sigmoid norms grow 100-fold toward the output, ReLU ones stay
    within ×100, and a 20-layer sigmoid network's grow 1e5-fold (the predicates of the checks below)."""
    with np.errstate(all="ignore"):
        sigmoid, relu = (_misread_norms(depth, width, a, seed, **misreading) for a in ("sigmoid", "relu"))
        deep = _misread_norms(20, 10, "sigmoid", seed + 1, **misreading)
    return (bool(np.all(sigmoid > 0) and np.all(np.diff(sigmoid) > 0) and sigmoid[0] < 1e-2 * sigmoid[-1]),
            bool(np.all(relu > 0) and 0.01 < relu[0] / relu[-1] < 100),
            bool(np.all(deep > 0) and deep[0] < 1e-5 * deep[-1]))


MISREADINGS = {  # a misreading -> what the pattern checks conclude about it on every variant
    "σ' = h(2 − h)": ({"sigmoid_slope": 2.0}, (False, True, False)),
    "ReLU' = [h > 1]": ({"relu_from": 1.0}, (True, True, True)),
    "ReLU without np.maximum": ({"relu_clipped": False}, (True, True, True)),
    "every sigmoid weight r": ({"equal_weights": True}, (False, True, True)),
    "r = √(6 / (2 / width))": ({"limit_over_width": True}, (False, True, False)),
    "output δ from the input batch": ({"delta_at_input": True}, (True, True, True)),
}

MISTAKE_CODE = {
    "the layers in reverse order (output side first)": "_right_order = layer_gradient_norms\n\n\n"
        "def layer_gradient_norms(depth, width, activation, seed):\n"
        "    return _right_order(depth, width, activation, seed)[::-1]\n",
    "σ'(a) applied at the output only, not in the hidden layers": """def layer_gradient_norms(depth, width, activation, seed):
    rng = np.random.default_rng(seed)
    H, weights = [rng.standard_normal((32, width))], []
    for _ in range(depth):
        r = np.sqrt(6.0 / (2 * width))
        weights.append(rng.normal(0.0, np.sqrt(2.0 / width), size=(width, width)) if activation == "relu"
                       else rng.uniform(-r, r, size=(width, width)))
    g = (lambda a: np.maximum(a, 0.0)) if activation == "relu" else (lambda a: 1 / (1 + np.exp(-a)))
    for W in weights:
        H.append(g(H[-1] @ W.T))
    delta = H[-1] * ((H[-1] > 0) if activation == "relu" else H[-1] * (1 - H[-1])) / 32
    norms = np.zeros(depth)
    for layer in range(depth - 1, -1, -1):
        norms[layer] = np.linalg.norm(delta.T @ H[layer])
        delta = delta @ weights[layer]
    return norms
""",
}


def params(rng: np.random.Generator) -> dict:
    """Depth 6–12, width 6–16 and a seed whose ReLU network keeps its gradient within ×20 end to end,
    and on which each of MISREADINGS passes and fails the same pattern checks as on every variant."""
    depth, width, seed = int(rng.integers(6, 13)), int(rng.integers(6, 17)), int(rng.integers(1000, 10**6))
    relu = vanishing.layer_gradient_norms(depth, width, "relu", seed)
    if not 0.05 < relu[0] / relu[-1] < 20:
        raise RedrawVariant("this ReLU draw happens to shrink or grow a lot")
    for description, (misreading, concluded) in MISREADINGS.items():
        if _patterns(depth, width, seed, **misreading) != concluded:
            raise RedrawVariant(f"the pattern checks would judge {description} unlike on other variants")
    return {"depth": depth, "width": width, "seed": seed}


def prompt(params: dict) -> str:
    return f"""\
Backpropagation multiplies, layer after layer, by the weights and by the activation's
derivative: $\\delta_l = (W_{{l+1}}^\\top \\delta_{{l+1}}) \\odot g'(a_l)$. The sigmoid's derivative
is at most 0.25, so in a deep sigmoid network the gradient shrinks roughly geometrically
toward the input (e.g. $0.25 \\cdot 0.15 \\cdot 0.10 \\cdot 0.05 \\cdot 0.02 = 3.75 \\times 10^{{-6}}$): the
first layers hardly learn. ReLU's derivative is 0 or 1, and with He initialisation the
gradient keeps its size.

Implement `layer_gradient_norms(depth, width, activation, seed)` and measure it. The network:
`depth` layers of `width` units, input size `width`, the same `activation` in every layer (the
last one too), no biases, $a_l = W_l h_{{l-1}}$. Draw, in this order, from
`rng = np.random.default_rng(seed)`:

1. the batch `X = rng.standard_normal(({BATCH}, width))` (rows are samples);
2. `W_1, …, W_depth`, each of shape `(width, width)`: for `"sigmoid"` and `"tanh"` Glorot/Xavier
   uniform, `rng.uniform(-r, r, size=(width, width))` with $r = \\sqrt{{6 / (2 \\cdot \\text{{width}})}}$;
   for `"relu"` He normal, `rng.normal(0, np.sqrt(2 / width), size=(width, width))`.

Use the loss $L = \\frac1n \\sum_s \\tfrac12 \\lVert h_{{L,s}} \\rVert^2$ (target zero, mean over the n = {BATCH}
rows), backpropagate, and return the array of the Frobenius norms
$\\lVert \\partial L / \\partial W_l \\rVert$ (`np.linalg.norm`), **first (input-side) layer first**,
shape `(depth,)`.

**Your network**: `depth = {params["depth"]}`, `width = {params["width"]}`, `seed = {params["seed"]}`.
Compare `activation="sigmoid"` with `"relu"` (a log-scale plot shows it best).
"""


PLOT = """\
import matplotlib.pyplot as plt
for name in ("sigmoid", "tanh", "relu"):  # a 10-layer network of width 10
    plt.semilogy(range(1, 11), layer_gradient_norms(10, 10, name, 0), "o-", label=name)
plt.xlabel("layer (1 = input side)"); plt.ylabel("‖∂L/∂W_l‖"); plt.legend(); plt.show()
"""


@pytest.mark.points(1)
def test_one_positive_norm_per_layer(student, params):
    depth = params["depth"]
    norms = as_numbers(student.layer_gradient_norms(depth, params["width"], "sigmoid", params["seed"]),
                       "layer_gradient_norms")
    expect(norms.shape == (depth,), f"expected one norm per layer, shape ({depth},), got shape {norms.shape}.",
           "Return np.array([‖dW_1‖, …, ‖dW_depth‖]).")
    expect(bool(np.all(np.isfinite(norms)) and np.all(norms > 0)),
           f"the norms must be finite and positive, got {show(norms)}.",
           "A Frobenius norm np.linalg.norm(dW) is positive unless the gradient is exactly zero.")


@pytest.mark.points(2)
def test_sigmoid_gradients_vanish_toward_the_input(student, params):
    norms = as_numbers(student.layer_gradient_norms(params["depth"], params["width"], "sigmoid", params["seed"]),
                       "layer_gradient_norms(..., 'sigmoid', ...)")
    expect(norms.ndim == 1 and len(norms) == params["depth"] and bool(np.all(norms > 0)),
           f"expected {params['depth']} positive norms, got {show(norms)}.")
    expect(bool(np.all(np.diff(norms) > 0)),
           f"with sigmoid the norms should grow from the input side to the output side, got {show(norms)}.",
           "Put the first (input-side) layer first, and multiply δ by σ'(a) = h(1 − h) at every layer.")
    expect(norms[0] < 1e-2 * norms[-1],
           f"the first layer's gradient norm is {norms[0] / norms[-1]:.3g} times the last one's: "
           "with sigmoid it should be below 1e-2.",
           "Multiply by σ'(a_l) = h_l(1 − h_l) in every layer of the backward pass.")


@pytest.mark.points(1)
def test_relu_gradients_keep_their_size(student, params):
    norms = as_numbers(student.layer_gradient_norms(params["depth"], params["width"], "relu", params["seed"]),
                       "layer_gradient_norms(..., 'relu', ...)")
    expect(norms.ndim == 1 and len(norms) == params["depth"] and bool(np.all(norms > 0)),
           f"expected {params['depth']} positive norms, got {show(norms)}.")
    expect(0.01 < norms[0] / norms[-1] < 100,
           f"with ReLU and He initialisation the first layer's gradient norm should stay within a factor "
           f"100 of the last one's; the ratio is {norms[0] / norms[-1]:.3g}.",
           "ReLU's derivative is 1 where a > 0 and 0 elsewhere; draw He weights with std sqrt(2 / width).")


@pytest.mark.points(1)
@pytest.mark.hidden(hint="Follow the stated draws exactly: X first, then W_1 … W_depth from the same generator; "
                         "L is the mean over the 32 rows; the first layer comes first in the result.")
def test_the_exact_norms(student, params):
    for activation in ("sigmoid", "relu"):
        args = (params["depth"], params["width"], activation, params["seed"])
        expect_close(student.layer_gradient_norms(*args), vanishing.layer_gradient_norms(*args), rtol=1e-6, n=BATCH,
                     what=f"the {activation} norms", mistakes=exact_norm_mistakes(*args))


@pytest.mark.points(1)
@pytest.mark.hidden(hint="In a 20-layer sigmoid network the input-side gradient should be tiny compared to "
                         "the output side: multiply by σ'(a_l) at every layer, going backwards.")
def test_a_deeper_sigmoid_network(student, params):
    norms = as_numbers(student.layer_gradient_norms(20, 10, "sigmoid", params["seed"] + 1), "layer_gradient_norms")
    expect(norms.shape == (20,) and bool(np.all(norms > 0)) and norms[0] < 1e-5 * norms[-1],
           "the gradient does not vanish in a 20-layer sigmoid network.")
