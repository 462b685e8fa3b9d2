"""
Restricted Boltzmann machine on digits: filters, samples and the likelihood
===========================================================================

Trains :class:`skdeep.BernoulliRBM` with PCD-15 (the tutorial's RBM chapter) on
scikit-learn's 8x8 digits, plots the filters (rows of ``components_``) and samples drawn
by Gibbs sampling, estimates the test log-likelihood by annealed importance sampling, and
compares the features with a logistic regression on the raw pixels.
"""
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from skdeep import BernoulliRBM
from skdeep.plotting import plot_filters, plot_learning_curve, plot_samples

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y, test_size=0.25,
                                                    random_state=0, stratify=y)

rbm = BernoulliRBM(n_components=100, learning_rate=0.05, batch_size=10, n_iter=20, k=15,
                   random_state=0)
rbm.fit(X_train)

# The likelihood is that of binary images: binarise the test digits at 0.5.
log_z, (low, high) = rbm.log_partition(n_chains=100, betas=2000)
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

# %%
# The filters (rows of ``components_``), the learning curve (the tutorial's monitoring
# cost: free energy of the data minus that of the negative samples), and the tutorial's
# samples figure: 20 Gibbs chains, a row every 200 steps. Chains of growing length from
# one seed share their first steps, so each row continues the one above.
snapshots = np.stack([rbm.sample(20, n_gibbs=200 * (r + 1), return_mean=True,
                                 random_state=0) for r in range(6)])
fig = plt.figure(figsize=(12, 7), layout="constrained")
top, bottom = fig.subfigures(2, 1, height_ratios=[1.3, 1])
left, right = top.subplots(1, 2)
plot_filters(rbm, (8, 8), (10, 10), ax=left, title="filters")
plot_learning_curve(rbm, ax=right)
plot_samples(snapshots, (8, 8), ax=bottom.subplots(), title="samples, a row every 200 "
             "Gibbs steps")
plt.show()
