"""``python -m rackplan`` runs the command line."""

from .cli import main

main()
