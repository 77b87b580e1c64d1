"""Arrays on the worker channel: raw ``.npy`` frames after the JSON, not base64 inside it."""
from __future__ import annotations

import json
import os
import struct
import threading
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograder.sandbox.protocol import (ARRAYS_MAGIC, HEADER, MAGIC, RAW_MAGIC, ProtocolError, decode_value,
                                         encode_value, pack_frame, read_frame, unpack_frame, write_frame)


def frame(message: dict, *raws: bytes, json_length: int | None = None) -> bytes:
    """A hand-made arrays frame: the JSON's length, the JSON, then the raw frames as given."""
    text = json.dumps(message).encode()
    payload = struct.pack(">I", len(text) if json_length is None else json_length) + text + b"".join(raws)
    return ARRAYS_MAGIC + struct.pack(">I", len(payload)) + payload


def raw(data: bytes, magic: bytes = RAW_MAGIC, length: int | None = None) -> bytes:
    return magic + struct.pack(">I", len(data) if length is None else length) + data


def npy(array: np.ndarray) -> bytes:
    import io
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def test_an_array_crosses_as_its_npy_bytes_in_a_raw_frame():
    """Does the JSON of a message with an array hold only a reference, and the raw frame the .npy bytes?"""
    array = np.linspace(0.0, 1.0, 1000)
    packed = pack_frame({"id": 1, "value": encode_value([array, 2.5], strict=True)})
    magic, size = HEADER.unpack(packed[:HEADER.size])
    (json_length,) = struct.unpack(">I", packed[HEADER.size:HEADER.size + 4])
    text_end = HEADER.size + 4 + json_length
    assert magic == ARRAYS_MAGIC and size == len(packed) - HEADER.size
    assert json.loads(packed[HEADER.size + 4:text_end]) == {"id": 1, "value": [{"$": "ndarray", "npy": 0}, 2.5]}
    assert packed[text_end:] == raw(npy(array))
    assert len(packed) < len(npy(array)) * 4 // 3  # base64 alone would be 4/3 of the bytes


def test_a_message_without_arrays_is_a_plain_frame():
    """Is a message without arrays still a plain JSON frame (MAGIC, length, JSON)?"""
    assert pack_frame({"id": 2, "value": [1.5]}) == MAGIC + struct.pack(">I", 22) + b'{"id":2,"value":[1.5]}'


@settings(max_examples=60, deadline=None)
@given(arrays=st.lists(hnp.arrays(hnp.scalar_dtypes(), hnp.array_shapes(min_dims=0, max_dims=3, max_side=5)),
                       max_size=4),
       extra=st.dictionaries(st.text(max_size=5), st.integers(), max_size=3))
def test_arrays_round_trip_through_a_frame(arrays, extra):
    """Do several arrays of any plain dtype and shape, among other values, come back equal, with their
    dtypes and shapes?"""
    message = {"value": encode_value({"arrays": arrays, "tuple": tuple(arrays), **extra}, strict=True)}
    back = decode_value(unpack_frame(pack_frame(message))["value"])
    for sent, got in ((arrays, back["arrays"]), (arrays, list(back["tuple"]))):
        assert len(got) == len(sent)
        for a, b in zip(sent, got):
            assert (a.dtype, a.shape) == (b.dtype, b.shape)
            np.testing.assert_array_equal(a, b)
    assert {k: back[k] for k in extra} == extra


def test_a_message_with_arrays_crosses_a_pipe():
    """Does write_frame/read_frame carry a message with arrays through a real pipe (larger than its buffer)?"""
    read_end, write_end = os.pipe()
    array = np.arange(200_000, dtype=np.float64)
    writer = threading.Thread(target=write_frame, args=(write_end, {"id": 7, "value": encode_value(array, strict=True)}))
    writer.start()
    message = read_frame(read_end, deadline=time.monotonic() + 10)
    writer.join()
    os.close(read_end), os.close(write_end)
    np.testing.assert_array_equal(decode_value(message["value"]), array)


def test_the_cap_counts_the_raw_frames():
    """Is a message whose JSON is small but whose arrays are over the cap refused when packed and when read?"""
    message = {"value": encode_value(np.zeros(1000), strict=True)}
    with pytest.raises(ProtocolError, match="exceeds"):
        pack_frame(message, max_bytes=4000)
    with pytest.raises(ProtocolError, match="exceeds"):
        unpack_frame(pack_frame(message), max_bytes=4000)


def test_an_arrays_frame_over_the_cap_is_refused_before_reading():
    """Is an arrays frame announcing 2 GiB refused at once, without waiting for or allocating its payload?"""
    read_end, write_end = os.pipe()
    os.write(write_end, ARRAYS_MAGIC + struct.pack(">I", 2**31))
    with pytest.raises(ProtocolError, match="exceeds"):
        read_frame(read_end, max_bytes=1024, deadline=time.monotonic() + 5)
    os.close(read_end), os.close(write_end)


ARRAY = npy(np.array([1.0, 2.0]))


REFERS = {"value": {"$": "ndarray", "npy": 0}}


@pytest.mark.parametrize("data, match", [
    (frame(REFERS, raw(ARRAY), json_length=10**6), "JSON length"),
    (frame(REFERS, raw(ARRAY, magic=b"DLG1")), "magic"),
    (frame(REFERS, raw(ARRAY, length=len(ARRAY) + 1)), "length"),
    (frame(REFERS, raw(ARRAY), b"DLG"), "cut off"),
    (frame({"value": {"$": "ndarray", "npy": 1}}, raw(ARRAY)), "raw frame 1 of 1"),
    (frame(REFERS), "raw frame 0 of 0"),
    (frame({"value": {"$": "ndarray", "npy": "AAAA"}}, raw(ARRAY)), "raw frame 'AAAA'"),
    (frame(REFERS, raw(ARRAY)) + b"x", "after the frame"),
], ids=["json-length-past-the-end", "wrong-raw-magic", "raw-length-past-the-end", "cut-off-raw-header",
        "missing-raw-frame", "no-raw-frames", "reference-not-an-index",
        "trailing-bytes"])
def test_malformed_raw_frames_are_refused(data, match):
    """Does each malformed raw frame or array reference raise ProtocolError naming what is wrong?"""
    with pytest.raises(ProtocolError, match=match):
        unpack_frame(data)


def test_a_raw_frame_cannot_be_smuggled_in_through_json():
    """Is an array value whose bytes did not come from a raw frame (a plain frame naming one, or decode
    without read_frame) refused?"""
    plain = MAGIC + struct.pack(">I", len(json.dumps(REFERS))) + json.dumps(REFERS).encode()
    for value in (unpack_frame(plain)["value"], {"$": "ndarray", "npy": 0}):
        with pytest.raises(ProtocolError, match="not read with its message"):
            decode_value(value)


def test_raw_frame_headers_are_checked_like_base64_ones():
    """Is a raw frame whose .npy header promises more data than it holds refused?"""
    promise = ARRAY[:-8]  # one float short
    with pytest.raises(ProtocolError, match="promises"):
        decode_value(unpack_frame(frame(REFERS,
                                        raw(promise)))["value"])


@pytest.mark.parametrize("array", [np.zeros((0, 3)), np.asfortranarray(np.arange(6.0).reshape(2, 3)),
                                   np.array(2.5), np.zeros(2, dtype=[("a", "<i4"), ("b", "<f8")])],
                         ids=["empty", "fortran-order", "zero-dimensional", "structured"])
def test_unusual_arrays_come_back_writable_and_equal(array):
    """Do empty, Fortran-ordered, 0-d and structured arrays come back equal, same shape and dtype, writable?"""
    header_and_data = npy(array)  # np.save's own bytes (Fortran order kept in the header)
    back = decode_value(unpack_frame(frame(REFERS, raw(header_and_data)))["value"])
    assert (back.dtype, back.shape) == (array.dtype, array.shape) and back.flags.writeable
    np.testing.assert_array_equal(back, array)
