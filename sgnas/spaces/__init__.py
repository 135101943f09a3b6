"""Stage 2, search spaces as plug-ins: each a package (``unified``: SGNAS's macro space; ``nasbench201``: the
benchmark's cell) supplying what is specific to it through its registry entry (:mod:`~sgnas.spaces.protocol`):
its architectures and their text form, its cost models, its supernet, its architectures within a cost limit and
its choice structure for the generator. :mod:`~sgnas.spaces.cost` is the cost vocabulary they share."""
