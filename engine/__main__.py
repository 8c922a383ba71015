"""``python -m engine`` runs the same CLI as ``iapme``."""

from engine.cli import main

main()
