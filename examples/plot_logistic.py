"""
Logistic regression on digits: class templates and the learning curve
======================================================================

The tutorials' first chapter: multiclass logistic regression trained by minibatch
gradient descent (:class:`skdeep.LogisticClassifier`) on scikit-learn's 8x8 digits, with
a fixed validation split as the tutorial's MNIST 50k/10k split. Each row of ``coef_`` is
the template one digit's score matches images against; the learning curve shows the
training loss and the validation accuracy per epoch, and the best epoch's weights are
the ones kept.
"""
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skdeep import LogisticClassifier
from skdeep.plotting import plot_filters, plot_learning_curve, plot_samples

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y, test_size=0.25,
                                                    random_state=0, stratify=y)
X_fit, X_val, y_fit, y_val = train_test_split(X_train, y_train, test_size=0.2,
                                              random_state=0, stratify=y_train)

clf = LogisticClassifier(learning_rate_init=0.03, max_iter=40, random_state=0)
clf.fit(X_fit, y_fit, X_val=X_val, y_val=y_val)
print(f"test accuracy {clf.score(X_test, y_test):.3f} after {clf.n_iter_} epochs "
      f"(best validation accuracy {clf.best_validation_score_:.3f})")

# %%
# The weights of each class, drawn as the tutorials draw filters (each scaled to its
# own range), and the training history.
fig, axes = plt.subplots(1, 2, figsize=(11, 3.2), width_ratios=[1.4, 1])
plot_filters(clf.coef_, (8, 8), (2, 5), ax=axes[0], title="coef_: one template per class")
plot_learning_curve(clf, ax=axes[1])
fig.tight_layout()

# %%
# The test digits it gets wrong, with the predicted class above each.
wrong = np.flatnonzero(clf.predict(X_test) != y_test)[:10]
fig, ax = plt.subplots(figsize=(8, 1.6))
plot_samples(X_test[wrong], (8, 8), (1, len(wrong)), ax=ax,
             title="misclassified as " + " ".join(map(str, clf.predict(X_test[wrong]))))
plt.show()
