"""Polyphonic-music piano-rolls of Boulanger-Lewandowski et al. (2012)."""
from __future__ import annotations

import pathlib

import numpy as np

from ._paths import data_home
from ._safe_pickle import read_pickles

__all__ = ["load_piano_rolls", "PIANO_ROLL_NAMES"]

#: canonical name -> (.mat file, derived pickle file)
PIANO_ROLL_NAMES = {
    "jsb_chorales": ("JSB_Chorales.mat", "JSB Chorales.pickle.gz"),
    "musedata": ("MuseData.mat", "MuseData.pickle.gz"),
    "nottingham": ("Nottingham.mat", "Nottingham.pickle.gz"),
    "piano_midi": ("Piano_midi.mat", "Piano-midi.de.pickle.gz"),
}
_ALIASES = {"jsb": "jsb_chorales", "jsbchorales": "jsb_chorales", "jsb_chorales": "jsb_chorales",
            "musedata": "musedata", "nottingham": "nottingham", "piano_midi": "piano_midi",
            "pianomidi": "piano_midi", "piano_midi.de": "piano_midi", "pianomidide": "piano_midi"}

LOWEST_NOTE = 21   # column 0 is MIDI note 21 (A0); column 87 is 108 (C8)
N_NOTES = 88

_HINT = ("Get the four .mat piano-roll files (JSB_Chorales.mat, MuseData.mat, Nottingham.mat, "
         "Piano_midi.mat; Boulanger-Lewandowski et al. 2012, "
         "http://www-etud.iro.umontreal.ca/~boulanni/icml2012) or the original pickles, put "
         "them in a folder 'polyphonic_music' and pass path=... or set $SKDEEP_DATA to its "
         "parent folder.")


def _canonical(name):
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, got {type(name).__name__}")
    key = name.lower().replace(" ", "_").replace("-", "_")
    key = _ALIASES.get(key, _ALIASES.get(key.replace("_", ""), None))
    if key is None:
        raise ValueError(f"Unknown piano-roll dataset {name!r}; choose one of "
                         f"{sorted(PIANO_ROLL_NAMES)}")
    return key


def _notes_to_roll(seq):
    roll = np.zeros((len(seq), N_NOTES), dtype=np.float32)
    for t, notes in enumerate(seq):
        for n in notes:
            if not LOWEST_NOTE <= int(n) < LOWEST_NOTE + N_NOTES:
                raise ValueError(f"MIDI note {n} outside the piano range 21..108")
            roll[t, int(n) - LOWEST_NOTE] = 1.0
    return roll


def load_piano_rolls(name, path=None):
    """Load one of the four polyphonic-music corpora as piano-rolls.

    Parameters
    ----------
    name : {"jsb_chorales", "musedata", "nottingham", "piano_midi"}
        Case, spaces and dashes are ignored ("JSB Chorales", "Piano-midi.de" work).
    path : str or path-like, optional
        A folder holding ``<Name>.mat`` (or ``derived/<Name>.pickle.gz`` / ``<Name>.pickle``
        / ``.pickle.gz``). Default: ``$SKDEEP_DATA/polyphonic_music``.

    Returns
    -------
    train, valid, test : list of ndarray of shape (T, 88), float32 in {0, 1}
        The paper's split; column ``j`` is MIDI note ``j + 21``.

    Examples
    --------
    >>> from skdeep.datasets import load_piano_rolls
    >>> train, valid, test = load_piano_rolls("nottingham")  # doctest: +SKIP
    >>> len(train), train[0].shape[1]                         # doctest: +SKIP
    (694, 88)
    """
    key = _canonical(name)
    mat_name, pkl_name = PIANO_ROLL_NAMES[key]
    stem = pkl_name[: -len(".pickle.gz")]

    def candidates(folder):
        return [folder / mat_name, folder / "derived" / pkl_name, folder / pkl_name,
                folder / (stem + ".pickle")]

    folder = data_home("polyphonic_music", path, hint=_HINT,
                       contains=lambda f: any(c.exists() for c in candidates(f)))
    for file in candidates(pathlib.Path(folder)):
        if file.exists():
            break
    else:  # explicit path without the files
        raise FileNotFoundError(f"No {mat_name} or {pkl_name} in {folder}. {_HINT}")
    if file.suffix == ".mat":
        from scipy.io import loadmat
        try:
            d = loadmat(str(file))
            return tuple([_checked_roll(a, file) for a in d[k][0]]
                         for k in ("traindata", "validdata", "testdata"))
        except (ValueError, TypeError, KeyError, IndexError, OSError) as exc:
            if isinstance(exc, (FileNotFoundError, PermissionError)):
                raise
            raise ValueError(f"{file} is not a piano-roll .mat file with traindata, "
                             f"validdata and testdata (truncated or corrupt?): {exc}") from exc
    what = "a piano-roll pickle (a dict of train/valid/test lists of note lists)"
    d = read_pickles(file, what=what)
    try:
        return tuple([_notes_to_roll(s) for s in d[k]] for k in ("train", "valid", "test"))
    except (TypeError, ValueError, KeyError, IndexError) as exc:
        raise ValueError(f"{file} is not {what}: {type(exc).__name__}: {exc}") from exc


def _checked_roll(a, file):
    a = np.asarray(a)
    if a.ndim != 2 or a.shape[1] != N_NOTES or a.dtype.kind not in "biuf":
        raise ValueError(f"a piece of shape {a.shape} and dtype {a.dtype}, not (T, 88) "
                         "real numbers")
    return np.ascontiguousarray(a, dtype=np.float32)
