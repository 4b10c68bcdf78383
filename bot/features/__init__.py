"""One module per capability. Each holds a ``Feature`` whose decorated methods the router collects."""
