"""The grader <-> worker wire format: length-prefixed frames of tagged JSON.

This module is copied into every worker's private directory, so it imports
nothing but the standard library and numpy.

Frames
------
A frame is ``MAGIC`` (4 bytes) + payload length (4 bytes, big endian) + a UTF-8
JSON object. A message that carries arrays is one ``ARRAYS_MAGIC`` frame
instead: its payload is the JSON's length (4 bytes, big endian), the JSON
object, then one *raw frame* per array, ``RAW_MAGIC`` (4 bytes) + length (4
bytes, big endian) + the array's ``.npy`` bytes; the JSON refers to the k-th
as ``{"$": "ndarray", "npy": k}``. Arrays thus cross as their bytes, not as
base64 text inside JSON, and a message is still read in two reads (header,
payload). A payload longer than ``max_bytes`` (default 64 MiB; raw frames
included) is refused *before* anything is allocated for it; a wrong magic, a
short read, invalid UTF-8 or JSON (``NaN``/``Infinity`` literals included),
raw frames that do not fill the payload exactly or a reference to a raw frame
that is not there raise :class:`ProtocolError`. :func:`read_frame` and
:func:`write_frame` take an optional ``deadline`` (``time.monotonic()``
seconds) and then raise ``TimeoutError`` instead of blocking past it.

Values
------
:func:`encode_value` / :func:`decode_value` map Python values to JSON:

=====================  =====================================================
value                  JSON
=====================  =====================================================
None, bool, int, str   themselves
float                  itself; nan, inf, -inf as ``{"$": "float", "v": "nan"}``
list                   a JSON array
tuple                  ``{"$": "tuple", "v": [...]}``
dict (any keys)        ``{"$": "dict", "v": [[key, value], ...]}``
complex, bytes         ``{"$": "complex", "v": [re, im]}``, ``{"$": "bytes", "v": b64}``
numpy scalar           the Python scalar (``.item()``)
ndarray                ``{"$": "ndarray", "npy": bytes of np.save(allow_pickle=False)}``: the
                       bytes go in a raw frame (above); ``"v": base64`` is still read
np.random.Generator    ``{"$": "rng", "bit_generator": "PCG64", "state": {...}}``
:class:`Code`          ``{"$": "code", "v": source}``  (grader -> worker only)
:class:`Opaque`        ``{"$": "opaque", "type": ..., "summary": ...}``
=====================  =====================================================

Guarantees
----------
* Decoding never runs code from the data: no pickle, marshal or eval. Arrays
  are read with ``np.load(allow_pickle=False)`` after their header was checked
  against the bytes actually present (an object dtype or a shape larger than
  the data is refused, so a small frame cannot cause a large allocation).
  ``code`` is refused unless the caller passes ``eval_code`` (only the worker
  does).
* Encoding with ``strict=False`` (the worker) never calls a method that a
  student's class could override: only exact builtin and numpy types are
  converted, subclasses of list/tuple/dict/str/int/float/ndarray through the
  base type's own methods, and everything else becomes :class:`Opaque`.
  Encoding with ``strict=True`` (the grader) raises ``TypeError`` instead.
* Nesting deeper than :data:`MAX_DEPTH` is refused (strict) or Opaque.
"""
from __future__ import annotations

import base64
import io
import json
import math
import os
import select
import struct
import time
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

MAGIC = b"DLG1"
ARRAYS_MAGIC = b"DLG2"
RAW_MAGIC = b"DLGR"
HEADER = struct.Struct(">4sI")
LENGTH = struct.Struct(">I")
DEFAULT_MAX_FRAME = 64 * 1024**2
MAX_DEPTH = 64
RNG_NAMES = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")


class ProtocolError(Exception):
    """A frame or a value on the channel is malformed, too large or forbidden."""


class ChannelClosed(ProtocolError):
    """The other side closed the channel (end of file)."""


@dataclass(frozen=True)
class Code:
    """A Python expression the worker evaluates (with ``np``) to build an argument.

    Example: ``Code("lambda x: np.sum(x**2)")`` passes a callable ``f``.
    """

    source: str


@dataclass(frozen=True)
class Opaque:
    """Stands for a value the worker could not send as data (never the live object)."""

    type_name: str
    summary: str


# --------------------------------------------------------------------- frames
def pack_frame(message: dict, max_bytes: int = DEFAULT_MAX_FRAME) -> bytes:
    """Serialise ``message`` into one frame, its arrays (``bytes`` values in it) as raw frames;
    raise ProtocolError if the payload is over ``max_bytes``."""
    raws: list[bytes] = []

    def to_raw_frame(value: Any) -> int:  # json.dumps calls this for what JSON cannot hold
        if type(value) is not bytes:
            raise TypeError(f"a {type(value).__name__} cannot go into a frame")
        raws.append(value)
        return len(raws) - 1

    text = json.dumps(message, allow_nan=False, separators=(",", ":"), default=to_raw_frame).encode("utf-8")
    parts = [LENGTH.pack(len(text)), text, *(part for raw in raws for part in (HEADER.pack(RAW_MAGIC, len(raw)), raw))]
    payload = b"".join(parts) if raws else text
    if len(payload) > max_bytes:
        raise ProtocolError(f"message of {len(payload)} bytes exceeds the {max_bytes}-byte cap")
    return HEADER.pack(ARRAYS_MAGIC if raws else MAGIC, len(payload)) + payload


def _wait(fd: int, event: int, deadline: float | None) -> None:
    if deadline is None:
        return
    poller = select.poll()
    poller.register(fd, event)
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no reply before the deadline")
        if poller.poll(left * 1000):
            return


def _read_exact(fd: int, size: int, deadline: float | None) -> bytes:
    chunks, got = [], 0
    while got < size:
        _wait(fd, select.POLLIN, deadline)
        chunk = os.read(fd, min(size - got, 1 << 20))
        if not chunk:
            raise ChannelClosed("the channel was closed" + (" mid-frame" if got else ""))
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _reject_constant(name: str) -> Any:
    raise ProtocolError(f"non-standard JSON constant {name}")


def read_frame(fd: int, max_bytes: int = DEFAULT_MAX_FRAME, deadline: float | None = None) -> dict:
    """Read one frame (and the raw frames of its arrays) from ``fd`` and return its JSON object."""
    return _read_message(lambda size: _read_exact(fd, size, deadline), max_bytes)


def unpack_frame(data: bytes, max_bytes: int = DEFAULT_MAX_FRAME) -> dict:
    """The message of :func:`pack_frame`'s bytes (exactly one message, nothing after it)."""
    stream = io.BytesIO(data)

    def read(size: int) -> bytes:
        chunk = stream.read(size)
        if len(chunk) < size:
            raise ChannelClosed("the frame ends early")
        return chunk

    message = _read_message(read, max_bytes)
    if stream.read(1):
        raise ProtocolError("bytes after the frame")
    return message


def _read_message(read: Callable[[int], bytes], max_bytes: int) -> dict:
    magic, size = HEADER.unpack(read(HEADER.size))
    if magic not in (MAGIC, ARRAYS_MAGIC):
        raise ProtocolError(f"bad frame magic {magic!r}")
    if size > max_bytes:
        raise ProtocolError(f"frame of {size} bytes exceeds the {max_bytes}-byte cap")
    payload = read(size)
    if magic == MAGIC:  # no raw frames: an array naming one is refused by decode_value
        return _parse_json(payload)
    text, raws = _split_raw_frames(memoryview(payload))
    arrays: list[dict] = []

    def note_arrays(obj: dict) -> dict:  # the ndarray values that name a raw frame, filled in below
        if obj.get("$") == "ndarray" and "npy" in obj:
            arrays.append(obj)
        return obj

    message = _parse_json(text, note_arrays)
    for array in arrays:
        index = array["npy"]
        if type(index) is not int or not 0 <= index < len(raws):
            raise ProtocolError(f"an array refers to raw frame {index!r} of {len(raws)}")
        array["npy"] = raws[index]
    return message


def _parse_json(text: bytes | memoryview, object_hook: Callable[[dict], Any] | None = None) -> dict:
    try:
        message = json.loads(str(text, "utf-8"), parse_constant=_reject_constant, object_hook=object_hook)
    except ProtocolError:
        raise
    except Exception as err:  # UnicodeDecodeError, JSONDecodeError, RecursionError, ValueError
        raise ProtocolError(f"frame is not valid JSON: {type(err).__name__}") from None
    if not isinstance(message, dict):
        raise ProtocolError("frame is not a JSON object")
    return message


def _split_raw_frames(payload: memoryview) -> tuple[memoryview, list[bytes]]:
    """The JSON text and the raw frames of an ``ARRAYS_MAGIC`` payload, which they must fill exactly."""
    if len(payload) < LENGTH.size or LENGTH.unpack(payload[:LENGTH.size])[0] > len(payload) - LENGTH.size:
        raise ProtocolError("the JSON length of an arrays frame is past its end")
    start = LENGTH.size + LENGTH.unpack(payload[:LENGTH.size])[0]
    text, raws = payload[LENGTH.size:start], []
    while start < len(payload):
        if len(payload) - start < HEADER.size:
            raise ProtocolError(f"raw frame {len(raws)} is cut off in its header")
        magic, length = HEADER.unpack(payload[start:start + HEADER.size])
        start += HEADER.size
        if magic != RAW_MAGIC or length > len(payload) - start:
            raise ProtocolError(f"raw frame {len(raws)} has magic {bytes(magic)!r} and length {length} "
                                f"({len(payload) - start} bytes left in the frame)")
        raws.append(bytes(payload[start:start + length]))
        start += length
    return text, raws


def write_frame(fd: int, message: dict, max_bytes: int = DEFAULT_MAX_FRAME,
                deadline: float | None = None) -> None:
    """Write ``message`` as one frame to ``fd`` (blocking, or until ``deadline``)."""
    view = memoryview(pack_frame(message, max_bytes))
    while view:
        _wait(fd, select.POLLOUT, deadline)
        written = os.write(fd, view[: 1 << 16] if deadline is not None else view)
        view = view[written:]


# --------------------------------------------------------------------- values
def _type_name(value: Any) -> str:
    kind = type(value)
    module = type.__getattribute__(kind, "__module__")
    name = type.__getattribute__(kind, "__qualname__")
    if not isinstance(module, str) or not isinstance(name, str):
        return "object"
    return name if module == "builtins" else f"{module}.{name}"


def _array_to_npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def _array_from_npy(raw: bytes) -> np.ndarray:
    stream = io.BytesIO(raw)
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
    else:
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream)
    if dtype.hasobject:
        raise ProtocolError("object arrays are refused")
    expected = math.prod(shape) * dtype.itemsize
    if expected != len(raw) - stream.tell():
        raise ProtocolError(f"array header promises {expected} bytes, frame holds {len(raw) - stream.tell()}")
    # The data is the array's memory in C order (Fortran order when the header says so); read it
    # straight from the bytes (np.load would parse the header a second time), as a writable copy.
    data = np.frombuffer(raw, dtype=dtype, count=math.prod(shape), offset=stream.tell()) if expected else \
        np.empty(0, dtype=dtype)
    return data.reshape(shape, order="F" if fortran else "C").copy(order="K")


def encode_value(value: Any, *, strict: bool, depth: int = 0) -> Any:
    """Encode ``value`` as data for a frame (see the module docstring for the table): JSON values,
    and ``bytes`` for each array's ``.npy``, which :func:`pack_frame` sends as a raw frame.

    ``strict=True`` raises TypeError for a value that is not data; ``strict=False``
    returns an :class:`Opaque` encoding instead and never calls student methods.
    """
    if depth > MAX_DEPTH:
        return _refuse(value, strict, f"nested deeper than {MAX_DEPTH} levels")
    kind = type(value)
    if value is None or kind is bool or kind is str:
        return value
    if kind is int:
        return value
    if kind is float:
        return value if math.isfinite(value) else {"$": "float", "v": repr(value)}
    if kind is Code:
        return {"$": "code", "v": str.__str__(value.source)}
    if kind is Opaque:
        return {"$": "opaque", "type": str(value.type_name), "summary": str(value.summary)}
    if issubclass(kind, np.generic) and type.__getattribute__(kind, "__module__") == "numpy":
        return encode_value(value.item(), strict=strict, depth=depth + 1)
    if kind is np.random.Generator:
        return _encode_rng(value, strict, depth)
    # subclasses: go through the base type's own methods, never the student's
    if issubclass(kind, int):
        return int.__int__(value)
    if issubclass(kind, float):
        return encode_value(float.__float__(value), strict=strict, depth=depth + 1)
    if issubclass(kind, str):
        return str.__str__(value)
    if issubclass(kind, complex):
        number = complex.__complex__(value)
        return {"$": "complex", "v": [encode_value(number.real, strict=strict),
                                      encode_value(number.imag, strict=strict)]}
    if issubclass(kind, (bytes, bytearray)):
        return {"$": "bytes", "v": base64.b64encode(bytes(memoryview(value))).decode("ascii")}
    if issubclass(kind, list):
        return [encode_value(list.__getitem__(value, i), strict=strict, depth=depth + 1)
                for i in range(list.__len__(value))]
    if issubclass(kind, tuple):
        return {"$": "tuple", "v": [encode_value(tuple.__getitem__(value, i), strict=strict, depth=depth + 1)
                                    for i in range(tuple.__len__(value))]}
    if issubclass(kind, dict):
        return {"$": "dict", "v": [[encode_value(k, strict=strict, depth=depth + 1),
                                    encode_value(v, strict=strict, depth=depth + 1)]
                                   for k, v in list(dict.items(value))]}
    if issubclass(kind, np.ndarray):
        base = np.ndarray.view(value, np.ndarray)
        if base.dtype.hasobject:
            return _refuse(value, strict, f"ndarray of dtype object, shape {base.shape}")
        return {"$": "ndarray", "npy": _array_to_npy(np.ndarray.copy(base))}
    return _refuse(value, strict, "not a data value")


def _refuse(value: Any, strict: bool, why: str) -> dict:
    name = _type_name(value)
    if strict:
        raise TypeError(f"cannot send a value of type {name} to the worker ({why}): "
                        "pass arrays, numbers, strings, lists, tuples, dicts, Generators or Code")
    return {"$": "opaque", "type": name, "summary": f"{name}: {why}"}


def _encode_rng(rng: np.random.Generator, strict: bool, depth: int) -> dict:
    bit_generator = rng.bit_generator
    name = type(bit_generator).__name__
    if name not in RNG_NAMES or type(bit_generator) is not getattr(np.random, name):
        return _refuse(rng, strict, f"unsupported bit generator {name}")
    return {"$": "rng", "bit_generator": name,
            "state": encode_value(bit_generator.state, strict=strict, depth=depth + 1)}


def decode_value(data: Any, *, eval_code: Callable[[str], Any] | None = None, depth: int = 0) -> Any:
    """Rebuild a value from :func:`encode_value` data; raise ProtocolError if malformed.

    ``eval_code`` turns a ``Code`` source into a value; without it (the grader)
    a ``code`` tag is refused.
    """
    if depth > MAX_DEPTH + 2:
        raise ProtocolError("value nested too deeply")
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [decode_value(item, eval_code=eval_code, depth=depth + 1) for item in data]
    if not isinstance(data, dict):
        raise ProtocolError(f"unexpected JSON value of type {type(data).__name__}")
    tag = data.get("$")
    try:
        return _decode_tagged(tag, data, eval_code, depth)
    except ProtocolError:
        raise
    except Exception as err:
        raise ProtocolError(f"malformed {tag!r} value: {type(err).__name__}: {err}") from None


def _decode_tagged(tag: Any, data: dict, eval_code: Callable[[str], Any] | None, depth: int) -> Any:
    def inner(item: Any) -> Any:
        return decode_value(item, eval_code=eval_code, depth=depth + 1)

    if tag == "float":
        if data["v"] not in ("nan", "inf", "-inf"):
            raise ProtocolError(f"bad float {data['v']!r}")
        return float(data["v"])
    if tag == "tuple":
        return tuple(inner(item) for item in _as_list(data["v"]))
    if tag == "dict":
        return {inner(pair[0]): inner(pair[1]) for pair in _as_list(data["v"]) if _is_pair(pair)}
    if tag == "complex":
        real, imag = _as_list(data["v"])
        return complex(_as_float(inner(real)), _as_float(inner(imag)))
    if tag == "bytes":
        return base64.b64decode(str(data["v"]).encode("ascii"), validate=True)
    if tag == "ndarray":
        if "npy" in data:  # read_frame put the raw frame's bytes here
            if type(data["npy"]) is not bytes:
                raise ProtocolError("an array refers to a raw frame that was not read with its message")
            return _array_from_npy(data["npy"])
        return _array_from_npy(base64.b64decode(str(data["v"]).encode("ascii"), validate=True))
    if tag == "rng":
        name = data["bit_generator"]
        if name not in RNG_NAMES:
            raise ProtocolError(f"unsupported bit generator {name!r}")
        bit_generator = getattr(np.random, name)()
        bit_generator.state = inner(data["state"])
        return np.random.Generator(bit_generator)
    if tag == "opaque":
        return Opaque(str(data["type"])[:200], str(data["summary"])[:500])
    if tag == "code":
        if eval_code is None:
            raise ProtocolError("code values are only accepted by the worker")
        return eval_code(str(data["v"]))
    raise ProtocolError(f"unknown tag {tag!r}")


def _as_list(value: Any) -> list:
    if not isinstance(value, list):
        raise ProtocolError("expected a JSON array")
    return value


def _is_pair(pair: Any) -> bool:
    if not (isinstance(pair, list) and len(pair) == 2):
        raise ProtocolError("dict entries must be [key, value] pairs")
    return True


def _as_float(value: Any) -> float:
    if type(value) not in (int, float):
        raise ProtocolError("complex parts must be numbers")
    return float(value)
