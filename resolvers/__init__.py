"""Domain logic: identifiers, the ledger importer and the one write path, query planning."""
