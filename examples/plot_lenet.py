"""
LeNet on digits
===============

The tutorial's convolutional network (:class:`skdeep.LeNetClassifier`) on
scikit-learn's 8x8 digits, with kernels sized to fit (3x3 then 2x2; the tutorial's 5x5
kernels are for 28x28 images). Shows the first layer's 20 kernels and the validation
accuracy per epoch, and feeds the 500 learned features to a logistic regression.
"""
import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from skdeep import LeNetClassifier
from skdeep.plotting import plot_filters

X, y = load_digits(return_X_y=True)
X = (X / 16.0).reshape(-1, 8, 8)  # (n, H, W) images are accepted as they are
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0,
                                                    stratify=y)
X_fit, X_val, y_fit, y_val = train_test_split(X_train, y_train, test_size=0.2,
                                              random_state=0, stratify=y_train)

clf = LeNetClassifier(image_shape=(8, 8), kernel_sizes=(3, 2), batch_size=64, solver="sgd",
                      learning_rate_init=0.05, max_iter=30, random_state=0)
clf.fit(X_fit, y_fit, X_val=X_val, y_val=y_val)
print(f"LeNet test accuracy: {clf.score(X_test, y_test):.3f} "
      f"(best validation accuracy {clf.best_validation_score_:.3f})")

logreg = LogisticRegression(max_iter=1000).fit(clf.transform(X_fit), y_fit)
print(f"logistic regression on LeNet's 500 features: "
      f"{logreg.score(clf.transform(X_test), y_test):.3f}")

kernels = clf.module_.conv_layers[0].conv.weight.detach().cpu().numpy().reshape(20, -1)
fig, axes = plt.subplots(1, 2, figsize=(9, 4))
plot_filters(kernels, (3, 3), (4, 5), ax=axes[0], title="first-layer kernels")
axes[1].plot(range(1, len(clf.validation_scores_) + 1), clf.validation_scores_)
axes[1].set_xlabel("epoch")
axes[1].set_ylabel("validation accuracy")
plt.tight_layout()
plt.show()
