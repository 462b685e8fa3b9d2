"""
Multilayer perceptron: skdeep's and scikit-learn's side by side
===============================================================

The tutorials' MLP chapter. :class:`skdeep.MLPClassifier` takes scikit-learn's
``MLPClassifier`` parameters, with their names and defaults, and trains on PyTorch (on
the GPU when there is one). Both are fitted here on the digits with early stopping, and
:func:`skdeep.plotting.plot_learning_curve` draws either's history; the hidden layer's
first weights are shown as filters.
"""
import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SklearnMLP

from skdeep import MLPClassifier
from skdeep.plotting import plot_filters, plot_learning_curve

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y, test_size=0.25,
                                                    random_state=0, stratify=y)

params = dict(hidden_layer_sizes=(100,), activation="tanh", alpha=1e-4,
              learning_rate_init=0.003, max_iter=300, early_stopping=True,
              n_iter_no_change=20, random_state=0)
ours = MLPClassifier(**params).fit(X_train, y_train)
theirs = SklearnMLP(**params).fit(X_train, y_train)
print(f"skdeep MLPClassifier:  test accuracy {ours.score(X_test, y_test):.3f}")
print(f"sklearn MLPClassifier: test accuracy {theirs.score(X_test, y_test):.3f}")

fig, axes = plt.subplots(1, 3, figsize=(14, 3.6))
plot_learning_curve(ours, ax=axes[0], title="skdeep.MLPClassifier")
plot_learning_curve(theirs, ax=axes[1], title="sklearn MLPClassifier")
plot_filters(ours.coefs_[0].T[:36], (8, 8), (6, 6), ax=axes[2],
             title="hidden units' input weights")
fig.tight_layout()
plt.show()
