"""The signing copy and its wet-signed scan.

- `seal`: prints a QR code on every page of the signing copy (case, version, page i/n and the
  copy's hash) and finds the signature box of the naskah dinas ending.
- `scan`: reads those QR codes back from a scan, matches it page by page to the issued copy and
  checks that the signature box holds ink the copy did not have.
- `specimen`: makes sample wet-signed scans of a signing copy (demo and tests).

Coordinates are PDF points on the visible page (its crop box), origin at the bottom left.
"""
