"""Importers: each format parses its files into `records.ServiceRecord`s; one writer upserts them."""
