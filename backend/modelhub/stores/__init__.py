"""Storage interfaces (metadata, objects, metrics), each with one implementation per backend."""
