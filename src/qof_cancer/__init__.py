"""qof-cancer: the QOF cancer domain and PCN cancer screening, computed from a practice's own records."""

__version__ = "0.1.0"

__all__ = ["__version__", "run"]


def run(*args, **kwargs):
    """Run the cancer indicators; see :func:`qof_cancer.api.run` for the arguments."""
    from qof_cancer.api import run as _run

    return _run(*args, **kwargs)
