"""cramp-reports: Excel running rosters in, personal calf-cramp prevention sheets out."""

__version__ = "0.1.0"
