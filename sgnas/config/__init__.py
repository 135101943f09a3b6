"""Stage 1, configuration: typed dataclasses of every step (:mod:`~sgnas.config.schema`) and the named
presets that fill them (:mod:`~sgnas.config.presets`)."""
