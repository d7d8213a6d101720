"""``python -m docflow``: the ``docflow`` command, for when the venv's ``bin`` is not on PATH.

The same entry point as the console script, so the same exit codes (see ``docs/cli.md``).
"""

from docflow.cli import main

if __name__ == "__main__":
    main()
