"""Federation-scale benchmark of cramp-reports: `python -m bench.federation`."""
