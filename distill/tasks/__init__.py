"""Task sources: the granular generators (one module per sub-task) and the BFCL importer.

A task source is a `Mixture` (generated tasks) or a `BfclSet` (imported); both expose
``generate(seed, progress) -> Iterator[Task]``.
"""
