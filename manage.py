#!/usr/bin/env python
from kiemdiem.manage import main

if __name__ == "__main__":
    main()
