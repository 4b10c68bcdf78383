"""Platform adapters: thin translators between a platform and Agora's core (``bot``)."""
