"""
Slot filling on ATIS with an Elman RNN
======================================

The tutorial's recurrent-network chapter (rnnslu): an :class:`skdeep.ElmanSlotFiller` tags
every word of an air-travel request with its IOB slot (``B-fromloc.city_name``, ...), and
the tags are scored by chunk F1 exactly as the conlleval script does. Plots the validation
F1 per epoch and prints the per-slot report on the test set.

Needs the tutorial's ATIS fold pickles (``$SKDEEP_DATA/atis/atis.fold3.pkl.gz``).
"""
import matplotlib.pyplot as plt
import numpy as np

from skdeep import ElmanSlotFiller
from skdeep.datasets import load_atis
from skdeep.metrics import chunk_classification_report, chunk_f1_score
from skdeep.plotting import plot_learning_curve

atis = load_atis(fold=3)


def sentences(part):
    words, _, labels = getattr(atis, part)
    return words, [np.array([atis.idx2label[i] for i in s]) for s in labels]


(X_train, y_train), (X_valid, y_valid), (X_test, y_test) = (
    sentences(p) for p in ("train", "valid", "test"))

model = ElmanSlotFiller(max_iter=8, random_state=0)
model.fit(X_train, y_train, X_val=X_valid, y_val=y_valid)
y_pred = model.predict(X_test)
print(f"test chunk F1: {100 * chunk_f1_score(y_test, y_pred):.2f}")
print(chunk_classification_report(y_test, y_pred, digits=3))

sentence = ["i", "want", "a", "flight", "from", "boston", "to", "denver", "on", "monday"]
ids = [atis.words2idx.get(w, atis.words2idx["<UNK>"]) for w in sentence]
for word, tag in zip(sentence, model.predict([ids])[0]):
    print(f"{word:10s} {tag}")

plot_learning_curve(model, title="ElmanSlotFiller on ATIS: validation chunk F1")
plt.show()
