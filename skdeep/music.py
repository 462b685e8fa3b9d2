"""Polyphonic music: MIDI input/output of piano-rolls (``mido`` is an optional dependency,
imported only when these functions are called)."""
from __future__ import annotations

import numpy as np

__all__ = ["write_midi", "read_midi"]

LOWEST_NOTE = 21
N_NOTES = 88


def _mido():
    try:
        import mido
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("MIDI input/output needs the optional package 'mido' "
                          "(pip install mido)") from exc
    return mido


def write_midi(roll, path, dt=0.3, *, velocity=80, ticks_per_beat=480, tempo=500000,
               lowest_note=LOWEST_NOTE):
    """Write a binary piano-roll to a MIDI file.

    Parameters
    ----------
    roll : array-like of shape (T, n_notes)
        Nonzero means "note sounding"; column ``j`` is MIDI note ``j + lowest_note``.
        A note held over consecutive frames is one long note.
    path : str or path-like
    dt : float, default=0.3
        Seconds per frame (the tutorial's value).

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from skdeep.music import write_midi, read_midi
    >>> roll = np.zeros((4, 88)); roll[:2, 39] = 1; roll[2:, 43] = 1
    >>> f = os.path.join(tempfile.mkdtemp(), "x.mid")
    >>> write_midi(roll, f)
    >>> np.array_equal(read_midi(f), roll)
    True
    """
    mido = _mido()
    roll = np.asarray(roll)
    if roll.ndim != 2:
        raise ValueError(f"roll must be 2-D (T, n_notes), got shape {roll.shape}")
    if not np.all(np.isfinite(roll.astype(float))):
        raise ValueError("roll contains NaN or infinity")
    if not dt > 0:
        raise ValueError(f"dt must be positive, got {dt}")
    if lowest_note + roll.shape[1] > 128:
        raise ValueError("lowest_note + n_notes must not exceed 128")
    on = roll > 0
    ticks_per_frame = mido.second2tick(dt, ticks_per_beat, tempo)
    padded = np.vstack([np.zeros((1, on.shape[1]), bool), on, np.zeros((1, on.shape[1]), bool)])
    change = padded[1:].astype(np.int8) - padded[:-1].astype(np.int8)  # (T+1, n)
    events = []  # (frame, order, note, type): note-offs before note-ons at the same frame
    for t, j in zip(*np.nonzero(change)):
        events.append((int(t), 0 if change[t, j] < 0 else 1, int(j) + lowest_note))
    events.sort()
    mid = mido.MidiFile(ticks_per_beat=ticks_per_beat)
    track = mido.MidiTrack()
    mid.tracks.append(track)
    track.append(mido.MetaMessage("set_tempo", tempo=tempo, time=0))
    last_tick = 0
    for frame, kind, note in events:
        tick = int(round(frame * ticks_per_frame))
        msg = "note_on" if kind else "note_off"
        track.append(mido.Message(msg, note=note, velocity=velocity if kind else 0,
                                  time=tick - last_tick))
        last_tick = tick
    end_tick = int(round(len(roll) * ticks_per_frame))
    track.append(mido.MetaMessage("end_of_track", time=max(0, end_tick - last_tick)))
    mid.save(str(path))


def read_midi(path, dt=0.3, *, lowest_note=LOWEST_NOTE, n_notes=N_NOTES):
    """Read a MIDI file into a binary piano-roll of shape (T, n_notes), float32.

    All tracks and channels are merged; frame ``t`` covers ``[t*dt, (t+1)*dt)`` seconds and
    a note is on in the frames its sounding interval starts in or overlaps by at least half a
    frame. Notes outside ``lowest_note .. lowest_note + n_notes - 1`` are dropped.
    """
    mido = _mido()
    if not dt > 0:
        raise ValueError(f"dt must be positive, got {dt}")
    mid = mido.MidiFile(str(path))
    now = 0.0
    active = {}
    intervals = []
    for msg in mid:  # iterating a MidiFile yields messages with time in seconds
        now += msg.time
        if msg.type == "note_on" and msg.velocity > 0:
            active.setdefault((msg.channel, msg.note), now)
        elif msg.type in ("note_off", "note_on"):
            start = active.pop((msg.channel, msg.note), None)
            if start is not None:
                intervals.append((msg.note, start, now))
    for (ch, note), start in active.items():
        intervals.append((note, start, now))
    n_frames = int(round(now / dt))
    roll = np.zeros((n_frames, n_notes), dtype=np.float32)
    for note, start, end in intervals:
        j = note - lowest_note
        if not 0 <= j < n_notes:
            continue
        a, b = int(round(start / dt)), int(round(end / dt))
        roll[a:min(max(b, a + 1), n_frames), j] = 1.0
    return roll


# ---------------------------------------------------------------------------- RNN-RBM
import numbers  # noqa: E402

import torch  # noqa: E402
from sklearn.utils._param_validation import Interval, StrOptions  # noqa: E402

from ._engine.loop import train  # noqa: E402
from .base import DeepEstimator  # noqa: E402
from .nn import rbm as F_rbm  # noqa: E402
from .nn.rnnrbm import RNNRBMModule  # noqa: E402


def _check_rolls(rolls, n_visible=None):
    if isinstance(rolls, np.ndarray) and rolls.ndim == 2:
        rolls = [rolls]
    if not isinstance(rolls, (list, tuple)) or len(rolls) == 0:
        raise ValueError("expected a non-empty list of (T, n_notes) piano-roll arrays")
    out = []
    for i, r in enumerate(rolls):
        r = np.asarray(r, dtype=np.float32)
        if r.ndim != 2 or r.shape[0] == 0:
            raise ValueError(f"piano-roll {i} must be a non-empty 2-D (T, n_notes) array, "
                             f"got shape {r.shape}")
        if n_visible is not None and r.shape[1] != n_visible:
            raise ValueError(f"piano-roll {i} has {r.shape[1]} notes, expected {n_visible}")
        if not np.all(np.isfinite(r)):
            raise ValueError(f"piano-roll {i} contains NaN or infinity")
        out.append(r)
    return out


def _pad(rolls, device):
    T = max(len(r) for r in rolls)
    v = torch.zeros(len(rolls), T, rolls[0].shape[1], device=device)
    mask = torch.zeros(len(rolls), T, device=device)
    for i, r in enumerate(rolls):
        v[i, :len(r)] = torch.as_tensor(r, device=device)
        mask[i, :len(r)] = 1
    return v, mask


class RNNRBM(DeepEstimator):
    """RNN-RBM (Boulanger-Lewandowski et al. 2012) for polyphonic piano-rolls.

    Work in progress: ``fit``, ``sample`` and ``predict_next`` are implemented; ``score``,
    ``partial_fit`` and the measured defaults are not yet.

    Parameters
    ----------
    n_hidden : int, default=150
    n_hidden_recurrent : int, default=100
    k : int, default=15
        Gibbs steps of the per-frame CD cost (the tutorial's value).
    learning_rate : float, default=0.001
    solver : {"sgd", "adam"}, default="adam"
        The tutorial uses plain SGD at 0.001.
    max_iter : int, default=10
    batch_size : int, default=16
        Sequences per minibatch (padded, with masks); the tutorial uses 1.
    device, random_state, verbose

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.music import RNNRBM
    >>> rolls = [(np.random.RandomState(i).rand(20, 12) < 0.2).astype("float32")
    ...          for i in range(4)]
    >>> m = RNNRBM(n_hidden=8, n_hidden_recurrent=6, k=1, max_iter=2,
    ...            random_state=0).fit(rolls)
    >>> m.sample(10, n_samples=2).shape
    (2, 10, 12)
    """

    _parameter_constraints: dict = {
        "n_hidden": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_hidden_recurrent": [Interval(numbers.Integral, 1, None, closed="left")],
        "k": [Interval(numbers.Integral, 1, None, closed="left")],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "solver": [StrOptions({"sgd", "adam"})],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "device": [str],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(self, n_hidden=150, n_hidden_recurrent=100, k=15, learning_rate=0.001,
                 solver="adam", max_iter=10, batch_size=16, device="auto",
                 random_state=None, verbose=0):
        self.n_hidden = n_hidden
        self.n_hidden_recurrent = n_hidden_recurrent
        self.k = k
        self.learning_rate = learning_rate
        self.solver = solver
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, rolls, y=None):
        """Fit on a list of (T, n_notes) binary piano-rolls."""
        self._validate_params()
        rolls = _check_rolls(rolls)
        n_vis = rolls[0].shape[1]
        rolls = _check_rolls(rolls, n_vis)
        device = self._resolve_device()
        seed = self._seed()
        module = self._seeded_build(seed, lambda g: RNNRBMModule(
            n_vis, self.n_hidden, self.n_hidden_recurrent, generator=g))
        # visible biases start at the logits of the training marginals
        p = np.clip(np.concatenate(rolls).mean(0), 1e-3, 1 - 1e-3)
        with torch.no_grad():
            module.bv.copy_(torch.as_tensor(np.log(p / (1 - p)), dtype=torch.float32))
        module.to(device)
        gen = self._generator(seed, device)
        opt = (torch.optim.Adam if self.solver == "adam" else torch.optim.SGD)(
            module.parameters(), lr=self.learning_rate)
        v, mask = _pad(rolls, device)

        def step(vb, mb):
            # trim the batch's trailing all-padding frames
            opt.zero_grad(set_to_none=True)
            cost = module.cd_cost(vb, mb, k=self.k, generator=gen)
            cost.backward()
            opt.step()
            return cost.detach()

        self.history_ = train(module, step, (v, mask), batch_size=self.batch_size,
                              max_iter=self.max_iter, generator=gen, stop_on_loss=False,
                              verbose=self.verbose, desc="RNNRBM")
        self.module_ = module
        self.n_features_in_ = n_vis
        self.device_ = str(device)
        return self

    def _step_u(self, m, v_t, u):
        return torch.tanh(m.bu + v_t @ m.Wvu + u @ m.Wuu)

    def sample(self, n_steps, n_samples=1, random_state=None, k=None):
        """Generate ``n_samples`` piano-rolls of ``n_steps`` frames: (n_samples, T, n_notes)."""
        self._check_fitted()
        m = self.module_
        seed = int(np.random.RandomState(random_state).randint(2 ** 31 - 1)) \
            if not isinstance(random_state, np.random.RandomState) \
            else int(random_state.randint(2 ** 31 - 1))
        gen = self._generator(seed, self._device)
        k = self.k if k is None else k
        out = []
        with torch.inference_mode():
            u = m.bu.new_zeros(n_samples, m.bu.shape[0])
            v = m.bv.new_zeros(n_samples, m.bv.shape[0])
            for _ in range(n_steps):
                bv, bh = m.bv + u @ m.Wuv, m.bh + u @ m.Wuh
                _, v, _ = F_rbm.gibbs_vhv(v, m.W, bv, bh, generator=gen, k=k)
                out.append(v)
                u = self._step_u(m, v, u)
        return torch.stack(out, 1).cpu().numpy().astype(np.float32)

    def predict_next(self, roll, k=None, n_chains=20, random_state=0):
        """Expected notes of each next frame given the frames before it: (T, n_notes).

        Row ``t`` estimates ``E[v_t | v_<t]`` by ``n_chains`` Gibbs chains of ``k`` steps
        in frame ``t``'s RBM (mean-field visible means are averaged)."""
        self._check_fitted()
        roll = _check_rolls([roll], self.n_features_in_)[0]
        m = self.module_
        gen = self._generator(int(random_state or 0), self._device)
        k = self.k if k is None else k
        with torch.inference_mode():
            v = torch.as_tensor(roll, device=self._device)[None]
            bv, bh = m.frame_biases(v)
            T, V = roll.shape
            bvr = bv[0].repeat(n_chains, 1)
            bhr = bh[0].repeat(n_chains, 1)
            v0 = torch.zeros(n_chains * T, V, device=self._device)
            mean, _, _ = F_rbm.gibbs_vhv(v0, m.W, bvr, bhr, generator=gen, k=k)
            return mean.reshape(n_chains, T, V).mean(0).cpu().numpy().astype(np.float64)
