#!/usr/bin/env python
import sys

from ungcuu.cli import main

if __name__ == "__main__":
    sys.exit(main())
