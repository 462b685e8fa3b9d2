"""
Regression with pretrained networks
===================================

The tutorials' networks with a linear output: :class:`skdeep.MLPRegressor`
(scikit-learn's parameters), and a DBN (:class:`skdeep.DBNRegressor`) and a stacked
denoising autoencoder (:class:`skdeep.SdARegressor`) pretrained layer by layer before
finetuning, on scikit-learn's diabetes data against a ridge regression. Inputs are scaled
to [0, 1], which the RBMs and autoencoders expect; targets are standardised inside.
"""
import matplotlib.pyplot as plt
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_diabetes
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from skdeep import DBNRegressor, MLPRegressor, SdARegressor
from skdeep.plotting import plot_learning_curve

X, y = load_diabetes(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)

models = {
    "ridge": RidgeCV(),
    # scikit-learn's MLPRegressor fits the targets as they are: standardise them
    "MLPRegressor": TransformedTargetRegressor(
        MLPRegressor(hidden_layer_sizes=(64,), alpha=1e-2, max_iter=300, early_stopping=True,
                     random_state=0), transformer=StandardScaler()),
    "DBNRegressor": DBNRegressor((64,), pretrain_n_iter=20, pretrain_learning_rate=0.05,
                                 max_iter=100, early_stopping=True, random_state=0),
    "SdARegressor": SdARegressor((64,), corruption_levels=(0.2,), pretrain_max_iter=20,
                                 max_iter=100, early_stopping=True, random_state=0),
}
fig, axes = plt.subplots(2, 4, figsize=(15, 7))
for col, (name, model) in enumerate(models.items()):
    pipe = make_pipeline(MinMaxScaler(), model).fit(X_train, y_train)
    r2 = pipe.score(X_test, y_test)
    print(f"{name:13s} test R^2 {r2:.3f}")
    ax = axes[0, col]
    ax.scatter(y_test, pipe.predict(X_test), s=8)
    ax.plot([y.min(), y.max()], [y.min(), y.max()], "k--", lw=0.8)
    ax.set(title=f"{name}: R^2 {r2:.2f}", xlabel="measured", ylabel="predicted")
    if name == "ridge":
        axes[1, col].set_axis_off()
    else:
        # the pipeline's network (inside the target transformer for the MLP)
        plot_learning_curve(pipe, ax=axes[1, col], title=f"{name} finetuning")
fig.tight_layout()
plt.show()
