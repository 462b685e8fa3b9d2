"""Packaging for skdeep."""
from setuptools import find_packages, setup

setup(
    name="skdeep",
    version="0.1.0",
    description=(
        "The models of the Deep Learning Tutorials as scikit-learn estimators "
        "on a PyTorch engine"
    ),
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    packages=find_packages(include=["skdeep", "skdeep.*"]),
    python_requires=">=3.10",
    install_requires=[
        "numpy>=1.23",
        "scipy>=1.9",
        "scikit-learn>=1.6",
        "torch>=2.1,<3",
        "joblib>=1.2",
        "tqdm>=4.60",
        # the reproduce job's figures are part of its output, not an extra
        "matplotlib>=3.6",
    ],
    extras_require={
        "test": ["pytest>=7", "pytest-xdist>=3", "pandas>=1.5", "mido>=1.3",
                 "psutil>=5.9", "skops>=0.10", "dask[distributed]>=2024.1",
                 "ruff>=0.6"],
        # sphinx-gallery 0.17 is the first to read examples/GALLERY_HEADER.rst
        "docs": ["sphinx>=7", "numpydoc>=1.6", "sphinx-gallery>=0.17"],
        "plot": ["matplotlib>=3.6"],  # a dependency now; kept so `skdeep[plot]` installs
        "midi": ["mido>=1.3"],
        "distributed": ["dask[distributed]>=2024.1"],
        "bench": ["skorch>=1.0", "psutil>=5.9", "learnergy>=2.0"],
    },
    entry_points={"console_scripts": ["skdeep-reproduce=skdeep.reproduce:main"]},
    classifiers=[
        "Programming Language :: Python :: 3",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
    license="BSD-3-Clause",
)
