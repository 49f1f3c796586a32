import sys

from samlite.cli import main

sys.exit(main())
