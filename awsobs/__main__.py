"""`python -m awsobs` runs the command line."""

from awsobs.cli import main

raise SystemExit(main())
