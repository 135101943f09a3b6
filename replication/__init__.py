"""The replication harness of SGNAS (Huang & Chu, CVPR 2021): runs, result files, tables and claims.

* :mod:`replication.plans`: presets sized for a wall-time budget, and the budgets A/B/C;
* :mod:`replication.methods`: the compared methods (registered strategy x registered sampler);
* :mod:`replication.harness`: every method x seed x budget through the library, cached per config and seed;
* :mod:`replication.cost_for_n`: the search cost of N targets per method (Table C's accounting);
* :mod:`replication.ablation` / ``ablate.py``: variants of SGNAS against its default;
* :mod:`replication.redundancy`: what forced sampling changes in practice;
* :mod:`replication.results`: the result files all of them write and every table and figure reads;
* :mod:`replication.claims`: the paper's claims, each with its criterion and verdict;
* :mod:`replication.tables`: one module per table (A, B, C, claims, ablation) and the one list of them;
* ``replicate_table.py``: the command that builds the tables (``tox -e replicate-table``).
"""
