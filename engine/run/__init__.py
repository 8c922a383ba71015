"""Running clients: one through the pipeline, a batch across worker processes, safe output
placement, the manifest and its journal, summaries and ``--pdf``."""
