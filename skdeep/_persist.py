"""``save``/``load``: a fitted estimator as tensors plus JSON-like data, no pickled code.

The file is a ``torch.save`` archive of plain containers -- the class name, the
parameters, the fitted attributes (numeric arrays as tensors) and each module's
``state_dict`` -- read back with ``torch.load(weights_only=True)``. Only classes that
skdeep exports can be named in it.

The archive also holds a SHA-256 digest of its content, computed over a canonical
encoding of the decoded containers (not over the file's bytes, so that the digest sits in
the archive it describes). ``torch.load`` does not verify the checksums of the zip records
it reads, so without the digest a flipped bit in a weight loads silently as a different
model. The digest detects corruption, not tampering: anyone can recompute it, which is
why :func:`load` also checks every name and tensor it restores.

Parameters that are code (the energy function of :class:`~skdeep.sampling.HMCSampler`,
named in its class attribute ``_code_params``) are never stored; the file records their
names only and :func:`load` takes them from the caller. Any other callable parameter
makes :func:`save` refuse.
"""
from __future__ import annotations

import hashlib
import inspect
import io
import numbers
import os
import struct

import numpy as np
import torch

FORMAT = "skdeep-estimator/2"
_OLD_FORMATS = ("skdeep-estimator/1",)


def _encode(value):
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "biuf":
            return {"__ndarray__": torch.from_numpy(np.ascontiguousarray(value)),
                    "dtype": value.dtype.str}
        return {"__ndarray_list__": [_encode(v) for v in value.tolist()],
                "dtype": "object" if value.dtype == object else value.dtype.str}
    if isinstance(value, np.dtype):
        return {"__dtype__": value.str}
    if isinstance(value, bytes):
        return {"__bytes__": torch.frombuffer(bytearray(value), dtype=torch.uint8)}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {"__dict__": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if value is None or isinstance(value, (str, bool, numbers.Number)):
        return value
    raise TypeError(f"cannot save a value of type {type(value).__name__}")


def _decode(value):
    if isinstance(value, dict):
        if "__ndarray__" in value:
            return value["__ndarray__"].numpy().astype(np.dtype(value["dtype"]), copy=True)
        if "__ndarray_list__" in value:
            items = [_decode(v) for v in value["__ndarray_list__"]]
            out = np.empty(len(items), dtype=object)
            out[:] = items
            return out if value["dtype"] == "object" else out.astype(value["dtype"])
        if "__dtype__" in value:
            return np.dtype(value["__dtype__"])
        if "__bytes__" in value:
            return value["__bytes__"].numpy().tobytes()
        if "__tuple__" in value:
            return tuple(_decode(v) for v in value["__tuple__"])
        if "__dict__" in value:
            return {_decode(k): _decode(v) for k, v in value["__dict__"]}
        raise ValueError(f"unknown encoded value with keys {sorted(map(str, value))}")
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _feed(h, value) -> None:
    """Feed a canonical, unambiguous encoding of ``value`` to the hash ``h``."""
    def chunk(tag: bytes, data: bytes):
        h.update(tag + struct.pack("<Q", len(data)))
        h.update(data)

    if value is None:
        h.update(b"N")
    elif isinstance(value, bool):
        h.update(b"T" if value else b"F")
    elif isinstance(value, int):
        chunk(b"i", str(value).encode())
    elif isinstance(value, float):
        chunk(b"f", value.hex().encode())
    elif isinstance(value, complex):
        chunk(b"c", f"{value.real.hex()},{value.imag.hex()}".encode())
    elif isinstance(value, str):
        chunk(b"s", value.encode("utf-8", "surrogatepass"))
    elif isinstance(value, (bytes, bytearray)):
        chunk(b"b", bytes(value))
    elif isinstance(value, torch.Tensor):
        t = value.detach().cpu().contiguous()
        chunk(b"t", f"{t.dtype}{tuple(t.shape)}".encode())
        raw = t.reshape(-1).view(torch.uint8) if t.numel() else torch.empty(0, dtype=torch.uint8)
        chunk(b"r", raw.numpy().tobytes())
    elif isinstance(value, (list, tuple)):
        h.update((b"l" if isinstance(value, list) else b"u") + struct.pack("<Q", len(value)))
        for v in value:
            _feed(h, v)
    elif isinstance(value, dict):
        h.update(b"d" + struct.pack("<Q", len(value)))
        for k, v in value.items():
            _feed(h, k)
            _feed(h, v)
    else:
        raise TypeError(f"cannot hash a value of type {type(value).__name__}")


def content_digest(payload: dict) -> str:
    """The SHA-256 hex digest of a save file's content (every entry but ``"sha256"``)."""
    h = hashlib.sha256()
    _feed(h, {k: v for k, v in payload.items() if k != "sha256"})
    return h.hexdigest()


def _is_code(value) -> bool:
    return callable(value) and not inspect.isclass(value) and not hasattr(value, "get_params")


def _describe_code(value) -> str:
    module = getattr(value, "__module__", None) or "?"
    name = getattr(value, "__qualname__", None) or type(value).__qualname__
    return f"{module}.{name}"


def _check_fitted(estimator) -> None:
    from sklearn.exceptions import NotFittedError

    # sklearn's check_is_fitted wants a fit method, which a sampler has not.
    if hasattr(estimator, "__sklearn_is_fitted__"):
        fitted = estimator.__sklearn_is_fitted__()
    else:
        fitted = any(k.endswith("_") and not k.startswith("__") for k in vars(estimator))
    if not fitted:
        raise NotFittedError(f"This {type(estimator).__name__} instance is not fitted yet; "
                             "fit it (or draw samples) before calling save().")


def save(estimator, path) -> None:
    _check_fitted(estimator)
    state = estimator.__getstate__()
    own_params = estimator.get_params(deep=False)
    modules, attrs = {}, {}
    for key, value in state.items():
        if key in ("_optimizer", "_sklearn_version"):
            continue
        if isinstance(value, dict) and "__skdeep_state_dict__" in value:
            modules[key] = value["__skdeep_state_dict__"]
        elif isinstance(value, dict) and "__skdeep_tensors__" in value:
            attrs[key] = {"__tensors__": _encode(value["__skdeep_tensors__"])}
        elif isinstance(value, torch.nn.Module):
            raise TypeError(f"{type(estimator).__name__} cannot rebuild its module "
                            f"{key!r} from parameters; use pickle or skops instead.")
        elif key in own_params:
            continue
        else:
            attrs[key] = _encode(value)
    params, code = {}, {}
    code_params = getattr(type(estimator), "_code_params", ())
    for k, v in own_params.items():
        if hasattr(v, "get_params"):
            continue
        if _is_code(v) and k in code_params:
            code[k] = _describe_code(v)
        elif _is_code(v):
            raise TypeError(f"{type(estimator).__name__}'s parameter {k!r} is code "
                            f"({_describe_code(v)}), which save() never stores; use pickle "
                            "or skops instead.")
        else:
            params[k] = _encode(v)
    payload = {"format": FORMAT, "class": type(estimator).__name__, "params": params,
               "code_params": code, "attrs": attrs, "modules": modules}
    payload["sha256"] = content_digest(payload)
    if not isinstance(path, (str, os.PathLike)):
        torch.save(payload, path)
        return
    # Write next to the target and rename, so that a crash mid-write never leaves a
    # truncated file where a good one was.
    path = os.fspath(path)
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        torch.save(payload, tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _read(path):
    if isinstance(path, (str, os.PathLike)):
        with open(path, "rb") as f:  # missing file, directory, permissions: the OS's errors
            data = f.read()
    else:
        data = path.read()
    if not data:
        raise ValueError(f"{path} is empty; it is not a file written by skdeep's save().")
    try:
        return torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises RuntimeError, EOFError, UnpicklingError, ...
        raise ValueError(f"{path} is not a readable skdeep model file (truncated or "
                         f"corrupt?): {type(exc).__name__}: {exc}") from exc


def _check_attribute_name(cls, name, params, path) -> None:
    """Refuse names a crafted file could use to shadow methods or parameters."""
    ok = (isinstance(name, str) and name.isidentifier() and not name.startswith("__")
          and (name.startswith("_") or name.endswith("_")) and name not in params)
    if ok:
        try:
            member = inspect.getattr_static(cls, name)
        except AttributeError:
            return
        ok = not (callable(member) or hasattr(member, "__get__"))
    if not ok:
        raise ValueError(f"{path} holds an unknown attribute {name!r} for a "
                         f"{cls.__name__}; refusing to load it.")


def _check_finite_modules(estimator, path) -> None:
    for key, value in vars(estimator).items():
        if isinstance(value, torch.nn.Module):
            for pname, p in value.named_parameters():
                if p.is_floating_point() and not bool(torch.isfinite(p).all()):
                    raise ValueError(f"{path} holds non-finite weights ({key}.{pname}); "
                                     "refusing to load it.")


def load(path, device=None, params=None):
    """Read an estimator written by :func:`save` from ``path``.

    ``params`` supplies the parameters that are code (never stored in the file).
    """
    from .utils import all_estimators

    payload = _read(path)
    if not isinstance(payload, dict) or "format" not in payload:
        raise ValueError(f"{path} is not a file written by skdeep's save().")
    if payload["format"] in _OLD_FORMATS:
        raise ValueError(f"{path} was written by an older skdeep without a content hash; "
                         "load it with that version and save it again.")
    if payload["format"] != FORMAT:
        raise ValueError(f"{path} is not a file written by skdeep's save() (format "
                         f"{payload['format']!r}, expected {FORMAT!r}).")
    try:
        digest = content_digest(payload)
    except TypeError as exc:
        raise ValueError(f"{path} is corrupt: {exc}") from exc
    if payload.get("sha256") != digest:
        raise ValueError(f"{path} is corrupt: its content does not match the SHA-256 hash "
                         "stored in it (the file was damaged or edited after save()).")
    keys = ("class", "params", "code_params", "attrs", "modules")
    if any(k not in payload for k in keys) or not all(
            isinstance(payload[k], dict) for k in keys[1:]):
        raise ValueError(f"{path} lacks parts of a saved estimator ({', '.join(keys)}).")
    classes = dict(all_estimators())
    name = payload["class"]
    if not isinstance(name, str) or name not in classes:
        raise ValueError(f"{path} names an unknown estimator class {name!r}.")
    cls = classes[name]
    known = set(inspect.signature(cls.__init__).parameters) - {"self"}
    given = dict(params or {})
    try:
        kwargs = {k: _decode(v) for k, v in payload["params"].items()}
        state = {k: ({"__skdeep_tensors__": _decode(v["__tensors__"])}
                     if isinstance(v, dict) and "__tensors__" in v else _decode(v))
                 for k, v in payload["attrs"].items()}
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"{path} holds values save() does not write: {exc}") from exc
    unknown = sorted(map(str, (set(kwargs) | set(payload["code_params"])) - known))
    if unknown:
        raise ValueError(f"{path} names unknown parameters of {name}: {unknown}.")
    for key, description in payload["code_params"].items():
        if given.get(key) is None:
            raise TypeError(f"{path} was saved without the parameter {key!r}, which is code "
                            f"({description}) and never stored; pass it: "
                            f"{name}.load(path, {key}=...).")
    kwargs.update(given)
    if device is not None:
        kwargs["device"] = device
    estimator = cls(**kwargs)
    for key in (*state, *payload["modules"]):
        _check_attribute_name(cls, key, known, path)
    for key, blob in payload["modules"].items():
        if not isinstance(blob, bytes):
            raise ValueError(f"{path}: the state of module {key!r} is not a state_dict.")
        state[key] = {"__skdeep_state_dict__": blob}
    try:
        estimator.__setstate__(state)
    except Exception as exc:  # size mismatch, missing keys, a module it cannot rebuild
        raise ValueError(f"{path}: its fitted state does not fit a {name} with the saved "
                         f"parameters ({type(exc).__name__}: {exc}).") from exc
    _check_finite_modules(estimator, path)
    return estimator
