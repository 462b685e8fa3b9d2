"""
Restricted Boltzmann machine on digits: filters, samples and the likelihood
===========================================================================

Trains :class:`skdeep.BernoulliRBM` with PCD-15 (the tutorial's RBM chapter) on
scikit-learn's 8x8 digits, plots the filters (rows of ``components_``) and samples drawn
by Gibbs sampling, estimates the test log-likelihood by annealed importance sampling, and
compares the features with a logistic regression on the raw pixels.
"""
import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from skdeep import BernoulliRBM

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y, test_size=0.25,
                                                    random_state=0, stratify=y)

rbm = BernoulliRBM(n_components=100, learning_rate=0.05, batch_size=10, n_iter=20, k=15,
                   random_state=0, verbose=1)
rbm.fit(X_train)

# The likelihood is that of binary images: binarise the test digits at 0.5.
log_z, (low, high) = rbm.log_partition(n_chains=100, betas=5000)
ll = -rbm.free_energy((X_test > 0.5).astype(float)).mean() - log_z
print(f"AIS log Z = {log_z:.2f} (3-sigma interval [{low:.2f}, {high:.2f}])")
print(f"binarised test log-likelihood: {ll:.2f} nats per image")

pipe = make_pipeline(BernoulliRBM(n_components=100, learning_rate=0.05, batch_size=10,
                                  n_iter=20, random_state=0),
                     LogisticRegression(C=100, max_iter=3000))
pipe.fit(X_train, y_train)
print(f"RBM features + logistic regression: {pipe.score(X_test, y_test):.3f}")
raw = LogisticRegression(C=100, max_iter=3000).fit(X_train, y_train)
print(f"raw pixels + logistic regression:   {raw.score(X_test, y_test):.3f}")

samples = rbm.sample(20, n_gibbs=1000, return_mean=True, random_state=0)

fig, axes = plt.subplots(2, 20, figsize=(12, 1.6))
for i in range(20):
    axes[0, i].imshow(rbm.components_[i].reshape(8, 8), cmap="gray")
    axes[1, i].imshow(samples[i].reshape(8, 8), cmap="gray", vmin=0, vmax=1)
for ax in axes.ravel():
    ax.set_axis_off()
axes[0, 0].set_title("filters", loc="left", fontsize=9)
axes[1, 0].set_title("samples (1000 Gibbs steps)", loc="left", fontsize=9)
fig.subplots_adjust(wspace=0.05, hspace=0.4)
plt.show()
