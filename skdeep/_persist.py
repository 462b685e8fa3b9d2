"""``save``/``load``: a fitted estimator as tensors plus JSON-like data, no pickled code.

The file is a ``torch.save`` archive of plain containers -- the class name, the
parameters, the fitted attributes (numeric arrays as tensors) and each module's
``state_dict`` -- read back with ``torch.load(weights_only=True)``. Only classes that
skdeep exports can be named in it.
"""
from __future__ import annotations

import numbers

import numpy as np
import torch

FORMAT = "skdeep-estimator/1"


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
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def save(estimator, path) -> None:
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(estimator)
    state = estimator.__getstate__()
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
        elif key in estimator.get_params(deep=False):
            continue
        else:
            attrs[key] = _encode(value)
    params = {k: _encode(v) for k, v in estimator.get_params(deep=False).items()
              if not hasattr(v, "get_params")}
    torch.save({"format": FORMAT, "class": type(estimator).__name__, "params": params,
                "attrs": attrs, "modules": modules}, path)


def load(path, device=None):
    from .utils import all_estimators

    payload = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ValueError(f"{path} is not a file written by skdeep's save().")
    classes = dict(all_estimators())
    name = payload["class"]
    if name not in classes:
        raise ValueError(f"{path} names an unknown estimator class {name!r}.")
    params = {k: _decode(v) for k, v in payload["params"].items()}
    if device is not None:
        params["device"] = device
    estimator = classes[name](**params)
    state = {k: _decode(v) for k, v in payload["attrs"].items()}
    for key, value in list(state.items()):
        if isinstance(value, dict) and "__tensors__" in value:
            state[key] = {"__skdeep_tensors__": _decode(value["__tensors__"])}
    for key, blob in payload["modules"].items():
        state[key] = {"__skdeep_state_dict__": blob}
    estimator.__setstate__(state)
    return estimator
