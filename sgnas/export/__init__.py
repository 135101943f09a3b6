"""Stage 6, export: any architecture as a stand-alone timm model (:mod:`~sgnas.export.timm`), with a
supernet's weights (:mod:`~sgnas.export.inherit`), written as files (:mod:`~sgnas.export.model_files`)."""
