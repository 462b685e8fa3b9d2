"""
RNN-RBM: learning and sampling polyphonic piano-rolls
=====================================================

Fits :class:`skdeep.music.RNNRBM` (the tutorial's *Modeling and generating sequences of
polyphonic music* chapter) to synthetic "songs" -- random transpositions of a I-IV-V-I
chord progression over a 24-note keyboard, each chord held for 4 frames -- then compares
its per-frame log-likelihood and next-frame accuracy with independent per-note Bernoulli
probabilities, and plots a training roll next to sampled ones. It runs in seconds; with
the real data set, pass ``load_piano_rolls("Nottingham")``'s training pieces instead.
"""
import matplotlib.pyplot as plt
import numpy as np

from skdeep.metrics import frame_accuracy
from skdeep.music import RNNRBM
from skdeep.plotting import plot_piano_roll

N_NOTES = 24
CHORDS = [(0, 4, 7), (5, 9, 12), (7, 11, 14), (0, 4, 7)]   # I, IV, V, I (semitones)


def song(rng, n_bars=4, hold=4):
    root = rng.randint(0, N_NOTES - 15)
    roll = np.zeros((n_bars * len(CHORDS) * hold, N_NOTES), np.float32)
    t = 0
    for _ in range(n_bars):
        for chord in CHORDS:
            roll[t:t + hold, [root + c for c in chord]] = 1
            t += hold
    return roll


rng = np.random.RandomState(0)
train = [song(rng) for _ in range(60)]
test = [song(rng) for _ in range(10)]

model = RNNRBM(n_hidden=40, n_hidden_recurrent=30, k=5, max_iter=15, batch_size=10,
               random_state=0).fit(train)

p = np.clip(np.concatenate(train).mean(0), 1e-3, 1 - 1e-3)
X = np.concatenate(test)
baseline_ll = (X * np.log(p) + (1 - X) * np.log1p(-p)).sum(1).mean()
print(f"test log-likelihood per frame: RNN-RBM {model.score(test):.2f}, "
      f"independent notes {baseline_ll:.2f}")
print(f"next-frame accuracy: RNN-RBM {model.frame_accuracy_score(test):.2f}, "
      f"independent notes {frame_accuracy(test, [np.tile(p, (len(r), 1)) for r in test]):.2f}")

samples = model.sample(64, n_samples=2, random_state=1)
fig, axes = plt.subplots(3, 1, figsize=(8, 6), sharex=True)
for ax, roll, title in zip(axes, [train[0], *samples], ["a training song", "sample 1",
                                                         "sample 2"]):
    plot_piano_roll(roll, lowest_note=0, ax=ax, title=title)
fig.tight_layout()
plt.show()
