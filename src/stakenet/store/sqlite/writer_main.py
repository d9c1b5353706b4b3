"""Entry point of the bulk writer process: `python -m stakenet.store.sqlite.writer_main PATH`.

A module of its own, which nothing imports, so that running it does not run a module the
package has already imported (`writer_server`).
"""

from stakenet.store.sqlite.writer_server import main

main()
