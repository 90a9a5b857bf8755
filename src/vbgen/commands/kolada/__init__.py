"""Kolada's key figures fetched by KPI id: the client (``client``), the folder's cache
(``cache``) and ``vbgen kolada`` filling the tables (``fill``, run by ``command``)."""
