"""SGNAS's unified search space (supp. Table 6) as a space package: the macro layout
(:mod:`~sgnas.spaces.unified.space`), architectures and forced sampling
(:mod:`~sgnas.spaces.unified.architecture`), counting, the lookup-table cost model
(:mod:`~sgnas.spaces.unified.cost`), budget-aware random draws, the supernet
(:mod:`sgnas.spaces.unified.supernet`) and the registry entries (:mod:`~sgnas.spaces.unified.entry`)."""
