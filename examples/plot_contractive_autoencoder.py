"""
Contractive autoencoder: a flatter code around the data
=======================================================

Train the tutorial's contractive autoencoder (:class:`skdeep.ContractiveAutoencoder`) on
scikit-learn's 8x8 digits at several contraction levels, for the same number of epochs.
The penalty on the encoder's Jacobian makes the code less sensitive to small changes of
the input: the held-out Jacobian norm falls much faster than the reconstruction cost
rises, and the codes stay good features for a linear classifier. The filters (rows of
``components_``) of the plain and a contractive model are shown below.
"""
import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from skdeep import ContractiveAutoencoder
from skdeep.plotting import plot_filters

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y, test_size=0.25,
                                                    random_state=0)

levels = [0.0, 0.1, 0.3, 1.0]
costs, norms, models = [], [], {}
for level in levels:
    cae = ContractiveAutoencoder(n_components=100, contraction_level=level,
                                 learning_rate_init=0.1, batch_size=20, max_iter=10,
                                 random_state=0).fit(X_train)
    costs.append(-cae.score(X_test))
    norms.append(cae.jacobian_norm(X_test))
    print(f"contraction {level:<4g}: test cross-entropy {costs[-1]:.2f}, "
          f"squared Jacobian norm {norms[-1]:.2f}")
    models[level] = cae

# the codes as features for a linear classifier
for level in (0.0, 0.1):
    codes = models[level].transform
    accuracy = LogisticRegression(max_iter=2000).fit(codes(X_train), y_train).score(
        codes(X_test), y_test)
    print(f"contraction {level:g}: logistic regression on the codes, accuracy {accuracy:.3f}")

fig, axes = plt.subplots(1, 3, figsize=(12, 4))
axes[0].plot(norms, costs, "o-")
for level, norm, cost in zip(levels, norms, costs):
    axes[0].annotate(f"{level:g}", (norm, cost), textcoords="offset points", xytext=(4, 4))
axes[0].set_xlabel("held-out squared Jacobian norm")
axes[0].set_ylabel("held-out cross-entropy")
axes[0].set_title("contraction level trades reconstruction\nfor a flatter code")
plot_filters(models[0.0].components_, (8, 8), (10, 10), ax=axes[1],
             title="filters, contraction 0")
plot_filters(models[0.3].components_, (8, 8), (10, 10), ax=axes[2],
             title="filters, contraction 0.3")
plt.tight_layout()
plt.show()
