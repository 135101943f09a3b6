"""The PDF report: one small function per figure (:mod:`reports.figures`) and per page kind
(:mod:`reports.pages`), each reading a results folder, assembled by ``build_report.py``
(``tox -e report``) in a paper-like style (:mod:`reports.style`).
"""
