"""
Deep belief network on digits: features, finetuning and sampling
=================================================================

Greedy layer-wise pretraining of a stack of RBMs (:class:`skdeep.DBNTransformer`) used as
features for a logistic regression, the tutorial's finetuned DBN
(:class:`skdeep.DBNClassifier`), and samples of the generative DBN: Gibbs sampling in the
top RBM, then a top-down pass through the directed layers.
"""
import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from skdeep import DBNClassifier, DBNTransformer

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y, test_size=0.25,
                                                    random_state=0, stratify=y)

pipe = make_pipeline(DBNTransformer((256,), pretrain_n_iter=20, pretrain_learning_rate=0.1,
                                    pretrain_batch_size=10, random_state=0),
                     LogisticRegression(C=100, max_iter=3000))
pipe.fit(X_train, y_train)
print(f"DBN (256) codes + logistic regression: {pipe.score(X_test, y_test):.3f}")

clf = DBNClassifier((256, 128), pretrain_n_iter=20, pretrain_learning_rate=0.1,
                    pretrain_batch_size=10, learning_rate_init=0.01, max_iter=30, random_state=0)
clf.fit(X_train, y_train, X_val=X_test, y_val=y_test)
print(f"DBNClassifier (256, 128), finetuned: {clf.score(X_test, y_test):.3f}")

dbn = DBNTransformer((256, 128), pretrain_n_iter=20, pretrain_learning_rate=0.1,
                     pretrain_batch_size=10, random_state=0).fit(X_train)
samples = dbn.sample(20, n_gibbs=1000, random_state=0)
reconstructions = dbn.inverse_transform(dbn.transform(X_test[:20]))

fig, axes = plt.subplots(3, 20, figsize=(12, 2.2))
for i in range(20):
    axes[0, i].imshow(X_test[i].reshape(8, 8), cmap="gray", vmin=0, vmax=1)
    axes[1, i].imshow(reconstructions[i].reshape(8, 8), cmap="gray", vmin=0, vmax=1)
    axes[2, i].imshow(samples[i].reshape(8, 8), cmap="gray", vmin=0, vmax=1)
for ax in axes.ravel():
    ax.set_axis_off()
for row, title in enumerate(["test digits", "up-down reconstructions", "DBN samples"]):
    axes[row, 0].set_title(title, loc="left", fontsize=9)
fig.subplots_adjust(wspace=0.05, hspace=0.4)
plt.show()
