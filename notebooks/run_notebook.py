"""Runs a notebook headless and keeps its outputs, as the tests do.

    python run_notebook.py explore.ipynb executed.ipynb

The kernel starts in the notebook's folder, so it imports the client beside
it. The executed notebook is written even when a cell fails; the exit status
is 1 then, with the failing cell's error on stderr.
"""

import os
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def main(src: str, dst: str) -> int:
    nb = nbformat.read(src, as_version=4)
    client = NotebookClient(
        nb,
        timeout=60,
        kernel_name="python3",
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(src))}},
    )
    status = 0
    try:
        client.execute()
    except CellExecutionError as err:
        print(err, file=sys.stderr)
        status = 1
    finally:
        nbformat.write(nb, dst)
    return status


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: run_notebook.py NOTEBOOK.ipynb EXECUTED.ipynb")
    sys.exit(main(sys.argv[1], sys.argv[2]))
