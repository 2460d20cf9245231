"""The Qt desktop application: thin screens over :mod:`desktop_perizinan.services`.

Nothing is imported here on purpose: ``perizinan --help`` and the core must not pay for Qt, and
each screen module is imported only when the main window first shows it.
"""
