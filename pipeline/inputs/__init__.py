"""Readers and judges of what staff drop, one module per concern about a file's content.

- `workbook`: a dropped .xlsx read as plain rows of the values Excel last saved;
- `xlsx_package`: where the parts of an .xlsx are, found the way the workbook reader finds them;
- `xlsx_cells`: one streaming pass over a worksheet part (its size, and what the values omit);
- `xml_stream`: streaming one XML part of an Office file through expat, element by element;
- `active`: active content in a .docx/.xlsx (DDE, external links, embedded objects, ActiveX,
  templates), refused at every inbox.
"""
