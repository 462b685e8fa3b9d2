"""
Denoising autoencoder: filters and denoised digits
==================================================

Train the tutorial's denoising autoencoder on scikit-learn's 8x8 digits at corruption 0
(a plain autoencoder) and 0.3, show the learned filters (rows of ``components_``), and
reconstruct held-out digits with 30% of their pixels masked.
"""
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skdeep import DenoisingAutoencoder
from skdeep.plotting import plot_filters, tile_raster_images

X, _ = load_digits(return_X_y=True)
X_train, X_test = train_test_split(X / 16.0, test_size=0.25, random_state=0)
rng = np.random.RandomState(0)
noisy = X_test * (rng.rand(*X_test.shape) >= 0.3)

fig, axes = plt.subplots(2, 3, figsize=(10, 7))
for row, level in enumerate((0.0, 0.3)):
    dae = DenoisingAutoencoder(n_components=100, corruption_level=level, max_iter=20,
                               random_state=0).fit(X_train)
    error = np.mean(np.sum((dae.reconstruct(noisy) - X_test) ** 2, axis=1))
    print(f"corruption {level}: denoising squared error {error:.2f}")
    plot_filters(dae.components_, (8, 8), (10, 10), ax=axes[row, 0],
                 title=f"filters, corruption {level}")
    axes[row, 1].imshow(tile_raster_images(noisy[:25], (8, 8), (5, 5)), cmap="gray")
    axes[row, 1].set_title("masked test digits")
    axes[row, 2].imshow(tile_raster_images(dae.reconstruct(noisy[:25]), (8, 8), (5, 5)),
                        cmap="gray")
    axes[row, 2].set_title(f"reconstructed (error {error:.1f})")
for ax in axes.ravel():
    ax.set_axis_off()
plt.tight_layout()
plt.show()
