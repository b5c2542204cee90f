"""`python -m awsobs` runs the command line."""

from awsobs.cli import run

run()
