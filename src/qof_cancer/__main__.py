import sys

from qof_cancer.cli import main

sys.exit(main())
