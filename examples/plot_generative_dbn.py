"""
Generative models of digits: a DBN with label units and a deep Boltzmann machine
================================================================================

The digit model of Hinton, Osindero & Teh (2006), :class:`skdeep.GenerativeDBNClassifier`:
the top RBM learns images and labels jointly, recognition is an up-pass and the top RBM's
free energy with each label clamped, and generation of a chosen class is Gibbs sampling
in the top RBM with that label clamped, then a down-pass. Beside it, a deep Boltzmann
machine (:class:`skdeep.DBMTransformer`, Salakhutdinov & Hinton 2009): its mean-field
features feed a logistic regression, and its variational lower bound scores images.
"""
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from skdeep import DBMTransformer, GenerativeDBNClassifier
from skdeep.plotting import plot_samples

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y, test_size=0.25,
                                                    random_state=0, stratify=y)

# the defaults: 64-500-2000 with 10 label units, greedy PCD, then up-down
clf = GenerativeDBNClassifier(random_state=0).fit(X_train, y_train)
print(f"generative DBN classifier, test accuracy: {clf.score(X_test, y_test):.3f}")
per_class = np.stack([clf.sample(10, y=c, random_state=0) for c in clf.classes_])

dbm = DBMTransformer((100, 200), n_iter=20, random_state=0)
pipe = make_pipeline(dbm, LogisticRegression(C=10, max_iter=3000)).fit(X_train, y_train)
print(f"DBM mean-field features + logistic regression: {pipe.score(X_test, y_test):.3f}")
print(f"DBM test lower bound: {dbm.score_samples(X_test).mean():.2f} nats per image")

# %%
# Ten generated digits of each class (a row per class), drawn by 100 Gibbs steps in the
# top RBM with the label clamped, from the base rates of that class's training images.
fig, ax = plt.subplots(figsize=(6, 6.5))
plot_samples(per_class, (8, 8), ax=ax, title="GenerativeDBNClassifier.sample(10, y=c)")
plt.show()
