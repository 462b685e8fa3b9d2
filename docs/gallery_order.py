"""The example gallery's order (the tutorials' chapters, then the models added since) and
which examples the docs build runs: imported by ``conf.py``."""

#: every example, in the order of the gallery's page
CHAPTERS = [
    "plot_logistic",
    "plot_mlp",
    "plot_lenet",
    "plot_denoising_autoencoder",
    "plot_contractive_autoencoder",
    "plot_sda",
    "plot_rbm",
    "plot_dbn",
    "plot_generative_dbn",
    "plot_hmc",
    "plot_rnnslu",
    "plot_lstm_sentiment",
    "plot_rnnrbm",
    "plot_deep_autoencoder",
    "plot_regressors",
]

#: examples that need a data set under $SKDEEP_DATA (its sub-folder); without it their
#: pages are rendered without running them
NEEDS_DATA = {"plot_rnnslu": "atis", "plot_lstm_sentiment": "rt-polarity"}

#: the examples a quick build (SKDEEP_GALLERY=quick, the test suite's) runs: all but the
#: two slowest of those that need no data (the RBM's and the DBN's, 20 s together), about
#: 45 s on two idle cores
QUICK = ["plot_logistic", "plot_mlp", "plot_lenet", "plot_denoising_autoencoder",
         "plot_contractive_autoencoder", "plot_sda", "plot_hmc", "plot_rnnrbm",
         "plot_deep_autoencoder", "plot_regressors"]


class ChapterOrder:
    """sphinx-gallery's ``within_subsection_order``: sort example files by CHAPTERS, any
    example not listed after them by name."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __repr__(self):
        return f"<{type(self).__name__}: {', '.join(CHAPTERS)}>"

    def __call__(self, filename):
        stem = filename.rsplit(".", 1)[0]
        return (CHAPTERS.index(stem), "") if stem in CHAPTERS else (len(CHAPTERS), stem)
