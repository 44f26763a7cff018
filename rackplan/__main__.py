"""``python -m rackplan`` runs the command line."""

from ._entry import main

main()
