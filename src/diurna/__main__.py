import sys

from diurna.cli import main

sys.exit(main())
