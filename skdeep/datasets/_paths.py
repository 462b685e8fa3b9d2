"""Where the loaders look for data: an explicit path, then ``$SKDEEP_DATA``."""
from __future__ import annotations

import os
import pathlib


def data_home(subfolder: str | None = None, path=None, *, extra=(), hint: str = "",
              contains=None):
    """Return the first usable folder among ``path``, ``$SKDEEP_DATA/<subfolder>``,
    ``$SKDEEP_DATA`` and ``extra``; raise FileNotFoundError saying how to get the data.

    ``contains(folder) -> bool`` decides whether a folder is usable (default: exists).
    An explicit ``path`` is the only candidate when given.
    """
    candidates = []
    if path is not None:
        candidates.append(pathlib.Path(path).expanduser())
    else:
        env = os.environ.get("SKDEEP_DATA")
        if env:
            root = pathlib.Path(env).expanduser()
            if subfolder:
                candidates.append(root / subfolder)
            candidates.append(root)
        candidates.extend(pathlib.Path(p) for p in extra)
    for folder in candidates:
        if folder.exists() and (contains is None or contains(folder)):
            return folder
    looked = (", ".join(str(c) for c in candidates)
              or "nowhere (no path given and $SKDEEP_DATA unset)")
    raise FileNotFoundError(f"Data not found; looked in {looked}. {hint}".strip())
