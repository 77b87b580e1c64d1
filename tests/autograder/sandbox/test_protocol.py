"""Tests of autograder.sandbox.protocol: frames and the tagged value encoding."""
from __future__ import annotations

import io
import math
import os
import struct
import time

import numpy as np
import pytest

from autograder.sandbox.protocol import (
    MAGIC, ChannelClosed, Code, Opaque, ProtocolError, decode_value, encode_value, pack_frame,
    read_frame, unpack_frame, write_frame,
)


def round_trip(value: object) -> object:
    """Encode as the worker does, through a real frame (JSON text and raw frames), and decode as the
    grader does."""
    return decode_value(unpack_frame(pack_frame({"value": encode_value(value, strict=False)}))["value"])


class Hostile:
    """An object whose every dunder would lie or raise, and which records being called."""

    calls: list[str] = []

    def __eq__(self, other: object) -> bool:
        Hostile.calls.append("__eq__")
        return True

    def __hash__(self) -> int:
        Hostile.calls.append("__hash__")
        return 0

    def __array__(self, *args: object, **kwargs: object) -> np.ndarray:
        Hostile.calls.append("__array__")
        raise RuntimeError("no array for you")

    def __iter__(self):  # noqa: ANN204
        Hostile.calls.append("__iter__")
        return iter([1, 2, 3])

    def __len__(self) -> int:
        Hostile.calls.append("__len__")
        return 3

    def __repr__(self) -> str:
        Hostile.calls.append("__repr__")
        return "Hostile()"

    def __float__(self) -> float:
        Hostile.calls.append("__float__")
        return 1.0


@pytest.mark.parametrize("array", [
    np.arange(6, dtype=np.float64).reshape(2, 3),
    np.asfortranarray(np.arange(6, dtype=np.int32).reshape(3, 2)),
    np.array([True, False]),
    np.float32(2.5) * np.ones((2, 2, 2), dtype=np.float32),
    np.zeros((0, 4)),
    np.array(7.0),
], ids=["float64", "fortran-int32", "bool", "float32-3d", "empty", "0-d"])
def test_arrays_round_trip(array: np.ndarray) -> None:
    """Does an array come back with the same shape, dtype and values?"""
    back = round_trip(array)
    assert type(back) is np.ndarray
    assert back.shape == array.shape and back.dtype == array.dtype
    assert np.array_equal(back, array)


def test_special_floats_round_trip() -> None:
    """Do nan, inf, -inf and -0.0 survive although JSON cannot spell the first three?"""
    nan, inf, minus_inf, minus_zero = round_trip([float("nan"), float("inf"), float("-inf"), -0.0])
    assert math.isnan(nan) and inf == math.inf and minus_inf == -math.inf
    assert minus_zero == 0.0 and math.copysign(1.0, minus_zero) == -1.0


def test_tuples_and_non_string_keys_round_trip() -> None:
    """Are tuples kept as tuples and dict keys such as 4, (1, 2) and None kept as they were?"""
    value = {4: 0.1, (1, 2): "pair", None: [1, (2, 3)], "s": {"inner": (1.5,)}}
    back = round_trip(value)
    assert back == value
    assert type(back[None][1]) is tuple and type(back["s"]["inner"]) is tuple


def test_numpy_scalars_become_python_scalars() -> None:
    """Does a numpy scalar arrive as the plain Python number of the same value?"""
    back = round_trip([np.float64(1.5), np.int32(-3), np.bool_(True), np.float32(0.25)])
    assert back == [1.5, -3, True, 0.25]
    assert [type(item) for item in back] == [float, int, bool, float]


@pytest.mark.parametrize("bit_generator", ["PCG64", "MT19937", "Philox"])
def test_generator_state_crosses(bit_generator: str) -> None:
    """Does a rebuilt Generator draw what a fresh generator with the same seed draws?"""
    rng = np.random.Generator(getattr(np.random, bit_generator)(2024))
    back = round_trip(rng)
    fresh = np.random.Generator(getattr(np.random, bit_generator)(2024))
    assert type(back) is np.random.Generator
    assert np.array_equal(back.permutation(10), fresh.permutation(10))


def test_code_is_refused_by_the_grader_and_evaluated_by_the_worker() -> None:
    """Is a code value refused without eval_code, and handed to eval_code when given?"""
    data = encode_value(Code("lambda x: np.sum(x**2)"), strict=True)
    with pytest.raises(ProtocolError, match="only accepted by the worker"):
        decode_value(data)
    seen: list[str] = []
    decode_value(data, eval_code=lambda source: seen.append(source))
    assert seen == ["lambda x: np.sum(x**2)"]


def test_strict_encoding_refuses_objects() -> None:
    """Does the grader's strict encoder refuse a custom object and an object array?"""
    with pytest.raises(TypeError, match="cannot send"):
        encode_value(object(), strict=True)
    with pytest.raises(TypeError, match="dtype object"):
        encode_value(np.array([1, "a"], dtype=object), strict=True)


def test_hostile_objects_become_opaque_without_their_methods_running() -> None:
    """Are lying/raising objects, generators and object arrays sent as Opaque, no dunder called?"""
    Hostile.calls.clear()
    objects = np.empty(1, dtype=object)
    objects[0] = Hostile()
    values = [Hostile(), (i for i in range(3)), objects, {Hostile(): 1}]
    Hostile.calls.clear()
    back = round_trip(values)
    assert Hostile.calls == []
    assert [type(item) for item in back[:3]] == [Opaque, Opaque, Opaque]
    assert back[0].type_name.endswith("Hostile") and back[1].type_name == "generator"
    assert "dtype object" in back[2].summary
    assert list(back[3].values()) == [1] and type(next(iter(back[3]))) is Opaque


def test_subclasses_are_read_through_their_base_type() -> None:
    """Are list/dict/float/ndarray subclasses read with the base type's methods, not theirs?"""
    class LyingList(list):
        def __iter__(self):  # noqa: ANN204
            return iter([99])

        def __getitem__(self, index: object) -> int:
            return 99

    class LyingDict(dict):
        def items(self):  # noqa: ANN201
            return [("forged", 99)]

    class LyingFloat(float):
        def __float__(self) -> float:
            return 99.0

    class LyingArray(np.ndarray):
        def __eq__(self, other: object) -> bool:  # type: ignore[override]
            return True

    lying_array = np.array([1.0, 2.0]).view(LyingArray)
    back = round_trip([LyingList([1, 2]), LyingDict(a=1), LyingFloat(0.5), lying_array])
    assert back[:3] == [[1, 2], {"a": 1}, 0.5]
    assert type(back[3]) is np.ndarray and back[3].tolist() == [1.0, 2.0]


def test_too_deep_nesting_is_opaque_or_refused() -> None:
    """Is a self-containing list sent as Opaque, and deeply nested data refused on decode?"""
    loop: list = []
    loop.append(loop)
    encoded = encode_value(loop, strict=False)
    depth = 0
    while isinstance(encoded, list):
        encoded, depth = encoded[0], depth + 1
    assert encoded["$"] == "opaque" and depth > 10
    nested: object = 1
    for _ in range(200):
        nested = [nested]
    with pytest.raises(ProtocolError, match="too deeply"):
        decode_value(nested)


def npy_bytes(header: dict, data: bytes) -> bytes:
    """A hand-made .npy file: version 1.0 header + data."""
    text = repr(header).encode("latin1")
    text += b" " * (63 - (10 + len(text)) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text + data


def test_array_headers_must_match_their_data() -> None:
    """Is an .npy whose header promises more data than it holds, or an object dtype, refused?"""
    import base64

    promise = npy_bytes({"descr": "<f8", "fortran_order": False, "shape": (10**12,)}, b"\0" * 8)
    honest = npy_bytes({"descr": "<f8", "fortran_order": False, "shape": (1,)}, struct.pack("<d", 2.5))
    as_value = lambda raw: {"$": "ndarray", "v": base64.b64encode(raw).decode()}  # noqa: E731
    assert decode_value(as_value(honest)).tolist() == [2.5]
    with pytest.raises(ProtocolError, match="promises"):
        decode_value(as_value(promise))
    objects = npy_bytes({"descr": "|O", "fortran_order": False, "shape": (1,)}, b"\0" * 8)
    with pytest.raises(ProtocolError):
        decode_value(as_value(objects))


# ------------------------------------------------------------------ frames
@pytest.fixture
def pipe():  # noqa: ANN201
    read_end, write_end = os.pipe()
    yield read_end, write_end
    for fd in (read_end, write_end):
        try:
            os.close(fd)
        except OSError:
            pass


def test_frame_round_trip(pipe: tuple[int, int]) -> None:
    """Does a message written as a frame read back as the same JSON object?"""
    read_end, write_end = pipe
    write_frame(write_end, {"id": 3, "value": [1, "two", None]})
    assert read_frame(read_end) == {"id": 3, "value": [1, "two", None]}


def test_oversized_frame_is_refused_before_reading(pipe: tuple[int, int]) -> None:
    """Is a header announcing 2 GiB refused at once, without waiting for or allocating the body?"""
    read_end, write_end = pipe
    os.write(write_end, MAGIC + struct.pack(">I", 2**31))
    with pytest.raises(ProtocolError, match="exceeds"):
        read_frame(read_end, max_bytes=1024, deadline=time.monotonic() + 5)
    with pytest.raises(ProtocolError, match="exceeds"):
        pack_frame({"blob": "x" * 2000}, max_bytes=1024)


@pytest.mark.parametrize("raw, error", [
    (b"GARBAGE!", ProtocolError),
    (MAGIC + struct.pack(">I", 3) + b"NaN", ProtocolError),
    (MAGIC + struct.pack(">I", 2) + b"[]", ProtocolError),
    (MAGIC + struct.pack(">I", 2) + b"\xff\xfe", ProtocolError),
    (MAGIC + struct.pack(">I", 100) + b"{}", ChannelClosed),
], ids=["bad-magic", "nan-literal", "not-an-object", "not-utf8", "truncated"])
def test_malformed_frames_raise(pipe: tuple[int, int], raw: bytes, error: type) -> None:
    """Does each kind of malformed frame raise ProtocolError (ChannelClosed at end of file)?"""
    read_end, write_end = pipe
    os.write(write_end, raw)
    os.close(write_end)
    with pytest.raises(error):
        read_frame(read_end)


def test_deeply_nested_json_is_refused(pipe: tuple[int, int]) -> None:
    """Is JSON nested 50,000 deep refused as a protocol error rather than crashing the reader?"""
    read_end, write_end = pipe
    payload = b'{"v":' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    frame = MAGIC + struct.pack(">I", len(payload)) + payload
    stream = io.BytesIO(frame)
    os.set_blocking(write_end, True)
    import threading

    writer = threading.Thread(target=lambda: os.write(write_end, stream.read()))
    writer.start()
    with pytest.raises(ProtocolError):
        read_frame(read_end, deadline=time.monotonic() + 10)
    writer.join()


def test_read_stops_at_the_deadline(pipe: tuple[int, int]) -> None:
    """Does read_frame raise TimeoutError when nothing arrives before the deadline?"""
    read_end, _write_end = pipe
    with pytest.raises(TimeoutError):
        read_frame(read_end, deadline=time.monotonic() + 0.05)
