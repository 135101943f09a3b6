"""Stage 4, supernet training: the unified space's trainer and samplers (:mod:`~sgnas.training.supernet`,
:mod:`~sgnas.training.samplers`), the trainer and samplers of any space with one op per unit
(:mod:`~sgnas.training.paths`, :mod:`~sgnas.training.grid_samplers`), and what every loop shares: checkpoints
that resume exactly, LR schedules, divergence checks, data parallelism and mixed precision."""
