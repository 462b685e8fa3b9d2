"""
Deep autoencoder: two-dimensional codes of the digits
=====================================================

Hinton and Salakhutdinov's deep autoencoder (:class:`skdeep.DeepAutoencoder`): a stack
of RBMs pretrained layer by layer, unrolled into an encoder and a decoder, and finetuned
to reconstruct its input through a small code. With a 2-D code it draws the digits on a
plane, as the paper's figure does against PCA's first two components; the reconstructions
and the finetuning curve follow.
"""
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA

from skdeep import DeepAutoencoder
from skdeep.plotting import plot_learning_curve, plot_samples

X, y = load_digits(return_X_y=True)
X = X / 16.0

ae = DeepAutoencoder(hidden_layer_sizes=(128, 32, 2), pretrain_n_iter=10,
                     learning_rate_init=0.01, max_iter=80, random_state=0)
codes = ae.fit_transform(X)
pca = PCA(2).fit(X)
print(f"squared reconstruction error per image: deep autoencoder {-ae.score(X):.2f}, "
      f"PCA {np.sum((pca.inverse_transform(pca.transform(X)) - X) ** 2, 1).mean():.2f}")

fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
for ax, Z, title in zip(axes, [codes, pca.transform(X)],
                        ["deep autoencoder, 2-D code", "PCA, first two components"]):
    points = ax.scatter(Z[:, 0], Z[:, 1], c=y, cmap="tab10", s=6)
    ax.set_title(title)
fig.colorbar(points, ax=axes, ticks=range(10), label="digit")

# %%
# Test digits (odd rows) over their reconstructions from two numbers each, and the
# finetuning loss per epoch.
rebuilt = np.clip(ae.inverse_transform(codes[:40]), 0, 1)
pairs = np.stack([X[:40].reshape(4, 10, -1), rebuilt.reshape(4, 10, -1)], 1).reshape(8, 10, -1)
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
plot_samples(pairs, (8, 8), ax=axes[0], title="digits and reconstructions")
plot_learning_curve(ae, ax=axes[1])
fig.tight_layout()
plt.show()
