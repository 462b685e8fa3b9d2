"""
Sentence sentiment with an LSTM
===============================

The tutorial's LSTM chapter on the movie-review polarity sentences (Pang and Lee 2005):
raw strings go through :class:`skdeep.text.TextVectorizer` into
:class:`skdeep.LSTMSentiment` in one scikit-learn pipeline. Plots the training loss and the
held-out accuracy per epoch and classifies a few new sentences.

Needs ``$SKDEEP_DATA/rt-polarity/rt-polarity.{pos,neg}``.
"""
import matplotlib.pyplot as plt
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from skdeep import LSTMSentiment
from skdeep.datasets import load_rt_polarity
from skdeep.plotting import plot_learning_curve
from skdeep.text import TextVectorizer

texts, y = load_rt_polarity()
X_train, X_test, y_train, y_test = train_test_split(texts, y, test_size=0.2,
                                                    stratify=y, random_state=0)
model = make_pipeline(TextVectorizer(), LSTMSentiment(random_state=0))
model.fit(X_train, y_train)
print(f"test accuracy: {model.score(X_test, y_test):.3f}")
for text, p in zip(["a gorgeous , witty , moving film .", "a tedious mess ."],
                   model.predict_proba(["a gorgeous , witty , moving film .",
                                        "a tedious mess ."])[:, 1]):
    print(f"P(positive) = {p:.2f}  {text}")

plot_learning_curve(model, title="LSTMSentiment: loss and held-out accuracy")
plt.show()
