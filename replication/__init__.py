"""The replication harness of SGNAS (Huang & Chu, CVPR 2021): runs, result files, tables and claims.

* :mod:`replication.harness`: every method x seed x budget through the library, cached per config and seed;
* :mod:`replication.ablation` / ``ablate.py``: variants of SGNAS against its default;
* :mod:`replication.redundancy`: what forced sampling changes in practice;
* :mod:`replication.results`: the result files all of them write and every table and figure reads;
* :mod:`replication.proxy_tables`, :mod:`replication.claims`: Tables B and C, and the claims summary;
* ``replicate_table.py``: the command that builds the tables (``tox -e replicate-table``).
"""
