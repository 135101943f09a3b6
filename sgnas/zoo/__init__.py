"""The reference zoo: published architectures with their published numbers (``reference.json``) and their
cost recomputed here (:mod:`~sgnas.zoo.reference`)."""
