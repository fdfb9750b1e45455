"""The synthetic district generator (``grassroots seed``): a 开福区-like district as an import bundle.

``seed.generate.generate`` writes the bundle, ``seed.params`` holds every figure with its source,
``seed.names`` the name tables.
"""
