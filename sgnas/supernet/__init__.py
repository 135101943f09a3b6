"""Supernet tools every space shares: BN recalibration of a path, and supernet-estimated accuracy.

A space's own supernet (hard path and relaxed weights) lives in its package
(:mod:`sgnas.spaces.unified.supernet`, :mod:`sgnas.spaces.nasbench201.supernet`);
what is written once for every supernet lives here.
"""
