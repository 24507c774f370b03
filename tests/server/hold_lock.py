#!/usr/bin/env python3
"""hold_lock.py DB READY RELEASE: takes the store's write lock as an import
would, creates READY once it holds it, and lets go once RELEASE exists."""
import os, sqlite3, sys, time

db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
open(sys.argv[2], "w").close()
while not os.path.exists(sys.argv[3]):
    time.sleep(0.05)
db.execute("COMMIT")
