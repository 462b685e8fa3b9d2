"""MIDI input/output of binary piano-rolls (``mido`` is an optional dependency, imported
only when these functions are called)."""
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
    for (_, note), start in active.items():
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
