"""Stage 4, supernet training: one trainer for every space (:mod:`~sgnas.training.supernet`), the unified space's
samplers (:mod:`~sgnas.training.samplers`) and the samplers of any space with one op per unit
(:mod:`~sgnas.training.grid_samplers`), and what every loop shares: checkpoints that resume exactly, LR
schedules, divergence checks, data parallelism and mixed precision."""
