"""reference.activations against hand values, finite differences and the ±1e4 stress test.

Tolerances: hand values to 1e-12 (they are exact or known to 16 digits);
finite differences (h = 1e-6, error ~1e-9) to rtol 1e-5, atol 1e-6.
"""

import importlib
import inspect
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from reference import activations as act
from tests.reference.gradcheck import elementwise_derivative, numerical_gradient, numerical_jacobian

FIXED = settings(derandomize=True, database=None, max_examples=40, deadline=None)

SMOOTH = {
    "identity": (act.identity, act.identity_grad),
    "sigmoid": (act.sigmoid, act.sigmoid_grad),
    "tanh": (act.tanh, act.tanh_grad),
    "gelu": (act.gelu, act.gelu_grad),
    "softplus": (act.softplus, act.softplus_grad),
    "silu": (act.silu, act.silu_grad),
    "gaussian": (act.gaussian, act.gaussian_grad),
}
KINKED = {  # a kink (or jump) at z = 0
    "binary_step": (act.binary_step, act.binary_step_grad),
    "relu": (act.relu, act.relu_grad),
    "leaky_relu": (act.leaky_relu, act.leaky_relu_grad),
    "leaky_relu(0.2)": (lambda z: act.leaky_relu(z, 0.2), lambda z: act.leaky_relu_grad(z, 0.2)),
    "prelu(0.25)": (lambda z: act.prelu(z, 0.25), lambda z: act.prelu_grad(z, 0.25)),
    "elu": (act.elu, act.elu_grad),
    "elu(0.5)": (lambda z: act.elu(z, 0.5), lambda z: act.elu_grad(z, 0.5)),
    "selu": (act.selu, act.selu_grad),
}

shapes = array_shapes(min_dims=0, max_dims=3, max_side=4)
anywhere = arrays(np.float64, shapes, elements=st.floats(-10, 10))
no_close_pieces = arrays(np.float64, (2, 6), elements=st.floats(-5, 5)).filter(
    lambda z: np.all(np.ptp(z.reshape(2, 3, 2), axis=-1) > 1e-3)  # 3 maxout units of 2 pieces, no near-ties
)
off_kink = arrays(np.float64, shapes, elements=st.floats(-10, 10).filter(lambda v: abs(v) > 1e-3))


@pytest.mark.parametrize("name", sorted(SMOOTH) + sorted(KINKED))
@FIXED
@given(data=st.data())
def test_derivative_matches_finite_differences(name, data):
    """Does each derivative agree with centred differences in [-10, 10] (|z| > 1e-3 where there is a kink)?"""
    f, grad = {**SMOOTH, **KINKED}[name]
    z = data.draw(off_kink if name in KINKED else anywhere)
    np.testing.assert_allclose(grad(z), elementwise_derivative(f, z), rtol=1e-5, atol=1e-6)


def test_prelu_takes_one_alpha_per_unit():
    """Does prelu broadcast an alpha of shape (units,) over a batch (n, units)?"""
    z = np.array([[-1.0, -2.0], [3.0, -4.0]])
    alpha = np.array([0.1, 0.5])
    np.testing.assert_allclose(act.prelu(z, alpha), [[-0.1, -1.0], [3.0, -2.0]])
    np.testing.assert_allclose(act.prelu_grad(z, alpha), [[0.1, 0.5], [1.0, 0.5]])


def test_hand_values_of_the_docstring_formulas():
    """Do the functions give the values worked out by hand from their formulas?"""
    ln2, ln3 = math.log(2.0), math.log(3.0)
    lam, alpha = 1.0507009873554805, 1.6732632423543772
    cases = [
        (act.identity(-2.5), -2.5),
        (act.identity_grad(-2.5), 1.0),
        (act.binary_step([-1e-9, 0.0, 3.0]), [0.0, 1.0, 1.0]),  # step(0) = 1
        (act.binary_step_grad([-1.0, 0.0, 1.0]), [0.0, 0.0, 0.0]),
        (act.sigmoid(0.0), 0.5),
        (act.sigmoid(ln3), 0.75),  # 1 / (1 + 1/3)
        (act.sigmoid_grad(0.0), 0.25),
        (act.sigmoid_grad(ln3), 0.1875),  # 0.75 * 0.25
        (act.tanh(ln2), 0.6),  # (2 - 1/2) / (2 + 1/2)
        (act.tanh_grad(0.0), 1.0),
        (act.tanh_grad(ln2), 0.64),
        (act.relu([-2.0, 0.0, 3.0]), [0.0, 0.0, 3.0]),
        (act.relu_grad([-2.0, 0.0, 3.0]), [0.0, 0.0, 1.0]),  # 0 at z = 0
        (act.leaky_relu([-2.0, 0.0, 3.0]), [-0.02, 0.0, 3.0]),
        (act.leaky_relu_grad([-2.0, 0.0, 3.0]), [0.01, 0.01, 1.0]),
        (act.prelu(-2.0, 0.3), -0.6),
        (act.elu(-ln2), -0.5),  # 1 * (1/2 - 1)
        (act.elu(-ln2, alpha=2.0), -1.0),
        (act.elu_grad(-ln2), 0.5),
        (act.elu([2.0]), [2.0]),
        (act.selu(1.0), 1.0507009873554805),
        (act.selu(-ln2), -0.5 * lam * alpha),
        (act.selu_grad([-ln2, 2.0]), [0.5 * lam * alpha, lam]),
        (act.gelu(0.0), 0.0),
        (act.gelu(1.0), 0.8413447460685429),  # Φ(1)
        (act.gelu(-1.0), -0.15865525393145707),  # -(1 - Φ(1))
        (act.gelu_grad(0.0), 0.5),
        (act.gelu_grad(1.0), 0.8413447460685429 + 0.24197072451914337),  # Φ(1) + φ(1)
        (act.softplus(0.0), ln2),
        (act.softplus(ln3), math.log(4.0)),
        (act.softplus_grad(ln3), 0.75),
        (act.silu(ln3), 0.75 * ln3),
        (act.silu_grad(0.0), 0.5),
        (act.gaussian(1.0), math.exp(-1.0)),
        (act.gaussian_grad(1.0), -2.0 * math.exp(-1.0)),
    ]
    for got, expected in cases:
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


def test_selu_tends_to_minus_lambda_alpha():
    """Does selu saturate at -λα ≈ -1.7581 for very negative z?"""
    assert act.selu(-50.0) == pytest.approx(-1.0507009873554805 * 1.6732632423543772, rel=1e-12)


def test_stable_at_plus_minus_1e4():
    """Do all activations, derivatives and softmax stay finite at ±1e4 with no overflow or invalid warning?

    Underflow is allowed: e^-10000 rounds to 0, which is the correct float answer.
    """
    z = np.array([-1e4, -1e3, -1.0, 0.0, 1.0, 1e3, 1e4])
    with np.errstate(all="raise", under="ignore"):
        for name, (f, grad) in act.ACTIVATIONS.items():
            assert np.all(np.isfinite(f(z))), name
            assert np.all(np.isfinite(grad(z))), name
        np.testing.assert_allclose(act.sigmoid([-1e4, 1e4]), [0.0, 1.0])
        np.testing.assert_allclose(act.softplus([-1e4, 1e4]), [0.0, 1e4])
        np.testing.assert_allclose(act.silu([-1e4, 1e4]), [0.0, 1e4])
        y = act.softmax(np.array([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4]]))
        np.testing.assert_allclose(y, [[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]])
        J = act.softmax_jacobian(np.array([1e4, -1e4]))
        assert np.all(np.isfinite(J))


def test_softmax_known_values():
    """Is softmax([1, 2, 3]) the textbook (0.0900, 0.2447, 0.6652)?"""
    np.testing.assert_allclose(
        act.softmax([1.0, 2.0, 3.0]), [0.09003057317038046, 0.24472847105479764, 0.6652409557748219], rtol=1e-12
    )


@FIXED
@given(Z=arrays(np.float64, (3, 4), elements=st.floats(-50, 50)), shift=st.floats(-100, 100))
def test_softmax_rows_sum_to_one_and_ignore_a_shift(Z, shift):
    """Do softmax rows sum to 1, and is softmax(z + c) = softmax(z)?"""
    Y = act.softmax(Z)
    np.testing.assert_allclose(Y.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(act.softmax(Z + shift), Y, atol=1e-12)


def test_softmax_respects_axis():
    """Does softmax(axis=0) normalise the columns instead of the rows?"""
    Z = np.array([[1.0, 5.0], [1.0, 3.0]])
    np.testing.assert_allclose(act.softmax(Z, axis=0), [[0.5, 1 / (1 + math.exp(-2))], [0.5, 1 / (1 + math.exp(2))]])
    np.testing.assert_allclose(act.softmax(Z, axis=0).sum(axis=0), [1.0, 1.0])
    np.testing.assert_allclose(act.softmax(Z[:, :1], axis=1), [[1.0], [1.0]])


@FIXED
@given(z=arrays(np.float64, st.integers(1, 6), elements=st.floats(-8, 8)))
def test_softmax_jacobian_matches_finite_differences(z):
    """Does softmax_jacobian agree with centred differences, and is it symmetric with rows summing to 0?"""
    J = act.softmax_jacobian(z)
    np.testing.assert_allclose(J, numerical_jacobian(act.softmax, z), atol=1e-8)
    np.testing.assert_allclose(J, J.T, atol=1e-15)
    np.testing.assert_allclose(J.sum(axis=1), 0.0, atol=1e-12)


def test_softmax_jacobian_by_hand_and_rejects_a_batch():
    """Is J of z = (0, 0) [[¼, -¼], [-¼, ¼]], and is a batch refused with a clear error?"""
    np.testing.assert_allclose(act.softmax_jacobian([0.0, 0.0]), [[0.25, -0.25], [-0.25, 0.25]])
    with pytest.raises(ValueError, match=r"shape \(k,\).*\(2, 2\)"):
        act.softmax_jacobian(np.zeros((2, 2)))


def test_maxout_groups_consecutive_pieces():
    """Does maxout take the max over consecutive groups along the last axis, shape (..., m*k) -> (..., m)?"""
    np.testing.assert_allclose(act.maxout([1.0, 5.0, 3.0, 2.0], pieces=2), [5.0, 3.0])
    z = np.arange(12.0).reshape(2, 6)
    np.testing.assert_allclose(act.maxout(z, pieces=3), [[2.0, 5.0], [8.0, 11.0]])
    np.testing.assert_allclose(act.maxout_grad([1.0, 5.0, 3.0, 2.0], 2), [0.0, 1.0, 1.0, 0.0])
    zeros_piece = np.stack([np.linspace(-2, 2, 5), np.zeros(5)], axis=-1).reshape(-1)
    np.testing.assert_allclose(act.maxout(zeros_piece, 2), act.relu(np.linspace(-2, 2, 5)))


def test_maxout_rejects_an_indivisible_last_axis():
    """Is a last axis that pieces does not divide refused with a message naming both?"""
    with pytest.raises(ValueError, match=r"pieces=4.*\(2, 6\)"):
        act.maxout(np.zeros((2, 6)), pieces=4)


@FIXED
@given(z=no_close_pieces)
def test_maxout_grad_backpropagates_like_finite_differences(z):
    """Does maxout_grad * repeat(dout) equal the finite-difference gradient of sum(dout * maxout(z)), away from ties?"""
    dout = np.array([[1.0, -2.0, 0.5], [3.0, 0.25, -1.0]])
    analytic = act.maxout_grad(z, 2) * np.repeat(dout, 2, axis=-1)
    numeric = numerical_gradient(lambda v: float(np.sum(dout * act.maxout(v, 2))), z)
    np.testing.assert_allclose(analytic, numeric, atol=1e-6)


@pytest.mark.parametrize("name", sorted(act.ACTIVATIONS))
def test_shapes_scalar_vector_batch(name):
    """Does every activation and derivative keep the shape of a scalar, a list, a vector and a batch?"""
    f, grad = act.ACTIVATIONS[name]
    for z in (0.3, [0.3, -1.2], np.linspace(-1, 1, 5), np.ones((2, 3, 4))):
        expected = np.shape(z)
        assert np.shape(f(z)) == expected
        assert np.shape(grad(z)) == expected


def test_registry_names():
    """Does ACTIVATIONS hold exactly the names reference/mlp.py looks up, each pair being (f, f')?"""
    assert set(act.ACTIVATIONS) == {
        "identity", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu",
        "gelu", "softplus", "silu", "gaussian", "binary_step",
    }  # fmt: skip
    assert act.ACTIVATIONS["relu"] == (act.relu, act.relu_grad)


def test_inputs_are_not_modified():
    """Is the caller's array left untouched (identity returns a copy)?"""
    z = np.array([1.0, -2.0])
    out = act.identity(z)
    out[0] = 99.0
    np.testing.assert_array_equal(z, [1.0, -2.0])


PROPERTY_FUNCTIONS = dict(SMOOTH, **{k: v for k, v in KINKED.items() if "(" not in k})
PROPERTY_FUNCTIONS["prelu"] = KINKED["prelu(0.25)"]


@pytest.mark.parametrize("name", sorted(PROPERTY_FUNCTIONS))
def test_properties_table_matches_the_curves(name):
    """Do the monotonic / zero_centred / bounded / saturates entries agree with the functions on a grid?"""
    f, grad = PROPERTY_FUNCTIONS[name]
    props = act.PROPERTIES[name]
    grid = np.linspace(-6, 6, 1201)
    values = f(grid)
    assert props["monotonic"] == bool(np.all(np.diff(values) >= 0))
    assert props["zero_centred"] == bool(values.min() < 0 < values.max())
    assert props["bounded"] == bool(np.all(np.abs(f(np.array([-1e3, 1e3]))) < 10))
    low, high = np.abs(grad(np.array([-50.0, 50.0])))
    expected = {(True, True): "both", (True, False): "negative", (False, False): "none"}[(low < 1e-6, high < 1e-6)]
    assert props["saturates"] == expected


@pytest.mark.parametrize("module", ["reference.activations", "reference.losses", "reference.metrics"])
def test_every_public_function_is_self_contained(module):
    """Does each public function use only np, math and public functions of its own module (so getsource is a solution)?"""
    mod = importlib.import_module(module)
    functions = {name: obj for name, obj in vars(mod).items() if inspect.isfunction(obj) and obj.__module__ == module}
    for name, fn in functions.items():
        if name.startswith("_"):
            pytest.fail(f"{module}.{name} is private; exercise solutions may not depend on it")
        used = inspect.getclosurevars(fn).globals
        allowed = {"np": np, "math": math} | functions
        outside = {k for k, v in used.items() if allowed.get(k) is not v}
        assert not outside, f"{module}.{name} uses {sorted(outside)} from outside the contract"
        namespace = {"np": np, "math": math}
        exec(inspect.getsource(fn), namespace)  # the cut-out source defines the function on its own
        assert callable(namespace[name])
