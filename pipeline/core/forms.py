"""The layout of the bidang data form, shared by the writer and the reader."""

SHEET = "Data Kinerja"
HEADERS = ("Kode", "Indikator", "Satuan", "Target", "Polaritas", "Realisasi", "Keterangan")
REQUIRED = ("Kode", "Indikator", "Satuan", "Target", "Realisasi", "Keterangan")
HEADER_ROW = 6
CASE_LABEL = "Nomor kasus"
OWNER_LABEL = "Kode bidang"
