"""Reproduce rows: logistic regression and the MLP."""
from __future__ import annotations

from ._row import Row


def _fit_and_score(clf, data):
    clf.fit(data.X_train, data.y_train, X_val=data.X_val, y_val=data.y_val)
    return {"test_error": 1.0 - clf.score(data.X_test, data.y_test), "epochs": clf.n_iter_,
            "estimator": clf}


def run_logistic(data, *, quick, tutorial_settings, device, random_state):
    from .. import LogisticClassifier

    if tutorial_settings:
        params = dict(learning_rate_init=0.13, batch_size=600, solver="sgd", momentum=0.0,
                      max_iter=1000)
    else:
        params = {}
    if quick:
        params["max_iter"] = min(params.get("max_iter", 100), 20)
    clf = LogisticClassifier(device=device, random_state=random_state, **params)
    res = _fit_and_score(clf, data)
    # one weight image per class: the templates the model matches digits against
    from ..plotting import plot_filters
    from ._report import new_figure

    fig, (ax,) = new_figure(width=6, height=2.2)
    plot_filters(clf.coef_, data.image_shape, (1, len(clf.classes_)), ax=ax,
                 title="weights per class (" + ", ".join(map(str, clf.classes_)) + ")")
    res["figures"] = {f"logistic_weights_{data.name}.png": fig}
    return res


def run_mlp(data, *, quick, tutorial_settings, device, random_state):
    from .. import MLPClassifier

    if tutorial_settings:
        # the tutorial's L2_reg=1e-4 on sum W**2 is alpha = 2 * batch * 1e-4
        params = dict(hidden_layer_sizes=(500,), activation="tanh", solver="sgd",
                      momentum=0.0, learning_rate_init=0.01, batch_size=20, alpha=0.004,
                      max_iter=1000)
    else:
        params = {}
    if quick:
        params["max_iter"] = min(params.get("max_iter", 200), 40)
    clf = MLPClassifier(device=device, random_state=random_state, **params)
    return _fit_and_score(clf, data)


ROWS = [
    Row("Logistic regression", run_logistic, tutorial="7.489% (MNIST)", order=10),
    Row("MLP", run_mlp, tutorial="1.65% (MNIST)", order=20),
]
