"""Reproduce rows of the tutorial's sequence chapters: Elman slot filling on ATIS and LSTM
sentiment (the movie-review polarity sentences; the tutorial's IMDB is not shipped)."""
from __future__ import annotations

import numpy as np

from ._row import Row

#: the tutorial's rnnslu settings
TUTORIAL_ELMAN = dict(batch_size=1, solver="sgd", learning_rate_init=0.0970806646812754,
                      n_iter_no_change=10, max_iter=50)
#: the tutorial's lstm settings
TUTORIAL_LSTM = dict(solver="adadelta", learning_rate_init=1.0, n_words=10000, maxlen=100,
                     batch_size=16, max_iter=50, n_iter_no_change=10)


def run_atis(data, *, quick, tutorial_settings, device, random_state):
    """ATIS fold 3 (the tutorial's): train, the fixed validation split, test chunk F1."""
    from ..datasets import load_atis
    from ..metrics import chunk_f1_score
    from ..sequence import ElmanSlotFiller

    atis = load_atis(3)

    def part(name):
        words, _, labels = getattr(atis, name)
        return words, [np.array([atis.idx2label[i] for i in s]) for s in labels]

    (Xtr, ytr), (Xva, yva), (Xte, yte) = part("train"), part("valid"), part("test")
    params = dict(TUTORIAL_ELMAN) if tutorial_settings else {}
    if quick:
        params["max_iter"] = 8
    model = ElmanSlotFiller(device=device, random_state=random_state, **params)
    model.fit(Xtr, ytr, X_val=Xva, y_val=yva)
    f1 = chunk_f1_score(yte, model.predict(Xte))
    return {"test_error": None, "epochs": model.n_iter_,
            "extra": (f"test chunk F1 {100 * f1:.2f} "
                      f"(valid {100 * model.best_validation_score_:.2f})"),
            "estimator": model}


def run_rt_polarity(data, *, quick, tutorial_settings, device, random_state):
    """TextVectorizer + LSTMSentiment, stratified 10-fold cross-validated accuracy."""
    from sklearn.model_selection import StratifiedKFold, cross_validate
    from sklearn.pipeline import make_pipeline

    from ..datasets import load_rt_polarity
    from ..sentiment import LSTMSentiment
    from ..text import TextVectorizer

    texts, y = load_rt_polarity()
    params = dict(TUTORIAL_LSTM) if tutorial_settings else {}
    if quick:
        params["max_iter"] = 3
    folds = 3 if quick else 10
    model = make_pipeline(TextVectorizer(), LSTMSentiment(device=device,
                                                          random_state=random_state,
                                                          **params))
    cv = StratifiedKFold(folds, shuffle=True, random_state=random_state)
    result = cross_validate(model, texts, y, cv=cv, return_estimator=True)
    scores = result["test_score"]
    epochs = [m[-1].n_iter_ for m in result["estimator"]]
    return {"test_error": 1 - scores.mean(), "epochs": f"{min(epochs)}-{max(epochs)}",
            "extra": f"{folds}-fold CV accuracy {100 * scores.mean():.2f} "
                     f"+- {100 * scores.std():.2f}",
            "history": [(f"fold {i + 1}", m) for i, m in enumerate(result["estimator"][:3])]}


ROWS = [
    Row("Elman RNN slot filling, ATIS fold 3", run_atis, tutorial="test F1 94.2-94.5",
        needs="atis", order=70, datasets=("none",)),
    Row("LSTM sentiment, movie-review polarity", run_rt_polarity,
        tutorial="(IMDB in the tutorial; target >= 77% CV accuracy here)", needs="text",
        order=75, datasets=("none",)),
]
