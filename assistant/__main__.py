"""`python -m assistant` runs the payer-assistant command line."""

from assistant.cli import main

main()
