"""MIDI round trips, piano-roll loading and frame accuracy."""
import os

import numpy as np
import pytest

from skdeep.datasets import load_piano_rolls
from skdeep.metrics import frame_accuracy

DATA = os.environ.get("SKDEEP_DATA")
needs_data = pytest.mark.skipif(
    not DATA or not os.path.isdir(os.path.join(DATA, "polyphonic_music")),
    reason="polyphonic_music data absent (set SKDEEP_DATA)")


def _random_roll(seed=0, T=40):
    rs = np.random.RandomState(seed)
    roll = (rs.rand(T, 88) < 0.04).astype(np.float32)
    roll[5:9, 40] = 1  # a held note spanning frames
    roll[-1] = 0       # trailing silence must survive the round trip
    return roll


def test_midi_round_trip(tmp_path):
    pytest.importorskip("mido")
    from skdeep.music import read_midi, write_midi
    roll = _random_roll()
    before = roll.copy()
    f = tmp_path / "gen.mid"
    write_midi(roll, f, dt=0.3)
    np.testing.assert_array_equal(roll, before)
    back = read_midi(f, dt=0.3)
    assert back.dtype == np.float32
    np.testing.assert_array_equal(back, roll)


def test_midi_independent_reader(tmp_path):
    mido = pytest.importorskip("mido")
    from skdeep.music import write_midi
    roll = np.zeros((3, 88))
    roll[0:2, 60 - 21] = 1
    roll[2, 64 - 21] = 1
    f = tmp_path / "c.mid"
    write_midi(roll, f, dt=0.5)
    mid = mido.MidiFile(str(f))
    assert mid.length == pytest.approx(1.5, abs=1e-3)
    ons = [m.note for m in mid if m.type == "note_on" and m.velocity > 0]
    assert ons == [60, 64]


def test_midi_errors(tmp_path):
    pytest.importorskip("mido")
    from skdeep.music import write_midi
    with pytest.raises(ValueError, match="2-D"):
        write_midi(np.zeros(5), tmp_path / "a.mid")
    with pytest.raises(ValueError, match="dt"):
        write_midi(np.zeros((2, 88)), tmp_path / "a.mid", dt=0)


def test_frame_accuracy_oracle():
    t = np.array([[1, 1, 0, 0], [0, 0, 0, 0], [1, 0, 1, 0]])
    p = np.array([[1, 0, 1, 0], [0, 0, 0, 0], [0.9, 0.2, 0.7, 0.0]])
    # TP = 3, FP = 1, FN = 1
    assert frame_accuracy(t, p) == pytest.approx(3 / 5)
    assert frame_accuracy([t, t], [p, p]) == pytest.approx(3 / 5)
    assert frame_accuracy(t, t) == 1.0
    assert frame_accuracy(np.zeros((2, 3)), np.zeros((2, 3))) == 1.0
    with pytest.raises(ValueError, match="shape mismatch"):
        frame_accuracy(t, p[:2])
    with pytest.raises(ValueError, match="sequences"):
        frame_accuracy([t], [t, t])


def test_load_piano_rolls_errors(tmp_path):
    with pytest.raises(ValueError, match="Unknown"):
        load_piano_rolls("beethoven", path=tmp_path)
    with pytest.raises(FileNotFoundError, match="SKDEEP_DATA"):
        load_piano_rolls("nottingham", path=tmp_path)


@needs_data
def test_load_piano_rolls_both_formats_agree():
    folder = os.path.join(DATA, "polyphonic_music")
    tr, va, te = load_piano_rolls("JSB Chorales")
    assert (len(tr), len(va), len(te)) == (229, 76, 77)
    assert sum(len(r) for r in tr) == 13807
    assert all(r.dtype == np.float32 and r.shape[1] == 88 for r in tr)
    assert set(np.unique(np.concatenate(tr))) <= {0.0, 1.0}
    derived = os.path.join(folder, "derived")
    if os.path.isdir(derived):
        tr2, va2, te2 = load_piano_rolls("jsb_chorales", path=derived)
        for a, b in zip(tr + va + te, tr2 + va2 + te2):
            np.testing.assert_array_equal(a, b)
