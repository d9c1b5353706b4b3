"""The explorer: the built-in web page served at `/`, and the offline GraphQL IDE.

The page is static (HTML, JavaScript modules, CSS and vendored libraries) and talks to the server
only through GraphQL, so this module owns nothing but the location of those files.
"""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path


def static_directory() -> Path:
    """The directory holding the explorer's static files.

    stakenet is installed as plain files (a wheel or an editable install), never zipped, so the
    resource path is a real directory that outlives the `as_file` context.
    """
    with as_file(files(__name__) / "static") as path:
        return Path(path)


def graphiql_page() -> str:
    """The offline GraphiQL page, served at /graphql to browsers in development mode."""
    return (static_directory() / "graphiql.html").read_text(encoding="utf-8")
