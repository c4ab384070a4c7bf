"""`python -m loket.cli …`: what child processes run (the same as the `loket` script)."""

from loket.cli import main

main()
