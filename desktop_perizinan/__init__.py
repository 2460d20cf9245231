"""Perizinan Desktop: the back office of a regency permit office (DPMPTSP).

The package is layered: ``ui`` over ``services`` over ``documents``, ``workflow`` and ``db``.
Everything except ``ui`` imports without Qt (a test proves it).
"""

__version__ = "0.1.0"
