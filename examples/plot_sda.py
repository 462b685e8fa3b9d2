"""
Stacked denoising autoencoders on digits
========================================

Greedy layer-wise pretraining of a stack of denoising autoencoders, then finetuning the
whole stack with a softmax layer (:class:`skdeep.SdAClassifier`); compared with the
pretrained stack's codes fed to a logistic regression (:class:`skdeep.SdATransformer` in
a pipeline). The pretraining cost of each layer is plotted per epoch.
"""
import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from skdeep import SdAClassifier, SdATransformer
from skdeep.plotting import plot_filters, plot_learning_curve

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y, test_size=0.25,
                                                    random_state=0, stratify=y)

clf = SdAClassifier(hidden_layer_sizes=(200, 200), corruption_levels=(0.1, 0.2),
                    pretrain_max_iter=10, random_state=0)
clf.fit(X_train, y_train)
print(f"SdAClassifier (finetuned) test accuracy: {clf.score(X_test, y_test):.3f}")

pipe = make_pipeline(SdATransformer(hidden_layer_sizes=(300,), pretrain_max_iter=10,
                                    random_state=0), LogisticRegression(max_iter=2000))
pipe.fit(X_train, y_train)
print(f"SdATransformer + LogisticRegression test accuracy: {pipe.score(X_test, y_test):.3f}")

fig, axes = plt.subplots(1, 3, figsize=(14, 3.8))
plot_learning_curve(clf, stage="pretrain", ax=axes[0],
                    title="pretraining: reconstruction cross-entropy")
plot_learning_curve(clf, ax=axes[1], title="finetuning")
plot_filters(pipe[0].coefs_[0].T[:100], (8, 8), (10, 10), ax=axes[2],
             title="SdATransformer's first-layer filters")
fig.tight_layout()
plt.show()
