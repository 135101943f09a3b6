"""Stage 5, search: the one strategy interface (:mod:`~sgnas.search.strategy`) and SGNAS's architecture
generator (:mod:`sgnas.search.generator`); the peers' strategies plug into the same interface."""
