"""Storage: the tables, the database connection and migrations, bodies, host state, provenance.

Every stage reads and writes through these; nothing here knows about HTTP or translation.
"""
