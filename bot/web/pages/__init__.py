"""The dashboard's pages, one module each, each defining ``PAGE`` (a ``bot.web.framework.Page``); the server
finds them all."""
