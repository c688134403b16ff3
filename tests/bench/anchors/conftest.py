"""Nothing here is a test: the anchors are measured by ``nox -s anchors``, never by pytest (and their
``node_modules`` must never be walked)."""

collect_ignore_glob = ["*"]
